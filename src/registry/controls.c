/*
 * Evidence, maker-checker approvals, the gap report and the stage gate
 * (registry.h): where the control catalog meets each system.
 */
#include "aigov/registry.h"

#include "aigov/operations.h"
#include "internal.h"

#include "aigov/atomic_file.h"
#include "aigov/file.h"
#include "aigov/merkle.h"
#include "aigov/sha256.h"
#include "aigov/str.h"
#include "aigov/time.h"
#include "aigov/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const ag_gap_status_ids[] = { "met", "missing", "overdue", "not_applicable",
					  "later", NULL };

/* Days a piece of evidence stays valid, per frequency id (0: forever). */
static int64_t frequency_days(int f)
{
	static const int64_t days[] = { 0, 365, 182, 91, 31, 31 };
	return f >= 0 && f < 6 ? days[f] : 0;
}

/* A ledger entry about system `system`. */
static int record_json(struct ag_workspace *ws, const char *actor, const char *action,
		       const char *system, struct ag_buf *b, bool failed, struct ag_err *err)
{
	char subject[96];

	snprintf(subject, sizeof(subject), "system:%s", system);
	return reg_record(ws, actor, action, subject, b, failed, err);
}

static int known_control(const struct ag_catalog *c, const char *control_id,
			 struct ag_err *err)
{
	if (ag_catalog_find(c, control_id))
		return 0;
	return ag_err_set(err, AG_ENOTFOUND, "no control '%s' in the catalog (see 'aigov catalog "
			  "list')", control_id);
}

/* ---- evidence ------------------------------------------------------------------ */

/* The row and its ledger entry: a link (is_url) or a file's digest. */
static int insert_evidence(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
			   const char *control_id, const char *location, bool is_url,
			   const char *sha, int64_t size, const char *note, const char *actor,
			   struct ag_err *err)
{
	char now[AG_TIME_LEN + 1];
	struct ag_val p[9];
	struct ag_buf b;
	struct ag_json j;
	int rc = ag_store_begin(ws->store, true, err);

	if (rc)
		return rc;
	if (!(rc = reg_need_system(ws, id, err)))
		rc = known_control(c, control_id, err);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		p[0] = ag_val_str(id);
		p[1] = ag_val_str(control_id);
		p[2] = ag_val_str(location);
		p[3] = ag_val_int(is_url);
		p[4] = ag_val_str(is_url ? NULL : sha);
		p[5] = is_url ? ag_val_str(NULL) : ag_val_int(size);
		p[6] = ag_val_str(note);
		p[7] = ag_val_str(actor);
		p[8] = ag_val_str(now);
		rc = ag_store_exec(ws->store, "INSERT INTO evidence (system_id, control_id, location,"
					      " is_url, sha256, size, note, actor, added_at)"
					      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", p, 9, err);
	}
	if (!rc) {
		ag_buf_init(&b);
		ag_json_init(&j, &b, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "control");
		ag_json_cstr(&j, control_id);
		ag_json_key(&j, is_url ? "url" : "file");
		ag_json_cstr(&j, location);
		if (!is_url) {
			ag_json_key(&j, "sha256");
			ag_json_cstr(&j, sha);
			ag_json_key(&j, "size");
			ag_json_u64(&j, (uint64_t)size);
		}
		ag_json_key(&j, "note");
		ag_json_cstr(&j, note);
		ag_json_end_object(&j);
		rc = record_json(ws, actor, "evidence.add", id, &b, ag_json_failed(&j), err);
		ag_buf_release(&b);
	}
	return reg_finish(ws, rc, err);
}

int ag_evidence_add(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
		    const char *control_id, const char *location, bool is_url,
		    const char *note, const char *actor, char sha256_out[65],
		    struct ag_err *err)
{
	char sha[65] = "";
	unsigned long long bytes = 0;
	int rc;

	if (is_url && strncmp(location, "https://", 8) && strncmp(location, "http://", 7))
		return ag_err_set(err, AG_EPARSE, "--url: '%s' is not an http(s) URL", location);
	if (!is_url && (rc = ag_file_sha256(location, sha, &bytes, err)))
		return rc;
	rc = insert_evidence(ws, c, id, control_id, location, is_url, sha, (int64_t)bytes, note,
			     actor, err);
	if (!rc && sha256_out)
		memcpy(sha256_out, sha, 65);
	return rc;
}

