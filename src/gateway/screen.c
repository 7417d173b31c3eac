/*
 * The gateway's screening of chat-completions bodies (gateway.h): pure
 * functions over JSON, the guard and the redactor.  No I/O.
 */
#include "aigov/gateway.h"

#include "aigov/json.h"
#include "aigov/str.h"
#include "aigov/utf8.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* How many bytes of what was already sent a stream scan sees again, for
 * context words (帳號, 卡號, 統編 end within 36 bytes of their value). */
#define CONTEXT_BYTES 64

static const char BLOCK_NOTICE_EN[] =
	"[aigov] This answer was withheld by the institution's AI policy.";
static const char BLOCK_NOTICE_ZH[] = "[aigov] 此回覆因違反本機構的 AI 使用政策而未顯示。";

/* ---- decisions ---- */

void ag_gw_decision_init(struct ag_gw_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->action = AG_GUARD_ALLOW;
}

static int action_rank(int a)
{
	switch (a) {
	case AG_GUARD_BLOCK: return 3;
	case AG_GUARD_HANDOFF: return 2;
	case AG_GUARD_REDACT: return 1;
	default: return 0;
	}
}

static void decision_raise(struct ag_gw_decision *d, int action)
{
	if (action_rank(action) > action_rank(d->action))
		d->action = action;
}

static void decision_add_rules(struct ag_gw_decision *d, const struct ag_guard_result *r)
{
	for (size_t i = 0; i < r->nhits; i++) {
		bool seen = false;
		for (size_t k = 0; k < d->nrules && !seen; k++)
			seen = d->rules[k] == r->hits[i].rule;
		if (!seen && d->nrules < AG_GW_MAX_RULES)
			d->rules[d->nrules++] = r->hits[i].rule;
	}
}

/* Count a finding and keep HMAC-SHA256(key, value): the national-ID space
 * (5.2e9) is small enough to enumerate a plain hash (GUARD-NOTES §1, 5). */
static void decision_add_span(struct ag_gw_decision *d, const struct ag_gw_policy *p, int type,
			      const char *v, size_t n)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	if (type < 0 || type >= AG_GUARD_NTYPES)
		return;
	d->types[type]++;
	if (d->nspans >= AG_GW_MAX_SPANS)
		return;
	crypto_auth_hmacsha256(mac, (const unsigned char *)v, n, p->hmac_key);
	d->spans[d->nspans].type = type;
	ag_hex_encode(d->spans[d->nspans].hmac, mac, sizeof(mac));
	d->spans[d->nspans].hmac[64] = '\0';
	d->nspans++;
}

int ag_gw_decision_json(const struct ag_gw_decision *d, const char *direction,
			const char *request_id, const char *model, struct ag_buf *out)
{
	struct ag_json j;

	ag_json_init(&j, out, false);
	ag_json_begin_object(&j);
	ag_json_key(&j, "direction");
	ag_json_cstr(&j, direction);
	ag_json_key(&j, "request_id");
	ag_json_cstr(&j, request_id);
	ag_json_key(&j, "model");
	ag_json_cstr(&j, model && *model ? model : NULL);
	ag_json_key(&j, "action");
	ag_json_cstr(&j, ag_guard_action_name(d->action));
	ag_json_key(&j, "block_score");
	ag_json_double(&j, d->block_score);
	ag_json_key(&j, "handoff");
	ag_json_bool(&j, d->handoff);
	ag_json_key(&j, "disclosure_added");
	ag_json_bool(&j, d->disclosure_added);
	ag_json_key(&j, "rules");
	ag_json_begin_array(&j);
	for (size_t i = 0; i < d->nrules; i++)
		ag_json_cstr(&j, d->rules[i]->id);
	ag_json_end_array(&j);
	ag_json_key(&j, "types");
	ag_json_begin_object(&j);
	for (int t = 0; t < AG_GUARD_NTYPES; t++)
		if (d->types[t]) {
			ag_json_key(&j, ag_guard_type_name(t));
			ag_json_u64(&j, d->types[t]);
		}
	ag_json_end_object(&j);
	ag_json_key(&j, "spans");
	ag_json_begin_array(&j);
	for (size_t i = 0; i < d->nspans; i++) {
		ag_json_begin_object(&j);
		ag_json_key(&j, "type");
		ag_json_cstr(&j, ag_guard_type_name(d->spans[i].type));
		ag_json_key(&j, "hmac_sha256");
		ag_json_cstr(&j, d->spans[i].hmac);
		ag_json_end_object(&j);
	}
	ag_json_end_array(&j);
	ag_json_end_object(&j);
	return ag_json_failed(&j) ? AG_ENOMEM : 0;
}

/* ---- policy ---- */

void ag_gw_policy_init(struct ag_gw_policy *p, const struct ag_guard *g,
		       const struct ag_guard_redactor *rd, const unsigned char *hmac_key)
{
	memset(p, 0, sizeof(*p));
	p->guard = g;
	p->request = *rd;
	ag_guard_redactor_init(&p->answer, AG_GUARD_OP_TAG);
	for (int t = 0; t < AG_GUARD_NTYPES; t++)
		if (rd->op[t] == AG_GUARD_OP_KEEP)
			p->answer.op[t] = AG_GUARD_OP_KEEP;
	memcpy(p->hmac_key, hmac_key, sizeof(p->hmac_key));
}

void ag_gw_policy_release(struct ag_gw_policy *p)
{
	ag_guard_redactor_release(&p->request);
	sodium_memzero(p->hmac_key, sizeof(p->hmac_key));
}

