/*
 * Drift metrics (include/aigov/drift.h).  Expected values come from
 * numpy 1.24 / pandas 1.5 / scipy 1.10, written to tests/data/drift_*.csv by
 * `/usr/bin/python3 tests/tools/make_drift_reference.py` (see that script
 * for how each value is computed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/drift.h"
#include "aigov/perf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AIGOV_TEST_DATA
#define AIGOV_TEST_DATA "tests/data"
#endif

/* ---- reading the reference files ---- */

struct row {
	char f[3][64];   /* the first three fields */
};

struct table {
	struct row *rows;
	size_t n;
};

/* A CSV of at most three plain fields (no quoting: the script writes none). */
static struct table load(const char *name)
{
	char path[512], line[256];
	struct table t = { 0 };
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", AIGOV_TEST_DATA, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	if (!fgets(line, sizeof(line), f))   /* header */
		fail_msg("%s is empty", path);
	while (fgets(line, sizeof(line), f)) {
		struct row r;
		char *p = line;
		memset(&r, 0, sizeof(r));
		line[strcspn(line, "\r\n")] = '\0';
		for (int i = 0; i < 3 && p; i++) {
			char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			assert_true(len < sizeof(r.f[i]));
			memcpy(r.f[i], p, len);
			p = comma ? comma + 1 : NULL;
		}
		if (t.n == cap) {
			cap = cap ? cap * 2 : 1024;
			t.rows = realloc(t.rows, cap * sizeof(*t.rows));
			assert_non_null(t.rows);
		}
		t.rows[t.n++] = r;
	}
	fclose(f);
	return t;
}

static double ref_value(const struct table *ref, const char *dataset,
			const char *stat)
{
	for (size_t i = 0; i < ref->n; i++)
		if (!strcmp(ref->rows[i].f[0], dataset) &&
		    !strcmp(ref->rows[i].f[1], stat))
			return strtod(ref->rows[i].f[2], NULL);
	fail_msg("no reference %s.%s", dataset, stat);
	return NAN;
}

static void check_close(const char *what, double got, double want,
			double rel)
{
	double tol = rel * fabs(want);

	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.17g want %.17g (rel. tolerance %g)", what,
			 got, want, rel);
}

static void check_exact(const char *what, double got, double want)
{
	if (got != want)
		fail_msg("%s: got %.17g want %.17g (exact)", what, got, want);
}

/* Feed the values of `dataset` to ref and cur.  keep(i) chooses which
 * rows (by position within the dataset) go in. */
static void feed_numeric(const struct table *data, const char *dataset,
			 struct ag_drift_num *ref, struct ag_drift_num *cur,
			 size_t part, size_t nparts)
{
	struct ag_err err;
	size_t k = 0;

	for (size_t i = 0; i < data->n; i++) {
		const struct row *r = &data->rows[i];
		if (strcmp(r->f[0], dataset))
			continue;
		if (k++ % nparts != part)
			continue;
		struct ag_drift_num *a = !strcmp(r->f[1], "ref") ? ref : cur;
		if (r->f[2][0] == '\0')
			assert_int_equal(ag_drift_num_add(a, NAN, &err), 0);
		else
			assert_int_equal(ag_drift_num_add(a, strtod(r->f[2], NULL),
							  &err), 0);
	}
}

static void feed_categorical(const struct table *data, const char *dataset,
			     struct ag_drift_cat *ref, struct ag_drift_cat *cur,
			     size_t part, size_t nparts, bool backwards)
{
	struct ag_err err;
	size_t k = 0;

	for (size_t j = 0; j < data->n; j++) {
		size_t i = backwards ? data->n - 1 - j : j;
		const struct row *r = &data->rows[i];
		if (strcmp(r->f[0], dataset))
			continue;
		if (k++ % nparts != part)
			continue;
		struct ag_drift_cat *c = !strcmp(r->f[1], "ref") ? ref : cur;
		if (r->f[2][0] == '\0')
			assert_int_equal(ag_drift_cat_add_missing(c, 1, &err), 0);
		else
			assert_int_equal(ag_drift_cat_add(c, r->f[2],
							  strlen(r->f[2]), 1,
							  &err), 0);
	}
}

/* ---- numeric against scipy ---- */

