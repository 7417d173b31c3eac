/*
 * Performance accumulator (include/aigov/perf.h).
 *
 * Expected metrics come from scikit-learn 1.2.1: tests/data/perf_rows.csv
 * and tests/data/perf_reference.csv are written by
 *     /usr/bin/python3 tests/tools/make_perf_reference.py
 * Counts must match exactly, floating values to 1e-12 relative (absolute
 * 1e-15 when the reference is 0).  Split-and-merge results must equal the
 * single accumulator's to the last bit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/num.h"
#include "aigov/perf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AIGOV_TEST_DATA
#define AIGOV_TEST_DATA "tests/data"
#endif

/* ---- reading the reference files ---- */

struct rows {
	size_t n, cap;
	uint8_t *label;
	double *score;
	int8_t *decision;    /* AG_PERF_NO_DECISION when the row has none */
	bool all_decided;
};

static FILE *open_data(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", AIGOV_TEST_DATA, name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	return f;
}

/* Split a CSV line without quotes into at most `max` fields, in place. */
static int split(char *line, char **field, int max)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	field[n++] = line;
	for (char *c = line; *c && n < max; c++)
		if (*c == ',') {
			*c = '\0';
			field[n++] = c + 1;
		}
	return n;
}

static double parse_value(const char *s)
{
	double v;
	if (strcmp(s, "nan") == 0)
		return NAN;
	if (!ag_parse_double(s, strlen(s), &v))
		fail_msg("bad number '%s' in the reference data", s);
	return v;
}

static void load_rows(const char *dataset, struct rows *r)
{
	char line[256], *f[4];
	FILE *fp = open_data("perf_rows.csv");

	memset(r, 0, sizeof(*r));
	r->all_decided = true;
	assert_non_null(fgets(line, sizeof(line), fp)); /* header */
	while (fgets(line, sizeof(line), fp)) {
		assert_int_equal(split(line, f, 4), 4);
		if (strcmp(f[0], dataset) != 0)
			continue;
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 256;
			r->label = realloc(r->label, r->cap);
			r->score = realloc(r->score, r->cap * sizeof(double));
			r->decision = realloc(r->decision, r->cap);
			assert_true(r->label && r->score && r->decision);
		}
		r->label[r->n] = (uint8_t)atoi(f[1]);
		r->score[r->n] = parse_value(f[2]);
		if (f[3][0]) {
			r->decision[r->n] = (int8_t)atoi(f[3]);
		} else {
			r->decision[r->n] = AG_PERF_NO_DECISION;
			r->all_decided = false;
		}
		r->n++;
	}
	fclose(fp);
	if (r->n == 0)
		fail_msg("no rows for dataset %s", dataset);
}

static void free_rows(struct rows *r)
{
	free(r->label);
	free(r->score);
	free(r->decision);
}

static double ref(const char *dataset, const char *metric)
{
	char line[256], *f[3];
	FILE *fp = open_data("perf_reference.csv");
	while (fgets(line, sizeof(line), fp)) {
		assert_int_equal(split(line, f, 3), 3);
		if (strcmp(f[0], dataset) == 0 && strcmp(f[1], metric) == 0) {
			double v = parse_value(f[2]);
			fclose(fp);
			return v;
		}
	}
	fclose(fp);
	fail_msg("no reference %s for %s", metric, dataset);
	return NAN;
}

static const char *const datasets[] = {
	"main", "unique", "decisions", "constant", "only_negatives",
	"only_positives", "extremes", "no_predicted_positive",
};
#define NDATASETS (sizeof(datasets) / sizeof(datasets[0]))

/* ---- running the accumulator ---- */

static void run_single(const struct rows *rw, double threshold,
		       struct ag_perf_result *res)
{
	struct ag_perf p;
	struct ag_err err;
	assert_int_equal(ag_perf_init(&p, threshold, &err), 0);
	for (size_t i = 0; i < rw->n; i++)
		if (ag_perf_add(&p, rw->label[i], rw->score[i], rw->decision[i],
				i + 1, &err))
			fail_msg("%s", err.msg);
	if (ag_perf_finish(&p, res, &err))
		fail_msg("%s", err.msg);
	ag_perf_release(&p);
}

