/* Explaining a data file row by row (explain.h). */
#include "aigov/explain.h"

#include "aigov/csv.h"
#include "aigov/num.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 256

size_t ag_explainer_nfeatures(const struct ag_explainer *e)
{
	return e->xgb ? ag_xgb_nfeatures(e->xgb) : ag_scorecard_ncharacteristics(e->scorecard);
}

const char *ag_explainer_feature_name(const struct ag_explainer *e, size_t i)
{
	return e->xgb ? ag_xgb_feature_name(e->xgb, i) : ag_scorecard_feature(e->scorecard, i);
}

void ag_explain_options_init(struct ag_explain_options *o)
{
	memset(o, 0, sizeof(*o));
	o->threads = 1;
}

/* ------------------------------------------------------- one batch */

struct batch_work {
	const struct ag_explainer *e;
	size_t nf, nrows;
	const float *x32;   /* nrows x nf, XGBoost */
	double *phi;        /* nrows x (nf + 1) */
	double *margin, *pred;
};

struct share {
	struct batch_work *w;
	size_t from, to;
	void *scratch;
};

static void *explain_share(void *arg)
{
	struct share *s = arg;
	struct batch_work *w = s->w;
	const struct ag_xgb_model *m = w->e->xgb;

	ag_xgb_shap_rows(m, w->x32 + s->from * w->nf, s->to - s->from,
			 w->phi + s->from * (w->nf + 1), s->scratch);
	for (size_t r = s->from; r < s->to; r++) {
		float margin = ag_xgb_margin_f32(m, w->x32 + r * w->nf);
		w->margin[r] = margin;
		w->pred[r] = ag_xgb_probability(m, margin);
	}
	return NULL;
}

/* TreeSHAP of a batch's rows on `threads` threads (the caller's among them). */
static int explain_rows(struct batch_work *w, struct share *shares, unsigned threads,
			struct ag_err *err)
{
	pthread_t tid[MAX_THREADS];
	unsigned started = 0;
	size_t per;

