/*
 * The gateway's HTTP side (gateway.h): libmicrohttpd with a thread per
 * connection in front, libcurl behind, screening by screen.c.
 *
 * A thread per connection, because a streaming answer's content reader
 * blocks until the upstream sends more (MHD's callback may block only in
 * that mode).  Each request borrows a worker: a guard scratch and a curl
 * easy handle in its own multi handle, whose connection cache keeps the
 * upstream connections alive between requests.  Workers are made on demand
 * and kept.  The curl multi handle lets a streaming reply be pulled event
 * by event rather than pushed by curl_easy_perform.
 */
#include "aigov/gateway.h"

#include "../http/body.h"
#include "journal.h"

#include "aigov/time.h"
#include "aigov/workspace.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_BODY (4u << 20)
#define MAX_UPSTREAM_BODY (64u << 20)
#define NBUCKETS 14
static const double bucket_le[NBUCKETS] = { 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05,
					    0.1,    0.25,  0.5,   1,     2.5,  5,     10 };

struct worker {
	struct worker *next;
	struct ag_guard_scratch *scratch;
	CURL *easy;
	CURLM *multi;
};

struct metrics {
	_Atomic uint64_t requests[4];       /* chat, models, health/metrics, other */
	_Atomic uint64_t decisions[2][4];   /* request/answer x allow, redact, block, handoff */
	_Atomic uint64_t upstream_errors;
	_Atomic uint64_t status[6];         /* by class; [0] other */
	_Atomic uint64_t latency[NBUCKETS + 1];
	_Atomic uint64_t latency_us_sum, latency_count;
	_Atomic uint64_t screen_us_sum;
	_Atomic uint64_t streams;
};

struct ag_gateway {
	struct MHD_Daemon *daemon;
	struct ag_gw_policy policy;
	char *upstream;         /* without a trailing slash */
	bool upstream_v1;       /* it ends in /v1: request paths lose theirs */
	size_t max_body;
	long timeout_s;
	const struct ag_logger *log;
	pthread_mutex_t mu;     /* workers */
	struct worker *idle;
	struct ag_workspace *ws; /* NULL: no ledger */
	struct gw_journal *journal; /* the ledger's writer, with ws */
	struct metrics m;
	unsigned port;
};

/* ---- workers ---- */

static struct worker *borrow(struct ag_gateway *gw)
{
	struct worker *w;
	struct ag_err err;

	pthread_mutex_lock(&gw->mu);
	w = gw->idle;
	if (w)
		gw->idle = w->next;
	pthread_mutex_unlock(&gw->mu);
	if (w)
		return w;
	if (!(w = calloc(1, sizeof(*w))))
		return NULL;
	w->easy = curl_easy_init();
	w->multi = curl_multi_init();
	if (!w->easy || !w->multi || ag_guard_scratch_new(gw->policy.guard, &w->scratch, &err)) {
		curl_easy_cleanup(w->easy);
		curl_multi_cleanup(w->multi);
		free(w);
		return NULL;
	}
	return w;
}

static void give_back(struct ag_gateway *gw, struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&gw->mu);
	w->next = gw->idle;
	gw->idle = w;
	pthread_mutex_unlock(&gw->mu);
}

static void free_workers(struct worker *w)
{
	while (w) {
		struct worker *next = w->next;
		curl_easy_cleanup(w->easy);
		curl_multi_cleanup(w->multi);
		ag_guard_scratch_free(w->scratch);
		free(w);
		w = next;
	}
}

/* ---- an upstream call, pulled through the multi handle ---- */

struct call {
	struct worker *w;
	struct curl_slist *headers;
	struct ag_buf body;        /* received, not yet consumed */
	char content_type[128];
	bool headers_done, running, failed, too_large;
	CURLcode result;
	char error[CURL_ERROR_SIZE];
};

