/*
 * Precision and recall of the guard on the labelled corpus in
 * tests/data/guard/ (README.md there describes the format).
 *
 * Printed per part (dev, held-out) and for both together; the test fails
 * when the whole corpus misses the targets of issue 7: identifiers with a
 * checksum (national and resident IDs, UBN, cards) precision and recall
 * >= 0.99; injection recall >= 0.9 at precision >= 0.9.  The other types and
 * the finance and hand-off decisions must reach 0.9 so that a regression
 * shows.  Checksum types must match the labelled span exactly; the others
 * must overlap it (where a name ends is a matter of taste).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/guard.h"
#include "guard_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AIGOV_TEST_DATA
#define AIGOV_TEST_DATA "tests/data"
#endif

#define MAXSPANS 16

struct counts {
	size_t found[AG_GUARD_NTYPES], found_ok[AG_GUARD_NTYPES];
	size_t want[AG_GUARD_NTYPES], want_ok[AG_GUARD_NTYPES];
	size_t inj_tp, inj_fp, inj_fn, inj_tn;
	size_t policy_n, policy_ok;
};

struct span {
	int type;
	size_t start, end;
};

static bool checksum_type(int t)
{
	return t == AG_GUARD_TW_NATIONAL_ID || t == AG_GUARD_TW_RESIDENT_ID || t == AG_GUARD_TW_UBN ||
	       t == AG_GUARD_CREDIT_CARD;
}

static bool same(const struct span *w, const struct ag_guard_finding *f)
{
	if (w->type != f->type)
		return false;
	if (checksum_type(w->type))
		return w->start == f->start && w->end == f->end;
	return f->start < w->end && w->start < f->end;
}

/* Strip [[TYPE|value]] markup from in into out; the spans into w. */
static size_t unmark(const char *in, char *out, size_t *outlen, struct span *w, const char *where)
{
	size_t n = 0, o = 0;

	for (const char *p = in; *p;) {
		if (p[0] == '[' && p[1] == '[') {
			const char *bar = strchr(p, '|'), *close = strstr(p, "]]");
			int type;
			if (!bar || !close || bar > close)
				fail_msg("%s: bad markup", where);
			type = ag_guard_type_from_name(p + 2, (size_t)(bar - p - 2));
			if (type < 0 || n == MAXSPANS)
				fail_msg("%s: unknown type or too many spans", where);
			w[n].type = type;
			w[n].start = o;
			memcpy(out + o, bar + 1, (size_t)(close - bar - 1));
			o += (size_t)(close - bar - 1);
			w[n++].end = o;
			p = close + 2;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	*outlen = o;
	return n;
}

static int source_of(const char *s)
{
	return !strcmp(s, "retrieved") ? AG_GUARD_SRC_RETRIEVED : !strcmp(s, "model") ? AG_GUARD_SRC_MODEL
										       : AG_GUARD_SRC_USER;
}

static bool policy_ok(const char *expect, const struct ag_guard_result *r)
{
	if (!strcmp(expect, "block"))
		return r->action == AG_GUARD_BLOCK;
	if (!strcmp(expect, "disclose"))
		return r->action != AG_GUARD_BLOCK && r->needs_disclosure;
	if (!strcmp(expect, "allow"))
		return r->action != AG_GUARD_BLOCK && !r->needs_disclosure && !r->handoff;
	if (!strcmp(expect, "handoff"))
		return r->action == AG_GUARD_HANDOFF;
	return true;
}

static void score_line(const struct ag_guard *g, struct ag_guard_scratch *s, const char *where,
		       int source, const char *expect, const char *marked, struct counts *c)
{
	char text[4096];
	struct span w[MAXSPANS];
	struct ag_guard_result r;
	struct ag_arena a;
	struct ag_err err;
	size_t len, nw;

	if (strlen(marked) >= sizeof(text))
		fail_msg("%s: line too long", where);
	nw = unmark(marked, text, &len, w, where);
	ag_arena_init(&a, 0);
	ag_err_clear(&err);
	if (ag_guard_scan(g, s, text, len, source, &a, &r, &err))
		fail_msg("%s: %s", where, err.msg);
	for (size_t i = 0; i < nw; i++) {
		bool ok = false;
		for (size_t k = 0; k < r.nfindings && !ok; k++)
			ok = same(&w[i], &r.findings[k]);
		c->want[w[i].type]++;
		c->want_ok[w[i].type] += ok;
		if (!ok)
			printf("  miss %s %s '%.*s'\n", where, ag_guard_type_name(w[i].type),
			       (int)(w[i].end - w[i].start), text + w[i].start);
	}
	for (size_t k = 0; k < r.nfindings; k++) {
		const struct ag_guard_finding *f = &r.findings[k];
		bool ok = false;
		for (size_t i = 0; i < nw && !ok; i++)
			ok = same(&w[i], f);
		c->found[f->type]++;
		c->found_ok[f->type] += ok;
		if (!ok)
			printf("  false %s %s '%.*s'\n", where, ag_guard_type_name(f->type),
			       (int)(f->end - f->start), text + f->start);
	}
	if (source != AG_GUARD_SRC_MODEL && (!strcmp(expect, "inject") || !strcmp(expect, "-"))) {
		bool pos = !strcmp(expect, "inject"), pred = r.action == AG_GUARD_BLOCK;
		c->inj_tp += pos && pred;
		c->inj_fp += !pos && pred;
		c->inj_fn += pos && !pred;
		c->inj_tn += !pos && !pred;
		if (pos != pred)
			printf("  injection %s: expected %s, got %s (score %.2f)\n", where,
			       pos ? "block" : "no block", ag_guard_action_name(r.action), r.block_score);
	} else {
		bool ok = policy_ok(expect, &r);
		c->policy_n++;
		c->policy_ok += ok;
		if (!ok)
			printf("  policy %s: expected %s, got %s%s\n", where, expect,
			       ag_guard_action_name(r.action), r.needs_disclosure ? " + disclosure" : "");
	}
	ag_arena_release(&a);
}

static void score_file(const struct ag_guard *g, struct ag_guard_scratch *s, const char *name,
		       struct counts *c)
{
	char path[512], line[8192], where[600];
	size_t lineno = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/guard/%s", AIGOV_TEST_DATA, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *src = line, *expect, *text;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		expect = strchr(src, '\t');
		text = expect ? strchr(expect + 1, '\t') : NULL;
		if (!text)
			fail_msg("%s:%zu: expected source<TAB>expect<TAB>text", name, lineno);
		*expect++ = '\0';
		*text++ = '\0';
		snprintf(where, sizeof(where), "%s:%zu", name, lineno);
		score_line(g, s, where, source_of(src), expect, text, c);
	}
	fclose(f);
}

static double ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 1.0;
}

