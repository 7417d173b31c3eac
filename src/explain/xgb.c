/*
 * XGBoost JSON models: loading, prediction, TreeSHAP (xgb.h).
 *
 * Layout.  All trees' nodes live in flat arrays (struct ag_xgb_nodes);
 * node n of tree t is at tree_start[t] + n, children are tree-local.
 *
 * Fast TreeSHAP.  For one leaf l with value v and the distinct features
 * F (|F| = n) on its path, let z_j be the product of the cover ratios
 * cover(child)/cover(parent) of the path's splits on j, and o_j = 1 when x
 * takes every one of those splits' directions, else 0.  The leaf's share of
 * the path-dependent game is v(S) = v * prod_{j in S} o_j * prod_{j not in S}
 * z_j, and its Shapley value for i in F is (Lundberg et al. 2020, eq. 3)
 *     phi_i = v (o_i - z_i) sum_{S subset of F\{i}} w(|S|, n)
 *             prod_{j in S} o_j prod_{j in F\S, j != i} z_j,
 *     w(s, n) = s! (n - s - 1)! / n!.
 * Only S within O = {j : o_j = 1} count.  With
 *     H(Q) = sum_{S subset of Q} w(|S|, n) prod_{j in F\S} z_j
 * this is, for i in O:      phi_i = v (1 - z_i) / z_i * H(O \ {i}),
 *          for i not in O:  phi_i = -v H(O)
 * (the z_i the sum lacks is a factor of every term of H when i is not in
 * the subset).  H over all 2^n subsets is precomputed per leaf, as in Fast
 * TreeSHAP v2 (Yang 2021, "Fast TreeSHAP: Accelerating SHAP value
 * computation for trees", Algorithm 3), so a row costs one pass over the
 * tree's splits plus O(n) per leaf: O(T L D) instead of the O(T L D^2) of
 * the classic recursion.  A leaf with some z_i = 0 (a child without cover)
 * sums its few terms directly for that i.
 */
#include "aigov/xgb.h"

#include "aigov/file.h"
#include "aigov/num.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Deeper trees are refused: xgboost's own limit is far lower in practice
 * and the classic recursion's path buffer grows with depth squared. */
#define MAX_DEPTH 256

struct step {
	uint32_t node; /* tree-local */
	uint8_t left;  /* the path goes to the left child */
	uint8_t bit;   /* index of the node's feature in the leaf's F */
};

struct leaf {
	uint32_t step_off, feat_off;
	uint64_t table_off;
	uint16_t nsteps;
	uint8_t nfeat;
	bool has_zero;
	double value;
};

struct ag_xgb_model {
	char *objective_name;
	enum ag_xgb_objective objective;
	float base_margin;
	size_t nfeatures;
	char **feature_names; /* NULL or nfeatures strings */

	/* nodes */
	size_t ntrees, nnodes;
	uint32_t *tree_start;
	int32_t *left, *right;
	uint32_t *feature;
	float *threshold;
	uint8_t *default_left;
	float *leaf;
	double *cover;
	size_t max_tree_nodes, max_depth, max_distinct;

	/* fast TreeSHAP */
	bool *tree_fast;
	uint32_t *tree_leaf_start; /* ntrees + 1 */
	double *tree_bias;         /* cover-weighted mean leaf value per tree */
	struct leaf *leaves;
	size_t nleaves;
	struct step *steps;
	uint32_t *leaf_feat; /* model feature index of each bit */
	double *leaf_z, *leaf_ratio;
	double *table;
	double bias; /* base margin + sum of tree_bias */
};

/* ---------------------------------------------------------------- loading */

struct loader {
	const char *name;
	struct ag_err *err;
};

static int field_err(struct loader *ld, const char *field, const char *what)
{
	return ag_err_set(ld->err, AG_EPARSE, "%s: %s: %s", ld->name, field, what);
}

static json_t *get_obj(struct loader *ld, json_t *parent, const char *key, const char *field,
		       int *rc)
{
	json_t *v = json_object_get(parent, key);

	if (!json_is_object(v)) {
		*rc = field_err(ld, field, v ? "expected an object" : "missing");
		return NULL;
	}
	return v;
}

/* A string that holds a number, as xgboost writes its parameters ("23",
 * "5E-1"), or, for base_score in xgboost >= 2, a list of one: "[5E-1]". */
static int param_number(struct loader *ld, json_t *parent, const char *key, const char *field,
			bool required, double *out)
{
	json_t *v = json_object_get(parent, key);
	const char *s;
	size_t len;

	if (!v) {
		if (required)
			return field_err(ld, field, "missing");
		return 0;
	}
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return field_err(ld, field, "expected a number written as a string");
	s = json_string_value(v);
	len = strlen(s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		if (memchr(s, ',', len))
			return field_err(ld, field, "a list of more than one value (multi-output "
					 "models are not supported)");
		if (!ag_parse_double(s + 1, len - 2, out) || !isfinite(*out))
			return field_err(ld, field, "not a number");
		return 0;
	}
	if (!ag_parse_double(s, len, out) || !isfinite(*out))
		return field_err(ld, field, "not a number");
	return 0;
}

static int set_objective(struct ag_xgb_model *m, struct loader *ld, json_t *learner)
{
	static const struct {
		const char *name;
		enum ag_xgb_objective obj;
	} known[] = {
		{ "binary:logistic", AG_XGB_BINARY_LOGISTIC },
		{ "reg:logistic", AG_XGB_BINARY_LOGISTIC },
		{ "binary:logitraw", AG_XGB_LOGITRAW },
		{ "reg:squarederror", AG_XGB_SQUARED_ERROR },
		{ "reg:linear", AG_XGB_SQUARED_ERROR },
		{ "reg:pseudohubererror", AG_XGB_SQUARED_ERROR },
	};
	int rc = 0;
	json_t *o = get_obj(ld, learner, "objective", "learner.objective", &rc);
	json_t *n;

	if (!o)
		return rc;
	n = json_object_get(o, "name");
	if (!json_is_string(n))
		return field_err(ld, "learner.objective.name", "missing");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!strcmp(json_string_value(n), known[i].name)) {
			m->objective = known[i].obj;
			m->objective_name = strdup(known[i].name);
			return m->objective_name ? 0 : ag_err_set(ld->err, AG_ENOMEM, "out of memory");
		}
	}
	return ag_err_set(ld->err, AG_EPARSE,
			  "%s: learner.objective.name: '%s' is not supported (binary:logistic, "
			  "reg:logistic, binary:logitraw, reg:squarederror, reg:linear, "
			  "reg:pseudohubererror)", ld->name, json_string_value(n));
}

