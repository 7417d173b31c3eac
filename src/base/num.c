/*
 * Number parsing is on the CSV profiler's hot path (one call per field), so
 * it has a fast path: when the decimal mantissa has at most 19 significant
 * digits, fits in 2^53, and the power of ten is at most 22, then
 * mantissa * 10^e (or / 10^-e) is one correctly rounded IEEE operation on
 * exact operands (Clinger 1990, "How to read floating point numbers
 * accurately").  Everything else goes to strtod_l() in the "C" locale, which
 * is correctly rounded.  printf goes through uselocale(), which changes the
 * locale of the calling thread only.
 */
#define _GNU_SOURCE
#include "aigov/num.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale; /* immutable after init; (locale_t)0 if unavailable */

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t get_c_locale(void)
{
	pthread_once(&c_locale_once, c_locale_init);
	return c_locale;
}

static const double exact_pow10[23] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const uint64_t pow10_u64[20] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000),
	UINT64_C(10000), UINT64_C(100000), UINT64_C(1000000),
	UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
	UINT64_C(10000000000), UINT64_C(100000000000),
	UINT64_C(1000000000000), UINT64_C(10000000000000),
	UINT64_C(100000000000000), UINT64_C(1000000000000000),
	UINT64_C(10000000000000000), UINT64_C(100000000000000000),
	UINT64_C(1000000000000000000), UINT64_C(10000000000000000000),
};

#define TWO_53 (UINT64_C(1) << 53)

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool parse_general(const char *s, size_t len, struct ag_number *out);

static void trim(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len;

	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	*s = p;
	*len = n;
}

static bool slow_parse(const char *s, size_t len, double *out)
{
	char stack[128];
	char *copy = stack;
	char *end;
	locale_t loc = get_c_locale();
	double v;

	if (!loc)
		return false;
	if (len >= sizeof(stack)) {
		copy = malloc(len + 1);
		if (!copy)
			return false;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	v = strtod_l(copy, &end, loc);
	if (copy != stack)
		free(copy);
	*out = v;
	return true;
}

bool ag_parse_double(const char *s, size_t len, double *out)
{
	bool integer;

	return ag_parse_number(s, len, out, &integer);
}

/* Add the run of digits at *pp (before end) to *m: *m = *m * 10^k + run;
 * returns k.  The caller bounds the digits (at most 19 in all), so *m
 * cannot overflow.  Measured slower on the benchmark: eight digits at a
 * time in a register (SWAR, as simdjson does) and two digits per step.
 * The runs are short, and this loop keeps the dependency chain on *m
 * shortest; a column of like values predicts its exit well. */
static inline size_t scan_digits(const char **pp, const char *end, uint64_t *m)
{
	const char *p = *pp;

	while (p < end && is_digit(*p))
		*m = *m * 10 + (uint64_t)(*p++ - '0');
	size_t k = (size_t)(p - *pp);
	*pp = p;
	return k;
}

/*
 * The shape of most numbers in a CSV file: an optional sign, digits, an
 * optional fraction, at most 19 characters, so that the mantissa fits a
 * uint64_t without an overflow check per digit.  Returns false when the
 * input has another shape (the general parser then decides).
 */
static bool parse_simple(const char *s, size_t len, struct ag_number *out)
{
	const char *p = s, *end = s + len;
	uint64_t m = 0;
	size_t frac = 0;
	bool neg = false, point = false;
	double v;

	if (len == 0 || len > 19)
		return false;
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (!scan_digits(&p, end, &m))
		return false;
	if (p != end) {
		if (*p != '.')
			return false;
		p++;
		point = true;
		frac = scan_digits(&p, end, &m);
		if (p != end)
			return false;
	}
	if (m > TWO_53)
		return false;
	/* m and 10^frac (frac <= 18) are exact: one correctly rounded
	 * division (Clinger 1990), and negation is exact. */
	v = (double)m;
	if (frac)
		v /= exact_pow10[frac];
	out->value = neg ? -v : v;
	out->integer = !point;
	out->decimal = true;
	out->neg = neg;
	out->scale = (uint8_t)frac;
	out->mantissa = m;
	return true;
}

bool ag_parse_decimal(const char *s, size_t len, struct ag_number *out)
{
	if (parse_simple(s, len, out))
		return true;
	return parse_general(s, len, out);
}

bool ag_parse_number(const char *s, size_t len, double *out, bool *integer)
{
	struct ag_number n;

	if (!ag_parse_decimal(s, len, &n))
		return false;
	*out = n.value;
	*integer = n.integer;
	return true;
}

/* The rare shapes (spaces, exponents, long mantissas); out of line, so
 * that the fast path inlined into its callers stays small. */
__attribute__((noinline)) static bool parse_general(const char *s, size_t len,
						    struct ag_number *out)
{
	const char *p, *end;
	bool neg = false;
	uint64_t mant = 0;
	int digits = 0;      /* significant digits kept in mant */
	int dropped = 0;     /* integer digits beyond 19, scale by 10 each */
	int frac_kept = 0;   /* fraction digits that went into mant */
	bool any = false, inexact = false, saw_point = false, saw_exp = false;
	long exp10 = 0;
	struct ag_number r = { 0 };

	trim(&s, &len);
	if (!len)
		return false;
	p = s;
	end = s + len;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	for (; p < end && is_digit(*p); p++) {
		any = true;
		if (mant == 0 && *p == '0')
			continue;
		if (digits < 19) {
			mant = mant * 10 + (uint64_t)(*p - '0');
			digits++;
		} else {
			dropped++;
			inexact = true;
		}
	}
	if (p < end && *p == '.') {
		saw_point = true;
		p++;
		for (; p < end && is_digit(*p); p++) {
			any = true;
			if (mant == 0 && *p == '0') {
				frac_kept++;
				continue;
			}
			if (digits < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				digits++;
				frac_kept++;
			} else {
				inexact = true;
			}
		}
	}
	if (!any)
		return false;
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool eneg = false;

		saw_exp = true;
		bool edig = false;

		p++;
		if (p < end && (*p == '+' || *p == '-')) {
			eneg = *p == '-';
			p++;
		}
		for (; p < end && is_digit(*p); p++) {
			edig = true;
			if (exp10 < 100000)
				exp10 = exp10 * 10 + (*p - '0');
		}
		if (!edig)
			return false;
		if (eneg)
			exp10 = -exp10;
	}
	if (p != end)
		return false;

	/* An integer literal: no point, no exponent, and within int64 (19
	 * digits may not be, so ask the exact parser). */
	r.integer = !saw_point && !saw_exp &&
		    (digits + dropped < 19 ||
		     (digits + dropped == 19 && ag_parse_int64(s, len, &(int64_t){ 0 })));
	r.neg = neg;
	exp10 += dropped - frac_kept;
	if (!inexact && mant <= TWO_53) {
		double v = (double)mant;

		if (mant == 0) {
			r.value = neg ? -0.0 : 0.0;
			r.decimal = true;
			*out = r;
			return true;
		}
		if (exp10 >= 0 && exp10 <= 22) {
			v *= exact_pow10[exp10];
			r.value = neg ? -v : v;
			/* An integer: decimal when it is still exact. */
			if (exp10 < 20 && mant <= TWO_53 / pow10_u64[exp10]) {
				r.decimal = true;
				r.mantissa = mant * pow10_u64[exp10];
			}
			*out = r;
			return true;
		}
		if (exp10 < 0 && exp10 >= -22) {
			v /= exact_pow10[-exp10];
			r.value = neg ? -v : v;
			r.decimal = true;
			r.scale = (uint8_t)-exp10;
			r.mantissa = mant;
			*out = r;
			return true;
		}
	}
	if (!slow_parse(s, len, &r.value))
		return false;
	*out = r;
	return true;
}

