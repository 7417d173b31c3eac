/*
 * The SQLite back end of the store (store.h).
 *
 * Durability: WAL journal with synchronous=FULL, so a commit that returned
 * is on disk (WAL + NORMAL "might roll back following a power loss").
 * Writers take the database lock up front with BEGIN IMMEDIATE, so two
 * processes appending at once queue on the busy timeout instead of one of
 * them failing half-way with SQLITE_BUSY on its first write.
 *
 * Prepared statements are cached by SQL text: the ledger appends tens of
 * thousands of entries per second, and preparing costs more than running.
 */
#include "aigov/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STMT_CACHE 32
#define DEFAULT_BUSY_MS 10000

struct ag_rows {
	struct ag_store *s;
	sqlite3_stmt *st;
	struct stmt_slot *slot; /* NULL for an uncached statement */
};

struct stmt_slot {
	char *sql;       /* a copy of the text: callers may build SQL in a buffer */
	sqlite3_stmt *st;
	bool in_use;
	struct ag_rows rows;
};

struct ag_store {
	sqlite3 *db;
	char *path;
	bool in_txn, write_txn;
	uint64_t txn_serial;
	struct stmt_slot cache[STMT_CACHE];
	size_t ncache;
};

/* Map an SQLite result to our codes, with the database named. */
static int db_error(struct ag_store *s, int rc, const char *what, struct ag_err *err)
{
	int code;

	switch (rc & 0xff) {
	case SQLITE_NOMEM: code = AG_ENOMEM; break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: code = AG_ECORRUPT; break;
	case SQLITE_CONSTRAINT: code = AG_EEXIST; break;
	case SQLITE_MISUSE:
	case SQLITE_RANGE: code = AG_EINVAL; break;
	default: code = AG_EIO;
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return ag_err_set(err, code,
				  "%s: the database stayed locked by another writer; try again",
				  s->path);
	if ((rc & 0xff) == SQLITE_READONLY)
		return ag_err_set(err, code, "%s: cannot write: %s (read-only file or disk?)",
				  s->path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return ag_err_set(err, code, "%s: %s: %s", s->path, what,
			  s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static int exec_simple(struct ag_store *s, const char *sql, struct ag_err *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_error(s, rc, sql, err);
}

static const char *url_path(const char *url, struct ag_err *err)
{
	if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) {
		ag_err_set(err, AG_EINVAL,
			   "%s: the PostgreSQL store is not available in this version; use sqlite:PATH",
			   url);
		return NULL;
	}
	if (!strncmp(url, "sqlite:", 7))
		url += 7;
	if (!*url) {
		ag_err_set(err, AG_EINVAL, "empty store path");
		return NULL;
	}
	return url;
}

int ag_store_open(struct ag_store **out, const char *url,
		  const struct ag_store_options *o, struct ag_err *err)
{
	struct ag_store_options def = { 0 };
	struct ag_store *s;
	const char *path;
	struct stat st;
	int flags, rc;

	*out = NULL;
	if (!o)
		o = &def;
	path = url_path(url, err);
	if (!path)
		return AG_EINVAL;
	if (stat(path, &st) != 0 && !o->create)
		return ag_err_set(err, AG_ENOTFOUND, "%s: no such database", path);
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	flags |= o->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (o->create && !o->read_only)
		flags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		rc = db_error(s, rc, "cannot open", err);
		ag_store_free(s);
		return rc;
	}
	sqlite3_busy_timeout(s->db, o->busy_timeout_ms ? (int)o->busy_timeout_ms
						      : DEFAULT_BUSY_MS);
	/* Reading the schema is what tells a database from another file. */
	rc = exec_simple(s, "SELECT count(*) FROM sqlite_master", err);
	if (!rc && !o->read_only)
		rc = exec_simple(s, "PRAGMA journal_mode=WAL", err);
	if (!rc)
		rc = exec_simple(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err);
	if (rc) {
		ag_store_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void ag_store_free(struct ag_store *s)
{
	if (!s)
		return;
	if (s->in_txn)
		ag_store_rollback(s);
	for (size_t i = 0; i < s->ncache; i++) {
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *ag_store_path(const struct ag_store *s)
{
	return s->path;
}

int ag_store_begin(struct ag_store *s, bool write, struct ag_err *err)
{
	int rc;

	if (s->in_txn)
		return ag_err_set(err, AG_EINVAL, "%s: a transaction is already open",
				  s->path);
	rc = exec_simple(s, write ? "BEGIN IMMEDIATE" : "BEGIN", err);
	if (rc)
		return rc;
	s->in_txn = true;
	s->write_txn = write;
	s->txn_serial++;
	return 0;
}

int ag_store_commit(struct ag_store *s, struct ag_err *err)
{
	int rc;

	if (!s->in_txn)
		return ag_err_set(err, AG_EINVAL, "%s: no transaction to commit", s->path);
	rc = exec_simple(s, "COMMIT", err);
	if (rc) {
		/* A failed COMMIT may leave the transaction open (SQLITE_BUSY)
		 * or already rolled back: make sure nothing half-done remains. */
		ag_store_rollback(s);
		return rc;
	}
	s->in_txn = s->write_txn = false;
	return 0;
}

void ag_store_rollback(struct ag_store *s)
{
	if (!s->in_txn)
		return;
	for (size_t i = 0; i < s->ncache; i++)
		sqlite3_reset(s->cache[i].st);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_txn = s->write_txn = false;
}

bool ag_store_in_write_txn(const struct ag_store *s)
{
	return s->in_txn && s->write_txn;
}

uint64_t ag_store_txn_serial(const struct ag_store *s)
{
	return s->txn_serial;
}

static int bind_params(struct ag_store *s, sqlite3_stmt *st,
		       const struct ag_val *p, size_t n, struct ag_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char name[24];
		int idx, rc;

		/* $1 is a named parameter to SQLite: bind by name, so that a
		 * statement may use $2 before $1 as PostgreSQL allows. */
		snprintf(name, sizeof(name), "$%zu", i + 1);
		idx = sqlite3_bind_parameter_index(st, name);
		if (!idx)
			return ag_err_set(err, AG_EINVAL, "%s: statement has no parameter %s",
					  s->path, name);
		switch (p[i].type) {
		case AG_VAL_NULL: rc = sqlite3_bind_null(st, idx); break;
		case AG_VAL_INT: rc = sqlite3_bind_int64(st, idx, p[i].i); break;
		case AG_VAL_REAL: rc = sqlite3_bind_double(st, idx, p[i].d); break;
		default:
			if (p[i].len > (size_t)0x7fffffff)
				return ag_err_set(err, AG_ERANGE, "%s: text parameter too long",
						  s->path);
			rc = sqlite3_bind_text(st, idx, p[i].s ? p[i].s : "", (int)p[i].len,
					       SQLITE_TRANSIENT);
		}
		if (rc != SQLITE_OK)
			return db_error(s, rc, "bind", err);
	}
	return 0;
}

static struct stmt_slot *cached_slot(struct ag_store *s, const char *sql,
				     struct ag_err *err, int *rc)
{
	struct stmt_slot *slot = NULL;

	*rc = 0;
	for (size_t i = 0; i < s->ncache; i++) {
		struct stmt_slot *c = &s->cache[i];
		if (!strcmp(c->sql, sql)) {
			if (c->in_use)
				return NULL; /* nested use: prepare a fresh one */
			return c;
		}
	}
	if (s->ncache == STMT_CACHE)
		return NULL;
	slot = &s->cache[s->ncache];
	slot->sql = strdup(sql);
	if (!slot->sql) {
		*rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		return NULL;
	}
	*rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->st, NULL);
	if (*rc != SQLITE_OK) {
		*rc = db_error(s, *rc, "cannot prepare", err);
		free(slot->sql);
		slot->sql = NULL;
		slot->st = NULL;
		return NULL;
	}
	s->ncache++;
	return slot;
}

int ag_store_query(struct ag_store *s, const char *sql,
		   const struct ag_val *params, size_t nparams,
		   struct ag_rows **out, struct ag_err *err)
{
	struct stmt_slot *slot;
	struct ag_rows *r;
	int rc;

	*out = NULL;
	slot = cached_slot(s, sql, err, &rc);
	if (rc)
		return rc;
	if (slot) {
		r = &slot->rows;
		r->st = slot->st;
		r->slot = slot;
		slot->in_use = true;
	} else {
		r = calloc(1, sizeof(*r));
		if (!r)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		rc = sqlite3_prepare_v2(s->db, sql, -1, &r->st, NULL);
		if (rc != SQLITE_OK) {
			free(r);
			return db_error(s, rc, "cannot prepare", err);
		}
	}
	r->s = s;
	rc = bind_params(s, r->st, params, nparams, err);
	if (rc) {
		ag_rows_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int ag_rows_next(struct ag_rows *r, struct ag_err *err)
{
	int rc = sqlite3_step(r->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(r->s, rc, "query failed", err);
}

bool ag_rows_is_null(struct ag_rows *r, int col)
{
	return sqlite3_column_type(r->st, col) == SQLITE_NULL;
}

int64_t ag_rows_int(struct ag_rows *r, int col)
{
	return sqlite3_column_int64(r->st, col);
}

double ag_rows_real(struct ag_rows *r, int col)
{
	return sqlite3_column_double(r->st, col);
}

const char *ag_rows_text(struct ag_rows *r, int col, size_t *len)
{
	const unsigned char *t = sqlite3_column_text(r->st, col);
	if (len)
		*len = t ? (size_t)sqlite3_column_bytes(r->st, col) : 0;
	return t ? (const char *)t : "";
}

void ag_rows_free(struct ag_rows *r)
{
	if (!r)
		return;
	if (r->slot) {
		sqlite3_reset(r->st);
		sqlite3_clear_bindings(r->st);
		r->slot->in_use = false;
		return;
	}
	sqlite3_finalize(r->st);
	free(r);
}

int ag_store_exec(struct ag_store *s, const char *sql,
		  const struct ag_val *params, size_t nparams, struct ag_err *err)
{
	struct ag_rows *r;
	int rc = ag_store_query(s, sql, params, nparams, &r, err);

	if (rc)
		return rc;
	while ((rc = ag_rows_next(r, err)) == 1)
		;
	ag_rows_free(r);
	return rc;
}

int ag_store_query_int(struct ag_store *s, const char *sql,
		       const struct ag_val *params, size_t nparams,
		       int64_t *value, bool *found, struct ag_err *err)
{
	struct ag_rows *r;
	int rc = ag_store_query(s, sql, params, nparams, &r, err);

	*found = false;
	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		*found = !ag_rows_is_null(r, 0);
		*value = ag_rows_int(r, 0);
		rc = 0;
	}
	ag_rows_free(r);
	return rc;
}

int ag_store_check_integrity(struct ag_store *s, struct ag_err *err)
{
	struct ag_rows *r;
	int rc = ag_store_query(s, "PRAGMA integrity_check", NULL, 0, &r, err);

	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		const char *t = ag_rows_text(r, 0, NULL);
		rc = strcmp(t, "ok") ? ag_err_set(err, AG_ECORRUPT, "%s: integrity check: %s",
						   s->path, t)
				     : 0;
	}
	ag_rows_free(r);
	return rc;
}

int ag_store_table_exists(struct ag_store *s, const char *table, bool *exists,
			  struct ag_err *err)
{
	struct ag_val p = ag_val_str(table);
	int64_t n = 0;
	bool found;
	int rc = ag_store_query_int(s, "SELECT count(*) FROM sqlite_master "
				       "WHERE type = 'table' AND name = $1",
				    &p, 1, &n, &found, err);

	*exists = !rc && found && n > 0;
	return rc;
}
