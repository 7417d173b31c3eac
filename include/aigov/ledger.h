/*
 * ledger: the tamper-evident record of every change (module ledger, on
 * store).  docs/ledger.md is the specification a third party verifies
 * against; this header is how aigov's own code uses it.
 *
 * An entry is (seq, time, actor, action, subject, payload, prev, hash):
 * seq counts from 1 without gaps; payload is a canonical JSON object
 * (RFC 8785); prev is the previous entry's hash; hash is the RFC 9162 leaf
 * hash SHA-256(0x00 || E) of the entry's canonical encoding E, so the chain
 * and the Merkle tree share one hash per entry.  A checkpoint signs
 * (workspace id, tree size, root, time) with the installation's Ed25519
 * key.
 *
 * Same transaction: ag_ledger_record appends inside the caller's open
 * write transaction, so that a change and its entry are stored together or
 * not at all.  A ledger handle belongs to one store handle and one thread.
 */
#ifndef AIGOV_LEDGER_H
#define AIGOV_LEDGER_H

#include "aigov/buf.h"
#include "aigov/err.h"
#include "aigov/merkle.h"
#include "aigov/store.h"
#include "aigov/time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- keys ---------------------------------------------------------------- */

#define AG_KEY_ID_LEN 16 /* hex digits: the first 8 bytes of SHA-256(public key) */

/* An Ed25519 key pair (libsodium).  The secret half is wiped by
 * ag_ledger_key_wipe; a key loaded from a public key alone has
 * has_secret false and can only verify. */
struct ag_ledger_key {
	uint8_t pk[32];
	uint8_t sk[64];
	bool has_secret;
	char id[AG_KEY_ID_LEN + 1];
};

int ag_ledger_key_generate(struct ag_ledger_key *k, struct ag_err *err);
void ag_ledger_key_wipe(struct ag_ledger_key *k);
/*
 * Write the secret key to secret_path (created, mode 0600, never
 * overwritten: AG_EEXIST) and the public key to public_path (0644).
 * Both files hold hex digits and a newline (docs/ledger.md).
 */
int ag_ledger_key_save(const struct ag_ledger_key *k, const char *secret_path,
		       const char *public_path, struct ag_err *err);
/* Load a secret key file; AG_EPERM when group or others may read it. */
int ag_ledger_key_load_secret(struct ag_ledger_key *k, const char *path,
			      struct ag_err *err);
/* A public key from `spec`: 64 hex digits, or the path of a file holding them. */
int ag_ledger_key_load_public(struct ag_ledger_key *k, const char *spec,
			      struct ag_err *err);
void ag_ledger_key_set_id(struct ag_ledger_key *k);

/* ---- appending ------------------------------------------------------------ */

struct ag_ledger_options {
	const char *workspace_id;  /* bound into every checkpoint signature */
	/* Signs checkpoints; NULL or without a secret: no checkpoints. */
	const struct ag_ledger_key *key;
	uint64_t checkpoint_every_entries; /* 0: never automatically */
	uint64_t checkpoint_every_seconds; /* 0: never automatically */
	int64_t (*clock_us)(void);         /* NULL: ag_time_now_us (tests set it) */
};

struct ag_ledger;

/* The handle borrows the store, the key and the workspace id string; they
 * must outlive it. */
int ag_ledger_open(struct ag_ledger **out, struct ag_store *s,
		   const struct ag_ledger_options *o, struct ag_err *err);
void ag_ledger_free(struct ag_ledger *l);

struct ag_ledger_event {
	const char *actor;   /* who: "user:alice", "system:aigov" */
	const char *action;  /* what: lowercase dotted name, "system.register" */
	const char *subject; /* about what: "system:credit-scoring-v3" */
	const char *payload; /* any JSON object text; stored canonically */
	size_t payload_len;
};

struct ag_ledger_receipt {
	uint64_t seq;
	char hash[AG_HASH_HEX_LEN + 1];
	char time[AG_TIME_LEN + 1];
	uint64_t checkpoint_id; /* 0 unless this append also took a checkpoint */
};

