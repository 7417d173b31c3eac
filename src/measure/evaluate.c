/*
 * aigov evaluate's engine (evaluate.h): the CSV reader feeding the
 * performance, fairness and drift accumulators, one batch at a time.
 */
#include "aigov/evaluate.h"

#include "aigov/num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ag_eval_options_init(struct ag_eval_options *o)
{
	memset(o, 0, sizeof(*o));
	o->positive = "1";
	o->threshold = 0.5;
	o->replicates = 200;
	o->seed = 20261125;
}

static int column(struct ag_csv_reader *r, const char *name, const char *what, long *idx,
		  struct ag_err *err)
{
	*idx = ag_csv_column_index(r, name);
	if (*idx < 0)
		return ag_err_set(err, AG_ENOTFOUND, "%s: no column '%s' (the %s)", ag_csv_name(r),
				  name, what);
	return 0;
}

static int field_error(struct ag_csv_reader *r, const struct ag_csv_batch *b, size_t row,
		       size_t col, const char *what, struct ag_err *err)
{
	uint64_t line, c;

	ag_csv_position(b, row, col, &line, &c);
	return ag_err_at(err, AG_EPARSE, ag_csv_name(r), line, c, "%s: %s",
			 ag_csv_column_name(r, col), what);
}

/* One feature's two accumulators (reference, current). */
struct feat {
	const char *name;
	long col_ref, col_cur;
	bool numeric;
	struct ag_drift_num num[2];
	struct ag_drift_cat cat[2];
};

static void feat_release(struct feat *f)
{
	for (int s = 0; s < 2; s++) {
		ag_drift_num_release(&f->num[s]);
		ag_drift_cat_release(&f->cat[s]);
	}
}

/* Add one field of a feature to side s. */
static int feat_add(struct feat *f, int s, struct ag_csv_reader *r, const struct ag_csv_batch *b,
		    size_t row, size_t col, struct ag_err *err)
{
	struct ag_str v = ag_csv_get(b, row, col);

	if (ag_csv_is_missing(r, v))
		return f->numeric ? ag_drift_num_add_missing(&f->num[s], 1, err)
				  : ag_drift_cat_add_missing(&f->cat[s], 1, err);
	if (f->numeric) {
		double d;
		int rc = ag_csv_get_double(r, b, row, col, &d, err);
		if (rc < 0)
			return rc;
		if (!isfinite(d))
			return field_error(r, b, row, col, "not a finite number", err);
		return ag_drift_num_add(&f->num[s], d, err);
	}
	return ag_drift_cat_add(&f->cat[s], v.ptr, v.len, 1, err);
}

static bool is_label_col(const struct ag_eval_options *o, const char *name)
{
	if (!strcmp(name, o->label) || !strcmp(name, o->score) || (o->pred && !strcmp(name, o->pred)))
		return true;
	for (size_t i = 0; i < o->nprotected; i++)
		if (!strcmp(name, o->protected_attrs[i]))
			return true;
	return false;
}

/* Read the reference file into side 0 of each feature (and the score's). */
static int read_reference(const struct ag_eval_options *o, const struct ag_csv_options *csv,
			  struct feat *fs, size_t *nfs, struct feat *score, uint64_t *rows,
			  struct ag_err *err)
{
	struct ag_csv_reader *r;
	struct ag_csv_batch b;
	bool typed = false;
	int rc = ag_csv_open(&r, o->reference, csv, err);

	if (rc)
		return rc;
	if (!o->all_features) {
		for (size_t i = 0; !rc && i < o->nfeatures; i++) {
			fs[i].name = o->features[i];
			rc = column(r, o->features[i], "feature", &fs[i].col_ref, err);
		}
		*nfs = o->nfeatures;
	} else {
		*nfs = 0;
		for (size_t c = 0; c < ag_csv_ncols(r); c++)
			if (!is_label_col(o, ag_csv_column_name(r, c))) {
				fs[*nfs].name = ag_csv_column_name(r, c);
				fs[(*nfs)++].col_ref = (long)c;
			}
	}
	score->name = o->score;
	score->numeric = true;
	score->col_ref = ag_csv_column_index(r, o->score); /* -1: no score drift */
	while (!rc && (rc = ag_csv_next_batch(r, &b, err)) == 1) {
		rc = 0;
		if (!typed) { /* numeric when the first batch says so */
			for (size_t i = 0; i < *nfs; i++) {
				fs[i].numeric = true;
				for (size_t row = 0; row < b.nrows && fs[i].numeric; row++) {
					struct ag_str v = ag_csv_get(&b, row, (size_t)fs[i].col_ref);
					double d;
					if (!ag_csv_is_missing(r, v))
						fs[i].numeric = ag_parse_double(v.ptr, v.len, &d);
				}
			}
			typed = true;
		}
		for (size_t row = 0; !rc && row < b.nrows; row++) {
			if (score->col_ref >= 0)
				rc = feat_add(score, 0, r, &b, row, (size_t)score->col_ref, err);
			for (size_t i = 0; !rc && i < *nfs; i++)
				rc = feat_add(&fs[i], 0, r, &b, row, (size_t)fs[i].col_ref, err);
		}
		*rows += b.nrows;
	}
	/* Names point into the reader: copy them before it goes. */
	for (size_t i = 0; i < *nfs; i++)
		fs[i].name = strdup(fs[i].name);
	ag_csv_free(r);
	return rc;
}