static void check_numeric_against_reference(const char *dataset)
{
	struct table data = load("drift_numeric.csv");
	struct table ref = load("drift_reference.csv");
	struct ag_drift_num a, b;
	struct ag_drift_num_result res;
	struct ag_err err;
	char name[64];

	ag_drift_num_init(&a);
	ag_drift_num_init(&b);
	feed_numeric(&data, dataset, &a, &b, 0, 1);
	assert_int_equal(ag_drift_numeric(&a, &b, &res, &err), 0);

	check_exact("n_ref", (double)res.n_ref, ref_value(&ref, dataset, "n_ref"));
	check_exact("n_cur", (double)res.n_cur, ref_value(&ref, dataset, "n_cur"));
	check_exact("missing_ref", (double)res.missing_ref,
		    ref_value(&ref, dataset, "missing_ref"));
	check_exact("missing_cur", (double)res.missing_cur,
		    ref_value(&ref, dataset, "missing_cur"));
	/* Deciles to the bit: bin edges decide where tied values go. */
	for (int i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "cut%d", i + 1);
		check_exact(name, res.cuts[i], ref_value(&ref, dataset, name));
	}
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "bin_ref%d", i);
		check_exact(name, (double)res.bin_ref[i],
			    ref_value(&ref, dataset, name));
		snprintf(name, sizeof(name), "bin_cur%d", i);
		check_exact(name, (double)res.bin_cur[i],
			    ref_value(&ref, dataset, name));
	}
	/* KS: the same divisions as scipy, so the same double. */
	check_exact("ks", res.ks, ref_value(&ref, dataset, "ks"));
	check_close("psi", res.psi, ref_value(&ref, dataset, "psi"), 1e-12);
	check_close("js_distance", res.js_distance,
		    ref_value(&ref, dataset, "js_distance"), 1e-12);
	check_close("wasserstein", res.wasserstein,
		    ref_value(&ref, dataset, "wasserstein"), 1e-12);
	/* A p-value near 1e-43 from exp(-2 z^2): the argument's rounding is
	 * amplified by 4 z^2 ~ 200, hence 1e-11. */
	check_close("ks_pvalue", res.ks_pvalue,
		    ref_value(&ref, dataset, "ks_pvalue"), 1e-11);
	/* scipy's ks_2samp(method='asymp') uses the finite-n distribution:
	 * the same order of magnitude, not the same value. */
	double scipy_asymp = ref_value(&ref, dataset, "ks_pvalue_scipy_asymp");
	assert_true(res.ks_pvalue / scipy_asymp < 2.5 &&
		    res.ks_pvalue / scipy_asymp > 0.4);

	double mr = (double)res.missing_ref /
		    (double)(res.missing_ref + res.n_ref);
	double mc = (double)res.missing_cur /
		    (double)(res.missing_cur + res.n_cur);
	check_close("missing_rate_change", res.missing_rate_change, mc - mr,
		    1e-15);

	ag_drift_num_release(&a);
	ag_drift_num_release(&b);
	free(data.rows);
	free(ref.rows);
}

static void test_numeric_shifted_normal_matches_scipy(void **state)
{
	(void)state;
	check_numeric_against_reference("normal");
}

static void test_numeric_with_ties_and_repeated_deciles_matches_scipy(void **state)
{
	(void)state;
	check_numeric_against_reference("ties");
}

/* ---- categorical against scipy ---- */

static void check_categorical_against_reference(const char *dataset)
{
	struct table data = load("drift_categorical.csv");
	struct table ref = load("drift_reference.csv");
	struct ag_drift_cat a, b;
	struct ag_drift_cat_result res;
	struct ag_err err;

	ag_drift_cat_init(&a);
	ag_drift_cat_init(&b);
	feed_categorical(&data, dataset, &a, &b, 0, 1, false);
	assert_int_equal(ag_drift_categorical(&a, &b, &res, &err), 0);
	check_exact("n_ref", (double)res.n_ref, ref_value(&ref, dataset, "n_ref"));
	check_exact("n_cur", (double)res.n_cur, ref_value(&ref, dataset, "n_cur"));
	check_exact("missing_ref", (double)res.missing_ref,
		    ref_value(&ref, dataset, "missing_ref"));
	check_exact("missing_cur", (double)res.missing_cur,
		    ref_value(&ref, dataset, "missing_cur"));
	check_exact("categories", (double)res.categories,
		    ref_value(&ref, dataset, "categories"));
	check_exact("only_ref", (double)res.only_ref,
		    ref_value(&ref, dataset, "only_ref"));
	check_exact("only_cur", (double)res.only_cur,
		    ref_value(&ref, dataset, "only_cur"));
	check_exact("chi2_df", res.chi2_df, ref_value(&ref, dataset, "chi2_df"));
	check_close("psi", res.psi, ref_value(&ref, dataset, "psi"), 1e-12);
	check_close("chi2", res.chi2, ref_value(&ref, dataset, "chi2"), 1e-12);
	double want = ref_value(&ref, dataset, "chi2_pvalue");
	if (want == 0)
		assert_true(res.chi2_pvalue < 1e-300);
	else
		check_close("chi2_pvalue", res.chi2_pvalue, want, 1e-10);
	ag_drift_cat_release(&a);
	ag_drift_cat_release(&b);
	free(data.rows);
	free(ref.rows);
}

static void test_categorical_with_one_sided_categories_matches_scipy(void **state)
{
	(void)state;
	check_categorical_against_reference("categorical");
}

static void test_categorical_small_shift_matches_scipy_pvalue(void **state)
{
	(void)state;
	check_categorical_against_reference("categorical_close");
}

static void test_distributions_match_scipy(void **state)
{
	char path[512], line[256], what[128];
	size_t checked = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/drift_distributions.csv",
		 AIGOV_TEST_DATA);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));   /* header */
	while (fgets(line, sizeof(line), f)) {
		char fn[32];
		double x, df, want;
		assert_int_equal(sscanf(line, "%31[^,],%lf,%lf,%lf", fn, &x, &df,
					&want), 4);
		snprintf(what, sizeof(what), "%s(x=%g, df=%g)", fn, x, df);
		if (!strcmp(fn, "kolmogorov"))
			check_close(what, ag_kolmogorov_sf(x), want, 1e-13);
		else
			check_close(what, ag_chi2_sf(x, df), want, 1e-10);
		checked++;
	}
	fclose(f);
	assert_true(checked >= 30);
}

