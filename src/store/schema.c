/*
 * The schema of aigov's store, as an append-only list of migrations.
 * Never edit a migration that has shipped: add the next one.
 *
 * Portability: the SQL here is what SQLite and PostgreSQL both accept,
 * with one exception noted per table: "INTEGER PRIMARY KEY" is SQLite's
 * rowid alias (the fastest key it has); the PostgreSQL back end will spell
 * it BIGINT PRIMARY KEY.
 */
#include "aigov/schema.h"

#include "aigov/time.h"

#include <stdio.h>

struct migration {
	int version;
	const char *description;
	const char *const *statements; /* NULL-terminated */
};

static const char *const v1[] = {
	/* Small named values of the installation (workspace id, public key). */
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL)",
	/* The ledger (docs/ledger.md): seq 1, 2, 3, ... without gaps. */
	"CREATE TABLE ledger_entry ("
	" seq INTEGER PRIMARY KEY,"
	" time TEXT NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" payload TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL)",
	"CREATE INDEX ledger_entry_by_subject ON ledger_entry (subject, seq)",
	"CREATE TABLE ledger_checkpoint ("
	" id INTEGER PRIMARY KEY,"
	" tree_size BIGINT NOT NULL,"
	" root_hash TEXT NOT NULL,"
	" time TEXT NOT NULL,"
	" key_id TEXT NOT NULL,"
	" signature TEXT NOT NULL)",
	/* The right edge of the Merkle tree (perfect subtree roots), so that
	 * a checkpoint costs O(log n), not a pass over every entry.  A cache:
	 * verification never trusts it. */
	"CREATE TABLE ledger_frontier ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" tree_size BIGINT NOT NULL,"
	" nodes TEXT NOT NULL)",
	NULL,
};

static const char *const v2[] = {
	/* The inventory: one row per AI system, its descriptor as canonical
	 * YAML (docs/registry-formats.md); revision counts registrations. */
	"CREATE TABLE ai_system ("
	" id TEXT PRIMARY KEY,"
	" descriptor TEXT NOT NULL,"
	" stage TEXT NOT NULL,"
	" revision INTEGER NOT NULL,"
	" registered_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL)",
	/* Risk assessments, versioned per system; result is the JSON the
	 * ledger entry carries. */
	"CREATE TABLE assessment ("
	" system_id TEXT NOT NULL REFERENCES ai_system (id),"
	" revision INTEGER NOT NULL,"
	" assessed_at TEXT NOT NULL,"
	" actor TEXT NOT NULL,"
	" method_version TEXT NOT NULL,"
	" method_sha256 TEXT NOT NULL,"
	" computed_tier TEXT NOT NULL,"
	" tier TEXT NOT NULL,"
	" justification TEXT,"
	" next_due TEXT NOT NULL,"
	" result TEXT NOT NULL,"
	" PRIMARY KEY (system_id, revision))",
	/* Who holds which role (3+1 lines of defense). */
	"CREATE TABLE actor_role ("
	" actor TEXT NOT NULL,"
	" role TEXT NOT NULL,"
	" granted_by TEXT NOT NULL,"
	" granted_at TEXT NOT NULL,"
	" PRIMARY KEY (actor, role))",
	NULL,
};

static const char *const v3[] = {
	/* Evidence for a control of a system: a file (by SHA-256, not
	 * copied) or a URL, who added it and when. */
	"CREATE TABLE evidence ("
	" id INTEGER PRIMARY KEY,"
	" system_id TEXT NOT NULL REFERENCES ai_system (id),"
	" control_id TEXT NOT NULL,"
	" location TEXT NOT NULL,"
	" is_url INTEGER NOT NULL,"
	" sha256 TEXT,"
	" size BIGINT,"
	" note TEXT,"
	" actor TEXT NOT NULL,"
	" added_at TEXT NOT NULL)",
	"CREATE INDEX evidence_by_control ON evidence (system_id, control_id, added_at)",
	/* Maker-checker approvals of a control's evidence. */
	"CREATE TABLE approval ("
	" id INTEGER PRIMARY KEY,"
	" system_id TEXT NOT NULL REFERENCES ai_system (id),"
	" control_id TEXT NOT NULL,"
	" maker TEXT NOT NULL,"
	" approver TEXT NOT NULL,"
	" note TEXT,"
	" approved_at TEXT NOT NULL)",
	"CREATE INDEX approval_by_control ON approval (system_id, control_id, approved_at)",
	NULL,
};

