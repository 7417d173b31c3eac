/*
 * Verification: re-derive every entry hash, the chain, the Merkle root at
 * every checkpoint and every signature (docs/ledger.md, "Verifying").
 * One pass over the entries, O(log n) memory for the tree: a million
 * entries verify in about a second.
 */
#include "aigov/ledger.h"

#include "aigov/str.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cp {
	struct ag_ledger_checkpoint c;
	bool usable; /* well-formed, signed by the key, in order */
};

struct ag_ledger_verifier {
	struct ag_ledger_key key;
	char workspace_id[128];
	struct cp *cps;
	size_t ncps, cap;
	size_t *by_size; /* checkpoint indexes ordered by tree_size */
	size_t next;     /* next of by_size to check */
	bool sorted;
	uint64_t count;  /* entries seen */
	uint64_t expect; /* seq the next entry should have */
	char prev_hash[AG_HASH_HEX_LEN + 1];
	int64_t prev_time, cp_time;
	struct ag_merkle_frontier tree;
	struct ag_buf enc, msg;
	struct ag_verify_report rep;
};

static void problem(struct ag_ledger_verifier *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct ag_ledger_verifier *v, const char *fmt, ...)
{
	va_list ap;

	if (v->rep.nproblems < AG_VERIFY_MAX_PROBLEMS) {
		va_start(ap, fmt);
		vsnprintf(v->rep.problems[v->rep.nproblems], sizeof(v->rep.problems[0]),
			  fmt, ap);
		va_end(ap);
	}
	v->rep.nproblems++;
}

/* Times are well-formed and never go backwards (entries, checkpoints). */
static void check_time(struct ag_ledger_verifier *v, const char *what, uint64_t id,
		       const char *time, int64_t *last)
{
	int64_t t;

	if (!ag_time_parse(time, strlen(time), &t))
		problem(v, "%s %" PRIu64 ": time '%.40s' is not an RFC 3339 UTC time", what, id, time);
	else if (t < *last)
		problem(v, "%s %" PRIu64 ": its time %s is earlier than the %s before it", what, id,
			time, what);
	else
		*last = t;
}

int ag_ledger_verifier_new(struct ag_ledger_verifier **out,
			   const struct ag_ledger_key *key, const char *workspace_id,
			   struct ag_err *err)
{
	struct ag_ledger_verifier *v;

	*out = NULL;
	if (sodium_init() < 0)
		return ag_err_set(err, AG_EIO, "libsodium could not start");
	if (strlen(workspace_id) >= sizeof(v->workspace_id))
		return ag_err_set(err, AG_EPARSE, "workspace id too long");
	v = calloc(1, sizeof(*v));
	if (!v)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	memcpy(v->key.pk, key->pk, sizeof(v->key.pk));
	ag_ledger_key_set_id(&v->key);
	strcpy(v->workspace_id, workspace_id);
	v->expect = 1;
	memset(v->prev_hash, '0', AG_HASH_HEX_LEN);
	ag_merkle_frontier_init(&v->tree);
	ag_buf_init(&v->enc);
	ag_buf_init(&v->msg);
	memcpy(v->rep.key_id, v->key.id, sizeof(v->rep.key_id));
	*out = v;
	return 0;
}

void ag_ledger_verifier_free(struct ag_ledger_verifier *v)
{
	if (!v)
		return;
	free(v->cps);
	free(v->by_size);
	ag_buf_release(&v->enc);
	ag_buf_release(&v->msg);
	free(v);
}

int ag_ledger_verifier_checkpoint(struct ag_ledger_verifier *v,
				  const struct ag_ledger_checkpoint *c,
				  struct ag_err *err)
{
	uint8_t root[AG_HASH_LEN], sig[crypto_sign_BYTES];
	const struct cp *prev;
	struct cp *n;

