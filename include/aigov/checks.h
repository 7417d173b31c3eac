/*
 * checks: evaluation thresholds as policy, and the ok / warn / fail of each
 * measured value (module measure).  The file format is in
 * docs/evaluate.md#thresholds; catalog/thresholds.yaml is the shipped one.
 *
 * Tiers are the risk tiers' ids ("low", "medium", "high", index 0..2),
 * spelled here again so that measure stays free of the risk module.
 * A struct ag_thresholds owns its strings (arena); ag_thresholds_free.
 */
#ifndef AIGOV_CHECKS_H
#define AIGOV_CHECKS_H

#include "aigov/arena.h"
#include "aigov/err.h"
#include "aigov/evaluate.h"
#include "aigov/json.h"

#include <stdbool.h>
#include <stddef.h>

#define AG_CHECK_TIERS 3
extern const char *const ag_check_tier_ids[]; /* low, medium, high */

struct ag_threshold {
	const char *metric;  /* "performance.auc", "fairness.<metric>", "drift.<metric>" */
	bool higher_is_worse;
	double warn[AG_CHECK_TIERS], fail[AG_CHECK_TIERS]; /* NaN: no check at that tier */
};

struct ag_thresholds {
	struct ag_arena arena;
	const char *version;
	struct ag_threshold *items;
	size_t n;
	char sha256[65];
};

int ag_thresholds_parse(struct ag_thresholds **out, const char *text, size_t len,
			const char *name, struct ag_err *err);
int ag_thresholds_load(struct ag_thresholds **out, const char *path, struct ag_err *err);
void ag_thresholds_free(struct ag_thresholds *t);

enum ag_check_status { AG_CHECK_OK, AG_CHECK_WARN, AG_CHECK_FAIL, AG_CHECK_NA };
extern const char *const ag_check_status_ids[]; /* ok, warn, fail, n/a */

struct ag_check {
	const char *metric;   /* the threshold's */
	char subject[128];    /* the attribute or feature ("" for performance) */
	double value, warn, fail;
	int status;
};

/*
 * Apply every threshold at `tier` to a result: performance metrics once,
 * fairness metrics per attribute, drift metrics per feature and for the
 * score.  *out is malloc'd (free it); undefined values are AG_CHECK_NA.
 */
int ag_checks_run(const struct ag_thresholds *t, const struct ag_eval_result *r, int tier,
		  struct ag_check **out, size_t *n, struct ag_err *err);
void ag_checks_json(struct ag_json *j, const struct ag_check *c, size_t n);

#endif
