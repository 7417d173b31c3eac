/* aigov evidence and aigov approve: what shows a control is met. */
#include "cli.h"

#include "aigov/registry.h"

#include <string.h>

static const char *opt_url, *opt_note, *opt_actor;

static const struct cli_option add_opts[] = {
	{ "url", 0, OPT_STRING, &opt_url, "URL", "a link instead of a file (an intranet page, a ticket)",
	  "以連結代替檔案（內部網頁、工單）" },
	{ "note", 'n', OPT_STRING, &opt_note, "TEXT", "a short note", "簡短說明" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who is acting (default $AIGOV_ACTOR)",
	  "操作者（預設 $AIGOV_ACTOR）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};
static const struct cli_usage add_usage = {
	"aigov evidence add SYSTEM CONTROL (FILE | --url URL) [--note TEXT]",
	"Record evidence that a control of the catalog is met for a system: a file\n"
	"(its SHA-256 and size are recorded, who added it and when; the file itself\n"
	"stays where it is) or a link. Evidence stays valid for the control's\n"
	"frequency at the system's tier (aigov gaps shows when it is due again).",
	"記錄某系統已符合某控制項目的佐證：檔案（記錄其 SHA-256 與大小、新增者與時間；\n"
	"檔案本身不搬移）或連結。佐證在該控制項目依系統風險等級所定的頻率內有效\n"
	"（aigov gaps 顯示下次到期日）。",
	add_opts,
	"  aigov evidence add retail-credit-scoring rob-model-validation validation-2026Q4.pdf\n"
	"  aigov evidence add aml-transaction-monitoring gov-record-keeping --url https://intra/aml/logs\n",
};

const struct cli_usage cmd_evidence_usage = {
	"aigov evidence add SYSTEM CONTROL (FILE | --url URL) [--note TEXT]",
	"Evidence for controls:\n  add   record a file or a link as evidence for a control\n",
	"控制項目的佐證：\n  add   記錄檔案或連結作為某控制項目的佐證\n",
	NULL,
	"  aigov evidence add retail-credit-scoring rob-model-validation report.pdf\n",
};

static int run_add(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_catalog *c = NULL;
	struct ag_risk_method *m = NULL;
	struct ag_err err;
	char actor_buf[300], sha[65];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc;

	if (!cli_nargs_ok(&add_usage, nargs, opt_url ? 2 : 3,
			  opt_url ? "SYSTEM CONTROL" : "SYSTEM CONTROL FILE", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_registry_policy(ws, &c, &m, &err);
	if (!rc)
		rc = ag_evidence_add(ws, c, args[0], args[1], opt_url ? opt_url : args[2],
				     opt_url != NULL, opt_note, actor, sha, &err);
	ag_catalog_free(c);
	ag_risk_method_free(m);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	if (opt_url)
		printf(L("evidence for %s of %s recorded: %s\n", "已記錄控制項目 %s（系統 %s）的佐證：%s\n"),
		       args[1], args[0], opt_url);
	else
		printf(L("evidence for %s of %s recorded: %s (sha256 %.16s…)\n",
			 "已記錄控制項目 %s（系統 %s）的佐證：%s（sha256 %.16s…）\n"),
		       args[1], args[0], args[2], sha);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "add", &add_usage, run_add },
};

const struct cli_usage *cli_evidence_usage(const char *sub)
{
	return cli_sub_usage(subs, sizeof(subs) / sizeof(subs[0]), sub);
}

int cmd_evidence(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_evidence_usage, subs, sizeof(subs) / sizeof(subs[0]));
}

/* ---- aigov approve ---- */

static const struct cli_option approve_opts[] = {
	{ "note", 'n', OPT_STRING, &opt_note, "TEXT", "the decision, a meeting, conditions",
	  "決議、會議、附帶條件" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who approves (default $AIGOV_ACTOR)",
	  "核准者（預設 $AIGOV_ACTOR）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_approve_usage = {
	"aigov approve SYSTEM CONTROL [--note TEXT] [--actor NAME]",
	"Approve a control of a system, maker-checker: the approver must hold role\n"
	"second_line and must not be the maker (whoever added the control's latest\n"
	"evidence, or registered the system when there is none). Controls whose\n"
	"evidence is an approval are met only by one. Recorded in the ledger.\n"
	"Exit codes: 0 approved, 4 refused (same person, missing role) or not found.",
	"以雙人覆核（maker-checker）核准某系統的某控制項目：核准者須具 second_line 角色，\n"
	"且不得為製作者（該控制項目最新佐證的新增者；無佐證時為登錄系統者）。佐證類型\n"
	"為核准的控制項目，須經核准才算符合。記入帳本。\n"
	"結束碼：0 已核准，4 被拒（同一人、無角色）或找不到。",
	approve_opts,
	"  aigov approve retail-credit-scoring gov-approval --actor user:cro --note 'AI committee 2026-11-20'\n",
};

static int run_approve(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_catalog *c = NULL;
	struct ag_risk_method *m = NULL;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc;

	if (!cli_nargs_ok(&cmd_approve_usage, nargs, 2, "SYSTEM CONTROL", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_registry_policy(ws, &c, &m, &err);
	if (!rc)
		rc = ag_approve(ws, c, args[0], args[1], opt_note, actor, &err);
	ag_catalog_free(c);
	ag_risk_method_free(m);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("%s of %s approved by %s\n", "控制項目 %s（系統 %s）已由 %s 核准\n"), args[1], args[0],
	       actor);
	return EXIT_OK;
}

int cmd_approve(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_approve_usage, run_approve);
}
