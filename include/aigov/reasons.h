/*
 * reasons: reason-code catalogs (module explain): for each model feature a
 * code, the text an adverse-action notice gives in zh-TW and English, and
 * optionally the direction the model's output is expected to take as the
 * feature's value grows (a monotonicity check for the global view).
 *
 *   version: "2026.1"
 *   note: {zh-TW: ..., en: ...}        # optional
 *   reasons:
 *     - feature: PAY_0
 *       code: R01
 *       text: {zh-TW: 近期繳款延遲, en: Recent late payments}
 *       expected: increasing          # optional: increasing | decreasing
 *
 * Errors name the file, line, column and key path.  ag_reasons_load gives
 * a catalog the caller frees with ag_reasons_free (NULL is fine); it owns
 * its strings.  Read-only after loading: safe to share between threads.
 */
#ifndef AIGOV_REASONS_H
#define AIGOV_REASONS_H

#include "aigov/err.h"

#include <stddef.h>

enum ag_reason_expected { AG_EXPECT_NONE, AG_EXPECT_INCREASING, AG_EXPECT_DECREASING };

struct ag_reason {
	const char *feature, *code;
	const char *text_zh, *text_en;
	enum ag_reason_expected expected;
};

struct ag_reasons;

int ag_reasons_load(struct ag_reasons **out, const char *path, struct ag_err *err);
int ag_reasons_parse(struct ag_reasons **out, const char *text, size_t len, const char *name,
		     struct ag_err *err);
void ag_reasons_free(struct ag_reasons *r);
const char *ag_reasons_version(const struct ag_reasons *r);
size_t ag_reasons_count(const struct ag_reasons *r);
const struct ag_reason *ag_reasons_at(const struct ag_reasons *r, size_t i);
/* The entry for a feature, or NULL when the catalog has none. */
const struct ag_reason *ag_reasons_find(const struct ag_reasons *r, const char *feature);

#endif
