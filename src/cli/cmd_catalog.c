/* aigov catalog: the control catalog and the risk method (policy as data). */
#include "cli.h"

#include "aigov/buf.h"
#include "aigov/json.h"
#include "aigov/registry.h"

#include <stdlib.h>
#include <string.h>

static bool opt_json;
static const char *opt_principle, *opt_stage, *opt_tier, *opt_file, *opt_method;

#define OPT_WS { "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" }
#define OPT_FILE { "file", 'f', OPT_STRING, &opt_file, "CONTROLS.yaml", \
	"a catalog file instead of the workspace's (default: the workspace's, else the built-in one)", \
	"指定控制項目檔，而非工作區的（預設：工作區的；無工作區時用內建的）" }
#define OPT_E { NULL, 0, OPT_END, NULL, NULL, NULL, NULL }

static const struct cli_option list_opts[] = {
	{ "principle", 'p', OPT_STRING, &opt_principle, "ID",
	  "only this principle (governance, fairness, privacy, robustness, transparency, sustainability)",
	  "只列此原則（governance、fairness、privacy、robustness、transparency、sustainability）" },
	{ "stage", 's', OPT_STRING, &opt_stage, "ID", "only controls of this lifecycle stage",
	  "只列此生命週期階段的控制項目" },
	{ "tier", 't', OPT_STRING, &opt_tier, "TIER", "only controls required at this tier",
	  "只列此風險等級應有的控制項目" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON", "輸出 JSON" },
	OPT_FILE, OPT_WS, OPT_E,
};
static const struct cli_usage list_usage = {
	"aigov catalog list [--principle P] [--stage S] [--tier T] [--json]",
	"List the controls: id, principle, stages, tiers where required, evidence.",
	"列出控制項目：代號、原則、階段、適用等級、佐證類型。",
	list_opts,
	"  aigov catalog list --principle fairness --tier high\n",
};

static const struct cli_option show_opts[] = { OPT_FILE, OPT_WS, OPT_E };
static const struct cli_usage show_usage = {
	"aigov catalog show ID",
	"Everything about one control: description, stages, tiers and frequencies,\n"
	"evidence, scope, source, and its ISO/IEC 42001, NIST AI RMF and EU AI Act\n"
	"mappings.",
	"顯示一個控制項目的完整內容：說明、階段、等級與頻率、佐證、適用範圍、來源，\n"
	"以及對應的 ISO/IEC 42001、NIST AI RMF 與歐盟 AI 法條文。",
	show_opts,
	"  aigov catalog show gov-record-keeping\n",
};

static const struct cli_option check_opts[] = {
	OPT_FILE,
	{ "method", 'm', OPT_STRING, &opt_method, "RISK-METHOD.yaml",
	  "also check this risk method file", "同時檢查此風險評估方法檔" },
	OPT_WS, OPT_E,
};
static const struct cli_usage check_usage = {
	"aigov catalog check [--file CONTROLS.yaml] [--method RISK-METHOD.yaml]",
	"Validate the policy files: syntax, ids and references (errors name file,\n"
	"line and path: exit 3), then coverage: every principle has controls in\n"
	"every lifecycle stage, and the guideline's high-risk measures (record\n"
	"keeping, continuous monitoring, audit, periodic evaluation) are required\n"
	"for tier high (findings: exit 1).",
	"檢查政策檔：語法、代號與參照（錯誤標明檔案、行號與路徑：結束碼 3），再檢查\n"
	"涵蓋範圍：每項原則在每個生命週期階段皆有控制項目，且指引要求的高風險措施\n"
	"（紀錄留存、持續監控、稽核、定期評估）對高風險等級為必要（有發現事項：結束碼 1）。",
	check_opts,
	"  aigov catalog check\n  aigov catalog check --file my-controls.yaml\n",
};

const struct cli_usage cmd_catalog_usage = {
	"aigov catalog <list|show|check> [options]",
	"The control catalog (.aigov/catalog/controls.yaml): controls under the\n"
	"FSC guideline's six core principles, by lifecycle stage and risk tier.\n"
	"  list   the controls\n"
	"  show   one control\n"
	"  check  validate the catalog and its coverage\n"
	"FSC items are paraphrases: verify them against the official text (GL003920).",
	"控制項目目錄（.aigov/catalog/controls.yaml）：依金管會指引六大核心原則、\n"
	"生命週期階段與風險等級整理的控制項目。\n"
	"  list   列出控制項目\n  show   檢視一個控制項目\n  check  檢查目錄與涵蓋範圍\n"
	"金管會指引相關項目為摘要改寫，請以官方條文（GL003920）為準。",
	NULL,
	"  aigov catalog list --stage modelling\n",
};

/* The catalog to read: --file, else the workspace's, else the built-in. */
static int load_catalog(struct ag_catalog **c, struct ag_err *err)
{
	char *root = NULL;
	size_t len;
	const char *data;

	if (opt_file)
		return ag_catalog_load(c, opt_file, err);
	if (ag_workspace_find(cli_workspace_dir, &root, err) == 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s/catalog/controls.yaml", root, AG_WORKSPACE_DIR);
		free(root);
		return ag_catalog_load(c, path, err);
	}
	if (cli_workspace_dir)
		return err->code;
	data = ag_builtin_policy("controls.yaml", &len);
	return ag_catalog_parse(c, data, len, "built-in catalog/controls.yaml", err);
}

static int index_of(const char *const *ids, const char *s)
{
	for (int i = 0; ids[i]; i++)
		if (!strcmp(ids[i], s))
			return i;
	return -1;
}

static void stages_text(struct ag_buf *b, unsigned stages)
{
	for (int s = 0; s < AG_STAGE_RETIRED; s++)
		if (stages & (1u << s))
			ag_buf_addf(b, "%s%s", b->len ? "," : "", ag_stage_ids[s]);
}

static int run_list(char **args, int nargs)
{
	struct ag_catalog *c = NULL;
	struct ag_err err;
	int exit_code, rc, p = -1, st = -1, t = -1;
	struct ag_buf out;
	struct ag_json j;

	(void)args;
	if (!cli_nargs_ok(&list_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if ((opt_principle && (p = index_of(ag_principle_ids, opt_principle)) < 0) ||
	    (opt_stage && (st = index_of(ag_stage_ids, opt_stage)) < 0) ||
	    (opt_tier && (t = index_of(ag_tier_ids, opt_tier)) < 0))
		return cli_error(EXIT_USAGE, "%s", L("unknown principle, stage or tier; see --help",
						     "不明的原則、階段或等級；請看 --help"));
	ag_err_clear(&err);
	rc = load_catalog(&c, &err);
	if (rc)
		return cli_error(rc == AG_ENOTFOUND && cli_workspace_dir ? EXIT_USAGE : cli_exit_code(rc),
				 "%s", err.msg);
	ag_buf_init(&out);
	ag_json_init(&j, &out, true);
	if (opt_json)
		ag_json_begin_array(&j);
	for (size_t i = 0; i < c->ncontrols; i++) {
		const struct ag_control *k = &c->controls[i];
		struct ag_buf stg;
		if ((p >= 0 && k->principle != p) || (st >= 0 && !(k->stages & (1u << st))) ||
		    (t >= 0 && !(k->tiers & (1u << t))))
			continue;
		ag_buf_init(&stg);
		stages_text(&stg, k->stages);
		if (opt_json) {
			ag_json_begin_object(&j);
			ag_json_key(&j, "id");
			ag_json_cstr(&j, k->id);
			ag_json_key(&j, "principle");
			ag_json_cstr(&j, ag_principle_ids[k->principle]);
			ag_json_key(&j, "title");
			ag_json_cstr(&j, L(k->title.en, k->title.zh));
			ag_json_key(&j, "stages");
			ag_json_cstr(&j, stg.buf);
			ag_json_key(&j, "evidence");
			ag_json_cstr(&j, ag_evidence_kind_ids[k->evidence]);
			ag_json_end_object(&j);
		} else {
			printf("%-30s %-14s %-10s %-38s %s\n", k->id, ag_principle_ids[k->principle],
			       (k->tiers & 1) ? "low+" : (k->tiers & 2) ? "medium+" : "high",
			       stg.buf, L(k->title.en, k->title.zh));
		}
		ag_buf_release(&stg);
	}
	if (opt_json) {
		ag_json_end_array(&j);
		ag_buf_addch(&out, '\n');
		fwrite(out.buf, 1, out.len, stdout);
	}
	ag_buf_release(&out);
	ag_catalog_free(c);
	return EXIT_OK;
}

static void print_list(const char *label, const char **v, size_t n)
{
	printf("  %-14s", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	printf("%s\n", n ? "" : "-");
}

static int run_show(char **args, int nargs)
{
	struct ag_catalog *c = NULL;
	const struct ag_control *k;
	struct ag_buf stg;
	struct ag_err err;
	int exit_code, rc;

	if (!cli_nargs_ok(&show_usage, nargs, 1, "ID", &exit_code))
		return exit_code;
	ag_err_clear(&err);
	rc = load_catalog(&c, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	k = ag_catalog_find(c, args[0]);
	if (!k) {
		ag_catalog_free(c);
		return cli_error(EXIT_IO, L("no control '%s' in the catalog (see 'aigov catalog list')",
					    "目錄中沒有控制項目 '%s'（請看 'aigov catalog list'）"), args[0]);
	}
	ag_buf_init(&stg);
	stages_text(&stg, k->stages);
	printf("%s  %s\n", k->id, L(k->title.en, k->title.zh));
	printf("  %s\n", L(k->description.en, k->description.zh));
	printf("  %-14s %s (%s)\n", L("principle", "原則"), ag_principle_ids[k->principle],
	       L(c->principle_names[k->principle].en, c->principle_names[k->principle].zh));
	printf("  %-14s %s\n", L("stages", "階段"), stg.buf);
	printf("  %-14s", L("required", "適用等級"));
	for (int t = 0; t < AG_NTIERS; t++)
		if (k->tiers & (1u << t))
			printf(" %s (%s)", ag_tier_ids[t], ag_frequency_ids[k->frequency[t]]);
	printf("\n  %-14s %s\n", L("evidence", "佐證"), ag_evidence_kind_ids[k->evidence]);
	printf("  %-14s %s\n", L("source", "來源"), k->source);
	print_list("ISO/IEC 42001", k->iso42001, k->niso42001);
	print_list("NIST AI RMF", k->nist, k->nnist);
	print_list(L("EU AI Act", "歐盟 AI 法"), k->euaia, k->neuaia);
	ag_buf_release(&stg);
	ag_catalog_free(c);
	return EXIT_OK;
}

static int run_check(char **args, int nargs)
{
	struct ag_catalog *c = NULL;
	struct ag_risk_method *m = NULL;
	struct ag_buf findings;
	struct ag_err err;
	size_t n;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&check_usage, nargs, 0, "", &exit_code))
		return exit_code;
	ag_err_clear(&err);
	rc = load_catalog(&c, &err);
	if (!rc && opt_method)
		rc = ag_risk_method_load(&m, opt_method, &err);
	if (rc) {
		ag_catalog_free(c);
		return cli_fail(rc, err.msg);
	}
	ag_buf_init(&findings);
	n = ag_catalog_check(c, &findings);
	fwrite(findings.buf, 1, findings.len, stdout);
	printf(L("catalog %s: %zu controls, %zu finding(s)%s\n",
		 "控制項目目錄 %s：%zu 個控制項目，%zu 個發現事項%s\n"),
	       c->version, c->ncontrols, n,
	       m ? L("; risk method valid", "；風險評估方法檔有效") : "");
	ag_buf_release(&findings);
	ag_catalog_free(c);
	ag_risk_method_free(m);
	return n ? EXIT_FINDINGS : EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "list", &list_usage, run_list },
	{ "show", &show_usage, run_show },
	{ "check", &check_usage, run_check },
};

const struct cli_usage *cli_catalog_usage(const char *sub)
{
	return cli_sub_usage(subs, sizeof(subs) / sizeof(subs[0]), sub);
}

int cmd_catalog(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_catalog_usage, subs, sizeof(subs) / sizeof(subs[0]));
}
