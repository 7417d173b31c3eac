/* The inventory, roles and assessments in the store (registry.h). */
#include "aigov/registry.h"

#include "internal.h"

#include "aigov/jcs.h"
#include "aigov/merkle.h"
#include "aigov/str.h"
#include "aigov/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ag_role_ids[] = { "admin", "first_line", "second_line", "third_line",
					    "board", NULL };

int reg_record(struct ag_workspace *ws, const char *actor, const char *action,
	       const char *subject, const struct ag_buf *b, bool failed, struct ag_err *err)
{
	struct ag_ledger_event ev = { actor, action, subject, b->buf, b->len };

	if (failed)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	return ag_ledger_record(ws->ledger, &ev, NULL, err);
}

int reg_finish(struct ag_workspace *ws, int rc, struct ag_err *err)
{
	if (!rc)
		return ag_store_commit(ws->store, err);
	ag_store_rollback(ws->store);
	return rc;
}

int reg_need_system(struct ag_workspace *ws, const char *id, struct ag_err *err)
{
	struct ag_val p = ag_val_str(id);
	int64_t n = 0;
	bool found;
	int rc = ag_store_query_int(ws->store, "SELECT count(*) FROM ai_system WHERE id = $1",
				    &p, 1, &n, &found, err);

	if (!rc && n == 0)
		rc = ag_err_set(err, AG_ENOTFOUND, "no AI system '%s' in the inventory (see "
				"'aigov system list')", id);
	return rc;
}

/* ---- roles ---------------------------------------------------------------------- */

int ag_role_has(struct ag_workspace *ws, const char *who, int role, bool *has,
		struct ag_err *err)
{
	struct ag_val p[2] = { ag_val_str(who), ag_val_str(ag_role_ids[role]) };
	int64_t n = 0;
	bool found;
	int rc = ag_store_query_int(ws->store, "SELECT count(*) FROM actor_role"
					       " WHERE actor = $1 AND role = $2",
				    p, 2, &n, &found, err);

	*has = !rc && n > 0;
	return rc;
}

int ag_role_grant(struct ag_workspace *ws, const char *actor, const char *who, int role,
		  struct ag_err *err)
{
	char now[AG_TIME_LEN + 1];
	struct ag_buf b;
	struct ag_json j;
	bool admin;
	int rc = ag_store_begin(ws->store, true, err);

	if (rc)
		return rc;
	rc = ag_role_has(ws, actor, AG_ROLE_ADMIN, &admin, err);
	if (!rc && !admin)
		rc = ag_err_set(err, AG_EPERM, "%s is not an admin of this workspace: only an "
				"admin grants roles", actor);
	ag_time_format(now, ag_time_now_us());
	if (!rc) {
		struct ag_val p[4] = { ag_val_str(who), ag_val_str(ag_role_ids[role]),
				       ag_val_str(actor), ag_val_str(now) };
		rc = ag_store_exec(ws->store, "INSERT INTO actor_role (actor, role, granted_by,"
					      " granted_at) VALUES ($1, $2, $3, $4)"
					      " ON CONFLICT (actor, role) DO NOTHING", p, 4, err);
	}
	if (!rc) {
		ag_buf_init(&b);
		ag_json_init(&j, &b, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "actor");
		ag_json_cstr(&j, who);
		ag_json_key(&j, "role");
		ag_json_cstr(&j, ag_role_ids[role]);
		ag_json_end_object(&j);
		rc = reg_record(ws, actor, "role.grant", who, &b, ag_json_failed(&j), err);
		ag_buf_release(&b);
	}
	return reg_finish(ws, rc, err);
}

int ag_role_list(struct ag_workspace *ws,
		 void (*fn)(void *ctx, const char *who, const char *role, const char *by,
			    const char *at),
		 void *ctx, struct ag_err *err)
{
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, "SELECT actor, role, granted_by, granted_at"
					   " FROM actor_role ORDER BY actor, role", NULL, 0, &r, err);

	if (rc)
		return rc;
	while ((rc = ag_rows_next(r, err)) == 1)
		fn(ctx, ag_rows_text(r, 0, NULL), ag_rows_text(r, 1, NULL), ag_rows_text(r, 2, NULL),
		   ag_rows_text(r, 3, NULL));
	ag_rows_free(r);
	return rc;
}

/* ---- systems ---------------------------------------------------------------------- */