/* ---- tool-call arguments ---- */

/* One text of a JSON value, screened and replaced in place (str is a JSON
 * string); sets *changed when it was rewritten. */
typedef int (*string_fn)(void *ctx, json_t *str, bool *changed, const char *where,
			 struct ag_err *err);

/* Screen a member or element: a string in place; an integer as its digits
 * (a card number may be written as one), becoming a string only when
 * something in it was redacted (*repl, owned by the caller). */
static int screen_value(json_t *v, string_fn fn, void *ctx, bool *changed, const char *where,
			json_t **repl, struct ag_err *err);

static int screen_members(json_t *v, string_fn fn, void *ctx, bool *changed, const char *where,
			  struct ag_err *err)
{
	const char *k;
	json_t *m, *repl = NULL;
	size_t i;
	int rc = 0;

	if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			if ((rc = screen_value(m, fn, ctx, changed, where, &repl, err)))
				break;
			if (repl && json_object_set_new(v, k, repl))
				return ag_err_set(err, AG_ENOMEM, "out of memory");
			repl = NULL;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			if ((rc = screen_value(m, fn, ctx, changed, where, &repl, err)))
				break;
			if (repl && json_array_set_new(v, i, repl))
				return ag_err_set(err, AG_ENOMEM, "out of memory");
			repl = NULL;
		}
	}
	return rc;
}

static int screen_value(json_t *v, string_fn fn, void *ctx, bool *changed, const char *where,
			json_t **repl, struct ag_err *err)
{
	char digits[32];
	bool redacted = false;
	json_t *str;
	int rc;

	*repl = NULL;
	if (json_is_string(v))
		return fn(ctx, v, changed, where, err);
	if (!json_is_integer(v))
		return screen_members(v, fn, ctx, changed, where, err);
	snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (!(str = json_string(digits)))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if ((rc = fn(ctx, str, &redacted, where, err)) || !redacted) {
		json_decref(str);
		return rc;
	}
	*changed = true;
	*repl = str;
	return 0;
}

/* A tool call's arguments are JSON text the model wrote.  Each string and
 * integer in them is screened on its own (a value does not span two), and
 * the arguments are written again only when one changed, so that what
 * needs nothing reaches the tool byte for byte.  Arguments that are not
 * JSON are screened as one text. */
static int screen_arguments(json_t *args, string_fn fn, void *ctx, const char *where,
			    struct ag_err *err)
{
	bool changed = false;
	json_t *v, *repl = NULL;
	char *s;
	int rc;

	if (!json_is_string(args))
		return 0;
	v = json_loadb(json_string_value(args), json_string_length(args), JSON_DECODE_ANY, NULL);
	if (!v)
		return fn(ctx, args, &changed, where, err);
	rc = screen_value(v, fn, ctx, &changed, where, &repl, err);
	if (!rc && changed) {
		s = json_dumps(repl ? repl : v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!s || json_string_set(args, s))
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		free(s);
	}
	json_decref(repl);
	json_decref(v);
	return rc;
}

/* The arguments of message m's tool_calls and legacy function_call;
 * prefix names m in errors ("messages[3]"). */
static int screen_calls(json_t *m, string_fn fn, void *ctx, const char *prefix, struct ag_err *err)
{
	json_t *calls = json_object_get(m, "tool_calls"), *c;
	char where[128];
	size_t i;
	int rc;

	json_array_foreach(calls, i, c) {
		snprintf(where, sizeof(where), "%s.tool_calls[%zu].function.arguments", prefix, i);
		if ((rc = screen_arguments(json_object_get(json_object_get(c, "function"), "arguments"),
					   fn, ctx, where, err)))
			return rc;
	}
	snprintf(where, sizeof(where), "%s.function_call.arguments", prefix);
	return screen_arguments(json_object_get(json_object_get(m, "function_call"), "arguments"), fn,
				ctx, where, err);
}

/* ---- requests ---- */

void ag_gw_request_init(struct ag_gw_request *q)
{
	memset(q, 0, sizeof(*q));
	ag_arena_init(&q->arena, 0);
	ag_buf_init(&q->body);
	ag_gw_decision_init(&q->decision);
}

void ag_gw_request_release(struct ag_gw_request *q)
{
	ag_buf_release(&q->body);
	ag_arena_release(&q->arena);
	q->tokens = NULL;
	q->ntokens = 0;
}

