/*
 * identity: the people who use a workspace through the server, their roles
 * and their API tokens (module registry, on ledger and store).
 *
 * A user NAME acts in the ledger as "user:NAME".  Adding a user grants that
 * actor the 3+1 role behind the user's role (registry.h):
 *
 *   owner   -> first_line   (model owners; write only their unit's systems)
 *   risk    -> second_line  (risk, compliance, security: assess, approve)
 *   auditor -> third_line   (internal audit: read everything, write nothing)
 *   board   -> board        (the +1: dashboards and reports)
 *   admin   -> admin        (users, tokens, roles)
 *
 * API tokens read "agt_<id>_<secret>": id is 12 hex digits (public: it
 * names the token in lists and the ledger), secret 64 hex digits (32
 * random bytes from libsodium).  Only the SHA-256 of the whole token is
 * stored; it is shown once, when created, and compared in constant time.
 *
 * Every mutation runs in one write transaction with its ledger entry
 * (user.add, token.create, token.revoke), by an admin only (AG_EPERM).
 * Nothing here allocates what the caller must free.
 */
#ifndef AIGOV_IDENTITY_H
#define AIGOV_IDENTITY_H

#include "aigov/workspace.h"

#include <stdbool.h>
#include <stdint.h>

enum ag_user_role { AG_USER_OWNER, AG_USER_RISK, AG_USER_AUDITOR, AG_USER_BOARD, AG_USER_ADMIN };
extern const char *const ag_user_role_ids[]; /* owner, risk, auditor, board, admin; NULL */

/* The role's id in ag_user_role_ids, or -1. */
int ag_user_role_parse(const char *s);

#define AG_USER_NAME_MAX 64
#define AG_USER_UNIT_MAX 200 /* bytes of UTF-8 */
#define AG_TOKEN_LEN (4 + 12 + 1 + 64) /* "agt_" id "_" secret */

struct ag_identity {
	char name[AG_USER_NAME_MAX + 1];
	char actor[AG_USER_NAME_MAX + 6];   /* "user:" name */
	int role;                           /* enum ag_user_role */
	char unit[AG_USER_UNIT_MAX + 1];    /* "" when none */
	char token_id[13];                  /* the token that authenticated; "" */
};

/*
 * Add user `name` (letters, digits, '.', '_', '-'; 1..64, starting with a
 * letter or digit) with `role`; `unit` (the business unit, exactly as the
 * systems' owner_unit spells it: UTF-8 without control characters, at most
 * AG_USER_UNIT_MAX bytes) is required for owners, optional otherwise
 * (NULL or "").  AG_EEXIST when
 * the name is taken, AG_EINVAL for a bad name or unit.
 */
int ag_user_add(struct ag_workspace *ws, const char *actor, const char *name, int role,
		const char *unit, struct ag_err *err);

/* Call fn for every user in name order (unit "" when none). */
int ag_user_list(struct ag_workspace *ws,
		 void (*fn)(void *ctx, const char *name, const char *role, const char *unit,
			    const char *created_by, const char *created_at),
		 void *ctx, struct ag_err *err);

/* User `name` (AG_ENOTFOUND). */
int ag_user_get(struct ag_workspace *ws, const char *name, struct ag_identity *out,
		struct ag_err *err);

/*
 * A new token for user `name`, valid for `days` days (1..3650), written to
 * token_out (NUL-terminated) and never stored.  id_out receives its id,
 * expires_out its expiry (RFC 3339).
 */
int ag_token_create(struct ag_workspace *ws, const char *actor, const char *name,
		    int days, char token_out[AG_TOKEN_LEN + 1], char id_out[13],
		    char expires_out[32], struct ag_err *err);

/* Revoke token `id` (AG_ENOTFOUND; revoking twice is not an error). */
int ag_token_revoke(struct ag_workspace *ws, const char *actor, const char *id,
		    struct ag_err *err);

/* Call fn for every token (never the secret), newest first. */
int ag_token_list(struct ag_workspace *ws,
		  void (*fn)(void *ctx, const char *id, const char *user, const char *created_at,
			     const char *expires_at, const char *revoked_at),
		  void *ctx, struct ag_err *err);

/*
 * Who presents `token` (len bytes) at time now (microseconds): AG_EPERM
 * with a message that says why (malformed, unknown, revoked, expired) --
 * a server answers 401 without passing the reason on.  Reads only; call
 * outside or inside a transaction.
 */
int ag_token_authenticate(struct ag_workspace *ws, const char *token, size_t len,
			  int64_t now, struct ag_identity *out, struct ag_err *err);

#endif
