/* The libmicrohttpd glue the API server and the gateway share: see body.h. */
#include "body.h"

#include "aigov/log.h"
#include "aigov/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_body *http_body_begin(struct MHD_Connection *conn, size_t limit, void **con_cls)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct http_body *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	ag_buf_init(&b->buf);
	b->limit = limit;
	b->started = ag_time_now_us();
	b->too_large = cl && strtoull(cl, NULL, 10) > limit;
	*con_cls = b;
	return b;
}

void http_body_add(struct http_body *b, const char *data, size_t *size)
{
	if (!b->too_large &&
	    (b->buf.len + *size > b->limit || ag_buf_add(&b->buf, data, *size)))
		b->too_large = true;
	*size = 0;
}

void http_body_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_body *b = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (b) {
		ag_buf_release(&b->buf);
		free(b);
		*con_cls = NULL;
	}
}

void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	ag_log(cls, AG_LOG_WARN, "http", "%s", msg);
}
