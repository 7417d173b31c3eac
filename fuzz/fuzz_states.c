/*
 * libFuzzer target for the serialized states of the mergeable accumulators
 * of `aigov evaluate`: a shard's state may be computed on another machine,
 * so every byte the deserializers read is hostile.
 *
 * The first input byte (modulo 4) picks the deserializer, the rest is the
 * state:
 *   0  ag_perf_deserialize       (include/aigov/perf.h)
 *   1  ag_fairness_deserialize   (include/aigov/fairness.h)
 *   2  ag_drift_num_deserialize  (include/aigov/drift.h)
 *   3  ag_drift_cat_deserialize
 *
 * Invariants (a broken one aborts, a crash for libFuzzer):
 *  - the result is 0 or AG_EPARSE (AG_ENOMEM tolerated), and a failure
 *    says why (err.msg is not empty);
 *  - an accepted state serializes to bytes that deserialize again into
 *    the same state.  The fairness format is canonical (groups sorted, only
 *    non-empty ones): serializing the re-read state gives identical bytes.
 *    Perf and drift store their rows in any order (drift's categories in
 *    hash-table order), so there the two states are compared as sets:
 *    header fields, sorted keys, sorted (category, count) pairs;
 *  - finishing the state does not crash: ag_perf_finish (AG_EPARSE exactly
 *    when there is no row), ag_fairness_finish with no named reference,
 *    ag_drift_numeric and ag_drift_categorical of the state against its
 *    re-read copy and against itself (AG_EINVAL exactly when there is no
 *    non-missing value), where PSI and KS must be 0.
 * Everything is released: ASan's leak check is on.  (The key arrays of
 * perf and drift come from ag_big_realloc, which maps pages with mmap on
 * Linux: ASan sees neither overflows inside those pages nor their leaks.)
 *
 * The input is copied into a buffer of exactly its size, so that a read
 * one byte before or after the state is caught.
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/buf.h"
#include "aigov/drift.h"
#include "aigov/err.h"
#include "aigov/fairness.h"
#include "aigov/perf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SEL_PERF, SEL_FAIRNESS, SEL_DRIFT_NUM, SEL_DRIFT_CAT, NSEL };

static void check(int cond)
{
	if (!cond)
		abort();
}

/* AG_ENOMEM is allowed, but states of at most 64 KiB should never need
 * that much: say so once, so that a run full of them is noticed. */
static void note_nomem(const char *where)
{
	static int said;
	if (!said) {
		said = 1;
		fprintf(stderr, "fuzz_states: AG_ENOMEM in %s\n", where);
	}
}

