/*
 * utf8: validation at the boundary.  Strict RFC 3629: no overlong forms, no
 * surrogates (U+D800..DFFF), nothing above U+10FFFF.  Pure, thread-safe.
 */
#ifndef AIGOV_UTF8_H
#define AIGOV_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is valid UTF-8.  Otherwise *bad (if not NULL) is the
 * byte offset of the first byte of the first invalid sequence. */
bool ag_utf8_valid(const char *s, size_t len, size_t *bad);

/* Number of code points in valid UTF-8 (display width is not attempted). */
size_t ag_utf8_count(const char *s, size_t len);

#endif
