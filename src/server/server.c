/*
 * The HTTP side of the server (server.h): libmicrohttpd, a pool of
 * workspace handles, request bodies within a limit, response headers.
 * What each request means is api.c's business.
 */
#include "aigov/server.h"

#include "internal.h"
#include "../http/body.h"

#include "aigov/registry.h"
#include "aigov/time.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MAX_BODY (1u << 20)
#define DEFAULT_MAX_UPLOAD (16u << 20)

struct ag_server {
	struct MHD_Daemon *daemon;
	struct ag_workspace **pool;  /* one handle per worker thread */
	bool *busy;
	size_t npool;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ag_catalog *catalog;
	struct ag_risk_method *method;
	struct api_throttle throttle;
	struct api_metrics metrics;
	struct api_cache cache;
	size_t max_body, max_upload;
	int session_minutes;
	bool tls;
	const struct ag_logger *log;
	unsigned port;
};

/* Whether url uploads an evidence file (POST .../evidence/files). */
static bool is_upload(const char *url)
{
	size_t n = strlen(url), k = strlen("/evidence/files");

	return n > k && !strcmp(url + n - k, "/evidence/files");
}

static struct ag_workspace *borrow(struct ag_server *s, size_t *slot)
{
	struct ag_workspace *ws = NULL;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		for (size_t i = 0; i < s->npool && !ws; i++)
			if (!s->busy[i]) {
				s->busy[i] = true;
				ws = s->pool[i];
				*slot = i;
			}
		if (ws)
			break;
		pthread_cond_wait(&s->cv, &s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return ws;
}

static void give_back(struct ag_server *s, size_t slot)
{
	pthread_mutex_lock(&s->mu);
	s->busy[slot] = false;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static const char *query_arg(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct api_response *r)
{
	size_t len;
	char *body = ag_buf_detach(&r->body, &len);
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body ? body : (char *)"",
					       body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	if (r->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache ? r->cache : "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				r->csp ? r->csp : "default-src 'none'; frame-ancestors 'none'");
	if (r->gzip)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (r->vary)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (r->disposition[0])
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->set_cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
	if (r->retry_after) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%u", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	}
	if (r->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->authenticate)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"aigov\"");
	ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result too_large(size_t limit, struct MHD_Connection *conn)
{
	struct api_response r = { .status = 413, .content_type = "application/problem+json" };

	ag_buf_init(&r.body);
	ag_buf_addf(&r.body, "{\"type\":\"about:blank\",\"title\":\"Content Too Large\","
			     "\"status\":413,\"detail\":\"the request body is larger than %zu bytes\"}",
		    limit);
	return send_response(conn, &r);
}

/* Whether an Accept-Encoding header accepts gzip: the token, not refused
 * with q=0 (RFC 9110 section 12.5.3). */
static bool accepts_gzip(const char *h)
{
	for (const char *p = h; p && (p = strstr(p, "gzip")); p += 4) {
		const char *e = p + 4;
		bool zero = true;

		if ((p != h && p[-1] != ' ' && p[-1] != ',') ||
		    (*e && *e != ',' && *e != ';' && *e != ' '))
			continue;
		while (*e == ' ')
			e++;
		if (*e != ';')
			return true;
		for (e++; *e == ' '; e++)
			;
		if (strncmp(e, "q=", 2))
			return true;
		for (e += 2; (*e >= '0' && *e <= '9') || *e == '.'; e++)
			zero = zero && (*e == '0' || *e == '.');
		return !zero;
	}
	return false;
}

/* The client's address as text, into buf (cap bytes); NULL if unknown. */
static const char *client_address(struct MHD_Connection *conn, char *buf, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (sa && sa->sa_family == AF_INET &&
	    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
		      (socklen_t)cap))
		return buf;
	if (sa && sa->sa_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
		      (socklen_t)cap))
		return buf;
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct ag_server *s = cls;
	struct http_body *p = *con_cls;
	struct api_request q;
	struct api_response r;
	enum MHD_Result ret;
	char addr[INET6_ADDRSTRLEN];
	size_t slot;

	(void)version;
	if (!p) {
		/* The limit: max_upload for evidence files, max_body otherwise. */
		if (!(p = http_body_begin(conn, is_upload(url) ? s->max_upload : s->max_body, con_cls)))
			return MHD_NO;
		/* Refused before a byte of the body is read. */
		return p->too_large ? too_large(p->limit, conn) : MHD_YES;
	}
	if (*upload_size) {
		http_body_add(p, upload, upload_size);
		return MHD_YES;
	}
	if (p->too_large)
		return too_large(p->limit, conn);

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.path = url;
	q.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_AUTHORIZATION);
	q.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_TYPE);
	q.cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "aigov_session");
	q.csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
	q.client = client_address(conn, addr, sizeof(addr));
	q.tls = s->tls;
	q.gzip = accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_ACCEPT_ENCODING));
	q.session_minutes = s->session_minutes;
	q.body = p->buf.buf;
	q.body_len = p->buf.len;
	q.query = query_arg;
	q.query_ctx = conn;
	q.now = ag_time_now_us();
	q.catalog = s->catalog;
	q.risk_method = s->method;
	q.throttle = &s->throttle;
	q.metrics = &s->metrics;
	q.cache = &s->cache;
	memset(&r, 0, sizeof(r));
	ag_buf_init(&r.body);
	q.ws = borrow(s, &slot);
	api_handle(&q, &r);
	give_back(s, slot);
	if (r.status >= 500)
		ag_log(s->log, AG_LOG_ERROR, "server", "%s %s -> %u %.*s", method, url, r.status,
		       (int)r.body.len, r.body.buf ? r.body.buf : "");
	ret = send_response(conn, &r);
	ag_buf_release(&r.body);
	metrics_observe(&s->metrics, r.status, ag_time_now_us() - q.now);
	return ret;
}

