/* Column profiles (include/aigov/profile.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/buf.h"
#include "aigov/csv.h"
#include "aigov/num.h"
#include "aigov/profile.h"
#include "aigov/sketch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct ag_profile_result *profile_mem(const char *csv, size_t len,
					     const struct ag_profile_options *po)
{
	struct ag_csv_reader *r;
	struct ag_profile *p;
	struct ag_profile_result *res;
	struct ag_csv_batch b;
	struct ag_err err;
	const char *names[64];
	int rc;

	assert_int_equal(ag_csv_open_mem(&r, csv, len, "t.csv", NULL, &err), 0);
	for (size_t i = 0; i < ag_csv_ncols(r); i++)
		names[i] = ag_csv_column_name(r, i);
	assert_int_equal(ag_profile_new(&p, ag_csv_ncols(r), names, po, &err), 0);
	while ((rc = ag_csv_next_batch(r, &b, &err)) == 1)
		assert_int_equal(ag_profile_add_batch(p, r, &b, &err), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(ag_profile_finish(p, "t.csv", len, &res, &err), 0);
	ag_profile_free(p);
	ag_csv_free(r);
	return res;
}

static const struct ag_column_profile *col(const struct ag_profile_result *res,
					   size_t i)
{
	assert_true(i < res->ncols);
	return &res->cols[i];
}

static const struct ag_warning *warning(const struct ag_column_profile *c,
					enum ag_warning_code code)
{
	for (size_t i = 0; i < c->nwarnings; i++)
		if (c->warnings[i].code == code)
			return &c->warnings[i];
	return NULL;
}

static void near(double got, double want)
{
	if (fabs(got - want) > 1e-12 * fmax(1, fabs(want)))
		fail_msg("got %.17g want %.17g", got, want);
}

static const char small_csv[] =
	"id,age,income,grade,active,opened,mixed,const,sparse,nid,code,id\n"
	"1,30,100.5,A,true,2024-01-05,1,x,,A123456789,007,a\n"
	"2,40,,B,false,2024-02-29,2,x,,F912345678,012,b\n"
	"3,50,200.5,A,TRUE,2023-12-31,abc,x,5,A800000005,100,c\n"
	"4,NA,300,A,False,2024-01-01,4,x,,A123456789,200,d\n";

static void test_profile_small_file_matches_hand_computation(void **state)
{
	struct ag_profile_result *res = profile_mem(small_csv, sizeof(small_csv) - 1, NULL);
	const struct ag_column_profile *c;
	const struct ag_warning *w;
	(void)state;
	assert_int_equal(res->rows, 4);
	assert_int_equal(res->ncols, 12);

	/* age: 30 40 50 and one NA.  mean 40; std (ddof 1) = sqrt(200/2) = 10;
	 * quantiles at h = 2p over 30 40 50: .01 -> 30.2, .05 -> 31, .25 -> 35,
	 * .5 -> 40, .75 -> 45, .95 -> 49, .99 -> 49.8 */
	c = col(res, 1);
	assert_int_equal(c->type, AG_TYPE_INTEGER);
	assert_int_equal(c->count, 3);
	assert_int_equal(c->missing, 1);
	assert_true(c->distinct == 3 && c->distinct_exact);
	near(c->min, 30);
	near(c->max, 50);
	near(c->mean, 40);
	near(c->std, 10);
	assert_true(c->quantiles_exact);
	static const double age_q[7] = { 30.2, 31, 35, 40, 45, 49, 49.8 };
	for (int i = 0; i < 7; i++)
		near(c->quantiles[i], age_q[i]);
	assert_null(warning(c, AG_WARN_MOSTLY_MISSING)); /* 25 % only */

	/* income: 100.5 200.5 300 -> number, mean 601/3 */
	c = col(res, 2);
	assert_int_equal(c->type, AG_TYPE_NUMBER);
	near(c->mean, 601.0 / 3);
	near(c->quantiles[3], 200.5);

	/* grade: A B A A -> category, top A 3, B 1 */
	c = col(res, 3);
	assert_int_equal(c->type, AG_TYPE_CATEGORY);
	assert_true(c->top_tracked && c->ntop == 2);
	assert_string_equal(c->top[0].value, "A");
	assert_int_equal(c->top[0].count, 3);
	assert_string_equal(c->top[1].value, "B");

	/* active: true/TRUE are one value, false/False another */
	c = col(res, 4);
	assert_int_equal(c->type, AG_TYPE_BOOLEAN);
	assert_true(c->distinct == 2);
	assert_true(c->top[0].count == 2 && c->top[1].count == 2);

	/* opened: dates; earliest 2023-12-31, latest 2024-02-29 (leap day) */
	c = col(res, 5);
	assert_int_equal(c->type, AG_TYPE_DATE);
	assert_string_equal(c->date_min, "2023-12-31");
	assert_string_equal(c->date_max, "2024-02-29");

	/* mixed: 1 2 abc 4 -> integer with one text value on line 4 */
	c = col(res, 6);
	assert_int_equal(c->type, AG_TYPE_INTEGER);
	assert_int_equal(c->kinds[AG_KIND_TEXT], 1);
	w = warning(c, AG_WARN_MIXED_TYPES);
	assert_non_null(w);
	assert_int_equal(w->count, 1);
	assert_string_equal(w->example, "abc");
	assert_int_equal(w->line, 4);
	near(c->mean, 7.0 / 3); /* over the numbers only */

	/* const: x x x x */
	c = col(res, 7);
	assert_non_null(warning(c, AG_WARN_CONSTANT));
	assert_int_equal(c->type, AG_TYPE_CATEGORY);

	/* sparse: 3 of 4 missing */
	c = col(res, 8);
	w = warning(c, AG_WARN_MOSTLY_MISSING);
	assert_non_null(w);
	near(w->value, 0.75);

	/* nid: four valid IDs (three distinct) */
	c = col(res, 9);
	w = warning(c, AG_WARN_NATIONAL_ID);
	assert_non_null(w);
	assert_int_equal(w->count, 4);
	near(w->value, 1.0);
	assert_true(c->distinct == 3);

	/* code: 007 and 012 have leading zeros */
	c = col(res, 10);
	assert_int_equal(c->type, AG_TYPE_INTEGER);
	w = warning(c, AG_WARN_LEADING_ZEROS);
	assert_non_null(w);
	assert_int_equal(w->count, 2);

	/* the second "id" column */
	c = col(res, 11);
	assert_non_null(warning(c, AG_WARN_DUPLICATE_NAME));
	assert_null(warning(col(res, 0), AG_WARN_DUPLICATE_NAME));
	ag_profile_result_free(res);
}

