/* aigov serve: the JSON API over the workspace (docs/serve.md). */
#include "cli.h"

#include "aigov/file.h"
#include "aigov/server.h"
#include "aigov/workspace.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *opt_listen = "127.0.0.1:8642", *opt_cert, *opt_key, *opt_port_file;
static size_t opt_threads, opt_max_body = 1u << 20, opt_session_minutes = 480,
	      opt_max_upload = 16u << 20;

static const struct cli_option serve_opts[] = {
	{ "listen", 'l', OPT_STRING, &opt_listen, "ADDR:PORT",
	  "where to listen (default 127.0.0.1:8642; port 0 picks a free one; [::1]:8642 for IPv6)",
	  "監聽位址（預設 127.0.0.1:8642；埠號 0 自動選擇；IPv6 例如 [::1]:8642）" },
	{ "tls-cert", 0, OPT_STRING, &opt_cert, "FILE", "serve HTTPS with this certificate (PEM)",
	  "以此憑證（PEM）提供 HTTPS" },
	{ "tls-key", 0, OPT_STRING, &opt_key, "FILE", "the certificate's private key (PEM)",
	  "憑證的私鑰（PEM）" },
	{ "threads", 'j', OPT_UINT, &opt_threads, "N", "worker threads (default: one per core, 2 to 16)",
	  "工作執行緒數（預設每核心一個，2 到 16）" },
	{ "max-body", 0, OPT_SIZE, &opt_max_body, "SIZE",
	  "largest request body; larger ones get 413 (default 1M)",
	  "請求內容上限；超過者回應 413（預設 1M）" },
	{ "max-upload", 0, OPT_SIZE, &opt_max_upload, "SIZE",
	  "largest evidence file uploaded; larger ones get 413 (default 16M)",
	  "上傳證據檔案的上限；超過者回應 413（預設 16M）" },
	{ "session-minutes", 0, OPT_UINT, &opt_session_minutes, "N",
	  "web log-ins last N minutes (default 480, at most 10080: a week)",
	  "網頁登入的有效分鐘數（預設 480，最多 10080，即一週）" },
	{ "port-file", 0, OPT_STRING, &opt_port_file, "FILE",
	  "write the port listened on to FILE once ready (for scripts)",
	  "就緒後將監聽埠號寫入 FILE（供腳本使用）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_serve_usage = {
	"aigov serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE] [options]",
	"Serve the workspace's web UI (at /) and JSON API (under /api/v1) until\n"
	"interrupted (Ctrl-C or SIGTERM; requests in flight finish). People log in\n"
	"with the password 'aigov user passwd' set; programs send a token from\n"
	"'aigov token create'. Each may do what their role allows; writes are\n"
	"recorded in the ledger as that user. GET /healthz, /metrics and\n"
	"/api/v1/openapi.yaml answer without a user. Listens on the loopback address\n"
	"unless told otherwise: use TLS (--tls-cert) before exposing it. Endpoints:\n"
	"docs/serve.md.",
	"提供工作區的網頁介面（/）與 JSON API（/api/v1），直到中斷（Ctrl-C 或 SIGTERM；\n"
	"進行中的請求會完成）。使用者以 'aigov user passwd' 設定的密碼登入；程式則使用\n"
	"'aigov token create' 建立的權杖。各自僅能執行其角色允許的操作；寫入以該使用者\n"
	"名義記入帳本。GET /healthz、/metrics 與 /api/v1/openapi.yaml 不需使用者。預設\n"
	"只監聽本機位址：對外開放前請啟用 TLS（--tls-cert）。端點說明見 docs/serve.md。",
	serve_opts,
	"  aigov serve                  # then open http://127.0.0.1:8642/ and log in\n"
	"  aigov serve --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem\n"
	"  curl -H \"Authorization: Bearer $(cat alice.token)\" http://127.0.0.1:8642/api/v1/systems\n",
};

/* "HOST:PORT" or "[V6]:PORT" into host (copied into buf) and port. */
bool cli_parse_listen(const char *s, char *buf, size_t cap, unsigned *port)
{
	const char *colon, *host = s;
	size_t hlen;
	char *end;
	unsigned long p;

	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return false;
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= cap)
		return false;
	memcpy(buf, host, hlen);
	buf[hlen] = '\0';
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || p > 65535)
		return false;
	*port = (unsigned)p;
	return true;
}