static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
	struct call *c = cls;

	if (c->body.len + n > MAX_UPSTREAM_BODY || ag_buf_add(&c->body, p, n)) {
		c->too_large = true;
		return 0;
	}
	c->headers_done = true;
	return n * size;
}

static size_t on_header(char *p, size_t size, size_t n, void *cls)
{
	struct call *c = cls;
	size_t len = n * size;

	if (len >= 13 && !strncasecmp(p, "content-type:", 13)) {
		size_t i = 13, k = 0;
		while (i < len && p[i] == ' ')
			i++;
		while (i < len && p[i] != '\r' && p[i] != '\n' && k + 1 < sizeof(c->content_type))
			c->content_type[k++] = p[i++];
		c->content_type[k] = '\0';
	}
	if ((len == 2 && p[0] == '\r') || (len == 1 && p[0] == '\n')) {
		long code = 0;
		curl_easy_getinfo(c->w->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200) /* not a 100 Continue */
			c->headers_done = true;
	}
	return len;
}

/* The upstream URL for a request path ("/v1/models"). */
static int upstream_url(const struct ag_gateway *gw, const char *path, char *buf, size_t cap)
{
	if (gw->upstream_v1 && !strncmp(path, "/v1/", 4))
		path += 3;
	return snprintf(buf, cap, "%s%s", gw->upstream, path) < (int)cap ? 0 : -1;
}

