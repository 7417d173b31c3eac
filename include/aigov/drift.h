/*
 * drift: how far a current dataset has moved from a reference, per feature,
 * for `aigov evaluate` (module measure).
 *
 * Each side of a feature (the reference's values, the current's values) is
 * an accumulator with the operations of DESIGN.md: add, merge, serialize /
 * deserialize, finish.  Finishing takes the two sides and returns the
 * metrics.  Merging the accumulators of any split of the input gives
 * bit-for-bit the same metrics as one accumulator of the whole, because
 * finishing works on a canonical order (sorted values, sorted categories).
 *
 * Numeric features (struct ag_drift_num) keep every non-missing value, so
 * that KS and Wasserstein are exact.  While a side has at most
 * AG_DRIFT_TABLE_MAX distinct values (ages, counts, flags, rates with up
 * to four decimals: most features of a scoring log) they are counted in a
 * table (at most 512 KiB, growing from 1 KiB), with no memory per value
 * and nothing to sort; past that,
 * every value is kept, 8 bytes each (the double, stored as an
 * order-preserving 64-bit key; no narrowing to float, whose exactness
 * would depend on the data).  The metrics depend only on the distinct
 * values and their counts, so both ways give bit-identical results.  Finishing sorts each side in place with a
 * radix sort on those keys (sort.h: O(n), a scratch of half a byte per
 * value of the side being sorted).  Metrics:
 *
 *  - PSI (Siddiqi 2006, "Credit Risk Scorecards", ch. 8), natural log:
 *      sum_i (c_i - r_i) * ln(c_i / r_i)
 *    over 10 bins cut at the reference deciles d_1..d_9 (numpy's default
 *    "linear" quantiles at k/10.0, k = 1..9).  Bin i is (d_{i-1}, d_i] with
 *    d_0 = -inf and d_10 = +inf: right-closed as in pandas.qcut, but the
 *    outer bins are open so that current values outside the reference's
 *    range are counted (qcut would drop them).  Equal cut points give empty
 *    bins.  A share of 0 (either side) is replaced by 0.0001 before the
 *    sum; shares are not renormalized afterwards.
 *  - KS: the two-sample Kolmogorov-Smirnov statistic
 *    D = max_x |F_ref(x) - F_cur(x)| over all values (exact: found in
 *    integers and rounded once, the double scipy.stats.ks_2samp reports
 *    in its exact mode; ties counted as it counts them), and the p-value of the limiting
 *    Kolmogorov distribution, Q_KS(sqrt(m n / (m + n)) * D), computed as
 *    scipy.special.kolmogorov / scipy.stats.kstwobign.sf do (Kolmogorov
 *    1933; Marsaglia, Tsang, Wang 2003).  NOTE: scipy >= 1.5's
 *    ks_2samp(method='asymp') instead evaluates the finite-n one-sample
 *    distribution kstwo.sf(D, round(m n / (m + n))); the two agree as the
 *    samples grow (to about 1e-3 absolute at n = 1000) but not to the bit.
 *  - Jensen-Shannon distance (Lin 1991), base 2, so it lies in [0, 1]:
 *    sqrt(JSD) over the same 10 bins, with the raw shares (0 log 0 = 0; no
 *    0.0001 replacement), as scipy.spatial.distance.jensenshannon(base=2).
 *  - Wasserstein-1: the integral of |F_ref - F_cur| dx, exact from the
 *    sorted samples, as scipy.stats.wasserstein_distance.
 *
 * Categorical features (struct ag_drift_cat) count each category (any
 * byte string, compared byte for byte).  Metrics over the union of the
 * categories of both sides:
 *  - PSI as above, with a share of 0 (a category seen on one side only)
 *    replaced by 0.0001.
 *  - Pearson's chi-square of the current counts against the expected
 *    counts n_cur * p_i, where p_i are the reference proportions with 0
 *    replaced by 0.0001 and then renormalized to sum to 1 (otherwise a
 *    category new in the current data would make the statistic infinite);
 *    k - 1 degrees of freedom for k categories, as
 *    scipy.stats.chisquare(f_obs, f_exp).  The p-value is the chi-square
 *    survival function, the regularized upper incomplete gamma function
 *    Q(df/2, x/2) (series and Lentz continued fraction, Numerical Recipes
 *    3rd ed. 6.2).
 *
 * Missing values (NaN, or counted with *_add_missing) are only counted;
 * both results report the missing rate of each side and its change.
 *
 * Serialized state is portable: little-endian, a 4-byte magic ("AGDN" /
 * "AGDC"), a u32 version (1).  Malformed state is refused with AG_EPARSE.
 *
 * Objects are caller-owned structs: *_init, *_release.  Not thread-safe:
 * one accumulator per thread, then merge.  The finishing functions sort the
 * accumulators they are given (which stay valid and may be added to).
 */
