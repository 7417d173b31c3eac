/*
 * The JSON API under /api/v1 (docs/serve.md): routing, authentication,
 * the permission matrix, request bodies, problem details (RFC 9457).
 */
#include "internal.h"

#include "aigov/identity.h"
#include "aigov/json.h"
#include "aigov/registry.h"
#include "aigov/views.h"

#include <jansson.h>
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
	default: return "Internal Server Error";
	}
}

/* An RFC 9457 problem: type about:blank, so the title is the status's. */
static void __attribute__((format(printf, 3, 4)))
problem(struct api_response *r, unsigned status, const char *fmt, ...)
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
static void fail(struct api_response *r, int rc, const struct ag_err *err)
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
	problem(r, status, "%s", status == 500 ? "the server could not complete the request" : err->msg);
}

static void json_ok(struct api_response *r, unsigned status, struct ag_json *j)
{
	if (ag_json_failed(j)) {
		problem(r, 500, "out of memory");
		return;
	}
	r->status = status;
	r->content_type = "application/json";
}

/* ---- who asks, and what they may do ---- */

static bool authenticate(const struct api_request *q, struct api_response *r,
			 struct ag_identity *who)
{
	const char *h = q->authorization;
	struct ag_err err;
	int rc;

	if (!h || strncasecmp(h, "Bearer ", 7)) {
		r->authenticate = true;
		problem(r, 401, "send 'Authorization: Bearer <token>' (aigov token create)");
		return false;
	}
	h += 7;
	while (*h == ' ')
		h++;
	rc = ag_token_authenticate(q->ws, h, strlen(h), q->now, who, &err);
	if (rc == AG_EPERM) {
		/* Which of malformed, unknown, revoked or expired is not told. */
		r->authenticate = true;
		problem(r, 401, "the token is not valid");
		return false;
	}
	if (rc) {
		fail(r, rc, &err);
		return false;
	}
	snprintf(r->actor, sizeof(r->actor), "%s", who->actor);
	return true;
}

static bool role_in(const struct ag_identity *who, unsigned mask)
{
	return (mask >> who->role) & 1u;
}

#define R(x) (1u << (x))
#define ALL_ROLES (R(AG_USER_OWNER) | R(AG_USER_RISK) | R(AG_USER_AUDITOR) | R(AG_USER_BOARD) | \
		   R(AG_USER_ADMIN))

static bool require(const struct ag_identity *who, unsigned mask, struct api_response *r,
		    const char *what)
{
	if (role_in(who, mask))
		return true;
	problem(r, 403, "%s: the %s role may not %s", who->name, ag_user_role_ids[who->role], what);
	return false;
}

/* Owners write only their own unit's systems. */
static bool owner_may_write(const struct ag_identity *who, const char *owner_unit,
			    const char *system_id, struct api_response *r)
{
	if (who->role != AG_USER_OWNER || (owner_unit && !strcmp(owner_unit, who->unit)))
		return true;
	problem(r, 403, "%s owns systems of unit '%s'; %s belongs to '%s'", who->name, who->unit,
		system_id, owner_unit ? owner_unit : "");
	return false;
}

/* ---- request bodies ---- */

/* The body as a JSON object whose members are all in `fields` (NULL-ended). */
static json_t *body_object(const struct api_request *q, struct api_response *r,
			   const char *const *fields)
{
	json_error_t e;
	json_t *o;
	const char *key;
	json_t *v;

	if (!q->content_type || strncasecmp(q->content_type, "application/json", 16)) {
		problem(r, 415, "send the body as application/json");
		return NULL;
	}
	o = json_loadb(q->body ? q->body : "", q->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!o) {
		problem(r, 400, "request body: line %d, column %d: %s", e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		problem(r, 400, "request body: expected a JSON object");
		return NULL;
	}
	json_object_foreach(o, key, v) {
		bool known = false;
		for (const char *const *f = fields; *f && !known; f++)
			known = !strcmp(key, *f);
		if (!known) {
			problem(r, 400, "request body: unknown field '%s'", key);
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Member `key` as a string: required or optional (NULL when absent). */
static bool body_string(json_t *o, const char *key, bool required, const char **out,
			struct api_response *r)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v && !required)
		return true;
	if (!json_is_string(v) || !json_string_length(v) ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		problem(r, 400, "request body: '%s' %s", key,
			v ? "must be a non-empty string" : "is required");
		return false;
	}
	*out = json_string_value(v);
	return true;
}

/* ---- handlers ---- */

static void get_me(const struct ag_identity *who, struct api_response *r)
{
	struct ag_json j;

	ag_json_init(&j, &r->body, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "name");
	ag_json_cstr(&j, who->name);
	ag_json_key(&j, "actor");
	ag_json_cstr(&j, who->actor);
	ag_json_key(&j, "role");
	ag_json_cstr(&j, ag_user_role_ids[who->role]);
	ag_json_key(&j, "unit");
	ag_json_cstr(&j, who->unit[0] ? who->unit : NULL);
	ag_json_end_object(&j);
	json_ok(r, 200, &j);
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
		fail(r, rc, &err);
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
			ag_json_key(&j, "descriptor");
			ag_system_write_json(&j, s);
		}
		ag_json_end_object(&j);
	}
	if (!id)
		ag_json_end_array(&j);
	ag_system_set_free(set);
	if (rc)
		fail(r, rc, &err);
	else
		json_ok(r, 200, &j);
}