/* Remember the token a value became, once, for restoring the answer. */
static int remember_token(const struct ag_gw_policy *p, struct ag_gw_request *q, int type,
			  const char *v, size_t n, struct ag_err *err)
{
	struct ag_guard_finding f = { type, 0, n, 1.0 };
	struct ag_buf tok;
	struct ag_gw_token *grown;
	int rc;

	ag_buf_init(&tok);
	if ((rc = ag_guard_redact(&p->request, v, n, &f, 1, &tok, err))) {
		ag_buf_release(&tok);
		return rc;
	}
	for (size_t i = 0; i < q->ntokens; i++)
		if (q->tokens[i].tlen == tok.len && !memcmp(q->tokens[i].token, tok.buf, tok.len)) {
			ag_buf_release(&tok);
			return 0;
		}
	grown = ag_arena_alloc(&q->arena, (q->ntokens + 1) * sizeof(*grown));
	if (!grown) {
		ag_buf_release(&tok);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	if (q->ntokens)
		memcpy(grown, q->tokens, q->ntokens * sizeof(*grown));
	grown[q->ntokens].token = ag_arena_strndup(&q->arena, tok.buf, tok.len);
	grown[q->ntokens].tlen = tok.len;
	grown[q->ntokens].value = ag_arena_strndup(&q->arena, v, n);
	grown[q->ntokens].vlen = n;
	ag_buf_release(&tok);
	if (!grown[q->ntokens].token || !grown[q->ntokens].value)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (tok.len > q->longest_token)
		q->longest_token = tok.len;
	q->tokens = grown;
	q->ntokens++;
	return 0;
}

/* Screen one text of a request and replace it in place (str is a JSON
 * string; *changed set when it was, if changed is not NULL).  decides:
 * whether its block and hand-off rules count. */
static int screen_request_text(const struct ag_gw_policy *p, struct ag_guard_scratch *s,
			       struct ag_gw_request *q, json_t *str, int source, bool decides,
			       const char *where, bool *changed, struct ag_err *err)
{
	const char *text = json_string_value(str);
	size_t len = json_string_length(str), bad;
	struct ag_guard_result r;
	struct ag_buf red;
	int rc;

	if (!ag_utf8_valid(text, len, &bad))
		return ag_err_set(err, AG_EINVAL, "%s: invalid UTF-8 at byte %zu", where, bad);
	if ((rc = ag_guard_scan(p->guard, s, text, len, source, &q->arena, &r, err)))
		return rc;
	if (decides) {
		if (r.block_score > q->decision.block_score)
			q->decision.block_score = r.block_score;
		if (r.action == AG_GUARD_BLOCK || r.action == AG_GUARD_HANDOFF)
			decision_raise(&q->decision, r.action);
		q->decision.handoff |= r.handoff;
		decision_add_rules(&q->decision, &r);
	}
	if (!r.nfindings)
		return 0;
	decision_raise(&q->decision, AG_GUARD_REDACT);
	for (size_t i = 0; i < r.nfindings; i++) {
		const struct ag_guard_finding *f = &r.findings[i];
		decision_add_span(&q->decision, p, f->type, text + f->start, f->end - f->start);
		if (p->request.op[f->type] == AG_GUARD_OP_TOKEN &&
		    (rc = remember_token(p, q, f->type, text + f->start, f->end - f->start, err)))
			return rc;
	}
	ag_buf_init(&red);
	rc = ag_guard_redact(&p->request, text, len, r.findings, r.nfindings, &red, err);
	if (!rc && json_string_setn(str, red.buf, red.len))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	if (!rc && changed)
		*changed = true;
	ag_buf_release(&red);
	return rc;
}

struct request_ctx {
	const struct ag_gw_policy *p;
	struct ag_guard_scratch *s;
	struct ag_gw_request *q;
	int source;
	bool decides;
};

static int request_string(void *ctx, json_t *str, bool *changed, const char *where,
			  struct ag_err *err)
{
	struct request_ctx *x = ctx;

	return screen_request_text(x->p, x->s, x->q, str, x->source, x->decides, where, changed, err);
}

static int role_source(const char *role, bool *decides)
{
	*decides = true;
	if (!strcmp(role, "user"))
		return AG_GUARD_SRC_USER;
	if (!strcmp(role, "tool") || !strcmp(role, "function"))
		return AG_GUARD_SRC_RETRIEVED;
	*decides = false; /* system, developer, assistant */
	return AG_GUARD_SRC_USER;
}

static int screen_message(const struct ag_gw_policy *p, struct ag_guard_scratch *s,
			  struct ag_gw_request *q, json_t *m, size_t i, struct ag_err *err)
{
	json_t *role = json_object_get(m, "role"), *content = json_object_get(m, "content");
	struct request_ctx x = { p, s, q, 0, false };
	char where[96];
	int rc;

	if (!json_is_object(m) || !json_is_string(role))
		return ag_err_set(err, AG_EPARSE,
				  "messages[%zu]: expected an object with a string \"role\"", i);
	x.source = role_source(json_string_value(role), &x.decides);
	snprintf(where, sizeof(where), "messages[%zu]", i);
	if ((rc = screen_calls(m, request_string, &x, where, err)))
		return rc;
	snprintf(where, sizeof(where), "messages[%zu].content", i);
	if (!content || json_is_null(content))
		return 0;
	if (json_is_string(content))
		return request_string(&x, content, NULL, where, err);
	if (!json_is_array(content))
		return ag_err_set(err, AG_EPARSE, "%s: expected a string or an array of parts", where);
	for (size_t k = 0; k < json_array_size(content); k++) {
		json_t *part = json_array_get(content, k), *text = json_object_get(part, "text");
		snprintf(where, sizeof(where), "messages[%zu].content[%zu].text", i, k);
		if (json_is_string(text) && (rc = request_string(&x, text, NULL, where, err)))
			return rc;
	}
	return 0;
}

static int dump_into(json_t *o, struct ag_buf *out, struct ag_err *err)
{
	size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT);

	ag_buf_reset(out);
	if (!n || ag_buf_grow(out, n))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	json_dumpb(o, out->buf, n, JSON_COMPACT);
	out->len = n;
	out->buf[n] = '\0';
	return 0;
}

int ag_gw_request_screen(const struct ag_gw_policy *p, struct ag_guard_scratch *s,
			 const char *body, size_t len, struct ag_gw_request *q,
			 struct ag_err *err)
{
	json_error_t je;
	json_t *o, *msgs, *model, *stream, *n;
	int rc = 0;

