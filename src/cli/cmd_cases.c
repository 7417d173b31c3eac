/* aigov incident and aigov appeal: things that went wrong, and customers
 * who contest an AI decision. */
#include "cli.h"

#include "aigov/json.h"
#include "aigov/num.h"
#include "aigov/operations.h"

#include <string.h>

static bool opt_breach, opt_notified;
static const char *opt_title, *opt_severity, *opt_root, *opt_remedy, *opt_resolution,
	*opt_decision, *opt_reason, *opt_outcome, *opt_note, *opt_actor;

#define OPT_WS { "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" }
#define OPT_ACTOR { "actor", 0, OPT_STRING, &opt_actor, "NAME", "who is acting (default $AIGOV_ACTOR)", \
		    "操作者（預設 $AIGOV_ACTOR）" }
#define OPT_E { NULL, 0, OPT_END, NULL, NULL, NULL, NULL }

static const struct cli_option open_opts[] = {
	{ "title", 't', OPT_STRING, &opt_title, "TEXT", "what happened (required)", "發生什麼事（必填）" },
	{ "severity", 's', OPT_STRING, &opt_severity, "LEVEL", "low, medium, high or critical (default medium)",
	  "low、medium、high 或 critical（預設 medium）" },
	{ "breach", 0, OPT_FLAG, &opt_breach, NULL,
	  "a personal-data breach: notification is due within 72 hours",
	  "個人資料外洩：須於 72 小時內通知" },
	OPT_ACTOR, OPT_WS, OPT_E,
};
static const struct cli_usage open_usage = {
	"aigov incident open SYSTEM --title TEXT [--severity LEVEL] [--breach]",
	"Open an incident for a system. With --breach the notification deadline is\n"
	"72 hours after opening (a default of aigov's: check your obligations).",
	"為系統開立事件。加上 --breach 時，通知期限為開立後 72 小時（aigov 的預設值，\n"
	"請依貴機構之法定義務確認）。",
	open_opts, "  aigov incident open genai-customer-service --title 'Chatbot quoted a wrong fee' --severity high\n",
};
static const struct cli_option update_opts[] = {
	{ "root-cause", 0, OPT_STRING, &opt_root, "TEXT", "the root cause found", "根本原因" },
	{ "remediation", 0, OPT_STRING, &opt_remedy, "TEXT", "what is done about it", "矯正措施" },
	{ "notified", 0, OPT_FLAG, &opt_notified, NULL, "the breach notification was made",
	  "已完成外洩通知" },
	OPT_ACTOR, OPT_WS, OPT_E,
};
static const struct cli_usage update_usage = {
	"aigov incident update ID [--root-cause TEXT] [--remediation TEXT] [--notified]",
	"Record the root cause, the remediation or the breach notification.",
	"記錄根本原因、矯正措施或外洩通知。", update_opts,
	"  aigov incident update 3 --root-cause 'stale fee table in the knowledge base'\n",
};
static const struct cli_option close_opts[] = {
	{ "resolution", 0, OPT_STRING, &opt_resolution, "TEXT", "how it ended (required)", "結案說明（必填）" },
	OPT_ACTOR, OPT_WS, OPT_E,
};
static const struct cli_usage close_usage = {
	"aigov incident close ID --resolution TEXT", "Close an incident.", "結案。", close_opts,
	"  aigov incident close 3 --resolution 'fees corrected, customers refunded'\n",
};
static const struct cli_option list_opts[] = { OPT_WS, OPT_E };
static const struct cli_usage ilist_usage = {
	"aigov incident list", "Every incident as JSON, with overdue breach notifications flagged.",
	"以 JSON 列出所有事件，並標示逾期的外洩通知。", list_opts, "  aigov incident list\n",
};
const struct cli_usage cmd_incident_usage = {
	"aigov incident <open|update|close|list> [options]",
	"Incidents of AI systems (errors, unexpected events, personal-data breaches):\n"
	"  open  update  close  list\n",
	"AI 系統的事件（錯誤、非預期事件、個人資料外洩）：\n  open  update  close  list\n",
	NULL, "  aigov incident open SYSTEM --title TEXT --breach\n",
};

