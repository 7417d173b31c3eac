/* aigov gateway: an OpenAI-compatible gateway in front of a chat-completions
 * upstream, screening prompts and answers with the guard (docs/guard.md). */
#include "cli.h"

#include "aigov/gateway.h"
#include "aigov/workspace.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *opt_listen = "127.0.0.1:8089", *opt_upstream, *opt_key, *opt_redact,
		  *opt_rules, *opt_port_file;
static size_t opt_max_body = 4u << 20, opt_max_connections = 256, opt_timeout = 300;

static const struct cli_option gateway_opts[] = {
	{ "listen", 'l', OPT_STRING, &opt_listen, "ADDR:PORT",
	  "where to listen (default 127.0.0.1:8089; port 0 picks a free one)",
	  "監聽位址（預設 127.0.0.1:8089；埠號 0 自動選擇）" },
	{ "upstream", 'u', OPT_STRING, &opt_upstream, "URL",
	  "the OpenAI-compatible API to forward to, e.g. https://api.openai.com/v1 (required)",
	  "轉送的 OpenAI 相容 API，例如 https://api.openai.com/v1（必填）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR",
	  "write one ledger entry per decision into this workspace",
	  "每個判定寫一筆帳本紀錄到此工作區" },
	{ "key", 0, OPT_STRING, &opt_key, "FILE",
	  "32-byte guard key (aigov guard keygen): reversible tokens, restored in the answer "
	  "(default $AIGOV_GUARD_KEY_FILE)",
	  "32 位元組防護金鑰（aigov guard keygen）：可還原代碼，於回覆中還原（預設 $AIGOV_GUARD_KEY_FILE）" },
	{ "redact", 0, OPT_STRING, &opt_redact, "MODE",
	  "keep, mask, tag, hash or token (default token with a key, else tag); per type: tag,EMAIL=keep",
	  "keep、mask、tag、hash 或 token（有金鑰時預設 token，否則 tag）；可依類型指定：tag,EMAIL=keep" },
	{ "rules", 0, OPT_STRING, &opt_rules, "FILE,...",
	  "rule files to use instead of the shipped catalog/guard/*.yaml",
	  "以這些規則檔取代內建的 catalog/guard/*.yaml" },
	{ "max-body", 0, OPT_SIZE, &opt_max_body, "SIZE",
	  "largest request body; larger ones get 413 (default 4M)",
	  "請求內容上限；超過者回應 413（預設 4M）" },
	{ "max-connections", 0, OPT_UINT, &opt_max_connections, "N",
	  "clients served at once, a thread each (default 256)",
	  "同時服務的連線數，每條連線一個執行緒（預設 256）" },
	{ "timeout", 0, OPT_UINT, &opt_timeout, "SECONDS",
	  "longest non-streaming upstream call (default 300)",
	  "非串流上游呼叫的最長秒數（預設 300）" },
	{ "port-file", 0, OPT_STRING, &opt_port_file, "FILE",
	  "write the port listened on to FILE once ready (for scripts)",
	  "就緒後將監聽埠號寫入 FILE（供腳本使用）" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_gateway_usage = {
	"aigov gateway --upstream URL [--listen ADDR:PORT] [--workspace DIR] [--key FILE]\n"
	"              [--redact MODE] [--rules FILE,...]",
	"Serve the OpenAI chat-completions API (POST /v1/chat/completions, also with\n"
	"\"stream\": true; GET /v1/models) in front of URL, until interrupted. Every\n"
	"request message is screened by the guard: a blocked prompt gets HTTP 400\n"
	"(code content_blocked) and never reaches the upstream; personal data is\n"
	"replaced (reversible tokens with --key, restored in the answer) before it\n"
	"leaves. Answers are screened too, streams as they arrive (only a short tail\n"
	"is held back): values redacted, the risk disclosure appended, a blocked\n"
	"answer withheld. The header x-aigov-action and the answer's \"aigov\" field say\n"
	"allow, redact, block or handoff. The client's Authorization goes upstream.\n"
	"With --workspace, one ledger entry per decision (rule ids, types, keyed\n"
	"HMACs of the values; never the values). GET /healthz and /metrics.",
	"在 URL 之前提供 OpenAI chat-completions API（POST /v1/chat/completions，含\n"
	"\"stream\": true；GET /v1/models），直到中斷。每則請求訊息皆經防護模組篩檢：被\n"
	"阻擋的提示回應 HTTP 400（code content_blocked），不會送到上游；個人資料在送出前\n"
	"即被取代（有 --key 時為可還原代碼，並於回覆中還原）。回覆同樣篩檢，串流邊收邊\n"
	"檢（只保留一小段尾端）：遮蔽個資、附加風險揭露、扣留被阻擋的回覆。標頭\n"
	"x-aigov-action 與回覆中的 \"aigov\" 欄位標示 allow、redact、block 或 handoff\n"
	"（轉接專人）。用戶端的 Authorization 會轉送上游。指定 --workspace 時，每個判定\n"
	"寫一筆帳本紀錄（規則代號、類型、以金鑰計算的 HMAC；絕不記錄原值）。\n"
	"GET /healthz 與 /metrics。",
	gateway_opts,
	"  aigov gateway --upstream https://api.openai.com/v1 --key guard.key -C ws\n"
	"  OPENAI_BASE_URL=http://127.0.0.1:8089/v1 python my_app.py\n",
};

static int make_redactor(struct ag_guard_redactor *rd)
{
	const char *path = opt_key ? opt_key : getenv("AIGOV_GUARD_KEY_FILE");
	bool have_key = path && *path, needs_key = false;
	struct ag_err err;
	int rc;

	ag_err_clear(&err);
	ag_guard_redactor_init(rd, have_key ? AG_GUARD_OP_TOKEN : AG_GUARD_OP_TAG);
	if (opt_redact && ag_guard_redactor_parse(rd, opt_redact, &err))
		return cli_error(EXIT_USAGE, "--redact: %s", err.msg);
	for (int i = 0; i < AG_GUARD_NTYPES; i++)
		needs_key |= rd->op[i] == AG_GUARD_OP_HASH || rd->op[i] == AG_GUARD_OP_TOKEN;
	rc = cli_guard_load_key(opt_key, rd, needs_key);
	return rc;
}

static int write_port(const char *path, unsigned port)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f))
		return cli_error(EXIT_IO, L("cannot write %s", "無法寫入 %s"), path);
	return 0;
}