static int model_params(struct ag_xgb_model *m, struct loader *ld, json_t *learner)
{
	int rc = 0;
	json_t *p = get_obj(ld, learner, "learner_model_param", "learner.learner_model_param", &rc);
	double base = 0.5, ncls = 0, nfeat = -1, ntarget = 1;

	if (!p)
		return rc;
	if ((rc = param_number(ld, p, "base_score", "learner.learner_model_param.base_score",
			       true, &base)) ||
	    (rc = param_number(ld, p, "num_class", "learner.learner_model_param.num_class",
			       false, &ncls)) ||
	    (rc = param_number(ld, p, "num_feature", "learner.learner_model_param.num_feature",
			       true, &nfeat)) ||
	    (rc = param_number(ld, p, "num_target", "learner.learner_model_param.num_target",
			       false, &ntarget)))
		return rc;
	if (ncls > 1)
		return field_err(ld, "learner.learner_model_param.num_class",
				 "multi-class models are not supported (one output only)");
	if (ntarget != 1)
		return field_err(ld, "learner.learner_model_param.num_target",
				 "multi-target models are not supported (one output only)");
	if (!(nfeat >= 1 && nfeat <= 1e6) || nfeat != floor(nfeat))
		return field_err(ld, "learner.learner_model_param.num_feature",
				 "expected a whole number between 1 and 1000000");
	m->nfeatures = (size_t)nfeat;
	if (m->objective == AG_XGB_BINARY_LOGISTIC) {
		float p32 = (float)base;
		if (!(p32 > 0.0f && p32 < 1.0f))
			return field_err(ld, "learner.learner_model_param.base_score",
					 "must be a probability in (0, 1) for a logistic objective");
		/* xgboost's ProbToMargin, in float as it computes it. */
		m->base_margin = -logf(1.0f / p32 - 1.0f);
	} else {
		m->base_margin = (float)base;
	}
	return 0;
}

static int feature_names(struct ag_xgb_model *m, struct loader *ld, json_t *learner)
{
	json_t *names = json_object_get(learner, "feature_names");
	size_t n;

	if (!names)
		return 0;
	if (!json_is_array(names))
		return field_err(ld, "learner.feature_names", "expected a list of names");
	n = json_array_size(names);
	if (n == 0)
		return 0;
	if (n != m->nfeatures)
		return ag_err_set(ld->err, AG_EPARSE,
				  "%s: learner.feature_names: %zu names for num_feature %zu",
				  ld->name, n, m->nfeatures);
	m->feature_names = calloc(n, sizeof(*m->feature_names));
	if (!m->feature_names)
		return ag_err_set(ld->err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(names, i);
		if (!json_is_string(s) || !*json_string_value(s))
			return ag_err_set(ld->err, AG_EPARSE,
					  "%s: learner.feature_names[%zu]: expected a name", ld->name, i);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->feature_names[j], json_string_value(s)))
				return ag_err_set(ld->err, AG_EPARSE,
						  "%s: learner.feature_names[%zu]: '%s' appears twice",
						  ld->name, i, json_string_value(s));
		m->feature_names[i] = strdup(json_string_value(s));
		if (!m->feature_names[i])
			return ag_err_set(ld->err, AG_ENOMEM, "out of memory");
	}
	return 0;
}

/* Member `key` of tree t: an array of exactly n elements. */
static json_t *tree_array(struct loader *ld, json_t *tree, size_t t, const char *key, size_t n,
			  int *rc)
{
	json_t *a = json_object_get(tree, key);

	if (!json_is_array(a)) {
		*rc = ag_err_set(ld->err, AG_EPARSE, "%s: learner.gradient_booster.model.trees[%zu].%s: %s",
				 ld->name, t, key, a ? "expected a list" : "missing");
		return NULL;
	}
	if (json_array_size(a) != n) {
		*rc = ag_err_set(ld->err, AG_EPARSE,
				 "%s: learner.gradient_booster.model.trees[%zu].%s: %zu entries for "
				 "num_nodes %zu (truncated or inconsistent)",
				 ld->name, t, key, json_array_size(a), n);
		return NULL;
	}
	return a;
}

static int node_err(struct loader *ld, size_t t, const char *key, size_t i, const char *what)
{
	return ag_err_set(ld->err, AG_EPARSE, "%s: learner.gradient_booster.model.trees[%zu].%s[%zu]: %s",
			  ld->name, t, key, i, what);
}

static bool as_int(json_t *v, long long *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return true;
	}
	return false;
}

static int tree_size(struct loader *ld, json_t *tree, size_t t, size_t *n)
{
	json_t *tp = json_object_get(tree, "tree_param");
	double nn = -1, leafvec = 0;
	char field[96];
	int rc;

	snprintf(field, sizeof(field), "learner.gradient_booster.model.trees[%zu].tree_param", t);
	if (!json_is_object(tp))
		return field_err(ld, field, tp ? "expected an object" : "missing");
	snprintf(field, sizeof(field), "learner.gradient_booster.model.trees[%zu].tree_param.num_nodes", t);
	if ((rc = param_number(ld, tp, "num_nodes", field, true, &nn)))
		return rc;
	if (!(nn >= 1 && nn <= 1 << 30) || nn != floor(nn))
		return field_err(ld, field, "expected a whole number >= 1");
	snprintf(field, sizeof(field),
		 "learner.gradient_booster.model.trees[%zu].tree_param.size_leaf_vector", t);
	if ((rc = param_number(ld, tp, "size_leaf_vector", field, false, &leafvec)))
		return rc;
	if (leafvec > 1)
		return field_err(ld, field, "vector leaves (multi-target trees) are not supported");
	/* The node arrays are sized from num_nodes; a claim larger than the
	 * JSON actually holds must fail here, before anything is allocated. */
	if (!tree_array(ld, tree, t, "left_children", (size_t)nn, &rc))
		return rc;
	*n = (size_t)nn;
	return 0;
}