#ifndef AIGOV_DRIFT_H
#define AIGOV_DRIFT_H

#include "aigov/buf.h"
#include "aigov/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AG_DRIFT_BINS 10
#define AG_DRIFT_EMPTY_SHARE 0.0001

/* ---- numeric ---- */

#define AG_DRIFT_TABLE_MAX 16384  /* distinct values counted in the table */

struct ag_drift_run {
	uint64_t key;      /* order-preserving key of a value; 0 = empty slot */
	uint64_t count;
};

struct ag_drift_num {
	size_t n;          /* non-missing values */
	uint64_t missing;  /* NaN values and ag_drift_num_add_missing counts */
	/* Counting: a table of `slots` slots (a power of two, at most
	 * 2 * AG_DRIFT_TABLE_MAX, at most half used), open addressing (NULL
	 * and 0 slots until the first value, and again once it gave up). */
	struct ag_drift_run *table;
	size_t slots;
	size_t distinct;   /* entries in the table */
	bool spilled;      /* too many distinct values: every value in keys */
	uint64_t *keys;    /* spilled: order-preserving keys, nkeys used */
	size_t nkeys, cap; /* (keys from ag_big_realloc) */
	bool sorted;       /* keys[0..nkeys) ascending */
};

void ag_drift_num_init(struct ag_drift_num *a);
/* Free the values; the accumulator is empty and reusable afterwards. */
void ag_drift_num_release(struct ag_drift_num *a);
/*
 * Replace a's values by the n values v[0..n): finite, ascending, no -0.0
 * (ag_perf_take_scores gives such).  a takes over their memory (`bytes`
 * bytes from ag_big_realloc) and keeps them as its keys, written over
 * them: no copy and no sort.  Its missing count is kept.
 */
void ag_drift_num_adopt_sorted(struct ag_drift_num *a, double *v, size_t n, size_t bytes);
/*
 * Add one value.  NaN counts as missing.  -0.0 is stored as 0.0.
 * Infinite values are refused (AG_EINVAL): the Wasserstein distance would
 * be meaningless.  AG_ENOMEM when the array cannot grow (nothing changes).
 */
int ag_drift_num_add(struct ag_drift_num *a, double v, struct ag_err *err);
/* ag_drift_num_add of v[0..n); stops at the first error (values before it
 * stay added). */
int ag_drift_num_add_many(struct ag_drift_num *a, const double *v, size_t n,
			  struct ag_err *err);
/* Count `count` missing values (empty cells); AG_ERANGE on overflow. */
int ag_drift_num_add_missing(struct ag_drift_num *a, uint64_t count,
			     struct ag_err *err);
/* Room for `values` more values at once, should the table give up (a
 * hint; see ag_perf_reserve). */
int ag_drift_num_reserve(struct ag_drift_num *a, size_t values, struct ag_err *err);
/* Add o's values and missing count to a (o is unchanged; o may be a). */
int ag_drift_num_merge(struct ag_drift_num *a, const struct ag_drift_num *o,
		       struct ag_err *err);
/* Append the state to out: "AGDN", u32 version, u64 n, u64 missing, then
 * n IEEE-754 doubles, all little-endian. */
int ag_drift_num_serialize(const struct ag_drift_num *a, struct ag_buf *out,
			   struct ag_err *err);
/* Replace a's content (a must be initialized) by the state in p[0..len).
 * AG_EPARSE, leaving a unchanged, for anything malformed: wrong magic,
 * version or length, a NaN, infinite or -0.0 value. */
int ag_drift_num_deserialize(struct ag_drift_num *a, const void *p,
			     size_t len, struct ag_err *err);

