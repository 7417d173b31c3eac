/*
 * Private to src/server: one request as the API sees it, without
 * libmicrohttpd (server.c adapts; api.c answers), so that the API can be
 * driven by tests and fuzzers without sockets.
 */
#ifndef AIGOV_SERVER_INTERNAL_H
#define AIGOV_SERVER_INTERNAL_H

#include "aigov/buf.h"
#include "aigov/identity.h"
#include "aigov/risk.h"
#include "aigov/json.h"
#include "aigov/workspace.h"

#include <jansson.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Failed log-ins, in memory (throttle.c): per user name and per client
 * address, at most THROTTLE_FAILS within THROTTLE_WINDOW seconds, then 429
 * until the window ends.  A fixed table: when it is full, the entry whose
 * window began longest ago gives way (an attacker who sprays names can at
 * worst free a name's count early; the argon2id cost per try remains).
 */
#define THROTTLE_SLOTS 4096
#define THROTTLE_WINDOW (15 * 60)
#define THROTTLE_NAME_FAILS 5
#define THROTTLE_ADDR_FAILS 20

struct throttle_slot {
	char key[96];     /* "n:" name or "a:" address; "" free */
	int64_t since;    /* start of the window, seconds */
	unsigned fails;
};

struct api_throttle {
	pthread_mutex_t mu;
	struct throttle_slot slot[THROTTLE_SLOTS];
};

void throttle_init(struct api_throttle *t);
void throttle_destroy(struct api_throttle *t);
/* Seconds until `key` may try again (0: now), `limit` failures allowed. */
unsigned throttle_wait(struct api_throttle *t, const char *key, unsigned limit, int64_t now_s);
void throttle_fail(struct api_throttle *t, const char *key, int64_t now_s);
void throttle_clear(struct api_throttle *t, const char *key);

/*
 * The read cache (cache.c): whole JSON bodies of the reads every role may
 * make, valid while the ledger keeps the size it had when the body was
 * read and for at most CACHE_TTL_US.  Bounded in entries and bytes.
 */
#define CACHE_SLOTS 64
#define CACHE_TTL_US 2000000          /* clock-derived statuses lag 2 s (4 s while rebuilt) */
#define CACHE_MAX_BODY (8u << 20)     /* larger bodies are not kept */
#define CACHE_MAX_BYTES (64u << 20)

struct cache_body;
struct cache_slot {
	char key[160];           /* what was read: "systems", "gaps?system=X", ... */
	uint64_t head;           /* the ledger's size in the snapshot it was read in */
	int64_t made;            /* microseconds since the epoch */
	struct cache_body *body; /* NULL: free */
	bool refreshing;         /* past CACHE_TTL_US; a request is making it afresh */
};

/* Who a token or session cookie proved to be, under the same rule: a
 * revoked token or ended session appends to the ledger, and the expiry is
 * checked on every use.  Keyed by a keyed BLAKE2b of the credential,
 * direct-mapped into CRED_SLOTS. */
#define CRED_SLOTS 256
struct cred_slot {
	unsigned char digest[32];
	uint64_t head;
	int64_t made;            /* 0: free */
	struct ag_identity who;
};

struct api_cache {
	pthread_mutex_t mu;
	struct cache_slot slot[CACHE_SLOTS];
	size_t bytes;
	struct cred_slot cred[CRED_SLOTS];
	unsigned char cred_key[32];
	_Atomic uint64_t hits, misses;
};

/* Bodies from CACHE_GZIP_MIN bytes are also kept gzip-compressed, for
 * clients that accept it (the gap report is ~10x smaller). */
#define CACHE_GZIP_MIN 1024

void cache_init(struct api_cache *c);
void cache_destroy(struct api_cache *c);
/* Copy key's body into out (reset first) if it is still valid for a
 * ledger of size head at time now: gzip-compressed when gzip is set and
 * the entry has that form (*gzipped tells). */
bool cache_get(struct api_cache *c, const char *key, uint64_t head, int64_t now, bool gzip,
	       struct ag_buf *out, bool *gzipped);
/* Keep a copy of body under key (silently nothing when out of memory). */
void cache_put(struct api_cache *c, const char *key, uint64_t head, int64_t now,
	       const char *body, size_t len);

/* The identity credential (len bytes) proved, if still valid for a ledger
 * of size head at time now (stamp: now as ag_time_format writes it). */
bool cache_who_get(struct api_cache *c, const char *credential, size_t len, uint64_t head,
		   int64_t now, const char *stamp, struct ag_identity *who);
void cache_who_put(struct api_cache *c, const char *credential, size_t len, uint64_t head,
		   int64_t now, const struct ag_identity *who);

/* Counters for GET /metrics (Prometheus text), updated by server.c. */
#define METRIC_BUCKETS 8 /* request durations: 0.5, 1, 2.5, 5, 10, 25, 100 ms, +Inf */
struct api_metrics {
	_Atomic uint64_t by_class[6];              /* 1xx..5xx, [0] other */
	_Atomic uint64_t duration[METRIC_BUCKETS]; /* not cumulative; rendered so */
	_Atomic uint64_t duration_us_sum;
	_Atomic uint64_t logins_failed, logins_throttled;
	int64_t started;                           /* microseconds since the epoch */
};
void metrics_observe(struct api_metrics *m, unsigned status, int64_t micros);

struct api_request {
	const char *method;        /* "GET", "POST", ... */
	const char *path;          /* percent-decoded, without the query */
	const char *authorization; /* the header, or NULL */
	const char *cookie;        /* the aigov_session cookie, or NULL */
	const char *csrf;          /* the X-CSRF-Token header, or NULL */
	const char *content_type;  /* the header, or NULL */
	const char *client;        /* the client's address, or NULL */
	bool tls;                  /* the connection is HTTPS (cookies get Secure) */
	bool gzip;                 /* the client accepts Content-Encoding: gzip */
	int session_minutes;       /* log-in sessions last this long (1..10080) */
	const char *body;          /* not NUL-terminated */
	size_t body_len;
	/* The query parameter `key`, or NULL. */
	const char *(*query)(void *ctx, const char *key);
	void *query_ctx;
	int64_t now;               /* microseconds since the epoch */
	/* Borrowed for the request (throttle, metrics, cache may be NULL): */
	struct ag_workspace *ws;
	const struct ag_catalog *catalog;
	const struct ag_risk_method *risk_method;
	struct api_throttle *throttle;
	struct api_metrics *metrics;
	struct api_cache *cache;   /* NULL: every read is made afresh */
	uint64_t ledger_size;      /* set by api_handle when cache is set */
};

struct api_response {
	unsigned status;
	const char *content_type;  /* a literal; NULL for none (204) */
	struct ag_buf body;        /* owned; the caller releases it */
	const char *allow;         /* for 405: the methods allowed, a literal */
	const char *csp;           /* Content-Security-Policy; NULL: "default-src 'none'" */
	const char *cache;         /* Cache-Control; NULL: "no-store" */
	bool authenticate;         /* add WWW-Authenticate (401) */
	bool gzip;                 /* the body is gzip-compressed (Content-Encoding) */
	bool vary;                 /* the body depends on Accept-Encoding (Vary) */
	unsigned retry_after;      /* seconds, for 429; 0: no header */
	char set_cookie[192];      /* a Set-Cookie value; "" for none */
	char disposition[768];     /* a Content-Disposition value; "" for none */
	char actor[80];            /* who made the request, "" when nobody */
};

/* Answer q into r (r->body initialised by the caller). */
void api_handle(const struct api_request *q, struct api_response *r);

/* ---- shared by the API's handlers (api.c, cases.c) ---- */

#define R(x) (1u << (x))
#define ALL_ROLES (R(AG_USER_OWNER) | R(AG_USER_RISK) | R(AG_USER_AUDITOR) | R(AG_USER_BOARD) | \
		   R(AG_USER_ADMIN))
