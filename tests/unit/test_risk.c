/*
 * Descriptors, the catalog and the risk method (include/aigov/system.h,
 * risk.h).  The method under test is written here, so that every expected
 * number is a hand calculation from it, not from the shipped policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/risk.h"
#include "aigov/system.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Points: customer_facing 0/2/3, personal_data 0/1/2/3, autonomy 0/1/3,
 * complexity 0/1/2, stakeholder_impact 0/1/3, remedy 0/1/2 (max 16).
 * Tiers: high >= 10, medium >= 4.  Rules: fully automated credit is high;
 * customer-facing generative AI is at least medium. */
static const char method_yaml[] =
	"version: \"t1\"\n"
	"note: {zh-TW: 測試, en: test}\n"
	"factors:\n"
	"  customer_facing: {name: {zh-TW: a, en: a}, levels: {\"no\": 0, internal_material: 2, \"yes\": 3}}\n"
	"  personal_data: {name: {zh-TW: b, en: b}, levels: {none: 0, limited: 1, extensive: 2, sensitive: 3}}\n"
	"  autonomy: {name: {zh-TW: c, en: c}, levels: {human_in_the_loop: 0, human_on_the_loop: 1, fully_automated: 3}}\n"
	"  complexity: {name: {zh-TW: d, en: d}, levels: {low: 0, medium: 1, high: 2}}\n"
	"  stakeholder_impact: {name: {zh-TW: e, en: e}, levels: {low: 0, medium: 1, high: 3}}\n"
	"  remedy: {name: {zh-TW: f, en: f}, levels: {complete: 0, partial: 1, none: 2}}\n"
	"tiers:\n"
	"  - {tier: high, min_points: 10}\n"
	"  - {tier: medium, min_points: 4}\n"
	"  - {tier: low, min_points: 0}\n"
	"rules:\n"
	"  - id: automated-credit\n"
	"    when: {use_case: credit_scoring, autonomy: fully_automated}\n"
	"    tier: high\n"
	"    reason: {zh-TW: 信用決策全自動化, en: fully automated credit}\n"
	"  - id: genai-customer\n"
	"    when: {ai_type: generative, customer_facing: \"yes\"}\n"
	"    tier: medium\n"
	"    reason: {zh-TW: 生成式AI直接面對客戶, en: customer-facing GenAI}\n"
	"reassessment: {high: 12, medium: 24, low: 36}\n";

static const char base_system[] =
	"id: s1\n"
	"name: {zh-TW: 測試系統, en: Test system}\n"
	"purpose: test\n"
	"business_line: bank\n"
	"use_case: other\n"
	"ai_type: machine_learning\n"
	"owner_unit: Test\n"
	"stage: planning\n"
	"jurisdictions: [TW]\n"
	"risk_factors:\n"
	"  customer_facing: \"no\"\n"
	"  personal_data: none\n"
	"  autonomy: human_in_the_loop\n"
	"  complexity: low\n"
	"  stakeholder_impact: low\n"
	"  remedy: complete\n";

static struct ag_risk_method *method(void)
{
	struct ag_risk_method *m;
	struct ag_err err;

	if (ag_risk_method_parse(&m, method_yaml, strlen(method_yaml), "m.yaml", &err))
		fail_msg("method: %s", err.msg);
	return m;
}

static struct ag_system_set *parse(const char *yaml)
{
	struct ag_system_set *set;
	struct ag_err err;

	if (ag_systems_parse(&set, yaml, strlen(yaml), "s.yaml", &err))
		fail_msg("system: %s", err.msg);
	return set;
}

static int tier_of(const struct ag_system *s, const struct ag_risk_method *m, int *points)
{
	struct ag_assessment a;

	ag_assess(s, m, &a);
	if (points)
		*points = a.points;
	return a.computed_tier;
}

/* Every factor, at every level, adds exactly its points; raising a level
 * never lowers the tier. */
