/*
 * scorecard: points-based credit scorecards in YAML (module explain).
 *
 *   scorecard:
 *     id: retail-card-2026           # an identifier
 *     name: {zh-TW: ..., en: ...}    # optional
 *     base_points: 200
 *     probability:                   # optional: p(adverse) =
 *       intercept: 6.2               #   1 / (1 + exp(-(intercept + slope * points)))
 *       slope: -0.02
 *     characteristics:
 *       - feature: PAY_0             # the CSV column
 *         missing_points: 0          # optional; else a missing value is an error
 *         bins:                      # the first bin that matches wins
 *           - {max: 0, points: 80}          # x < 0          (max is exclusive)
 *           - {min: 0, max: 2, points: 40}  # 0 <= x < 2     (min is inclusive)
 *           - {min: 2, points: 0}           # x >= 2
 *       - feature: EDUCATION
 *         bins:
 *           - {values: ["1", "2"], points: 30}   # the field's text, as written
 *           - {points: 10}                       # everything else
 *
 * A characteristic's contribution is its points minus the best points it
 * can give (the largest of its bins and missing_points), so it is 0 for the
 * best answer and negative otherwise; the bias is base_points plus every
 * characteristic's best, so bias + contributions = the total points.
 * Errors name the file, line, column and key path.
 *
 * ag_scorecard_load/parse give a scorecard the caller frees with
 * ag_scorecard_free (NULL is fine); it owns all its strings.  A loaded
 * scorecard is read-only and may be used from many threads at once.
 */
#ifndef AIGOV_SCORECARD_H
#define AIGOV_SCORECARD_H

#include "aigov/err.h"
#include "aigov/str.h"

#include <stdbool.h>
#include <stddef.h>

struct ag_scorecard;

int ag_scorecard_load(struct ag_scorecard **out, const char *path, struct ag_err *err);
int ag_scorecard_parse(struct ag_scorecard **out, const char *text, size_t len,
		       const char *name, struct ag_err *err);
void ag_scorecard_free(struct ag_scorecard *sc);

const char *ag_scorecard_id(const struct ag_scorecard *sc);
size_t ag_scorecard_ncharacteristics(const struct ag_scorecard *sc);
const char *ag_scorecard_feature(const struct ag_scorecard *sc, size_t i);
bool ag_scorecard_has_probability(const struct ag_scorecard *sc);
/* p(adverse) of a total, or NaN without a probability mapping. */
double ag_scorecard_probability(const struct ag_scorecard *sc, double points);

/*
 * Score one row: fields[i] is the text of characteristic i's column
 * (empty = missing).  phi[0..n) gets the contributions, phi[n] the bias,
 * x[0..n) the numeric values (NaN when missing or matched by text), and
 * *total the points.  AG_EPARSE when a value is missing without
 * missing_points, is not a number where bins need one, or no bin matches;
 * the message names the characteristic ("PAY_0: 7.5 matches no bin"),
 * and *bad gets its index, so that the caller can add the position.
 */
int ag_scorecard_score(const struct ag_scorecard *sc, const struct ag_str *fields,
		       double *phi, double *x, double *total, size_t *bad,
		       struct ag_err *err);

#endif
