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
#include <zlib.h>

#define MINUTE (60LL * 1000000)

struct fx {
	char root[256];
	struct ag_workspace *ws;
	struct api_throttle throttle;
	struct api_cache *cache; /* NULL unless a test sets it */
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
	if (f->cache) {
		cache_destroy(f->cache);
		free(f->cache);
	}
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
	q.cache = f->cache;
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

static struct api_cache *new_cache(void)
{
	struct api_cache *c = malloc(sizeof(*c));

	assert_non_null(c);
	cache_init(c);
	return c;
}

/* A read is made once, then answered from the cache until the ledger grows
 * (here by a change the API did not make) or CACHE_TTL_US passes. */
static void test_cache_follows_the_ledger(void **state)
{
	struct fx *f = *state;
	int64_t t0 = ag_time_now_us();
	struct ag_err err;

	f->cache = new_cache();
	log_in(f, t0);
	assert_int_equal(call(f, "GET", "/api/v1/incidents", NULL, f->cookie, NULL, t0), 200);
	assert_string_equal(body_of(f), "[]");
	assert_int_equal(atomic_load(&f->cache->hits), 0);
	assert_int_equal(call(f, "GET", "/api/v1/incidents", NULL, f->cookie, NULL, t0 + 1000), 200);
	assert_string_equal(body_of(f), "[]");
	assert_int_equal(atomic_load(&f->cache->hits), 1);
	assert_int_equal(ag_user_add(f->ws, "user:root", "olga", AG_USER_OWNER, "retail", &err), 0);
	assert_int_equal(call(f, "GET", "/api/v1/incidents", NULL, f->cookie, NULL, t0 + 2000), 200);
	assert_int_equal(atomic_load(&f->cache->hits), 1);
	assert_int_equal(atomic_load(&f->cache->misses), 2);
	assert_int_equal(call(f, "GET", "/api/v1/incidents", NULL, f->cookie, NULL, t0 + 3000), 200);
	assert_int_equal(atomic_load(&f->cache->hits), 2);
	/* Past its time, made afresh. */
	assert_int_equal(call(f, "GET", "/api/v1/incidents", NULL, f->cookie, NULL,
			      t0 + 3000 + CACHE_TTL_US), 200);
	assert_int_equal(atomic_load(&f->cache->hits), 2);
	assert_int_equal(atomic_load(&f->cache->misses), 3);
}

/* A remembered session still ends at its minute, and at log-out. */
static void test_cache_keeps_session_ends(void **state)
{
	struct fx *f = *state;
	int64_t t0 = ag_time_now_us(), end = t0 + 30 * MINUTE;

	f->cache = new_cache();
	log_in(f, t0);
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, f->cookie, NULL, end - 500000), 200);
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, f->cookie, NULL, end + 500000), 401);
	log_in(f, end + 600000);
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, f->cookie, NULL, end + 700000), 200);
	assert_int_equal(call(f, "DELETE", "/api/v1/session", NULL, f->cookie, f->csrf, end + 800000),
			 204);
	assert_int_equal(call(f, "GET", "/api/v1/me", NULL, f->cookie, NULL, end + 900000), 401);
}

/* Past its time, the first reader rebuilds while the others get the old
 * body for at most another CACHE_TTL_US; a change to the ledger ends that. */
static void test_cache_rebuilt_once(void **state)
{
	struct api_cache *c = new_cache();
	const int64_t t = 1000000, T = CACHE_TTL_US;
	struct ag_buf out;
	bool gz;

	(void)state;
	ag_buf_init(&out);
	cache_put(c, "stats", 5, t, "{\"n\":1}", 7);
	assert_true(cache_get(c, "stats", 5, t + T - 1, false, &out, &gz));
	assert_false(cache_get(c, "stats", 5, t + T, false, &out, &gz));     /* rebuilds */
	assert_true(cache_get(c, "stats", 5, t + T + 10, false, &out, &gz)); /* the others wait not */
	assert_memory_equal(out.buf, "{\"n\":1}", 7);
	assert_false(cache_get(c, "stats", 6, t + T + 20, false, &out, &gz)); /* a change: no old body */
	cache_put(c, "stats", 6, t + T + 30, "{\"n\":2}", 7);
	assert_true(cache_get(c, "stats", 6, t + T + 40, false, &out, &gz));
	assert_memory_equal(out.buf, "{\"n\":2}", 7);
	/* A rebuild that never came: the old body ends at twice its time. */
	assert_false(cache_get(c, "stats", 6, t + 2 * T + 30, false, &out, &gz));
	assert_true(cache_get(c, "stats", 6, t + 2 * T + 40, false, &out, &gz));
	assert_false(cache_get(c, "stats", 6, t + 3 * T + 30, false, &out, &gz));
	assert_false(cache_get(c, "stats", 6, t + 3 * T + 40, false, &out, &gz));
	ag_buf_release(&out);
	cache_destroy(c);
	free(c);
}

/* A remembered credential answers only for itself, only while the ledger
 * and the clock allow, and never past its expiry. */