/* A file name as given by the uploader: shown, never used as a path. */
static int check_upload_name(const char *name, struct ag_err *err)
{
	size_t len = strlen(name);

	if (len == 0 || len > 200 || !ag_utf8_valid(name, len, NULL))
		return ag_err_set(err, AG_EINVAL, "file name: 1 to 200 bytes of UTF-8");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return ag_err_set(err, AG_EINVAL, "file name: no '/', '\\' or control "
					  "characters");
	return 0;
}

int ag_evidence_add_bytes(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
			  const char *control_id, const char *name, const void *data, size_t len,
			  const char *note, const char *actor, char sha256_out[65],
			  struct ag_err *err)
{
	char sha[65], dir[4096], path[4096 + 80], location[220];
	struct ag_atomic_file f;
	struct stat st;
	uint8_t d[32];
	int rc;

	if ((rc = check_upload_name(name, err)) || (rc = known_control(c, control_id, err)))
		return rc;
	if (len == 0)
		return ag_err_set(err, AG_EINVAL, "%s: the file is empty", name);
	ag_sha256_2(data, len, NULL, 0, d);
	ag_hex_encode(sha, d, sizeof(d));
	if ((size_t)snprintf(dir, sizeof(dir), "%s/evidence", ws->dir) >= sizeof(dir))
		return ag_err_set(err, AG_EIO, "%s: the workspace path is too long", ws->dir);
	snprintf(path, sizeof(path), "%s/%s", dir, sha);
	snprintf(location, sizeof(location), "upload:%s", name);
	if (mkdir(dir, 0750) && stat(dir, &st))
		return ag_err_set(err, AG_EIO, "%s: cannot create the folder", dir);
	/* Content-addressed and written before the transaction: a failure
	 * after this leaves a file nothing refers to, never a row without
	 * its file. */
	if (stat(path, &st) || st.st_size != (off_t)len) {
		if ((rc = ag_atomic_open(&f, path, 0640, err)))
			return rc;
		if (fwrite(data, 1, len, f.f) != len) {
			ag_atomic_abort(&f);
			return ag_err_set(err, AG_EIO, "%s: cannot write", path);
		}
		if ((rc = ag_atomic_commit(&f, err)))
			return rc;
	}
	rc = insert_evidence(ws, c, id, control_id, location, false, sha, (int64_t)len, note,
			     actor, err);
	if (!rc && sha256_out)
		memcpy(sha256_out, sha, 65);
	return rc;
}

static bool lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

int ag_evidence_file(struct ag_workspace *ws, const char *id, const char *sha256,
		     struct ag_buf *out, char *name, size_t name_cap, struct ag_err *err)
{
	char path[4096 + 80], got[65];
	struct ag_val p[2] = { ag_val_str(id), ag_val_str(sha256) };
	struct ag_file_map m;
	struct ag_rows *r;
	uint8_t d[32];
	int rc;

	if (!lower_hex(sha256, 64))
		return ag_err_set(err, AG_ENOTFOUND, "'%.80s' is not a SHA-256 (64 lowercase hex digits)",
				  sha256);
	rc = ag_store_query(ws->store, "SELECT location FROM evidence WHERE system_id = $1"
				       " AND sha256 = $2 AND is_url = 0 ORDER BY id LIMIT 1", p, 2,
			    &r, err);
	if (rc)
		return rc;
	rc = ag_rows_next(r, err);
	if (rc == 1) {
		const char *loc = ag_rows_text(r, 0, NULL), *base = strrchr(loc, '/');
		snprintf(name, name_cap, "%s",
			 !strncmp(loc, "upload:", 7) ? loc + 7 : base ? base + 1 : loc);
		rc = 0;
	} else if (rc == 0) {
		rc = ag_err_set(err, AG_ENOTFOUND, "%s has no evidence file %s", id, sha256);
	}
	ag_rows_free(r);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/evidence/%s", ws->dir, sha256);
	if (access(path, F_OK))
		return ag_err_set(err, AG_ENOTFOUND, "%s: recorded by its hash only, not kept in the "
				  "workspace", name);
	if ((rc = ag_file_map(&m, path, err)))
		return rc;
	ag_sha256_2(m.data, m.len, NULL, 0, d);
	ag_hex_encode(got, d, sizeof(d));
	if (strcmp(got, sha256))
		rc = ag_err_set(err, AG_ECORRUPT, "%s: the kept file no longer matches its recorded "
				  "SHA-256 (the evidence folder was altered)", name);
	else if (ag_buf_add(out, m.data, m.len))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_file_unmap(&m);
	return rc;
}

