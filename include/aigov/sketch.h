/*
 * sketch: the mergeable summaries behind `aigov profile` (module measure).
 *
 * Each summary has the accumulator operations of DESIGN.md: add, merge,
 * finish (a query); exact while it fits, a sketch with a stated error after.
 *
 *  - ag_hash_bytes / ag_hash_u64: a fast 64-bit hash (not cryptographic).
 *  - struct ag_distinct: exact set of 64-bit hashes up to a count limit and
 *    a byte budget, then a HyperLogLog of 2^14 registers (relative standard
 *    error 1.04/sqrt(2^14) = 0.81 %, Flajolet et al. 2007) read with Ertl's
 *    improved estimator (Ertl 2017, "New cardinality estimation algorithms
 *    for HyperLogLog sketches", Algorithm 6), which needs no bias tables.
 *    "Exact" means exact up to a 64-bit hash collision (probability about
 *    n^2 / 2^65: 3e-8 for ten million values).
 *  - struct ag_kll: KLL quantile sketch (Karnin, Lang, Liberty 2016,
 *    "Optimal quantile approximation in streams") with compactor capacities
 *    k * (2/3)^depth and lazy compaction.  Normalized rank error at 99 %
 *    confidence about 2.446 / k^0.9433 (the empirical constant Apache
 *    DataSketches publishes for the same scheme): 0.86 % for k = 400.
 *  - struct ag_freq: exact counts of up to `cap` distinct values with a
 *    sample of each value's text; it gives up (and says so) beyond `cap`.
 *
 * Objects are caller-owned structs: *_init, *_release.  Not thread-safe:
 * one per thread, then merge.
 */
#ifndef AIGOV_SKETCH_H
#define AIGOV_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint64_t ag_hash_bytes(const void *p, size_t n);
uint64_t ag_hash_u64(uint64_t x);

/* ---- distinct counting ---- */

#define AG_HLL_P 14
#define AG_HLL_M (1u << AG_HLL_P)

struct ag_distinct {
	uint64_t *slots;   /* open addressing, 0 = empty; NULL in HLL mode */
	size_t cap, n;     /* slots (power of two), elements */
	size_t limit;      /* most elements counted exactly */
	uint8_t *hll;      /* AG_HLL_M registers once the set gave up */
	size_t bytes;      /* memory held */
};

/* Count exactly up to `limit` distinct values (0: no limit but the
 * budget).  A limit bounds the time spent on cache-missing hash-table
 * inserts for columns of unique values, not only the memory. */
void ag_distinct_init(struct ag_distinct *d, size_t limit);
void ag_distinct_release(struct ag_distinct *d);
/*
 * Add a hash.  *budget is the number of bytes the set may still take; growth
 * is charged against it (and the HLL's 16 KiB too).  When the set cannot
 * grow within it, it turns into an HLL and returns the freed bytes to
 * *budget.  Returns 0, or -1 if even the HLL cannot be allocated.
 */
int ag_distinct_add(struct ag_distinct *d, uint64_t h, size_t *budget);
/* ag_distinct_add for n hashes; prefetches table slots ahead, which hides
 * most cache misses once the table outgrows the cache. */
int ag_distinct_add_many(struct ag_distinct *d, const uint64_t *h, size_t n,
			 size_t *budget);
int ag_distinct_merge(struct ag_distinct *d, const struct ag_distinct *o,
		      size_t *budget);
bool ag_distinct_is_exact(const struct ag_distinct *d);
double ag_distinct_estimate(const struct ag_distinct *d);
/* Relative standard error of the estimate: 0 when exact. */
double ag_distinct_rel_error(const struct ag_distinct *d);

/* ---- quantiles ---- */

struct ag_kll_level {
	double *items;
	uint32_t n, cap;
};

struct ag_kll {
	uint32_t k;
	uint64_t n;            /* values added */
	uint32_t nlevels;
	struct ag_kll_level *levels;
	uint32_t size, max_size;
	uint64_t rng;          /* xorshift state: fixed seed, so runs repeat */
	double min, max;
};

int ag_kll_init(struct ag_kll *s, uint32_t k);
void ag_kll_release(struct ag_kll *s);
int ag_kll_add(struct ag_kll *s, double v);
int ag_kll_merge(struct ag_kll *s, const struct ag_kll *o);
/* Quantiles at the given probabilities (sorted ascending), written to out.
 * Uses a temporary array; returns -1 when it cannot be allocated. */
int ag_kll_quantiles(const struct ag_kll *s, const double *p, size_t np,
		     double *out);
double ag_kll_rank_error(uint32_t k);
size_t ag_kll_bytes(const struct ag_kll *s);

/* ---- exact quantiles on a value array ---- */

/*
 * Quantiles of v[0..n) (n > 0) with linear interpolation between closest
 * ranks (Hyndman & Fan type 7, numpy's and pandas' default), computed the
 * way numpy does so results agree to the last bit.  p ascending in [0, 1].
 * Reorders v (selection, expected O(n) per quantile, no extra memory).
 */
void ag_quantiles_exact(double *v, size_t n, const double *p, size_t np,
			double *out);

/* ---- exact value array ---- */

