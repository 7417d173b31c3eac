/*
 * Explanations (include/aigov/xgb.h, explain.h, scorecard.h, reasons.h).
 *
 * Independent checks:
 * - a two-split tree whose SHAP values are derived by hand below;
 * - random trees (repeated features on a path, missing values, a child
 *   without cover) against exact Shapley values by enumerating every
 *   subset of features with the path-dependent conditional expectation
 *   E[f | x_S] (Lundberg et al. 2020, eq. 1 and Algorithm 1), which shares
 *   no code with either TreeSHAP method;
 * - xgboost 1.7.4's own predict and pred_contribs on two models it trained
 *   on generated data (tests/data/xgb_small_*, written by
 *   `/usr/bin/python3 tests/tools/xgb_reference.py small`), and, with
 *   --real-data, on ../shared/data/taiwan_credit_xgb.json
 *   (tests/data/xgb_taiwan_reference.csv, `... xgb_reference.py taiwan 300`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/buf.h"
#include "aigov/explain.h"
#include "aigov/num.h"
#include "aigov/reasons.h"
#include "aigov/scorecard.h"
#include "aigov/xgb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AIGOV_TEST_DATA
#define AIGOV_TEST_DATA "tests/data"
#endif
#define SHARED AIGOV_TEST_DATA "/../../../shared/data"

/* ---- building models as xgboost writes them ---- */

struct node {
	int left, right, feature, default_left;
	double cond, cover;
};

/* One gbtree model of `ntrees` trees (nodes[t][0..sizes[t])). */
static void write_model(struct ag_buf *b, const char *objective, const char *base_score,
			int nfeat, struct node **trees, const int *sizes, int ntrees, const char *extra)
{
	ag_buf_reset(b);
	ag_buf_addf(b, "{\"learner\":{\"attributes\":{},\"feature_names\":[],\"feature_types\":[],"
		       "\"gradient_booster\":{\"model\":{\"gbtree_model_param\":{\"num_parallel_tree\":"
		       "\"1\",\"num_trees\":\"%d\",\"size_leaf_vector\":\"0\"},\"tree_info\":[", ntrees);
	for (int t = 0; t < ntrees; t++)
		ag_buf_addf(b, "%s0", t ? "," : "");
	ag_buf_addstr(b, "],\"trees\":[");
	for (int t = 0; t < ntrees; t++) {
		const struct node *n = trees[t];
		int sz = sizes[t];
		ag_buf_addf(b, "%s{\"id\":%d,\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":\"%d\","
			       "\"num_nodes\":\"%d\",\"size_leaf_vector\":\"0\"}", t ? "," : "", t, nfeat, sz);
#define ARR(key, fmt, expr)                                                   \
	do {                                                                  \
		ag_buf_addstr(b, ",\"" key "\":[");                           \
		for (int i = 0; i < sz; i++)                                  \
			ag_buf_addf(b, "%s" fmt, i ? "," : "", expr);         \
		ag_buf_addstr(b, "]");                                        \
	} while (0)
		ARR("left_children", "%d", n[i].left);
		ARR("right_children", "%d", n[i].right);
		ARR("split_indices", "%d", n[i].feature);
		ARR("split_conditions", "%.9g", n[i].cond);
		ARR("default_left", "%d", n[i].default_left);
		ARR("sum_hessian", "%.17g", n[i].cover);
		ARR("split_type", "%d", 0);
		ARR("parents", "%d", 0);
		ARR("base_weights", "%d", 0);
		ARR("loss_changes", "%d", 0);
#undef ARR
		ag_buf_addstr(b, ",\"categories\":[],\"categories_nodes\":[],\"categories_segments\":[],"
				 "\"categories_sizes\":[]}");
	}
	ag_buf_addf(b, "]},\"name\":\"gbtree\"},\"learner_model_param\":{\"base_score\":\"%s\","
		       "\"boost_from_average\":\"1\",\"num_class\":\"0\",\"num_feature\":\"%d\","
		       "\"num_target\":\"1\"},\"objective\":{\"name\":\"%s\"}%s},\"version\":[1,7,4]}",
		    base_score, nfeat, objective, extra ? extra : "");
}