/* ---- approvals ------------------------------------------------------------------ */

/* Who made what is being approved (see ag_approve). */
static int find_maker(struct ag_workspace *ws, const char *id, const char *control_id,
		      char *maker, size_t cap, struct ag_err *err)
{
	struct ag_val p[2] = { ag_val_str(id), ag_val_str(control_id) };
	char subject[96];
	struct ag_rows *r;
	int rc;

	maker[0] = '\0';
	rc = ag_store_query(ws->store, "SELECT actor FROM evidence WHERE system_id = $1 AND"
				       " control_id = $2 ORDER BY added_at DESC, id DESC LIMIT 1",
			    p, 2, &r, err);
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1)
		snprintf(maker, cap, "%s", ag_rows_text(r, 0, NULL));
	ag_rows_free(r);
	if (rc < 0 || maker[0])
		return rc < 0 ? rc : 0;
	snprintf(subject, sizeof(subject), "system:%s", id);
	p[0] = ag_val_str(subject);
	rc = ag_store_query(ws->store, "SELECT actor FROM ledger_entry WHERE subject = $1 AND"
				       " action IN ('system.register', 'system.update')"
				       " ORDER BY seq DESC LIMIT 1", p, 1, &r, err);
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1)
		snprintf(maker, cap, "%s", ag_rows_text(r, 0, NULL));
	ag_rows_free(r);
	return rc < 0 ? rc : 0;
}

int ag_approve(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
	       const char *control_id, const char *note, const char *actor,
	       struct ag_err *err)
{
	char now[AG_TIME_LEN + 1], maker[300];
	struct ag_buf b;
	struct ag_json j;
	bool checker;
	int rc = ag_store_begin(ws->store, true, err);

	if (rc)
		return rc;
	if (!(rc = reg_need_system(ws, id, err)) && !(rc = known_control(c, control_id, err)))
		rc = find_maker(ws, id, control_id, maker, sizeof(maker), err);
	if (!rc && !strcmp(maker, actor))
		rc = ag_err_set(err, AG_EPERM, "%s made what is to be approved (%s of %s): a "
				"second person must approve it (maker-checker)", actor, control_id, id);
	if (!rc)
		rc = ag_role_has(ws, actor, AG_ROLE_SECOND_LINE, &checker, err);
	if (!rc && !checker)
		rc = ag_err_set(err, AG_EPERM, "%s may not approve: approvals are for the 2nd "
				"line (role second_line)", actor);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		struct ag_val p[6] = { ag_val_str(id), ag_val_str(control_id), ag_val_str(maker),
				       ag_val_str(actor), ag_val_str(note), ag_val_str(now) };
		rc = ag_store_exec(ws->store, "INSERT INTO approval (system_id, control_id, maker,"
					      " approver, note, approved_at) VALUES ($1, $2, $3, $4,"
					      " $5, $6)", p, 6, err);
	}
	if (!rc) {
		ag_buf_init(&b);
		ag_json_init(&j, &b, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "control");
		ag_json_cstr(&j, control_id);
		ag_json_key(&j, "maker");
		ag_json_cstr(&j, maker);
		ag_json_key(&j, "note");
		ag_json_cstr(&j, note);
		ag_json_end_object(&j);
		rc = record_json(ws, actor, "approval.grant", id, &b, ag_json_failed(&j), err);
		ag_buf_release(&b);
	}
	return reg_finish(ws, rc, err);
}

/* ---- gaps ------------------------------------------------------------------------- */

static int latest_sql(struct ag_workspace *ws, const char *sql, const struct ag_val *p,
		      size_t np, char *out, size_t cap, bool *found, struct ag_err *err)
{
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, sql, p, np, &r, err);

	*found = false;
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1) {
		*found = !ag_rows_is_null(r, 0);
		snprintf(out, cap, "%s", ag_rows_text(r, 0, NULL));
		rc = 0;
	}
	ag_rows_free(r);
	return rc;
}