static int read_pem(const char *path, struct ag_file_map *m)
{
	struct ag_err err;

	if (ag_file_map(m, path, &err))
		return cli_fail(AG_EIO, err.msg);
	return 0;
}

static int run_serve(char **args, int nargs)
{
	struct ag_logger log = { cli_log_stderr, NULL, AG_LOG_WARN };
	struct ag_server_options o = { 0 };
	struct ag_file_map cert = { 0 }, key = { 0 };
	struct ag_server *srv = NULL;
	struct ag_err err;
	char host[128], *root = NULL;
	sigset_t stop;
	int exit_code, rc, sig;

	(void)args;
	if (!cli_nargs_ok(&cmd_serve_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if (!cli_parse_listen(opt_listen, host, sizeof(host), &o.port))
		return cli_error(EXIT_USAGE, L("--listen: '%s' is not ADDR:PORT (e.g. 127.0.0.1:8642)",
					       "--listen：'%s' 不是 ADDR:PORT（例如 127.0.0.1:8642）"),
				 opt_listen);
	if (!opt_cert != !opt_key)
		return cli_error(EXIT_USAGE, "%s", L("--tls-cert and --tls-key go together",
						     "--tls-cert 與 --tls-key 須一併指定"));
	if (opt_session_minutes < 1 || opt_session_minutes > 10080)
		return cli_error(EXIT_USAGE, "%s", L("--session-minutes: from 1 to 10080",
						     "--session-minutes：須介於 1 與 10080"));
	if (opt_threads > 16)
		return cli_error(EXIT_USAGE, "%s", L("--threads: at most 16", "--threads：最多 16"));
	ag_err_clear(&err);
	if ((rc = ag_workspace_find(cli_workspace_dir, &root, &err)))
		return cli_error(rc == AG_ENOTFOUND ? EXIT_USAGE : cli_exit_code(rc), "%s", err.msg);
	if (opt_cert && ((exit_code = read_pem(opt_cert, &cert)) ||
			 (exit_code = read_pem(opt_key, &key)))) {
		ag_file_unmap(&cert);
		free(root);
		return exit_code;
	}
	o.workspace_root = root;
	o.host = host;
	o.threads = (unsigned)opt_threads;
	o.max_body = opt_max_body;
	o.session_minutes = (int)opt_session_minutes;
	o.max_upload = opt_max_upload;
	o.tls_cert_pem = opt_cert ? cert.data : NULL;
	o.tls_key_pem = opt_cert ? key.data : NULL;
	o.log = &log;
	/* Blocked before the server's threads start, so that they inherit
	 * the mask and only sigwait below sees these. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = ag_server_start(&srv, &o, &err);
	ag_file_unmap(&cert);
	ag_file_unmap(&key);
	if (rc) {
		free(root);
		return cli_fail(rc, err.msg);
	}
	fprintf(stderr, L("aigov: serving %s at %s://%s%s%s:%u/ (Ctrl-C stops)\n",
			  "aigov：提供 %s，位址 %s://%s%s%s:%u/（Ctrl-C 停止）\n"),
		root, opt_cert ? "https" : "http", strchr(host, ':') ? "[" : "", host,
		strchr(host, ':') ? "]" : "", ag_server_port(srv));
	free(root);
	if (opt_port_file) {
		FILE *f = fopen(opt_port_file, "w");
		if (!f || fprintf(f, "%u\n", ag_server_port(srv)) < 0 || fclose(f)) {
			ag_server_stop(srv);
			return cli_error(EXIT_IO, L("cannot write %s", "無法寫入 %s"), opt_port_file);
		}
	}
	sigwait(&stop, &sig);
	fprintf(stderr, "%s", L("aigov: stopping\n", "aigov：停止中\n"));
	ag_server_stop(srv);
	return EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_serve_usage, run_serve);
}
