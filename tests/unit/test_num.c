/* Locale-independent number parsing and printing (include/aigov/num.h). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/num.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse(const char *s, double *d)
{
	return ag_parse_double(s, strlen(s), d);
}

/* The reference: glibc's correctly rounded strtod in the C locale. */
static double reference(const char *s)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	double v = strtod_l(s, NULL, c);
	freelocale(c);
	return v;
}

static void test_parse_double_accepts_decimal_forms(void **state)
{
	static const char *const ok[] = { "0", "-0", "+3", "3.", ".5", "-.5",
		"1e5", "1E+5", "2.5e-3", " 7 ", "\t8.25", "007", "0.4338",
		"123456789012345678", "1234567890123456789012", "1e308" };
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		double d;
		assert_true(parse(ok[i], &d));
		assert_true(d == reference(ok[i]));
	}
}

static void test_parse_double_rejects_non_numbers(void **state)
{
	static const char *const bad[] = { "", " ", "-", "+", ".", "e5", "1e",
		"1e+", "1.2.3", "1,5", "0x10", "inf", "nan", "NaN", "1 2", "--1",
		"12a", "١٢" };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double d = 42;
		assert_false(parse(bad[i], &d));
		assert_true(d == 42); /* untouched on failure */
	}
}

static void test_parse_double_is_correctly_rounded(void **state)
{
	/* Values where naive digit-by-digit accumulation rounds wrongly. */
	static const char *const hard[] = { "0.1", "0.3", "2.2250738585072014e-308",
		"4.9406564584124654e-324", "9007199254740993", "9007199254740992.5",
		"1.7976931348623157e308", "0.30000000000000004",
		"123456789.123456789", "1e23", "8.41e21", "5e-324",
		"179769313486231580793728971405301e276", "0.000001", "3.14159265358979323846" };
	(void)state;
	for (size_t i = 0; i < sizeof(hard) / sizeof(hard[0]); i++) {
		double d;
		assert_true(parse(hard[i], &d));
		assert_true(d == reference(hard[i]));
	}
}

static void test_parse_double_matches_strtod_on_random_decimals(void **state)
{
	uint64_t x = 88172645463325252u;
	(void)state;
	for (int i = 0; i < 100000; i++) {
		char s[64];
		double d;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int digits = 1 + (int)(x % 20), point = (int)((x >> 8) % 22);
		int exp = (int)((x >> 16) % 80) - 40;
		size_t n = 0;
		for (int k = 0; k < digits; k++) {
			if (k == point)
				s[n++] = '.';
			x = x * 6364136223846793005u + 1442695040888963407u;
			s[n++] = (char)('0' + (x >> 60) % 10);
		}
		n += (size_t)snprintf(s + n, sizeof(s) - n, (x & 1) ? "e%d" : "", exp);
		s[n] = '\0';
		assert_true(parse(s, &d));
		if (d != reference(s))
			fail_msg("%s: got %.17g want %.17g", s, d, reference(s));
	}
}

static void test_parse_number_tells_integers(void **state)
{
	double d;
	bool integer;
	(void)state;
	assert_true(ag_parse_number("42", 2, &d, &integer));
	assert_true(integer && d == 42);
	assert_true(ag_parse_number("-42", 3, &d, &integer));
	assert_true(integer && d == -42);
	assert_true(ag_parse_number("42.0", 4, &d, &integer));
	assert_false(integer);
	assert_true(ag_parse_number("4e2", 3, &d, &integer));
	assert_false(integer);
	/* INT64_MAX is an integer literal; one more is not. */
	assert_true(ag_parse_number("9223372036854775807", 19, &d, &integer));
	assert_true(integer);
	assert_true(ag_parse_number("9223372036854775808", 19, &d, &integer));
	assert_false(integer);
}

