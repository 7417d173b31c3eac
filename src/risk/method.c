/* The risk method: catalog/risk-method.yaml (risk.h, docs/registry-formats.md). */
#include "aigov/risk.h"

#include "aigov/file.h"
#include "aigov/merkle.h"
#include "aigov/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mparse {
	struct ag_ydoc *d;
	struct ag_arena *a;
	struct ag_err *err;
};

static int parse_factor(struct mparse *p, yaml_node_t *m, const char *path, int f,
			struct ag_risk_method *rm)
{
	static const char *const keys[] = { "name", "levels", NULL };
	yaml_node_t *lv;
	char q[300];
	int rc;

	if ((rc = ag_y_want_map(p->d, m, m, path, p->err)) ||
	    (rc = ag_y_only_keys(p->d, m, path, keys, p->err)) ||
	    (rc = ag_y_texts(p->d, m, path, "name", p->a, &rm->factor_names[f], p->err)))
		return rc;
	lv = ag_y_get(p->d, m, "levels");
	snprintf(q, sizeof(q), "%s.levels", path);
	if ((rc = ag_y_want_map(p->d, lv, m, q, p->err)) ||
	    (rc = ag_y_only_keys(p->d, lv, q, ag_factor_levels[f], p->err)))
		return rc;
	/* Every level the descriptors may use needs its points. */
	for (int l = 0; ag_factor_levels[f][l]; l++) {
		int64_t v = 0;
		if ((rc = ag_y_int(p->d, lv, q, ag_factor_levels[f][l], true, 0, 1000, &v, p->err)))
			return rc;
		rm->points[f][l] = (int)v;
	}
	return 0;
}

static int parse_rule(struct mparse *p, yaml_node_t *m, const char *path,
		      struct ag_risk_rule *r)
{
	static const char *const keys[] = { "id", "when", "tier", "reason", NULL };
	static const char *wkeys[4 + AG_NFACTORS];
	yaml_node_t *w;
	char q[300];
	int rc;

	wkeys[0] = "use_case";
	wkeys[1] = "business_line";
	wkeys[2] = "ai_type";
	for (int f = 0; f < AG_NFACTORS; f++)
		wkeys[3 + f] = ag_factor_ids[f];
	wkeys[3 + AG_NFACTORS] = NULL;
	r->use_case = r->business_line = r->ai_type = -1;
	for (int f = 0; f < AG_NFACTORS; f++)
		r->factor_level[f] = -1;
	if ((rc = ag_y_want_map(p->d, m, m, path, p->err)) ||
	    (rc = ag_y_only_keys(p->d, m, path, keys, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "id", true, p->a, &r->id, p->err)) ||
	    (rc = ag_y_enum(p->d, m, path, "tier", true, ag_tier_ids, &r->tier, p->err)) ||
	    (rc = ag_y_texts(p->d, m, path, "reason", p->a, &r->reason, p->err)))
		return rc;
	w = ag_y_get(p->d, m, "when");
	snprintf(q, sizeof(q), "%s.when", path);
	if ((rc = ag_y_want_map(p->d, w, m, q, p->err)) ||
	    (rc = ag_y_only_keys(p->d, w, q, wkeys, p->err)) ||
	    (rc = ag_y_enum(p->d, w, q, "use_case", false, ag_use_case_ids, &r->use_case, p->err)) ||
	    (rc = ag_y_enum(p->d, w, q, "business_line", false, ag_business_line_ids,
			    &r->business_line, p->err)) ||
	    (rc = ag_y_enum(p->d, w, q, "ai_type", false, ag_ai_type_ids, &r->ai_type, p->err)))
		return rc;
	for (int f = 0; f < AG_NFACTORS; f++)
		if ((rc = ag_y_enum(p->d, w, q, ag_factor_ids[f], false, ag_factor_levels[f],
				    &r->factor_level[f], p->err)))
			return rc;
	if (!w->data.mapping.pairs.top || w->data.mapping.pairs.top == w->data.mapping.pairs.start)
		return ag_y_error(p->d, w, q, p->err, "a rule needs at least one condition");
	return 0;
}

