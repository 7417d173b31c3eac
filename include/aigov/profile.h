/*
 * profile: per-column statistics of a CSV file in one streaming pass
 * (module measure).  Used by `aigov profile` to document the "data
 * collection and input" stage of an AI system.
 *
 * For each column: inferred type, counts, missing values, distinct count,
 * min/max/mean/standard deviation, quantiles, top values and warnings.
 * Exact while the state fits the memory budget; beyond it, quantiles come
 * from a KLL sketch and distinct counts from HyperLogLog, and the result
 * says so with the error bound (see sketch.h).
 *
 * Numbers follow pandas: the standard deviation is the sample one
 * (ddof = 1); quantiles interpolate linearly between closest ranks.
 *
 * Ownership: ag_profile_new() returns an accumulator the caller frees with
 * ag_profile_free().  ag_profile_finish() returns a result the caller frees
 * with ag_profile_result_free(); every string in it belongs to the result.
 * Not thread-safe: one accumulator per thread, then ag_profile_merge().
 */
#ifndef AIGOV_PROFILE_H
#define AIGOV_PROFILE_H

#include "aigov/arena.h"
#include "aigov/csv.h"
#include "aigov/err.h"
#include "aigov/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ag_col_type {
	AG_TYPE_EMPTY,    /* every value missing */
	AG_TYPE_INTEGER,
	AG_TYPE_NUMBER,
	AG_TYPE_BOOLEAN,
	AG_TYPE_DATE,
	AG_TYPE_CATEGORY, /* text with few distinct values */
	AG_TYPE_TEXT
};

/* What one value looks like. */
enum ag_value_kind {
	AG_KIND_INTEGER,
	AG_KIND_NUMBER,
	AG_KIND_BOOLEAN,
	AG_KIND_DATE,
	AG_KIND_TEXT,
	AG_KIND_COUNT
};

enum ag_warning_code {
	AG_WARN_ALL_MISSING,
	AG_WARN_MOSTLY_MISSING,  /* value: missing rate */
	AG_WARN_CONSTANT,
	AG_WARN_MIXED_TYPES,     /* count: values of other kinds; example, line */
	AG_WARN_NATIONAL_ID,     /* value: share of values that are valid IDs */
	AG_WARN_EMAIL,
	AG_WARN_PHONE,
	AG_WARN_CARD_NUMBER,
	AG_WARN_UNIQUE_KEY,      /* every value distinct: an identifier */
	AG_WARN_LEADING_ZEROS,   /* count: integers written with leading zeros */
	AG_WARN_DUPLICATE_NAME,
	AG_WARN_COUNT
};

struct ag_warning {
	enum ag_warning_code code;
	double value;
	uint64_t count;
	const char *example; /* may be NULL */
	uint64_t line;       /* where the example is, 0 if none */
};

#define AG_PROFILE_NQ 7
extern const double ag_profile_probs[AG_PROFILE_NQ]; /* .01 .05 .25 .5 .75 .95 .99 */

struct ag_top_value {
	const char *value;   /* truncated to 48 bytes, then "..." */
	uint64_t count;
};

struct ag_column_profile {
	const char *name;
	enum ag_col_type type;
	uint64_t count;      /* values present */
	uint64_t missing;
	uint64_t kinds[AG_KIND_COUNT];

	double distinct;     /* exact count or estimate */
	bool distinct_exact;
	double distinct_rel_error;

	/* Over the numeric values (integer and number kinds); has_numeric
	 * false when there are none.  std is NaN with fewer than 2 values. */
	bool has_numeric;
	uint64_t numeric_count;
	double min, max, mean, std;
	bool quantiles_exact;
	double quantile_rank_error; /* 0 when exact */
	double quantiles[AG_PROFILE_NQ];

	/* Date columns: earliest and latest, ISO 8601. */
	const char *date_min, *date_max;

	/* Most frequent values; top_tracked false when there were too many
	 * distinct values to count exactly (top is then empty). */
	bool top_tracked;
	size_t ntop;
	struct ag_top_value *top;

	size_t nwarnings;
	struct ag_warning *warnings;
};

struct ag_profile_result {
	const char *source;
	uint64_t rows;
	uint64_t bytes;
	size_t ncols;
	struct ag_column_profile *cols;
	size_t memory_budget;
	size_t memory_used_peak; /* bytes of exact state at the peak */
	struct ag_arena arena;   /* owns everything above */
};

struct ag_profile_options {
	size_t memory_budget;   /* bytes for exact state; default 1 GiB */
	size_t top_k;           /* top values kept in the result; default 10 */
	size_t freq_cap;        /* values whose frequencies are kept; default 1000 */
	size_t distinct_limit;  /* distinct values counted exactly; default 2^18 */
	uint32_t kll_k;         /* default 400 */
	/* ag_profile_csv: readers of a regular file's parts, in parallel
	 * (0 or 1: one reader; at most AG_CSV_MAX_PARTS).  Each part gets
	 * memory_budget / threads for its exact state. */
	unsigned threads;
	/* Told when a column's statistics stop being exact; may be NULL. */
	const struct ag_logger *log;
};

void ag_profile_options_init(struct ag_profile_options *o);

struct ag_profile;

int ag_profile_new(struct ag_profile **out, size_t ncols,
		   const char *const *names, const struct ag_profile_options *o,
		   struct ag_err *err);
void ag_profile_free(struct ag_profile *p);

/* Add the rows of one batch. */
int ag_profile_add_batch(struct ag_profile *p, const struct ag_csv_reader *r,
			 const struct ag_csv_batch *b, struct ag_err *err);

/* Fold o (same columns) into p; o is left unchanged. */
int ag_profile_merge(struct ag_profile *p, const struct ag_profile *o,
		     struct ag_err *err);

int ag_profile_finish(struct ag_profile *p, const char *source, uint64_t bytes,
		      struct ag_profile_result **out, struct ag_err *err);
void ag_profile_result_free(struct ag_profile_result *res);

/* Open, read and profile a whole CSV file ("-" for standard input).  With
 * opts->threads > 1 a regular file is cut into parts (ag_csv_split), each
 * profiled on its own thread, then merged: counts, distinct counts, top
 * values, exact quantiles, types and warnings are those of one reader;
 * mean and standard deviation agree to about 1e-15 relative (the sums are
 * added in another order); an error is the one a single reader reports.
 * Under a budget too small for exact state, which columns fall back to
 * sketches can depend on the number of parts. */
int ag_profile_csv(const char *path, const struct ag_csv_options *csv_opts,
		   const struct ag_profile_options *opts,
		   struct ag_profile_result **out, struct ag_err *err);

const char *ag_col_type_name(enum ag_col_type t);   /* "integer", ... */
const char *ag_value_kind_name(enum ag_value_kind k);
const char *ag_warning_code_name(enum ag_warning_code c); /* "mostly_missing" */

/* Checks used by the warnings, exposed for tests and for the guard. */
bool ag_is_tw_national_id(const char *s, size_t n);
bool ag_luhn_valid(const char *s, size_t n);

#endif