/*
 * Every numeric value of a column, kept for exact quantiles.  Most numbers
 * in a CSV file are short decimals (amounts, rates, identifiers, counts)
 * whose digits, as written, fit 31 bits at a scale shared by the column.
 * Those are kept as int32 mantissas m standing for m / 10^scale: half the
 * memory of doubles, so half the fresh pages the kernel must zero (the
 * largest single cost of an exact profile of a big file).  The first value
 * that does not fit (more digits, an exponent, -0) turns the array into
 * doubles, once, in place.  Reading a value back is bit-for-bit exact: m
 * and 10^scale are exact doubles, so m / 10^scale is the correctly rounded
 * value of the decimal, the double the parser produced (struct ag_number,
 * num.h).
 *
 * The budget is charged 8 bytes per value either way (ag_values_bytes):
 * widening is then paid in advance and can never be refused, and which
 * statistics stay exact under a budget does not depend on how the numbers
 * are spelled.  Resident memory is what the array really holds.
 *
 * Caller-owned struct: ag_values_init, ag_values_release.  The array comes
 * from ag_big_realloc (arena.h).  Not thread-safe.
 */
#define AG_VALUES_NO_DECIMAL 0xFF

struct ag_values {
	void *data;        /* int32_t[cap], or double[cap] when `wide` */
	size_t n, cap;     /* values held, room */
	bool wide;
	uint8_t scale;     /* narrow: value i is data[i] / 10^scale */
	uint32_t max_abs;  /* narrow: the largest |data[i]| */
};

void ag_values_init(struct ag_values *v);
/* Free the array; the caller gives ag_values_bytes() back to its budget. */
void ag_values_release(struct ag_values *v);
/* Bytes charged to the budget: 8 per value of room. */
size_t ag_values_bytes(const struct ag_values *v);
/*
 * Append x[0..n).  mant[i] / 10^scale[i] (scale[i] <= 22, |mant[i]| <=
 * 2^53) is x[i]'s decimal form, or scale[i] is AG_VALUES_NO_DECIMAL when it
 * has none; -0.0 must be passed without one.  Growth is taken from
 * *budget.  All or nothing: returns -1, leaving v and *budget unchanged,
 * when the values do not fit the budget or memory.
 */
int ag_values_add(struct ag_values *v, const double *x, const int64_t *mant,
		  const uint8_t *scale, size_t n, size_t *budget);
double ag_values_get(const struct ag_values *v, size_t i);
/* Value i with its decimal form, as ag_values_add takes them (to copy the
 * values of one array into another). */
void ag_values_get_decimal(const struct ag_values *v, size_t i, double *x,
			   int64_t *mant, uint8_t *scale);
/* ag_quantiles_exact of the values (n > 0); reorders them.  Needs a few
 * MiB of temporary memory at most; returns -1 when it cannot get them. */
int ag_values_quantiles(struct ag_values *v, const double *p, size_t np,
			double *out);

/* The same quantiles of a multiset given as distinct values v[0..m)
 * (ascending) with counts w[0..m); exact. */
void ag_quantiles_weighted(const double *v, const uint64_t *w, size_t m,
			   const double *p, size_t np, double *out);

/* ---- frequency table ---- */

#define AG_FREQ_SAMPLE 48

struct ag_freq_entry {
	uint64_t hash;   /* 0 = empty slot */
	uint64_t count;
	double num;      /* the value as a number, when `numeric` */
	bool numeric;
	uint8_t tags;    /* the caller's: 0 when the entry is made, kept after */
	uint16_t len;    /* bytes of the value (the sample may be shorter) */
	char sample[AG_FREQ_SAMPLE];
};

struct ag_freq {
	struct ag_freq_entry *slots; /* nslots entries; NULL once given up */
	size_t cap, n, nslots;
	bool overflow;               /* more than cap distinct values seen */
};

int ag_freq_init(struct ag_freq *f, size_t cap);
void ag_freq_release(struct ag_freq *f);
/* Count one occurrence of the value with hash h and text s[0..len); gives
 * up (overflow) when it would be value number cap + 1. */
void ag_freq_add(struct ag_freq *f, uint64_t h, const char *s, size_t len);
/* Count `count` occurrences of a value that may be numeric; returns false, changing
 * nothing, when the value is new and the table is full, so that the caller
 * can move the counts elsewhere (ag_freq_give_up) before they are lost. */
bool ag_freq_try_add(struct ag_freq *f, uint64_t h, const char *s, size_t len,
		     uint64_t count, bool numeric, double num);
/* ag_freq_try_add of one occurrence, returning the value's entry (for its
 * `tags`), or NULL when the value is new and the table is full.  The
 * entry is valid until the next call that adds to the table. */
struct ag_freq_entry *ag_freq_add_one(struct ag_freq *f, uint64_t h,
				      const char *s, size_t len, bool numeric,
				      double num);
/* Free the table and mark it overflowed. */
void ag_freq_give_up(struct ag_freq *f);
void ag_freq_merge(struct ag_freq *f, const struct ag_freq *o);
/* The top `k` entries by count (ties: smaller hash first, for a stable
 * order), copied to out; returns how many. */
size_t ag_freq_top(const struct ag_freq *f, struct ag_freq_entry *out, size_t k);

#endif