/* ---- accumulator behaviour ---- */

static void test_numeric_merge_of_splits_equals_whole(void **state)
{
	struct table data = load("drift_numeric.csv");
	struct ag_drift_num wa, wb, pa[3], pb[3], ma, mb;
	struct ag_drift_num_result whole, merged;
	struct ag_err err;

	(void)state;
	ag_drift_num_init(&wa);
	ag_drift_num_init(&wb);
	feed_numeric(&data, "normal", &wa, &wb, 0, 1);
	assert_int_equal(ag_drift_numeric(&wa, &wb, &whole, &err), 0);

	/* Rows dealt round-robin to three parts, merged in reverse order. */
	ag_drift_num_init(&ma);
	ag_drift_num_init(&mb);
	for (int p = 0; p < 3; p++) {
		ag_drift_num_init(&pa[p]);
		ag_drift_num_init(&pb[p]);
		feed_numeric(&data, "normal", &pa[p], &pb[p], (size_t)p, 3);
	}
	for (int p = 2; p >= 0; p--) {
		assert_int_equal(ag_drift_num_merge(&ma, &pa[p], &err), 0);
		assert_int_equal(ag_drift_num_merge(&mb, &pb[p], &err), 0);
		ag_drift_num_release(&pa[p]);
		ag_drift_num_release(&pb[p]);
	}
	assert_int_equal(ag_drift_numeric(&ma, &mb, &merged, &err), 0);
	assert_memory_equal(&whole, &merged, sizeof(whole));

	/* One unsorted accumulator merged into an empty one (the merged one
	 * must not believe itself sorted). */
	{
		struct ag_drift_num ea, eb;
		ag_drift_num_init(&ea);
		ag_drift_num_init(&eb);
		ag_drift_num_init(&pa[0]);
		ag_drift_num_init(&pb[0]);
		feed_numeric(&data, "normal", &pa[0], &pb[0], 0, 1);
		assert_int_equal(ag_drift_num_merge(&ea, &pa[0], &err), 0);
		assert_int_equal(ag_drift_num_merge(&eb, &pb[0], &err), 0);
		assert_int_equal(ag_drift_numeric(&ea, &eb, &merged, &err), 0);
		assert_memory_equal(&whole, &merged, sizeof(whole));
		ag_drift_num_release(&pa[0]);
		ag_drift_num_release(&pb[0]);
		ag_drift_num_release(&ea);
		ag_drift_num_release(&eb);
	}

	/* Merging an accumulator into itself doubles every count: the
	 * distribution, hence KS and PSI, is unchanged. */
	assert_int_equal(ag_drift_num_merge(&ma, &ma, &err), 0);
	assert_int_equal(ag_drift_numeric(&ma, &mb, &merged, &err), 0);
	assert_int_equal(merged.n_ref, 2 * whole.n_ref);
	assert_int_equal(merged.missing_ref, 2 * whole.missing_ref);
	check_exact("ks after self-merge", merged.ks, whole.ks);

	ag_drift_num_release(&wa);
	ag_drift_num_release(&wb);
	ag_drift_num_release(&ma);
	ag_drift_num_release(&mb);
	free(data.rows);
}

/* Add the "normal" reference values of rows [from, to) to a. */
/* Value i of a generated sample: part "few" has 50 distinct values (ties
 * with part "many"), "many" more distinct values than the table holds. */
static double few_value(size_t i)
{
	return (double)(i % 50) * 0.25;
}

static double many_value(size_t i)
{
	return (double)(i * 7919 % 100003) / 8.0;
}

static void feed_gen(struct ag_drift_num *a, double (*f)(size_t), size_t from, size_t to)
{
	struct ag_err err;

	for (size_t i = from; i < to; i++)
		assert_int_equal(ag_drift_num_add(a, f(i), &err), 0);
}

/* A side with few distinct values is counted in a table, one with many
 * keeps every value: merging one of each, either way round, gives the
 * bits of the whole. */