static const struct cli_option add_opts[] = {
	{ "decision", 'd', OPT_STRING, &opt_decision, "REF", "the decision contested (required)",
	  "被申訴的決定（必填）" },
	{ "reason", 'r', OPT_STRING, &opt_reason, "TEXT", "the customer's reason (required)", "客戶的理由（必填）" },
	OPT_ACTOR, OPT_WS, OPT_E,
};
static const struct cli_usage add_usage = {
	"aigov appeal add SYSTEM --decision REF --reason TEXT",
	"Record that a customer contests a decision of an AI system; a person reviews it.",
	"記錄客戶對 AI 系統決定提出申訴；由人員覆核。", add_opts,
	"  aigov appeal add retail-credit-scoring --decision APP-2026-1123 --reason 'income was wrong'\n",
};
static const struct cli_option resolve_opts[] = {
	{ "outcome", 'o', OPT_STRING, &opt_outcome, "OUTCOME", "upheld, overturned or amended (required)",
	  "upheld（維持）、overturned（撤銷）或 amended（變更）（必填）" },
	{ "note", 'n', OPT_STRING, &opt_note, "TEXT", "what the human review found", "人工覆核結果" },
	OPT_ACTOR, OPT_WS, OPT_E,
};
static const struct cli_usage resolve_usage = {
	"aigov appeal resolve ID --outcome upheld|overturned|amended [--note TEXT]",
	"Record the outcome of the human review of an appeal.", "記錄申訴人工覆核的結果。", resolve_opts,
	"  aigov appeal resolve 1 --outcome overturned --note 'income verified; approved'\n",
};
static const struct cli_usage alist_usage = {
	"aigov appeal list", "Every appeal as JSON.", "以 JSON 列出所有申訴。", list_opts, "  aigov appeal list\n",
};
const struct cli_usage cmd_appeal_usage = {
	"aigov appeal <add|resolve|list> [options]",
	"Appeals: customers who contest an AI decision, and the human review:\n  add  resolve  list\n",
	"申訴：客戶對 AI 決定的異議與人工覆核：\n  add  resolve  list\n",
	NULL, "  aigov appeal add SYSTEM --decision REF --reason TEXT\n",
};

static int pick(const char *const *ids, const char *s)
{
	for (int i = 0; s && ids[i]; i++)
		if (!strcmp(ids[i], s))
			return i;
	return -1;
}

static bool case_id(const char *s, int64_t *id)
{
	return ag_parse_int64(s, strlen(s), id) && *id > 0;
}

/* Open the workspace for writing, run fn, print `done` on success. */
#define WITH_WS(write, call, done)                                                 \
	do {                                                                         \
		struct ag_workspace *ws = NULL;                                      \
		struct ag_err err;                                                   \
		char actor_buf[300];                                                 \
		const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf)); \
		int ec_ = cli_workspace_open(&ws, write, actor), rc_;                \
		if (ec_)                                                             \
			return ec_;                                                  \
		ag_err_clear(&err);                                                  \
		rc_ = (call);                                                        \
		ag_workspace_free(ws);                                               \
		if (rc_)                                                             \
			return cli_fail(rc_, err.msg);                               \
		done;                                                                \
		return EXIT_OK;                                                      \
	} while (0)

static int run_open(char **args, int nargs)
{
	int exit_code, sev = opt_severity ? pick(ag_severity_ids, opt_severity) : 1;
	int64_t id = 0;

	if (!cli_nargs_ok(&open_usage, nargs, 1, "SYSTEM", &exit_code))
		return exit_code;
	if (sev < 0)
		return cli_error(EXIT_USAGE, "--severity: %s", L("expected low, medium, high or critical",
							       "應為 low、medium、high 或 critical"));
	if (!opt_title)
		return cli_error(EXIT_USAGE, "%s", L("--title is required", "必須提供 --title"));
	WITH_WS(true, ag_incident_open(ws, args[0], opt_title, sev, opt_breach, actor, &id, &err),
		printf(L("incident %lld opened%s\n", "已開立事件 %lld%s\n"), (long long)id,
		       opt_breach ? L("; breach notification due within 72 hours",
				      "；外洩通知須於 72 小時內完成") : ""));
}

