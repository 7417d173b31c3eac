/*
 * KLL quantile sketch and exact quantile selection; see sketch.h.
 *
 * The sketch follows the reference implementation of Karnin, Lang and
 * Liberty (edoliberty/streaming-quantiles, kll.py): level h holds items of
 * weight 2^h; its capacity is ceil(k * (2/3)^(H-1-h)) + 1; when the total
 * passes the sum of capacities, the lowest full level is sorted and every
 * other item (random offset) moves up one level.  Memory is O(k log(n/k)).
 */
#include "aigov/sketch.h"

#include "aigov/arena.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Never below 8 items, as in DataSketches' KLL (its "m"): without a
 * floor the lowest of many levels would compact every two items. */
static uint32_t level_capacity(const struct ag_kll *s, uint32_t h)
{
	uint32_t depth = s->nlevels - h - 1;
	uint32_t c = (uint32_t)ceil(s->k * pow(2.0 / 3.0, depth)) + 1;
	return c < 8 ? 8 : c;
}

static int grow_levels(struct ag_kll *s)
{
	struct ag_kll_level *nl = realloc(s->levels,
					  (s->nlevels + 1) * sizeof(*nl));
	if (!nl)
		return -1;
	s->levels = nl;
	memset(&s->levels[s->nlevels], 0, sizeof(*nl));
	s->nlevels++;
	s->max_size = 0;
	for (uint32_t h = 0; h < s->nlevels; h++)
		s->max_size += level_capacity(s, h);
	return 0;
}

static int level_push(struct ag_kll_level *l, double v)
{
	if (l->n == l->cap) {
		uint32_t ncap = l->cap ? l->cap * 2 : 16;
		double *ni = realloc(l->items, ncap * sizeof(double));
		if (!ni)
			return -1;
		l->items = ni;
		l->cap = ncap;
	}
	l->items[l->n++] = v;
	return 0;
}

int ag_kll_init(struct ag_kll *s, uint32_t k)
{
	memset(s, 0, sizeof(*s));
	s->k = k < 8 ? 8 : k;
	s->rng = UINT64_C(0x853c49e6748fea9b);
	s->min = INFINITY;
	s->max = -INFINITY;
	return grow_levels(s);
}