static void test_numeric_counted_and_kept_sides_merge_alike(void **state)
{
	enum { FEW = 3000, MANY = AG_DRIFT_TABLE_MAX + 700 };
	struct ag_drift_num whole, cur, few, many, few2, many2;
	struct ag_drift_num_result want, got;
	struct ag_err err;

	(void)state;
	ag_drift_num_init(&whole);
	ag_drift_num_init(&cur);
	ag_drift_num_init(&few);
	ag_drift_num_init(&many);
	ag_drift_num_init(&few2);
	ag_drift_num_init(&many2);
	feed_gen(&cur, few_value, 7, 2007);
	feed_gen(&cur, many_value, 50000, 60000);
	feed_gen(&whole, few_value, 0, FEW);
	feed_gen(&whole, many_value, 0, MANY);
	feed_gen(&few, few_value, 0, FEW);
	feed_gen(&many, many_value, 0, MANY);
	feed_gen(&few2, few_value, 0, FEW);
	feed_gen(&many2, many_value, 0, MANY);
	assert_true(whole.spilled && many.spilled && !few.spilled && !cur.spilled);
	assert_int_equal(ag_drift_numeric(&whole, &cur, &want, &err), 0);
	assert_int_equal(ag_drift_num_merge(&few, &many, &err), 0); /* the table gives up */
	assert_true(few.spilled);
	assert_int_equal(ag_drift_numeric(&few, &cur, &got, &err), 0);
	assert_memory_equal(&want, &got, sizeof(want));
	assert_int_equal(ag_drift_num_merge(&many2, &few2, &err), 0); /* runs into the array */
	assert_int_equal(ag_drift_numeric(&many2, &cur, &got, &err), 0);
	assert_memory_equal(&want, &got, sizeof(want));
	ag_drift_num_release(&whole);
	ag_drift_num_release(&cur);
	ag_drift_num_release(&few);
	ag_drift_num_release(&many);
	ag_drift_num_release(&few2);
	ag_drift_num_release(&many2);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* The score's drift in aigov evaluate takes the data's scores as the
 * performance's sort left them (ag_perf_take_scores, then
 * ag_drift_num_adopt_sorted): the same scores, ascending, and the same
 * drift bit for bit as adding them one by one, whether the values would
 * have been counted in the table (few distinct) or kept (many). */
static void test_numeric_adopted_scores_equal_added(void **state)
{
	enum { N = AG_DRIFT_TABLE_MAX * 3 };
	double *in = malloc(N * sizeof(*in));
	uint64_t x = 12345;
	struct ag_err err;

	(void)state;
	assert_non_null(in);
	for (int distinct = 0; distinct < 2; distinct++) {
		struct ag_perf p;
		struct ag_perf_result pr;
		struct ag_drift_num ref, added, adopted;
		struct ag_drift_num_result want, got;
		size_t n = 0, bytes = 0;
		double *out;

		ag_drift_num_init(&ref);
		ag_drift_num_init(&added);
		ag_drift_num_init(&adopted);
		assert_int_equal(ag_perf_init(&p, 0.5, &err), 0);
		for (size_t i = 0; i < N; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			in[i] = distinct ? (double)(x >> 11) / 9007199254740992.0
					 : (double)((x >> 33) % 101) / 100.0;
			if (i % 97 == 0)
				in[i] = i % 2 ? 1.0 : 0.0; /* the ends too */
			assert_int_equal(ag_perf_add(&p, (int)(x >> 63), in[i], AG_PERF_NO_DECISION,
						     i + 2, &err), 0);
			assert_int_equal(ag_drift_num_add(&added, in[i], &err), 0);
			assert_int_equal(ag_drift_num_add(&ref, in[i] * 0.9 + 0.05, &err), 0);
		}
		assert_int_equal(ag_perf_finish(&p, &pr, &err), 0);
		out = ag_perf_take_scores(&p, &n, &bytes);
		assert_non_null(out);
		assert_int_equal(n, N);
		assert_true(bytes >= N * sizeof(double));
		qsort(in, N, sizeof(*in), cmp_double);
		assert_memory_equal(in, out, N * sizeof(*in));
		assert_int_equal(p.n, 0);
		assert_true(added.spilled == (distinct == 1));
		ag_drift_num_adopt_sorted(&adopted, out, n, bytes);
		assert_int_equal(ag_drift_numeric(&ref, &added, &want, &err), 0);
		assert_int_equal(ag_drift_numeric(&ref, &adopted, &got, &err), 0);
		assert_memory_equal(&want, &got, sizeof(want));
		ag_perf_release(&p);
		ag_drift_num_release(&ref);
		ag_drift_num_release(&added);
		ag_drift_num_release(&adopted);
	}
	free(in);
}

static int cmp_run_key(const void *x, const void *y)
{
	uint64_t a = ((const struct ag_drift_run *)x)->key, b = ((const struct ag_drift_run *)y)->key;

	return (a > b) - (a < b);
}

/* A table that grows from its first slots to the limit keeps every
 * count: each distinct value's count against one counted apart. */
static void test_numeric_table_growth_keeps_counts(void **state)
{
	enum { N = 200000, DISTINCT = AG_DRIFT_TABLE_MAX };
	static uint64_t want[DISTINCT];
	static struct ag_drift_run runs[DISTINCT];
	struct ag_drift_num t;
	struct ag_err err;
	uint64_t total = 0;

	(void)state;
	memset(want, 0, sizeof(want));
	ag_drift_num_init(&t);
	for (size_t i = 0; i < N; i++) {
		size_t r = (size_t)((uint64_t)i * 2654435761u % DISTINCT);

		want[r]++;
		assert_int_equal(ag_drift_num_add(&t, (double)r - 3000.5, &err), 0);
	}
	assert_false(t.spilled);
	assert_int_equal(t.distinct, DISTINCT);
	assert_true(t.slots >= 2 * (size_t)DISTINCT);
	/* keys preserve order: the r-th smallest key is value r's */
	size_t m = 0;
	for (size_t i = 0; i < t.slots; i++)
		if (t.table[i].key)
			runs[m++] = t.table[i];
	assert_int_equal(m, DISTINCT);
	qsort(runs, m, sizeof(runs[0]), cmp_run_key);
	for (size_t r = 0; r < DISTINCT; r++) {
		assert_int_equal(runs[r].count, want[r]);
		total += runs[r].count;
	}
	assert_int_equal(total, N);
	/* one more distinct value: the table gives way to the array */
	assert_int_equal(ag_drift_num_add(&t, 1e9, &err), 0);
	assert_true(t.spilled && t.table == NULL && t.nkeys == N + 1);
	ag_drift_num_release(&t);
}

