/*
 * Hashing and distinct counting: exact hash set, then HyperLogLog.
 * See include/aigov/sketch.h for the algorithms and their error.
 */
#include "aigov/sketch.h"

#include "aigov/arena.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64's finalizer (Steele, Lea, Flood 2014): every input bit
 * affects every output bit, which HLL's register choice relies on. */
uint64_t ag_hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Eight bytes per step with a multiply-rotate round, finalized above.
 * Fields are short, so a heavier hash (SipHash) would cost more than the
 * rest of the per-field work; nothing here faces an adversary who benefits
 * from collisions beyond a slightly slower table. */
uint64_t ag_hash_bytes(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (n * UINT64_C(0xff51afd7ed558ccd));

	while (n >= 8) {
		h ^= load64(p) * UINT64_C(0x87c37b91114253d5);
		h = (h << 31 | h >> 33) * UINT64_C(0x4cf5ad432745937f);
		p += 8;
		n -= 8;
	}
	if (n) {
		/* The last 1..7 bytes without a variable-length memcpy call:
		 * overlapping fixed-size loads, as wyhash does. */
		uint64_t t;
		if (n >= 4) {
			uint32_t lo, hi;
			memcpy(&lo, p, 4);
			memcpy(&hi, p + n - 4, 4);
			t = (uint64_t)lo << 32 | hi;
		} else {
			t = (uint64_t)p[0] << 16 | (uint64_t)p[n >> 1] << 8 | p[n - 1];
		}
		h ^= t * UINT64_C(0x87c37b91114253d5);
		h = (h << 31 | h >> 33) * UINT64_C(0x4cf5ad432745937f);
	}
	return ag_hash_u64(h);
}

void ag_distinct_init(struct ag_distinct *d, size_t limit)
{
	memset(d, 0, sizeof(*d));
	d->limit = limit ? limit : SIZE_MAX;
}

void ag_distinct_release(struct ag_distinct *d)
{
	ag_big_free(d->slots, d->cap * sizeof(uint64_t));
	free(d->hll);
	memset(d, 0, sizeof(*d));
}

static void hll_add(uint8_t *reg, uint64_t h)
{
	uint32_t idx = (uint32_t)(h >> (64 - AG_HLL_P));
	uint64_t rest = h << AG_HLL_P;
	/* rank = position of the first 1 bit in the remaining 64-P bits,
	 * 64-P+1 when they are all zero. */
	uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1)
			    : (uint8_t)(64 - AG_HLL_P + 1);

	if (rank > reg[idx])
		reg[idx] = rank;
}

static int to_hll(struct ag_distinct *d, size_t *budget)
{
	d->hll = calloc(AG_HLL_M, 1);
	if (!d->hll)
		return -1;
	for (size_t i = 0; i < d->cap; i++)
		if (d->slots[i])
			hll_add(d->hll, d->slots[i]);
	*budget += d->bytes;
	ag_big_free(d->slots, d->cap * sizeof(uint64_t));
	d->slots = NULL;
	d->bytes = AG_HLL_M;
	*budget = *budget > AG_HLL_M ? *budget - AG_HLL_M : 0;
	d->cap = 0;
	return 0;
}

static void set_insert(uint64_t *slots, size_t cap, uint64_t h, size_t *n)
{
	size_t mask = cap - 1;
	size_t i = (size_t)h & mask;

	while (slots[i]) {
		if (slots[i] == h)
			return;
		i = (i + 1) & mask;
	}
	slots[i] = h;
	(*n)++;
}

static int set_grow(struct ag_distinct *d, size_t *budget)
{
	size_t ncap = d->cap ? d->cap * 2 : 64;
	size_t need = ncap * sizeof(uint64_t);
	uint64_t *ns;
	size_t n = 0;

	if (need > *budget + d->bytes || ncap > SIZE_MAX / 16)
		return to_hll(d, budget);
	ns = ag_big_realloc(NULL, 0, need);
	if (!ns)
		return to_hll(d, budget);
	for (size_t i = 0; i < d->cap; i++)
		if (d->slots[i])
			set_insert(ns, ncap, d->slots[i], &n);
	ag_big_free(d->slots, d->cap * sizeof(uint64_t));
	*budget = *budget + d->bytes - need;
	d->slots = ns;
	d->cap = ncap;
	d->bytes = need;
	return 0;
}

