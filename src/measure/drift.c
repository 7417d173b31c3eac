/*
 * Drift of a current dataset against a reference; see drift.h for the
 * metrics, their definitions and sources.
 *
 * Numeric values are kept as order-preserving 64-bit keys (the IEEE-754
 * bits with the sign bit flipped for positives and all bits flipped for
 * negatives), so that sorting is an unsigned-integer radix sort and equal
 * keys mean equal values (NaN is never stored and -0.0 is stored as 0.0).
 */
#include "aigov/drift.h"

#include "aigov/arena.h"
#include "aigov/sketch.h"
#include "aigov/sort.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NUM_MAGIC "AGDN"
#define CAT_MAGIC "AGDC"
#define STATE_VERSION 1u
#define NUM_HEADER 24u   /* magic, version, n, missing */
#define PI 3.14159265358979323846   /* M_PI is not in C11 or POSIX */

/* ---- keys ---- */

static uint64_t key_of(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

static double value_of(uint64_t k)
{
	uint64_t b = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

/* ---- little-endian helpers ---- */

static void put_u32(unsigned char *p, uint32_t x)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(x >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t x)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(x >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t x = 0;

	for (int i = 3; i >= 0; i--)
		x = (x << 8) | p[i];
	return x;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t x = 0;

	for (int i = 7; i >= 0; i--)
		x = (x << 8) | p[i];
	return x;
}

static double missing_rate(uint64_t n, uint64_t missing)
{
	/* n + missing cannot overflow: both count values held in memory or
	 * were checked when added, and a total of 2^64 is never reached. */
	double total = (double)n + (double)missing;

	return total > 0 ? (double)missing / total : 0.0;
}

/* ---- numeric accumulator ---- */

/* The table starts small and doubles at half full, so that a flag or an
 * age costs a few cache lines and only a feature near the limit fills
 * 2 * AG_DRIFT_TABLE_MAX slots (512 KiB). */
#define TABLE_FIRST 64 /* slots; powers of two */
#define TABLE_LAST (2 * AG_DRIFT_TABLE_MAX)

void ag_drift_num_init(struct ag_drift_num *a)
{
	memset(a, 0, sizeof(*a));
	a->sorted = true;
}

void ag_drift_num_release(struct ag_drift_num *a)
{
	if (a->keys)
		ag_big_free(a->keys, a->cap * sizeof(uint64_t));
	free(a->table);
	ag_drift_num_init(a);
}

/* Room for `extra` more keys; doubling, so adds cost O(1) amortized. */
static int num_reserve(struct ag_drift_num *a, size_t extra,
		       struct ag_err *err)
{
	size_t need, ncap, bytes;

	if (__builtin_add_overflow(a->nkeys, extra, &need))
		return ag_err_set(err, AG_ERANGE, "drift: too many values");
	if (need <= a->cap)
		return 0;
	ncap = a->cap ? a->cap : 1024;
	while (ncap < need)
		if (__builtin_mul_overflow(ncap, 2, &ncap))
			return ag_err_set(err, AG_ERANGE,
					  "drift: too many values");
	if (__builtin_mul_overflow(ncap, sizeof(uint64_t), &bytes))
		return ag_err_set(err, AG_ERANGE, "drift: too many values");
	uint64_t *nk = ag_big_realloc(a->keys, a->cap * sizeof(uint64_t),
				      bytes);
	if (!nk)
		return ag_err_set(err, AG_ENOMEM,
				  "drift: cannot grow the value array to %zu values",
				  ncap);
	a->keys = nk;
	a->cap = ncap;
	return 0;
}

int ag_drift_num_reserve(struct ag_drift_num *a, size_t values, struct ag_err *err)
{
	return num_reserve(a, values, err);
}

/* Append `count` copies of key (room must be there). */
static void append_key(struct ag_drift_num *a, uint64_t key, uint64_t count)
{
	if (count && a->nkeys && key < a->keys[a->nkeys - 1])
		a->sorted = false;
	while (count--)
		a->keys[a->nkeys++] = key;
}

/* Where key's probe starts: Fibonacci hashing, whose product's top bits
 * are the well-mixed ones. */
static struct ag_drift_run *table_slot_of(struct ag_drift_run *t, size_t slots, uint64_t key)
{
	return &t[(key * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - __builtin_ctzll(slots))];
}

/* The table's slot for key: where it is, or the empty slot it would go. */
static struct ag_drift_run *table_slot(struct ag_drift_run *t, size_t slots, uint64_t key)
{
	size_t i = (size_t)(table_slot_of(t, slots, key) - t);

	while (t[i].key && t[i].key != key)
		i = (i + 1) & (slots - 1);
	return &t[i];
}

/* The table with twice the slots (or its first ones); -1 without memory. */
static int table_grow(struct ag_drift_num *a)
{
	size_t slots = a->slots ? a->slots * 2 : TABLE_FIRST;
	struct ag_drift_run *t = calloc(slots, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < a->slots; i++)
		if (a->table[i].key)
			*table_slot(t, slots, a->table[i].key) = a->table[i];
	free(a->table);
	a->table = t;
	a->slots = slots;
	return 0;
}

/* Count `count` values of key in the table.  1 when the table is full
 * (nothing changed), -1 when it cannot be allocated. */
static int table_add(struct ag_drift_num *a, uint64_t key, uint64_t count)
{
	struct ag_drift_run *r;

	if (!a->table && table_grow(a))
		return -1;
	r = table_slot(a->table, a->slots, key);
	if (!r->key) {
		if (a->distinct == AG_DRIFT_TABLE_MAX)
			return 1;
		if (2 * (a->distinct + 1) > a->slots) {
			if (table_grow(a))
				return -1;
			r = table_slot(a->table, a->slots, key);
		}
		r->key = key;
		a->distinct++;
	}
	r->count += count;
	return 0;
}

/* The table gives up: its values go into the key array, room for `extra`
 * more with them. */
static int spill(struct ag_drift_num *a, size_t extra, struct ag_err *err)
{
	size_t in_table = a->n - a->nkeys;
	int rc;

	if (__builtin_add_overflow(in_table, extra, &extra))
		return ag_err_set(err, AG_ERANGE, "drift: too many values");
	if ((rc = num_reserve(a, extra, err)))
		return rc;
	for (size_t i = 0; i < a->slots; i++)
		if (a->table[i].key)
			append_key(a, a->table[i].key, a->table[i].count);
	free(a->table);
	a->table = NULL;
	a->slots = 0;
	a->distinct = 0;
	a->spilled = true;
	return 0;
}

/* count values of key, which is a finite value's.  Nothing changes on an
 * error. */
static int add_key(struct ag_drift_num *a, uint64_t key, uint64_t count,
		   struct ag_err *err)
{
	size_t n;
	int rc;

	if (__builtin_add_overflow(a->n, count, &n))
		return ag_err_set(err, AG_ERANGE, "drift: too many values");
	if (!a->spilled) {
		rc = table_add(a, key, count);
		if (rc < 0)
			return ag_err_set(err, AG_ENOMEM, "drift: out of memory");
		if (rc == 0) {
			a->n = n;
			return 0;
		}
		if ((rc = spill(a, count, err)))
			return rc;
	} else if ((rc = num_reserve(a, count, err))) {
		return rc;
	}
	append_key(a, key, count);
	a->n = n;
	return 0;
}

int ag_drift_num_add(struct ag_drift_num *a, double v, struct ag_err *err)
{
	if (isnan(v))
		return ag_drift_num_add_missing(a, 1, err);
	if (isinf(v))
		return ag_err_set(err, AG_EINVAL,
				  "drift: infinite value (only finite values or NaN for missing)");
	if (v == 0)
		v = 0.0;   /* -0.0 == 0.0: one key for both */
	return add_key(a, key_of(v), 1, err);
}

/* How many values ahead add_many prefetches the table slot: a column near
 * AG_DRIFT_TABLE_MAX has a 512 KiB table, which misses the cache on
 * almost every add (measured: three quarters of the add's time on the
 * load of the slot), and the slot of a value is known long before its
 * turn. */
#define PREFETCH_AHEAD 8

int ag_drift_num_add_many(struct ag_drift_num *a, const double *v, size_t n,
			  struct ag_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct ag_drift_run *r;
		int rc;

		if (a->table && i + PREFETCH_AHEAD < n) /* a hint: -0.0 or NaN only miss */
			__builtin_prefetch(table_slot_of(a->table, a->slots, key_of(v[i + PREFETCH_AHEAD])));
		/* A value the table has already: counted here, without a call. */
		if (a->table && isfinite(v[i]) && v[i] != 0 &&
		    (r = table_slot(a->table, a->slots, key_of(v[i])))->key) {
			r->count++;
			a->n++;
			continue;
		}
		if ((rc = ag_drift_num_add(a, v[i], err)))
			return rc;
	}
	return 0;
}

void ag_drift_num_adopt_sorted(struct ag_drift_num *a, double *v, size_t n, size_t bytes)
{
	uint64_t missing = a->missing, *k = (uint64_t *)(void *)v;
	double prev = -INFINITY;

	ag_drift_num_release(a);
	for (size_t i = 0; i < n; i++) {
		double x;
		uint64_t key;

		memcpy(&x, &v[i], sizeof(x)); /* memcpy: its 8 bytes become a key */
		assert(isfinite(x) && !(x == 0 && signbit(x)) && prev <= x);
		prev = x;
		key = key_of(x);
		memcpy(&k[i], &key, sizeof(key));
	}
	(void)prev; /* only asserted */
	a->keys = k;
	a->nkeys = a->n = n;
	a->cap = bytes / sizeof(uint64_t);
	a->spilled = a->sorted = true;
	a->missing = missing;
}

int ag_drift_num_add_missing(struct ag_drift_num *a, uint64_t count,
			     struct ag_err *err)
{
	if (__builtin_add_overflow(a->missing, count, &a->missing)) {
		a->missing -= count;   /* wrapped: undo */
		return ag_err_set(err, AG_ERANGE,
				  "drift: missing-value count overflows");
	}
	return 0;
}

/* a += a: every count doubles. */
static int num_double(struct ag_drift_num *a, struct ag_err *err)
{
	size_t n = a->nkeys;
	int rc;

	if (a->n > SIZE_MAX / 2)
		return ag_err_set(err, AG_ERANGE, "drift: too many values");
	if ((rc = num_reserve(a, n, err)))
		return rc;
	a->n *= 2;
	for (size_t i = 0; i < a->slots; i++)
		a->table[i].count *= 2;
	if (n) { /* a counted side has no keys (NULL) */
		memcpy(a->keys + n, a->keys, n * sizeof(uint64_t));
		if (a->keys[0] < a->keys[n - 1])
			a->sorted = false;
	}
	a->nkeys += n;
	return 0;
}

int ag_drift_num_merge(struct ag_drift_num *a, const struct ag_drift_num *o,
		       struct ag_err *err)
{
	uint64_t missing;
	int rc = 0;

	if (__builtin_add_overflow(a->missing, o->missing, &missing))
		return ag_err_set(err, AG_ERANGE,
				  "drift: missing-value count overflows");
	if (a == o) {
		rc = num_double(a, err);
	} else if (!o->spilled) {
		for (size_t i = 0; !rc && i < o->slots; i++)
			if (o->table[i].key)
				rc = add_key(a, o->table[i].key, o->table[i].count, err);
	} else {
		if (!a->spilled)
			rc = spill(a, o->nkeys, err);
		if (!rc && !(rc = num_reserve(a, o->nkeys, err))) {
			if (o->nkeys && (!o->sorted || (a->nkeys && o->keys[0] < a->keys[a->nkeys - 1])))
				a->sorted = false;
			memcpy(a->keys + a->nkeys, o->keys, o->nkeys * sizeof(uint64_t));
			a->nkeys += o->nkeys;
			a->n += o->nkeys;
		}
	}
	if (!rc)
		a->missing = missing;
	return rc;
}

/* count copies of the value of key, as little-endian doubles, at p. */
static unsigned char *put_value(unsigned char *p, uint64_t key, uint64_t count)
{
	double v = value_of(key);
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	while (count--) {
		put_u64(p, b);
		p += 8;
	}
	return p;
}

int ag_drift_num_serialize(const struct ag_drift_num *a, struct ag_buf *out,
			   struct ag_err *err)
{
	size_t body;
	unsigned char hdr[NUM_HEADER], *p;

	if (__builtin_mul_overflow(a->n, (size_t)8, &body) ||
	    body > SIZE_MAX - NUM_HEADER - 1)
		return ag_err_set(err, AG_ERANGE, "drift: state too large");
	if (ag_buf_grow(out, NUM_HEADER + body))
		return ag_err_set(err, AG_ENOMEM,
				  "drift: no memory for %zu bytes of state",
				  NUM_HEADER + body);
	memcpy(hdr, NUM_MAGIC, 4);
	put_u32(hdr + 4, STATE_VERSION);
	put_u64(hdr + 8, (uint64_t)a->n);
	put_u64(hdr + 16, a->missing);
	ag_buf_add(out, hdr, sizeof(hdr));  /* cannot fail: grown above */
	p = (unsigned char *)out->buf + out->len;
	for (size_t i = 0; i < a->nkeys; i++)
		p = put_value(p, a->keys[i], 1);
	for (size_t i = 0; i < a->slots; i++)
		if (a->table[i].key)
			p = put_value(p, a->table[i].key, a->table[i].count);
	out->len += body;
	out->buf[out->len] = '\0';
	return 0;
}

int ag_drift_num_deserialize(struct ag_drift_num *a, const void *data,
			     size_t len, struct ag_err *err)
{
	const unsigned char *p = data;
	uint64_t n, missing;
	struct ag_drift_num t;
	int rc;

	if (len < NUM_HEADER || memcmp(p, NUM_MAGIC, 4) != 0)
		return ag_err_set(err, AG_EPARSE,
				  "drift state: not a numeric drift accumulator (bad magic or %zu bytes)",
				  len);
	if (get_u32(p + 4) != STATE_VERSION)
		return ag_err_set(err, AG_EPARSE,
				  "drift state: version %u, expected %u",
				  (unsigned)get_u32(p + 4), STATE_VERSION);
	n = get_u64(p + 8);
	missing = get_u64(p + 16);
	/* Compare counts, not n * 8, which could wrap. */
	if ((len - NUM_HEADER) % 8 != 0 || n != (len - NUM_HEADER) / 8)
		return ag_err_set(err, AG_EPARSE,
				  "drift state: %llu values announced, %zu bytes of values present",
				  (unsigned long long)n, len - NUM_HEADER);
	ag_drift_num_init(&t);
	t.missing = missing;
	for (size_t i = 0; i < (size_t)n; i++) {
		uint64_t b = get_u64(p + NUM_HEADER + 8 * i);
		double v;
		memcpy(&v, &b, sizeof(v));
		if (!isfinite(v) || b == (UINT64_C(1) << 63)) {
			ag_drift_num_release(&t);
			return ag_err_set(err, AG_EPARSE,
					  "drift state: value %zu is %s", i,
					  isfinite(v) ? "-0.0" : "not finite");
		}
		if ((rc = add_key(&t, key_of(v), 1, err))) {
			ag_drift_num_release(&t);
			return rc;
		}
	}
	ag_drift_num_release(a);
	*a = t;
	return 0;
}

/* ---- one side, sorted ---- */

/*
 * A side of a numeric feature as the metrics read it: its distinct keys in
 * ascending order with the number of values up to each.  A spilled side
 * is its sorted key array itself (cum NULL: key i is one value, equal keys
 * adjacent); a counted side is its table's runs sorted, with cumulative
 * counts.  Every metric below depends only on the distinct keys and the
 * counts, so the two forms of one multiset give the same bits.
 */
struct side {
	const uint64_t *keys;
	uint64_t *cum;       /* cum[i]: values <= keys[i]; NULL: one value each */
	uint64_t *own;       /* keys allocated for a counted side */
	size_t m;            /* entries of keys */
	size_t n;            /* values */
};

static int cmp_run(const void *x, const void *y)
{
	uint64_t a = ((const struct ag_drift_run *)x)->key, b = ((const struct ag_drift_run *)y)->key;
	return (a > b) - (a < b);
}

/* Sort a (in place: sort.h, an MSD radix sort) or its table's runs. */
static int side_of(struct ag_drift_num *a, struct side *sd, struct ag_err *err)
{
	struct ag_drift_run *r;
	size_t m = 0;
	uint64_t sum = 0;

	memset(sd, 0, sizeof(*sd));
	sd->n = a->n;
	if (a->spilled) {
		if (!a->sorted && ag_sort_u64(a->keys, a->nkeys))
			return ag_err_set(err, AG_ENOMEM,
					  "drift: no memory to sort %zu values", a->nkeys);
		a->sorted = true;
		sd->keys = a->keys;
		sd->m = a->nkeys;
		return 0;
	}
	r = malloc(a->distinct * sizeof(*r) + 1);
	sd->own = malloc(a->distinct * sizeof(*sd->own) + 1);
	sd->cum = malloc(a->distinct * sizeof(*sd->cum) + 1);
	if (!r || !sd->own || !sd->cum) {
		free(r);
		free(sd->own);
		free(sd->cum);
		return ag_err_set(err, AG_ENOMEM, "drift: out of memory");
	}
	for (size_t i = 0; i < a->slots; i++)
		if (a->table[i].key)
			r[m++] = a->table[i];
	qsort(r, m, sizeof(r[0]), cmp_run);
	for (size_t i = 0; i < m; i++) {
		sd->own[i] = r[i].key;
		sd->cum[i] = sum += r[i].count;
	}
	free(r);
	sd->keys = sd->own;
	sd->m = m;
	return 0;
}

static void side_release(struct side *sd)
{
	free(sd->own);
	free(sd->cum);
}

/* Values <= key (searchsorted side='right'), by binary search. */
static size_t count_le(const struct side *sd, uint64_t key)
{
	size_t lo = 0, hi = sd->m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sd->keys[mid] <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return sd->cum ? (lo ? (size_t)sd->cum[lo - 1] : 0) : lo;
}

/* The key of the value of rank r (0-based, r < n). */
static uint64_t key_at_rank(const struct side *sd, size_t r)
{
	size_t lo = 0, hi = sd->m - 1;

	if (!sd->cum)
		return sd->keys[r];
	while (lo < hi) { /* the first entry with cum > r */
		size_t mid = lo + (hi - lo) / 2;
		if (sd->cum[mid] > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return sd->keys[lo];
}

/* The run at *i: *i moves past it; returns the values <= its key. */
static size_t run_next(const struct side *sd, size_t *i)
{
	uint64_t k = sd->keys[*i];

	if (sd->cum)
		return (size_t)sd->cum[(*i)++];
	while (*i < sd->m && sd->keys[*i] == k)
		(*i)++;
	return *i;
}

/* ---- numeric metrics ---- */

/* numpy's _lerp (numpy >= 1.22): exact at both ends, monotone in g. */
static double lerp(double a, double b, double g)
{
	double diff = b - a;
	return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/* numpy.quantile(v, p) with the default "linear" method (Hyndman & Fan
 * type 7), computed as numpy does. */
static double quantile_sorted(const struct side *sd, double p)
{
	size_t n = sd->n;
	double virt = (double)(n - 1) * p;
	double fl = floor(virt);
	size_t i = (size_t)fl;
	double g = virt - fl;

	if (i >= n - 1)
		return value_of(key_at_rank(sd, n - 1));
	return lerp(value_of(key_at_rank(sd, i)), value_of(key_at_rank(sd, i + 1)), g);
}

/* Bin counts for the bins (c_{i-1}, c_i], c_0 = -inf, c_10 = +inf. */
static void bin_counts(const struct side *sd, const double *cuts, uint64_t *bins)
{
	size_t prev = 0;

	for (int i = 0; i < AG_DRIFT_BINS - 1; i++) {
		size_t le = count_le(sd, key_of(cuts[i]));
		bins[i] = le - prev;
		prev = le;
	}
	bins[AG_DRIFT_BINS - 1] = sd->n - prev;
}

/* One PSI term (Siddiqi 2006): shares of 0 are replaced by 0.0001 so that
 * the logarithm is defined; a bin empty on both sides adds 0. */
static double psi_term(double r, double c)
{
	if (r == 0)
		r = AG_DRIFT_EMPTY_SHARE;
	if (c == 0)
		c = AG_DRIFT_EMPTY_SHARE;
	return (c - r) * log(c / r);
}

/*
 * Jensen-Shannon distance, base 2 (Lin 1991, eq. 4.1 with equal weights):
 * sqrt(JSD), JSD = (KL(p || m) + KL(q || m)) / 2, m = (p + q) / 2, in
 * bits, so that it lies in [0, 1].  Shares are the raw bin proportions;
 * 0 log 0 = 0.  The result is clamped at 0 against rounding.
 */
static double js_distance(const uint64_t *br, uint64_t nr, const uint64_t *bc,
			  uint64_t nc)
{
	double js = 0;

	for (int i = 0; i < AG_DRIFT_BINS; i++) {
		double p = (double)br[i] / (double)nr;
		double q = (double)bc[i] / (double)nc;
		double m = (p + q) / 2;
		if (p > 0)
			js += p * log(p / m);
		if (q > 0)
			js += q * log(q / m);
	}
	js = js / 2 / log(2.0);
	return js > 0 ? sqrt(js) : 0.0;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * KS statistic and Wasserstein-1 distance in one merge of the sorted
 * samples.  At each distinct value x (of either sample) the empirical CDFs
 * are i/n1 and j/n2 with i, j the counts of values <= x (as
 * scipy.stats.ks_2samp counts them, searchsorted side='right').  D is
 * found in integers, |i n2 - j n1| / (n1 n2), and divided once at the end:
 * the correctly rounded value of the exact rational, which is what
 * ks_2samp reports (its exact mode rounds D to h / lcm(n1, n2)).  Only
 * when n1 n2 overflows 64 bits (beyond 4e9 values a side) is the maximum
 * taken over rounded differences.
 *
 * Between x and the next distinct value x' the CDFs are constant, so
 * W1 = sum |F_ref - F_cur| (x' - x), the integral the definition asks for
 * (scipy.stats.wasserstein_distance sums the same terms).  The sum is
 * compensated (Neumaier) so that ten million terms do not lose digits.
 */
static void ks_wasserstein(const struct side *a, const struct side *b, double *ks,
			   double *w1)
{
	size_t n1 = a->n, n2 = b->n, i = 0, j = 0, ia = 0, ib = 0;
	uint64_t prod, best = 0;
	bool exact = !__builtin_mul_overflow((uint64_t)n1, (uint64_t)n2, &prod);
	double d = 0, sum = 0, comp = 0;

	while (ia < a->m || ib < b->m) {
		uint64_t k;
		if (ia < a->m && (ib >= b->m || a->keys[ia] <= b->keys[ib]))
			k = a->keys[ia];
		else
			k = b->keys[ib];
		if (ia < a->m && a->keys[ia] == k)
			i = run_next(a, &ia);
		if (ib < b->m && b->keys[ib] == k)
			j = run_next(b, &ib);
		if (exact) {
			/* i n2 and j n1 are at most n1 n2: no overflow. */
			uint64_t x = (uint64_t)i * n2, y = (uint64_t)j * n1;
			uint64_t h = x > y ? x - y : y - x;
			if (h > best)
				best = h;
		}
		double diff = fabs((double)i / (double)n1 -
				   (double)j / (double)n2);
		if (diff > d)
			d = diff;
		if (i == n1 && j == n2)
			break;
		uint64_t next = ia < a->m && (ib >= b->m || a->keys[ia] <= b->keys[ib])
					? a->keys[ia] : b->keys[ib];
		double term = diff * (value_of(next) - value_of(k));
		double t = sum + term;
		if (fabs(sum) >= fabs(term))
			comp += (sum - t) + term;
		else
			comp += (term - t) + sum;
		sum = t;
	}
	if (exact) {
		uint64_t g = gcd_u64(n1, n2);
		d = (double)(best / g) / (double)(prod / g);
	}
	*ks = d;
	*w1 = sum + comp;
}

/*
 * Q_KS(x) = P(K > x), K Kolmogorov's limiting distribution.  Two series
 * (Kolmogorov 1933; the second form via Jacobi's theta identity), each used
 * where it converges in a handful of terms, with the switch at 0.82 as in
 * scipy.special.kolmogorov (cephes kolmogorov.c, van Mulbregt 2018):
 *   x > 0.82:  Q = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)
 *   x <= 0.82: P = sqrt(2 pi)/x sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2)),
 *              Q = 1 - P.
 * Marsaglia, Tsang and Wang (2003) discuss the accuracy of these forms.
 */
double ag_kolmogorov_sf(double x)
{
	if (isnan(x))
		return NAN;
	if (x <= 0)
		return 1.0;
	if (x > 0.82) {
		double sum = 0;
		for (int k = 1; k <= 100; k++) {
			double t = exp(-2.0 * k * k * x * x);
			sum += (k & 1) ? t : -t;
			if (t < 1e-17 * sum)
				break;
		}
		return 2 * sum;
	}
	double w = sqrt(2 * PI) / x, p = 0;
	for (int k = 1; k <= 100; k++) {
		double m = 2.0 * k - 1;
		double t = exp(-m * m * PI * PI / (8 * x * x));
		p += t;
		if (t <= 1e-17 * p || p == 0)
			break;
	}
	p *= w;
	return p >= 1 ? 0.0 : 1 - p;
}

int ag_drift_numeric(struct ag_drift_num *ref, struct ag_drift_num *cur,
		     struct ag_drift_num_result *res, struct ag_err *err)
{
	int rc;

	memset(res, 0, sizeof(*res));
	if (ref->n == 0)
		return ag_err_set(err, AG_EINVAL,
				  "drift: the reference has no non-missing values (%llu missing)",
				  (unsigned long long)ref->missing);
	if (cur->n == 0)
		return ag_err_set(err, AG_EINVAL,
				  "drift: the current data has no non-missing values (%llu missing)",
				  (unsigned long long)cur->missing);
	struct side r, c;
	if ((rc = side_of(ref, &r, err)))
		return rc;
	if ((rc = side_of(cur, &c, err))) {
		side_release(&r);
		return rc;
	}

	size_t n1 = ref->n, n2 = cur->n;
	res->n_ref = n1;
	res->n_cur = n2;
	res->missing_ref = ref->missing;
	res->missing_cur = cur->missing;
	res->missing_rate_ref = missing_rate(n1, ref->missing);
	res->missing_rate_cur = missing_rate(n2, cur->missing);
	res->missing_rate_change = res->missing_rate_cur - res->missing_rate_ref;

	/* k / 10.0 is the double nearest to each decile; pandas.qcut's
	 * linspace(0, 1, 11) differs in the last bit at 0.3, 0.6 and 0.7. */
	for (int i = 0; i < AG_DRIFT_BINS - 1; i++) {
		double q = quantile_sorted(&r, (i + 1) / 10.0);
		res->cuts[i] = q == 0 ? 0.0 : q;
	}
	bin_counts(&r, res->cuts, res->bin_ref);
	bin_counts(&c, res->cuts, res->bin_cur);

	double psi = 0;
	for (int i = 0; i < AG_DRIFT_BINS; i++)
		psi += psi_term((double)res->bin_ref[i] / (double)n1,
				(double)res->bin_cur[i] / (double)n2);
	res->psi = psi;
	res->js_distance = js_distance(res->bin_ref, n1, res->bin_cur, n2);

	ks_wasserstein(&r, &c, &res->ks, &res->wasserstein);
	side_release(&r);
	side_release(&c);
	/* The effective sample size of the two-sample statistic (Smirnov
	 * 1939): sqrt(m n / (m + n)) D tends to the Kolmogorov distribution. */
	double en = (double)n1 * (double)n2 / ((double)n1 + (double)n2);
	res->ks_pvalue = ag_kolmogorov_sf(sqrt(en) * res->ks);
	return 0;
}

/* ---- categorical accumulator ---- */

void ag_drift_cat_init(struct ag_drift_cat *c)
{
	memset(c, 0, sizeof(*c));
	ag_buf_init(&c->text);
}

void ag_drift_cat_release(struct ag_drift_cat *c)
{
	free(c->slots);
	ag_buf_release(&c->text);
	ag_drift_cat_init(c);
}

static struct ag_drift_cat_entry *cat_find(const struct ag_drift_cat *c,
					   uint64_t h, const char *s,
					   size_t len)
{
	size_t mask = c->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct ag_drift_cat_entry *e = &c->slots[i];
		if (e->count == 0)
			return e;
		if (e->hash == h && e->len == len &&
		    memcmp(c->text.buf + e->off, s, len) == 0)
			return e;
	}
}

/* Keep the load at most 1/2 so probes stay short. */
static int cat_grow(struct ag_drift_cat *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 64;
	struct ag_drift_cat_entry *ns, *old = c->slots;
	size_t ocap = c->cap;

	if (ncap > SIZE_MAX / sizeof(*ns))
		return -1;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -1;
	c->slots = ns;
	c->cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (old[i].count == 0)
			continue;
		struct ag_drift_cat_entry *e = cat_find(c, old[i].hash,
			c->text.buf + old[i].off, old[i].len);
		*e = old[i];
	}
	free(old);
	return 0;
}

static int cat_add_hashed(struct ag_drift_cat *c, uint64_t h, const char *s,
			  size_t len, uint64_t count, struct ag_err *err)
{
	struct ag_drift_cat_entry *e;

	if (count == 0)
		return 0;
	if ((c->n + 1) * 2 > c->cap && cat_grow(c))
		return ag_err_set(err, AG_ENOMEM,
				  "drift: no memory for %zu categories", c->n + 1);
	e = cat_find(c, h, s, len);
	if (e->count) {
		if (__builtin_add_overflow(e->count, count, &e->count)) {
			e->count -= count;
			return ag_err_set(err, AG_ERANGE,
					  "drift: category count overflows");
		}
		return 0;
	}
	size_t off = c->text.len;
	if (ag_buf_add(&c->text, s, len))
		return ag_err_set(err, AG_ENOMEM,
				  "drift: no memory for category text");
	e->hash = h;
	e->count = count;
	e->off = off;
	e->len = len;
	c->n++;
	return 0;
}

int ag_drift_cat_add(struct ag_drift_cat *c, const char *s, size_t len,
		     uint64_t count, struct ag_err *err)
{
	return cat_add_hashed(c, ag_hash_bytes(s, len), s, len, count, err);
}

int ag_drift_cat_add_missing(struct ag_drift_cat *c, uint64_t count,
			     struct ag_err *err)
{
	if (__builtin_add_overflow(c->missing, count, &c->missing)) {
		c->missing -= count;
		return ag_err_set(err, AG_ERANGE,
				  "drift: missing-value count overflows");
	}
	return 0;
}

int ag_drift_cat_merge(struct ag_drift_cat *c, const struct ag_drift_cat *o,
		       struct ag_err *err)
{
	int rc;

	if (c == o) {
		/* Adding while iterating the same table could move entries
		 * under the loop; doubling needs no new entry. */
		for (size_t i = 0; i < c->cap; i++)
			if (c->slots[i].count > UINT64_MAX / 2)
				return ag_err_set(err, AG_ERANGE,
						  "drift: category count overflows");
		if (c->missing > UINT64_MAX / 2)
			return ag_err_set(err, AG_ERANGE,
					  "drift: missing-value count overflows");
		for (size_t i = 0; i < c->cap; i++)
			c->slots[i].count *= 2;
		c->missing *= 2;
		return 0;
	}
	rc = ag_drift_cat_add_missing(c, o->missing, err);
	for (size_t i = 0; !rc && i < o->cap; i++) {
		const struct ag_drift_cat_entry *e = &o->slots[i];
		if (e->count)
			rc = cat_add_hashed(c, e->hash, o->text.buf + e->off,
					    e->len, e->count, err);
	}
	return rc;
}

int ag_drift_cat_serialize(const struct ag_drift_cat *c, struct ag_buf *out,
			   struct ag_err *err)
{
	unsigned char hdr[24], u[8];
	size_t start = out->len;

	memcpy(hdr, CAT_MAGIC, 4);
	put_u32(hdr + 4, STATE_VERSION);
	put_u64(hdr + 8, (uint64_t)c->n);
	put_u64(hdr + 16, c->missing);
	if (ag_buf_add(out, hdr, sizeof(hdr)))
		goto nomem;
	for (size_t i = 0; i < c->cap; i++) {
		const struct ag_drift_cat_entry *e = &c->slots[i];
		if (!e->count)
			continue;
		put_u64(u, (uint64_t)e->len);
		if (ag_buf_add(out, u, 8) ||
		    ag_buf_add(out, c->text.buf + e->off, e->len))
			goto nomem;
		put_u64(u, e->count);
		if (ag_buf_add(out, u, 8))
			goto nomem;
	}
	return 0;
nomem:
	out->len = start;
	out->buf[start] = '\0';
	return ag_err_set(err, AG_ENOMEM, "drift: no memory to serialize");
}

int ag_drift_cat_deserialize(struct ag_drift_cat *c, const void *data,
			     size_t len, struct ag_err *err)
{
	const unsigned char *p = data;
	struct ag_drift_cat t;
	uint64_t ncat, total = 0;
	size_t pos = 24;
	int rc;

	if (len < 24 || memcmp(p, CAT_MAGIC, 4) != 0)
		return ag_err_set(err, AG_EPARSE,
				  "drift state: not a categorical drift accumulator (bad magic or %zu bytes)",
				  len);
	if (get_u32(p + 4) != STATE_VERSION)
		return ag_err_set(err, AG_EPARSE,
				  "drift state: version %u, expected %u",
				  (unsigned)get_u32(p + 4), STATE_VERSION);
	ncat = get_u64(p + 8);
	/* Each category takes at least 16 bytes: bounds ncat before any
	 * allocation, so a forged count cannot ask for huge tables. */
	if (ncat > (len - 24) / 16)
		return ag_err_set(err, AG_EPARSE,
				  "drift state: %llu categories cannot fit in %zu bytes",
				  (unsigned long long)ncat, len);
	ag_drift_cat_init(&t);
	t.missing = get_u64(p + 16);
	for (uint64_t i = 0; i < ncat; i++) {
		uint64_t clen, count;
		if (len - pos < 8)
			goto truncated;
		clen = get_u64(p + pos);
		pos += 8;
		if (clen > len - pos || len - pos - clen < 8)
			goto truncated;
		const char *s = (const char *)p + pos;
		pos += (size_t)clen;
		count = get_u64(p + pos);
		pos += 8;
		if (count == 0 || __builtin_add_overflow(total, count, &total)) {
			ag_drift_cat_release(&t);
			return ag_err_set(err, AG_EPARSE,
					  "drift state: category %llu has a %s count",
					  (unsigned long long)i,
					  count ? "overflowing" : "zero");
		}
		size_t before = t.n;
		rc = cat_add_hashed(&t, ag_hash_bytes(s, (size_t)clen), s,
				    (size_t)clen, count, err);
		if (rc) {
			ag_drift_cat_release(&t);
			return rc;
		}
		if (t.n == before) {
			ag_drift_cat_release(&t);
			return ag_err_set(err, AG_EPARSE,
					  "drift state: category %llu repeats an earlier one",
					  (unsigned long long)i);
		}
	}
	if (pos != len) {
		ag_drift_cat_release(&t);
		return ag_err_set(err, AG_EPARSE,
				  "drift state: %zu trailing bytes", len - pos);
	}
	ag_drift_cat_release(c);
	*c = t;
	return 0;
truncated:
	ag_drift_cat_release(&t);
	return ag_err_set(err, AG_EPARSE, "drift state: truncated at byte %zu",
			  pos);
}

/* ---- categorical metrics ---- */

/*
 * log Gamma(a) for a > 0: Lanczos (1964) with g = 7 and the 9 coefficients
 * Numerical Recipes and Boost list (relative error below 1e-15), and the
 * reflection-free shift a < 0.5 -> a + 1.  Written here because lgamma(3)
 * writes the global signgam, which is not thread-safe.
 */
static double log_gamma(double a)
{
	static const double c[9] = {
		0.99999999999980993, 676.5203681218851, -1259.1392167224028,
		771.32342877765313, -176.61502916214059, 12.507343278686905,
		-0.13857109526572012, 9.9843695780195716e-6,
		1.5056327351493116e-7
	};
	if (a < 0.5)
		return log_gamma(a + 1) - log(a);
	a -= 1;
	double x = c[0], t = a + 7.5;
	for (int i = 1; i < 9; i++)
		x += c[i] / (a + i);
	return 0.5 * log(2 * PI) + (a + 0.5) * log(t) - t + log(x);
}

/*
 * Regularized upper incomplete gamma Q(a, x) (Numerical Recipes 3rd ed.,
 * 6.2): the series for P when x < a + 1 (Q = 1 - P is then not tiny, so
 * the subtraction loses nothing), the continued fraction for Q otherwise,
 * evaluated with the modified Lentz method.  Both converge in O(sqrt(a))
 * terms.
 */
static double gamma_q(double a, double x)
{
	const double eps = 1e-16, tiny = 1e-300;
	double front;

	if (x <= 0)
		return 1.0;
	front = -x + a * log(x) - log_gamma(a);
	if (x < a + 1) {
		double ap = a, del = 1.0 / a, sum = del;
		for (int n = 0; n < 100000; n++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * eps)
				break;
		}
		double pv = sum * exp(front);
		return pv >= 1 ? 0.0 : 1 - pv;
	}
	double b = x + 1 - a, cc = 1 / tiny, d = 1 / b, h = d;
	for (int i = 1; i < 100000; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		cc = b + an / cc;
		if (fabs(cc) < tiny)
			cc = tiny;
		d = 1 / d;
		double del = d * cc;
		h *= del;
		if (fabs(del - 1) <= eps)
			break;
	}
	return exp(front) * h;
}

double ag_chi2_sf(double x, double df)
{
	if (!(df > 0) || isnan(x))
		return NAN;
	return gamma_q(df / 2, x / 2);
}

struct cat_count {
	const char *s;
	size_t len;
	uint64_t count;
};

static int cmp_cat(const void *pa, const void *pb)
{
	const struct cat_count *a = pa, *b = pb;
	size_t m = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->s, b->s, m);

	if (r)
		return r;
	return (a->len > b->len) - (a->len < b->len);
}

/* The categories of c sorted by bytes, in *out (the caller frees it), and
 * their total count: a canonical order, so that sums over categories do
 * not depend on insertion order. */
static int sorted_categories(const struct ag_drift_cat *c,
			     struct cat_count **out, uint64_t *total,
			     struct ag_err *err)
{
	struct cat_count *v = malloc((c->n ? c->n : 1) * sizeof(*v));
	size_t k = 0;

	*out = v;
	*total = 0;
	if (!v)
		return ag_err_set(err, AG_ENOMEM,
				  "drift: no memory to list %zu categories", c->n);
	for (size_t i = 0; i < c->cap; i++) {
		const struct ag_drift_cat_entry *e = &c->slots[i];
		if (!e->count)
			continue;
		v[k].s = c->text.buf + e->off;
		v[k].len = e->len;
		v[k].count = e->count;
		if (__builtin_add_overflow(*total, e->count, total))
			return ag_err_set(err, AG_ERANGE,
					  "drift: category counts overflow when summed");
		k++;
	}
	qsort(v, k, sizeof(*v), cmp_cat);
	return 0;
}

int ag_drift_categorical(const struct ag_drift_cat *ref,
			 const struct ag_drift_cat *cur,
			 struct ag_drift_cat_result *res, struct ag_err *err)
{
	struct cat_count *r = NULL, *c = NULL;
	uint64_t nr, nc;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	rc = sorted_categories(ref, &r, &nr, err);
	if (!rc)
		rc = sorted_categories(cur, &c, &nc, err);
	if (rc)
		goto out;
	if (nr == 0) {
		rc = ag_err_set(err, AG_EINVAL,
				"drift: the reference has no non-missing values (%llu missing)",
				(unsigned long long)ref->missing);
		goto out;
	}
	if (nc == 0) {
		rc = ag_err_set(err, AG_EINVAL,
				"drift: the current data has no non-missing values (%llu missing)",
				(unsigned long long)cur->missing);
		goto out;
	}
	res->n_ref = nr;
	res->n_cur = nc;
	res->missing_ref = ref->missing;
	res->missing_cur = cur->missing;
	res->missing_rate_ref = missing_rate(nr, ref->missing);
	res->missing_rate_cur = missing_rate(nc, cur->missing);
	res->missing_rate_change = res->missing_rate_cur - res->missing_rate_ref;

	/* Two walks over the merged sorted lists: the first sums the
	 * expected proportions (for renormalization) and the PSI, the second
	 * the chi-square terms. */
	double psum = 0, psi = 0, chi2 = 0;
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0, j = 0;
		while (i < ref->n || j < cur->n) {
			uint64_t rcount = 0, ccount = 0;
			int cmp = i >= ref->n ? 1 : j >= cur->n ? -1
				: cmp_cat(&r[i], &c[j]);
			if (cmp <= 0)
				rcount = r[i++].count;
			if (cmp >= 0)
				ccount = c[j++].count;
			double p = rcount ? (double)rcount / (double)nr
					  : AG_DRIFT_EMPTY_SHARE;
			if (pass == 0) {
				res->categories++;
				res->only_ref += ccount == 0;
				res->only_cur += rcount == 0;
				psi += psi_term((double)rcount / (double)nr,
						(double)ccount / (double)nc);
				psum += p;
			} else {
				double e = (double)nc * p / psum;
				double dev = (double)ccount - e;
				chi2 += dev * dev / e;
			}
		}
	}
	res->psi = psi;
	res->chi2 = chi2;
	res->chi2_df = (double)(res->categories - 1);
	res->chi2_pvalue = res->categories > 1
		? ag_chi2_sf(chi2, res->chi2_df) : 1.0;
out:
	free(r);
	free(c);
	return rc;
}
