/*
 * Performance accumulator of `aigov evaluate`; see include/aigov/perf.h
 * for the contract and the definition of every metric.
 *
 * Design: add keeps each row as one 64-bit key and bumps one confusion
 * counter, a few nanoseconds.  finish sorts the keys (MSD radix sort, below)
 * and walks the distinct scores from the highest down, which is the order
 * in which scikit-learn's _binary_clf_curve accumulates true and false
 * positives; every metric comes out of that one walk.  Because the walk
 * sees the same sorted multiset of keys however the rows were split between
 * accumulators, merged results are bit-for-bit equal to single ones.
 */
#include "aigov/perf.h"

#include "aigov/arena.h"
#include "aigov/sort.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAP ((size_t)8192)   /* keys: 64 KiB, one mapping */

/* ag_big_realloc works in whole pages; track bytes as it wants them. */
static size_t keys_bytes(size_t cap)
{
	return cap * sizeof(uint64_t);
}

static uint64_t double_bits(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof(u));
	return u;
}

static double bits_double(uint64_t u)
{
	double x;
	memcpy(&x, &u, sizeof(x));
	return x;
}

/* The bits of 1.0: a key's score bits (key >> 1) are at most this. */
#define ONE_BITS UINT64_C(0x3FF0000000000000)

int ag_perf_init(struct ag_perf *p, double threshold, struct ag_err *err)
{
	memset(p, 0, sizeof(*p));
	if (!(threshold >= 0.0 && threshold <= 1.0))
		return ag_err_set(err, AG_EINVAL,
				  "perf: threshold must be a number in [0, 1]");
	p->threshold = threshold;
	return 0;
}

void ag_perf_release(struct ag_perf *p)
{
	ag_big_free(p->keys, keys_bytes(p->cap));
	p->keys = NULL;
	p->n = p->cap = 0;
	memset(p->confusion, 0, sizeof(p->confusion));
	p->decided = 0;
}

/* Room for `extra` more keys; doubles, so appends are amortised O(1). */
static int reserve(struct ag_perf *p, size_t extra, struct ag_err *err)
{
	size_t need, ncap;
	void *nk;

	if (__builtin_add_overflow(p->n, extra, &need) ||
	    need > SIZE_MAX / sizeof(uint64_t))
		return ag_err_set(err, AG_ERANGE, "perf: too many rows");
	if (need <= p->cap)
		return 0;
	ncap = p->cap ? p->cap : FIRST_CAP;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 / sizeof(uint64_t) ? need : ncap * 2;
	nk = ag_big_realloc(p->keys, keys_bytes(p->cap), keys_bytes(ncap));
	if (!nk)
		return ag_err_set(err, AG_ENOMEM,
				  "perf: out of memory for %zu rows", need);
	p->keys = nk;
	p->cap = ncap;
	return 0;
}

int ag_perf_reserve(struct ag_perf *p, size_t rows, struct ag_err *err)
{
	return reserve(p, rows, err);
}

/*
 * Check one row; 0 or AG_EPARSE naming it.  The comparisons are written so
 * that NaN fails them: !(x >= 0 && x <= 1) is true for NaN.
 */
static int check_row(int label, double score, int decision, uint64_t row,
		     struct ag_err *err)
{
	if (label != 0 && label != 1)
		return ag_err_set(err, AG_EPARSE,
				  "row %" PRIu64 ": label %d is not 0 or 1",
				  row, label);
	if (!(score >= 0.0 && score <= 1.0))
		return ag_err_set(err, AG_EPARSE,
				  "row %" PRIu64 ": score %.17g is not a number in [0, 1]",
				  row, score);
	if (decision != 0 && decision != 1 && decision != AG_PERF_NO_DECISION)
		return ag_err_set(err, AG_EPARSE,
				  "row %" PRIu64 ": decision %d is not 0 or 1",
				  row, decision);
	return 0;
}

/*
 * Store a checked row.  `score + 0.0` turns -0.0 into +0.0 (IEEE 754
 * round-to-nearest), so that the key order is the value order and 0 has one
 * key.  The counter index is computed, not branched on: labels and
 * decisions of a scoring log are not predictable.
 */