	o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return ag_err_set(err, AG_EPARSE, "request body: line %d, column %d: %s", je.line,
				  je.column, je.text);
	msgs = json_object_get(o, "messages");
	model = json_object_get(o, "model");
	stream = json_object_get(o, "stream");
	n = json_object_get(o, "n");
	if (!json_is_object(o))
		rc = ag_err_set(err, AG_EPARSE, "request body: expected a JSON object");
	else if (!json_is_array(msgs))
		rc = ag_err_set(err, AG_EPARSE, "messages: expected an array of messages");
	else if (model && !json_is_string(model))
		rc = ag_err_set(err, AG_EPARSE, "model: expected a string");
	else if (stream && !json_is_boolean(stream) && !json_is_null(stream))
		rc = ag_err_set(err, AG_EPARSE, "stream: expected true or false");
	if (!rc) {
		q->stream = json_is_true(stream);
		if (model)
			snprintf(q->model, sizeof(q->model), "%s", json_string_value(model));
		/* One screened text per stream: several choices would need a
		 * tail each, which the gateway does not keep. */
		if (q->stream && json_is_integer(n) && json_integer_value(n) > 1)
			rc = ag_err_set(err, AG_EPARSE, "n: the gateway streams one choice (n = 1)");
	}
	for (size_t i = 0; !rc && i < json_array_size(msgs); i++)
		rc = screen_message(p, s, q, json_array_get(msgs, i), i, err);
	if (!rc && q->decision.action != AG_GUARD_BLOCK)
		rc = dump_into(o, &q->body, err);
	json_decref(o);
	return rc;
}

/* ---- answers ---- */

/* Replace every token of q in text by its value, into out. */
static int restore_tokens(const struct ag_gw_request *q, const char *text, size_t len,
			  struct ag_buf *out)
{
	size_t i = 0;

	while (i < len) {
		const char *lt = q->ntokens ? memchr(text + i, '<', len - i) : NULL;
		size_t at = lt ? (size_t)(lt - text) : len, used = 0;
		if (ag_buf_add(out, text + i, at - i))
			return AG_ENOMEM;
		if (!lt)
			break;
		for (size_t k = 0; k < q->ntokens && !used; k++)
			if (q->tokens[k].tlen <= len - at &&
			    !memcmp(text + at, q->tokens[k].token, q->tokens[k].tlen)) {
				if (ag_buf_add(out, q->tokens[k].value, q->tokens[k].vlen))
					return AG_ENOMEM;
				used = q->tokens[k].tlen;
			}
		if (!used && ag_buf_addch(out, '<'))
			return AG_ENOMEM;
		i = at + (used ? used : 1);
	}
	return 0;
}

/* The findings of r inside [from, to) of the scanned text, shifted to
 * start at `from`, into f (n of them); each counted in d. */
static size_t findings_in(const struct ag_gw_policy *p, const struct ag_guard_result *r,
			  const char *scanned, size_t from, size_t to, struct ag_guard_finding *f,
			  struct ag_gw_decision *d)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfindings; i++) {
		struct ag_guard_finding g = r->findings[i];
		if (g.end <= from || g.start >= to)
			continue;
		if (g.start < from)
			g.start = from;
		if (g.end > to)
			g.end = to;
		if (p->answer.op[g.type] != AG_GUARD_OP_KEEP) {
			decision_add_span(d, p, g.type, scanned + g.start, g.end - g.start);
			decision_raise(d, AG_GUARD_REDACT);
		}
		g.start -= from;
		g.end -= from;
		f[n++] = g;
	}
	return n;
}

/* [from, to) of a scanned answer text whose findings are r, into out:
 * what the model wrote tagged, the request's tokens restored. */
static int answer_text(const struct ag_gw_policy *p, const struct ag_gw_request *q,
		       const struct ag_guard_result *r, const char *scanned, size_t from, size_t to,
		       struct ag_arena *a, struct ag_gw_decision *d, struct ag_buf *out,
		       struct ag_err *err)
{
	struct ag_guard_finding *f = ag_arena_alloc(a, (r->nfindings + 1) * sizeof(*f));
	struct ag_buf red;
	size_t n;
	int rc;

	if (!f)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	n = findings_in(p, r, scanned, from, to, f, d);
	ag_buf_init(&red);
	rc = ag_guard_redact(&p->answer, scanned + from, to - from, f, n, &red, err);
	if (!rc && restore_tokens(q, red.buf, red.len, out))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_buf_release(&red);
	return rc;
}

static void note_policy(struct ag_gw_stream *st, const struct ag_guard_result *r)
{
	for (size_t i = 0; i < r->nhits; i++) {
		if (r->hits[i].rule->effect == AG_GUARD_EFFECT_NEEDS_DISCLOSURE)
			st->recommended = true;
		if (r->hits[i].rule->effect == AG_GUARD_EFFECT_HAS_DISCLOSURE)
			st->disclosed = true;
	}
	decision_add_rules(&st->decision, r);
	if (r->block_score > st->decision.block_score)
		st->decision.block_score = r->block_score;
	if (r->action == AG_GUARD_BLOCK) {
		st->blocked = true;
		decision_raise(&st->decision, AG_GUARD_BLOCK);
	}
}

/* Whether position i of s is the start of a UTF-8 character. */
static bool char_start(const char *s, size_t i)
{
	return ((unsigned char)s[i] & 0xC0) != 0x80;
}

/* Where to stop sending: len - tail, moved back so that no finding and no
 * token of the request is cut, and to a character boundary. */
