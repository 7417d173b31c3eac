/*
 * Vendors, human oversight events, incidents, appeals and survey
 * statistics (operations.h).
 */
#include "aigov/operations.h"
#include "aigov/file.h"

#include "aigov/jcs.h"
#include "aigov/str.h"
#include "aigov/time.h"
#include "aigov/yamldoc.h"

#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ag_clause_ids[] = { "liability", "data_protection", "subcontracting_consent",
				      "audit_rights", "exit_plan", NULL };
const char *const ag_review_result_ids[] = { "pass", "conditional", "fail", NULL };
const char *const ag_oversight_kind_ids[] = { "shutdown", "resume", "drill", NULL };
const char *const ag_severity_ids[] = { "low", "medium", "high", "critical", NULL };
const char *const ag_appeal_outcome_ids[] = { "upheld", "overturned", "amended", NULL };

static int64_t days_of(int frequency)
{
	static const int64_t d[] = { 0, 365, 182, 91, 31, 31 };
	return frequency >= 0 && frequency < 6 ? d[frequency] : 365;
}

/* ---- vendors ------------------------------------------------------------------- */

/* Parse a vendor descriptor into canonical JSON (what is stored). */
static int vendor_parse(struct ag_ydoc *d, struct ag_arena *a, struct ag_buf *json,
			char *id_out, size_t id_cap, struct ag_err *err)
{
	static const char *const keys[] = { "id", "name", "services", "competence",
					    "due_diligence", "contract_clauses", "api_integrations",
					    "review_frequency", NULL };
	static const char *const ddkeys[] = { "date", "result", NULL };
	yaml_node_t *root = ag_ydoc_root(d), *dd, *l;
	const char *id, *services, *competence, *date;
	struct ag_texts name;
	struct ag_json j;
	int result, freq = 1, rc;
	int64_t t;

	if ((rc = ag_y_want_map(d, root, root, "(top)", err)) ||
	    (rc = ag_y_only_keys(d, root, "(top)", keys, err)) ||
	    (rc = ag_y_str(d, root, "", "id", true, a, &id, err)) ||
	    (rc = ag_y_texts(d, root, "", "name", a, &name, err)) ||
	    (rc = ag_y_str(d, root, "", "services", true, a, &services, err)) ||
	    (rc = ag_y_str(d, root, "", "competence", true, a, &competence, err)) ||
	    (rc = ag_y_enum(d, root, "", "review_frequency", false, ag_frequency_ids, &freq, err)))
		return rc;
	if (!ag_y_valid_id(id))
		return ag_y_error(d, ag_y_get(d, root, "id"), "id", err, "'%s' is not an identifier", id);
	dd = ag_y_get(d, root, "due_diligence");
	if ((rc = ag_y_want_map(d, dd, root, "due_diligence", err)) ||
	    (rc = ag_y_only_keys(d, dd, "due_diligence", ddkeys, err)) ||
	    (rc = ag_y_str(d, dd, "due_diligence", "date", true, a, &date, err)) ||
	    (rc = ag_y_enum(d, dd, "due_diligence", "result", true, ag_review_result_ids, &result,
			    err)))
		return rc;
	{
		char full[AG_TIME_LEN + 1];
		snprintf(full, sizeof(full), "%.10sT00:00:00.000000Z", date);
		if (strlen(date) != 10 || !ag_time_parse(full, AG_TIME_LEN, &t))
			return ag_y_error(d, ag_y_get(d, dd, "date"), "due_diligence.date", err,
					  "expected a date YYYY-MM-DD, not '%s'", date);
	}
	snprintf(id_out, id_cap, "%s", id);
	ag_json_init(&j, json, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "id");
	ag_json_cstr(&j, id);
	ag_json_key(&j, "name");
	ag_json_begin_object(&j);
	ag_json_key(&j, "en");
	ag_json_cstr(&j, name.en);
	ag_json_key(&j, "zh-TW");
	ag_json_cstr(&j, name.zh);
	ag_json_end_object(&j);
	ag_json_key(&j, "services");
	ag_json_cstr(&j, services);
	ag_json_key(&j, "competence");
	ag_json_cstr(&j, competence);
	ag_json_key(&j, "due_diligence");
	ag_json_begin_object(&j);
	ag_json_key(&j, "date");
	ag_json_cstr(&j, date);
	ag_json_key(&j, "result");
	ag_json_cstr(&j, ag_review_result_ids[result]);
	ag_json_end_object(&j);
	ag_json_key(&j, "review_frequency");
	ag_json_cstr(&j, ag_frequency_ids[freq]);
	ag_json_key(&j, "contract_clauses");
	ag_json_begin_array(&j);
	l = ag_y_get(d, root, "contract_clauses");
	if (l && !ag_y_is_null(l)) {
		size_t n;
		yaml_node_item_t *it;
		if (!ag_y_is_seq(l))
			return ag_y_error(d, l, "contract_clauses", err, "expected a list");
		it = ag_y_items(l, &n);
		for (size_t i = 0; i < n; i++) {
			char q[64];
			int c;
			snprintf(q, sizeof(q), "contract_clauses[%zu]", i);
			if ((rc = ag_y_enum_node(d, ag_y_node(d, it[i]), q, ag_clause_ids, &c, err)))
				return rc;
			ag_json_cstr(&j, ag_clause_ids[c]);
		}
	}
	ag_json_end_array(&j);
	ag_json_key(&j, "api_integrations");
	ag_json_begin_array(&j);
	l = ag_y_get(d, root, "api_integrations");
	if (l && !ag_y_is_null(l)) {
		size_t n;
		yaml_node_item_t *it;
		if (!ag_y_is_seq(l))
			return ag_y_error(d, l, "api_integrations", err, "expected a list");
		it = ag_y_items(l, &n);
		for (size_t i = 0; i < n; i++) {
			char q[64];
			const char *s;
			snprintf(q, sizeof(q), "api_integrations[%zu]", i);
			if ((rc = ag_y_str_node(d, ag_y_node(d, it[i]), q, a, &s, err)))
				return rc;
			ag_json_cstr(&j, s);
		}
	}
	ag_json_end_array(&j);
	ag_json_end_object(&j);
	return ag_json_failed(&j) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
}