	if (threads > w->nrows)
		threads = w->nrows ? (unsigned)w->nrows : 1;
	per = (w->nrows + threads - 1) / threads;
	for (unsigned t = 0; t < threads; t++) {
		shares[t].w = w;
		shares[t].from = t * per < w->nrows ? t * per : w->nrows;
		shares[t].to = (t + 1) * per < w->nrows ? (t + 1) * per : w->nrows;
	}
	for (unsigned t = 1; t < threads; t++) {
		if (pthread_create(&tid[t], NULL, explain_share, &shares[t]) != 0)
			break;
		started = t;
	}
	/* Shares whose thread did not start are done here. */
	explain_share(&shares[0]);
	for (unsigned t = started + 1; t < threads; t++)
		explain_share(&shares[t]);
	for (unsigned t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	(void)err;
	return 0;
}

/* ------------------------------------------------------- the file */

struct file_state {
	const struct ag_explainer *e;
	const struct ag_explain_options *o;
	struct ag_csv_reader *r;
	size_t nf;
	long *col;     /* CSV column of each feature */
	long id_col;
	unsigned threads;
	struct share *shares;
	/* per-batch buffers, grown to the largest batch */
	size_t cap;
	float *x32;
	double *x64, *phi, *margin, *pred;
	struct ag_str *fields;
};

static int map_columns(struct file_state *st, struct ag_err *err)
{
	struct ag_csv_reader *r = st->r;
	size_t ncols = ag_csv_ncols(r);

	st->id_col = -1;
	if (st->o->id_column) {
		st->id_col = ag_csv_column_index(r, st->o->id_column);
		if (st->id_col < 0)
			return ag_err_set(err, AG_EPARSE, "%s: no column '%s' (the --id-column)",
					  ag_csv_name(r), st->o->id_column);
	}
	st->col = calloc(st->nf ? st->nf : 1, sizeof(*st->col));
	if (!st->col)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (st->e->xgb && !ag_xgb_feature_name(st->e->xgb, 0)) {
		/* A model without names: the CSV's columns in order. */
		const char **names = calloc(ncols ? ncols : 1, sizeof(*names));
		size_t n = 0;
		int rc;
		if (!names)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		for (size_t c = 0; c < ncols; c++) {
			if ((long)c == st->id_col)
				continue;
			if (n < st->nf)
				st->col[n] = (long)c;
			names[n++] = ag_csv_column_name(r, c);
		}
		if (n != st->nf) {
			free(names);
			return ag_err_set(err, AG_EPARSE,
					  "%s: feature count mismatch: the model (without feature names) "
					  "has %zu features, the file %zu columns%s",
					  ag_csv_name(r), st->nf, n,
					  st->id_col >= 0 ? " besides the id column" : "");
		}
		rc = ag_xgb_set_feature_names(st->e->xgb, names, n, err);
		free(names);
		return rc;
	}
	for (size_t i = 0; i < st->nf; i++) {
		const char *name = ag_explainer_feature_name(st->e, i);
		st->col[i] = ag_csv_column_index(r, name);
		if (st->col[i] < 0)
			return ag_err_set(err, AG_EPARSE,
					  "%s: no column '%s' (model feature %zu of %zu): unknown "
					  "feature for this file", ag_csv_name(r), name, i + 1, st->nf);
	}
	return 0;
}

static int grow(struct file_state *st, size_t rows, struct ag_err *err)
{
	size_t nf = st->nf, cap = rows;

	if (rows <= st->cap)
		return 0;
	if (nf + 1 > SIZE_MAX / sizeof(double) / cap)
		return ag_err_set(err, AG_ERANGE, "batch too large");
	free(st->x32);
	free(st->x64);
	free(st->phi);
	free(st->margin);
	free(st->pred);
	st->x32 = malloc(cap * nf * sizeof(float) + 1);
	st->x64 = malloc(cap * nf * sizeof(double) + 1);
	st->phi = malloc(cap * (nf + 1) * sizeof(double));
	st->margin = malloc(cap * sizeof(double));
	st->pred = malloc(cap * sizeof(double));
	st->cap = cap;
	if (!st->x32 || !st->x64 || !st->phi || !st->margin || !st->pred) {
		st->cap = 0;
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	return 0;
}

static int bad_value(struct file_state *st, const struct ag_csv_batch *b, size_t row, long col,
		     const char *what, struct ag_err *err)
{
	uint64_t line, column;
	struct ag_str s = ag_csv_get(b, row, (size_t)col);
	int shown = s.len > 40 ? 40 : (int)s.len;

	ag_csv_position(b, row, (size_t)col, &line, &column);
	return ag_err_at(err, AG_EPARSE, ag_csv_name(st->r), (size_t)line, (size_t)column,
			 "column '%s': %s, found '%.*s%s' (write a missing value as an empty "
			 "field)", ag_csv_column_name(st->r, (size_t)col), what, shown, s.ptr,
			 s.len > 40 ? "..." : "");
}

/* The batch's features as float32 (what xgboost sees) and double. */
static int parse_xgb(struct file_state *st, const struct ag_csv_batch *b, struct ag_err *err)
{
	for (size_t row = 0; row < b->nrows; row++) {
		float *x32 = st->x32 + row * st->nf;
		double *x64 = st->x64 + row * st->nf;
		for (size_t i = 0; i < st->nf; i++) {
			struct ag_str s = ag_csv_get(b, row, (size_t)st->col[i]);
			double v;
			if (s.len == 0) {
				x32[i] = NAN;
				x64[i] = NAN;
				continue;
			}
			if (!ag_parse_double(s.ptr, s.len, &v))
				return bad_value(st, b, row, st->col[i], "a number expected", err);
			x32[i] = (float)v;
			if (!isfinite(x32[i]))
				return bad_value(st, b, row, st->col[i],
						 "a finite number within float range expected", err);
			x64[i] = v;
		}
	}
	return 0;
}

static int score_rows(struct file_state *st, const struct ag_csv_batch *b, struct ag_err *err)
{
	const struct ag_scorecard *sc = st->e->scorecard;

	for (size_t row = 0; row < b->nrows; row++) {
		size_t bad = 0;
		int rc;
		for (size_t i = 0; i < st->nf; i++)
			st->fields[i] = ag_csv_get(b, row, (size_t)st->col[i]);
		rc = ag_scorecard_score(sc, st->fields, st->phi + row * (st->nf + 1),
					st->x64 + row * st->nf, &st->margin[row], &bad, err);
		if (rc) {
			uint64_t line, column;
			char msg[AG_ERR_MSG_MAX];
			ag_csv_position(b, row, (size_t)st->col[bad], &line, &column);
			snprintf(msg, sizeof(msg), "%s", err->msg);
			return ag_err_at(err, rc, ag_csv_name(st->r), (size_t)line, (size_t)column,
					 "%s", msg);
		}
		st->pred[row] = ag_scorecard_has_probability(sc)
					? ag_scorecard_probability(sc, st->margin[row])
					: st->margin[row];
	}
	return 0;
}

static int deliver(struct file_state *st, const struct ag_csv_batch *b, uint64_t first,
		   ag_explain_sink sink, void *ctx, struct ag_err *err)
{
	bool prob = st->e->xgb ? ag_xgb_has_probability(st->e->xgb)
			       : ag_scorecard_has_probability(st->e->scorecard);

	for (size_t row = 0; row < b->nrows; row++) {
		struct ag_explain_row out;
		int rc;
		out.index = first + row;
		out.line = b->row_line[row];
		out.id = NULL;
		out.id_len = 0;
		if (st->id_col >= 0) {
			struct ag_str id = ag_csv_get(b, row, (size_t)st->id_col);
			out.id = id.ptr;
			out.id_len = id.len;
		}
		out.x = st->x64 + row * st->nf;
		out.margin = st->margin[row];
		out.prediction = st->pred[row];
		out.has_probability = prob;
		out.phi = st->phi + row * (st->nf + 1);
		rc = sink(ctx, &out, err);
		if (rc)
			return rc;
	}
	return 0;
}

static void release(struct file_state *st)
{
	if (st->shares)
		for (unsigned t = 0; t < st->threads; t++)
			free(st->shares[t].scratch);
	free(st->shares);
	free(st->col);
	free(st->x32);
	free(st->x64);
	free(st->phi);
	free(st->margin);
	free(st->pred);
	free(st->fields);
	ag_csv_free(st->r);
}

static int setup(struct file_state *st, struct ag_err *err)
{
	st->threads = st->o->threads ? st->o->threads : 1;
	if (st->threads > MAX_THREADS)
		st->threads = MAX_THREADS;
	st->shares = calloc(st->threads, sizeof(*st->shares));
	st->fields = calloc(st->nf + 1, sizeof(*st->fields));
	if (!st->shares || !st->fields)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	for (unsigned t = 0; st->e->xgb && t < st->threads; t++) {
		st->shares[t].scratch = malloc(ag_xgb_shap_scratch_size(st->e->xgb));
		if (!st->shares[t].scratch)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	return 0;
}

int ag_explain_file(const struct ag_explainer *e, const char *path,
		    const struct ag_explain_options *o, ag_explain_sink sink, void *ctx,
		    uint64_t *nrows, struct ag_err *err)
{
	/* Only an empty field is missing: "NaN" and friends are refused. */
	static const char *const na[] = { "", NULL };
	struct file_state st;
	struct ag_csv_options copt;
	struct ag_csv_batch b;
	uint64_t done = 0;
	int rc;

	memset(&st, 0, sizeof(st));
	st.e = e;
	st.o = o;
	st.nf = ag_explainer_nfeatures(e);
	if (nrows)
		*nrows = 0;
	ag_csv_options_init(&copt);
	copt.na_values = na;
	rc = ag_csv_open(&st.r, path, &copt, err);
	if (!rc)
		rc = map_columns(&st, err);
	if (!rc)
		rc = setup(&st, err);
	while (!rc && (rc = ag_csv_next_batch(st.r, &b, err)) == 1) {
		rc = grow(&st, b.nrows, err);
		if (!rc && e->xgb) {
			struct batch_work w = { e, st.nf, b.nrows, st.x32, st.phi, st.margin, st.pred };
			rc = parse_xgb(&st, &b, err);
			if (!rc)
				rc = explain_rows(&w, st.shares, st.threads, err);
		} else if (!rc) {
			rc = score_rows(&st, &b, err);
		}
		if (!rc)
			rc = deliver(&st, &b, done, sink, ctx, err);
		done += b.nrows;
	}
	if (rc > 0)
		rc = 0;
	if (!rc && nrows)
		*nrows = done;
	release(&st);
	return rc;
}

/* ------------------------------------------------------- top k */

size_t ag_explain_top(const double *phi, size_t nf, bool adverse_high, size_t k, size_t *out)
{
	size_t n = 0;

	/* Insertion into a short sorted list: k is small (4 by default). */
	for (size_t i = 0; i < nf && k; i++) {
		double v = adverse_high ? phi[i] : -phi[i];
		size_t at;
		if (!(v > 0))
			continue;
		if (n == k && !(v > (adverse_high ? phi[out[n - 1]] : -phi[out[n - 1]])))
			continue;
		at = n < k ? n++ : n - 1;
		while (at > 0 && v > (adverse_high ? phi[out[at - 1]] : -phi[out[at - 1]])) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = i;
	}
	return n;
}

/* ------------------------------------------------------- global */

struct ag_explain_global {
	size_t nf;
	uint64_t rows;
	double bias_sum;
	/* per feature: sum |phi|, sum phi, and over present values: n, x, x^2,
	 * phi, phi^2, x phi (Welford-style centring is not needed for the
	 * magnitudes here, but the sums are shifted by the first value seen to
	 * keep cancellation small). */
	double *abs_sum, *sum;
	uint64_t *n;
	double *x0, *sx, *sxx, *sp, *spp, *sxp;
};

struct ag_explain_global *ag_explain_global_new(size_t nf)
{
	struct ag_explain_global *g = calloc(1, sizeof(*g));
	size_t n = nf ? nf : 1;

	if (!g)
		return NULL;
	g->nf = nf;
	g->abs_sum = calloc(n, sizeof(double));
	g->sum = calloc(n, sizeof(double));
	g->n = calloc(n, sizeof(uint64_t));
	g->x0 = calloc(n, sizeof(double));
	g->sx = calloc(n, sizeof(double));
	g->sxx = calloc(n, sizeof(double));
	g->sp = calloc(n, sizeof(double));
	g->spp = calloc(n, sizeof(double));
	g->sxp = calloc(n, sizeof(double));
	if (!g->abs_sum || !g->sum || !g->n || !g->x0 || !g->sx || !g->sxx || !g->sp || !g->spp ||
	    !g->sxp) {
		ag_explain_global_free(g);
		return NULL;
	}
	return g;
}

void ag_explain_global_free(struct ag_explain_global *g)
{
	if (!g)
		return;
	free(g->abs_sum);
	free(g->sum);
	free(g->n);
	free(g->x0);
	free(g->sx);
	free(g->sxx);
	free(g->sp);
	free(g->spp);
	free(g->sxp);
	free(g);
}

void ag_explain_global_add(struct ag_explain_global *g, const double *x, const double *phi)
{
	g->rows++;
	g->bias_sum += phi[g->nf];
	for (size_t i = 0; i < g->nf; i++) {
		double p = phi[i], v;
		g->abs_sum[i] += fabs(p);
		g->sum[i] += p;
		if (isnan(x[i]))
			continue;
		if (g->n[i] == 0)
			g->x0[i] = x[i];
		v = x[i] - g->x0[i];
		g->n[i]++;
		g->sx[i] += v;
		g->sxx[i] += v * v;
		g->sp[i] += p;
		g->spp[i] += p * p;
		g->sxp[i] += v * p;
	}
}

static int by_mean_abs(const void *a, const void *b)
{
	const struct ag_explain_feature_summary *x = a, *y = b;

	if (x->mean_abs != y->mean_abs)
		return x->mean_abs > y->mean_abs ? -1 : 1;
	return x->feature < y->feature ? -1 : x->feature > y->feature;
}

void ag_explain_global_finish(const struct ag_explain_global *g,
			      struct ag_explain_feature_summary *out, uint64_t *rows,
			      double *mean_bias)
{
	double nrows = (double)g->rows;

	for (size_t i = 0; i < g->nf; i++) {
		double n = (double)g->n[i];
		out[i].feature = i;
		out[i].mean_abs = g->rows ? g->abs_sum[i] / nrows : NAN;
		out[i].mean = g->rows ? g->sum[i] / nrows : NAN;
		out[i].present = g->n[i];
		out[i].correlation = NAN;
		if (g->n[i] > 1) {
			double cxx = g->sxx[i] - g->sx[i] * g->sx[i] / n;
			double cpp = g->spp[i] - g->sp[i] * g->sp[i] / n;
			double cxp = g->sxp[i] - g->sx[i] * g->sp[i] / n;
			if (cxx > 0 && cpp > 1e-300) {
				double r = cxp / sqrt(cxx * cpp);
				out[i].correlation = r > 1 ? 1 : r < -1 ? -1 : r;
			}
		}
	}
	qsort(out, g->nf, sizeof(*out), by_mean_abs);
	*rows = g->rows;
	*mean_bias = g->rows ? g->bias_sum / nrows : NAN;
}
