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

/* Length (1..4) of the valid sequence at s[0..avail), avail >= 1, or 0
 * when it is not valid UTF-8. */
size_t ag_utf8_seq_len(const unsigned char *s, size_t avail);

/* Number of code points in valid UTF-8 (display width is not attempted). */
size_t ag_utf8_count(const char *s, size_t len);

#endif