static size_t choose_cut(const struct ag_gw_stream *st, const struct ag_guard_result *r,
			 size_t c0, bool final)
{
	const char *t = st->pending.buf;
	size_t len = st->pending.len, cut = final ? len : (len > st->tail ? len - st->tail : 0);

	if (final)
		return cut;
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct ag_guard_finding *f = &r->findings[i];
		if (f->start < c0 + cut && f->end > c0 + cut)
			cut = f->start > c0 ? f->start - c0 : 0;
	}
	if (st->q->ntokens && cut) {
		size_t from = cut > st->q->longest_token ? cut - st->q->longest_token : 0;
		for (size_t i = cut; i-- > from;) {
			if (t[i] == '>')
				break;
			if (t[i] == '<') {
				cut = i;
				break;
			}
		}
	}
	while (cut && cut < len && !char_start(t, cut))
		cut--;
	return cut;
}

/* Keep the last CONTEXT_BYTES of what was sent (raw model text). */
static int keep_context(struct ag_gw_stream *st, const char *sent, size_t n)
{
	struct ag_buf *c = &st->context;
	size_t drop;

	if (ag_buf_add(c, sent, n))
		return AG_ENOMEM;
	if (c->len <= CONTEXT_BYTES)
		return 0;
	drop = c->len - CONTEXT_BYTES;
	while (drop < c->len && !char_start(c->buf, drop))
		drop++;
	memmove(c->buf, c->buf + drop, c->len - drop);
	c->len -= drop;
	c->buf[c->len] = '\0';
	return 0;
}

/* Scan context + pending; send (into out: redacted, tokens restored) what
 * is older than the tail, or everything when final. */
static int screen_window(struct ag_gw_stream *st, bool final, struct ag_buf *out,
			 struct ag_err *err)
{
	struct ag_arena a;
	struct ag_guard_result r;
	struct ag_buf *w = &st->scratch;
	size_t c0 = st->context.len, cut;
	int rc;

	if (!st->pending.len)
		return 0;
	ag_buf_reset(w);
	if (ag_buf_add(w, st->context.buf, c0) || ag_buf_add(w, st->pending.buf, st->pending.len))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_init(&a, 0);
	rc = ag_guard_scan(st->p->guard, st->s, w->buf, w->len, AG_GUARD_SRC_MODEL, &a, &r, err);
	if (rc) {
		ag_arena_release(&a);
		return rc;
	}
	note_policy(st, &r);
	if (st->blocked) {
		ag_arena_release(&a);
		ag_buf_reset(&st->pending);
		return 0;
	}
	cut = choose_cut(st, &r, c0, final);
	rc = answer_text(st->p, st->q, &r, w->buf, c0, c0 + cut, &a, &st->decision, out, err);
	if (!rc && keep_context(st, st->pending.buf, cut))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_release(&a);
	if (rc)
		return rc;
	memmove(st->pending.buf, st->pending.buf + cut, st->pending.len - cut);
	st->pending.len -= cut;
	st->pending.buf[st->pending.len] = '\0';
	return 0;
}

/* The disclosure when a recommendation came without one (appends to
 * text; sets the decision's flag). */
static int add_disclosure(struct ag_gw_stream *st, const char *text, size_t len, struct ag_buf *out)
{
	const char *d;

	if (!st->recommended || st->disclosed || st->blocked)
		return 0;
	d = ag_guard_disclosure(st->p->guard, text, len);
	if (!d)
		return 0;
	st->disclosed = true;
	st->decision.disclosure_added = true;
	decision_raise(&st->decision, AG_GUARD_REDACT);
	return ag_buf_addf(out, "\n\n%s", d);
}

static const char *notice(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0xE3)
			return BLOCK_NOTICE_ZH;
	return BLOCK_NOTICE_EN;
}

static json_t *aigov_field(const struct ag_gw_request *q, const struct ag_gw_decision *d)
{
	int overall = action_rank(q->decision.action) >= action_rank(d->action) ? q->decision.action
										    : d->action;
	return json_pack("{s:s,s:s,s:s,s:b,s:b}", "action", ag_guard_action_name(overall),
			 "request_action", ag_guard_action_name(q->decision.action), "answer_action",
			 ag_guard_action_name(d->action), "handoff", q->decision.handoff,
			 "disclosure_added", d->disclosure_added);
}

struct answer_ctx {
	const struct ag_gw_policy *p;
	struct ag_guard_scratch *s;
	const struct ag_gw_request *q;
	struct ag_gw_decision *d;
};

/* One whole text of an answer outside its content (a tool call's string
 * argument): what the model wrote is tagged, the request's tokens are
 * restored.  Its rules do not count: they are for what a customer reads. */
static int answer_string(void *ctx, json_t *str, bool *changed, const char *where,
			 struct ag_err *err)
{
	struct answer_ctx *x = ctx;
	const char *v = json_string_value(str);
	size_t n = json_string_length(str);
	struct ag_guard_result r;
	struct ag_arena a;
	struct ag_buf text;
	int rc;

	(void)where;
	ag_arena_init(&a, 0);
	ag_buf_init(&text);
	rc = ag_guard_scan(x->p->guard, x->s, v, n, AG_GUARD_SRC_MODEL, &a, &r, err);
	if (!rc)
		rc = answer_text(x->p, x->q, &r, v, 0, n, &a, x->d, &text, err);
	if (!rc && (text.len != n || memcmp(text.buf, v, n))) {
		if (json_string_setn(str, text.buf, text.len))
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		*changed = true;
	}
	ag_buf_release(&text);
	ag_arena_release(&a);
	return rc;
}

