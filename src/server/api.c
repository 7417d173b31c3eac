/*
 * The JSON API under /api/v1 (docs/serve.md): routing, authentication,
 * the permission matrix, request bodies, problem details (RFC 9457).
 */
#include "internal.h"

#include "aigov/identity.h"
#include "aigov/json.h"
#include "aigov/ledger.h"
#include "aigov/operations.h"
#include "aigov/registry.h"
#include "aigov/time.h"
#include "aigov/views.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SEGMENTS 6

static const char *status_title(unsigned status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	default: return "Internal Server Error";
	}
}

/* An RFC 9457 problem: type about:blank, so the title is the status's. */
void api_problem(struct api_response *r, unsigned status, const char *fmt, ...)
{
	char detail[512];
	struct ag_json j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	ag_buf_reset(&r->body);
	r->status = status;
	r->content_type = "application/problem+json";
	ag_json_init(&j, &r->body, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "type");
	ag_json_cstr(&j, "about:blank");
	ag_json_key(&j, "title");
	ag_json_cstr(&j, status_title(status));
	ag_json_key(&j, "status");
	ag_json_u64(&j, status);
	ag_json_key(&j, "detail");
	ag_json_cstr(&j, detail);
	ag_json_end_object(&j);
}

/* A library error as a problem. */
void api_fail(struct api_response *r, int rc, const struct ag_err *err)
{
	unsigned status;

	switch (rc) {
	case AG_ENOTFOUND: status = 404; break;
	case AG_EPERM: status = 403; break;
	case AG_EEXIST: status = 409; break;
	case AG_EPARSE:
	case AG_EINVAL:
	case AG_ERANGE: status = 400; break;
	default: status = 500; break;
	}
	api_problem(r, status, "%s", status == 500 ? "the server could not complete the request" : err->msg);
}

void api_json_ok(struct api_response *r, unsigned status, struct ag_json *j)
{
	if (ag_json_failed(j)) {
		api_problem(r, 500, "out of memory");
		return;
	}
	r->status = status;
	r->content_type = "application/json";
}

/* ---- who asks, and what they may do ---- */

#define SESSION_COOKIE "aigov_session"
#define DEFAULT_SESSION_MINUTES 480

/* Set (value, max_age seconds) or clear (NULL) the session cookie. */
static void session_cookie(const struct api_request *q, struct api_response *r,
			   const char *value, long max_age)
{
	snprintf(r->set_cookie, sizeof(r->set_cookie),
		 SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s",
		 value ? value : "", value ? max_age : 0L, q->tls ? "; Secure" : "");
}

/* ag_token_authenticate or ag_session_authenticate (cookie), through the
 * credential cache when there is one. */
static int check_credential(const struct api_request *q, const char *credential, bool cookie,
			    struct ag_identity *who, struct ag_err *err)
{
	size_t len = strlen(credential);
	char stamp[AG_TIME_LEN + 1];
	int rc;

	if (q->cache && ag_time_format(stamp, q->now) &&
	    cache_who_get(q->cache, credential, len, q->ledger_size, q->now, stamp, who))
		return 0;
	rc = cookie ? ag_session_authenticate(q->ws, credential, len, q->now, who, err)
		    : ag_token_authenticate(q->ws, credential, len, q->now, who, err);
	if (!rc && q->cache)
		cache_who_put(q->cache, credential, len, q->ledger_size, q->now, who);
	return rc;
}

/* A token (Authorization: Bearer) or, without one, a session cookie;
 * *by_cookie tells which. */
static bool authenticate(const struct api_request *q, struct api_response *r,
			 struct ag_identity *who, bool *by_cookie)
{
	const char *h = q->authorization;
	struct ag_err err;
	int rc;

	*by_cookie = false;
	if (!h && q->cookie) {
		rc = check_credential(q, q->cookie, true, who, &err);
		if (rc == AG_EPERM) {
			session_cookie(q, r, NULL, 0);
			r->authenticate = true;
			api_problem(r, 401, "the session has ended or is not valid: log in again");
			return false;
		}
		*by_cookie = true;
	} else if (!h || strncasecmp(h, "Bearer ", 7)) {
		r->authenticate = true;
		api_problem(r, 401, "log in (POST /api/v1/session) or send 'Authorization: Bearer "
			    "<token>' (aigov token create)");
		return false;
	} else {
		h += 7;
		while (*h == ' ')
			h++;
		rc = check_credential(q, h, false, who, &err);
		if (rc == AG_EPERM) {
			/* Which of malformed, unknown, revoked or expired is not told. */
			r->authenticate = true;
			api_problem(r, 401, "the token is not valid");
			return false;
		}
	}
	if (rc) {
		api_fail(r, rc, &err);
		return false;
	}
	snprintf(r->actor, sizeof(r->actor), "%s", who->actor);
	return true;
}

/* A request that changes state, made with a session cookie, must carry
 * the session's CSRF token: another site's page can make the browser send
 * the cookie (were SameSite not honoured) but cannot read the token. */
static bool csrf_ok(const struct api_request *q, struct api_response *r)
{
	char want[AG_CSRF_LEN + 1];

	if (!strcmp(q->method, "GET") || !strcmp(q->method, "HEAD"))
		return true;
	ag_session_csrf(q->cookie, strlen(q->cookie), want);
	if (q->csrf && strlen(q->csrf) == AG_CSRF_LEN && !sodium_memcmp(q->csrf, want, AG_CSRF_LEN))
		return true;
	api_problem(r, 403, "send the session's X-CSRF-Token header (from the log-in answer or "
		    "GET /api/v1/me) with every change");
	return false;
}

static bool role_in(const struct ag_identity *who, unsigned mask)
{
	return (mask >> who->role) & 1u;
}

bool api_require(const struct ag_identity *who, unsigned mask, struct api_response *r,
		 const char *what)
{
	if (role_in(who, mask))
		return true;
	api_problem(r, 403, "%s: the %s role may not %s", who->name, ag_user_role_ids[who->role], what);
	return false;
}

