/*
 * time: UTC timestamps as records and ledgers write them.
 *
 * RFC 3339 in UTC with microseconds, always 27 characters:
 * "2026-11-25T06:41:07.123456Z".  Strings of this form sort in time order,
 * which the ledger relies on.  Built with gmtime_r (thread-safe; the local
 * time zone plays no part).
 */
#ifndef AIGOV_TIME_H
#define AIGOV_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AG_TIME_LEN 27

/* Microseconds since 1970-01-01T00:00:00Z (CLOCK_REALTIME). */
int64_t ag_time_now_us(void);

/* Format t (microseconds since the epoch, >= 0, before year 10000) into
 * out[AG_TIME_LEN + 1].  Returns false when t is out of that range. */
bool ag_time_format(char out[AG_TIME_LEN + 1], int64_t t);

/* Parse exactly the form ag_time_format writes; false otherwise. */
bool ag_time_parse(const char *s, size_t len, int64_t *t);

#endif