int ag_vendor_add_file(struct ag_workspace *ws, const char *path, const char *actor,
		       bool replace, char *id_out, size_t id_cap, struct ag_err *err)
{
	struct ag_file_map m;
	int rc = ag_file_map(&m, path, err);

	if (rc)
		return rc;
	rc = ag_vendor_add(ws, m.data, m.len, path, NULL, actor, replace, id_out, id_cap, err);
	ag_file_unmap(&m);
	return rc;
}

int ag_vendor_add(struct ag_workspace *ws, const char *text, size_t len, const char *name,
		  const char *id, const char *actor, bool replace, char *id_out, size_t id_cap,
		  struct ag_err *err)
{
	struct ag_ydoc d;
	struct ag_arena a;
	struct ag_buf json, canon;
	char now[AG_TIME_LEN + 1], subject[96];
	int64_t n = 0;
	bool found;
	int rc;

	ag_arena_init(&a, 0);
	ag_buf_init(&json);
	ag_buf_init(&canon);
	rc = ag_ydoc_load(&d, text, len, name, err);
	if (!rc) {
		rc = vendor_parse(&d, &a, &json, id_out, id_cap, err);
		ag_ydoc_release(&d);
	}
	if (!rc && id && strcmp(id, id_out))
		rc = ag_err_set(err, AG_EINVAL, "%s: the descriptor's id is '%s', not '%s'", name,
				id_out, id);
	if (!rc)
		rc = ag_jcs_canonicalize(&canon, json.buf, json.len, name, true, err);
	if (!rc)
		rc = ag_store_begin(ws->store, true, err);
	if (rc)
		goto out;
	{
		struct ag_val p = ag_val_str(id_out);
		rc = ag_store_query_int(ws->store, "SELECT count(*) FROM vendor WHERE id = $1", &p, 1,
					&n, &found, err);
	}
	if (!rc && n && !replace)
		rc = ag_err_set(err, AG_EEXIST, "vendor %s: already registered; use --replace", id_out);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		struct ag_val p[3] = { ag_val_str(id_out), ag_val_text(canon.buf, canon.len),
				       ag_val_str(now) };
		rc = ag_store_exec(ws->store, n ? "UPDATE vendor SET descriptor = $2 WHERE id = $1"
						: "INSERT INTO vendor (id, descriptor, registered_at)"
						  " VALUES ($1, $2, $3)", p, n ? 2 : 3, err);
	}
	snprintf(subject, sizeof(subject), "vendor:%s", id_out);
	if (!rc)
		rc = reg_record(ws, actor, n ? "vendor.update" : "vendor.register", subject, &canon,
			    false, err);
	rc = reg_finish(ws, rc, err);
out:
	ag_buf_release(&json);
	ag_buf_release(&canon);
	ag_arena_release(&a);
	return rc;
}

