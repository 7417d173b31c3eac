/* Users of the server, their roles and API tokens (identity.h). */
#include "aigov/identity.h"

#include "internal.h"

#include "aigov/json.h"
#include "aigov/registry.h"
#include "aigov/sha256.h"
#include "aigov/time.h"
#include "aigov/utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char *const ag_user_role_ids[] = { "owner", "risk", "auditor", "board", "admin", NULL };

/* The 3+1 role behind each user role, in ag_user_role order. */
static const int role_behind[] = { AG_ROLE_FIRST_LINE, AG_ROLE_SECOND_LINE, AG_ROLE_THIRD_LINE,
				   AG_ROLE_BOARD, AG_ROLE_ADMIN };

int ag_user_role_parse(const char *s)
{
	for (int i = 0; s && ag_user_role_ids[i]; i++)
		if (!strcmp(s, ag_user_role_ids[i]))
			return i;
	return -1;
}

static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > AG_USER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

static bool valid_unit(const char *s)
{
	size_t n = strlen(s);

	if (n > AG_USER_UNIT_MAX || !ag_utf8_valid(s, n, NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int need_admin(struct ag_workspace *ws, const char *actor, const char *what,
		      struct ag_err *err)
{
	bool admin;
	int rc = ag_role_has(ws, actor, AG_ROLE_ADMIN, &admin, err);

	if (!rc && !admin)
		rc = ag_err_set(err, AG_EPERM, "%s is not an admin of this workspace: only an "
				"admin %s", actor, what);
	return rc;
}

static void hex(char *out, const uint8_t *in, size_t n)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

int ag_user_add(struct ag_workspace *ws, const char *actor, const char *name, int role,
		const char *unit, struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], who[AG_USER_NAME_MAX + 6];
	int64_t n = 0;
	bool found;
	int rc;

	if (!unit)
		unit = "";
	if (!valid_name(name))
		return ag_err_set(err, AG_EINVAL, "'%s' is not a user name (1 to %d letters, digits, "
				  "'.', '_' or '-', starting with a letter or digit)",
				  name ? name : "", AG_USER_NAME_MAX);
	if (role < 0 || role > AG_USER_ADMIN)
		return ag_err_set(err, AG_EINVAL, "not a user role");
	if (*unit && !valid_unit(unit))
		return ag_err_set(err, AG_EINVAL, "the unit must be UTF-8 text without control "
				  "characters, at most %d bytes", AG_USER_UNIT_MAX);
	if (role == AG_USER_OWNER && !*unit)
		return ag_err_set(err, AG_EINVAL, "an owner needs a unit (--unit): owners write "
				  "only their unit's systems");
	if ((rc = ag_store_begin(ws->store, true, err)))
		return rc;
	rc = need_admin(ws, actor, "adds users", err);
	if (!rc) {
		struct ag_val p = ag_val_str(name);
		rc = ag_store_query_int(ws->store, "SELECT count(*) FROM app_user WHERE name = $1",
					&p, 1, &n, &found, err);
	}
	if (!rc && n > 0)
		rc = ag_err_set(err, AG_EEXIST, "user '%s' already exists (see 'aigov user list')",
				name);
	ag_time_format(now, ag_time_now_us());
	snprintf(who, sizeof(who), "user:%s", name);
	if (!rc) {
		struct ag_val p[5] = { ag_val_str(name), ag_val_str(ag_user_role_ids[role]),
				       ag_val_str(unit), ag_val_str(actor), ag_val_str(now) };
		rc = ag_store_exec(ws->store, "INSERT INTO app_user (name, role, unit, created_by,"
					      " created_at) VALUES ($1, $2, $3, $4, $5)", p, 5, err);
	}
	if (!rc) {
		struct ag_val p[4] = { ag_val_str(who), ag_val_str(ag_role_ids[role_behind[role]]),
				       ag_val_str(actor), ag_val_str(now) };
		rc = ag_store_exec(ws->store, "INSERT INTO actor_role (actor, role, granted_by,"
					      " granted_at) VALUES ($1, $2, $3, $4)"
					      " ON CONFLICT (actor, role) DO NOTHING", p, 4, err);
	}
	if (!rc) {
		struct ag_buf b;
		struct ag_json j;
		ag_buf_init(&b);
		ag_json_init(&j, &b, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "name");
		ag_json_cstr(&j, name);
		ag_json_key(&j, "role");
		ag_json_cstr(&j, ag_user_role_ids[role]);
		ag_json_key(&j, "grants");
		ag_json_cstr(&j, ag_role_ids[role_behind[role]]);
		ag_json_key(&j, "unit");
		ag_json_cstr(&j, unit);
		ag_json_end_object(&j);
		rc = reg_record(ws, actor, "user.add", who, &b, ag_json_failed(&j), err);
		ag_buf_release(&b);
	}
	return reg_finish(ws, rc, err);
}

int ag_user_list(struct ag_workspace *ws,
		 void (*fn)(void *ctx, const char *name, const char *role, const char *unit,
			    const char *created_by, const char *created_at),
		 void *ctx, struct ag_err *err)
{
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, "SELECT name, role, unit, created_by, created_at"
					   " FROM app_user ORDER BY name", NULL, 0, &r, err);

	if (rc)
		return rc;
	while ((rc = ag_rows_next(r, err)) == 1)
		fn(ctx, ag_rows_text(r, 0, NULL), ag_rows_text(r, 1, NULL), ag_rows_text(r, 2, NULL),
		   ag_rows_text(r, 3, NULL), ag_rows_text(r, 4, NULL));
	ag_rows_free(r);
	return rc;
}

int ag_user_get(struct ag_workspace *ws, const char *name, struct ag_identity *out,
		struct ag_err *err)
{
	struct ag_val p = ag_val_str(name);
	struct ag_rows *r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!valid_name(name))
		return ag_err_set(err, AG_ENOTFOUND, "no user '%s'", name ? name : "");
	rc = ag_store_query(ws->store, "SELECT role, unit FROM app_user WHERE name = $1", &p, 1,
			    &r, err);
	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		snprintf(out->name, sizeof(out->name), "%s", name);
		snprintf(out->actor, sizeof(out->actor), "user:%s", name);
		out->role = ag_user_role_parse(ag_rows_text(r, 0, NULL));
		snprintf(out->unit, sizeof(out->unit), "%s", ag_rows_text(r, 1, NULL));
		rc = out->role < 0 ? ag_err_set(err, AG_ECORRUPT, "user '%s' has an unknown role",
						name) : 0;
	} else if (rc == 0) {
		rc = ag_err_set(err, AG_ENOTFOUND, "no user '%s' (see 'aigov user list')", name);
	}
	ag_rows_free(r);
	return rc;
}

