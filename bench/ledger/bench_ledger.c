/*
 * bench/ledger: how fast the ledger appends and verifies, next to what
 * SQLite itself does on the same machine with the same durability.
 *
 *   aigov-bench-ledger DIR [--entries N] [--verify-entries N]
 *
 * In DIR (created, must not exist) it measures:
 *   1. ledger appends in durable batches of 100 (one write transaction,
 *      one fsync'ed commit per batch, automatic checkpoints as configured
 *      by default: every 1000 entries);
 *   2. ledger appends with one durable commit per entry;
 *   3. the reference bound: raw SQLite inserts of rows of the same shape,
 *      prepared, WAL + synchronous=FULL, the same batch sizes;
 *   4. verification of a ledger of --verify-entries entries (default
 *      1,000,000), and the reference: SQLite reading the same rows.
 * Prints one line per measurement and the ratios.
 */
#include "aigov/ledger.h"
#include "aigov/workspace.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "aigov-bench-ledger: %s: %s\n", what, msg);
	exit(1);
}

/* A realistic payload: a model approval with a few fields. */
static int make_payload(char *buf, size_t cap, long i)
{
	return snprintf(buf, cap,
			"{\"system\":\"credit-scoring-v%ld\",\"decision\":\"approve\","
			"\"tier\":\"high\",\"auc\":0.%06ld,\"reviewers\":[\"risk\",\"compliance\"]}",
			i % 50, (i * 7919) % 1000000);
}

static double ledger_appends(struct ag_workspace *ws, long n, int batch)
{
	struct ag_err err;
	char payload[256];
	double t0 = now_s();

	for (long i = 0; i < n; i += batch) {
		if (ag_store_begin(ws->store, true, &err))
			die("begin", err.msg);
		for (int k = 0; k < batch && i + k < n; k++) {
			int len = make_payload(payload, sizeof(payload), i + k);
			struct ag_ledger_event ev = { "user:bench", "model.approved", "system:bench",
						      payload, (size_t)len };
			if (ag_ledger_record(ws->ledger, &ev, NULL, &err))
				die("record", err.msg);
		}
		if (ag_store_commit(ws->store, &err))
			die("commit", err.msg);
	}
	return now_s() - t0;
}

static void sql(sqlite3 *db, const char *s)
{
	char *msg = NULL;
	if (sqlite3_exec(db, s, NULL, NULL, &msg) != SQLITE_OK)
		die(s, msg);
}

/* The same rows straight into SQLite: the bound aigov cannot beat. */
static double raw_inserts(const char *path, long n, int batch)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char payload[256], hash[65];
	double t0;

	memset(hash, 'a', 64);
	hash[64] = '\0';
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, "cannot open");
	sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		"CREATE TABLE e (seq INTEGER PRIMARY KEY, time TEXT, actor TEXT, action TEXT,"
		" subject TEXT, payload TEXT, prev_hash TEXT, hash TEXT)");
	sqlite3_prepare_v2(db, "INSERT INTO e VALUES (?,?,?,?,?,?,?,?)", -1, &st, NULL);
	t0 = now_s();
	for (long i = 0; i < n; i += batch) {
		sql(db, "BEGIN IMMEDIATE");
		for (int k = 0; k < batch && i + k < n; k++) {
			int len = make_payload(payload, sizeof(payload), i + k);
			sqlite3_bind_int64(st, 1, i + k + 1);
			sqlite3_bind_text(st, 2, "2026-11-25T06:41:07.123456Z", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, "user:bench", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, "model.approved", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, "system:bench", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, payload, len, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 7, hash, 64, SQLITE_STATIC);
			sqlite3_bind_text(st, 8, hash, 64, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				die("insert", sqlite3_errmsg(db));
			sqlite3_reset(st);
		}
		sql(db, "COMMIT");
	}
	t0 = now_s() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return t0;
}

