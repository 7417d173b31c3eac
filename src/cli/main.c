/*
 * aigov: the command-line front door.  Git-style: `aigov <command> [options]`,
 * one file per command (cmd_*.c), each with its own usage and options.
 */
#include "cli.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#ifndef AIGOV_VERSION
#define AIGOV_VERSION "0.0.0"
#endif

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct cli_command commands[] = {
	{ "demo", cmd_demo, "build a demonstration workspace from the examples",
	  "以範例建立示範工作區" },
	{ "gateway", cmd_gateway,
	  "an OpenAI-compatible gateway that screens prompts and answers with the guard",
	  "與 OpenAI 相容的閘道：以防護模組篩檢提示與回覆" },
	{ "guard", cmd_guard,
	  "the GenAI guard: personal data, secrets, prompt injection, finance output policy",
	  "生成式 AI 防護：個資、密鑰、提示注入、金融輸出政策" },
	{ "help", cmd_help, "show help for aigov or one command",
	  "顯示 aigov 或某個指令的說明" },
	{ "init", cmd_init, "create a workspace: store, signing key, ledger",
	  "建立工作區：儲存區、簽章金鑰、帳本" },
	{ "ledger", cmd_ledger,
	  "the tamper-evident record: append, log, verify, prove, export",
	  "可偵測竄改的帳本：記錄、列出、驗證、證明、匯出" },
	{ "system", cmd_system, "the AI system inventory: add, show, list, export",
	  "AI 系統清冊：登錄、檢視、列出、匯出" },
	{ "assess", cmd_assess, "assess a system's risk with the FSC factors; tier and controls",
	  "依金管會風險因素評估系統風險；分級與應有控制" },
	{ "evaluate", cmd_evaluate, "performance, fairness and drift of a scoring log",
	  "評分紀錄的效能、公平性與飄移" },
	{ "explain", cmd_explain, "explain a model's outputs: TreeSHAP, scorecards, reason codes",
	  "解釋模型輸出：TreeSHAP、計分卡、理由代碼" },
	{ "evidence", cmd_evidence, "record evidence that a control is met",
	  "記錄控制項目的佐證" },
	{ "approve", cmd_approve, "maker-checker approval of a control of a system",
	  "雙人覆核核准某系統的控制項目" },
	{ "gaps", cmd_gaps, "what each system still lacks: missing and overdue controls",
	  "各系統尚缺的項目：缺漏與逾期的控制項目" },
	{ "stage", cmd_stage, "move a system to its next lifecycle stage, through the gate",
	  "通過關卡，將系統移至下一個生命週期階段" },
	{ "vendor", cmd_vendor, "third parties: add, show, list, review",
	  "第三方供應商：登錄、檢視、列出、審查" },
	{ "shutdown", cmd_shutdown, "record an emergency shutdown (or a drill) of a system",
	  "記錄系統的緊急關閉（或演練）" },
	{ "resume", cmd_resume, "record that a shut-down system runs again",
	  "記錄已關閉的系統恢復運作" },
	{ "incident", cmd_incident, "incidents and personal-data breaches: open, update, close, list",
	  "事件與個資外洩：開立、更新、結案、列出" },
	{ "appeal", cmd_appeal, "customers contesting AI decisions: add, resolve, list",
	  "客戶對 AI 決定的申訴：新增、處理、列出" },
	{ "stats", cmd_stats, "the counts a regulator's survey asks for",
	  "主管機關調查所需的統計" },
	{ "catalog", cmd_catalog, "the control catalog: list, show, check",
	  "控制項目錄：列出、檢視、檢查" },
	{ "role", cmd_role, "who holds which role (3+1 lines of defense): grant, list",
	  "角色（三道防線加一）：授予、列出" },
	{ "serve", cmd_serve, "serve the workspace's JSON API to its users, by role",
	  "依角色向使用者提供工作區的 JSON API" },
	{ "user", cmd_user, "people who use the server, with their roles: add, list",
	  "使用伺服器的人員與角色：新增、列出" },
	{ "token", cmd_token, "API tokens of the server's users: create, list, revoke",
	  "伺服器使用者的 API 權杖：建立、列出、撤銷" },
	{ "profile", cmd_profile,
	  "profile the columns of a CSV file (types, missing values, statistics, warnings)",
	  "剖析 CSV 檔案的欄位（型別、缺漏值、統計量、警告）" },
	{ "version", cmd_version, "print the version", "顯示版本" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct {
	const char *name;
	const struct cli_usage *usage;
} usages[] = {
	{ "profile", &cmd_profile_usage },
	{ "init", &cmd_init_usage },
	{ "ledger", &cmd_ledger_usage },
	{ "system", &cmd_system_usage },
	{ "assess", &cmd_assess_usage },
	{ "catalog", &cmd_catalog_usage },
	{ "role", &cmd_role_usage },
	{ "serve", &cmd_serve_usage },
	{ "user", &cmd_user_usage },
	{ "token", &cmd_token_usage },
	{ "evidence", &cmd_evidence_usage },
	{ "approve", &cmd_approve_usage },
	{ "gaps", &cmd_gaps_usage },
	{ "stage", &cmd_stage_usage },
	{ "demo", &cmd_demo_usage },
	{ "vendor", &cmd_vendor_usage },
	{ "shutdown", &cmd_shutdown_usage },
	{ "resume", &cmd_resume_usage },
	{ "incident", &cmd_incident_usage },
	{ "appeal", &cmd_appeal_usage },
	{ "stats", &cmd_stats_usage },
	{ "evaluate", &cmd_evaluate_usage },
	{ "guard", &cmd_guard_usage },
	{ "gateway", &cmd_gateway_usage },
	{ "explain", &cmd_explain_usage },
};

/* Commands with subcommands, for 'aigov help <command> <sub>'. */
static const struct {
	const char *name;
	const struct cli_usage *(*sub)(const char *name);
} groups[] = {
	{ "ledger", cli_ledger_usage },
	{ "system", cli_system_usage },
	{ "catalog", cli_catalog_usage },
	{ "role", cli_role_usage },
	{ "user", cli_user_usage },
	{ "token", cli_token_usage },
	{ "evidence", cli_evidence_usage },
	{ "vendor", cli_vendor_usage },
	{ "incident", cli_incident_usage },
	{ "appeal", cli_appeal_usage },
	{ "guard", cli_guard_usage },
};

static void print_main_help(FILE *f)
{
	fprintf(f, "%s: aigov [--lang en|zh-TW] [--workspace DIR] [--version] [--help] <command> [<args>]\n\n",
		L("usage", "用法"));
	fprintf(f, "%s\n\n%s\n",
		L("aigov: AI governance and risk control for financial institutions.",
		  "aigov：金融機構的 AI 治理與風險控管工具。"),
		L("Commands:", "指令："));
	for (size_t i = 0; i < NCOMMANDS; i++) {
		fputs("  ", f);
		cli_pad(f, commands[i].name, 10);
		fprintf(f, "%s\n", L(commands[i].summary_en, commands[i].summary_zh));
	}
	fprintf(f, "\n%s\n%s\n",
		L("'aigov help <command>' or 'aigov <command> --help' shows one command.",
		  "'aigov help <指令>' 或 'aigov <指令> --help' 顯示該指令的說明。"),
		L("Exit codes: 0 ok, 1 findings, 2 usage error, 3 bad input, 4 I/O or internal error.",
		  "結束碼：0 成功，1 有發現事項，2 用法錯誤，3 輸入有誤，4 I/O 或內部錯誤。"));
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_main_help(stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
			const struct cli_usage *u;
			if (strcmp(argv[1], groups[i].name))
				continue;
			u = groups[i].sub(argv[2]);
			if (!u)
				return cli_error(EXIT_USAGE, L("'%s' is not a subcommand of aigov %s",
							       "'%s' 不是 aigov %s 的子指令"),
						 argv[2], argv[1]);
			cli_print_usage(stdout, u);
			return EXIT_OK;
		}
	}
	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++) {
		if (!strcmp(argv[1], usages[i].name)) {
			cli_print_usage(stdout, usages[i].usage);
			return EXIT_OK;
		}
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			printf("aigov %s: %s\n", commands[i].name,
			       L(commands[i].summary_en, commands[i].summary_zh));
			return EXIT_OK;
		}
	}
	return cli_error(EXIT_USAGE, L("'%s' is not an aigov command; see 'aigov help'",
				       "'%s' 不是 aigov 的指令；請看 'aigov help'"),
			 argv[1]);
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("aigov %s\n", AIGOV_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	int i = 1;

	/* Messages follow the user's locale; numbers never do (as curl's tool
	 * does): the library is locale-independent on its own, and this keeps
	 * printf in the CLI the same. */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	/* A closed pipe (aigov profile x | head) ends us with EPIPE errors,
	 * not a signal. */
	signal(SIGPIPE, SIG_IGN);
	cli_lang_init();

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--version") || !strcmp(a, "-V"))
			return cmd_version(0, NULL);
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			print_main_help(stdout);
			return EXIT_OK;
		}
		if (!strcmp(a, "--workspace") || !strncmp(a, "--workspace=", 12) ||
		    !strcmp(a, "-C")) {
			const char *v = a[1] == '-' && a[11] == '=' ? a + 12
				       : (i + 1 < argc ? argv[++i] : NULL);
			if (!v)
				return cli_error(EXIT_USAGE, "--workspace: %s",
						 L("expected a folder", "應為資料夾"));
			cli_workspace_dir = v;
			continue;
		}
		if (!strcmp(a, "--lang") || !strncmp(a, "--lang=", 7)) {
			const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || !cli_lang_set(v))
				return cli_error(EXIT_USAGE, "--lang: %s",
						 L("expected en or zh-TW", "應為 en 或 zh-TW"));
			continue;
		}
		return cli_error(EXIT_USAGE, L("unknown option '%s'; see 'aigov help'",
					       "不明的選項 '%s'；請看 'aigov help'"), a);
	}
	if (i >= argc) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < NCOMMANDS; c++) {
		if (!strcmp(argv[i], commands[c].name)) {
			int rc = commands[c].run(argc - i, argv + i);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				/* A reader that stopped early (| head) is no error
				 * worth a message, but the output is incomplete. */
				if (errno == EPIPE)
					return rc ? rc : EXIT_IO;
				return rc ? rc : cli_error(EXIT_IO, "%s",
						L("cannot write the output",
						  "無法寫出結果"));
			}
			return rc;
		}
	}
	return cli_error(EXIT_USAGE, L("'%s' is not an aigov command; see 'aigov help'",
				       "'%s' 不是 aigov 的指令；請看 'aigov help'"),
			 argv[i]);
}