int ag_vendor_review(struct ag_workspace *ws, const char *id, int result, const char *note,
		     const char *actor, struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], subject[96];
	struct ag_val p[5];
	struct ag_buf b;
	struct ag_json j;
	int64_t n = 0;
	bool found;
	int rc = ag_store_begin(ws->store, true, err);

	if (rc)
		return rc;
	p[0] = ag_val_str(id);
	rc = ag_store_query_int(ws->store, "SELECT count(*) FROM vendor WHERE id = $1", p, 1, &n,
				&found, err);
	if (!rc && !n)
		rc = ag_err_set(err, AG_ENOTFOUND, "no vendor '%s' (aigov vendor add)", id);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		p[1] = ag_val_str(ag_review_result_ids[result]);
		p[2] = ag_val_str(note);
		p[3] = ag_val_str(actor);
		p[4] = ag_val_str(now);
		rc = ag_store_exec(ws->store, "INSERT INTO vendor_review (vendor_id, result, note,"
					      " actor, reviewed_at) VALUES ($1, $2, $3, $4, $5)",
				   p, 5, err);
	}
	ag_buf_init(&b);
	ag_json_init(&j, &b, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "result");
	ag_json_cstr(&j, ag_review_result_ids[result]);
	ag_json_key(&j, "note");
	ag_json_cstr(&j, note);
	ag_json_end_object(&j);
	snprintf(subject, sizeof(subject), "vendor:%s", id);
	if (!rc)
		rc = reg_record(ws, actor, "vendor.review", subject, &b, ag_json_failed(&j), err);
	ag_buf_release(&b);
	return reg_finish(ws, rc, err);
}

static int vendor_row(struct ag_workspace *ws, const char *id, json_t **desc, char *last,
		      size_t cap, char *last_result, size_t rcap, struct ag_err *err)
{
	struct ag_val p = ag_val_str(id);
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, "SELECT descriptor FROM vendor WHERE id = $1", &p, 1, &r,
				err);

	*desc = NULL;
	last[0] = last_result[0] = '\0';
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1) {
		size_t len;
		const char *t = ag_rows_text(r, 0, &len);
		*desc = json_loadb(t, len, 0, NULL);
		rc = *desc ? 0 : ag_err_set(err, AG_ECORRUPT, "vendor %s: stored descriptor damaged", id);
	}
	ag_rows_free(r);
	if (rc || !*desc)
		return rc;
	rc = ag_store_query(ws->store, "SELECT reviewed_at, result FROM vendor_review WHERE"
				       " vendor_id = $1 ORDER BY reviewed_at DESC, id DESC LIMIT 1",
			    &p, 1, &r, err);
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1) {
		snprintf(last, cap, "%s", ag_rows_text(r, 0, NULL));
		snprintf(last_result, rcap, "%s", ag_rows_text(r, 1, NULL));
		rc = 0;
	}
	ag_rows_free(r);
	return rc;
}

/* The review due date: the last review (or the due diligence) plus the
 * vendor's review frequency. */
static int64_t review_due(json_t *desc, const char *last_review)
{
	char full[AG_TIME_LEN + 1];
	const char *freq = json_string_value(json_object_get(desc, "review_frequency"));
	int f = 1;
	int64_t t = 0;

	for (int i = 0; freq && ag_frequency_ids[i]; i++)
		if (!strcmp(freq, ag_frequency_ids[i]))
			f = i;
	if (last_review[0]) {
		ag_time_parse(last_review, strlen(last_review), &t);
	} else {
		const char *dd = json_string_value(json_object_get(json_object_get(desc, "due_diligence"),
								   "date"));
		snprintf(full, sizeof(full), "%.10sT00:00:00.000000Z", dd ? dd : "1970-01-01");
		ag_time_parse(full, AG_TIME_LEN, &t);
	}
	return days_of(f) ? t + days_of(f) * 86400 * 1000000LL : INT64_MAX;
}

int ag_vendor_findings(struct ag_workspace *ws, const char *vendor, int64_t now,
		       struct ag_buf *out, size_t *n, struct ag_err *err)
{
	char last[40], result[16], due[AG_TIME_LEN + 1];
	json_t *desc, *clauses;
	int64_t t;
	int rc = vendor_row(ws, vendor, &desc, last, sizeof(last), result, sizeof(result), err);

	*n = 0;
	if (rc)
		return rc;
	if (!desc) {
		ag_buf_addf(out, "vendor %s is not registered (aigov vendor add)\n", vendor);
		(*n)++;
		return 0;
	}
	const char *dd = json_string_value(json_object_get(json_object_get(desc, "due_diligence"),
							   "result"));
	if (dd && !strcmp(dd, "fail")) {
		ag_buf_addf(out, "vendor %s: due diligence failed\n", vendor);
		(*n)++;
	}
	if (!strcmp(result, "fail")) {
		ag_buf_addf(out, "vendor %s: the last periodic review failed\n", vendor);
		(*n)++;
	}
	clauses = json_object_get(desc, "contract_clauses");
	for (int c = 0; ag_clause_ids[c]; c++) {
		bool have = false;
		for (size_t i = 0; i < json_array_size(clauses); i++)
			have |= !strcmp(json_string_value(json_array_get(clauses, i)), ag_clause_ids[c]);
		if (!have) {
			ag_buf_addf(out, "vendor %s: the contract lacks %s\n", vendor, ag_clause_ids[c]);
			(*n)++;
		}
	}
	t = review_due(desc, last);
	if (t < now) {
		ag_time_format(due, t);
		ag_buf_addf(out, "vendor %s: periodic review overdue since %.10s\n", vendor, due);
		(*n)++;
	}
	json_decref(desc);
	return 0;
}

