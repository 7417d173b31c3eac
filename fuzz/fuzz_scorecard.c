/*
 * libFuzzer target for the YAML readers of aigov explain: points
 * scorecards (ag_scorecard_parse, include/aigov/scorecard.h) and reason
 * catalogs (ag_reasons_parse, include/aigov/reasons.h), on libyaml.
 *
 * The first byte picks the reader.  A refused file must be named in the
 * message; an accepted scorecard must score a few rows (fields taken from
 * the input, an empty one, a number) with contributions <= 0 that add up
 * to the total.
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/reasons.h"
#include "aigov/scorecard.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz.yaml"

static void check(int cond)
{
	if (!cond)
		abort();
}

static void score(const struct ag_scorecard *sc, const struct ag_str *fields, size_t n)
{
	double *phi = calloc(n + 1, sizeof(*phi)), *x = calloc(n + 1, sizeof(*x)), total, sum;
	struct ag_err err;
	size_t bad = 0;

	check(phi && x);
	if (ag_scorecard_score(sc, fields, phi, x, &total, &bad, &err) == 0) {
		sum = phi[n];
		for (size_t i = 0; i < n; i++) {
			check(phi[i] <= 0 || !isfinite(phi[i]));
			sum += phi[i];
		}
		check(sum == total || !isfinite(total));
		(void)ag_scorecard_probability(sc, total);
	} else {
		check(bad < n);
	}
	free(phi);
	free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_err err;
	const char *text = (const char *)data + 1;
	int rc;

	if (size < 1)
		return 0;
	ag_err_clear(&err);
	if (data[0] & 1) {
		struct ag_reasons *r = NULL;
		rc = ag_reasons_parse(&r, text, size - 1, NAME, &err);
		check(rc ? r == NULL && strncmp(err.msg, NAME, strlen(NAME)) == 0 : r != NULL);
		for (size_t i = 0; r && i < ag_reasons_count(r); i++)
			check(ag_reasons_find(r, ag_reasons_at(r, i)->feature) != NULL);
		ag_reasons_free(r);
	} else {
		struct ag_scorecard *sc = NULL;
		rc = ag_scorecard_parse(&sc, text, size - 1, NAME, &err);
		check(rc ? sc == NULL && strncmp(err.msg, NAME, strlen(NAME)) == 0 : sc != NULL);
		if (sc) {
			size_t n = ag_scorecard_ncharacteristics(sc);
			struct ag_str *f = calloc(n, sizeof(*f));
			check(f != NULL);
			for (size_t i = 0; i < n; i++)
				f[i] = ag_str_make(text, size - 1 < 3 ? size - 1 : 3);
			score(sc, f, n);
			for (size_t i = 0; i < n; i++)
				f[i] = ag_str_make("", 0);
			score(sc, f, n);
			for (size_t i = 0; i < n; i++)
				f[i] = ag_str_make("2.5", 3);
			score(sc, f, n);
			free(f);
		}
		ag_scorecard_free(sc);
	}
	return 0;
}