static void test_each_factor_moves_points_and_tier_as_the_method_says(void **state)
{
	static const int points[AG_NFACTORS][AG_MAX_LEVELS] = {
		{ 0, 2, 3 }, { 0, 1, 2, 3 }, { 0, 1, 3 }, { 0, 1, 2 }, { 0, 1, 3 }, { 0, 1, 2 },
	};
	struct ag_risk_method *m = method();
	struct ag_system_set *set = parse(base_system);
	struct ag_system s = set->systems[0];
	int p;

	(void)state;
	assert_int_equal(tier_of(&s, m, &p), AG_TIER_LOW);
	assert_int_equal(p, 0);
	for (int f = 0; f < AG_NFACTORS; f++) {
		int prev_tier = AG_TIER_LOW;
		for (int l = 0; ag_factor_levels[f][l]; l++) {
			struct ag_system t = s;
			t.factors[f] = l;
			int tier = tier_of(&t, m, &p);
			assert_int_equal(p, points[f][l]);
			assert_true(tier >= prev_tier);
			prev_tier = tier;
		}
	}
	/* All at the top: 3 + 3 + 3 + 2 + 3 + 2 = 16, high. */
	for (int f = 0; f < AG_NFACTORS; f++)
		for (int l = 0; ag_factor_levels[f][l]; l++)
			s.factors[f] = l;
	assert_int_equal(tier_of(&s, m, &p), AG_TIER_HIGH);
	assert_int_equal(p, 16);
	ag_system_set_free(set);
	ag_risk_method_free(m);
}

/* The thresholds, at their edges (hand-picked factor combinations). */
static void test_tier_thresholds_at_their_edges(void **state)
{
	static const struct {
		int f[AG_NFACTORS];
		int points, tier;
	} v[] = {
		{ { 0, 1, 0, 1, 1, 0 }, 3, AG_TIER_LOW },
		{ { 0, 1, 0, 1, 1, 1 }, 4, AG_TIER_MEDIUM },
		{ { 1, 2, 1, 1, 1, 1 }, 8, AG_TIER_MEDIUM },  /* 2+2+1+1+1+1 */
		{ { 2, 2, 1, 1, 1, 1 }, 9, AG_TIER_MEDIUM },  /* 3+2+1+1+1+1 */
		{ { 2, 2, 1, 1, 1, 2 }, 10, AG_TIER_HIGH },   /* 3+2+1+1+1+2 */
		{ { 2, 2, 1, 2, 2, 1 }, 12, AG_TIER_HIGH },   /* 3+2+1+2+3+1 */
	};
	struct ag_risk_method *m = method();
	struct ag_system_set *set = parse(base_system);

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ag_system s = set->systems[0];
		int p;
		memcpy(s.factors, v[i].f, sizeof(s.factors));
		assert_int_equal(tier_of(&s, m, &p), v[i].tier);
		assert_int_equal(p, v[i].points);
	}
	ag_system_set_free(set);
	ag_risk_method_free(m);
}

