/* Summaries behind the profile (include/aigov/sketch.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/profile.h"
#include "aigov/sketch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double probs[7] = { 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99 };

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Reference: sort, then numpy's "linear" method written out plainly. */
static double ref_quantile(const double *sorted, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	size_t hi = lo + 1 < n ? lo + 1 : lo;
	return sorted[lo] + (h - floor(h)) * (sorted[hi] - sorted[lo]);
}

static void test_exact_quantiles_match_hand_values(void **state)
{
	/* numpy.quantile([3, 1, 2, 10], q): h = 3q; sorted 1 2 3 10.
	 * q=.25 -> h=.75 -> 1 + .75*1 = 1.75; q=.5 -> 2.5; q=.75 -> h=2.25 ->
	 * 3 + .25*7 = 4.75; q=.99 -> h=2.97 -> 3 + .97*7 = 9.79 */
	double v[] = { 3, 1, 2, 10 }, out[7];
	(void)state;
	ag_quantiles_exact(v, 4, probs, 7, out);
	assert_true(fabs(out[2] - 1.75) < 1e-12);
	assert_true(fabs(out[3] - 2.5) < 1e-12);
	assert_true(fabs(out[4] - 4.75) < 1e-12);
	assert_true(fabs(out[6] - 9.79) < 1e-12);
	double one[] = { -7 };
	ag_quantiles_exact(one, 1, probs, 7, out);
	for (int i = 0; i < 7; i++)
		assert_true(out[i] == -7);
	double two[] = { 5, -5 };
	ag_quantiles_exact(two, 2, probs, 7, out);
	assert_true(out[3] == 0);                       /* midpoint */
	assert_true(fabs(out[0] - (-5 + 0.01 * 10)) < 1e-12);
}

static void check_exact_against_sort(double *v, size_t n)
{
	double *sorted = malloc(n * sizeof(double)), out[7];
	memcpy(sorted, v, n * sizeof(double));
	qsort(sorted, n, sizeof(double), cmp);
	ag_quantiles_exact(v, n, probs, 7, out);
	for (int i = 0; i < 7; i++) {
		double want = ref_quantile(sorted, n, probs[i]);
		if (fabs(out[i] - want) > 1e-12 * fmax(1, fabs(want)))
			fail_msg("n=%zu p=%g: got %.17g want %.17g", n, probs[i], out[i], want);
	}
	free(sorted);
}

static void test_exact_quantiles_match_sorting_on_random_arrays(void **state)
{
	uint64_t s = 42;
	/* Sizes on both sides of the sampled-selection threshold (2^20),
	 * with duplicates, negatives and already sorted input. */
	static const size_t sizes[] = { 3, 17, 100, 1000, 65537, 1100000, 3000000 };
	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		double *v = malloc(n * sizeof(double));
		for (int shape = 0; shape < 4; shape++) {
			for (size_t i = 0; i < n; i++) {
				uint64_t r = rng(&s);
				switch (shape) {
				case 0: v[i] = (double)(r >> 11) / 9007199254740992.0 - 0.5; break;
				case 1: v[i] = (double)(r % 7); break;           /* duplicates */
				case 2: v[i] = (double)i; break;                 /* sorted */
				default: v[i] = exp((double)(r % 1000) / 50); break; /* skewed */
				}
			}
			check_exact_against_sort(v, n);
		}
		free(v);
	}
}

/* Add x[] to a value array with the decimal forms m[i] / 10^sc[i]. */
static void values_add(struct ag_values *va, const double *x, const int64_t *m,
		       const uint8_t *sc, size_t n, size_t *budget)
{
	for (size_t i = 0; i < n; i += 1000) {
		size_t k = n - i < 1000 ? n - i : 1000;
		assert_int_equal(ag_values_add(va, x + i, m + i, sc + i, k, budget), 0);
	}
}

