/*
 * Group-fairness accumulator with a one-pass Poisson bootstrap; see
 * fairness.h for the metrics, the rule for undefined rates and the sources.
 *
 * State.  One `struct table` per attribute (and one for the intersection):
 * an open-addressing hash index from a group's key bytes to a group id in
 * order of first appearance, and per group the four confusion counts
 * (cells, indexed by label * 2 + prediction: tn, fp, fn, tp).  The
 * bootstrap adds nothing per row: see "bootstrap counts" below.  The
 * intersection's key is the tuple of the row's group
 * ids in the attribute tables (uint32 each), which is cheaper to hash than
 * the concatenated values; merge and serialize translate ids through keys.
 *
 * Group ids depend on the order rows arrived, so nothing that leaves the
 * accumulator uses them: serialize and finish sort groups by key.
 *
 * A group can exist with n == 0 when ag_fairness_add failed after creating
 * it (a later attribute hit max_groups or memory); such groups are skipped
 * by serialize, merge and finish, which is simpler than rolling back the
 * hash index.
 */
#include "aigov/fairness.h"

#include "aigov/sketch.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCELLS 4
enum { TN = 0, FP = 1, FN = 2, TP = 3 };

/* Ids above this are refused whatever max_groups says: keeps every size
 * computed from a group count far from overflow. */
#define HARD_MAX_GROUPS (UINT32_C(1) << 24)

struct table {
	char *name;
	uint32_t ngroups, cap;    /* groups, room in the per-group arrays */
	uint32_t *index;          /* nindex slots: group id + 1, 0 = empty */
	size_t nindex;            /* power of two, >= 2 * ngroups */
	uint64_t *hash;           /* [cap] */
	size_t *key_off;          /* [cap] into keys */
	uint32_t *key_len;        /* [cap] */
	struct ag_buf keys;       /* key bytes, back to back */
	uint64_t *cells;          /* [cap][NCELLS] */
};

struct ag_fairness {
	size_t nattrs;
	bool intersections;
	uint32_t R;               /* replicates */
	uint64_t seed;
	uint32_t max_groups;
	uint64_t rows;
	struct table *tables;     /* nattrs, then the intersection */
	size_t ntables;
};

/* ---- bootstrap counts ---- */

/*
 * Why nothing happens per row.  The one-pass Poisson bootstrap gives every
 * row an independent Poisson(1) weight per replicate.  Every statistic here
 * is a function of each group's four confusion cells only, and the cells
 * of one table partition the rows, so a replicate's weighted count of a
 * cell with c rows is a sum of c independent Poisson(1) weights, which is
 * Poisson(c), independently of every other cell of that table.  Drawing
 * Poisson(c) per (group, cell, replicate) at finish therefore has exactly
 * the distribution of the per-row weights, at a cost that does not depend
 * on the row count (per-row weights cost ~350 ns a row at R = 200), and
 * needs no row index: any split of the input merges to the same cells and
 * so to the same draws.  (Tables are bootstrapped independently of each
 * other; each attribute's intervals are computed from its own table, so
 * that changes no reported number's distribution.)
 *
 * The random numbers: SplitMix64 (Steele, Lea, Flood 2014; Vigna's
 * reference code) in counter mode, keyed by (seed, table, group position in
 * canonical order, cell, replicate), so a draw is computed from its key
 * alone.
 */
#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

struct stream {
	uint64_t base, i;
};

/* A uniform double in (0, 1): 53 random bits, never 0. */
static double uniform(struct stream *s)
{
	uint64_t z = mix64(s->base + ++s->i * GOLDEN);
	return ((double)(z >> 11) + 0.5) * 0x1.0p-53;
}

/*
 * One Poisson(lambda) draw.  Small means by inversion (multiply uniforms
 * until the product falls below e^-lambda, Knuth TAOCP 3.4.1); from 10 on,
 * Hormann's transformed rejection with squeeze, PTRS (Hormann 1993, "The
 * transformed rejection method for generating Poisson random variables",
 * Insurance: Mathematics and Economics 12), which is exact and needs about
 * 1.1 pairs of uniforms whatever lambda is.
 */
static uint64_t poisson(struct stream *s, double lambda)
{
	if (lambda <= 0)
		return 0;
	if (lambda < 10) {
		double limit = exp(-lambda), prod = uniform(s);
		uint64_t k = 0;
		while (prod > limit) {
			prod *= uniform(s);
			k++;
		}
		return k;
	}
	double slam = sqrt(lambda), loglam = log(lambda);
	double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
	double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
	for (;;) {
		double u = uniform(s) - 0.5, v = uniform(s);
		double us = 0.5 - fabs(u);
		double k = floor((2 * a / us + b) * u + lambda + 0.43);
		if (us >= 0.07 && v <= vr)
			return (uint64_t)k;
		if (k < 0 || (us < 0.013 && v > us))
			continue;
		if (log(v) + log(invalpha) - log(a / (us * us) + b) <=
		    -lambda + k * loglam - lgamma(k + 1))
			return (uint64_t)k;
	}
}

uint64_t ag_fairness_poisson(uint64_t key, double lambda)
{
	struct stream s = { mix64(key), 0 };
	return poisson(&s, lambda);
}

/* The stream of one (table, group, cell, replicate). */
static struct stream draw_stream(uint64_t seed, size_t t, size_t g, size_t cell, size_t r)
{
	uint64_t k = mix64(seed ^ mix64((uint64_t)t + GOLDEN));
	k = mix64(k ^ mix64((uint64_t)g * NCELLS + cell + 1));
	struct stream s = { mix64(k ^ ((uint64_t)r + 1) * GOLDEN), 0 };
	return s;
}

/* ---- group tables ---- */

