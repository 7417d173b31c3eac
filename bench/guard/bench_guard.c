/*
 * bench/guard: scan throughput of the guard library on one core.
 *
 *   aigov-bench-guard FILE [CHUNK_BYTES] [REPEAT] [RULES.yaml]
 *
 * Reads FILE into memory, then scans it REPEAT times (default 3) in chunks
 * of CHUNK_BYTES (default 1 MiB; cut at a line end so that UTF-8 stays
 * whole) with every detector and the shipped rules: UTF-8 validation,
 * normalisation, the Vectorscan pass, validators and rule scoring -- what
 * ag_guard_scan does, without redaction or output.  RULES.yaml replaces
 * the shipped rules (an empty rule list measures the detectors alone).  Prints the best MB/s
 * (10^6 bytes per second of wall-clock time) and what was found.
 */
#include "aigov/arena.h"
#include "aigov/file.h"
#include "aigov/guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct ag_file_map m;
	struct ag_guard_rules rules;
	struct ag_guard *g = NULL;
	struct ag_guard_scratch *s = NULL;
	struct ag_err err;
	size_t chunk = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : (1u << 20);
	int repeat = argc > 3 ? atoi(argv[3]) : 3;
	double best = 1e30;
	size_t findings = 0, blocked = 0, chunks = 0;

	if (argc < 2 || chunk < 64) {
		fprintf(stderr, "usage: aigov-bench-guard FILE [CHUNK_BYTES] [REPEAT]\n");
		return 2;
	}
	ag_err_clear(&err);
	ag_guard_rules_init(&rules);
	if (ag_file_map(&m, argv[1], &err) || (argc > 4 ? ag_guard_rules_load_file(&rules, argv[4], &err)
		     : ag_guard_rules_builtin(&rules, &err)) ||
	    ag_guard_new(&g, &rules, &err) || ag_guard_scratch_new(g, &s, &err)) {
		fprintf(stderr, "aigov-bench-guard: %s\n", err.msg);
		return 4;
	}
	for (int r = 0; r < repeat; r++) {
		struct ag_arena a;
		double t = now();
		findings = blocked = chunks = 0;
		ag_arena_init(&a, 0);
		for (size_t at = 0; at < m.len;) {
			size_t n = m.len - at < chunk ? m.len - at : chunk;
			struct ag_guard_result res;
			if (at + n < m.len) {
				const char *nl = NULL;
				for (size_t k = n; k > n / 2 && !nl; k--)
					if (m.data[at + k - 1] == '\n' || m.data[at + k - 1] == ' ')
						nl = m.data + at + k;
				if (nl)
					n = (size_t)(nl - m.data - at);
			}
			if (ag_guard_scan(g, s, m.data + at, n, AG_GUARD_SRC_USER, &a, &res, &err)) {
				fprintf(stderr, "aigov-bench-guard: %s\n", err.msg);
				return 4;
			}
			findings += res.nfindings;
			blocked += res.action == AG_GUARD_BLOCK;
			chunks++;
			ag_arena_release(&a);
			at += n;
		}
		t = now() - t;
		if (t < best)
			best = t;
	}
	printf("bytes %zu chunk %zu chunks %zu findings %zu blocked %zu best_s %.4f MB_s %.1f\n", m.len,
	       chunk, chunks, findings, blocked, best, (double)m.len / best / 1e6);
	printf("scanner: %s\n", ag_guard_scanner(g));
	ag_guard_scratch_free(s);
	ag_guard_free(g);
	ag_file_unmap(&m);
	return 0;
}
