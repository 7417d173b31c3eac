/*
 * RFC 8785 canonical JSON.  Parsing is jansson's; the writer below follows
 * RFC 8785 section 3.2 exactly, because every byte it writes is hashed.
 */
#include "aigov/jcs.h"

#include "aigov/num.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers (RFC 8785 3.2.2.3 = ECMAScript Number::toString) -------- */

/* Whether the k digits d with decimal exponent e (d1.d2...dk x 10^e) read
 * back as v. */
static bool reads_back(const char *d, int k, int e, double v)
{
	char c[48];
	double back;
	int n = snprintf(c, sizeof(c), "%c.%.*se%d", d[0], k - 1, d + 1, e);

	return ag_parse_double(c, (size_t)n, &back) && back == v;
}

/* Add delta (+1 or -1) to the last of k digits; false when that would
 * change the number of digits (999 + 1, 100 - 1). */
static bool step_digits(char *d, int k, int delta)
{
	int i = k - 1;

	while (i >= 0) {
		if (delta > 0 && d[i] == '9') {
			d[i--] = '0';
		} else if (delta < 0 && d[i] == '0') {
			d[i--] = '9';
		} else {
			d[i] = (char)(d[i] + delta);
			return i > 0 || d[0] != '0';
		}
	}
	return false;
}

/*
 * The shortest digit string d1..dk and exponent n with v = 0.d1..dk * 10^n
 * that reads back as v, and among strings of that length the closest
 * (ECMAScript Number::toString, RFC 8785 3.2.2.3).  printf's %.*e gives
 * the correctly rounded k digits (glibc); the shortest string is usually
 * that one, but at a power of two the interval of values that read back
 * as v is lopsided (the gap below is half the gap above), and there a
 * neighbour of the nearest k digits can read back when the nearest does
 * not.  Cost: up to 17 rounds of format and parse, off the hot path.
 */
static int shortest_digits(double v, char digits[18], int *n)
{
	for (int k = 1; k <= 17; k++) {
		char tmp[40], near[18], up[18], down[18];
		int len = snprintf(tmp, sizeof(tmp), "%.*e", k - 1, v);
		int nd = 0, i = 0, e;

		/* Keep the digits, skip the decimal point (whatever the
		 * locale makes it), stop at the exponent. */
		for (; i < len && tmp[i] != 'e'; i++)
			if (tmp[i] >= '0' && tmp[i] <= '9' && nd < 17)
				near[nd++] = tmp[i];
		near[nd] = '\0';
		e = atoi(tmp + i + 1);
		*n = e + 1;
		if (k == 17 || reads_back(near, nd, e, v)) {
			memcpy(digits, near, (size_t)nd + 1);
			return nd;
		}
		memcpy(up, near, (size_t)nd + 1);
		memcpy(down, near, (size_t)nd + 1);
		bool up_ok = step_digits(up, nd, +1) && reads_back(up, nd, e, v);
		bool down_ok = step_digits(down, nd, -1) && reads_back(down, nd, e, v);
		if (up_ok || down_ok) {
			/* Both cannot read back when the nearest between them does
			 * not; take the one that does. */
			memcpy(digits, up_ok ? up : down, (size_t)nd + 1);
			return nd;
		}
	}
	return 0; /* not reached */
}

size_t ag_jcs_number(char out[AG_JCS_NUMBER_MAX], double v)
{
	char d[18];
	int k, n;
	size_t o = 0;

	if (!isfinite(v))
		return 0;
	if (v == 0) { /* both zeros are "0" */
		out[0] = '0';
		out[1] = '\0';
		return 1;
	}
	if (v < 0) {
		out[o++] = '-';
		v = -v;
	}
	k = shortest_digits(v, d, &n);
	if (k <= n && n <= 21) {            /* 123, 1e20 written out */
		memcpy(out + o, d, (size_t)k);
		o += (size_t)k;
		for (int i = 0; i < n - k; i++)
			out[o++] = '0';
	} else if (0 < n && n <= 21) {      /* 12.5 */
		memcpy(out + o, d, (size_t)n);
		o += (size_t)n;
		out[o++] = '.';
		memcpy(out + o, d + n, (size_t)(k - n));
		o += (size_t)(k - n);
	} else if (-6 < n && n <= 0) {      /* 0.00125 */
		out[o++] = '0';
		out[o++] = '.';
		for (int i = 0; i < -n; i++)
			out[o++] = '0';
		memcpy(out + o, d, (size_t)k);
		o += (size_t)k;
	} else {                            /* 1.5e+21, 5e-324 */
		int e = n - 1;
		out[o++] = d[0];
		if (k > 1) {
			out[o++] = '.';
			memcpy(out + o, d + 1, (size_t)(k - 1));
			o += (size_t)(k - 1);
		}
		o += (size_t)snprintf(out + o, AG_JCS_NUMBER_MAX - o, "e%c%d",
				      e < 0 ? '-' : '+', e < 0 ? -e : e);
	}
	out[o] = '\0';
	return o;
}

