/*
 * The workspace store and ledger (include/aigov/ledger.h, workspace.h).
 * Tampering is done the way an insider would: editing the SQLite file
 * directly with the C API, behind aigov's back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/buf.h"
#include "aigov/ledger.h"
#include "aigov/schema.h"
#include "aigov/str.h"
#include "aigov/workspace.h"

#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------------- */

struct fixture {
	char root[256];
	char db[300];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	struct ag_err err;

	snprintf(f->root, sizeof(f->root), "%s/aigov-ledger-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/.aigov/aigov.db", f->root);
	if (ag_workspace_init(f->root, "user:tester", NULL, 0, &err)) {
		fprintf(stderr, "init: %s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static struct ag_workspace *open_ws(struct fixture *f, bool write)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;

	if (ag_workspace_open(&ws, f->root, write, "user:tester", &err))
		fail_msg("open: %s", err.msg);
	return ws;
}

static void append(struct ag_workspace *ws, const char *action, const char *subject,
		   const char *payload, struct ag_ledger_receipt *r)
{
	struct ag_ledger_event ev = { "user:tester", action, subject, payload, strlen(payload) };
	struct ag_err err;

	if (ag_ledger_append(ws->ledger, &ev, r, &err))
		fail_msg("append: %s", err.msg);
}

/* Entries 2..n+1 carrying {"i":k}. */
static void append_n(struct fixture *f, int n)
{
	struct ag_workspace *ws = open_ws(f, true);
	char payload[64];

	for (int k = 2; k <= n + 1; k++) {
		snprintf(payload, sizeof(payload), "{\"i\":%d,\"note\":\"entry %d\"}", k, k);
		append(ws, "test.event", k % 2 ? "system:odd" : "system:even", payload, NULL);
	}
	ag_workspace_free(ws);
}

static void checkpoint(struct fixture *f)
{
	struct ag_workspace *ws = open_ws(f, true);
	struct ag_ledger_checkpoint c;
	struct ag_err err;
	bool created;

	if (ag_ledger_checkpoint(ws->ledger, &c, &created, &err))
		fail_msg("checkpoint: %s", err.msg);
	ag_workspace_free(ws);
}

static void verify(struct fixture *f, struct ag_verify_report *rep)
{
	struct ag_workspace *ws = open_ws(f, false);
	struct ag_err err;

	if (ag_ledger_verify(ws->store, &ws->key, ws->cfg.workspace_id, rep, &err))
		fail_msg("verify: %s", err.msg);
	ag_workspace_free(ws);
}

static bool reported(const struct ag_verify_report *rep, const char *text)
{
	for (uint64_t i = 0; i < rep->nproblems && i < AG_VERIFY_MAX_PROBLEMS; i++)
		if (strstr(rep->problems[i], text))
			return true;
	return false;
}

static void expect_problem(struct fixture *f, const char *text)
{
	struct ag_verify_report rep;

	verify(f, &rep);
	if (!reported(&rep, text)) {
		for (uint64_t i = 0; i < rep.nproblems && i < AG_VERIFY_MAX_PROBLEMS; i++)
			fprintf(stderr, "  problem: %s\n", rep.problems[i]);
		fail_msg("verify did not report '%s' (%llu problems)", text,
			 (unsigned long long)rep.nproblems);
	}
}

/* Edit the database behind aigov's back. */
static void tamper(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("tamper: %s: %s", sql, msg);
	assert_true(sqlite3_changes(db) > 0 || !strncmp(sql, "INSERT", 6));
	sqlite3_close(db);
}

static int64_t count_entries(struct fixture *f)
{
	struct ag_workspace *ws = open_ws(f, false);
	struct ag_err err;
	int64_t n = -1;
	bool found;

	assert_int_equal(ag_store_query_int(ws->store, "SELECT count(*) FROM ledger_entry",
					    NULL, 0, &n, &found, &err), 0);
	ag_workspace_free(ws);
	return n;
}

/* The usual ledger under attack: 21 entries, checkpoint 2 covering 16. */
static void standard_ledger(struct fixture *f)
{
	append_n(f, 15);
	checkpoint(f);
	append_n(f, 5);
}

/* ---- intact ledgers ---------------------------------------------------------- */

static void test_ledger_fresh_workspace_verifies(void **state)
{
	struct fixture *f = *state;
	struct ag_verify_report rep;
	struct stat st;
	char key[400];

	verify(f, &rep);
	assert_int_equal(rep.nproblems, 0);
	assert_int_equal(rep.entries, 1);
	assert_int_equal(rep.checkpoints, 1);
	assert_int_equal(rep.signed_size, 1);
	snprintf(key, sizeof(key), "%s/.aigov/keys/ledger.key", f->root);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_ledger_appends_chain_and_checkpoints_cover_them(void **state)
{
	struct fixture *f = *state;
	struct ag_verify_report rep;

	standard_ledger(f);
	verify(f, &rep);
	assert_int_equal(rep.nproblems, 0);
	assert_int_equal(rep.entries, 21);
	assert_int_equal(rep.signed_size, 16);
	checkpoint(f);
	verify(f, &rep);
	assert_int_equal(rep.signed_size, 21);
	assert_int_equal(rep.checkpoints, 3);
}

static void test_ledger_entry_hash_is_the_documented_encoding(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws = open_ws(f, true);
	struct ag_ledger_receipt r1, r2;
	uint8_t h[AG_HASH_LEN];
	char hex[AG_HASH_HEX_LEN + 1], want[1024];

	(void)state;
	append(ws, "committee.approved", "system:credit-v3",
	       "{ \"z\": 1.50, \"a\": [true, null, \"\xe4\xb8\xad\"] }", &r1);
	append(ws, "x.y", "s", "{}", &r2);
	ag_workspace_free(ws);
	/* docs/ledger.md: E is the JCS object of the seven fields; the
	 * payload's members sorted, 1.50 written 1.5; hash = SHA-256(00 || E). */
	snprintf(want, sizeof(want),
		 "{\"action\":\"committee.approved\",\"actor\":\"user:tester\","
		 "\"payload\":{\"a\":[true,null,\"\xe4\xb8\xad\"],\"z\":1.5},\"prev\":\"%s\","
		 "\"seq\":2,\"subject\":\"system:credit-v3\",\"time\":\"%s\"}",
		 "", r1.time);
	/* prev of entry 2 is entry 1's hash: read it from the log. */
	struct ag_workspace *ro = open_ws(f, false);
	struct ag_err err;
	struct ag_rows *rows;
	assert_int_equal(ag_store_query(ro->store, "SELECT hash FROM ledger_entry WHERE seq = 1",
					NULL, 0, &rows, &err), 0);
	assert_int_equal(ag_rows_next(rows, &err), 1);
	snprintf(want, sizeof(want),
		 "{\"action\":\"committee.approved\",\"actor\":\"user:tester\","
		 "\"payload\":{\"a\":[true,null,\"\xe4\xb8\xad\"],\"z\":1.5},\"prev\":\"%s\","
		 "\"seq\":2,\"subject\":\"system:credit-v3\",\"time\":\"%s\"}",
		 ag_rows_text(rows, 0, NULL), r1.time);
	ag_rows_free(rows);
	ag_workspace_free(ro);
	/* Computed here with libsodium directly, not with our Merkle code. */
	crypto_hash_sha256_state st;
	const unsigned char zero = 0;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)want, strlen(want));
	crypto_hash_sha256_final(&st, h);
	ag_hex_encode(hex, h, AG_HASH_LEN);
	assert_string_equal(hex, r1.hash);
	assert_int_equal(r2.seq, 3);
	assert_true(strcmp(r2.time, r1.time) >= 0);
}

static void test_ledger_checkpoints_itself_every_n_entries(void **state)
{
	struct fixture *f = *state;
	char cfg[400], cmd[800];
	struct ag_workspace *ws;
	struct ag_ledger_receipt r;
	struct ag_verify_report rep;
	int taken = 0;

	snprintf(cfg, sizeof(cfg), "%s/.aigov/config.yaml", f->root);
	snprintf(cmd, sizeof(cmd), "sed -i 's/checkpoint_every_entries: 1000/"
		 "checkpoint_every_entries: 4/' '%s'", cfg);
	assert_int_equal(system(cmd), 0);
	ws = open_ws(f, true);
	for (int i = 0; i < 12; i++) {
		append(ws, "test.event", "s", "{}", &r);
		if (r.checkpoint_id) {
			taken++;
			/* entries 1..5 -> checkpoint 2 at 5, then at 9, 13 */
			assert_int_equal(r.seq % 4, 1);
		}
	}
	ag_workspace_free(ws);
	assert_int_equal(taken, 3);
	verify(f, &rep);
	assert_int_equal(rep.nproblems, 0);
	assert_int_equal(rep.signed_size, 13);
}

/* Many checkpoints: the verifier's tables grow past their first size. */
static void test_ledger_with_many_checkpoints_verifies(void **state)
{
	struct fixture *f = *state;
	struct ag_verify_report rep;

	for (int i = 0; i < 40; i++) {
		append_n(f, 1);
		checkpoint(f);
	}
	verify(f, &rep);
	assert_int_equal(rep.nproblems, 0);
	assert_int_equal(rep.checkpoints, 41);
	assert_int_equal(rep.signed_size, 41);
}

static int64_t fake_now;
static int64_t fake_clock(void)
{
	return fake_now;
}

static void test_ledger_checkpoints_itself_after_t_seconds(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws = open_ws(f, true);
	struct ag_ledger_options o = { ws->cfg.workspace_id, &ws->key, 0, 60, fake_clock };
	struct ag_ledger *l;
	struct ag_ledger_receipt r;
	struct ag_err err;

	fake_now = ag_time_now_us() + 1000000;
	assert_int_equal(ag_ledger_open(&l, ws->store, &o, &err), 0);
	struct ag_ledger_event ev = { "user:t", "a.b", "s", "{}", 2 };
	assert_int_equal(ag_ledger_append(l, &ev, &r, &err), 0);
	assert_int_equal(r.checkpoint_id, 0);  /* 1 s after the first checkpoint */
	fake_now += 58 * 1000000LL;
	assert_int_equal(ag_ledger_append(l, &ev, &r, &err), 0);
	assert_int_equal(r.checkpoint_id, 0);  /* 59 s */
	fake_now += 2 * 1000000LL;             /* 61 s: this append signs */
	assert_int_equal(ag_ledger_append(l, &ev, &r, &err), 0);
	assert_int_equal(r.checkpoint_id, 2);
	ag_ledger_free(l);
	ag_workspace_free(ws);
}

/* ---- the same transaction ---------------------------------------------------- */

static void test_ledger_change_and_entry_roll_back_together(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws = open_ws(f, true);
	struct ag_ledger_event ev = { "user:t", "meta.set", "meta:colour", "{\"v\":\"blue\"}", 12 };
	struct ag_val p[2] = { ag_val_str("colour"), ag_val_str("blue") };
	struct ag_err err;
	int64_t n;
	bool found;

	assert_int_equal(ag_store_begin(ws->store, true, &err), 0);
	assert_int_equal(ag_store_exec(ws->store, "INSERT INTO meta (key, value) VALUES ($1, $2)",
				       p, 2, &err), 0);
	assert_int_equal(ag_ledger_record(ws->ledger, &ev, NULL, &err), 0);
	ag_store_rollback(ws->store); /* e.g. a later step of the change failed */
	assert_int_equal(ag_store_query_int(ws->store, "SELECT count(*) FROM meta WHERE key = $1",
					    p, 1, &n, &found, &err), 0);
	assert_int_equal(n, 0);
	/* and the next append continues the chain from what is stored */
	append(ws, "x.y", "s", "{}", NULL);
	ag_workspace_free(ws);
	assert_int_equal(count_entries(f), 2);
	struct ag_verify_report rep;
	verify(f, &rep);
	assert_int_equal(rep.nproblems, 0);
}

static void test_ledger_record_needs_a_write_transaction(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws = open_ws(f, true);
	struct ag_ledger_event ev = { "user:t", "a.b", "s", "{}", 2 };
	struct ag_err err;

	assert_int_equal(ag_ledger_record(ws->ledger, &ev, NULL, &err), AG_EINVAL);
	ag_workspace_free(ws);
}

/* The statement cache must key on the SQL text, not on where it lives:
 * callers build SQL in buffers that are reused for other statements. */
static void test_store_cache_keys_on_text_not_address(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws = open_ws(f, false);
	struct ag_err err;
	char sql[64];
	int64_t v = 0;
	bool found;

	snprintf(sql, sizeof(sql), "SELECT 1 + %d", 1);
	assert_int_equal(ag_store_query_int(ws->store, sql, NULL, 0, &v, &found, &err), 0);
	assert_int_equal(v, 2);
	snprintf(sql, sizeof(sql), "SELECT 40 + %d", 2); /* same buffer, new text */
	assert_int_equal(ag_store_query_int(ws->store, sql, NULL, 0, &v, &found, &err), 0);
	assert_int_equal(v, 42);
	ag_workspace_free(ws);
}

/* ---- tampering ------------------------------------------------------------------ */

static void test_verify_detects_a_changed_payload_byte(void **state)
{
	struct fixture *f = *state;

	standard_ledger(f);
	tamper(f, "UPDATE ledger_entry SET payload = replace(payload, '\"i\":8', '\"i\":9')"
		  " WHERE seq = 8");
	expect_problem(f, "entry 8: its content does not match its hash");
	expect_problem(f, "checkpoint 2: its root does not match");
}

static void test_verify_detects_a_deleted_entry(void **state)
{
	struct fixture *f = *state;

	standard_ledger(f);
	tamper(f, "DELETE FROM ledger_entry WHERE seq = 5");
	expect_problem(f, "entry 6: entries 5..5 before it are missing");
	expect_problem(f, "entry 6: its previous-entry hash does not match");
}

static void test_verify_detects_two_swapped_entries(void **state)
{
	struct fixture *f = *state;

	standard_ledger(f);
	/* Exchange the contents of entries 6 and 7 (their seq stays). */
	tamper(f, "UPDATE ledger_entry SET seq = -6 WHERE seq = 6;"
		  "UPDATE ledger_entry SET seq = 6 WHERE seq = 7;"
		  "UPDATE ledger_entry SET seq = 7 WHERE seq = -6;");
	expect_problem(f, "entry 6: its previous-entry hash does not match");
	expect_problem(f, "entry 6: its content does not match its hash");
}

/* An insider appends a well-formed chain after the last checkpoint and
 * signs a new checkpoint with a key of their own. */
static void test_verify_detects_a_forged_tail_signed_with_another_key(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws;
	struct ag_ledger_key mallory;
	struct ag_ledger_options o = { 0 };
	struct ag_ledger *l;
	struct ag_ledger_receipt r;
	struct ag_ledger_checkpoint c;
	struct ag_err err;
	bool created;

	standard_ledger(f);
	ws = open_ws(f, true);
	assert_int_equal(ag_ledger_key_generate(&mallory, &err), 0);
	/* The forger uses aigov's own code with their key: every hash and
	 * link of the forged entries is right. */
	o.workspace_id = ws->cfg.workspace_id;
	o.key = &mallory;
	assert_int_equal(ag_ledger_open(&l, ws->store, &o, &err), 0);
	for (int i = 0; i < 3; i++) {
		struct ag_ledger_event ev = { "user:mallory", "approval.granted", "system:x",
					      "{\"by\":\"nobody\"}", 15 };
		assert_int_equal(ag_ledger_append(l, &ev, &r, &err), 0);
	}
	assert_int_equal(ag_ledger_checkpoint(l, &c, &created, &err), 0);
	assert_true(created);
	ag_ledger_free(l);
	ag_workspace_free(ws);
	struct ag_verify_report rep;
	verify(f, &rep);
	assert_true(reported(&rep, "names signing key"));
	assert_true(reported(&rep, "the signature does not verify"));
	assert_int_equal(rep.signed_size, 16); /* the forged checkpoint counts for nothing */
	assert_int_equal(rep.entries, 24);
}

static void test_verify_detects_an_altered_checkpoint_root(void **state)
{
	struct fixture *f = *state;

	standard_ledger(f);
	tamper(f, "UPDATE ledger_checkpoint SET root_hash ="
		  " '00000000000000000000000000000000000000000000000000000000000000aa'"
		  " WHERE id = 2");
	expect_problem(f, "checkpoint 2: the signature does not verify");
	expect_problem(f, "checkpoint 2: its root does not match");
}

static void test_verify_detects_an_altered_signature(void **state)
{
	struct fixture *f = *state;
	struct ag_verify_report rep;

	standard_ledger(f);
	tamper(f, "UPDATE ledger_checkpoint SET signature ="
		  " (CASE substr(signature, 1, 1) WHEN 'a' THEN 'b' ELSE 'a' END)"
		  " || substr(signature, 2) WHERE id = 2");
	expect_problem(f, "checkpoint 2: the signature does not verify");
	verify(f, &rep);
	assert_int_equal(rep.signed_size, 1);
}

static void test_verify_detects_a_tail_truncated_below_the_checkpoint(void **state)
{
	struct fixture *f = *state;

	standard_ledger(f);
	tamper(f, "DELETE FROM ledger_entry WHERE seq > 12");
	expect_problem(f, "checkpoint 2: covers 16 entries but the ledger holds 12");
}

static void test_verify_detects_a_deleted_checkpoint(void **state)
{
	struct fixture *f = *state;

	standard_ledger(f);
	checkpoint(f);
	tamper(f, "DELETE FROM ledger_checkpoint WHERE id = 2");
	expect_problem(f, "checkpoint 3: checkpoints 2..2 before it are missing");
}

static void test_verify_detects_a_replaced_public_key(void **state)
{
	struct fixture *f = *state;
	struct ag_ledger_key other;
	struct ag_err err;
	char pub[400], cmd[800], hex[65];

	standard_ledger(f);
	assert_int_equal(ag_ledger_key_generate(&other, &err), 0);
	ag_hex_encode(hex, other.pk, 32);
	snprintf(pub, sizeof(pub), "%s/.aigov/keys/ledger.pub", f->root);
	snprintf(cmd, sizeof(cmd), "echo %s > '%s'", hex, pub);
	assert_int_equal(system(cmd), 0);
	expect_problem(f, "entry 1: the ledger was started with public key");
	expect_problem(f, "checkpoint 1: names signing key");
}

/* ---- export ------------------------------------------------------------------------ */

static void sed_file(const char *path, const char *expr)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "sed -i '%s' '%s'", expr, path);
	assert_int_equal(system(cmd), 0);
}

