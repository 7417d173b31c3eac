/*
 * Export of the ledger as JSON lines, and its verification with a public
 * key alone (docs/ledger.md, "Export").  Every line is RFC 8785 canonical
 * JSON: the header, then every checkpoint, then every entry.  The reader
 * re-canonicalizes each payload itself rather than trusting the file's
 * bytes, as an independent verifier would.
 */
#define _GNU_SOURCE /* getline */
#include "aigov/ledger.h"

#include "aigov/atomic_file.h"
#include "aigov/jcs.h"
#include "aigov/str.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_FORMAT "aigov-ledger-export"
#define EXPORT_VERSION 1

static int put_kv_str(struct ag_buf *b, const char *key, const char *val, bool first)
{
	int bad = 0;

	if (!first)
		bad |= ag_buf_addch(b, ',');
	bad |= ag_jcs_string(b, key, strlen(key));
	bad |= ag_buf_addch(b, ':');
	bad |= ag_jcs_string(b, val, strlen(val));
	return bad;
}

static int put_kv_u64(struct ag_buf *b, const char *key, uint64_t v, bool first)
{
	int bad = 0;

	if (!first)
		bad |= ag_buf_addch(b, ',');
	bad |= ag_jcs_string(b, key, strlen(key));
	bad |= ag_buf_addf(b, ":%" PRIu64, v);
	return bad;
}

struct export_ctx {
	struct ag_atomic_file *a;
	struct ag_buf line;
	uint64_t n;
};

static int write_line(struct export_ctx *x)
{
	if (ag_buf_addch(&x->line, '\n'))
		return AG_ENOMEM;
	return fwrite(x->line.buf, 1, x->line.len, x->a->f) == x->line.len ? 0 : AG_EIO;
}

static int export_entry(void *ctx, const struct ag_ledger_entry *e)
{
	struct export_ctx *x = ctx;
	struct ag_buf *b = &x->line;
	int bad = 0;

	/* Members in RFC 8785 order: action actor hash payload prev seq
	 * subject time type. */
	ag_buf_reset(b);
	bad |= ag_buf_addch(b, '{');
	bad |= put_kv_str(b, "action", e->action, true);
	bad |= put_kv_str(b, "actor", e->actor, false);
	bad |= put_kv_str(b, "hash", e->hash, false);
	bad |= ag_buf_addstr(b, ",\"payload\":");
	bad |= ag_buf_add(b, e->payload, e->payload_len);
	bad |= put_kv_str(b, "prev", e->prev, false);
	bad |= put_kv_u64(b, "seq", e->seq, false);
	bad |= put_kv_str(b, "subject", e->subject, false);
	bad |= put_kv_str(b, "time", e->time, false);
	bad |= put_kv_str(b, "type", "entry", false);
	bad |= ag_buf_addch(b, '}');
	if (bad)
		return AG_ENOMEM;
	x->n++;
	return write_line(x);
}

static int export_checkpoint(struct export_ctx *x, const struct ag_ledger_checkpoint *c)
{
	struct ag_buf *b = &x->line;
	int bad = 0;

	ag_buf_reset(b);
	bad |= ag_buf_addch(b, '{');
	bad |= put_kv_u64(b, "id", c->id, true);
	bad |= put_kv_str(b, "key_id", c->key_id, false);
	bad |= put_kv_str(b, "root", c->root, false);
	bad |= put_kv_str(b, "signature", c->signature, false);
	bad |= put_kv_u64(b, "size", c->tree_size, false);
	bad |= put_kv_str(b, "time", c->time, false);
	bad |= put_kv_str(b, "type", "checkpoint", false);
	bad |= ag_buf_addch(b, '}');
	return bad ? AG_ENOMEM : write_line(x);
}

int ag_ledger_export(struct ag_store *s, const char *workspace_id,
		     const struct ag_ledger_key *key, const char *path,
		     uint64_t *entries, uint64_t *checkpoints, struct ag_err *err)
{
	struct ag_ledger_checkpoint *cps = NULL;
	struct ag_atomic_file a;
	struct export_ctx x = { &a, { 0 }, 0 };
	char now[AG_TIME_LEN + 1], pk[AG_HASH_HEX_LEN + 1];
	bool found;
	int64_t count = 0;
	size_t ncps = 0;
	int rc, bad = 0;

	ag_buf_init(&x.line);
	rc = ag_store_begin(s, false, err); /* one snapshot */
	if (rc)
		return rc;
	rc = ag_store_query_int(s, "SELECT count(*) FROM ledger_entry", NULL, 0, &count,
				&found, err);
	if (!rc)
		rc = ag_ledger_checkpoints(s, &cps, &ncps, err);
	if (!rc)
		rc = ag_atomic_open(&a, path, 0644, err);
	if (rc)
		goto out;
	ag_time_format(now, ag_time_now_us());
	ag_hex_encode(pk, key->pk, sizeof(key->pk));
	bad |= ag_buf_addch(&x.line, '{');
	bad |= put_kv_u64(&x.line, "checkpoints", ncps, true);
	bad |= put_kv_u64(&x.line, "entries", (uint64_t)count, false);
	bad |= put_kv_str(&x.line, "exported_at", now, false);
	bad |= put_kv_str(&x.line, "format", EXPORT_FORMAT, false);
	bad |= put_kv_str(&x.line, "public_key", pk, false);
	bad |= put_kv_u64(&x.line, "version", EXPORT_VERSION, false);
	bad |= put_kv_str(&x.line, "workspace", workspace_id, false);
	bad |= ag_buf_addch(&x.line, '}');
	rc = bad ? AG_ENOMEM : write_line(&x);
	for (size_t i = 0; !rc && i < ncps; i++)
		rc = export_checkpoint(&x, &cps[i]);
	if (!rc)
		rc = ag_ledger_log(s, NULL, export_entry, &x, err);
	if (rc == AG_EIO || rc == AG_ENOMEM) {
		if (!err || !err->code || err->code != rc)
			ag_err_set(err, rc, "%s: cannot write: %s", path,
				   rc == AG_EIO ? strerror(errno) : "out of memory");
	}
	if (rc)
		ag_atomic_abort(&a);
	else
		rc = ag_atomic_commit(&a, err);
	if (!rc) {
		if (entries)
			*entries = x.n;
		if (checkpoints)
			*checkpoints = ncps;
	}
out:
	ag_store_rollback(s);
	free(cps);
	ag_buf_release(&x.line);
	return rc;
}

