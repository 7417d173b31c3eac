/*
 * libFuzzer target for the gateway's screening (include/aigov/gateway.h,
 * src/gateway/screen.c): what clients and upstreams send it.
 *
 * The first byte chooses: 0 screens the rest as a chat-completions
 * request; 1 screens it as a non-streaming answer to a fixed request that
 * carries a reversible token; 2 feeds it as an upstream SSE stream to the
 * same request, once whole and once in pieces whose sizes the second byte
 * picks.  Checked: only AG_EPARSE and AG_EINVAL refuse a request, always
 * with a message; an accepted, unblocked request is rewritten as a JSON
 * object; an answer that parses as a JSON object stays one; a stream gives
 * the client the same bytes however the upstream's bytes were cut (events
 * are whole before they are screened).  ASan and UBSan check memory.
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/gateway.h"

#include <jansson.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(int cond)
{
	if (!cond)
		abort();
}

/* Built once: the shipped rules, token redaction with a fixed key. */
static struct ag_guard *guard;
static struct ag_guard_scratch *scratch;
static struct ag_gw_policy policy;
static struct ag_gw_request fixed; /* a request with a token */

static const char fixed_body[] =
	"{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\","
	"\"content\":\"My ID is A123456789, what is my card's limit?\"}]}";

static void init(void)
{
	static const unsigned char key[32] = { 7, 7, 7 };
	struct ag_guard_rules r;
	struct ag_guard_redactor rd;
	struct ag_err err;

	ag_guard_rules_init(&r);
	check(ag_guard_rules_builtin(&r, &err) == 0);
	check(ag_guard_new(&guard, &r, &err) == 0);
	check(ag_guard_scratch_new(guard, &scratch, &err) == 0);
	ag_guard_redactor_init(&rd, AG_GUARD_OP_TOKEN);
	check(ag_guard_redactor_set_key(&rd, key, sizeof(key), &err) == 0);
	ag_gw_policy_init(&policy, guard, &rd, key);
	ag_guard_redactor_release(&rd);
	ag_gw_request_init(&fixed);
	check(ag_gw_request_screen(&policy, scratch, fixed_body, sizeof(fixed_body) - 1, &fixed,
				   &err) == 0);
	check(fixed.ntokens == 1);
}

static bool json_object_text(const char *s, size_t len)
{
	json_t *j = json_loadb(s, len, 0, NULL);
	bool ok = json_is_object(j);

	json_decref(j);
	return ok;
}

static void request(const char *body, size_t len)
{
	struct ag_gw_request q;
	struct ag_err err;
	int rc;

	ag_err_clear(&err);
	ag_gw_request_init(&q);
	rc = ag_gw_request_screen(&policy, scratch, body, len, &q, &err);
	check(rc == 0 || ((rc == AG_EPARSE || rc == AG_EINVAL) && err.msg[0]));
	if (rc == 0 && q.decision.action != AG_GUARD_BLOCK)
		check(json_object_text(q.body.buf, q.body.len));
	ag_gw_request_release(&q);
}

static void answer(const char *body, size_t len)
{
	struct ag_gw_decision d;
	struct ag_buf out;
	struct ag_err err;
	int rc;

	ag_err_clear(&err);
	ag_buf_init(&out);
	rc = ag_gw_answer_screen(&policy, scratch, &fixed, body, len, &out, &d, &err);
	check(rc == 0 || err.msg[0]);
	if (rc == 0 && json_object_text(body, len))
		check(json_object_text(out.buf, out.len));
	ag_buf_release(&out);
}

/* The client's bytes for the stream fed in pieces of step bytes (0: whole). */
static void stream_out(const char *data, size_t len, size_t step, struct ag_buf *out)
{
	struct ag_gw_stream st;
	struct ag_err err;

	ag_err_clear(&err);
	ag_gw_stream_init(&st, &policy, scratch, &fixed);
	for (size_t at = 0; at < len;) {
		size_t n = step && len - at > step ? step : len - at;

		check(ag_gw_stream_feed(&st, data + at, n, out, &err) == 0 || err.msg[0]);
		at += n;
	}
	check(ag_gw_stream_finish(&st, out, &err) == 0 || err.msg[0]);
	ag_gw_stream_release(&st);
}

static void stream(const char *data, size_t len)
{
	struct ag_buf whole, cut;

	if (len < 1)
		return;
	ag_buf_init(&whole);
	ag_buf_init(&cut);
	stream_out(data + 1, len - 1, 0, &whole);
	stream_out(data + 1, len - 1, 1 + (unsigned char)data[0] % 64, &cut);
	check(whole.len == cut.len && (!whole.len || !memcmp(whole.buf, cut.buf, whole.len)));
	ag_buf_release(&whole);
	ag_buf_release(&cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *rest = (const char *)data + 1;

	if (!guard)
		init();
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: request(rest, size - 1); break;
	case 1: answer(rest, size - 1); break;
	default: stream(rest, size - 1); break;
	}
	return 0;
}
