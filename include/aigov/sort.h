/*
 * sort: sorting unsigned 64-bit keys in place, fast (module base).
 *
 * Used where every value of a column is sorted: the exact ranking metrics
 * (perf.h) and the exact drift metrics (drift.h) keep their values as
 * order-preserving 64-bit keys.  A radix sort, because those arrays hold
 * tens of millions of keys and a comparison sort spends most of its time
 * on mispredicted branches there; in place, with a scratch of 1/16 of the
 * keys, because a second array of all keys doubled the memory of both.
 * Equal keys are indistinguishable, so the result depends only on the
 * multiset of keys, not on their order (what makes merged accumulators
 * give bit-identical results).  Nothing is kept between calls.
 */
#ifndef AIGOV_SORT_H
#define AIGOV_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sort a[0..n) ascending.  Returns 0, or -1 (a unchanged) when the
 * scratch cannot be allocated. */
int ag_sort_u64(uint64_t *a, size_t n);

#endif
