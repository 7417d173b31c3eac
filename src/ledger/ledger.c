/*
 * Appending to the ledger, checkpoints, and reading entries back.
 * The encoding and the signed message are specified in docs/ledger.md;
 * change neither without a new format version.
 */
#include "aigov/ledger.h"

#include "aigov/jcs.h"
#include "aigov/str.h"
#include "aigov/utf8.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char zero_hash_hex[AG_HASH_HEX_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

struct ag_ledger {
	struct ag_store *s;
	struct ag_ledger_options o;

	/* What the last entry and checkpoint are, read once per write
	 * transaction (valid while cache_serial is the store's serial). */
	uint64_t cache_serial;
	uint64_t last_seq;
	char last_hash[AG_HASH_HEX_LEN + 1];
	int64_t last_time;
	struct ag_merkle_frontier frontier;
	uint64_t cp_id, cp_size;
	int64_t cp_time;

	struct ag_buf payload, enc, msg; /* scratch */
};

int ag_ledger_open(struct ag_ledger **out, struct ag_store *s,
		   const struct ag_ledger_options *o, struct ag_err *err)
{
	struct ag_ledger *l;

	*out = NULL;
	if (!o || !o->workspace_id)
		return ag_err_set(err, AG_EINVAL, "ledger: a workspace id is required");
	if (sodium_init() < 0)
		return ag_err_set(err, AG_EIO, "libsodium could not start");
	l = calloc(1, sizeof(*l));
	if (!l)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	l->s = s;
	l->o = *o;
	if (!l->o.clock_us)
		l->o.clock_us = ag_time_now_us;
	ag_buf_init(&l->payload);
	ag_buf_init(&l->enc);
	ag_buf_init(&l->msg);
	*out = l;
	return 0;
}

void ag_ledger_free(struct ag_ledger *l)
{
	if (!l)
		return;
	ag_buf_release(&l->payload);
	ag_buf_release(&l->enc);
	ag_buf_release(&l->msg);
	free(l);
}

/* ---- encodings (docs/ledger.md) ----------------------------------------- */

int ag_ledger_entry_encode(struct ag_buf *out, uint64_t seq, const char *time,
			   const char *actor, const char *action,
			   const char *subject, const char *payload,
			   size_t payload_len, const char *prev_hex)
{
	char num[24];
	int bad = 0;

	/* RFC 8785 of {action, actor, payload, prev, seq, subject, time}:
	 * the members are already in UTF-16 order, written directly. */
	ag_buf_reset(out);
	snprintf(num, sizeof(num), "%" PRIu64, seq);
	bad |= ag_buf_addstr(out, "{\"action\":");
	bad |= ag_jcs_string(out, action, strlen(action));
	bad |= ag_buf_addstr(out, ",\"actor\":");
	bad |= ag_jcs_string(out, actor, strlen(actor));
	bad |= ag_buf_addstr(out, ",\"payload\":");
	bad |= ag_buf_add(out, payload, payload_len);
	bad |= ag_buf_addstr(out, ",\"prev\":");
	bad |= ag_jcs_string(out, prev_hex, strlen(prev_hex));
	bad |= ag_buf_addstr(out, ",\"seq\":");
	bad |= ag_buf_addstr(out, num);
	bad |= ag_buf_addstr(out, ",\"subject\":");
	bad |= ag_jcs_string(out, subject, strlen(subject));
	bad |= ag_buf_addstr(out, ",\"time\":");
	bad |= ag_jcs_string(out, time, strlen(time));
	bad |= ag_buf_addch(out, '}');
	return bad ? AG_ENOMEM : 0;
}

int ag_ledger_checkpoint_message(struct ag_buf *out, const char *workspace_id,
				 uint64_t tree_size, const char *root_hex,
				 const char *time)
{
	ag_buf_reset(out);
	return ag_buf_addf(out, "aigov-ledger-checkpoint/v1\n%s\n%" PRIu64 "\n%s\n%s\n",
			   workspace_id, tree_size, root_hex, time);
}

/* ---- validation of what callers pass -------------------------------------- */