static void test_categorical_merge_of_splits_equals_whole(void **state)
{
	struct table data = load("drift_categorical.csv");
	struct ag_drift_cat wa, wb, pa[4], pb[4], ma, mb;
	struct ag_drift_cat_result whole, merged;
	struct ag_err err;

	(void)state;
	ag_drift_cat_init(&wa);
	ag_drift_cat_init(&wb);
	feed_categorical(&data, "categorical", &wa, &wb, 0, 1, false);
	assert_int_equal(ag_drift_categorical(&wa, &wb, &whole, &err), 0);
	ag_drift_cat_init(&ma);
	ag_drift_cat_init(&mb);
	for (int p = 0; p < 4; p++) {
		ag_drift_cat_init(&pa[p]);
		ag_drift_cat_init(&pb[p]);
		/* Backwards: categories first seen in another order. */
		feed_categorical(&data, "categorical", &pa[p], &pb[p],
				 (size_t)p, 4, true);
	}
	for (int p = 3; p >= 0; p--) {
		assert_int_equal(ag_drift_cat_merge(&ma, &pa[p], &err), 0);
		assert_int_equal(ag_drift_cat_merge(&mb, &pb[p], &err), 0);
		ag_drift_cat_release(&pa[p]);
		ag_drift_cat_release(&pb[p]);
	}
	assert_int_equal(ag_drift_categorical(&ma, &mb, &merged, &err), 0);
	assert_memory_equal(&whole, &merged, sizeof(whole));

	/* Self-merge doubles every count: shares, hence PSI, unchanged. */
	assert_int_equal(ag_drift_cat_merge(&ma, &ma, &err), 0);
	assert_int_equal(ag_drift_categorical(&ma, &mb, &merged, &err), 0);
	assert_int_equal(merged.n_ref, 2 * whole.n_ref);
	assert_int_equal(merged.missing_ref, 2 * whole.missing_ref);
	check_exact("psi after self-merge", merged.psi, whole.psi);
	ag_drift_cat_release(&wa);
	ag_drift_cat_release(&wb);
	ag_drift_cat_release(&ma);
	ag_drift_cat_release(&mb);
	free(data.rows);
}

static void test_numeric_serialize_round_trip(void **state)
{
	struct table data = load("drift_numeric.csv");
	struct ag_drift_num a, b, a2, b2;
	struct ag_drift_num_result r1, r2;
	struct ag_buf sa, sb, again;
	struct ag_err err;

	(void)state;
	ag_drift_num_init(&a);
	ag_drift_num_init(&b);
	ag_drift_num_init(&a2);
	ag_drift_num_init(&b2);
	ag_buf_init(&sa);
	ag_buf_init(&sb);
	ag_buf_init(&again);
	feed_numeric(&data, "ties", &a, &b, 0, 1);
	assert_int_equal(ag_drift_num_serialize(&a, &sa, &err), 0);
	assert_int_equal(ag_drift_num_serialize(&b, &sb, &err), 0);
	assert_int_equal(sa.len, 24 + 8 * a.n);
	/* Little-endian header: magic, version 1, n. */
	assert_memory_equal(sa.buf, "AGDN\1\0\0\0", 8);
	assert_int_equal((unsigned char)sa.buf[8], a.n & 0xff);
	assert_int_equal(ag_drift_num_deserialize(&a2, sa.buf, sa.len, &err), 0);
	assert_int_equal(ag_drift_num_deserialize(&b2, sb.buf, sb.len, &err), 0);
	assert_int_equal(ag_drift_num_serialize(&a2, &again, &err), 0);
	assert_int_equal(again.len, sa.len);
	assert_memory_equal(again.buf, sa.buf, sa.len);
	assert_int_equal(ag_drift_numeric(&a, &b, &r1, &err), 0);
	assert_int_equal(ag_drift_numeric(&a2, &b2, &r2, &err), 0);
	assert_memory_equal(&r1, &r2, sizeof(r1));
	ag_drift_num_release(&a);
	ag_drift_num_release(&b);
	ag_drift_num_release(&a2);
	ag_drift_num_release(&b2);
	ag_buf_release(&sa);
	ag_buf_release(&sb);
	ag_buf_release(&again);
	free(data.rows);
}