static void test_rules_raise_the_tier_and_say_why(void **state)
{
	struct ag_risk_method *m = method();
	struct ag_system_set *set = parse(base_system);
	struct ag_system s = set->systems[0];
	struct ag_assessment a;

	(void)state;
	/* Fully automated credit with little else: 3 points, low by points,
	 * high by rule. */
	s.use_case = AG_UC_CREDIT_SCORING;
	s.factors[AG_F_AUTONOMY] = 2;
	ag_assess(&s, m, &a);
	assert_int_equal(a.points, 3);
	assert_int_equal(a.points_tier, AG_TIER_LOW);
	assert_int_equal(a.computed_tier, AG_TIER_HIGH);
	assert_int_equal(a.nrules, 1);
	assert_string_equal(a.rules[0]->id, "automated-credit");
	/* Human on the loop: the rule does not match. */
	s.factors[AG_F_AUTONOMY] = 1;
	ag_assess(&s, m, &a);
	assert_int_equal(a.computed_tier, AG_TIER_LOW);
	/* Customer-facing GenAI: at least medium ... */
	s = set->systems[0];
	s.ai_type = AG_AI_GENERATIVE;
	s.factors[AG_F_CUSTOMER_FACING] = 2;
	ag_assess(&s, m, &a);
	assert_int_equal(a.computed_tier, AG_TIER_MEDIUM);
	/* ... and a rule never lowers a tier the points give. */
	s.factors[AG_F_IMPACT] = 2;
	s.factors[AG_F_PERSONAL_DATA] = 3;
	s.factors[AG_F_COMPLEXITY] = 2;
	ag_assess(&s, m, &a);
	assert_int_equal(a.points, 11);
	assert_int_equal(a.computed_tier, AG_TIER_HIGH);
	assert_int_equal(a.nrules, 0);
	ag_system_set_free(set);
	ag_risk_method_free(m);
}

/* FSC FAQ 2025-07-03: AML and fraud need no remedy option, so a missing
 * one adds no points; the Bankers rule and EU classes per the notes. */
static void test_exemptions_and_classifications(void **state)
{
	struct ag_risk_method *m = method();
	struct ag_system_set *set = parse(base_system);
	struct ag_system s = set->systems[0];
	struct ag_assessment a;
	const char *eu[] = { "EU" };

	(void)state;
	s.factors[AG_F_REMEDY] = 2;
	ag_assess(&s, m, &a);
	assert_int_equal(a.points, 2);
	assert_false(a.remedy_exempt);
	s.use_case = AG_UC_AML_KYC;
	ag_assess(&s, m, &a);
	assert_int_equal(a.points, 0);
	assert_true(a.remedy_exempt && a.disclosure_limited);
	assert_false(a.bankers_rule); /* internal, not material */
	s.factors[AG_F_CUSTOMER_FACING] = 1;
	ag_assess(&s, m, &a);
	assert_true(a.bankers_rule);
	/* A fraud model affects rights only when it blocks by itself. */
	s = set->systems[0];
	s.use_case = AG_UC_FRAUD;
	ag_assess(&s, m, &a);
	assert_false(a.bankers_rule);
	assert_int_equal(a.eu_class, AG_EU_MINIMAL);
	s.factors[AG_F_AUTONOMY] = 2;
	ag_assess(&s, m, &a);
	assert_true(a.bankers_rule);
	/* Not a bank: never the Bankers rule. */
	s.business_line = AG_BL_INSURANCE;
	ag_assess(&s, m, &a);
	assert_false(a.bankers_rule);
	/* EU classes. */
	s = set->systems[0];
	s.use_case = AG_UC_CREDIT_SCORING;
	ag_assess(&s, m, &a);
	assert_int_equal(a.eu_class, AG_EU_HIGH);
	assert_false(a.eu_applies);
	s.jurisdictions = eu;
	s.njurisdictions = 1;
	ag_assess(&s, m, &a);
	assert_true(a.eu_applies);
	s.use_case = AG_UC_CHATBOT;
	ag_assess(&s, m, &a);
	assert_int_equal(a.eu_class, AG_EU_LIMITED);
	ag_system_set_free(set);
	ag_risk_method_free(m);
}

/* ---- descriptors ---- */

static void expect_error(const char *yaml, const char *want)
{
	struct ag_system_set *set = NULL;
	struct ag_err err;

	ag_err_clear(&err);
	assert_int_equal(ag_systems_parse(&set, yaml, strlen(yaml), "s.yaml", &err), AG_EPARSE);
	assert_null(set);
	if (strcmp(err.msg, want) != 0)
		fail_msg("got  '%s'\nwant '%s'", err.msg, want);
}

