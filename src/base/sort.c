/*
 * Sorting 64-bit keys in place (module base); see sort.h.
 */
#include "aigov/sort.h"

#include "aigov/arena.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Most-significant-digit radix sort.  Why a radix sort: `aigov evaluate`
 * sorts every row of a log of ten million rows (the ranking metrics) and
 * every value of each drift feature, and a comparison sort
 * spends about n log2 n = 230 M comparisons on it, half of them
 * mispredicted branches on random scores.  Why MSD first: a
 * least-significant-digit sort needs one pass over all the keys per digit
 * (six 11-bit passes for 63 bits, each streaming 80 MB in and scattering
 * 80 MB out: most of finish's time when we measured it, with a second
 * array of n keys whose fresh pages the kernel must zero first).  MSD looks only at
 * the bits that vary (AND and OR of the keys give them), splits on the top
 * 16 of those, and by then the buckets of random scores hold about n / 65536
 * keys each, which the next level sorts while they are in cache.  Ties
 * cost nothing extra: a bucket of equal keys is found equal by one read
 * and left alone.
 *
 * Cost: O(n) per level, levels bounded by 64 / 4 = 16 and in practice 2 or
 * 3; a scratch of n / 16 keys (see sort_in_place) and up to 34 count
 * arrays of at most 64 Ki entries (only the pages used are touched).
 */
#define DIGIT_MAX_BITS 16
#define DIGIT_MIN_BITS 4
/* Most non-empty buckets of a level in place: see sort_in_place. */
#define INPLACE_MAX_BUCKETS 1024u
#define SORT_LEVELS 17          /* 16 levels of >= 4 bits, plus one */
#define SMALL_SORT 48
/* Scratch for sort_in_place: 1/16 of the keys, at least 2^16. */
#define SCRATCH_MIN ((size_t)1 << 16)