/*
 * Quantiles of a value array equal ag_quantiles_exact on the doubles, bit
 * for bit, whatever it stores: narrow with mixed and growing scales, small
 * and large (the bucket selection, with few wide buckets and many narrow
 * ones), and widened by a value without a decimal form.
 */
static void test_value_array_quantiles_equal_exact_ones(void **state)
{
	static const double p10[] = { 1, 10, 100, 1000, 10000, 100000 };
	static const size_t sizes[] = { 1, 2, 999, 65535, 70000, 1500000 };
	uint64_t s = 7;
	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		double *x = malloc(n * sizeof(double)), *copy = malloc(n * sizeof(double));
		int64_t *m = malloc(n * sizeof(int64_t));
		uint8_t *sc = malloc(n);
		for (int shape = 0; shape < 5; shape++) {
			struct ag_values va;
			size_t budget = SIZE_MAX / 2, before = budget;
			double got[7], want[7];
			for (size_t i = 0; i < n; i++) {
				uint64_t r = rng(&s);
				switch (shape) {
				case 0: /* money: 2 decimals, negatives */
					m[i] = (int64_t)(r % 2000001) - 1000000;
					sc[i] = 2;
					break;
				case 1: /* few large buckets: 0..70000, scale grows late */
					m[i] = (int64_t)(r % 70001);
					sc[i] = i + 10 >= n ? 1 : 0;
					break;
				case 2: /* the whole int32 range */
					m[i] = (int64_t)(int32_t)(uint32_t)r;
					if (m[i] == INT32_MIN)
						m[i] = 0;
					sc[i] = 5;
					break;
				case 3: /* sorted, then one value too long to be narrow */
					m[i] = (int64_t)i;
					sc[i] = 1;
					if (i == n * 3 / 4)
						m[i] = INT64_C(1) << 40;
					break;
				default: /* -0 has no decimal form */
					m[i] = (int64_t)(r % 5) - 2;
					sc[i] = 0;
					break;
				}
				x[i] = (double)(m[i] < 0 ? -m[i] : m[i]) / p10[sc[i]];
				if (m[i] < 0)
					x[i] = -x[i];
				if (shape == 3 && i == n * 3 / 4)
					sc[i] = AG_VALUES_NO_DECIMAL;
				if (shape == 4 && i == n / 2) {
					x[i] = -0.0;
					sc[i] = AG_VALUES_NO_DECIMAL;
				}
			}
			ag_values_init(&va);
			values_add(&va, x, m, sc, n, &budget);
			assert_int_equal(va.n, n);
			/* Charged as doubles, narrow or not. */
			assert_true(before - budget == ag_values_bytes(&va));
			assert_true(ag_values_bytes(&va) >= n * sizeof(double));
			for (size_t i = 0; i < n; i++)
				if (ag_values_get(&va, i) != x[i])
					fail_msg("shape %d: value %zu is %.17g, want %.17g",
						 shape, i, ag_values_get(&va, i), x[i]);
			assert_int_equal(ag_values_quantiles(&va, probs, 7, got), 0);
			memcpy(copy, x, n * sizeof(double));
			ag_quantiles_exact(copy, n, probs, 7, want);
			for (int q = 0; q < 7; q++)
				if (memcmp(&got[q], &want[q], sizeof(double)) != 0)
					fail_msg("n=%zu shape %d p=%g: %.17g want %.17g",
						 n, shape, probs[q], got[q], want[q]);
			ag_values_release(&va);
		}
		free(x);
		free(copy);
		free(m);
		free(sc);
	}
}