static int parse_method(struct mparse *p, yaml_node_t *root, struct ag_risk_method *rm)
{
	static const char *const keys[] = { "version", "note", "factors", "tiers", "rules",
					    "reassessment", NULL };
	static const char *const tkeys[] = { "tier", "min_points", NULL };
	yaml_node_t *fs, *ts, *rs, *ra;
	yaml_node_item_t *it;
	size_t n;
	int rc;

	if ((rc = ag_y_want_map(p->d, root, root, "(top)", p->err)) ||
	    (rc = ag_y_only_keys(p->d, root, "(top)", keys, p->err)) ||
	    (rc = ag_y_str(p->d, root, "", "version", true, p->a, &rm->version, p->err)) ||
	    (rc = ag_y_texts(p->d, root, "", "note", p->a, &rm->note, p->err)))
		return rc;
	fs = ag_y_get(p->d, root, "factors");
	if ((rc = ag_y_want_map(p->d, fs, root, "factors", p->err)) ||
	    (rc = ag_y_only_keys(p->d, fs, "factors", ag_factor_ids, p->err)))
		return rc;
	for (int f = 0; f < AG_NFACTORS; f++) {
		char q[64];
		snprintf(q, sizeof(q), "factors.%s", ag_factor_ids[f]);
		if ((rc = parse_factor(p, ag_y_get(p->d, fs, ag_factor_ids[f]), q, f, rm)))
			return rc;
	}
	ts = ag_y_get(p->d, root, "tiers");
	if (!ag_y_is_seq(ts))
		return ag_y_error(p->d, ts ? ts : root, "tiers", p->err,
				  "expected a list of {tier, min_points}");
	it = ag_y_items(ts, &n);
	if (n != AG_NTIERS)
		return ag_y_error(p->d, ts, "tiers", p->err, "expected the three tiers low, medium, high");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *t = ag_y_node(p->d, it[i]);
		char q[64];
		int64_t minp = 0;
		snprintf(q, sizeof(q), "tiers[%zu]", i);
		if ((rc = ag_y_want_map(p->d, t, t, q, p->err)) ||
		    (rc = ag_y_only_keys(p->d, t, q, tkeys, p->err)) ||
		    (rc = ag_y_enum(p->d, t, q, "tier", true, ag_tier_ids, &rm->tier_order[i], p->err)) ||
		    (rc = ag_y_int(p->d, t, q, "min_points", true, 0, 100000, &minp, p->err)))
			return rc;
		rm->tier_min[i] = (int)minp;
		/* Checked in order, the first match wins: so thresholds must
		 * fall, tiers must fall, and the last must catch everything. */
		if (i && (rm->tier_min[i] >= rm->tier_min[i - 1] ||
			  rm->tier_order[i] >= rm->tier_order[i - 1]))
			return ag_y_error(p->d, t, q, p->err, "list tiers from high to low with "
				       "falling min_points");
	}
	if (rm->tier_min[n - 1] != 0)
		return ag_y_error(p->d, ts, "tiers", p->err, "the last tier needs min_points: 0");
	rm->ntiers = (int)n;
	rs = ag_y_get(p->d, root, "rules");
	if (rs && !ag_y_is_null(rs)) {
		if (!ag_y_is_seq(rs))
			return ag_y_error(p->d, rs, "rules", p->err, "expected a list");
		it = ag_y_items(rs, &n);
		if (n > AG_MAX_RULES)
			return ag_y_error(p->d, rs, "rules", p->err, "at most %d rules", AG_MAX_RULES);
		rm->nrules = n;
		for (size_t i = 0; i < n; i++) {
			char q[64];
			snprintf(q, sizeof(q), "rules[%zu]", i);
			if ((rc = parse_rule(p, ag_y_node(p->d, it[i]), q, &rm->rules[i])))
				return rc;
		}
	}
	ra = ag_y_get(p->d, root, "reassessment");
	if ((rc = ag_y_want_map(p->d, ra, root, "reassessment", p->err)) ||
	    (rc = ag_y_only_keys(p->d, ra, "reassessment", ag_tier_ids, p->err)))
		return rc;
	for (int t = 0; t < AG_NTIERS; t++) {
		int64_t v = 0;
		if ((rc = ag_y_int(p->d, ra, "reassessment", ag_tier_ids[t], true, 1, 120, &v, p->err)))
			return rc;
		rm->reassess_months[t] = (int)v;
	}
	return 0;
}

int ag_risk_method_parse(struct ag_risk_method **out, const char *text, size_t len,
			 const char *name, struct ag_err *err)
{
	struct ag_risk_method *rm = calloc(1, sizeof(*rm));
	struct ag_ydoc d;
	struct mparse p = { &d, NULL, err };
	uint8_t h[32];
	int rc;

	*out = NULL;
	if (!rm)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_init(&rm->arena, 0);
	p.a = &rm->arena;
	ag_sha256(text, len, h);
	ag_hex_encode(rm->sha256, h, 32);
	rc = ag_ydoc_load(&d, text, len, name, err);
	if (!rc) {
		rc = parse_method(&p, ag_ydoc_root(&d), rm);
		ag_ydoc_release(&d);
	}
	if (rc) {
		ag_risk_method_free(rm);
		return rc;
	}
	*out = rm;
	return 0;
}

int ag_risk_method_load(struct ag_risk_method **out, const char *path, struct ag_err *err)
{
	struct ag_file_map m;
	int rc = ag_file_map(&m, path, err);

	if (rc)
		return rc;
	rc = ag_risk_method_parse(out, m.data, m.len, path, err);
	ag_file_unmap(&m);
	return rc;
}

void ag_risk_method_free(struct ag_risk_method *m)
{
	if (!m)
		return;
	ag_arena_release(&m->arena);
	free(m);
}