static inline void put_row(struct ag_perf *p, int label, double score,
			   int decision)
{
	uint64_t bits = double_bits(score + 0.0);
	int given = decision != AG_PERF_NO_DECISION;
	int pred = given ? decision : (score >= p->threshold);

	p->keys[p->n++] = bits << 1 | (uint64_t)label;
	p->confusion[label * 2 + pred]++;
	p->decided += (uint64_t)given;
}

int ag_perf_add(struct ag_perf *p, int label, double score, int decision,
		uint64_t row, struct ag_err *err)
{
	int rc = check_row(label, score, decision, row, err);

	if (rc)
		return rc;
	if (p->n == p->cap && (rc = reserve(p, 1, err)) != 0)
		return rc;
	put_row(p, label, score, decision);
	return 0;
}

int ag_perf_add_many(struct ag_perf *p, const uint8_t *labels,
		     const double *scores, const int8_t *decisions, size_t n,
		     uint64_t first_row, struct ag_err *err)
{
	int rc;

	/* Check everything first: all or nothing. */
	for (size_t i = 0; i < n; i++) {
		int d = decisions ? decisions[i] : AG_PERF_NO_DECISION;
		rc = check_row(labels[i], scores[i], d, first_row + i, err);
		if (rc)
			return rc;
	}
	if ((rc = reserve(p, n, err)) != 0)
		return rc;
	if (decisions) {
		for (size_t i = 0; i < n; i++)
			put_row(p, labels[i], scores[i], decisions[i]);
	} else {
		for (size_t i = 0; i < n; i++)
			put_row(p, labels[i], scores[i], AG_PERF_NO_DECISION);
	}
	return 0;
}

int ag_perf_merge(struct ag_perf *p, const struct ag_perf *o,
		  struct ag_err *err)
{
	uint64_t conf[4], decided;
	int rc;

	if (p->threshold != o->threshold)
		return ag_err_set(err, AG_EINVAL,
				  "perf: cannot merge accumulators with thresholds %.17g and %.17g",
				  p->threshold, o->threshold);
	for (int i = 0; i < 4; i++)
		if (__builtin_add_overflow(p->confusion[i], o->confusion[i],
					   &conf[i]))
			return ag_err_set(err, AG_ERANGE, "perf: row count overflows");
	if (__builtin_add_overflow(p->decided, o->decided, &decided))
		return ag_err_set(err, AG_ERANGE, "perf: row count overflows");
	if ((rc = reserve(p, o->n, err)) != 0)
		return rc;
	if (o->n)
		memcpy(p->keys + p->n, o->keys, o->n * sizeof(uint64_t));
	p->n += o->n;
	memcpy(p->confusion, conf, sizeof(conf));
	p->decided = decided;
	return 0;
}

/* ---- serialized state ---- */

static const unsigned char MAGIC[8] = { 'A', 'G', 'P', 'E', 'R', 'F', 0, 0 };
#define STATE_VERSION 1u
#define HEADER_BYTES 72u

/* Byte by byte, so the format is little-endian on any host; compilers turn
 * these loops into single loads and stores where the host is. */
static void put_u64(unsigned char *o, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		o[i] = (unsigned char)(v >> (8 * i));
}

static void put_u32(unsigned char *o, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		o[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *s)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)s[i] << (8 * i);
	return v;
}

static uint32_t get_u32(const unsigned char *s)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)s[i] << (8 * i);
	return v;
}

int ag_perf_serialize(const struct ag_perf *p, struct ag_buf *out,
		      struct ag_err *err)
{
	size_t total;
	unsigned char *o;

	if (p->n > (SIZE_MAX - HEADER_BYTES - 1) / 8)
		return ag_err_set(err, AG_ERANGE, "perf: state too large");
	total = HEADER_BYTES + p->n * 8;
	if (ag_buf_grow(out, total))
		return ag_err_set(err, AG_ENOMEM,
				  "perf: out of memory for a %zu-byte state", total);
	o = (unsigned char *)out->buf + out->len;
	memcpy(o, MAGIC, 8);
	put_u32(o + 8, STATE_VERSION);
	put_u32(o + 12, 0);
	put_u64(o + 16, double_bits(p->threshold));
	for (int i = 0; i < 4; i++)
		put_u64(o + 24 + 8 * i, p->confusion[i]);
	put_u64(o + 56, p->decided);
	put_u64(o + 64, (uint64_t)p->n);
	o += HEADER_BYTES;
	for (size_t i = 0; i < p->n; i++)
		put_u64(o + 8 * i, p->keys[i]);
	out->len += total;
	out->buf[out->len] = '\0';
	return 0;
}