/* Replace the first `from` in b with `to`. */
static void replace(struct ag_buf *b, const char *from, const char *to)
{
	struct ag_buf n;
	char *at = strstr(b->buf, from);

	assert_non_null(at);
	ag_buf_init(&n);
	ag_buf_add(&n, b->buf, (size_t)(at - b->buf));
	ag_buf_addstr(&n, to);
	ag_buf_addstr(&n, at + strlen(from));
	ag_buf_release(b);
	*b = n;
}

static struct ag_xgb_model *parse_ok(const struct ag_buf *b)
{
	struct ag_xgb_model *m = NULL;
	struct ag_err err;
	int rc = ag_xgb_parse(&m, b->buf, b->len, "t.json", &err);

	if (rc)
		fail_msg("parse: %s", err.msg);
	return m;
}

static void expect_refused(const struct ag_buf *b, const char *needle)
{
	struct ag_xgb_model *m = NULL;
	struct ag_err err;
	int rc = ag_xgb_parse(&m, b->buf, b->len, "t.json", &err);

	assert_int_equal(rc, AG_EPARSE);
	assert_null(m);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
}

/* ---- exact Shapley values by enumeration ---- */

/* E[f(x) | x_S] with the path-dependent expectation: follow x at splits on
 * features in S, else average the children weighted by cover. */
static double cond_expect(const struct ag_xgb_nodes *nd, size_t base, size_t i, const float *x,
			  unsigned S)
{
	size_t n = base + i, l, r;
	float v;
	bool go_left;

	if (nd->left[n] < 0)
		return nd->leaf[n];
	l = (size_t)nd->left[n];
	r = (size_t)nd->right[n];
	if (S >> nd->feature[n] & 1) {
		v = x[nd->feature[n]];
		go_left = isnan(v) ? nd->default_left[n] : v < nd->threshold[n];
		return cond_expect(nd, base, go_left ? l : r, x, S);
	}
	return (cond_expect(nd, base, l, x, S) * nd->cover[base + l] +
		cond_expect(nd, base, r, x, S) * nd->cover[base + r]) /
	       nd->cover[n];
}

static double game(const struct ag_xgb_nodes *nd, const float *x, unsigned S)
{
	double v = 0;

	for (size_t t = 0; t < nd->ntrees; t++)
		v += cond_expect(nd, nd->tree_start[t], 0, x, S);
	return v;
}

static void brute_force(const struct ag_xgb_model *m, const float *x, double *phi)
{
	struct ag_xgb_nodes nd;
	unsigned n = (unsigned)ag_xgb_nfeatures(m);
	double fact[16];

	ag_xgb_nodes(m, &nd);
	fact[0] = 1;
	for (unsigned k = 1; k < 16; k++)
		fact[k] = fact[k - 1] * k;
	for (unsigned i = 0; i < n; i++) {
		phi[i] = 0;
		for (unsigned S = 0; S < 1u << n; S++) {
			unsigned s = (unsigned)__builtin_popcount(S);
			if (S >> i & 1)
				continue;
			phi[i] += fact[s] * fact[n - s - 1] / fact[n] *
				  (game(&nd, x, S | 1u << i) - game(&nd, x, S));
		}
	}
	phi[n] = ag_xgb_base_margin(m) + game(&nd, x, 0);
}

static void check_against_brute_force(const struct ag_xgb_model *m, const float *x, double tol)
{
	size_t n = ag_xgb_nfeatures(m);
	double want[17], fast[17], classic[17], sum = 0;
	void *scratch = malloc(ag_xgb_shap_scratch_size(m));

	brute_force(m, x, want);
	ag_xgb_shap(m, x, fast, scratch);
	ag_xgb_shap_classic(m, x, classic, scratch);
	for (size_t i = 0; i <= n; i++) {
		if (fabs(fast[i] - want[i]) > tol || fabs(classic[i] - want[i]) > tol)
			fail_msg("feature %zu: fast %.17g classic %.17g exact %.17g", i, fast[i],
				 classic[i], want[i]);
		sum += fast[i];
	}
	assert_true(fabs(sum - ag_xgb_margin(m, x)) < 1e-12);
	free(scratch);
}

/* ---- tests ---- */