static bool valid_action(const char *a)
{
	size_t n = strlen(a);

	if (n == 0 || n > 64 || !(a[0] >= 'a' && a[0] <= 'z') || a[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = a[i];
		if (c == '.' && a[i + 1] == '.')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return false;
	}
	return true;
}

static const char *text_problem(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return "is empty";
	if (n > max)
		return max == 256 ? "is longer than 256 bytes" : "is longer than 512 bytes";
	if (!ag_utf8_valid(s, n, NULL))
		return "is not valid UTF-8";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "contains a control character";
	return NULL;
}

const char *ag_ledger_field_problem(const char *field, const char *value)
{
	if (!strcmp(field, "action"))
		return value && valid_action(value)
			       ? NULL
			       : "is not a lowercase dotted name such as system.register";
	return text_problem(value, strcmp(field, "actor") ? 512 : 256);
}

/* ---- state of the tail --------------------------------------------------- */

static int frontier_rebuild(struct ag_ledger *l, struct ag_err *err)
{
	struct ag_rows *r;
	int rc;

	ag_merkle_frontier_init(&l->frontier);
	rc = ag_store_query(l->s, "SELECT hash FROM ledger_entry ORDER BY seq", NULL, 0,
			    &r, err);
	if (rc)
		return rc;
	while ((rc = ag_rows_next(r, err)) == 1) {
		uint8_t h[AG_HASH_LEN];
		size_t len;
		const char *t = ag_rows_text(r, 0, &len);
		if (!ag_hex_decode(h, sizeof(h), t, len)) {
			rc = ag_err_set(err, AG_ECORRUPT,
					"%s: a stored entry hash is not hex; run 'aigov ledger verify'",
					ag_store_path(l->s));
			break;
		}
		ag_merkle_frontier_push(&l->frontier, h);
	}
	ag_rows_free(r);
	return rc;
}

/* The stored frontier, if it matches the last entry; else rebuilt. */
static int frontier_load(struct ag_ledger *l, struct ag_err *err)
{
	struct ag_rows *r;
	bool ok = false;
	int rc = ag_store_query(l->s, "SELECT tree_size, nodes FROM ledger_frontier WHERE id = 1",
				NULL, 0, &r, err);

	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		struct ag_merkle_frontier *f = &l->frontier;
		size_t len;
		const char *t = ag_rows_text(r, 1, &len);
		f->size = (uint64_t)ag_rows_int(r, 0);
		f->count = (unsigned)__builtin_popcountll(f->size);
		ok = f->size == l->last_seq && len == (size_t)f->count * AG_HASH_HEX_LEN;
		for (unsigned i = 0; ok && i < f->count; i++)
			ok = ag_hex_decode(f->node[i], AG_HASH_LEN, t + i * AG_HASH_HEX_LEN,
					   AG_HASH_HEX_LEN);
		rc = 0;
	}
	ag_rows_free(r);
	if (rc < 0)
		return rc;
	return ok ? 0 : frontier_rebuild(l, err);
}

static int frontier_store(struct ag_ledger *l, struct ag_err *err)
{
	char hex[64 * AG_HASH_HEX_LEN + 1];
	struct ag_val p[2];

	for (unsigned i = 0; i < l->frontier.count; i++)
		ag_hex_encode(hex + i * AG_HASH_HEX_LEN, l->frontier.node[i], AG_HASH_LEN);
	hex[l->frontier.count * AG_HASH_HEX_LEN] = '\0';
	p[0] = ag_val_int((int64_t)l->frontier.size);
	p[1] = ag_val_text(hex, l->frontier.count * AG_HASH_HEX_LEN);
	return ag_store_exec(l->s,
			     "INSERT INTO ledger_frontier (id, tree_size, nodes) VALUES (1, $1, $2)"
			     " ON CONFLICT (id) DO UPDATE SET tree_size = $1, nodes = $2",
			     p, 2, err);
}

static int load_state(struct ag_ledger *l, struct ag_err *err)
{
	struct ag_rows *r;
	int rc;

	if (l->cache_serial == ag_store_txn_serial(l->s))
		return 0;
	l->last_seq = 0;
	l->last_time = 0;
	memcpy(l->last_hash, zero_hash_hex, sizeof(l->last_hash));
	rc = ag_store_query(l->s, "SELECT seq, hash, time FROM ledger_entry"
				  " ORDER BY seq DESC LIMIT 1", NULL, 0, &r, err);
	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		size_t hl, tl;
		const char *h = ag_rows_text(r, 1, &hl), *t = ag_rows_text(r, 2, &tl);
		l->last_seq = (uint64_t)ag_rows_int(r, 0);
		if (hl != AG_HASH_HEX_LEN || !ag_time_parse(t, tl, &l->last_time))
			rc = ag_err_set(err, AG_ECORRUPT,
					"%s: ledger entry %" PRIu64 " is damaged; run 'aigov ledger verify'",
					ag_store_path(l->s), l->last_seq);
		else
			memcpy(l->last_hash, h, hl + 1);
	}
	ag_rows_free(r);
	if (rc < 0)
		return rc;
	rc = frontier_load(l, err);
	if (rc)
		return rc;
	l->cp_id = l->cp_size = 0;
	l->cp_time = 0;
	rc = ag_store_query(l->s, "SELECT id, tree_size, time FROM ledger_checkpoint"
				  " ORDER BY id DESC LIMIT 1", NULL, 0, &r, err);
	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		size_t tl;
		const char *t = ag_rows_text(r, 2, &tl);
		l->cp_id = (uint64_t)ag_rows_int(r, 0);
		l->cp_size = (uint64_t)ag_rows_int(r, 1);
		if (!ag_time_parse(t, tl, &l->cp_time))
			l->cp_time = 0;
		rc = 0;
	}
	ag_rows_free(r);
	if (rc < 0)
		return rc;
	l->cache_serial = ag_store_txn_serial(l->s);
	return 0;
}