static void report(const char *title, const struct counts *c)
{
	printf("%s\n  %-16s %9s %9s %9s %9s\n", title, "type", "precision", "recall", "findings",
	       "labelled");
	for (int t = 0; t < AG_GUARD_NTYPES; t++)
		printf("  %-16s %9.3f %9.3f %9zu %9zu\n", ag_guard_type_name(t),
		       ratio(c->found_ok[t], c->found[t]), ratio(c->want_ok[t], c->want[t]), c->found[t],
		       c->want[t]);
	printf("  %-16s %9.3f %9.3f %9zu %9zu  (tp %zu fp %zu fn %zu tn %zu)\n", "INJECTION",
	       ratio(c->inj_tp, c->inj_tp + c->inj_fp), ratio(c->inj_tp, c->inj_tp + c->inj_fn),
	       c->inj_tp + c->inj_fp, c->inj_tp + c->inj_fn, c->inj_tp, c->inj_fp, c->inj_fn, c->inj_tn);
	printf("  %-16s accuracy %.3f of %zu (finance policy and hand-off)\n", "POLICY",
	       ratio(c->policy_ok, c->policy_n), c->policy_n);
}

static void add(struct counts *to, const struct counts *c)
{
	for (int t = 0; t < AG_GUARD_NTYPES; t++) {
		to->found[t] += c->found[t];
		to->found_ok[t] += c->found_ok[t];
		to->want[t] += c->want[t];
		to->want_ok[t] += c->want_ok[t];
	}
	to->inj_tp += c->inj_tp;
	to->inj_fp += c->inj_fp;
	to->inj_fn += c->inj_fn;
	to->inj_tn += c->inj_tn;
	to->policy_n += c->policy_n;
	to->policy_ok += c->policy_ok;
}