/* Owners write only their own unit's systems. */
bool api_owner_may_write(const struct ag_identity *who, const char *owner_unit,
			 const char *system_id, struct api_response *r)
{
	if (who->role != AG_USER_OWNER || (owner_unit && !strcmp(owner_unit, who->unit)))
		return true;
	api_problem(r, 403, "%s owns systems of unit '%s'; %s belongs to '%s'", who->name, who->unit,
		    system_id, owner_unit ? owner_unit : "");
	return false;
}

bool api_method_is(const struct api_request *q, struct api_response *r, const char *want,
		   const char *allow)
{
	if (!strcmp(q->method, want))
		return true;
	r->allow = allow;
	api_problem(r, 405, "%s is not allowed here (allowed: %s)", q->method, allow);
	return false;
}

static bool get_only(const struct api_request *q, struct api_response *r)
{
	return !strcmp(q->method, "HEAD") || api_method_is(q, r, "GET", "GET, HEAD");
}

/* ---- request bodies ---- */

/* The body as a JSON object whose members are all in `fields` (NULL-ended). */
/* The body as a JSON object sent as application/json, or NULL with r
 * answered: 415 ("send the NOUN as application/json"), or 400 with JSON's
 * line and column, or 400 for another value (`what` says what was wanted). */
static json_t *json_body(const struct api_request *q, struct api_response *r, const char *noun,
			 const char *what)
{
	json_error_t e;
	json_t *o;

	if (!q->content_type || strncasecmp(q->content_type, "application/json", 16)) {
		api_problem(r, 415, "send the %s as application/json", noun);
		return NULL;
	}
	o = json_loadb(q->body ? q->body : "", q->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!o) {
		api_problem(r, 400, "request body: line %d, column %d: %s", e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		api_problem(r, 400, "request body: expected a JSON object%s%s%s", what ? " (" : "",
			    what ? what : "", what ? ")" : "");
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *api_body_object(const struct api_request *q, struct api_response *r,
			const char *const *fields)
{
	json_t *o = json_body(q, r, "body", NULL), *v;
	const char *key;

	if (!o)
		return NULL;
	json_object_foreach(o, key, v) {
		bool known = false;
		for (const char *const *f = fields; *f && !known; f++)
			known = !strcmp(key, *f);
		if (!known) {
			api_problem(r, 400, "request body: unknown field '%s'", key);
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Member `key` as a string: required or optional (NULL when absent). */
bool api_body_string(json_t *o, const char *key, bool required, const char **out,
		     struct api_response *r)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v && !required)
		return true;
	if (!json_is_string(v) || !json_string_length(v) ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		api_problem(r, 400, "request body: '%s' %s", key,
			    v ? "must be a non-empty string" : "is required");
		return false;
	}
	*out = json_string_value(v);
	return true;
}

/* ---- handlers ---- */

/* The user as /me and the log-in answer show them; the CSRF token when
 * the request came with a session cookie (cookie non-NULL). */
static void write_me(struct ag_json *j, const struct ag_identity *who, const char *cookie,
		     const char *expires_at)
{
	ag_json_begin_object(j);
	ag_json_key(j, "name");
	ag_json_cstr(j, who->name);
	ag_json_key(j, "actor");
	ag_json_cstr(j, who->actor);
	ag_json_key(j, "role");
	ag_json_cstr(j, ag_user_role_ids[who->role]);
	ag_json_key(j, "unit");
	ag_json_cstr(j, who->unit[0] ? who->unit : NULL);
	if (cookie) {
		char csrf[AG_CSRF_LEN + 1];
		ag_session_csrf(cookie, strlen(cookie), csrf);
		ag_json_key(j, "csrf");
		ag_json_cstr(j, csrf);
	}
	if (expires_at) {
		ag_json_key(j, "expires_at");
		ag_json_cstr(j, expires_at);
	}
	ag_json_end_object(j);
}

static void get_me(const struct api_request *q, const struct ag_identity *who, bool by_cookie,
		   struct api_response *r)
{
	struct ag_json j;

	ag_json_init(&j, &r->body, false);
	write_me(&j, who, by_cookie ? q->cookie : NULL, NULL);
	api_json_ok(r, 200, &j);
}

static void write_assessment(struct ag_json *j, const struct ag_assessment_info *a, bool found)
{
	if (!found) {
		ag_json_null(j);
		return;
	}
	ag_json_begin_object(j);
	ag_json_key(j, "revision");
	ag_json_u64(j, (uint64_t)a->revision);
	ag_json_key(j, "assessed_at");
	ag_json_cstr(j, a->assessed_at);
	ag_json_key(j, "tier");
	ag_json_cstr(j, ag_tier_ids[a->tier]);
	ag_json_key(j, "overridden");
	ag_json_bool(j, a->overridden);
	ag_json_key(j, "next_due");
	ag_json_cstr(j, a->next_due);
	ag_json_end_object(j);
}

static void get_systems(const struct api_request *q, const char *id, struct api_response *r)
{
	struct ag_system_set *set = NULL;
	struct ag_json j;
	struct ag_err err;
	int rc = ag_registry_load(q->ws, id, &set, &err);

	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	ag_json_init(&j, &r->body, false);
	if (!id)
		ag_json_begin_array(&j);
	for (size_t i = 0; i < set->n && !rc; i++) {
		const struct ag_system *s = &set->systems[i];
		struct ag_assessment_info a;
		bool found;
		rc = ag_registry_latest_assessment(q->ws, s->id, &a, &found, &err);
		if (rc)
			break;
		ag_json_begin_object(&j);
		ag_json_key(&j, "id");
		ag_json_cstr(&j, s->id);
		ag_json_key(&j, "name");
		ag_json_begin_object(&j);
		ag_json_key(&j, "en");
		ag_json_cstr(&j, s->name.en);
		ag_json_key(&j, "zh-TW");
		ag_json_cstr(&j, s->name.zh);
		ag_json_end_object(&j);
		ag_json_key(&j, "stage");
		ag_json_cstr(&j, ag_stage_ids[s->stage]);
		ag_json_key(&j, "business_line");
		ag_json_cstr(&j, ag_business_line_ids[s->business_line]);
		ag_json_key(&j, "use_case");
		ag_json_cstr(&j, ag_use_case_ids[s->use_case]);
		ag_json_key(&j, "owner_unit");
		ag_json_cstr(&j, s->owner_unit);
		ag_json_key(&j, "assessment");
		write_assessment(&j, &a, found);
		if (id) {
			bool down = false;
			rc = ag_oversight_is_shut_down(q->ws, s->id, &down, &err);
			ag_json_key(&j, "shut_down");
			ag_json_bool(&j, down);
			ag_json_key(&j, "descriptor");
			ag_system_write_json(&j, s);
		}
		ag_json_end_object(&j);
	}
	if (!id)
		ag_json_end_array(&j);
	ag_system_set_free(set);
	if (rc)
		api_fail(r, rc, &err);
	else
		api_json_ok(r, 200, &j);
}

static void get_gaps(const struct api_request *q, const char *id, struct api_response *r)
{
	struct ag_system_set *set = NULL;
	struct ag_json j;
	struct ag_err err;
	int rc = ag_registry_load(q->ws, id, &set, &err);

	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	ag_json_init(&j, &r->body, false);
	ag_json_begin_array(&j);
	for (size_t i = 0; i < set->n && !rc; i++) {
		struct ag_gap_report g;
		rc = ag_gaps(q->ws, q->catalog, &set->systems[i], q->now, &g, &err);
		if (!rc) {
			ag_view_gap_report(&j, &set->systems[i], &g);
			ag_gap_report_release(&g);
		}
	}
	ag_json_end_array(&j);
	ag_system_set_free(set);
	if (rc)
		api_fail(r, rc, &err);
	else
		api_json_ok(r, 200, &j);
}

static void get_verify(const struct api_request *q, struct api_response *r)
{
	struct ag_verify_report rep;
	struct ag_json j;
	struct ag_err err;
	int rc = ag_ledger_verify(q->ws->store, &q->ws->key, q->ws->cfg.workspace_id, &rep, &err);

	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	ag_json_init(&j, &r->body, false);
	ag_view_verify_report(&j, &rep);
	api_json_ok(r, 200, &j);
}

static int log_entry(void *ctx, const struct ag_ledger_entry *e)
{
	ag_view_ledger_entry(ctx, e);
	return 0;
}

/* A query parameter as a whole number in [lo, hi], or `dflt` when absent. */
static bool query_u64(const struct api_request *q, const char *key, uint64_t lo, uint64_t hi,
		      uint64_t dflt, uint64_t *out, struct api_response *r)
{
	const char *v = q->query ? q->query(q->query_ctx, key) : NULL;
	char *end;
	unsigned long long n;

	*out = dflt;
	if (!v)
		return true;
	n = strtoull(v, &end, 10);
	if (!*v || *end || *v == '-' || n < lo || n > hi) {
		api_problem(r, 400, "query parameter '%s': expected a whole number from %llu to %llu", key,
			    (unsigned long long)lo, (unsigned long long)hi);
		return false;
	}
	*out = n;
	return true;
}

/* GET /ledger/proof?seq=N[&checkpoint=ID]: entry N's inclusion in a
 * signed checkpoint (the newest covering it by default), as `aigov ledger
 * prove --json`; a proof that fails is a 200 with verified false. */
static void get_proof(const struct api_request *q, struct api_response *r)
{
	struct ag_inclusion_check c;
	uint64_t seq, checkpoint;
	struct ag_json j;
	struct ag_err err;
	int rc;

	if (!query_u64(q, "seq", 1, INT64_MAX, 0, &seq, r) ||
	    !query_u64(q, "checkpoint", 1, INT64_MAX, 0, &checkpoint, r))
		return;
	if (!seq) {
		api_problem(r, 400, "query parameter 'seq' (the entry's number) is required");
		return;
	}
	rc = ag_workspace_prove_inclusion(q->ws, seq, checkpoint, &c, &err);
	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	ag_json_init(&j, &r->body, false);
	ag_view_inclusion_check(&j, &c);
	api_json_ok(r, 200, &j);
}

/* GET /ledger/consistency?old=A&new=B: checkpoint B's ledger extends A's. */
static void get_consistency(const struct api_request *q, struct api_response *r)
{
	struct ag_consistency_check c;
	uint64_t old_id, new_id;
	struct ag_json j;
	struct ag_err err;
	int rc;

	if (!query_u64(q, "old", 1, INT64_MAX, 0, &old_id, r) ||
	    !query_u64(q, "new", 1, INT64_MAX, 0, &new_id, r))
		return;
	if (!old_id || !new_id) {
		api_problem(r, 400, "query parameters 'old' and 'new' (checkpoint ids) are required");
		return;
	}
	rc = ag_workspace_prove_consistency(q->ws, old_id, new_id, &c, &err);
	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	ag_json_init(&j, &r->body, false);
	ag_view_consistency_check(&j, &c);
	api_json_ok(r, 200, &j);
}

/* The ledger's entries; about `subject` only when not NULL (else the
 * query's subject parameter). */
static void get_log(const struct api_request *q, const char *subject, struct api_response *r)
{
	struct ag_ledger_filter f = { 0, NULL, 0 };
	struct ag_json j;
	struct ag_err err;
	int rc;

	if (!query_u64(q, "since", 0, UINT64_MAX / 2, 0, &f.since, r) ||
	    !query_u64(q, "limit", 1, 1000, 100, &f.limit, r))
		return;
	f.subject = subject ? subject : q->query ? q->query(q->query_ctx, "subject") : NULL;
	ag_json_init(&j, &r->body, false);
	ag_json_begin_array(&j);
	rc = ag_ledger_log(q->ws->store, &f, log_entry, &j, &err);
	ag_json_end_array(&j);
	if (rc)
		api_fail(r, rc, &err);
	else
		api_json_ok(r, 200, &j);
}

/* The owner unit of system id (copied), for the owner's check. */
static int system_unit(const struct api_request *q, const char *id, char *unit, size_t cap,
		       struct ag_err *err)
{
	struct ag_system_set *set = NULL;
	int rc = ag_registry_load(q->ws, id, &set, err);

	if (!rc)
		snprintf(unit, cap, "%s", set->systems[0].owner_unit ? set->systems[0].owner_unit : "");
	ag_system_set_free(set);
	return rc;
}

bool api_may_act_on(const struct api_request *q, const struct ag_identity *who, const char *id,
		    struct api_response *r)
{
	char unit[AG_USER_UNIT_MAX + 1];
	struct ag_err err;
	int rc = system_unit(q, id, unit, sizeof(unit), &err);

	if (rc) {
		api_fail(r, rc, &err);
		return false;
	}
	return api_owner_may_write(who, unit, id, r);
}

bool api_descriptor_body(const struct api_request *q, struct api_response *r, const char *what)
{
	/* jansson first, for JSON's own errors by line and column; the
	 * descriptor reader (YAML, of which JSON is a part) checks the rest. */
	json_t *o = json_body(q, r, "descriptor", what);

	json_decref(o);
	return o != NULL;
}

/* The body as one system descriptor, or NULL with r answered. */
static struct ag_system_set *body_system(const struct api_request *q, struct api_response *r)
{
	struct ag_system_set *set = NULL;
	struct ag_err err;
	int rc;

	if (!api_descriptor_body(q, r, "one system"))
		return NULL;
	rc = ag_systems_parse(&set, q->body, q->body_len, "request body", &err);
	if (rc) {
		api_fail(r, rc, &err);
		return NULL;
	}
	if (set->n != 1) {
		api_problem(r, 400, "request body: one system per request");
		ag_system_set_free(set);
		return NULL;
	}
	return set;
}

/* POST /systems (register; id NULL) or PUT /systems/{id} (a new revision
 * of the descriptor; the stage stays, the gate moves it). */
static void put_system(const struct api_request *q, const struct ag_identity *who,
		       const char *id, struct api_response *r)
{
	struct ag_system_set *set = body_system(q, r);
	const struct ag_system *s;
	char sid[256];
	struct ag_err err;
	int rc = 0;

	if (!set)
		return;
	s = &set->systems[0];
	snprintf(sid, sizeof(sid), "%s", s->id);
	if (id && strcmp(id, sid)) {
		api_problem(r, 400, "request body: the descriptor's id is '%.100s', not the path's "
				    "'%.100s'", sid, id);
		goto out;
	}
	/* An owner neither edits another unit's system nor gives theirs away. */
	if ((id && !api_may_act_on(q, who, id, r)) || !api_owner_may_write(who, s->owner_unit, sid, r))
		goto out;
	rc = ag_registry_add(q->ws, &set, 1, who->actor, id != NULL, &err);
	if (rc) {
		api_fail(r, rc, &err);
		goto out;
	}
	get_systems(q, sid, r);
	if (r->status == 200 && !id)
		r->status = 201;
out:
	ag_system_set_free(set);
}

static const char *const evidence_fields[] = { "control", "url", "note", NULL };
static const char *const approval_fields[] = { "control", "note", NULL };

static void post_evidence(const struct api_request *q, const struct ag_identity *who,
			  const char *id, bool approval, struct api_response *r)
{
	const char *control, *url = NULL, *note;
	struct ag_err err;
	struct ag_json j;
	json_t *o = api_body_object(q, r, approval ? approval_fields : evidence_fields);
	int rc;

	if (!o)
		return;
	if (!api_body_string(o, "control", true, &control, r) ||
	    (!approval && !api_body_string(o, "url", true, &url, r)) ||
	    !api_body_string(o, "note", false, &note, r))
		goto out;
	if (!api_may_act_on(q, who, id, r))
		goto out;
	if (approval)
		rc = ag_approve(q->ws, q->catalog, id, control, note, who->actor, &err);
	else
		rc = ag_evidence_add(q->ws, q->catalog, id, control, url, true, note, who->actor,
				     NULL, &err);
	if (rc) {
		api_fail(r, rc, &err);
		goto out;
	}
	ag_json_init(&j, &r->body, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "system");
	ag_json_cstr(&j, id);
	ag_json_key(&j, "control");
	ag_json_cstr(&j, control);
	if (url) {
		ag_json_key(&j, "url");
		ag_json_cstr(&j, url);
	}
	ag_json_key(&j, "note");
	ag_json_cstr(&j, note);
	ag_json_key(&j, approval ? "approver" : "actor");
	ag_json_cstr(&j, who->actor);
	ag_json_end_object(&j);
	api_json_ok(r, 201, &j);
out:
	json_decref(o);
}

/* The body as a file: ?control=C&name=NAME[&note=TEXT], any content type. */
static void post_evidence_file(const struct api_request *q, const struct ag_identity *who,
			       const char *id, struct api_response *r)
{
	const char *control = q->query ? q->query(q->query_ctx, "control") : NULL;
	const char *name = q->query ? q->query(q->query_ctx, "name") : NULL;
	const char *note = q->query ? q->query(q->query_ctx, "note") : NULL;
	char sha[65];
	struct ag_err err;
	struct ag_json j;
	int rc;

	if (!control || !*control || !name || !*name) {
		api_problem(r, 400, "query parameters 'control' and 'name' are required "
			    "(?control=ID&name=FILE.pdf[&note=TEXT])");
		return;
	}
	if (!api_may_act_on(q, who, id, r))
		return;
	rc = ag_evidence_add_bytes(q->ws, q->catalog, id, control, name, q->body, q->body_len,
				   note && *note ? note : NULL, who->actor, sha, &err);
	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	ag_json_init(&j, &r->body, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "system");
	ag_json_cstr(&j, id);
	ag_json_key(&j, "control");
	ag_json_cstr(&j, control);
	ag_json_key(&j, "file");
	ag_json_cstr(&j, name);
	ag_json_key(&j, "sha256");
	ag_json_cstr(&j, sha);
	ag_json_key(&j, "size");
	ag_json_u64(&j, q->body_len);
	ag_json_key(&j, "note");
	ag_json_cstr(&j, note && *note ? note : NULL);
	ag_json_key(&j, "actor");
	ag_json_cstr(&j, who->actor);
	ag_json_end_object(&j);
	api_json_ok(r, 201, &j);
}

/* ---- log-in sessions ---- */

static const char *const login_fields[] = { "name", "password", NULL };

/* Seconds before another log-in may be tried for name or from the client. */
static unsigned login_wait(const struct api_request *q, const char *kname, const char *kaddr)
{
	int64_t now_s = q->now / 1000000;
	unsigned w = throttle_wait(q->throttle, kname, THROTTLE_NAME_FAILS, now_s);
	unsigned wa = q->client ? throttle_wait(q->throttle, kaddr, THROTTLE_ADDR_FAILS, now_s) : 0;

	return w > wa ? w : wa;
}

static void post_session(const struct api_request *q, struct api_response *r)
{
	int minutes = q->session_minutes ? q->session_minutes : DEFAULT_SESSION_MINUTES;
	char cookie[AG_TOKEN_LEN + 1], expires[32], kname[96], kaddr[96];
	const char *name, *password;
	struct ag_identity who;
	struct ag_err err;
	struct ag_json j;
	json_t *o = api_body_object(q, r, login_fields);
	unsigned wait;
	int rc;

	if (!o)
		return;
	if (!api_body_string(o, "name", true, &name, r) || !api_body_string(o, "password", true, &password, r))
		goto out;
	snprintf(kname, sizeof(kname), "n:%s", name);
	snprintf(kaddr, sizeof(kaddr), "a:%s", q->client ? q->client : "");
	if (q->throttle && (wait = login_wait(q, kname, kaddr))) {
		if (q->metrics)
			atomic_fetch_add(&q->metrics->logins_throttled, 1);
		r->retry_after = wait;
		api_problem(r, 429, "too many failed log-ins for this user or from this address: try "
			    "again in %u s", wait);
		goto out;
	}
	rc = ag_session_login(q->ws, name, password, strlen(password), q->now, minutes, cookie,
			      expires, &who, &err);
	if (rc == AG_EPERM) {
		if (q->throttle) {
			throttle_fail(q->throttle, kname, q->now / 1000000);
			if (q->client)
				throttle_fail(q->throttle, kaddr, q->now / 1000000);
		}
		if (q->metrics)
			atomic_fetch_add(&q->metrics->logins_failed, 1);
		r->authenticate = true;
		api_problem(r, 401, "%s", err.msg);
		goto out;
	}
	if (rc) {
		api_fail(r, rc, &err);
		goto out;
	}
	if (q->throttle)
		throttle_clear(q->throttle, kname);
	session_cookie(q, r, cookie, (long)minutes * 60);
	snprintf(r->actor, sizeof(r->actor), "%s", who.actor);
	ag_json_init(&j, &r->body, false);
	write_me(&j, &who, cookie, expires);
	api_json_ok(r, 201, &j);
	sodium_memzero(cookie, sizeof(cookie));
out:
	json_decref(o);
}

static void delete_session(const struct api_request *q, bool by_cookie, struct api_response *r)
{
	struct ag_err err;
	int rc;

	if (!by_cookie) {
		api_problem(r, 400, "DELETE /api/v1/session ends a log-in session; API tokens are "
			    "revoked with 'aigov token revoke'");
		return;
	}
	rc = ag_session_logout(q->ws, q->cookie, strlen(q->cookie), q->now, &err);
	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	session_cookie(q, r, NULL, 0);
	r->status = 204;
	r->content_type = NULL;
}

/* ---- assessments, history, third parties, cases, statistics ---- */

static const char *const assess_fields[] = { "tier", "justification", NULL };

static void post_assessment(const struct api_request *q, const struct ag_identity *who,
			    const char *id, struct api_response *r)
{
	const char *tier_s, *justification;
	struct ag_assessment a;
	struct ag_assessment_info info;
	struct ag_buf json;
	struct ag_err err;
	json_t *o = api_body_object(q, r, assess_fields);
	int tier = -1, rc;

	if (!o)
		return;
	ag_buf_init(&json);
	if (!api_body_string(o, "tier", false, &tier_s, r) ||
	    !api_body_string(o, "justification", false, &justification, r))
		goto out;
	if (tier_s) {
		for (int t = 0; ag_tier_ids[t] && tier < 0; t++)
			if (!strcmp(tier_s, ag_tier_ids[t]))
				tier = t;
		if (tier < 0) {
			api_problem(r, 400, "request body: 'tier' must be low, medium or high");
			goto out;
		}
	}
	if (justification && tier < 0) {
		api_problem(r, 400, "request body: 'justification' goes with 'tier' (an override)");
		goto out;
	}
	if (!q->risk_method) {
		api_problem(r, 500, "no risk method");
		goto out;
	}
	rc = ag_registry_assess(q->ws, id, q->risk_method, q->catalog, who->actor, tier,
				justification, &a, &info, &json, &err);
	if (rc) {
		api_fail(r, rc, &err);
		goto out;
	}
	ag_buf_reset(&r->body);
	if (ag_buf_add(&r->body, json.buf, json.len)) {
		api_problem(r, 500, "out of memory");
		goto out;
	}
	r->status = 201;
	r->content_type = "application/json";
out:
	ag_buf_release(&json);
	json_decref(o);
}

static void vendor_entry(void *ctx, const char *id, const char *descriptor_json)
{
	(void)id;
	ag_json_raw(ctx, descriptor_json, strlen(descriptor_json));
}

static void get_vendors(const struct api_request *q, const char *unused, struct api_response *r)
{
	struct ag_json j;
	struct ag_err err;
	int rc;

	(void)unused;
	ag_json_init(&j, &r->body, false);
	ag_json_begin_array(&j);
	rc = ag_vendor_list(q->ws, vendor_entry, &j, &err);
	ag_json_end_array(&j);
	if (rc)
		api_fail(r, rc, &err);
	else
		api_json_ok(r, 200, &j);
}

/* incidents, appeals (ag_cases_json's tables) or the statistics (NULL). */
static void get_cases(const struct api_request *q, const char *table, struct api_response *r)
{
	struct ag_json j;
	struct ag_err err;
	int rc;

	ag_json_init(&j, &r->body, false);
	rc = table ? ag_cases_json(q->ws, table, &j, &err) : ag_stats_json(q->ws, &j, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		api_json_ok(r, 200, &j);
}

/* ---- reads every role may make, kept in the read cache (cache.c) ---- */

typedef void read_fn(const struct api_request *q, const char *arg, struct api_response *r);

/*
 * fn(q, arg, r) in one read transaction, so that the body is one
 * consistent snapshot (and the gap report's thousands of statements do not
 * each begin their own); from the cache, under key, when the ledger has
 * not grown since.  key NULL: not cached.
 */
static void cached_read(const struct api_request *q, const char *key, read_fn *fn,
			const char *arg, struct api_response *r)
{
	struct ag_store *st = q->ws->store;
	bool cache = q->cache && key;
	struct ag_err err;
	uint64_t head = 0;
	int rc;

	r->vary = cache;
	if (cache && cache_get(q->cache, key, q->ledger_size, q->now, q->gzip, &r->body, &r->gzip)) {
		r->status = 200;
		r->content_type = "application/json";
		return;
	}
	/* The size again, inside the snapshot the body is read from. */
	rc = ag_store_begin(st, false, &err);
	if (!rc && cache)
		rc = ag_ledger_size(st, &head, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		fn(q, arg, r);
	if (!rc && cache && r->status == 200)
		cache_put(q->cache, key, head, q->now, r->body.buf, r->body.len);
	ag_store_rollback(st); /* only read: ending it changes nothing */
}

/* ---- what needs no user: the UI's files, the API's description, metrics ---- */

static const char *asset_type(const char *name)
{
	static const char *const types[][2] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".json", "application/json" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i][0]))
			return types[i][1];
	return "application/octet-stream";
}

/* The embedded files only, by exact name: nothing is read from disk, so
 * no path (../, %2e%2e, //) reaches anything else. */
static void get_asset(const struct api_request *q, struct api_response *r)
{
	const char *name = !strcmp(q->path, "/") ? "index.html"
			 : !strcmp(q->path, "/favicon.ico") ? "favicon.svg"
			 : q->path + 5;

	if (!get_only(q, r))
		return;
	for (size_t i = 0; i < web_assets_count; i++) {
		const struct web_asset *a = &web_assets[i];
		if (strcmp(a->name, name))
			continue;
		if (ag_buf_add(&r->body, (const char *)a->data, *a->len)) {
			api_problem(r, 500, "out of memory");
			return;
		}
		r->status = 200;
		r->content_type = asset_type(name);
		r->cache = "no-cache";
		if (strstr(r->content_type, "html"))
			r->csp = "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
				 "form-action 'self'; frame-ancestors 'none'";
		return;
	}
	api_problem(r, 404, "no such file: %.200s", q->path);
}

static void get_openapi(const struct api_request *q, struct api_response *r)
{
	if (!get_only(q, r))
		return;
	if (ag_buf_add(&r->body, (const char *)openapi_yaml, openapi_yaml_len)) {
		api_problem(r, 500, "out of memory");
		return;
	}
	r->status = 200;
	r->content_type = "application/yaml";
}

/* Prometheus' text format, version 0.0.4. */
static void get_metrics(const struct api_request *q, struct api_response *r)
{
	static const char *const le[METRIC_BUCKETS] = { "0.0005", "0.001", "0.0025", "0.005",
							"0.01", "0.025", "0.1", "+Inf" };
	const struct api_metrics *m = q->metrics;
	struct ag_buf *b = &r->body;
	uint64_t cum = 0;

	if (!get_only(q, r))
		return;
	if (!m) {
		api_problem(r, 404, "no metrics here");
		return;
	}
	ag_buf_addstr(b, "# HELP aigov_http_requests_total Requests answered, by status class.\n"
			 "# TYPE aigov_http_requests_total counter\n");
	for (unsigned c = 1; c <= 5; c++)
		ag_buf_addf(b, "aigov_http_requests_total{code=\"%uxx\"} %llu\n", c,
			    (unsigned long long)atomic_load(&m->by_class[c]));
	ag_buf_addstr(b, "# HELP aigov_http_request_duration_seconds Time to answer a request.\n"
			 "# TYPE aigov_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < METRIC_BUCKETS; i++) {
		cum += atomic_load(&m->duration[i]);
		ag_buf_addf(b, "aigov_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n", le[i],
			    (unsigned long long)cum);
	}
	ag_buf_addf(b, "aigov_http_request_duration_seconds_sum %.6f\n"
		       "aigov_http_request_duration_seconds_count %llu\n",
		    (double)atomic_load(&m->duration_us_sum) / 1e6, (unsigned long long)cum);
	ag_buf_addf(b, "# HELP aigov_login_failures_total Log-ins refused for a wrong name or password.\n"
		       "# TYPE aigov_login_failures_total counter\n"
		       "aigov_login_failures_total %llu\n"
		       "# HELP aigov_login_throttled_total Log-ins refused by the throttle (429).\n"
		       "# TYPE aigov_login_throttled_total counter\n"
		       "aigov_login_throttled_total %llu\n"
		       "# HELP aigov_start_time_seconds When the server started (Unix time).\n"
		       "# TYPE aigov_start_time_seconds gauge\n"
		       "aigov_start_time_seconds %lld\n",
		    (unsigned long long)atomic_load(&m->logins_failed),
		    (unsigned long long)atomic_load(&m->logins_throttled),
		    (long long)(m->started / 1000000));
	if (q->cache)
		ag_buf_addf(b, "# HELP aigov_read_cache_hits_total Reads answered from the read cache.\n"
			       "# TYPE aigov_read_cache_hits_total counter\n"
			       "aigov_read_cache_hits_total %llu\n"
			       "# HELP aigov_read_cache_misses_total Reads made afresh.\n"
			       "# TYPE aigov_read_cache_misses_total counter\n"
			       "aigov_read_cache_misses_total %llu\n",
			    (unsigned long long)atomic_load(&q->cache->hits),
			    (unsigned long long)atomic_load(&q->cache->misses));
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* ---- routing ---- */

static size_t split(char *path, char **seg)
{
	char *save = NULL;
	size_t n = 0;

	for (char *p = strtok_r(path, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (n == MAX_SEGMENTS)
			return MAX_SEGMENTS + 1;
		seg[n++] = p;
	}
	return n;
}

/* Content-Disposition for a download named `name` (UTF-8 without control
 * characters): an ASCII fallback and the RFC 5987 form. */
static void attachment(struct api_response *r, const char *name)
{
	char ascii[96], pct[3 * 200 + 4]; /* names are at most 200 bytes */
	size_t a = 0, p = 0;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if (a + 1 < sizeof(ascii))
			ascii[a++] = *c < 0x80 && *c != '"' && *c != '\\' && *c != ';' ? (char)*c : '_';
		if (p + 4 > sizeof(pct))
			continue;
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("-._~", *c))
			pct[p++] = (char)*c;
		else
			p += (size_t)snprintf(pct + p, 4, "%%%02X", *c);
	}
	ascii[a] = pct[p] = '\0';
	snprintf(r->disposition, sizeof(r->disposition),
		 "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, pct);
}

/* GET /systems/{id}/evidence/files/{sha256}: an uploaded file, checked
 * against its recorded hash before a byte is sent. */
static void get_evidence_file(const struct api_request *q, const char *id, const char *sha,
			      struct api_response *r)
{
	char name[220];
	struct ag_err err;
	int rc = ag_evidence_file(q->ws, id, sha, &r->body, name, sizeof(name), &err);

	if (rc == AG_ECORRUPT) {
		api_problem(r, 500, "%s", err.msg);
		return;
	}
	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	attachment(r, name);
	r->status = 200;
	r->content_type = "application/octet-stream";
}

/* GET /catalog: the workspace's control catalog, both languages. */
static void get_catalog(const struct api_request *q, struct api_response *r)
{
	const struct ag_catalog *c = q->catalog;
	struct ag_json j;

	if (!c) {
		api_problem(r, 404, "no catalog");
		return;
	}
	ag_json_init(&j, &r->body, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "version");
	ag_json_cstr(&j, c->version);
	ag_json_key(&j, "sha256");
	ag_json_cstr(&j, c->sha256);
	ag_json_key(&j, "controls");
	ag_json_begin_array(&j);
	for (size_t i = 0; i < c->ncontrols; i++)
		ag_view_control(&j, &c->controls[i]);
	ag_json_end_array(&j);
	ag_json_end_object(&j);
	api_json_ok(r, 200, &j);
}

static void get_system(const struct api_request *q, const char *id, struct api_response *r)
{
	char key[sizeof(((struct cache_slot *)0)->key)];
	int len = snprintf(key, sizeof(key), "systems/%s", id);

	cached_read(q, len > 0 && (size_t)len < sizeof(key) ? key : NULL, get_systems, id, r);
}

static void get_history(const struct api_request *q, const char *id, struct api_response *r)
{
	char unit[AG_USER_UNIT_MAX + 1], subject[300];
	struct ag_err err;
	int rc = system_unit(q, id, unit, sizeof(unit), &err);

	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	snprintf(subject, sizeof(subject), "system:%s", id);
	get_log(q, subject, r);
}

/* /systems/{id}[/sub[/sub2[/sub3]]] */
static void route_system(const struct api_request *q, const struct ag_identity *who,
			 const char *id, const char *sub, const char *sub2, const char *sub3,
			 struct api_response *r)
{
	if (sub2) {
		if (strcmp(sub, "evidence") || strcmp(sub2, "files"))
			api_problem(r, 404, "no such endpoint: %.200s (see docs/serve.md)", q->path);
		else if (sub3 && api_method_is(q, r, "GET", "GET") &&
			 api_require(who, ALL_ROLES, r, "read this"))
			get_evidence_file(q, id, sub3, r);
		else if (!sub3 && api_method_is(q, r, "POST", "POST") &&
			 api_require(who, OWNER_RISK, r, "add evidence"))
			post_evidence_file(q, who, id, r);
	} else if (!sub && !strcmp(q->method, "PUT")) {
		if (api_require(who, OWNER_RISK, r, "edit systems"))
			put_system(q, who, id, r);
	} else if (!sub) {
		if (api_method_is(q, r, "GET", "GET, PUT") && api_require(who, ALL_ROLES, r, "read this"))
			get_system(q, id, r);
	} else if (!strcmp(sub, "evidence")) {
		if (api_method_is(q, r, "POST", "POST") && api_require(who, OWNER_RISK, r, "add evidence"))
			post_evidence(q, who, id, false, r);
	} else if (!strcmp(sub, "approvals")) {
		if (api_method_is(q, r, "POST", "POST") && api_require(who, R(AG_USER_RISK), r, "approve"))
			post_evidence(q, who, id, true, r);
	} else if (!strcmp(sub, "assessments")) {
		if (api_method_is(q, r, "POST", "POST") && api_require(who, R(AG_USER_RISK), r, "assess"))
			post_assessment(q, who, id, r);
	} else if (!strcmp(sub, "history")) {
		if (api_method_is(q, r, "GET", "GET") && api_require(who, ALL_ROLES, r, "read this"))
			get_history(q, id, r);
	} else {
		api_problem(r, 404, "no such endpoint: %.200s (see docs/serve.md)", q->path);
	}
}

/* Endpoints every role reads, without a path parameter: false when name
 * is none of them. */
static bool route_read(const struct api_request *q, const struct ag_identity *who,
		       const char *name, struct api_response *r)
{
	static const struct {
		const char *name;
		read_fn *fn;
		const char *arg;   /* fn's; for gaps, the query's system instead */
		const char *allow; /* the methods of the path (POST: cases.c) */
	} reads[] = { { "gaps", get_gaps, NULL, "GET" },
		      { "vendors", get_vendors, NULL, "GET, POST" },
		      { "incidents", get_cases, "incident", "GET, POST" },
		      { "appeals", get_cases, "appeal", "GET, POST" },
		      { "stats", get_cases, NULL, "GET" } };
	size_t i = 0, n = sizeof(reads) / sizeof(reads[0]);
	const char *system = NULL;
	char key[sizeof(((struct cache_slot *)0)->key)];
	int len;

	while (i < n && strcmp(name, reads[i].name))
		i++;
	if (i == n)
		return false;
	if (!api_method_is(q, r, "GET", reads[i].allow) ||
	    !api_require(who, ALL_ROLES, r, "read this"))
		return true;
	/* The only parameter any of them reads. */
	if (reads[i].fn == get_gaps && q->query)
		system = q->query(q->query_ctx, "system");
	len = snprintf(key, sizeof(key), "%s%s%s", name, system ? "?system=" : "",
		       system ? system : "");
	cached_read(q, len > 0 && (size_t)len < sizeof(key) ? key : NULL, reads[i].fn,
		    system ? system : reads[i].arg, r);
	return true;
}

static void route(const struct api_request *q, const struct ag_identity *who, bool by_cookie,
		  char **seg, size_t n, struct api_response *r)
{
	if (n == 1 && !strcmp(seg[0], "me")) {
		if (api_method_is(q, r, "GET", "GET"))
			get_me(q, who, by_cookie, r);
	} else if (n == 1 && !strcmp(seg[0], "session")) {
		if (api_method_is(q, r, "DELETE", "POST, DELETE"))
			delete_session(q, by_cookie, r);
	} else if (n == 1 && !strcmp(seg[0], "systems")) {
		if (!strcmp(q->method, "POST")) {
			if (api_require(who, OWNER_RISK, r, "register systems"))
				put_system(q, who, NULL, r);
		} else if (api_method_is(q, r, "GET", "GET, POST") && api_require(who, ALL_ROLES, r, "read this")) {
			cached_read(q, "systems", get_systems, NULL, r);
		}
	} else if (api_route_cases(q, who, seg, n, r)) {
		/* answered */
	} else if (n >= 2 && n <= 5 && !strcmp(seg[0], "systems")) {
		route_system(q, who, seg[1], n > 2 ? seg[2] : NULL, n > 3 ? seg[3] : NULL,
			     n > 4 ? seg[4] : NULL, r);
	} else if (n == 1 && !strcmp(seg[0], "catalog")) {
		if (api_method_is(q, r, "GET", "GET") && api_require(who, ALL_ROLES, r, "read this"))
			get_catalog(q, r);
	} else if (n == 1 && route_read(q, who, seg[0], r)) {
		/* answered */
	} else if (n == 2 && !strcmp(seg[0], "ledger") && !strcmp(seg[1], "verify")) {
		if (api_method_is(q, r, "GET", "GET") && api_require(who, ALL_ROLES, r, "read this"))
			get_verify(q, r);
	} else if (n == 2 && !strcmp(seg[0], "ledger") && !strcmp(seg[1], "log")) {
		if (api_method_is(q, r, "GET", "GET") && api_require(who, LEDGER_READERS, r, "read the ledger"))
			get_log(q, NULL, r);
	} else if (n == 2 && !strcmp(seg[0], "ledger") && !strcmp(seg[1], "proof")) {
		if (api_method_is(q, r, "GET", "GET") && api_require(who, LEDGER_READERS, r, "read the ledger"))
			get_proof(q, r);
	} else if (n == 2 && !strcmp(seg[0], "ledger") && !strcmp(seg[1], "consistency")) {
		if (api_method_is(q, r, "GET", "GET") && api_require(who, LEDGER_READERS, r, "read the ledger"))
			get_consistency(q, r);
	} else {
		api_problem(r, 404, "no such endpoint: %.200s (see docs/serve.md)", q->path);
	}
}

/* What answers without a user: health, the UI's files, the API's
 * description, metrics, and the log-in itself.  True when answered. */
static bool route_public(const struct api_request *q, struct api_response *r)
{
	const char *p = q->path;

	if (!strcmp(p, "/healthz")) {
		if (get_only(q, r)) {
			ag_buf_addstr(&r->body, "{\"status\":\"ok\"}");
			r->status = 200;
		}
	} else if (!strcmp(p, "/") || !strncmp(p, "/web/", 5) || !strcmp(p, "/favicon.ico")) {
		get_asset(q, r);
	} else if (!strcmp(p, "/api/v1/openapi.yaml")) {
		get_openapi(q, r);
	} else if (!strcmp(p, "/metrics")) {
		get_metrics(q, r);
	} else if (!strcmp(p, "/api/v1/session") && !strcmp(q->method, "POST")) {
		post_session(q, r);
	} else {
		return false;
	}
	return true;
}

void api_handle(const struct api_request *request, struct api_response *r)
{
	struct api_request copy = *request, *q = &copy;
	struct ag_err err;
	int rc;
	char path[512], *seg[MAX_SEGMENTS + 1];
	struct ag_identity who;
	bool by_cookie;
	size_t n;

	r->status = 500;
	r->content_type = "application/json";
	r->allow = NULL;
	r->csp = NULL;
	r->cache = NULL;
	r->authenticate = false;
	r->gzip = r->vary = false;
	r->retry_after = 0;
	r->set_cookie[0] = '\0';
	r->disposition[0] = '\0';
	r->actor[0] = '\0';
	if (route_public(q, r))
		return;
	if (strncmp(q->path, "/api/v1/", 8) || strlen(q->path) >= sizeof(path)) {
		api_problem(r, 404, "no such endpoint: %.200s (the API is under /api/v1/)", q->path);
		return;
	}
	memcpy(path, q->path + 8, strlen(q->path + 8) + 1);
	n = split(path, seg);
	if (n == 0 || n > MAX_SEGMENTS) {
		api_problem(r, 404, "no such endpoint: %.200s", q->path);
		return;
	}
	/* What the caches are checked against: one statement per request. */
	if (q->cache && (rc = ag_ledger_size(q->ws->store, &q->ledger_size, &err))) {
		api_fail(r, rc, &err);
		return;
	}
	if (!authenticate(q, r, &who, &by_cookie) || (by_cookie && !csrf_ok(q, r)))
		return;
	route(q, &who, by_cookie, seg, n, r);
}
