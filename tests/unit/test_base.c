/* base primitives: arena, buf, utf8, err, json writer, file reading, sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/arena.h"
#include "aigov/buf.h"
#include "aigov/err.h"
#include "aigov/file.h"
#include "aigov/json.h"
#include "aigov/sort.h"
#include "aigov/utf8.h"

#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static void test_arena_returns_aligned_distinct_blocks(void **state)
{
	struct ag_arena a;
	char *prev = NULL;
	(void)state;
	ag_arena_init(&a, 256);
	for (size_t i = 1; i < 2000; i += 7) {
		char *p = ag_arena_alloc(&a, i);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
		memset(p, 0xAB, i); /* ASan reports an overlap or overflow */
		assert_ptr_not_equal(p, prev);
		prev = p;
	}
	char *big = ag_arena_alloc(&a, 1 << 20); /* bigger than a block */
	assert_non_null(big);
	memset(big, 1, 1 << 20);
	assert_null(ag_arena_calloc(&a, SIZE_MAX / 2, 4)); /* overflow */
	char *s = ag_arena_strndup(&a, "abcdef", 3);
	assert_string_equal(s, "abc");
	ag_arena_release(&a);
	assert_null(a.head);
}

static void test_buf_keeps_length_and_embedded_nul(void **state)
{
	struct ag_buf b;
	size_t len;
	(void)state;
	ag_buf_init(&b);
	assert_non_null(b.buf); /* never NULL, even empty */
	assert_string_equal(b.buf, "");
	ag_buf_add(&b, "a\0b", 3);
	ag_buf_addf(&b, "%d-%s", 42, "x");
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.buf, "a\0b42-x", 8); /* with the final NUL */
	ag_buf_reset(&b);
	assert_int_equal(b.len, 0);
	for (int i = 0; i < 10000; i++)
		ag_buf_addch(&b, 'z');
	char *s = ag_buf_detach(&b, &len);
	assert_int_equal(len, 10000);
	assert_int_equal(strlen(s), 10000);
	assert_int_equal(b.len, 0); /* empty and usable after detach */
	free(s);                    /* the caller owns it */
	ag_buf_release(&b);
}

static void test_utf8_validation_reports_first_bad_byte(void **state)
{
	static const struct { const char *s; size_t len; bool ok; size_t bad; } cases[] = {
		{ "plain ascii", 11, true, 0 },
		{ "\xe4\xb8\xad\xe6\x96\x87 ok", 9, true, 0 },       /* 中文 */
		{ "\xf0\x9f\x98\x80", 4, true, 0 },                  /* U+1F600 */
		{ "ab\xc0\xaf", 4, false, 2 },                       /* overlong '/' */
		{ "\xed\xa0\x80", 3, false, 0 },                     /* surrogate */
		{ "xyz\xf4\x90\x80\x80", 7, false, 3 },              /* > U+10FFFF */
		{ "12345678\xe4\xb8", 10, false, 8 },                /* truncated */
		{ "\xa4\xa4\xa4\xe5", 4, false, 0 },                 /* Big5 */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t bad = 99;
		assert_int_equal(ag_utf8_valid(cases[i].s, cases[i].len, &bad), cases[i].ok);
		if (!cases[i].ok)
			assert_int_equal(bad, cases[i].bad);
	}
	assert_int_equal(ag_utf8_count("\xe4\xb8\xad\xe6\x96\x87x", 7), 3);
}

/* The reference: decode by code point (Unicode Table 3-7 restated as
 * ranges of values), the first byte of the first bad sequence or len. */
static size_t utf8_first_bad(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], need, cp, min;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			need = 1, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			need = 2, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return i;
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += need + 1;
	}
	return len;
}

/* The block validator (SSSE3 where the CPU has it) against the reference
 * on random texts of every sequence kind, with errors of every kind at
 * every offset, block boundaries included. */
