/*
 * libFuzzer target for RFC 8785 canonical JSON (include/aigov/jcs.h).
 *
 * The whole input is JSON text for ag_jcs_canonicalize; its first 8 bytes,
 * read as a double, also go to ag_jcs_number.  The ledger hashes what the
 * canonicalizer writes, so its output must be a fixed point: canonical
 * JSON canonicalizes to the same bytes, and is valid UTF-8.  Errors name
 * the input.  A number's canonical form reads back as the same double.
 * Invariants that break abort (a crash for libFuzzer).
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/buf.h"
#include "aigov/jcs.h"
#include "aigov/num.h"
#include "aigov/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz.json"

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_number(const uint8_t *data, size_t size)
{
	char out[AG_JCS_NUMBER_MAX];
	double v, back;
	size_t n;

	if (size < sizeof(v))
		return;
	memcpy(&v, data, sizeof(v));
	n = ag_jcs_number(out, v);
	if (!isfinite(v)) {
		check(n == 0);
		return;
	}
	check(n > 0 && n <= AG_JCS_NUMBER_MAX - 1 && strlen(out) == n);
	/* -0 and 0 are both "0"; == treats them as equal. */
	check(ag_parse_double(out, n, &back) && back == v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_buf out, again;
	struct ag_err err;
	int rc;

	check_number(data, size);
	ag_buf_init(&out);
	ag_err_clear(&err);
	rc = ag_jcs_canonicalize(&out, (const char *)data, size, NAME, false, &err);
	if (rc) {
		check(rc < 0 && err.msg[0] != '\0');
		check(strncmp(err.msg, NAME, strlen(NAME)) == 0);
		check(out.len == 0); /* a failure leaves out as it was */
		ag_buf_release(&out);
		return 0;
	}
	check(out.len > 0 && strlen(out.buf) == out.len);
	check(ag_utf8_valid(out.buf, out.len, NULL));
	/* Idempotence; asking for an object must not change an object's form. */
	ag_buf_init(&again);
	ag_err_clear(&err);
	rc = ag_jcs_canonicalize(&again, out.buf, out.len, NAME, out.buf[0] == '{', &err);
	check(rc == 0);
	check(again.len == out.len && memcmp(again.buf, out.buf, out.len) == 0);
	ag_buf_release(&again);
	ag_buf_release(&out);
	return 0;
}