static void test_descriptor_errors_name_line_and_path(void **state)
{
	char buf[2048];

	(void)state;
	snprintf(buf, sizeof(buf), "systems:\n  - %s", "");
	/* A list entry with a bad enum, by path and line:column. */
	snprintf(buf, sizeof(buf),
		 "systems:\n"
		 "  - id: a\n"
		 "    name: {zh-TW: 甲, en: A}\n"
		 "    purpose: p\n"
		 "    business_line: bank\n"
		 "    use_case: other\n"
		 "    ai_type: machine_learning\n"
		 "    owner_unit: u\n"
		 "    stage: planning\n"
		 "    risk_factors:\n"
		 "      customer_facing: \"no\"\n"
		 "      personal_data: none\n"
		 "      autonomy: sometimes\n");
	expect_error(buf, "s.yaml:13:17: systems[0].risk_factors.autonomy: expected one of "
			  "human_in_the_loop, human_on_the_loop, fully_automated, not 'sometimes'");
	snprintf(buf, sizeof(buf), "%sfavourite_colour: blue\n", base_system);
	expect_error(buf, "s.yaml:17:1: (top): unknown key 'favourite_colour' (expected id, name, "
			  "purpose, business_line, use_case, ai_type, owner_unit, stage, jurisdictions, "
			  "vendor, critical, models, data_sources, risk_factors, oversight)");
	snprintf(buf, sizeof(buf), "%scritical: true\n", base_system);
	expect_error(buf, "s.yaml:1:1: oversight: missing: a critical system names how a person "
			  "overrides it and how it is shut down safely (human_override, shutdown, "
			  "authorized, fallback)");
	snprintf(buf, sizeof(buf), "%smodels:\n  - version: \"1\"\n    sha256: abc\n", base_system);
	expect_error(buf, "s.yaml:19:13: models[0]: sha256: expected 64 hex digits (the artifact's SHA-256)");
	expect_error("id: x\nname: {en: only English}\n",
		     "s.yaml:2:7: name.zh-TW: missing (required)");
	expect_error("id: Not_An_Id\n", "s.yaml:1:5: id: 'Not_An_Id' is not an identifier "
					"(lowercase letters, digits, - _ .; at most 64)");
	expect_error("systems: [", "s.yaml:2:1: did not find expected node content while parsing "
				    "a flow node");
}

/* A signature over the model hash is checked when given. */
static void test_model_signature_is_verified(void **state)
{
	struct ag_system_set *set = NULL;
	struct ag_err err;
	char buf[4096];
	const char *model =
		"models:\n  - version: \"1\"\n"
		"    sha256: 0000000000000000000000000000000000000000000000000000000000000000\n"
		"    signature: 00000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000\n"
		"    signed_by: 1111111111111111111111111111111111111111111111111111111111111111\n";

	(void)state;
	snprintf(buf, sizeof(buf), "%s%s", base_system, model);
	assert_int_equal(ag_systems_parse(&set, buf, strlen(buf), "s.yaml", &err), AG_EPARSE);
	assert_non_null(strstr(err.msg, "signature: does not verify"));
}

/* add -> export -> add round-trips: the canonical YAML parses back to
 * the same canonical YAML, for each example. */
static void test_examples_round_trip_through_canonical_yaml(void **state)
{
	static const char *const files[] = {
		"retail-credit-scoring", "aml-transaction-monitoring", "card-fraud-detection",
		"genai-customer-service", "insurance-claims-triage", "internal-doc-summarisation",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		struct ag_system_set *a, *b;
		struct ag_buf y1, y2;
		struct ag_err err;
		snprintf(path, sizeof(path), "%s/../../examples/%s.yaml", AIGOV_TEST_DATA, files[i]);
		if (ag_systems_load(&a, path, &err))
			fail_msg("%s", err.msg);
		ag_buf_init(&y1);
		ag_buf_init(&y2);
		assert_int_equal(ag_system_write_yaml(&y1, &a->systems[0], 0), 0);
		if (ag_systems_parse(&b, y1.buf, y1.len, "canonical", &err))
			fail_msg("%s: %s\n%s", files[i], err.msg, y1.buf);
		assert_int_equal(ag_system_write_yaml(&y2, &b->systems[0], 0), 0);
		assert_string_equal(y1.buf, y2.buf);
		assert_string_equal(a->systems[0].id, files[i]);
		ag_buf_release(&y1);
		ag_buf_release(&y2);
		ag_system_set_free(a);
		ag_system_set_free(b);
	}
}