static void test_profile_flags_identifiers_and_personal_data(void **state)
{
	struct ag_buf in;
	struct ag_profile_result *res;
	(void)state;
	ag_buf_init(&in);
	ag_buf_addstr(&in, "key,email,phone,card,empty\n");
	for (int i = 0; i < 20; i++)
		ag_buf_addf(&in, "%d,user%d@bank.com.tw,0912-345-%03d,4111111111111111,\n",
			    1000 + i, i, i);
	res = profile_mem(in.buf, in.len, NULL);
	assert_non_null(warning(col(res, 0), AG_WARN_UNIQUE_KEY));
	assert_non_null(warning(col(res, 1), AG_WARN_EMAIL));
	assert_non_null(warning(col(res, 2), AG_WARN_PHONE));
	assert_non_null(warning(col(res, 3), AG_WARN_CARD_NUMBER));
	assert_int_equal(col(res, 4)->type, AG_TYPE_EMPTY);
	assert_non_null(warning(col(res, 4), AG_WARN_ALL_MISSING));
	/* no false alarms on the others */
	assert_null(warning(col(res, 1), AG_WARN_NATIONAL_ID));
	assert_null(warning(col(res, 0), AG_WARN_PHONE));
	ag_profile_result_free(res);
	ag_buf_release(&in);
}