/*
 * One tree: root splits x0 < 0.5 (cover 10), left child splits x1 < 2
 * (cover 6: leaves 1.0 with cover 2 and 3.0 with cover 4), right leaf
 * -2.0 (cover 4).  Base score 0 (reg:squarederror).
 * For x = (0.2, 5): f(x) = 3.
 *   v({})    = 0.6 * (1*2/6 + 3*4/6) + 0.4 * (-2) = 0.6 * 7/3 - 0.8 = 0.6
 *   v({0})   = 7/3                     (left branch, average over x1)
 *   v({1})   = 0.6 * 3 + 0.4 * (-2) = 1.0
 *   v({0,1}) = 3
 *   phi0 = 1/2 (v0 - v) + 1/2 (v01 - v1) = 1/2 (7/3 - 0.6) + 1/2 (3 - 1) = 1.8666...
 *   phi1 = 1/2 (v1 - v) + 1/2 (v01 - v0) = 1/2 (0.4) + 1/2 (2/3)         = 0.5333...
 *   bias = 0.6; 0.6 + 1.8667 + 0.5333 = 3.
 */
static void test_shap_of_a_two_split_tree_matches_hand_derivation(void **state)
{
	struct node t0[] = {
		{ 1, 2, 0, 1, 0.5, 10 }, { 3, 4, 1, 0, 2, 6 }, { -1, -1, 0, 0, -2, 4 },
		{ -1, -1, 0, 0, 1, 2 }, { -1, -1, 0, 0, 3, 4 },
	};
	struct node *trees[] = { t0 };
	int sizes[] = { 5 };
	struct ag_buf b;
	struct ag_xgb_model *m;
	float x[2] = { 0.2f, 5.0f };
	double phi[3];
	void *scratch;

	(void)state;
	ag_buf_init(&b);
	write_model(&b, "reg:squarederror", "0E0", 2, trees, sizes, 1, NULL);
	m = parse_ok(&b);
	scratch = malloc(ag_xgb_shap_scratch_size(m));
	ag_xgb_shap(m, x, phi, scratch);
	assert_true(fabs(phi[0] - (0.5 * (7.0 / 3 - 0.6) + 1.0)) < 1e-12);
	assert_true(fabs(phi[1] - (0.2 + 1.0 / 3)) < 1e-12);
	assert_true(fabs(phi[2] - 0.6) < 1e-12);
	assert_true(ag_xgb_margin_f32(m, x) == 3.0f);
	free(scratch);
	ag_xgb_free(m);
	ag_buf_release(&b);
}

/* A random tree over 4 features: depth up to 5, features repeat. */
static int grow_tree(struct node *n, int *used, int depth, unsigned *seed, double cover,
		     bool zero_child)
{
	int me = (*used)++;

	n[me].cover = cover;
	if (depth == 0 || cover == 0 || (depth < 4 && rand_r(seed) % 4 == 0)) {
		n[me].left = n[me].right = -1;
		n[me].feature = 0;
		n[me].cond = (rand_r(seed) % 2001 - 1000) / 997.0;
		return me;
	}
	{
		double share = zero_child && depth == 2 ? 0.0 : (rand_r(seed) % 90 + 5) / 100.0;
		int l, r;
		n[me].feature = rand_r(seed) % 4;
		n[me].cond = (rand_r(seed) % 100) / 10.0;
		n[me].default_left = rand_r(seed) % 2;
		l = grow_tree(n, used, depth - 1, seed, cover * share, zero_child);
		r = grow_tree(n, used, depth - 1, seed, cover * (1 - share), zero_child);
		n[me].left = l;
		n[me].right = r;
	}
	return me;
}

/* 150 rows at once (two full blocks and a part) give, bit for bit, what
 * one row at a time gives. */
static void check_rows_equal_one_at_a_time(const struct ag_xgb_model *m, unsigned *seed)
{
	enum { ROWS = 150, NF = 4 };
	float x[ROWS * NF];
	double *all = malloc(ROWS * (NF + 1) * sizeof(*all)), one[NF + 1];
	void *scratch = malloc(ag_xgb_shap_scratch_size(m));

	assert_non_null(all);
	assert_non_null(scratch);
	for (int i = 0; i < ROWS * NF; i++)
		x[i] = rand_r(seed) % 7 == 0 ? NAN : (float)(rand_r(seed) % 100) / 10.0f;
	ag_xgb_shap_rows(m, x, ROWS, all, scratch);
	for (int r = 0; r < ROWS; r++) {
		ag_xgb_shap(m, x + r * NF, one, scratch);
		assert_memory_equal(one, all + r * (NF + 1), sizeof(one));
	}
	free(all);
	free(scratch);
}

