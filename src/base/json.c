#include "aigov/json.h"

#include "aigov/num.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void ag_json_init(struct ag_json *j, struct ag_buf *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
	j->first[0] = true;
}

static void put(struct ag_json *j, const char *s, size_t n)
{
	if (!j->failed && ag_buf_add(j->out, s, n))
		j->failed = true;
}

static void indent(struct ag_json *j)
{
	put(j, "\n", 1);
	for (int i = 0; i < j->depth; i++)
		put(j, "  ", 2);
}

/* Separator and indentation before a value or a key. */
static void before_item(struct ag_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		put(j, ",", 1);
	j->first[j->depth] = false;
	if (j->pretty && j->depth > 0)
		indent(j);
}

static void open_container(struct ag_json *j, char c)
{
	before_item(j);
	put(j, &c, 1);
	if (j->depth + 1 >= AG_JSON_MAX_DEPTH) {
		j->failed = true;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
}

static void close_container(struct ag_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (j->pretty && !empty)
		indent(j);
	put(j, &c, 1);
}

void ag_json_begin_object(struct ag_json *j) { open_container(j, '{'); }
void ag_json_end_object(struct ag_json *j) { close_container(j, '}'); }
void ag_json_begin_array(struct ag_json *j) { open_container(j, '['); }
void ag_json_end_array(struct ag_json *j) { close_container(j, ']'); }

static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* The first byte at or after i that needs an escape, or n.  SSE2 passes
 * sixteen plain bytes a step: strings here are whole redacted texts
 * (`aigov guard scan --json`), where the byte loop was a tenth of the run. */
static size_t next_escape(const char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i ctl = _mm_set1_epi8(0x1F), quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');

	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i hit = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x),
					   _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bs)));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	while (i < n && !needs_escape((unsigned char)s[i]))
		i++;
	return i;
}

static void quoted(struct ag_json *j, const char *s, size_t n)
{
	size_t run = 0;

	put(j, "\"", 1);
	for (size_t i = 0; (i = next_escape(s, i, n)) < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];

		put(j, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(j, "\\\"", 2); break;
		case '\\': put(j, "\\\\", 2); break;
		case '\n': put(j, "\\n", 2); break;
		case '\r': put(j, "\\r", 2); break;
		case '\t': put(j, "\\t", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(j, esc, 6);
		}
	}
	put(j, s + run, n - run);
	put(j, "\"", 1);
}

void ag_json_key(struct ag_json *j, const char *key)
{
	before_item(j);
	quoted(j, key, strlen(key));
	put(j, j->pretty ? ": " : ":", j->pretty ? 2 : 1);
	j->after_key = true;
}

void ag_json_string(struct ag_json *j, const char *s, size_t len)
{
	before_item(j);
	quoted(j, s, len);
}

void ag_json_cstr(struct ag_json *j, const char *s)
{
	if (!s)
		ag_json_null(j);
	else
		ag_json_string(j, s, strlen(s));
}

void ag_json_double(struct ag_json *j, double v)
{
	char num[AG_FMT_DOUBLE_MAX];

	if (!isfinite(v)) {
		ag_json_null(j);
		return;
	}
	before_item(j);
	put(j, num, ag_fmt_double(num, v));
}

void ag_json_u64(struct ag_json *j, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);

	before_item(j);
	put(j, num, (size_t)n);
}

void ag_json_bool(struct ag_json *j, bool v)
{
	before_item(j);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void ag_json_null(struct ag_json *j)
{
	before_item(j);
	put(j, "null", 4);
}

void ag_json_raw(struct ag_json *j, const char *json, size_t len)
{
	before_item(j);
	put(j, json, len);
}

bool ag_json_failed(const struct ag_json *j)
{
	return j->failed;
}
