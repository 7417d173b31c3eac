/*
 * The server's API without sockets (src/server/api.c): sessions as the
 * browser holds them (cookie, CSRF token, expiry, log-out), the throttle,
 * and the embedded web files.  The permission matrix over HTTP is
 * tests/integration/test_serve_cli.sh's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/server/internal.h"

#include "aigov/identity.h"
#include "aigov/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE (60LL * 1000000)

struct fx {
	char root[256];
	struct ag_workspace *ws;
	struct api_throttle throttle;
	struct api_response r;
	char cookie[AG_TOKEN_LEN + 1];
	char csrf[AG_CSRF_LEN + 1];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ag_err err;
	const char pw[] = "correct horse battery";

	snprintf(f->root, sizeof(f->root), "%s/aigov-api-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->root) || ag_workspace_init(f->root, "user:root", NULL, 0, &err) ||
	    ag_workspace_open(&f->ws, f->root, true, "user:root", &err) ||
	    ag_user_add(f->ws, "user:root", "rita", AG_USER_RISK, NULL, &err) ||
	    ag_user_set_password(f->ws, "user:root", "rita", pw, strlen(pw), &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	throttle_init(&f->throttle);
	ag_buf_init(&f->r.body);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[300];

	ag_buf_release(&f->r.body);
	throttle_destroy(&f->throttle);
	ag_workspace_free(f->ws);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

/* One request at time `now`; cookie and csrf may be NULL. */
static unsigned call(struct fx *f, const char *method, const char *path, const char *body,
		     const char *cookie, const char *csrf, int64_t now)
{
	struct api_request q = { 0 };

	q.method = method;
	q.path = path;
	q.cookie = cookie;
	q.csrf = csrf;
	q.client = "192.0.2.7";
	q.content_type = "application/json";
	q.body = body;
	q.body_len = body ? strlen(body) : 0;
	q.now = now;
	q.session_minutes = 30;
	q.ws = f->ws;
	q.throttle = &f->throttle;
	ag_buf_reset(&f->r.body);
	api_handle(&q, &f->r);
	return f->r.status;
}

static const char *body_of(struct fx *f)
{
	ag_buf_addch(&f->r.body, '\0');
	f->r.body.len--;
	return f->r.body.buf ? f->r.body.buf : "";
}

/* Log rita in at `now`; the cookie and CSRF token into f. */
static void log_in(struct fx *f, int64_t now)
{
	const char *c;

	assert_int_equal(call(f, "POST", "/api/v1/session",
			      "{\"name\":\"rita\",\"password\":\"correct horse battery\"}", NULL,
			      NULL, now), 201);
	c = strstr(f->r.set_cookie, "aigov_session=");
	assert_non_null(c);
	assert_non_null(strstr(f->r.set_cookie, "Max-Age=1800"));
	snprintf(f->cookie, sizeof(f->cookie), "%.*s", AG_TOKEN_LEN, c + strlen("aigov_session="));
	ag_session_csrf(f->cookie, strlen(f->cookie), f->csrf);
	assert_non_null(strstr(body_of(f), f->csrf));
}

static void test_session_lasts_its_minutes(void **state)
{
	struct fx *f = *state;
	int64_t t0 = ag_time_now_us();

	log_in(f, t0);
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, f->cookie, NULL, t0 + 29 * MINUTE), 200);
	assert_non_null(strstr(body_of(f), "\"actor\":\"user:rita\""));
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, f->cookie, NULL, t0 + 31 * MINUTE), 401);
	assert_non_null(strstr(f->r.set_cookie, "Max-Age=0"));
}

