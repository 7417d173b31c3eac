/*
 * synth: a deterministic synthetic scoring log (module measure) for the
 * demo and bench/evaluate (`aigov evaluate`).  One row per scored credit application:
 *
 *   label     1 = repaid (the outcome the score predicts), 0 = defaulted;
 *             base rate about 0.70, a little lower for the young bands
 *   score     the model's probability of label 1, in (0, 1), 6 significant
 *             digits, calibrated: with x ~ N(1.1 * label, 1) (two normals
 *             1.1 apart: ROC AUC about Phi(1.1 / sqrt 2) = 0.78), the score
 *             is P(label = 1 | x, age band)
 *   sex       F / M
 *   age_band  18-24, 25-34, 35-49, 50-64, 65+
 *   region    Taipei, New Taipei, Taoyuan, Taichung, Tainan, Kaohsiung
 *   f1..f10   features, loosely tied to the label:
 *             f1  income          integer (lognormal, 18000..)
 *             f2  utilization     decimal, 4 places, [0, 1]
 *             f3  months on book  integer 0..360
 *             f4  debt ratio      decimal, 2 places
 *             f5  inquiries (6m)  integer 0..9
 *             f6  product         categorical: card, personal, mortgage, auto, sme
 *             f7  balance         decimal, 2 places; 1 % missing (empty)
 *             f8  delinquencies   integer 0..5
 *             f9  channel         categorical: branch, online, mobile, agent
 *             f10 bureau score    decimal, 1 place, 300..850
 *
 * Options (struct ag_synth_options; aigov-gen-scoring's flags):
 * rows         rows (default 10,000,000)
 * seed         PRNG seed (xoshiro256** seeded by splitmix64; no libc rand):
 *              the same arguments always give the same bytes
 * drift        the "current month": f1 incomes 12 % higher, f2 utilization
 *              up (beta-like shift), f6 more "card" and fewer "mortgage",
 *              f9 more "mobile", f10 25 points lower; labels and scores
 *              are drawn as without --drift, so only features drift
 * bias SHIFT     a known bias against one protected group: rows with
 *              sex=F get their score's logit lowered by SHIFT (default 0.8)
 *              with their labels unchanged, so at the 0.5 threshold F's
 *              selection rate (and TPR and FPR) drops while the base rate
 *              stays: statistical parity difference and disparate impact
 *              (about 0.55 with the default, below the four-fifths line)
 *              show it, with the other attributes close to parity
 *
 * No global state; the caller owns the stream.
 */
#ifndef AIGOV_SYNTH_H
#define AIGOV_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct ag_synth_options {
	uint64_t rows, seed;
	bool drift;
	double bias;   /* 0: none */
};

void ag_synth_options_init(struct ag_synth_options *o);
/* Write the header and o->rows rows to out.  0, or -1 on a write error
 * or no memory. */
int ag_synth_scoring(FILE *out, const struct ag_synth_options *o);

#endif
