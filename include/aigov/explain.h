/*
 * explain: explaining every row of a data file with a model (module
 * explain): per-row contributions, reason-code selection and the global
 * summary.  A pure engine on base; it prints nothing.
 *
 * The model is an XGBoost ensemble (xgb.h, contributions by TreeSHAP) or a
 * points scorecard (scorecard.h, contributions = points minus the best
 * attainable points).  Either way a row gets nfeatures contributions and
 * a bias, which add up to the model's output before any link function
 * (the margin, or the total points).
 *
 * The data file is read once in batches (csv.h).  Each batch is explained
 * by `threads` threads, each on a contiguous share of its rows with its
 * own scratch memory; results are handed to the sink in input order, so
 * the output is the same, byte for byte, whatever the thread count.
 *
 * Missing values are empty fields; they follow each split's default_left
 * (XGBoost) or the characteristic's missing_points (scorecards).  A field
 * that is not a finite number ("NaN", "inf", "abc") is refused with
 * AG_EPARSE and file:line:column and the column's name.
 */
#ifndef AIGOV_EXPLAIN_H
#define AIGOV_EXPLAIN_H

#include "aigov/err.h"
#include "aigov/scorecard.h"
#include "aigov/xgb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A model to explain: exactly one of xgb or scorecard is set (borrowed). */
struct ag_explainer {
	struct ag_xgb_model *xgb;
	const struct ag_scorecard *scorecard;
};

size_t ag_explainer_nfeatures(const struct ag_explainer *e);
/* Feature name i (for XGBoost models without names, after
 * ag_explain_file has taken them from the CSV header). */
const char *ag_explainer_feature_name(const struct ag_explainer *e, size_t i);

struct ag_explain_options {
	const char *id_column; /* NULL: rows have no id */
	unsigned threads;      /* 0 or 1: the calling thread only */
};
void ag_explain_options_init(struct ag_explain_options *o);

/* One explained row, handed to the sink; every pointer is valid during
 * the call only. */
struct ag_explain_row {
	uint64_t index;     /* 0-based data row */
	uint64_t line;      /* physical line in the file, 1-based */
	const char *id;     /* the id column's text (not NUL-terminated), or NULL */
	size_t id_len;
	const double *x;    /* feature values as the model saw them (NaN: missing;
			     * for categorical scorecard bins, NaN) */
	double margin;      /* XGBoost: its float32 margin; scorecard: total points */
	double prediction;  /* probability when the model has one, else the margin */
	bool has_probability;
	const double *phi;  /* nfeatures contributions, then the bias */
};

/* Return 0 to go on, or a negative code (with err set) to stop. */
typedef int (*ag_explain_sink)(void *ctx, const struct ag_explain_row *row, struct ag_err *err);

/*
 * Explain every row of the CSV file at `path` ("-" for standard input).
 * Model features are found in the header by name; an XGBoost model without
 * names takes the CSV's columns in order (all but the id column), which
 * must then be exactly as many as the model's features.  Errors:
 * AG_EPARSE for a missing column, a count mismatch or a bad value (with
 * file:line:column), AG_EIO/AG_ENOMEM otherwise, or the sink's code.
 * *nrows (may be NULL) gets the number of rows explained.
 */
int ag_explain_file(const struct ag_explainer *e, const char *path,
		    const struct ag_explain_options *o, ag_explain_sink sink, void *ctx,
		    uint64_t *nrows, struct ag_err *err);

/*
 * The k features that push a row most toward the adverse outcome: with
 * adverse_high the largest positive contributions, else the most negative
 * ones; ties go to the lower feature index; features that do not push that
 * way are never chosen.  Writes up to k indices to out; returns how many.
 */
size_t ag_explain_top(const double *phi, size_t nfeatures, bool adverse_high, size_t k,
		      size_t *out);

/*
 * Global view, accumulated row by row (in input order, so the result does
 * not depend on threads): per feature the mean contribution, the mean
 * absolute contribution, and Pearson's correlation between the feature's
 * value and its contribution over the rows where the value is present
 * (its direction: > 0 when larger values raise the output).
 * ag_explain_global_new returns NULL when out of memory; free with
 * ag_explain_global_free (NULL is fine).  Not thread-safe.
 */
struct ag_explain_global;
struct ag_explain_global *ag_explain_global_new(size_t nfeatures);
void ag_explain_global_free(struct ag_explain_global *g);
void ag_explain_global_add(struct ag_explain_global *g, const double *x, const double *phi);
struct ag_explain_feature_summary {
	size_t feature;
	double mean_abs, mean;
	double correlation; /* NaN when undefined (constant value or contribution) */
	uint64_t present;   /* rows with a value */
};
/* Summaries of every feature, ranked by mean |contribution| (largest
 * first, ties by index), into out[nfeatures]; *rows gets the row count and
 * *mean_bias the mean bias. */
void ag_explain_global_finish(const struct ag_explain_global *g,
			      struct ag_explain_feature_summary *out, uint64_t *rows,
			      double *mean_bias);

#endif
