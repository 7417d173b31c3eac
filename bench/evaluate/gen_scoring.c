/*
 * aigov-gen-scoring: bench/evaluate's deterministic synthetic scoring log
 * (the generator is the library's, include/aigov/synth.h, also used by
 * `aigov demo`).
 *
 *   aigov-gen-scoring [--rows N] [--seed S] [--drift] [--bias [SHIFT]] > log.csv
 */
#include "aigov/synth.h"

#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct ag_synth_options o;

	ag_synth_options_init(&o);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rows") && i + 1 < argc)
			o.rows = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			o.seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--drift"))
			o.drift = true;
		else if (!strcmp(argv[i], "--bias")) {
			o.bias = 0.8;
			if (i + 1 < argc && argv[i + 1][0] != '-')
				o.bias = strtod(argv[++i], NULL);
		} else {
			fprintf(stderr, "usage: aigov-gen-scoring [--rows N] [--seed S] [--drift] "
					"[--bias [SHIFT]] > log.csv\n");
			return 2;
		}
	}
	if (ag_synth_scoring(stdout, &o) || fflush(stdout))
		return 4;
	return 0;
}