static int bad_state(struct ag_perf *p, struct ag_err *err, size_t offset,
		     const char *what)
{
	ag_perf_release(p);
	return ag_err_set(err, AG_EPARSE, "perf state: byte %zu: %s", offset,
			  what);
}

int ag_perf_deserialize(struct ag_perf *p, const void *data, size_t len,
			struct ag_err *err)
{
	const unsigned char *s = data;
	uint64_t n, conf[4], decided, pos = 0, neg, tot;
	double threshold;
	int rc;

	memset(p, 0, sizeof(*p));
	if (len < HEADER_BYTES)
		return bad_state(p, err, len, "truncated header (a state has at least 72 bytes)");
	if (memcmp(s, MAGIC, 8) != 0)
		return bad_state(p, err, 0, "not a perf state (wrong magic)");
	if (get_u32(s + 8) != STATE_VERSION)
		return bad_state(p, err, 8, "unsupported version");
	if (get_u32(s + 12) != 0)
		return bad_state(p, err, 12, "reserved field is not 0");
	threshold = bits_double(get_u64(s + 16));
	if (!(threshold >= 0.0 && threshold <= 1.0))
		return bad_state(p, err, 16, "threshold is not a number in [0, 1]");
	for (int i = 0; i < 4; i++)
		conf[i] = get_u64(s + 24 + 8 * i);
	decided = get_u64(s + 56);
	n = get_u64(s + 64);
	/* Compare n with the bytes present by division: n * 8 may overflow. */
	if ((len - HEADER_BYTES) % 8 != 0 || n != (len - HEADER_BYTES) / 8)
		return bad_state(p, err, 64, "row count does not match the length");
	if ((rc = ag_perf_init(p, threshold, err)) != 0)
		return rc;
	if ((rc = reserve(p, (size_t)n, err)) != 0)
		return rc;
	s += HEADER_BYTES;
	for (size_t i = 0; i < (size_t)n; i++) {
		uint64_t key = get_u64(s + 8 * i);
		/* Every pattern up to the bits of 1.0 is a double in [0, 1];
		 * 0x8000... (-0.0) and anything above is refused. */
		if ((key >> 1) > ONE_BITS)
			return bad_state(p, err, HEADER_BYTES + 8 * i,
					 "row key is not a score in [0, 1]");
		pos += key & 1;
		p->keys[i] = key;
	}
	p->n = (size_t)n;
	neg = n - pos;
	/* Counts must describe the same rows: labels 0 are tn + fp, labels
	 * 1 are fn + tp.  Checked additions: wrapped sums could agree. */
	if (__builtin_add_overflow(conf[0], conf[1], &tot) || tot != neg ||
	    __builtin_add_overflow(conf[2], conf[3], &tot) || tot != pos)
		return bad_state(p, err, 24, "confusion counts do not match the rows");
	if (decided > n)
		return bad_state(p, err, 56, "more decided rows than rows");
	memcpy(p->confusion, conf, sizeof(conf));
	p->decided = decided;
	return 0;
}

/* ---- sorting ---- */

static int sort_keys(struct ag_perf *p, struct ag_err *err)
{
	if (ag_sort_u64(p->keys, p->n))
		return ag_err_set(err, AG_ENOMEM,
				  "perf: out of memory sorting %zu rows", p->n);
	return 0;
}

double *ag_perf_take_scores(struct ag_perf *p, size_t *n, size_t *bytes)
{
	uint64_t *k = p->keys;
	double *v = (double *)(void *)k; /* each key's 8 bytes become its score */

	*n = p->n;
	*bytes = keys_bytes(p->cap);
	for (size_t i = 0; i < p->n; i++) {
		uint64_t bits = k[i] >> 1;
		double x;

		memcpy(&x, &bits, sizeof(x));
		memcpy(&k[i], &x, sizeof(x)); /* memcpy: the bytes are a double's now */
	}
	p->keys = NULL;
	p->n = p->cap = 0;
	memset(p->confusion, 0, sizeof(p->confusion));
	p->decided = 0;
	if (!*n) {
		ag_big_free(v, *bytes);
		return NULL;
	}
	return v;
}