static void test_utf8_validation_matches_reference(void **state)
{
	static const char *const pieces[] = {
		"a", " ", "\n", "0123456789abcdef", "\xc2\xa0", "\xdf\xbf", "\xe4\xb8\xad",
		"\xef\xbc\x90", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xf0\x90\x80\x80",
		"\xf4\x8f\xbf\xbf", "\xf3\xa0\x80\x81",
		/* bad: */
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xf0\x8f\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xe4\xb8", "\xf0\x90\x80", "\xc2",
	};
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	unsigned char buf[600];
	uint64_t seed = 0x9E3779B97F4A7C15u;
	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = 0, target, bad = SIZE_MAX, ref;
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		target = (size_t)(seed >> 33) % 520;
		bool clean = (seed >> 20) & 1; /* half of them valid but for the tail */
		while (len < target) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			size_t p = (size_t)(seed >> 33) % (clean ? 14 : npieces);
			if (clean && round % 7 == 0 && len + 40 >= target) /* an error near the end */
				p = 14 + (size_t)(seed >> 40) % (npieces - 14);
			size_t n = strlen(pieces[p]);
			memcpy(buf + len, pieces[p], n);
			len += n;
		}
		ref = utf8_first_bad(buf, len);
		assert_int_equal(ag_utf8_valid((const char *)buf, len, &bad), ref == len);
		if (ref != len)
			assert_int_equal(bad, ref);
	}
}

static void test_err_names_file_line_and_column(void **state)
{
	struct ag_err e;
	(void)state;
	ag_err_clear(&e);
	assert_int_equal(e.code, 0);
	assert_int_equal(ag_err_at(&e, AG_EPARSE, "a.csv", 1042, 17, "unterminated %s",
				   "quote"), AG_EPARSE);
	assert_string_equal(e.msg, "a.csv:1042:17: unterminated quote");
	ag_err_at(&e, AG_EPARSE, "a.csv", 3, 0, "x");
	assert_string_equal(e.msg, "a.csv:3: x");
	assert_int_equal(ag_err_set(NULL, AG_EIO, "ignored"), AG_EIO);
	assert_string_equal(ag_strerror(AG_EPARSE), "malformed input");
}

static void test_json_writer_escapes_and_nests(void **state)
{
	struct ag_buf b;
	struct ag_json j;
	(void)state;
	ag_buf_init(&b);
	ag_json_init(&j, &b, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "s");
	ag_json_cstr(&j, "q\"b\\n\n\x01\xe4\xb8\xad");
	ag_json_key(&j, "a");
	ag_json_begin_array(&j);
	ag_json_double(&j, 0.1);
	ag_json_double(&j, NAN);
	ag_json_u64(&j, UINT64_MAX);
	ag_json_bool(&j, true);
	ag_json_cstr(&j, NULL);
	ag_json_begin_object(&j);
	ag_json_end_object(&j);
	ag_json_end_array(&j);
	ag_json_end_object(&j);
	assert_false(ag_json_failed(&j));
	assert_string_equal(b.buf, "{\"s\":\"q\\\"b\\\\n\\n\\u0001\xe4\xb8\xad\","
				   "\"a\":[0.1,null,18446744073709551615,true,null,{}]}");
	ag_buf_reset(&b);
	ag_json_init(&j, &b, true);
	ag_json_begin_object(&j);
	ag_json_key(&j, "k");
	ag_json_u64(&j, 1);
	ag_json_end_object(&j);
	assert_string_equal(b.buf, "{\n  \"k\": 1\n}");
	ag_buf_release(&b);
}

/* Strings of every length to 70 with bytes that need escapes at every
 * offset (the writer skips plain bytes sixteen at a time): the output is
 * the byte-by-byte escape written out here. */
static void test_json_string_escapes_at_every_offset(void **state)
{
	static const unsigned char alphabet[] = { 'a', 'Z', ' ', '"', '\\', '\n', '\t', 0x01, 0x1f,
						  0x20, 0x7f, 0x80, 0xe4, 0xff, '/', '\r' };
	unsigned char s[70];
	uint64_t seed = 12345;
	struct ag_buf b, want;
	(void)state;
	ag_buf_init(&b);
	ag_buf_init(&want);
	for (int round = 0; round < 5000; round++) {
		struct ag_json j;
		size_t n = (size_t)round % sizeof(s);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			/* mostly plain letters, so that long plain runs occur */
			s[i] = (seed >> 60) < 12 ? 'x' : alphabet[(seed >> 33) % sizeof(alphabet)];
		}
		ag_buf_reset(&b);
		ag_buf_reset(&want);
		ag_json_init(&j, &b, false);
		ag_json_string(&j, (const char *)s, n);
		ag_buf_addch(&want, '"');
		for (size_t i = 0; i < n; i++) {
			unsigned char c = s[i];
			if (c == '"' || c == '\\')
				ag_buf_addf(&want, "\\%c", c);
			else if (c == '\n')
				ag_buf_addf(&want, "\\n");
			else if (c == '\t')
				ag_buf_addf(&want, "\\t");
			else if (c == '\r')
				ag_buf_addf(&want, "\\r");
			else if (c < 0x20)
				ag_buf_addf(&want, "\\u%04x", c);
			else
				ag_buf_addch(&want, (char)c);
		}
		ag_buf_addch(&want, '"');
		assert_false(ag_json_failed(&j));
		assert_int_equal(b.len, want.len);
		assert_memory_equal(b.buf, want.buf, want.len);
	}
	ag_buf_release(&b);
	ag_buf_release(&want);
}

