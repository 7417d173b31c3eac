/*
 * json: a small streaming JSON writer into an ag_buf (module base).
 *
 * Keys and strings are escaped (control characters, quote, backslash;
 * UTF-8 passes through unchanged).  Numbers are written without the C
 * locale's help (ag_fmt_double): NaN and infinities become null, which is
 * what JSON can say.  Allocation failure is sticky: check ag_json_failed()
 * once at the end.  The writer borrows the buffer; it owns nothing.
 */
#ifndef AIGOV_JSON_H
#define AIGOV_JSON_H

#include "aigov/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AG_JSON_MAX_DEPTH 64

struct ag_json {
	struct ag_buf *out;
	bool pretty;
	bool failed;
	int depth;
	bool first[AG_JSON_MAX_DEPTH]; /* no element yet at this depth */
	bool after_key;
};

void ag_json_init(struct ag_json *j, struct ag_buf *out, bool pretty);
void ag_json_begin_object(struct ag_json *j);
void ag_json_end_object(struct ag_json *j);
void ag_json_begin_array(struct ag_json *j);
void ag_json_end_array(struct ag_json *j);
void ag_json_key(struct ag_json *j, const char *key);
void ag_json_string(struct ag_json *j, const char *s, size_t len);
void ag_json_cstr(struct ag_json *j, const char *s); /* NULL writes null */
void ag_json_double(struct ag_json *j, double v);
void ag_json_u64(struct ag_json *j, uint64_t v);
void ag_json_bool(struct ag_json *j, bool v);
void ag_json_null(struct ag_json *j);
/* A value that is already JSON text (e.g. a stored canonical payload);
 * written as is, so the caller vouches that it is valid. */
void ag_json_raw(struct ag_json *j, const char *json, size_t len);
bool ag_json_failed(const struct ag_json *j);

#endif
