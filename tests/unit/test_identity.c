/* Users, roles and API tokens (include/aigov/identity.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/identity.h"
#include "aigov/registry.h"
#include "aigov/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY (86400LL * 1000000)

struct fx {
	char root[256];
	struct ag_workspace *ws;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ag_err err;

	snprintf(f->root, sizeof(f->root), "%s/aigov-id-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->root) || ag_workspace_init(f->root, "user:root", NULL, 0, &err) ||
	    ag_workspace_open(&f->ws, f->root, true, "user:root", &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[300];

	ag_workspace_free(f->ws);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

static int64_t ledger_size(struct fx *f)
{
	int64_t n = 0;
	bool found;
	struct ag_err err;

	assert_int_equal(ag_store_query_int(f->ws->store, "SELECT count(*) FROM ledger_entry", NULL,
					    0, &n, &found, &err), 0);
	return n;
}

static void test_user_add_grants_the_role_behind_and_checks_names(void **state)
{
	struct fx *f = *state;
	struct ag_identity id;
	struct ag_err err;
	bool has;
	int64_t before;

	assert_int_equal(ag_user_add(f->ws, "user:root", "alice", AG_USER_OWNER, "retail", &err), 0);
	assert_int_equal(ag_role_has(f->ws, "user:alice", AG_ROLE_FIRST_LINE, &has, &err), 0);
	assert_true(has);
	assert_int_equal(ag_user_add(f->ws, "user:root", "bea", AG_USER_BOARD, NULL, &err), 0);
	assert_int_equal(ag_role_has(f->ws, "user:bea", AG_ROLE_BOARD, &has, &err), 0);
	assert_true(has);
	assert_int_equal(ag_user_get(f->ws, "alice", &id, &err), 0);
	assert_string_equal(id.actor, "user:alice");
	assert_string_equal(id.unit, "retail");
	assert_int_equal(id.role, AG_USER_OWNER);

	before = ledger_size(f);
	/* Refused: nothing stored, nothing recorded. */
	assert_int_equal(ag_user_add(f->ws, "user:root", "alice", AG_USER_RISK, NULL, &err),
			 AG_EEXIST);
	assert_int_equal(ag_user_add(f->ws, "user:root", "dan", AG_USER_OWNER, "", &err), AG_EINVAL);
	assert_non_null(strstr(err.msg, "--unit"));
	assert_int_equal(ag_user_add(f->ws, "user:root", "-x", AG_USER_RISK, NULL, &err), AG_EINVAL);
	assert_int_equal(ag_user_add(f->ws, "user:root", "a b", AG_USER_RISK, NULL, &err), AG_EINVAL);
	assert_int_equal(ag_user_add(f->ws, "user:root", "e", AG_USER_RISK, "x\ny", &err), AG_EINVAL);
	assert_int_equal(ag_user_add(f->ws, "user:alice", "eve", AG_USER_ADMIN, NULL, &err),
			 AG_EPERM);
	assert_int_equal(ag_user_get(f->ws, "eve", &id, &err), AG_ENOTFOUND);
	assert_int_equal(ledger_size(f), before);
}

static void test_token_authenticates_until_revoked_or_expired(void **state)
{
	struct fx *f = *state;
	char tok[AG_TOKEN_LEN + 1], id[13], exp[32], bad[AG_TOKEN_LEN + 1];
	struct ag_identity who;
	struct ag_err err;
	int64_t now = ag_time_now_us();
	struct ag_rows *r;

	assert_int_equal(ag_user_add(f->ws, "user:root", "carol", AG_USER_AUDITOR, NULL, &err), 0);
	assert_int_equal(ag_token_create(f->ws, "user:root", "carol", 30, tok, id, exp, &err), 0);
	assert_int_equal(strlen(tok), AG_TOKEN_LEN);
	assert_memory_equal(tok, "agt_", 4);
	assert_memory_equal(tok + 4, id, 12);

	assert_int_equal(ag_token_authenticate(f->ws, tok, strlen(tok), now, &who, &err), 0);
	assert_string_equal(who.name, "carol");
	assert_int_equal(who.role, AG_USER_AUDITOR);
	assert_string_equal(who.token_id, id);

	/* The secret is not stored: only its digest, which is not the token. */
	assert_int_equal(ag_store_query(f->ws->store, "SELECT sha256 FROM api_token", NULL, 0, &r,
					&err), 0);
	assert_int_equal(ag_rows_next(r, &err), 1);
	assert_int_equal(strlen(ag_rows_text(r, 0, NULL)), 64);
	assert_null(strstr(tok, ag_rows_text(r, 0, NULL)));
	ag_rows_free(r);

	/* One changed secret digit, a truncated token, garbage. */
	memcpy(bad, tok, sizeof(bad));
	bad[AG_TOKEN_LEN - 1] = bad[AG_TOKEN_LEN - 1] == '0' ? '1' : '0';
	assert_int_equal(ag_token_authenticate(f->ws, bad, strlen(bad), now, &who, &err), AG_EPERM);
	assert_non_null(strstr(err.msg, "wrong secret"));
	assert_int_equal(who.name[0], '\0');
	assert_int_equal(ag_token_authenticate(f->ws, tok, strlen(tok) - 1, now, &who, &err),
			 AG_EPERM);
	assert_int_equal(ag_token_authenticate(f->ws, "Bearer", 6, now, &who, &err), AG_EPERM);
	/* Expired after 30 days. */
	assert_int_equal(ag_token_authenticate(f->ws, tok, strlen(tok), now + 31 * DAY, &who, &err),
			 AG_EPERM);
	assert_non_null(strstr(err.msg, "expired"));
	/* Only an admin revokes; then it is refused. */
	assert_int_equal(ag_token_revoke(f->ws, "user:carol", id, &err), AG_EPERM);
	assert_int_equal(ag_token_revoke(f->ws, "user:root", id, &err), 0);
	assert_int_equal(ag_token_revoke(f->ws, "user:root", id, &err), 0);
	assert_int_equal(ag_token_authenticate(f->ws, tok, strlen(tok), now, &who, &err), AG_EPERM);
	assert_non_null(strstr(err.msg, "revoked"));
	assert_int_equal(ag_token_revoke(f->ws, "user:root", "000000000000", &err), AG_ENOTFOUND);
	/* No token for a user who does not exist, nor for 0 days. */
	assert_int_equal(ag_token_create(f->ws, "user:root", "zed", 30, tok, id, exp, &err),
			 AG_ENOTFOUND);
	assert_int_equal(ag_token_create(f->ws, "user:root", "carol", 0, tok, id, exp, &err),
			 AG_EINVAL);
}

