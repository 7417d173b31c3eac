/*
 * Inclusion and consistency proofs over the stored entry hashes.  Reading
 * n hashes costs O(n) (32 MB for a million entries); proofs are asked for
 * by people, not on a hot path.
 */
#include "aigov/ledger.h"

#include "aigov/str.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The hashes of entries 1..n, as stored. */
static int load_leaves(struct ag_store *s, uint64_t n, uint8_t (**out)[AG_HASH_LEN],
		       struct ag_err *err)
{
	uint8_t (*leaves)[AG_HASH_LEN];
	struct ag_val p = ag_val_int((int64_t)n);
	struct ag_rows *r;
	uint64_t got = 0;
	int rc;

	*out = NULL;
	if (n > ((uint64_t)1 << 40))
		return ag_err_set(err, AG_ERANGE, "tree size %" PRIu64 " is too large", n);
	leaves = malloc((size_t)(n ? n : 1) * AG_HASH_LEN);
	if (!leaves)
		return ag_err_set(err, AG_ENOMEM, "out of memory for %" PRIu64 " hashes", n);
	rc = ag_store_query(s, "SELECT seq, hash FROM ledger_entry WHERE seq <= $1"
			       " ORDER BY seq", &p, 1, &r, err);
	if (rc) {
		free(leaves);
		return rc;
	}
	while ((rc = ag_rows_next(r, err)) == 1) {
		size_t len;
		const char *h = ag_rows_text(r, 1, &len);
		if ((uint64_t)ag_rows_int(r, 0) != got + 1 ||
		    !ag_hex_decode(leaves[got], AG_HASH_LEN, h, len)) {
			rc = ag_err_set(err, AG_ECORRUPT,
					"%s: entry %" PRIu64 " is missing or damaged; run "
					"'aigov ledger verify'", ag_store_path(s), got + 1);
			break;
		}
		got++;
	}
	ag_rows_free(r);
	if (!rc && got < n)
		rc = ag_err_set(err, AG_ENOTFOUND, "the ledger holds %" PRIu64
				" entries, not %" PRIu64, got, n);
	if (rc) {
		free(leaves);
		return rc;
	}
	*out = leaves;
	return 0;
}

/* Entry seq's hash computed from what it says now, not the stored hash:
 * a proof is about the entry's content. */
static int content_hash(struct ag_store *s, uint64_t seq, uint8_t out[AG_HASH_LEN],
			struct ag_err *err)
{
	struct ag_val p = ag_val_int((int64_t)seq);
	struct ag_rows *r;
	struct ag_buf enc;
	int rc = ag_store_query(s, "SELECT time, actor, action, subject, payload, prev_hash"
				   " FROM ledger_entry WHERE seq = $1", &p, 1, &r, err);

	if (rc)
		return rc;
	ag_buf_init(&enc);
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		size_t plen;
		const char *payload = ag_rows_text(r, 4, &plen);
		rc = ag_ledger_entry_encode(&enc, seq, ag_rows_text(r, 0, NULL),
					    ag_rows_text(r, 1, NULL), ag_rows_text(r, 2, NULL),
					    ag_rows_text(r, 3, NULL), payload, plen,
					    ag_rows_text(r, 5, NULL));
		if (rc)
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		else
			ag_merkle_leaf_hash(enc.buf, enc.len, out);
	} else if (rc == 0) {
		rc = ag_err_set(err, AG_ENOTFOUND, "there is no entry %" PRIu64, seq);
	}
	ag_rows_free(r);
	ag_buf_release(&enc);
	return rc;
}

int ag_ledger_prove_inclusion(struct ag_store *s, uint64_t seq, uint64_t tree_size,
			      struct ag_inclusion_proof *p, struct ag_err *err)
{
	uint8_t (*leaves)[AG_HASH_LEN];
	int rc;

	memset(p, 0, sizeof(*p));
	if (seq == 0 || seq > tree_size)
		return ag_err_set(err, AG_EINVAL, "entry %" PRIu64 " is not in a tree of %"
				  PRIu64 " entries", seq, tree_size);
	rc = load_leaves(s, tree_size, &leaves, err);
	if (rc)
		return rc;
	rc = content_hash(s, seq, p->leaf, err);
	if (rc) {
		free(leaves);
		return rc;
	}
	p->seq = seq;
	p->tree_size = tree_size;
	ag_merkle_root((const uint8_t (*)[AG_HASH_LEN])leaves, tree_size, p->root);
	rc = ag_merkle_inclusion_proof((const uint8_t (*)[AG_HASH_LEN])leaves, tree_size,
				       seq - 1, p->path, &p->len, err);
	free(leaves);
	return rc;
}

int ag_ledger_prove_consistency(struct ag_store *s, uint64_t old_size,
				uint64_t new_size, struct ag_consistency_proof *p,
				struct ag_err *err)
{
	uint8_t (*leaves)[AG_HASH_LEN];
	int rc;

	memset(p, 0, sizeof(*p));
	if (old_size > new_size)
		return ag_err_set(err, AG_EINVAL, "the old tree (%" PRIu64 " entries) is "
				  "larger than the new one (%" PRIu64 ")", old_size, new_size);
	rc = load_leaves(s, new_size, &leaves, err);
	if (rc)
		return rc;
	p->old_size = old_size;
	p->new_size = new_size;
	ag_merkle_root((const uint8_t (*)[AG_HASH_LEN])leaves, old_size, p->old_root);
	ag_merkle_root((const uint8_t (*)[AG_HASH_LEN])leaves, new_size, p->new_root);
	rc = ag_merkle_consistency_proof((const uint8_t (*)[AG_HASH_LEN])leaves, new_size,
					 old_size, p->path, &p->len, err);
	free(leaves);
	return rc;
}