static void random_models(bool zero_child)
{
	unsigned seed = zero_child ? 7 : 20261204;
	struct ag_buf b;

	ag_buf_init(&b);
	for (int trial = 0; trial < 30; trial++) {
		struct node t0[64], t1[64], t2[64];
		struct node *trees[] = { t0, t1, t2 };
		int sizes[3] = { 0, 0, 0 };
		struct ag_xgb_model *m;
		memset(t0, 0, sizeof(t0));
		memset(t1, 0, sizeof(t1));
		memset(t2, 0, sizeof(t2));
		grow_tree(t0, &sizes[0], 5, &seed, 100, zero_child);
		grow_tree(t1, &sizes[1], 5, &seed, 100, false);
		grow_tree(t2, &sizes[2], 3, &seed, 100, false);
		/* Covers that do not quite add up, as float sums in xgboost. */
		t1[0].cover *= 1.0000003;
		write_model(&b, "binary:logistic", "[3E-1]", 4, trees, sizes, 3, NULL);
		m = parse_ok(&b);
		for (int row = 0; row < 20; row++) {
			float x[4];
			for (int f = 0; f < 4; f++)
				x[f] = rand_r(&seed) % 7 == 0 ? NAN : (float)(rand_r(&seed) % 100) / 10.0f;
			check_against_brute_force(m, x, 1e-12);
		}
		check_rows_equal_one_at_a_time(m, &seed);
		ag_xgb_free(m);
	}
	ag_buf_release(&b);
}

static void test_shap_equals_exact_shapley_values_on_random_trees(void **state)
{
	(void)state;
	random_models(false);
}

static void test_shap_with_a_child_without_cover_equals_exact_shapley_values(void **state)
{
	(void)state;
	random_models(true);
}

/*
 * xgboost compares float32 with float32: 0.1 (double) is not below the
 * threshold 0.1f, because (float)0.1 == 0.1f.  A missing value goes the
 * default_left way.  binary:logistic's base margin is logit(base_score).
 */
static void test_prediction_compares_in_float32_and_follows_default_left(void **state)
{
	struct node t0[] = {
		{ 1, 2, 0, 0, 0.1, 10 }, { -1, -1, 0, 0, -1, 5 }, { -1, -1, 0, 0, 2, 5 },
	};
	struct node *trees[] = { t0 };
	int sizes[] = { 3 };
	struct ag_buf b;
	struct ag_xgb_model *m;
	float x;

	(void)state;
	ag_buf_init(&b);
	write_model(&b, "binary:logistic", "2.5E-1", 1, trees, sizes, 1, NULL);
	m = parse_ok(&b);
	assert_true(fabsf(ag_xgb_base_margin(m) - logf(0.25f / 0.75f)) < 1e-6f);
	x = (float)0.1;
	assert_true(ag_xgb_margin_f32(m, &x) == ag_xgb_base_margin(m) + 2.0f);
	x = 0.099999994f;
	assert_true(ag_xgb_margin_f32(m, &x) == ag_xgb_base_margin(m) - 1.0f);
	x = NAN; /* default_left 0: right */
	assert_true(ag_xgb_margin_f32(m, &x) == ag_xgb_base_margin(m) + 2.0f);
	assert_true(fabsf(ag_xgb_probability(m, 0.0f) - 0.5f) < 1e-7f);
	assert_true(ag_xgb_has_probability(m));
	ag_xgb_free(m);
	ag_buf_release(&b);
}

