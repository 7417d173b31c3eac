/*
 * libFuzzer target for the XGBoost JSON model loader (ag_xgb_parse,
 * include/aigov/xgb.h; jansson underneath).
 *
 * A model that is refused must say so in a message naming the file.  A
 * model that is accepted must predict and explain a few rows (all missing,
 * all zero, values from the input's bytes) without tripping ASan/UBSan, and
 * its TreeSHAP contributions must add up to its margin: the fast method
 * and the classic recursion must agree.
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/xgb.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz.json"

static void check(int cond)
{
	if (!cond)
		abort();
}

static void explain_row(const struct ag_xgb_model *m, const float *x, double *a, double *b,
			void *scratch)
{
	size_t n = ag_xgb_nfeatures(m);
	double margin = ag_xgb_margin(m, x), sum = 0, scale = 1;

	(void)ag_xgb_margin_f32(m, x);
	ag_xgb_shap(m, x, a, scratch);
	ag_xgb_shap_classic(m, x, b, scratch);
	for (size_t i = 0; i <= n; i++) {
		sum += a[i];
		scale += fabs(a[i]);
	}
	if (!isfinite(margin) || !isfinite(sum))
		return; /* huge leaf values can overflow; nothing to compare */
	check(fabs(sum - margin) <= 1e-6 * scale);
	for (size_t i = 0; i <= n; i++)
		check(fabs(a[i] - b[i]) <= 1e-6 * (1 + fabs(a[i])) || !isfinite(b[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_xgb_model *m = NULL;
	struct ag_err err;
	int rc;

	ag_err_clear(&err);
	rc = ag_xgb_parse(&m, (const char *)data, size, NAME, &err);
	if (rc) {
		check(rc < 0 && m == NULL && strncmp(err.msg, NAME, strlen(NAME)) == 0);
		return 0;
	}
	if (ag_xgb_nfeatures(m) <= 64) {
		size_t n = ag_xgb_nfeatures(m);
		float *x = calloc(n, sizeof(*x));
		double *a = calloc(n + 1, sizeof(*a)), *b = calloc(n + 1, sizeof(*b));
		void *scratch = malloc(ag_xgb_shap_scratch_size(m));
		check(x && a && b && scratch);
		explain_row(m, x, a, b, scratch);
		for (size_t i = 0; i < n; i++)
			x[i] = NAN;
		explain_row(m, x, a, b, scratch);
		for (size_t i = 0; i < n; i++)
			x[i] = (float)(data[i % size] % 16) / 4.0f - 1.0f;
		explain_row(m, x, a, b, scratch);
		free(x);
		free(a);
		free(b);
		free(scratch);
	}
	ag_xgb_free(m);
	return 0;
}