static void test_export_verifies_with_the_public_key_alone(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws;
	struct ag_ledger_key pub, other;
	struct ag_verify_report rep;
	struct ag_err err;
	char path[400], pubpath[400];
	uint64_t ne, nc;

	standard_ledger(f);
	snprintf(path, sizeof(path), "%s/export.jsonl", f->root);
	snprintf(pubpath, sizeof(pubpath), "%s/.aigov/keys/ledger.pub", f->root);
	ws = open_ws(f, false);
	assert_int_equal(ag_ledger_export(ws->store, ws->cfg.workspace_id, &ws->key, path,
					  &ne, &nc, &err), 0);
	ag_workspace_free(ws);
	assert_int_equal(ne, 21);
	assert_int_equal(nc, 2);
	assert_int_equal(ag_ledger_key_load_public(&pub, pubpath, &err), 0);
	assert_int_equal(ag_ledger_verify_export(path, &pub, &rep, &err), 0);
	assert_int_equal(rep.nproblems, 0);
	assert_int_equal(rep.signed_size, 16);

	/* Another key: nothing verifies. */
	assert_int_equal(ag_ledger_key_generate(&other, &err), 0);
	assert_int_equal(ag_ledger_verify_export(path, &other, &rep, &err), 0);
	assert_true(reported(&rep, "the signature does not verify"));
	assert_true(reported(&rep, "the export names public key"));

	/* A payload edited in the file: the reader re-canonicalizes it, so
	 * even a change of spelling only ("i":9 for "i":8) is caught. */
	sed_file(path, "s/\"i\":8,/\"i\":9,/");
	assert_int_equal(ag_ledger_verify_export(path, &pub, &rep, &err), 0);
	assert_true(reported(&rep, "entry 8: its content does not match its hash"));

	/* Lines cut off the end. */
	sed_file(path, "$d");
	assert_int_equal(ag_ledger_verify_export(path, &pub, &rep, &err), 0);
	assert_true(reported(&rep, "the file holds 20 and 2"));

	/* A broken line is malformed input, named by line. */
	sed_file(path, "5s/.*/{not json/");
	assert_int_equal(ag_ledger_verify_export(path, &pub, &rep, &err), AG_EPARSE);
	assert_non_null(strstr(err.msg, "export.jsonl:5:"));
}

