/*
 * fairness: the group-fairness accumulator of `aigov evaluate` (module
 * measure).
 *
 * Rows carry a label (0/1), a prediction (0/1), the row's global index and,
 * for each protected attribute, the row's group as bytes.  The accumulator
 * maps the bytes to groups with its own hash table and keeps each group's
 * confusion counts; with `intersections` it also keeps the combination of
 * all attributes' values as one extra attribute.  Like every metric of
 * DESIGN.md it has four operations: add, merge, serialize, finish.  Merging
 * accumulators that saw a split of the rows gives exactly the result of one
 * pass, bootstrap intervals included.
 *
 * Per group (finish): n, base rate P(y=1), selection rate P(yhat=1), TPR,
 * FPR, PPV, FNR.  Across the groups of an attribute, with Fairlearn's
 * MetricFrame semantics (difference = max - min over groups, ratio =
 * min / max; fairlearn.metrics.MetricFrame.difference/.ratio with
 * method="between_groups"):
 *   AG_FAIR_SPD    statistical parity difference   (selection rate)
 *   AG_FAIR_DIR    disparate impact ratio          (selection rate min/max;
 *                  flagged below 0.8, the four-fifths rule of the US EEOC
 *                  Uniform Guidelines, 29 CFR 1607.4(D))
 *   AG_FAIR_EOD    equal opportunity difference    (TPR)
 *   AG_FAIR_EODDS  equalized odds difference       (max of the TPR and the
 *                  FPR difference; fairlearn equalized_odds_difference)
 *   AG_FAIR_PPD    predictive parity difference    (PPV)
 * and, per group, the average odds difference against a reference group
 * (the largest group unless the caller names one):
 *   AOD_g = ((FPR_g - FPR_ref) + (TPR_g - TPR_ref)) / 2.
 *
 * Undefined rates.  A rate whose denominator is zero (TPR of a group with
 * no positives, PPV of a group with no predicted positives) is NaN.  An
 * across-group metric is computed over the groups where every rate it needs
 * is defined, as pandas' max()/min() skip NaN (which is what Fairlearn's
 * difference and ratio do); `defined` says how many groups that was.  With
 * no such group the metric is NaN; with one, a difference is 0 and a ratio
 * 1 (nothing to compare: look at `defined`).  A ratio whose max is 0 is NaN
 * (0/0), and a NaN ratio is never flagged.  Equalized odds takes the TPR
 * difference over groups with positives and the FPR difference over groups
 * with negatives, each as Fairlearn does, then the larger (NaN only when
 * both are).  AOD_g is NaN when any of its four rates is.
 *
 * Small groups.  Groups with fewer than AG_FAIRNESS_SMALL_GROUP rows are
 * flagged (`small`), not hidden: their rates are reported and take part in
 * the metrics, but a reader should not trust them.
 *
 * Bootstrap.  95 % intervals for the across-group metrics and the AOD come
 * from the Poisson bootstrap in one pass (Hanley & MacGibbon 2006, "Creating
 * non-parametric bootstrap samples using Poisson frequencies"; Owen 2007,
 * "The pigeonhole bootstrap"; Chamandy et al. 2012, "Estimating uncertainty
 * for massive data streams"): each row gets, per replicate, a weight drawn
 * from Poisson(1) instead of a multinomial resample.  Every metric depends
 * on a group's four confusion cells only, and a cell of c rows then weighs
 * a sum of c Poisson(1) weights, which is Poisson(c): so finish draws each
 * (group, cell, replicate) count from Poisson(c), keyed by (seed, table,
 * group, cell, replicate), which has exactly the distribution of per-row
 * weights at no cost per row.  Since only the cells are kept, any split of
 * the rows merges to the same cells and so to the same intervals.  The
 * interval is the 2.5th and 97.5th percentile (linear interpolation, numpy's
 * default) of the replicate metrics that are defined.  The reference group
 * of the AOD is the same group in every replicate.
 *
 * Cost.  Per row: one hash lookup per attribute (plus the intersection)
 * and a counter increment, about 40 ns per attribute; the bootstrap costs
 * 4 * R Poisson draws per group at finish.  Memory: the group keys and 32
 * bytes per group; the number of groups per attribute is capped
 * (max_groups).
 *
 * Ownership: struct ag_fairness is a heap object (ag_fairness_new,
 * ag_fairness_free).  ag_fairness_finish fills a caller-owned struct
 * ag_fairness_result that owns its memory until ag_fairness_result_release.
 * Thread-safety: none inside; use one accumulator per thread, then merge.
 * Calls that only read an accumulator (serialize, finish, and `o` of merge)
 * may run concurrently with each other.
 */