	if (v->sorted)
		return ag_err_set(err, AG_EINVAL, "verifier: checkpoints must come before entries");
	if (v->ncps == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		void *p = realloc(v->cps, cap * sizeof(*v->cps));
		if (!p)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		v->cps = p;
		v->cap = cap;
	}
	/* Only now: the realloc above may have moved the array. */
	prev = v->ncps ? &v->cps[v->ncps - 1] : NULL;
	n = &v->cps[v->ncps++];
	n->c = *c;
	n->usable = false;
	v->rep.checkpoints++;
	if (prev && c->id <= prev->c.id)
		problem(v, "checkpoint %" PRIu64 ": comes after checkpoint %" PRIu64
			   " (checkpoints were reordered or duplicated)", c->id, prev->c.id);
	else if (c->id != (prev ? prev->c.id + 1 : 1))
		problem(v, "checkpoint %" PRIu64 ": checkpoints %" PRIu64 "..%" PRIu64
			   " before it are missing", c->id, prev ? prev->c.id + 1 : 1, c->id - 1);
	check_time(v, "checkpoint", c->id, c->time, &v->cp_time);
	if (prev && c->tree_size < prev->c.tree_size)
		problem(v, "checkpoint %" PRIu64 ": covers %" PRIu64 " entries, fewer than "
			   "checkpoint %" PRIu64 " before it (%" PRIu64 ")",
			c->id, c->tree_size, prev->c.id, prev->c.tree_size);
	if (c->tree_size == 0)
		problem(v, "checkpoint %" PRIu64 ": covers no entries", c->id);
	if (!ag_hex_decode(root, sizeof(root), c->root, strlen(c->root)) ||
	    !ag_hex_decode(sig, sizeof(sig), c->signature, strlen(c->signature))) {
		problem(v, "checkpoint %" PRIu64 ": its root or signature is not hex of the "
			   "right length (altered)", c->id);
		return 0;
	}
	if (strcmp(c->key_id, v->key.id) != 0)
		problem(v, "checkpoint %" PRIu64 ": names signing key %s, not the "
			   "installation's key %s", c->id, c->key_id, v->key.id);
	if (ag_ledger_checkpoint_message(&v->msg, v->workspace_id, c->tree_size, c->root,
					 c->time))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (crypto_sign_verify_detached(sig, (const unsigned char *)v->msg.buf, v->msg.len,
					v->key.pk) != 0) {
		problem(v, "checkpoint %" PRIu64 ": the signature does not verify with key %s "
			   "(the checkpoint was altered, or signed with another key)",
			c->id, v->key.id);
		return 0;
	}
	n->usable = c->tree_size > 0;
	return 0;
}

static int by_tree_size(const void *a, const void *b, void *ctx)
{
	const struct cp *cps = ctx;
	uint64_t x = cps[*(const size_t *)a].c.tree_size;
	uint64_t y = cps[*(const size_t *)b].c.tree_size;
	return x < y ? -1 : x > y;
}

/* qsort_r is a GNU extension; a stable insertion sort is plenty for the
 * few thousand checkpoints a ledger has, and keeps us within C11+POSIX. */
static void sort_by_size(struct ag_ledger_verifier *v)
{
	for (size_t i = 0; i < v->ncps; i++) {
		size_t x = i, j = i;
		while (j > 0 && by_tree_size(&v->by_size[j - 1], &x, v->cps) > 0) {
			v->by_size[j] = v->by_size[j - 1];
			j--;
		}
		v->by_size[j] = x;
	}
}

static int prepare(struct ag_ledger_verifier *v, struct ag_err *err)
{
	if (v->sorted)
		return 0;
	v->by_size = malloc((v->ncps ? v->ncps : 1) * sizeof(*v->by_size));
	if (!v->by_size)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	sort_by_size(v);
	v->sorted = true;
	return 0;
}