static int add_one(struct ag_workspace *ws, const struct ag_system *in, const char *actor,
		   bool replace, const char *now, struct ag_err *err)
{
	struct ag_val p[6];
	struct ag_system s = *in;
	struct ag_rows *r;
	struct ag_buf yaml, b;
	struct ag_json j;
	char sha[65];
	uint8_t h[32];
	int64_t revision = 0;
	bool exists = false;
	int rc;

	p[0] = ag_val_str(s.id);
	rc = ag_store_query(ws->store, "SELECT revision, stage FROM ai_system WHERE id = $1",
			    p, 1, &r, err);
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1) {
		exists = true;
		revision = ag_rows_int(r, 0);
		if (strcmp(ag_rows_text(r, 1, NULL), ag_stage_ids[s.stage]) != 0 && replace)
			rc = ag_err_set(err, AG_EINVAL,
					"%s: stage is %s in the file but %s in the workspace: stages "
					"change only through 'aigov stage'",
					s.id, ag_stage_ids[s.stage], ag_rows_text(r, 1, NULL));
		else
			rc = 0;
	}
	ag_rows_free(r);
	if (rc)
		return rc;
	if (exists && !replace)
		return ag_err_set(err, AG_EEXIST, "%s: already registered (revision %lld); use "
				  "--replace to update its descriptor", s.id, (long long)revision);
	ag_buf_init(&yaml);
	ag_buf_init(&b);
	rc = ag_system_write_yaml(&yaml, &s, 0) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
	if (!rc) {
		ag_sha256(yaml.buf, yaml.len, h);
		ag_hex_encode(sha, h, 32);
		p[1] = ag_val_text(yaml.buf, yaml.len);
		p[2] = ag_val_str(ag_stage_ids[s.stage]);
		p[3] = ag_val_int(revision + 1);
		p[4] = ag_val_str(now);
		rc = ag_store_exec(ws->store, exists
			? "UPDATE ai_system SET descriptor = $2, stage = $3, revision = $4,"
			  " updated_at = $5 WHERE id = $1"
			: "INSERT INTO ai_system (id, descriptor, stage, revision, registered_at,"
			  " updated_at) VALUES ($1, $2, $3, $4, $5, $5)", p, 5, err);
	}
	if (!rc) {
		ag_json_init(&j, &b, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "descriptor");
		ag_system_write_json(&j, &s);
		ag_json_key(&j, "descriptor_sha256");
		ag_json_cstr(&j, sha);
		ag_json_key(&j, "revision");
		ag_json_u64(&j, (uint64_t)revision + 1);
		ag_json_end_object(&j);
		char subject[96];
		snprintf(subject, sizeof(subject), "system:%s", s.id);
		rc = reg_record(ws, actor, exists ? "system.update" : "system.register", subject, &b,
			    ag_json_failed(&j), err);
	}
	ag_buf_release(&yaml);
	ag_buf_release(&b);
	return rc;
}

int ag_registry_add(struct ag_workspace *ws, struct ag_system_set *const *sets,
		    size_t nsets, const char *actor, bool replace, struct ag_err *err)
{
	char now[AG_TIME_LEN + 1];
	int rc = ag_store_begin(ws->store, true, err);

	if (rc)
		return rc;
	ag_time_format(now, ag_time_now_us());
	for (size_t k = 0; k < nsets; k++)
		for (size_t i = 0; !rc && i < sets[k]->n; i++)
			rc = add_one(ws, &sets[k]->systems[i], actor, replace, now, err);
	return reg_finish(ws, rc, err);
}

int ag_registry_load(struct ag_workspace *ws, const char *id, struct ag_system_set **out,
		     struct ag_err *err)
{
	struct ag_val p = ag_val_str(id);
	struct ag_rows *r;
	struct ag_buf doc;
	size_t n = 0;
	int rc;