int ag_vendor_json(struct ag_workspace *ws, const char *id, struct ag_json *j,
		   struct ag_err *err)
{
	char last[40], result[16], due[AG_TIME_LEN + 1];
	struct ag_val p = ag_val_str(id);
	struct ag_rows *r;
	json_t *desc;
	int64_t t;
	int rc = vendor_row(ws, id, &desc, last, sizeof(last), result, sizeof(result), err);

	if (!rc && !desc)
		rc = ag_err_set(err, AG_ENOTFOUND, "no vendor '%s' (aigov vendor list)", id);
	if (rc)
		return rc;
	{
		char *text = json_dumps(desc, JSON_COMPACT | JSON_SORT_KEYS);
		ag_json_begin_object(j);
		ag_json_key(j, "descriptor");
		ag_json_raw(j, text ? text : "null", text ? strlen(text) : 4);
		free(text);
	}
	t = review_due(desc, last);
	json_decref(desc);
	ag_json_key(j, "next_review_due");
	if (t == INT64_MAX) {
		ag_json_null(j);
	} else {
		ag_time_format(due, t);
		due[10] = '\0';
		ag_json_cstr(j, due);
	}
	ag_json_key(j, "reviews");
	ag_json_begin_array(j);
	rc = ag_store_query(ws->store, "SELECT reviewed_at, result, actor, note FROM vendor_review"
				       " WHERE vendor_id = $1 ORDER BY id", &p, 1, &r, err);
	while (!rc && (rc = ag_rows_next(r, err)) == 1) {
		ag_json_begin_object(j);
		ag_json_key(j, "at");
		ag_json_cstr(j, ag_rows_text(r, 0, NULL));
		ag_json_key(j, "result");
		ag_json_cstr(j, ag_rows_text(r, 1, NULL));
		ag_json_key(j, "by");
		ag_json_cstr(j, ag_rows_text(r, 2, NULL));
		ag_json_key(j, "note");
		ag_json_cstr(j, ag_rows_is_null(r, 3) ? NULL : ag_rows_text(r, 3, NULL));
		ag_json_end_object(j);
		rc = 0;
	}
	ag_rows_free(r);
	ag_json_end_array(j);
	ag_json_end_object(j);
	return rc;
}

int ag_vendor_list(struct ag_workspace *ws, void (*fn)(void *ctx, const char *id,
						       const char *descriptor_json),
		   void *ctx, struct ag_err *err)
{
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, "SELECT id, descriptor FROM vendor ORDER BY id", NULL, 0,
				&r, err);

	if (rc)
		return rc;
	while ((rc = ag_rows_next(r, err)) == 1)
		fn(ctx, ag_rows_text(r, 0, NULL), ag_rows_text(r, 1, NULL));
	ag_rows_free(r);
	return rc;
}

/* ---- oversight ------------------------------------------------------------------- */

int ag_oversight_is_shut_down(struct ag_workspace *ws, const char *id, bool *down,
			      struct ag_err *err)
{
	struct ag_val p = ag_val_str(id);
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, "SELECT kind FROM oversight_event WHERE system_id = $1"
					   " AND kind <> 'drill' ORDER BY id DESC LIMIT 1",
				&p, 1, &r, err);

	*down = false;
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1) {
		*down = !strcmp(ag_rows_text(r, 0, NULL), "shutdown");
		rc = 0;
	}
	ag_rows_free(r);
	return rc;
}