static double raw_scan(const char *path, long *rows)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t bytes = 0;
	double t0 = now_s();

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(path, "cannot open");
	sqlite3_prepare_v2(db, "SELECT seq, time, actor, action, subject, payload, prev_hash,"
			       " hash FROM ledger_entry ORDER BY seq", -1, &st, NULL);
	*rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 1; c < 8; c++)
			bytes += (size_t)sqlite3_column_bytes(st, c) + (sqlite3_column_text(st, c) ? 1 : 0);
		(*rows)++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (!bytes)
		die("scan", "no rows");
	return now_s() - t0;
}

static struct ag_workspace *fresh(const char *dir, const char *name)
{
	char root[4096];
	struct ag_workspace *ws;
	struct ag_err err;

	snprintf(root, sizeof(root), "%s/%s", dir, name);
	if (ag_workspace_init(root, "user:bench", NULL, 0, &err) ||
	    ag_workspace_open(&ws, root, true, "user:bench", &err))
		die(root, err.msg);
	return ws;
}

int main(int argc, char **argv)
{
	long n = 200000, nfsync = 2000, nverify = 1000000;
	char path[4096];
	struct ag_workspace *ws;
	struct ag_verify_report rep;
	struct ag_err err;
	double t_batch, t_each, t_raw_batch, t_raw_each, t_verify, t_scan;
	long rows;

	if (argc < 2) {
		fprintf(stderr, "usage: aigov-bench-ledger DIR [--entries N] [--verify-entries N]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--entries"))
			n = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--verify-entries"))
			nverify = atol(argv[i + 1]);
	}
	if (mkdir(argv[1], 0755) != 0) {
		perror(argv[1]);
		return 1;
	}

	ws = fresh(argv[1], "batch");
	t_batch = ledger_appends(ws, n, 100);
	ag_workspace_free(ws);
	ws = fresh(argv[1], "each");
	t_each = ledger_appends(ws, nfsync, 1);
	ag_workspace_free(ws);
	snprintf(path, sizeof(path), "%s/raw-batch.db", argv[1]);
	t_raw_batch = raw_inserts(path, n, 100);
	snprintf(path, sizeof(path), "%s/raw-each.db", argv[1]);
	t_raw_each = raw_inserts(path, nfsync, 1);

	printf("appends, durable batches of 100: %8.0f entries/s  (%ld entries, %.2f s)\n",
	       n / t_batch, n, t_batch);
	printf("  raw SQLite inserts, same batches: %8.0f rows/s     (ratio aigov/raw %.2f)\n",
	       n / t_raw_batch, t_raw_batch / t_batch);
	printf("appends, one durable commit each:  %8.0f entries/s  (%ld entries, %.2f s)\n",
	       nfsync / t_each, nfsync, t_each);
	printf("  raw SQLite inserts, commit each:  %8.0f rows/s     (ratio aigov/raw %.2f)\n",
	       nfsync / t_raw_each, t_raw_each / t_each);
	fflush(stdout);

	/* A big ledger to verify, built in large batches (not timed). */
	ws = fresh(argv[1], "verify");
	ledger_appends(ws, nverify - 1, 1000);
	ag_workspace_free(ws);
	snprintf(path, sizeof(path), "%s/verify", argv[1]);
	if (ag_workspace_open(&ws, path, false, NULL, &err))
		die(path, err.msg);
	double t0 = now_s();
	if (ag_ledger_verify(ws->store, &ws->key, ws->cfg.workspace_id, &rep, &err))
		die("verify", err.msg);
	t_verify = now_s() - t0;
	ag_workspace_free(ws);
	if (rep.nproblems)
		die("verify", rep.problems[0]);
	snprintf(path, sizeof(path), "%s/verify/.aigov/aigov.db", argv[1]);
	t_scan = raw_scan(path, &rows);
	printf("verify %llu entries, %llu checkpoints: %.2f s (%.0f entries/s)\n",
	       (unsigned long long)rep.entries, (unsigned long long)rep.checkpoints, t_verify,
	       rep.entries / t_verify);
	printf("  raw SQLite read of the same %ld rows: %.2f s (ratio aigov/raw %.1f)\n", rows,
	       t_scan, t_verify / t_scan);
	return 0;
}
