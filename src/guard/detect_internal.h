/*
 * Private to src/guard: the detector anchors and their validators.
 *
 * Each anchor is a Vectorscan pattern whose match end the scan reports;
 * the validator for it (detect.c) finds where the value starts and ends in
 * the normalised text, confirms it, and appends findings.  Offsets here are
 * into the normalised text; guard.c maps them back.
 */
#ifndef AIGOV_GUARD_DETECT_INTERNAL_H
#define AIGOV_GUARD_DETECT_INTERNAL_H

#include "aigov/guard.h"

enum guard_anchor {
	A_TWID,
	A_NUM,
	A_EMAIL,
	A_IPV4,
	A_IPV6,
	A_ADDR,
	A_NAME_CTX_ZH,
	A_NAME_TITLE_ZH,
	A_NAME_TITLE_EN,
	A_NAME_CTX_EN,
	A_BANK_CTX,
	A_PASSPORT_CTX,
	A_SEC_AWS,
	A_SEC_OPENAI,
	A_SEC_GITHUB,
	A_SEC_GITHUB_PAT,
	A_SEC_SLACK,
	A_SEC_GOOGLE,
	A_SEC_PEM,
	A_SEC_JWT,
	A_SEC_BEARER,
	A_SEC_ASSIGN,
	A_CTX_ID,     /* context words: only their end offsets are kept */
	A_CTX_UBN,
	A_CTX_PHONE,
	A_CTX_CARD,
	A_B64,        /* base64, and hex (a subset of its alphabet) */
	A_URLENC,
	A_COUNT
};

struct guard_anchor_def {
	const char *pattern; /* NULL: found by guard_digit_anchors, not Vectorscan */
	unsigned flags; /* HS_FLAG_* besides UTF8 */
};
extern const struct guard_anchor_def guard_anchors[A_COUNT];

struct guard_fvec {
	struct ag_guard_finding *v;
	size_t n, cap;
	bool oom;
};

struct guard_detect {
	const char *t;   /* normalised text */
	size_t len;
	struct guard_fvec *out;
	size_t num_end;  /* end of the last number token examined (dedupe) */
	size_t last_end[A_COUNT]; /* per anchor: end of the last value taken, or
				   * of the last context word (A_CTX_*, A_BANK_CTX) */
};

/* Validate UTF-8 and find the first character normalisation changes, in
 * one pass.  False when invalid (*bad: offset of the first bad byte). */
bool guard_prepare(const char *s, size_t len, size_t *bad, size_t *change);

void guard_fvec_push(struct guard_fvec *f, int type, size_t start, size_t end, double score);

/* A candidate: anchor or rule id (rules from A_COUNT on) and end offset. */
struct guard_cand {
	unsigned id;
	size_t to;
};

struct guard_cvec {
	struct guard_cand *v;
	size_t n, cap;
	bool oom;
};

void guard_cvec_push(struct guard_cvec *c, unsigned id, size_t to);

/* The candidates of A_TWID and A_NUM in t, by end offset, into c (reset
 * first): the ends Vectorscan would report for their patterns. */
void guard_digit_anchors(const char *t, size_t len, struct guard_cvec *c);
/* The same for A_B64. */
void guard_b64_anchors(const char *t, size_t len, struct guard_cvec *c);

/* Run the validator of anchor `id` for a match ending at `to`. */
void guard_detect(struct guard_detect *d, int id, size_t to);

/* Encoded-payload anchors: the run around `to`, decoded into a fresh
 * malloc'd buffer (*out, *out_len) when it decodes to printable UTF-8
 * text; false otherwise.  *run_end is the end of the run, for dedupe. */
bool guard_decode(const char *t, size_t len, int id, size_t to, char **out, size_t *out_len,
		  size_t *run_end);

#endif