/* ---- catalog ---- */

static void test_shipped_catalog_covers_every_principle_and_stage(void **state)
{
	struct ag_catalog *c;
	struct ag_risk_method *m;
	struct ag_buf findings;
	struct ag_err err;
	size_t len;
	const char *data = ag_builtin_policy("controls.yaml", &len);

	(void)state;
	if (ag_catalog_parse(&c, data, len, "controls.yaml", &err))
		fail_msg("%s", err.msg);
	ag_buf_init(&findings);
	if (ag_catalog_check(c, &findings))
		fail_msg("%s", findings.buf);
	assert_true(c->ncontrols >= 40);
	ag_buf_release(&findings);
	ag_catalog_free(c);
	data = ag_builtin_policy("risk-method.yaml", &len);
	if (ag_risk_method_parse(&m, data, len, "risk-method.yaml", &err))
		fail_msg("%s", err.msg);
	ag_risk_method_free(m);
}

static void test_catalog_check_finds_gaps(void **state)
{
	struct ag_catalog *c;
	struct ag_buf findings;
	struct ag_err err;
	const char *yaml =
		"version: \"x\"\nnote: {zh-TW: n, en: n}\n"
		"principles:\n"
		"  - {id: governance, name: {zh-TW: a, en: a}}\n"
		"  - {id: fairness, name: {zh-TW: b, en: b}}\n"
		"  - {id: privacy, name: {zh-TW: c, en: c}}\n"
		"  - {id: robustness, name: {zh-TW: d, en: d}}\n"
		"  - {id: transparency, name: {zh-TW: e, en: e}}\n"
		"  - {id: sustainability, name: {zh-TW: f, en: f}}\n"
		"controls:\n"
		"  - id: gov-record-keeping\n"
		"    principle: governance\n"
		"    title: {zh-TW: 紀錄, en: records}\n"
		"    description: {zh-TW: 紀錄, en: records}\n"
		"    stages: [planning, data, modelling, deployment]\n"
		"    tiers: [medium]\n"
		"    frequency: {medium: annual}\n"
		"    evidence: document\n"
		"    source: test\n"
		"    mappings: {iso42001: [], nist_ai_rmf: [], eu_ai_act: []}\n";

	(void)state;
	if (ag_catalog_parse(&c, yaml, strlen(yaml), "c.yaml", &err))
		fail_msg("%s", err.msg);
	ag_buf_init(&findings);
	/* 5 principles x 4 stages uncovered, record keeping not for high,
	 * three measures missing. */
	assert_int_equal(ag_catalog_check(c, &findings), 20 + 1 + 3);
	assert_non_null(strstr(findings.buf, "principle fairness has no control in stage planning"));
	assert_non_null(strstr(findings.buf, "gov-record-keeping is not required for tier high"));
	ag_buf_release(&findings);
	ag_catalog_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_factor_moves_points_and_tier_as_the_method_says),
		cmocka_unit_test(test_tier_thresholds_at_their_edges),
		cmocka_unit_test(test_rules_raise_the_tier_and_say_why),
		cmocka_unit_test(test_exemptions_and_classifications),
		cmocka_unit_test(test_descriptor_errors_name_line_and_path),
		cmocka_unit_test(test_model_signature_is_verified),
		cmocka_unit_test(test_examples_round_trip_through_canonical_yaml),
		cmocka_unit_test(test_shipped_catalog_covers_every_principle_and_stage),
		cmocka_unit_test(test_catalog_check_finds_gaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