static void test_guard_corpus_meets_targets(void **state)
{
	struct ag_guard_rules rules;
	struct ag_guard *g = NULL;
	struct ag_guard_scratch *s = NULL;
	struct ag_err err;
	struct counts dev, held, all;
	bool ok = true;

	(void)state;
	memset(&dev, 0, sizeof(dev));
	memset(&held, 0, sizeof(held));
	memset(&all, 0, sizeof(all));
	ag_err_clear(&err);
	ag_guard_rules_init(&rules);
	assert_int_equal(ag_guard_rules_builtin(&rules, &err), 0);
	assert_int_equal(test_guard_new(&g, &rules, AG_GUARD_SCANNER_AUTO, &err), 0);
	assert_int_equal(ag_guard_scratch_new(g, &s, &err), 0);
	score_file(g, s, "dev.tsv", &dev);
	score_file(g, s, "heldout.tsv", &held);
	add(&all, &dev);
	add(&all, &held);
	report("dev.tsv", &dev);
	report("heldout.tsv", &held);
	report("all", &all);
	for (int t = 0; t < AG_GUARD_NTYPES; t++) {
		double target = checksum_type(t) ? 0.99 : 0.9;
		if (ratio(all.found_ok[t], all.found[t]) < target || ratio(all.want_ok[t], all.want[t]) < target) {
			printf("FAIL %s below %.2f\n", ag_guard_type_name(t), target);
			ok = false;
		}
		if (checksum_type(t) && all.want[t] < 10) {
			printf("FAIL %s: fewer than 10 labelled values\n", ag_guard_type_name(t));
			ok = false;
		}
	}
	if (ratio(all.inj_tp, all.inj_tp + all.inj_fn) < 0.9 || ratio(all.inj_tp, all.inj_tp + all.inj_fp) < 0.9) {
		printf("FAIL injection below recall 0.9 at precision 0.9\n");
		ok = false;
	}
	if (ratio(all.policy_ok, all.policy_n) < 0.9) {
		printf("FAIL policy accuracy below 0.9\n");
		ok = false;
	}
	ag_guard_scratch_free(s);
	ag_guard_free(g);
	assert_true(ok);
}

/* The whole corpus's counts with one way of scanning. */
static void corpus_counts(int scanner, struct counts *all)
{
	struct ag_guard_rules rules;
	struct ag_guard *g = NULL;
	struct ag_guard_scratch *s = NULL;
	struct ag_err err;

	memset(all, 0, sizeof(*all));
	ag_err_clear(&err);
	ag_guard_rules_init(&rules);
	assert_int_equal(ag_guard_rules_builtin(&rules, &err), 0);
	assert_int_equal(test_guard_new(&g, &rules, scanner, &err), 0);
	assert_int_equal(ag_guard_scratch_new(g, &s, &err), 0);
	printf("scanner: %s\n", ag_guard_scanner(g));
	score_file(g, s, "dev.tsv", all);
	score_file(g, s, "heldout.tsv", all);
	ag_guard_scratch_free(s);
	ag_guard_free(g);
}

/* Vectorscan's own variant and the one without PEXT (chosen on AMD
 * processors before Zen 3) find exactly the same in every example. */
static void test_guard_scanners_agree(void **state)
{
	struct counts host, no_pext;

	(void)state;
	corpus_counts(AG_GUARD_SCANNER_HOST, &host);
	corpus_counts(AG_GUARD_SCANNER_NO_PEXT, &no_pext);
	assert_memory_equal(&host, &no_pext, sizeof(host));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guard_corpus_meets_targets),
		cmocka_unit_test(test_guard_scanners_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