static void test_categorical_serialize_round_trip(void **state)
{
	struct table data = load("drift_categorical.csv");
	struct ag_drift_cat a, b, a2, b2;
	struct ag_drift_cat_result r1, r2;
	struct ag_buf sa, sb;
	struct ag_err err;

	(void)state;
	ag_drift_cat_init(&a);
	ag_drift_cat_init(&b);
	ag_drift_cat_init(&a2);
	ag_drift_cat_init(&b2);
	ag_buf_init(&sa);
	ag_buf_init(&sb);
	feed_categorical(&data, "categorical", &a, &b, 0, 1, false);
	/* A category with an embedded NUL survives too. */
	assert_int_equal(ag_drift_cat_add(&a, "x\0y", 3, 2, &err), 0);
	assert_int_equal(ag_drift_cat_serialize(&a, &sa, &err), 0);
	assert_int_equal(ag_drift_cat_serialize(&b, &sb, &err), 0);
	assert_memory_equal(sa.buf, "AGDC\1\0\0\0", 8);
	assert_int_equal(ag_drift_cat_deserialize(&a2, sa.buf, sa.len, &err), 0);
	assert_int_equal(ag_drift_cat_deserialize(&b2, sb.buf, sb.len, &err), 0);
	assert_int_equal(a2.n, a.n);
	assert_int_equal(a2.missing, a.missing);
	assert_int_equal(ag_drift_categorical(&a, &b, &r1, &err), 0);
	assert_int_equal(ag_drift_categorical(&a2, &b2, &r2, &err), 0);
	assert_memory_equal(&r1, &r2, sizeof(r1));
	ag_drift_cat_release(&a);
	ag_drift_cat_release(&b);
	ag_drift_cat_release(&a2);
	ag_drift_cat_release(&b2);
	ag_buf_release(&sa);
	ag_buf_release(&sb);
	free(data.rows);
}

static void put64(char *p, uint64_t x)
{
	for (int i = 0; i < 8; i++)
		p[i] = (char)(x >> (8 * i));
}

static void expect_num_parse_error(const char *p, size_t len)
{
	struct ag_drift_num a;
	struct ag_err err;

	ag_drift_num_init(&a);
	assert_int_equal(ag_drift_num_add(&a, 42.0, &err), 0);
	ag_err_clear(&err);
	assert_int_equal(ag_drift_num_deserialize(&a, p, len, &err), AG_EPARSE);
	assert_int_equal(err.code, AG_EPARSE);
	assert_true(strstr(err.msg, "drift state") != NULL);
	/* Unchanged on failure. */
	assert_int_equal(a.n, 1);
	ag_drift_num_release(&a);
}

static void expect_cat_parse_error(const char *p, size_t len)
{
	struct ag_drift_cat c;
	struct ag_err err;

	ag_drift_cat_init(&c);
	assert_int_equal(ag_drift_cat_add(&c, "keep", 4, 1, &err), 0);
	assert_int_equal(ag_drift_cat_deserialize(&c, p, len, &err), AG_EPARSE);
	assert_true(strstr(err.msg, "drift state") != NULL);
	assert_int_equal(c.n, 1);
	ag_drift_cat_release(&c);
}

static void test_malformed_state_is_refused(void **state)
{
	struct ag_drift_num a;
	struct ag_drift_cat c;
	struct ag_buf s;
	struct ag_err err;
	char *m;

	(void)state;
	/* Numeric: every truncation, bad magic, version, count, values. */
	ag_drift_num_init(&a);
	ag_buf_init(&s);
	assert_int_equal(ag_drift_num_add(&a, 1.5, &err), 0);
	assert_int_equal(ag_drift_num_add(&a, -2.0, &err), 0);
	assert_int_equal(ag_drift_num_add_missing(&a, 3, &err), 0);
	assert_int_equal(ag_drift_num_serialize(&a, &s, &err), 0);
	assert_int_equal(s.len, 40);
	for (size_t len = 0; len < s.len; len++)
		expect_num_parse_error(s.buf, len);
	m = malloc(s.len + 8);
	memcpy(m, s.buf, s.len);
	memset(m + s.len, 0, 8);
	expect_num_parse_error(m, s.len + 8);          /* extra value bytes */
	expect_num_parse_error(m, s.len + 3);          /* trailing bytes */
	m[0] = 'X';
	expect_num_parse_error(m, s.len);
	memcpy(m, s.buf, s.len);
	m[4] = 2;                                      /* version 2 */
	expect_num_parse_error(m, s.len);
	memcpy(m, s.buf, s.len);
	put64(m + 8, UINT64_C(0x2000000000000002));    /* n * 8 wraps to 16 */
	expect_num_parse_error(m, s.len);
	memcpy(m, s.buf, s.len);
	put64(m + 24, UINT64_C(0x7ff8000000000000));   /* NaN */
	expect_num_parse_error(m, s.len);
	put64(m + 24, UINT64_C(0x7ff0000000000000));   /* +inf */
	expect_num_parse_error(m, s.len);
	put64(m + 24, UINT64_C(0x8000000000000000));   /* -0.0 */
	expect_num_parse_error(m, s.len);
	free(m);
	ag_drift_num_release(&a);

	/* Categorical. */
	ag_buf_reset(&s);
	ag_drift_cat_init(&c);
	assert_int_equal(ag_drift_cat_add(&c, "ab", 2, 5, &err), 0);
	assert_int_equal(ag_drift_cat_add(&c, "c", 1, 7, &err), 0);
	assert_int_equal(ag_drift_cat_serialize(&c, &s, &err), 0);
	assert_int_equal(s.len, 24 + 18 + 17);
	for (size_t len = 0; len < s.len; len++)
		expect_cat_parse_error(s.buf, len);
	m = malloc(s.len + 1);
	memcpy(m, s.buf, s.len);
	m[s.len] = 0;
	expect_cat_parse_error(m, s.len + 1);           /* trailing byte */
	put64(m + 8, UINT64_C(1) << 60);                /* huge category count */
	expect_cat_parse_error(m, s.len);
	memcpy(m, s.buf, s.len);
	put64(m + 24, UINT64_C(0xffffffffffffff00));    /* huge text length */
	expect_cat_parse_error(m, s.len);
	free(m);
	/* A repeated category and a zero count, built by hand. */
	char dup[24 + 17 + 17], zero[24 + 17];
	memcpy(dup, "AGDC\1\0\0\0", 8);
	put64(dup + 8, 2);
	put64(dup + 16, 0);
	put64(dup + 24, 1);
	dup[32] = 'q';
	put64(dup + 33, 4);
	memcpy(dup + 41, dup + 24, 17);
	expect_cat_parse_error(dup, sizeof(dup));
	memcpy(zero, dup, sizeof(zero));
	put64(zero + 8, 1);
	put64(zero + 33, 0);
	expect_cat_parse_error(zero, sizeof(zero));
	/* Counts that overflow when summed. */
	memcpy(dup + 41 + 8, "r", 1);
	put64(dup + 33, UINT64_C(1) << 63);
	put64(dup + 50, UINT64_C(1) << 63);
	expect_cat_parse_error(dup, sizeof(dup));
	ag_drift_cat_release(&c);
	ag_buf_release(&s);
}

