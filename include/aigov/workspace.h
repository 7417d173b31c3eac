/*
 * workspace: one installation of aigov (module ledger).
 *
 * A workspace is a folder `.aigov/` inside a project folder (as `.git/`):
 *
 *   .aigov/config.yaml       settings (docs/ledger.md#configuration)
 *   .aigov/aigov.db          the SQLite store (WAL mode)
 *   .aigov/keys/ledger.key   the Ed25519 signing key, mode 0600
 *   .aigov/keys/ledger.pub   its public half, for auditors
 *
 * Opening a workspace opens its store and its ledger; every write goes
 * through ws->store in a write transaction with a ledger entry.
 * A workspace handle is owned by one thread; ag_workspace_free frees all.
 */
#ifndef AIGOV_WORKSPACE_H
#define AIGOV_WORKSPACE_H

#include "aigov/err.h"
#include "aigov/ledger.h"
#include "aigov/store.h"

#include <stdbool.h>
#include <stdint.h>

#define AG_WORKSPACE_DIR ".aigov"

struct ag_workspace_config {
	char *workspace_id;   /* 32 hex digits, fixed at init */
	char *store;          /* "sqlite:aigov.db" (relative to .aigov/) */
	uint64_t checkpoint_every_entries; /* default 1000; 0 turns it off */
	uint64_t checkpoint_every_seconds; /* default 3600; 0 turns it off */
};

struct ag_workspace {
	char *root;   /* the project folder */
	char *dir;    /* root/.aigov */
	struct ag_workspace_config cfg;
	struct ag_ledger_key key;  /* secret half only when opened for writing */
	struct ag_store *store;
	struct ag_ledger *ledger;
};

/* A file a new workspace starts with, e.g. its copy of the catalog. */
struct ag_workspace_file {
	const char *path; /* relative to .aigov/, at most one folder deep */
	const char *data;
	size_t len;
};

/*
 * Create a workspace in folder `root` (created if missing): keys, config,
 * the given files, the database with its schema, and ledger entry 1
 * (workspace.init, naming the public key and the files' hashes), `actor`
 * as its first admin, and a first signed checkpoint.  AG_EEXIST when root
 * already holds one.  On failure nothing is left behind.
 */
int ag_workspace_init(const char *root, const char *actor,
		      const struct ag_workspace_file *files, size_t nfiles,
		      struct ag_err *err);

/*
 * Find the workspace: `explicit_dir` (from --workspace) if given, else
 * $AIGOV_WORKSPACE, else the current folder and its parents.  Either the
 * project folder or its .aigov folder may be named.  *root is malloc'd.
 * AG_ENOTFOUND when there is none.
 */
int ag_workspace_find(const char *explicit_dir, char **root, struct ag_err *err);

/*
 * Open a found workspace.  With `write`, the secret key is loaded (and
 * refused when its file is readable by others) and pending schema
 * migrations are applied, recorded as a ledger entry by `actor`.
 */
int ag_workspace_open(struct ag_workspace **out, const char *root, bool write,
		      const char *actor, struct ag_err *err);
void ag_workspace_free(struct ag_workspace *ws);

/* Parse a config file (for tests and the fuzzer as much as for open). */
int ag_workspace_config_load(struct ag_workspace_config *cfg, const char *path,
			     struct ag_err *err);
int ag_workspace_config_parse(struct ag_workspace_config *cfg, const char *text,
			      size_t len, const char *name, struct ag_err *err);
void ag_workspace_config_release(struct ag_workspace_config *cfg);

/* ---- proofs, checked against the workspace's signed checkpoints ---- */

/* A checkpoint by id, or (id 0) the newest covering at least `at_least`
 * entries; AG_ENOTFOUND, with a message saying what to do, when none. */
int ag_workspace_checkpoint(struct ag_workspace *ws, uint64_t id, uint64_t at_least,
			    struct ag_ledger_checkpoint *out, struct ag_err *err);

struct ag_inclusion_check {
	uint64_t seq;
	struct ag_inclusion_proof proof;
	struct ag_ledger_checkpoint checkpoint;
	bool signature_valid;  /* the checkpoint's signature, by the workspace's key */
	bool verified;         /* and the path leads from the entry to its root */
};
/* Entry seq's inclusion in checkpoint `checkpoint_id` (0: the newest that
 * covers it).  A failed check is a result (verified false), not an error. */
int ag_workspace_prove_inclusion(struct ag_workspace *ws, uint64_t seq, uint64_t checkpoint_id,
				 struct ag_inclusion_check *out, struct ag_err *err);

struct ag_consistency_check {
	struct ag_consistency_proof proof;
	struct ag_ledger_checkpoint old, new;
	bool signatures_valid, verified;
};
/* That checkpoint new_id's tree extends old_id's (AG_EINVAL when old_id
 * is the larger). */
int ag_workspace_prove_consistency(struct ag_workspace *ws, uint64_t old_id, uint64_t new_id,
				   struct ag_consistency_check *out, struct ag_err *err);

#endif