/* ---- durability and concurrency -------------------------------------------------- */

/* A child appends as fast as it can and reports each acknowledged entry
 * (seq and hash) on a pipe; it is killed at a random moment.  Every entry
 * it reported must be there, and the database must be sound. */
static void test_sigkill_loses_no_acknowledged_entry(void **state)
{
	struct fixture *f = *state;
	unsigned seed = (unsigned)time(NULL);
	int rounds = getenv("AIGOV_KILL_ROUNDS") ? atoi(getenv("AIGOV_KILL_ROUNDS")) : 25;

	for (int round = 0; round < rounds; round++) {
		int fds[2];
		pid_t pid;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct ag_workspace *ws;
			struct ag_err err;
			close(fds[0]);
			if (ag_workspace_open(&ws, f->root, true, "user:child", &err))
				_exit(3);
			for (int i = 0;; i++) {
				struct ag_ledger_event ev = { "user:child", "test.event", "s",
							      "{\"k\":1}", 7 };
				struct ag_ledger_receipt r;
				char line[128];
				int n;
				if (ag_ledger_append(ws->ledger, &ev, &r, &err))
					_exit(4);
				n = snprintf(line, sizeof(line), "%llu %s\n",
					     (unsigned long long)r.seq, r.hash);
				if (write(fds[1], line, (size_t)n) != n)
					_exit(5);
			}
		}
		close(fds[1]);
		struct timespec nap = { 0, (long)(rand_r(&seed) % 40000) * 1000 };
		nanosleep(&nap, NULL);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		assert_true(WIFSIGNALED(status));

		/* Read what the child acknowledged (complete lines only). */
		static char acks[1 << 20];
		size_t len = 0;
		ssize_t got;
		while (len < sizeof(acks) - 1 &&
		       (got = read(fds[0], acks + len, sizeof(acks) - 1 - len)) > 0)
			len += (size_t)got;
		close(fds[0]);
		acks[len] = '\0';

		struct ag_workspace *ws = open_ws(f, false);
		struct ag_err err;
		assert_int_equal(ag_store_check_integrity(ws->store, &err), 0);
		char *save = NULL;
		for (char *ln = strtok_r(acks, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
			char hash[65] = "";
			unsigned long long seq;
			struct ag_rows *r;
			if (sscanf(ln, "%llu %64s", &seq, hash) != 2 || strlen(hash) != 64)
				continue; /* cut by the kill */
			struct ag_val p = ag_val_int((int64_t)seq);
			assert_int_equal(ag_store_query(ws->store, "SELECT hash FROM ledger_entry "
							"WHERE seq = $1", &p, 1, &r, &err), 0);
			if (ag_rows_next(r, &err) != 1)
				fail_msg("round %d: acknowledged entry %llu is gone", round, seq);
			assert_string_equal(ag_rows_text(r, 0, NULL), hash);
			ag_rows_free(r);
		}
		struct ag_verify_report rep;
		assert_int_equal(ag_ledger_verify(ws->store, &ws->key, ws->cfg.workspace_id, &rep,
						  &err), 0);
		ag_workspace_free(ws);
		if (rep.nproblems)
			fail_msg("round %d: %s", round, rep.problems[0]);
	}
}