/* The decimal form is the digits as written; hand-checked cases. */
static void test_parse_decimal_gives_the_digits_as_written(void **state)
{
	static const struct {
		const char *s;
		bool decimal, neg;
		uint64_t mantissa;
		unsigned scale;
	} cases[] = {
		{ "25542.33", true, false, 2554233, 2 },
		{ "0.182335", true, false, 182335, 6 },
		{ "-0.50", true, true, 50, 2 },
		{ "+7", true, false, 7, 0 },
		{ " 12 ", true, false, 12, 0 },       /* general path: spaces */
		{ "2.5e-3", true, false, 25, 4 },     /* 25 / 10^4 */
		{ "1.5e3", true, false, 1500, 0 },    /* an exact integer */
		{ ".5", true, false, 5, 1 },
		{ "-0", true, true, 0, 0 },           /* -0.0: neg, mantissa 0 */
		{ "1e30", false, false, 0, 0 },       /* beyond 2^53 */
		{ "12345678901234567890", false, false, 0, 0 },
		{ "0.1234567890123456789", false, false, 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ag_number n;
		const char *s = cases[i].s;
		assert_true(ag_parse_decimal(s, strlen(s), &n));
		assert_true(memcmp(&n.value, &(double){ reference(s) }, sizeof(double)) == 0);
		if (n.decimal != cases[i].decimal)
			fail_msg("%s: decimal %d", s, n.decimal);
		if (!n.decimal)
			continue;
		assert_true(n.neg == cases[i].neg);
		assert_true(n.mantissa == cases[i].mantissa);
		assert_int_equal(n.scale, cases[i].scale);
	}
}

/* The property the value array relies on: mantissa / 10^scale, negated
 * when neg, is the parsed double bit for bit, also rescaled by 10^k. */
static void test_parse_decimal_form_reads_back_bit_for_bit(void **state)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
		1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
		1e19, 1e20, 1e21, 1e22 };
	uint64_t x = 0x2545f4914f6cdd1du;
	size_t decimals = 0;
	(void)state;
	for (int i = 0; i < 200000; i++) {
		char s[40];
		struct ag_number n;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int digits = 1 + (int)(x % 18), point = (int)((x >> 8) % 20);
		size_t len = 0;
		if (x & (1u << 20))
			s[len++] = '-';
		for (int k = 0; k < digits; k++) {
			if (k == point)
				s[len++] = '.';
			s[len++] = (char)('0' + (x >> (24 + 2 * (k % 16))) % 10);
		}
		if ((x >> 62) == 0)
			len += (size_t)snprintf(s + len, sizeof(s) - len, "e-%d",
						(int)((x >> 56) % 6));
		s[len] = '\0';
		assert_true(ag_parse_decimal(s, len, &n));
		assert_true(n.value == reference(s));
		if (!n.decimal)
			continue;
		decimals++;
		for (unsigned k = 0; n.scale + k <= 22 && k < 4; k++) {
			if (n.mantissa > (UINT64_C(1) << 53) / 1000)
				break;
			double m = (double)n.mantissa * p10[k];
			double v = m / p10[n.scale + k];
			if (n.neg)
				v = -v;
			if (memcmp(&v, &n.value, sizeof(v)) != 0)
				fail_msg("%s: %.17g at scale %u", s, v, n.scale + k);
		}
	}
	assert_true(decimals > 100000); /* the test sees the common case */
}

static void test_parse_int64_limits(void **state)
{
	int64_t v;
	(void)state;
	assert_true(ag_parse_int64("9223372036854775807", 19, &v));
	assert_true(v == INT64_MAX);
	assert_true(ag_parse_int64("-9223372036854775808", 20, &v));
	assert_true(v == INT64_MIN);
	assert_false(ag_parse_int64("9223372036854775808", 19, &v));
	assert_false(ag_parse_int64("-9223372036854775809", 20, &v));
	assert_false(ag_parse_int64("1.0", 3, &v));
	assert_false(ag_parse_int64("", 0, &v));
	assert_false(ag_parse_int64("-", 1, &v));
	assert_true(ag_parse_int64(" +12 ", 5, &v));
	assert_int_equal(v, 12);
}

static void test_fmt_double_is_shortest_round_trip(void **state)
{
	static const struct { double v; const char *s; } cases[] = {
		{ 0.1, "0.1" }, { 1.0 / 3, "0.3333333333333333" }, { 1e21, "1e+21" },
		/* the first of %.15g/%.16g/%.17g that reads back: 15 digits
		 * suffice for the smallest denormal */
		{ 5e-324, "4.94065645841247e-324" }, { -0.0, "-0" }, { 2.5, "2.5" },
		{ 100, "100" }, { 0.30000000000000004, "0.30000000000000004" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[AG_FMT_DOUBLE_MAX];
		double back;
		ag_fmt_double(out, cases[i].v);
		assert_string_equal(out, cases[i].s);
		assert_true(parse(out, &back) && back == cases[i].v);
	}
	char out[AG_FMT_DOUBLE_MAX];
	ag_fmt_double(out, NAN);
	assert_string_equal(out, "nan");
	ag_fmt_double(out, -INFINITY);
	assert_string_equal(out, "-inf");
}

/* Under a decimal-comma locale the C library reads and writes "3,5"; ours
 * must not.  Env-only LC_ALL does not change a running program, so the
 * test calls setlocale itself. */
static void test_numbers_ignore_a_decimal_comma_locale(void **state)
{
	char out[AG_FMT_DOUBLE_MAX], libc[32];
	double d;
	(void)state;
	if (!setlocale(LC_ALL, "de_DE.UTF-8")) {
		fprintf(stderr, "SKIPPED: locale de_DE.UTF-8 not installed "
				"(scripts/install-deps test installs it)\n");
		skip();
	}
	/* Prove that the locale is active: the test can fail. */
	snprintf(libc, sizeof(libc), "%g", 3.5);
	assert_string_equal(libc, "3,5");
	assert_true(parse("3.5", &d));
	assert_true(d == 3.5);
	assert_false(parse("3,5", &d));
	assert_true(parse("0.4338", &d) && d == reference("0.4338"));
	ag_fmt_double(out, 3.5);
	assert_string_equal(out, "3.5");
	ag_fmt_g(out, 1234.5678, 6);
	assert_string_equal(out, "1234.57");
	setlocale(LC_ALL, "C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_double_accepts_decimal_forms),
		cmocka_unit_test(test_parse_double_rejects_non_numbers),
		cmocka_unit_test(test_parse_double_is_correctly_rounded),
		cmocka_unit_test(test_parse_double_matches_strtod_on_random_decimals),
		cmocka_unit_test(test_parse_number_tells_integers),
		cmocka_unit_test(test_parse_decimal_gives_the_digits_as_written),
		cmocka_unit_test(test_parse_decimal_form_reads_back_bit_for_bit),
		cmocka_unit_test(test_parse_int64_limits),
		cmocka_unit_test(test_fmt_double_is_shortest_round_trip),
		cmocka_unit_test(test_numbers_ignore_a_decimal_comma_locale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