#define OWNER_RISK (R(AG_USER_OWNER) | R(AG_USER_RISK))
#define LEDGER_READERS (R(AG_USER_RISK) | R(AG_USER_AUDITOR) | R(AG_USER_ADMIN))

/* r becomes an RFC 9457 problem (its body replaced). */
void api_problem(struct api_response *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A library error as a problem: 404, 403, 409, 400, else 500 (detail hidden). */
void api_fail(struct api_response *r, int rc, const struct ag_err *err);
/* r's body, written with j, answers with status (500 if j ran out of memory). */
void api_json_ok(struct api_response *r, unsigned status, struct ag_json *j);
/* Whether who's role is in mask; else 403 saying `what` is not allowed. */
bool api_require(const struct ag_identity *who, unsigned mask, struct api_response *r,
		 const char *what);
/* Owners write only their own unit's systems; everyone else passes. */
bool api_owner_may_write(const struct ag_identity *who, const char *owner_unit,
			 const char *system_id, struct api_response *r);
/* Whether the method is `want`; else 405 with Allow: allow. */
bool api_method_is(const struct api_request *q, struct api_response *r, const char *want,
		   const char *allow);
/* Whether who may act on system id: an owner only on their unit's (403);
 * 404 for no such system, whoever asks. */
bool api_may_act_on(const struct api_request *q, const struct ag_identity *who, const char *id,
		    struct api_response *r);
/* The body as a JSON object whose members are all in `fields` (NULL-ended);
 * NULL with r answered (415, 400) otherwise.  The caller json_decref()s it. */
json_t *api_body_object(const struct api_request *q, struct api_response *r,
			const char *const *fields);
/* Whether the body is one JSON object sent as application/json (else 415,
 * or 400 with JSON's line and column); `what` names it in the message.
 * Its members are the descriptor reader's to check. */
bool api_descriptor_body(const struct api_request *q, struct api_response *r, const char *what);
/* Member key as a non-empty string: required, or optional (*out NULL). */
bool api_body_string(json_t *o, const char *key, bool required, const char **out,
		     struct api_response *r);

/* The incident, appeal, vendor, stage and oversight writes
 * (cases.c): seg[0..n) under /api/v1/.  False when the path is none of
 * theirs. */
bool api_route_cases(const struct api_request *q, const struct ag_identity *who, char **seg,
		     size_t n, struct api_response *r);

/* The web UI's files, embedded at build time (web_assets.c, generated). */
struct web_asset {
	const char *name;          /* "index.html", "app.js", ... */
	const unsigned char *data;
	const size_t *len;
};
extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

/* The OpenAPI description, embedded likewise (docs/openapi.yaml). */
extern const unsigned char openapi_yaml[];
extern const size_t openapi_yaml_len;

#endif