/* ---- credentials: API tokens and log-in sessions ---- */

/* Where a kind of credential lives; both tables have the same columns. */
struct cred_kind {
	const char *prefix; /* "agt_" or "ags_" */
	const char *insert;
	const char *select;
	const char *what;
};

static const struct cred_kind token_kind = {
	"agt_",
	"INSERT INTO api_token (id, user_name, sha256, created_by, created_at, expires_at)"
	" VALUES ($1, $2, $3, $4, $5, $6)",
	"SELECT user_name, sha256, expires_at, revoked_at FROM api_token WHERE id = $1",
	"token",
};

static const struct cred_kind session_kind = {
	"ags_",
	"INSERT INTO web_session (id, user_name, sha256, created_by, created_at, expires_at)"
	" VALUES ($1, $2, $3, $4, $5, $6)",
	"SELECT user_name, sha256, expires_at, revoked_at FROM web_session WHERE id = $1",
	"session",
};

static void token_digest(const char *token, size_t len, char out[65])
{
	uint8_t h[32];

	ag_sha256_2(token, len, NULL, 0, h);
	hex(out, h, sizeof(h));
}

/* Insert a new credential of user `name` (inside a write transaction). */
static int new_credential(struct ag_workspace *ws, const struct cred_kind *k, const char *name,
			  const char *created_by, int64_t t, int64_t ttl_us,
			  char token_out[AG_TOKEN_LEN + 1], char id_out[13],
			  char expires[AG_TIME_LEN + 1], struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], digest[65], secret[65];
	uint8_t id_bytes[6], secret_bytes[32];
	int rc;

	randombytes_buf(id_bytes, sizeof(id_bytes));
	randombytes_buf(secret_bytes, sizeof(secret_bytes));
	hex(id_out, id_bytes, sizeof(id_bytes));
	hex(secret, secret_bytes, sizeof(secret_bytes));
	snprintf(token_out, AG_TOKEN_LEN + 1, "%s%s_%s", k->prefix, id_out, secret);
	token_digest(token_out, strlen(token_out), digest);
	ag_time_format(now, t);
	ag_time_format(expires, t + ttl_us);
	struct ag_val p[6] = { ag_val_str(id_out), ag_val_str(name), ag_val_str(digest),
			       ag_val_str(created_by), ag_val_str(now), ag_val_str(expires) };
	rc = ag_store_exec(ws->store, k->insert, p, 6, err);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(secret_bytes, sizeof(secret_bytes));
	return rc;
}

