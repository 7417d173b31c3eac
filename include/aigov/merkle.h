/*
 * merkle: RFC 9162 (RFC 6962) Merkle tree hashing and proofs (module ledger).
 *
 * Leaves are hashed as SHA-256(0x00 || data), interior nodes as
 * SHA-256(0x01 || left || right), and a tree of n leaves splits at the
 * largest power of two below n (RFC 9162 section 2.1.1), so that any CT
 * verifier agrees with our roots and proofs.
 *
 * Proof generation works on an array of leaf hashes and costs O(n) hashes;
 * verification is O(log n).  Pure functions, thread-safe; nothing is
 * allocated except where stated.
 */
#ifndef AIGOV_MERKLE_H
#define AIGOV_MERKLE_H

#include "aigov/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AG_HASH_LEN 32
#define AG_HASH_HEX_LEN 64
/* A proof for a tree of up to 2^64 leaves has at most 64 hashes. */
#define AG_MERKLE_MAX_PROOF 64

void ag_sha256(const void *data, size_t len, uint8_t out[AG_HASH_LEN]);
void ag_merkle_leaf_hash(const void *data, size_t len, uint8_t out[AG_HASH_LEN]);
void ag_merkle_node_hash(const uint8_t left[AG_HASH_LEN],
			 const uint8_t right[AG_HASH_LEN], uint8_t out[AG_HASH_LEN]);

/* The root of n leaf hashes (SHA-256 of nothing for n = 0). */
void ag_merkle_root(const uint8_t (*leaves)[AG_HASH_LEN], uint64_t n,
		    uint8_t out[AG_HASH_LEN]);

/*
 * The right edge of a growing tree: one perfect subtree root per set bit
 * of `size`, largest (leftmost) first.  Appending a leaf and computing the
 * root are O(log n), so a ledger can sign its root at any moment without
 * reading its history.  A plain value: copy it freely.
 */
struct ag_merkle_frontier {
	uint64_t size;
	unsigned count;
	uint8_t node[64][AG_HASH_LEN];
};

void ag_merkle_frontier_init(struct ag_merkle_frontier *f);
void ag_merkle_frontier_push(struct ag_merkle_frontier *f,
			     const uint8_t leaf[AG_HASH_LEN]);
void ag_merkle_frontier_root(const struct ag_merkle_frontier *f,
			     uint8_t out[AG_HASH_LEN]);

/* Inclusion proof of leaf `index` in the tree of the first n leaves
 * (RFC 9162 2.1.3.1); *len hashes, leaf side first.  AG_EINVAL when
 * index >= n. */
int ag_merkle_inclusion_proof(const uint8_t (*leaves)[AG_HASH_LEN], uint64_t n,
			      uint64_t index,
			      uint8_t proof[AG_MERKLE_MAX_PROOF][AG_HASH_LEN],
			      size_t *len, struct ag_err *err);
bool ag_merkle_verify_inclusion(const uint8_t leaf[AG_HASH_LEN], uint64_t index,
				uint64_t size,
				const uint8_t (*proof)[AG_HASH_LEN], size_t len,
				const uint8_t root[AG_HASH_LEN]);

/* Consistency proof between the trees of the first m and first n leaves
 * (RFC 9162 2.1.4.1); empty when m is 0 or m == n.  AG_EINVAL when m > n. */
int ag_merkle_consistency_proof(const uint8_t (*leaves)[AG_HASH_LEN], uint64_t n,
				uint64_t m,
				uint8_t proof[AG_MERKLE_MAX_PROOF][AG_HASH_LEN],
				size_t *len, struct ag_err *err);
bool ag_merkle_verify_consistency(uint64_t m, uint64_t n,
				  const uint8_t old_root[AG_HASH_LEN],
				  const uint8_t new_root[AG_HASH_LEN],
				  const uint8_t (*proof)[AG_HASH_LEN], size_t len);

#endif
