/* The inventory in a workspace: gaps over time, the stage gate, approvals
 * (include/aigov/registry.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/registry.h"
#include "aigov/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fx {
	char root[256];
	struct ag_workspace *ws;
	struct ag_catalog *c;
	struct ag_risk_method *m;
};

#define DAY (86400LL * 1000000)

/* One control: evidence document, annual at tier low, planning and data. */
static const char catalog_yaml[] =
	"version: \"t\"\nnote: {zh-TW: n, en: n}\n"
	"principles:\n"
	"  - {id: governance, name: {zh-TW: a, en: a}}\n"
	"  - {id: fairness, name: {zh-TW: b, en: b}}\n"
	"  - {id: privacy, name: {zh-TW: c, en: c}}\n"
	"  - {id: robustness, name: {zh-TW: d, en: d}}\n"
	"  - {id: transparency, name: {zh-TW: e, en: e}}\n"
	"  - {id: sustainability, name: {zh-TW: f, en: f}}\n"
	"controls:\n"
	"  - id: doc\n    principle: governance\n    title: {zh-TW: 文件, en: doc}\n"
	"    description: {zh-TW: 文件, en: doc}\n    stages: [planning]\n    tiers: [low]\n"
	"    frequency: {low: annual}\n    evidence: document\n    source: t\n"
	"    mappings: {iso42001: [], nist_ai_rmf: [], eu_ai_act: []}\n"
	"  - id: ok\n    principle: governance\n    title: {zh-TW: 核准, en: ok}\n"
	"    description: {zh-TW: 核准, en: ok}\n    stages: [planning]\n    tiers: [low]\n"
	"    frequency: {low: once}\n    evidence: approval\n    source: t\n"
	"    mappings: {iso42001: [], nist_ai_rmf: [], eu_ai_act: []}\n"
	"  - id: later\n    principle: governance\n    title: {zh-TW: 後, en: later}\n"
	"    description: {zh-TW: 後, en: later}\n    stages: [deployment]\n    tiers: [low]\n"
	"    frequency: {low: once}\n    evidence: document\n    source: t\n"
	"    mappings: {iso42001: [], nist_ai_rmf: [], eu_ai_act: []}\n"
	"  - id: vendor-only\n    principle: governance\n    title: {zh-TW: 廠商, en: vendor}\n"
	"    description: {zh-TW: 廠商, en: vendor}\n    stages: [planning]\n    tiers: [low]\n"
	"    frequency: {low: once}\n    evidence: document\n    applies_to: {vendor: true}\n"
	"    source: t\n    mappings: {iso42001: [], nist_ai_rmf: [], eu_ai_act: []}\n";