struct current {
	long label, score, pred;
	long prot[16];
	struct ag_perf perf;
	struct ag_fairness *fair;
};

static int read_row(const struct ag_eval_options *o, struct current *cu, struct ag_csv_reader *r,
		    const struct ag_csv_batch *b, size_t row, uint64_t index, struct ag_err *err)
{
	struct ag_str lv = ag_csv_get(b, row, (size_t)cu->label);
	struct ag_fairness_value vals[16];
	int label, decision = AG_PERF_NO_DECISION;
	double score;
	uint64_t line, c;
	int rc;

	if (ag_csv_is_missing(r, lv))
		return field_error(r, b, row, (size_t)cu->label, "the label is missing", err);
	label = ag_str_eq_cstr(lv, o->positive);
	rc = ag_csv_get_double(r, b, row, (size_t)cu->score, &score, err);
	if (rc == 1)
		return field_error(r, b, row, (size_t)cu->score, "the score is missing", err);
	if (rc < 0)
		return rc;
	if (!(score >= 0 && score <= 1))
		return field_error(r, b, row, (size_t)cu->score, "the score is not in [0, 1]", err);
	if (cu->pred >= 0) {
		struct ag_str pv = ag_csv_get(b, row, (size_t)cu->pred);
		if (ag_csv_is_missing(r, pv))
			return field_error(r, b, row, (size_t)cu->pred, "the prediction is missing", err);
		decision = ag_str_eq_cstr(pv, o->positive);
	}
	ag_csv_position(b, row, (size_t)cu->score, &line, &c);
	rc = ag_perf_add(&cu->perf, label, score, decision, line, err);
	if (rc || !cu->fair)
		return rc;
	for (size_t i = 0; i < o->nprotected; i++) {
		struct ag_str v = ag_csv_get(b, row, (size_t)cu->prot[i]);
		if (ag_csv_is_missing(r, v))
			v = ag_str_cstr("(missing)");
		vals[i].p = v.ptr;
		vals[i].len = v.len;
	}
	return ag_fairness_add(cu->fair, index, label,
			       decision != AG_PERF_NO_DECISION ? decision : score >= o->threshold,
			       vals, err);
}

static int read_current(const char *data, const struct ag_eval_options *o,
			const struct ag_csv_options *csv, struct current *cu, struct feat *fs,
			size_t nfs, struct feat *score, bool drift, struct ag_eval_result *out,
			struct ag_err *err)
{
	struct ag_csv_reader *r;
	struct ag_csv_batch b;
	uint64_t index = 0;
	int rc = ag_csv_open(&r, data, csv, err);

	if (rc)
		return rc;
	cu->pred = -1;
	if (!(rc = column(r, o->label, "label", &cu->label, err)))
		rc = column(r, o->score, "score", &cu->score, err);
	if (!rc && o->pred)
		rc = column(r, o->pred, "prediction", &cu->pred, err);
	for (size_t i = 0; !rc && i < o->nprotected; i++)
		rc = column(r, o->protected_attrs[i], "protected attribute", &cu->prot[i], err);
	for (size_t i = 0; !rc && drift && i < nfs; i++)
		rc = column(r, fs[i].name, "feature", &fs[i].col_cur, err);
	while (!rc && (rc = ag_csv_next_batch(r, &b, err)) == 1) {
		rc = 0;
		for (size_t row = 0; !rc && row < b.nrows; row++) {
			rc = read_row(o, cu, r, &b, row, index++, err);
			if (drift && !rc && score->col_ref >= 0)
				rc = feat_add(score, 1, r, &b, row, (size_t)cu->score, err);
			for (size_t i = 0; drift && !rc && i < nfs; i++)
				rc = feat_add(&fs[i], 1, r, &b, row, (size_t)fs[i].col_cur, err);
		}
	}
	out->rows = index;
	out->bytes = ag_csv_bytes_read(r);
	ag_csv_free(r);
	return rc;
}