/* A value array grows within its budget or not at all. */
static void test_value_array_growth_is_all_or_nothing(void **state)
{
	struct ag_values va;
	double x[3000];
	int64_t m[3000];
	uint8_t sc[3000];
	size_t budget = 1024 * sizeof(double) + 100;
	(void)state;
	for (size_t i = 0; i < 3000; i++) {
		m[i] = (int64_t)i;
		sc[i] = 0;
		x[i] = (double)i;
	}
	ag_values_init(&va);
	assert_int_equal(ag_values_add(&va, x, m, sc, 1000, &budget), 0);
	assert_int_equal(budget, 100);
	/* 1000 more need 2048 slots: over budget, nothing changes. */
	assert_int_equal(ag_values_add(&va, x + 1000, m + 1000, sc + 1000, 1000,
				       &budget), -1);
	assert_int_equal(budget, 100);
	assert_int_equal(va.n, 1000);
	/* Widening was paid for: it needs no budget. */
	sc[0] = AG_VALUES_NO_DECIMAL;
	x[0] = 0.25;
	assert_int_equal(ag_values_add(&va, x, m, sc, 1, &budget), 0);
	assert_true(va.wide);
	assert_int_equal(budget, 100);
	assert_true(ag_values_get(&va, 999) == 999 && ag_values_get(&va, 1000) == 0.25);
	ag_values_release(&va);
}

static void test_weighted_quantiles_equal_expanded_ones(void **state)
{
	/* 1 x3, 2 x1, 10 x2  ==  [1 1 1 2 10 10] */
	double v[] = { 1, 2, 10 }, exp6[] = { 1, 1, 1, 2, 10, 10 }, a[7], b[7];
	uint64_t w[] = { 3, 1, 2 };
	(void)state;
	ag_quantiles_weighted(v, w, 3, probs, 7, a);
	ag_quantiles_exact(exp6, 6, probs, 7, b);
	for (int i = 0; i < 7; i++)
		assert_true(a[i] == b[i]);
}

/* Distance from p to the normalised rank range of value q in sorted[0..n):
 * with ties, q holds every rank from #(< q)/n to #(<= q)/n. */
static size_t count_below(const double *sorted, size_t n, double q, bool or_equal)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sorted[mid] < q || (or_equal && sorted[mid] == q))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static double rank_error(const double *sorted, size_t n, double q, double p)
{
	double lo = (double)count_below(sorted, n, q, false) / (double)n;
	double hi = (double)count_below(sorted, n, q, true) / (double)n;
	return p < lo ? lo - p : p > hi ? p - hi : 0;
}

static void test_kll_rank_error_within_bound(void **state)
{
	const size_t n = 1000000;
	double *v = malloc(n * sizeof(double)), *sorted = malloc(n * sizeof(double));
	uint64_t s = 7;
	(void)state;
	for (int shape = 0; shape < 4; shape++) {
		for (uint32_t k = 200; k <= 400; k += 200) {
			struct ag_kll a, b, whole;
			double out[7];
			for (size_t i = 0; i < n; i++) {
				uint64_t r = rng(&s);
				v[i] = shape == 0 ? (double)(r >> 11)
				     : shape == 1 ? (double)i
				     : shape == 2 ? (double)(n - i)
						  : (double)(r % 100);
			}
			ag_kll_init(&whole, k);
			ag_kll_init(&a, k);
			ag_kll_init(&b, k);
			for (size_t i = 0; i < n; i++) {
				ag_kll_add(&whole, v[i]);
				ag_kll_add(i < n / 2 ? &a : &b, v[i]);
			}
			assert_int_equal(ag_kll_merge(&a, &b), 0);
			memcpy(sorted, v, n * sizeof(double));
			qsort(sorted, n, sizeof(double), cmp);
			double bound = ag_kll_rank_error(k);
			const struct ag_kll *which[] = { &whole, &a };
			for (int w = 0; w < 2; w++) {
				ag_kll_quantiles(which[w], probs, 7, out);
				for (int i = 0; i < 7; i++) {
					double e = rank_error(sorted, n, out[i], probs[i]);
					if (e > bound)
						fail_msg("shape %d k %u %s p=%g: rank error %g > %g",
							 shape, k, w ? "merged" : "single", probs[i], e, bound);
				}
			}
			assert_true(whole.n == n && a.n == n);
			ag_kll_release(&whole);
			ag_kll_release(&a);
			ag_kll_release(&b);
		}
	}
	free(v);
	free(sorted);
}