/* Choice i of a chat.completion: its content screened as a whole stream,
 * then its tool calls; a blocked choice keeps only the notice. */
static int screen_choice(const struct ag_gw_policy *p, struct ag_guard_scratch *s,
			 const struct ag_gw_request *q, json_t *c, size_t i, struct ag_gw_decision *d,
			 struct ag_err *err)
{
	json_t *m = json_object_get(c, "message"), *content = json_object_get(m, "content");
	struct answer_ctx x = { p, s, q, d };
	const char *v = json_string_value(content);
	size_t vn = json_string_length(content);
	struct ag_gw_stream st;
	struct ag_buf text;
	char where[64];
	int rc = 0;

	if (json_is_string(content) && ag_utf8_valid(v, vn, NULL)) {
		ag_gw_stream_init(&st, p, s, q);
		ag_buf_init(&text);
		st.decision = *d;
		if (ag_buf_add(&st.pending, v, vn))
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		if (!rc)
			rc = screen_window(&st, true, &text, err);
		if (!rc && add_disclosure(&st, v, vn, &text))
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		if (!rc && st.blocked) {
			ag_buf_reset(&text);
			rc = ag_buf_addstr(&text, notice(v, vn));
			json_object_set_new(c, "finish_reason", json_string("content_filter"));
			json_object_del(m, "tool_calls");
			json_object_del(m, "function_call");
		}
		if (!rc && json_string_setn(content, text.buf, text.len))
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		*d = st.decision;
		ag_buf_release(&text);
		ag_gw_stream_release(&st);
	}
	snprintf(where, sizeof(where), "choices[%zu].message", i);
	return rc ? rc : screen_calls(m, answer_string, &x, where, err);
}

int ag_gw_answer_screen(const struct ag_gw_policy *p, struct ag_guard_scratch *s,
			const struct ag_gw_request *q, const char *body, size_t len,
			struct ag_buf *out, struct ag_gw_decision *d, struct ag_err *err)
{
	json_t *o = json_loadb(body, len, 0, NULL), *choices = json_object_get(o, "choices");
	int rc = 0;

	ag_gw_decision_init(d);
	if (!json_is_object(o) || !json_is_array(choices)) {
		json_decref(o);
		ag_buf_reset(out);
		return ag_buf_add(out, body, len) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
	}
	for (size_t i = 0; !rc && i < json_array_size(choices); i++)
		rc = screen_choice(p, s, q, json_array_get(choices, i), i, d, err);
	if (!rc)
		json_object_set_new(o, "aigov", aigov_field(q, d));
	if (!rc)
		rc = dump_into(o, out, err);
	json_decref(o);
	return rc;
}

/* ---- streams ---- */

static void drop_calls(struct ag_gw_stream *st)
{
	for (size_t i = 0; i < st->ncalls; i++) {
		json_decref(st->calls[i].head);
		ag_buf_release(&st->calls[i].args);
	}
	free(st->calls);
	st->calls = NULL;
	st->ncalls = 0;
	st->call_bytes = 0;
}

void ag_gw_stream_init(struct ag_gw_stream *st, const struct ag_gw_policy *p,
		       struct ag_guard_scratch *s, const struct ag_gw_request *q)
{
	memset(st, 0, sizeof(*st));
	st->p = p;
	st->s = s;
	st->q = q;
	ag_buf_init(&st->in);
	ag_buf_init(&st->pending);
	ag_buf_init(&st->context);
	ag_buf_init(&st->scratch);
	st->tail = q->longest_token + 1 > AG_GW_TAIL ? q->longest_token + 1 : AG_GW_TAIL;
	ag_gw_decision_init(&st->decision);
}

void ag_gw_stream_release(struct ag_gw_stream *st)
{
	ag_buf_release(&st->in);
	ag_buf_release(&st->pending);
	ag_buf_release(&st->context);
	ag_buf_release(&st->scratch);
	json_decref(st->templ);
	st->templ = NULL;
	drop_calls(st);
}

static int emit_json(json_t *o, struct ag_buf *out)
{
	char *s = json_dumps(o, JSON_COMPACT);
	int rc = s ? ag_buf_addf(out, "data: %s\n\n", s) : AG_ENOMEM;

	free(s);
	return rc;
}

/* A chunk of our own, shaped like the upstream's last one: one choice
 * with this delta (taken) and finish_reason (NULL: null). */
static int emit_delta(struct ag_gw_stream *st, json_t *delta, const char *finish, bool with_aigov,
		      struct ag_buf *out)
{
	json_t *o = st->templ ? json_deep_copy(st->templ) : json_object();
	json_t *choice = json_object(), *choices = json_array();
	int rc;

	json_object_set_new(choice, "index", json_integer(0));
	json_object_set_new(choice, "delta", delta);
	json_object_set_new(choice, "finish_reason", finish ? json_string(finish) : json_null());
	json_array_append_new(choices, choice);
	json_object_set_new(o, "choices", choices);
	if (with_aigov)
		json_object_set_new(o, "aigov", aigov_field(st->q, &st->decision));
	else
		json_object_del(o, "aigov");
	rc = emit_json(o, out);
	json_decref(o);
	return rc;
}

/* The same with delta.content = text (if any). */
static int emit_chunk(struct ag_gw_stream *st, const char *text, size_t len, const char *finish,
		      bool with_aigov, struct ag_buf *out)
{
	json_t *delta = json_object();

	if (text)
		json_object_set_new(delta, "content", json_stringn(text, len));
	return emit_delta(st, delta, finish, with_aigov, out);
}

