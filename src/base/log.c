#include "aigov/log.h"

#include <stdarg.h>
#include <stdio.h>

void ag_log(const struct ag_logger *lg, enum ag_log_level level,
	    const char *module, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!lg || !lg->fn || level > lg->max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lg->fn(lg->ctx, level, module, msg);
}

const char *ag_log_level_name(enum ag_log_level level)
{
	switch (level) {
	case AG_LOG_ERROR: return "error";
	case AG_LOG_WARN: return "warning";
	case AG_LOG_INFO: return "info";
	case AG_LOG_DEBUG: return "debug";
	}
	return "?";
}