#ifndef AIGOV_FAIRNESS_H
#define AIGOV_FAIRNESS_H

#include "aigov/arena.h"
#include "aigov/buf.h"
#include "aigov/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AG_FAIRNESS_REPLICATES 200      /* default bootstrap replicates */
#define AG_FAIRNESS_MAX_REPLICATES 10000
#define AG_FAIRNESS_MAX_GROUPS 4096     /* default cap per attribute */
#define AG_FAIRNESS_MAX_ATTRS 64
#define AG_FAIRNESS_SMALL_GROUP 30      /* groups below this are flagged */
#define AG_FAIRNESS_DI_THRESHOLD 0.8    /* four-fifths rule */

struct ag_fairness;

struct ag_fairness_options {
	size_t nattrs;                 /* 1 .. AG_FAIRNESS_MAX_ATTRS */
	const char *const *attr_names; /* nattrs NUL-terminated names (copied) */
	bool intersections;            /* add the combination of all attributes */
	uint32_t replicates;           /* bootstrap replicates; 0: no intervals */
	uint64_t seed;                 /* bootstrap PRNG seed */
	uint32_t max_groups;           /* per attribute (intersection too) */
};

/* Defaults: no attributes, no intersections, AG_FAIRNESS_REPLICATES
 * replicates, seed 0, max_groups AG_FAIRNESS_MAX_GROUPS. */
void ag_fairness_options_init(struct ag_fairness_options *o);

/* A group value: len bytes at p (any bytes; p may be NULL when len is 0). */
struct ag_fairness_value {
	const void *p;
	size_t len;
};

/*
 * A new empty accumulator; *out is set to it (the caller frees it with
 * ag_fairness_free).  AG_EINVAL for bad options (no attributes, duplicate
 * names, too many replicates), AG_ENOMEM.
 */
int ag_fairness_new(const struct ag_fairness_options *opt,
		    struct ag_fairness **out, struct ag_err *err);
/* Free the accumulator; NULL is accepted. */
void ag_fairness_free(struct ag_fairness *f);

/*
 * Add one row.  label and prediction must be 0 or 1; values[i] is the row's
 * group for attribute i (nattrs of them).  row is the row's index in the
 * input (0-based), used only in error messages.
 * AG_EINVAL for a label or prediction not 0/1; AG_ERANGE when a new group
 * would pass max_groups; AG_ENOMEM.  On failure the row is not counted.
 */
int ag_fairness_add(struct ag_fairness *f, uint64_t row, int label,
		    int prediction, const struct ag_fairness_value *values,
		    struct ag_err *err);

/*
 * Add o's counts to f.  Both must have the same attribute names (in order),
 * intersections setting, replicates and seed (AG_EINVAL otherwise).
 * AG_ERANGE / AG_ENOMEM may leave f with part of o added: discard it then.
 */
int ag_fairness_merge(struct ag_fairness *f, const struct ag_fairness *o,
		      struct ag_err *err);

/* One Poisson(lambda) draw from the stream keyed by `key` (the sampler the
 * bootstrap uses; exposed so that tests can check its distribution). */
uint64_t ag_fairness_poisson(uint64_t key, double lambda);

/* Rows added (merged ones included). */
uint64_t ag_fairness_rows(const struct ag_fairness *f);