static void make_numbers(struct ag_buf *in, size_t rows)
{
	uint64_t s = 99;
	ag_buf_addstr(in, "u,k,t\n");
	for (size_t i = 0; i < rows; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		ag_buf_addf(in, "%.6f,%llu,w%llu\n", (double)(s >> 11) / 9007199254740992.0,
			    (unsigned long long)(s % 50), (unsigned long long)(s % 5000));
	}
}

static void test_profile_beyond_the_budget_states_its_error(void **state)
{
	struct ag_profile_options small, big;
	struct ag_profile_result *exact, *approx;
	struct ag_buf in;
	(void)state;
	ag_buf_init(&in);
	make_numbers(&in, 200000);
	ag_profile_options_init(&big);
	ag_profile_options_init(&small);
	small.memory_budget = 64 * 1024;
	exact = profile_mem(in.buf, in.len, &big);
	approx = profile_mem(in.buf, in.len, &small);
	const struct ag_column_profile *e = col(exact, 0), *a = col(approx, 0);
	assert_true(e->quantiles_exact);
	assert_false(a->quantiles_exact);
	near(a->quantile_rank_error, ag_kll_rank_error(400));
	/* u is uniform on [0,1): a rank error of r is a value error of ~r. */
	for (int i = 0; i < 7; i++)
		assert_true(fabs(a->quantiles[i] - e->quantiles[i]) <= a->quantile_rank_error);
	/* moments stay exact */
	near(a->mean, e->mean);
	near(a->std, e->std);
	assert_true(e->distinct_exact);
	assert_false(a->distinct_exact);
	assert_true(fabs(a->distinct - e->distinct) <= 3 * a->distinct_rel_error * e->distinct);
	/* k has 50 values: its frequency table is exact either way */
	assert_true(col(approx, 1)->quantiles_exact && col(approx, 1)->distinct == 50);
	assert_true(approx->memory_used_peak <= small.memory_budget);
	ag_profile_result_free(exact);
	ag_profile_result_free(approx);
	ag_buf_release(&in);
}

static void test_profile_merge_equals_one_pass(void **state)
{
	struct ag_buf in, first, second;
	struct ag_profile *a, *b;
	struct ag_profile_result *whole, *merged;
	struct ag_csv_reader *r;
	struct ag_csv_batch batch;
	struct ag_err err;
	const char *names[3] = { "u", "k", "t" };
	(void)state;
	ag_buf_init(&in);
	make_numbers(&in, 40000);
	whole = profile_mem(in.buf, in.len, NULL);
	/* split after the row that ends at the middle of the text */
	const char *mid = strchr(in.buf + in.len / 2, '\n') + 1;
	ag_buf_init(&first);
	ag_buf_init(&second);
	ag_buf_add(&first, in.buf, (size_t)(mid - in.buf));
	ag_buf_addstr(&second, "u,k,t\n");
	ag_buf_add(&second, mid, in.len - (size_t)(mid - in.buf));
	struct ag_buf *parts[2] = { &first, &second };
	struct ag_profile **accs[2] = { &a, &b };
	for (int k = 0; k < 2; k++) {
		assert_int_equal(ag_profile_new(accs[k], 3, names, NULL, &err), 0);
		assert_int_equal(ag_csv_open_mem(&r, parts[k]->buf, parts[k]->len, "t.csv",
						 NULL, &err), 0);
		while (ag_csv_next_batch(r, &batch, &err) == 1)
			assert_int_equal(ag_profile_add_batch(*accs[k], r, &batch, &err), 0);
		ag_csv_free(r);
	}
	assert_int_equal(ag_profile_merge(a, b, &err), 0);
	assert_int_equal(ag_profile_finish(a, "t.csv", in.len, &merged, &err), 0);
	assert_int_equal(merged->rows, whole->rows);
	for (size_t c = 0; c < 3; c++) {
		const struct ag_column_profile *w = col(whole, c), *m = col(merged, c);
		assert_int_equal(m->count, w->count);
		assert_true(m->distinct == w->distinct);
		assert_int_equal(m->type, w->type);
		if (w->has_numeric) {
			near(m->min, w->min);
			near(m->max, w->max);
			near(m->mean, w->mean);
			near(m->std, w->std);
			for (int i = 0; i < 7; i++)
				assert_true(m->quantiles[i] == w->quantiles[i]);
		}
		assert_int_equal(m->ntop, w->ntop);
		for (size_t t = 0; t < w->ntop; t++)
			assert_int_equal(m->top[t].count, w->top[t].count);
	}
	ag_profile_free(a);
	ag_profile_free(b);
	ag_profile_result_free(whole);
	ag_profile_result_free(merged);
	ag_buf_release(&in);
	ag_buf_release(&first);
	ag_buf_release(&second);
}

