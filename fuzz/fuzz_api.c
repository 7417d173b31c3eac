/*
 * libFuzzer target for the server's API (src/server/api.c) without
 * sockets: the input is "METHOD PATH?QUERY\nHEADER-LINE\n\nBODY" where the
 * header line picks the user (a: owner, r: risk, c: auditor, b: board,
 * "s:TEXT": TEXT as the session cookie, with TEXT's CSRF token; anything
 * else: the line itself as the Authorization header).  One
 * workspace is made once, with a system and a user of each role.
 * Log-ins come from one address with the throttle on, so that after a
 * few failures they are refused at once instead of hashing (argon2id,
 * ~0.1 s) on every run.
 * Invariants: a status from the documented set, a problem+json body on
 * every error, a read answered through the read cache equal to the same
 * read made afresh, and the ledger still verifying (checked every 256 runs, as
 * verification reads the whole ledger, which the runs keep growing).
 */
#include "../src/server/internal.h"

#include "aigov/identity.h"
#include "aigov/registry.h"
#include "aigov/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ag_workspace *ws;
static struct ag_catalog *catalog;
static struct ag_risk_method *method;
static char tokens[4][AG_TOKEN_LEN + 1];
static struct api_throttle throttle;
static struct api_cache cache;

static const char system_yaml[] =
	"id: s1\nname: {en: S, zh-TW: S}\npurpose: p\nbusiness_line: bank\n"
	"use_case: internal_admin\nai_type: machine_learning\nowner_unit: u\nstage: planning\n"
	"jurisdictions: [TW]\ncritical: false\nrisk_factors: {customer_facing: \"no\", "
	"personal_data: none, autonomy: human_in_the_loop, complexity: low, "
	"stakeholder_impact: low, remedy: complete}\n";

static void die(const char *what, const struct ag_err *err)
{
	fprintf(stderr, "fuzz_api setup: %s: %s\n", what, err->msg);
	abort();
}

static void setup(void)
{
	static const char *names[] = { "a", "r", "c", "b" };
	static const int roles[] = { AG_USER_OWNER, AG_USER_RISK, AG_USER_AUDITOR, AG_USER_BOARD };
	char root[] = "/tmp/aigov-fuzz-api-XXXXXX", id[13], exp[32];
	struct ag_system_set *set;
	struct ag_workspace_file files[3] = { { "catalog/controls.yaml", NULL, 0 },
					      { "catalog/risk-method.yaml", NULL, 0 },
					      { "catalog/thresholds.yaml", NULL, 0 } };
	struct ag_err err;

	throttle_init(&throttle);
	cache_init(&cache);
	for (int i = 0; i < 3; i++)
		files[i].data = ag_builtin_policy(files[i].path + strlen("catalog/"), &files[i].len);
	if (!mkdtemp(root) || ag_workspace_init(root, "user:root", files, 3, &err) ||
	    ag_workspace_open(&ws, root, true, "user:root", &err))
		die("workspace", &err);
	if (ag_registry_policy(ws, &catalog, &method, &err))
		die("policy", &err);
	if (ag_systems_parse(&set, system_yaml, strlen(system_yaml), "s.yaml", &err) ||
	    ag_registry_add(ws, &set, 1, "user:root", false, &err))
		die("system", &err);
	ag_system_set_free(set);
	for (int i = 0; i < 4; i++)
		if (ag_user_add(ws, "user:root", names[i], roles[i], i == 0 ? "u" : NULL, &err) ||
		    ag_token_create(ws, "user:root", names[i], 30, tokens[i], id, exp, &err))
			die("user", &err);
}

struct query {
	const char *q;
	char value[256];
};

static const char *query(void *ctx, const char *key)
{
	struct query *qs = ctx;
	size_t klen = strlen(key);

	for (const char *p = qs->q; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(qs->value, sizeof(qs->value), "%.*s", (int)(len - klen - 1), p + klen + 1);
			return qs->value;
		}
		p += len + (amp != NULL);
	}
	return NULL;
}

static bool documented(unsigned s)
{
	static const unsigned ok[] = { 200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 429 };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (s == ok[i])
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *nl, *path, *sp, *auth, *qm, bearer[AG_TOKEN_LEN + 8], csrf[AG_CSRF_LEN + 1];
	struct api_request q = { 0 };
	struct api_response r = { 0 };
	struct query qs = { NULL, "" };
	struct ag_verify_report rep;
	struct ag_err err;
	static unsigned runs;

	if (!ws)
		setup();
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size || !(nl = strchr(text, '\n')) || !(sp = strchr(text, ' ')) || sp > nl)
		goto out;
	*sp = *nl = '\0';
	path = sp + 1;
	auth = nl + 1;
	if (!(nl = strchr(auth, '\n')))
		goto out;
	*nl = '\0';
	if ((qm = strchr(path, '?'))) {
		*qm = '\0';
		qs.q = qm + 1;
	}
	q.method = text;
	q.path = path;
	if (strlen(auth) == 1 && strchr("arcb", auth[0])) {
		snprintf(bearer, sizeof(bearer), "Bearer %s", tokens[strchr("arcb", auth[0]) - "arcb"]);
		q.authorization = bearer;
	} else if (!strncmp(auth, "s:", 2)) {
		q.cookie = auth + 2;
		ag_session_csrf(q.cookie, strlen(q.cookie), csrf);
		q.csrf = csrf;
	} else {
		q.authorization = *auth ? auth : NULL;
	}
	q.content_type = "application/json";
	q.body = nl + 1;
	q.body_len = size - (size_t)(nl + 1 - text);
	q.query = query;
	q.query_ctx = &qs;
	q.now = ag_time_now_us();
	q.ws = ws;
	q.catalog = catalog;
	q.risk_method = method;
	q.throttle = &throttle;
	q.client = "fuzz";
	q.cache = &cache;
	ag_buf_init(&r.body);
	api_handle(&q, &r);
	if (!documented(r.status))
		abort();
	if (r.status >= 400 && (!r.content_type || strcmp(r.content_type, "application/problem+json")))
		abort();
	if (r.status == 200 && !strcmp(q.method, "GET")) {
		struct api_response fresh = { 0 };
		q.cache = NULL;
		ag_buf_init(&fresh.body);
		api_handle(&q, &fresh);
		if (fresh.status != 200 || fresh.body.len != r.body.len ||
		    (r.body.len && memcmp(fresh.body.buf, r.body.buf, r.body.len)))
			abort();
		ag_buf_release(&fresh.body);
	}
	ag_buf_release(&r.body);
	if (++runs % 256 == 0 &&
	    (ag_ledger_verify(ws->store, &ws->key, ws->cfg.workspace_id, &rep, &err) || rep.nproblems))
		abort();
out:
	free(text);
	return 0;
}