/* ---- finish ---- */

/* log_loss clips probabilities to [eps, 1 - eps]; see perf.h for why
 * 1e-15 and not scikit-learn 1.2's float64 machine epsilon. */
#define LOG_LOSS_EPS 1e-15

/*
 * Loss of a row with score p and label y, as scikit-learn 1.2's log_loss
 * computes it: clip, form the two-column [1 - p, p], renormalize each row
 * by its sum (1 - p) + p (which can differ from 1 by an ulp), then
 * -log of the label's column.
 */
static double row_log_loss(double p, int y)
{
	double pc = p < LOG_LOSS_EPS ? LOG_LOSS_EPS
		  : p > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : p;
	double q = 1 - pc, s = q + pc;
	return -log((y ? pc : q) / s);
}

/* Bin of a score: numpy's linspace(0, 1, 11) edges are k * 0.1 exactly as
 * computed here (0.30000000000000004, ...); calibration_curve's
 * searchsorted(edges[1:-1], p, side="left") puts p in bin k when
 * edge k < p <= edge k+1, and 0 in bin 0. */
static double bin_edge(int k)
{
	return k == AG_PERF_CALIB_BINS ? 1.0 : (double)k * 0.1;
}

static double ratio0(uint64_t num, uint64_t den, unsigned *flags,
		     unsigned flag)
{
	if (den == 0) {
		*flags |= flag;
		return 0.0;
	}
	return (double)num / (double)den;
}

int ag_perf_finish(struct ag_perf *p, struct ag_perf_result *r,
		   struct ag_err *err)
{
	const uint64_t *k;
	uint64_t P = 0, N, tps = 0, fps = 0, auc2 = 0;
	double auc2_wide = 0, ap = 0, ll = 0, brier = 0, ks = 0, ks_t = NAN;
	double bin_sum[AG_PERF_CALIB_BINS] = { 0 };
	/* The AUC numerator is at most 2 * P * N <= n^2 / 2: exact in 64 bits
	 * up to 2^32 rows; beyond, counted in a double (relative error
	 * 1e-16 per step, still far inside the tests' 1e-12). */
	bool wide = (uint64_t)p->n > UINT32_MAX;
	int rc, bin = AG_PERF_CALIB_BINS - 1;

	memset(r, 0, sizeof(*r));
	if (p->n == 0)
		return ag_err_set(err, AG_EPARSE,
				  "no rows: evaluating performance needs at least one scored row");
	if ((rc = sort_keys(p, err)) != 0)
		return rc;
	k = p->keys;
	for (size_t i = 0; i < p->n; i++)
		P += k[i] & 1;
	N = (uint64_t)p->n - P;

	for (int b = 0; b < AG_PERF_CALIB_BINS; b++) {
		r->calib[b].lo = bin_edge(b);
		r->calib[b].hi = bin_edge(b + 1);
	}

