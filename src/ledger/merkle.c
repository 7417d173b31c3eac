/*
 * RFC 9162 section 2.1: Merkle tree hash, inclusion and consistency proofs
 * and their verification, written from the RFC's pseudo-code.  SHA-256 is
 * base's (SHA-NI where the CPU has it, libsodium otherwise).
 */
#include "aigov/merkle.h"

#include "aigov/sha256.h"

#include <sodium.h>
#include <string.h>

void ag_sha256(const void *data, size_t len, uint8_t out[AG_HASH_LEN])
{
	ag_sha256_2(data, len, NULL, 0, out);
}

void ag_merkle_leaf_hash(const void *data, size_t len, uint8_t out[AG_HASH_LEN])
{
	static const unsigned char prefix = 0x00;

	ag_sha256_2(&prefix, 1, data, len, out);
}

void ag_merkle_node_hash(const uint8_t left[AG_HASH_LEN],
			 const uint8_t right[AG_HASH_LEN], uint8_t out[AG_HASH_LEN])
{
	unsigned char buf[1 + 2 * AG_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left, AG_HASH_LEN);
	memcpy(buf + 1 + AG_HASH_LEN, right, AG_HASH_LEN);
	ag_sha256_2(buf, sizeof(buf), NULL, 0, out);
}

/* The largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

void ag_merkle_root(const uint8_t (*leaves)[AG_HASH_LEN], uint64_t n,
		    uint8_t out[AG_HASH_LEN])
{
	/* Iterative: the frontier gives the RFC's recursive MTH, and keeps
	 * the stack depth at O(1) for millions of leaves. */
	struct ag_merkle_frontier f;

	if (n == 0) {
		ag_sha256("", 0, out);
		return;
	}
	ag_merkle_frontier_init(&f);
	for (uint64_t i = 0; i < n; i++)
		ag_merkle_frontier_push(&f, leaves[i]);
	ag_merkle_frontier_root(&f, out);
}

void ag_merkle_frontier_init(struct ag_merkle_frontier *f)
{
	f->size = 0;
	f->count = 0;
}

void ag_merkle_frontier_push(struct ag_merkle_frontier *f,
			     const uint8_t leaf[AG_HASH_LEN])
{
	uint8_t h[AG_HASH_LEN];

	memcpy(h, leaf, AG_HASH_LEN);
	/* Each trailing one bit of size is a perfect subtree of the same
	 * height as the one being carried: merge them, as in binary +1. */
	for (uint64_t s = f->size; s & 1; s >>= 1)
		ag_merkle_node_hash(f->node[--f->count], h, h);
	memcpy(f->node[f->count++], h, AG_HASH_LEN);
	f->size++;
}

void ag_merkle_frontier_root(const struct ag_merkle_frontier *f,
			     uint8_t out[AG_HASH_LEN])
{
	uint8_t r[AG_HASH_LEN];

	if (!f->count) {
		ag_sha256("", 0, out);
		return;
	}
	memcpy(r, f->node[f->count - 1], AG_HASH_LEN);
	for (unsigned i = f->count - 1; i-- > 0;)
		ag_merkle_node_hash(f->node[i], r, r);
	memcpy(out, r, AG_HASH_LEN);
}

/* PATH(m, D[n]) of RFC 9162 2.1.3.1, appended leaf side first. */
static void path(const uint8_t (*d)[AG_HASH_LEN], uint64_t n, uint64_t m,
		 uint8_t proof[][AG_HASH_LEN], size_t *len)
{
	uint64_t k;

	if (n <= 1)
		return;
	k = split_point(n);
	if (m < k) {
		path(d, k, m, proof, len);
		ag_merkle_root(d + k, n - k, proof[(*len)++]);
	} else {
		path(d + k, n - k, m - k, proof, len);
		ag_merkle_root(d, k, proof[(*len)++]);
	}
}

int ag_merkle_inclusion_proof(const uint8_t (*leaves)[AG_HASH_LEN], uint64_t n,
			      uint64_t index,
			      uint8_t proof[AG_MERKLE_MAX_PROOF][AG_HASH_LEN],
			      size_t *len, struct ag_err *err)
{
	*len = 0;
	if (index >= n)
		return ag_err_set(err, AG_EINVAL,
				  "leaf %llu is not in a tree of %llu leaves",
				  (unsigned long long)index, (unsigned long long)n);
	path(leaves, n, index, proof, len);
	return 0;
}

bool ag_merkle_verify_inclusion(const uint8_t leaf[AG_HASH_LEN], uint64_t index,
				uint64_t size,
				const uint8_t (*proof)[AG_HASH_LEN], size_t len,
				const uint8_t root[AG_HASH_LEN])
{
	uint64_t fn = index, sn;
	uint8_t r[AG_HASH_LEN];

	if (index >= size)
		return false;
	sn = size - 1;
	memcpy(r, leaf, AG_HASH_LEN);
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			ag_merkle_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ag_merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, AG_HASH_LEN) == 0;
}

/* SUBPROOF(m, D[n], b) of RFC 9162 2.1.4.1. */
static void subproof(const uint8_t (*d)[AG_HASH_LEN], uint64_t n, uint64_t m,
		     bool b, uint8_t proof[][AG_HASH_LEN], size_t *len)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			ag_merkle_root(d, n, proof[(*len)++]);
		return;
	}
	k = split_point(n);
	if (m <= k) {
		subproof(d, k, m, b, proof, len);
		ag_merkle_root(d + k, n - k, proof[(*len)++]);
	} else {
		subproof(d + k, n - k, m - k, false, proof, len);
		ag_merkle_root(d, k, proof[(*len)++]);
	}
}

int ag_merkle_consistency_proof(const uint8_t (*leaves)[AG_HASH_LEN], uint64_t n,
				uint64_t m,
				uint8_t proof[AG_MERKLE_MAX_PROOF][AG_HASH_LEN],
				size_t *len, struct ag_err *err)
{
	*len = 0;
	if (m > n)
		return ag_err_set(err, AG_EINVAL,
				  "a tree of %llu leaves cannot extend one of %llu",
				  (unsigned long long)n, (unsigned long long)m);
	if (m == 0 || m == n)
		return 0;
	subproof(leaves, n, m, true, proof, len);
	return 0;
}

bool ag_merkle_verify_consistency(uint64_t m, uint64_t n,
				  const uint8_t old_root[AG_HASH_LEN],
				  const uint8_t new_root[AG_HASH_LEN],
				  const uint8_t (*proof)[AG_HASH_LEN], size_t len)
{
	uint8_t fr[AG_HASH_LEN], sr[AG_HASH_LEN], empty[AG_HASH_LEN];
	uint64_t fn, sn;
	size_t i = 0;

	if (m > n)
		return false;
	if (m == n)
		return len == 0 && sodium_memcmp(old_root, new_root, AG_HASH_LEN) == 0;
	if (m == 0) { /* every tree extends the empty one */
		ag_sha256("", 0, empty);
		return len == 0 && sodium_memcmp(old_root, empty, AG_HASH_LEN) == 0;
	}
	if (len == 0)
		return false;
	/* Step 2: when m is a power of two, the old root is the first node. */
	const uint8_t *first = (m & (m - 1)) == 0 ? old_root : proof[i++];
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, first, AG_HASH_LEN);
	memcpy(sr, first, AG_HASH_LEN);
	for (; i < len; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			ag_merkle_node_hash(proof[i], fr, fr);
			ag_merkle_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ag_merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, old_root, AG_HASH_LEN) == 0 &&
	       sodium_memcmp(sr, new_root, AG_HASH_LEN) == 0;
}