static void insertion_sort_u64(uint64_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = a[i];
		size_t j = i;
		while (j > 0 && a[j - 1] > x) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

static unsigned bit_length(uint64_t x)
{
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0u;
}

/* The digit a level sorts on: the top d of the bits [0, hi) in which the
 * keys differ, about 16 keys per bucket (then the insertion sort; fewer
 * keys per bucket spend more on the counts than they save: 12 M keys,
 * one per bucket 0.56 s, 16 per bucket 0.51 s, 64 per bucket 0.57 s),
 * within [4, 16] bits.  Returns false when all keys are equal. */
static bool plan_digit(const uint64_t *a, size_t n, unsigned *shift, size_t *mask)
{
	uint64_t any = 0, all = ~(uint64_t)0;
	unsigned hi, d;

	for (size_t i = 0; i < n; i++) {
		any |= a[i];
		all &= a[i];
	}
	hi = bit_length(any ^ all); /* bits [0, hi) vary, the rest agree */
	if (hi == 0)
		return false;
	d = bit_length((uint64_t)n);
	d = d > 4 ? d - 4 : 0;
	d = d > DIGIT_MAX_BITS ? DIGIT_MAX_BITS : d < DIGIT_MIN_BITS ? DIGIT_MIN_BITS : d;
	if (d > hi)
		d = hi;
	*shift = hi - d;
	*mask = ((size_t)1 << d) - 1;
	return true;
}

/* Counts of each digit value at h[0..mask]. */
static void count_digits(const uint64_t *a, size_t n, unsigned shift, size_t mask, size_t *h)
{
	memset(h, 0, (mask + 1) * sizeof(*h));
	for (size_t i = 0; i < n; i++)
		h[(a[i] >> shift) & mask]++;
}

/* Counts h[0..mask] turned into the buckets' starts. */
static void counts_to_starts(size_t *h, size_t mask)
{
	size_t start = 0;

	for (size_t b = 0; b <= mask; b++) {
		size_t c = h[b];
		h[b] = start;
		start += c;
	}
}

static void bucket_starts(const uint64_t *a, size_t n, unsigned shift, size_t mask, size_t *h)
{
	count_digits(a, n, shift, mask, h);
	counts_to_starts(h, mask);
}

/*
 * Sort the keys src[0..n) into dst[0..n) (no overlap; src is used as
 * scratch and left in any order).  Counts for this level live at
 * hist + depth * 2^16.  Writing into the other array instead of copying
 * back saves a pass over all keys at the top level.
 */
static void sort_into(uint64_t *src, uint64_t *dst, size_t n, size_t *hist,
		      unsigned depth)
{
	unsigned shift;
	size_t mask, *h, start;

	if (n <= SMALL_SORT) {
		memcpy(dst, src, n * sizeof(*dst));
		insertion_sort_u64(dst, n);
		return;
	}
	if (!plan_digit(src, n, &shift, &mask)) { /* all keys equal */
		memcpy(dst, src, n * sizeof(*dst));
		return;
	}
	assert(depth < SORT_LEVELS);
	h = hist + (size_t)depth * ((size_t)1 << DIGIT_MAX_BITS);
	bucket_starts(src, n, shift, mask, h);
	for (size_t i = 0; i < n; i++)
		dst[h[(src[i] >> shift) & mask]++] = src[i];
	/* h[b] is now the end of bucket b. */
	if (shift == 0)
		return;                  /* the digit was the last varying bits */
	start = 0;
	for (size_t b = 0; b <= mask; b++) {
		size_t end = h[b], m = end - start;
		if (m > 1 && m <= SMALL_SORT) {
			insertion_sort_u64(dst + start, m);
		} else if (m > 1) {
			/* Sort through src and back; buckets below the top
			 * level are mostly small enough to stay in cache. */
			sort_into(dst + start, src + start, m, hist, depth + 1);
			memcpy(dst + start, src + start, m * sizeof(*dst));
		}
		start = end;
	}
}

static size_t nonempty(const size_t *h, size_t mask)
{
	size_t k = 0;

	for (size_t b = 0; b <= mask; b++)
		k += h[b] != 0;
	return k;
}

/* Fewer buckets for a level in place (its counts at h merged in place):
 * see sort_in_place. */
static void coarsen(size_t *h, unsigned *shift, size_t *mask)
{
	while (*mask >= ((size_t)1 << DIGIT_MIN_BITS) && nonempty(h, *mask) > INPLACE_MAX_BUCKETS) {
		for (size_t b = 0; b <= *mask; b += 2)
			h[b / 2] = h[b] + h[b + 1];
		*mask >>= 1;
		++*shift;
	}
}

/*
 * Sort a[0..n) in place with a scratch array of room keys.  A range that
 * fits the scratch goes through sort_into; a larger one is partitioned in
 * place on its digit first (American flag sort: McIlroy, Bostic and
 * McIlroy, "Engineering radix sort", 1993: every key is swapped straight
 * into its bucket), and its buckets are sorted the same way.  With random
 * scores the top level's buckets hold about n / 65536 keys, so the scratch
 * can be a small fraction of n: this is what keeps finish's memory at
 * about 8 bytes per row, where a second array of all keys doubled it.
 * A swap's load depends on the swap before, so a level in place runs at
 * the memory's latency unless the buckets' moving starts stay in cache
 * and the TLB: with the 16-bit digit of uniform scores in [0, 1) (some
 * ten thousand non-empty buckets) 12 M keys took 0.77 s, 57 ns a key;
 * with the digit cut to at most INPLACE_MAX_BUCKETS non-empty buckets
 * (coarsen), 0.24 s, the extra level included.  Keys with few distinct
 * top bits (amounts, counts) already had that few and keep their digit.
 * A level in place uses the counts at depth and the moving starts at
 * SORT_LEVELS + depth.
 */
static void sort_in_place(uint64_t *a, size_t n, uint64_t *scratch, size_t room,
			  size_t *hist, unsigned depth)
{
	const size_t level = (size_t)1 << DIGIT_MAX_BITS;
	unsigned shift;
	size_t mask, *end, *next, start;

	if (n <= room) {
		sort_into(a, scratch, n, hist, depth);
		memcpy(a, scratch, n * sizeof(*a));
		return;
	}
	if (!plan_digit(a, n, &shift, &mask))
		return;
	assert(depth < SORT_LEVELS);
	end = hist + (size_t)depth * level;
	next = hist + (SORT_LEVELS + (size_t)depth) * level;
	count_digits(a, n, shift, mask, next);
	coarsen(next, &shift, &mask);
	counts_to_starts(next, mask);
	for (size_t b = 0; b <= mask; b++)
		end[b] = b < mask ? next[b + 1] : n;
	for (size_t b = 0; b <= mask; b++) {
		while (next[b] < end[b]) {
			uint64_t v = a[next[b]];
			size_t t = (v >> shift) & mask;
			while (t != b) { /* v belongs to bucket t: swap it in */
				uint64_t w = a[next[t]];
				a[next[t]++] = v;
				v = w;
				t = (v >> shift) & mask;
			}
			a[next[b]++] = v;
		}
	}
	if (shift == 0)
		return;
	start = 0;
	for (size_t b = 0; b <= mask; b++) {
		size_t m = end[b] - start;
		if (m > 1 && m <= SMALL_SORT)
			insertion_sort_u64(a + start, m);
		else if (m > 1)
			sort_in_place(a + start, m, scratch, room, hist, depth + 1);
		start = end[b];
	}
}

int ag_sort_u64(uint64_t *a, size_t n)
{
	size_t *hist, room = n / 16 > SCRATCH_MIN ? n / 16 : SCRATCH_MIN;
	uint64_t *scratch;

	if (n <= SMALL_SORT) {
		insertion_sort_u64(a, n);
		return 0;
	}
	if (room > n)
		room = n;
	hist = malloc(2 * SORT_LEVELS * ((size_t)1 << DIGIT_MAX_BITS) * sizeof(*hist));
	scratch = ag_big_realloc(NULL, 0, room * sizeof(*scratch));
	if (!hist || !scratch) {
		free(hist);
		ag_big_free(scratch, room * sizeof(*scratch));
		return -1;
	}
	sort_in_place(a, n, scratch, room, hist, 0);
	free(hist);
	ag_big_free(scratch, room * sizeof(*scratch));
	return 0;
}
