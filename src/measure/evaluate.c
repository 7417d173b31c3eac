/*
 * aigov evaluate's engine (evaluate.h): the CSV reader feeding the
 * performance, fairness and drift accumulators, one batch at a time.
 */
#include "aigov/evaluate.h"

#include "aigov/num.h"
#include "aigov/thread.h"

#include <math.h>
#include <pthread.h>
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

/* ---- what the readers share ---------------------------------------- */

/* A drift feature: its columns in each file and its type. */
struct feat {
	const char *name;   /* owned */
	long col_ref, col_cur;
	bool numeric;
};

/* A protected attribute cut into bands (--bins): edges and labels. */
struct band {
	const double *edges; /* NULL: the attribute's values are the groups */
	size_t nedges;
	char **labels;       /* nedges + 1, owned */
};

/*
 * The columns and types every reader uses, fixed before the readers run
 * (typed is set then; only a lone streaming reader types the reference's
 * features from its own first batch).
 */
struct layout {
	const struct ag_eval_options *o;
	long label, score, pred;
	long prot[AG_EVAL_MAX_PROTECTED];
	struct band bands[AG_EVAL_MAX_PROTECTED];
	struct feat *fs;     /* nfs features, then the score (fs[nfs]) */
	size_t nfs;
	bool drift, typed;
};

/* One reader's accumulators: side 0 reads the reference, side 1 the data. */
struct part {
	struct layout *lay;
	int side;
	struct ag_perf perf;
	bool has_perf;
	struct ag_fairness *fair;
	struct ag_drift_num *num; /* nfs + 1 */
	struct ag_drift_cat *cat;
	uint64_t rows;
	double *vals;             /* one column's values of a batch */
	size_t vals_cap;          /* its rows */
	/* for a thread */
	const char *path;
	const struct ag_csv_options *csv;
	struct ag_csv_part range;
	int rc;
	struct ag_err err;
};