/* A deserializer's result: 0, or AG_EPARSE / AG_ENOMEM with a message. */
static void check_read_rc(int rc, const struct ag_err *err)
{
	if (rc == 0)
		return;
	check(rc == AG_EPARSE || rc == AG_ENOMEM);
	check(err->msg[0] != '\0');
	if (rc == AG_ENOMEM)
		note_nomem("a deserializer");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Do two key arrays hold the same multiset?  (Sorted copies compared.) */
static int same_keys(const uint64_t *a, const uint64_t *b, size_t n)
{
	uint64_t *x, *y;
	int same;

	if (n == 0)
		return 1;
	x = malloc(n * sizeof(*x));
	y = malloc(n * sizeof(*y));
	check(x && y);
	memcpy(x, a, n * sizeof(*x));
	memcpy(y, b, n * sizeof(*y));
	qsort(x, n, sizeof(*x), cmp_u64);
	qsort(y, n, sizeof(*y), cmp_u64);
	same = memcmp(x, y, n * sizeof(*x)) == 0;
	free(x);
	free(y);
	return same;
}

/* ---- perf ---- */

static int same_perf(const struct ag_perf *a, const struct ag_perf *b)
{
	return memcmp(&a->threshold, &b->threshold, sizeof(a->threshold)) == 0 &&
	       memcmp(a->confusion, b->confusion, sizeof(a->confusion)) == 0 &&
	       a->decided == b->decided && a->n == b->n &&
	       same_keys(a->keys, b->keys, a->n);
}

/* Serialize p and read it back into q (which must be released). */
static int perf_round_trip(const struct ag_perf *p, struct ag_perf *q)
{
	struct ag_buf out;
	struct ag_err err;
	int rc;

	ag_buf_init(&out);
	ag_err_clear(&err);
	rc = ag_perf_serialize(p, &out, &err);
	if (rc == AG_ENOMEM) {
		note_nomem("ag_perf_serialize");
		memset(q, 0, sizeof(*q));
		ag_buf_release(&out);
		return rc;
	}
	check(rc == 0 && out.len == 72 + 8 * p->n);
	ag_err_clear(&err);
	rc = ag_perf_deserialize(q, out.buf, out.len, &err);
	check(rc == 0 || rc == AG_ENOMEM);
	if (rc == AG_ENOMEM)
		note_nomem("ag_perf_deserialize");
	else
		check(same_perf(p, q));
	ag_buf_release(&out);
	return rc;
}

static void fuzz_perf(const uint8_t *data, size_t size)
{
	struct ag_perf p, q;
	struct ag_perf_result r;
	struct ag_err err;
	bool q_ok;
	int rc;

	ag_err_clear(&err);
	rc = ag_perf_deserialize(&p, data, size, &err);
	check_read_rc(rc, &err);
	if (rc) {
		ag_perf_release(&p);
		return;
	}
	q_ok = perf_round_trip(&p, &q) == 0;
	if (q_ok) {
		/* The re-read state round-trips too. */
		struct ag_perf q2;
		if (perf_round_trip(&q, &q2) == 0)
			check(same_perf(&p, &q2));
		ag_perf_release(&q2);
	}

	ag_err_clear(&err);
	rc = ag_perf_finish(&p, &r, &err);
	if (p.n == 0) {
		check(rc == AG_EPARSE && err.msg[0] != '\0');
	} else if (rc == AG_ENOMEM) {
		check(err.msg[0] != '\0');
		note_nomem("ag_perf_finish");
	} else {
		check(rc == 0);
		check(r.n == p.n && r.positives + r.negatives == r.n);
		check(r.tp + r.fp + r.tn + r.fn == r.n);
		check(r.decided <= r.n);
		/* finish moved p's keys into sorted order; p is still the
		 * same state, as perf.h promises. */
		for (size_t i = 1; i < p.n; i++)
			check(p.keys[i - 1] <= p.keys[i]);
		if (q_ok)
			check(same_perf(&p, &q));
	}
	ag_perf_release(&q);
	ag_perf_release(&p);
}

/* ---- fairness ---- */

static void fuzz_fairness(const uint8_t *data, size_t size)
{
	struct ag_fairness *f = NULL, *g = NULL;
	struct ag_fairness_result res;
	struct ag_buf s1, s2;
	struct ag_err err;
	int rc;

	ag_err_clear(&err);
	rc = ag_fairness_deserialize(data, size, &f, &err);
	check_read_rc(rc, &err);
	if (rc) {
		check(f == NULL);
		return;
	}
	check(f != NULL);

	ag_buf_init(&s1);
	ag_buf_init(&s2);
	ag_err_clear(&err);
	rc = ag_fairness_serialize(f, &s1, &err);
	if (rc == 0) {
		ag_err_clear(&err);
		rc = ag_fairness_deserialize(s1.buf, s1.len, &g, &err);
		check(rc == 0 || rc == AG_ENOMEM);
		if (rc == 0) {
			check(ag_fairness_rows(g) == ag_fairness_rows(f));
			ag_err_clear(&err);
			rc = ag_fairness_serialize(g, &s2, &err);
			check(rc == 0 || rc == AG_ENOMEM);
			/* Canonical: the same state, the same bytes. */
			if (rc == 0)
				check(s2.len == s1.len &&
				      memcmp(s2.buf, s1.buf, s1.len) == 0);
		}
	}
	if (rc) {
		check(rc == AG_ENOMEM && err.msg[0] != '\0');
		note_nomem("fairness serialize/deserialize");
	}
	ag_fairness_free(g);
	ag_buf_release(&s2);
	ag_buf_release(&s1);

	ag_err_clear(&err);
	rc = ag_fairness_finish(f, NULL, &res, &err);
	if (rc == 0) {
		check(res.rows == ag_fairness_rows(f));
		check(res.nattrs >= 1 && res.attrs != NULL);
		for (size_t a = 0; a < res.nattrs; a++)
			check(res.attrs[a].ngroups == 0 ||
			      res.attrs[a].reference < res.attrs[a].ngroups);
	} else {
		check(rc == AG_ENOMEM && err.msg[0] != '\0');
		note_nomem("ag_fairness_finish");
	}
	ag_fairness_result_release(&res);
	ag_fairness_free(f);
}

/* ---- drift, numeric ---- */

/* The values of a as keys, from its array and its table (n of them); the
 * caller frees. */
static uint64_t *num_keys(const struct ag_drift_num *a)
{
	uint64_t *k = malloc(a->n * sizeof(*k) + 1);
	size_t m = 0;

	check(k != NULL);
	check(a->spilled ? a->nkeys == a->n && !a->table : a->nkeys == 0);
	for (size_t i = 0; i < a->nkeys; i++)
		k[m++] = a->keys[i];
	for (size_t i = 0; i < a->slots; i++)
		for (uint64_t c = 0; c < a->table[i].count && m < a->n; c++)
			k[m++] = a->table[i].key;
	check(m == a->n);
	return k;
}

static int same_num(const struct ag_drift_num *a, const struct ag_drift_num *b)
{
	uint64_t *x, *y;
	int same;

	if (a->n != b->n || a->missing != b->missing)
		return 0;
	x = num_keys(a);
	y = num_keys(b);
	same = same_keys(x, y, a->n);
	free(x);
	free(y);
	return same;
}

static void check_num_self(struct ag_drift_num *a, struct ag_drift_num *b)
{
	struct ag_drift_num_result res;
	struct ag_err err;
	int rc;

	ag_err_clear(&err);
	rc = ag_drift_numeric(a, b, &res, &err);
	if (a->n == 0) {
		check(rc == AG_EINVAL && err.msg[0] != '\0');
		return;
	}
	if (rc == AG_ENOMEM) {
		check(err.msg[0] != '\0');
		note_nomem("ag_drift_numeric");
		return;
	}
	check(rc == 0);
	/* Finishing sorts a side that keeps its values. */
	check(!a->spilled || a->sorted);
	for (size_t i = 1; a->spilled && i < a->nkeys; i++)
		check(a->keys[i - 1] <= a->keys[i]);
	check(res.n_ref == a->n && res.n_cur == b->n);
	check(res.psi == 0 && res.ks == 0);
}

static void fuzz_drift_num(const uint8_t *data, size_t size)
{
	struct ag_drift_num a, b, c;
	struct ag_buf s1, s2;
	struct ag_err err;
	int rc;

	ag_drift_num_init(&a);
	ag_drift_num_init(&b);
	ag_drift_num_init(&c);
	ag_err_clear(&err);
	rc = ag_drift_num_deserialize(&a, data, size, &err);
	check_read_rc(rc, &err);
	if (rc) {
		/* a is left unchanged: still empty. */
		check(a.n == 0 && a.missing == 0 && a.keys == NULL && a.table == NULL);
		return;
	}

	ag_buf_init(&s1);
	ag_buf_init(&s2);
	ag_err_clear(&err);
	rc = ag_drift_num_serialize(&a, &s1, &err);
	if (rc == 0) {
		check(s1.len == 24 + 8 * a.n);
		ag_err_clear(&err);
		rc = ag_drift_num_deserialize(&b, s1.buf, s1.len, &err);
		check(rc == 0 || rc == AG_ENOMEM);
		if (rc == 0) {
			check(same_num(&a, &b));
			ag_err_clear(&err);
			rc = ag_drift_num_serialize(&b, &s2, &err);
			check(rc == 0 || rc == AG_ENOMEM);
			if (rc == 0) {
				ag_err_clear(&err);
				rc = ag_drift_num_deserialize(&c, s2.buf, s2.len,
							      &err);
				check(rc == 0 || rc == AG_ENOMEM);
				if (rc == 0)
					check(same_num(&a, &c));
			}
		}
	}
	if (rc) {
		check(rc == AG_ENOMEM);
		note_nomem("drift numeric serialize/deserialize");
	}
	ag_buf_release(&s2);
	ag_buf_release(&s1);

	if (b.n == a.n && (b.keys || b.table))
		check_num_self(&a, &b); /* two copies */
	check_num_self(&a, &a);         /* one object as both sides */
	ag_drift_num_release(&c);
	ag_drift_num_release(&b);
	ag_drift_num_release(&a);
}

/* ---- drift, categorical ---- */

struct cat_item {
	const char *s;
	size_t len;
	uint64_t count;
};

static int cmp_item(const void *pa, const void *pb)
{
	const struct cat_item *a = pa, *b = pb;
	size_t m = a->len < b->len ? a->len : b->len;
	int r = m ? memcmp(a->s, b->s, m) : 0;
	if (r)
		return r;
	return (a->len > b->len) - (a->len < b->len);
}

/* The categories of c sorted by bytes (the caller frees them). */
static struct cat_item *cat_items(const struct ag_drift_cat *c)
{
	struct cat_item *v = malloc((c->n ? c->n : 1) * sizeof(*v));
	size_t k = 0;

	check(v != NULL);
	for (size_t i = 0; i < c->cap; i++) {
		const struct ag_drift_cat_entry *e = &c->slots[i];
		if (!e->count)
			continue;
		check(k < c->n);
		v[k].s = c->text.buf + e->off;
		v[k].len = e->len;
		v[k].count = e->count;
		k++;
	}
	check(k == c->n);
	qsort(v, k, sizeof(*v), cmp_item);
	return v;
}

static int same_cat(const struct ag_drift_cat *a, const struct ag_drift_cat *b)
{
	struct cat_item *x, *y;
	int same = 1;

	if (a->n != b->n || a->missing != b->missing)
		return 0;
	x = cat_items(a);
	y = cat_items(b);
	for (size_t i = 0; i < a->n && same; i++)
		same = x[i].len == y[i].len && x[i].count == y[i].count &&
		       (x[i].len == 0 || memcmp(x[i].s, y[i].s, x[i].len) == 0);
	free(x);
	free(y);
	return same;
}

static void check_cat_self(const struct ag_drift_cat *a,
			   const struct ag_drift_cat *b)
{
	struct ag_drift_cat_result res;
	struct ag_err err;
	int rc;

	ag_err_clear(&err);
	rc = ag_drift_categorical(a, b, &res, &err);
	if (a->n == 0) {
		check(rc == AG_EINVAL && err.msg[0] != '\0');
		return;
	}
	if (rc == AG_ENOMEM) {
		check(err.msg[0] != '\0');
		note_nomem("ag_drift_categorical");
		return;
	}
	check(rc == 0);
	check(res.categories == a->n && res.only_ref == 0 && res.only_cur == 0);
	check(res.psi == 0);
}

static void fuzz_drift_cat(const uint8_t *data, size_t size)
{
	struct ag_drift_cat a, b, c;
	struct ag_buf s1, s2;
	struct ag_err err;
	int rc;

	ag_drift_cat_init(&a);
	ag_drift_cat_init(&b);
	ag_drift_cat_init(&c);
	ag_err_clear(&err);
	rc = ag_drift_cat_deserialize(&a, data, size, &err);
	check_read_rc(rc, &err);
	if (rc) {
		check(a.n == 0 && a.missing == 0 && a.slots == NULL);
		return;
	}

	ag_buf_init(&s1);
	ag_buf_init(&s2);
	ag_err_clear(&err);
	rc = ag_drift_cat_serialize(&a, &s1, &err);
	if (rc == 0) {
		ag_err_clear(&err);
		rc = ag_drift_cat_deserialize(&b, s1.buf, s1.len, &err);
		check(rc == 0 || rc == AG_ENOMEM);
		if (rc == 0) {
			check(same_cat(&a, &b));
			/* Categories come out in hash-table order, which
			 * depends on the order they went in: not canonical,
			 * so compare states, not bytes. */
			ag_err_clear(&err);
			rc = ag_drift_cat_serialize(&b, &s2, &err);
			check(rc == 0 || rc == AG_ENOMEM);
			if (rc == 0) {
				check(s2.len == s1.len);
				ag_err_clear(&err);
				rc = ag_drift_cat_deserialize(&c, s2.buf, s2.len,
							      &err);
				check(rc == 0 || rc == AG_ENOMEM);
				if (rc == 0)
					check(same_cat(&a, &c));
			}
		}
	}
	if (rc) {
		check(rc == AG_ENOMEM);
		note_nomem("drift categorical serialize/deserialize");
	}
	ag_buf_release(&s2);
	ag_buf_release(&s1);

	if (b.n == a.n && b.slots)
		check_cat_self(&a, &b);
	check_cat_self(&a, &a);
	ag_drift_cat_release(&c);
	ag_drift_cat_release(&b);
	ag_drift_cat_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *state;
	size_t n;

	if (size == 0)
		return 0;
	n = size - 1;
	state = malloc(n ? n : 1);
	check(state != NULL);
	if (n)
		memcpy(state, data + 1, n);
	switch (data[0] % NSEL) {
	case SEL_PERF:
		fuzz_perf(state, n);
		break;
	case SEL_FAIRNESS:
		fuzz_fairness(state, n);
		break;
	case SEL_DRIFT_NUM:
		fuzz_drift_num(state, n);
		break;
	default:
		fuzz_drift_cat(state, n);
		break;
	}
	free(state);
	return 0;
}