/* Times never go backwards in the ledger, even when the clock does. */
static int64_t next_time(struct ag_ledger *l, int64_t floor_us)
{
	int64_t now = l->o.clock_us();
	return now < floor_us ? floor_us : now;
}

/* ---- checkpoints ----------------------------------------------------------- */

static int checkpoint_locked(struct ag_ledger *l, struct ag_ledger_checkpoint *c,
			     struct ag_err *err)
{
	uint8_t root[AG_HASH_LEN], sig[crypto_sign_BYTES];
	int64_t t = next_time(l, l->cp_time);
	struct ag_val p[6];
	int rc;

	memset(c, 0, sizeof(*c));
	ag_merkle_frontier_root(&l->frontier, root);
	ag_hex_encode(c->root, root, AG_HASH_LEN);
	c->id = l->cp_id + 1;
	c->tree_size = l->frontier.size;
	ag_time_format(c->time, t);
	memcpy(c->key_id, l->o.key->id, sizeof(c->key_id));
	if (ag_ledger_checkpoint_message(&l->msg, l->o.workspace_id, c->tree_size,
					 c->root, c->time))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	crypto_sign_detached(sig, NULL, (const unsigned char *)l->msg.buf, l->msg.len,
			     l->o.key->sk);
	ag_hex_encode(c->signature, sig, sizeof(sig));
	p[0] = ag_val_int((int64_t)c->id);
	p[1] = ag_val_int((int64_t)c->tree_size);
	p[2] = ag_val_str(c->root);
	p[3] = ag_val_str(c->time);
	p[4] = ag_val_str(c->key_id);
	p[5] = ag_val_str(c->signature);
	rc = ag_store_exec(l->s, "INSERT INTO ledger_checkpoint"
				 " (id, tree_size, root_hash, time, key_id, signature)"
				 " VALUES ($1, $2, $3, $4, $5, $6)", p, 6, err);
	if (rc)
		return rc;
	l->cp_id = c->id;
	l->cp_size = c->tree_size;
	l->cp_time = t;
	return 0;
}

static bool can_sign(const struct ag_ledger *l)
{
	return l->o.key && l->o.key->has_secret;
}

int ag_ledger_checkpoint(struct ag_ledger *l, struct ag_ledger_checkpoint *out,
			 bool *created, struct ag_err *err)
{
	bool own = !ag_store_in_write_txn(l->s);
	int rc;

	*created = false;
	if (!can_sign(l))
		return ag_err_set(err, AG_EINVAL,
				  "ledger: no signing key loaded, cannot take a checkpoint");
	if (own && (rc = ag_store_begin(l->s, true, err)))
		return rc;
	rc = load_state(l, err);
	if (!rc && l->frontier.size == 0)
		rc = ag_err_set(err, AG_EINVAL, "ledger: no entries to checkpoint");
	if (!rc && l->cp_id && l->cp_size == l->frontier.size) {
		/* Nothing new: hand back the newest checkpoint. */
		struct ag_ledger_checkpoint *all = NULL;
		size_t n = 0;
		rc = ag_ledger_checkpoints(l->s, &all, &n, err);
		if (!rc && n)
			*out = all[n - 1];
		free(all);
	} else if (!rc) {
		rc = checkpoint_locked(l, out, err);
		*created = !rc;
	}
	if (own) {
		if (!rc && *created)
			rc = ag_store_commit(l->s, err);
		else
			ag_store_rollback(l->s);
	}
	if (rc) {
		l->cache_serial = 0;
		*created = false;
	}
	return rc;
}