static const char *const v4[] = {
	/* Third parties: the descriptor as canonical JSON, and reviews. */
	"CREATE TABLE vendor ("
	" id TEXT PRIMARY KEY,"
	" descriptor TEXT NOT NULL,"
	" registered_at TEXT NOT NULL)",
	"CREATE TABLE vendor_review ("
	" id INTEGER PRIMARY KEY,"
	" vendor_id TEXT NOT NULL REFERENCES vendor (id),"
	" result TEXT NOT NULL,"
	" note TEXT,"
	" actor TEXT NOT NULL,"
	" reviewed_at TEXT NOT NULL)",
	/* Emergency shutdown, resumption and drills (緊急關閉). */
	"CREATE TABLE oversight_event ("
	" id INTEGER PRIMARY KEY,"
	" system_id TEXT NOT NULL REFERENCES ai_system (id),"
	" kind TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" actor TEXT NOT NULL,"
	" at TEXT NOT NULL)",
	"CREATE TABLE incident ("
	" id INTEGER PRIMARY KEY,"
	" system_id TEXT NOT NULL REFERENCES ai_system (id),"
	" title TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" breach INTEGER NOT NULL,"
	" notify_by TEXT,"
	" notified_at TEXT,"
	" root_cause TEXT,"
	" remediation TEXT,"
	" status TEXT NOT NULL,"
	" opened_by TEXT NOT NULL,"
	" opened_at TEXT NOT NULL,"
	" closed_at TEXT)",
	"CREATE TABLE appeal ("
	" id INTEGER PRIMARY KEY,"
	" system_id TEXT NOT NULL REFERENCES ai_system (id),"
	" decision_ref TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" outcome TEXT,"
	" note TEXT,"
	" status TEXT NOT NULL,"
	" opened_by TEXT NOT NULL,"
	" opened_at TEXT NOT NULL,"
	" resolved_by TEXT,"
	" resolved_at TEXT)",
	NULL,
};

static const char *const v5[] = {
	/* People who use the server (identity.h); password_hash (argon2id)
	 * is for the web UI's log-in. */
	"CREATE TABLE app_user ("
	" name TEXT PRIMARY KEY,"
	" role TEXT NOT NULL,"
	" unit TEXT NOT NULL,"
	" password_hash TEXT,"
	" created_by TEXT NOT NULL,"
	" created_at TEXT NOT NULL)",
	/* API tokens: only the SHA-256 of the token is kept. */
	"CREATE TABLE api_token ("
	" id TEXT PRIMARY KEY,"
	" user_name TEXT NOT NULL REFERENCES app_user (name),"
	" sha256 TEXT NOT NULL,"
	" created_by TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" expires_at TEXT NOT NULL,"
	" revoked_at TEXT)",
	NULL,
};

static const char *const v6[] = {
	/* Web UI log-in sessions: like API tokens, only the SHA-256 of the
	 * session cookie is kept. */
	"CREATE TABLE web_session ("
	" id TEXT PRIMARY KEY,"
	" user_name TEXT NOT NULL REFERENCES app_user (name),"
	" sha256 TEXT NOT NULL,"
	" created_by TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" expires_at TEXT NOT NULL,"
	" revoked_at TEXT)",
	NULL,
};

static const struct migration migrations[] = {
	{ 1, "workspace metadata and the ledger", v1 },
	{ 2, "AI system inventory, risk assessments, roles", v2 },
	{ 3, "evidence and maker-checker approvals", v3 },
	{ 4, "vendors, oversight events, incidents, appeals", v4 },
	{ 5, "users of the server and their API tokens", v5 },
	{ 6, "log-in sessions of the web UI", v6 },
};
#define NMIGRATIONS (int)(sizeof(migrations) / sizeof(migrations[0]))

int ag_schema_latest(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

int ag_schema_version(struct ag_store *s, int *version, struct ag_err *err)
{
	bool exists, found;
	int64_t v = 0;
	int rc;

	*version = 0;
	rc = ag_store_table_exists(s, "aigov_schema", &exists, err);
	if (rc || !exists)
		return rc;
	rc = ag_store_query_int(s, "SELECT max(version) FROM aigov_schema", NULL, 0,
				&v, &found, err);
	if (!rc && found)
		*version = (int)v;
	return rc;
}

int ag_schema_migrate(struct ag_store *s, int *from, int *to, struct ag_err *err)
{
	char now[AG_TIME_LEN + 1];
	int rc, v;

	if (!ag_store_in_write_txn(s))
		return ag_err_set(err, AG_EINVAL, "schema migration outside a write transaction");
	rc = ag_schema_version(s, &v, err);
	if (rc)
		return rc;
	*from = *to = v;
	if (v > ag_schema_latest())
		return ag_err_set(err, AG_EINVAL,
				  "%s: schema version %d is newer than this aigov knows (%d); "
				  "use a newer aigov",
				  ag_store_path(s), v, ag_schema_latest());
	if (v == 0) {
		rc = ag_store_exec(s, "CREATE TABLE aigov_schema ("
				      " version INTEGER PRIMARY KEY,"
				      " applied_at TEXT NOT NULL,"
				      " description TEXT NOT NULL)",
				   NULL, 0, err);
		if (rc)
			return rc;
	}
	ag_time_format(now, ag_time_now_us());
	for (int i = 0; i < NMIGRATIONS; i++) {
		const struct migration *m = &migrations[i];
		struct ag_val p[3];

		if (m->version <= v)
			continue;
		for (const char *const *sql = m->statements; *sql; sql++) {
			rc = ag_store_exec(s, *sql, NULL, 0, err);
			if (rc)
				return rc;
		}
		p[0] = ag_val_int(m->version);
		p[1] = ag_val_str(now);
		p[2] = ag_val_str(m->description);
		rc = ag_store_exec(s, "INSERT INTO aigov_schema (version, applied_at, description)"
				      " VALUES ($1, $2, $3)", p, 3, err);
		if (rc)
			return rc;
		*to = m->version;
	}
	return 0;
}
