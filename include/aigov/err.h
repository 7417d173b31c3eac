/*
 * err: result codes and the error record every library call fills.
 *
 * Library functions return 0 on success or a negative AG_E* code, and write
 * a human-readable message into a caller-provided struct ag_err that names
 * where the problem is ("applications.csv:1042:17: unterminated quoted
 * field").  Only src/cli and src/server decide how an error ends (exit code,
 * HTTP status).  The message is carried here, never in errno.
 *
 * struct ag_err owns no heap memory; it may live on the stack and needs no
 * release.  Not shared between threads.
 */
#ifndef AIGOV_ERR_H
#define AIGOV_ERR_H

#include <stddef.h>

enum ag_code {
	AG_OK = 0,
	AG_EINVAL = -1,   /* a caller passed a bad argument (our bug or usage) */
	AG_ENOMEM = -2,   /* allocation failed, or a memory budget is exhausted */
	AG_EIO = -3,      /* the operating system refused a read or write */
	AG_EPARSE = -4,   /* input is malformed: the message says where */
	AG_ERANGE = -5,   /* a size or count would overflow */
	AG_ENOTFOUND = -6, /* a named thing (file, column) does not exist */
	AG_EPERM = -7,     /* access refused, or a file's permissions are unsafe */
	AG_EEXIST = -8,    /* the thing to create is already there */
	AG_ECORRUPT = -9   /* stored data fails its own checks (tampering) */
};

#define AG_ERR_MSG_MAX 512

struct ag_err {
	int code;                  /* one of enum ag_code, 0 when no error */
	char msg[AG_ERR_MSG_MAX];  /* NUL-terminated; empty when no error */
};

/* Reset to "no error". */
void ag_err_clear(struct ag_err *err);

/*
 * Record an error and return its code, so callers can write
 * `return ag_err_set(err, AG_EPARSE, "%s:%zu: ...", ...)`.
 * err may be NULL (the message is then dropped).  A second call overwrites.
 */
int ag_err_set(struct ag_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Error at a position in a named input; lines and columns are 1-based and
 * columns count bytes (say so to users: a CJK character is 3 bytes wide).
 * line 0 omits the position, column 0 omits the column.
 */
int ag_err_at(struct ag_err *err, int code, const char *file, size_t line,
	      size_t column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* A static English name for a code, e.g. "malformed input". */
const char *ag_strerror(int code);

#endif