/* ---- appending --------------------------------------------------------------- */

static bool checkpoint_due(const struct ag_ledger *l, int64_t now)
{
	uint64_t pending = l->frontier.size - l->cp_size;

	if (!can_sign(l) || pending == 0)
		return false;
	if (l->o.checkpoint_every_entries && pending >= l->o.checkpoint_every_entries)
		return true;
	return l->o.checkpoint_every_seconds &&
	       (uint64_t)(now - l->cp_time) >= l->o.checkpoint_every_seconds * 1000000;
}

static int record_locked(struct ag_ledger *l, const struct ag_ledger_event *ev,
			 struct ag_ledger_receipt *rc_out, struct ag_err *err)
{
	uint8_t h[AG_HASH_LEN];
	struct ag_val p[8];
	int64_t t;
	int rc;

	rc = load_state(l, err);
	if (rc)
		return rc;
	t = next_time(l, l->last_time);
	rc_out->seq = l->last_seq + 1;
	ag_time_format(rc_out->time, t);
	rc = ag_ledger_entry_encode(&l->enc, rc_out->seq, rc_out->time, ev->actor,
				    ev->action, ev->subject, l->payload.buf,
				    l->payload.len, l->last_hash);
	if (rc)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_merkle_leaf_hash(l->enc.buf, l->enc.len, h);
	ag_hex_encode(rc_out->hash, h, AG_HASH_LEN);
	p[0] = ag_val_int((int64_t)rc_out->seq);
	p[1] = ag_val_str(rc_out->time);
	p[2] = ag_val_str(ev->actor);
	p[3] = ag_val_str(ev->action);
	p[4] = ag_val_str(ev->subject);
	p[5] = ag_val_text(l->payload.buf, l->payload.len);
	p[6] = ag_val_str(l->last_hash);
	p[7] = ag_val_str(rc_out->hash);
	rc = ag_store_exec(l->s, "INSERT INTO ledger_entry"
				 " (seq, time, actor, action, subject, payload, prev_hash, hash)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", p, 8, err);
	if (rc)
		return rc;
	ag_merkle_frontier_push(&l->frontier, h);
	rc = frontier_store(l, err);
	if (rc)
		return rc;
	l->last_seq = rc_out->seq;
	l->last_time = t;
	memcpy(l->last_hash, rc_out->hash, sizeof(l->last_hash));
	rc_out->checkpoint_id = 0;
	if (checkpoint_due(l, t)) {
		struct ag_ledger_checkpoint c;
		rc = checkpoint_locked(l, &c, err);
		if (rc)
			return rc;
		rc_out->checkpoint_id = c.id;
	}
	return 0;
}

int ag_ledger_record(struct ag_ledger *l, const struct ag_ledger_event *ev,
		     struct ag_ledger_receipt *receipt, struct ag_err *err)
{
	struct ag_ledger_receipt tmp;
	int rc;

	if (!receipt)
		receipt = &tmp;
	if (!ag_store_in_write_txn(l->s))
		return ag_err_set(err, AG_EINVAL,
				  "ledger: an entry must be recorded inside a write transaction");
	static const char *const fields[] = { "action", "actor", "subject" };
	const char *values[] = { ev->action, ev->actor, ev->subject };
	for (int i = 0; i < 3; i++) {
		const char *why = ag_ledger_field_problem(fields[i], values[i]);
		if (why && (!values[i] || !*values[i]))
			return ag_err_set(err, AG_EPARSE, "ledger entry: %s %s", fields[i], why);
		if (why)
			return ag_err_set(err, AG_EPARSE, "ledger entry: %s '%.60s' %s", fields[i],
					  values[i], why);
	}
	ag_buf_reset(&l->payload);
	rc = ag_jcs_canonicalize(&l->payload, ev->payload ? ev->payload : "{}",
				 ev->payload ? ev->payload_len : 2, "payload", true, err);
	if (rc)
		return rc;
	rc = record_locked(l, ev, receipt, err);
	if (rc)
		l->cache_serial = 0; /* the caller rolls back: forget what we cached */
	return rc;
}

int ag_ledger_append(struct ag_ledger *l, const struct ag_ledger_event *ev,
		     struct ag_ledger_receipt *receipt, struct ag_err *err)
{
	int rc = ag_store_begin(l->s, true, err);

	if (rc)
		return rc;
	rc = ag_ledger_record(l, ev, receipt, err);
	if (!rc)
		rc = ag_store_commit(l->s, err);
	else
		ag_store_rollback(l->s);
	if (rc)
		l->cache_serial = 0;
	return rc;
}