/* Add one fragment of a tool call (c: an element of delta.tool_calls, or
 * delta.function_call when index is -1) to what st holds. */
static int take_call(struct ag_gw_stream *st, long long index, json_t *c, struct ag_err *err)
{
	json_t *fn = index < 0 ? c : json_object_get(c, "function");
	json_t *args = json_object_get(fn, "arguments"), *head, *hfn;
	struct ag_gw_call *k = NULL, *grown;
	size_t n = json_string_length(args);

	for (size_t i = 0; i < st->ncalls && !k; i++)
		if (st->calls[i].index == index)
			k = &st->calls[i];
	if (!k) {
		if (!(grown = realloc(st->calls, (st->ncalls + 1) * sizeof(*grown))))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		st->calls = grown;
		k = &st->calls[st->ncalls];
		k->index = index;
		ag_buf_init(&k->args);
		if (!(k->head = json_object()))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		st->ncalls++;
	}
	/* later fragments repeat or add fields (id, type, name): merge them */
	head = k->head;
	json_object_update_missing_new(head, json_deep_copy(c));
	hfn = index < 0 ? head : json_object_get(head, "function");
	if (index >= 0 && json_is_object(hfn) && json_is_object(fn))
		json_object_update_missing_new(hfn, json_deep_copy(fn));
	json_object_del(hfn, "arguments");
	if (!json_is_string(args))
		return 0;
	if (st->call_bytes + n > AG_GW_MAX_CALL_BYTES) {
		st->blocked = true;
		decision_raise(&st->decision, AG_GUARD_BLOCK);
		return 0;
	}
	st->call_bytes += n;
	return ag_buf_add(&k->args, json_string_value(args), n)
		       ? ag_err_set(err, AG_ENOMEM, "out of memory")
		       : 0;
}

/* Move a delta's tool-call fragments into st; whether it had any. */
static int take_calls(struct ag_gw_stream *st, json_t *delta, bool *took, struct ag_err *err)
{
	json_t *calls = json_object_get(delta, "tool_calls"), *fc = json_object_get(delta, "function_call");
	json_t *c;
	size_t i;
	int rc = 0;

	*took = calls || fc;
	json_array_foreach(calls, i, c) {
		json_t *index = json_object_get(c, "index");
		if ((rc = take_call(st, json_is_integer(index) ? json_integer_value(index) : (long long)i,
				    c, err)))
			return rc;
	}
	if (json_is_object(fc))
		rc = take_call(st, -1, fc, err);
	json_object_del(delta, "tool_calls");
	json_object_del(delta, "function_call");
	return rc;
}

/* The held tool calls, screened, in one chunk (none when blocked). */
static int flush_calls(struct ag_gw_stream *st, struct ag_buf *out, struct ag_err *err)
{
	struct answer_ctx x = { st->p, st->s, st->q, &st->decision };
	json_t *delta, *calls;
	int rc = 0;

	if (!st->ncalls || st->blocked) {
		drop_calls(st);
		return 0;
	}
	delta = json_object();
	calls = json_array();
	for (size_t i = 0; !rc && i < st->ncalls; i++) {
		struct ag_gw_call *k = &st->calls[i];
		json_t *head = k->head, *fn;
		json_t *args = json_stringn(k->args.buf, k->args.len);
		char where[64];

		if (k->index >= 0 && !json_is_object(json_object_get(head, "function")))
			json_object_set_new(head, "function", json_object());
		fn = k->index < 0 ? head : json_object_get(head, "function");
		snprintf(where, sizeof(where), "tool call %lld", k->index);
		if (!args)
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		else if (!(rc = screen_arguments(args, answer_string, &x, where, err)))
			json_object_set(fn, "arguments", args);
		json_decref(args);
		if (!rc && k->index < 0)
			json_object_set(delta, "function_call", head);
		else if (!rc)
			json_array_append(calls, head);
	}
	if (json_array_size(calls))
		json_object_set(delta, "tool_calls", calls);
	json_decref(calls);
	drop_calls(st);
	if (!rc && emit_delta(st, delta, NULL, false, out))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (rc)
		json_decref(delta);
	return rc;
}

/* Send whatever is held, the disclosure if one is due; or, when blocked,
 * the notice with finish_reason content_filter. */
static int flush_held(struct ag_gw_stream *st, struct ag_buf *out, struct ag_err *err)
{
	struct ag_buf text;
	int rc;

	ag_buf_init(&text);
	rc = screen_window(st, true, &text, err);
	if (!rc && add_disclosure(st, st->context.buf, st->context.len, &text))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	if (!rc && text.len && !st->blocked && emit_chunk(st, text.buf, text.len, NULL, false, out))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_buf_release(&text);
	return rc ? rc : flush_calls(st, out, err);
}

static int end_blocked(struct ag_gw_stream *st, struct ag_buf *out)
{
	const char *n = notice(st->context.buf, st->context.len);

	st->done = true;
	if (emit_chunk(st, n, strlen(n), "content_filter", true, out) ||
	    ag_buf_addstr(out, "data: [DONE]\n\n"))
		return AG_ENOMEM;
	return 0;
}

/* One chunk object of the upstream.  The request asked for one choice
 * (n > 1 is refused with streaming); the first choice is the screened
 * stream, and any other choice an upstream sends is dropped, never passed
 * on unscreened. */