static void test_changes_need_the_csrf_token(void **state)
{
	struct fx *f = *state;
	int64_t t0 = ag_time_now_us();
	char other[AG_CSRF_LEN + 1];

	log_in(f, t0);
	assert_int_equal(call(f, "DELETE", "/api/v1/session", NULL, f->cookie, NULL, t0), 403);
	memcpy(other, f->csrf, sizeof(other));
	other[0] = other[0] == 'A' ? 'B' : 'A';
	assert_int_equal(call(f, "DELETE", "/api/v1/session", NULL, f->cookie, other, t0), 403);
	/* Still logged in: the refusals ended nothing. */
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, f->cookie, NULL, t0), 200);
	assert_int_equal(call(f, "DELETE", "/api/v1/session", NULL, f->cookie, f->csrf, t0), 204);
	assert_null(f->r.content_type);
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, f->cookie, NULL, t0), 401);
}

static void test_tampered_cookie(void **state)
{
	struct fx *f = *state;
	int64_t t0 = ag_time_now_us();
	char bad[AG_TOKEN_LEN + 1];

	log_in(f, t0);
	for (size_t i = 0; i < AG_TOKEN_LEN; i += 7) {
		memcpy(bad, f->cookie, sizeof(bad));
		bad[i] = bad[i] == '0' ? '1' : '0';
		assert_int_equal(call(f, "GET", "/api/v1/me", NULL, bad, NULL, t0), 401);
	}
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, "", NULL, t0), 401);
}

static void test_throttle(void **state)
{
	struct fx *f = *state;
	int64_t t0 = ag_time_now_us();

	for (int i = 0; i < THROTTLE_NAME_FAILS; i++)
		assert_int_equal(call(f, "POST", "/api/v1/session",
				      "{\"name\":\"rita\",\"password\":\"a wrong guess\"}", NULL, NULL,
				      t0), 401);
	/* Even the right password waits out the window... */
	assert_int_equal(call(f, "POST", "/api/v1/session",
			      "{\"name\":\"rita\",\"password\":\"correct horse battery\"}", NULL,
			      NULL, t0 + MINUTE), 429);
	assert_int_equal(f->r.retry_after, THROTTLE_WINDOW - 60);
	/* ...which ends. */
	log_in(f, t0 + (THROTTLE_WINDOW + 1) * 1000000LL);
}

static void test_throttle_table_is_bounded(void **state)
{
	struct fx *f = *state;
	char key[32];

	(void)state;
	for (int i = 0; i < THROTTLE_SLOTS + 10; i++) {
		snprintf(key, sizeof(key), "n:u%d", i);
		throttle_fail(&f->throttle, key, 1000 + i);
	}
	/* The newest are kept; the oldest made way. */
	assert_int_equal(throttle_wait(&f->throttle, "n:u0", 1, 1000 + THROTTLE_SLOTS + 10), 0);
	snprintf(key, sizeof(key), "n:u%d", THROTTLE_SLOTS + 9);
	assert_true(throttle_wait(&f->throttle, key, 1, 1000 + THROTTLE_SLOTS + 10) > 0);
}

static void test_web_files(void **state)
{
	struct fx *f = *state;
	static const char *const refused[] = { "/web/", "/web/../CMakeLists.txt",
					       "/web/%2e%2e/etc/passwd", "/web//index.html",
					       "/web/index.html/", "/webindex.html", "/web/INDEX.HTML" };
	char path[300];

	for (size_t i = 0; i < web_assets_count; i++) {
		const struct web_asset *a = &web_assets[i];
		snprintf(path, sizeof(path), "/web/%s", a->name);
		assert_int_equal(call(f, "GET", path, NULL, NULL, NULL, 0), 200);
		assert_int_equal(f->r.body.len, *a->len);
		assert_memory_equal(f->r.body.buf, a->data, *a->len);
		if (strstr(a->name, ".html"))
			assert_non_null(strstr(f->r.csp, "default-src 'self'"));
		assert_int_equal(call(f, "POST", path, "{}", NULL, NULL, 0), 405);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(call(f, "GET", refused[i], NULL, NULL, NULL, 0), 404);
	if (web_assets_count) {
		assert_int_equal(call(f, "GET", "/", NULL, NULL, NULL, 0), 200);
		assert_string_equal(f->r.content_type, "text/html; charset=utf-8");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_lasts_its_minutes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_need_the_csrf_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_cookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_throttle_table_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_web_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
