/*
 * perf: the performance accumulator behind `aigov evaluate` (module
 * measure): binary classification metrics of a scoring log, one row per
 * scored case with its true label (0/1), its score (a probability of
 * label 1, in [0, 1]) and, optionally, the decision that was taken (0/1).
 *
 * It has the accumulator operations of DESIGN.md: add rows, merge another
 * accumulator, serialize / deserialize (a shard computed elsewhere joins the
 * result), finish.  One accumulator fed every row and several fed a split of
 * the rows and merged give identical results: finish sorts the rows into one
 * canonical order and computes everything from it, so the floating-point
 * results are equal to the last bit, not only to a tolerance.
 *
 * Every row is kept, as one 64-bit key (8 bytes; finish sorts them in
 * place, borrowing half a byte per row), because the ranking metrics are
 * exact: no binning.
 *
 * Definitions (each as scikit-learn 1.2 computes it; the tests compare with
 * scikit-learn's output, tests/tools/make_perf_reference.py):
 *  - auc: roc_auc_score; tied scores count one half (the trapezoid over a
 *    tie group, Fawcett 2006, "An introduction to ROC analysis", Alg. 2).
 *  - gini: 2 * auc - 1.
 *  - ks: max over thresholds t of |TPR(t) - FPR(t)| on roc_curve's points;
 *    ks_threshold is the highest score where it is reached.
 *  - average_precision: average_precision_score, sum over distinct scores
 *    (descending) of (R_k - R_{k-1}) * P_k, not interpolated.
 *  - log_loss: log_loss with eps = 1e-15 (scikit-learn before 1.2; 1.2's
 *    default "auto" clips at 2.2e-16 instead, which only changes rows scored
 *    within 1e-15 of 0 or 1), natural logarithm, mean over rows.
 *  - brier: brier_score_loss, mean of (label - score)^2.
 *  - at the threshold (a row is predicted 1 when score >= threshold) or at
 *    the given decisions: accuracy, precision, recall, f1 (f1_score),
 *    specificity (recall of label 0).  A ratio whose denominator is 0 (no
 *    predicted positives for precision, no positives for recall, ...) is
 *    0, as scikit-learn's zero_division=0, and a flag says so.
 *  - calibration: 10 equal-width bins over [0, 1] with numpy's edges
 *    linspace(0, 1, 11) = k * 0.1; bin 0 is [0, 0.1], bin k > 0 is
 *    (edge k, edge k+1] (calibration_curve(strategy="uniform") uses
 *    searchsorted on the inner edges).  ece = sum over bins of
 *    count / n * |observed_rate - mean_score|.
 *
 * Edge cases: with one class only, auc, gini, ks and average_precision are
 * NaN and AG_PERF_ONE_CLASS is set (with positives only, scikit-learn's
 * average precision is 1, and so is ours; with none it is NaN).  Constant
 * scores give auc 0.5.  A score that is NaN or outside [0, 1], or a label
 * or decision other than 0/1, is AG_EPARSE naming the caller's row number.
 * Finishing with no rows is AG_EPARSE.
 *
 * Objects are caller-owned structs: ag_perf_init / ag_perf_release.  Not
 * thread-safe: one accumulator per thread, then merge.
 */
#ifndef AIGOV_PERF_H
#define AIGOV_PERF_H

#include "aigov/buf.h"
#include "aigov/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Passed as `decision` when the row carries none: the threshold decides. */
#define AG_PERF_NO_DECISION (-1)

#define AG_PERF_CALIB_BINS 10

struct ag_perf {
	/*
	 * One key per row: (bits of the score as a double) << 1 | label.  A
	 * non-negative double's bit pattern orders as its value, and a score
	 * in [0, 1] has bits < 2^62, so keys order by score, then label, and
	 * give the score back exactly.  -0.0 is stored as 0.0.
	 */
	uint64_t *keys;
	size_t n, cap;               /* keys held, room */
	double threshold;            /* score >= threshold predicts 1 */
	/* Confusion counts at the threshold or at the given decisions,
	 * counted as rows arrive (integers, so merging them is exact),
	 * indexed label * 2 + predicted: tn, fp, fn, tp.  An array rather
	 * than four names so that add counts without a branch. */
	uint64_t confusion[4];
	uint64_t decided;            /* rows that carried their decision */
};

/* Result flags: why a metric is NaN or a ratio was set to 0. */
#define AG_PERF_ONE_CLASS       0x01u /* auc, gini, ks (and ap) NaN */
#define AG_PERF_NO_PRED_POS     0x02u /* precision := 0 */
#define AG_PERF_NO_POSITIVES    0x04u /* recall := 0 */
#define AG_PERF_NO_NEGATIVES    0x08u /* specificity := 0 */
#define AG_PERF_F1_ZERO_DIV     0x10u /* precision + recall == 0: f1 := 0 */