static void test_file_map_reads_whole_file_and_empty_file(void **state)
{
	char path[] = "/tmp/aigov-test-XXXXXX";
	struct ag_file_map m;
	struct ag_err e;
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\nworld", 11), 11);
	close(fd);
	assert_int_equal(ag_file_map(&m, path, &e), 0);
	assert_int_equal(m.len, 11);
	assert_memory_equal(m.data, "hello\nworld", 11);
	assert_int_equal(m.data[11], '\0');
	ag_file_unmap(&m);
	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	assert_int_equal(ag_file_map(&m, path, &e), 0);
	assert_int_equal(m.len, 0);
	assert_string_equal(m.data, "");
	ag_file_unmap(&m);
	unlink(path);
}

static void test_missing_file_is_not_found_with_its_name(void **state)
{
	struct ag_source src;
	struct ag_err e;
	(void)state;
	ag_err_clear(&e);
	assert_int_equal(ag_source_open(&src, "/nonexistent/dir/x.csv", &e), AG_ENOTFOUND);
	assert_non_null(strstr(e.msg, "/nonexistent/dir/x.csv"));
	assert_int_equal(ag_source_open(&src, "/tmp", &e), AG_EIO);
	assert_non_null(strstr(e.msg, "directory"));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The i-th key of a distribution: 0 uniform over 64 bits, 1 ten values,
 * 2 a cluster of a 2^-30 wide range in a third of the keys (one bucket
 * larger than the sort's scratch), 3 ascending, 4 descending, 5 all equal. */
static uint64_t key(int kind, size_t i, size_t n, uint64_t *s)
{
	uint64_t r = xorshift(s);
	switch (kind) {
	case 0: return r;
	case 1: return UINT64_C(0x3ff0000000000000) + (r % 10) * UINT64_C(0x0001000000000000);
	case 2: return i % 3 ? r : UINT64_C(0x3fd3333333333333) + (r >> 34);
	case 3: return i * 3;
	case 4: return (uint64_t)(n - i);
	default: return 42;
	}
}

/* ag_sort_u64 against qsort, on sizes around its thresholds (48 keys: the
 * insertion sort; 2^16 and 16 * 2^16: the scratch) and on distributions
 * that exercise each path. */
static void test_sort_u64_matches_qsort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 47, 48, 49, 1000, 65535, 65536, 65537,
					300000, 1048577 };
	(void)state;
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		size_t n = sizes[si];
		uint64_t *a = malloc(n * sizeof(*a) + 1), *b = malloc(n * sizeof(*b) + 1);
		assert_non_null(a);
		assert_non_null(b);
		for (int kind = 0; kind < 6; kind++) {
			uint64_t s = 0x9e3779b97f4a7c15u + n;
			for (size_t i = 0; i < n; i++)
				a[i] = b[i] = key(kind, i, n, &s);
			assert_int_equal(ag_sort_u64(a, n), 0);
			qsort(b, n, sizeof(*b), cmp_u64);
			if (n && memcmp(a, b, n * sizeof(*a)))
				fail_msg("sort differs from qsort: n %zu, distribution %d", n, kind);
		}
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_returns_aligned_distinct_blocks),
		cmocka_unit_test(test_buf_keeps_length_and_embedded_nul),
		cmocka_unit_test(test_utf8_validation_reports_first_bad_byte),
		cmocka_unit_test(test_utf8_validation_matches_reference),
		cmocka_unit_test(test_err_names_file_line_and_column),
		cmocka_unit_test(test_json_writer_escapes_and_nests),
		cmocka_unit_test(test_json_string_escapes_at_every_offset),
		cmocka_unit_test(test_file_map_reads_whole_file_and_empty_file),
		cmocka_unit_test(test_missing_file_is_not_found_with_its_name),
		cmocka_unit_test(test_sort_u64_matches_qsort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