/* Entry 1 opens the ledger and names the key that will sign it. */
static void check_genesis(struct ag_ledger_verifier *v, const struct ag_ledger_entry *e)
{
	char want[AG_HASH_HEX_LEN + 1];
	json_t *p, *k, *w;

	if (strcmp(e->action, "workspace.init") != 0) {
		problem(v, "entry %" PRIu64 ": the first entry is '%s', not workspace.init "
			   "(the start of the ledger was removed or replaced)", e->seq, e->action);
		return;
	}
	p = json_loadb(e->payload, e->payload_len, 0, NULL);
	k = p ? json_object_get(p, "public_key") : NULL;
	w = p ? json_object_get(p, "workspace") : NULL;
	ag_hex_encode(want, v->key.pk, sizeof(v->key.pk));
	if (!json_is_string(k) || strcmp(json_string_value(k), want) != 0)
		problem(v, "entry %" PRIu64 ": the ledger was started with public key %s, "
			   "not the key it is being verified with (%s)",
			e->seq, json_is_string(k) ? json_string_value(k) : "(none)", want);
	if (!json_is_string(w) || strcmp(json_string_value(w), v->workspace_id) != 0)
		problem(v, "entry %" PRIu64 ": the ledger belongs to workspace %s, not %s",
			e->seq, json_is_string(w) ? json_string_value(w) : "(none)",
			v->workspace_id);
	json_decref(p);
}

static void check_checkpoints_at(struct ag_ledger_verifier *v)
{
	uint8_t root[AG_HASH_LEN];
	char hex[AG_HASH_HEX_LEN + 1];
	bool have = false;

	while (v->next < v->ncps) {
		const struct cp *c = &v->cps[v->by_size[v->next]];
		if (c->c.tree_size > v->count)
			break;
		v->next++;
		if (c->c.tree_size < v->count)
			continue; /* size 0: reported already */
		if (!have) {
			ag_merkle_frontier_root(&v->tree, root);
			ag_hex_encode(hex, root, AG_HASH_LEN);
			have = true;
		}
		if (strcmp(hex, c->c.root) != 0) {
			problem(v, "checkpoint %" PRIu64 ": its root does not match entries "
				   "1..%" PRIu64 " (an entry it covers was changed, removed or "
				   "reordered)", c->c.id, c->c.tree_size);
		} else if (c->usable && c->c.tree_size >= v->rep.signed_size) {
			v->rep.signed_size = c->c.tree_size;
			memcpy(v->rep.signed_root, hex, sizeof(hex));
		}
	}
}

int ag_ledger_verifier_entry(struct ag_ledger_verifier *v,
			     const struct ag_ledger_entry *e, struct ag_err *err)
{
	uint8_t h[AG_HASH_LEN];
	char hex[AG_HASH_HEX_LEN + 1];
	int rc = prepare(v, err);

	if (rc)
		return rc;
	if (e->seq != v->expect) {
		if (e->seq > v->expect)
			problem(v, "entry %" PRIu64 ": entries %" PRIu64 "..%" PRIu64
				   " before it are missing", e->seq, v->expect, e->seq - 1);
		else
			problem(v, "entry %" PRIu64 ": out of order after entry %" PRIu64,
				e->seq, v->expect - 1);
	}
	if (strcmp(e->prev, v->prev_hash) != 0)
		problem(v, "entry %" PRIu64 ": its previous-entry hash does not match the "
			   "entry before it (an entry was removed, inserted or reordered)",
			e->seq);
	for (int i = 0; i < 3; i++) {
		static const char *const fields[] = { "action", "actor", "subject" };
		const char *values[] = { e->action, e->actor, e->subject };
		const char *why = ag_ledger_field_problem(fields[i], values[i]);
		if (why)
			problem(v, "entry %" PRIu64 ": its %s %s", e->seq, fields[i], why);
	}
	check_time(v, "entry", e->seq, e->time, &v->prev_time);
	if (ag_ledger_entry_encode(&v->enc, e->seq, e->time, e->actor, e->action,
				   e->subject, e->payload, e->payload_len, e->prev))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_merkle_leaf_hash(v->enc.buf, v->enc.len, h);
	ag_hex_encode(hex, h, AG_HASH_LEN);
	if (strcmp(hex, e->hash) != 0)
		problem(v, "entry %" PRIu64 ": its content does not match its hash (time, "
			   "actor, action, subject or payload was changed)", e->seq);
	if (v->count == 0)
		check_genesis(v, e);
	ag_merkle_frontier_push(&v->tree, h);
	/* Chain on the stored hash so that one bad entry is one problem, not
	 * a problem for every entry after it. */
	snprintf(v->prev_hash, sizeof(v->prev_hash), "%s", e->hash);
	v->count++;
	v->expect = e->seq + 1;
	check_checkpoints_at(v);
	return 0;
}

