/*
 * Private to src/server: one request as the API sees it, without
 * libmicrohttpd (server.c adapts; api.c answers), so that the API can be
 * driven by tests and fuzzers without sockets.
 */
#ifndef AIGOV_SERVER_INTERNAL_H
#define AIGOV_SERVER_INTERNAL_H

#include "aigov/buf.h"
#include "aigov/risk.h"
#include "aigov/workspace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct api_request {
	const char *method;        /* "GET", "POST", ... */
	const char *path;          /* percent-decoded, without the query */
	const char *authorization; /* the header, or NULL */
	const char *content_type;  /* the header, or NULL */
	const char *body;          /* not NUL-terminated */
	size_t body_len;
	/* The query parameter `key`, or NULL. */
	const char *(*query)(void *ctx, const char *key);
	void *query_ctx;
	int64_t now;               /* microseconds since the epoch */
	/* Borrowed for the request: */
	struct ag_workspace *ws;
	const struct ag_catalog *catalog;
};

struct api_response {
	unsigned status;
	const char *content_type;  /* a literal */
	struct ag_buf body;        /* owned; the caller releases it */
	const char *allow;         /* for 405: the methods allowed, a literal */
	bool authenticate;         /* add WWW-Authenticate (401) */
	char actor[80];            /* who made the request, "" when nobody */
};

/* Answer q into r (r->body initialised by the caller). */
void api_handle(const struct api_request *q, struct api_response *r);

#endif
