/* aigov system: the AI system inventory (docs/registry-formats.md). */
#include "cli.h"

#include "aigov/atomic_file.h"
#include "aigov/buf.h"
#include "aigov/json.h"
#include "aigov/operations.h"
#include "aigov/registry.h"

#include <stdlib.h>
#include <string.h>

static bool opt_json, opt_replace;
static const char *opt_actor;

#define OPT_WS                                                                  \
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR",              \
	  "the workspace (default $AIGOV_WORKSPACE, else this folder or a parent)", \
	  "工作區（預設 $AIGOV_WORKSPACE，否則為目前或上層資料夾）" }
#define OPT_J { "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON", "輸出 JSON" }
#define OPT_E { NULL, 0, OPT_END, NULL, NULL, NULL, NULL }

static const struct cli_option add_opts[] = {
	{ "replace", 0, OPT_FLAG, &opt_replace, NULL,
	  "update systems already registered (their stage stays; see aigov stage)",
	  "更新已登錄的系統（生命週期階段不變；見 aigov stage）" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who is acting (default $AIGOV_ACTOR)",
	  "操作者（預設 $AIGOV_ACTOR）" },
	OPT_WS, OPT_E,
};
static const struct cli_usage add_usage = {
	"aigov system add [--replace] FILE.yaml...",
	"Register AI systems described in YAML (docs/registry-formats.md): one\n"
	"system per file, or 'systems:' with a list. All files are checked first;\n"
	"then every system is registered in one transaction with its ledger entry,\n"
	"or none is. Errors name the file, line and path of the value.\n"
	"Exit codes: 0 registered, 2 usage, 3 invalid descriptor, 4 already registered\n"
	"(without --replace) or I/O error.",
	"登錄以 YAML 描述的 AI 系統（docs/registry-formats.md）：每檔一個系統，或以\n"
	"'systems:' 列出多個。先檢查所有檔案，再於同一交易中連同帳本紀錄一併登錄，\n"
	"要嘛全部成功，要嘛全部不登錄。錯誤訊息標明檔案、行號與欄位路徑。\n"
	"結束碼：0 已登錄，2 用法錯誤，3 描述檔有誤，4 已登錄（未加 --replace）或 I/O 錯誤。",
	add_opts,
	"  aigov system add examples/retail-credit-scoring.yaml\n"
	"  aigov system add --replace examples/*.yaml\n",
};

static const struct cli_option show_opts[] = {
	{ "yaml", 0, OPT_FLAG, &opt_replace, NULL, "write the descriptor as YAML",
	  "以 YAML 輸出描述檔" },
	OPT_J, OPT_WS, OPT_E,
};
static const struct cli_usage show_usage = {
	"aigov system show ID [--json|--yaml]",
	"Show one AI system: its descriptor and its latest risk assessment.",
	"顯示一個 AI 系統：描述內容與最近一次風險評估。",
	show_opts,
	"  aigov system show retail-credit-scoring\n",
};

static const struct cli_option list_opts[] = { OPT_J, OPT_WS, OPT_E };
static const struct cli_usage list_usage = {
	"aigov system list [--json]",
	"List the inventory: id, name, business line, use case, stage, risk tier and\n"
	"when the next assessment is due.",
	"列出清冊：代號、名稱、業別、用途、階段、風險等級與下次評估日期。",
	list_opts,
	"  aigov system list\n",
};

static const struct cli_option export_opts[] = { OPT_WS, OPT_E };
static const struct cli_usage export_usage = {
	"aigov system export [FILE]",
	"Write every descriptor as one YAML file ('systems:' list), to FILE or to\n"
	"standard output; 'aigov system add' reads it back unchanged.",
	"將所有描述檔寫成一個 YAML 檔（'systems:' 清單），輸出至 FILE 或標準輸出；\n"
	"'aigov system add' 可原樣讀回。",
	export_opts,
	"  aigov system export inventory.yaml\n",
};

const struct cli_usage cmd_system_usage = {
	"aigov system <add|show|list|export> [options]",
	"The inventory of AI systems, one documentation standard for all:\n"
	"  add     register systems from YAML descriptors\n"
	"  show    one system and its latest assessment\n"
	"  list    the inventory\n"
	"  export  every descriptor as YAML\n",
	"AI 系統清冊，統一的文件標準：\n"
	"  add     由 YAML 描述檔登錄系統\n"
	"  show    檢視一個系統與其最近一次評估\n"
	"  list    列出清冊\n"
	"  export  以 YAML 匯出所有描述檔\n",
	NULL,
	"  aigov system add examples/*.yaml\n  aigov system list\n",
};

static int fail(int rc, const struct ag_err *err)
{
	return cli_fail(rc, err->msg);
}

