/* RFC 8785 canonical JSON (include/aigov/jcs.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/buf.h"
#include "aigov/jcs.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *canon(const char *in, struct ag_err *err, int *rc)
{
	struct ag_buf b;

	ag_buf_init(&b);
	ag_err_clear(err);
	*rc = ag_jcs_canonicalize(&b, in, strlen(in), "t.json", false, err);
	return ag_buf_detach(&b, NULL);
}

static void expect_canon(const char *in, const char *want)
{
	struct ag_err err;
	int rc;
	char *got = canon(in, &err, &rc);

	if (rc)
		fail_msg("%s: %s", in, err.msg);
	assert_string_equal(got, want);
	free(got);
}

/* Every number of tests/data/jcs_numbers.tsv, written by node (ECMAScript's
 * own Number::toString) with tests/tools/make_jcs_reference.js. */
static void test_jcs_numbers_match_ecmascript(void **state)
{
	FILE *f = fopen(AIGOV_TEST_DATA "/jcs_numbers.tsv", "r");
	char line[128];
	size_t n = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char out[AG_JCS_NUMBER_MAX], *tab = strchr(line, '\t');
		unsigned long long bits;
		double v;

		assert_non_null(tab);
		*tab = '\0';
		tab[strcspn(tab + 1, "\n") + 1] = '\0';
		bits = strtoull(line, NULL, 16);
		memcpy(&v, &bits, sizeof(v));
		ag_jcs_number(out, v);
		if (strcmp(out, tab + 1) != 0)
			fail_msg("bits %s: got %s, ECMAScript says %s", line, out, tab + 1);
		n++;
	}
	fclose(f);
	assert_true(n > 2000);
}

static void test_jcs_numbers_ignore_the_locale(void **state)
{
	char out[AG_JCS_NUMBER_MAX];

	(void)state;
	/* A decimal-comma locale must not leak into what we hash. */
	if (!setlocale(LC_ALL, "de_DE.UTF-8"))
		skip();
	ag_jcs_number(out, 333333333.3333332);
	assert_string_equal(out, "333333333.3333332");
	ag_jcs_number(out, 1.5e-30);
	assert_string_equal(out, "1.5e-30");
	/* jansson's reader, too, must read a decimal point here. */
	expect_canon("[1.25,0.5e1]", "[1.25,5]");
	setlocale(LC_ALL, "C");
}

static void test_jcs_rejects_nonfinite(void **state)
{
	char out[AG_JCS_NUMBER_MAX];
	double zero = 0;

	(void)state;
	assert_int_equal(ag_jcs_number(out, 1 / zero), 0);
	assert_int_equal(ag_jcs_number(out, zero / zero), 0);
}

/* RFC 8785 section 3.2.3: member names sort by UTF-16 code units, so
 * U+1F600 (D83D DE00) comes before U+FB33 although its UTF-8 is larger. */
static void test_jcs_sorts_members_by_utf16_code_units(void **state)
{
	(void)state;
	expect_canon("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\","
		     "\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":\"One\","
		     "\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
		     "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}",
		     "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
		     "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
		     "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
		     "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

/* RFC 8785 section 3.2.2.2 and the example of its section 3.2.4. */
static void test_jcs_escapes_only_what_it_must(void **state)
{
	(void)state;
	expect_canon("{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],"
		     " \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\","
		     " \"literals\": [null, true, false]}",
		     "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
		     "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
	expect_canon("\"\\b\\f\\t\\u001f\\u007f\"", "\"\\b\\f\\t\\u001f\x7f\"");
}

static void test_jcs_integers_beyond_2_pow_53_are_refused(void **state)
{
	struct ag_err err;
	int rc;
	char *out;

	(void)state;
	expect_canon("[9007199254740991,-9007199254740991]",
		     "[9007199254740991,-9007199254740991]");
	/* The canonical form decides, not the spelling: 1e16 would be
	 * written 10000000000000000, an integer no reader agrees on, while
	 * 1e21 is written 1e+21 (found by fuzz/fuzz_jcs.c). */
	out = canon("[1e16]", &err, &rc);
	free(out);
	assert_int_equal(rc, AG_EPARSE);
	expect_canon("[1e21,-1.5e300]", "[1e+21,-1.5e+300]");
	out = canon("{\"a\":{\"b\":[1,9007199254740993]}}", &err, &rc);
	free(out);
	assert_int_equal(rc, AG_EPARSE);
	assert_non_null(strstr(err.msg, "$.a.b[1]"));
	assert_non_null(strstr(err.msg, "as a string"));
}

static void test_jcs_reports_where_the_json_is_broken(void **state)
{
	struct ag_err err;
	int rc;
	char *out;

	(void)state;
	out = canon("{\"a\": 1,\n  \"b\": tru}", &err, &rc);
	free(out);
	assert_int_equal(rc, AG_EPARSE);
	assert_true(!strncmp(err.msg, "t.json:2:", 9));
	out = canon("{\"a\":1,\"a\":2}", &err, &rc);
	free(out);
	assert_int_equal(rc, AG_EPARSE);
	assert_non_null(strstr(err.msg, "duplicate"));
	out = canon("\"\xff\"", &err, &rc);
	free(out);
	assert_int_equal(rc, AG_EPARSE);
}

static void test_jcs_wants_an_object_when_asked(void **state)
{
	struct ag_buf b;
	struct ag_err err;

	(void)state;
	ag_buf_init(&b);
	assert_int_equal(ag_jcs_canonicalize(&b, "[1]", 3, "--data", true, &err), AG_EPARSE);
	assert_string_equal(err.msg, "--data: expected a JSON object ({...})");
	assert_int_equal(b.len, 0);
	ag_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jcs_numbers_match_ecmascript),
		cmocka_unit_test(test_jcs_numbers_ignore_the_locale),
		cmocka_unit_test(test_jcs_rejects_nonfinite),
		cmocka_unit_test(test_jcs_sorts_members_by_utf16_code_units),
		cmocka_unit_test(test_jcs_escapes_only_what_it_must),
		cmocka_unit_test(test_jcs_integers_beyond_2_pow_53_are_refused),
		cmocka_unit_test(test_jcs_reports_where_the_json_is_broken),
		cmocka_unit_test(test_jcs_wants_an_object_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