static int finish_feature(struct feat *f, struct ag_eval_feature *e, struct ag_err *err)
{
	e->name = f->name;
	e->numeric = f->numeric;
	if (f->numeric)
		return ag_drift_numeric(&f->num[0], &f->num[1], &e->num, err);
	return ag_drift_categorical(&f->cat[0], &f->cat[1], &e->cat, err);
}

int ag_evaluate(const char *data, const struct ag_csv_options *csv,
		const struct ag_eval_options *o, struct ag_eval_result *out,
		struct ag_err *err)
{
	struct current cu;
	struct feat score, *fs = NULL;
	size_t nfs = 0;
	bool drift = o->reference != NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&cu, 0, sizeof(cu));
	memset(&score, 0, sizeof(score));
	if (!o->label || !o->score)
		return ag_err_set(err, AG_EINVAL, "evaluate: the label and score columns are required");
	if (o->nprotected > 16)
		return ag_err_set(err, AG_EINVAL, "evaluate: at most 16 protected attributes");
	rc = ag_perf_init(&cu.perf, o->threshold, err);
	if (rc)
		return rc;
	if (o->nprotected) {
		struct ag_fairness_options fo;
		ag_fairness_options_init(&fo);
		fo.nattrs = o->nprotected;
		fo.attr_names = o->protected_attrs;
		fo.intersections = o->intersections;
		fo.replicates = o->replicates;
		fo.seed = o->seed;
		rc = ag_fairness_new(&fo, &cu.fair, err);
	}
	if (!rc && drift) {
		fs = calloc(4096, sizeof(*fs));
		if (!fs)
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		else if (o->nfeatures > 4096)
			rc = ag_err_set(err, AG_EINVAL, "evaluate: at most 4096 features");
		else
			rc = read_reference(o, csv, fs, &nfs, &score, &out->reference_rows, err);
	}
	if (!rc)
		rc = read_current(data, o, csv, &cu, fs, nfs, &score, drift, out, err);
	if (!rc && out->rows == 0)
		rc = ag_err_set(err, AG_EPARSE, "%s: no rows to evaluate", data);
	if (!rc)
		rc = ag_perf_finish(&cu.perf, &out->perf, err);
	if (!rc && cu.fair) {
		struct ag_fairness_value ref[16];
		bool named = o->reference_group != NULL;
		memset(ref, 0, sizeof(ref));
		if (named) {
			ref[0].p = o->reference_group;
			ref[0].len = strlen(o->reference_group);
		}
		rc = ag_fairness_finish(cu.fair, named ? ref : NULL, &out->fairness, err);
		out->has_fairness = !rc;
	}
	if (!rc && drift) {
		out->features = calloc(nfs ? nfs : 1, sizeof(*out->features));
		if (!out->features)
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		for (size_t i = 0; !rc && i < nfs; i++) {
			rc = finish_feature(&fs[i], &out->features[i], err);
			fs[i].name = NULL; /* now the result's */
			out->nfeatures = i + 1;
		}
		out->has_score_drift = score.col_ref >= 0;
		if (!rc && out->has_score_drift)
			rc = finish_feature(&score, &out->score_drift, err);
		out->score_drift.name = o->score;
		out->has_drift = !rc;
	}
	for (size_t i = 0; i < nfs; i++) {
		free((char *)fs[i].name);
		feat_release(&fs[i]);
	}
	free(fs);
	feat_release(&score);
	ag_perf_release(&cu.perf);
	ag_fairness_free(cu.fair);
	if (rc)
		ag_eval_result_release(out);
	return rc;
}

void ag_eval_result_release(struct ag_eval_result *r)
{
	if (r->has_fairness)
		ag_fairness_result_release(&r->fairness);
	for (size_t i = 0; i < r->nfeatures; i++)
		free((char *)r->features[i].name);
	free(r->features);
	memset(r, 0, sizeof(*r));
}

/* ---- JSON (docs/evaluate.md) ---- */

static void num(struct ag_json *j, const char *key, double v)
{
	ag_json_key(j, key);
	ag_json_double(j, v); /* NaN is written null */
}

static void json_feature(struct ag_json *j, const struct ag_eval_feature *f)
{
	ag_json_begin_object(j);
	ag_json_key(j, "type");
	ag_json_cstr(j, f->numeric ? "numeric" : "categorical");
	if (f->numeric) {
		num(j, "psi", f->num.psi);
		num(j, "ks", f->num.ks);
		num(j, "ks_pvalue", f->num.ks_pvalue);
		num(j, "js", f->num.js_distance);
		num(j, "wasserstein", f->num.wasserstein);
		num(j, "missing_rate_change", f->num.missing_rate_change);
	} else {
		num(j, "psi", f->cat.psi);
		num(j, "chi2", f->cat.chi2);
		num(j, "chi2_pvalue", f->cat.chi2_pvalue);
		ag_json_key(j, "only_reference");
		ag_json_u64(j, f->cat.only_ref);
		ag_json_key(j, "only_current");
		ag_json_u64(j, f->cat.only_cur);
		num(j, "missing_rate_change", f->cat.missing_rate_change);
	}
	ag_json_end_object(j);
}