/* ---- strings (RFC 8785 3.2.2.2) -------------------------------------- */

int ag_jcs_string(struct ag_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	if (ag_buf_addch(out, '"'))
		return AG_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (ag_buf_add(out, s + run, i - run))
			return AG_ENOMEM;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if (ag_buf_add(out, esc, n))
			return AG_ENOMEM;
	}
	if (ag_buf_add(out, s + run, len - run) || ag_buf_addch(out, '"'))
		return AG_ENOMEM;
	return 0;
}

/* ---- member order (RFC 8785 3.2.3): UTF-16 code units ---------------- */

/* The next UTF-16 code unit of a valid UTF-8 string; *pending carries the
 * low surrogate of a supplementary character.  0 at the end. */
static unsigned next_unit(const unsigned char **p, unsigned *pending)
{
	const unsigned char *s = *p;
	uint32_t cp;

	if (*pending) {
		unsigned u = *pending;
		*pending = 0;
		return u;
	}
	if (!*s)
		return 0;
	if (s[0] < 0x80) {
		cp = s[0];
		s += 1;
	} else if (s[0] < 0xE0) {
		cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
		s += 2;
	} else if (s[0] < 0xF0) {
		cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
		     (s[2] & 0x3F);
		s += 3;
	} else {
		cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
		     (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
		s += 4;
	}
	*p = s;
	if (cp < 0x10000)
		return cp;
	cp -= 0x10000;
	*pending = 0xDC00 + (cp & 0x3FF);
	return 0xD800 + (cp >> 10);
}

static int utf16_cmp(const void *a, const void *b)
{
	const unsigned char *x = *(const unsigned char *const *)a;
	const unsigned char *y = *(const unsigned char *const *)b;
	unsigned px = 0, py = 0;

	for (;;) {
		unsigned ux = next_unit(&x, &px), uy = next_unit(&y, &py);
		if (ux != uy)
			return ux < uy ? -1 : 1;
		if (!ux)
			return 0;
	}
}

/* ---- values ----------------------------------------------------------- */

/* The JSON path of the value being written, for messages: $.a.b[3]. */
struct path {
	char buf[256];
	size_t len;
};

static size_t path_push_key(struct path *p, const char *key)
{
	size_t old = p->len;
	int n = snprintf(p->buf + p->len, sizeof(p->buf) - p->len, ".%s", key);
	if (n > 0)
		p->len = p->len + (size_t)n < sizeof(p->buf) ? p->len + (size_t)n
							    : sizeof(p->buf) - 1;
	return old;
}

static size_t path_push_index(struct path *p, size_t i)
{
	size_t old = p->len;
	int n = snprintf(p->buf + p->len, sizeof(p->buf) - p->len, "[%zu]", i);
	if (n > 0)
		p->len = p->len + (size_t)n < sizeof(p->buf) ? p->len + (size_t)n
							    : sizeof(p->buf) - 1;
	return old;
}

static void path_pop(struct path *p, size_t old)
{
	p->len = old;
	p->buf[old] = '\0';
}

static int write_value(struct ag_buf *out, const json_t *v, struct path *path,
		       const char *name, int depth, struct ag_err *err);

static int write_object(struct ag_buf *out, const json_t *v, struct path *path,
			const char *name, int depth, struct ag_err *err)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys;
	const char *key;
	json_t *member;
	int rc = 0;

	if (!n)
		return ag_buf_add(out, "{}", 2) ? AG_ENOMEM : 0;
	keys = malloc(n * sizeof(*keys));
	if (!keys)
		return ag_err_set(err, AG_ENOMEM, "%s: out of memory", name);
	json_object_foreach((json_t *)v, key, member)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), utf16_cmp);
	if (ag_buf_addch(out, '{'))
		rc = AG_ENOMEM;
	for (i = 0; !rc && i < n; i++) {
		size_t old = path_push_key(path, keys[i]);
		if ((i && ag_buf_addch(out, ',')) ||
		    ag_jcs_string(out, keys[i], strlen(keys[i])) ||
		    ag_buf_addch(out, ':'))
			rc = AG_ENOMEM;
		else
			rc = write_value(out, json_object_get(v, keys[i]), path,
					 name, depth + 1, err);
		path_pop(path, old);
	}
	if (!rc && ag_buf_addch(out, '}'))
		rc = AG_ENOMEM;
	free(keys);
	if (rc == AG_ENOMEM && err->code != AG_ENOMEM)
		ag_err_set(err, AG_ENOMEM, "%s: out of memory", name);
	return rc;
}