void ag_ledger_verifier_finish(struct ag_ledger_verifier *v,
			       struct ag_verify_report *rep)
{
	if (prepare(v, NULL) == 0) {
		for (; v->next < v->ncps; v->next++) {
			const struct cp *c = &v->cps[v->by_size[v->next]];
			problem(v, "checkpoint %" PRIu64 ": covers %" PRIu64 " entries but the "
				   "ledger holds %" PRIu64 " (entries were removed from the end)",
				c->c.id, c->c.tree_size, v->count);
		}
	}
	if (v->count == 0)
		problem(v, "the ledger has no entries (its workspace.init entry is missing)");
	v->rep.entries = v->count;
	*rep = v->rep;
}

int ag_ledger_verify(struct ag_store *s, const struct ag_ledger_key *key,
		     const char *workspace_id, struct ag_verify_report *rep,
		     struct ag_err *err)
{
	struct ag_ledger_verifier *v;
	struct ag_ledger_checkpoint *cps = NULL;
	struct ag_rows *r = NULL;
	size_t ncps = 0;
	int rc;

	memset(rep, 0, sizeof(*rep));
	rc = ag_ledger_verifier_new(&v, key, workspace_id, err);
	if (rc)
		return rc;
	/* One snapshot: appends that land meanwhile are not half-seen. */
	rc = ag_store_begin(s, false, err);
	if (rc)
		goto out;
	rc = ag_ledger_checkpoints(s, &cps, &ncps, err);
	for (size_t i = 0; !rc && i < ncps; i++)
		rc = ag_ledger_verifier_checkpoint(v, &cps[i], err);
	if (!rc)
		rc = ag_store_query(s, "SELECT " AG_LEDGER_ENTRY_COLUMNS " FROM ledger_entry"
				       " ORDER BY seq", NULL, 0, &r, err);
	while (!rc && (rc = ag_rows_next(r, err)) == 1) {
		struct ag_ledger_entry e;
		ag_ledger_entry_read(r, &e);
		rc = ag_ledger_verifier_entry(v, &e, err);
	}
	ag_rows_free(r);
	ag_store_rollback(s);
	if (!rc)
		ag_ledger_verifier_finish(v, rep);
out:
	free(cps);
	ag_ledger_verifier_free(v);
	return rc;
}

bool ag_ledger_checkpoint_signed(const struct ag_ledger_checkpoint *c,
				 const struct ag_ledger_key *key,
				 const char *workspace_id)
{
	uint8_t sig[crypto_sign_BYTES];
	struct ag_buf msg;
	bool ok;

	if (sodium_init() < 0 ||
	    !ag_hex_decode(sig, sizeof(sig), c->signature, strlen(c->signature)))
		return false;
	ag_buf_init(&msg);
	ok = ag_ledger_checkpoint_message(&msg, workspace_id, c->tree_size, c->root,
					  c->time) == 0 &&
	     crypto_sign_verify_detached(sig, (const unsigned char *)msg.buf, msg.len,
					 key->pk) == 0;
	ag_buf_release(&msg);
	return ok;
}