int ag_distinct_add(struct ag_distinct *d, uint64_t h, size_t *budget)
{
	if (d->hll) {
		hll_add(d->hll, h);
		return 0;
	}
	if (!h)
		h = 1; /* 0 marks an empty slot */
	if (d->cap) {
		size_t mask = d->cap - 1, i = (size_t)h & mask;

		while (d->slots[i]) {
			if (d->slots[i] == h)
				return 0;
			i = (i + 1) & mask;
		}
		/* A new value: insert it in place unless the limit is reached
		 * or the table would pass half full (short probes). */
		if (d->n < d->limit && (d->n + 1) * 2 <= d->cap) {
			d->slots[i] = h;
			d->n++;
			return 0;
		}
	}
	if (d->n >= d->limit ? to_hll(d, budget) : set_grow(d, budget))
		return -1;
	if (d->hll)
		hll_add(d->hll, h);
	else
		set_insert(d->slots, d->cap, h, &d->n);
	return 0;
}

int ag_distinct_add_many(struct ag_distinct *d, const uint64_t *h, size_t n,
			 size_t *budget)
{
	enum { AHEAD = 16 };

	for (size_t i = 0; i < n; i++) {
		if (d->hll) {
			for (; i < n; i++)
				hll_add(d->hll, h[i]);
			return 0;
		}
		if (i + AHEAD < n && d->cap)
			__builtin_prefetch(&d->slots[(size_t)h[i + AHEAD] & (d->cap - 1)]);
		if (ag_distinct_add(d, h[i], budget))
			return -1;
	}
	return 0;
}

int ag_distinct_merge(struct ag_distinct *d, const struct ag_distinct *o,
		      size_t *budget)
{
	if (o->hll) {
		if (!d->hll && to_hll(d, budget))
			return -1;
		for (size_t i = 0; i < AG_HLL_M; i++)
			if (o->hll[i] > d->hll[i])
				d->hll[i] = o->hll[i];
		return 0;
	}
	for (size_t i = 0; i < o->cap; i++)
		if (o->slots[i] && ag_distinct_add(d, o->slots[i], budget))
			return -1;
	return 0;
}

bool ag_distinct_is_exact(const struct ag_distinct *d)
{
	return d->hll == NULL;
}

/* Ertl 2017, Algorithm 6 helpers. */
static double ertl_sigma(double x)
{
	double y = 1, z = x, old;

	if (x == 1)
		return INFINITY;
	do {
		x *= x;
		old = z;
		z += x * y;
		y += y;
	} while (z != old);
	return z;
}

static double ertl_tau(double x)
{
	double y = 1, z, old;

	if (x == 0 || x == 1)
		return 0;
	z = 1 - x;
	do {
		x = sqrt(x);
		old = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != old);
	return z / 3;
}

double ag_distinct_estimate(const struct ag_distinct *d)
{
	const int q = 64 - AG_HLL_P;
	const double m = AG_HLL_M;
	uint32_t c[64 - AG_HLL_P + 2] = { 0 };
	double z;

	if (!d->hll)
		return (double)d->n;
	for (size_t i = 0; i < AG_HLL_M; i++)
		c[d->hll[i]]++;
	z = m * ertl_tau(1 - c[q + 1] / m);
	for (int k = q; k >= 1; k--)
		z = 0.5 * (z + c[k]);
	z += m * ertl_sigma(c[0] / m);
	return m * m / (2 * log(2)) / z;
}

double ag_distinct_rel_error(const struct ag_distinct *d)
{
	return d->hll ? 1.04 / sqrt((double)AG_HLL_M) : 0.0;
}