int ag_oversight_record(struct ag_workspace *ws, const char *id, int kind,
			const char *reason, const char *actor, struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], subject[96], action[32];
	struct ag_buf b;
	struct ag_json j;
	bool first, second, down;
	int rc;

	if (!reason || strlen(reason) < 5)
		return ag_err_set(err, AG_EINVAL, "say why (--reason, at least 5 characters)");
	rc = ag_store_begin(ws->store, true, err);
	if (rc)
		return rc;
	if (!(rc = reg_need_system(ws, id, err)) && !(rc = ag_role_has(ws, actor, AG_ROLE_FIRST_LINE,
								    &first, err)))
		rc = ag_role_has(ws, actor, AG_ROLE_SECOND_LINE, &second, err);
	if (!rc && !first && !second)
		rc = ag_err_set(err, AG_EPERM, "%s may not %s %s: it takes role first_line or "
				"second_line", actor, ag_oversight_kind_ids[kind], id);
	if (!rc)
		rc = ag_oversight_is_shut_down(ws, id, &down, err);
	if (!rc && kind == AG_OV_SHUTDOWN && down)
		rc = ag_err_set(err, AG_EINVAL, "%s is already shut down", id);
	if (!rc && kind == AG_OV_RESUME && !down)
		rc = ag_err_set(err, AG_EINVAL, "%s is not shut down", id);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		struct ag_val p[5] = { ag_val_str(id), ag_val_str(ag_oversight_kind_ids[kind]),
				       ag_val_str(reason), ag_val_str(actor), ag_val_str(now) };
		rc = ag_store_exec(ws->store, "INSERT INTO oversight_event (system_id, kind, reason,"
					      " actor, at) VALUES ($1, $2, $3, $4, $5)", p, 5, err);
	}
	ag_buf_init(&b);
	ag_json_init(&j, &b, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "reason");
	ag_json_cstr(&j, reason);
	ag_json_end_object(&j);
	snprintf(subject, sizeof(subject), "system:%s", id);
	snprintf(action, sizeof(action), "oversight.%s", ag_oversight_kind_ids[kind]);
	if (!rc)
		rc = reg_record(ws, actor, action, subject, &b, ag_json_failed(&j), err);
	ag_buf_release(&b);
	return reg_finish(ws, rc, err);
}

/* ---- incidents ------------------------------------------------------------------- */

static int case_json_payload(struct ag_buf *b, const char *const *keys, const char *const *vals,
			     size_t n)
{
	struct ag_json j;

	ag_json_init(&j, b, false);
	ag_json_begin_object(&j);
	for (size_t i = 0; i < n; i++) {
		ag_json_key(&j, keys[i]);
		ag_json_cstr(&j, vals[i]);
	}
	ag_json_end_object(&j);
	return ag_json_failed(&j);
}

int ag_incident_open(struct ag_workspace *ws, const char *id, const char *title,
		     int severity, bool breach, const char *actor, int64_t *incident_id,
		     struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], notify[AG_TIME_LEN + 1], subject[96];
	int64_t t = ag_time_now_us();
	struct ag_buf b;
	bool found;
	int rc;

	if (!title || !*title)
		return ag_err_set(err, AG_EINVAL, "an incident needs a title (--title)");
	rc = ag_store_begin(ws->store, true, err);
	if (rc)
		return rc;
	rc = reg_need_system(ws, id, err);
	ag_time_format(now, t);
	ag_time_format(notify, t + (int64_t)AG_BREACH_NOTIFY_HOURS * 3600 * 1000000);
	if (!rc) {
		struct ag_val p[7] = { ag_val_str(id), ag_val_str(title),
				       ag_val_str(ag_severity_ids[severity]), ag_val_int(breach),
				       ag_val_str(breach ? notify : NULL), ag_val_str(actor),
				       ag_val_str(now) };
		rc = ag_store_exec(ws->store, "INSERT INTO incident (system_id, title, severity, breach,"
					      " notify_by, status, opened_by, opened_at) VALUES ($1, $2,"
					      " $3, $4, $5, 'open', $6, $7)", p, 7, err);
	}
	if (!rc)
		rc = ag_store_query_int(ws->store, "SELECT max(id) FROM incident", NULL, 0,
					incident_id, &found, err);
	ag_buf_init(&b);
	if (!rc) {
		char idtext[24];
		const char *keys[] = { "incident", "title", "severity", "personal_data_breach",
				       "notify_by" };
		const char *vals[] = { idtext, title, ag_severity_ids[severity],
				       breach ? "yes" : "no", breach ? notify : NULL };
		snprintf(idtext, sizeof(idtext), "%" PRId64, *incident_id);
		snprintf(subject, sizeof(subject), "system:%s", id);
		rc = reg_record(ws, actor, "incident.open", subject, &b,
			    case_json_payload(&b, keys, vals, 5), err);
	}
	ag_buf_release(&b);
	return reg_finish(ws, rc, err);
}

/* The system of an incident or appeal, and whether it is still open. */
static int case_of(struct ag_workspace *ws, const char *table, int64_t case_id, char *system,
		   size_t cap, bool *open, struct ag_err *err)
{
	char sql[128];
	struct ag_val p = ag_val_int(case_id);
	struct ag_rows *r;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT system_id, status FROM %s WHERE id = $1", table);
	rc = ag_store_query(ws->store, sql, &p, 1, &r, err);
	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		snprintf(system, cap, "%s", ag_rows_text(r, 0, NULL));
		*open = strcmp(ag_rows_text(r, 1, NULL), "open") == 0;
		rc = 0;
	} else if (rc == 0) {
		rc = ag_err_set(err, AG_ENOTFOUND, "there is no %s %" PRId64, table, case_id);
	}
	ag_rows_free(r);
	return rc;
}

