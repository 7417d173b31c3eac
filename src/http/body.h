/*
 * Private to src/server and src/gateway: the libmicrohttpd glue both
 * servers share.  libmicrohttpd hands a request's body over in pieces
 * across calls of the access handler; an http_body collects them up to a
 * limit, and libmicrohttpd's completion callback frees it.
 *
 * Ownership: http_body_begin allocates the body and stores it in *con_cls;
 * http_body_completed (registered as MHD_OPTION_NOTIFY_COMPLETED) frees it.
 */
#ifndef AIGOV_HTTP_BODY_H
#define AIGOV_HTTP_BODY_H

#include "aigov/buf.h"

#include <microhttpd.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_body {
	struct ag_buf buf;   /* the bytes so far; NULL-terminated by ag_buf */
	size_t limit;        /* most bytes accepted */
	bool too_large;      /* Content-Length or the bytes passed limit */
	int64_t started;     /* ag_time_now_us() at the request's first call */
};

/*
 * The first call of a request: a new body in *con_cls, too_large already
 * set when Content-Length announces more than limit (so the answer can go
 * before a byte of the body is read).  NULL when out of memory.
 */
struct http_body *http_body_begin(struct MHD_Connection *conn, size_t limit, void **con_cls);

/* A later call with *size bytes of upload data: keeps them while under the
 * limit, marks too_large otherwise, and sets *size to 0 (all consumed). */
void http_body_add(struct http_body *b, const char *data, size_t *size);

/* MHD_OPTION_NOTIFY_COMPLETED: frees the request's body, if any. */
void http_body_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe);

/* MHD_OPTION_EXTERNAL_LOGGER: libmicrohttpd's message, one line, as a
 * warning of component "http" in the struct ag_log passed as cls. */
void http_mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
