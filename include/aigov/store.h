/*
 * store: where all state lives (module store, on base).
 *
 * One interface, two back ends: SQLite, the embedded default (one file in
 * WAL mode, synchronous=FULL), and PostgreSQL for many users (not built
 * yet).  Callers write portable SQL: parameters are $1, $2, ... (both
 * engines accept that spelling), types are INTEGER/BIGINT, DOUBLE
 * PRECISION and TEXT, and nothing relies on rowid, AUTOINCREMENT or
 * engine-specific functions.  What differs (how a write transaction takes
 * its lock, busy waiting) hides behind ag_store_begin.
 *
 * Transactions: a write transaction (ag_store_begin(s, true)) serialises
 * writers across processes: a second writer waits up to the busy timeout
 * (default 10 s) for the first.  A read transaction sees one consistent
 * snapshot while writers go on.  Every mutation of aigov's state happens
 * inside a write transaction together with its ledger entry (ledger.h).
 *
 * Ownership: ag_store_open returns a handle freed by ag_store_free (which
 * rolls back an open transaction).  Rows handles from ag_store_query are
 * freed by ag_rows_free before the next query with the same SQL text and
 * before ag_store_free; text they return is valid until the next
 * ag_rows_next or ag_rows_free.  A store handle is used by one thread at a
 * time; open one per thread.
 */
#ifndef AIGOV_STORE_H
#define AIGOV_STORE_H

#include "aigov/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ag_store;
struct ag_rows;

struct ag_store_options {
	bool create;             /* create the database if it does not exist */
	bool read_only;          /* open for reading only (verification, export) */
	unsigned busy_timeout_ms; /* how long a writer waits for another; 0: 10000 */
};

/*
 * Open a store.  `url` is "sqlite:PATH" or a bare PATH (SQLite); a
 * "postgres://" or "postgresql://" URL is refused for now with AG_EINVAL.
 * The schema is not touched: run ag_schema_migrate (schema.h) in a write
 * transaction.  AG_ENOTFOUND when the file does not exist and !create,
 * AG_EIO when it cannot be opened, AG_ECORRUPT when it is not a database.
 */
int ag_store_open(struct ag_store **out, const char *url,
		  const struct ag_store_options *o, struct ag_err *err);
void ag_store_free(struct ag_store *s);

/* The database file's path (for messages). */
const char *ag_store_path(const struct ag_store *s);

int ag_store_begin(struct ag_store *s, bool write, struct ag_err *err);
int ag_store_commit(struct ag_store *s, struct ag_err *err);
/* Undo the open transaction, if any; never fails (a failure to roll back
 * leaves SQLite to roll back on close). */
void ag_store_rollback(struct ag_store *s);
bool ag_store_in_write_txn(const struct ag_store *s);
/* Changes each time a transaction begins: lets callers cache what they
 * read inside one transaction and know when the cache is stale. */
uint64_t ag_store_txn_serial(const struct ag_store *s);

/* A parameter value. */
enum ag_val_type { AG_VAL_NULL, AG_VAL_INT, AG_VAL_REAL, AG_VAL_TEXT };
struct ag_val {
	enum ag_val_type type;
	int64_t i;
	double d;
	const char *s; /* borrowed; need not be NUL-terminated */
	size_t len;
};

static inline struct ag_val ag_val_int(int64_t i)
{
	struct ag_val v = { AG_VAL_INT, i, 0, NULL, 0 };
	return v;
}

static inline struct ag_val ag_val_text(const char *s, size_t len)
{
	struct ag_val v = { AG_VAL_TEXT, 0, 0, s, len };
	return v;
}

static inline struct ag_val ag_val_str(const char *s)
{
	return s ? ag_val_text(s, strlen(s)) : (struct ag_val){ AG_VAL_NULL, 0, 0, NULL, 0 };
}

/* Run a statement that returns no rows. */
int ag_store_exec(struct ag_store *s, const char *sql,
		  const struct ag_val *params, size_t nparams, struct ag_err *err);

/* Run a query; step through its rows with ag_rows_next. */
int ag_store_query(struct ag_store *s, const char *sql,
		   const struct ag_val *params, size_t nparams,
		   struct ag_rows **out, struct ag_err *err);
/* 1: a row is ready; 0: no more rows; < 0: error. */
int ag_rows_next(struct ag_rows *r, struct ag_err *err);
bool ag_rows_is_null(struct ag_rows *r, int col);
int64_t ag_rows_int(struct ag_rows *r, int col);
double ag_rows_real(struct ag_rows *r, int col);
/* Never NULL (NULL reads as ""); *len may be NULL. */
const char *ag_rows_text(struct ag_rows *r, int col, size_t *len);
void ag_rows_free(struct ag_rows *r);

/* A query expected to give at most one integer: *found says whether it did. */
int ag_store_query_int(struct ag_store *s, const char *sql,
		       const struct ag_val *params, size_t nparams,
		       int64_t *value, bool *found, struct ag_err *err);

/* Whether a table of that name exists. */
int ag_store_table_exists(struct ag_store *s, const char *table, bool *exists,
			  struct ag_err *err);

/* Run the engine's own consistency check (PRAGMA integrity_check for
 * SQLite); AG_ECORRUPT with its first complaint when it fails. */
int ag_store_check_integrity(struct ag_store *s, struct ag_err *err);

#endif
