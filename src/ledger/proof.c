/*
 * Inclusion and consistency proofs over the stored entry hashes.  Reading
 * n hashes costs O(n) (32 MB for a million entries); proofs are asked for
 * by people, not on a hot path.
 */
#include "aigov/ledger.h"

#include "aigov/merkle.h"
#include "aigov/str.h"
#include "aigov/workspace.h"

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

/* ---- checked against the workspace's signed checkpoints ---- */

int ag_workspace_checkpoint(struct ag_workspace *ws, uint64_t id, uint64_t at_least,
			    struct ag_ledger_checkpoint *out, struct ag_err *err)
{
	struct ag_ledger_checkpoint *all;
	size_t n;
	int rc = ag_ledger_checkpoints(ws->store, &all, &n, err);

	if (rc)
		return rc;
	rc = AG_ENOTFOUND;
	for (size_t i = n; i-- > 0;)
		if (id ? all[i].id == id : all[i].tree_size >= at_least) {
			*out = all[i];
			rc = 0;
			break;
		}
	free(all);
	if (rc && id)
		return ag_err_set(err, rc, "there is no checkpoint %" PRIu64, id);
	if (rc)
		return ag_err_set(err, rc, "no checkpoint covers entry %" PRIu64
				  " yet; run 'aigov ledger checkpoint'", at_least);
	return 0;
}

/* The signed root, decoded; false when the checkpoint's signature fails. */
static bool signed_root(struct ag_workspace *ws, const struct ag_ledger_checkpoint *c,
			uint8_t root[AG_HASH_LEN])
{
	return ag_ledger_checkpoint_signed(c, &ws->key, ws->cfg.workspace_id) &&
	       ag_hex_decode(root, AG_HASH_LEN, c->root, strlen(c->root));
}

int ag_workspace_prove_inclusion(struct ag_workspace *ws, uint64_t seq, uint64_t checkpoint_id,
				 struct ag_inclusion_check *out, struct ag_err *err)
{
	uint8_t root[AG_HASH_LEN];
	int rc;

	memset(out, 0, sizeof(*out));
	out->seq = seq;
	if (seq == 0)
		return ag_err_set(err, AG_EINVAL, "entries are numbered from 1");
	rc = ag_workspace_checkpoint(ws, checkpoint_id, seq, &out->checkpoint, err);
	if (!rc && seq > out->checkpoint.tree_size)
		rc = ag_err_set(err, AG_EINVAL, "checkpoint %" PRIu64 " covers entries 1..%"
				PRIu64 ", not %" PRIu64, out->checkpoint.id,
				out->checkpoint.tree_size, seq);
	if (!rc)
		rc = ag_ledger_prove_inclusion(ws->store, seq, out->checkpoint.tree_size,
					       &out->proof, err);
	if (rc)
		return rc;
	out->signature_valid = signed_root(ws, &out->checkpoint, root);
	out->verified = out->signature_valid &&
			ag_merkle_verify_inclusion(out->proof.leaf, seq - 1, out->proof.tree_size,
						   (const uint8_t (*)[AG_HASH_LEN])out->proof.path,
						   out->proof.len, root);
	return 0;
}

int ag_workspace_prove_consistency(struct ag_workspace *ws, uint64_t old_id, uint64_t new_id,
				   struct ag_consistency_check *out, struct ag_err *err)
{
	uint8_t ra[AG_HASH_LEN], rb[AG_HASH_LEN];
	const struct ag_ledger_checkpoint *a = &out->old, *b = &out->new;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ag_workspace_checkpoint(ws, old_id, 0, &out->old, err);
	if (!rc)
		rc = ag_workspace_checkpoint(ws, new_id, 0, &out->new, err);
	if (!rc && a->tree_size > b->tree_size)
		rc = ag_err_set(err, AG_EINVAL, "checkpoint %" PRIu64 " (%" PRIu64 " entries) "
				"is newer than checkpoint %" PRIu64 " (%" PRIu64 "); swap them",
				a->id, a->tree_size, b->id, b->tree_size);
	if (!rc)
		rc = ag_ledger_prove_consistency(ws->store, a->tree_size, b->tree_size,
						 &out->proof, err);
	if (rc)
		return rc;
	out->signatures_valid = signed_root(ws, a, ra) && signed_root(ws, b, rb);
	out->verified = out->signatures_valid &&
			ag_merkle_verify_consistency(a->tree_size, b->tree_size, ra, rb,
						     (const uint8_t (*)[AG_HASH_LEN])out->proof.path,
						     out->proof.len);
	return 0;
}