/*
 * Append one entry inside the caller's write transaction (AG_EINVAL
 * without one).  Takes an automatic checkpoint in the same transaction
 * when the configured number of entries or seconds has passed.  AG_EPARSE
 * for a payload that is not a JSON object or an action that is not a
 * dotted lowercase name; nothing is written then.
 */
int ag_ledger_record(struct ag_ledger *l, const struct ag_ledger_event *ev,
		     struct ag_ledger_receipt *receipt, struct ag_err *err);
/* ag_ledger_record in a transaction of its own, committed durably. */
int ag_ledger_append(struct ag_ledger *l, const struct ag_ledger_event *ev,
		     struct ag_ledger_receipt *receipt, struct ag_err *err);

struct ag_ledger_checkpoint {
	uint64_t id;
	uint64_t tree_size;
	char root[AG_HASH_HEX_LEN + 1];
	char time[AG_TIME_LEN + 1];
	char key_id[AG_KEY_ID_LEN + 1];
	char signature[128 + 1];
};

/*
 * Sign the current tree: in the caller's write transaction if one is open,
 * else in one of its own.  When the newest checkpoint already covers every
 * entry, *out is that one and *created false.  AG_EINVAL without a secret key.
 */
int ag_ledger_checkpoint(struct ag_ledger *l, struct ag_ledger_checkpoint *out,
			 bool *created, struct ag_err *err);

/* The bytes a checkpoint's signature covers (docs/ledger.md). */
int ag_ledger_checkpoint_message(struct ag_buf *out, const char *workspace_id,
				 uint64_t tree_size, const char *root_hex,
				 const char *time);

/* NULL when `value` is acceptable for entry field "action", "actor" or
 * "subject" (docs/ledger.md, Entries), else what is wrong with it. */
const char *ag_ledger_field_problem(const char *field, const char *value);

/* The canonical encoding E of an entry (hash = SHA-256(0x00 || E)); the
 * payload must already be canonical JSON. */
int ag_ledger_entry_encode(struct ag_buf *out, uint64_t seq, const char *time,
			   const char *actor, const char *action,
			   const char *subject, const char *payload,
			   size_t payload_len, const char *prev_hex);

/* ---- reading ---------------------------------------------------------------- */

/* One stored entry, as ag_ledger_log hands it out; strings are borrowed
 * for the duration of the callback. */
struct ag_ledger_entry {
	uint64_t seq;
	const char *time, *actor, *action, *subject, *payload, *prev, *hash;
	size_t payload_len;
};

/* The columns of ledger_entry, in the order ag_ledger_entry_read expects. */
#define AG_LEDGER_ENTRY_COLUMNS "seq, time, actor, action, subject, payload, prev_hash, hash"
/* Fill e from a row of those columns; strings are borrowed from the row. */
void ag_ledger_entry_read(struct ag_rows *r, struct ag_ledger_entry *e);

struct ag_ledger_filter {
	uint64_t since;      /* entries with seq >= since; 0 or 1: all */
	const char *subject; /* NULL: any */
	uint64_t limit;      /* 0: no limit */
};

/* Call fn for each matching entry in seq order; a non-zero return from fn
 * stops and is returned. */
int ag_ledger_log(struct ag_store *s, const struct ag_ledger_filter *f,
		  int (*fn)(void *ctx, const struct ag_ledger_entry *e),
		  void *ctx, struct ag_err *err);

/* How many entries the ledger holds (the last seq; 0 when empty).  Every
 * change to a workspace appends an entry, so an unchanged size means an
 * unchanged workspace: the server's read cache is checked against it. */
int ag_ledger_size(struct ag_store *s, uint64_t *out, struct ag_err *err);

/* Checkpoints by id; *n of them in a malloc'd array the caller frees. */
int ag_ledger_checkpoints(struct ag_store *s, struct ag_ledger_checkpoint **out,
			  size_t *n, struct ag_err *err);

/* ---- verification ------------------------------------------------------------ */

#define AG_VERIFY_MAX_PROBLEMS 20