static int run_add(char **args, int nargs)
{
	struct ag_system_set **sets;
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int rc = 0, exit_code;

	if (nargs < 1)
		return cli_error(EXIT_USAGE, "%s", L("missing FILE.yaml", "缺少 FILE.yaml"));
	sets = calloc((size_t)nargs, sizeof(*sets));
	if (!sets)
		return cli_error(EXIT_IO, "out of memory");
	ag_err_clear(&err);
	/* Every file is checked before anything is stored. */
	for (int i = 0; !rc && i < nargs; i++)
		rc = ag_systems_load(&sets[i], args[i], &err);
	exit_code = rc ? fail(rc, &err) : cli_workspace_open(&ws, true, actor);
	if (!exit_code) {
		rc = ag_registry_add(ws, sets, (size_t)nargs, actor, opt_replace, &err);
		if (rc)
			exit_code = fail(rc, &err);
		for (int i = 0; !rc && i < nargs; i++)
			for (size_t k = 0; k < sets[i]->n; k++)
				printf(L("registered %s\n", "已登錄 %s\n"), sets[i]->systems[k].id);
	}
	ag_workspace_free(ws);
	for (int i = 0; i < nargs; i++)
		ag_system_set_free(sets[i]);
	free(sets);
	return exit_code;
}

static const char *texts(const struct ag_texts *t)
{
	return L(t->en, t->zh);
}

static void print_system(const struct ag_system *s, const struct ag_assessment_info *a,
			 bool assessed, bool down)
{
	bool zh = cli_lang == LANG_ZH_TW;

	printf("%s  %s\n", s->id, texts(&s->name));
	printf("  %-16s %s\n", L("purpose", "用途說明"), s->purpose);
	printf("  %-16s %s / %s / %s\n", L("line / use / AI", "業別／用途／類型"),
	       ag_business_line_ids[s->business_line], ag_use_case_ids[s->use_case],
	       ag_ai_type_ids[s->ai_type]);
	printf("  %-16s %s\n", L("owner", "權責單位"), s->owner_unit);
	printf("  %-16s %s (%s)\n", L("stage", "生命週期階段"), ag_stage_ids[s->stage],
	       ag_stage_name(s->stage, zh));
	printf("  %-16s", L("jurisdictions", "適用法域"));
	for (size_t i = 0; i < s->njurisdictions; i++)
		printf(" %s", s->jurisdictions[i]);
	printf("\n  %-16s %s\n", L("vendor", "供應商"), s->vendor ? s->vendor : "-");
	printf("  %-16s %s\n", L("critical", "關鍵系統"), s->critical ? L("yes", "是") : L("no", "否"));
	if (down)
		printf("  %-16s %s\n", L("status", "狀態"),
		       L("SHUT DOWN (aigov resume)", "已緊急關閉（aigov resume）"));
	for (size_t i = 0; i < s->nmodels; i++)
		printf("  %-16s %s  sha256 %.16s…%s\n", i ? "" : L("models", "模型版本"),
		       s->models[i].version, s->models[i].sha256,
		       s->models[i].signature ? L("  (signed)", "（已簽章）") : "");
	printf("  %-16s", L("risk factors", "風險因素"));
	for (int f = 0; f < AG_NFACTORS; f++)
		printf("%s%s=%s", f ? ", " : " ", ag_factor_ids[f], ag_factor_levels[f][s->factors[f]]);
	printf("\n");
	if (assessed)
		printf("  %-16s %s%s, %s %s, %s %s\n", L("risk tier", "風險等級"),
		       ag_tier_name(a->tier, zh), a->overridden ? L(" (override)", "（人工調整）") : "",
		       L("assessed", "評估於"), a->assessed_at, L("next due", "下次評估"), a->next_due);
	else
		printf("  %-16s %s\n", L("risk tier", "風險等級"),
		       L("not assessed yet (aigov assess ID)", "尚未評估（aigov assess ID）"));
}

