/*
 * bench/perf: time of the performance accumulator (include/aigov/perf.h)
 * on generated rows, without reading a file: ag_perf_add_many in batches of
 * 4096, then ag_perf_finish, for unique full-precision scores and for
 * scores on a 1/100 grid (ties).  Also one row at a time (ag_perf_add),
 * and four accumulators merged (as four threads would leave them).
 *
 * Not built by CMake yet; from the repository root after `make build`:
 *   gcc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Iinclude \
 *       bench/perf/bench_perf.c src/measure/perf.c build/libaigov.a -lm \
 *       -o /tmp/bench_perf && /tmp/bench_perf [ROWS]
 * ROWS defaults to 10,000,000.  Prints one line per measurement.
 */
#include "aigov/perf.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define BATCH 4096

static void run(const char *what, const uint8_t *y, const double *sc,
		size_t n, int one_by_one, int shards)
{
	struct ag_perf p[4];
	struct ag_perf_result r;
	struct ag_err err;
	double t0 = now_s(), t1, t2;

	for (int k = 0; k < shards; k++)
		ag_perf_init(&p[k], 0.5, &err);
	for (size_t i = 0; i < n; i += BATCH) {
		size_t m = n - i < BATCH ? n - i : BATCH;
		struct ag_perf *a = &p[(i / BATCH) % (size_t)shards];
		if (one_by_one) {
			for (size_t j = i; j < i + m; j++)
				if (ag_perf_add(a, y[j], sc[j], AG_PERF_NO_DECISION, j, &err))
					exit(1);
		} else if (ag_perf_add_many(a, y + i, sc + i, NULL, m, i, &err)) {
			exit(1);
		}
	}
	for (int k = 1; k < shards; k++) {
		if (ag_perf_merge(&p[0], &p[k], &err))
			exit(1);
		ag_perf_release(&p[k]);
	}
	t1 = now_s();
	if (ag_perf_finish(&p[0], &r, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t2 = now_s();
	printf("%-34s add %6.1f ms (%4.2f ns/row)  finish %6.1f ms  total %6.1f ms  auc %.6f\n",
	       what, (t1 - t0) * 1e3, (t1 - t0) * 1e9 / (double)n,
	       (t2 - t1) * 1e3, (t2 - t0) * 1e3, r.auc);
	ag_perf_release(&p[0]);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	uint8_t *y = malloc(n);
	double *u = malloc(n * sizeof(double)), *g = malloc(n * sizeof(double));
	uint64_t s = 7;

	if (!y || !u || !g)
		return 1;
	for (size_t i = 0; i < n; i++) {
		u[i] = (double)(next(&s) >> 11) / 9007199254740992.0;
		g[i] = (double)(int)(u[i] * 100) / 100;
		y[i] = (double)(next(&s) % 1000) / 1000 < u[i];
	}
	printf("%zu rows\n", n);
	run("unique scores, add_many", y, u, n, 0, 1);
	run("unique scores, add one by one", y, u, n, 1, 1);
	run("unique scores, 4 merged", y, u, n, 0, 4);
	run("scores on a 0.01 grid, add_many", y, g, n, 0, 1);
	free(y);
	free(u);
	free(g);
	return 0;
}