static void test_cache_credentials(void **state)
{
	struct api_cache *c = new_cache();
	struct ag_identity who = { .role = AG_USER_RISK }, got;
	const char *tok = "agt_0123456789ab_0000", *other = "agt_0123456789ab_0001";

	(void)state;
	snprintf(who.name, sizeof(who.name), "rita");
	snprintf(who.expires_at, sizeof(who.expires_at), "2026-12-31T00:00:00.000000Z");
	cache_who_put(c, tok, strlen(tok), 9, 1000, &who);
	assert_true(cache_who_get(c, tok, strlen(tok), 9, 2000, "2026-12-01T00:00:00.000000Z", &got));
	assert_string_equal(got.name, "rita");
	assert_false(cache_who_get(c, other, strlen(other), 9, 2000, "2026-12-01T00:00:00.000000Z", &got));
	assert_false(cache_who_get(c, tok, strlen(tok) - 1, 9, 2000, "2026-12-01T00:00:00.000000Z", &got));
	assert_false(cache_who_get(c, tok, strlen(tok), 9, 3000, "2026-12-31T00:00:00.000000Z", &got));
	cache_who_put(c, tok, strlen(tok), 9, 4000, &who);
	assert_false(cache_who_get(c, tok, strlen(tok), 10, 5000, "2026-12-01T00:00:00.000000Z", &got));
	cache_who_put(c, tok, strlen(tok), 10, 6000, &who);
	assert_false(cache_who_get(c, tok, strlen(tok), 10, 6000 + CACHE_TTL_US,
				   "2026-12-01T00:00:00.000000Z", &got));
	cache_destroy(c);
	free(c);
}

/* However many reads are kept, the cache stays within its bounds. */
static void test_cache_is_bounded(void **state)
{
	struct api_cache *c = new_cache();
	size_t big = 3u << 20, kept = 0;
	char *body = calloc(1, CACHE_MAX_BODY + 1), key[32];
	struct ag_buf out;
	bool gz;

	(void)state;
	assert_non_null(body);
	/* Incompressible, so that no gzip form is kept and the sums are exact. */
	for (size_t i = 0, x = 12345; i < big; i++, x = x * 6364136223846793005u + 1442695040888963407u)
		body[i] = (char)(x >> 56);
	ag_buf_init(&out);
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "gaps?system=s%d", i);
		cache_put(c, key, 7, 1000 + i, body, big);
		assert_true(c->bytes <= CACHE_MAX_BYTES);
	}
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		kept += c->slot[i].body != NULL;
	assert_int_equal(kept * big, c->bytes);
	assert_true(cache_get(c, "gaps?system=s199", 7, 2000, false, &out, &gz));
	assert_false(gz);
	assert_int_equal(out.len, big);
	assert_false(cache_get(c, "gaps?system=s0", 7, 2000, false, &out, &gz));
	assert_false(cache_get(c, "gaps?system=s199", 8, 2000, false, &out, &gz));
	cache_put(c, "systems", 7, 3000, body, CACHE_MAX_BODY + 1);
	assert_false(cache_get(c, "systems", 7, 3000, false, &out, &gz));
	ag_buf_release(&out);
	free(body);
	cache_destroy(c);
	free(c);
}

/* A large body is also kept gzip-compressed, and that form inflates to
 * the body; a small one, or a client without gzip, gets the body itself. */
static void test_cache_gzip(void **state)
{
	struct api_cache *c = new_cache();
	struct ag_buf body, out;
	char inflated[70000];
	uLongf n = sizeof(inflated);
	z_stream z;
	bool gz;

	(void)state;
	ag_buf_init(&body);
	ag_buf_init(&out);
	for (int i = 0; i < 1000; i++)
		ag_buf_addf(&body, "{\"system\":\"s%d\",\"missing\":%d},", i, i % 7);
	cache_put(c, "gaps", 3, 100, body.buf, body.len);
	cache_put(c, "stats", 3, 100, "{}", 2);
	assert_true(cache_get(c, "gaps", 3, 200, true, &out, &gz));
	assert_true(gz);
	assert_true(out.len < body.len / 4);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)out.buf;
	z.avail_in = (uInt)out.len;
	z.next_out = (Bytef *)inflated;
	z.avail_out = (uInt)n;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, body.len);
	assert_memory_equal(inflated, body.buf, body.len);
	inflateEnd(&z);
	assert_true(cache_get(c, "gaps", 3, 200, false, &out, &gz));
	assert_false(gz);
	assert_int_equal(out.len, body.len);
	assert_true(cache_get(c, "stats", 3, 200, true, &out, &gz));
	assert_false(gz);
	assert_int_equal(out.len, 2);
	ag_buf_release(&body);
	ag_buf_release(&out);
	cache_destroy(c);
	free(c);
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
		cmocka_unit_test_setup_teardown(test_cache_follows_the_ledger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_keeps_session_ends, setup, teardown),
		cmocka_unit_test(test_cache_is_bounded),
		cmocka_unit_test(test_cache_rebuilt_once),
		cmocka_unit_test(test_cache_credentials),
		cmocka_unit_test(test_cache_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
