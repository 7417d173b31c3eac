/*
 * xgb: XGBoost tree ensembles (module explain): loading the JSON that
 * `Booster.save_model("m.json")` writes, prediction with xgboost's own
 * arithmetic, and exact path-dependent TreeSHAP.
 *
 * What is accepted: learner.gradient_booster.name "gbtree" (one output:
 * num_class 0 or 1, num_target 1, num_parallel_tree 1); objectives
 * binary:logistic and reg:logistic (margin and probability),
 * binary:logitraw, reg:squarederror, reg:linear, reg:pseudohubererror
 * (margin only); base_score as "5E-1" or, as xgboost 2 writes it,
 * "[5E-1]"; numeric splits (split_type 0) with default_left for missing
 * values.  Refused with a message naming the JSON field: gblinear, dart,
 * multi-class or multi-target models, categorical splits, vector leaves,
 * any other objective, and every structural inconsistency (child indices
 * out of range, cycles, a split feature >= num_feature, negative covers).
 *
 * Prediction (ag_xgb_margin_f32) reproduces xgboost 1.7's CPU predictor
 * bit for bit: each feature is a float32 compared with `x < threshold`
 * (float32), missing (NaN) goes the default_left way, and the margin
 * starts at the base margin in float32 and adds each tree's leaf value in
 * float32 in tree order.  For binary:logistic the base margin is
 * logit(base_score), computed as xgboost does (-logf(1/p - 1)).
 *
 * TreeSHAP (ag_xgb_shap): the Shapley values of the game
 * v(S) = E[f(x) | x_S] with the path-dependent conditional expectation
 * (Lundberg et al. 2020, "From local explanations to global understanding
 * with explainable AI for trees", Algorithm 2), which is what xgboost's
 * pred_contribs=True computes (in float32; we compute in double).  The
 * contributions plus the bias term (the last element) add up to the
 * double-precision margin of ag_xgb_margin() within rounding (1e-12 or so
 * relative).  The fast method (see xgb.c) precomputes, per leaf, a table
 * over the 2^d subsets of its path's d distinct features and costs
 * O(T * L * D) per row; trees with a path of more than AG_XGB_FAST_MAX_D
 * distinct features use the classic O(T * L * D^2) recursion.
 *
 * Ownership: ag_xgb_load / ag_xgb_parse give a model the caller frees with
 * ag_xgb_free (NULL is fine).  Strings returned by accessors are owned by
 * the model.  A loaded model is read-only: every const function may be
 * called from many threads at once, each with its own scratch buffer.
 */
#ifndef AIGOV_XGB_H
#define AIGOV_XGB_H

#include "aigov/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest number of distinct features on one root-to-leaf path for which
 * the per-leaf subset table is built (2^d doubles a leaf). */
#define AG_XGB_FAST_MAX_D 10

enum ag_xgb_objective {
	AG_XGB_BINARY_LOGISTIC, /* binary:logistic, reg:logistic */
	AG_XGB_LOGITRAW,        /* binary:logitraw: margin only */
	AG_XGB_SQUARED_ERROR    /* reg:squarederror, reg:linear, reg:pseudohubererror */
};

struct ag_xgb_model;

/* Load a model file ("-" for standard input).  On success *out owns it. */
int ag_xgb_load(struct ag_xgb_model **out, const char *path, struct ag_err *err);
/* The same from memory; `name` is used in messages. */
int ag_xgb_parse(struct ag_xgb_model **out, const char *json, size_t len,
		 const char *name, struct ag_err *err);
void ag_xgb_free(struct ag_xgb_model *m);

size_t ag_xgb_nfeatures(const struct ag_xgb_model *m);
size_t ag_xgb_ntrees(const struct ag_xgb_model *m);
/* The model's feature name i, or NULL when the model carries no names. */
const char *ag_xgb_feature_name(const struct ag_xgb_model *m, size_t i);
/* Give the model names (e.g. from a CSV header) when it has none; the
 * model copies them.  AG_EINVAL when it already has names or n differs. */
int ag_xgb_set_feature_names(struct ag_xgb_model *m, const char *const *names, size_t n,
			     struct ag_err *err);
enum ag_xgb_objective ag_xgb_objective(const struct ag_xgb_model *m);
const char *ag_xgb_objective_name(const struct ag_xgb_model *m); /* as in the file */
/* True when the margin maps to a probability (logistic objectives). */
bool ag_xgb_has_probability(const struct ag_xgb_model *m);
/* The base margin (logit of base_score for logistic objectives). */
float ag_xgb_base_margin(const struct ag_xgb_model *m);
/* Deepest root-to-leaf path (edges) and most distinct features on one. */
size_t ag_xgb_max_depth(const struct ag_xgb_model *m);

/*
 * x holds ag_xgb_nfeatures() values, NaN meaning missing.
 * ag_xgb_margin_f32: xgboost's predict(output_margin=True), bit for bit.
 * ag_xgb_margin: the same leaves added in double (what TreeSHAP adds up to).
 * ag_xgb_probability: xgboost's sigmoid of a float32 margin
 * (1 / (1 + expf(-m))), or the margin itself for non-logistic objectives.
 */
float ag_xgb_margin_f32(const struct ag_xgb_model *m, const float *x);
double ag_xgb_margin(const struct ag_xgb_model *m, const float *x);
float ag_xgb_probability(const struct ag_xgb_model *m, float margin);

/* Bytes of scratch memory one thread needs for ag_xgb_shap. */
size_t ag_xgb_shap_scratch_size(const struct ag_xgb_model *m);
/*
 * Exact path-dependent TreeSHAP of one row: phi[0..nfeatures) get the
 * features' contributions and phi[nfeatures] the bias (base margin plus
 * each tree's cover-weighted mean leaf value); phi is overwritten.
 * `scratch` is ag_xgb_shap_scratch_size() bytes, aligned for double
 * (malloc'd memory is), private to the calling thread.
 */
void ag_xgb_shap(const struct ag_xgb_model *m, const float *x, double *phi, void *scratch);
/* ag_xgb_shap of nrows rows: x is nrows x nfeatures, phi nrows x
 * (nfeatures + 1); the same values, faster for many rows (each tree's
 * tables are read once per block of rows). */
void ag_xgb_shap_rows(const struct ag_xgb_model *m, const float *x, size_t nrows, double *phi,
		      void *scratch);
/* The classic recursion (Lundberg Algorithm 2) on every tree: slower, kept
 * as the reference the fast method is tested against. */
void ag_xgb_shap_classic(const struct ag_xgb_model *m, const float *x, double *phi,
			 void *scratch);

/*
 * The ensemble's nodes, for tests and tools that walk the trees (read-only
 * views owned by the model).  Node n of tree t is at index tree_start[t] + n.
 * left[i] < 0 marks a leaf, whose value is leaf[i].
 */
struct ag_xgb_nodes {
	size_t ntrees, nnodes;
	const uint32_t *tree_start; /* ntrees + 1 entries */
	const int32_t *left, *right; /* tree-local child indices */
	const uint32_t *feature;
	const float *threshold;
	const uint8_t *default_left;
	const float *leaf;
	const double *cover; /* sum_hessian */
};
void ag_xgb_nodes(const struct ag_xgb_model *m, struct ag_xgb_nodes *out);

#endif