/*
 * The rows in `parts` uneven contiguous chunks, each in its own
 * accumulator (by add_many), optionally sent through serialize and
 * deserialize as a remote shard would be, merged last to first.
 */
static void run_split(const struct rows *rw, double threshold, size_t parts,
		      bool via_bytes, struct ag_perf_result *res)
{
	struct ag_perf acc[16], total;
	struct ag_err err;
	size_t start = 0;

	assert_true(parts <= 16);
	for (size_t k = 0; k < parts; k++) {
		/* chunk k gets a share growing with k; the last takes the rest */
		size_t len = k + 1 == parts ? rw->n - start
			   : (rw->n * (k + 1)) / (parts * (parts + 1) / 2 + 1);
		if (start + len > rw->n)
			len = rw->n - start;
		assert_int_equal(ag_perf_init(&acc[k], threshold, &err), 0);
		if (ag_perf_add_many(&acc[k], rw->label + start, rw->score + start,
				     rw->decision + start, len, start + 1, &err))
			fail_msg("%s", err.msg);
		start += len;
		if (via_bytes) {
			struct ag_buf b;
			ag_buf_init(&b);
			assert_int_equal(ag_perf_serialize(&acc[k], &b, &err), 0);
			assert_int_equal(b.len, 72 + 8 * acc[k].n);
			ag_perf_release(&acc[k]);
			if (ag_perf_deserialize(&acc[k], b.buf, b.len, &err))
				fail_msg("%s", err.msg);
			ag_buf_release(&b);
		}
	}
	assert_int_equal(start, rw->n);
	assert_int_equal(ag_perf_init(&total, threshold, &err), 0);
	for (size_t k = parts; k-- > 0;) {
		if (ag_perf_merge(&total, &acc[k], &err))
			fail_msg("%s", err.msg);
		ag_perf_release(&acc[k]);
	}
	if (ag_perf_finish(&total, res, &err))
		fail_msg("%s", err.msg);
	ag_perf_release(&total);
}

static bool same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

#define SAME_D(f) do { \
	if (!same_bits(a->f, b->f)) \
		fail_msg("%s: %s %.17g vs %.17g", what, #f, a->f, b->f); \
} while (0)
#define SAME_U(f) assert_int_equal(a->f, b->f)

static void assert_same_result(const struct ag_perf_result *a,
			       const struct ag_perf_result *b, const char *what)
{
	SAME_U(n); SAME_U(positives); SAME_U(negatives);
	SAME_U(tp); SAME_U(fp); SAME_U(tn); SAME_U(fn); SAME_U(decided);
	SAME_U(flags);
	SAME_D(threshold); SAME_D(auc); SAME_D(gini); SAME_D(ks);
	SAME_D(ks_threshold); SAME_D(average_precision); SAME_D(log_loss);
	SAME_D(brier); SAME_D(accuracy); SAME_D(precision); SAME_D(recall);
	SAME_D(f1); SAME_D(specificity); SAME_D(ece);
	for (int k = 0; k < AG_PERF_CALIB_BINS; k++) {
		SAME_U(calib[k].count); SAME_U(calib[k].positives);
		SAME_D(calib[k].mean_score); SAME_D(calib[k].observed_rate);
		SAME_D(calib[k].lo); SAME_D(calib[k].hi);
	}
}

static void check_close(const char *dataset, const char *metric, double got,
			double want)
{
	if (isnan(want)) {
		if (!isnan(got))
			fail_msg("%s %s: got %.17g, want NaN", dataset, metric, got);
		return;
	}
	double tol = want == 0 ? 1e-15 : 1e-12 * fabs(want);
	if (!(fabs(got - want) <= tol))
		fail_msg("%s %s: got %.17g, want %.17g", dataset, metric, got, want);
}