/* ---- reading ------------------------------------------------------------------- */

void ag_ledger_entry_read(struct ag_rows *r, struct ag_ledger_entry *e)
{
	e->seq = (uint64_t)ag_rows_int(r, 0);
	e->time = ag_rows_text(r, 1, NULL);
	e->actor = ag_rows_text(r, 2, NULL);
	e->action = ag_rows_text(r, 3, NULL);
	e->subject = ag_rows_text(r, 4, NULL);
	e->payload = ag_rows_text(r, 5, &e->payload_len);
	e->prev = ag_rows_text(r, 6, NULL);
	e->hash = ag_rows_text(r, 7, NULL);
}

int ag_ledger_size(struct ag_store *s, uint64_t *out, struct ag_err *err)
{
	int64_t n = 0;
	bool found;
	int rc = ag_store_query_int(s, "SELECT coalesce(max(seq), 0) FROM ledger_entry", NULL, 0,
				    &n, &found, err);

	*out = rc || n < 0 ? 0 : (uint64_t)n;
	return rc;
}

int ag_ledger_log(struct ag_store *s, const struct ag_ledger_filter *f,
		  int (*fn)(void *ctx, const struct ag_ledger_entry *e),
		  void *ctx, struct ag_err *err)
{
	static const char *const all_sql =
		"SELECT " AG_LEDGER_ENTRY_COLUMNS " FROM ledger_entry WHERE seq >= $1 ORDER BY seq";
	static const char *const subject_sql =
		"SELECT " AG_LEDGER_ENTRY_COLUMNS " FROM ledger_entry"
		" WHERE seq >= $1 AND subject = $2 ORDER BY seq";
	struct ag_ledger_filter none = { 0, NULL, 0 };
	struct ag_val p[2];
	struct ag_rows *r;
	uint64_t n = 0;
	int rc;

	if (!f)
		f = &none;
	p[0] = ag_val_int((int64_t)(f->since > (uint64_t)INT64_MAX ? INT64_MAX : f->since));
	p[1] = ag_val_str(f->subject);
	rc = ag_store_query(s, f->subject ? subject_sql : all_sql, p, f->subject ? 2 : 1,
			    &r, err);
	if (rc)
		return rc;
	while ((rc = ag_rows_next(r, err)) == 1) {
		struct ag_ledger_entry e;
		ag_ledger_entry_read(r, &e);
		rc = fn(ctx, &e);
		if (rc || (f->limit && ++n >= f->limit))
			break;
	}
	ag_rows_free(r);
	return rc;
}

/* A stored field too long for its slot is kept as "?", never truncated:
 * a truncated forgery could otherwise read back as the genuine value. */
static void copy_text(char *dst, size_t cap, const char *src)
{
	if (strlen(src) >= cap)
		src = "?";
	memcpy(dst, src, strlen(src) + 1);
}

int ag_ledger_checkpoints(struct ag_store *s, struct ag_ledger_checkpoint **out,
			  size_t *n, struct ag_err *err)
{
	struct ag_ledger_checkpoint *v = NULL;
	size_t cap = 0;
	struct ag_rows *r;
	int rc;

	*out = NULL;
	*n = 0;
	rc = ag_store_query(s, "SELECT id, tree_size, root_hash, time, key_id, signature"
			       " FROM ledger_checkpoint ORDER BY id", NULL, 0, &r, err);
	if (rc)
		return rc;
	while ((rc = ag_rows_next(r, err)) == 1) {
		struct ag_ledger_checkpoint *c;
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			void *nv = realloc(v, ncap * sizeof(*v));
			if (!nv) {
				rc = ag_err_set(err, AG_ENOMEM, "out of memory");
				break;
			}
			v = nv;
			cap = ncap;
		}
		c = &v[(*n)++];
		c->id = (uint64_t)ag_rows_int(r, 0);
		c->tree_size = (uint64_t)ag_rows_int(r, 1);
		copy_text(c->root, sizeof(c->root), ag_rows_text(r, 2, NULL));
		copy_text(c->time, sizeof(c->time), ag_rows_text(r, 3, NULL));
		copy_text(c->key_id, sizeof(c->key_id), ag_rows_text(r, 4, NULL));
		copy_text(c->signature, sizeof(c->signature), ag_rows_text(r, 5, NULL));
	}
	ag_rows_free(r);
	if (rc < 0) {
		free(v);
		*n = 0;
		return rc;
	}
	*out = v;
	return 0;
}