static int on_chunk(struct ag_gw_stream *st, json_t *o, struct ag_buf *out, struct ag_err *err)
{
	json_t *choices = json_object_get(o, "choices"), *choice = json_array_get(choices, 0);
	json_t *delta = json_object_get(choice, "delta"), *content = json_object_get(delta, "content");
	json_t *finish = json_object_get(choice, "finish_reason");
	struct ag_buf text;
	bool took, other;
	int rc = 0;

	while (json_array_size(choices) > 1)
		json_array_remove(choices, 1);
	if ((rc = take_calls(st, delta, &took, err)))
		return rc;
	if (st->blocked)
		return end_blocked(st, out) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
	json_decref(st->templ);
	st->templ = json_deep_copy(o);
	json_object_del(st->templ, "usage");
	if (json_is_string(content) &&
	    ag_buf_add(&st->pending, json_string_value(content), json_string_length(content)))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (finish && !json_is_null(finish)) {
		if ((rc = flush_held(st, out, err)))
			return rc;
		if (st->blocked)
			return end_blocked(st, out) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
		if (json_is_string(content))
			json_object_set_new(delta, "content", json_string(""));
		json_object_set_new(o, "aigov", aigov_field(st->q, &st->decision));
		return emit_json(o, out) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
	}
	ag_buf_init(&text);
	rc = json_is_string(content) ? screen_window(st, false, &text, err) : 0;
	/* a chunk that only carried tool-call fragments has nothing left */
	other = json_object_size(delta) > (json_is_string(content) ? 1u : 0u);
	if (!rc && st->blocked)
		rc = end_blocked(st, out) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
	else if (!rc && (text.len || other || (!took && !json_is_string(content)))) {
		if (json_is_string(content))
			json_object_set_new(delta, "content", json_stringn(text.buf, text.len));
		if (emit_json(o, out))
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	ag_buf_release(&text);
	return rc;
}

/* One SSE event (without its blank line). */
static int on_event(struct ag_gw_stream *st, const char *ev, size_t len, struct ag_buf *out,
		    struct ag_err *err)
{
	struct ag_buf data;
	json_t *o;
	int rc = 0;

	ag_buf_init(&data);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(ev + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - ev) : len, e = end;
		if (e > i && ev[e - 1] == '\r')
			e--;
		if (e - i >= 5 && !memcmp(ev + i, "data:", 5)) {
			size_t from = i + 5 + (e > i + 5 && ev[i + 5] == ' ');
			if ((data.len && ag_buf_addch(&data, '\n')) || ag_buf_add(&data, ev + from, e - from))
				rc = AG_ENOMEM;
		}
		i = end + 1;
	}
	if (rc) {
		ag_buf_release(&data);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	if (!data.len) { /* comments and keep-alives */
		ag_buf_release(&data);
		return 0;
	}
	if (!strcmp(data.buf, "[DONE]")) {
		ag_buf_release(&data);
		if ((rc = flush_held(st, out, err)))
			return rc;
		if (st->blocked)
			return end_blocked(st, out) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
		st->done = true;
		return ag_buf_addstr(out, "data: [DONE]\n\n") ? ag_err_set(err, AG_ENOMEM, "out of memory")
							      : 0;
	}
	o = json_loadb(data.buf, data.len, 0, NULL);
	if (json_is_object(o) && json_is_array(json_object_get(o, "choices")) &&
	    json_array_size(json_object_get(o, "choices")))
		rc = on_chunk(st, o, out, err);
	else if (json_is_object(o) && json_object_get(o, "choices"))
		rc = emit_json(o, out) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0; /* usage */
	else if (!(rc = flush_held(st, out, err)) && ag_buf_addf(out, "data: %s\n\n", data.buf))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory"); /* an error object: pass it on */
	json_decref(o);
	ag_buf_release(&data);
	return rc;
}

/* The end of the next event in b: the index after its blank line, and
 * *evlen its length without it; 0 when it is not complete yet. */
static size_t next_event(const struct ag_buf *b, size_t *evlen)
{
	for (size_t i = 0; i + 1 < b->len; i++) {
		if (b->buf[i] != '\n')
			continue;
		if (b->buf[i + 1] == '\n') {
			*evlen = i;
			return i + 2;
		}
		if (b->buf[i + 1] == '\r' && i + 2 < b->len && b->buf[i + 2] == '\n') {
			*evlen = i;
			return i + 3;
		}
	}
	return 0;
}

int ag_gw_stream_feed(struct ag_gw_stream *st, const char *data, size_t len,
		      struct ag_buf *out, struct ag_err *err)
{
	size_t used, evlen;
	int rc = 0;

	if (st->done)
		return 0;
	if (ag_buf_add(&st->in, data, len))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	while (!rc && !st->done && (used = next_event(&st->in, &evlen))) {
		rc = on_event(st, st->in.buf, evlen, out, err);
		memmove(st->in.buf, st->in.buf + used, st->in.len - used);
		st->in.len -= used;
		st->in.buf[st->in.len] = '\0';
	}
	return rc;
}

int ag_gw_stream_finish(struct ag_gw_stream *st, struct ag_buf *out, struct ag_err *err)
{
	int rc;

	if (st->done)
		return 0;
	if (st->in.len && (rc = on_event(st, st->in.buf, st->in.len, out, err)))
		return rc;
	ag_buf_reset(&st->in);
	if (st->done)
		return 0;
	if ((rc = flush_held(st, out, err)))
		return rc;
	if (st->blocked)
		return end_blocked(st, out) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
	st->done = true;
	return ag_buf_addstr(out, "data: [DONE]\n\n") ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
}