static void test_distinct_is_exact_below_the_limit(void **state)
{
	struct ag_distinct d;
	size_t budget = 1 << 30;
	(void)state;
	ag_distinct_init(&d, 5000);
	for (int round = 0; round < 3; round++)
		for (uint64_t i = 0; i < 5000; i++)
			ag_distinct_add(&d, ag_hash_u64(i), &budget);
	assert_true(ag_distinct_is_exact(&d));
	assert_true(ag_distinct_estimate(&d) == 5000);
	assert_true(ag_distinct_rel_error(&d) == 0);
	ag_distinct_add(&d, ag_hash_u64(5000), &budget); /* value 5001 */
	assert_false(ag_distinct_is_exact(&d));
	ag_distinct_release(&d);
}

static void test_hyperloglog_is_within_three_standard_errors(void **state)
{
	static const uint64_t counts[] = { 100, 1000, 20000, 100000, 1000000, 10000000 };
	(void)state;
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		struct ag_distinct d;
		size_t budget = 0; /* nothing exact: HLL from the start */
		ag_distinct_init(&d, 0);
		for (uint64_t i = 0; i < counts[k]; i++)
			ag_distinct_add(&d, ag_hash_u64(i * 0x9e3779b97f4a7c15u + k), &budget);
		assert_false(ag_distinct_is_exact(&d));
		double est = ag_distinct_estimate(&d), n = (double)counts[k];
		double se = ag_distinct_rel_error(&d);
		assert_true(fabs(se - 1.04 / 128) < 1e-12);
		if (fabs(est - n) > 3 * se * n)
			fail_msg("n=%g: estimate %g off by %.3f%%", n, est, 100 * (est - n) / n);
		ag_distinct_release(&d);
	}
}

static void test_hyperloglog_merge_is_the_union(void **state)
{
	struct ag_distinct a, b;
	size_t budget = 0;
	(void)state;
	ag_distinct_init(&a, 0);
	ag_distinct_init(&b, 0);
	for (uint64_t i = 0; i < 600000; i++)
		ag_distinct_add(&a, ag_hash_u64(i), &budget);
	for (uint64_t i = 400000; i < 1000000; i++) /* 200k overlap */
		ag_distinct_add(&b, ag_hash_u64(i), &budget);
	assert_int_equal(ag_distinct_merge(&a, &b, &budget), 0);
	double est = ag_distinct_estimate(&a);
	assert_true(fabs(est - 1e6) < 3 * 0.0081 * 1e6);
	ag_distinct_release(&a);
	ag_distinct_release(&b);
}

static void test_freq_counts_exactly_then_gives_up(void **state)
{
	struct ag_freq f, g;
	struct ag_freq_entry top[3];
	(void)state;
	ag_freq_init(&f, 4);
	for (int i = 0; i < 5; i++)
		ag_freq_add(&f, 111, "a", 1);
	for (int i = 0; i < 3; i++)
		ag_freq_add(&f, 222, "bb", 2);
	ag_freq_add(&f, 333, "c", 1);
	assert_int_equal(ag_freq_top(&f, top, 3), 3);
	assert_true(top[0].hash == 111 && top[0].count == 5);
	assert_true(top[1].hash == 222 && top[1].count == 3);
	assert_memory_equal(top[1].sample, "bb", 2);
	assert_true(top[2].count == 1);
	/* merge: counts add */
	ag_freq_init(&g, 4);
	ag_freq_add(&g, 333, "c", 1);
	ag_freq_add(&g, 333, "c", 1);
	ag_freq_merge(&f, &g);
	assert_int_equal(ag_freq_top(&f, top, 3), 3);
	/* 222 and 333 both have 3: ties go to the smaller hash */
	assert_true(top[1].hash == 222 && top[1].count == 3);
	assert_true(top[2].hash == 333 && top[2].count == 3);
	/* a try_add that does not fit changes nothing */
	ag_freq_add(&f, 444, "d", 1);
	assert_false(ag_freq_try_add(&f, 555, "e", 1, 1, false, 0));
	assert_false(f.overflow);
	ag_freq_add(&f, 555, "e", 1); /* value number 5 of at most 4 */
	assert_true(f.overflow);
	assert_int_equal(ag_freq_top(&f, top, 3), 0);
	ag_freq_release(&f);
	ag_freq_release(&g);
}