/* A ledger payload {key: id, "user": name, "expires_at": expires}. */
static int record_credential(struct ag_workspace *ws, const char *actor, const char *action,
			     const char *subject, const char *key, const char *id,
			     const char *name, const char *expires, struct ag_err *err)
{
	struct ag_buf b;
	struct ag_json j;
	int rc;

	ag_buf_init(&b);
	ag_json_init(&j, &b, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, key);
	ag_json_cstr(&j, id);
	ag_json_key(&j, "user");
	ag_json_cstr(&j, name);
	if (expires) {
		ag_json_key(&j, "expires_at");
		ag_json_cstr(&j, expires);
	}
	ag_json_end_object(&j);
	rc = reg_record(ws, actor, action, subject, &b, ag_json_failed(&j), err);
	ag_buf_release(&b);
	return rc;
}

int ag_token_create(struct ag_workspace *ws, const char *actor, const char *name,
		    int days, char token_out[AG_TOKEN_LEN + 1], char id_out[13],
		    char expires_out[32], struct ag_err *err)
{
	char expires[AG_TIME_LEN + 1];
	struct ag_identity who;
	int rc;

	token_out[0] = id_out[0] = expires_out[0] = '\0';
	if (days < 1 || days > 3650)
		return ag_err_set(err, AG_EINVAL, "a token is valid for 1 to 3650 days, not %d", days);
	if (sodium_init() < 0)
		return ag_err_set(err, AG_EIO, "libsodium could not start");
	if ((rc = ag_store_begin(ws->store, true, err)))
		return rc;
	rc = need_admin(ws, actor, "creates tokens", err);
	if (!rc)
		rc = ag_user_get(ws, name, &who, err);
	if (!rc)
		rc = new_credential(ws, &token_kind, name, actor, ag_time_now_us(),
				    (int64_t)days * 86400 * 1000000, token_out, id_out, expires, err);
	if (!rc)
		rc = record_credential(ws, actor, "token.create", who.actor, "token_id", id_out, name,
				       expires, err);
	rc = reg_finish(ws, rc, err);
	if (rc) {
		sodium_memzero(token_out, AG_TOKEN_LEN + 1);
		id_out[0] = '\0';
	} else {
		snprintf(expires_out, 32, "%s", expires);
	}
	return rc;
}

