/* Points scorecards in YAML (scorecard.h). */
#include "aigov/scorecard.h"

#include "aigov/arena.h"
#include "aigov/file.h"
#include "aigov/num.h"
#include "aigov/yamldoc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bin {
	double min, max;      /* [min, max); -inf / +inf when absent */
	const char **values;  /* NULL-terminated texts, or NULL for a range */
	double points;
};

struct characteristic {
	const char *feature;
	struct bin *bins;
	size_t nbins;
	bool has_missing;
	double missing_points;
	double best;
	bool numeric; /* some bin is a range */
};

struct ag_scorecard {
	struct ag_arena arena; /* owns everything below */
	const char *id;
	double base_points;
	bool has_probability;
	double intercept, slope;
	struct characteristic *ch;
	size_t nch;
};

/* A number at m[key]: *present false when absent. */
static int number(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
		  bool required, double *out, bool *present, struct ag_err *err)
{
	yaml_node_t *n = ag_y_get(d, m, key);
	char p[300];

	snprintf(p, sizeof(p), "%s.%s", path, key);
	if (present)
		*present = false;
	if (!n || ag_y_is_null(n)) {
		if (required)
			return ag_y_error(d, n ? n : m, p, err, "missing (a number is required)");
		return 0;
	}
	if (n->type != YAML_SCALAR_NODE ||
	    !ag_parse_double((const char *)n->data.scalar.value, n->data.scalar.length, out) ||
	    !isfinite(*out))
		return ag_y_error(d, n, p, err, "expected a finite number");
	if (present)
		*present = true;
	return 0;
}