static void table_release(struct table *t)
{
	free(t->name);
	free(t->index);
	free(t->hash);
	free(t->key_off);
	free(t->key_len);
	ag_buf_release(&t->keys);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

static const unsigned char *table_key(const struct table *t, uint32_t g)
{
	return (const unsigned char *)t->keys.buf + t->key_off[g];
}

/* The group id of key[0..len) with hash h, or UINT32_MAX; *slot is where it
 * is or would go. */
static uint32_t table_find(const struct table *t, const void *key, size_t len,
			   uint64_t h, size_t *slot)
{
	size_t mask = t->nindex - 1, i = (size_t)h & mask;
	for (;;) {
		uint32_t e = t->index[i];
		if (e == 0) {
			*slot = i;
			return UINT32_MAX;
		}
		uint32_t g = e - 1;
		if (t->hash[g] == h && t->key_len[g] == len &&
		    (len == 0 || memcmp(table_key(t, g), key, len) == 0)) {
			*slot = i;
			return g;
		}
		i = (i + 1) & mask;
	}
}

static int table_grow_index(struct table *t)
{
	size_t n = t->nindex ? t->nindex * 2 : 16;
	uint32_t *ni = calloc(n, sizeof(*ni));
	if (!ni)
		return AG_ENOMEM;
	for (uint32_t g = 0; g < t->ngroups; g++) {
		size_t i = (size_t)t->hash[g] & (n - 1);
		while (ni[i])
			i = (i + 1) & (n - 1);
		ni[i] = g + 1;
	}
	free(t->index);
	t->index = ni;
	t->nindex = n;
	return 0;
}

static int table_grow_groups(struct table *t)
{
	uint32_t ncap = t->cap ? t->cap * 2 : 8;
	uint64_t *h = realloc(t->hash, ncap * sizeof(*h));
	if (!h)
		return AG_ENOMEM;
	t->hash = h;
	size_t *ko = realloc(t->key_off, ncap * sizeof(*ko));
	if (!ko)
		return AG_ENOMEM;
	t->key_off = ko;
	uint32_t *kl = realloc(t->key_len, ncap * sizeof(*kl));
	if (!kl)
		return AG_ENOMEM;
	t->key_len = kl;
	uint64_t *c = realloc(t->cells, (size_t)ncap * NCELLS * sizeof(*c));
	if (!c)
		return AG_ENOMEM;
	t->cells = c;
	t->cap = ncap;
	return 0;
}

/* The group id of a key, created (with zero counts) when new.  Returns the
 * id, or a negative code (AG_ERANGE past max_groups, AG_ENOMEM). */
static int64_t table_get(struct ag_fairness *f, struct table *t,
			 const void *key, size_t len, struct ag_err *err)
{
	uint64_t h = ag_hash_bytes(key, len);
	size_t slot;
	uint32_t g;

	if (t->nindex) {
		g = table_find(t, key, len, h, &slot);
		if (g != UINT32_MAX)
			return g;
	}
	if (t->ngroups >= f->max_groups)
		return ag_err_set(err, AG_ERANGE,
				  "fairness: attribute %s has more than %" PRIu32
				  " groups", t->name, f->max_groups);
	if (len > UINT32_MAX)
		return ag_err_set(err, AG_ERANGE,
				  "fairness: a group value of attribute %s is "
				  "longer than 4 GiB", t->name);
	if ((size_t)(t->ngroups + 1) * 2 > t->nindex) {
		if (table_grow_index(t))
			goto nomem;
	}
	if (t->ngroups == t->cap && table_grow_groups(t))
		goto nomem;
	g = t->ngroups;
	t->key_off[g] = t->keys.len;
	if (ag_buf_add(&t->keys, key, len))
		goto nomem;
	t->hash[g] = h;
	t->key_len[g] = (uint32_t)len;
	memset(&t->cells[(size_t)g * NCELLS], 0, NCELLS * sizeof(uint64_t));
	table_find(t, key, len, h, &slot);
	t->index[slot] = g + 1;
	t->ngroups++;
	return g;
nomem:
	return ag_err_set(err, AG_ENOMEM, "fairness: out of memory for the "
			  "groups of attribute %s", t->name);
}

static uint64_t group_n(const struct table *t, uint32_t g)
{
	const uint64_t *c = &t->cells[(size_t)g * NCELLS];
	return c[0] + c[1] + c[2] + c[3];
}

/* ---- lifecycle ---- */

void ag_fairness_options_init(struct ag_fairness_options *o)
{
	memset(o, 0, sizeof(*o));
	o->replicates = AG_FAIRNESS_REPLICATES;
	o->max_groups = AG_FAIRNESS_MAX_GROUPS;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

int ag_fairness_new(const struct ag_fairness_options *opt,
		    struct ag_fairness **out, struct ag_err *err)
{
	*out = NULL;
	if (opt->nattrs == 0 || opt->nattrs > AG_FAIRNESS_MAX_ATTRS ||
	    !opt->attr_names)
		return ag_err_set(err, AG_EINVAL, "fairness: between 1 and %d "
				  "protected attributes are needed",
				  AG_FAIRNESS_MAX_ATTRS);
	if (opt->replicates > AG_FAIRNESS_MAX_REPLICATES)
		return ag_err_set(err, AG_EINVAL, "fairness: at most %d bootstrap "
				  "replicates", AG_FAIRNESS_MAX_REPLICATES);
	if (opt->max_groups == 0 || opt->max_groups > HARD_MAX_GROUPS)
		return ag_err_set(err, AG_EINVAL, "fairness: max_groups must be "
				  "between 1 and %" PRIu32, HARD_MAX_GROUPS);
	for (size_t i = 0; i < opt->nattrs; i++) {
		if (!opt->attr_names[i] || !opt->attr_names[i][0])
			return ag_err_set(err, AG_EINVAL, "fairness: attribute %zu "
					  "has no name", i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(opt->attr_names[i], opt->attr_names[j]) == 0)
				return ag_err_set(err, AG_EINVAL, "fairness: "
						  "attribute %s is named twice",
						  opt->attr_names[i]);
	}

	struct ag_fairness *f = calloc(1, sizeof(*f));
	if (!f)
		goto nomem;
	f->nattrs = opt->nattrs;
	f->intersections = opt->intersections;
	f->R = opt->replicates;
	f->seed = opt->seed;
	f->max_groups = opt->max_groups;
	f->ntables = opt->nattrs + (opt->intersections ? 1 : 0);
	f->tables = calloc(f->ntables, sizeof(*f->tables));
	if (!f->tables)
		goto nomem;
	for (size_t i = 0; i < f->ntables; i++) {
		ag_buf_init(&f->tables[i].keys);
		f->tables[i].name = dup_str(i < f->nattrs ? opt->attr_names[i]
						: "intersection");
		if (!f->tables[i].name)
			goto nomem;
	}
	*out = f;
	return 0;
nomem:
	ag_fairness_free(f);
	return ag_err_set(err, AG_ENOMEM, "fairness: out of memory");
}

void ag_fairness_free(struct ag_fairness *f)
{
	if (!f)
		return;
	if (f->tables)
		for (size_t i = 0; i < f->ntables; i++)
			table_release(&f->tables[i]);
	free(f->tables);
	free(f);
}

uint64_t ag_fairness_rows(const struct ag_fairness *f)
{
	return f->rows;
}

/* ---- add ---- */

int ag_fairness_add(struct ag_fairness *f, uint64_t row, int label,
		    int prediction, const struct ag_fairness_value *values,
		    struct ag_err *err)
{
	uint32_t ids[AG_FAIRNESS_MAX_ATTRS + 1];

	if ((label != 0 && label != 1) || (prediction != 0 && prediction != 1))
		return ag_err_set(err, AG_EINVAL, "fairness: row %" PRIu64
				  ": label and prediction must be 0 or 1 "
				  "(got %d and %d)", row, label, prediction);
	for (size_t a = 0; a < f->nattrs; a++) {
		int64_t g = table_get(f, &f->tables[a], values[a].p,
				      values[a].len, err);
		if (g < 0)
			return (int)g;
		ids[a] = (uint32_t)g;
	}
	if (f->intersections) {
		int64_t g = table_get(f, &f->tables[f->nattrs], ids,
				      f->nattrs * sizeof(uint32_t), err);
		if (g < 0)
			return (int)g;
		ids[f->nattrs] = (uint32_t)g;
	}

	size_t cell = (size_t)(label * 2 + prediction);
	for (size_t t = 0; t < f->ntables; t++)
		f->tables[t].cells[(size_t)ids[t] * NCELLS + cell]++;
	f->rows++;
	return 0;
}

/* ---- merge ---- */

static bool same_shape(const struct ag_fairness *f, const struct ag_fairness *o)
{
	if (f->nattrs != o->nattrs || f->intersections != o->intersections ||
	    f->R != o->R || f->seed != o->seed)
		return false;
	for (size_t a = 0; a < f->nattrs; a++)
		if (strcmp(f->tables[a].name, o->tables[a].name) != 0)
			return false;
	return true;
}

static void add_group(struct table *dst, uint32_t dg, const struct table *src, uint32_t sg)
{
	for (size_t c = 0; c < NCELLS; c++)
		dst->cells[(size_t)dg * NCELLS + c] +=
			src->cells[(size_t)sg * NCELLS + c];
}

int ag_fairness_merge(struct ag_fairness *f, const struct ag_fairness *o,
		      struct ag_err *err)
{
	uint32_t *map[AG_FAIRNESS_MAX_ATTRS] = { 0 };
	int rc = 0;

	if (f == o)
		return ag_err_set(err, AG_EINVAL, "fairness: cannot merge an "
				  "accumulator into itself");
	if (!same_shape(f, o))
		return ag_err_set(err, AG_EINVAL, "fairness: merge needs the same "
				  "attributes, intersections setting, replicates "
				  "and seed");
	for (size_t a = 0; a < f->nattrs; a++) {
		const struct table *s = &o->tables[a];
		map[a] = malloc((s->ngroups ? s->ngroups : 1) * sizeof(uint32_t));
		if (!map[a]) {
			rc = ag_err_set(err, AG_ENOMEM, "fairness: out of memory");
			goto out;
		}
		for (uint32_t g = 0; g < s->ngroups; g++) {
			if (group_n(s, g) == 0)
				continue;
			int64_t d = table_get(f, &f->tables[a], table_key(s, g),
					      s->key_len[g], err);
			if (d < 0) {
				rc = (int)d;
				goto out;
			}
			map[a][g] = (uint32_t)d;
			add_group(&f->tables[a], (uint32_t)d, s, g);
		}
	}
	if (f->intersections) {
		const struct table *s = &o->tables[f->nattrs];
		uint32_t parts[AG_FAIRNESS_MAX_ATTRS];
		for (uint32_t g = 0; g < s->ngroups; g++) {
			if (group_n(s, g) == 0)
				continue;
			memcpy(parts, table_key(s, g), f->nattrs * sizeof(uint32_t));
			for (size_t a = 0; a < f->nattrs; a++)
				parts[a] = map[a][parts[a]];
			int64_t d = table_get(f, &f->tables[f->nattrs], parts,
					      f->nattrs * sizeof(uint32_t), err);
			if (d < 0) {
				rc = (int)d;
				goto out;
			}
			add_group(&f->tables[f->nattrs], (uint32_t)d, s, g);
		}
	}
	f->rows += o->rows;
out:
	for (size_t a = 0; a < f->nattrs; a++)
		free(map[a]);
	return rc;
}

/* ---- canonical group order ---- */

/* Plain attributes: memcmp of the bytes, a prefix first. */
static int cmp_bytes(const unsigned char *a, size_t na, const unsigned char *b,
		     size_t nb)
{
	size_t n = na < nb ? na : nb;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c;
	return (na > nb) - (na < nb);
}

struct sort_ctx {
	const struct table *t;
	const uint32_t *const *rank; /* intersection: rank[a][id] */
	size_t nattrs;
};

/* qsort has no context argument in C11; sorting is not on a hot path, so
 * a simple insertion-free merge sort with an explicit context does it. */
static int cmp_group(const struct sort_ctx *c, uint32_t x, uint32_t y)
{
	const struct table *t = c->t;
	if (!c->rank)
		return cmp_bytes(table_key(t, x), t->key_len[x], table_key(t, y),
				 t->key_len[y]);
	for (size_t a = 0; a < c->nattrs; a++) {
		uint32_t px, py;
		memcpy(&px, table_key(t, x) + a * sizeof(uint32_t), sizeof(px));
		memcpy(&py, table_key(t, y) + a * sizeof(uint32_t), sizeof(py));
		px = c->rank[a][px];
		py = c->rank[a][py];
		if (px != py)
			return px < py ? -1 : 1;
	}
	return 0;
}

static void merge_sort(const struct sort_ctx *c, uint32_t *v, uint32_t *tmp,
		       size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(c, v, tmp, h);
	merge_sort(c, v + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_group(c, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/*
 * The ids of the groups with n > 0 of every table in canonical order
 * (order[t][0..count[t])), and for the attributes rank[a][id] = position
 * (UINT32_MAX for empty groups).  Returns 0 or AG_ENOMEM; the caller frees
 * with free_order even on failure.
 */
struct order {
	uint32_t *ids[AG_FAIRNESS_MAX_ATTRS + 1];
	uint32_t *rank[AG_FAIRNESS_MAX_ATTRS];
	uint32_t count[AG_FAIRNESS_MAX_ATTRS + 1];
};

static void free_order(struct order *o)
{
	for (size_t i = 0; i < AG_FAIRNESS_MAX_ATTRS + 1; i++)
		free(o->ids[i]);
	for (size_t i = 0; i < AG_FAIRNESS_MAX_ATTRS; i++)
		free(o->rank[i]);
}

static int make_order(const struct ag_fairness *f, struct order *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t t = 0; t < f->ntables; t++) {
		const struct table *tb = &f->tables[t];
		size_t n = tb->ngroups ? tb->ngroups : 1;
		uint32_t *tmp = malloc(n * sizeof(uint32_t));
		o->ids[t] = malloc(n * sizeof(uint32_t));
		if (!tmp || !o->ids[t]) {
			free(tmp);
			return AG_ENOMEM;
		}
		uint32_t k = 0;
		for (uint32_t g = 0; g < tb->ngroups; g++)
			if (group_n(tb, g))
				o->ids[t][k++] = g;
		o->count[t] = k;
		struct sort_ctx c = { tb, t < f->nattrs ? NULL
				      : (const uint32_t *const *)o->rank,
				      f->nattrs };
		merge_sort(&c, o->ids[t], tmp, k);
		free(tmp);
		if (t < f->nattrs) {
			o->rank[t] = malloc(n * sizeof(uint32_t));
			if (!o->rank[t])
				return AG_ENOMEM;
			for (uint32_t g = 0; g < tb->ngroups; g++)
				o->rank[t][g] = UINT32_MAX;
			for (uint32_t i = 0; i < k; i++)
				o->rank[t][o->ids[t][i]] = i;
		}
	}
	return 0;
}

/* ---- serialize ---- */

/*
 * Layout, version 2 (every integer little-endian):
 *   "AGFAIR" u16 version=2
 *   u32 flags (bit 0: intersections; other bits 0)
 *   u32 nattrs, u32 replicates R, u32 max_groups, u64 seed, u64 rows
 *   per attribute: u32 name length, name bytes (no NUL),
 *                  u32 ngroups, then per group in canonical order:
 *                  u32 key length, key bytes, 4 x u64 cells (tn fp fn tp)
 *   intersection (flag set): u32 ngroups, per group in canonical order:
 *                  nattrs x u32 (each part's position in its attribute's
 *                  group list above), the cells
 * Version 1 also held per-row bootstrap weights; it is refused.
 * Only groups with n > 0 are written, so a state's bytes do not depend on
 * the order rows came in.
 */
#define MAGIC "AGFAIR"
#define VERSION 2

static int put_u32(struct ag_buf *b, uint32_t v)
{
	unsigned char x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return ag_buf_add(b, x, 4);
}

static int put_u64(struct ag_buf *b, uint64_t v)
{
	unsigned char x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return ag_buf_add(b, x, 8);
}

static int put_counts(struct ag_buf *b, const struct table *t, uint32_t g)
{
	for (size_t c = 0; c < NCELLS; c++)
		if (put_u64(b, t->cells[(size_t)g * NCELLS + c]))
			return -1;
	return 0;
}

int ag_fairness_serialize(const struct ag_fairness *f, struct ag_buf *out,
			  struct ag_err *err)
{
	struct order o;
	size_t start = out->len;
	int rc = make_order(f, &o);
	if (rc)
		goto nomem;
	if (ag_buf_add(out, MAGIC, 6) || ag_buf_add(out, "\2\0", 2) ||
	    put_u32(out, f->intersections ? 1 : 0) ||
	    put_u32(out, (uint32_t)f->nattrs) || put_u32(out, f->R) ||
	    put_u32(out, f->max_groups) || put_u64(out, f->seed) ||
	    put_u64(out, f->rows))
		goto nomem;
	for (size_t a = 0; a < f->nattrs; a++) {
		const struct table *t = &f->tables[a];
		size_t nl = strlen(t->name);
		if (put_u32(out, (uint32_t)nl) || ag_buf_add(out, t->name, nl) ||
		    put_u32(out, o.count[a]))
			goto nomem;
		for (uint32_t i = 0; i < o.count[a]; i++) {
			uint32_t g = o.ids[a][i];
			if (put_u32(out, t->key_len[g]) ||
			    ag_buf_add(out, table_key(t, g), t->key_len[g]) ||
			    put_counts(out, t, g))
				goto nomem;
		}
	}
	if (f->intersections) {
		const struct table *t = &f->tables[f->nattrs];
		if (put_u32(out, o.count[f->nattrs]))
			goto nomem;
		for (uint32_t i = 0; i < o.count[f->nattrs]; i++) {
			uint32_t g = o.ids[f->nattrs][i];
			for (size_t a = 0; a < f->nattrs; a++) {
				uint32_t p;
				memcpy(&p, table_key(t, g) + a * sizeof(uint32_t),
				       sizeof(p));
				if (put_u32(out, o.rank[a][p]))
					goto nomem;
			}
			if (put_counts(out, t, g))
				goto nomem;
		}
	}
	free_order(&o);
	return 0;
nomem:
	free_order(&o);
	out->len = start;
	out->buf[start] = '\0';
	return ag_err_set(err, AG_ENOMEM, "fairness: out of memory while "
			  "serializing");
}

/* ---- deserialize ---- */

struct reader {
	const unsigned char *p;
	size_t len, pos;
	struct ag_err *err;
};

static int short_input(struct reader *r, const char *what)
{
	return ag_err_set(r->err, AG_EPARSE, "fairness state: byte %zu: "
			  "truncated %s", r->pos, what);
}

static int get_bytes(struct reader *r, size_t n, const unsigned char **out,
		     const char *what)
{
	if (r->len - r->pos < n)
		return short_input(r, what);
	*out = r->p + r->pos;
	r->pos += n;
	return 0;
}

static int get_u32(struct reader *r, uint32_t *v, const char *what)
{
	const unsigned char *x = NULL;
	int rc = get_bytes(r, 4, &x, what);
	if (rc)
		return rc;
	*v = 0;
	for (int i = 3; i >= 0; i--)
		*v = (*v << 8) | x[i];
	return 0;
}

static int get_u64(struct reader *r, uint64_t *v, const char *what)
{
	const unsigned char *x = NULL;
	int rc = get_bytes(r, 8, &x, what);
	if (rc)
		return rc;
	*v = 0;
	for (int i = 7; i >= 0; i--)
		*v = (*v << 8) | x[i];
	return 0;
}

static int bad(struct reader *r, size_t at, const char *what)
{
	return ag_err_set(r->err, AG_EPARSE, "fairness state: byte %zu: %s",
			  at, what);
}

/* Input that makes ag_fairness_new or table_get refuse is malformed input
 * here: keep their message, change the code. */
static int reword_as_parse(struct ag_err *err)
{
	char msg[AG_ERR_MSG_MAX];
	snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
	return ag_err_set(err, AG_EPARSE, "fairness state: %s", msg);
}

/* Read one group's counts into group g of t; checks n > 0 and adds n to
 * *total (overflow-checked). */
static int get_counts(struct reader *r, struct table *t, uint32_t g, uint64_t *total)
{
	size_t at = r->pos;
	uint64_t n = 0;
	int rc;
	for (size_t c = 0; c < NCELLS; c++) {
		uint64_t *v = &t->cells[(size_t)g * NCELLS + c];
		if ((rc = get_u64(r, v, "group counts")))
			return rc;
		if (__builtin_add_overflow(n, *v, &n))
			return bad(r, at, "group counts overflow");
	}
	if (n == 0)
		return bad(r, at, "a group with no rows");
	if (__builtin_add_overflow(*total, n, total))
		return bad(r, at, "row counts overflow");
	return 0;
}

/* Enough bytes left for `groups` groups of at least `each` bytes?  Checked
 * before a count from the input sizes anything we allocate. */
static int room_for(struct reader *r, uint32_t groups, size_t each)
{
	size_t need;
	if (__builtin_mul_overflow((size_t)groups, each, &need) ||
	    need > r->len - r->pos)
		return short_input(r, "group list");
	return 0;
}

int ag_fairness_deserialize(const void *p, size_t len,
			    struct ag_fairness **out, struct ag_err *err)
{
	struct reader r = { p, len, 0, err };
	struct ag_fairness *f = NULL;
	struct ag_fairness_options opt;
	char *names[AG_FAIRNESS_MAX_ATTRS] = { 0 };
	const unsigned char *x = NULL;
	uint32_t flags, nattrs, version_le;
	uint64_t rows;
	int rc;

	*out = NULL;
	if ((rc = get_bytes(&r, 8, &x, "header")))
		return rc;
	if (memcmp(x, MAGIC, 6) != 0)
		return bad(&r, 0, "not a fairness state (bad magic)");
	version_le = (uint32_t)x[6] | (uint32_t)x[7] << 8;
	if (version_le != VERSION)
		return ag_err_set(err, AG_EPARSE, "fairness state: byte 6: "
				  "version %" PRIu32 ", expected %d",
				  version_le, VERSION);
	ag_fairness_options_init(&opt);
	if ((rc = get_u32(&r, &flags, "header")) ||
	    (rc = get_u32(&r, &nattrs, "header")) ||
	    (rc = get_u32(&r, &opt.replicates, "header")) ||
	    (rc = get_u32(&r, &opt.max_groups, "header")) ||
	    (rc = get_u64(&r, &opt.seed, "header")) ||
	    (rc = get_u64(&r, &rows, "header")))
		return rc;
	if (flags > 1)
		return bad(&r, 8, "unknown flags");
	if (nattrs == 0 || nattrs > AG_FAIRNESS_MAX_ATTRS)
		return bad(&r, 12, "attribute count out of range");
	if (opt.replicates > AG_FAIRNESS_MAX_REPLICATES)
		return bad(&r, 16, "replicate count out of range");
	if (opt.max_groups == 0 || opt.max_groups > HARD_MAX_GROUPS)
		return bad(&r, 20, "max_groups out of range");
	opt.intersections = flags & 1;
	opt.nattrs = nattrs;

	/* The names come first in each attribute's section, so read them all
	 * before the groups: ag_fairness_new needs them.  Remember where each
	 * attribute's groups start. */
	size_t group_pos[AG_FAIRNESS_MAX_ATTRS];
	for (uint32_t a = 0; a < nattrs; a++) {
		uint32_t nl, ng;
		size_t at = r.pos;
		if ((rc = get_u32(&r, &nl, "attribute name")) ||
		    (rc = get_bytes(&r, nl, &x, "attribute name")))
			goto fail;
		if (nl == 0 || memchr(x, 0, nl)) {
			rc = bad(&r, at, "empty attribute name or NUL in it");
			goto fail;
		}
		names[a] = malloc((size_t)nl + 1);
		if (!names[a]) {
			rc = ag_err_set(err, AG_ENOMEM, "fairness: out of memory");
			goto fail;
		}
		memcpy(names[a], x, nl);
		names[a][nl] = '\0';
		group_pos[a] = r.pos;
		/* Skip the groups to reach the next name. */
		if ((rc = get_u32(&r, &ng, "group count")))
			goto fail;
		for (uint32_t g = 0; g < ng; g++) {
			uint32_t kl;
			if ((rc = get_u32(&r, &kl, "group value")) ||
			    (rc = get_bytes(&r, kl, &x, "group value")) ||
			    (rc = get_bytes(&r, 8 * (size_t)NCELLS, &x, "group counts")))
				goto fail;
		}
	}
	opt.attr_names = (const char *const *)names;
	rc = ag_fairness_new(&opt, &f, err);
	if (rc) {
		/* Only a duplicate name can make valid-looking options fail,
		 * besides memory. */
		if (rc == AG_EINVAL)
			rc = reword_as_parse(err);
		goto fail;
	}
	size_t end_of_attrs = r.pos;

	size_t each = (size_t)4 + 8 * (size_t)NCELLS;
	for (uint32_t a = 0; a < nattrs; a++) {
		struct table *t = &f->tables[a];
		uint32_t ng;
		uint64_t total = 0;
		r.pos = group_pos[a];
		get_u32(&r, &ng, "group count"); /* checked above */
		if (ng > f->max_groups) {
			rc = bad(&r, group_pos[a], "more groups than max_groups");
			goto fail;
		}
		const unsigned char *prev = NULL;
		uint32_t prev_len = 0;
		for (uint32_t g = 0; g < ng; g++) {
			uint32_t kl;
			size_t at = r.pos;
			get_u32(&r, &kl, "group value");
			get_bytes(&r, kl, &x, "group value");
			if (prev && cmp_bytes(prev, prev_len, x, kl) >= 0) {
				rc = bad(&r, at, "group values not in strictly "
					 "increasing order");
				goto fail;
			}
			prev = x;
			prev_len = kl;
			int64_t id = table_get(f, t, x, kl, err);
			if (id < 0) {
				rc = (int)id;
				goto fail;
			}
			if ((rc = get_counts(&r, t, (uint32_t)id, &total)))
				goto fail;
		}
		if (total != rows) {
			rc = bad(&r, group_pos[a], "group counts do not add up to "
				 "the row count");
			goto fail;
		}
	}
	r.pos = end_of_attrs;
	if (f->intersections) {
		struct table *t = &f->tables[nattrs];
		uint32_t ng, parts[AG_FAIRNESS_MAX_ATTRS], prev[AG_FAIRNESS_MAX_ATTRS];
		uint64_t total = 0;
		size_t at = r.pos;
		if ((rc = get_u32(&r, &ng, "intersection group count")))
			goto fail;
		if (ng > f->max_groups) {
			rc = bad(&r, at, "more intersection groups than "
				 "max_groups");
			goto fail;
		}
		if ((rc = room_for(&r, ng, each - 4 + 4 * (size_t)nattrs)))
			goto fail;
		for (uint32_t g = 0; g < ng; g++) {
			at = r.pos;
			for (uint32_t a = 0; a < nattrs; a++) {
				get_u32(&r, &parts[a], "intersection parts");
				if (parts[a] >= f->tables[a].ngroups) {
					rc = bad(&r, at, "intersection part out "
						 "of range");
					goto fail;
				}
			}
			/* Canonical order: tuples strictly increasing.  Ids
			 * equal positions here, as groups were inserted in
			 * their serialized order. */
			if (g > 0) {
				int c = 0;
				for (uint32_t a = 0; a < nattrs && !c; a++)
					c = (parts[a] > prev[a]) - (parts[a] < prev[a]);
				if (c <= 0) {
					rc = bad(&r, at, "intersection groups not "
						 "in strictly increasing order");
					goto fail;
				}
			}
			memcpy(prev, parts, sizeof(uint32_t) * nattrs);
			int64_t id = table_get(f, t, parts, nattrs * sizeof(uint32_t),
					       err);
			if (id < 0) {
				rc = (int)id;
				goto fail;
			}
			if ((rc = get_counts(&r, t, (uint32_t)id, &total)))
				goto fail;
		}
		if (total != rows) {
			rc = bad(&r, at, "intersection counts do not add up to "
				 "the row count");
			goto fail;
		}
	}
	if (r.pos != len) {
		rc = bad(&r, r.pos, "trailing bytes");
		goto fail;
	}
	f->rows = rows;
	for (uint32_t a = 0; a < nattrs; a++)
		free(names[a]);
	*out = f;
	return 0;
fail:
	if (rc == AG_ERANGE)
		rc = reword_as_parse(err);
	for (uint32_t a = 0; a < nattrs; a++)
		free(names[a]);
	ag_fairness_free(f);
	return rc;
}

/* ---- finish ---- */

const char *ag_fairness_metric_name(enum ag_fairness_metric m)
{
	switch (m) {
	case AG_FAIR_SPD: return "statistical_parity_difference";
	case AG_FAIR_DIR: return "disparate_impact_ratio";
	case AG_FAIR_EOD: return "equal_opportunity_difference";
	case AG_FAIR_EODDS: return "equalized_odds_difference";
	case AG_FAIR_PPD: return "predictive_parity_difference";
	default: return NULL;
	}
}

static double ratio_u(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

struct rates {
	double sel, tpr, fpr, ppv;
};

static struct rates rates_of(const uint64_t c[NCELLS])
{
	struct rates r;
	r.sel = ratio_u(c[TP] + c[FP], c[TN] + c[FP] + c[FN] + c[TP]);
	r.tpr = ratio_u(c[TP], c[TP] + c[FN]);
	r.fpr = ratio_u(c[FP], c[FP] + c[TN]);
	r.ppv = ratio_u(c[TP], c[TP] + c[FP]);
	return r;
}

/* max and min over the defined (non-NaN) values, as pandas skipna. */
struct range {
	double lo, hi;
	uint32_t n;
};

static void range_add(struct range *g, double v)
{
	if (isnan(v))
		return;
	if (g->n == 0 || v < g->lo)
		g->lo = v;
	if (g->n == 0 || v > g->hi)
		g->hi = v;
	g->n++;
}

/* The across-group metrics from the groups' rates (Fairlearn semantics). */
static void across(const struct rates *r, size_t ng, double m[AG_FAIR_NMETRICS],
		   uint32_t defined[AG_FAIR_NMETRICS])
{
	struct range sel = { 0 }, tpr = { 0 }, fpr = { 0 }, ppv = { 0 };
	for (size_t g = 0; g < ng; g++) {
		range_add(&sel, r[g].sel);
		range_add(&tpr, r[g].tpr);
		range_add(&fpr, r[g].fpr);
		range_add(&ppv, r[g].ppv);
	}
	double dt = tpr.n ? tpr.hi - tpr.lo : NAN;
	double df = fpr.n ? fpr.hi - fpr.lo : NAN;
	m[AG_FAIR_SPD] = sel.n ? sel.hi - sel.lo : NAN;
	/* 0/0 when every selection rate is 0: NaN, as pandas divides. */
	m[AG_FAIR_DIR] = sel.n && sel.hi > 0 ? sel.lo / sel.hi : NAN;
	m[AG_FAIR_EOD] = dt;
	/* fairlearn equalized_odds_difference: max(TPR diff, FPR diff), each
	 * over its own defined groups; pandas' max skips a NaN. */
	m[AG_FAIR_EODDS] = isnan(dt) ? df : isnan(df) ? dt : fmax(dt, df);
	m[AG_FAIR_PPD] = ppv.n ? ppv.hi - ppv.lo : NAN;
	defined[AG_FAIR_SPD] = sel.n;
	defined[AG_FAIR_DIR] = sel.n;
	defined[AG_FAIR_EOD] = tpr.n;
	defined[AG_FAIR_EODDS] = tpr.n < fpr.n ? tpr.n : fpr.n;
	defined[AG_FAIR_PPD] = ppv.n;
}

static double aod(const struct rates *g, const struct rates *ref)
{
	return ((g->fpr - ref->fpr) + (g->tpr - ref->tpr)) / 2;
}

/* 2.5th and 97.5th percentiles of the defined values of v[0..n) (which
 * this reorders). */
static struct ag_fairness_interval interval(double *v, size_t n)
{
	static const double p[2] = { 0.025, 0.975 };
	struct ag_fairness_interval iv = { NAN, NAN, 0 };
	size_t k = 0;
	double q[2];
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[k++] = v[i];
	iv.defined = (uint32_t)k;
	if (k) {
		ag_quantiles_exact(v, k, p, 2, q);
		iv.lo = q[0];
		iv.hi = q[1];
	}
	return iv;
}

/* Display value of an intersection group: the parts joined by " | ". */
static char *join_parts(struct ag_arena *a, const struct ag_fairness_result *res,
			const uint32_t *parts, size_t nattrs, size_t *len)
{
	size_t n = 0;
	for (size_t i = 0; i < nattrs; i++)
		n += res->attrs[i].groups[parts[i]].value_len + (i ? 3 : 0);
	char *s = ag_arena_alloc(a, n + 1);
	if (!s)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < nattrs; i++) {
		const struct ag_fairness_group *g = &res->attrs[i].groups[parts[i]];
		if (i) {
			memcpy(s + k, " | ", 3);
			k += 3;
		}
		memcpy(s + k, g->value, g->value_len);
		k += g->value_len;
	}
	s[k] = '\0';
	*len = k;
	return s;
}

static int finish_table(const struct ag_fairness *f, size_t t,
			const struct order *o,
			const struct ag_fairness_value *reference,
			struct ag_fairness_result *res, struct ag_err *err)
{
	const struct table *tb = &f->tables[t];
	struct ag_fairness_attr_result *ar = &res->attrs[t];
	struct ag_arena *A = &res->arena;
	size_t ng = o->count[t], R = f->R;
	bool inter = t >= f->nattrs;

	ar->name = ag_arena_strndup(A, tb->name, strlen(tb->name));
	ar->intersection = inter;
	ar->ngroups = ng;
	ar->groups = ag_arena_calloc(A, ng ? ng : 1, sizeof(*ar->groups));
	struct rates *rt = ag_arena_calloc(A, ng ? ng : 1, sizeof(*rt));
	if (!ar->name || !ar->groups || !rt)
		return AG_ENOMEM;

	size_t largest = 0;
	for (size_t i = 0; i < ng; i++) {
		uint32_t id = o->ids[t][i];
		struct ag_fairness_group *g = &ar->groups[i];
		const uint64_t *c = &tb->cells[(size_t)id * NCELLS];
		if (inter) {
			uint32_t *parts = ag_arena_alloc(A, f->nattrs * sizeof(*parts));
			if (!parts)
				return AG_ENOMEM;
			for (size_t a = 0; a < f->nattrs; a++) {
				uint32_t p;
				memcpy(&p, table_key(tb, id) + a * sizeof(p), sizeof(p));
				parts[a] = o->rank[a][p];
			}
			g->parts = parts;
			g->value = join_parts(A, res, parts, f->nattrs, &g->value_len);
		} else {
			g->value = ag_arena_strndup(A, (const char *)table_key(tb, id),
						    tb->key_len[id]);
			g->value_len = tb->key_len[id];
		}
		if (!g->value)
			return AG_ENOMEM;
		g->tn = c[TN];
		g->fp = c[FP];
		g->fn = c[FN];
		g->tp = c[TP];
		g->n = c[TN] + c[FP] + c[FN] + c[TP];
		rt[i] = rates_of(c);
		g->base_rate = ratio_u(c[TP] + c[FN], g->n);
		g->selection_rate = rt[i].sel;
		g->tpr = rt[i].tpr;
		g->fpr = rt[i].fpr;
		g->ppv = rt[i].ppv;
		g->fnr = ratio_u(c[FN], c[TP] + c[FN]);
		g->small = g->n < AG_FAIRNESS_SMALL_GROUP;
		if (g->small)
			ar->any_small = true;
		if (g->n > ar->groups[largest].n)
			largest = i;
	}

	ar->reference = largest;
	if (!inter && reference && reference[t].p) {
		size_t i;
		for (i = 0; i < ng; i++)
			if (ar->groups[i].value_len == reference[t].len &&
			    memcmp(ar->groups[i].value, reference[t].p,
				   reference[t].len) == 0)
				break;
		if (i == ng)
			return ag_err_set(err, AG_ENOTFOUND, "fairness: reference "
					  "group %.*s is not a group of "
					  "attribute %s",
					  (int)(reference[t].len > 200 ? 200
						: reference[t].len),
					  (const char *)reference[t].p, tb->name);
		ar->reference = i;
	}

	across(rt, ng, ar->metric, ar->defined);
	ar->di_flag = !isnan(ar->metric[AG_FAIR_DIR]) &&
		      ar->metric[AG_FAIR_DIR] < AG_FAIRNESS_DI_THRESHOLD;
	for (size_t i = 0; i < ng; i++) {
		ar->groups[i].aod = ng ? aod(&rt[i], &rt[ar->reference]) : NAN;
		ar->groups[i].aod_ci = (struct ag_fairness_interval){ NAN, NAN, 0 };
	}
	for (size_t m = 0; m < AG_FAIR_NMETRICS; m++)
		ar->ci[m] = (struct ag_fairness_interval){ NAN, NAN, 0 };
	if (R == 0 || ng == 0)
		return 0;

	/* Replicates: the same metrics on each replicate's weighted counts
	 * (drawn here, see "bootstrap counts").  A group whose weights are all
	 * 0 in a replicate has NaN rates there and drops out, as it would
	 * from a multinomial resample. */
	double *mv = malloc(AG_FAIR_NMETRICS * R * sizeof(double));
	double *av = malloc(ng * R * sizeof(double));
	struct rates *rr = malloc(ng * sizeof(*rr));
	if (!mv || !av || !rr) {
		free(mv);
		free(av);
		free(rr);
		return AG_ENOMEM;
	}
	for (size_t r = 0; r < R; r++) {
		double m[AG_FAIR_NMETRICS];
		uint32_t d[AG_FAIR_NMETRICS];
		for (size_t i = 0; i < ng; i++) {
			const uint64_t *cell = &tb->cells[(size_t)o->ids[t][i] * NCELLS];
			uint64_t c[NCELLS];
			for (size_t k = 0; k < NCELLS; k++) {
				struct stream st = draw_stream(f->seed, t, i, k, r);
				c[k] = poisson(&st, (double)cell[k]);
			}
			rr[i] = rates_of(c);
		}
		across(rr, ng, m, d);
		for (size_t k = 0; k < AG_FAIR_NMETRICS; k++)
			mv[k * R + r] = m[k];
		for (size_t i = 0; i < ng; i++)
			av[i * R + r] = aod(&rr[i], &rr[ar->reference]);
	}
	for (size_t k = 0; k < AG_FAIR_NMETRICS; k++)
		ar->ci[k] = interval(&mv[k * R], R);
	for (size_t i = 0; i < ng; i++)
		ar->groups[i].aod_ci = interval(&av[i * R], R);
	free(mv);
	free(av);
	free(rr);
	return 0;
}

int ag_fairness_finish(const struct ag_fairness *f,
		       const struct ag_fairness_value *reference,
		       struct ag_fairness_result *res, struct ag_err *err)
{
	struct order o;
	int rc;

	memset(res, 0, sizeof(*res));
	ag_arena_init(&res->arena, 0);
	res->rows = f->rows;
	res->replicates = f->R;
	res->nattrs = f->ntables;
	res->attrs = ag_arena_calloc(&res->arena, f->ntables, sizeof(*res->attrs));
	rc = res->attrs ? make_order(f, &o) : AG_ENOMEM;
	if (res->attrs && rc == 0) {
		/* Attributes first: the intersection's display values and
		 * parts point into their results. */
		for (size_t t = 0; t < f->ntables && rc == 0; t++)
			rc = finish_table(f, t, &o, reference, res, err);
	}
	if (res->attrs)
		free_order(&o);
	if (rc == AG_ENOMEM)
		return ag_err_set(err, AG_ENOMEM, "fairness: out of memory in "
				  "finish");
	return rc;
}

void ag_fairness_result_release(struct ag_fairness_result *res)
{
	ag_arena_release(&res->arena);
	memset(res, 0, sizeof(*res));
	ag_arena_init(&res->arena, 0);
}