/* The latest time something was recorded for a control (evidence, or an
 * approval for approval controls); *found false when nothing. */
static int latest(struct ag_workspace *ws, const char *id, const struct ag_control *k,
		  char *out, size_t cap, bool *found, struct ag_err *err)
{
	struct ag_val p[2] = { ag_val_str(id), ag_val_str(k->id) };
	const char *sql = k->evidence == AG_EV_APPROVAL
		? "SELECT max(approved_at) FROM approval WHERE system_id = $1 AND control_id = $2"
		: "SELECT max(added_at) FROM evidence WHERE system_id = $1 AND control_id = $2";
	struct ag_rows *r;
	int rc;

	if (k->met_by == AG_MET_BY_DRILL) { /* a drill is the evidence too */
		char ev[40] = "";
		bool ev_found;
		rc = latest_sql(ws, sql, p, 2, ev, sizeof(ev), &ev_found, err);
		if (!rc)
			rc = latest_sql(ws, "SELECT max(at) FROM oversight_event WHERE system_id = $1"
					    " AND kind = 'drill'", p, 1, out, cap, found, err);
		if (!rc && ev_found && (!*found || strcmp(ev, out) > 0)) {
			snprintf(out, cap, "%s", ev);
			*found = true;
		}
		return rc;
	}
	rc = ag_store_query(ws->store, sql, p, 2, &r, err);
	*found = false;
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1) {
		*found = !ag_rows_is_null(r, 0);
		snprintf(out, cap, "%s", ag_rows_text(r, 0, NULL));
		rc = 0;
	}
	ag_rows_free(r);
	return rc;
}

static void date_of(char out[16], int64_t t)
{
	char full[AG_TIME_LEN + 1];

	ag_time_format(full, t);
	memcpy(out, full, 10);
	out[10] = '\0';
}

int ag_gaps(struct ag_workspace *ws, const struct ag_catalog *c, const struct ag_system *s,
	    int64_t now, struct ag_gap_report *out, struct ag_err *err)
{
	struct ag_assessment_info info;
	bool assessed;
	int rc, tier;

	memset(out, 0, sizeof(*out));
	rc = ag_registry_latest_assessment(ws, s->id, &info, &assessed, err);
	if (rc)
		return rc;
	out->tier = assessed ? info.tier : -1;
	if (assessed) {
		char today[16];
		date_of(today, now);
		snprintf(out->assessment_due, sizeof(out->assessment_due), "%s", info.next_due);
		out->assessment_overdue = strcmp(today, info.next_due) > 0;
	}
	tier = assessed ? info.tier : AG_TIER_HIGH;
	out->items = calloc(c->ncontrols ? c->ncontrols : 1, sizeof(*out->items));
	if (!out->items)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	out->n = c->ncontrols;
	for (size_t i = 0; i < c->ncontrols; i++) {
		const struct ag_control *k = &c->controls[i];
		struct ag_gap_item *it = &out->items[i];
		unsigned due_by_now = (1u << (s->stage + 1)) - 1; /* this and earlier stages */
		int64_t last_t, period;
		bool found;

		it->control = k;
		if (s->stage == AG_STAGE_RETIRED || !ag_control_applies(k, s, tier)) {
			it->status = AG_GAP_NOT_APPLICABLE;
			continue;
		}
		if (!(k->stages & due_by_now)) {
			it->status = AG_GAP_LATER;
			continue;
		}
		rc = latest(ws, s->id, k, it->last, sizeof(it->last), &found, err);
		if (rc)
			return rc;
		/* aigov's own record: the assessment is the evidence. */
		if (k->met_by == AG_MET_BY_ASSESSMENT && assessed &&
		    (!found || strcmp(info.assessed_at, it->last) > 0)) {
			snprintf(it->last, sizeof(it->last), "%s", info.assessed_at);
			found = true;
		}
		if (!found) {
			it->status = AG_GAP_MISSING;
			date_of(it->due, now);
			out->missing++;
			continue;
		}
		period = frequency_days(k->frequency[tier]) * 86400 * 1000000LL;
		if (!period || !ag_time_parse(it->last, strlen(it->last), &last_t)) {
			it->status = AG_GAP_MET;
			continue;
		}
		date_of(it->due, last_t + period);
		if (now > last_t + period) {
			it->status = AG_GAP_OVERDUE;
			out->overdue++;
		} else {
			it->status = AG_GAP_MET;
		}
	}
	if (s->vendor && s->stage != AG_STAGE_RETIRED) {
		struct ag_buf v;
		ag_buf_init(&v);
		rc = ag_vendor_findings(ws, s->vendor, now, &v, &out->nvendor, err);
		out->vendor_findings = out->nvendor ? ag_buf_detach(&v, NULL) : NULL;
		ag_buf_release(&v);
		if (rc)
			return rc;
	}
	return 0;
}

