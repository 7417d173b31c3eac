/* aigov gaps and aigov stage: what is missing, and the gate between stages. */
#include "cli.h"

#include "aigov/json.h"
#include "aigov/registry.h"
#include "aigov/views.h"
#include "aigov/time.h"

#include <stdlib.h>
#include <string.h>

static bool opt_json, opt_all;
static const char *opt_actor;

static const struct cli_option gaps_opts[] = {
	{ "all", 'a', OPT_FLAG, &opt_all, NULL,
	  "also list controls that are met, not applicable or for a later stage",
	  "一併列出已符合、不適用或屬於較後階段的控制項目" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON", "輸出 JSON" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_gaps_usage = {
	"aigov gaps [SYSTEM] [--all] [--json]",
	"The gap report: for each system (or one), every control of the catalog as\n"
	"met, missing, overdue, not_applicable (tier or scope) or later (a later\n"
	"lifecycle stage), with the date the next evidence is due. Controls of the\n"
	"current and earlier stages are required. A system never assessed, or whose\n"
	"assessment is overdue, is a gap too. Exit code 1 when anything required is\n"
	"missing or overdue, so that it can gate a CI pipeline.",
	"落差報告：逐一列出每個系統（或指定系統）在目錄中每個控制項目的狀態：已符合\n"
	"（met）、缺漏（missing）、逾期（overdue）、不適用（not_applicable：等級或範圍）\n"
	"或屬於較後階段（later），並附下次佐證到期日。目前及先前階段的控制項目為必要。\n"
	"從未評估或評估逾期的系統亦列為落差。若有必要項目缺漏或逾期，結束碼為 1，可用於\n"
	"CI 流程把關。",
	gaps_opts,
	"  aigov gaps\n  aigov gaps retail-credit-scoring --json\n",
};

static const char *status_label(int st)
{
	switch (st) {
	case AG_GAP_MET: return L("met", "已符合");
	case AG_GAP_MISSING: return L("MISSING", "缺漏");
	case AG_GAP_OVERDUE: return L("OVERDUE", "逾期");
	case AG_GAP_LATER: return L("later", "較後階段");
	default: return L("n/a", "不適用");
	}
}

void cli_print_gaps(const struct ag_system *s, const struct ag_gap_report *r, bool all)
{
	bool zh = cli_lang == LANG_ZH_TW;

	printf("%s  [%s, %s %s]", s->id, ag_stage_name(s->stage, zh), L("tier", "等級"),
	       r->tier >= 0 ? ag_tier_name(r->tier, zh) : L("not assessed", "未評估"));
	printf(L(": %zu missing, %zu overdue%s\n", "：缺漏 %zu、逾期 %zu%s\n"), r->missing, r->overdue,
	       r->assessment_overdue ? L(", risk assessment OVERDUE", "，風險評估逾期") : "");
	if (r->tier < 0)
		printf("  %s\n", L("MISSING  risk assessment (aigov assess); controls shown as for tier high",
				   "缺漏  風險評估（aigov assess）；控制項目暫依高風險等級列出"));
	for (const char *v = r->vendor_findings; v && *v;) {
		const char *nl = strchr(v, '\n');
		int len = nl ? (int)(nl - v) : (int)strlen(v);
		printf("  %-8s %.*s\n", L("VENDOR", "供應商"), len, v);
		v += len + (nl != NULL);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct ag_gap_item *it = &r->items[i];
		if (!all && it->status != AG_GAP_MISSING && it->status != AG_GAP_OVERDUE)
			continue;
		printf("  %-8s %-32s %-11s %s\n", status_label(it->status), it->control->id,
		       it->due[0] ? it->due : "", L(it->control->title.en, it->control->title.zh));
	}
}

static int run_gaps(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_catalog *c = NULL;
	struct ag_risk_method *m = NULL;
	struct ag_system_set *set = NULL;
	struct ag_err err;
	struct ag_buf out;
	struct ag_json j;
	bool gaps = false;
	int exit_code, rc;

	if (nargs > 1)
		return cli_error(EXIT_USAGE, "%s", L("gaps takes at most one SYSTEM", "gaps 最多接受一個 SYSTEM"));
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_registry_policy(ws, &c, &m, &err);
	if (!rc)
		rc = ag_registry_load(ws, nargs ? args[0] : NULL, &set, &err);
	ag_buf_init(&out);
	ag_json_init(&j, &out, true);
	if (opt_json)
		ag_json_begin_array(&j);
	for (size_t i = 0; !rc && i < set->n; i++) {
		struct ag_gap_report r;
		rc = ag_gaps(ws, c, &set->systems[i], ag_time_now_us(), &r, &err);
		if (rc)
			break;
		gaps |= ag_gap_report_blocks(&r);
		if (opt_json)
			ag_view_gap_report(&j, &set->systems[i], &r);
		else
			cli_print_gaps(&set->systems[i], &r, opt_all);
		ag_gap_report_release(&r);
	}
	if (!rc && opt_json) {
		ag_json_end_array(&j);
		if (ag_json_failed(&j) || ag_buf_addch(&out, '\n'))
			rc = ag_err_set(&err, AG_ENOMEM, "out of memory");
		else
			fwrite(out.buf, 1, out.len, stdout);
	}
	ag_buf_release(&out);
	ag_system_set_free(set);
	ag_catalog_free(c);
	ag_risk_method_free(m);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	return gaps ? EXIT_FINDINGS : EXIT_OK;
}

int cmd_gaps(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_gaps_usage, run_gaps);
}

