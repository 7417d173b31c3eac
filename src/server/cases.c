/*
 * The API's writes of the second line's daily work (docs/serve.md):
 * incidents, customers' appeals, vendors and their reviews, and a system's stage
 * moves and human-oversight events.  The library checks the content and
 * records each in the ledger; here: who may, the bodies, the answers.
 *
 *   POST /incidents                 {system, title, severity, breach?}   risk
 *   POST /incidents/{n}             {root_cause?, remediation?, notified?} risk
 *   POST /incidents/{n}/close       {resolution}                          risk
 *   POST /appeals                   {system, decision_ref, reason}  owner (unit), risk
 *   POST /appeals/{n}/resolve       {outcome, note?}                      risk
 *   POST /vendors, PUT /vendors/{id} a vendor descriptor                  risk
 *   GET /vendors/{id}               the vendor with its reviews           all
 *   POST /vendors/{id}/reviews      {result, note?}                       risk
 *   POST /systems/{id}/stage        {to}                            owner (unit), risk
 *   POST /systems/{id}/oversight    {kind, reason}                  owner (unit), risk
 */
#include "internal.h"

#include "aigov/num.h"
#include "aigov/operations.h"
#include "aigov/registry.h"
#include "aigov/system.h"

#include <string.h>

/* A case number from the path: a positive integer, else 0. */
static int64_t case_number(const char *s)
{
	int64_t n;

	return ag_parse_int64(s, strlen(s), &n) && n > 0 ? n : 0;
}

/* Member key, a string naming one of ids (NULL-ended): its index into
 * *out; -1 when optional and absent. */
static bool body_enum(json_t *o, const char *key, bool required, const char *const *ids,
		      int *out, struct api_response *r)
{
	const char *v;
	char list[160] = "";

	*out = -1;
	if (!api_body_string(o, key, required, &v, r))
		return false;
	if (!v)
		return true;
	for (int i = 0; ids[i]; i++)
		if (!strcmp(v, ids[i])) {
			*out = i;
			return true;
		}
	for (int i = 0; ids[i]; i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, ids[i], sizeof(list) - strlen(list) - 1);
	}
	api_problem(r, 400, "request body: '%s' must be one of %s", key, list);
	return false;
}

/* Member key as a boolean; *out false when absent. */
static bool body_bool(json_t *o, const char *key, bool *out, struct api_response *r)
{
	json_t *v = json_object_get(o, key);

	*out = v && json_is_true(v);
	if (!v || json_is_boolean(v))
		return true;
	api_problem(r, 400, "request body: '%s' must be true or false", key);
	return false;
}

/* {"id": n (when > 0), "system": system (when not NULL), key: value
 * (when key), "actor": actor} with status. */
static void answer(struct api_response *r, unsigned status, int64_t n, const char *system,
		   const char *key, const char *value, const char *actor)
{
	struct ag_json j;

	ag_buf_reset(&r->body);
	ag_json_init(&j, &r->body, false);
	ag_json_begin_object(&j);
	if (n > 0) {
		ag_json_key(&j, "id");
		ag_json_u64(&j, (uint64_t)n);
	}
	if (system) {
		ag_json_key(&j, "system");
		ag_json_cstr(&j, system);
	}
	if (key) {
		ag_json_key(&j, key);
		ag_json_cstr(&j, value);
	}
	ag_json_key(&j, "actor");
	ag_json_cstr(&j, actor);
	ag_json_end_object(&j);
	api_json_ok(r, status, &j);
}

static const char *const incident_fields[] = { "system", "title", "severity", "breach", NULL };
static const char *const update_fields[] = { "root_cause", "remediation", "notified", NULL };
static const char *const close_fields[] = { "resolution", NULL };
static const char *const appeal_fields[] = { "system", "decision_ref", "reason", NULL };
static const char *const resolve_fields[] = { "outcome", "note", NULL };
static const char *const review_fields[] = { "result", "note", NULL };
static const char *const stage_fields[] = { "to", NULL };
static const char *const oversight_fields[] = { "kind", "reason", NULL };

static void open_incident(const struct api_request *q, const struct ag_identity *who, json_t *o,
			  struct api_response *r)
{
	const char *system, *title;
	int severity, rc;
	bool breach;
	int64_t n = 0;
	struct ag_err err;

