/* Evaluation thresholds and checks (checks.h). */
#include "aigov/checks.h"

#include "aigov/file.h"
#include "aigov/merkle.h"
#include "aigov/num.h"
#include "aigov/str.h"
#include "aigov/yamldoc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ag_check_tier_ids[] = { "low", "medium", "high", NULL };
const char *const ag_check_status_ids[] = { "ok", "warn", "fail", "n/a", NULL };

/* What each metric name reads from a result (docs/evaluate.md). */
static const char *const perf_metrics[] = { "auc", "gini", "ks", "average_precision",
					    "log_loss", "brier", "accuracy", "precision", "recall",
					    "f1", "specificity", "ece", NULL };
static const char *const drift_metrics[] = { "psi", "ks", "js", "wasserstein",
					     "missing_rate_change", "chi2_pvalue", NULL };

static double perf_value(const struct ag_perf_result *p, int i)
{
	const double v[] = { p->auc, p->gini, p->ks, p->average_precision, p->log_loss, p->brier,
			     p->accuracy, p->precision, p->recall, p->f1, p->specificity, p->ece };
	return v[i];
}

static double drift_value(const struct ag_eval_feature *f, int i)
{
	if (f->numeric) {
		const double v[] = { f->num.psi, f->num.ks, f->num.js_distance, f->num.wasserstein,
				     fabs(f->num.missing_rate_change), NAN };
		return v[i];
	}
	const double v[] = { f->cat.psi, NAN, NAN, NAN, fabs(f->cat.missing_rate_change),
			     f->cat.chi2_pvalue };
	return v[i];
}

static int index_in(const char *const *ids, const char *s)
{
	for (int i = 0; ids[i]; i++)
		if (!strcmp(ids[i], s))
			return i;
	return -1;
}

/* ---- parsing ---- */

/* A threshold: one number for all tiers, or {low, medium, high}. */
static int parse_levels(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
			double out[AG_CHECK_TIERS], struct ag_err *err)
{
	yaml_node_t *n = ag_y_get(d, m, key);
	char q[128];

	snprintf(q, sizeof(q), "%s.%s", path, key);
	for (int t = 0; t < AG_CHECK_TIERS; t++)
		out[t] = NAN;
	if (!n)
		return ag_y_error(d, m, q, err, "missing (a number, or {low, medium, high})");
	if (n->type == YAML_SCALAR_NODE) {
		double v;
		const char *s = (const char *)n->data.scalar.value;
		if (!ag_parse_double(s, strlen(s), &v) || !isfinite(v))
			return ag_y_error(d, n, q, err, "expected a number, not '%s'", s);
		for (int t = 0; t < AG_CHECK_TIERS; t++)
			out[t] = v;
		return 0;
	}
	int rc = ag_y_want_map(d, n, m, q, err);
	if (!rc)
		rc = ag_y_only_keys(d, n, q, ag_check_tier_ids, err);
	for (int t = 0; !rc && t < AG_CHECK_TIERS; t++) {
		yaml_node_t *v = ag_y_get(d, n, ag_check_tier_ids[t]);
		const char *s;
		if (!v)
			continue;
		s = v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : "";
		if (!ag_parse_double(s, strlen(s), &out[t]) || !isfinite(out[t]))
			rc = ag_y_error(d, v, q, err, "%s: expected a number", ag_check_tier_ids[t]);
	}
	return rc;
}

static int parse_item(struct ag_ydoc *d, yaml_node_t *m, const char *path, struct ag_arena *a,
		      struct ag_threshold *t, struct ag_err *err)
{
	static const char *const keys[] = { "metric", "direction", "warn", "fail", NULL };
	static const char *const dirs[] = { "min", "max", NULL };
	const char *dot;
	int dir, rc;