static void test_session_needs_the_password_and_ends_at_logout_or_expiry(void **state)
{
	struct fx *f = *state;
	char cookie[AG_TOKEN_LEN + 1], exp[32], csrf[AG_CSRF_LEN + 1], csrf2[AG_CSRF_LEN + 1];
	const char *pw = "correct horse battery";
	struct ag_identity who;
	struct ag_err err;
	int64_t now = ag_time_now_us(), before;
	char last;

	assert_int_equal(ag_user_add(f->ws, "user:root", "rita", AG_USER_RISK, NULL, &err), 0);
	/* No password yet: refused like a wrong one. */
	assert_int_equal(ag_session_login(f->ws, "rita", pw, strlen(pw), now, 60, cookie, exp, &who,
					  &err), AG_EPERM);
	assert_int_equal(ag_user_set_password(f->ws, "user:root", "rita", "short", 5, &err),
			 AG_EINVAL);
	assert_int_equal(ag_user_set_password(f->ws, "user:rita", "rita", pw, strlen(pw), &err),
			 AG_EPERM);
	assert_int_equal(ag_user_set_password(f->ws, "user:root", "rita", pw, strlen(pw), &err), 0);
	assert_int_equal(ag_session_login(f->ws, "rita", "wrong password", 14, now, 60, cookie, exp,
					  &who, &err), AG_EPERM);
	assert_int_equal(ag_session_login(f->ws, "nobody", pw, strlen(pw), now, 60, cookie, exp,
					  &who, &err), AG_EPERM);
	before = ledger_size(f);
	assert_int_equal(ag_session_login(f->ws, "rita", pw, strlen(pw), now, 60, cookie, exp, &who,
					  &err), 0);
	assert_int_equal(ledger_size(f), before + 1);
	assert_string_equal(who.actor, "user:rita");
	assert_int_equal(ag_session_authenticate(f->ws, cookie, strlen(cookie), now, &who, &err), 0);
	assert_int_equal(who.role, AG_USER_RISK);
	/* A session cookie is not an API token, nor the other way round. */
	assert_int_equal(ag_token_authenticate(f->ws, cookie, strlen(cookie), now, &who, &err),
			 AG_EPERM);
	/* Expired after 60 minutes; a changed secret digit is refused. */
	assert_int_equal(ag_session_authenticate(f->ws, cookie, strlen(cookie),
						 now + 61LL * 60 * 1000000, &who, &err), AG_EPERM);
	ag_session_csrf(cookie, strlen(cookie), csrf);
	assert_int_equal(strlen(csrf), AG_CSRF_LEN);
	last = cookie[AG_TOKEN_LEN - 1];
	cookie[AG_TOKEN_LEN - 1] = last == '0' ? '1' : '0';
	ag_session_csrf(cookie, strlen(cookie), csrf2);
	assert_string_not_equal(csrf, csrf2);
	assert_int_equal(ag_session_authenticate(f->ws, cookie, strlen(cookie), now, &who, &err),
			 AG_EPERM);
	cookie[AG_TOKEN_LEN - 1] = last;
	assert_int_equal(ag_session_logout(f->ws, cookie, strlen(cookie), now, &err), 0);
	assert_int_equal(ag_session_authenticate(f->ws, cookie, strlen(cookie), now, &who, &err),
			 AG_EPERM);
	assert_non_null(strstr(err.msg, "ended"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_user_add_grants_the_role_behind_and_checks_names,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_authenticates_until_revoked_or_expired,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_session_needs_the_password_and_ends_at_logout_or_expiry, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