void ag_eval_result_json(struct ag_json *j, const struct ag_eval_result *r)
{
	ag_json_begin_object(j);
	ag_eval_result_json_members(j, r);
	ag_json_end_object(j);
}

void ag_eval_result_json_members(struct ag_json *j, const struct ag_eval_result *r)
{
	const struct ag_perf_result *p = &r->perf;

	ag_json_key(j, "rows");
	ag_json_u64(j, r->rows);
	ag_json_key(j, "performance");
	ag_json_begin_object(j);
	num(j, "auc", p->auc);
	num(j, "gini", p->gini);
	num(j, "ks", p->ks);
	num(j, "average_precision", p->average_precision);
	num(j, "log_loss", p->log_loss);
	num(j, "brier", p->brier);
	num(j, "accuracy", p->accuracy);
	num(j, "precision", p->precision);
	num(j, "recall", p->recall);
	num(j, "f1", p->f1);
	num(j, "specificity", p->specificity);
	num(j, "ece", p->ece);
	num(j, "threshold", p->threshold);
	ag_json_key(j, "positives");
	ag_json_u64(j, p->positives);
	ag_json_key(j, "calibration");
	ag_json_begin_array(j);
	for (int i = 0; i < AG_PERF_CALIB_BINS; i++) {
		ag_json_begin_object(j);
		ag_json_key(j, "n");
		ag_json_u64(j, p->calib[i].count);
		num(j, "mean_score", p->calib[i].mean_score);
		num(j, "observed_rate", p->calib[i].observed_rate);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_end_object(j);
	ag_json_key(j, "fairness");
	ag_json_begin_object(j);
	for (size_t a = 0; r->has_fairness && a < r->fairness.nattrs; a++) {
		const struct ag_fairness_attr_result *at = &r->fairness.attrs[a];
		ag_json_key(j, at->name);
		ag_json_begin_object(j);
		ag_json_key(j, "groups");
		ag_json_begin_object(j);
		for (size_t g = 0; g < at->ngroups; g++) {
			const struct ag_fairness_group *gr = &at->groups[g];
			ag_json_key(j, gr->value);
			ag_json_begin_object(j);
			ag_json_key(j, "n");
			ag_json_u64(j, gr->n);
			num(j, "base_rate", gr->base_rate);
			num(j, "selection_rate", gr->selection_rate);
			num(j, "tpr", gr->tpr);
			num(j, "fpr", gr->fpr);
			num(j, "ppv", gr->ppv);
			num(j, "fnr", gr->fnr);
			num(j, "average_odds_difference", gr->aod);
			ag_json_key(j, "small");
			ag_json_bool(j, gr->small);
			ag_json_end_object(j);
		}
		ag_json_end_object(j);
		ag_json_key(j, "reference_group");
		ag_json_cstr(j, at->groups[at->reference].value);
		for (int m = 0; m < AG_FAIR_NMETRICS; m++) {
			char key[80];
			num(j, ag_fairness_metric_name(m), at->metric[m]);
			snprintf(key, sizeof(key), "%s_ci", ag_fairness_metric_name(m));
			ag_json_key(j, key);
			ag_json_begin_array(j);
			ag_json_double(j, at->ci[m].lo);
			ag_json_double(j, at->ci[m].hi);
			ag_json_end_array(j);
		}
		ag_json_key(j, "four_fifths_flag");
		ag_json_bool(j, at->di_flag);
		ag_json_end_object(j);
	}
	ag_json_end_object(j);
	ag_json_key(j, "drift");
	if (!r->has_drift) {
		ag_json_null(j);
	} else {
		ag_json_begin_object(j);
		ag_json_key(j, "reference_rows");
		ag_json_u64(j, r->reference_rows);
		ag_json_key(j, "score");
		if (r->has_score_drift)
			json_feature(j, &r->score_drift);
		else
			ag_json_null(j); /* the reference has no score column */
		ag_json_key(j, "features");
		ag_json_begin_object(j);
		for (size_t i = 0; i < r->nfeatures; i++) {
			ag_json_key(j, r->features[i].name);
			json_feature(j, &r->features[i]);
		}
		ag_json_end_object(j);
		ag_json_end_object(j);
	}
}