/*
 * Append the state to out in a portable format: little-endian integers,
 * magic "AGFAIR", version 2; see fairness.c for the layout.  The bytes do
 * not depend on the order in which rows were added or accumulators merged.
 * AG_ENOMEM on allocation failure (out keeps what it had before).
 */
int ag_fairness_serialize(const struct ag_fairness *f, struct ag_buf *out,
			  struct ag_err *err);

/*
 * A new accumulator from serialized bytes p[0..len) (caller frees it).
 * AG_EPARSE, with the byte offset in the message, for anything malformed or
 * inconsistent; never reads outside p[0..len).
 */
int ag_fairness_deserialize(const void *p, size_t len,
			    struct ag_fairness **out, struct ag_err *err);

/* ---- results ---- */

enum ag_fairness_metric {
	AG_FAIR_SPD = 0, /* statistical parity difference */
	AG_FAIR_DIR,     /* disparate impact ratio */
	AG_FAIR_EOD,     /* equal opportunity difference */
	AG_FAIR_EODDS,   /* equalized odds difference */
	AG_FAIR_PPD,     /* predictive parity difference */
	AG_FAIR_NMETRICS
};

/* A stable machine name for a metric ("statistical_parity_difference"),
 * or NULL for an unknown one.  Static storage. */
const char *ag_fairness_metric_name(enum ag_fairness_metric m);

struct ag_fairness_interval {
	double lo, hi;     /* NaN when no replicate had the metric defined */
	uint32_t defined;  /* replicates whose metric was defined */
};

struct ag_fairness_group {
	const char *value;      /* the group's bytes plus a NUL; for the
				   intersection, the parts joined by " | "
				   (for display: `parts` identifies it) */
	size_t value_len;
	const uint32_t *parts;  /* intersection only (else NULL): for each
				   attribute i, the index of this group's
				   part in attrs[i].groups */
	uint64_t n, tp, fp, fn, tn;
	double base_rate;       /* (tp + fn) / n */
	double selection_rate;  /* (tp + fp) / n */
	double tpr;             /* tp / (tp + fn) */
	double fpr;             /* fp / (fp + tn) */
	double ppv;             /* tp / (tp + fp) */
	double fnr;             /* fn / (tp + fn) */
	bool small;             /* n < AG_FAIRNESS_SMALL_GROUP */
	double aod;             /* average odds difference against the reference */
	struct ag_fairness_interval aod_ci;
};

struct ag_fairness_attr_result {
	const char *name;        /* attribute name; "intersection" for it */
	bool intersection;
	size_t ngroups;
	struct ag_fairness_group *groups; /* sorted by value bytes (memcmp, then
					     shorter first); intersection
					     groups by their parts' order */
	size_t reference;        /* index of the AOD reference group */
	double metric[AG_FAIR_NMETRICS];
	uint32_t defined[AG_FAIR_NMETRICS]; /* groups the metric used */
	struct ag_fairness_interval ci[AG_FAIR_NMETRICS];
	bool di_flag;            /* disparate impact ratio < 0.8 */
	bool any_small;          /* some group is flagged small */
};

struct ag_fairness_result {
	uint64_t rows;
	uint32_t replicates;
	size_t nattrs;           /* attributes, plus 1 with intersections (last) */
	struct ag_fairness_attr_result *attrs;
	struct ag_arena arena;   /* owns everything above */
};

/*
 * Compute the result.  reference may be NULL (every attribute uses its
 * largest group; ties: the first in result order), or an array of nattrs
 * values where reference[i].p == NULL means "the largest" for attribute i.
 * The intersection always uses its largest group.  AG_ENOTFOUND when a named
 * reference is not a group; AG_ENOMEM.  Does not change f.  The caller
 * releases res with ag_fairness_result_release, also after a failure.
 */
int ag_fairness_finish(const struct ag_fairness *f,
		       const struct ag_fairness_value *reference,
		       struct ag_fairness_result *res, struct ag_err *err);
/* Free what the result holds; it is empty afterwards. */
void ag_fairness_result_release(struct ag_fairness_result *res);

#endif
