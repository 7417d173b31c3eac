/*
 * gateway: an OpenAI-compatible HTTP gateway that puts the guard between
 * a client and a chat-completions upstream (module gateway, on guard and
 * ledger; docs/guard.md#the-gateway).
 *
 * Two layers, usable apart:
 * - Screening (screen.c): pure functions over request and answer bodies.
 *   ag_gw_request_screen parses a chat-completions request, screens each
 *   message with the guard and rewrites it with personal data redacted;
 *   ag_gw_answer_screen does the same for a non-streaming answer (restoring
 *   the request's reversible tokens, appending the risk disclosure);
 *   struct ag_gw_stream does it for an SSE answer as it arrives, holding
 *   back only a tail (AG_GW_TAIL bytes, or the longest token of the request
 *   if longer) so that a value split across two events is still caught.
 *   No I/O, no globals; the fuzzer and the unit tests call these.
 * - The server (gateway.c): libmicrohttpd in, libcurl out, Prometheus
 *   metrics, and one ledger entry per decision.
 *
 * Ownership: a struct ag_gw_policy borrows its guard; results live in the
 * caller's arena or buffers.  Thread safety: a policy is read-only and may
 * be shared; a scratch, a request and a stream belong to one thread.
 * Nothing here prints.
 */
#ifndef AIGOV_GATEWAY_H
#define AIGOV_GATEWAY_H

#include "aigov/arena.h"
#include "aigov/buf.h"
#include "aigov/err.h"
#include "aigov/guard.h"
#include "aigov/log.h"

#include <stdbool.h>
#include <stddef.h>

/* The tail a stream holds back: longer than every fixed-shape detector
 * (IDs 10, cards 23 with separators, phones 17, passports 11 bytes) and
 * than a zh-TW address of about 80 characters.  An e-mail address or a PEM
 * block longer than this is only caught while its detector still sees it
 * growing (a finding that reaches the tail holds it back as a whole). */
#define AG_GW_TAIL 256
/* Most span digests one decision records (the count of each type is kept
 * in full). */
#define AG_GW_MAX_SPANS 64
#define AG_GW_MAX_RULES 64
/* Most bytes of tool-call arguments a stream holds (they are sent whole
 * at the end); beyond it the answer is withheld as if blocked. */
#define AG_GW_MAX_CALL_BYTES (1u << 20)

/* What the screening of one direction (request or answer) decided. */
struct ag_gw_decision {
	int action;            /* enum ag_guard_action: block > handoff > redact > allow */
	double block_score;    /* highest of the messages that decide */
	bool handoff;
	bool disclosure_added;
	size_t types[AG_GUARD_NTYPES];  /* findings of each type */
	size_t nspans;                  /* <= AG_GW_MAX_SPANS */
	struct { int type; char hmac[65]; } spans[AG_GW_MAX_SPANS]; /* HMAC-SHA256 hex */
	size_t nrules;
	const struct ag_guard_rule *rules[AG_GW_MAX_RULES]; /* borrowed from the guard */
};
void ag_gw_decision_init(struct ag_gw_decision *d);
/* The decision as the JSON object a ledger entry carries: action, rule
 * ids, types with counts, span digests.  Never a value nor a plain hash. */
int ag_gw_decision_json(const struct ag_gw_decision *d, const char *direction,
			const char *request_id, const char *model, struct ag_buf *out);

struct ag_gw_policy {
	const struct ag_guard *guard;      /* borrowed */
	struct ag_guard_redactor request;  /* how request values are replaced */
	struct ag_guard_redactor answer;   /* values the model writes: tag, or keep */
	unsigned char hmac_key[32];        /* for the ledger's span digests */
};
/* Copy rd (ops and keys) for requests; answers get tags where rd does not
 * keep.  hmac_key: 32 bytes.  Wipe with ag_gw_policy_release. */
void ag_gw_policy_init(struct ag_gw_policy *p, const struct ag_guard *g,
		       const struct ag_guard_redactor *rd, const unsigned char *hmac_key);
void ag_gw_policy_release(struct ag_gw_policy *p);

/* A reversible token made for a request, and the value it stands for. */
struct ag_gw_token {
	const char *token, *value;
	size_t tlen, vlen;
};