bool ag_parse_int64(const char *s, size_t len, int64_t *out)
{
	const char *p, *end;
	bool neg = false;
	uint64_t v = 0;
	uint64_t limit;

	trim(&s, &len);
	if (!len)
		return false;
	p = s;
	end = s + len;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	if (p == end)
		return false;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		if (!is_digit(*p))
			return false;
		if (v > (limit - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return true;
}

static size_t fmt_g(char out[AG_FMT_DOUBLE_MAX], int prec, double v)
{
	locale_t loc = get_c_locale();
	locale_t old = (locale_t)0;
	int n;

	if (loc)
		old = uselocale(loc);
	n = snprintf(out, AG_FMT_DOUBLE_MAX, "%.*g", prec, v);
	if (loc)
		uselocale(old);
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n < AG_FMT_DOUBLE_MAX ? (size_t)n : AG_FMT_DOUBLE_MAX - 1;
}

size_t ag_fmt_double(char out[AG_FMT_DOUBLE_MAX], double v)
{
	if (isnan(v)) {
		strcpy(out, "nan");
		return 3;
	}
	if (isinf(v)) {
		strcpy(out, v < 0 ? "-inf" : "inf");
		return v < 0 ? 4 : 3;
	}
	for (int prec = 15; prec <= 17; prec++) {
		size_t n = fmt_g(out, prec, v);
		double back;

		if (prec == 17 || (ag_parse_double(out, n, &back) && back == v))
			return n;
	}
	return 0; /* not reached */
}

size_t ag_fmt_g(char out[AG_FMT_DOUBLE_MAX], double v, int prec)
{
	if (!isfinite(v))
		return ag_fmt_double(out, v);
	if (prec < 1)
		prec = 1;
	if (prec > 17)
		prec = 17;
	return fmt_g(out, prec, v);
}