	*out = NULL;
	rc = ag_store_query(ws->store, id ? "SELECT descriptor FROM ai_system WHERE id = $1"
					  : "SELECT descriptor FROM ai_system ORDER BY id",
			    &p, id ? 1 : 0, &r, err);
	if (rc)
		return rc;
	/* Stored descriptors are canonical YAML without multi-line
	 * scalars: indenting each line makes them items of one list. */
	ag_buf_init(&doc);
	rc = ag_buf_addstr(&doc, "systems:\n") ? AG_ENOMEM : 0;
	while (!rc && (rc = ag_rows_next(r, err)) == 1) {
		size_t len;
		const char *t = ag_rows_text(r, 0, &len);
		bool first = true;
		rc = 0;
		for (size_t i = 0; !rc && i < len;) {
			const char *nl = memchr(t + i, '\n', len - i);
			size_t l = nl ? (size_t)(nl - (t + i)) : len - i;
			if (ag_buf_addstr(&doc, first ? "  - " : "    ") || ag_buf_add(&doc, t + i, l) ||
			    ag_buf_addch(&doc, '\n'))
				rc = AG_ENOMEM;
			first = false;
			i += l + 1;
		}
		n++;
	}
	ag_rows_free(r);
	if (rc == AG_ENOMEM)
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	if (!rc && id && !n)
		rc = ag_err_set(err, AG_ENOTFOUND, "no AI system '%s' in the inventory (see "
				"'aigov system list')", id);
	if (!rc && !n) {
		*out = calloc(1, sizeof(**out));
		if (!*out)
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		else
			ag_arena_init(&(*out)->arena, 0);
	} else if (!rc) {
		rc = ag_systems_parse(out, doc.buf, doc.len, "the stored inventory", err);
		if (rc == AG_EPARSE)
			rc = AG_ECORRUPT;
	}
	ag_buf_release(&doc);
	return rc;
}

/* ---- policy files ------------------------------------------------------------------ */

int ag_registry_policy(struct ag_workspace *ws, struct ag_catalog **c,
		       struct ag_risk_method **m, struct ag_err *err)
{
	char path[4096];
	int rc;

	*c = NULL;
	*m = NULL;
	snprintf(path, sizeof(path), "%s/catalog/controls.yaml", ws->dir);
	rc = ag_catalog_load(c, path, err);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/catalog/risk-method.yaml", ws->dir);
		rc = ag_risk_method_load(m, path, err);
	}
	if (rc) {
		ag_catalog_free(*c);
		*c = NULL;
	}
	return rc;
}

/* ---- assessments ------------------------------------------------------------------- */

/* YYYY-MM-DD of `months` after the date at the start of t (RFC 3339). */
static void add_months(char out[16], const char *t, int months)
{
	int y = atoi(t), mo = atoi(t + 5), d = atoi(t + 8);
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int last;

	mo += months;
	y += (mo - 1) / 12;
	mo = (mo - 1) % 12 + 1;
	last = mdays[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
	if (d > last)
		d = last;
	snprintf(out, 16, "%04d-%02d-%02d", y % 10000, mo, d);
}

/* A catalog.loaded entry when the policy files differ from the last recorded. */
static int note_policy(struct ag_workspace *ws, const struct ag_risk_method *m,
		       const struct ag_catalog *c, const char *actor, struct ag_err *err)
{
	char both[160];
	struct ag_val p[2];
	struct ag_rows *r;
	struct ag_buf b;
	struct ag_json j;
	bool same = false;
	int rc;

	snprintf(both, sizeof(both), "%s %s", m->sha256, c->sha256);
	p[0] = ag_val_str("policy.sha256");
	rc = ag_store_query(ws->store, "SELECT value FROM meta WHERE key = $1", p, 1, &r, err);
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1) {
		same = !strcmp(ag_rows_text(r, 0, NULL), both);
		rc = 0;
	}
	ag_rows_free(r);
	if (rc || same)
		return rc;
	p[1] = ag_val_str(both);
	rc = ag_store_exec(ws->store, "INSERT INTO meta (key, value) VALUES ($1, $2)"
				      " ON CONFLICT (key) DO UPDATE SET value = $2", p, 2, err);
	if (rc)
		return rc;
	ag_buf_init(&b);
	ag_json_init(&j, &b, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "controls");
	ag_json_begin_object(&j);
	ag_json_key(&j, "version");
	ag_json_cstr(&j, c->version);
	ag_json_key(&j, "sha256");
	ag_json_cstr(&j, c->sha256);
	ag_json_key(&j, "count");
	ag_json_u64(&j, c->ncontrols);
	ag_json_end_object(&j);
	ag_json_key(&j, "risk_method");
	ag_json_begin_object(&j);
	ag_json_key(&j, "version");
	ag_json_cstr(&j, m->version);
	ag_json_key(&j, "sha256");
	ag_json_cstr(&j, m->sha256);
	ag_json_end_object(&j);
	ag_json_end_object(&j);
	rc = reg_record(ws, actor, "catalog.loaded", "catalog", &b, ag_json_failed(&j), err);
	ag_buf_release(&b);
	return rc;
}