/* ---- aigov stage ---- */

static const struct cli_option stage_opts[] = {
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who is acting (default $AIGOV_ACTOR)",
	  "操作者（預設 $AIGOV_ACTOR）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_stage_usage = {
	"aigov stage SYSTEM NEXT",
	"Move a system to the next lifecycle stage (planning -> data -> modelling ->\n"
	"deployment), or retire it. The gate: the system must have a current risk\n"
	"assessment, and every required control of its current and earlier stages\n"
	"must have valid evidence (or approval); otherwise the move is refused and\n"
	"what is missing is listed (exit 1). Recorded in the ledger.",
	"將系統移至下一個生命週期階段（planning -> data -> modelling -> deployment），\n"
	"或停用。關卡：系統須有有效的風險評估，且目前及先前階段的每個必要控制項目都須有\n"
	"有效佐證（或核准）；否則拒絕並列出缺少的項目（結束碼 1）。記入帳本。",
	stage_opts,
	"  aigov stage retail-credit-scoring deployment\n",
};

static int run_stage(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_catalog *c = NULL;
	struct ag_risk_method *m = NULL;
	struct ag_system_set *set = NULL;
	struct ag_gap_report blocking;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc, to = -1;

	if (!cli_nargs_ok(&cmd_stage_usage, nargs, 2, "SYSTEM NEXT", &exit_code))
		return exit_code;
	for (int i = 0; ag_stage_ids[i]; i++)
		if (!strcmp(args[1], ag_stage_ids[i]))
			to = i;
	if (to < 0)
		return cli_error(EXIT_USAGE, L("'%s' is not a stage (planning, data, modelling, deployment, retired)",
					       "'%s' 不是階段（planning、data、modelling、deployment、retired）"),
				 args[1]);
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_registry_policy(ws, &c, &m, &err);
	if (!rc)
		rc = ag_stage_advance(ws, c, args[0], to, actor, ag_time_now_us(), &blocking, &err);
	if (rc == AG_EPERM) {
		printf("%s\n", err.msg);
		if (blocking.items && !ag_registry_load(ws, args[0], &set, &err))
			cli_print_gaps(&set->systems[0], &blocking, false);
		ag_gap_report_release(&blocking);
		exit_code = EXIT_FINDINGS;
	} else if (rc) {
		exit_code = cli_fail(rc, err.msg);
	} else {
		printf(L("%s moved to stage %s\n", "%s 已移至階段 %s\n"), args[0], args[1]);
	}
	ag_system_set_free(set);
	ag_catalog_free(c);
	ag_risk_method_free(m);
	ag_workspace_free(ws);
	return exit_code;
}

int cmd_stage(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_stage_usage, run_stage);
}
