/*
 * str: string views and small locale-independent text helpers.
 *
 * A view borrows bytes it does not own; it is valid as long as the memory it
 * points into.  Views are not NUL-terminated.  All functions here are pure
 * and thread-safe.
 */
#ifndef AIGOV_STR_H
#define AIGOV_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct ag_str {
	const char *ptr;
	size_t len;
};

static inline struct ag_str ag_str_make(const char *p, size_t len)
{
	struct ag_str s = { p, len };
	return s;
}

static inline struct ag_str ag_str_cstr(const char *p)
{
	return ag_str_make(p, strlen(p));
}

static inline bool ag_str_eq(struct ag_str a, struct ag_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool ag_str_eq_cstr(struct ag_str a, const char *b)
{
	return ag_str_eq(a, ag_str_cstr(b));
}

/* ASCII-only case folding: unlike tolower(3) it ignores the locale. */
static inline char ag_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool ag_str_ieq_ascii(struct ag_str a, const char *b);

/* Remove ASCII spaces and tabs on both ends. */
struct ag_str ag_str_trim(struct ag_str s);

/* Lowercase hex of n bytes into out (2n + 1 bytes, NUL-terminated). */
void ag_hex_encode(char *out, const void *bytes, size_t n);
/* Decode exactly 2n hex digits (either case) of s[0..len) into out[0..n).
 * False, leaving out unspecified, when len != 2n or a digit is not hex. */
bool ag_hex_decode(void *out, size_t n, const char *s, size_t len);

#endif