static void get_gaps(const struct api_request *q, struct api_response *r)
{
	const char *id = q->query ? q->query(q->query_ctx, "system") : NULL;
	struct ag_system_set *set = NULL;
	struct ag_json j;
	struct ag_err err;
	int rc = ag_registry_load(q->ws, id, &set, &err);

	if (rc) {
		fail(r, rc, &err);
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
		fail(r, rc, &err);
	else
		json_ok(r, 200, &j);
}

static void get_verify(const struct api_request *q, struct api_response *r)
{
	struct ag_verify_report rep;
	struct ag_json j;
	struct ag_err err;
	int rc = ag_ledger_verify(q->ws->store, &q->ws->key, q->ws->cfg.workspace_id, &rep, &err);

	if (rc) {
		fail(r, rc, &err);
		return;
	}
	ag_json_init(&j, &r->body, false);
	ag_view_verify_report(&j, &rep);
	json_ok(r, 200, &j);
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
		problem(r, 400, "query parameter '%s': expected a whole number from %llu to %llu", key,
			(unsigned long long)lo, (unsigned long long)hi);
		return false;
	}
	*out = n;
	return true;
}

static void get_log(const struct api_request *q, struct api_response *r)
{
	struct ag_ledger_filter f = { 0, NULL, 0 };
	struct ag_json j;
	struct ag_err err;
	int rc;

	if (!query_u64(q, "since", 0, UINT64_MAX / 2, 0, &f.since, r) ||
	    !query_u64(q, "limit", 1, 1000, 100, &f.limit, r))
		return;
	f.subject = q->query ? q->query(q->query_ctx, "subject") : NULL;
	ag_json_init(&j, &r->body, false);
	ag_json_begin_array(&j);
	rc = ag_ledger_log(q->ws->store, &f, log_entry, &j, &err);
	ag_json_end_array(&j);
	if (rc)
		fail(r, rc, &err);
	else
		json_ok(r, 200, &j);
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

static void post_system(const struct api_request *q, const struct ag_identity *who,
			struct api_response *r)
{
	struct ag_system_set *set = NULL;
	struct ag_err err;
	json_error_t e;
	json_t *o;
	int rc;

	if (!q->content_type || strncasecmp(q->content_type, "application/json", 16)) {
		problem(r, 415, "send the descriptor as application/json");
		return;
	}
	/* jansson first, for JSON's own errors by line and column; the
	 * descriptor reader (YAML, of which JSON is a part) checks the rest. */
	o = json_loadb(q->body ? q->body : "", q->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!o || !json_is_object(o)) {
		if (o)
			problem(r, 400, "request body: expected a JSON object (one system)");
		else
			problem(r, 400, "request body: line %d, column %d: %s", e.line, e.column,
				e.text);
		json_decref(o);
		return;
	}
	json_decref(o);
	rc = ag_systems_parse(&set, q->body, q->body_len, "request body", &err);
	if (rc) {
		fail(r, rc, &err);
		return;
	}
	if (set->n != 1) {
		problem(r, 400, "request body: one system per request");
	} else if (owner_may_write(who, set->systems[0].owner_unit, set->systems[0].id, r)) {
		rc = ag_registry_add(q->ws, &set, 1, who->actor, false, &err);
		if (rc)
			fail(r, rc, &err);
		else {
			char id[256];
			snprintf(id, sizeof(id), "%s", set->systems[0].id);
			get_systems(q, id, r);
			if (r->status == 200)
				r->status = 201;
		}
	}
	ag_system_set_free(set);
}

static const char *const evidence_fields[] = { "control", "url", "note", NULL };
static const char *const approval_fields[] = { "control", "note", NULL };

static void post_evidence(const struct api_request *q, const struct ag_identity *who,
			  const char *id, bool approval, struct api_response *r)
{
	const char *control, *url = NULL, *note;
	char unit[AG_USER_UNIT_MAX + 1];
	struct ag_err err;
	struct ag_json j;
	json_t *o = body_object(q, r, approval ? approval_fields : evidence_fields);
	int rc;

	if (!o)
		return;
	if (!body_string(o, "control", true, &control, r) ||
	    (!approval && !body_string(o, "url", true, &url, r)) ||
	    !body_string(o, "note", false, &note, r))
		goto out;
	rc = system_unit(q, id, unit, sizeof(unit), &err);
	if (rc) {
		fail(r, rc, &err);
		goto out;
	}
	if (!owner_may_write(who, unit, id, r))
		goto out;
	if (approval)
		rc = ag_approve(q->ws, q->catalog, id, control, note, who->actor, &err);
	else
		rc = ag_evidence_add(q->ws, q->catalog, id, control, url, true, note, who->actor,
				     NULL, &err);
	if (rc) {
		fail(r, rc, &err);
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
	json_ok(r, 201, &j);
out:
	json_decref(o);
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

static bool method_is(const struct api_request *q, struct api_response *r, const char *want,
		      const char *allow)
{
	if (!strcmp(q->method, want))
		return true;
	r->allow = allow;
	problem(r, 405, "%s is not allowed here (allowed: %s)", q->method, allow);
	return false;
}

static void route(const struct api_request *q, const struct ag_identity *who, char **seg,
		  size_t n, struct api_response *r)
{
	const char *read_why = "read this";

	if (n == 1 && !strcmp(seg[0], "me")) {
		if (method_is(q, r, "GET", "GET"))
			get_me(who, r);
	} else if (n == 1 && !strcmp(seg[0], "systems")) {
		if (!strcmp(q->method, "POST")) {
			if (require(who, R(AG_USER_OWNER) | R(AG_USER_RISK), r, "register systems"))
				post_system(q, who, r);
		} else if (method_is(q, r, "GET", "GET, POST") && require(who, ALL_ROLES, r, read_why)) {
			get_systems(q, NULL, r);
		}
	} else if (n == 2 && !strcmp(seg[0], "systems")) {
		if (method_is(q, r, "GET", "GET") && require(who, ALL_ROLES, r, read_why))
			get_systems(q, seg[1], r);
	} else if (n == 3 && !strcmp(seg[0], "systems") && !strcmp(seg[2], "evidence")) {
		if (method_is(q, r, "POST", "POST") &&
		    require(who, R(AG_USER_OWNER) | R(AG_USER_RISK), r, "add evidence"))
			post_evidence(q, who, seg[1], false, r);
	} else if (n == 3 && !strcmp(seg[0], "systems") && !strcmp(seg[2], "approvals")) {
		if (method_is(q, r, "POST", "POST") && require(who, R(AG_USER_RISK), r, "approve"))
			post_evidence(q, who, seg[1], true, r);
	} else if (n == 1 && !strcmp(seg[0], "gaps")) {
		if (method_is(q, r, "GET", "GET") && require(who, ALL_ROLES, r, read_why))
			get_gaps(q, r);
	} else if (n == 2 && !strcmp(seg[0], "ledger") && !strcmp(seg[1], "verify")) {
		if (method_is(q, r, "GET", "GET") && require(who, ALL_ROLES, r, read_why))
			get_verify(q, r);
	} else if (n == 2 && !strcmp(seg[0], "ledger") && !strcmp(seg[1], "log")) {
		if (method_is(q, r, "GET", "GET") &&
		    require(who, R(AG_USER_RISK) | R(AG_USER_AUDITOR) | R(AG_USER_ADMIN), r,
			    "read the ledger"))
			get_log(q, r);
	} else {
		problem(r, 404, "no such endpoint: %s (see docs/serve.md)", q->path);
	}
}

void api_handle(const struct api_request *q, struct api_response *r)
{
	char path[512], *seg[MAX_SEGMENTS + 1];
	struct ag_identity who;
	size_t n;

	r->status = 500;
	r->content_type = "application/json";
	r->allow = NULL;
	r->authenticate = false;
	r->actor[0] = '\0';
	if (!strcmp(q->path, "/healthz")) {
		if (method_is(q, r, "GET", "GET")) {
			ag_buf_addstr(&r->body, "{\"status\":\"ok\"}");
			r->status = 200;
		}
		return;
	}
	if (strncmp(q->path, "/api/v1/", 8) || strlen(q->path) >= sizeof(path)) {
		problem(r, 404, "no such endpoint: %.200s (the API is under /api/v1/)", q->path);
		return;
	}
	memcpy(path, q->path + 8, strlen(q->path + 8) + 1);
	n = split(path, seg);
	if (n == 0 || n > MAX_SEGMENTS) {
		problem(r, 404, "no such endpoint: %.200s", q->path);
		return;
	}
	if (!authenticate(q, r, &who))
		return;
	route(q, &who, seg, n, r);
}