static void test_identical_distributions_give_zero_drift(void **state)
{
	struct ag_drift_num a, b;
	struct ag_drift_num_result r;
	struct ag_drift_cat ca, cb;
	struct ag_drift_cat_result cr;
	struct ag_err err;
	uint64_t s = 7;

	(void)state;
	ag_drift_num_init(&a);
	ag_drift_num_init(&b);
	for (int i = 0; i < 10000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		double v = (double)(s % 1000) / 7.0 - 50;
		assert_int_equal(ag_drift_num_add(&a, v, &err), 0);
		/* The current holds each value twice, in another order:
		 * the same distribution. */
		assert_int_equal(ag_drift_num_add(&b, v, &err), 0);
	}
	assert_int_equal(ag_drift_num_merge(&b, &a, &err), 0);
	assert_int_equal(ag_drift_numeric(&a, &b, &r, &err), 0);
	check_exact("psi", r.psi, 0);
	check_exact("ks", r.ks, 0);
	check_exact("js", r.js_distance, 0);
	check_exact("wasserstein", r.wasserstein, 0);
	check_exact("ks_pvalue", r.ks_pvalue, 1);
	ag_drift_num_release(&a);
	ag_drift_num_release(&b);

	ag_drift_cat_init(&ca);
	ag_drift_cat_init(&cb);
	assert_int_equal(ag_drift_cat_add(&ca, "yes", 3, 30, &err), 0);
	assert_int_equal(ag_drift_cat_add(&ca, "no", 2, 70, &err), 0);
	assert_int_equal(ag_drift_cat_add(&cb, "no", 2, 140, &err), 0);
	assert_int_equal(ag_drift_cat_add(&cb, "yes", 3, 60, &err), 0);
	assert_int_equal(ag_drift_categorical(&ca, &cb, &cr, &err), 0);
	check_exact("cat psi", cr.psi, 0);
	check_exact("chi2", cr.chi2, 0);
	check_exact("chi2 p", cr.chi2_pvalue, 1);
	ag_drift_cat_release(&ca);
	ag_drift_cat_release(&cb);
}

static void test_empty_inputs_are_a_clear_error(void **state)
{
	struct ag_drift_num a, b;
	struct ag_drift_num_result r;
	struct ag_drift_cat ca, cb;
	struct ag_drift_cat_result cr;
	struct ag_err err;

	(void)state;
	ag_drift_num_init(&a);
	ag_drift_num_init(&b);
	assert_int_equal(ag_drift_num_add(&b, 1.0, &err), 0);
	assert_int_equal(ag_drift_num_add(&a, NAN, &err), 0);   /* missing */
	assert_int_equal(ag_drift_numeric(&a, &b, &r, &err), AG_EINVAL);
	assert_string_equal(err.msg,
		"drift: the reference has no non-missing values (1 missing)");
	assert_int_equal(ag_drift_num_add(&a, 1.0, &err), 0);
	ag_drift_num_release(&b);
	assert_int_equal(ag_drift_numeric(&a, &b, &r, &err), AG_EINVAL);
	assert_non_null(strstr(err.msg, "current data has no non-missing"));
	ag_drift_num_release(&a);

	ag_drift_cat_init(&ca);
	ag_drift_cat_init(&cb);
	assert_int_equal(ag_drift_cat_add(&cb, "a", 1, 1, &err), 0);
	assert_int_equal(ag_drift_categorical(&ca, &cb, &cr, &err), AG_EINVAL);
	assert_non_null(strstr(err.msg, "reference has no non-missing"));
	assert_int_equal(ag_drift_categorical(&cb, &ca, &cr, &err), AG_EINVAL);
	assert_non_null(strstr(err.msg, "current data has no non-missing"));
	ag_drift_cat_release(&ca);
	ag_drift_cat_release(&cb);
}