/* ag_profile_csv with NULL options and 1 or 3 threads on a 4 MB file with
 * quoted newlines: the same counts, types, distinct counts, quantiles and
 * top values; mean and std within 1e-12. */
static void test_profile_csv_threads_equal_one_reader(void **state)
{
	char path[] = "/tmp/aigov-test-profile-XXXXXX";
	struct ag_profile_options o;
	struct ag_profile_result *one, *three;
	struct ag_err err;
	int fd = mkstemp(path);
	FILE *f;
	uint64_t s = 7;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("id,amount,grade,note\n", f);
	for (int i = 0; i < 120000; i++) {
		s ^= s << 13; s ^= s >> 7; s ^= s << 17;
		fprintf(f, "%d,%.2f,%c,%s\n", i, (double)(s % 1000000) / 100, 'A' + (int)(s >> 60) % 5,
			i % 97 ? "ok" : "\"two\nlines, \"\"quoted\"\"\"");
	}
	assert_int_equal(fclose(f), 0);
	ag_profile_options_init(&o);
	ag_err_clear(&err);
	o.threads = 1;
	if (ag_profile_csv(path, NULL, &o, &one, &err))
		fail_msg("%s", err.msg);
	o.threads = 3;
	if (ag_profile_csv(path, NULL, &o, &three, &err))
		fail_msg("%s", err.msg);
	unlink(path);
	assert_int_equal(one->rows, 120000);
	assert_int_equal(three->rows, one->rows);
	assert_int_equal(three->bytes, one->bytes);
	for (size_t c = 0; c < one->ncols; c++) {
		const struct ag_column_profile *a = &one->cols[c], *b = &three->cols[c];
		assert_int_equal(a->type, b->type);
		assert_int_equal(a->count, b->count);
		assert_int_equal(a->missing, b->missing);
		assert_true(a->distinct == b->distinct && a->distinct_exact == b->distinct_exact);
		assert_memory_equal(a->kinds, b->kinds, sizeof(a->kinds));
		assert_int_equal(a->ntop, b->ntop);
		for (size_t k = 0; k < a->ntop; k++) {
			assert_string_equal(a->top[k].value, b->top[k].value);
			assert_int_equal(a->top[k].count, b->top[k].count);
		}
		if (!a->has_numeric)
			continue;
		assert_true(a->min == b->min && a->max == b->max);
		assert_memory_equal(a->quantiles, b->quantiles, sizeof(a->quantiles));
		assert_true(fabs(a->mean - b->mean) <= 1e-12 * fabs(a->mean));
		assert_true(fabs(a->std - b->std) <= 1e-12 * fabs(a->std));
	}
	assert_int_equal(one->cols[3].distinct, 2); /* "ok" and the quoted one */
	ag_profile_result_free(one);
	ag_profile_result_free(three);
}

/* Compare a profile with a reference written by
 * tests/tools/make_pandas_reference.py (column,statistic,value). */