	/*
	 * One walk over the distinct scores, highest first (Fawcett 2006,
	 * Algorithm 2: a tie group moves the ROC curve diagonally, which
	 * counts each tied positive-negative pair one half).  Per group:
	 * pos, neg = its labels; tps, fps = counts at or above its score.
	 */
	for (size_t end = p->n; end > 0;) {
		uint64_t sbits = k[end - 1] >> 1, pos = 0, neg;
		size_t start = end;
		while (start > 0 && (k[start - 1] >> 1) == sbits) {
			start--;
			pos += k[start] & 1;
		}
		neg = (uint64_t)(end - start) - pos;
		end = start;
		double s = bits_double(sbits);

		/* AUC (Mann-Whitney with ties halved), doubled to stay integral:
		 * each negative here beats tps positives above it in rank and
		 * ties with pos. */
		if (wide)
			auc2_wide += (double)neg * (2.0 * (double)tps + (double)pos);
		else
			auc2 += neg * (2 * tps + pos);
		tps += pos;
		fps += neg;

		if (P && N) {
			/* roc_curve's tpr, fpr at this threshold, computed as
			 * scikit-learn does (tps / tps[-1]) so that ties in
			 * |tpr - fpr| resolve alike; the first (highest) wins. */
			double d = fabs((double)tps / (double)P -
					(double)fps / (double)N);
			if (d > ks) {
				ks = d;
				ks_t = s;
			}
		}
		/* average_precision_score: recall step times precision. */
		if (P && pos)
			ap += ((double)pos / (double)P) *
			      ((double)tps / (double)(tps + fps));

		if (pos)
			ll += (double)pos * row_log_loss(s, 1);
		if (neg)
			ll += (double)neg * row_log_loss(s, 0);
		brier += (double)pos * (1 - s) * (1 - s) + (double)neg * s * s;

		while (bin > 0 && s <= bin_edge(bin))
			bin--;
		r->calib[bin].count += pos + neg;
		r->calib[bin].positives += pos;
		bin_sum[bin] += (double)(pos + neg) * s;
	}

	r->n = (uint64_t)p->n;
	r->positives = P;
	r->negatives = N;
	r->tn = p->confusion[0];
	r->fp = p->confusion[1];
	r->fn = p->confusion[2];
	r->tp = p->confusion[3];
	r->decided = p->decided;
	r->threshold = p->threshold;

	if (P && N) {
		double pn2 = 2.0 * (double)P * (double)N;
		r->auc = (wide ? auc2_wide : (double)auc2) / pn2;
		r->gini = 2 * r->auc - 1;
		r->ks = ks;
		r->ks_threshold = ks > 0 ? ks_t : NAN;
	} else {
		r->flags |= AG_PERF_ONE_CLASS;
		r->auc = r->gini = r->ks = r->ks_threshold = NAN;
	}
	r->average_precision = P ? ap : NAN;
	r->log_loss = ll / (double)r->n;
	r->brier = brier / (double)r->n;

	r->accuracy = (double)(r->tp + r->tn) / (double)r->n;
	r->precision = ratio0(r->tp, r->tp + r->fp, &r->flags, AG_PERF_NO_PRED_POS);
	r->recall = ratio0(r->tp, r->tp + r->fn, &r->flags, AG_PERF_NO_POSITIVES);
	r->specificity = ratio0(r->tn, r->tn + r->fp, &r->flags,
				AG_PERF_NO_NEGATIVES);
	/* f1_score as scikit-learn 1.2 forms it from the two ratios. */
	if (r->precision + r->recall == 0) {
		r->f1 = 0;
		r->flags |= AG_PERF_F1_ZERO_DIV;
	} else {
		r->f1 = 2 * r->precision * r->recall / (r->precision + r->recall);
	}

	r->ece = 0;
	for (int b = 0; b < AG_PERF_CALIB_BINS; b++) {
		struct ag_perf_bin *c = &r->calib[b];
		if (c->count == 0) {
			c->mean_score = c->observed_rate = NAN;
			continue;
		}
		c->mean_score = bin_sum[b] / (double)c->count;
		c->observed_rate = (double)c->positives / (double)c->count;
		r->ece += (double)c->count / (double)r->n *
			  fabs(c->observed_rate - c->mean_score);
	}
	return 0;
}

const char *ag_perf_flag_text(unsigned flag)
{
	switch (flag) {
	case AG_PERF_ONE_CLASS:
		return "only one class is present: AUC, Gini and KS are undefined (NaN), and so is average precision when there are no positives";
	case AG_PERF_NO_PRED_POS:
		return "no row is predicted positive: precision is set to 0 (scikit-learn zero_division=0)";
	case AG_PERF_NO_POSITIVES:
		return "no positive rows: recall is set to 0 (scikit-learn zero_division=0)";
	case AG_PERF_NO_NEGATIVES:
		return "no negative rows: specificity is set to 0 (scikit-learn zero_division=0)";
	case AG_PERF_F1_ZERO_DIV:
		return "precision and recall are both 0: F1 is set to 0 (scikit-learn zero_division=0)";
	default:
		return "";
	}
}