struct ag_perf_bin {
	double lo, hi;           /* edges: [lo, hi] for bin 0, else (lo, hi] */
	uint64_t count;
	uint64_t positives;
	double mean_score;       /* NaN when count == 0 */
	double observed_rate;    /* positives / count; NaN when count == 0 */
};

struct ag_perf_result {
	uint64_t n, positives, negatives;
	uint64_t tp, fp, tn, fn;
	uint64_t decided;        /* rows judged by their given decision */
	double threshold;
	unsigned flags;          /* AG_PERF_* bits */
	double auc, gini, ks, ks_threshold, average_precision;
	double log_loss, brier;
	double accuracy, precision, recall, f1, specificity;
	struct ag_perf_bin calib[AG_PERF_CALIB_BINS];
	double ece;
};

/* An empty accumulator predicting 1 when score >= threshold (finite, in
 * [0, 1]; AG_EINVAL otherwise).  Allocates nothing. */
int ag_perf_init(struct ag_perf *p, double threshold, struct ag_err *err);
/* Free the rows; the accumulator is empty (same threshold) and reusable. */
void ag_perf_release(struct ag_perf *p);

/*
 * Add one row: label 0 or 1, score in [0, 1], decision 0, 1 or
 * AG_PERF_NO_DECISION.  `row` is the caller's row number, used only in the
 * message of an AG_EPARSE.  AG_ENOMEM when the row array cannot grow.  On
 * error nothing is added.  Amortised O(1): an append and a counter.
 */
int ag_perf_add(struct ag_perf *p, int label, double score, int decision,
		uint64_t row, struct ag_err *err);
/*
 * Add n rows: labels[i], scores[i], decisions[i] (decisions may be NULL:
 * none given); row first_row + i in messages.  All or nothing: on error
 * (the first bad row is named) no row is added.
 */
int ag_perf_add_many(struct ag_perf *p, const uint8_t *labels,
		     const double *scores, const int8_t *decisions, size_t n,
		     uint64_t first_row, struct ag_err *err);

/* Add o's rows and counts to p; o is unchanged.  AG_EINVAL when the
 * thresholds differ, AG_ENOMEM, AG_ERANGE on count overflow; p is
 * unchanged on error. */
/* Room for `rows` more rows at once: a hint (a reader that knows its part
 * of a file) that saves growing the key array step by step. */
int ag_perf_reserve(struct ag_perf *p, size_t rows, struct ag_err *err);
int ag_perf_merge(struct ag_perf *p, const struct ag_perf *o,
		  struct ag_err *err);

/*
 * Append p's state to out in a portable format (all integers and doubles
 * little-endian whatever the host):
 *   "AGPERF\0\0"  magic (8 bytes)
 *   u32 version (1), u32 reserved (0)
 *   f64 threshold, u64 tn, fp, fn, tp, u64 decided, u64 n,
 *   n x u64 key (as in struct ag_perf; any order)
 * 72 + 8n bytes.  AG_ENOMEM (out unchanged in content up to its old
 * length) or AG_ERANGE.  p is unchanged.
 */
int ag_perf_serialize(const struct ag_perf *p, struct ag_buf *out,
		      struct ag_err *err);
/*
 * Read a state written by ag_perf_serialize into p, which must not hold
 * rows (it is initialised here; release it afterwards as usual).  Input is
 * untrusted: a wrong magic, version or length, a key that is not a score in
 * [0, 1], a bad threshold, or counts that disagree with the rows are
 * AG_EPARSE with the byte offset; p is then empty.  Checks structure, not
 * authenticity: a shard's state that is consistent but altered is accepted.
 */
int ag_perf_deserialize(struct ag_perf *p, const void *data, size_t len,
			struct ag_err *err);

/*
 * Compute the metrics into r.  Sorts p's rows (into a new array: p->keys
 * moves; their order is not part of the state, so p stays valid for more
 * adds, merges and finishes) and needs 8 more bytes per row while sorting
 * (AG_ENOMEM).  AG_EPARSE when p has no rows.  A radix sort (O(n) per
 * level, 2 or 3 levels on real scores) and one scan, with at most two
 * log() calls per distinct score.
 */
int ag_perf_finish(struct ag_perf *p, struct ag_perf_result *r,
		   struct ag_err *err);

/*
 * After a successful ag_perf_finish: the rows' scores in ascending order,
 * one per row, written over the keys (which finish sorted and no longer
 * needs).  The array passes to the caller: *n scores in a block of *bytes
 * bytes from ag_big_realloc (free it with ag_big_free, or hand it to
 * ag_drift_num_adopt_sorted: the score's drift needs the same sort).  The
 * accumulator is left empty, as after ag_perf_release.  NULL (and *n 0)
 * when it holds no rows.
 */
double *ag_perf_take_scores(struct ag_perf *p, size_t *n, size_t *bytes);

/* A static English sentence for one AG_PERF_* flag bit ("" if unknown). */
const char *ag_perf_flag_text(unsigned flag);

#endif
