/*
 * evaluate: one streaming pass over a scoring log (and a reference) into
 * the performance, fairness and drift accumulators (module measure).
 *
 * The data file has a label column, a score column in [0, 1] and
 * optionally a prediction column; protected attributes are any columns.
 * The reference file, when given, is read once more for drift: each
 * feature is numeric when every non-missing value in the reference's first
 * batch of rows is a number, categorical otherwise, and keeps that type.
 * Results are owned by struct ag_eval_result (ag_eval_result_release).
 *
 * Threads: with threads > 1 a regular file is cut into parts at record
 * boundaries (ag_csv_split), each read by its own thread into its own
 * accumulators, merged at the end.  Every accumulator finishes from a
 * canonical order, so the result does not depend on the number of threads;
 * an error is the one a single reader would have met first.  Standard
 * input is read by one thread.
 */
#ifndef AIGOV_EVALUATE_H
#define AIGOV_EVALUATE_H

#include "aigov/csv.h"
#include "aigov/drift.h"
#include "aigov/err.h"
#include "aigov/fairness.h"
#include "aigov/json.h"
#include "aigov/perf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AG_EVAL_MAX_PROTECTED 16
#define AG_EVAL_MAX_FEATURES 4096

/* A numeric protected attribute cut into bands at increasing edges
 * e[0] < ... < e[n-1]: groups "<e0", "[e0, e1)", ..., ">=e[n-1]". */
struct ag_eval_bins {
	const char *column;   /* one of the protected attributes */
	const double *edges;
	size_t nedges;
};

struct ag_eval_options {
	const char *label;      /* column of the outcome */
	const char *positive;   /* its value that means 1; default "1" */
	const char *score;      /* column of the score in [0, 1] */
	const char *pred;       /* column of a given decision (value `positive` = 1), or NULL */
	double threshold;       /* decision = score >= threshold, when pred is NULL; 0.5 */
	const char *const *protected_attrs; /* column names */
	size_t nprotected;
	bool intersections;
	const struct ag_eval_bins *bins; /* nbins of them */
	size_t nbins;
	const char *reference_group; /* AOD reference (first attribute); NULL: the largest */
	uint32_t replicates;    /* bootstrap replicates; default 200 */
	uint64_t seed;          /* default 20261125 */
	const char *reference;  /* reference file for drift, or NULL */
	const char *const *features; /* NULL with all_features: every other column */
	size_t nfeatures;
	bool all_features;
	unsigned threads;       /* readers per regular file; 0 or 1: one */
};

void ag_eval_options_init(struct ag_eval_options *o);

struct ag_eval_feature {
	const char *name;
	bool numeric;
	struct ag_drift_num_result num;
	struct ag_drift_cat_result cat;
};

struct ag_eval_result {
	uint64_t rows, reference_rows;
	uint64_t bytes;
	struct ag_perf_result perf;
	bool has_fairness;
	struct ag_fairness_result fairness;
	bool has_drift;
	bool has_score_drift;   /* the reference has the score column too */
	struct ag_eval_feature score_drift;
	size_t nfeatures;
	struct ag_eval_feature *features; /* malloc'd, names too */
};

/* Read `data` (and the reference) with csv options and compute everything.
 * AG_EPARSE names file:line:column for a bad label, score or value,
 * AG_ENOTFOUND a missing column. */
int ag_evaluate(const char *data, const struct ag_csv_options *csv,
		const struct ag_eval_options *o, struct ag_eval_result *out,
		struct ag_err *err);
void ag_eval_result_release(struct ag_eval_result *r);

/* The result as one JSON object (docs/evaluate.md). */
void ag_eval_result_json(struct ag_json *j, const struct ag_eval_result *r);
/* Its members only, into an object the caller has opened (to add more). */
void ag_eval_result_json_members(struct ag_json *j, const struct ag_eval_result *r);

#endif
