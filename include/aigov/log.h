/*
 * log: the library never prints.  It hands events to a callback that the
 * caller installs (the CLI prints them to stderr, the server to its log).
 * A NULL logger drops everything.  The callback may be called from any
 * thread that runs library code with this logger; make it thread-safe if
 * you share it.
 */
#ifndef AIGOV_LOG_H
#define AIGOV_LOG_H

enum ag_log_level { AG_LOG_ERROR, AG_LOG_WARN, AG_LOG_INFO, AG_LOG_DEBUG };

struct ag_logger {
	void (*fn)(void *ctx, enum ag_log_level level, const char *module,
		   const char *msg);
	void *ctx;
	enum ag_log_level max_level; /* events above this level are dropped */
};

void ag_log(const struct ag_logger *lg, enum ag_log_level level,
	    const char *module, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

const char *ag_log_level_name(enum ag_log_level level);

#endif