static int run_gateway(char **args, int nargs)
{
	struct ag_logger log = { cli_log_stderr, NULL, AG_LOG_WARN };
	struct ag_gateway_options o = { 0 };
	struct ag_guard_redactor rd;
	struct ag_guard *g = NULL;
	struct ag_gateway *gw = NULL;
	struct ag_err err;
	char host[128], *root = NULL;
	sigset_t stop;
	int exit_code, rc, sig;

	(void)args;
	if (!cli_nargs_ok(&cmd_gateway_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if (!opt_upstream)
		return cli_error(EXIT_USAGE, "%s", L("--upstream URL is required",
						     "必須提供 --upstream URL"));
	if (!cli_parse_listen(opt_listen, host, sizeof(host), &o.port))
		return cli_error(EXIT_USAGE, L("--listen: '%s' is not ADDR:PORT (e.g. 127.0.0.1:8089)",
					       "--listen：'%s' 不是 ADDR:PORT（例如 127.0.0.1:8089）"),
				 opt_listen);
	if (opt_max_connections < 1 || opt_max_connections > 10000 || opt_timeout < 1)
		return cli_error(EXIT_USAGE, "%s", L("--max-connections: 1 to 10000; --timeout: at least 1",
						     "--max-connections：1 到 10000；--timeout：至少 1"));
	if ((rc = make_redactor(&rd)))
		return rc;
	ag_err_clear(&err);
	if (cli_workspace_dir && (rc = ag_workspace_find(cli_workspace_dir, &root, &err))) {
		ag_guard_redactor_release(&rd);
		return cli_error(rc == AG_ENOTFOUND ? EXIT_USAGE : cli_exit_code(rc), "%s", err.msg);
	}
	if ((rc = cli_guard_build(opt_rules, &g, NULL))) {
		ag_guard_redactor_release(&rd);
		free(root);
		return rc;
	}
	o.host = host;
	o.upstream = opt_upstream;
	o.guard = g;
	o.redactor = &rd;
	o.workspace_root = root;
	o.max_body = opt_max_body;
	o.max_connections = (unsigned)opt_max_connections;
	o.upstream_timeout_s = (long)opt_timeout;
	o.log = &log;
	/* Blocked before the threads start, so that only sigwait sees them;
	 * MHD does not ignore SIGPIPE itself. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = ag_gateway_start(&gw, &o, &err);
	ag_guard_redactor_release(&rd); /* the gateway keeps a copy */
	free(root);
	if (rc) {
		ag_guard_free(g);
		return cli_fail(rc, err.msg);
	}
	fprintf(stderr, L("aigov: gateway at http://%s:%u/v1 -> %s (Ctrl-C stops)\n",
			  "aigov：閘道位於 http://%s:%u/v1 -> %s（Ctrl-C 停止）\n"),
		host, ag_gateway_port(gw), opt_upstream);
	exit_code = opt_port_file ? write_port(opt_port_file, ag_gateway_port(gw)) : 0;
	if (!exit_code) {
		sigwait(&stop, &sig);
		fprintf(stderr, "%s", L("aigov: stopping\n", "aigov：停止中\n"));
	}
	ag_gateway_stop(gw);
	ag_guard_free(g);
	return exit_code;
}

int cmd_gateway(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_gateway_usage, run_gateway);
}