static void compare_with_reference(const char *data, const char *ref)
{
	struct ag_profile_result *res;
	struct ag_csv_reader *r;
	struct ag_csv_batch b;
	struct ag_err err;
	int rc, checked = 0;

	ag_err_clear(&err);
	if (ag_profile_csv(data, NULL, NULL, &res, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(ag_csv_open(&r, ref, NULL, &err), 0);
	while ((rc = ag_csv_next_batch(r, &b, &err)) == 1) {
		for (size_t i = 0; i < b.nrows; i++) {
			struct ag_str name = ag_csv_get(&b, i, 0);
			struct ag_str stat = ag_csv_get(&b, i, 1);
			double want, got = NAN;
			const struct ag_column_profile *c = NULL;

			assert_int_equal(ag_csv_get_double(r, &b, i, 2, &want, &err), 0);
			for (size_t k = 0; k < res->ncols; k++)
				if (ag_str_eq_cstr(name, res->cols[k].name))
					c = &res->cols[k];
			if (!c)
				fail_msg("column %.*s missing", (int)name.len, name.ptr);
			if (ag_str_eq_cstr(stat, "count"))
				got = (double)c->count;
			else if (ag_str_eq_cstr(stat, "missing"))
				got = (double)c->missing;
			else if (ag_str_eq_cstr(stat, "nunique"))
				got = c->distinct;
			else if (ag_str_eq_cstr(stat, "min"))
				got = c->min;
			else if (ag_str_eq_cstr(stat, "max"))
				got = c->max;
			else if (ag_str_eq_cstr(stat, "mean"))
				got = c->mean;
			else if (ag_str_eq_cstr(stat, "std"))
				got = c->std;
			else if (stat.len > 1 && stat.ptr[0] == 'q') {
				double p;
				assert_true(ag_parse_double(stat.ptr + 1, stat.len - 1, &p));
				for (int q = 0; q < AG_PROFILE_NQ; q++)
					if (ag_profile_probs[q] == p)
						got = c->quantiles[q];
			}
			if (!(fabs(got - want) <= 1e-9 * fmax(1, fabs(want))))
				fail_msg("%s %.*s %.*s: aigov %.17g, pandas %.17g", data,
					 (int)name.len, name.ptr, (int)stat.len, stat.ptr, got, want);
			checked++;
		}
	}
	assert_int_equal(rc, 0);
	assert_true(checked > 20);
	ag_csv_free(r);
	ag_profile_result_free(res);
}

static void test_profile_equals_pandas_on_generated_file(void **state)
{
	(void)state;
	compare_with_reference(AIGOV_TEST_DATA "/pandas_input.csv",
			       AIGOV_TEST_DATA "/pandas_reference.csv");
}

#define TAIWAN AIGOV_TEST_DATA "/../../../shared/data/taiwan_credit_default.csv"

static void test_profile_equals_pandas_on_taiwan_credit_data(void **state)
{
	(void)state;
	compare_with_reference(TAIWAN, AIGOV_TEST_DATA "/taiwan_credit_reference.csv");
}

/* `test_profile --real-data` runs only the cross-check on ../shared/data,
 * and exits 77 (ctest: "Skipped", listed in the summary) without it. */
static int run_real_data(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_equals_pandas_on_taiwan_credit_data),
	};
	if (access(TAIWAN, R_OK) != 0) {
		fprintf(stderr, "SKIPPED: %s not found: the cross-check with pandas "
				"on real data did not run\n", TAIWAN);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_small_file_matches_hand_computation),
		cmocka_unit_test(test_profile_flags_identifiers_and_personal_data),
		cmocka_unit_test(test_profile_beyond_the_budget_states_its_error),
		cmocka_unit_test(test_profile_merge_equals_one_pass),
		cmocka_unit_test(test_profile_csv_threads_equal_one_reader),
		cmocka_unit_test(test_profile_equals_pandas_on_generated_file),
	};

	if (argc > 1 && strcmp(argv[1], "--real-data") == 0)
		return run_real_data();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