static void free_server(struct ag_server *s)
{
	for (size_t i = 0; s->pool && i < s->npool; i++)
		ag_workspace_free(s->pool[i]);
	free(s->pool);
	free(s->busy);
	ag_catalog_free(s->catalog);
	ag_risk_method_free(s->method);
	throttle_destroy(&s->throttle);
	cache_destroy(&s->cache);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

static int open_pool(struct ag_server *s, const char *root, struct ag_err *err)
{
	int rc = 0;

	s->pool = calloc(s->npool, sizeof(*s->pool));
	s->busy = calloc(s->npool, sizeof(*s->busy));
	if (!s->pool || !s->busy)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->npool && !rc; i++)
		rc = ag_workspace_open(&s->pool[i], root, true, "aigov:serve", err);
	if (!rc)
		rc = ag_registry_policy(s->pool[0], &s->catalog, &s->method, err);
	return rc;
}

static int start_daemon(struct ag_server *s, const struct ag_server_options *o,
			struct ag_err *err)
{
	const char *host = o->host ? o->host : "127.0.0.1";
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	struct sockaddr *addr;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;

	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
		v4.sin_family = AF_INET;
		v4.sin_port = htons((uint16_t)o->port);
		addr = (struct sockaddr *)&v4;
	} else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
		v6.sin6_family = AF_INET6;
		v6.sin6_port = htons((uint16_t)o->port);
		addr = (struct sockaddr *)&v6;
		flags |= MHD_USE_IPv6;
	} else {
		return ag_err_set(err, AG_EINVAL, "--listen: '%s' is not an IP address", host);
	}
	if (o->tls_cert_pem || o->tls_key_pem) {
		if (!o->tls_cert_pem || !o->tls_key_pem)
			return ag_err_set(err, AG_EINVAL, "TLS needs both a certificate and a key");
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return ag_err_set(err, AG_EINVAL, "this libmicrohttpd has no TLS");
		flags |= MHD_USE_TLS;
	}
	if (o->tls_cert_pem)
		s->daemon = MHD_start_daemon(
			flags, (uint16_t)o->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
			http_mhd_log, (void *)s->log, MHD_OPTION_SOCK_ADDR, addr,
			MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->npool, MHD_OPTION_CONNECTION_TIMEOUT,
			30u, MHD_OPTION_NOTIFY_COMPLETED, http_body_completed, s, MHD_OPTION_HTTPS_MEM_CERT, o->tls_cert_pem,
			MHD_OPTION_HTTPS_MEM_KEY, o->tls_key_pem, MHD_OPTION_END);
	else
		s->daemon = MHD_start_daemon(
			flags, (uint16_t)o->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
			http_mhd_log, (void *)s->log, MHD_OPTION_SOCK_ADDR, addr,
			MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->npool, MHD_OPTION_CONNECTION_TIMEOUT,
			30u, MHD_OPTION_NOTIFY_COMPLETED, http_body_completed, s, MHD_OPTION_END);
	if (!s->daemon)
		return ag_err_set(err, AG_EIO, "cannot listen on %s port %u (in use, or not allowed%s)",
				  host, o->port, o->tls_cert_pem ? ", or a bad certificate or key" : "");
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : o->port;
	return 0;
}

int ag_server_start(struct ag_server **out, const struct ag_server_options *o,
		    struct ag_err *err)
{
	struct ag_server *s;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	*out = NULL;
	if (o->port > 65535)
		return ag_err_set(err, AG_EINVAL, "port %u is beyond 65535", o->port);
	if (o->session_minutes < 0 || o->session_minutes > 10080)
		return ag_err_set(err, AG_EINVAL, "sessions last 1 to 10080 minutes, not %d",
				  o->session_minutes);
	if (!(s = calloc(1, sizeof(*s))))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	throttle_init(&s->throttle);
	cache_init(&s->cache);
	s->metrics.started = ag_time_now_us();
	s->tls = o->tls_cert_pem != NULL;
	s->session_minutes = o->session_minutes;
	s->npool = o->threads ? o->threads : (size_t)(cores > 2 ? cores : 2);
	if (s->npool > 16)
		s->npool = 16;
	s->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
	s->max_upload = o->max_upload ? o->max_upload : DEFAULT_MAX_UPLOAD;
	s->log = o->log;
	rc = open_pool(s, o->workspace_root, err);
	if (!rc)
		rc = start_daemon(s, o, err);
	if (rc) {
		free_server(s);
		return rc;
	}
	*out = s;
	return 0;
}

unsigned ag_server_port(const struct ag_server *s)
{
	return s->port;
}

void ag_server_stop(struct ag_server *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	free_server(s);
}
