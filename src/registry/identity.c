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

/* ---- tokens ---- */

static void token_digest(const char *token, size_t len, char out[65])
{
	uint8_t h[32];

	ag_sha256_2(token, len, NULL, 0, h);
	hex(out, h, sizeof(h));
}

int ag_token_create(struct ag_workspace *ws, const char *actor, const char *name,
		    int days, char token_out[AG_TOKEN_LEN + 1], char id_out[13],
		    char expires_out[32], struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], expires[AG_TIME_LEN + 1], digest[65], secret[65];
	uint8_t id_bytes[6], secret_bytes[32];
	struct ag_identity who;
	int64_t t = ag_time_now_us();
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
	if (!rc) {
		randombytes_buf(id_bytes, sizeof(id_bytes));
		randombytes_buf(secret_bytes, sizeof(secret_bytes));
		hex(id_out, id_bytes, sizeof(id_bytes));
		hex(secret, secret_bytes, sizeof(secret_bytes));
		snprintf(token_out, AG_TOKEN_LEN + 1, "agt_%s_%s", id_out, secret);
		token_digest(token_out, strlen(token_out), digest);
		ag_time_format(now, t);
		ag_time_format(expires, t + (int64_t)days * 86400 * 1000000);
		struct ag_val p[6] = { ag_val_str(id_out), ag_val_str(name), ag_val_str(digest),
				       ag_val_str(actor), ag_val_str(now), ag_val_str(expires) };
		rc = ag_store_exec(ws->store, "INSERT INTO api_token (id, user_name, sha256,"
					      " created_by, created_at, expires_at)"
					      " VALUES ($1, $2, $3, $4, $5, $6)", p, 6, err);
	}
	if (!rc) {
		struct ag_buf b;
		struct ag_json j;
		ag_buf_init(&b);
		ag_json_init(&j, &b, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "token_id");
		ag_json_cstr(&j, id_out);
		ag_json_key(&j, "user");
		ag_json_cstr(&j, name);
		ag_json_key(&j, "expires_at");
		ag_json_cstr(&j, expires);
		ag_json_end_object(&j);
		rc = reg_record(ws, actor, "token.create", who.actor, &b, ag_json_failed(&j), err);
		ag_buf_release(&b);
	}
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(secret_bytes, sizeof(secret_bytes));
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

int ag_token_authenticate(struct ag_workspace *ws, const char *token, size_t len,
			  int64_t now, struct ag_identity *out, struct ag_err *err)
{
	char id[13], digest[65], stamp[AG_TIME_LEN + 1], user[AG_USER_NAME_MAX + 1] = "";
	struct ag_rows *r;
	struct ag_val p;
	bool ok = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len != AG_TOKEN_LEN || memcmp(token, "agt_", 4) || token[16] != '_' ||
	    !hex_digits(token + 4, 12) || !hex_digits(token + 17, 64))
		return ag_err_set(err, AG_EPERM, "not an aigov token (agt_<id>_<secret>)");
	memcpy(id, token + 4, 12);
	id[12] = '\0';
	token_digest(token, len, digest);
	ag_time_format(stamp, now);
	p = ag_val_str(id);
	rc = ag_store_query(ws->store, "SELECT user_name, sha256, expires_at, revoked_at"
				       " FROM api_token WHERE id = $1", &p, 1, &r, err);
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
			rc = ag_err_set(err, AG_EPERM, "token %s: wrong secret", id);
		else if (!ag_rows_is_null(r, 3))
			rc = ag_err_set(err, AG_EPERM, "token %s was revoked", id);
		else if (strcmp(ag_rows_text(r, 2, NULL), stamp) <= 0)
			rc = ag_err_set(err, AG_EPERM, "token %s expired", id);
		else
			ok = true;
		snprintf(user, sizeof(user), "%s", ag_rows_text(r, 0, NULL));
	} else if (rc == 0) {
		rc = ag_err_set(err, AG_EPERM, "no token %s", id);
	}
	ag_rows_free(r);
	if (rc || !ok)
		return rc;
	rc = ag_user_get(ws, user, out, err);
	if (!rc)
		snprintf(out->token_id, sizeof(out->token_id), "%s", id);
	return rc;
}