static int read_values(struct ag_scorecard *sc, struct ag_ydoc *d, yaml_node_t *seq,
		       const char *path, struct bin *b, struct ag_err *err)
{
	yaml_node_item_t *items;
	size_t n;

	if (!ag_y_is_seq(seq))
		return ag_y_error(d, seq, path, err, "expected a list of values");
	items = ag_y_items(seq, &n);
	if (n == 0)
		return ag_y_error(d, seq, path, err, "expected at least one value");
	b->values = ag_arena_calloc(&sc->arena, n + 1, sizeof(*b->values));
	if (!b->values)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char p[400];
		int rc;
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		rc = ag_y_str_node(d, ag_y_node(d, items[i]), p, &sc->arena, &b->values[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_bin(struct ag_scorecard *sc, struct ag_ydoc *d, yaml_node_t *n, const char *path,
		    struct characteristic *c, struct bin *b, struct ag_err *err)
{
	static const char *const keys[] = { "min", "max", "values", "points", NULL };
	bool has_min, has_max;
	yaml_node_t *values;
	char p[360];
	int rc;

	if ((rc = ag_y_want_map(d, n, n, path, err)) || (rc = ag_y_only_keys(d, n, path, keys, err)))
		return rc;
	b->min = -INFINITY;
	b->max = INFINITY;
	if ((rc = number(d, n, path, "points", true, &b->points, NULL, err)) ||
	    (rc = number(d, n, path, "min", false, &b->min, &has_min, err)) ||
	    (rc = number(d, n, path, "max", false, &b->max, &has_max, err)))
		return rc;
	values = ag_y_get(d, n, "values");
	if (values && (has_min || has_max))
		return ag_y_error(d, n, path, err, "a bin has either min/max or values, not both");
	if (has_min && has_max && !(b->min < b->max))
		return ag_y_error(d, n, path, err, "min must be below max");
	if (values) {
		snprintf(p, sizeof(p), "%s.values", path);
		return read_values(sc, d, values, p, b, err);
	}
	if (has_min || has_max)
		c->numeric = true;
	return 0;
}

static int read_characteristic(struct ag_scorecard *sc, struct ag_ydoc *d, yaml_node_t *n,
			       const char *path, struct characteristic *c, struct ag_err *err)
{
	static const char *const keys[] = { "feature", "bins", "missing_points", NULL };
	yaml_node_t *bins;
	yaml_node_item_t *items;
	char p[300];
	int rc;

	if ((rc = ag_y_want_map(d, n, n, path, err)) || (rc = ag_y_only_keys(d, n, path, keys, err)) ||
	    (rc = ag_y_str(d, n, path, "feature", true, &sc->arena, &c->feature, err)) ||
	    (rc = number(d, n, path, "missing_points", false, &c->missing_points, &c->has_missing,
			 err)))
		return rc;
	if (!*c->feature)
		return ag_y_error(d, n, path, err, "feature: expected a column name");
	bins = ag_y_get(d, n, "bins");
	snprintf(p, sizeof(p), "%s.bins", path);
	if (!ag_y_is_seq(bins))
		return ag_y_error(d, bins ? bins : n, p, err, "expected a list of bins");
	items = ag_y_items(bins, &c->nbins);
	if (c->nbins == 0)
		return ag_y_error(d, bins, p, err, "expected at least one bin");
	c->bins = ag_arena_calloc(&sc->arena, c->nbins, sizeof(*c->bins));
	if (!c->bins)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	c->best = c->has_missing ? c->missing_points : -INFINITY;
	for (size_t i = 0; i < c->nbins; i++) {
		char bp[340];
		snprintf(bp, sizeof(bp), "%s[%zu]", p, i);
		rc = read_bin(sc, d, ag_y_node(d, items[i]), bp, c, &c->bins[i], err);
		if (rc)
			return rc;
		if (c->bins[i].points > c->best)
			c->best = c->bins[i].points;
	}
	return 0;
}

static int read_probability(struct ag_scorecard *sc, struct ag_ydoc *d, yaml_node_t *top,
			    struct ag_err *err)
{
	static const char *const keys[] = { "intercept", "slope", NULL };
	yaml_node_t *p = ag_y_get(d, top, "probability");
	int rc;

	if (!p || ag_y_is_null(p))
		return 0;
	if ((rc = ag_y_want_map(d, p, top, "scorecard.probability", err)) ||
	    (rc = ag_y_only_keys(d, p, "scorecard.probability", keys, err)) ||
	    (rc = number(d, p, "scorecard.probability", "intercept", true, &sc->intercept, NULL,
			 err)) ||
	    (rc = number(d, p, "scorecard.probability", "slope", true, &sc->slope, NULL, err)))
		return rc;
	sc->has_probability = true;
	return 0;
}

static int read_scorecard(struct ag_scorecard *sc, struct ag_ydoc *d, struct ag_err *err)
{
	static const char *const root_keys[] = { "scorecard", NULL };
	static const char *const keys[] = { "id", "name", "base_points", "probability",
					    "characteristics", NULL };
	yaml_node_t *root = ag_ydoc_root(d), *top, *chs;
	yaml_node_item_t *items;
	struct ag_texts name;
	int rc;

	if ((rc = ag_y_want_map(d, root, root, "(top)", err)) ||
	    (rc = ag_y_only_keys(d, root, "(top)", root_keys, err)))
		return rc;
	top = ag_y_get(d, root, "scorecard");
	if ((rc = ag_y_want_map(d, top, root, "scorecard", err)) ||
	    (rc = ag_y_only_keys(d, top, "scorecard", keys, err)) ||
	    (rc = ag_y_str(d, top, "scorecard", "id", true, &sc->arena, &sc->id, err)) ||
	    (rc = number(d, top, "scorecard", "base_points", false, &sc->base_points, NULL, err)) ||
	    (rc = read_probability(sc, d, top, err)))
		return rc;
	if (ag_y_get(d, top, "name") &&
	    (rc = ag_y_texts(d, top, "scorecard", "name", &sc->arena, &name, err)))
		return rc;
	chs = ag_y_get(d, top, "characteristics");
	if (!ag_y_is_seq(chs))
		return ag_y_error(d, chs ? chs : top, "scorecard.characteristics", err,
				  "expected a list of characteristics");
	items = ag_y_items(chs, &sc->nch);
	if (sc->nch == 0)
		return ag_y_error(d, chs, "scorecard.characteristics", err,
				  "expected at least one characteristic");
	sc->ch = ag_arena_calloc(&sc->arena, sc->nch, sizeof(*sc->ch));
	if (!sc->ch)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < sc->nch; i++) {
		char p[80];
		snprintf(p, sizeof(p), "scorecard.characteristics[%zu]", i);
		rc = read_characteristic(sc, d, ag_y_node(d, items[i]), p, &sc->ch[i], err);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(sc->ch[j].feature, sc->ch[i].feature))
				return ag_y_error(d, ag_y_node(d, items[i]), p, err,
						  "feature '%s' appears twice", sc->ch[i].feature);
	}
	return 0;
}

int ag_scorecard_parse(struct ag_scorecard **out, const char *text, size_t len,
		       const char *name, struct ag_err *err)
{
	struct ag_scorecard *sc = calloc(1, sizeof(*sc));
	struct ag_ydoc d;
	int rc;

	*out = NULL;
	if (!sc)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_init(&sc->arena, 0);
	rc = ag_ydoc_load(&d, text, len, name, err);
	if (!rc) {
		rc = read_scorecard(sc, &d, err);
		ag_ydoc_release(&d);
	}
	if (rc) {
		ag_scorecard_free(sc);
		return rc;
	}
	*out = sc;
	return 0;
}

int ag_scorecard_load(struct ag_scorecard **out, const char *path, struct ag_err *err)
{
	struct ag_file_map m;
	int rc;

	*out = NULL;
	rc = ag_file_map(&m, path, err);
	if (rc)
		return rc;
	rc = ag_scorecard_parse(out, m.data, m.len, path, err);
	ag_file_unmap(&m);
	return rc;
}

void ag_scorecard_free(struct ag_scorecard *sc)
{
	if (!sc)
		return;
	ag_arena_release(&sc->arena);
	free(sc);
}

const char *ag_scorecard_id(const struct ag_scorecard *sc) { return sc->id; }
size_t ag_scorecard_ncharacteristics(const struct ag_scorecard *sc) { return sc->nch; }
bool ag_scorecard_has_probability(const struct ag_scorecard *sc) { return sc->has_probability; }

const char *ag_scorecard_feature(const struct ag_scorecard *sc, size_t i)
{
	return i < sc->nch ? sc->ch[i].feature : NULL;
}

double ag_scorecard_probability(const struct ag_scorecard *sc, double points)
{
	if (!sc->has_probability)
		return NAN;
	return 1.0 / (1.0 + exp(-(sc->intercept + sc->slope * points)));
}

static bool text_matches(const struct bin *b, struct ag_str s)
{
	for (const char **v = b->values; *v; v++)
		if (ag_str_eq_cstr(s, *v))
			return true;
	return false;
}

/* Points of one characteristic for field s. */
static int points_of(const struct characteristic *c, struct ag_str s, double *x, double *pts,
		     struct ag_err *err)
{
	double v = NAN;
	bool numeric = false;

	*x = NAN;
	if (s.len == 0) {
		if (!c->has_missing)
			return ag_err_set(err, AG_EPARSE,
					  "column '%s': the value is missing and the scorecard "
					  "gives no missing_points", c->feature);
		*pts = c->missing_points;
		return 0;
	}
	if (c->numeric) {
		numeric = ag_parse_double(s.ptr, s.len, &v) && isfinite(v);
		if (numeric)
			*x = v;
	}
	for (size_t i = 0; i < c->nbins; i++) {
		const struct bin *b = &c->bins[i];
		bool hit = b->values ? text_matches(b, s)
			 : (isinf(b->min) && isinf(b->max)) || (numeric && v >= b->min && v < b->max);
		if (hit) {
			*pts = b->points;
			return 0;
		}
	}
	if (c->numeric && !numeric)
		return ag_err_set(err, AG_EPARSE, "column '%s': a number expected, found '%.*s'",
				  c->feature, s.len > 40 ? 40 : (int)s.len, s.ptr);
	return ag_err_set(err, AG_EPARSE, "column '%s': '%.*s' matches no bin of the scorecard",
			  c->feature, s.len > 40 ? 40 : (int)s.len, s.ptr);
}

int ag_scorecard_score(const struct ag_scorecard *sc, const struct ag_str *fields,
		       double *phi, double *x, double *total, size_t *bad, struct ag_err *err)
{
	double bias = sc->base_points, sum;

	for (size_t i = 0; i < sc->nch; i++) {
		double pts;
		int rc = points_of(&sc->ch[i], fields[i], &x[i], &pts, err);
		if (rc) {
			*bad = i;
			return rc;
		}
		phi[i] = pts - sc->ch[i].best;
		bias += sc->ch[i].best;
	}
	phi[sc->nch] = bias;
	sum = bias;
	for (size_t i = 0; i < sc->nch; i++)
		sum += phi[i];
	*total = sum;
	return 0;
}