static void test_infinite_values_are_refused_and_nan_is_missing(void **state)
{
	struct ag_drift_num a;
	struct ag_err err;
	double v[3] = { 1.0, NAN, -0.0 };

	(void)state;
	ag_drift_num_init(&a);
	assert_int_equal(ag_drift_num_add(&a, INFINITY, &err), AG_EINVAL);
	assert_int_equal(ag_drift_num_add(&a, -INFINITY, &err), AG_EINVAL);
	assert_int_equal(ag_drift_num_add_many(&a, v, 3, &err), 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.missing, 1);
	assert_int_equal(ag_drift_num_add_missing(&a, UINT64_MAX, &err),
			 AG_ERANGE);
	assert_int_equal(a.missing, 1);
	ag_drift_num_release(&a);
}

/*
 * The radix sort, through the metrics: mixed signs, magnitudes from 1e-300
 * to 1e300, zeros of both signs and many repeats, against a naive KS and
 * bin count computed here with qsort.
 */
static void test_sort_handles_signs_magnitudes_and_repeats(void **state)
{
	enum { N1 = 80000, N2 = 50021 }; /* more distinct values than a table counts */
	double *x = malloc(N1 * sizeof(double)), *y = malloc(N2 * sizeof(double));
	struct ag_drift_num a, b;
	struct ag_drift_num_result r;
	struct ag_err err;
	uint64_t s = 99;

	(void)state;
	ag_drift_num_init(&a);
	ag_drift_num_init(&b);
	for (int i = 0; i < N1 + N2; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		double v;
		switch (s % 4) {
		case 0: v = (double)(int)(s >> 40 & 15) - 7; break;
		case 1: v = ldexp((double)(s >> 11), (int)(s % 1900) - 1000 - 53); break;
		case 2: v = -ldexp((double)(s >> 11), (int)(s % 1900) - 1000 - 53); break;
		default: v = (s >> 8) & 1 ? 0.0 : -0.0; break;
		}
		if (i < N1)
			x[i] = v;
		else
			y[i - N1] = v;
	}
	assert_int_equal(ag_drift_num_add_many(&a, x, N1, &err), 0);
	assert_int_equal(ag_drift_num_add_many(&b, y, N2, &err), 0);
	assert_int_equal(ag_drift_numeric(&a, &b, &r, &err), 0);
	qsort(x, N1, sizeof(double), cmp_double);
	qsort(y, N2, sizeof(double), cmp_double);
	/* Naive KS at every value of either sample, as the exact rational
	 * max |i N2 - j N1| / (N1 N2) rounded once. */
	uint64_t best = 0;
	size_t i = 0, j = 0;
	while (i < N1 || j < N2) {
		double v = i < N1 && (j >= N2 || x[i] <= y[j]) ? x[i] : y[j];
		while (i < N1 && x[i] <= v)
			i++;
		while (j < N2 && y[j] <= v)
			j++;
		uint64_t u = (uint64_t)i * N2, w = (uint64_t)j * N1;
		if ((u > w ? u - w : w - u) > best)
			best = u > w ? u - w : w - u;
	}
	check_exact("ks", r.ks, (double)best / ((double)N1 * N2));
	/* Bins by direct comparison with the cuts. */
	uint64_t bins[10] = { 0 };
	for (size_t k = 0; k < N2; k++) {
		int bin = 0;
		while (bin < 9 && y[k] > r.cuts[bin])
			bin++;
		bins[bin]++;
	}
	assert_memory_equal(bins, r.bin_cur, sizeof(bins));
	/* Sorted afterwards, and the same multiset. */
	for (size_t k = 1; k < a.n; k++)
		assert_true(a.keys[k - 1] <= a.keys[k]);
	ag_drift_num_release(&a);
	ag_drift_num_release(&b);
	free(x);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numeric_shifted_normal_matches_scipy),
		cmocka_unit_test(test_numeric_with_ties_and_repeated_deciles_matches_scipy),
		cmocka_unit_test(test_categorical_with_one_sided_categories_matches_scipy),
		cmocka_unit_test(test_categorical_small_shift_matches_scipy_pvalue),
		cmocka_unit_test(test_distributions_match_scipy),
		cmocka_unit_test(test_numeric_merge_of_splits_equals_whole),
		cmocka_unit_test(test_numeric_counted_and_kept_sides_merge_alike),
		cmocka_unit_test(test_numeric_adopted_scores_equal_added),
		cmocka_unit_test(test_categorical_merge_of_splits_equals_whole),
		cmocka_unit_test(test_numeric_serialize_round_trip),
		cmocka_unit_test(test_categorical_serialize_round_trip),
		cmocka_unit_test(test_malformed_state_is_refused),
		cmocka_unit_test(test_identical_distributions_give_zero_drift),
		cmocka_unit_test(test_empty_inputs_are_a_clear_error),
		cmocka_unit_test(test_infinite_values_are_refused_and_nan_is_missing),
		cmocka_unit_test(test_sort_handles_signs_magnitudes_and_repeats),
		cmocka_unit_test(test_numeric_table_growth_keeps_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