int ag_token_revoke(struct ag_workspace *ws, const char *actor, const char *id,
		    struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], subject[AG_USER_NAME_MAX + 6] = "";
	struct ag_val p = ag_val_str(id);
	struct ag_rows *r;
	bool revoked = false;
	int rc;

	if ((rc = ag_store_begin(ws->store, true, err)))
		return rc;
	rc = need_admin(ws, actor, "revokes tokens", err);
	if (!rc)
		rc = ag_store_query(ws->store, "SELECT user_name, revoked_at FROM api_token"
					       " WHERE id = $1", &p, 1, &r, err);
	if (!rc) {
		rc = ag_rows_next(r, err);
		if (rc == 1) {
			snprintf(subject, sizeof(subject), "user:%s", ag_rows_text(r, 0, NULL));
			revoked = !ag_rows_is_null(r, 1);
			rc = 0;
		} else if (rc == 0) {
			rc = ag_err_set(err, AG_ENOTFOUND, "no token '%s' (see 'aigov token list')",
					id);
		}
		ag_rows_free(r);
	}
	if (!rc && !revoked) {
		ag_time_format(now, ag_time_now_us());
		struct ag_val q[2] = { ag_val_str(now), ag_val_str(id) };
		rc = ag_store_exec(ws->store, "UPDATE api_token SET revoked_at = $1 WHERE id = $2", q,
				   2, err);
		if (!rc) {
			struct ag_buf b;
			struct ag_json j;
			ag_buf_init(&b);
			ag_json_init(&j, &b, false);
			ag_json_begin_object(&j);
			ag_json_key(&j, "token_id");
			ag_json_cstr(&j, id);
			ag_json_end_object(&j);
			rc = reg_record(ws, actor, "token.revoke", subject, &b, ag_json_failed(&j),
					err);
			ag_buf_release(&b);
		}
	}
	return reg_finish(ws, rc, err);
}

int ag_token_list(struct ag_workspace *ws,
		  void (*fn)(void *ctx, const char *id, const char *user, const char *created_at,
			     const char *expires_at, const char *revoked_at),
		  void *ctx, struct ag_err *err)
{
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, "SELECT id, user_name, created_at, expires_at,"
					   " revoked_at FROM api_token ORDER BY created_at DESC, id",
				NULL, 0, &r, err);

	if (rc)
		return rc;
	while ((rc = ag_rows_next(r, err)) == 1)
		fn(ctx, ag_rows_text(r, 0, NULL), ag_rows_text(r, 1, NULL), ag_rows_text(r, 2, NULL),
		   ag_rows_text(r, 3, NULL), ag_rows_is_null(r, 4) ? NULL : ag_rows_text(r, 4, NULL));
	ag_rows_free(r);
	return rc;
}

static bool hex_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Who presents credential `token` of kind k at time now (AG_EPERM: not valid). */
_Static_assert(sizeof(((struct ag_identity *)0)->expires_at) == AG_TIME_LEN + 1,
	       "ag_identity.expires_at holds a time stamp");

static int check_credential(struct ag_workspace *ws, const struct cred_kind *k,
			    const char *token, size_t len, int64_t now, struct ag_identity *out,
			    struct ag_err *err)
{
	char id[13], digest[65], stamp[AG_TIME_LEN + 1], user[AG_USER_NAME_MAX + 1] = "";
	char expires[AG_TIME_LEN + 1] = "";
	struct ag_rows *r;
	struct ag_val p;
	bool ok = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len != AG_TOKEN_LEN || memcmp(token, k->prefix, 4) || token[16] != '_' ||
	    !hex_digits(token + 4, 12) || !hex_digits(token + 17, 64))
		return ag_err_set(err, AG_EPERM, "not an aigov %s (%s<id>_<secret>)", k->what,
				  k->prefix);
	memcpy(id, token + 4, 12);
	id[12] = '\0';
	token_digest(token, len, digest);
	ag_time_format(stamp, now);
	p = ag_val_str(id);
	rc = ag_store_query(ws->store, k->select, &p, 1, &r, err);
	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		size_t hlen;
		const char *h = ag_rows_text(r, 1, &hlen);
		rc = 0;
		/* Constant time, so that timing does not tell how much of a
		 * guessed secret was right. */
		if (hlen != 64 || sodium_memcmp(h, digest, 64) != 0)
			rc = ag_err_set(err, AG_EPERM, "%s %s: wrong secret", k->what, id);
		else if (!ag_rows_is_null(r, 3))
			rc = ag_err_set(err, AG_EPERM, "%s %s was %s", k->what, id,
					k == &token_kind ? "revoked" : "ended");
		else if (strcmp(ag_rows_text(r, 2, NULL), stamp) <= 0)
			rc = ag_err_set(err, AG_EPERM, "%s %s expired", k->what, id);
		else
			ok = true;
		snprintf(user, sizeof(user), "%s", ag_rows_text(r, 0, NULL));
		snprintf(expires, sizeof(expires), "%s", ag_rows_text(r, 2, NULL));
	} else if (rc == 0) {
		rc = ag_err_set(err, AG_EPERM, "no %s %s", k->what, id);
	}
	ag_rows_free(r);
	if (rc || !ok)
		return rc;
	rc = ag_user_get(ws, user, out, err);
	if (!rc) {
		snprintf(out->token_id, sizeof(out->token_id), "%s", id);
		memcpy(out->expires_at, expires, sizeof(out->expires_at));
	}
	return rc;
}