/* A screened chat-completions request.  Everything lives in `arena`. */
struct ag_gw_request {
	struct ag_arena arena;
	struct ag_buf body;         /* what to send upstream (redacted) */
	bool stream;
	char model[128];            /* "" when absent */
	struct ag_gw_decision decision;
	struct ag_gw_token *tokens; /* made for this request */
	size_t ntokens;
	size_t longest_token;
};
void ag_gw_request_init(struct ag_gw_request *q);
void ag_gw_request_release(struct ag_gw_request *q);
/*
 * Parse and screen a request body.  AG_EPARSE with "request body: line L,
 * column C: ..." for malformed JSON, or naming the field that is wrong
 * ("messages[2].content: ..."), or for invalid UTF-8 (the JSON parser
 * refuses it).  On success
 * q->decision says what to do; q->body is the rewritten request unless the
 * action is block.  user messages decide with source user; tool and
 * function messages with source retrieved; system, developer and assistant
 * messages are redacted but do not block (the institution wrote them, or
 * the model did earlier).  The arguments of an assistant message's
 * tool_calls (and legacy function_call) are redacted too: each string and
 * integer in them on its own, when they are JSON.
 */
int ag_gw_request_screen(const struct ag_gw_policy *p, struct ag_guard_scratch *s,
			 const char *body, size_t len, struct ag_gw_request *q,
			 struct ag_err *err);

/*
 * Screen a non-streaming answer (a chat.completion object): each choice's
 * message.content is redacted, its request's tokens restored, the
 * disclosure appended when needed; a blocked choice's content is replaced
 * by a notice, its tool calls dropped, and its finish_reason becomes
 * "content_filter".  Tool-call arguments are redacted and have their
 * tokens restored like the content (they do not block).  Adds an
 * "aigov" object (request and answer action, handoff, disclosure_added).
 * A body that is not such an object is copied unchanged.
 */
int ag_gw_answer_screen(const struct ag_gw_policy *p, struct ag_guard_scratch *s,
			const struct ag_gw_request *q, const char *body, size_t len,
			struct ag_buf *out, struct ag_gw_decision *d, struct ag_err *err);

/* A tool call of a stream: its fragments' fields, arguments apart. */
struct ag_gw_call {
	long long index;        /* delta.tool_calls[].index; -1: legacy function_call */
	void *head;             /* json_t *: the merged fields, without arguments */
	struct ag_buf args;
};

/* A streaming answer, screened as the upstream's SSE bytes arrive.  Text
 * leaves as it comes (less the tail); tool-call fragments are held and
 * sent screened, whole, in one chunk after the text: a value may be cut
 * anywhere in them, and a client runs a tool on whole arguments anyway. */
struct ag_gw_stream {
	const struct ag_gw_policy *p;
	struct ag_guard_scratch *s;
	const struct ag_gw_request *q;
	struct ag_buf in;       /* upstream bytes not yet a whole event */
	struct ag_buf pending;  /* model text held back, not yet sent */
	struct ag_buf context;  /* the last bytes sent, for context words */
	struct ag_buf scratch;
	void *templ;            /* json_t *: the last chunk, for chunks we make */
	struct ag_gw_call *calls; /* tool calls, held until the text is flushed */
	size_t ncalls, call_bytes;
	size_t tail;
	bool recommended, disclosed; /* a recommendation, a disclosure seen */
	bool blocked, done;     /* done: [DONE] written; ignore the rest */
	struct ag_gw_decision decision;
};
void ag_gw_stream_init(struct ag_gw_stream *st, const struct ag_gw_policy *p,
		       struct ag_guard_scratch *s, const struct ag_gw_request *q);
void ag_gw_stream_release(struct ag_gw_stream *st);
/* Feed upstream bytes; append what the client may have now to out. */
int ag_gw_stream_feed(struct ag_gw_stream *st, const char *data, size_t len,
		      struct ag_buf *out, struct ag_err *err);
/* The upstream ended: flush what is held (and [DONE] if it never came). */
int ag_gw_stream_finish(struct ag_gw_stream *st, struct ag_buf *out, struct ag_err *err);

/* ---- the server ---- */

struct ag_gateway_options {
	const char *host;           /* an IP address; NULL: 127.0.0.1 */
	unsigned port;              /* 0: any free port */
	const char *upstream;       /* "http://127.0.0.1:8000" or ".../v1" */
	const struct ag_guard *guard;            /* borrowed; outlives the gateway */
	const struct ag_guard_redactor *redactor; /* copied */
	const char *workspace_root; /* NULL: no ledger entries */
	size_t max_body;            /* 0: 4 MiB */
	unsigned max_connections;   /* 0: 256 */
	long upstream_timeout_s;    /* whole non-streaming call; 0: 300 */
	const struct ag_logger *log;
};

struct ag_gateway;
/* Start listening (a thread per connection).  Everything in o is copied
 * or borrowed as said above. */
int ag_gateway_start(struct ag_gateway **out, const struct ag_gateway_options *o,
		     struct ag_err *err);
unsigned ag_gateway_port(const struct ag_gateway *gw);
/* Stop listening, finish what is in flight, free everything.  NULL is fine. */
void ag_gateway_stop(struct ag_gateway *gw);

#endif
