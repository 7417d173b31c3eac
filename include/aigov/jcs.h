/*
 * jcs: canonical JSON after RFC 8785 (JSON Canonicalization Scheme).
 *
 * The ledger hashes and signs JSON, so one value must have exactly one
 * byte form: object members sorted by the UTF-16 code units of their names,
 * no whitespace, strings with only the mandatory escapes, and numbers in
 * ECMAScript's shortest round-trip form (1e+21, 0.000001, 5e-324).
 *
 * Input follows I-JSON (RFC 7493): valid UTF-8, no duplicate member names,
 * and integers only within +-(2^53 - 1), where every JSON reader agrees on
 * them; larger ones are refused (write them as strings).  Parsing is done
 * by jansson; the writer is ours because jansson's output is not canonical.
 *
 * All functions are thread-safe; they append to a caller's ag_buf and own
 * nothing.
 */
#ifndef AIGOV_JCS_H
#define AIGOV_JCS_H

#include "aigov/buf.h"
#include "aigov/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define AG_JCS_NUMBER_MAX 32

/* Largest integer every JSON reader holds exactly: 2^53 - 1. */
#define AG_JCS_MAX_SAFE_INT 9007199254740991LL

/*
 * Parse text[0..len) and append its canonical form to out.  `name` names
 * the input in messages ("--data:1:7: ...", "payload: $.amount: ...").
 * With want_object, anything but a JSON object is refused.
 * AG_EPARSE for malformed or non-I-JSON input, AG_ENOMEM.
 */
int ag_jcs_canonicalize(struct ag_buf *out, const char *text, size_t len,
			const char *name, bool want_object, struct ag_err *err);

/* Append the canonical form of a parsed value (same rules). */
int ag_jcs_write(struct ag_buf *out, const json_t *v, const char *name,
		 struct ag_err *err);

/* Append s[0..len) (valid UTF-8) as a canonical JSON string. */
int ag_jcs_string(struct ag_buf *out, const char *s, size_t len);

/* ECMAScript Number.prototype.toString of a finite v into out; returns the
 * length, or 0 when v is NaN or infinite (JSON has no such numbers). */
size_t ag_jcs_number(char out[AG_JCS_NUMBER_MAX], double v);

#endif