	if (!api_body_string(o, "system", true, &system, r) ||
	    !api_body_string(o, "title", true, &title, r) ||
	    !body_enum(o, "severity", true, ag_severity_ids, &severity, r) ||
	    !body_bool(o, "breach", &breach, r))
		return;
	rc = ag_incident_open(q->ws, system, title, severity, breach, who->actor, &n, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		answer(r, 201, n, system, NULL, NULL, who->actor);
}

static void update_incident(const struct api_request *q, const struct ag_identity *who,
			    int64_t n, json_t *o, struct api_response *r)
{
	const char *cause, *remedy;
	struct ag_err err;
	bool notified;
	int rc;

	if (!api_body_string(o, "root_cause", false, &cause, r) ||
	    !api_body_string(o, "remediation", false, &remedy, r) ||
	    !body_bool(o, "notified", &notified, r))
		return;
	if (!cause && !remedy && !notified) {
		api_problem(r, 400, "request body: give root_cause, remediation or notified: true");
		return;
	}
	rc = ag_incident_update(q->ws, n, cause, remedy, notified, who->actor, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		answer(r, 200, n, NULL, NULL, NULL, who->actor);
}

static void close_incident(const struct api_request *q, const struct ag_identity *who,
			   int64_t n, json_t *o, struct api_response *r)
{
	const char *resolution;
	struct ag_err err;
	int rc;

	if (!api_body_string(o, "resolution", true, &resolution, r))
		return;
	rc = ag_incident_close(q->ws, n, resolution, who->actor, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		answer(r, 200, n, NULL, "status", "closed", who->actor);
}

static void add_appeal(const struct api_request *q, const struct ag_identity *who, json_t *o,
		       struct api_response *r)
{
	const char *system, *ref, *reason;
	struct ag_err err;
	int64_t n = 0;
	int rc;

	if (!api_body_string(o, "system", true, &system, r) ||
	    !api_body_string(o, "decision_ref", true, &ref, r) ||
	    !api_body_string(o, "reason", true, &reason, r) || !api_may_act_on(q, who, system, r))
		return;
	rc = ag_appeal_add(q->ws, system, ref, reason, who->actor, &n, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		answer(r, 201, n, system, NULL, NULL, who->actor);
}

static void resolve_appeal(const struct api_request *q, const struct ag_identity *who,
			   int64_t n, json_t *o, struct api_response *r)
{
	const char *note;
	struct ag_err err;
	int outcome, rc;

	if (!body_enum(o, "outcome", true, ag_appeal_outcome_ids, &outcome, r) ||
	    !api_body_string(o, "note", false, &note, r))
		return;
	rc = ag_appeal_resolve(q->ws, n, outcome, note, who->actor, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		answer(r, 200, n, NULL, "outcome", ag_appeal_outcome_ids[outcome], who->actor);
}

static void review_vendor(const struct api_request *q, const struct ag_identity *who,
			  const char *vendor, json_t *o, struct api_response *r)
{
	const char *note;
	struct ag_err err;
	struct ag_json j;
	int result, rc;

	if (!body_enum(o, "result", true, ag_review_result_ids, &result, r) ||
	    !api_body_string(o, "note", false, &note, r))
		return;
	rc = ag_vendor_review(q->ws, vendor, result, note, who->actor, &err);
	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	ag_buf_reset(&r->body);
	ag_json_init(&j, &r->body, false);
	rc = ag_vendor_json(q->ws, vendor, &j, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		api_json_ok(r, 201, &j);
}

static void move_stage(const struct api_request *q, const struct ag_identity *who,
		       const char *id, json_t *o, struct api_response *r)
{
	struct ag_gap_report blocking;
	struct ag_err err;
	int to, rc;

	memset(&blocking, 0, sizeof(blocking));
	if (!body_enum(o, "to", true, ag_stage_ids, &to, r) || !api_may_act_on(q, who, id, r))
		return;
	rc = ag_stage_advance(q->ws, q->catalog, id, to, who->actor, q->now, &blocking, &err);
	ag_gap_report_release(&blocking);
	if (rc)
		api_fail(r, rc, &err);
	else
		answer(r, 200, 0, id, "stage", ag_stage_ids[to], who->actor);
}

static void record_oversight(const struct api_request *q, const struct ag_identity *who,
			     const char *id, json_t *o, struct api_response *r)
{
	const char *reason;
	struct ag_err err;
	int kind, rc;

	if (!body_enum(o, "kind", true, ag_oversight_kind_ids, &kind, r) ||
	    !api_body_string(o, "reason", true, &reason, r) || !api_may_act_on(q, who, id, r))
		return;
	rc = ag_oversight_record(q->ws, id, kind, reason, who->actor, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		answer(r, 201, 0, id, "kind", ag_oversight_kind_ids[kind], who->actor);
}

/* Which write seg names, its body's fields and the roles allowed; NULL
 * fields: not one of these paths. */
struct write {
	int what;
	const char *const *fields;
	unsigned roles;
	const char *verb;
};

enum { W_OPEN, W_UPDATE, W_CLOSE, W_APPEAL, W_RESOLVE, W_REVIEW, W_STAGE, W_OVERSIGHT };

static struct write classify(char **seg, size_t n, int64_t *num)
{
	struct write none = { 0, NULL, 0, NULL };
	bool inc = !strcmp(seg[0], "incidents"), app = !strcmp(seg[0], "appeals");

	*num = n >= 2 && (inc || app) ? case_number(seg[1]) : 0;
	if (inc && n == 1)
		return (struct write){ W_OPEN, incident_fields, R(AG_USER_RISK), "open incidents" };
	if (inc && n == 2 && *num)
		return (struct write){ W_UPDATE, update_fields, R(AG_USER_RISK), "update incidents" };
	if (inc && n == 3 && *num && !strcmp(seg[2], "close"))
		return (struct write){ W_CLOSE, close_fields, R(AG_USER_RISK), "close incidents" };
	if (app && n == 1)
		return (struct write){ W_APPEAL, appeal_fields, OWNER_RISK, "record appeals" };
	if (app && n == 3 && *num && !strcmp(seg[2], "resolve"))
		return (struct write){ W_RESOLVE, resolve_fields, R(AG_USER_RISK), "resolve appeals" };
	if (!strcmp(seg[0], "vendors") && n == 3 && !strcmp(seg[2], "reviews"))
		return (struct write){ W_REVIEW, review_fields, R(AG_USER_RISK), "review vendors" };
	if (!strcmp(seg[0], "systems") && n == 3 && !strcmp(seg[2], "stage"))
		return (struct write){ W_STAGE, stage_fields, OWNER_RISK, "move stages" };
	if (!strcmp(seg[0], "systems") && n == 3 && !strcmp(seg[2], "oversight"))
		return (struct write){ W_OVERSIGHT, oversight_fields, OWNER_RISK,
				       "record shutdowns, resumptions or drills" };
	return none;
}

/* GET /vendors/{id}: the vendor as `aigov vendor show --json`. */
static void get_vendor(const struct api_request *q, const char *id, struct api_response *r)
{
	struct ag_json j;
	struct ag_err err;
	int rc;

	ag_json_init(&j, &r->body, false);
	rc = ag_vendor_json(q->ws, id, &j, &err);
	if (rc)
		api_fail(r, rc, &err);
	else
		api_json_ok(r, 200, &j);
}

/* POST /vendors (register; id NULL) or PUT /vendors/{id} (replace): the
 * body is a vendor descriptor as JSON (docs/registry-formats.md). */
static void put_vendor(const struct api_request *q, const struct ag_identity *who,
		       const char *id, struct api_response *r)
{
	char got[128];
	struct ag_err err;
	int rc;

	if (!api_descriptor_body(q, r, "one vendor"))
		return;
	if (id) {
		get_vendor(q, id, r); /* 404 when there is none to replace */
		if (r->status != 200)
			return;
	}
	rc = ag_vendor_add(q->ws, q->body, q->body_len, "request body", id, who->actor, id != NULL,
			   got, sizeof(got), &err);
	if (rc) {
		api_fail(r, rc, &err);
		return;
	}
	ag_buf_reset(&r->body);
	get_vendor(q, got, r);
	if (r->status == 200 && !id)
		r->status = 201;
}

/* The vendor registry's own paths; false when seg is none of them. */
static bool route_vendor(const struct api_request *q, const struct ag_identity *who, char **seg,
			 size_t n, struct api_response *r)
{
	if (strcmp(seg[0], "vendors") || n > 2 || (n == 1 && strcmp(q->method, "POST")))
		return false;
	if (n == 2 && !strcmp(q->method, "GET")) {
		if (api_require(who, ALL_ROLES, r, "read this"))
			get_vendor(q, seg[1], r);
	} else if (n == 2 && !api_method_is(q, r, "PUT", "GET, PUT")) {
		/* answered: 405 */
	} else if (api_require(who, R(AG_USER_RISK), r, "register vendors")) {
		put_vendor(q, who, n == 2 ? seg[1] : NULL, r);
	}
	return true;
}

bool api_route_cases(const struct api_request *q, const struct ag_identity *who, char **seg,
		     size_t n, struct api_response *r)
{
	int64_t num;
	struct write w = classify(seg, n, &num);
	json_t *o;

	if (route_vendor(q, who, seg, n, r))
		return true;
	/* GET /incidents and /appeals are the reads' (api.c). */
	if (!w.fields || (n == 1 && strcmp(q->method, "POST")))
		return false;
	if (!api_method_is(q, r, "POST", "POST") || !api_require(who, w.roles, r, w.verb) ||
	    !(o = api_body_object(q, r, w.fields)))
		return true;
	switch (w.what) {
	case W_OPEN: open_incident(q, who, o, r); break;
	case W_UPDATE: update_incident(q, who, num, o, r); break;
	case W_CLOSE: close_incident(q, who, num, o, r); break;
	case W_APPEAL: add_appeal(q, who, o, r); break;
	case W_RESOLVE: resolve_appeal(q, who, num, o, r); break;
	case W_REVIEW: review_vendor(q, who, seg[1], o, r); break;
	case W_STAGE: move_stage(q, who, seg[1], o, r); break;
	default: record_oversight(q, who, seg[1], o, r); break;
	}
	json_decref(o);
	return true;
}
