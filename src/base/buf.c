#include "aigov/buf.h"

#include "aigov/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_string[1];

void ag_buf_init(struct ag_buf *b)
{
	b->buf = empty_string;
	b->len = 0;
	b->alloc = 0;
}

void ag_buf_release(struct ag_buf *b)
{
	if (b->alloc)
		free(b->buf);
	ag_buf_init(b);
}

int ag_buf_grow(struct ag_buf *b, size_t extra)
{
	size_t need, alloc;
	char *p;

	if (__builtin_add_overflow(b->len, extra, &need) ||
	    __builtin_add_overflow(need, 1, &need))
		return AG_ENOMEM;
	if (need <= b->alloc)
		return 0;
	alloc = b->alloc ? b->alloc : 64;
	while (alloc < need) {
		if (alloc > SIZE_MAX / 2) {
			alloc = need;
			break;
		}
		alloc *= 2;
	}
	p = realloc(b->alloc ? b->buf : NULL, alloc);
	if (!p)
		return AG_ENOMEM;
	if (!b->alloc)
		p[0] = '\0';
	b->buf = p;
	b->alloc = alloc;
	return 0;
}

int ag_buf_add(struct ag_buf *b, const void *data, size_t len)
{
	if (ag_buf_grow(b, len))
		return AG_ENOMEM;
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int ag_buf_addstr(struct ag_buf *b, const char *s)
{
	return ag_buf_add(b, s, strlen(s));
}

int ag_buf_addch(struct ag_buf *b, char c)
{
	return ag_buf_add(b, &c, 1);
}

int ag_buf_vaddf(struct ag_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return AG_EINVAL;
	if (ag_buf_grow(b, (size_t)n))
		return AG_ENOMEM;
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ag_buf_addf(struct ag_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ag_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void ag_buf_reset(struct ag_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}

char *ag_buf_detach(struct ag_buf *b, size_t *len)
{
	char *s;

	if (!b->alloc && ag_buf_grow(b, 0)) {
		if (len)
			*len = 0;
		return NULL;
	}
	s = b->buf;
	if (len)
		*len = b->len;
	ag_buf_init(b);
	return s;
}
