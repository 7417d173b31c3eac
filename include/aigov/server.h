/*
 * server: the JSON API over a workspace (module server, on all others),
 * served by libmicrohttpd.  docs/serve.md lists the endpoints, the role
 * each needs and the errors (RFC 9457 problem details).
 *
 * Every request under /api/v1 is authenticated by an API token
 * (identity.h, "Authorization: Bearer agt_..."); what a user may do
 * follows their role.  Writes go through the registry, so each is one
 * transaction with its ledger entry, attributed to "user:NAME"; a refused
 * request changes nothing.
 *
 * Threads: libmicrohttpd runs `threads` worker threads; each request
 * borrows one of as many workspace handles (a store handle serves one
 * thread at a time, store.h).  The catalog and the risk method are read
 * once at start: restart the server after changing them.
 *
 * Ownership: ag_server_start returns a running server that
 * ag_server_stop stops (waiting for requests in flight) and frees.
 */
#ifndef AIGOV_SERVER_H
#define AIGOV_SERVER_H

#include "aigov/err.h"
#include "aigov/log.h"

#include <stddef.h>

struct ag_server;

struct ag_server_options {
	const char *workspace_root; /* the project folder holding .aigov/ */
	const char *host;           /* an IPv4 or IPv6 address; NULL: 127.0.0.1 */
	unsigned port;              /* 0: any free port (see ag_server_port) */
	unsigned threads;           /* worker threads; 0: one per core, 2..16 */
	size_t max_body;            /* largest request body; 0: 1 MiB */
	size_t max_upload;          /* largest evidence file; 0: 16 MiB */
	int session_minutes;        /* log-in sessions last 1..10080; 0: 480 */
	const char *tls_cert_pem;   /* certificate chain (PEM text); NULL: HTTP */
	const char *tls_key_pem;    /* its private key (PEM text) */
	const struct ag_logger *log; /* server errors; may be NULL */
};

/* Open the workspace (for writing: migrations are applied), read its
 * policy, listen.  AG_EIO when the address cannot be bound, AG_EINVAL
 * for bad options; the workspace's own errors as ag_workspace_open. */
int ag_server_start(struct ag_server **out, const struct ag_server_options *o,
		    struct ag_err *err);
/* The port listened on (the one chosen when options asked for 0). */
unsigned ag_server_port(const struct ag_server *s);
void ag_server_stop(struct ag_server *s);

#endif