struct ag_verify_report {
	uint64_t entries;            /* entries read */
	uint64_t checkpoints;        /* checkpoints read */
	uint64_t signed_size;        /* entries covered by the newest good checkpoint */
	char signed_root[AG_HASH_HEX_LEN + 1];
	char key_id[AG_KEY_ID_LEN + 1];
	uint64_t nproblems;          /* all problems found */
	/* The first AG_VERIFY_MAX_PROBLEMS, in the order found: entries in
	 * seq order, checkpoints by id, each naming the entry or checkpoint. */
	char problems[AG_VERIFY_MAX_PROBLEMS][256];
};

/*
 * The verifier shared by the workspace check and the export check: feed
 * it every checkpoint, then every entry in order, then finish.  It
 * re-derives every hash, the chain, every checkpoint's root and signature,
 * and compares the genesis entry's public key with the one given.
 */
struct ag_ledger_verifier;

int ag_ledger_verifier_new(struct ag_ledger_verifier **out,
			   const struct ag_ledger_key *key, const char *workspace_id,
			   struct ag_err *err);
int ag_ledger_verifier_checkpoint(struct ag_ledger_verifier *v,
				  const struct ag_ledger_checkpoint *c,
				  struct ag_err *err);
/* payload must be the canonical form (the export reader canonicalizes). */
int ag_ledger_verifier_entry(struct ag_ledger_verifier *v,
			     const struct ag_ledger_entry *e, struct ag_err *err);
/* Fill rep; frees nothing (call ag_ledger_verifier_free). */
void ag_ledger_verifier_finish(struct ag_ledger_verifier *v,
			       struct ag_verify_report *rep);
void ag_ledger_verifier_free(struct ag_ledger_verifier *v);

/* Whether c's signature verifies with key for this workspace. */
bool ag_ledger_checkpoint_signed(const struct ag_ledger_checkpoint *c,
				 const struct ag_ledger_key *key,
				 const char *workspace_id);

/* Verify the ledger in a store against `key`.  Returns 0 when it could be
 * read (rep->nproblems says whether it is intact), < 0 when it could not. */
int ag_ledger_verify(struct ag_store *s, const struct ag_ledger_key *key,
		     const char *workspace_id, struct ag_verify_report *rep,
		     struct ag_err *err);

/* ---- proofs -------------------------------------------------------------------- */

struct ag_inclusion_proof {
	uint64_t seq, tree_size;
	uint8_t leaf[AG_HASH_LEN], root[AG_HASH_LEN];
	size_t len;
	uint8_t path[AG_MERKLE_MAX_PROOF][AG_HASH_LEN];
};

/* Inclusion of entry seq in the tree of the first tree_size entries.  The
 * leaf is the hash of the entry's content as stored now (so a changed
 * entry yields a proof that fails); the path comes from the stored hashes
 * of the others; root is the root they give, for comparison with a signed
 * checkpoint. */
int ag_ledger_prove_inclusion(struct ag_store *s, uint64_t seq, uint64_t tree_size,
			      struct ag_inclusion_proof *p, struct ag_err *err);

struct ag_consistency_proof {
	uint64_t old_size, new_size;
	uint8_t old_root[AG_HASH_LEN], new_root[AG_HASH_LEN];
	size_t len;
	uint8_t path[AG_MERKLE_MAX_PROOF][AG_HASH_LEN];
};

int ag_ledger_prove_consistency(struct ag_store *s, uint64_t old_size,
				uint64_t new_size, struct ag_consistency_proof *p,
				struct ag_err *err);

/* ---- export ------------------------------------------------------------------- */

/*
 * Write every checkpoint and entry to `path` as JSON lines
 * (docs/ledger.md), from one consistent snapshot; the file appears
 * complete or not at all (temp file, fsync, rename).  *entries and
 * *checkpoints may be NULL.
 */
int ag_ledger_export(struct ag_store *s, const char *workspace_id,
		     const struct ag_ledger_key *key, const char *path,
		     uint64_t *entries, uint64_t *checkpoints, struct ag_err *err);

/* Verify an export file with a public key alone.  Returns < 0 when the
 * file cannot be read or is malformed (message with file:line), else 0
 * with the findings in rep. */
int ag_ledger_verify_export(const char *path, const struct ag_ledger_key *key,
			    struct ag_verify_report *rep, struct ag_err *err);

#endif