static int categorical_check(struct loader *ld, json_t *tree, size_t t, size_t n)
{
	json_t *st = json_object_get(tree, "split_type");
	json_t *cn = json_object_get(tree, "categories_nodes");

	if (st) {
		int rc = 0;
		if (!tree_array(ld, tree, t, "split_type", n, &rc))
			return rc;
		for (size_t i = 0; i < n; i++) {
			long long v;
			if (!as_int(json_array_get(st, i), &v))
				return node_err(ld, t, "split_type", i, "expected 0 or 1");
			if (v != 0)
				return node_err(ld, t, "split_type", i,
						"categorical splits are not supported "
						"(retrain with numeric or one-hot encoded features)");
		}
	}
	if (json_is_array(cn) && json_array_size(cn) > 0)
		return ag_err_set(ld->err, AG_EPARSE,
				  "%s: learner.gradient_booster.model.trees[%zu].categories_nodes: "
				  "categorical splits are not supported", ld->name, t);
	return 0;
}

/* Read tree t's nodes into the flat arrays at offset `at`. */
static int read_nodes(struct ag_xgb_model *m, struct loader *ld, json_t *tree, size_t t,
		      size_t at, size_t n)
{
	int rc = 0;
	json_t *lc = tree_array(ld, tree, t, "left_children", n, &rc);
	json_t *rcld = lc ? tree_array(ld, tree, t, "right_children", n, &rc) : NULL;
	json_t *si = rcld ? tree_array(ld, tree, t, "split_indices", n, &rc) : NULL;
	json_t *sc = si ? tree_array(ld, tree, t, "split_conditions", n, &rc) : NULL;
	json_t *dl = sc ? tree_array(ld, tree, t, "default_left", n, &rc) : NULL;
	json_t *sh = dl ? tree_array(ld, tree, t, "sum_hessian", n, &rc) : NULL;

	if (!sh)
		return rc;
	for (size_t i = 0; i < n; i++) {
		long long l, r, f, d;
		json_t *c = json_array_get(sc, i), *h = json_array_get(sh, i);
		if (!as_int(json_array_get(lc, i), &l) || l < -1 || l >= (long long)n || l == 0)
			return node_err(ld, t, "left_children", i, "not a node index (or -1 for a leaf)");
		if (!as_int(json_array_get(rcld, i), &r) || r < -1 || r >= (long long)n || r == 0)
			return node_err(ld, t, "right_children", i, "not a node index (or -1 for a leaf)");
		if ((l < 0) != (r < 0))
			return node_err(ld, t, "left_children", i, "a node with only one child");
		if (!as_int(json_array_get(si, i), &f) || f < 0)
			return node_err(ld, t, "split_indices", i, "expected a feature index");
		if (l >= 0 && f >= (long long)m->nfeatures)
			return node_err(ld, t, "split_indices", i,
					"feature index beyond num_feature (feature count mismatch)");
		if (!as_int(json_array_get(dl, i), &d) || (d != 0 && d != 1))
			return node_err(ld, t, "default_left", i, "expected 0 or 1");
		if (!json_is_number(c) || !isfinite(json_number_value(c)) ||
		    !isfinite((float)json_number_value(c)))
			return node_err(ld, t, "split_conditions", i, "expected a finite number");
		if (!json_is_number(h) || !(json_number_value(h) >= 0) ||
		    !isfinite(json_number_value(h)))
			return node_err(ld, t, "sum_hessian", i, "expected a number >= 0");
		m->left[at + i] = (int32_t)l;
		m->right[at + i] = (int32_t)r;
		m->feature[at + i] = l >= 0 ? (uint32_t)f : 0;
		m->default_left[at + i] = (uint8_t)d;
		m->threshold[at + i] = l >= 0 ? (float)json_number_value(c) : 0.0f;
		m->leaf[at + i] = l < 0 ? (float)json_number_value(c) : 0.0f;
		m->cover[at + i] = json_number_value(h);
		if (l >= 0 && !(m->cover[at + i] > 0))
			return node_err(ld, t, "sum_hessian", i,
					"a split without cover (explanations divide by it)");
	}
	return 0;
}

/* Every node reachable from the root exactly once (no cycles, no shared
 * children); records the deepest path.  Unreachable nodes (deleted by
 * pruning) are allowed and ignored. */
static int check_shape(struct ag_xgb_model *m, struct loader *ld, size_t t, size_t at, size_t n)
{
	uint32_t *stack = malloc(n * sizeof(*stack));
	uint16_t *depth = malloc(n * sizeof(*depth));
	uint8_t *seen = calloc(n, 1);
	size_t top = 0;
	int rc = 0;

	if (!stack || !depth || !seen) {
		rc = ag_err_set(ld->err, AG_ENOMEM, "out of memory");
		goto out;
	}
	stack[top++] = 0;
	depth[0] = 0;
	seen[0] = 1;
	while (top && !rc) {
		uint32_t i = stack[--top];
		/* Children's covers are sums of the parent's rows' hessians (in
		 * float32): more than the parent's, beyond rounding, is no tree
		 * xgboost wrote, and would make TreeSHAP's fractions exceed 1. */
		if (m->left[at + i] >= 0 &&
		    m->cover[at + (size_t)m->left[at + i]] + m->cover[at + (size_t)m->right[at + i]] >
			    m->cover[at + i] * (1 + 1e-3)) {
			rc = node_err(ld, t, "sum_hessian", i,
				      "the children's covers add up to more than the node's");
			break;
		}
		if (m->left[at + i] < 0) {
			if (depth[i] > m->max_depth)
				m->max_depth = depth[i];
			continue;
		}
		if (depth[i] >= MAX_DEPTH) {
			rc = node_err(ld, t, "left_children", i, "the tree is deeper than 256 levels");
			break;
		}
		for (int side = 0; side < 2; side++) {
			int32_t c = side ? m->right[at + i] : m->left[at + i];
			if (seen[c]) {
				rc = node_err(ld, t, side ? "right_children" : "left_children", i,
					      "a node reached twice (not a tree)");
				break;
			}
			seen[c] = 1;
			depth[c] = (uint16_t)(depth[i] + 1);
			stack[top++] = (uint32_t)c;
		}
	}
out:
	free(stack);
	free(depth);
	free(seen);
	return rc;
}