static int run_update(char **args, int nargs)
{
	int64_t id;
	int exit_code;

	if (!cli_nargs_ok(&update_usage, nargs, 1, "ID", &exit_code))
		return exit_code;
	if (!case_id(args[0], &id))
		return cli_error(EXIT_USAGE, L("'%s' is not an incident number", "'%s' 不是事件編號"), args[0]);
	if (!opt_root && !opt_remedy && !opt_notified)
		return cli_error(EXIT_USAGE, "%s", L("nothing to update (--root-cause, --remediation, --notified)",
						     "沒有要更新的內容（--root-cause、--remediation、--notified）"));
	WITH_WS(true, ag_incident_update(ws, id, opt_root, opt_remedy, opt_notified, actor, &err),
		printf(L("incident %lld updated\n", "事件 %lld 已更新\n"), (long long)id));
}

static int run_close(char **args, int nargs)
{
	int64_t id;
	int exit_code;

	if (!cli_nargs_ok(&close_usage, nargs, 1, "ID", &exit_code))
		return exit_code;
	if (!case_id(args[0], &id))
		return cli_error(EXIT_USAGE, L("'%s' is not an incident number", "'%s' 不是事件編號"), args[0]);
	WITH_WS(true, ag_incident_close(ws, id, opt_resolution, actor, &err),
		printf(L("incident %lld closed\n", "事件 %lld 已結案\n"), (long long)id));
}

static int list_cases(const char *table)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	struct cli_json out;
	struct ag_json *j;
	int exit_code, rc;

	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	j = cli_json_init(&out, true);
	rc = ag_cases_json(ws, table, j, &err);
	ag_workspace_free(ws);
	if (rc) {
		ag_buf_release(&out.out);
		return cli_fail(rc, err.msg);
	}
	return cli_json_print(&out);
}

static int run_ilist(char **args, int nargs)
{
	int exit_code;

	(void)args;
	if (!cli_nargs_ok(&ilist_usage, nargs, 0, "", &exit_code))
		return exit_code;
	return list_cases("incident");
}

static int run_add(char **args, int nargs)
{
	int64_t id = 0;
	int exit_code;

	if (!cli_nargs_ok(&add_usage, nargs, 1, "SYSTEM", &exit_code))
		return exit_code;
	WITH_WS(true, ag_appeal_add(ws, args[0], opt_decision, opt_reason, actor, &id, &err),
		printf(L("appeal %lld recorded; a person reviews it\n", "已記錄申訴 %lld；將由人員覆核\n"),
		       (long long)id));
}

static int run_resolve(char **args, int nargs)
{
	int64_t id;
	int exit_code, outcome = pick(ag_appeal_outcome_ids, opt_outcome);

	if (!cli_nargs_ok(&resolve_usage, nargs, 1, "ID", &exit_code))
		return exit_code;
	if (!case_id(args[0], &id))
		return cli_error(EXIT_USAGE, L("'%s' is not an appeal number", "'%s' 不是申訴編號"), args[0]);
	if (outcome < 0)
		return cli_error(EXIT_USAGE, "--outcome: %s", L("expected upheld, overturned or amended",
							      "應為 upheld、overturned 或 amended"));
	WITH_WS(true, ag_appeal_resolve(ws, id, outcome, opt_note, actor, &err),
		printf(L("appeal %lld resolved: %s\n", "申訴 %lld 已處理：%s\n"), (long long)id, opt_outcome));
}

static int run_alist(char **args, int nargs)
{
	int exit_code;

	(void)args;
	if (!cli_nargs_ok(&alist_usage, nargs, 0, "", &exit_code))
		return exit_code;
	return list_cases("appeal");
}

static const struct cli_sub incident_subs[] = {
	{ "open", &open_usage, run_open },
	{ "update", &update_usage, run_update },
	{ "close", &close_usage, run_close },
	{ "list", &ilist_usage, run_ilist },
};
static const struct cli_sub appeal_subs[] = {
	{ "add", &add_usage, run_add },
	{ "resolve", &resolve_usage, run_resolve },
	{ "list", &alist_usage, run_alist },
};

const struct cli_usage *cli_incident_usage(const char *sub)
{
	return cli_sub_usage(incident_subs, sizeof(incident_subs) / sizeof(incident_subs[0]), sub);
}

const struct cli_usage *cli_appeal_usage(const char *sub)
{
	return cli_sub_usage(appeal_subs, sizeof(appeal_subs) / sizeof(appeal_subs[0]), sub);
}

int cmd_incident(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_incident_usage, incident_subs,
			    sizeof(incident_subs) / sizeof(incident_subs[0]));
}

int cmd_appeal(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_appeal_usage, appeal_subs,
			    sizeof(appeal_subs) / sizeof(appeal_subs[0]));
}
