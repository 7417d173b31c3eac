/* aigov assess: the FSC risk assessment of one system. */
#include "cli.h"

#include "aigov/json.h"
#include "aigov/registry.h"

#include <stdlib.h>
#include <string.h>

static bool opt_json;
static const char *opt_actor, *opt_override, *opt_justification;

static const struct cli_option assess_opts[] = {
	{ "override", 0, OPT_STRING, &opt_override, "TIER",
	  "set the tier by hand (low, medium, high): 2nd line only, with --justification",
	  "人工調整風險等級（low、medium、high）：限第二道防線，須附 --justification" },
	{ "justification", 0, OPT_STRING, &opt_justification, "TEXT",
	  "why the tier is overridden (at least 20 characters; recorded in the ledger)",
	  "調整等級的理由（至少 20 個字元；記入帳本）" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who is acting (default $AIGOV_ACTOR)",
	  "操作者（預設 $AIGOV_ACTOR）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON", "輸出 JSON" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_assess_usage = {
	"aigov assess SYSTEM [--override TIER --justification TEXT] [--json]",
	"Assess a system's risk with the FSC guideline's six factors, scored by the\n"
	"method in .aigov/catalog/risk-method.yaml: points per factor, the tier they\n"
	"give, overriding rules that raise it, and the result: tier (low, medium,\n"
	"high), the factors that drove it, the EU AI Act class, whether the Bankers\n"
	"Association AI rule applies, the FSC exemptions, the controls now required\n"
	"by stage, and when the next assessment is due. The assessment, its inputs\n"
	"and the method's version and hash are recorded in the ledger; a tier set by\n"
	"hand (2nd line only) carries its written justification.",
	"以金管會指引的六項風險因素評估系統風險，依 .aigov/catalog/risk-method.yaml 的\n"
	"方法計分：各因素點數、所得等級、可提高等級的強制規則，並列出結果：風險等級\n"
	"（低、中、高）、主要影響因素、歐盟 AI 法分類、是否適用銀行公會 AI 作業規範、\n"
	"金管會的豁免、各階段應有的控制項目，以及下次評估日期。評估結果、輸入、方法版本\n"
	"與雜湊皆記入帳本；人工調整等級（限第二道防線）須附書面理由。",
	assess_opts,
	"  aigov assess retail-credit-scoring\n"
	"  aigov assess genai-customer-service --override high \\\n"
	"      --justification 'Committee 2026-11-20: vendor model unexplained' --actor user:cro\n",
};

static int parse_tier(const char *s)
{
	for (int t = 0; ag_tier_ids[t]; t++)
		if (!strcmp(s, ag_tier_ids[t]))
			return t;
	return -1;
}

static void print_controls(const struct ag_catalog *c, const struct ag_system *s, int tier)
{
	bool zh = cli_lang == LANG_ZH_TW;

	printf("%s\n", L("controls required at this tier, by stage:", "此等級應有的控制項目（依階段）："));
	for (int st = 0; st < AG_STAGE_RETIRED; st++) {
		size_t n = 0;
		for (size_t i = 0; i < c->ncontrols; i++) {
			const struct ag_control *k = &c->controls[i];
			if (!(k->stages & (1u << st)) || !ag_control_applies(k, s, tier))
				continue;
			if (!n++)
				printf("  %s%s\n", ag_stage_name(st, zh),
				       st == s->stage ? L("  (current stage)", "（目前階段）") : "");
			printf("    %-32s %-10s %s\n", k->id, ag_frequency_ids[k->frequency[tier]],
			       L(k->title.en, k->title.zh));
		}
	}
}

static int print_result(const struct ag_system *s, const struct ag_risk_method *m,
			const struct ag_catalog *c, const struct ag_assessment *a,
			const struct ag_assessment_info *info)
{
	bool zh = cli_lang == LANG_ZH_TW;
	int order[AG_NFACTORS];

	printf(L("%s: risk tier %s (assessment %d, method %s)\n",
		 "%s：風險等級 %s（第 %d 次評估，方法版本 %s）\n"),
	       s->id, ag_tier_name(info->tier, zh), info->revision, m->version);
	if (info->overridden)
		printf(L("  set by hand; computed tier was %s\n", "  人工調整；計算所得等級為 %s\n"),
		       ag_tier_name(a->computed_tier, zh));
	printf(L("  %d points (%s by points)", "  共 %d 點（依點數為%s）"), a->points,
	       ag_tier_name(a->points_tier, zh));
	for (size_t i = 0; i < a->nrules; i++)
		printf(L("; rule %s raises it to %s: %s", "；規則 %s 提高為%s：%s"), a->rules[i]->id,
		       ag_tier_name(a->rules[i]->tier, zh), L(a->rules[i]->reason.en, a->rules[i]->reason.zh));
	printf("\n%s\n", L("  factors, most points first:", "  各因素（點數由高至低）："));
	for (int f = 0; f < AG_NFACTORS; f++)
		order[f] = f;
	for (int i = 1; i < AG_NFACTORS; i++)
		for (int k = i; k > 0 && a->factor_points[order[k]] > a->factor_points[order[k - 1]]; k--) {
			int t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	for (int i = 0; i < AG_NFACTORS; i++) {
		int f = order[i];
		printf("    %2d  %-20s %-18s %s%s\n", a->factor_points[f], ag_factor_ids[f],
		       ag_factor_levels[f][s->factors[f]], L(m->factor_names[f].en, m->factor_names[f].zh),
		       f == AG_F_REMEDY && a->remedy_exempt ? L(" (exempt: AML/fraud)", "（豁免：洗錢防制／詐欺）") : "");
	}
	printf(L("  EU AI Act: %s (%s)%s\n", "  歐盟 AI 法：%s（%s）%s\n"), ag_eu_class_ids[a->eu_class],
	       a->eu_basis, a->eu_applies ? "" : L(" - EU is not among its jurisdictions",
						    "－適用法域不含歐盟"));
	printf(L("  Bankers Association AI rule (Art. 3): %s (%s)\n",
		 "  銀行公會 AI 作業規範（第 3 條）：%s（%s）\n"),
	       a->bankers_rule ? L("applies", "適用") : L("does not apply", "不適用"), a->bankers_basis);
	if (a->remedy_exempt)
		printf("%s\n", L("  FSC exemption: no customer remedy option needed; disclosure may be limited",
				 "  金管會豁免：無須提供客戶救濟選項；資訊揭露得予限縮"));
	printf(L("  next assessment due %s\n", "  下次評估日期 %s\n"), info->next_due);
	print_controls(c, s, info->tier);
	return EXIT_OK;
}

int cmd_assess(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	struct ag_workspace *ws = NULL;
	struct ag_catalog *c = NULL;
	struct ag_risk_method *m = NULL;
	struct ag_system_set *set = NULL;
	struct ag_assessment a;
	struct ag_assessment_info info;
	struct ag_buf json;
	struct ag_err err;
	char actor_buf[300];
	const char *actor;
	int nargs, exit_code, rc, tier = -1;

	if (!args)
		return cli_error(EXIT_IO, "out of memory");
	ag_buf_init(&json);
	if (cli_parse(argc, argv, &cmd_assess_usage, args, &nargs, &exit_code))
		goto out;
	if (!cli_nargs_ok(&cmd_assess_usage, nargs, 1, "SYSTEM", &exit_code))
		goto out;
	if (opt_override && (tier = parse_tier(opt_override)) < 0) {
		exit_code = cli_error(EXIT_USAGE, "--override: %s", L("expected low, medium or high",
								     "應為 low、medium 或 high"));
		goto out;
	}
	if (opt_justification && !opt_override) {
		exit_code = cli_error(EXIT_USAGE, "%s", L("--justification goes with --override",
							  "--justification 須搭配 --override"));
		goto out;
	}
	actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		goto out;
	ag_err_clear(&err);
	rc = ag_registry_policy(ws, &c, &m, &err);
	if (!rc)
		rc = ag_registry_assess(ws, args[0], m, c, actor, tier, opt_justification, &a, &info,
					&json, &err);
	if (!rc)
		rc = ag_registry_load(ws, args[0], &set, &err);
	if (rc) {
		exit_code = cli_fail(rc, err.msg);
		goto out;
	}
	if (opt_json) {
		/* Exactly what the ledger entry records. */
		printf("%s\n", json.buf);
		exit_code = EXIT_OK;
	} else {
		exit_code = print_result(&set->systems[0], m, c, &a, &info);
	}
out:
	ag_buf_release(&json);
	ag_system_set_free(set);
	ag_catalog_free(c);
	ag_risk_method_free(m);
	ag_workspace_free(ws);
	free(args);
	return exit_code;
}