static int alloc_nodes(struct ag_xgb_model *m, struct loader *ld, size_t total)
{
	m->left = malloc(total * sizeof(*m->left));
	m->right = malloc(total * sizeof(*m->right));
	m->feature = malloc(total * sizeof(*m->feature));
	m->threshold = malloc(total * sizeof(*m->threshold));
	m->default_left = malloc(total);
	m->leaf = malloc(total * sizeof(*m->leaf));
	m->cover = malloc(total * sizeof(*m->cover));
	if (!m->left || !m->right || !m->feature || !m->threshold || !m->default_left ||
	    !m->leaf || !m->cover)
		return ag_err_set(ld->err, AG_ENOMEM, "out of memory");
	return 0;
}

static int read_trees(struct ag_xgb_model *m, struct loader *ld, json_t *gb)
{
	int rc = 0;
	json_t *model = get_obj(ld, gb, "model", "learner.gradient_booster.model", &rc);
	json_t *gp, *trees, *info;
	double ntrees = -1, npar = 1;
	size_t total = 0, *sizes = NULL;

	if (!model)
		return rc;
	gp = get_obj(ld, model, "gbtree_model_param",
		     "learner.gradient_booster.model.gbtree_model_param", &rc);
	if (!gp)
		return rc;
	if ((rc = param_number(ld, gp, "num_trees",
			       "learner.gradient_booster.model.gbtree_model_param.num_trees", true,
			       &ntrees)) ||
	    (rc = param_number(ld, gp, "num_parallel_tree",
			       "learner.gradient_booster.model.gbtree_model_param.num_parallel_tree",
			       false, &npar)))
		return rc;
	if (npar != 1)
		return field_err(ld, "learner.gradient_booster.model.gbtree_model_param.num_parallel_tree",
				 "random forests (num_parallel_tree > 1) are not supported");
	trees = json_object_get(model, "trees");
	if (!json_is_array(trees))
		return field_err(ld, "learner.gradient_booster.model.trees", "missing");
	if (!(ntrees >= 1) || (double)json_array_size(trees) != ntrees)
		return ag_err_set(ld->err, AG_EPARSE,
				  "%s: learner.gradient_booster.model.trees: %zu trees for num_trees %g "
				  "(truncated or inconsistent)", ld->name, json_array_size(trees), ntrees);
	info = json_object_get(model, "tree_info");
	if (info && (!json_is_array(info) || json_array_size(info) != json_array_size(trees)))
		return field_err(ld, "learner.gradient_booster.model.tree_info",
				 "expected one entry per tree");
	m->ntrees = json_array_size(trees);
	sizes = calloc(m->ntrees, sizeof(*sizes));
	m->tree_start = calloc(m->ntrees + 1, sizeof(*m->tree_start));
	if (!sizes || !m->tree_start) {
		free(sizes);
		return ag_err_set(ld->err, AG_ENOMEM, "out of memory");
	}
	for (size_t t = 0; t < m->ntrees && !rc; t++) {
		json_t *tree = json_array_get(trees, t);
		long long ti = 0;
		if (!json_is_object(tree)) {
			rc = ag_err_set(ld->err, AG_EPARSE,
					"%s: learner.gradient_booster.model.trees[%zu]: expected an object",
					ld->name, t);
			break;
		}
		if (info && (!as_int(json_array_get(info, t), &ti) || ti != 0)) {
			rc = ag_err_set(ld->err, AG_EPARSE,
					"%s: learner.gradient_booster.model.tree_info[%zu]: expected 0 "
					"(one output group)", ld->name, t);
			break;
		}
		rc = tree_size(ld, tree, t, &sizes[t]);
		if (!rc)
			rc = categorical_check(ld, tree, t, sizes[t]);
		if (!rc && __builtin_add_overflow(total, sizes[t], &total))
			rc = ag_err_set(ld->err, AG_ERANGE, "%s: too many nodes", ld->name);
		if (!rc && total > UINT32_MAX / 2)
			rc = ag_err_set(ld->err, AG_ERANGE, "%s: too many nodes", ld->name);
		if (!rc && sizes[t] > m->max_tree_nodes)
			m->max_tree_nodes = sizes[t];
	}
	if (!rc)
		rc = alloc_nodes(m, ld, total);
	m->nnodes = total;
	for (size_t t = 0, at = 0; t < m->ntrees && !rc; t++) {
		m->tree_start[t] = (uint32_t)at;
		rc = read_nodes(m, ld, json_array_get(trees, t), t, at, sizes[t]);
		if (!rc)
			rc = check_shape(m, ld, t, at, sizes[t]);
		at += sizes[t];
		m->tree_start[t + 1] = (uint32_t)at;
	}
	free(sizes);
	return rc;
}

static int booster(struct ag_xgb_model *m, struct loader *ld, json_t *learner)
{
	int rc = 0;
	json_t *gb = get_obj(ld, learner, "gradient_booster", "learner.gradient_booster", &rc);
	json_t *name;

	if (!gb)
		return rc;
	name = json_object_get(gb, "name");
	if (!json_is_string(name))
		return field_err(ld, "learner.gradient_booster.name", "missing");
	if (!strcmp(json_string_value(name), "gblinear"))
		return field_err(ld, "learner.gradient_booster.name",
				 "gblinear (linear boosters) is not supported; only gbtree");
	if (!strcmp(json_string_value(name), "dart"))
		return field_err(ld, "learner.gradient_booster.name",
				 "dart is not supported (its tree weights change predictions); only gbtree");
	if (strcmp(json_string_value(name), "gbtree"))
		return ag_err_set(ld->err, AG_EPARSE,
				  "%s: learner.gradient_booster.name: '%s' is not supported; only gbtree",
				  ld->name, json_string_value(name));
	return read_trees(m, ld, gb);
}

static int prepare_shap(struct ag_xgb_model *m, struct ag_err *err);

int ag_xgb_parse(struct ag_xgb_model **out, const char *json, size_t len, const char *name,
		 struct ag_err *err)
{
	struct loader ld = { name, err };
	struct ag_xgb_model *m;
	json_error_t je;
	json_t *root, *learner;
	int rc = 0;

