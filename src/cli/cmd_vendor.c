/* aigov vendor: third parties (FSC guideline, third-party oversight). */
#include "cli.h"

#include "aigov/json.h"
#include "aigov/operations.h"

#include <jansson.h>
#include <string.h>

static bool opt_replace, opt_json;
static const char *opt_actor, *opt_result, *opt_note;

#define OPT_WS { "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" }
#define OPT_ACTOR { "actor", 0, OPT_STRING, &opt_actor, "NAME", "who is acting (default $AIGOV_ACTOR)", \
		    "操作者（預設 $AIGOV_ACTOR）" }
#define OPT_E { NULL, 0, OPT_END, NULL, NULL, NULL, NULL }

static const struct cli_option add_opts[] = {
	{ "replace", 0, OPT_FLAG, &opt_replace, NULL, "update a registered vendor", "更新已登錄的供應商" },
	OPT_ACTOR, OPT_WS, OPT_E,
};
static const struct cli_usage add_usage = {
	"aigov vendor add [--replace] FILE.yaml",
	"Register a third party from YAML (docs/registry-formats.md#vendor-descriptor):\n"
	"its services, competence assessment, due diligence (date, result), the\n"
	"contract clauses present (liability, data_protection, subcontracting_consent,\n"
	"audit_rights, exit_plan), API integrations and review frequency. A system\n"
	"names its vendor; missing clauses, failed due diligence and overdue reviews\n"
	"then appear in its gap report.",
	"由 YAML 登錄第三方廠商（docs/registry-formats.md#vendor-descriptor）：服務內容、\n"
	"能力評估、盡職調查（日期、結果）、契約已有條款（liability、data_protection、\n"
	"subcontracting_consent、audit_rights、exit_plan）、API 介接與定期審查頻率。系統\n"
	"載明其供應商後，缺少的條款、未通過的盡職調查與逾期的審查會列入該系統的落差報告。",
	add_opts,
	"  aigov vendor add examples/vendors/acme-analytics.yaml\n",
};
static const struct cli_option show_opts[] = { OPT_WS, OPT_E };
static const struct cli_usage show_usage = {
	"aigov vendor show ID", "One vendor, its reviews and when the next is due (JSON).",
	"顯示一家供應商、其審查紀錄與下次審查日期（JSON）。", show_opts, "  aigov vendor show acme-analytics\n",
};
static const struct cli_option list_opts[] = {
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON", "輸出 JSON" }, OPT_WS, OPT_E,
};
static const struct cli_usage list_usage = {
	"aigov vendor list [--json]", "List the vendors.", "列出供應商。", list_opts, "  aigov vendor list\n",
};
static const struct cli_option review_opts[] = {
	{ "result", 'r', OPT_STRING, &opt_result, "RESULT", "pass, conditional or fail (required)",
	  "pass、conditional 或 fail（必填）" },
	{ "note", 'n', OPT_STRING, &opt_note, "TEXT", "findings, conditions", "發現事項、條件" },
	OPT_ACTOR, OPT_WS, OPT_E,
};
static const struct cli_usage review_usage = {
	"aigov vendor review ID --result pass|conditional|fail [--note TEXT]",
	"Record a periodic review of a vendor (supervision, audit of API\n"
	"integrations). The next review is due after the vendor's review frequency.",
	"記錄對供應商的定期審查（監督、API 介接稽核）。下次審查於其審查頻率後到期。",
	review_opts,
	"  aigov vendor review acme-analytics --result pass --note 'annual audit 2026'\n",
};

const struct cli_usage cmd_vendor_usage = {
	"aigov vendor <add|show|list|review> [options]",
	"Third parties that supply AI systems or models:\n"
	"  add     register a vendor from YAML\n  show    one vendor\n"
	"  list    the vendors\n  review  record a periodic review\n",
	"提供 AI 系統或模型的第三方廠商：\n  add     由 YAML 登錄供應商\n  show    檢視一家供應商\n"
	"  list    列出供應商\n  review  記錄定期審查\n",
	NULL,
	"  aigov vendor add examples/vendors/acme-analytics.yaml\n",
};

static int run_add(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300], id[80];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc;

	if (!cli_nargs_ok(&add_usage, nargs, 1, "FILE.yaml", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_vendor_add_file(ws, args[0], actor, opt_replace, id, sizeof(id), &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("vendor %s registered\n", "已登錄供應商 %s\n"), id);
	return EXIT_OK;
}

static int run_show(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	struct cli_json out;
	struct ag_json *j;
	int exit_code, rc;

	if (!cli_nargs_ok(&show_usage, nargs, 1, "ID", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	j = cli_json_init(&out, true);
	rc = ag_vendor_json(ws, args[0], j, &err);
	ag_workspace_free(ws);
	if (rc) {
		ag_buf_release(&out.out);
		return cli_fail(rc, err.msg);
	}
	return cli_json_print(&out);
}

/* A member's string, or "" (never NULL: it goes to printf). */
static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void print_vendor(void *ctx, const char *id, const char *desc)
{
	json_t *d = json_loads(desc, 0, NULL);
	json_t *dd = json_object_get(d, "due_diligence");

	if (ctx)
		ag_json_raw(ctx, desc, strlen(desc));
	else
		printf("%-24s %-12s %-12s %s\n", id, str_of(dd, "date"), str_of(dd, "result"),
		       str_of(json_object_get(d, "name"), cli_lang == LANG_ZH_TW ? "zh-TW" : "en"));
	json_decref(d);
}

static int run_list(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	struct cli_json out;
	struct ag_json *j;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&list_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	j = cli_json_init(&out, true);
	if (opt_json)
		ag_json_begin_array(j);
	rc = ag_vendor_list(ws, print_vendor, opt_json ? j : NULL, &err);
	ag_workspace_free(ws);
	if (!rc && opt_json) {
		ag_json_end_array(j);
		return cli_json_print(&out);
	}
	ag_buf_release(&out.out);
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}

static int run_review(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc, result = -1;

	if (!cli_nargs_ok(&review_usage, nargs, 1, "ID", &exit_code))
		return exit_code;
	for (int i = 0; opt_result && ag_review_result_ids[i]; i++)
		if (!strcmp(opt_result, ag_review_result_ids[i]))
			result = i;
	if (result < 0)
		return cli_error(EXIT_USAGE, "--result: %s", L("expected pass, conditional or fail",
							     "應為 pass、conditional 或 fail"));
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_vendor_review(ws, args[0], result, opt_note, actor, &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("review of %s recorded: %s\n", "已記錄 %s 的審查：%s\n"), args[0], opt_result);
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "add", &add_usage, run_add },
	{ "show", &show_usage, run_show },
	{ "list", &list_usage, run_list },
	{ "review", &review_usage, run_review },
};

const struct cli_usage *cli_vendor_usage(const char *sub)
{
	return cli_sub_usage(subs, sizeof(subs) / sizeof(subs[0]), sub);
}

int cmd_vendor(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_vendor_usage, subs, sizeof(subs) / sizeof(subs[0]));
}