int ag_incident_update(struct ag_workspace *ws, int64_t incident_id, const char *root_cause,
		       const char *remediation, bool notified, const char *actor,
		       struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], system[80], subject[96], idtext[24];
	struct ag_buf b;
	bool open;
	int rc = ag_store_begin(ws->store, true, err);

	if (rc)
		return rc;
	rc = case_of(ws, "incident", incident_id, system, sizeof(system), &open, err);
	if (!rc && !open)
		rc = ag_err_set(err, AG_EINVAL, "incident %" PRId64 " is closed", incident_id);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		struct ag_val p[5] = { ag_val_int(incident_id), ag_val_str(root_cause),
				       ag_val_str(remediation), ag_val_str(notified ? now : NULL),
				       ag_val_int(notified) };
		rc = ag_store_exec(ws->store, "UPDATE incident SET root_cause = coalesce($2, root_cause),"
					      " remediation = coalesce($3, remediation),"
					      " notified_at = CASE WHEN $5 = 1 THEN $4 ELSE notified_at END"
					      " WHERE id = $1", p, 5, err);
	}
	ag_buf_init(&b);
	if (!rc) {
		const char *keys[] = { "incident", "root_cause", "remediation", "notified_at" };
		const char *vals[] = { idtext, root_cause, remediation, notified ? now : NULL };
		snprintf(idtext, sizeof(idtext), "%" PRId64, incident_id);
		snprintf(subject, sizeof(subject), "system:%s", system);
		rc = reg_record(ws, actor, "incident.update", subject, &b,
			    case_json_payload(&b, keys, vals, 4), err);
	}
	ag_buf_release(&b);
	return reg_finish(ws, rc, err);
}

int ag_incident_close(struct ag_workspace *ws, int64_t incident_id, const char *resolution,
		      const char *actor, struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], system[80], subject[96], idtext[24];
	struct ag_buf b;
	bool open;
	int rc;

	if (!resolution || !*resolution)
		return ag_err_set(err, AG_EINVAL, "closing an incident needs its resolution (--resolution)");
	rc = ag_store_begin(ws->store, true, err);
	if (rc)
		return rc;
	rc = case_of(ws, "incident", incident_id, system, sizeof(system), &open, err);
	if (!rc && !open)
		rc = ag_err_set(err, AG_EINVAL, "incident %" PRId64 " is already closed", incident_id);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		struct ag_val p[3] = { ag_val_int(incident_id), ag_val_str(resolution), ag_val_str(now) };
		rc = ag_store_exec(ws->store, "UPDATE incident SET status = 'closed', closed_at = $3,"
					      " remediation = coalesce(remediation, $2) WHERE id = $1",
				   p, 3, err);
	}
	ag_buf_init(&b);
	if (!rc) {
		const char *keys[] = { "incident", "resolution" };
		const char *vals[] = { idtext, resolution };
		snprintf(idtext, sizeof(idtext), "%" PRId64, incident_id);
		snprintf(subject, sizeof(subject), "system:%s", system);
		rc = reg_record(ws, actor, "incident.close", subject, &b,
			    case_json_payload(&b, keys, vals, 2), err);
	}
	ag_buf_release(&b);
	return reg_finish(ws, rc, err);
}

/* ---- appeals ---------------------------------------------------------------------- */

int ag_appeal_add(struct ag_workspace *ws, const char *id, const char *decision_ref,
		  const char *reason, const char *actor, int64_t *appeal_id,
		  struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], subject[96], idtext[24];
	struct ag_buf b;
	bool found;
	int rc;

	if (!decision_ref || !*decision_ref || !reason || !*reason)
		return ag_err_set(err, AG_EINVAL, "an appeal needs the decision it contests "
				  "(--decision) and the customer's reason (--reason)");
	rc = ag_store_begin(ws->store, true, err);
	if (rc)
		return rc;
	rc = reg_need_system(ws, id, err);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		struct ag_val p[5] = { ag_val_str(id), ag_val_str(decision_ref), ag_val_str(reason),
				       ag_val_str(actor), ag_val_str(now) };
		rc = ag_store_exec(ws->store, "INSERT INTO appeal (system_id, decision_ref, reason,"
					      " status, opened_by, opened_at) VALUES ($1, $2, $3,"
					      " 'open', $4, $5)", p, 5, err);
	}
	if (!rc)
		rc = ag_store_query_int(ws->store, "SELECT max(id) FROM appeal", NULL, 0, appeal_id,
					&found, err);
	ag_buf_init(&b);
	if (!rc) {
		const char *keys[] = { "appeal", "decision", "reason" };
		const char *vals[] = { idtext, decision_ref, reason };
		snprintf(idtext, sizeof(idtext), "%" PRId64, *appeal_id);
		snprintf(subject, sizeof(subject), "system:%s", id);
		rc = reg_record(ws, actor, "appeal.add", subject, &b, case_json_payload(&b, keys, vals, 3),
			    err);
	}
	ag_buf_release(&b);
	return reg_finish(ws, rc, err);
}

