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
 * Web UI log-in: a user's password is kept as an argon2id hash
 * (libsodium crypto_pwhash_str, the "interactive" limits: 64 MiB, 2
 * passes).  Logging in opens a session whose cookie reads
 * "ags_<id>_<secret>" like a token; again only its SHA-256 is kept.  The
 * session's CSRF token is derived from the cookie (ag_session_csrf), so it
 * is stored nowhere and cannot be computed without the cookie.
 *
 * Every mutation runs in one write transaction with its ledger entry
 * (user.add, user.password, token.create, token.revoke by an admin only,
 * AG_EPERM; session.login and session.logout by the user).
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
#define AG_TOKEN_LEN (4 + 12 + 1 + 64) /* "agt_" id "_" secret; sessions "ags_" */
#define AG_PASSWORD_MIN 10   /* characters (code points) */
#define AG_PASSWORD_MAX 1024 /* bytes */
#define AG_CSRF_LEN 43       /* base64url of 32 bytes, no padding */

struct ag_identity {
	char name[AG_USER_NAME_MAX + 1];
	char actor[AG_USER_NAME_MAX + 6];   /* "user:" name */
	int role;                           /* enum ag_user_role */
	char unit[AG_USER_UNIT_MAX + 1];    /* "" when none */
	char token_id[13];                  /* the token that authenticated; "" */
	char expires_at[28];                /* when that token or session ends; "" */
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

/*
 * Set user `name`'s password for the web UI (UTF-8, AG_PASSWORD_MIN
 * characters to AG_PASSWORD_MAX bytes; AG_EINVAL otherwise).  The hash is
 * computed before the transaction opens (it takes ~0.1 s); the ledger
 * entry user.password names the user, never the hash.
 */
int ag_user_set_password(struct ag_workspace *ws, const char *actor, const char *name,
			 const char *password, size_t len, struct ag_err *err);

/*
 * Log user `name` in with `password` at time now, for ttl_minutes
 * (1..10080): a new session whose cookie goes to cookie_out, its expiry
 * (RFC 3339) to expires_out, the user to who.  AG_EPERM "wrong user name
 * or password" for an unknown user, a user without a password or a wrong
 * password alike, in about the same time (an unknown user's check runs
 * against a fixed hash).
 */
int ag_session_login(struct ag_workspace *ws, const char *name, const char *password,
		     size_t len, int64_t now, int ttl_minutes, char cookie_out[AG_TOKEN_LEN + 1],
		     char expires_out[32], struct ag_identity *who, struct ag_err *err);

/* Who holds session cookie `cookie` (len bytes) at time now: as
 * ag_token_authenticate, AG_EPERM for a malformed, unknown, ended or
 * expired session; who->token_id is the session's id. */
int ag_session_authenticate(struct ag_workspace *ws, const char *cookie, size_t len,
			    int64_t now, struct ag_identity *who, struct ag_err *err);

/* End the session of `cookie` (authenticated first; AG_EPERM otherwise). */
int ag_session_logout(struct ag_workspace *ws, const char *cookie, size_t len, int64_t now,
		      struct ag_err *err);

/* The CSRF token of a session cookie: base64url(SHA-256("aigov-csrf\0" cookie)). */
void ag_session_csrf(const char *cookie, size_t len, char out[AG_CSRF_LEN + 1]);

#endif