static const char system_yaml[] =
	"id: s1\nname: {zh-TW: 系統, en: System}\npurpose: p\nbusiness_line: bank\n"
	"use_case: other\nai_type: machine_learning\nowner_unit: u\nstage: planning\n"
	"risk_factors: {customer_facing: \"no\", personal_data: none, autonomy: human_in_the_loop,"
	" complexity: low, stakeholder_impact: low, remedy: complete}\n";

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ag_system_set *set;
	struct ag_err err;
	size_t len;
	const char *mtext = ag_builtin_policy("risk-method.yaml", &len);

	snprintf(f->root, sizeof(f->root), "%s/aigov-reg-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->root) || ag_workspace_init(f->root, "user:owner", NULL, 0, &err) ||
	    ag_workspace_open(&f->ws, f->root, true, "user:owner", &err) ||
	    ag_catalog_parse(&f->c, catalog_yaml, strlen(catalog_yaml), "c.yaml", &err) ||
	    ag_risk_method_parse(&f->m, mtext, len, "m.yaml", &err) ||
	    ag_systems_parse(&set, system_yaml, strlen(system_yaml), "s.yaml", &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	if (ag_registry_add(f->ws, &set, 1, "user:owner", false, &err) ||
	    ag_role_grant(f->ws, "user:owner", "user:risk", AG_ROLE_SECOND_LINE, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	ag_system_set_free(set);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[300];

	ag_catalog_free(f->c);
	ag_risk_method_free(f->m);
	ag_workspace_free(f->ws);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct ag_gap_item *item(const struct ag_gap_report *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].control->id, id))
			return &r->items[i];
	fail_msg("no item %s", id);
	return NULL;
}

static void gaps_at(struct fx *f, int64_t when, struct ag_gap_report *r)
{
	struct ag_system_set *set;
	struct ag_err err;

	assert_int_equal(ag_registry_load(f->ws, "s1", &set, &err), 0);
	if (ag_gaps(f->ws, f->c, &set->systems[0], when, r, &err))
		fail_msg("%s", err.msg);
	ag_system_set_free(set);
}

static void assess(struct fx *f)
{
	struct ag_assessment a;
	struct ag_assessment_info info;
	struct ag_err err;

	if (ag_registry_assess(f->ws, "s1", f->m, f->c, "user:risk", -1, NULL, &a, &info, NULL, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(info.tier, AG_TIER_LOW);
}

/* Evidence is valid for its frequency: met now, overdue a year and a day
 * later; "once" never expires; other stages and scopes are not required. */
static void test_gaps_follow_frequency_stage_and_scope(void **state)
{
	struct fx *f = *state;
	struct ag_gap_report r;
	struct ag_err err;
	int64_t now = ag_time_now_us();

	gaps_at(f, now, &r);
	assert_int_equal(r.tier, -1); /* never assessed */
	ag_gap_report_release(&r);
	assess(f);
	gaps_at(f, now, &r);
	assert_int_equal(r.tier, AG_TIER_LOW);
	assert_int_equal(item(&r, "doc")->status, AG_GAP_MISSING);
	assert_int_equal(item(&r, "ok")->status, AG_GAP_MISSING);
	assert_int_equal(item(&r, "later")->status, AG_GAP_LATER);
	assert_int_equal(item(&r, "vendor-only")->status, AG_GAP_NOT_APPLICABLE);
	assert_int_equal(r.missing, 2);
	ag_gap_report_release(&r);
	/* Evidence for an approval control does not meet it: an approval does. */
	assert_int_equal(ag_evidence_add(f->ws, f->c, "s1", "doc", "https://x.example/doc", true,
					 NULL, "user:owner", NULL, &err), 0);
	assert_int_equal(ag_evidence_add(f->ws, f->c, "s1", "ok", "https://x.example/ok", true,
					 NULL, "user:owner", NULL, &err), 0);
	gaps_at(f, now + DAY, &r);
	assert_int_equal(item(&r, "doc")->status, AG_GAP_MET);
	assert_int_equal(item(&r, "ok")->status, AG_GAP_MISSING);
	ag_gap_report_release(&r);
	assert_int_equal(ag_approve(f->ws, f->c, "s1", "ok", NULL, "user:risk", &err), 0);
	gaps_at(f, now + 366 * DAY, &r);
	assert_int_equal(item(&r, "doc")->status, AG_GAP_OVERDUE);
	assert_int_equal(item(&r, "ok")->status, AG_GAP_MET); /* once */
	assert_int_equal(r.overdue, 1);
	assert_false(r.assessment_overdue); /* low: every 36 months */
	ag_gap_report_release(&r);
	gaps_at(f, now + 3 * 366 * DAY, &r);
	assert_true(r.assessment_overdue);
	ag_gap_report_release(&r);
}

static void test_maker_may_not_approve(void **state)
{
	struct fx *f = *state;
	struct ag_err err;

	assert_int_equal(ag_evidence_add(f->ws, f->c, "s1", "ok", "https://x.example/ok", true,
					 NULL, "user:risk", NULL, &err), 0);
	/* The 2nd-line person made the evidence: they may not approve it. */
	assert_int_equal(ag_approve(f->ws, f->c, "s1", "ok", NULL, "user:risk", &err), AG_EPERM);
	assert_non_null(strstr(err.msg, "maker-checker"));
	/* Someone else without the role may not either. */
	assert_int_equal(ag_approve(f->ws, f->c, "s1", "ok", NULL, "user:owner", &err), AG_EPERM);
}

static void test_stage_gate_refuses_then_lets_through(void **state)
{
	struct fx *f = *state;
	struct ag_gap_report r;
	struct ag_err err;
	int64_t now = ag_time_now_us();

	assert_int_equal(ag_stage_advance(f->ws, f->c, "s1", AG_STAGE_DATA, "user:owner", now, &r,
					  &err), AG_EPERM);
	assert_int_equal(r.tier, -1);
	assert_non_null(strstr(err.msg, "not been assessed"));
	ag_gap_report_release(&r);
	assess(f);
	assert_int_equal(ag_stage_advance(f->ws, f->c, "s1", AG_STAGE_DATA, "user:owner", now, &r,
					  &err), AG_EPERM);
	assert_int_equal(r.missing, 2);
	ag_gap_report_release(&r);
	assert_int_equal(ag_stage_advance(f->ws, f->c, "s1", AG_STAGE_MODELLING, "user:owner", now,
					  &r, &err), AG_EINVAL);
	assert_int_equal(ag_evidence_add(f->ws, f->c, "s1", "doc", "https://x.example/d", true, NULL,
					 "user:owner", NULL, &err), 0);
	assert_int_equal(ag_approve(f->ws, f->c, "s1", "ok", NULL, "user:risk", &err), 0);
	assert_int_equal(ag_stage_advance(f->ws, f->c, "s1", AG_STAGE_DATA, "user:owner", now, &r,
					  &err), 0);
	/* The stored descriptor moved with it. */
	struct ag_system_set *set;
	assert_int_equal(ag_registry_load(f->ws, "s1", &set, &err), 0);
	assert_int_equal(set->systems[0].stage, AG_STAGE_DATA);
	ag_system_set_free(set);
	/* A year later the annual evidence of planning is overdue: the gate
	 * to modelling refuses again. */
	assert_int_equal(ag_stage_advance(f->ws, f->c, "s1", AG_STAGE_MODELLING, "user:owner",
					  now + 400 * DAY, &r, &err), AG_EPERM);
	assert_int_equal(r.overdue, 1);
	ag_gap_report_release(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gaps_follow_frequency_stage_and_scope),
		T(test_maker_may_not_approve),
		T(test_stage_gate_refuses_then_lets_through),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