int ag_appeal_resolve(struct ag_workspace *ws, int64_t appeal_id, int outcome,
		      const char *note, const char *actor, struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], system[80], subject[96], idtext[24];
	struct ag_buf b;
	bool open;
	int rc = ag_store_begin(ws->store, true, err);

	if (rc)
		return rc;
	rc = case_of(ws, "appeal", appeal_id, system, sizeof(system), &open, err);
	if (!rc && !open)
		rc = ag_err_set(err, AG_EINVAL, "appeal %" PRId64 " is already resolved", appeal_id);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		struct ag_val p[5] = { ag_val_int(appeal_id), ag_val_str(ag_appeal_outcome_ids[outcome]),
				       ag_val_str(note), ag_val_str(actor), ag_val_str(now) };
		rc = ag_store_exec(ws->store, "UPDATE appeal SET status = 'resolved', outcome = $2,"
					      " note = $3, resolved_by = $4, resolved_at = $5"
					      " WHERE id = $1", p, 5, err);
	}
	ag_buf_init(&b);
	if (!rc) {
		const char *keys[] = { "appeal", "outcome", "note" };
		const char *vals[] = { idtext, ag_appeal_outcome_ids[outcome], note };
		snprintf(idtext, sizeof(idtext), "%" PRId64, appeal_id);
		snprintf(subject, sizeof(subject), "system:%s", system);
		rc = reg_record(ws, actor, "appeal.resolve", subject, &b,
			    case_json_payload(&b, keys, vals, 3), err);
	}
	ag_buf_release(&b);
	return reg_finish(ws, rc, err);
}

int ag_cases_json(struct ag_workspace *ws, const char *table, struct ag_json *j,
		  struct ag_err *err)
{
	const char *sql = !strcmp(table, "incident")
		? "SELECT id, system_id, title, severity, status, opened_at, breach, notify_by,"
		  " notified_at, root_cause, remediation, closed_at FROM incident ORDER BY id"
		: "SELECT id, system_id, decision_ref, reason, status, opened_at, outcome, note,"
		  " resolved_by FROM appeal ORDER BY id";
	char now[AG_TIME_LEN + 1];
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, sql, NULL, 0, &r, err);

	if (rc)
		return rc;
	ag_time_format(now, ag_time_now_us());
	ag_json_begin_array(j);
	while ((rc = ag_rows_next(r, err)) == 1) {
		bool incident = !strcmp(table, "incident");
		ag_json_begin_object(j);
		ag_json_key(j, "id");
		ag_json_u64(j, (uint64_t)ag_rows_int(r, 0));
		ag_json_key(j, "system");
		ag_json_cstr(j, ag_rows_text(r, 1, NULL));
		ag_json_key(j, incident ? "title" : "decision");
		ag_json_cstr(j, ag_rows_text(r, 2, NULL));
		ag_json_key(j, incident ? "severity" : "reason");
		ag_json_cstr(j, ag_rows_text(r, 3, NULL));
		ag_json_key(j, "status");
		ag_json_cstr(j, ag_rows_text(r, 4, NULL));
		ag_json_key(j, "opened_at");
		ag_json_cstr(j, ag_rows_text(r, 5, NULL));
		if (incident) {
			bool breach = ag_rows_int(r, 6) != 0, notified = !ag_rows_is_null(r, 8);
			ag_json_key(j, "personal_data_breach");
			ag_json_bool(j, breach);
			ag_json_key(j, "notify_by");
			ag_json_cstr(j, breach ? ag_rows_text(r, 7, NULL) : NULL);
			ag_json_key(j, "notified_at");
			ag_json_cstr(j, notified ? ag_rows_text(r, 8, NULL) : NULL);
			ag_json_key(j, "notification_overdue");
			ag_json_bool(j, breach && !notified && strcmp(now, ag_rows_text(r, 7, NULL)) > 0);
			ag_json_key(j, "root_cause");
			ag_json_cstr(j, ag_rows_is_null(r, 9) ? NULL : ag_rows_text(r, 9, NULL));
			ag_json_key(j, "remediation");
			ag_json_cstr(j, ag_rows_is_null(r, 10) ? NULL : ag_rows_text(r, 10, NULL));
			ag_json_key(j, "closed_at");
			ag_json_cstr(j, ag_rows_is_null(r, 11) ? NULL : ag_rows_text(r, 11, NULL));
		} else {
			ag_json_key(j, "outcome");
			ag_json_cstr(j, ag_rows_is_null(r, 6) ? NULL : ag_rows_text(r, 6, NULL));
			ag_json_key(j, "note");
			ag_json_cstr(j, ag_rows_is_null(r, 7) ? NULL : ag_rows_text(r, 7, NULL));
			ag_json_key(j, "resolved_by");
			ag_json_cstr(j, ag_rows_is_null(r, 8) ? NULL : ag_rows_text(r, 8, NULL));
		}
		ag_json_end_object(j);
	}
	ag_rows_free(r);
	ag_json_end_array(j);
	return rc;
}