static int run_show(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_system_set *set = NULL;
	struct ag_assessment_info info;
	struct ag_err err;
	bool found = false, down = false;
	int exit_code, rc;

	if (!cli_nargs_ok(&show_usage, nargs, 1, "ID", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_registry_load(ws, args[0], &set, &err);
	if (!rc)
		rc = ag_registry_latest_assessment(ws, args[0], &info, &found, &err);
	if (!rc)
		rc = ag_oversight_is_shut_down(ws, args[0], &down, &err);
	ag_workspace_free(ws);
	if (rc) {
		ag_system_set_free(set);
		return fail(rc, &err);
	}
	if (opt_json || opt_replace) {
		struct ag_buf out;
		struct ag_json j;
		ag_buf_init(&out);
		if (opt_replace) {
			rc = ag_system_write_yaml(&out, &set->systems[0], 0);
		} else {
			ag_json_init(&j, &out, true);
			ag_system_write_json(&j, &set->systems[0]);
			rc = ag_json_failed(&j) || ag_buf_addch(&out, '\n');
		}
		if (!rc)
			fwrite(out.buf, 1, out.len, stdout);
		ag_buf_release(&out);
		exit_code = rc ? cli_error(EXIT_IO, "out of memory") : EXIT_OK;
	} else {
		print_system(&set->systems[0], &info, found, down);
	}
	ag_system_set_free(set);
	return exit_code;
}

static int run_list(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_system_set *set = NULL;
	struct ag_err err;
	struct ag_buf out;
	struct ag_json j;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&list_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_registry_load(ws, NULL, &set, &err);
	ag_buf_init(&out);
	ag_json_init(&j, &out, true);
	if (opt_json)
		ag_json_begin_array(&j);
	else if (!rc && set->n)
		printf("%-28s %-10s %-26s %-10s %-6s %s\n", "id", L("line", "業別"),
		       L("use case", "用途"), L("stage", "階段"), L("tier", "等級"),
		       L("next due", "下次評估"));
	for (size_t i = 0; !rc && i < set->n; i++) {
		const struct ag_system *s = &set->systems[i];
		struct ag_assessment_info a;
		bool found;
		rc = ag_registry_latest_assessment(ws, s->id, &a, &found, &err);
		if (rc)
			break;
		if (opt_json) {
			ag_json_begin_object(&j);
			ag_json_key(&j, "id");
			ag_json_cstr(&j, s->id);
			ag_json_key(&j, "name");
			ag_json_cstr(&j, texts(&s->name));
			ag_json_key(&j, "business_line");
			ag_json_cstr(&j, ag_business_line_ids[s->business_line]);
			ag_json_key(&j, "use_case");
			ag_json_cstr(&j, ag_use_case_ids[s->use_case]);
			ag_json_key(&j, "ai_type");
			ag_json_cstr(&j, ag_ai_type_ids[s->ai_type]);
			ag_json_key(&j, "stage");
			ag_json_cstr(&j, ag_stage_ids[s->stage]);
			ag_json_key(&j, "vendor");
			ag_json_cstr(&j, s->vendor);
			ag_json_key(&j, "tier");
			ag_json_cstr(&j, found ? ag_tier_ids[a.tier] : NULL);
			ag_json_key(&j, "next_assessment_due");
			ag_json_cstr(&j, found ? a.next_due : NULL);
			ag_json_end_object(&j);
		} else {
			printf("%-28s %-10s %-26s %-10s %-6s %s\n", s->id,
			       ag_business_line_ids[s->business_line], ag_use_case_ids[s->use_case],
			       ag_stage_ids[s->stage], found ? ag_tier_ids[a.tier] : "-",
			       found ? a.next_due : "-");
		}
	}
	ag_workspace_free(ws);
	if (opt_json && !rc) {
		ag_json_end_array(&j);
		if (ag_json_failed(&j) || ag_buf_addch(&out, '\n'))
			rc = ag_err_set(&err, AG_ENOMEM, "out of memory");
		else
			fwrite(out.buf, 1, out.len, stdout);
	}
	ag_buf_release(&out);
	ag_system_set_free(set);
	return rc ? fail(rc, &err) : EXIT_OK;
}

static int run_export(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_system_set *set = NULL;
	struct ag_err err;
	struct ag_buf out;
	int exit_code, rc;

	if (nargs > 1)
		return cli_error(EXIT_USAGE, "%s", L("export takes at most one FILE",
						     "export 最多接受一個 FILE"));
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_registry_load(ws, NULL, &set, &err);
	ag_workspace_free(ws);
	if (rc)
		return fail(rc, &err);
	ag_buf_init(&out);
	rc = ag_buf_addstr(&out, "# aigov inventory export; 'aigov system add' reads it back.\n"
				 "systems:\n");
	for (size_t i = 0; !rc && i < set->n; i++) {
		struct ag_buf one;
		ag_buf_init(&one);
		rc = ag_system_write_yaml(&one, &set->systems[i], 0);
		for (size_t k = 0; !rc && k < one.len;) {
			const char *nl = memchr(one.buf + k, '\n', one.len - k);
			size_t l = nl ? (size_t)(nl - (one.buf + k)) : one.len - k;
			rc = ag_buf_addstr(&out, k ? "    " : "  - ") || ag_buf_add(&out, one.buf + k, l) ||
			     ag_buf_addch(&out, '\n');
			k += l + 1;
		}
		ag_buf_release(&one);
	}
	ag_system_set_free(set);
	if (rc) {
		ag_buf_release(&out);
		return cli_error(EXIT_IO, "out of memory");
	}
	if (nargs == 1 && strcmp(args[0], "-")) {
		struct ag_atomic_file a;
		rc = ag_atomic_open(&a, args[0], 0644, &err);
		if (!rc) {
			fwrite(out.buf, 1, out.len, a.f);
			rc = ag_atomic_commit(&a, &err);
		}
	} else {
		fwrite(out.buf, 1, out.len, stdout);
	}
	ag_buf_release(&out);
	return rc ? fail(rc, &err) : EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "add", &add_usage, run_add },
	{ "show", &show_usage, run_show },
	{ "list", &list_usage, run_list },
	{ "export", &export_usage, run_export },
};

const struct cli_usage *cli_system_usage(const char *sub)
{
	return cli_sub_usage(subs, sizeof(subs) / sizeof(subs[0]), sub);
}

int cmd_system(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_system_usage, subs, sizeof(subs) / sizeof(subs[0]));
}