int ag_token_authenticate(struct ag_workspace *ws, const char *token, size_t len,
			  int64_t now, struct ag_identity *out, struct ag_err *err)
{
	return check_credential(ws, &token_kind, token, len, now, out, err);
}

/* ---- passwords and sessions ---- */

/*
 * The hash an unknown user's password is checked against, so that a wrong
 * name costs the same argon2id run as a wrong password (made once with
 * crypto_pwhash_str and the interactive limits; its password is unknown
 * and irrelevant).
 */
static const char timing_hash[] =
	"$argon2id$v=19$m=65536,t=2,p=1$Jo7H++5jFWGxPQSB4vE2Dg$"
	"YzeFWLrGgqVaae5cLJu5dPFoH6IfT6Mjni0lIGDnRrA";

int ag_user_set_password(struct ag_workspace *ws, const char *actor, const char *name,
			 const char *password, size_t len, struct ag_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	struct ag_identity who;
	size_t chars = 0;
	int rc;

	if (len > AG_PASSWORD_MAX || !ag_utf8_valid(password, len, NULL) || memchr(password, 0, len))
		return ag_err_set(err, AG_EINVAL, "a password is UTF-8 text of at most %d bytes",
				  AG_PASSWORD_MAX);
	for (size_t i = 0; i < len; i++)
		chars += ((unsigned char)password[i] & 0xc0) != 0x80;
	if (chars < AG_PASSWORD_MIN)
		return ag_err_set(err, AG_EINVAL, "a password needs at least %d characters",
				  AG_PASSWORD_MIN);
	if (sodium_init() < 0 ||
	    crypto_pwhash_str(hash, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return ag_err_set(err, AG_ENOMEM, "argon2id: out of memory");
	if ((rc = ag_store_begin(ws->store, true, err)))
		return rc;
	rc = need_admin(ws, actor, "sets passwords", err);
	if (!rc)
		rc = ag_user_get(ws, name, &who, err);
	if (!rc) {
		struct ag_val p[2] = { ag_val_str(hash), ag_val_str(name) };
		rc = ag_store_exec(ws->store, "UPDATE app_user SET password_hash = $1 WHERE name = $2",
				   p, 2, err);
	}
	if (!rc) {
		struct ag_buf b;
		struct ag_json j;
		ag_buf_init(&b);
		ag_json_init(&j, &b, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "user");
		ag_json_cstr(&j, name);
		ag_json_end_object(&j);
		rc = reg_record(ws, actor, "user.password", who.actor, &b, ag_json_failed(&j), err);
		ag_buf_release(&b);
	}
	sodium_memzero(hash, sizeof(hash));
	return reg_finish(ws, rc, err);
}

/* Whether `password` is user name's (false for no such user or no password). */
static int password_ok(struct ag_workspace *ws, const char *name, const char *password,
		       size_t len, bool *ok, struct ag_err *err)
{
	char hash[crypto_pwhash_STRBYTES] = "";
	struct ag_val p = ag_val_str(name);
	struct ag_rows *r;
	int rc;

	*ok = false;
	if (valid_name(name)) {
		rc = ag_store_query(ws->store, "SELECT password_hash FROM app_user WHERE name = $1",
				    &p, 1, &r, err);
		if (rc)
			return rc;
		rc = ag_rows_next(r, err);
		if (rc == 1 && !ag_rows_is_null(r, 0))
			snprintf(hash, sizeof(hash), "%s", ag_rows_text(r, 0, NULL));
		ag_rows_free(r);
		if (rc < 0)
			return rc;
	}
	if (sodium_init() < 0)
		return ag_err_set(err, AG_EIO, "libsodium could not start");
	rc = crypto_pwhash_str_verify(*hash ? hash : timing_hash, password, len);
	*ok = *hash && rc == 0;
	return 0;
}

int ag_session_login(struct ag_workspace *ws, const char *name, const char *password,
		     size_t len, int64_t now, int ttl_minutes, char cookie_out[AG_TOKEN_LEN + 1],
		     char expires_out[32], struct ag_identity *who, struct ag_err *err)
{
	char id[13], expires[AG_TIME_LEN + 1];
	bool ok;
	int rc;

	cookie_out[0] = expires_out[0] = '\0';
	memset(who, 0, sizeof(*who));
	if (ttl_minutes < 1 || ttl_minutes > 10080)
		return ag_err_set(err, AG_EINVAL, "a session lasts 1 to 10080 minutes, not %d",
				  ttl_minutes);
	if ((rc = password_ok(ws, name, password, len, &ok, err)))
		return rc;
	if (!ok)
		return ag_err_set(err, AG_EPERM, "wrong user name or password");
	if ((rc = ag_store_begin(ws->store, true, err)))
		return rc;
	rc = ag_user_get(ws, name, who, err);
	if (!rc)
		rc = new_credential(ws, &session_kind, name, who->actor, now,
				    (int64_t)ttl_minutes * 60 * 1000000, cookie_out, id, expires, err);
	if (!rc)
		rc = record_credential(ws, who->actor, "session.login", who->actor, "session_id", id,
				       name, expires, err);
	rc = reg_finish(ws, rc, err);
	if (rc) {
		sodium_memzero(cookie_out, AG_TOKEN_LEN + 1);
		memset(who, 0, sizeof(*who));
	} else {
		snprintf(who->token_id, sizeof(who->token_id), "%s", id);
		snprintf(expires_out, 32, "%s", expires);
	}
	return rc;
}

int ag_session_authenticate(struct ag_workspace *ws, const char *cookie, size_t len,
			    int64_t now, struct ag_identity *who, struct ag_err *err)
{
	return check_credential(ws, &session_kind, cookie, len, now, who, err);
}

int ag_session_logout(struct ag_workspace *ws, const char *cookie, size_t len, int64_t now,
		      struct ag_err *err)
{
	char stamp[AG_TIME_LEN + 1];
	struct ag_identity who;
	int rc;

	if ((rc = ag_store_begin(ws->store, true, err)))
		return rc;
	rc = check_credential(ws, &session_kind, cookie, len, now, &who, err);
	ag_time_format(stamp, now);
	if (!rc) {
		struct ag_val p[2] = { ag_val_str(stamp), ag_val_str(who.token_id) };
		rc = ag_store_exec(ws->store, "UPDATE web_session SET revoked_at = $1 WHERE id = $2",
				   p, 2, err);
	}
	if (!rc)
		rc = record_credential(ws, who.actor, "session.logout", who.actor, "session_id",
				       who.token_id, who.name, NULL, err);
	return reg_finish(ws, rc, err);
}

void ag_session_csrf(const char *cookie, size_t len, char out[AG_CSRF_LEN + 1])
{
	static const char tag[] = "aigov-csrf";
	uint8_t h[32];

	ag_sha256_2(tag, sizeof(tag), cookie, len, h);
	sodium_bin2base64(out, AG_CSRF_LEN + 1, h, sizeof(h),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