/* ---- evaluations ------------------------------------------------------------------ */

/* A system's event whose payload the caller built (evaluation, explanation). */
static int system_event(struct ag_workspace *ws, const char *id, const char *action,
			const char *payload, size_t len, const char *actor, struct ag_err *err)
{
	struct ag_ledger_event ev = { actor, action, NULL, payload, len };
	char subject[96];
	int rc = ag_store_begin(ws->store, true, err);

	if (rc)
		return rc;
	snprintf(subject, sizeof(subject), "system:%s", id);
	ev.subject = subject;
	rc = reg_need_system(ws, id, err);
	if (!rc)
		rc = ag_ledger_record(ws->ledger, &ev, NULL, err);
	return reg_finish(ws, rc, err);
}

int ag_evaluation_record(struct ag_workspace *ws, const char *id, const char *payload,
			 size_t len, const char *actor, struct ag_err *err)
{
	return system_event(ws, id, "evaluation.record", payload, len, actor, err);
}

int ag_explanation_record(struct ag_workspace *ws, const char *id, const char *payload,
			  size_t len, const char *actor, struct ag_err *err)
{
	return system_event(ws, id, "explanation.record", payload, len, actor, err);
}

/* ---- statistics -------------------------------------------------------------------- */

static void count_into(struct ag_json *j, const char *key, const char *const *ids,
		       const size_t *counts)
{
	ag_json_key(j, key);
	ag_json_begin_object(j);
	for (int i = 0; ids[i]; i++) {
		ag_json_key(j, ids[i]);
		ag_json_u64(j, counts[i]);
	}
	ag_json_end_object(j);
}

int ag_stats_json(struct ag_workspace *ws, struct ag_json *j, struct ag_err *err)
{
	size_t line[8] = { 0 }, use[16] = { 0 }, type[8] = { 0 }, stage[8] = { 0 };
	size_t tier[4] = { 0 }, unassessed = 0, vendor = 0, generative = 0, critical = 0;
	struct ag_system_set *set = NULL;
	int64_t open_incidents = 0, open_appeals = 0;
	bool found;
	int rc = ag_registry_load(ws, NULL, &set, err);

	for (size_t i = 0; !rc && i < set->n; i++) {
		const struct ag_system *s = &set->systems[i];
		struct ag_assessment_info a;
		bool assessed;
		line[s->business_line]++;
		use[s->use_case]++;
		type[s->ai_type]++;
		stage[s->stage]++;
		vendor += s->vendor != NULL;
		generative += s->ai_type == AG_AI_GENERATIVE;
		critical += s->critical;
		rc = ag_registry_latest_assessment(ws, s->id, &a, &assessed, err);
		if (assessed)
			tier[a.tier]++;
		else
			unassessed++;
	}
	if (!rc)
		rc = ag_store_query_int(ws->store, "SELECT count(*) FROM incident WHERE status = 'open'",
					NULL, 0, &open_incidents, &found, err);
	if (!rc)
		rc = ag_store_query_int(ws->store, "SELECT count(*) FROM appeal WHERE status = 'open'",
					NULL, 0, &open_appeals, &found, err);
	if (!rc) {
		ag_json_begin_object(j);
		ag_json_key(j, "systems");
		ag_json_u64(j, set->n);
		count_into(j, "by_business_line", ag_business_line_ids, line);
		count_into(j, "by_use_case", ag_use_case_ids, use);
		count_into(j, "by_ai_type", ag_ai_type_ids, type);
		count_into(j, "by_stage", ag_stage_ids, stage);
		count_into(j, "by_tier", ag_tier_ids, tier);
		ag_json_key(j, "not_assessed");
		ag_json_u64(j, unassessed);
		ag_json_key(j, "generative_ai");
		ag_json_u64(j, generative);
		ag_json_key(j, "vendor_supplied");
		ag_json_u64(j, vendor);
		ag_json_key(j, "vendor_supplied_share");
		ag_json_double(j, set->n ? (double)vendor / (double)set->n : 0);
		ag_json_key(j, "critical");
		ag_json_u64(j, critical);
		ag_json_key(j, "open_incidents");
		ag_json_u64(j, (uint64_t)open_incidents);
		ag_json_key(j, "open_appeals");
		ag_json_u64(j, (uint64_t)open_appeals);
		ag_json_end_object(j);
	}
	ag_system_set_free(set);
	return rc;
}