	if ((rc = ag_y_want_map(d, m, m, path, err)) || (rc = ag_y_only_keys(d, m, path, keys, err)) ||
	    (rc = ag_y_str(d, m, path, "metric", true, a, &t->metric, err)) ||
	    (rc = ag_y_enum(d, m, path, "direction", true, dirs, &dir, err)) ||
	    (rc = parse_levels(d, m, path, "warn", t->warn, err)) ||
	    (rc = parse_levels(d, m, path, "fail", t->fail, err)))
		return rc;
	t->higher_is_worse = dir == 1;
	dot = strchr(t->metric, '.');
	if (!dot || !((!strncmp(t->metric, "performance.", 12) && index_in(perf_metrics, dot + 1) >= 0) ||
		      (!strncmp(t->metric, "drift.", 6) && index_in(drift_metrics, dot + 1) >= 0) ||
		      (!strncmp(t->metric, "fairness.", 9) &&
		       (!strcmp(dot + 1, "statistical_parity_difference") ||
			!strcmp(dot + 1, "disparate_impact_ratio") ||
			!strcmp(dot + 1, "equal_opportunity_difference") ||
			!strcmp(dot + 1, "equalized_odds_difference") ||
			!strcmp(dot + 1, "predictive_parity_difference")))))
		return ag_y_error(d, ag_y_get(d, m, "metric"), path, err,
				  "metric: '%s' is not one aigov evaluate measures (docs/evaluate.md)",
				  t->metric);
	for (int k = 0; k < AG_CHECK_TIERS; k++)
		if (!isnan(t->warn[k]) && !isnan(t->fail[k]) &&
		    (t->higher_is_worse ? t->warn[k] > t->fail[k] : t->warn[k] < t->fail[k]))
			return ag_y_error(d, m, path, err, "%s: the warning threshold lies beyond the "
					  "failing one", ag_check_tier_ids[k]);
	return 0;
}