void ag_kll_release(struct ag_kll *s)
{
	for (uint32_t h = 0; h < s->nlevels; h++)
		free(s->levels[h].items);
	free(s->levels);
	memset(s, 0, sizeof(*s));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void insertion_sort(double *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double x = a[i];
		size_t j = i;
		while (j > 0 && a[j - 1] > x) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

/*
 * Quicksort with the comparison inlined: qsort(3) calls a comparison
 * function per step, which made KLL compaction (a sort per level) the
 * largest cost of sketching.  Median-of-three pivots, insertion sort below
 * 24 elements, qsort(3) (merge sort in glibc) if partitioning degrades.
 */
static void sort_doubles_depth(double *a, size_t n, unsigned depth)
{
	while (n > 24) {
		if (depth-- == 0) {
			qsort(a, n, sizeof(double), cmp_double);
			return;
		}
		size_t mid = n / 2, i = 0, j = n - 1;
		double t;
		if (a[mid] < a[0]) { t = a[mid]; a[mid] = a[0]; a[0] = t; }
		if (a[j] < a[0]) { t = a[j]; a[j] = a[0]; a[0] = t; }
		if (a[j] < a[mid]) { t = a[j]; a[j] = a[mid]; a[mid] = t; }
		double pivot = a[mid];
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		/* a[0..j] <= pivot <= a[i..n-1]: recurse on the smaller part. */
		if (j + 1 < n - i) {
			sort_doubles_depth(a, j + 1, depth);
			a += i;
			n -= i;
		} else {
			sort_doubles_depth(a + i, n - i, depth);
			n = j + 1;
		}
	}
	insertion_sort(a, n);
}

static void sort_doubles(double *a, size_t n)
{
	sort_doubles_depth(a, n, 2 * 64);
}

static uint64_t next_rand(struct ag_kll *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static int compress(struct ag_kll *s)
{
	for (uint32_t h = 0; h < s->nlevels; h++) {
		struct ag_kll_level *l = &s->levels[h];
		uint32_t keep_from, w = 0;

		if (l->n < level_capacity(s, h))
			continue;
		if (h + 1 >= s->nlevels && grow_levels(s))
			return -1;
		l = &s->levels[h]; /* levels may have moved */
		sort_doubles(l->items, l->n);
		/* An odd item out stays at this level. */
		keep_from = l->n & 1;
		uint32_t offset = (uint32_t)(next_rand(s) & 1);
		for (uint32_t i = keep_from + offset; i < l->n; i += 2)
			if (level_push(&s->levels[h + 1], l->items[i]))
				return -1;
		if (keep_from)
			w = 1; /* items[0] stays */
		l->n = w;
		s->size = 0;
		for (uint32_t j = 0; j < s->nlevels; j++)
			s->size += s->levels[j].n;
		if (s->size < s->max_size)
			break;
	}
	return 0;
}

int ag_kll_add(struct ag_kll *s, double v)
{
	if (level_push(&s->levels[0], v))
		return -1;
	s->n++;
	s->size++;
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	if (s->size >= s->max_size)
		return compress(s);
	return 0;
}

int ag_kll_merge(struct ag_kll *s, const struct ag_kll *o)
{
	while (s->nlevels < o->nlevels)
		if (grow_levels(s))
			return -1;
	for (uint32_t h = 0; h < o->nlevels; h++)
		for (uint32_t i = 0; i < o->levels[h].n; i++)
			if (level_push(&s->levels[h], o->levels[h].items[i]))
				return -1;
	s->n += o->n;
	if (o->min < s->min)
		s->min = o->min;
	if (o->max > s->max)
		s->max = o->max;
	s->size = 0;
	for (uint32_t h = 0; h < s->nlevels; h++)
		s->size += s->levels[h].n;
	while (s->size >= s->max_size) {
		uint32_t before = s->size;
		if (compress(s))
			return -1;
		if (s->size >= before)
			break;
	}
	return 0;
}

struct weighted {
	double v;
	uint64_t w;
};

static int cmp_weighted(const void *a, const void *b)
{
	return cmp_double(&((const struct weighted *)a)->v,
			  &((const struct weighted *)b)->v);
}

int ag_kll_quantiles(const struct ag_kll *s, const double *p, size_t np,
		     double *out)
{
	struct weighted *all;
	size_t n = 0, j = 0;
	uint64_t total = 0, cum = 0;

	if (!s->n) {
		for (size_t i = 0; i < np; i++)
			out[i] = NAN;
		return 0;
	}
	all = malloc((size_t)s->size * sizeof(*all) + sizeof(*all));
	if (!all)
		return -1;
	for (uint32_t h = 0; h < s->nlevels; h++)
		for (uint32_t i = 0; i < s->levels[h].n; i++) {
			all[n].v = s->levels[h].items[i];
			all[n].w = UINT64_C(1) << h;
			total += all[n].w;
			n++;
		}
	qsort(all, n, sizeof(*all), cmp_weighted);
	/* The q-quantile is the first item whose cumulative weight reaches
	 * q * total; the ends are the true min and max. */
	for (size_t i = 0; i < np; i++) {
		double target = p[i] * (double)total;
		if (p[i] <= 0) {
			out[i] = s->min;
			continue;
		}
		if (p[i] >= 1) {
			out[i] = s->max;
			continue;
		}
		while (j < n && (double)(cum + all[j].w) < target) {
			cum += all[j].w;
			j++;
		}
		out[i] = j < n ? all[j].v : s->max;
	}
	free(all);
	return 0;
}

double ag_kll_rank_error(uint32_t k)
{
	return 2.446 / pow((double)k, 0.9433);
}

size_t ag_kll_bytes(const struct ag_kll *s)
{
	size_t b = s->nlevels * sizeof(struct ag_kll_level);
	for (uint32_t h = 0; h < s->nlevels; h++)
		b += s->levels[h].cap * sizeof(double);
	return b;
}

/* ---- exact selection ---- */

static void swap(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/*
 * Multiple selection (Hoare's FIND generalised to a set of ranks): after
 * the call, v[r] holds the r-th smallest value for every r in ranks[0..nr)
 * (ascending).  Each partition step recurses only into the sides that hold
 * a wanted rank, so 14 ranks cost a few passes over the data rather than
 * 14.  Median-of-three pivots; a range that keeps partitioning badly is
 * sorted instead, so the worst case is O(n log n).
 */
static void multiselect(double *v, size_t lo, size_t hi, const size_t *ranks,
			size_t nr, unsigned depth)
{
	while (nr && hi > lo) {
		if (hi - lo < 16 || depth-- == 0) {
			sort_doubles(v + lo, hi - lo + 1);
			return;
		}
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < v[lo])
			swap(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap(&v[hi], &v[mid]);
		double pivot = v[mid];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				swap(&v[i], &v[j]);
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		/* Now v[lo..j] <= pivot <= v[i..hi], and v[j+1..i-1] == pivot. */
		size_t nl = 0, nm;
		while (nl < nr && ranks[nl] <= j)
			nl++;
		nm = nl;
		while (nm < nr && ranks[nm] < i)
			nm++;
		/* Recurse into the smaller side, loop on the larger. */
		if (j - lo < hi - i) {
			if (nl && j > lo)
				multiselect(v, lo, j, ranks, nl, depth);
			lo = i;
			ranks += nm;
			nr -= nm;
		} else {
			if (nr - nm && hi > i)
				multiselect(v, i, hi, ranks + nm, nr - nm, depth);
			hi = j;
			nr = nl;
		}
	}
}

/* numpy's _lerp: exact at both ends, monotone in g. */
static double lerp(double a, double b, double g)
{
	double diff = b - a;
	return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/*
 * Sample-guided selection for large arrays (after Floyd and Rivest, 1975):
 * the sorted values of a fixed-seed random sample of 2^16 elements give, for
 * each wanted rank, an interval that holds it with overwhelming
 * probability (3.5 standard deviations of the sample rank each side).  One
 * branch-light pass counts the elements between intervals and copies those
 * inside them (about 1 % of the data per interval); multiselect then
 * finishes in the copies.  Expected cost: one pass plus small selections,
 * against about a dozen partitioning passes for multiselect alone.  If a
 * rank misses its interval (a bad sample), the caller falls back to
 * multiselect on the whole array, so the result is always exact.
 */
#define SAMPLE_BITS 16
#define MAX_IVALS 32

struct ival {
	double lo, hi;
	size_t below;   /* elements < lo */
	double *buf;    /* elements in [lo, hi] */
	size_t n, cap;
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int ival_push(struct ival *iv, double x)
{
	if (iv->n == iv->cap) {
		size_t ncap = iv->cap ? iv->cap * 2 : 4096;
		double *nb = realloc(iv->buf, ncap * sizeof(double));
		if (!nb)
			return -1;
		iv->buf = nb;
		iv->cap = ncap;
	}
	iv->buf[iv->n++] = x;
	return 0;
}

/* Fill vals[i] = the ranks[i]-th smallest of v; false if it could not. */
static bool sampled_select(const double *v, size_t n, const size_t *ranks,
			   size_t nr, double *vals)
{
	const size_t s = (size_t)1 << SAMPLE_BITS;
	double *sample = malloc(s * sizeof(double));
	struct ival iv[MAX_IVALS];
	double lows[16], highs[17];
	size_t gap[MAX_IVALS + 1] = { 0 };
	size_t m = 0;
	uint64_t seed = UINT64_C(0x2545f4914f6cdd1d);
	bool ok = true;

	if (!sample)
		return false;
	for (size_t i = 0; i < s; i++)
		sample[i] = v[splitmix(&seed) % n];
	sort_doubles(sample, s);
	memset(iv, 0, sizeof(iv));
	for (size_t i = 0; i < nr; i++) {
		double q = (double)ranks[i] / (double)(n - 1);
		double centre = q * (double)(s - 1);
		double margin = 3.5 * sqrt((double)s * q * (1 - q)) + 16;
		double a = centre - margin, b = centre + margin;
		double lo = sample[a < 0 ? 0 : (size_t)a];
		double hi = sample[b > (double)(s - 1) ? s - 1 : (size_t)b];

		if (a < 0)
			lo = -INFINITY;
		if (b > (double)(s - 1))
			hi = INFINITY;
		if (m && lo <= iv[m - 1].hi) {
			if (hi > iv[m - 1].hi)
				iv[m - 1].hi = hi;
		} else if (m < 16) {
			iv[m].lo = lo;
			iv[m].hi = hi;
			m++;
		} else {
			free(sample);
			return false;
		}
	}
	free(sample);
	/* lows[j]: low end of interval j (+inf past the last); highs[j]: high
	 * end of interval j - 1 (-inf for j = 0), so that x is inside interval
	 * j - 1 exactly when x <= highs[j] for j = #lows <= x. */
	for (size_t j = 0; j < 16; j++) {
		lows[j] = j < m ? iv[j].lo : INFINITY;
		highs[j + 1] = j < m ? iv[j].hi : -INFINITY;
	}
	highs[0] = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		double x = v[i];
		size_t j = (size_t)(lows[7] <= x) << 3;
		j += (size_t)(lows[j + 3] <= x) << 2;
		j += (size_t)(lows[j + 1] <= x) << 1;
		j += (size_t)(lows[j] <= x);
		bool inside = x <= highs[j];
		gap[j] += !inside;
		if (__builtin_expect(inside, 0) && ival_push(&iv[j - 1], x)) {
			ok = false;
			break;
		}
	}
	size_t below = 0;
	for (size_t j = 0; j < m; j++) {
		below += gap[j];
		iv[j].below = below;
		below += iv[j].n;
	}
	for (size_t i = 0, j = 0; ok && i < nr; i++) {
		while (j < m && ranks[i] >= iv[j].below + iv[j].n)
			j++;
		if (j == m || ranks[i] < iv[j].below) {
			ok = false;
			break;
		}
		size_t local = ranks[i] - iv[j].below;
		multiselect(iv[j].buf, 0, iv[j].n - 1, &local, 1, 2 * 64);
		vals[i] = iv[j].buf[local];
	}
	for (size_t j = 0; j < m; j++)
		free(iv[j].buf);
	return ok;
}

/*
 * numpy 1.22+ "linear" quantiles: the virtual index (n-1)*q, then its _lerp
 * between the values at floor(index) and the next rank.  quantile_ranks
 * lists those ranks (ascending, without repeats) into ranks[2 * np];
 * interpolate combines the values at them, at[i] being of rank ranks[i].
 */
static size_t quantile_ranks(size_t n, const double *p, size_t np,
			     size_t *ranks)
{
	size_t nr = 0;

	for (size_t i = 0; i < np; i++) {
		size_t k = (size_t)floor((double)(n - 1) * p[i]);
		if (k > n - 1)
			k = n - 1;
		for (size_t r = k; r <= k + 1 && r < n; r++)
			if (!nr || ranks[nr - 1] < r)
				ranks[nr++] = r;
	}
	return nr;
}

static void interpolate(size_t n, const double *p, size_t np,
			const size_t *ranks, const double *at, double *out)
{
	for (size_t i = 0; i < np; i++) {
		double virt = (double)(n - 1) * p[i];
		double fl = floor(virt);
		size_t k = (size_t)fl, ik = 0;
		double g = virt - fl;

		if (k >= n - 1) {
			k = n - 1;
			g = 0;
		}
		while (ranks[ik] != k)
			ik++;
		out[i] = lerp(at[ik], k + 1 < n ? at[ik + 1] : at[ik], g);
	}
}

void ag_quantiles_exact(double *v, size_t n, const double *p, size_t np,
			double *out)
{
	size_t ranks[2 * 16] = { 0 };
	double at[2 * 16];
	size_t nr;

	if (!n || !np)
		return;
	if (np > 16)
		np = 16;
	nr = quantile_ranks(n, p, np, ranks);
	if (n < ((size_t)1 << 20) || !sampled_select(v, n, ranks, nr, at)) {
		multiselect(v, 0, n - 1, ranks, nr, 2 * 64);
		for (size_t i = 0; i < nr; i++)
			at[i] = v[ranks[i]];
	}
	interpolate(n, p, np, ranks, at, out);
}

/* Value of rank r (0-based) in the weighted multiset, scanning from *j
 * with *cum = total weight before v[*j]; ranks must not decrease. */
static double value_at(const double *v, const uint64_t *w, size_t m,
		       uint64_t r, size_t *j, uint64_t *cum)
{
	while (*j + 1 < m && *cum + w[*j] <= r) {
		*cum += w[*j];
		(*j)++;
	}
	return v[*j];
}

void ag_quantiles_weighted(const double *v, const uint64_t *w, size_t m,
			   const double *p, size_t np, double *out)
{
	uint64_t n = 0, cum = 0;
	size_t j = 0;

	for (size_t i = 0; i < m; i++)
		n += w[i];
	for (size_t i = 0; i < np; i++) {
		if (!n) {
			out[i] = NAN;
			continue;
		}
		double virt = (double)(n - 1) * p[i];
		double fl = floor(virt);
		uint64_t k = (uint64_t)fl;
		double g = virt - fl, a, b;

		if (k >= n - 1) {
			k = n - 1;
			g = 0;
		}
		a = value_at(v, w, m, k, &j, &cum);
		size_t j2 = j;
		uint64_t cum2 = cum;
		b = k + 1 < n ? value_at(v, w, m, k + 1, &j2, &cum2) : a;
		out[i] = lerp(a, b, g);
	}
}

/* ---- exact value array ---------------------------------------------- */

/* 10^e as int32 for e <= 9: a factor that can scale a nonzero narrow
 * mantissa; a zero one may be "scaled" further, by any factor. */
static const int32_t pow10_i32[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000,
};

static int32_t narrow_factor(unsigned e)
{
	return pow10_i32[e < 9 ? e : 9];
}

static const double pow10_exact[23] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#define NARROW_MAX INT32_MAX /* |mantissa| bound; INT32_MIN is never used */

void ag_values_init(struct ag_values *v)
{
	memset(v, 0, sizeof(*v));
}

static size_t elem_size(bool wide)
{
	return wide ? sizeof(double) : sizeof(int32_t);
}

/* Charged as doubles whatever the array holds: see sketch.h. */
size_t ag_values_bytes(const struct ag_values *v)
{
	return v->cap * sizeof(double);
}

void ag_values_release(struct ag_values *v)
{
	ag_big_free(v->data, v->cap * elem_size(v->wide));
	memset(v, 0, sizeof(*v));
}

static double narrow_value(int32_t m, uint8_t scale)
{
	return (double)m / pow10_exact[scale];
}

double ag_values_get(const struct ag_values *v, size_t i)
{
	if (v->wide)
		return ((const double *)v->data)[i];
	return narrow_value(((const int32_t *)v->data)[i], v->scale);
}

/* |m| * 10^up when it is at most NARROW_MAX, else UINT64_MAX. */
static uint64_t scaled_abs(int64_t m, unsigned up)
{
	uint64_t a = m < 0 ? (uint64_t)-m : (uint64_t)m;

	for (; up; up--) {
		if (a > NARROW_MAX / 10)
			return UINT64_MAX;
		a *= 10;
	}
	return a <= NARROW_MAX ? a : UINT64_MAX;
}

/*
 * The scale at which v and the n new values can all be narrow, or -1 when
 * they cannot (a value without a decimal form, or a mantissa that would
 * not fit 31 bits).  Two passes over the batch only when the scale grows.
 */
static int narrow_scale(const struct ag_values *v, const int64_t *mant,
			const uint8_t *scale, size_t n)
{
	unsigned s = v->n ? v->scale : 0;

	for (size_t i = 0; i < n; i++) {
		if (scale[i] == AG_VALUES_NO_DECIMAL)
			return -1;
		if (scale[i] > s)
			s = scale[i];
	}
	if (v->n && scaled_abs(v->max_abs, s - v->scale) == UINT64_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (scaled_abs(mant[i], s - scale[i]) == UINT64_MAX)
			return -1;
	return (int)s;
}

/* Make room for `need` values, as doubles when `wide`; -1 if the growth
 * is over budget or memory.  Only growth in values is charged: widening
 * was paid for in advance. */
static int reserve(struct ag_values *v, size_t need, bool wide, size_t *budget)
{
	size_t cap = v->cap ? v->cap : 1024, charge;
	size_t old_bytes = v->cap * elem_size(v->wide);
	void *nd;

	while (cap < need) {
		if (cap > SIZE_MAX / 2 / sizeof(double))
			return -1;
		cap *= 2;
	}
	if (cap * elem_size(wide) <= old_bytes)
		return 0;
	charge = (cap - v->cap) * sizeof(double);
	if (charge > *budget)
		return -1;
	nd = ag_big_realloc(v->data, old_bytes, cap * elem_size(wide));
	if (!nd)
		return -1;
	*budget -= charge;
	v->data = nd;
	v->cap = cap;
	return 0;
}

/* Narrow to wide, in place (the array has room for cap doubles).  Back to
 * front: double i covers int32 slots 2i and 2i+1, which are read already
 * (2i >= i), and slot 0 is read before double 0 is written. */
static void widen(struct ag_values *v)
{
	const int32_t *m = v->data;
	double *d = v->data;

	for (size_t i = v->n; i-- > 0;)
		d[i] = narrow_value(m[i], v->scale);
	v->wide = true;
}

static void rescale(struct ag_values *v, unsigned s)
{
	int32_t *m = v->data;
	int32_t f = narrow_factor(s - v->scale);

	for (size_t i = 0; i < v->n; i++)
		m[i] *= f; /* fits: narrow_scale checked max_abs */
	v->max_abs *= (uint32_t)f;
	v->scale = (uint8_t)s;
}

/* The common case, checked in one branch-free pass: every value has a
 * decimal form at the array's scale and fits 31 bits. */
static bool all_at_scale(const struct ag_values *v, const int64_t *mant,
			 const uint8_t *scale, size_t n)
{
	bool ok = v->n > 0;

	for (size_t i = 0; i < n; i++)
		ok &= (scale[i] == v->scale) &
		      ((uint64_t)(mant[i] + NARROW_MAX) <= 2 * (uint64_t)NARROW_MAX);
	return ok;
}

/* Append values known to be at the array's scale; room is reserved. */
static void append_at_scale(struct ag_values *v, const int64_t *mant, size_t n)
{
	int32_t *m = (int32_t *)v->data + v->n;
	uint32_t max_abs = v->max_abs;

	for (size_t i = 0; i < n; i++) {
		uint32_t a = (uint32_t)(mant[i] < 0 ? -mant[i] : mant[i]);
		m[i] = (int32_t)mant[i];
		max_abs = a > max_abs ? a : max_abs;
	}
	v->max_abs = max_abs;
	v->n += n;
}

int ag_values_add(struct ag_values *v, const double *x, const int64_t *mant,
		  const uint8_t *scale, size_t n, size_t *budget)
{
	int s;

	if (!n)
		return 0;
	if (!v->wide && all_at_scale(v, mant, scale, n)) {
		if (n > SIZE_MAX - v->n || reserve(v, v->n + n, false, budget))
			return -1;
		append_at_scale(v, mant, n);
		return 0;
	}
	s = v->wide ? -1 : narrow_scale(v, mant, scale, n);
	if (n > SIZE_MAX - v->n || reserve(v, v->n + n, s < 0, budget))
		return -1;
	if (s < 0) {
		if (!v->wide)
			widen(v);
		memcpy((double *)v->data + v->n, x, n * sizeof(double));
		v->n += n;
		return 0;
	}
	if (!v->n)
		v->scale = (uint8_t)s;
	else if ((unsigned)s > v->scale)
		rescale(v, (unsigned)s);
	int32_t *m = (int32_t *)v->data + v->n;
	uint32_t max_abs = v->max_abs;
	for (size_t i = 0; i < n; i++) {
		/* The common case, scale[i] == s, multiplies by 1. */
		int64_t scaled = mant[i] * narrow_factor((unsigned)s - scale[i]);
		uint32_t a = (uint32_t)(scaled < 0 ? -scaled : scaled);
		m[i] = (int32_t)scaled;
		if (a > max_abs)
			max_abs = a;
	}
	v->max_abs = max_abs;
	v->n += n;
	return 0;
}

void ag_values_get_decimal(const struct ag_values *v, size_t i, double *x,
			   int64_t *mant, uint8_t *scale)
{
	*x = ag_values_get(v, i);
	*mant = v->wide ? 0 : ((const int32_t *)v->data)[i];
	*scale = v->wide ? AG_VALUES_NO_DECIMAL : v->scale;
}

/*
 * Selection in a narrow array, exact and in linear time without sorting
 * it: one pass counts the values per bucket of their top 16 bits (as
 * unsigned keys, which order like the mantissas); the wanted ranks fall in
 * at most 2 * np buckets.  A second pass takes those buckets' values: a
 * small bucket's are copied (as doubles) and selected in, a large bucket
 * gets a count per low 16 bits, which gives its ranks directly.  Temporary
 * memory: 512 KiB of counts, 64 KiB of bucket marks, at most 128 KiB of
 * copies or 512 KiB of counts per wanted bucket.
 */
#define BUCKETS 65536
#define SMALL_BUCKET 16384

struct bucket {
	size_t id, below, count; /* top 16 bits; values in lower buckets; size */
	double *copy;            /* small: its values */
	size_t ncopy;
	size_t *low;             /* large: counts per low 16 bits */
};

static uint32_t narrow_key(int32_t m)
{
	return (uint32_t)m ^ UINT32_C(0x80000000);
}

static int32_t key_mantissa(uint32_t k)
{
	return (int32_t)((int64_t)k - INT64_C(0x80000000));
}

/* The value of rank r, which lies in bucket b. */
static double bucket_rank(const struct bucket *b, size_t r, uint8_t scale)
{
	size_t local = r - b->below, cum = 0, low = 0;

	if (b->copy) {
		multiselect(b->copy, 0, b->ncopy - 1, &local, 1, 2 * 64);
		return b->copy[local];
	}
	while (cum + b->low[low] <= local)
		cum += b->low[low++];
	return narrow_value(key_mantissa((uint32_t)(b->id << 16 | low)), scale);
}

static int select_narrow(const int32_t *m, size_t n, uint8_t scale,
			 const size_t *ranks, size_t nr, double *at)
{
	size_t *count = calloc(BUCKETS, sizeof(*count));
	uint8_t *which = malloc(BUCKETS);
	struct bucket b[2 * 16];
	size_t nb = 0, cum = 0, id = 0;
	int rc = -1;

	memset(b, 0, sizeof(b));
	if (!count || !which)
		goto out;
	for (size_t i = 0; i < n; i++)
		count[narrow_key(m[i]) >> 16]++;
	/* Ranks ascend, so one walk over the buckets finds them all. */
	for (size_t i = 0; i < nr; i++) {
		while (cum + count[id] <= ranks[i])
			cum += count[id++];
		if (!nb || b[nb - 1].id != id) {
			b[nb].id = id;
			b[nb].below = cum;
			b[nb].count = count[id];
			nb++;
		}
	}
	memset(which, 0xFF, BUCKETS);
	for (size_t j = 0; j < nb; j++) {
		which[b[j].id] = (uint8_t)j;
		if (b[j].count <= SMALL_BUCKET)
			b[j].copy = malloc(b[j].count * sizeof(double));
		else
			b[j].low = calloc(BUCKETS, sizeof(size_t));
		if (!b[j].copy && !b[j].low)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t k = narrow_key(m[i]);
		uint8_t j = which[k >> 16];
		if (j == 0xFF)
			continue;
		if (b[j].copy)
			b[j].copy[b[j].ncopy++] = narrow_value(m[i], scale);
		else
			b[j].low[k & 0xFFFF]++;
	}
	for (size_t i = 0, j = 0; i < nr; i++) {
		while (ranks[i] >= b[j].below + b[j].count)
			j++;
		at[i] = bucket_rank(&b[j], ranks[i], scale);
	}
	rc = 0;
out:
	for (size_t j = 0; j < nb; j++) {
		free(b[j].copy);
		free(b[j].low);
	}
	free(count);
	free(which);
	return rc;
}

int ag_values_quantiles(struct ag_values *v, const double *p, size_t np,
			double *out)
{
	size_t ranks[2 * 16] = { 0 };
	double at[2 * 16], *tmp;
	size_t nr;

	if (v->wide) {
		ag_quantiles_exact(v->data, v->n, p, np, out);
		return 0;
	}
	if (!v->n || !np)
		return 0;
	if (np > 16)
		np = 16;
	nr = quantile_ranks(v->n, p, np, ranks);
	if (v->n >= BUCKETS) {
		if (select_narrow(v->data, v->n, v->scale, ranks, nr, at))
			return -1;
		interpolate(v->n, p, np, ranks, at, out);
		return 0;
	}
	/* Small: as doubles (at most 512 KiB), which order the same way. */
	tmp = malloc(v->n * sizeof(double));
	if (!tmp)
		return -1;
	for (size_t i = 0; i < v->n; i++)
		tmp[i] = ag_values_get(v, i);
	ag_quantiles_exact(tmp, v->n, p, np, out);
	free(tmp);
	return 0;
}