	*out = NULL;
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return ag_err_at(err, AG_EPARSE, name, (size_t)(je.line > 0 ? je.line : 0),
				 (size_t)(je.column > 0 ? je.column : 0), "%s", je.text);
	m = calloc(1, sizeof(*m));
	if (!m) {
		json_decref(root);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	learner = json_is_object(root) ? json_object_get(root, "learner") : NULL;
	if (!json_is_object(learner))
		rc = ag_err_set(err, AG_EPARSE, "%s: learner: missing (not an XGBoost JSON model; "
				"write it with Booster.save_model(\"m.json\"))", name);
	if (!rc)
		rc = set_objective(m, &ld, learner);
	if (!rc)
		rc = model_params(m, &ld, learner);
	if (!rc)
		rc = feature_names(m, &ld, learner);
	if (!rc)
		rc = booster(m, &ld, learner);
	json_decref(root);
	if (!rc)
		rc = prepare_shap(m, err);
	if (rc) {
		ag_xgb_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int ag_xgb_load(struct ag_xgb_model **out, const char *path, struct ag_err *err)
{
	struct ag_file_map f;
	int rc;

	*out = NULL;
	rc = ag_file_map(&f, path, err);
	if (rc)
		return rc;
	rc = ag_xgb_parse(out, f.data, f.len, path, err);
	ag_file_unmap(&f);
	return rc;
}

void ag_xgb_free(struct ag_xgb_model *m)
{
	if (!m)
		return;
	free(m->objective_name);
	for (size_t i = 0; m->feature_names && i < m->nfeatures; i++)
		free(m->feature_names[i]);
	free(m->feature_names);
	free(m->tree_start);
	free(m->left);
	free(m->right);
	free(m->feature);
	free(m->threshold);
	free(m->default_left);
	free(m->leaf);
	free(m->cover);
	free(m->tree_fast);
	free(m->tree_leaf_start);
	free(m->tree_bias);
	free(m->leaves);
	free(m->steps);
	free(m->leaf_feat);
	free(m->leaf_z);
	free(m->leaf_ratio);
	free(m->table);
	free(m);
}

/* ---------------------------------------------------------- accessors */

size_t ag_xgb_nfeatures(const struct ag_xgb_model *m) { return m->nfeatures; }
size_t ag_xgb_ntrees(const struct ag_xgb_model *m) { return m->ntrees; }
size_t ag_xgb_max_depth(const struct ag_xgb_model *m) { return m->max_depth; }
enum ag_xgb_objective ag_xgb_objective(const struct ag_xgb_model *m) { return m->objective; }
const char *ag_xgb_objective_name(const struct ag_xgb_model *m) { return m->objective_name; }
float ag_xgb_base_margin(const struct ag_xgb_model *m) { return m->base_margin; }

bool ag_xgb_has_probability(const struct ag_xgb_model *m)
{
	return m->objective == AG_XGB_BINARY_LOGISTIC;
}

const char *ag_xgb_feature_name(const struct ag_xgb_model *m, size_t i)
{
	return m->feature_names && i < m->nfeatures ? m->feature_names[i] : NULL;
}

int ag_xgb_set_feature_names(struct ag_xgb_model *m, const char *const *names, size_t n,
			     struct ag_err *err)
{
	if (m->feature_names)
		return ag_err_set(err, AG_EINVAL, "the model already names its features");
	if (n != m->nfeatures)
		return ag_err_set(err, AG_EINVAL, "%zu names for %zu features", n, m->nfeatures);
	m->feature_names = calloc(n, sizeof(*m->feature_names));
	if (!m->feature_names)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		m->feature_names[i] = strdup(names[i]);
		if (!m->feature_names[i])
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	return 0;
}

void ag_xgb_nodes(const struct ag_xgb_model *m, struct ag_xgb_nodes *o)
{
	o->ntrees = m->ntrees;
	o->nnodes = m->nnodes;
	o->tree_start = m->tree_start;
	o->left = m->left;
	o->right = m->right;
	o->feature = m->feature;
	o->threshold = m->threshold;
	o->default_left = m->default_left;
	o->leaf = m->leaf;
	o->cover = m->cover;
}

/* ---------------------------------------------------------- prediction */

static inline bool goes_left(const struct ag_xgb_model *m, size_t i, const float *x)
{
	float v = x[m->feature[i]];

	return isnan(v) ? m->default_left[i] : v < m->threshold[i];
}

static size_t leaf_of(const struct ag_xgb_model *m, size_t t, const float *x)
{
	size_t base = m->tree_start[t], i = base;

	while (m->left[i] >= 0)
		i = base + (size_t)(goes_left(m, i, x) ? m->left[i] : m->right[i]);
	return i;
}

float ag_xgb_margin_f32(const struct ag_xgb_model *m, const float *x)
{
	float sum = m->base_margin;

	for (size_t t = 0; t < m->ntrees; t++)
		sum += m->leaf[leaf_of(m, t, x)];
	return sum;
}

double ag_xgb_margin(const struct ag_xgb_model *m, const float *x)
{
	double sum = m->base_margin;

	for (size_t t = 0; t < m->ntrees; t++)
		sum += m->leaf[leaf_of(m, t, x)];
	return sum;
}

float ag_xgb_probability(const struct ag_xgb_model *m, float margin)
{
	if (m->objective != AG_XGB_BINARY_LOGISTIC)
		return margin;
	/* xgboost's common::Sigmoid, clamped so that expf cannot overflow. */
	return 1.0f / (expf(fminf(-margin, 88.7f)) + 1.0f);
}

/* ------------------------------------------------ SHAP precomputation */

/* w(s, n) = s! (n - s - 1)! / n! for s < n. */
static double shapley_weight(unsigned s, unsigned n)
{
	double w = 1.0 / n;

	/* 1 / (n * C(n-1, s)) */
	for (unsigned k = 1; k <= s; k++)
		w *= (double)k / (double)(n - k);
	return w;
}

struct path_entry {
	uint32_t node;
	uint8_t left;
};

/* Walk one tree depth-first; at each leaf record its steps and features. */
struct walker {
	struct ag_xgb_model *m;
	size_t t, base;
	struct path_entry path[MAX_DEPTH + 1];
	size_t nleaves, nsteps, nfeat, ntable;
	bool count_only, fast;
	size_t max_distinct;
};

static unsigned distinct_features(const struct ag_xgb_model *m, size_t base,
				  const struct path_entry *path, size_t depth, uint32_t *feat,
				  uint8_t *bit_of_step)
{
	unsigned n = 0;

	for (size_t s = 0; s < depth; s++) {
		uint32_t f = m->feature[base + path[s].node];
		unsigned b = 0;
		while (b < n && feat[b] != f)
			b++;
		if (b == n)
			feat[n++] = f;
		if (bit_of_step)
			bit_of_step[s] = (uint8_t)b;
	}
	return n;
}

static unsigned count_distinct(const struct ag_xgb_model *m, size_t base,
			       const struct path_entry *path, size_t depth)
{
	uint32_t feat[MAX_DEPTH];

	return distinct_features(m, base, path, depth, feat, NULL);
}

static void fill_leaf(struct walker *w, size_t leaf_node, size_t depth)
{
	struct ag_xgb_model *m = w->m;
	struct leaf *lf = &m->leaves[w->nleaves];
	uint32_t feat[MAX_DEPTH];
	uint8_t bits[MAX_DEPTH];
	unsigned n = distinct_features(m, w->base, w->path, depth, feat, bits);
	double *z = &m->leaf_z[w->nfeat], *table = &m->table[w->ntable];
	size_t full = (size_t)1 << n;

	lf->step_off = (uint32_t)w->nsteps;
	lf->feat_off = (uint32_t)w->nfeat;
	lf->table_off = w->ntable;
	lf->nsteps = (uint8_t)depth;
	lf->nfeat = (uint8_t)n;
	lf->value = m->leaf[w->base + leaf_node];
	lf->has_zero = false;
	for (unsigned k = 0; k < n; k++) {
		m->leaf_feat[w->nfeat + k] = feat[k];
		z[k] = 1.0;
	}
	for (size_t s = 0; s < depth; s++) {
		size_t parent = w->base + w->path[s].node;
		size_t child = w->base + (size_t)(w->path[s].left ? m->left[parent] : m->right[parent]);
		m->steps[w->nsteps + s].node = w->path[s].node;
		m->steps[w->nsteps + s].left = w->path[s].left;
		m->steps[w->nsteps + s].bit = bits[s];
		z[bits[s]] *= m->cover[child] / m->cover[parent];
	}
	for (unsigned k = 0; k < n; k++) {
		if (z[k] == 0) {
			lf->has_zero = true;
			m->leaf_ratio[w->nfeat + k] = 0;
		} else {
			m->leaf_ratio[w->nfeat + k] = (1.0 - z[k]) / z[k];
		}
	}
	/* val(S) = w(|S|, n) prod_{j not in S} z_j, then the subset sums
	 * H(Q) = sum_{S subset of Q} val(S) (a zeta transform, n 2^n steps),
	 * scaled by the leaf value. */
	for (size_t s = 0; s < full; s++) {
		unsigned size = (unsigned)__builtin_popcountll(s);
		/* H(F) is never looked up (some feature is always left out). */
		double v = size < n ? shapley_weight(size, n) : 0.0;
		if (n == 0)
			v = 1.0;
		for (unsigned k = 0; k < n; k++)
			if (!(s >> k & 1))
				v *= z[k];
		table[s] = v;
	}
	for (unsigned k = 0; k < n; k++)
		for (size_t s = 0; s < full; s++)
			if (s >> k & 1)
				table[s] += table[s ^ ((size_t)1 << k)];
	for (size_t s = 0; s < full; s++)
		table[s] *= lf->value;
	/* The tree's bias: v * prod z over all features = v(empty set). */
	{
		double pz = lf->value;
		for (unsigned k = 0; k < n; k++)
			pz *= z[k];
		m->tree_bias[w->t] += pz;
	}
}

static void walk(struct walker *w, size_t node, size_t depth)
{
	struct ag_xgb_model *m = w->m;
	size_t i = w->base + node;

	if (m->left[i] < 0) {
		unsigned n = count_distinct(m, w->base, w->path, depth);
		if (n > w->max_distinct)
			w->max_distinct = n;
		if (w->count_only) {
			w->nleaves++;
			w->nsteps += depth;
			w->nfeat += n;
			w->ntable += (size_t)1 << (n < AG_XGB_FAST_MAX_D ? n : AG_XGB_FAST_MAX_D);
			return;
		}
		fill_leaf(w, node, depth);
		w->nleaves++;
		w->nsteps += depth;
		w->nfeat += n;
		w->ntable += (size_t)1 << n;
		return;
	}
	w->path[depth].node = (uint32_t)node;
	w->path[depth].left = 1;
	walk(w, (size_t)m->left[i], depth + 1);
	w->path[depth].left = 0;
	walk(w, (size_t)m->right[i], depth + 1);
}

/* Cover-weighted mean leaf value of a subtree (xgboost's node mean value),
 * for trees that take the classic path. */
static double node_mean(const struct ag_xgb_model *m, size_t base, size_t node)
{
	size_t i = base + node;

	if (m->left[i] < 0)
		return m->leaf[i];
	return (node_mean(m, base, (size_t)m->left[i]) * m->cover[base + (size_t)m->left[i]] +
		node_mean(m, base, (size_t)m->right[i]) * m->cover[base + (size_t)m->right[i]]) /
	       m->cover[i];
}

static int prepare_shap(struct ag_xgb_model *m, struct ag_err *err)
{
	struct walker *w = calloc(1, sizeof(*w));
	size_t nleaves = 0, nsteps = 0, nfeat = 0, ntable = 0;
	int rc = 0;

	m->tree_fast = calloc(m->ntrees, sizeof(*m->tree_fast));
	m->tree_leaf_start = calloc(m->ntrees + 1, sizeof(*m->tree_leaf_start));
	m->tree_bias = calloc(m->ntrees, sizeof(*m->tree_bias));
	if (!w || !m->tree_fast || !m->tree_leaf_start || !m->tree_bias) {
		free(w);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	/* First pass: sizes, and which trees are shallow enough. */
	for (size_t t = 0; t < m->ntrees; t++) {
		memset(w, 0, sizeof(*w));
		w->m = m;
		w->t = t;
		w->base = m->tree_start[t];
		w->count_only = true;
		walk(w, 0, 0);
		if (w->max_distinct > m->max_distinct)
			m->max_distinct = w->max_distinct;
		/* A memory budget for the tables: 8 MiB a tree, 256 MiB in all;
		 * trees beyond it take the classic recursion. */
		m->tree_fast[t] = w->max_distinct <= AG_XGB_FAST_MAX_D &&
				  w->ntable <= (size_t)1 << 20 &&
				  ntable + w->ntable <= (size_t)1 << 25 &&
				  nsteps + w->nsteps < UINT32_MAX && nfeat + w->nfeat < UINT32_MAX;
		m->tree_leaf_start[t] = (uint32_t)nleaves;
		if (m->tree_fast[t]) {
			nleaves += w->nleaves;
			nsteps += w->nsteps;
			nfeat += w->nfeat;
			ntable += w->ntable;
		}
	}
	m->tree_leaf_start[m->ntrees] = (uint32_t)nleaves;
	m->nleaves = nleaves;
	m->leaves = malloc((nleaves + 1) * sizeof(*m->leaves));
	m->steps = malloc((nsteps + 1) * sizeof(*m->steps));
	m->leaf_feat = malloc((nfeat + 1) * sizeof(*m->leaf_feat));
	m->leaf_z = malloc((nfeat + 1) * sizeof(*m->leaf_z));
	m->leaf_ratio = malloc((nfeat + 1) * sizeof(*m->leaf_ratio));
	m->table = malloc((ntable + 1) * sizeof(*m->table));
	if (!m->leaves || !m->steps || !m->leaf_feat || !m->leaf_z || !m->leaf_ratio || !m->table) {
		free(w);
		return ag_err_set(err, AG_ENOMEM, "out of memory (TreeSHAP tables: %zu values)",
				  ntable);
	}
	/* Second pass: fill the tables. */
	nleaves = nsteps = nfeat = ntable = 0;
	m->bias = m->base_margin;
	for (size_t t = 0; t < m->ntrees; t++) {
		if (!m->tree_fast[t]) {
			m->tree_bias[t] = node_mean(m, m->tree_start[t], 0);
		} else {
			memset(w, 0, sizeof(*w));
			w->m = m;
			w->t = t;
			w->base = m->tree_start[t];
			w->nleaves = nleaves;
			w->nsteps = nsteps;
			w->nfeat = nfeat;
			w->ntable = ntable;
			walk(w, 0, 0);
			nleaves = w->nleaves;
			nsteps = w->nsteps;
			nfeat = w->nfeat;
			ntable = w->ntable;
		}
		m->bias += m->tree_bias[t];
	}
	free(w);
	return rc;
}

/* ------------------------------------------------------ TreeSHAP: fast */

/* A leaf's term for feature k in O when z_k = 0: v (1 - z_k) times the
 * sum over S within O \ {k} of w(|S|, n) prod_{j in F\S, j != k} z_j. */
static double zero_term(const struct ag_xgb_model *m, const struct leaf *lf, unsigned O,
			unsigned k)
{
	const double *z = &m->leaf_z[lf->feat_off];
	unsigned n = lf->nfeat, q = O & ~(1u << k);
	double sum = 0;

	for (unsigned s = q;; s = (s - 1) & q) {
		double v = shapley_weight((unsigned)__builtin_popcount(s), n);
		for (unsigned j = 0; j < n; j++)
			if (j != k && !(s >> j & 1))
				v *= z[j];
		sum += v;
		if (!s)
			break;
	}
	return lf->value * (1.0 - z[k]) * sum;
}

/* Branch-free where it matters: which features x satisfies is data, so
 * the choices are selects, not jumps the predictor would miss. */
static void shap_tree_fast(const struct ag_xgb_model *m, size_t t, const float *x, double *phi,
			   uint8_t *left)
{
	size_t base = m->tree_start[t], nn = m->tree_start[t + 1] - base;
	const uint32_t *feature = m->feature + base;
	const float *threshold = m->threshold + base;
	const uint8_t *dl = m->default_left + base;

	/* Leaves have feature 0 and threshold 0: their entry is unused. */
	for (size_t i = 0; i < nn; i++) {
		float v = x[feature[i]];
		left[i] = isnan(v) ? dl[i] : v < threshold[i];
	}
	for (size_t l = m->tree_leaf_start[t]; l < m->tree_leaf_start[t + 1]; l++) {
		const struct leaf *lf = &m->leaves[l];
		const struct step *st = &m->steps[lf->step_off];
		const uint32_t *feat = &m->leaf_feat[lf->feat_off];
		const double *ratio = &m->leaf_ratio[lf->feat_off];
		const double *table = &m->table[lf->table_off];
		unsigned n = lf->nfeat, O = (1u << n) - 1;
		double neg;

		for (unsigned s = 0; s < lf->nsteps; s++)
			O &= ~((unsigned)(left[st[s].node] != st[s].left) << st[s].bit);
		neg = -table[O];
		if (!lf->has_zero) {
			for (unsigned k = 0; k < n; k++) {
				double pick[2];
				pick[0] = neg;
				pick[1] = ratio[k] * table[O ^ (1u << k)];
				phi[feat[k]] += pick[O >> k & 1];
			}
			continue;
		}
		for (unsigned k = 0; k < n; k++) {
			if (!(O >> k & 1))
				phi[feat[k]] += neg;
			else if (m->leaf_z[lf->feat_off + k] == 0)
				phi[feat[k]] += zero_term(m, lf, O, k);
			else
				phi[feat[k]] += ratio[k] * table[O ^ (1u << k)];
		}
	}
}

/* --------------------------------------------------- TreeSHAP: classic */

/*
 * Lundberg et al. 2020, Algorithm 2 (as in xgboost's RegTree::TreeShap and
 * shap's treeshap.cpp), in double.  A path element is a distinct feature
 * on the current root-to-node path with the fraction of training rows
 * (zero_fraction) and of "x-compatible" rows (one_fraction) that flow down
 * it, and pweight the permutation weight of subsets of each size.
 */
struct pelem {
	int64_t feature;
	double zero_fraction, one_fraction, pweight;
};

static void extend_path(struct pelem *p, unsigned d, double zf, double of, int64_t fi)
{
	p[d].feature = fi;
	p[d].zero_fraction = zf;
	p[d].one_fraction = of;
	p[d].pweight = d == 0 ? 1.0 : 0.0;
	for (int i = (int)d - 1; i >= 0; i--) {
		p[i + 1].pweight += of * p[i].pweight * (i + 1) / (double)(d + 1);
		p[i].pweight = zf * p[i].pweight * (d - (unsigned)i) / (double)(d + 1);
	}
}

static void unwind_path(struct pelem *p, unsigned d, unsigned pi)
{
	double of = p[pi].one_fraction, zf = p[pi].zero_fraction;
	double next = p[d].pweight;

	for (int i = (int)d - 1; i >= 0; i--) {
		if (of != 0) {
			double tmp = p[i].pweight;
			p[i].pweight = next * (d + 1) / ((i + 1) * of);
			next = tmp - p[i].pweight * zf * (d - (unsigned)i) / (double)(d + 1);
		} else {
			p[i].pweight = p[i].pweight * (d + 1) / (zf * (d - (unsigned)i));
		}
	}
	for (unsigned i = pi; i < d; i++) {
		p[i].feature = p[i + 1].feature;
		p[i].zero_fraction = p[i + 1].zero_fraction;
		p[i].one_fraction = p[i + 1].one_fraction;
	}
}

static double unwound_sum(const struct pelem *p, unsigned d, unsigned pi)
{
	double of = p[pi].one_fraction, zf = p[pi].zero_fraction;
	double next = p[d].pweight, total = 0;

	for (int i = (int)d - 1; i >= 0; i--) {
		if (of != 0) {
			double tmp = next * (d + 1) / ((i + 1) * of);
			total += tmp;
			next = p[i].pweight - tmp * zf * (d - (unsigned)i) / (double)(d + 1);
		} else if (zf != 0) {
			total += p[i].pweight / zf / ((d - (unsigned)i) / (double)(d + 1));
		}
	}
	return total;
}

static void tree_shap(const struct ag_xgb_model *m, size_t base, size_t node, const float *x,
		      double *phi, struct pelem *parent, unsigned d, double pzf, double pof,
		      int64_t pfi)
{
	struct pelem *p = parent + d + 1;
	size_t i = base + node;

	if (d)
		memcpy(p, parent, d * sizeof(*p));
	extend_path(p, d, pzf, pof, pfi);
	if (m->left[i] < 0) {
		for (unsigned k = 1; k <= d; k++) {
			double w = unwound_sum(p, d, k);
			phi[p[k].feature] += w * (p[k].one_fraction - p[k].zero_fraction) * m->leaf[i];
		}
		return;
	}
	{
		bool l = goes_left(m, i, x);
		size_t hot = (size_t)(l ? m->left[i] : m->right[i]);
		size_t cold = (size_t)(l ? m->right[i] : m->left[i]);
		double hzf = m->cover[base + hot] / m->cover[i];
		double czf = m->cover[base + cold] / m->cover[i];
		double izf = 1, iof = 1;
		int64_t f = m->feature[i];
		unsigned pi = 0;

		for (; pi <= d; pi++)
			if (p[pi].feature == f)
				break;
		if (pi != d + 1) {
			izf = p[pi].zero_fraction;
			iof = p[pi].one_fraction;
			unwind_path(p, d, pi);
			d--;
		}
		tree_shap(m, base, hot, x, phi, p, d + 1, hzf * izf, iof, f);
		tree_shap(m, base, cold, x, phi, p, d + 1, czf * izf, 0, f);
	}
}

/* ---------------------------------------------------------- TreeSHAP */

static size_t classic_path_len(const struct ag_xgb_model *m)
{
	size_t d = m->max_depth + 2;

	return d * (d + 1) / 2;
}

size_t ag_xgb_shap_scratch_size(const struct ag_xgb_model *m)
{
	size_t path = classic_path_len(m) * sizeof(struct pelem);

	return path + ((m->max_tree_nodes + 15) & ~(size_t)15);
}

/* Rows per block of ag_xgb_shap_rows: a deep tree's tables (a depth-8
 * tree's are 512 KiB) are read from memory once per block instead of once
 * per row.  On the 500-tree depth-8 bench model, 1 row at a time took
 * 33 s, blocks of 16 11 s, 64 10.8 s, 256 6.6 s, 1024 8.9 s (the rows'
 * contributions, 256 x (features + 1) doubles, start to compete with the
 * tables for the cache). */
#define SHAP_BLOCK 256

void ag_xgb_shap_rows(const struct ag_xgb_model *m, const float *x, size_t nrows, double *phi,
		      void *scratch)
{
	struct pelem *path = scratch;
	uint8_t *left = (uint8_t *)(path + classic_path_len(m));
	size_t nf = m->nfeatures, stride = nf + 1;

	for (size_t r0 = 0; r0 < nrows; r0 += SHAP_BLOCK) {
		size_t r1 = nrows - r0 < SHAP_BLOCK ? nrows : r0 + SHAP_BLOCK;
		for (size_t r = r0; r < r1; r++)
			for (size_t f = 0; f < nf; f++)
				phi[r * stride + f] = 0;
		/* Each row still adds the trees in tree order: the same sums as
		 * one row at a time, bit for bit. */
		for (size_t t = 0; t < m->ntrees; t++) {
			if (!m->tree_fast[t]) {
				for (size_t r = r0; r < r1; r++)
					tree_shap(m, m->tree_start[t], 0, x + r * nf, phi + r * stride,
						  path, 0, 1, 1, -1);
				continue;
			}
			for (size_t r = r0; r < r1; r++)
				shap_tree_fast(m, t, x + r * nf, phi + r * stride, left);
		}
		for (size_t r = r0; r < r1; r++)
			phi[r * stride + nf] = m->bias;
	}
}

void ag_xgb_shap(const struct ag_xgb_model *m, const float *x, double *phi, void *scratch)
{
	ag_xgb_shap_rows(m, x, 1, phi, scratch);
}

void ag_xgb_shap_classic(const struct ag_xgb_model *m, const float *x, double *phi,
			 void *scratch)
{
	for (size_t f = 0; f < m->nfeatures; f++)
		phi[f] = 0;
	for (size_t t = 0; t < m->ntrees; t++)
		tree_shap(m, m->tree_start[t], 0, x, phi, scratch, 0, 1, 1, -1);
	phi[m->nfeatures] = m->bias;
}