/* An entry's tags start at 0, stay with the value as the table grows,
 * and a full table returns no entry. */
static void test_freq_entry_keeps_its_tags(void **state)
{
	struct ag_freq f;
	struct ag_freq_entry *e;
	(void)state;
	ag_freq_init(&f, 100);
	e = ag_freq_add_one(&f, 7, "seven", 5, false, 0);
	assert_non_null(e);
	assert_int_equal(e->tags, 0);
	assert_true(e->count == 1);
	e->tags = 0x5;
	for (uint64_t h = 100; h < 180; h++) /* grows from 16 slots */
		assert_non_null(ag_freq_add_one(&f, h, "x", 1, false, 0));
	e = ag_freq_add_one(&f, 7, "seven", 5, false, 0);
	assert_int_equal(e->tags, 0x5);
	assert_true(e->count == 2);
	for (uint64_t h = 200; f.n < 100; h++)
		ag_freq_add_one(&f, h, "y", 1, false, 0);
	assert_null(ag_freq_add_one(&f, 999, "z", 1, false, 0));
	assert_false(f.overflow);
	ag_freq_release(&f);
}

static void test_taiwan_national_id_checksum(void **state)
{
	(void)state;
	/* Vectors from ../shared/docs/GUARD-NOTES.md section 2 (MOF rule). */
	assert_true(ag_is_tw_national_id("A123456789", 10));
	assert_false(ag_is_tw_national_id("A123456788", 10));
	assert_true(ag_is_tw_national_id("A800000005", 10));  /* new resident */
	assert_true(ag_is_tw_national_id("F912345678", 10));
	assert_false(ag_is_tw_national_id("a123456789", 10));
	assert_false(ag_is_tw_national_id("A323456789", 10)); /* 3: no sex code */
	assert_false(ag_is_tw_national_id("A12345678", 9));
	/* Hand check, A123456789: A=10 -> 1*1 + 0*9 = 1; 1*8+2*7+3*6+4*5+5*4+
	 * 6*3+7*2+8*1 = 120; + check 9 -> 130, divisible by 10. */
}

static void test_luhn(void **state)
{
	(void)state;
	assert_true(ag_luhn_valid("4111111111111111", 16));
	assert_false(ag_luhn_valid("4111111111111112", 16));
	assert_true(ag_luhn_valid("79927398713", 11));
	assert_false(ag_luhn_valid("7992739871a", 11));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_quantiles_match_hand_values),
		cmocka_unit_test(test_exact_quantiles_match_sorting_on_random_arrays),
		cmocka_unit_test(test_value_array_quantiles_equal_exact_ones),
		cmocka_unit_test(test_value_array_growth_is_all_or_nothing),
		cmocka_unit_test(test_weighted_quantiles_equal_expanded_ones),
		cmocka_unit_test(test_kll_rank_error_within_bound),
		cmocka_unit_test(test_distinct_is_exact_below_the_limit),
		cmocka_unit_test(test_hyperloglog_is_within_three_standard_errors),
		cmocka_unit_test(test_hyperloglog_merge_is_the_union),
		cmocka_unit_test(test_freq_counts_exactly_then_gives_up),
		cmocka_unit_test(test_freq_entry_keeps_its_tags),
		cmocka_unit_test(test_taiwan_national_id_checksum),
		cmocka_unit_test(test_luhn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
