#include "aigov/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ag_err_clear(struct ag_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int ag_err_set(struct ag_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int ag_err_at(struct ag_err *err, int code, const char *file, size_t line,
	      size_t column, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;

	if (!err)
		return code;
	err->code = code;
	if (!file)
		file = "<input>";
	if (line && column)
		n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s:%zu:%zu: ",
				     file, line, column);
	else if (line)
		n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s:%zu: ", file,
				     line);
	else
		n = (size_t)snprintf(err->msg, sizeof(err->msg), "%s: ", file);
	if (n >= sizeof(err->msg))
		return code;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return code;
}

const char *ag_strerror(int code)
{
	switch (code) {
	case AG_OK: return "success";
	case AG_EINVAL: return "invalid argument";
	case AG_ENOMEM: return "out of memory";
	case AG_EIO: return "input/output error";
	case AG_EPARSE: return "malformed input";
	case AG_ERANGE: return "value out of range";
	case AG_ENOTFOUND: return "not found";
	case AG_EPERM: return "permission denied";
	case AG_EEXIST: return "already exists";
	case AG_ECORRUPT: return "stored data is corrupt";
	}
	return "unknown error";
}
