#include "aigov/time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t ag_time_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* 253402300800 = 10000-01-01T00:00:00Z: four-digit years only. */
#define AG_TIME_MAX_S 253402300800LL

bool ag_time_format(char out[AG_TIME_LEN + 1], int64_t t)
{
	struct tm tm;
	time_t s;

	if (t < 0 || t / 1000000 >= AG_TIME_MAX_S)
		return false;
	s = (time_t)(t / 1000000);
	if (!gmtime_r(&s, &tm))
		return false;
	/* A roomy buffer: the compiler cannot see that tm's fields are small. */
	char tmp[96];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(t % 1000000));
	memcpy(out, tmp, AG_TIME_LEN);
	out[AG_TIME_LEN] = '\0';
	return true;
}

static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so that parsing needs neither timegm nor TZ. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool ag_time_parse(const char *s, size_t len, int64_t *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, us;

	if (len != AG_TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z')
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &se) || !digits(s + 20, 6, &us))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    se > 59)
		return false;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*t = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) *
	      1000000) + us;
	return *t >= 0;
}