static int write_value(struct ag_buf *out, const json_t *v, struct path *path,
		       const char *name, int depth, struct ag_err *err)
{
	char num[AG_JCS_NUMBER_MAX];
	size_t n;

	/* jansson parses at most 2048 levels; we write far fewer. */
	if (depth > 64)
		return ag_err_set(err, AG_EPARSE, "%s: %s: nested deeper than 64 levels",
				  name, path->buf);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return write_object(out, v, path, name, depth, err);
	case JSON_ARRAY:
		if (ag_buf_addch(out, '['))
			return ag_err_set(err, AG_ENOMEM, "%s: out of memory", name);
		for (size_t i = 0; i < json_array_size(v); i++) {
			size_t old = path_push_index(path, i);
			int rc;
			if (i && ag_buf_addch(out, ','))
				return ag_err_set(err, AG_ENOMEM, "%s: out of memory", name);
			rc = write_value(out, json_array_get(v, i), path, name, depth + 1, err);
			path_pop(path, old);
			if (rc)
				return rc;
		}
		return ag_buf_addch(out, ']') ? ag_err_set(err, AG_ENOMEM, "%s: out of memory", name) : 0;
	case JSON_STRING:
		return ag_jcs_string(out, json_string_value(v), json_string_length(v))
			       ? ag_err_set(err, AG_ENOMEM, "%s: out of memory", name) : 0;
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);
		if (i > AG_JCS_MAX_SAFE_INT || i < -AG_JCS_MAX_SAFE_INT)
			return ag_err_set(err, AG_EPARSE,
					  "%s: %s: integer %lld is beyond +-(2^53 - 1), where JSON readers "
					  "disagree (RFC 7493); write it as a string",
					  name, path->buf, (long long)i);
		n = ag_jcs_number(num, (double)i);
		return ag_buf_add(out, num, n) ? ag_err_set(err, AG_ENOMEM, "%s: out of memory", name) : 0;
	}
	case JSON_REAL: {
		double d = json_real_value(v);
		n = ag_jcs_number(num, d);
		if (!n)
			return ag_err_set(err, AG_EPARSE, "%s: %s: not a finite number", name,
					  path->buf);
		/* ECMAScript writes 2^53 <= |d| < 1e21 out in digits
		 * ("1e16" -> "10000000000000000"), an integer literal that the
		 * JSON_INTEGER case refuses: accepting it here would make a
		 * canonical form that does not canonicalize, and a ledger
		 * export that does not verify (found by fuzz/fuzz_jcs.c). */
		if (fabs(d) > AG_JCS_MAX_SAFE_INT && fabs(d) < 1e21)
			return ag_err_set(err, AG_EPARSE,
					  "%s: %s: number %s is an integer beyond +-(2^53 - 1), where JSON "
					  "readers disagree (RFC 7493); write it as a string",
					  name, path->buf, num);
		return ag_buf_add(out, num, n) ? ag_err_set(err, AG_ENOMEM, "%s: out of memory", name) : 0;
	}
	case JSON_TRUE:
		return ag_buf_add(out, "true", 4) ? ag_err_set(err, AG_ENOMEM, "%s: out of memory", name) : 0;
	case JSON_FALSE:
		return ag_buf_add(out, "false", 5) ? ag_err_set(err, AG_ENOMEM, "%s: out of memory", name) : 0;
	case JSON_NULL:
		return ag_buf_add(out, "null", 4) ? ag_err_set(err, AG_ENOMEM, "%s: out of memory", name) : 0;
	}
	return ag_err_set(err, AG_EINVAL, "%s: unknown JSON type", name);
}

int ag_jcs_write(struct ag_buf *out, const json_t *v, const char *name,
		 struct ag_err *err)
{
	struct path path = { "$", 1 };
	size_t start = out->len;
	int rc = write_value(out, v, &path, name, 0, err);

	if (rc) { /* leave out as it was */
		out->len = start;
		out->buf[start] = '\0';
	}
	return rc;
}

int ag_jcs_canonicalize(struct ag_buf *out, const char *text, size_t len,
			const char *name, bool want_object, struct ag_err *err)
{
	json_error_t je;
	json_t *v;
	int rc;

	v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		/* jansson counts columns in characters; we count bytes, as
		 * everywhere else: recompute from its byte position. */
		size_t pos = je.position > 0 ? (size_t)je.position : 0, col = pos;
		if (pos > len)
			pos = col = len;
		for (size_t i = pos; i > 0; i--)
			if (text[i - 1] == '\n') {
				col = pos - i;
				break;
			}
		if (je.line > 0)
			return ag_err_at(err, AG_EPARSE, name, (size_t)je.line,
					 col ? col : 1, "%s", je.text);
		return ag_err_set(err, AG_EPARSE, "%s: %s", name, je.text);
	}
	if (want_object && !json_is_object(v)) {
		json_decref(v);
		return ag_err_set(err, AG_EPARSE, "%s: expected a JSON object ({...})", name);
	}
	rc = ag_jcs_write(out, v, name, err);
	json_decref(v);
	return rc;
}