static void check_against_sklearn(const char *ds, const struct ag_perf_result *r)
{
	char name[64];
	struct { const char *metric; double got; } m[] = {
		{ "auc", r->auc }, { "gini", r->gini }, { "ks", r->ks },
		{ "ks_threshold", r->ks_threshold },
		{ "log_loss", r->log_loss }, { "brier", r->brier },
		{ "accuracy", r->accuracy }, { "precision", r->precision },
		{ "recall", r->recall }, { "f1", r->f1 },
		{ "specificity", r->specificity }, { "ece", r->ece },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		check_close(ds, m[i].metric, m[i].got, ref(ds, m[i].metric));
	/* scikit-learn 1.2.1 answers -0.0 for the average precision of a
	 * dataset without positives (after a warning that recall is
	 * undefined); perf.h defines it as NaN instead. */
	if (r->positives == 0)
		assert_true(isnan(r->average_precision));
	else
		check_close(ds, "average_precision", r->average_precision,
			    ref(ds, "average_precision"));
	assert_int_equal(r->tp, (uint64_t)ref(ds, "tp"));
	assert_int_equal(r->fp, (uint64_t)ref(ds, "fp"));
	assert_int_equal(r->tn, (uint64_t)ref(ds, "tn"));
	assert_int_equal(r->fn, (uint64_t)ref(ds, "fn"));
	assert_true(r->threshold == ref(ds, "threshold"));
	for (int k = 0; k < AG_PERF_CALIB_BINS; k++) {
		snprintf(name, sizeof(name), "calib_%d_count", k);
		assert_int_equal(r->calib[k].count, (uint64_t)ref(ds, name));
		snprintf(name, sizeof(name), "calib_%d_mean", k);
		check_close(ds, name, r->calib[k].mean_score, ref(ds, name));
		snprintf(name, sizeof(name), "calib_%d_rate", k);
		check_close(ds, name, r->calib[k].observed_rate, ref(ds, name));
	}
}

/* ---- tests ---- */

static void test_perf_matches_sklearn_on_every_dataset(void **state)
{
	(void)state;
	for (size_t d = 0; d < NDATASETS; d++) {
		struct rows rw;
		struct ag_perf_result r;
		load_rows(datasets[d], &rw);
		run_single(&rw, ref(datasets[d], "threshold"), &r);
		assert_int_equal(r.n, rw.n);
		assert_int_equal(r.decided, rw.all_decided ? rw.n : 0);
		check_against_sklearn(datasets[d], &r);
		free_rows(&rw);
	}
}

static void test_perf_flags_say_why_a_metric_is_nan_or_zero(void **state)
{
	struct rows rw;
	struct ag_perf_result r;
	(void)state;

	load_rows("only_negatives", &rw);
	run_single(&rw, 0.5, &r);
	/* 26 rows are predicted positive, so precision (0 / 26) needs no
	 * flag; recall has no positives to divide by. */
	assert_int_equal(r.flags, AG_PERF_ONE_CLASS | AG_PERF_NO_POSITIVES |
				  AG_PERF_F1_ZERO_DIV);
	assert_true(isnan(r.auc) && isnan(r.gini) && isnan(r.ks) &&
		    isnan(r.average_precision));
	assert_true(isfinite(r.log_loss) && isfinite(r.brier));
	free_rows(&rw);

	load_rows("only_positives", &rw);
	run_single(&rw, 0.5, &r);
	assert_int_equal(r.flags, AG_PERF_ONE_CLASS | AG_PERF_NO_NEGATIVES);
	assert_true(isnan(r.auc) && isnan(r.ks));
	/* 1 as scikit-learn says: a sum of recall steps that add up to 1 */
	assert_true(fabs(r.average_precision - 1.0) < 1e-15);
	free_rows(&rw);

	load_rows("no_predicted_positive", &rw);
	run_single(&rw, 0.95, &r);
	assert_int_equal(r.flags, AG_PERF_NO_PRED_POS | AG_PERF_F1_ZERO_DIV);
	assert_true(r.precision == 0 && r.f1 == 0);
	free_rows(&rw);

	load_rows("main", &rw);
	run_single(&rw, 0.5, &r);
	assert_int_equal(r.flags, 0);
	free_rows(&rw);

	for (unsigned f = 1; f <= AG_PERF_F1_ZERO_DIV; f <<= 1)
		assert_true(strlen(ag_perf_flag_text(f)) > 20);
	assert_string_equal(ag_perf_flag_text(0x100), "");
}

static void test_perf_constant_scores_give_auc_one_half(void **state)
{
	struct ag_perf p;
	struct ag_perf_result r;
	struct ag_err err;
	(void)state;
	/* Hand value: every positive-negative pair is tied, each counts 1/2. */
	assert_int_equal(ag_perf_init(&p, 0.5, &err), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(ag_perf_add(&p, i % 3 == 0, 0.7, AG_PERF_NO_DECISION,
					     (uint64_t)i + 1, &err), 0);
	assert_int_equal(ag_perf_finish(&p, &r, &err), 0);
	assert_true(r.auc == 0.5 && r.gini == 0 && r.ks == 0);
	assert_true(isnan(r.ks_threshold));
	assert_int_equal(r.calib[6].count, 1000);  /* 0.6 < 0.7 <= 0.7000...1 */
	ag_perf_release(&p);
}

static void test_perf_split_and_merge_equal_single_bit_for_bit(void **state)
{
	static const size_t parts[] = { 2, 3, 7, 16 };
	(void)state;
	for (size_t d = 0; d < NDATASETS; d++) {
		struct rows rw;
		struct ag_perf_result one, many;
		double t = ref(datasets[d], "threshold");
		load_rows(datasets[d], &rw);
		run_single(&rw, t, &one);
		for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
			run_split(&rw, t, parts[k], false, &many);
			assert_same_result(&one, &many, datasets[d]);
			run_split(&rw, t, parts[k], true, &many);
			assert_same_result(&one, &many, datasets[d]);
		}
		free_rows(&rw);
	}
}

static void make_state(struct ag_buf *b, size_t n)
{
	struct ag_perf p;
	struct ag_err err;
	assert_int_equal(ag_perf_init(&p, 0.25, &err), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ag_perf_add(&p, (int)(i % 2), (double)(i % 11) / 10,
					     i % 5 == 0 ? (int)(i % 3 == 0) : AG_PERF_NO_DECISION,
					     i, &err), 0);
	ag_buf_init(b);
	assert_int_equal(ag_perf_serialize(&p, b, &err), 0);
	ag_perf_release(&p);
}

static void test_perf_state_round_trips_byte_for_byte(void **state)
{
	struct ag_buf a, b;
	struct ag_perf p;
	struct ag_err err;
	(void)state;
	make_state(&a, 1000);
	assert_int_equal(ag_perf_deserialize(&p, a.buf, a.len, &err), 0);
	assert_int_equal(p.n, 1000);
	ag_buf_init(&b);
	assert_int_equal(ag_perf_serialize(&p, &b, &err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	/* The format is fixed little-endian: magic, version 1, threshold. */
	assert_memory_equal(a.buf, "AGPERF\0\0\1\0\0\0\0\0\0\0", 16);
	assert_memory_equal(a.buf + 16, "\0\0\0\0\0\0\xd0\x3f", 8); /* 0.25 */
	ag_perf_release(&p);
	ag_buf_release(&a);
	ag_buf_release(&b);
	/* An empty accumulator serializes too, and finishing it is an error. */
	make_state(&a, 0);
	assert_int_equal(a.len, 72);
	assert_int_equal(ag_perf_deserialize(&p, a.buf, a.len, &err), 0);
	struct ag_perf_result r;
	assert_int_equal(ag_perf_finish(&p, &r, &err), AG_EPARSE);
	ag_perf_release(&p);
	ag_buf_release(&a);
}

static void put64(char *at, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		at[i] = (char)(v >> (8 * i));
}

static void expect_bad_state(const char *data, size_t len, const char *says)
{
	struct ag_perf p;
	struct ag_err err;
	ag_err_clear(&err);
	assert_int_equal(ag_perf_deserialize(&p, data, len, &err), AG_EPARSE);
	assert_null(p.keys);
	assert_int_equal(p.n, 0);
	if (says && !strstr(err.msg, says))
		fail_msg("message '%s' lacks '%s'", err.msg, says);
}

static void test_perf_rejects_malformed_state(void **state)
{
	struct ag_buf b;
	char *c;
	(void)state;
	make_state(&b, 100);
	c = malloc(b.len + 8);
	assert_non_null(c);

	/* Every truncation. */
	for (size_t len = 0; len < b.len; len++)
		expect_bad_state(b.buf, len, NULL);
	/* A byte too many. */
	memcpy(c, b.buf, b.len);
	c[b.len] = 0;
	expect_bad_state(c, b.len + 1, "byte 64: row count");

	memcpy(c, b.buf, b.len); c[0] = 'X';
	expect_bad_state(c, b.len, "byte 0: not a perf state");
	memcpy(c, b.buf, b.len); c[8] = 2;
	expect_bad_state(c, b.len, "byte 8: unsupported version");
	memcpy(c, b.buf, b.len); c[13] = 1;
	expect_bad_state(c, b.len, "byte 12");
	memcpy(c, b.buf, b.len); put64(c + 16, UINT64_C(0x7ff8000000000000));
	expect_bad_state(c, b.len, "byte 16: threshold");
	memcpy(c, b.buf, b.len); put64(c + 16, UINT64_C(0x4000000000000000));
	expect_bad_state(c, b.len, "byte 16: threshold");          /* 2.0 */
	/* n claims more rows than there are, including a wrapping 8n. */
	memcpy(c, b.buf, b.len); put64(c + 64, 101);
	expect_bad_state(c, b.len, "byte 64");
	memcpy(c, b.buf, b.len); put64(c + 64, UINT64_C(0x2000000000000000) + 100);
	expect_bad_state(c, b.len, "byte 64");
	/* Row 5's key: score 1.5, then NaN, then -0.0. */
	memcpy(c, b.buf, b.len); put64(c + 72 + 40, UINT64_C(0x3FF8000000000000) << 1);
	expect_bad_state(c, b.len, "byte 112: row key");
	memcpy(c, b.buf, b.len); put64(c + 72 + 40, UINT64_C(0x7ff8000000000000) << 1);
	expect_bad_state(c, b.len, "byte 112: row key");
	memcpy(c, b.buf, b.len); put64(c + 72 + 40, UINT64_C(0x8000000000000000));
	expect_bad_state(c, b.len, "byte 112: row key");
	/* Flip one row's label: counts no longer describe the rows. */
	memcpy(c, b.buf, b.len); c[72 + 40] ^= 1;
	expect_bad_state(c, b.len, "byte 24: confusion counts");
	/* Counts that wrap around to the right sum. */
	memcpy(c, b.buf, b.len);
	put64(c + 24, UINT64_MAX); put64(c + 32, 51);          /* tn + fp = 50 */
	expect_bad_state(c, b.len, "byte 24");
	memcpy(c, b.buf, b.len); put64(c + 56, 101);
	expect_bad_state(c, b.len, "byte 56: more decided");

	/* Random damage: never a crash, only acceptance or AG_EPARSE. */
	uint64_t s = 12345;
	for (int t = 0; t < 20000; t++) {
		memcpy(c, b.buf, b.len);
		for (int m = 0; m < 1 + t % 3; m++) {
			s ^= s << 13; s ^= s >> 7; s ^= s << 17;
			c[s % b.len] = (char)(s >> 40);
		}
		struct ag_perf p;
		struct ag_err err;
		int rc = ag_perf_deserialize(&p, c, b.len - (t % 7 == 0), &err);
		assert_true(rc == 0 || rc == AG_EPARSE);
		if (rc == 0) {
			struct ag_perf_result r;
			assert_int_equal(ag_perf_finish(&p, &r, &err), 0);
		}
		ag_perf_release(&p);
	}
	free(c);
	ag_buf_release(&b);
}

/*
 * scikit-learn's own docstring examples: roc_auc_score and
 * average_precision_score of y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]
 * are 0.75 and 0.8333...  By hand: of the 4 positive-negative pairs, only
 * (0.35, 0.4) is misordered: 3/4.  AP: descending 0.8 (1, P=1, R=.5), 0.4
 * (0), 0.35 (1, P=2/3, R=1): .5 * 1 + .5 * 2/3 = 5/6.
 */
static void test_perf_docstring_example_by_hand(void **state)
{
	static const uint8_t y[] = { 0, 0, 1, 1 };
	static const double s[] = { 0.1, 0.4, 0.35, 0.8 };
	struct ag_perf p;
	struct ag_perf_result r;
	struct ag_err err;
	(void)state;
	assert_int_equal(ag_perf_init(&p, 0.5, &err), 0);
	assert_int_equal(ag_perf_add_many(&p, y, s, NULL, 4, 1, &err), 0);
	assert_int_equal(ag_perf_finish(&p, &r, &err), 0);
	assert_true(fabs(r.auc - 0.75) < 1e-15);
	assert_true(fabs(r.gini - 0.5) < 1e-15);
	assert_true(fabs(r.average_precision - 5.0 / 6) < 1e-15);
	/* KS: after 0.8 tpr .5 fpr 0; after 0.4 .5/.5; after .35 1/.5: 0.5 at 0.8 */
	assert_true(r.ks == 0.5 && r.ks_threshold == 0.8);
	/* at 0.5: predicted 1 only for 0.8: tp 1, fn 1, tn 2 */
	assert_int_equal(r.tp, 1);
	assert_int_equal(r.fn, 1);
	assert_int_equal(r.tn, 2);
	assert_true(r.precision == 1 && r.recall == 0.5 && r.specificity == 1);
	/* Brier: (.01 + .16 + .4225 + .04) / 4 = 0.158125 */
	assert_true(fabs(r.brier - 0.158125) < 1e-15);
	ag_perf_release(&p);
}

static void test_perf_rejects_bad_rows_naming_the_row(void **state)
{
	struct ag_perf p;
	struct ag_err err;
	(void)state;
	assert_int_equal(ag_perf_init(&p, 0.5, &err), 0);
	assert_int_equal(ag_perf_add(&p, 1, NAN, AG_PERF_NO_DECISION, 1042, &err),
			 AG_EPARSE);
	assert_non_null(strstr(err.msg, "row 1042: score"));
	assert_int_equal(ag_perf_add(&p, 1, -0.001, AG_PERF_NO_DECISION, 7, &err),
			 AG_EPARSE);
	assert_non_null(strstr(err.msg, "row 7:"));
	assert_int_equal(ag_perf_add(&p, 0, 1.0000000000000002, AG_PERF_NO_DECISION,
				     8, &err), AG_EPARSE);
	assert_int_equal(ag_perf_add(&p, 0, INFINITY, AG_PERF_NO_DECISION, 9, &err),
			 AG_EPARSE);
	assert_int_equal(ag_perf_add(&p, 2, 0.5, AG_PERF_NO_DECISION, 10, &err),
			 AG_EPARSE);
	assert_non_null(strstr(err.msg, "row 10: label 2"));
	assert_int_equal(ag_perf_add(&p, 1, 0.5, 5, 11, &err), AG_EPARSE);
	assert_non_null(strstr(err.msg, "row 11: decision 5"));
	assert_int_equal(p.n, 0);

	/* add_many: all or nothing, the first bad row named. */
	uint8_t y[5] = { 0, 1, 1, 0, 1 };
	double s[5] = { 0.1, 0.2, 0.3, NAN, 2 };
	assert_int_equal(ag_perf_add_many(&p, y, s, NULL, 5, 100, &err), AG_EPARSE);
	assert_non_null(strstr(err.msg, "row 103: score"));
	assert_int_equal(p.n, 0);
	assert_int_equal(p.confusion[0] + p.confusion[1] + p.confusion[2] +
			 p.confusion[3], 0);
	assert_int_equal(ag_perf_add_many(&p, y, s, NULL, 3, 100, &err), 0);
	assert_int_equal(p.n, 3);

	/* -0.0 is the score 0: same key, same result. */
	assert_int_equal(ag_perf_add(&p, 0, -0.0, AG_PERF_NO_DECISION, 12, &err), 0);
	assert_int_equal(p.keys[3], 0);
	ag_perf_release(&p);
}

static void test_perf_empty_input_and_bad_arguments_are_errors(void **state)
{
	struct ag_perf p, q;
	struct ag_perf_result r;
	struct ag_err err;
	(void)state;
	assert_int_equal(ag_perf_init(&p, 0.5, &err), 0);
	assert_int_equal(ag_perf_finish(&p, &r, &err), AG_EPARSE);
	assert_non_null(strstr(err.msg, "no rows"));
	assert_int_equal(ag_perf_init(&q, NAN, &err), AG_EINVAL);
	assert_int_equal(ag_perf_init(&q, 1.5, &err), AG_EINVAL);
	assert_int_equal(ag_perf_init(&q, 0.6, &err), 0);
	assert_int_equal(ag_perf_add(&q, 1, 0.7, AG_PERF_NO_DECISION, 1, &err), 0);
	assert_int_equal(ag_perf_merge(&p, &q, &err), AG_EINVAL);
	assert_int_equal(p.n, 0);
	ag_perf_release(&p);
	ag_perf_release(&q);
}

/*
 * At scale (several radix passes, many ties and many unique scores), the
 * AUC equals the rank-sum formula computed independently in this test:
 * Mann-Whitney U from mid-ranks after qsort (Hanley & McNeil 1982),
 * AUC = (R1 - P (P + 1) / 2) / (P N), R1 the positives' rank sum.
 */
struct pair { double s; int y; };

static int cmp_pair(const void *a, const void *b)
{
	double x = ((const struct pair *)a)->s, y = ((const struct pair *)b)->s;
	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Large enough that finish sorts in place (past its scratch of 2^16 keys),
 * with a third of the rows in a cluster 1e-9 wide, so that one bucket is
 * larger than the scratch and is partitioned in place again. */
static void test_perf_auc_equals_rank_sum_on_large_input(void **state)
{
	const size_t n = 300000;
	struct pair *v = malloc(n * sizeof(*v));
	uint64_t *want_keys = malloc(n * sizeof(*want_keys));
	struct ag_perf p;
	struct ag_perf_result r;
	struct ag_err err;
	uint64_t s = 99;
	(void)state;
	assert_non_null(v);
	assert_non_null(want_keys);
	assert_int_equal(ag_perf_init(&p, 0.5, &err), 0);
	for (size_t i = 0; i < n; i++) {
		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		double u = (double)(s >> 11) / 9007199254740992.0;
		/* rows on a 1/1000 grid (ties), at full precision, in a cluster */
		double sc = i % 3 == 0 ? floor(u * 1000) / 1000 : i % 3 == 1 ? u : 0.3 + u * 1e-9;
		int y = (double)((s >> 3) % 1000) / 1000 < 0.2 + 0.6 * sc;
		uint64_t bits;
		memcpy(&bits, &sc, sizeof(bits));
		want_keys[i] = bits << 1 | (uint64_t)y;
		v[i].s = sc;
		v[i].y = y;
		assert_int_equal(ag_perf_add(&p, y, sc, AG_PERF_NO_DECISION, i, &err), 0);
	}
	assert_int_equal(ag_perf_finish(&p, &r, &err), 0);
	qsort(v, n, sizeof(*v), cmp_pair);
	double r1 = 0, P = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double pos = 0;
		while (j < n && v[j].s == v[i].s)
			pos += v[j++].y;
		r1 += pos * ((double)(i + 1) + (double)j) / 2; /* mid-rank */
		P += pos;
		i = j;
	}
	double N = (double)n - P;
	double want = (r1 - P * (P + 1) / 2) / (P * N);
	assert_true(r.positives == (uint64_t)P);
	if (fabs(r.auc - want) > 1e-12 * want)
		fail_msg("auc %.17g, rank sum %.17g", r.auc, want);
	/* and the keys are those rows' keys, sorted */
	qsort(want_keys, n, sizeof(*want_keys), cmp_u64);
	assert_int_equal(p.n, n);
	assert_memory_equal(p.keys, want_keys, n * sizeof(*want_keys));
	ag_perf_release(&p);
	free(want_keys);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perf_matches_sklearn_on_every_dataset),
		cmocka_unit_test(test_perf_flags_say_why_a_metric_is_nan_or_zero),
		cmocka_unit_test(test_perf_constant_scores_give_auc_one_half),
		cmocka_unit_test(test_perf_split_and_merge_equal_single_bit_for_bit),
		cmocka_unit_test(test_perf_state_round_trips_byte_for_byte),
		cmocka_unit_test(test_perf_rejects_malformed_state),
		cmocka_unit_test(test_perf_docstring_example_by_hand),
		cmocka_unit_test(test_perf_rejects_bad_rows_naming_the_row),
		cmocka_unit_test(test_perf_empty_input_and_bad_arguments_are_errors),
		cmocka_unit_test(test_perf_auc_equals_rank_sum_on_large_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
