/*
 * num: locale-independent number parsing and printing.
 *
 * strtod(3) and printf(3) follow LC_NUMERIC: under de_DE.UTF-8 they read and
 * write "3,5".  Our CLI calls setlocale(LC_ALL, "") for zh-TW messages, so
 * the library must never depend on LC_NUMERIC.  These functions give the
 * same result whatever the locale and are thread-safe.
 */
#ifndef AIGOV_NUM_H
#define AIGOV_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parse the whole of s[0..len) as a decimal floating-point number:
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, with ASCII
 * spaces/tabs allowed around it.  No hex, no "inf"/"nan", no thousands
 * separators.  Correctly rounded (fast exact path for short mantissas,
 * strtod_l in the "C" locale otherwise).  Returns false, leaving *out
 * unchanged, when s is not such a number.  Overflow gives +-HUGE_VAL.
 */
bool ag_parse_double(const char *s, size_t len, double *out);

/* ag_parse_double that also tells whether s is an integer literal
 * ([+-]?digits, within int64), in one pass. */
bool ag_parse_number(const char *s, size_t len, double *out, bool *integer);

/*
 * A parsed number with, when it has one, its decimal form: the digits as
 * written, so that a consumer can store a short decimal in fewer bytes
 * than a double and get the same double back.
 */
struct ag_number {
	double value;
	bool integer;      /* an integer literal ([+-]?digits) within int64 */
	/* When `decimal`: value is mantissa / 10^scale, negated when `neg`,
	 * correctly rounded (so -0.0 when neg and mantissa is 0).  Because
	 * mantissa <= 2^53 and scale <= 22, both operands are exact doubles and
	 * (double)M / 1e<S> gives this value for any M, S denoting the same
	 * decimal (5 / 10^1 == 50 / 10^2 == 0.5). */
	bool decimal;
	bool neg;
	uint8_t scale;
	uint64_t mantissa;
};

/* ag_parse_number with the decimal form; same grammar and result.  `out`
 * is fully written on success and unchanged on failure. */
bool ag_parse_decimal(const char *s, size_t len, struct ag_number *out);

/* Parse the whole of s[0..len) as [+-]?digits (spaces allowed around it).
 * False when it is not an integer or does not fit int64_t. */
bool ag_parse_int64(const char *s, size_t len, int64_t *out);

#define AG_FMT_DOUBLE_MAX 32

/*
 * Write the shortest decimal form of v that reads back as the same double
 * ("%.15g", else "%.16g", else "%.17g", always with '.'), NUL-terminated,
 * into out (AG_FMT_DOUBLE_MAX bytes).  NaN and infinities are written as
 * "nan", "inf", "-inf".  Returns the length.
 */
size_t ag_fmt_double(char out[AG_FMT_DOUBLE_MAX], double v);

/* "%.*g" with '.' whatever the locale (prec 1..17); returns the length. */
size_t ag_fmt_g(char out[AG_FMT_DOUBLE_MAX], double v, int prec);

#endif
