/*
 * buf: one growable byte buffer for building strings and bytes (after git's
 * strbuf).  It keeps its length, so embedded NULs are safe, and it is always
 * NUL-terminated so that b->buf can be passed where a C string is expected.
 *
 * Invariant: `buf` is never NULL (an empty buffer points at a shared empty
 * string), and buf[len] == '\0'.
 * Functions that grow the buffer return 0 or AG_ENOMEM; on failure the
 * content is unchanged.  Not thread-safe.
 */
#ifndef AIGOV_BUF_H
#define AIGOV_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct ag_buf {
	char *buf;
	size_t len;
	size_t alloc; /* 0 while buf points at the shared empty string */
};

void ag_buf_init(struct ag_buf *b);
/* Free the storage; the buffer is empty and reusable afterwards. */
void ag_buf_release(struct ag_buf *b);
/* Make room for `extra` more bytes plus the NUL. */
int ag_buf_grow(struct ag_buf *b, size_t extra);
int ag_buf_add(struct ag_buf *b, const void *data, size_t len);
int ag_buf_addstr(struct ag_buf *b, const char *s);
int ag_buf_addch(struct ag_buf *b, char c);
/* printf-style append; the C library formats numbers by the current locale,
 * so use ag_fmt_double() for numbers that machines read. */
int ag_buf_addf(struct ag_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ag_buf_vaddf(struct ag_buf *b, const char *fmt, va_list ap);
/* Empty it, keeping the allocation. */
void ag_buf_reset(struct ag_buf *b);
/* Hand over the storage: the caller owns the returned string and must
 * free(3) it; the buffer is empty afterwards.  NULL (and *len 0) on
 * allocation failure. */
char *ag_buf_detach(struct ag_buf *b, size_t *len);

#endif