static void test_two_writers_at_once_keep_one_chain(void **state)
{
	struct fixture *f = *state;
	enum { PER_CHILD = 150 };
	pid_t pids[2];

	for (int c = 0; c < 2; c++) {
		pids[c] = fork();
		assert_true(pids[c] >= 0);
		if (pids[c] == 0) {
			struct ag_workspace *ws;
			struct ag_err err;
			if (ag_workspace_open(&ws, f->root, true, "user:writer", &err))
				_exit(3);
			for (int i = 0; i < PER_CHILD; i++) {
				struct ag_ledger_event ev = { c ? "user:b" : "user:a", "test.event",
							      "s", "{}", 2 };
				if (ag_ledger_append(ws->ledger, &ev, NULL, &err)) {
					fprintf(stderr, "writer %d: %s\n", c, err.msg);
					_exit(4);
				}
			}
			ag_workspace_free(ws);
			_exit(0);
		}
	}
	for (int c = 0; c < 2; c++) {
		int status;
		waitpid(pids[c], &status, 0);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(count_entries(f), 1 + 2 * PER_CHILD);
	struct ag_verify_report rep;
	verify(f, &rep);
	assert_int_equal(rep.nproblems, 0);
}

/* ---- bad input changes nothing ------------------------------------------------------ */

static void test_bad_events_are_refused_and_change_nothing(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws = open_ws(f, true);
	struct ag_err err;
	static const struct {
		const char *action, *subject, *payload, *msg;
	} bad[] = {
		{ "a.b", "s", "{\"x\": }", "payload:1:" },
		{ "a.b", "s", "[1,2]", "expected a JSON object" },
		{ "a.b", "s", "{\"n\":12345678901234567890}", "payload" },
		{ "Not.Lower", "s", "{}", "lowercase dotted name" },
		{ "a..b", "s", "{}", "lowercase dotted name" },
		{ "a.b", "", "{}", "subject is empty" },
		{ "a.b", "line\nbreak", "{}", "control character" },
		{ "a.b", "\xff\xfe", "{}", "not valid UTF-8" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ag_ledger_event ev = { "user:t", bad[i].action, bad[i].subject,
					      bad[i].payload, strlen(bad[i].payload) };
		ag_err_clear(&err);
		assert_int_equal(ag_ledger_append(ws->ledger, &ev, NULL, &err), AG_EPARSE);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
	}
	ag_workspace_free(ws);
	assert_int_equal(count_entries(f), 1);
}

static void test_a_readable_secret_key_is_refused(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char key[400];

	snprintf(key, sizeof(key), "%s/.aigov/keys/ledger.key", f->root);
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(ag_workspace_open(&ws, f->root, true, "user:t", &err), AG_EPERM);
	assert_non_null(strstr(err.msg, "permissions 0644 are too open"));
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_null(ws);
	/* reading needs no secret */
	ws = open_ws(f, false);
	ag_workspace_free(ws);
	assert_int_equal(chmod(key, 0600), 0);
	assert_int_equal(count_entries(f), 1);
}

static void test_init_twice_and_unknown_workspaces_are_refused(void **state)
{
	struct fixture *f = *state;
	struct ag_verify_report rep;
	struct ag_err err;
	char *root = NULL;

	assert_int_equal(ag_workspace_init(f->root, "user:t", NULL, 0, &err), AG_EEXIST);
	assert_non_null(strstr(err.msg, "already an aigov workspace"));
	verify(f, &rep);
	assert_int_equal(rep.nproblems, 0);
	assert_int_equal(ag_workspace_find("/proc", &root, &err), AG_ENOTFOUND);
	assert_null(root);
	/* Found from the project folder and from its .aigov folder. */
	char dir[400];
	snprintf(dir, sizeof(dir), "%s/.aigov", f->root);
	assert_int_equal(ag_workspace_find(dir, &root, &err), 0);
	assert_string_equal(root, f->root);
	free(root);
}

static void test_a_newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	struct ag_workspace *ws = NULL;
	struct ag_err err;

	tamper(f, "INSERT INTO aigov_schema (version, applied_at, description)"
		  " VALUES (99, 'x', 'from the future')");
	assert_int_equal(ag_workspace_open(&ws, f->root, true, "user:t", &err), AG_EINVAL);
	assert_non_null(strstr(err.msg, "newer than this aigov"));
}

static void test_config_errors_name_line_and_column(void **state)
{
	struct ag_workspace_config cfg;
	struct ag_err err;
	const char *text = "workspace: 0123456789abcdef0123456789abcdef\n"
			   "ledger:\n"
			   "  checkpoint_every_entris: 5\n";

	(void)state;
	assert_int_equal(ag_workspace_config_parse(&cfg, text, strlen(text), "config.yaml",
						   &err), AG_EPARSE);
	assert_string_equal(err.msg, "config.yaml:3:3: checkpoint_every_entris: unknown setting "
				     "in ledger (expected checkpoint_every_entries or "
				     "checkpoint_every_seconds)");
	text = "workspace: 0123456789abcdef0123456789abcdef\nledger: {checkpoint_every_seconds: -1}\n";
	assert_int_equal(ag_workspace_config_parse(&cfg, text, strlen(text), "c.yaml", &err),
			 AG_EPARSE);
	assert_non_null(strstr(err.msg, "c.yaml:2:"));
	text = "workspace: 0123456789abcdef0123456789abcdef\nledger:\n  checkpoint_every_seconds: 30\n";
	assert_int_equal(ag_workspace_config_parse(&cfg, text, strlen(text), "c.yaml", &err), 0);
	assert_int_equal(cfg.checkpoint_every_seconds, 30);
	assert_int_equal(cfg.checkpoint_every_entries, 1000);
	assert_string_equal(cfg.store, "sqlite:aigov.db");
	ag_workspace_config_release(&cfg);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ledger_fresh_workspace_verifies),
		T(test_ledger_appends_chain_and_checkpoints_cover_them),
		T(test_ledger_entry_hash_is_the_documented_encoding),
		T(test_ledger_checkpoints_itself_every_n_entries),
		T(test_ledger_checkpoints_itself_after_t_seconds),
		T(test_ledger_with_many_checkpoints_verifies),
		T(test_ledger_change_and_entry_roll_back_together),
		T(test_ledger_record_needs_a_write_transaction),
		T(test_store_cache_keys_on_text_not_address),
		T(test_verify_detects_a_changed_payload_byte),
		T(test_verify_detects_a_deleted_entry),
		T(test_verify_detects_two_swapped_entries),
		T(test_verify_detects_a_forged_tail_signed_with_another_key),
		T(test_verify_detects_an_altered_checkpoint_root),
		T(test_verify_detects_an_altered_signature),
		T(test_verify_detects_a_tail_truncated_below_the_checkpoint),
		T(test_verify_detects_a_deleted_checkpoint),
		T(test_verify_detects_a_replaced_public_key),
		T(test_export_verifies_with_the_public_key_alone),
		T(test_sigkill_loses_no_acknowledged_entry),
		T(test_two_writers_at_once_keep_one_chain),
		T(test_bad_events_are_refused_and_change_nothing),
		T(test_a_readable_secret_key_is_refused),
		T(test_init_twice_and_unknown_workspaces_are_refused),
		T(test_a_newer_schema_is_refused),
		cmocka_unit_test(test_config_errors_name_line_and_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