static void test_loader_refuses_what_it_cannot_explain_naming_the_field(void **state)
{
	struct node t0[] = {
		{ 1, 2, 0, 0, 0.5, 10 }, { -1, -1, 0, 0, -1, 5 }, { -1, -1, 0, 0, 2, 5 },
	};
	struct node *trees[] = { t0 };
	int sizes[] = { 3 };
	struct ag_buf b;

	(void)state;
	ag_buf_init(&b);
	write_model(&b, "multi:softprob", "5E-1", 1, trees, sizes, 1, NULL);
	expect_refused(&b, "learner.objective.name: 'multi:softprob' is not supported");
	write_model(&b, "binary:logistic", "5E-1", 1, trees, sizes, 1, NULL);
	replace(&b, "\"gbtree\"}", "\"dart\"}");
	expect_refused(&b, "learner.gradient_booster.name: dart is not supported");
	replace(&b, "\"dart\"}", "\"gblinear\"}");
	expect_refused(&b, "learner.gradient_booster.name: gblinear");
	write_model(&b, "binary:logistic", "5E-1", 1, trees, sizes, 1, NULL);
	replace(&b, "\"split_type\":[0", "\"split_type\":[1");
	expect_refused(&b, "trees[0].split_type[0]: categorical splits are not supported");
	t0[0].feature = 3;
	write_model(&b, "binary:logistic", "5E-1", 1, trees, sizes, 1, NULL);
	expect_refused(&b, "trees[0].split_indices[0]: feature index beyond num_feature");
	t0[0].feature = 0;
	t0[0].left = 2;
	write_model(&b, "binary:logistic", "5E-1", 1, trees, sizes, 1, NULL);
	expect_refused(&b, "a node reached twice");
	t0[0].left = 1;
	write_model(&b, "binary:logistic", "1E0", 1, trees, sizes, 1, NULL);
	expect_refused(&b, "learner.learner_model_param.base_score: must be a probability");
	write_model(&b, "binary:logistic", "5E-1", 1, trees, sizes, 1, NULL);
	replace(&b, "\"num_class\":\"0\"", "\"num_class\":\"3\"");
	expect_refused(&b, "learner.learner_model_param.num_class: multi-class");
	write_model(&b, "binary:logistic", "5E-1", 1, trees, sizes, 1, NULL);
	replace(&b, "\"num_nodes\":\"3\"", "\"num_nodes\":\"4\"");
	expect_refused(&b, "trees[0].left_children: 3 entries for num_nodes 4 (truncated");
	/* A num_nodes far beyond the arrays is refused before it is allocated
	 * (the fuzzer's 2.4 GB out-of-memory). */
	write_model(&b, "binary:logistic", "5E-1", 1, trees, sizes, 1, NULL);
	replace(&b, "\"num_nodes\":\"3\"", "\"num_nodes\":\"0000000000597425928\"");
	expect_refused(&b, "trees[0].left_children: 3 entries for num_nodes 597425928");
	write_model(&b, "binary:logistic", "5E-1", 1, trees, sizes, 1, NULL);
	b.len /= 2;
	expect_refused(&b, "t.json:1:");
	ag_buf_release(&b);
}

/* ---- against xgboost's own output ---- */

struct reference {
	size_t nrows, ncols; /* ncols: margin, prediction, contributions, bias */
	char ids[1000][16];
	double v[1000][32];
};

static struct reference *read_reference(const char *path)
{
	struct reference *r = calloc(1, sizeof(*r));
	FILE *f = fopen(path, "r");
	char line[8192];

	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *c;
		size_t k = 0;
		if (line[0] == '#' || !strncmp(line, "id,", 3))
			continue;
		c = strchr(p, ',');
		*c = '\0';
		assert_true(strlen(p) < sizeof(r->ids[0]));
		memcpy(r->ids[r->nrows], p, strlen(p) + 1);
		for (p = c + 1; *p && *p != '\n'; k++) {
			size_t len = strcspn(p, ",\n");
			assert_true(ag_parse_double(p, len, &r->v[r->nrows][k]));
			p += len + (p[len] == ',');
		}
		r->ncols = k;
		r->nrows++;
	}
	fclose(f);
	return r;
}

struct compare {
	const struct reference *ref;
	size_t nf, rows;
	double worst_margin, worst_pred, worst_phi, worst_sum;
	const struct ag_xgb_model *m;
};

static int compare_row(void *ctx, const struct ag_explain_row *row, struct ag_err *err)
{
	struct compare *c = ctx;
	const double *want = c->ref->v[row->index];
	double sum = 0;
	float x32[64];

	(void)err;
	assert_true(row->index < c->ref->nrows);
	assert_int_equal(row->id_len, strlen(c->ref->ids[row->index]));
	assert_memory_equal(row->id, c->ref->ids[row->index], row->id_len);
	c->worst_margin = fmax(c->worst_margin, fabs(row->margin - want[0]));
	c->worst_pred = fmax(c->worst_pred, fabs(row->prediction - want[1]));
	for (size_t i = 0; i <= c->nf; i++) {
		c->worst_phi = fmax(c->worst_phi, fabs(row->phi[i] - want[2 + i]));
		sum += row->phi[i];
	}
	for (size_t i = 0; i < c->nf; i++)
		x32[i] = (float)row->x[i];
	c->worst_sum = fmax(c->worst_sum, fabs(sum - ag_xgb_margin(c->m, x32)));
	c->rows++;
	return 0;
}

