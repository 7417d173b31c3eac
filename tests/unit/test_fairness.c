/* Group-fairness accumulator (include/aigov/fairness.h).
 *
 * Expected rates and metrics come from pandas: tests/data/fairness_*.csv,
 * made by `/usr/bin/python3 tests/tools/make_fairness_reference.py`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/fairness.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AIGOV_TEST_DATA
#define AIGOV_TEST_DATA "tests/data"
#endif

/* ---- the generated rows ---- */

#define NATTRS 3
static const char *const attr_names[NATTRS] = { "sex", "age_band", "region" };

struct row {
	uint64_t index;
	int label, prediction;
	char value[NATTRS][32];
};

static struct row *rows;
static size_t nrows;

/* Split s at commas in place (the test files have no quoted fields). */
static size_t split(char *s, char **field, size_t max)
{
	size_t n = 0;
	s[strcspn(s, "\r\n")] = '\0';
	while (n < max) {
		field[n++] = s;
		s = strchr(s, ',');
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

static void load_rows(void)
{
	char line[512], *f[8];
	FILE *fp = fopen(AIGOV_TEST_DATA "/fairness_rows.csv", "r");
	if (!fp)
		fail_msg("cannot open %s", AIGOV_TEST_DATA "/fairness_rows.csv");
	rows = calloc(4000, sizeof(*rows));
	assert_non_null(fgets(line, sizeof(line), fp)); /* header */
	while (fgets(line, sizeof(line), fp)) {
		assert_int_equal(split(line, f, 8), 3 + NATTRS);
		struct row *r = &rows[nrows++];
		r->index = strtoull(f[0], NULL, 10);
		r->label = atoi(f[1]);
		r->prediction = atoi(f[2]);
		for (int a = 0; a < NATTRS; a++)
			snprintf(r->value[a], sizeof(r->value[a]), "%s", f[3 + a]);
	}
	fclose(fp);
	assert_int_equal(nrows, 2000);
}

static int setup(void **state)
{
	(void)state;
	load_rows();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(rows);
	return 0;
}

static struct ag_fairness *new_acc(bool intersections, uint32_t replicates,
				   uint64_t seed)
{
	struct ag_fairness_options o;
	struct ag_fairness *f;
	struct ag_err err;
	ag_fairness_options_init(&o);
	o.nattrs = NATTRS;
	o.attr_names = attr_names;
	o.intersections = intersections;
	o.replicates = replicates;
	o.seed = seed;
	if (ag_fairness_new(&o, &f, &err))
		fail_msg("%s", err.msg);
	return f;
}

static void add_row(struct ag_fairness *f, const struct row *r)
{
	struct ag_fairness_value v[NATTRS];
	struct ag_err err;
	for (int a = 0; a < NATTRS; a++) {
		v[a].p = r->value[a];
		v[a].len = strlen(r->value[a]);
	}
	if (ag_fairness_add(f, r->index, r->label, r->prediction, v, &err))
		fail_msg("%s", err.msg);
}

static void finish(const struct ag_fairness *f, struct ag_fairness_result *res)
{
	/* region's reference is named, as in the pandas script. */
	struct ag_fairness_value ref[NATTRS] = { { NULL, 0 }, { NULL, 0 },
						 { "north", 5 } };
	struct ag_err err;
	if (ag_fairness_finish(f, ref, res, &err))
		fail_msg("%s", err.msg);
}

static const struct ag_fairness_attr_result *
attr_named(const struct ag_fairness_result *res, const char *name)
{
	for (size_t i = 0; i < res->nattrs; i++)
		if (strcmp(res->attrs[i].name, name) == 0)
			return &res->attrs[i];
	fail_msg("no attribute %s", name);
	return NULL;
}

static const struct ag_fairness_group *
group_named(const struct ag_fairness_attr_result *a, const char *value)
{
	for (size_t i = 0; i < a->ngroups; i++)
		if (strcmp(a->groups[i].value, value) == 0)
			return &a->groups[i];
	fail_msg("attribute %s has no group %s", a->name, value);
	return NULL;
}

/* Equal to 1e-12, NaN equal to NaN only. */
static void check_value(const char *what, const char *where, double got,
			const char *want_text)
{
	double want = strtod(want_text, NULL);
	if (isnan(want) || isnan(got)) {
		if (!(isnan(want) && isnan(got)))
			fail_msg("%s %s: got %.17g, pandas %s", where, what, got,
				 want_text);
		return;
	}
	if (fabs(got - want) > 1e-12)
		fail_msg("%s %s: got %.17g, pandas %s", where, what, got, want_text);
}

/* ---- against pandas ---- */

static void test_rates_and_metrics_match_pandas(void **state)
{
	(void)state;
	struct ag_fairness *f = new_acc(true, 20, 1);
	struct ag_fairness_result res;
	char line[512], *c[12];
	size_t checked = 0, nan_seen = 0, small_seen = 0;

	for (size_t i = 0; i < nrows; i++)
		add_row(f, &rows[i]);
	finish(f, &res);
	assert_int_equal(res.nattrs, NATTRS + 1);
	assert_true(res.attrs[NATTRS].intersection);

	FILE *fp = fopen(AIGOV_TEST_DATA "/fairness_groups.csv", "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	static const char *const col[] = { "base_rate", "selection_rate", "tpr",
					   "fpr", "ppv", "fnr", "aod" };
	size_t groups_in_file[NATTRS + 1] = { 0 };
	while (fgets(line, sizeof(line), fp)) {
		assert_int_equal(split(line, c, 12), 10);
		const struct ag_fairness_attr_result *a = attr_named(&res, c[0]);
		const struct ag_fairness_group *g = group_named(a, c[1]);
		char where[128];
		snprintf(where, sizeof(where), "%s=%s", c[0], c[1]);
		groups_in_file[a - res.attrs]++;
		assert_int_equal(g->n, strtoull(c[2], NULL, 10));
		assert_int_equal(g->n, g->tp + g->fp + g->fn + g->tn);
		assert_int_equal(g->small, g->n < 30);
		small_seen += g->small;
		double got[] = { g->base_rate, g->selection_rate, g->tpr, g->fpr,
				 g->ppv, g->fnr, g->aod };
		for (int k = 0; k < 7; k++) {
			check_value(col[k], where, got[k], c[3 + k]);
			nan_seen += isnan(got[k]);
		}
		checked++;
	}
	fclose(fp);
	/* Every group the accumulator found is in the reference, and back. */
	for (size_t i = 0; i < res.nattrs; i++)
		assert_int_equal(res.attrs[i].ngroups, groups_in_file[i]);
	assert_true(checked > 40);
	assert_true(nan_seen >= 4);   /* 75+ TPR/FNR/AOD, islánd PPV at least */
	assert_true(small_seen >= 1); /* 18-21 and small intersections */
	assert_true(attr_named(&res, "age_band")->any_small);
	assert_false(attr_named(&res, "sex")->any_small);

	fp = fopen(AIGOV_TEST_DATA "/fairness_metrics.csv", "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	checked = 0;
	while (fgets(line, sizeof(line), fp)) {
		assert_int_equal(split(line, c, 12), 4);
		const struct ag_fairness_attr_result *a = attr_named(&res, c[0]);
		int m;
		for (m = 0; m < AG_FAIR_NMETRICS; m++)
			if (strcmp(ag_fairness_metric_name(m), c[1]) == 0)
				break;
		assert_true(m < AG_FAIR_NMETRICS);
		check_value(c[1], c[0], a->metric[m], c[2]);
		assert_string_equal(a->groups[a->reference].value, c[3]);
		if (m == AG_FAIR_DIR)
			assert_int_equal(a->di_flag, strtod(c[2], NULL) < 0.8);
		checked++;
	}
	fclose(fp);
	assert_int_equal(checked, 5 * (NATTRS + 1));

	/* The documented rule for undefined rates, seen on age_band: 75+ has
	 * no positives, so TPR-based metrics use the other five bands while
	 * the selection-rate ones use all six. */
	const struct ag_fairness_attr_result *age = attr_named(&res, "age_band");
	assert_int_equal(age->ngroups, 6);
	assert_int_equal(age->defined[AG_FAIR_SPD], 6);
	assert_int_equal(age->defined[AG_FAIR_EOD], 5);
	/* Intersection parts point at the attribute groups. */
	const struct ag_fairness_attr_result *in = &res.attrs[NATTRS];
	for (size_t i = 0; i < in->ngroups; i++) {
		char joined[128];
		const uint32_t *p = in->groups[i].parts;
		snprintf(joined, sizeof(joined), "%s | %s | %s",
			 res.attrs[0].groups[p[0]].value,
			 res.attrs[1].groups[p[1]].value,
			 res.attrs[2].groups[p[2]].value);
		assert_string_equal(joined, in->groups[i].value);
	}
	ag_fairness_result_release(&res);
	ag_fairness_free(f);
}

/* ---- merge ---- */

static void assert_same_interval(const struct ag_fairness_interval *a,
				 const struct ag_fairness_interval *b)
{
	assert_int_equal(a->defined, b->defined);
	assert_memory_equal(&a->lo, &b->lo, sizeof(double));
	assert_memory_equal(&a->hi, &b->hi, sizeof(double));
}

/* Bit-for-bit equal results, intervals included. */
static void assert_same_result(const struct ag_fairness_result *x,
			       const struct ag_fairness_result *y)
{
	assert_int_equal(x->rows, y->rows);
	assert_int_equal(x->nattrs, y->nattrs);
	for (size_t i = 0; i < x->nattrs; i++) {
		const struct ag_fairness_attr_result *a = &x->attrs[i], *b = &y->attrs[i];
		assert_int_equal(a->ngroups, b->ngroups);
		assert_int_equal(a->reference, b->reference);
		assert_memory_equal(a->metric, b->metric, sizeof(a->metric));
		for (int m = 0; m < AG_FAIR_NMETRICS; m++)
			assert_same_interval(&a->ci[m], &b->ci[m]);
		for (size_t g = 0; g < a->ngroups; g++) {
			assert_string_equal(a->groups[g].value, b->groups[g].value);
			assert_int_equal(a->groups[g].tp, b->groups[g].tp);
			assert_int_equal(a->groups[g].fp, b->groups[g].fp);
			assert_int_equal(a->groups[g].fn, b->groups[g].fn);
			assert_int_equal(a->groups[g].tn, b->groups[g].tn);
			assert_memory_equal(&a->groups[g].aod, &b->groups[g].aod,
					    sizeof(double));
			assert_same_interval(&a->groups[g].aod_ci, &b->groups[g].aod_ci);
		}
	}
}

static void serialize(const struct ag_fairness *f, struct ag_buf *b)
{
	struct ag_err err;
	ag_buf_init(b);
	if (ag_fairness_serialize(f, b, &err))
		fail_msg("%s", err.msg);
}

static void test_split_merge_equals_one_pass(void **state)
{
	(void)state;
	struct ag_fairness *one = new_acc(true, 200, 7);
	struct ag_fairness *part[3];
	struct ag_err err;
	struct ag_buf b1, b2;
	struct ag_fairness_result r1, r2;

	for (size_t i = 0; i < nrows; i++)
		add_row(one, &rows[i]);
	/* Three shards: contiguous chunks, each fed in reverse, and the third
	 * also gets every 5th row of the others' ranges: the split and the
	 * order differ from the one pass in every way but the row indices. */
	for (int k = 0; k < 3; k++)
		part[k] = new_acc(true, 200, 7);
	for (size_t j = nrows; j-- > 0;) {
		int k = j % 5 == 0 ? 2 : j < 700 ? 0 : 1;
		add_row(part[k], &rows[j]);
	}
	assert_int_equal(ag_fairness_merge(part[1], part[2], &err), 0);
	assert_int_equal(ag_fairness_merge(part[0], part[1], &err), 0);
	assert_int_equal(ag_fairness_rows(part[0]), nrows);

	serialize(one, &b1);
	serialize(part[0], &b2);
	assert_int_equal(b1.len, b2.len);
	assert_memory_equal(b1.buf, b2.buf, b1.len);

	finish(one, &r1);
	finish(part[0], &r2);
	assert_same_result(&r1, &r2);
	/* The intervals exist (a test that compares NaN to NaN proves little). */
	const struct ag_fairness_attr_result *sex = attr_named(&r1, "sex");
	assert_int_equal(sex->ci[AG_FAIR_SPD].defined, 200);
	assert_true(sex->ci[AG_FAIR_SPD].lo < sex->ci[AG_FAIR_SPD].hi);

	ag_fairness_result_release(&r1);
	ag_fairness_result_release(&r2);
	ag_buf_release(&b1);
	ag_buf_release(&b2);
	ag_fairness_free(one);
	for (int k = 0; k < 3; k++)
		ag_fairness_free(part[k]);
}

static void test_merge_refuses_other_attributes_or_seed(void **state)
{
	(void)state;
	struct ag_fairness *a = new_acc(true, 10, 1), *b = new_acc(true, 10, 2),
			   *c = new_acc(false, 10, 1);
	struct ag_err err;
	assert_int_equal(ag_fairness_merge(a, b, &err), AG_EINVAL);
	assert_int_equal(ag_fairness_merge(a, c, &err), AG_EINVAL);
	assert_int_equal(ag_fairness_merge(a, a, &err), AG_EINVAL);
	ag_fairness_free(a);
	ag_fairness_free(b);
	ag_fairness_free(c);
}

/* ---- serialization ---- */

static void test_serialize_round_trip(void **state)
{
	(void)state;
	struct ag_fairness *f = new_acc(true, 30, 3), *g;
	struct ag_buf b1, b2;
	struct ag_err err;
	struct ag_fairness_result r1, r2;

	for (size_t i = 0; i < nrows; i++)
		add_row(f, &rows[i]);
	serialize(f, &b1);
	assert_memory_equal(b1.buf, "AGFAIR\2\0", 8);
	if (ag_fairness_deserialize(b1.buf, b1.len, &g, &err))
		fail_msg("%s", err.msg);
	serialize(g, &b2);
	assert_int_equal(b1.len, b2.len);
	assert_memory_equal(b1.buf, b2.buf, b1.len);
	finish(f, &r1);
	finish(g, &r2);
	assert_same_result(&r1, &r2);
	/* A deserialized state keeps accumulating. */
	add_row(g, &rows[0]);
	assert_int_equal(ag_fairness_rows(g), nrows + 1);
	ag_fairness_result_release(&r1);
	ag_fairness_result_release(&r2);
	ag_buf_release(&b1);
	ag_buf_release(&b2);
	ag_fairness_free(f);
	ag_fairness_free(g);
}

static void put_u32_at(char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (char)(v >> (8 * i));
}

static void expect_parse_error(const char *p, size_t len, const char *what)
{
	struct ag_fairness *g = NULL;
	struct ag_err err;
	int rc = ag_fairness_deserialize(p, len, &g, &err);
	if (rc != AG_EPARSE)
		fail_msg("%s: got %d, expected AG_EPARSE", what, rc);
	assert_null(g);
	assert_true(strncmp(err.msg, "fairness state: ", 16) == 0);
}

static void test_malformed_state_is_rejected(void **state)
{
	(void)state;
	struct ag_fairness *f = new_acc(true, 4, 3), *g;
	struct ag_buf b;
	struct ag_err err;
	char *copy;

	for (size_t i = 0; i < 300; i++)
		add_row(f, &rows[i]);
	serialize(f, &b);
	copy = malloc(b.len + 1);

	/* Every truncation, each in a buffer of exactly that size so that
	 * AddressSanitizer sees any read past the end. */
	for (size_t n = 0; n < b.len; n++) {
		char *t = malloc(n ? n : 1);
		memcpy(t, b.buf, n);
		expect_parse_error(t, n, "truncated");
		free(t);
	}
	memcpy(copy, b.buf, b.len);
	copy[b.len] = 0;
	expect_parse_error(copy, b.len + 1, "trailing byte");

#define CORRUPT(off, stmt, what) do { \
		memcpy(copy, b.buf, b.len); \
		{ stmt; } \
		(void)(off); \
		expect_parse_error(copy, b.len, what); \
	} while (0)
	CORRUPT(0, copy[0] = 'X', "magic");
	CORRUPT(6, copy[6] = 1, "version 1 (per-row weights)");
	CORRUPT(8, put_u32_at(copy + 8, 3), "flags");
	CORRUPT(12, put_u32_at(copy + 12, 0), "no attributes");
	CORRUPT(12, put_u32_at(copy + 12, 65), "too many attributes");
	CORRUPT(12, put_u32_at(copy + 12, 2), "fewer attributes");
	CORRUPT(16, put_u32_at(copy + 16, 0xffffffffu), "huge replicate count");
	CORRUPT(20, put_u32_at(copy + 20, 1), "max_groups below the groups");
	CORRUPT(32, copy[32] ^= 1, "row count");
	/* First attribute: name length 3 "sex", ngroups 2, first group "F". */
	assert_memory_equal(copy + 40, "\3\0\0\0sex\2\0\0\0\1\0\0\0F", 16);
	CORRUPT(40, put_u32_at(copy + 40, 0), "empty name");
	CORRUPT(40, put_u32_at(copy + 40, 0x7fffffff), "name past the end");
	CORRUPT(43, copy[44] = 0, "NUL in a name");
	CORRUPT(47, put_u32_at(copy + 47, 0xffffffffu), "group count");
	CORRUPT(47, put_u32_at(copy + 47, 1), "missing group");
	CORRUPT(51, put_u32_at(copy + 51, 0xfffffff0u), "value length");
	CORRUPT(55, copy[55] = 'N', "groups out of order (F > M becomes N > M)");
	CORRUPT(56, memset(copy + 56, 0, 32), "a group with no rows");
	CORRUPT(56, copy[63] = (char)0x80, "counts no longer add up");
	/* Last intersection group's parts: its first part out of range. */
	{
		size_t stride = 8 * 4, last = b.len - stride - 12;
		CORRUPT(last, put_u32_at(copy + last, 99), "intersection part");
		CORRUPT(last, put_u32_at(copy + last, 0),
			"intersection groups out of order");
	}
#undef CORRUPT

	/* Any single flipped bit: a valid state or AG_EPARSE, never a crash. */
	for (size_t i = 0; i < b.len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(copy, b.buf, b.len);
			copy[i] ^= (char)(1 << bit);
			g = NULL;
			int rc = ag_fairness_deserialize(copy, b.len, &g, &err);
			assert_true(rc == 0 || rc == AG_EPARSE);
			assert_true((rc == 0) == (g != NULL));
			ag_fairness_free(g);
		}
	}
	free(copy);
	ag_buf_release(&b);
	ag_fairness_free(f);
}

/* ---- bootstrap ---- */

/*
 * The bootstrap's sampler: 20,000 draws of Poisson(lambda) for means on
 * both sides of the switch from inversion to rejection (10) and far beyond:
 * the sample mean and variance within 5 standard errors of lambda, and for
 * lambda = 1 the frequencies of 0..4 within 4.5 binomial standard errors of
 * e^-1 / k!.
 */
static void test_bootstrap_sampler_is_poisson(void **state)
{
	(void)state;
	static const double lambdas[] = { 0.5, 1, 3, 9.5, 10, 37, 1000, 2.5e6 };
	const int N = 20000;

	for (size_t li = 0; li < sizeof(lambdas) / sizeof(lambdas[0]); li++) {
		double lam = lambdas[li], sum = 0, sum2 = 0;
		uint64_t hist[5] = { 0 };
		for (int i = 0; i < N; i++) {
			double x = (double)ag_fairness_poisson((uint64_t)li << 32 | (uint64_t)i, lam);
			sum += x;
			sum2 += x * x;
			if (x < 5)
				hist[(int)x]++;
		}
		double mean = sum / N, var = sum2 / N - mean * mean;
		/* sd of the sample mean sqrt(lam / N); of the sample variance
		 * about lam * sqrt(2 / N) (plus a kurtosis term 1 / lam). */
		if (fabs(mean - lam) > 5 * sqrt(lam / N))
			fail_msg("lambda %g: mean %g", lam, mean);
		if (fabs(var - lam) > 5 * sqrt(lam * lam * 2.0 / N + lam / N))
			fail_msg("lambda %g: variance %g", lam, var);
		if (lam != 1)
			continue;
		double pk = exp(-1.0);
		for (int k = 0; k < 5; k++) {
			if (k)
				pk /= k;
			double se = sqrt(N * pk * (1 - pk));
			if (fabs((double)hist[k] - N * pk) > 4.5 * se)
				fail_msg("weight %d: %" PRIu64 " times, expected %.0f", k,
					 hist[k], N * pk);
		}
	}
	assert_int_equal(ag_fairness_poisson(7, 0), 0);
	/* A draw depends on its key alone. */
	assert_int_equal(ag_fairness_poisson(42, 123.5), ag_fairness_poisson(42, 123.5));
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Two groups whose selection rates differ by 0.1 (0.3 vs 0.4), TPR by 0.2;
 * returns the SPD interval width, checks that the intervals hold the
 * point estimates. */
static double spd_interval_width(size_t n, double *true_spd_err)
{
	static const char *const one_attr[] = { "group" };
	struct ag_fairness_options o;
	struct ag_fairness *f;
	struct ag_err err;
	struct ag_fairness_result res;
	uint64_t s = 0x9e3779b97f4a7c15u;

	ag_fairness_options_init(&o);
	o.nattrs = 1;
	o.attr_names = one_attr;
	o.seed = 5;
	assert_int_equal(ag_fairness_new(&o, &f, &err), 0);
	for (size_t i = 0; i < n; i++) {
		bool b = xorshift(&s) & 1;
		struct ag_fairness_value v = { b ? "b" : "a", 1 };
		double u1 = (double)(xorshift(&s) >> 11) / 9007199254740992.0;
		double u2 = (double)(xorshift(&s) >> 11) / 9007199254740992.0;
		int label = u1 < 0.5;
		/* P(pred | y=1) = .5 / .7, P(pred | y=0) = .1 / .1: selection
		 * .3 for a, .4 for b; TPR .5 and .7. */
		int pred = label ? u2 < (b ? 0.7 : 0.5) : u2 < 0.1;
		assert_int_equal(ag_fairness_add(f, i, label, pred, &v, &err), 0);
	}
	assert_int_equal(ag_fairness_finish(f, NULL, &res, &err), 0);
	const struct ag_fairness_attr_result *a = &res.attrs[0];
	for (int m = 0; m < AG_FAIR_NMETRICS; m++) {
		assert_int_equal(a->ci[m].defined, AG_FAIRNESS_REPLICATES);
		if (!(a->ci[m].lo <= a->metric[m] && a->metric[m] <= a->ci[m].hi))
			fail_msg("n=%zu %s: %g outside [%g, %g]", n,
				 ag_fairness_metric_name(m), a->metric[m],
				 a->ci[m].lo, a->ci[m].hi);
	}
	/* AOD of the non-reference group, and 0 for the reference. */
	for (size_t g = 0; g < a->ngroups; g++) {
		const struct ag_fairness_group *gr = &a->groups[g];
		assert_true(gr->aod_ci.lo <= gr->aod && gr->aod <= gr->aod_ci.hi);
	}
	double w = a->ci[AG_FAIR_SPD].hi - a->ci[AG_FAIR_SPD].lo;
	*true_spd_err = fabs(a->metric[AG_FAIR_SPD] - 0.1);
	ag_fairness_result_release(&res);
	ag_fairness_free(f);
	return w;
}

static void test_bootstrap_interval_holds_estimate_and_narrows(void **state)
{
	(void)state;
	double e1, e2;
	double w1 = spd_interval_width(2000, &e1);
	double w2 = spd_interval_width(50000, &e2);
	/* The standard error of a difference of two independent proportions
	 * .3 and .4 with n/2 rows each is sqrt((.3 * .7 + .4 * .6) / (n/2)):
	 * 0.02121 at n = 2,000, so a 95 % interval 3.92 * 0.02121 = 0.0832
	 * wide; at 50,000 five times narrower (0.01663).  (The group sizes
	 * are random too, which adds almost nothing.)  Allow 20 % for the
	 * bootstrap's own noise with 200 replicates. */
	if (fabs(w1 - 0.0832) > 0.2 * 0.0832 || fabs(w2 - 0.01663) > 0.2 * 0.01663)
		fail_msg("interval widths %g and %g", w1, w2);
	assert_true(w2 < w1 / 3);
	/* The estimate itself converges to the true 0.1. */
	assert_true(e2 < 0.02);
}

/* ---- errors and options ---- */

static void test_add_rejects_labels_other_than_zero_and_one(void **state)
{
	(void)state;
	struct ag_fairness *f = new_acc(false, 10, 0);
	struct ag_fairness_value v[NATTRS] = { { "a", 1 }, { "b", 1 }, { "c", 1 } };
	struct ag_err err;
	assert_int_equal(ag_fairness_add(f, 0, 2, 0, v, &err), AG_EINVAL);
	assert_int_equal(ag_fairness_add(f, 0, 1, -1, v, &err), AG_EINVAL);
	assert_int_equal(ag_fairness_rows(f), 0);
	ag_fairness_free(f);
}

static void test_too_many_groups_is_erange_and_counts_nothing(void **state)
{
	(void)state;
	struct ag_fairness_options o;
	struct ag_fairness *f;
	struct ag_err err;
	struct ag_fairness_result res;
	ag_fairness_options_init(&o);
	o.nattrs = NATTRS;
	o.attr_names = attr_names;
	o.max_groups = 2;
	assert_int_equal(ag_fairness_new(&o, &f, &err), 0);
	struct ag_fairness_value v[NATTRS] = { { "a", 1 }, { "x", 1 }, { "p", 1 } };
	assert_int_equal(ag_fairness_add(f, 0, 1, 1, v, &err), 0);
	v[2].p = "q";
	assert_int_equal(ag_fairness_add(f, 1, 1, 0, v, &err), 0);
	/* A new sex value "b" is fine, but region "r" is the third: the row
	 * is refused, and the half-made group "b" does not appear. */
	v[0].p = "b";
	v[2].p = "r";
	assert_int_equal(ag_fairness_add(f, 2, 0, 0, v, &err), AG_ERANGE);
	assert_non_null(strstr(err.msg, "region"));
	assert_int_equal(ag_fairness_rows(f), 2);
	assert_int_equal(ag_fairness_finish(f, NULL, &res, &err), 0);
	assert_int_equal(res.attrs[0].ngroups, 1);
	ag_fairness_result_release(&res);
	ag_fairness_free(f);
}

static void test_unknown_reference_is_not_found(void **state)
{
	(void)state;
	struct ag_fairness *f = new_acc(false, 0, 0);
	struct ag_fairness_result res;
	struct ag_err err;
	struct ag_fairness_value ref[NATTRS] = { { "Z", 1 }, { NULL, 0 }, { NULL, 0 } };
	for (size_t i = 0; i < 100; i++)
		add_row(f, &rows[i]);
	assert_int_equal(ag_fairness_finish(f, ref, &res, &err), AG_ENOTFOUND);
	ag_fairness_result_release(&res);
	/* Without replicates there are no intervals, and no NaN surprises. */
	assert_int_equal(ag_fairness_finish(f, NULL, &res, &err), 0);
	assert_int_equal(res.attrs[0].ci[AG_FAIR_SPD].defined, 0);
	assert_true(isnan(res.attrs[0].ci[AG_FAIR_SPD].lo));
	assert_false(isnan(res.attrs[0].metric[AG_FAIR_SPD]));
	ag_fairness_result_release(&res);
	ag_fairness_free(f);
}

static void test_new_rejects_bad_options(void **state)
{
	(void)state;
	static const char *const dup[] = { "a", "a" };
	struct ag_fairness_options o;
	struct ag_fairness *f;
	struct ag_err err;
	ag_fairness_options_init(&o);
	assert_int_equal(ag_fairness_new(&o, &f, &err), AG_EINVAL);
	o.nattrs = 2;
	o.attr_names = dup;
	assert_int_equal(ag_fairness_new(&o, &f, &err), AG_EINVAL);
	assert_null(f);
	o.nattrs = 1;
	o.replicates = AG_FAIRNESS_MAX_REPLICATES + 1;
	assert_int_equal(ag_fairness_new(&o, &f, &err), AG_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_and_metrics_match_pandas),
		cmocka_unit_test(test_split_merge_equals_one_pass),
		cmocka_unit_test(test_merge_refuses_other_attributes_or_seed),
		cmocka_unit_test(test_serialize_round_trip),
		cmocka_unit_test(test_malformed_state_is_rejected),
		cmocka_unit_test(test_bootstrap_sampler_is_poisson),
		cmocka_unit_test(test_bootstrap_interval_holds_estimate_and_narrows),
		cmocka_unit_test(test_add_rejects_labels_other_than_zero_and_one),
		cmocka_unit_test(test_too_many_groups_is_erange_and_counts_nothing),
		cmocka_unit_test(test_unknown_reference_is_not_found),
		cmocka_unit_test(test_new_rejects_bad_options),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