static void assessment_json(struct ag_json *j, const struct ag_system *s,
			    const struct ag_risk_method *m, const struct ag_assessment *a,
			    const struct ag_assessment_info *info, const char *justification)
{
	ag_json_begin_object(j);
	ag_json_key(j, "system");
	ag_json_cstr(j, s->id);
	ag_json_key(j, "revision");
	ag_json_u64(j, (uint64_t)info->revision);
	ag_json_key(j, "method");
	ag_json_begin_object(j);
	ag_json_key(j, "version");
	ag_json_cstr(j, m->version);
	ag_json_key(j, "sha256");
	ag_json_cstr(j, m->sha256);
	ag_json_end_object(j);
	ag_json_key(j, "inputs");
	ag_json_begin_object(j);
	ag_json_key(j, "business_line");
	ag_json_cstr(j, ag_business_line_ids[s->business_line]);
	ag_json_key(j, "use_case");
	ag_json_cstr(j, ag_use_case_ids[s->use_case]);
	ag_json_key(j, "ai_type");
	ag_json_cstr(j, ag_ai_type_ids[s->ai_type]);
	for (int f = 0; f < AG_NFACTORS; f++) {
		ag_json_key(j, ag_factor_ids[f]);
		ag_json_cstr(j, ag_factor_levels[f][s->factors[f]]);
	}
	ag_json_end_object(j);
	ag_json_key(j, "factor_points");
	ag_json_begin_object(j);
	for (int f = 0; f < AG_NFACTORS; f++) {
		ag_json_key(j, ag_factor_ids[f]);
		ag_json_u64(j, (uint64_t)a->factor_points[f]);
	}
	ag_json_end_object(j);
	ag_json_key(j, "points");
	ag_json_u64(j, (uint64_t)a->points);
	ag_json_key(j, "points_tier");
	ag_json_cstr(j, ag_tier_ids[a->points_tier]);
	ag_json_key(j, "rules");
	ag_json_begin_array(j);
	for (size_t i = 0; i < a->nrules; i++)
		ag_json_cstr(j, a->rules[i]->id);
	ag_json_end_array(j);
	ag_json_key(j, "computed_tier");
	ag_json_cstr(j, ag_tier_ids[a->computed_tier]);
	ag_json_key(j, "tier");
	ag_json_cstr(j, ag_tier_ids[info->tier]);
	ag_json_key(j, "override");
	if (info->overridden) {
		ag_json_begin_object(j);
		ag_json_key(j, "justification");
		ag_json_cstr(j, justification);
		ag_json_end_object(j);
	} else {
		ag_json_null(j);
	}
	ag_json_key(j, "eu_ai_act");
	ag_json_begin_object(j);
	ag_json_key(j, "class");
	ag_json_cstr(j, ag_eu_class_ids[a->eu_class]);
	ag_json_key(j, "basis");
	ag_json_cstr(j, a->eu_basis);
	ag_json_key(j, "applies");
	ag_json_bool(j, a->eu_applies);
	ag_json_end_object(j);
	ag_json_key(j, "bankers_rule");
	ag_json_begin_object(j);
	ag_json_key(j, "in_scope");
	ag_json_bool(j, a->bankers_rule);
	ag_json_key(j, "basis");
	ag_json_cstr(j, a->bankers_basis);
	ag_json_end_object(j);
	ag_json_key(j, "remedy_exempt");
	ag_json_bool(j, a->remedy_exempt);
	ag_json_key(j, "disclosure_may_be_limited");
	ag_json_bool(j, a->disclosure_limited);
	ag_json_key(j, "next_due");
	ag_json_cstr(j, info->next_due);
	ag_json_end_object(j);
}

int ag_registry_assess(struct ag_workspace *ws, const char *id,
		       const struct ag_risk_method *m, const struct ag_catalog *c,
		       const char *actor, int override_tier, const char *justification,
		       struct ag_assessment *a, struct ag_assessment_info *info,
		       struct ag_buf *json, struct ag_err *err)
{
	struct ag_system_set *set = NULL;
	struct ag_buf b;
	struct ag_json j;
	struct ag_val p[11];
	int64_t rev = 0;
	bool found, second;
	char subject[96];
	int rc;