/* ---- reading an export ---------------------------------------------------- */

struct reader {
	const char *path;
	size_t line;
	struct ag_err *err;
};

/* "FILE:LINE: field 'seq': missing or not a non-negative integer" */
static int bad_line(struct reader *rd, const char *field, const char *problem)
{
	return ag_err_at(rd->err, AG_EPARSE, rd->path, rd->line, 0, "%s '%s': %s",
			 "field", field, problem);
}

static int get_str(struct reader *rd, json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return bad_line(rd, key, "missing or not a string");
	*out = json_string_value(v);
	return 0;
}

static int get_u64(struct reader *rd, json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad_line(rd, key, "missing or not a non-negative integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int copy_field(struct reader *rd, char *dst, size_t cap, const char *src,
		      const char *key)
{
	size_t n = strlen(src);

	if (n >= cap)
		return bad_line(rd, key, "too long");
	memcpy(dst, src, n + 1);
	return 0;
}

static int read_checkpoint(struct reader *rd, json_t *o, struct ag_ledger_checkpoint *c)
{
	const char *root, *time, *key_id, *sig;

	memset(c, 0, sizeof(*c));
	if (json_object_size(o) != 7)
		return bad_line(rd, "type", "a checkpoint line has exactly the members id, key_id, "
				"root, signature, size, time and type");
	if (get_u64(rd, o, "id", &c->id) || get_u64(rd, o, "size", &c->tree_size) ||
	    get_str(rd, o, "root", &root) || get_str(rd, o, "time", &time) ||
	    get_str(rd, o, "key_id", &key_id) || get_str(rd, o, "signature", &sig) ||
	    copy_field(rd, c->root, sizeof(c->root), root, "root") ||
	    copy_field(rd, c->time, sizeof(c->time), time, "time") ||
	    copy_field(rd, c->key_id, sizeof(c->key_id), key_id, "key_id") ||
	    copy_field(rd, c->signature, sizeof(c->signature), sig, "signature"))
		return AG_EPARSE;
	return 0;
}

static int read_entry(struct reader *rd, json_t *o, struct ag_buf *payload,
		      struct ag_ledger_entry *e)
{
	json_t *p = json_object_get(o, "payload");
	char name[64];

	memset(e, 0, sizeof(*e));
	if (json_object_size(o) != 9)
		return bad_line(rd, "type", "an entry line has exactly the members action, actor, "
				"hash, payload, prev, seq, subject, time and type");
	if (get_u64(rd, o, "seq", &e->seq) || get_str(rd, o, "time", &e->time) ||
	    get_str(rd, o, "actor", &e->actor) || get_str(rd, o, "action", &e->action) ||
	    get_str(rd, o, "subject", &e->subject) || get_str(rd, o, "prev", &e->prev) ||
	    get_str(rd, o, "hash", &e->hash))
		return AG_EPARSE;
	if (!json_is_object(p))
		return bad_line(rd, "payload", "missing or not an object");
	ag_buf_reset(payload);
	snprintf(name, sizeof(name), "%s:%zu: payload", rd->path, rd->line);
	if (ag_jcs_write(payload, p, name, rd->err))
		return rd->err ? rd->err->code : AG_EPARSE;
	e->payload = payload->buf;
	e->payload_len = payload->len;
	return 0;
}

static int check_header(struct reader *rd, json_t *h, const struct ag_ledger_key *key,
			struct ag_ledger_verifier **v, uint64_t *n_entries,
			uint64_t *n_cps, char *file_key)
{
	const char *format, *workspace, *pk;
	uint64_t version;
	int rc;

	if (!json_is_object(h) || get_str(rd, h, "format", &format) ||
	    strcmp(format, EXPORT_FORMAT) != 0)
		return ag_err_at(rd->err, AG_EPARSE, rd->path, 1, 0,
				 "not an aigov ledger export (format is not '%s')", EXPORT_FORMAT);
	if (get_u64(rd, h, "version", &version))
		return AG_EPARSE;
	if (version != EXPORT_VERSION)
		return ag_err_at(rd->err, AG_EPARSE, rd->path, 1, 0,
				 "export version %" PRIu64 " is not one this aigov reads (%d)",
				 version, EXPORT_VERSION);
	if (json_object_size(h) != 7)
		return ag_err_at(rd->err, AG_EPARSE, rd->path, 1, 0, "the header has exactly the "
				 "members checkpoints, entries, exported_at, format, public_key, "
				 "version and workspace");
	if (get_str(rd, h, "workspace", &workspace) || get_str(rd, h, "public_key", &pk) ||
	    get_u64(rd, h, "entries", n_entries) || get_u64(rd, h, "checkpoints", n_cps))
		return AG_EPARSE;
	snprintf(file_key, AG_HASH_HEX_LEN + 1, "%s", pk);
	rc = ag_ledger_verifier_new(v, key, workspace, rd->err);
	if (rc && rd->err) {
		/* The verifier does not know the file: its refusal of a
		 * header's workspace id must still say where (fuzz_ledger_export). */
		char msg[AG_ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", rd->err->msg);
		ag_err_at(rd->err, rc, rd->path, 1, 0, "%s", msg);
	}
	return rc;
}

int ag_ledger_verify_export(const char *path, const struct ag_ledger_key *key,
			    struct ag_verify_report *rep, struct ag_err *err)
{
	struct reader rd = { path, 0, err };
	struct ag_ledger_verifier *v = NULL;
	uint64_t want_entries = 0, want_cps = 0, got_entries = 0, got_cps = 0;
	char file_key[AG_HASH_HEX_LEN + 1], our_key[AG_HASH_HEX_LEN + 1];
	struct ag_buf payload;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int rc = 0;

	memset(rep, 0, sizeof(*rep));
	f = fopen(path, "r");
	if (!f)
		return ag_err_set(err, errno == ENOENT ? AG_ENOTFOUND : AG_EIO,
				  "%s: cannot open: %s", path, strerror(errno));
	ag_buf_init(&payload);
	while (!rc && (n = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *o;
		const char *type;

		rd.line++;
		o = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &je);
		if (!o) {
			rc = ag_err_at(err, AG_EPARSE, path, rd.line,
				       je.column > 0 ? (size_t)je.column : 0, "%s", je.text);
			break;
		}
		if (rd.line > 1 && !json_is_object(o)) {
			rc = ag_err_at(err, AG_EPARSE, path, rd.line, 0, "expected a JSON object");
		} else if (rd.line == 1) {
			rc = check_header(&rd, o, key, &v, &want_entries, &want_cps, file_key);
		} else if (!(rc = get_str(&rd, o, "type", &type))) {
			if (!strcmp(type, "checkpoint")) {
				struct ag_ledger_checkpoint c;
				if (got_entries)
					rc = bad_line(&rd, "type",
						      "a checkpoint after the entries (checkpoints come first)");
				if (!rc && !(rc = read_checkpoint(&rd, o, &c))) {
					rc = ag_ledger_verifier_checkpoint(v, &c, err);
					got_cps++;
				}
			} else if (!strcmp(type, "entry")) {
				struct ag_ledger_entry e;
				if (!(rc = read_entry(&rd, o, &payload, &e))) {
					rc = ag_ledger_verifier_entry(v, &e, err);
					got_entries++;
				}
			} else {
				rc = bad_line(&rd, "type", "expected entry or checkpoint");
			}
		}
		json_decref(o);
	}
	if (!rc && ferror(f))
		rc = ag_err_set(err, AG_EIO, "%s: cannot read: %s", path, strerror(errno));
	if (!rc && rd.line == 0)
		rc = ag_err_set(err, AG_EPARSE, "%s: empty file, not an aigov ledger export", path);
	if (!rc) {
		ag_ledger_verifier_finish(v, rep);
		ag_hex_encode(our_key, key->pk, sizeof(key->pk));
		/* Findings about the file as a whole go after the ledger's own. */
		if (strcmp(file_key, our_key) != 0 && rep->nproblems < AG_VERIFY_MAX_PROBLEMS)
			snprintf(rep->problems[rep->nproblems], sizeof(rep->problems[0]),
				 "the export names public key %.64s, not the key given", file_key);
		if (strcmp(file_key, our_key) != 0)
			rep->nproblems++;
		if ((got_entries != want_entries || got_cps != want_cps)) {
			if (rep->nproblems < AG_VERIFY_MAX_PROBLEMS)
				snprintf(rep->problems[rep->nproblems], sizeof(rep->problems[0]),
					 "the header announces %" PRIu64 " entries and %" PRIu64
					 " checkpoints; the file holds %" PRIu64 " and %" PRIu64
					 " (lines were cut or added)",
					 want_entries, want_cps, got_entries, got_cps);
			rep->nproblems++;
		}
	}
	free(line);
	fclose(f);
	ag_buf_release(&payload);
	ag_ledger_verifier_free(v);
	return rc;
}