static int call_start(struct ag_gateway *gw, struct call *c, struct worker *w, const char *path,
		      const char *authorization, const char *body, size_t len, bool stream)
{
	char url[2048], auth[8192];
	CURL *e = w->easy;

	memset(c, 0, sizeof(*c));
	c->w = w;
	ag_buf_init(&c->body);
	if (upstream_url(gw, path, url, sizeof(url)))
		return -1;
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	if (!stream)
		curl_easy_setopt(e, CURLOPT_TIMEOUT, gw->timeout_s);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->error);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	c->headers = curl_slist_append(NULL, "Expect:");
	if (authorization && snprintf(auth, sizeof(auth), "Authorization: %s", authorization) <
				     (int)sizeof(auth))
		c->headers = curl_slist_append(c->headers, auth);
	if (body) {
		c->headers = curl_slist_append(c->headers, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (stream)
		c->headers = curl_slist_append(c->headers, "Accept: text/event-stream");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
	if (curl_multi_add_handle(w->multi, e) != CURLM_OK)
		return -1;
	c->running = true;
	return 0;
}

/* Let curl work for up to a second; false once the transfer is over. */
static bool call_step(struct call *c)
{
	int still = 0, left;
	CURLMsg *msg;

	if (!c->running)
		return false;
	curl_multi_perform(c->w->multi, &still);
	while ((msg = curl_multi_info_read(c->w->multi, &left)))
		if (msg->msg == CURLMSG_DONE) {
			c->result = msg->data.result;
			c->failed = c->result != CURLE_OK;
			c->running = false;
		}
	if (c->running && still)
		curl_multi_poll(c->w->multi, NULL, 0, 1000, NULL);
	else if (c->running && !still)
		curl_multi_poll(c->w->multi, NULL, 0, 10, NULL);
	return c->running;
}

static void call_end(struct call *c)
{
	if (c->w)
		curl_multi_remove_handle(c->w->multi, c->w->easy);
	curl_slist_free_all(c->headers);
	ag_buf_release(&c->body);
	c->headers = NULL;
}

static long call_status(const struct call *c)
{
	long code = 0;

	curl_easy_getinfo(c->w->easy, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

/* ---- responses ---- */

struct reply {
	unsigned status;
	struct ag_buf body;
	const char *content_type;
	const char *action;     /* x-aigov-action, or NULL */
	char request_id[33];
};

static void openai_error(struct reply *r, unsigned status, const char *type, const char *code,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void openai_error(struct reply *r, unsigned status, const char *type, const char *code,
			 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *o;
	char *s;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = json_pack("{s:{s:s,s:s,s:s,s:n}}", "error", "message", msg, "type", type, "code", code,
		      "param");
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	ag_buf_reset(&r->body);
	ag_buf_addstr(&r->body, s ? s : "{\"error\":{\"message\":\"out of memory\"}}");
	free(s);
	json_decref(o);
	r->status = status;
	r->content_type = "application/json";
}

static void add_common_headers(struct MHD_Response *resp, const struct reply *r)
{
	if (r->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (r->action)
		MHD_add_response_header(resp, "x-aigov-action", r->action);
	if (r->request_id[0])
		MHD_add_response_header(resp, "x-aigov-request-id", r->request_id);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct reply *r)
{
	size_t len;
	char *body = ag_buf_detach(&r->body, &len);
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp) {
		free(body);
		return MHD_NO;
	}
	add_common_headers(resp, r);
	ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- metrics and the ledger ---- */

static int action_index(int action)
{
	switch (action) {
	case AG_GUARD_REDACT: return 1;
	case AG_GUARD_BLOCK: return 2;
	case AG_GUARD_HANDOFF: return 3;
	default: return 0;
	}
}

static void observe(struct ag_gateway *gw, unsigned status, int64_t us)
{
	size_t b = 0;

	while (b < NBUCKETS && (double)us / 1e6 > bucket_le[b])
		b++;
	atomic_fetch_add(&gw->m.latency[b], 1);
	atomic_fetch_add(&gw->m.latency_us_sum, (uint64_t)(us > 0 ? us : 0));
	atomic_fetch_add(&gw->m.latency_count, 1);
	atomic_fetch_add(&gw->m.status[status >= 100 && status < 600 ? status / 100 : 0], 1);
}

/* One ledger entry for one decision, queued for the journal's next group
 * commit: its ticket, for gw_journal_wait before what depends on it leaves
 * (0 without a ledger).  A failure is logged, not fatal to the request. */
static uint64_t record(struct ag_gateway *gw, const struct ag_gw_decision *d, const char *direction,
		       const char *request_id, const char *model)
{
	struct ag_buf payload;
	char subject[160];
	uint64_t ticket = 0;

	atomic_fetch_add(&gw->m.decisions[direction[0] == 'a'][action_index(d->action)], 1);
	if (!gw->journal)
		return 0;
	snprintf(subject, sizeof(subject), "model:%s", model && *model ? model : "unknown");
	if (ag_ledger_field_problem("subject", subject))
		snprintf(subject, sizeof(subject), "model:unknown");
	ag_buf_init(&payload);
	if (!ag_gw_decision_json(d, direction, request_id, model, &payload))
		ticket = gw_journal_add(gw->journal,
					direction[0] == 'a' ? "guard.gateway.answer" : "guard.gateway.request",
					subject, payload.buf, payload.len);
	else
		ag_log(gw->log, AG_LOG_ERROR, "gateway", "ledger: out of memory; a decision was not recorded");
	ag_buf_release(&payload);
	return ticket;
}

static void get_metrics(struct ag_gateway *gw, struct reply *r)
{
	static const char *const actions[4] = { "allow", "redact", "block", "handoff" };
	static const char *const kinds[4] = { "chat_completions", "models", "service", "other" };
	struct ag_buf *b = &r->body;
	uint64_t cum = 0;

	ag_buf_addstr(b, "# HELP aigov_gateway_requests_total Requests received, by endpoint.\n"
			 "# TYPE aigov_gateway_requests_total counter\n");
	for (int i = 0; i < 4; i++)
		ag_buf_addf(b, "aigov_gateway_requests_total{endpoint=\"%s\"} %llu\n", kinds[i],
			    (unsigned long long)atomic_load(&gw->m.requests[i]));
	ag_buf_addstr(b, "# HELP aigov_gateway_decisions_total Guard decisions, by direction and action.\n"
			 "# TYPE aigov_gateway_decisions_total counter\n");
	for (int d = 0; d < 2; d++)
		for (int a = 0; a < 4; a++)
			ag_buf_addf(b, "aigov_gateway_decisions_total{direction=\"%s\",action=\"%s\"} %llu\n",
				    d ? "answer" : "request", actions[a],
				    (unsigned long long)atomic_load(&gw->m.decisions[d][a]));
	ag_buf_addf(b, "# HELP aigov_gateway_upstream_errors_total Upstream calls that failed (no answer).\n"
		       "# TYPE aigov_gateway_upstream_errors_total counter\n"
		       "aigov_gateway_upstream_errors_total %llu\n",
		    (unsigned long long)atomic_load(&gw->m.upstream_errors));
	ag_buf_addf(b, "# HELP aigov_gateway_streams_total Streaming answers relayed.\n"
		       "# TYPE aigov_gateway_streams_total counter\naigov_gateway_streams_total %llu\n",
		    (unsigned long long)atomic_load(&gw->m.streams));
	ag_buf_addstr(b, "# HELP aigov_gateway_responses_total Responses by status class.\n"
			 "# TYPE aigov_gateway_responses_total counter\n");
	for (int i = 1; i < 6; i++)
		ag_buf_addf(b, "aigov_gateway_responses_total{code=\"%dxx\"} %llu\n", i,
			    (unsigned long long)atomic_load(&gw->m.status[i]));
	ag_buf_addstr(b, "# HELP aigov_gateway_request_duration_seconds Time to the response's first byte.\n"
			 "# TYPE aigov_gateway_request_duration_seconds histogram\n");
	for (int i = 0; i <= NBUCKETS; i++) {
		cum += atomic_load(&gw->m.latency[i]);
		if (i < NBUCKETS)
			ag_buf_addf(b, "aigov_gateway_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				    bucket_le[i], (unsigned long long)cum);
		else
			ag_buf_addf(b, "aigov_gateway_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
				    (unsigned long long)cum);
	}
	ag_buf_addf(b, "aigov_gateway_request_duration_seconds_sum %.6f\n"
		       "aigov_gateway_request_duration_seconds_count %llu\n",
		    (double)atomic_load(&gw->m.latency_us_sum) / 1e6,
		    (unsigned long long)atomic_load(&gw->m.latency_count));
	ag_buf_addf(b, "# HELP aigov_gateway_screen_seconds_total Time spent screening requests and answers.\n"
		       "# TYPE aigov_gateway_screen_seconds_total counter\n"
		       "aigov_gateway_screen_seconds_total %.6f\n",
		    (double)atomic_load(&gw->m.screen_us_sum) / 1e6);
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4";
}

/* ---- one connection's request ---- */

/* A streaming answer being relayed: MHD's content reader pulls it. */
struct relay {
	struct ag_gateway *gw;
	struct worker *w;
	struct call c;
	struct ag_gw_request q;
	struct ag_gw_stream st;
	struct ag_buf out;   /* for the client, from offset sent */
	size_t sent;
	bool finished;
	char request_id[33];
};

static void relay_free(void *cls)
{
	struct relay *rl = cls;

	record(rl->gw, &rl->st.decision, "answer", rl->request_id, rl->q.model);
	call_end(&rl->c);
	ag_gw_stream_release(&rl->st);
	ag_gw_request_release(&rl->q);
	ag_buf_release(&rl->out);
	give_back(rl->gw, rl->w);
	free(rl);
}

/* Feed what curl received into the stream; true when out has bytes. */
static void relay_pull(struct relay *rl)
{
	struct ag_err err;
	int64_t t0;
	bool more = call_step(&rl->c);

	ag_err_clear(&err);
	t0 = ag_time_now_us();
	if (rl->c.body.len) {
		if (ag_gw_stream_feed(&rl->st, rl->c.body.buf, rl->c.body.len, &rl->out, &err))
			ag_log(rl->gw->log, AG_LOG_ERROR, "gateway", "stream: %s", err.msg);
		ag_buf_reset(&rl->c.body);
	}
	if (!more && !rl->finished) {
		if (rl->c.failed && !rl->st.done) {
			atomic_fetch_add(&rl->gw->m.upstream_errors, 1);
			ag_buf_addf(&rl->out, "data: {\"error\":{\"message\":\"upstream: %s\","
					      "\"type\":\"upstream_error\",\"code\":\"upstream_failed\"}}\n\n",
				    curl_easy_strerror(rl->c.result));
		}
		ag_gw_stream_finish(&rl->st, &rl->out, &err);
		rl->finished = true;
	}
	if (rl->st.done && rl->c.running) { /* blocked, or [DONE]: stop reading */
		curl_multi_remove_handle(rl->w->multi, rl->w->easy);
		rl->c.running = false;
		rl->finished = true;
	}
	atomic_fetch_add(&rl->gw->m.screen_us_sum, (uint64_t)(ag_time_now_us() - t0));
}

static ssize_t relay_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct relay *rl = cls;
	size_t n;

	(void)pos;
	while (rl->sent == rl->out.len && !rl->finished) {
		ag_buf_reset(&rl->out);
		rl->sent = 0;
		relay_pull(rl);
	}
	if (rl->sent == rl->out.len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = rl->out.len - rl->sent < max ? rl->out.len - rl->sent : max;
	memcpy(buf, rl->out.buf + rl->sent, n);
	rl->sent += n;
	return (ssize_t)n;
}

static void new_request_id(char *out)
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, 33, b, sizeof(b));
}

/* Relay an upstream reply that is not screened (models, errors). */
static void relay_plain(struct reply *r, struct call *c)
{
	r->status = (unsigned)call_status(c);
	ag_buf_reset(&r->body);
	ag_buf_add(&r->body, c->body.buf, c->body.len);
	r->content_type = c->content_type[0] ? "application/json" : NULL;
	if (c->content_type[0] && strncasecmp(c->content_type, "application/json", 16))
		r->content_type = "text/plain; charset=utf-8";
}

static bool upstream_failed(struct ag_gateway *gw, struct reply *r, struct call *c)
{
	if (!c->failed && !c->too_large)
		return false;
	atomic_fetch_add(&gw->m.upstream_errors, 1);
	if (c->too_large)
		openai_error(r, 502, "upstream_error", "upstream_too_large",
			     "the upstream's answer is larger than %u bytes", MAX_UPSTREAM_BODY);
	else
		openai_error(r, 502, "upstream_error", "upstream_unavailable", "upstream: %s%s%s",
			     curl_easy_strerror(c->result), c->error[0] ? ": " : "", c->error);
	return true;
}

static void forward_get(struct ag_gateway *gw, struct MHD_Connection *conn, const char *url,
			struct reply *r)
{
	struct worker *w = borrow(gw);
	struct call c;

	if (!w) {
		openai_error(r, 500, "server_error", "out_of_memory", "out of memory");
		return;
	}
	if (call_start(gw, &c, w, url,
		       MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
		       NULL, 0, false))
		openai_error(r, 500, "server_error", "bad_upstream", "cannot call the upstream");
	else {
		while (call_step(&c))
			;
		if (!upstream_failed(gw, r, &c))
			relay_plain(r, &c);
	}
	call_end(&c);
	give_back(gw, w);
}

/* Screen and relay a streaming answer; true when the response was queued
 * (then rl belongs to MHD). */
static enum MHD_Result start_stream(struct ag_gateway *gw, struct MHD_Connection *conn,
				    struct relay *rl, struct reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	rl->gw = gw;
	ag_buf_init(&rl->out);
	ag_gw_stream_init(&rl->st, &gw->policy, rl->w->scratch, &rl->q);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, relay_read, rl, relay_free);
	if (!resp) {
		relay_free(rl);
		return MHD_NO;
	}
	atomic_fetch_add(&gw->m.streams, 1);
	r->content_type = "text/event-stream";
	r->status = 200;
	add_common_headers(resp, r);
	ret = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *reply_action(const struct ag_gw_decision *q, const struct ag_gw_decision *a)
{
	if (q->action == AG_GUARD_BLOCK || (a && a->action == AG_GUARD_BLOCK))
		return "block";
	if (q->handoff || q->action == AG_GUARD_HANDOFF)
		return "handoff";
	if (q->action == AG_GUARD_REDACT || (a && a->action == AG_GUARD_REDACT))
		return "redact";
	return "allow";
}

/* POST /v1/chat/completions.  Returns MHD_YES/NO when it queued the
 * response itself (streaming), else fills r and returns -1. */
static int chat(struct ag_gateway *gw, struct MHD_Connection *conn, const struct http_body *p,
		struct reply *r)
{
	struct relay *rl = calloc(1, sizeof(*rl));
	struct ag_err err;
	struct ag_gw_decision ad;
	struct ag_buf answer;
	int64_t t0 = ag_time_now_us();
	uint64_t ticket = 0; /* the newest decision queued for the ledger */
	int rc;

	if (!rl || !(rl->w = borrow(gw))) {
		free(rl);
		openai_error(r, 500, "server_error", "out_of_memory", "out of memory");
		return -1;
	}
	ag_err_clear(&err);
	ag_gw_request_init(&rl->q);
	rc = ag_gw_request_screen(&gw->policy, rl->w->scratch, p->buf.buf, p->buf.len, &rl->q, &err);
	atomic_fetch_add(&gw->m.screen_us_sum, (uint64_t)(ag_time_now_us() - t0));
	if (rc) {
		openai_error(r, rc == AG_ENOMEM ? 500 : 400, "invalid_request_error",
			     rc == AG_EPARSE ? "invalid_json" : "invalid_request", "%s", err.msg);
		goto done;
	}
	/* Its commit overlaps the upstream call; what the client gets waits
	 * for it (at done, or before the stream starts). */
	ticket = record(gw, &rl->q.decision, "request", r->request_id, rl->q.model);
	r->action = reply_action(&rl->q.decision, NULL);
	if (rl->q.decision.action == AG_GUARD_BLOCK) {
		openai_error(r, 400, "invalid_request_error", "content_blocked",
			     "the request was blocked by the institution's AI policy (aigov guard; "
			     "request %s)", r->request_id);
		goto done;
	}
	if (call_start(gw, &rl->c, rl->w, "/v1/chat/completions",
		       MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
		       rl->q.body.buf, rl->q.body.len, rl->q.stream)) {
		openai_error(r, 500, "server_error", "bad_upstream", "cannot call the upstream");
		goto done;
	}
	/* Until the status and headers are in, or the call is over. */
	while (!rl->c.headers_done && call_step(&rl->c))
		;
	if (rl->q.stream && !rl->c.failed && call_status(&rl->c) == 200 &&
	    !strncasecmp(rl->c.content_type, "text/event-stream", 17)) {
		memcpy(rl->request_id, r->request_id, sizeof(rl->request_id));
		gw_journal_wait(gw->journal, ticket);
		return start_stream(gw, conn, rl, r);
	}
	while (call_step(&rl->c))
		;
	if (upstream_failed(gw, r, &rl->c))
		goto done;
	if (call_status(&rl->c) != 200) {
		relay_plain(r, &rl->c);
		goto done;
	}
	ag_buf_init(&answer);
	t0 = ag_time_now_us();
	rc = ag_gw_answer_screen(&gw->policy, rl->w->scratch, &rl->q, rl->c.body.buf, rl->c.body.len,
				 &answer, &ad, &err);
	atomic_fetch_add(&gw->m.screen_us_sum, (uint64_t)(ag_time_now_us() - t0));
	if (rc) {
		openai_error(r, 502, "upstream_error", "bad_answer", "screening the answer: %s", err.msg);
	} else {
		ticket = record(gw, &ad, "answer", r->request_id, rl->q.model);
		r->status = 200;
		r->content_type = "application/json";
		r->action = reply_action(&rl->q.decision, &ad);
		ag_buf_release(&r->body);
		r->body = answer;
		ag_buf_init(&answer);
	}
	ag_buf_release(&answer);
done:
	call_end(&rl->c);
	ag_gw_request_release(&rl->q);
	give_back(gw, rl->w);
	free(rl);
	gw_journal_wait(gw->journal, ticket); /* the decisions are durable before the reply leaves */
	return -1;
}

static int endpoint_kind(const char *url)
{
	if (!strcmp(url, "/v1/chat/completions"))
		return 0;
	if (!strcmp(url, "/v1/models") || !strncmp(url, "/v1/models/", 11))
		return 1;
	if (!strcmp(url, "/healthz") || !strcmp(url, "/metrics"))
		return 2;
	return 3;
}

static enum MHD_Result handle(struct ag_gateway *gw, struct MHD_Connection *conn, const char *url,
			      const char *method, struct http_body *p)
{
	struct reply r = { 0 };
	enum MHD_Result ret;
	int kind = endpoint_kind(url), done = -1;

	ag_buf_init(&r.body);
	new_request_id(r.request_id);
	atomic_fetch_add(&gw->m.requests[kind], 1);
	if (p->too_large)
		openai_error(&r, 413, "invalid_request_error", "request_too_large",
			     "the request body is larger than %zu bytes", gw->max_body);
	else if (kind == 2 && strcmp(method, "GET"))
		openai_error(&r, 405, "invalid_request_error", "method_not_allowed", "use GET");
	else if (!strcmp(url, "/healthz")) {
		ag_buf_addstr(&r.body, "{\"status\":\"ok\"}");
		r.status = 200;
		r.content_type = "application/json";
	} else if (!strcmp(url, "/metrics"))
		get_metrics(gw, &r);
	else if (kind == 1 && !strcmp(method, "GET"))
		forward_get(gw, conn, url, &r);
	else if (kind == 0 && !strcmp(method, "POST"))
		done = chat(gw, conn, p, &r);
	else if (kind < 2)
		openai_error(&r, 405, "invalid_request_error", "method_not_allowed",
			     "%s does not take %s", url, method);
	else
		openai_error(&r, 404, "invalid_request_error", "not_found",
			     "unknown path %s (the gateway serves /v1/chat/completions and /v1/models)",
			     url);
	if (done >= 0) {
		ret = (enum MHD_Result)done;
		r.status = 200;
	} else {
		ret = send_reply(conn, &r);
	}
	ag_buf_release(&r.body);
	observe(gw, r.status, ag_time_now_us() - p->started);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct ag_gateway *gw = cls;
	struct http_body *p = *con_cls;

	(void)version;
	if (!p) {
		if (!(p = http_body_begin(conn, gw->max_body, con_cls)))
			return MHD_NO;
		/* Too large: answered before the body is read. */
		return p->too_large ? handle(gw, conn, url, method, p) : MHD_YES;
	}
	if (*upload_size) {
		http_body_add(p, upload, upload_size);
		return MHD_YES;
	}
	return handle(gw, conn, url, method, p);
}

/* ---- start and stop ---- */

static int set_upstream(struct ag_gateway *gw, const char *u, struct ag_err *err)
{
	size_t n;

	if (!u || (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)))
		return ag_err_set(err, AG_EINVAL, "--upstream: expected an http:// or https:// URL");
	if (!(gw->upstream = strdup(u)))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	n = strlen(gw->upstream);
	while (n && gw->upstream[n - 1] == '/')
		gw->upstream[--n] = '\0';
	gw->upstream_v1 = n >= 3 && !strcmp(gw->upstream + n - 3, "/v1");
	return 0;
}

/* The span digests' key: from the guard key when there is one, else from
 * the workspace's signing key, else random (digests then only link spans
 * within one run). */
static void hmac_key(const struct ag_gateway_options *o, const struct ag_workspace *ws,
		     unsigned char *key)
{
	static const unsigned char label[] = "aigov gateway ledger span digests";

	if (o->redactor->keyed)
		crypto_generichash(key, 32, label, sizeof(label) - 1, o->redactor->hash_key, 32);
	else if (ws && ws->key.has_secret)
		crypto_generichash(key, 32, label, sizeof(label) - 1, ws->key.sk, 32);
	else
		randombytes_buf(key, 32);
}

static int start_daemon(struct ag_gateway *gw, const struct ag_gateway_options *o,
			struct ag_err *err)
{
	const char *host = o->host ? o->host : "127.0.0.1";
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	struct sockaddr *addr;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ERROR_LOG | MHD_USE_POLL;
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
	gw->daemon = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, gw,
				      MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, (void *)o->log,
				      MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_CONNECTION_LIMIT,
				      o->max_connections ? o->max_connections : 256u,
				      MHD_OPTION_CONNECTION_TIMEOUT, 600u, MHD_OPTION_NOTIFY_COMPLETED,
				      http_body_completed, gw, MHD_OPTION_END);
	if (!gw->daemon)
		return ag_err_set(err, AG_EIO, "cannot listen on %s port %u (in use, or not allowed)",
				  host, o->port);
	info = MHD_get_daemon_info(gw->daemon, MHD_DAEMON_INFO_BIND_PORT);
	gw->port = info ? info->port : o->port;
	return 0;
}

int ag_gateway_start(struct ag_gateway **out, const struct ag_gateway_options *o,
		     struct ag_err *err)
{
	struct ag_gateway *gw;
	unsigned char key[32];
	int rc;

	*out = NULL;
	if (o->port > 65535)
		return ag_err_set(err, AG_EINVAL, "port %u is beyond 65535", o->port);
	if (!o->guard || !o->redactor)
		return ag_err_set(err, AG_EINVAL, "the gateway needs a guard and a redactor");
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT))
		return ag_err_set(err, AG_EIO, "libsodium or libcurl failed to initialise");
	if (!(gw = calloc(1, sizeof(*gw))))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	pthread_mutex_init(&gw->mu, NULL);
	gw->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
	gw->timeout_s = o->upstream_timeout_s ? o->upstream_timeout_s : 300;
	gw->log = o->log;
	rc = set_upstream(gw, o->upstream, err);
	if (!rc && o->workspace_root)
		rc = ag_workspace_open(&gw->ws, o->workspace_root, true, "system:aigov-gateway", err);
	if (!rc && gw->ws)
		rc = gw_journal_start(&gw->journal, gw->ws, GW_JOURNAL_LINGER_US, gw->log, err);
	if (!rc) {
		hmac_key(o, gw->ws, key);
		ag_gw_policy_init(&gw->policy, o->guard, o->redactor, key);
		sodium_memzero(key, sizeof(key));
		rc = start_daemon(gw, o, err);
	}
	if (rc) {
		ag_gateway_stop(gw);
		return rc;
	}
	*out = gw;
	return 0;
}

unsigned ag_gateway_port(const struct ag_gateway *gw)
{
	return gw->port;
}

void ag_gateway_stop(struct ag_gateway *gw)
{
	if (!gw)
		return;
	if (gw->daemon)
		MHD_stop_daemon(gw->daemon);
	free_workers(gw->idle);
	gw_journal_stop(gw->journal); /* after the daemon: streams record as they end */
	ag_workspace_free(gw->ws);
	ag_gw_policy_release(&gw->policy);
	free(gw->upstream);
	pthread_mutex_destroy(&gw->mu);
	free(gw);
	curl_global_cleanup();
}