struct ag_drift_num_result {
	uint64_t n_ref, n_cur;             /* non-missing values */
	uint64_t missing_ref, missing_cur;
	double missing_rate_ref, missing_rate_cur; /* missing / (n + missing) */
	double missing_rate_change;        /* cur - ref */
	double cuts[AG_DRIFT_BINS - 1];    /* reference deciles */
	uint64_t bin_ref[AG_DRIFT_BINS], bin_cur[AG_DRIFT_BINS];
	double psi;
	double ks, ks_pvalue;
	double js_distance;
	double wasserstein;
};

/*
 * Finish: the drift of cur against ref.  Sorts both accumulators (cost:
 * O(n) radix passes in place, a scratch of 1/16 of the larger side's
 * keys).  AG_EINVAL, naming the side, when either side has no non-missing
 * value; AG_ENOMEM when the sort buffer cannot be allocated.
 */
int ag_drift_numeric(struct ag_drift_num *ref, struct ag_drift_num *cur,
		     struct ag_drift_num_result *res, struct ag_err *err);

/* ---- categorical ---- */

struct ag_drift_cat_entry {
	uint64_t hash;      /* ag_hash_bytes of the text; slot empty when count 0 */
	uint64_t count;
	size_t off, len;    /* the text is text.buf[off .. off + len) */
};

struct ag_drift_cat {
	struct ag_drift_cat_entry *slots; /* open addressing, cap slots */
	size_t cap, n;                    /* slots (power of two), categories */
	struct ag_buf text;               /* category texts, back to back */
	uint64_t missing;
};

void ag_drift_cat_init(struct ag_drift_cat *c);
void ag_drift_cat_release(struct ag_drift_cat *c);
/* Count `count` occurrences of category s[0..len) (any bytes).  AG_ENOMEM
 * or AG_ERANGE (count overflow) leave c unchanged. */
int ag_drift_cat_add(struct ag_drift_cat *c, const char *s, size_t len,
		     uint64_t count, struct ag_err *err);
int ag_drift_cat_add_missing(struct ag_drift_cat *c, uint64_t count,
			     struct ag_err *err);
/* Add o's counts to c (o unchanged; o may be c, doubling every count). */
int ag_drift_cat_merge(struct ag_drift_cat *c, const struct ag_drift_cat *o,
		       struct ag_err *err);
/* "AGDC", u32 version, u64 categories, u64 missing, then per category
 * u64 byte length, the bytes, u64 count (> 0), all little-endian. */
int ag_drift_cat_serialize(const struct ag_drift_cat *c, struct ag_buf *out,
			   struct ag_err *err);
/* AG_EPARSE, leaving c unchanged, for anything malformed (also a repeated
 * category, a zero count, or counts that overflow when summed). */
int ag_drift_cat_deserialize(struct ag_drift_cat *c, const void *p,
			     size_t len, struct ag_err *err);

struct ag_drift_cat_result {
	uint64_t n_ref, n_cur;             /* non-missing values */
	uint64_t missing_ref, missing_cur;
	double missing_rate_ref, missing_rate_cur, missing_rate_change;
	size_t categories;                 /* in the union */
	size_t only_ref, only_cur;         /* categories seen on one side */
	double psi;
	double chi2;
	double chi2_df;                    /* categories - 1 */
	double chi2_pvalue;                /* 1 when df is 0 */
};

/* Finish: the drift of cur against ref.  AG_EINVAL, naming the side, when
 * either side has no non-missing value; AG_ENOMEM. */
int ag_drift_categorical(const struct ag_drift_cat *ref,
			 const struct ag_drift_cat *cur,
			 struct ag_drift_cat_result *res, struct ag_err *err);

/* ---- distributions (exposed for tests and reports) ---- */

/* Q_KS(x) = P(K > x) for the limiting Kolmogorov distribution
 * (scipy.special.kolmogorov). Thread-safe. */
double ag_kolmogorov_sf(double x);
/* P(X > x) for X chi-square with df > 0 degrees of freedom
 * (scipy.stats.chi2.sf); NaN if df <= 0.  Thread-safe. */
double ag_chi2_sf(double x, double df);

#endif