int ag_thresholds_parse(struct ag_thresholds **out, const char *text, size_t len,
			const char *name, struct ag_err *err)
{
	static const char *const keys[] = { "version", "note", "checks", NULL };
	struct ag_thresholds *t = calloc(1, sizeof(*t));
	struct ag_texts note;
	struct ag_ydoc d;
	yaml_node_t *root, *list;
	uint8_t h[32];
	int rc;

	*out = NULL;
	if (!t)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_init(&t->arena, 0);
	ag_sha256(text, len, h);
	ag_hex_encode(t->sha256, h, 32);
	rc = ag_ydoc_load(&d, text, len, name, err);
	if (!rc) {
		root = ag_ydoc_root(&d);
		if (!(rc = ag_y_want_map(&d, root, root, "(top)", err)) &&
		    !(rc = ag_y_only_keys(&d, root, "(top)", keys, err)) &&
		    !(rc = ag_y_str(&d, root, "", "version", true, &t->arena, &t->version, err)))
			rc = ag_y_texts(&d, root, "", "note", &t->arena, &note, err);
		list = ag_y_get(&d, root, "checks");
		if (!rc && !ag_y_is_seq(list))
			rc = ag_y_error(&d, list ? list : root, "checks", err, "expected a list of checks");
		if (!rc) {
			yaml_node_item_t *it = ag_y_items(list, &t->n);
			t->items = ag_arena_calloc(&t->arena, t->n ? t->n : 1, sizeof(*t->items));
			if (!t->items)
				rc = ag_err_set(err, AG_ENOMEM, "out of memory");
			for (size_t i = 0; !rc && i < t->n; i++) {
				char q[32];
				snprintf(q, sizeof(q), "checks[%zu]", i);
				rc = parse_item(&d, ag_y_node(&d, it[i]), q, &t->arena, &t->items[i], err);
			}
		}
		ag_ydoc_release(&d);
	}
	if (rc) {
		ag_thresholds_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int ag_thresholds_load(struct ag_thresholds **out, const char *path, struct ag_err *err)
{
	struct ag_file_map m;
	int rc = ag_file_map(&m, path, err);

	if (rc)
		return rc;
	rc = ag_thresholds_parse(out, m.data, m.len, path, err);
	ag_file_unmap(&m);
	return rc;
}

void ag_thresholds_free(struct ag_thresholds *t)
{
	if (!t)
		return;
	ag_arena_release(&t->arena);
	free(t);
}

/* ---- running ---- */

struct checks {
	struct ag_check *v;
	size_t n, cap;
};

static int add(struct checks *c, const struct ag_threshold *t, int tier, const char *subject,
	       double value, struct ag_err *err)
{
	struct ag_check *k;
	double w = t->warn[tier], f = t->fail[tier];

	if (isnan(w) && isnan(f))
		return 0; /* no check at this tier */
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		void *p = realloc(c->v, cap * sizeof(*c->v));
		if (!p)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		c->v = p;
		c->cap = cap;
	}
	k = &c->v[c->n++];
	memset(k, 0, sizeof(*k));
	k->metric = t->metric;
	snprintf(k->subject, sizeof(k->subject), "%s", subject ? subject : "");
	k->value = value;
	k->warn = w;
	k->fail = f;
	if (isnan(value))
		k->status = AG_CHECK_NA;
	else if (t->higher_is_worse)
		k->status = value >= f ? AG_CHECK_FAIL : value >= w ? AG_CHECK_WARN : AG_CHECK_OK;
	else
		k->status = value < f ? AG_CHECK_FAIL : value < w ? AG_CHECK_WARN : AG_CHECK_OK;
	return 0;
}

int ag_checks_run(const struct ag_thresholds *t, const struct ag_eval_result *r, int tier,
		  struct ag_check **out, size_t *n, struct ag_err *err)
{
	struct checks c = { NULL, 0, 0 };
	int rc = 0;

	if (tier < 0 || tier >= AG_CHECK_TIERS)
		return ag_err_set(err, AG_EINVAL, "checks: no tier %d", tier);
	for (size_t i = 0; !rc && i < t->n; i++) {
		const struct ag_threshold *th = &t->items[i];
		const char *name = strchr(th->metric, '.') + 1;
		if (!strncmp(th->metric, "performance.", 12)) {
			rc = add(&c, th, tier, NULL, perf_value(&r->perf, index_in(perf_metrics, name)), err);
		} else if (!strncmp(th->metric, "fairness.", 9)) {
			for (size_t a = 0; !rc && r->has_fairness && a < r->fairness.nattrs; a++) {
				const struct ag_fairness_attr_result *at = &r->fairness.attrs[a];
				for (int m = 0; m < AG_FAIR_NMETRICS; m++)
					if (!strcmp(name, ag_fairness_metric_name(m)))
						rc = add(&c, th, tier, at->name, at->metric[m], err);
			}
		} else if (r->has_drift) {
			int k = index_in(drift_metrics, name);
			for (size_t f = 0; !rc && f < r->nfeatures; f++)
				rc = add(&c, th, tier, r->features[f].name, drift_value(&r->features[f], k), err);
			if (!rc && r->has_score_drift)
				rc = add(&c, th, tier, r->score_drift.name, drift_value(&r->score_drift, k), err);
		}
	}
	if (rc) {
		free(c.v);
		return rc;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

void ag_checks_json(struct ag_json *j, const struct ag_check *c, size_t n)
{
	ag_json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		ag_json_begin_object(j);
		ag_json_key(j, "metric");
		ag_json_cstr(j, c[i].metric);
		ag_json_key(j, "subject");
		ag_json_cstr(j, c[i].subject[0] ? c[i].subject : NULL);
		ag_json_key(j, "value");
		ag_json_double(j, c[i].value);
		ag_json_key(j, "status");
		ag_json_cstr(j, ag_check_status_ids[c[i].status]);
		ag_json_key(j, "warn");
		ag_json_double(j, c[i].warn);
		ag_json_key(j, "fail");
		ag_json_double(j, c[i].fail);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
}