static int field_error(struct ag_csv_reader *r, const struct ag_csv_batch *b, size_t row,
		       size_t col, const char *what, struct ag_err *err)
{
	uint64_t line, c;

	ag_csv_position(b, row, col, &line, &c);
	return ag_err_at(err, AG_EPARSE, ag_csv_name(r), line, c, "%s: %s",
			 ag_csv_column_name(r, col), what);
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

static bool is_label_col(const struct ag_eval_options *o, const char *name)
{
	if (!strcmp(name, o->label) || !strcmp(name, o->score) || (o->pred && !strcmp(name, o->pred)))
		return true;
	for (size_t i = 0; i < o->nprotected; i++)
		if (!strcmp(name, o->protected_attrs[i]))
			return true;
	return false;
}

/* The reference's columns: the features (named or all others), the score. */
static int reference_columns(struct layout *lay, struct ag_csv_reader *r, struct ag_err *err)
{
	const struct ag_eval_options *o = lay->o;
	size_t n = 0;
	int rc = 0;

	if (!o->all_features) {
		for (; !rc && n < o->nfeatures; n++) {
			lay->fs[n].name = o->features[n];
			rc = column(r, o->features[n], "feature", &lay->fs[n].col_ref, err);
		}
	} else {
		for (size_t c = 0; c < ag_csv_ncols(r) && n < AG_EVAL_MAX_FEATURES; c++)
			if (!is_label_col(o, ag_csv_column_name(r, c))) {
				lay->fs[n].name = ag_csv_column_name(r, c);
				lay->fs[n++].col_ref = (long)c;
			}
	}
	lay->nfs = n;
	/* Names point into the reader (or the options): copy them. */
	for (size_t i = 0; i < n; i++)
		if (lay->fs[i].name && !(lay->fs[i].name = strdup(lay->fs[i].name)))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (rc)
		return rc;
	lay->fs[n].name = strdup(o->score);
	lay->fs[n].numeric = true;
	lay->fs[n].col_ref = ag_csv_column_index(r, o->score); /* -1: no score drift */
	return lay->fs[n].name ? 0 : ag_err_set(err, AG_ENOMEM, "out of memory");
}

static int current_columns(struct layout *lay, struct ag_csv_reader *r, struct ag_err *err)
{
	const struct ag_eval_options *o = lay->o;
	int rc;

	lay->pred = -1;
	if (!(rc = column(r, o->label, "label", &lay->label, err)))
		rc = column(r, o->score, "score", &lay->score, err);
	if (!rc && o->pred)
		rc = column(r, o->pred, "prediction", &lay->pred, err);
	for (size_t i = 0; !rc && i < o->nprotected; i++)
		rc = column(r, o->protected_attrs[i], "protected attribute", &lay->prot[i], err);
	for (size_t i = 0; !rc && lay->drift && i < lay->nfs; i++)
		rc = column(r, lay->fs[i].name, "feature", &lay->fs[i].col_cur, err);
	lay->fs[lay->nfs].col_cur = lay->score;
	return rc;
}

/* A feature is numeric when every non-missing value of the reference's
 * first batch is a number. */
static void type_features(struct layout *lay, struct ag_csv_reader *r, const struct ag_csv_batch *b)
{
	for (size_t i = 0; i < lay->nfs; i++) {
		struct feat *f = &lay->fs[i];
		f->numeric = true;
		for (size_t row = 0; row < b->nrows && f->numeric; row++) {
			struct ag_str v = ag_csv_get(b, row, (size_t)f->col_ref);
			double d;
			if (!ag_csv_is_missing(r, v))
				f->numeric = ag_parse_double(v.ptr, v.len, &d);
		}
	}
	lay->typed = true;
}

/* ---- bands (--bins) ------------------------------------------------- */

static char *band_label(const double *e, size_t n, size_t k)
{
	char buf[96];

	if (k == 0)
		snprintf(buf, sizeof(buf), "<%.15g", e[0]);
	else if (k == n)
		snprintf(buf, sizeof(buf), ">=%.15g", e[n - 1]);
	else
		snprintf(buf, sizeof(buf), "[%.15g, %.15g)", e[k - 1], e[k]);
	return strdup(buf);
}

static int bands_init(struct layout *lay, struct ag_err *err)
{
	const struct ag_eval_options *o = lay->o;

	for (size_t b = 0; b < o->nbins; b++) {
		const struct ag_eval_bins *bi = &o->bins[b];
		size_t a = 0;

		while (a < o->nprotected && strcmp(o->protected_attrs[a], bi->column))
			a++;
		if (a == o->nprotected)
			return ag_err_set(err, AG_EINVAL, "evaluate: --bins %s: not a protected attribute",
					  bi->column);
		if (!bi->nedges)
			return ag_err_set(err, AG_EINVAL, "evaluate: --bins %s: no edges", bi->column);
		for (size_t k = 0; k < bi->nedges; k++)
			if (!isfinite(bi->edges[k]) || (k && !(bi->edges[k] > bi->edges[k - 1])))
				return ag_err_set(err, AG_EINVAL, "evaluate: --bins %s: the edges must be "
						  "finite and increasing", bi->column);
		struct band *bd = &lay->bands[a];
		bd->edges = bi->edges;
		bd->nedges = bi->nedges;
		bd->labels = calloc(bi->nedges + 1, sizeof(*bd->labels));
		if (!bd->labels)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		for (size_t k = 0; k <= bi->nedges; k++)
			if (!(bd->labels[k] = band_label(bi->edges, bi->nedges, k)))
				return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	return 0;
}

/* The group of protected attribute a in this row. */
static int group_value(const struct layout *lay, size_t a, struct ag_csv_reader *r,
		       const struct ag_csv_batch *b, size_t row, struct ag_fairness_value *out,
		       struct ag_err *err)
{
	const struct band *bd = &lay->bands[a];
	struct ag_str v = ag_csv_get(b, row, (size_t)lay->prot[a]);
	double d;
	size_t k = 0;
	int rc;

	if (ag_csv_is_missing(r, v))
		v = ag_str_cstr("(missing)");
	else if (bd->edges) {
		rc = ag_csv_get_double(r, b, row, (size_t)lay->prot[a], &d, err);
		if (rc)
			return rc;
		while (k < bd->nedges && d >= bd->edges[k])
			k++;
		v = ag_str_cstr(bd->labels[k]);
	}
	out->p = v.ptr;
	out->len = v.len;
	return 0;
}

/* ---- one reader's work ---------------------------------------------- */

static int part_init(struct part *p, struct layout *lay, int side, struct ag_err *err)
{
	const struct ag_eval_options *o = lay->o;
	size_t n = lay->drift ? lay->nfs + 1 : 0;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->lay = lay;
	p->side = side;
	if (n && (!(p->num = calloc(n, sizeof(*p->num))) || !(p->cat = calloc(n, sizeof(*p->cat)))))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		ag_drift_num_init(&p->num[i]);
		ag_drift_cat_init(&p->cat[i]);
	}
	if (side == 0)
		return 0;
	if ((rc = ag_perf_init(&p->perf, o->threshold, err)))
		return rc;
	p->has_perf = true;
	if (o->nprotected) {
		struct ag_fairness_options fo;
		ag_fairness_options_init(&fo);
		fo.nattrs = o->nprotected;
		fo.attr_names = o->protected_attrs;
		fo.intersections = o->intersections;
		fo.replicates = o->replicates;
		fo.seed = o->seed;
		rc = ag_fairness_new(&fo, &p->fair, err);
	}
	return rc;
}

static void part_release(struct part *p)
{
	size_t n = p->lay && p->lay->drift ? p->lay->nfs + 1 : 0;

	for (size_t i = 0; p->num && i < n; i++)
		ag_drift_num_release(&p->num[i]);
	for (size_t i = 0; p->cat && i < n; i++)
		ag_drift_cat_release(&p->cat[i]);
	free(p->num);
	free(p->cat);
	free(p->vals);
	if (p->has_perf)
		ag_perf_release(&p->perf);
	ag_fairness_free(p->fair);
	memset(p, 0, sizeof(*p));
}

/* Add o to p, releasing each of o's accumulators once added (so that the
 * merged total and one part's copy are never both whole in memory). */
static int part_merge(struct part *p, struct part *o, struct ag_err *err)
{
	int rc = 0;

	for (size_t i = 0; !rc && p->lay->drift && i <= p->lay->nfs; i++) {
		if (p->lay->fs[i].numeric)
			rc = ag_drift_num_merge(&p->num[i], &o->num[i], err);
		else
			rc = ag_drift_cat_merge(&p->cat[i], &o->cat[i], err);
		ag_drift_num_release(&o->num[i]);
		ag_drift_cat_release(&o->cat[i]);
		ag_drift_num_init(&o->num[i]);
		ag_drift_cat_init(&o->cat[i]);
	}
	if (!rc && p->has_perf)
		rc = ag_perf_merge(&p->perf, &o->perf, err);
	if (!rc && p->fair)
		rc = ag_fairness_merge(p->fair, o->fair, err);
	p->rows += o->rows;
	return rc;
}

/* Room for about `rows` rows (10 % more): each value array is allocated
 * once instead of growing, which on Linux means fewer mremap calls that
 * would stall the other threads' page faults. */
static int part_reserve(struct part *p, double rows, struct ag_err *err)
{
	size_t n = rows * 1.1 < 1e12 ? (size_t)(rows * 1.1) + 16 : 0;
	int rc = 0;

	if (p->has_perf)
		rc = ag_perf_reserve(&p->perf, n, err);
	for (size_t i = 0; !rc && p->lay->drift && i < p->lay->nfs + !p->side; i++)
		if (p->lay->fs[i].numeric && (p->side ? p->lay->fs[i].col_cur : p->lay->fs[i].col_ref) >= 0)
			rc = ag_drift_num_reserve(&p->num[i], n, err);
	return rc;
}

/* Feature i's column of rows [0, *limit) (*limit: the row of an error,
 * when there is one).  A numeric column is parsed into vals first (NaN for
 * missing), so that adding can prefetch (ag_drift_num_add_many). */
static int feat_column(struct part *p, size_t i, struct ag_csv_reader *r,
		       const struct ag_csv_batch *b, long col, double *vals, size_t *limit,
		       struct ag_err *err)
{
	size_t row;
	int rc = 0, e;

	if (!p->lay->fs[i].numeric) {
		for (row = 0; row < *limit; row++) {
			struct ag_str v = ag_csv_get(b, row, (size_t)col);
			rc = ag_csv_is_missing(r, v) ? ag_drift_cat_add_missing(&p->cat[i], 1, err)
						     : ag_drift_cat_add(&p->cat[i], v.ptr, v.len, 1, err);
			if (rc) {
				*limit = row;
				break;
			}
		}
		return rc;
	}
	/* NaN is a missing field: the parser makes no NaN of a number */
	row = ag_csv_get_doubles(r, b, (size_t)col, *limit, vals, err);
	if (row < *limit)
		rc = AG_EPARSE;
	for (size_t k = 0; k < row; k++)
		if (isinf(vals[k])) { /* an earlier row's error than the parse's */
			rc = field_error(r, b, k, (size_t)col, "not a finite number", err);
			row = k;
			break;
		}
	if (rc)
		*limit = row;
	if ((e = ag_drift_num_add_many(&p->num[i], vals, row, err)))
		rc = e;
	return rc;
}

/* The label, score, decision and groups of one row of the data. */
static int scored_row(struct part *p, struct ag_csv_reader *r, const struct ag_csv_batch *b,
		      size_t row, struct ag_err *err)
{
	const struct layout *lay = p->lay;
	const struct ag_eval_options *o = lay->o;
	struct ag_str lv = ag_csv_get(b, row, (size_t)lay->label);
	struct ag_fairness_value vals[AG_EVAL_MAX_PROTECTED];
	int label, decision = AG_PERF_NO_DECISION;
	double score;
	uint64_t line, c;
	int rc;

	if (ag_csv_is_missing(r, lv))
		return field_error(r, b, row, (size_t)lay->label, "the label is missing", err);
	label = ag_str_eq_cstr(lv, o->positive);
	rc = ag_csv_get_double(r, b, row, (size_t)lay->score, &score, err);
	if (rc == 1)
		return field_error(r, b, row, (size_t)lay->score, "the score is missing", err);
	if (rc < 0)
		return rc;
	if (!(score >= 0 && score <= 1))
		return field_error(r, b, row, (size_t)lay->score, "the score is not in [0, 1]", err);
	if (lay->pred >= 0) {
		struct ag_str pv = ag_csv_get(b, row, (size_t)lay->pred);
		if (ag_csv_is_missing(r, pv))
			return field_error(r, b, row, (size_t)lay->pred, "the prediction is missing", err);
		decision = ag_str_eq_cstr(pv, o->positive);
	}
	ag_csv_position(b, row, (size_t)lay->score, &line, &c);
	rc = ag_perf_add(&p->perf, label, score, decision, line, err);
	if (rc || !p->fair)
		return rc;
	for (size_t i = 0; i < o->nprotected; i++)
		if ((rc = group_value(lay, i, r, b, row, &vals[i], err)))
			return rc;
	return ag_fairness_add(p->fair, 0, label,
			       decision != AG_PERF_NO_DECISION ? decision : score >= o->threshold,
			       vals, err);
}

/*
 * One batch, a column at a time: the scored columns of every row, then each
 * feature's column, then the score's drift.  Errors come out as row by
 * row: a column stops at the first row with an error and every later
 * column stops before it, so the error kept is the one of the first row,
 * and within that row of the first column.
 */
static int part_batch(struct part *p, struct ag_csv_reader *r, const struct ag_csv_batch *b,
		      struct ag_err *err)
{
	const struct layout *lay = p->lay;
	size_t limit = b->nrows;
	int rc = 0, e;

	if (b->nrows > p->vals_cap) {
		free(p->vals);
		p->vals = malloc(b->nrows * sizeof(double));
		p->vals_cap = p->vals ? b->nrows : 0;
		if (!p->vals_cap)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	for (size_t row = 0; p->side && row < limit; row++)
		if ((e = scored_row(p, r, b, row, err))) {
			rc = e;
			limit = row;
		}
	/* The reference's score is a feature.  The data's is in the
	 * performance's keys, which finish sorts: the score's drift takes its
	 * values from there (finish_perf). */
	for (size_t i = 0; lay->drift && i < lay->nfs + !p->side; i++) {
		long col = p->side ? lay->fs[i].col_cur : lay->fs[i].col_ref;
		if (col >= 0 && (e = feat_column(p, i, r, b, col, p->vals, &limit, err)))
			rc = e;
	}
	return rc;
}

static int part_read(struct part *p, struct ag_csv_reader *r, struct ag_err *err)
{
	struct layout *lay = p->lay;
	struct ag_csv_batch b;
	int rc;

	while ((rc = ag_csv_next_batch(r, &b, err)) == 1) {
		if (!lay->typed)
			type_features(lay, r, &b);
		if ((rc = part_batch(p, r, &b, err)))
			return rc;
		p->rows += b.nrows;
	}
	return rc;
}

static void *part_thread(void *arg)
{
	struct part *p = arg;
	struct ag_csv_reader *r;

	p->rc = ag_csv_open_part(&r, p->path, &p->range, p->csv, &p->err);
	if (!p->rc) {
		p->rc = part_read(p, r, &p->err);
		ag_csv_free(r);
	}
	return NULL;
}

/* ---- reading a file ------------------------------------------------- */

static int columns(struct layout *lay, int side, struct ag_csv_reader *r, struct ag_err *err)
{
	return side ? current_columns(lay, r, err) : reference_columns(lay, r, err);
}

/* Parts 1.. on their own threads, part 0 here; the earliest error wins (it
 * is the one a single reader would have met first).  Then all into acc. */
static int read_parts(struct part *parts, size_t n, struct part *acc, struct ag_err *err)
{
	int rc = 0;

	ag_run_parallel(part_thread, parts, sizeof(parts[0]), n);
	for (size_t i = 0; i < n && !rc; i++)
		if (parts[i].rc) {
			rc = parts[i].rc;
			*err = parts[i].err;
		}
	if (rc)
		return rc;
	/* acc is still empty: it takes part 0's accumulators as they are
	 * (no copy of the largest arrays), then the others are added. */
	part_release(acc);
	*acc = parts[0];
	memset(&parts[0], 0, sizeof(parts[0]));
	for (size_t i = 1; i < n && !rc; i++)
		rc = part_merge(acc, &parts[i], err);
	return rc;
}

/* A regular file read by up to `threads` readers in parallel. */
static int read_split(const char *path, const struct ag_csv_options *csv, struct layout *lay,
		      int side, unsigned threads, struct part *acc, uint64_t *bytes,
		      struct ag_err *err)
{
	struct ag_csv_reader *h;
	struct ag_csv_options po = *csv;
	struct ag_csv_part ranges[AG_CSV_MAX_PARTS];
	struct part *parts = NULL;
	const char **names = NULL;
	uint64_t from, line, total = 0;
	double row_bytes = 0;
	size_t n = 0;
	int rc = ag_csv_open(&h, path, csv, err);

	if (rc)
		return rc;
	ag_csv_data_start(h, &from, &line); /* before a batch moves it */
	if (!(rc = columns(lay, side, h, err)))
		rc = part_init(acc, lay, side, err);
	if (!rc) { /* the first batch: the features' types, the bytes per row */
		struct ag_csv_batch b;
		uint64_t after, l;
		rc = ag_csv_next_batch(h, &b, err);
		if (rc == 1 && !lay->typed)
			type_features(lay, h, &b);
		ag_csv_data_start(h, &after, &l);
		if (rc == 1)
			row_bytes = (double)(after - from) / (double)b.nrows;
		rc = rc < 0 ? rc : 0;
		lay->typed = true;
	}
	if (!rc)
		rc = ag_csv_split(path, from, line, threads, ranges, &n, err);
	if (!rc && (!(names = calloc(ag_csv_ncols(h), sizeof(*names))) ||
		    !(parts = calloc(n, sizeof(*parts)))))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	for (size_t c = 0; !rc && c < ag_csv_ncols(h); c++)
		names[c] = ag_csv_column_name(h, c);
	po.header = names;
	po.nheader = ag_csv_ncols(h);
	for (size_t i = 0; i < n; i++)
		total += ranges[i].len;
	for (size_t i = 0; !rc && i < n; i++) {
		rc = part_init(&parts[i], lay, side, err);
		parts[i].path = path;
		parts[i].csv = &po;
		parts[i].range = ranges[i];
		*bytes += ranges[i].len;
		/* Part 0 becomes the whole file's accumulator: room for all. */
		if (!rc && row_bytes > 0)
			rc = part_reserve(&parts[i], (double)(i ? ranges[i].len : total) / row_bytes, err);
	}
	*bytes += from;
	if (!rc)
		rc = read_parts(parts, n, acc, err);
	for (size_t i = 0; parts && i < n; i++)
		part_release(&parts[i]);
	free(parts);
	free(names);
	ag_csv_free(h);
	return rc;
}

/* Read a whole file (the data when side is 1) into acc, which this
 * initialises once the file's columns are known. */
static int read_file(const char *path, const struct ag_csv_options *csv, struct layout *lay,
		     int side, struct part *acc, uint64_t *bytes, struct ag_err *err)
{
	struct ag_csv_reader *r;
	int rc;

	if (lay->o->threads > 1 && ag_csv_splittable(path))
		return read_split(path, csv, lay, side, lay->o->threads, acc, bytes, err);
	if ((rc = ag_csv_open(&r, path, csv, err)))
		return rc;
	if (!(rc = columns(lay, side, r, err)) && !(rc = part_init(acc, lay, side, err)))
		rc = part_read(acc, r, err);
	*bytes += ag_csv_bytes_read(r);
	ag_csv_free(r);
	return rc;
}

/* ---- finishing ------------------------------------------------------ */

static int finish_feature(const struct feat *f, struct part *ref, struct part *cur, size_t i,
			  struct ag_eval_feature *e, struct ag_err *err)
{
	e->numeric = f->numeric;
	if (f->numeric)
		return ag_drift_numeric(&ref->num[i], &cur->num[i], &e->num, err);
	return ag_drift_categorical(&ref->cat[i], &cur->cat[i], &e->cat, err);
}

static int finish_fairness(const struct ag_eval_options *o, struct part *cur,
			   struct ag_eval_result *out, struct ag_err *err)
{
	struct ag_fairness_value ref[AG_EVAL_MAX_PROTECTED];
	bool named = o->reference_group != NULL;
	int rc;

	memset(ref, 0, sizeof(ref));
	if (named) {
		ref[0].p = o->reference_group;
		ref[0].len = strlen(o->reference_group);
	}
	rc = ag_fairness_finish(cur->fair, named ? ref : NULL, &out->fairness, err);
	out->has_fairness = !rc;
	return rc;
}

/*
 * Finishing: the performance (a sort of every row's key, after which the
 * score's drift takes the sorted scores instead of sorting its own copy),
 * the fairness and the drift of each feature (each sorts its own sides)
 * are independent jobs, so the threads of the reading take them one at a
 * time from a shared counter, the largest first: performance with the
 * score's drift.  Errors are reported in the order performance, fairness,
 * features, score: the first with an error wins.
 */
enum { JOB_PERF, JOB_FAIRNESS, JOB_FEATURES };

struct finisher {
	struct layout *lay;
	struct part *ref, *cur;
	struct ag_eval_result *out;
	struct ag_eval_feature *res;  /* nfs + 1: the features, then the score */
	int *rc;                      /* per job */
	struct ag_err *errs;
	int score_rc;                 /* the score's drift, by JOB_PERF */
	struct ag_err score_err;
	size_t njobs;
	size_t next;                  /* guarded by mu */
	pthread_mutex_t mu;
};

/* The performance, then the score's drift with the data's scores as the
 * performance's sort left them (no second array of them, no second sort). */
static int finish_perf(struct finisher *f, struct ag_err *err)
{
	struct layout *lay = f->lay;
	size_t i = lay->nfs, n, bytes;
	double *scores;
	int rc = ag_perf_finish(&f->cur->perf, &f->out->perf, err);

	if (rc || !lay->drift || lay->fs[i].col_ref < 0)
		return rc;
	scores = ag_perf_take_scores(&f->cur->perf, &n, &bytes);
	if (scores)
		ag_drift_num_adopt_sorted(&f->cur->num[i], scores, n, bytes);
	f->score_rc = finish_feature(&lay->fs[i], f->ref, f->cur, i, &f->res[i], &f->score_err);
	return 0;
}

static int run_job(struct finisher *f, size_t j, struct ag_err *err)
{
	struct layout *lay = f->lay;
	size_t i = j - JOB_FEATURES;

	if (j == JOB_PERF)
		return finish_perf(f, err);
	if (j == JOB_FAIRNESS)
		return f->cur->fair ? finish_fairness(lay->o, f->cur, f->out, err) : 0;
	return finish_feature(&lay->fs[i], f->ref, f->cur, i, &f->res[i], err);
}

static void *finish_thread(void *arg)
{
	struct finisher *f = arg;

	for (;;) {
		size_t j;
		pthread_mutex_lock(&f->mu);
		j = f->next++;
		pthread_mutex_unlock(&f->mu);
		if (j >= f->njobs)
			return NULL;
		f->rc[j] = run_job(f, j, &f->errs[j]);
	}
}

/* The first error in reporting order (see above). */
static int first_error(const struct finisher *f, struct ag_err *err)
{
	for (size_t j = 0; j < f->njobs; j++)
		if (f->rc[j]) {
			*err = f->errs[j];
			return f->rc[j];
		}
	if (f->score_rc)
		*err = f->score_err;
	return f->score_rc;
}

static int finish_all(struct layout *lay, struct part *ref, struct part *cur,
		      struct ag_eval_result *out, struct ag_err *err)
{
	size_t nres = lay->nfs + 1, nthreads = lay->o->threads > 1 ? lay->o->threads : 1;
	struct finisher f = { .lay = lay, .ref = ref, .cur = cur, .out = out };
	int rc;

	f.njobs = JOB_FEATURES + (lay->drift ? lay->nfs : 0);
	f.res = calloc(nres, sizeof(*f.res));
	f.rc = calloc(f.njobs, sizeof(*f.rc));
	f.errs = calloc(f.njobs, sizeof(*f.errs));
	if (!f.res || !f.rc || !f.errs || pthread_mutex_init(&f.mu, NULL)) {
		free(f.res);
		free(f.rc);
		free(f.errs);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	ag_run_parallel(finish_thread, &f, 0, nthreads < f.njobs ? nthreads : f.njobs);
	pthread_mutex_destroy(&f.mu);
	rc = first_error(&f, err);
	if (lay->drift) {
		/* The features' results (names now the result's), then the score's. */
		out->features = f.res;
		out->nfeatures = lay->nfs;
		for (size_t i = 0; i < lay->nfs; i++) {
			f.res[i].name = lay->fs[i].name;
			lay->fs[i].name = NULL;
		}
		out->has_score_drift = lay->fs[lay->nfs].col_ref >= 0;
		out->score_drift = f.res[lay->nfs];
		memset(&f.res[lay->nfs], 0, sizeof(f.res[lay->nfs]));
		out->score_drift.name = lay->o->score;
		out->has_drift = !rc;
	} else {
		free(f.res);
	}
	free(f.rc);
	free(f.errs);
	return rc;
}

static void layout_release(struct layout *lay)
{
	for (size_t i = 0; lay->fs && i <= lay->nfs; i++)
		free((char *)lay->fs[i].name);
	free(lay->fs);
	for (size_t a = 0; a < AG_EVAL_MAX_PROTECTED; a++) {
		for (size_t k = 0; lay->bands[a].labels && k <= lay->bands[a].nedges; k++)
			free(lay->bands[a].labels[k]);
		free(lay->bands[a].labels);
	}
}

static int check_options(const struct ag_eval_options *o, struct ag_err *err)
{
	if (!o->label || !o->score)
		return ag_err_set(err, AG_EINVAL, "evaluate: the label and score columns are required");
	if (o->nprotected > AG_EVAL_MAX_PROTECTED)
		return ag_err_set(err, AG_EINVAL, "evaluate: at most %d protected attributes",
				  AG_EVAL_MAX_PROTECTED);
	if (o->nfeatures > AG_EVAL_MAX_FEATURES)
		return ag_err_set(err, AG_EINVAL, "evaluate: at most %d features", AG_EVAL_MAX_FEATURES);
	return 0;
}

int ag_evaluate(const char *data, const struct ag_csv_options *csv,
		const struct ag_eval_options *o, struct ag_eval_result *out,
		struct ag_err *err)
{
	struct layout lay;
	struct part ref, cur;
	uint64_t ref_bytes = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&lay, 0, sizeof(lay));
	memset(&ref, 0, sizeof(ref));
	memset(&cur, 0, sizeof(cur));
	if ((rc = check_options(o, err)))
		return rc;
	lay.o = o;
	lay.drift = o->reference != NULL;
	lay.typed = !lay.drift;
	lay.fs = calloc(AG_EVAL_MAX_FEATURES + 1, sizeof(*lay.fs));
	if (!lay.fs)
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	if (!rc)
		rc = bands_init(&lay, err);
	if (!rc && lay.drift) {
		/* The reference first: it fixes the features and their types. */
		rc = read_file(o->reference, csv, &lay, 0, &ref, &ref_bytes, err);
		out->reference_rows = ref.rows;
		lay.typed = true;
	}
	if (!rc)
		rc = read_file(data, csv, &lay, 1, &cur, &out->bytes, err);
	out->rows = cur.rows;
	if (!rc && out->rows == 0)
		rc = ag_err_set(err, AG_EPARSE, "%s: no rows to evaluate", data);
	if (!rc)
		rc = finish_all(&lay, &ref, &cur, out, err);
	part_release(&ref);
	part_release(&cur);
	layout_release(&lay);
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