static void compare_with_xgboost(const char *model, const char *data, const char *id,
				 const char *reference, size_t limit)
{
	struct ag_xgb_model *m;
	struct ag_err err;
	struct ag_explainer e = { NULL, NULL };
	struct ag_explain_options o;
	struct compare c;
	uint64_t n;

	memset(&c, 0, sizeof(c));
	c.ref = read_reference(reference);
	if (ag_xgb_load(&m, model, &err))
		fail_msg("%s", err.msg);
	e.xgb = m;
	c.m = m;
	c.nf = ag_xgb_nfeatures(m);
	assert_int_equal(c.ref->ncols, c.nf + 3);
	ag_explain_options_init(&o);
	o.id_column = id;
	o.threads = 2;
	(void)limit;
	if (ag_explain_file(&e, data, &o, compare_row, &c, &n, &err))
		fail_msg("%s", err.msg);
	fprintf(stderr, "%s: %zu rows; worst |margin| %.3g |prediction| %.3g |phi| %.3g "
			"|sum - margin| %.3g\n", model, c.rows, c.worst_margin, c.worst_pred,
		c.worst_phi, c.worst_sum);
	assert_int_equal(c.rows, c.ref->nrows);
	assert_true(c.worst_margin <= 1e-6);
	assert_true(c.worst_pred <= 1e-6);
	assert_true(c.worst_phi <= 1e-5);
	assert_true(c.worst_sum <= 1e-9);
	ag_xgb_free(m);
	free((void *)c.ref);
}

static void test_small_logistic_model_equals_xgboost(void **state)
{
	(void)state;
	compare_with_xgboost(AIGOV_TEST_DATA "/xgb_small_logistic.json",
			     AIGOV_TEST_DATA "/xgb_small_data.csv", "applicant",
			     AIGOV_TEST_DATA "/xgb_small_logistic_reference.csv", 0);
}

static void test_small_regression_model_equals_xgboost(void **state)
{
	(void)state;
	compare_with_xgboost(AIGOV_TEST_DATA "/xgb_small_squared.json",
			     AIGOV_TEST_DATA "/xgb_small_data.csv", "applicant",
			     AIGOV_TEST_DATA "/xgb_small_squared_reference.csv", 0);
}

/* The first 300 rows of the scored Taiwan file: a copy of those rows is
 * made in a temporary file (the shared data is never copied into the
 * repository). */
static void test_taiwan_model_equals_xgboost(void **state)
{
	char tmp[] = "/tmp/aigov-test-explain-XXXXXX";
	int fd = mkstemp(tmp);
	FILE *in = fopen(SHARED "/taiwan_credit_scored.csv", "r"), *out = fdopen(fd, "w");
	char line[8192];

	(void)state;
	assert_non_null(in);
	for (int i = 0; i < 301 && fgets(line, sizeof(line), in); i++)
		fputs(line, out);
	fclose(in);
	fclose(out);
	compare_with_xgboost(SHARED "/taiwan_credit_xgb.json", tmp, "ID",
			     AIGOV_TEST_DATA "/xgb_taiwan_reference.csv", 300);
	unlink(tmp);
}

/* ---- threads ---- */

struct collect {
	size_t nf, rows;
	double *phi;
};

static int collect_row(void *ctx, const struct ag_explain_row *row, struct ag_err *err)
{
	struct collect *c = ctx;

	(void)err;
	memcpy(c->phi + row->index * (c->nf + 1), row->phi, (c->nf + 1) * sizeof(double));
	c->rows++;
	return 0;
}