bool ag_gap_report_blocks(const struct ag_gap_report *r)
{
	return r->tier < 0 || r->assessment_overdue || r->missing || r->overdue || r->nvendor;
}

void ag_gap_report_release(struct ag_gap_report *r)
{
	free(r->items);
	free(r->vendor_findings);
	memset(r, 0, sizeof(*r));
}

/* ---- the stage gate ------------------------------------------------------------------ */

int ag_stage_advance(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
		     int to, const char *actor, int64_t now, struct ag_gap_report *blocking,
		     struct ag_err *err)
{
	struct ag_system_set *set = NULL;
	struct ag_system *s;
	struct ag_buf yaml, b;
	struct ag_json j;
	char ts[AG_TIME_LEN + 1];
	int from, rc;

	memset(blocking, 0, sizeof(*blocking));
	rc = ag_store_begin(ws->store, true, err);
	if (rc)
		return rc;
	rc = ag_registry_load(ws, id, &set, err);
	if (rc)
		return reg_finish(ws, rc, err);
	s = &set->systems[0];
	from = s->stage;
	if (from == AG_STAGE_RETIRED)
		rc = ag_err_set(err, AG_EINVAL, "%s is retired", id);
	else if (to != from + 1 && to != AG_STAGE_RETIRED)
		rc = ag_err_set(err, AG_EINVAL, "%s is in stage %s: it can move to %s (or be "
				"retired), not to %s", id, ag_stage_ids[from],
				from + 1 < AG_STAGE_RETIRED ? ag_stage_ids[from + 1] : "retired",
				ag_stage_ids[to]);
	if (!rc && to != AG_STAGE_RETIRED) {
		rc = ag_gaps(ws, c, s, now, blocking, err);
		if (!rc && ag_gap_report_blocks(blocking))
			rc = ag_err_set(err, AG_EPERM, "%s cannot leave stage %s yet: %s", id,
					ag_stage_ids[from],
					blocking->tier < 0 ? "it has not been assessed (aigov assess)"
					: blocking->assessment_overdue ? "its risk assessment is overdue"
					: blocking->missing || blocking->overdue
					? "required controls lack evidence or approval"
					: "its vendor has open findings");
	}
	ag_time_format(ts, now);
	ag_buf_init(&yaml);
	ag_buf_init(&b);
	if (!rc) {
		s->stage = to;
		rc = ag_system_write_yaml(&yaml, s, 0) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
	}
	if (!rc) {
		struct ag_val p[4] = { ag_val_str(id), ag_val_text(yaml.buf, yaml.len),
				       ag_val_str(ag_stage_ids[to]), ag_val_str(ts) };
		rc = ag_store_exec(ws->store, "UPDATE ai_system SET descriptor = $2, stage = $3,"
					      " updated_at = $4 WHERE id = $1", p, 4, err);
	}
	if (!rc) {
		ag_json_init(&j, &b, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "from");
		ag_json_cstr(&j, ag_stage_ids[from]);
		ag_json_key(&j, "to");
		ag_json_cstr(&j, ag_stage_ids[to]);
		ag_json_end_object(&j);
		rc = record_json(ws, actor, "system.stage", id, &b, ag_json_failed(&j), err);
	}
	ag_buf_release(&yaml);
	ag_buf_release(&b);
	ag_system_set_free(set);
	if (rc != AG_EPERM)
		ag_gap_report_release(blocking);
	return reg_finish(ws, rc, err);
}