	memset(info, 0, sizeof(*info));
	if (override_tier >= 0 && (!justification || strlen(justification) < 20))
		return ag_err_set(err, AG_EINVAL, "overriding the tier needs a written "
				  "justification of at least 20 characters (--justification)");
	rc = ag_store_begin(ws->store, true, err);
	if (rc)
		return rc;
	if (override_tier >= 0) {
		rc = ag_role_has(ws, actor, AG_ROLE_SECOND_LINE, &second, err);
		if (!rc && !second)
			rc = ag_err_set(err, AG_EPERM, "%s may not override a risk tier: that is for "
					"the 2nd line (role second_line)", actor);
	}
	if (!rc)
		rc = ag_registry_load(ws, id, &set, err);
	if (!rc) {
		p[0] = ag_val_str(id);
		rc = ag_store_query_int(ws->store, "SELECT max(revision) FROM assessment"
						   " WHERE system_id = $1", p, 1, &rev, &found, err);
	}
	if (!rc)
		rc = note_policy(ws, m, c, actor, err);
	if (rc)
		goto out;
	ag_assess(&set->systems[0], m, a);
	info->revision = (int)rev + 1;
	info->overridden = override_tier >= 0;
	info->tier = info->overridden ? override_tier : a->computed_tier;
	ag_time_format(info->assessed_at, ag_time_now_us());
	add_months(info->next_due, info->assessed_at, m->reassess_months[info->tier]);
	ag_buf_init(&b);
	ag_json_init(&j, &b, false);
	assessment_json(&j, &set->systems[0], m, a, info, justification);
	if (ag_json_failed(&j)) {
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	} else {
		p[1] = ag_val_int(info->revision);
		p[2] = ag_val_str(info->assessed_at);
		p[3] = ag_val_str(actor);
		p[4] = ag_val_str(m->version);
		p[5] = ag_val_str(m->sha256);
		p[6] = ag_val_str(ag_tier_ids[a->computed_tier]);
		p[7] = ag_val_str(ag_tier_ids[info->tier]);
		p[8] = ag_val_str(info->overridden ? justification : NULL);
		p[9] = ag_val_str(info->next_due);
		p[10] = ag_val_text(b.buf, b.len);
		rc = ag_store_exec(ws->store, "INSERT INTO assessment (system_id, revision,"
			" assessed_at, actor, method_version, method_sha256, computed_tier, tier,"
			" justification, next_due, result) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
			" $9, $10, $11)", p, 11, err);
	}
	snprintf(subject, sizeof(subject), "system:%s", id);
	if (!rc)
		rc = reg_record(ws, actor, info->overridden ? "assess.override" : "assess.record",
			    subject, &b, false, err);
	if (!rc && json && ag_buf_add(json, b.buf, b.len))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_buf_release(&b);
out:
	ag_system_set_free(set);
	return reg_finish(ws, rc, err);
}

int ag_registry_latest_assessment(struct ag_workspace *ws, const char *id,
				  struct ag_assessment_info *info, bool *found,
				  struct ag_err *err)
{
	struct ag_val p = ag_val_str(id);
	struct ag_rows *r;
	int rc = ag_store_query(ws->store, "SELECT revision, assessed_at, next_due, tier,"
					   " justification FROM assessment WHERE system_id = $1"
					   " ORDER BY revision DESC LIMIT 1", &p, 1, &r, err);

	*found = false;
	memset(info, 0, sizeof(*info));
	if (rc)
		return rc;
	if ((rc = ag_rows_next(r, err)) == 1) {
		*found = true;
		info->revision = (int)ag_rows_int(r, 0);
		snprintf(info->assessed_at, sizeof(info->assessed_at), "%s", ag_rows_text(r, 1, NULL));
		snprintf(info->next_due, sizeof(info->next_due), "%s", ag_rows_text(r, 2, NULL));
		info->tier = AG_TIER_LOW;
		for (int t = 0; t < AG_NTIERS; t++)
			if (!strcmp(ag_rows_text(r, 3, NULL), ag_tier_ids[t]))
				info->tier = t;
		info->overridden = !ag_rows_is_null(r, 4);
		rc = 0;
	}
	ag_rows_free(r);
	return rc;
}