static void test_results_are_identical_on_one_and_many_threads(void **state)
{
	struct ag_xgb_model *m;
	struct ag_err err;
	struct ag_explainer e = { NULL, NULL };
	struct ag_explain_options o;
	struct collect one = { 0, 0, NULL }, many = { 0, 0, NULL };

	(void)state;
	if (ag_xgb_load(&m, AIGOV_TEST_DATA "/xgb_small_logistic.json", &err))
		fail_msg("%s", err.msg);
	e.xgb = m;
	one.nf = many.nf = ag_xgb_nfeatures(m);
	one.phi = calloc(400 * (one.nf + 1), sizeof(double));
	many.phi = calloc(400 * (one.nf + 1), sizeof(double));
	ag_explain_options_init(&o);
	assert_int_equal(ag_explain_file(&e, AIGOV_TEST_DATA "/xgb_small_data.csv", &o, collect_row,
					 &one, NULL, &err), 0);
	o.threads = 7;
	assert_int_equal(ag_explain_file(&e, AIGOV_TEST_DATA "/xgb_small_data.csv", &o, collect_row,
					 &many, NULL, &err), 0);
	assert_int_equal(one.rows, 400);
	assert_int_equal(many.rows, 400);
	assert_memory_equal(one.phi, many.phi, 400 * (one.nf + 1) * sizeof(double));
	free(one.phi);
	free(many.phi);
	ag_xgb_free(m);
}

static void test_bad_values_are_refused_with_their_position(void **state)
{
	static const char csv[] = "applicant,income,debt_ratio,late_payments,age,tenure\n"
				  "A1,50000,0.3,0,40,5\n"
				  "A2,50000,NaN,0,40,5\n";
	char path[] = "/tmp/aigov-test-explain-XXXXXX";
	int fd = mkstemp(path);
	struct ag_xgb_model *m;
	struct ag_err err;
	struct ag_explainer e = { NULL, NULL };
	struct ag_explain_options o;
	struct collect c = { 5, 0, NULL };
	char want[600];

	(void)state;
	assert_true(write(fd, csv, sizeof(csv) - 1) == (ssize_t)sizeof(csv) - 1);
	close(fd);
	c.phi = calloc(10 * 6, sizeof(double));
	if (ag_xgb_load(&m, AIGOV_TEST_DATA "/xgb_small_logistic.json", &err))
		fail_msg("%s", err.msg);
	e.xgb = m;
	ag_explain_options_init(&o);
	assert_int_equal(ag_explain_file(&e, path, &o, collect_row, &c, NULL, &err), AG_EPARSE);
	snprintf(want, sizeof(want), "%s:3:10: column 'debt_ratio': a number expected, found 'NaN'",
		 path);
	if (!strstr(err.msg, want))
		fail_msg("'%s' not in '%s'", want, err.msg);
	unlink(path);
	free(c.phi);
	ag_xgb_free(m);
}

/* ---- reason selection, scorecards, reason catalogs ---- */

static void test_top_reasons_push_toward_the_adverse_outcome(void **state)
{
	double phi[] = { 0.5, -1.0, 2.0, 0.5, 0.0, -0.2, 9 /* bias, never chosen */ };
	size_t idx[4];

	(void)state;
	assert_int_equal(ag_explain_top(phi, 6, true, 4, idx), 3);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 0); /* ties: lower index first */
	assert_int_equal(idx[2], 3);
	assert_int_equal(ag_explain_top(phi, 6, false, 1, idx), 1);
	assert_int_equal(idx[0], 1);
	assert_int_equal(ag_explain_top(phi, 6, true, 0, idx), 0);
}

static void test_scorecard_contribution_is_points_below_the_best(void **state)
{
	static const char yaml[] =
		"scorecard:\n"
		"  id: t\n"
		"  base_points: 100\n"
		"  probability: {intercept: 2, slope: -0.01}\n"
		"  characteristics:\n"
		"    - feature: late\n"
		"      missing_points: 5\n"
		"      bins:\n"
		"        - {max: 1, points: 50}\n"
		"        - {min: 1, points: 10}\n"
		"    - feature: edu\n"
		"      bins:\n"
		"        - {values: [\"1\"], points: 30}\n"
		"        - {points: 0}\n";
	struct ag_scorecard *sc;
	struct ag_err err;
	struct ag_str f[2] = { { "3", 1 }, { "1", 1 } };
	double phi[3], x[2], total;
	size_t bad = 9;

	(void)state;
	if (ag_scorecard_parse(&sc, yaml, sizeof(yaml) - 1, "s.yaml", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(ag_scorecard_score(sc, f, phi, x, &total, &bad, &err), 0);
	/* late = 3: 10 points of a best 50 -> -40; edu = "1": best -> 0;
	 * bias = 100 + 50 + 30 = 180; total 140. */
	assert_true(phi[0] == -40 && phi[1] == 0 && phi[2] == 180 && total == 140);
	assert_true(x[0] == 3 && isnan(x[1]));
	assert_true(fabs(ag_scorecard_probability(sc, 140) - 1 / (1 + exp(-(2 - 1.4)))) < 1e-15);
	f[0] = ag_str_make("", 0);
	f[1] = ag_str_make("7", 1);
	assert_int_equal(ag_scorecard_score(sc, f, phi, x, &total, &bad, &err), 0);
	assert_true(phi[0] == -45 && phi[1] == -30 && total == 105);
	f[0] = ag_str_make("x", 1);
	assert_int_equal(ag_scorecard_score(sc, f, phi, x, &total, &bad, &err), AG_EPARSE);
	assert_int_equal(bad, 0);
	assert_non_null(strstr(err.msg, "column 'late': a number expected, found 'x'"));
	ag_scorecard_free(sc);
	{
		static const char bad_bin[] = "scorecard:\n  id: t\n  characteristics:\n"
					      "    - {feature: a, bins: [{min: 2, max: 1, points: 1}]}\n";
		assert_int_equal(ag_scorecard_parse(&sc, bad_bin, sizeof(bad_bin) - 1, "s.yaml", &err),
				 AG_EPARSE);
	}
	if (!strstr(err.msg, "s.yaml:4:27: scorecard.characteristics[0].bins[0]: min must be below max"))
		fail_msg("%s", err.msg);
}

static void test_example_scorecard_and_credit_reasons_load(void **state)
{
	struct ag_scorecard *sc;
	struct ag_reasons *r;
	struct ag_err err;
	const struct ag_reason *pay0;

	(void)state;
	if (ag_scorecard_load(&sc, AIGOV_TEST_DATA "/../../examples/models/scorecard.yaml", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(ag_scorecard_ncharacteristics(sc), 6);
	ag_scorecard_free(sc);
	if (ag_reasons_load(&r, AIGOV_TEST_DATA "/../../catalog/reasons/credit.yaml", &err))
		fail_msg("%s", err.msg);
	pay0 = ag_reasons_find(r, "PAY_0");
	assert_non_null(pay0);
	assert_string_equal(pay0->code, "R01");
	assert_int_equal(pay0->expected, AG_EXPECT_INCREASING);
	assert_null(ag_reasons_find(r, "no_such_feature"));
	ag_reasons_free(r);
	assert_int_equal(ag_reasons_parse(&r, "version: x\nreasons:\n  - {feature: a, code: R1}\n",
					  46, "r.yaml", &err), AG_EPARSE);
	assert_non_null(strstr(err.msg, "r.yaml:3:5: reasons[0].text: missing"));
}

static int run_real_data(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taiwan_model_equals_xgboost),
	};
	if (access(SHARED "/taiwan_credit_xgb.json", R_OK) != 0 ||
	    access(SHARED "/taiwan_credit_scored.csv", R_OK) != 0) {
		fprintf(stderr, "SKIPPED: %s not found: the cross-check with xgboost on the "
				"Taiwan credit model did not run\n", SHARED);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shap_of_a_two_split_tree_matches_hand_derivation),
		cmocka_unit_test(test_shap_equals_exact_shapley_values_on_random_trees),
		cmocka_unit_test(test_shap_with_a_child_without_cover_equals_exact_shapley_values),
		cmocka_unit_test(test_prediction_compares_in_float32_and_follows_default_left),
		cmocka_unit_test(test_loader_refuses_what_it_cannot_explain_naming_the_field),
		cmocka_unit_test(test_small_logistic_model_equals_xgboost),
		cmocka_unit_test(test_small_regression_model_equals_xgboost),
		cmocka_unit_test(test_results_are_identical_on_one_and_many_threads),
		cmocka_unit_test(test_bad_values_are_refused_with_their_position),
		cmocka_unit_test(test_top_reasons_push_toward_the_adverse_outcome),
		cmocka_unit_test(test_scorecard_contribution_is_points_below_the_best),
		cmocka_unit_test(test_example_scorecard_and_credit_reasons_load),
	};

	if (argc > 1 && strcmp(argv[1], "--real-data") == 0)
		return run_real_data();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
