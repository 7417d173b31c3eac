/*
 * The guard engine (include/aigov/guard.h): one Vectorscan database for
 * every detector anchor and every rule, one scan per text, validators and
 * rule bookkeeping after it.
 *
 * Cost: the scan is linear in the text (Vectorscan), validators walk at
 * most a few dozen bytes per candidate, encoded payloads are decoded at
 * most DECODE_BUDGET bytes per scan and DECODE_DEPTH levels deep.
 */
#include "aigov/guard.h"

#include "dbcache.h"
#include "detect_internal.h"

#include <dlfcn.h>
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#define DECODE_DEPTH 2
#define DECODE_BUDGET (1u << 20)
#define DECODE_MAX 32

/* One database per source: every detector anchor, and the rules that
 * apply to that source (the finance rules are only in the model's, the
 * retrieved-content rules only in the retrieved one's), so that no scan
 * pays for patterns whose hits would be thrown away. */
typedef hs_error_t (*scan_fn)(const hs_database_t *db, const char *data, unsigned len,
			      unsigned flags, hs_scratch_t *scratch, match_event_handler cb,
			      void *ctx);

struct ag_guard {
	hs_database_t *db[3];
	struct ag_guard_rules rules;
	scan_fn scan;          /* hs_scan, or the variant chosen below */
	const char *scanner;   /* its name, for reports */
};

/*
 * Which of Vectorscan's scan routines to call.  Debian's libvectorscan has
 * a fat runtime: hs_scan is bound at load time to the variant for the
 * host's instruction set (core2, corei7, avx2, avx512), and the avx2 one
 * uses PEXT and PDEP in its inner loops.  AMD processors before Zen 3
 * (CPU family 0x19) run those two in microcode, hundreds of cycles each:
 * on a 2-core Zen 2 EPYC the guard scanned 39 MB/s with the avx2 variant
 * and 150 MB/s with the corei7 one, with the same findings.  On such a
 * host the databases are compiled for a processor without AVX2 and scanned
 * by the corei7 variant, which the library exports as corei7_hs_scan.  It
 * is looked up with dlsym, so that a library built without a fat runtime
 * still works (through hs_scan).
 */
static bool slow_pext_host(void)
{
#if defined(__x86_64__)
	unsigned a, b, c, d, family;

	if (!__get_cpuid(0, &a, &b, &c, &d) || b != 0x68747541u /* "Auth" */ ||
	    !__get_cpuid(1, &a, &b, &c, &d))
		return false;
	family = (a >> 8) & 0xf;
	if (family == 0xf)
		family += (a >> 20) & 0xff;
	return family < 0x19 && __builtin_cpu_supports("bmi2");
#else
	return false;
#endif
}

static scan_fn no_pext_scan(void)
{
	void *self = dlopen(NULL, RTLD_LAZY);
	void *sym = self ? dlsym(self, "corei7_hs_scan") : NULL;
	scan_fn f;

	if (self)
		dlclose(self);
	if (!sym || !__builtin_cpu_supports("sse4.2") || !__builtin_cpu_supports("popcnt"))
		return NULL;
	memcpy(&f, &sym, sizeof(f)); /* object to function pointer: POSIX allows it */
	return f;
}

static void choose_scanner(struct ag_guard *g, int want)
{
	scan_fn f = NULL;

	g->scan = hs_scan;
	g->scanner = "hs_scan (the variant for this processor)";
	if (want == AG_GUARD_SCANNER_NO_PEXT || (want == AG_GUARD_SCANNER_AUTO && slow_pext_host()))
		f = no_pext_scan();
	if (f) {
		g->scan = f;
		g->scanner = "corei7_hs_scan (no PEXT: AMD before Zen 3)";
	}
}

const char *ag_guard_scanner(const struct ag_guard *g)
{
	return g->scanner;
}

struct ag_guard_scratch {
	hs_scratch_t *hs;
	struct guard_cvec hits;   /* of the last Vectorscan scan */
	struct guard_cvec digits; /* of guard_digit_anchors */
	struct guard_cvec b64;    /* of guard_b64_anchors */
	struct guard_fvec f;
	unsigned char *fired; /* per rule: 1 fired, 2 fired in a decoded payload */
	size_t nrules;
};

static const char *const action_names[] = { "allow", "redact", "block", "handoff" };

const char *ag_guard_action_name(int action)
{
	return action >= 0 && action <= AG_GUARD_HANDOFF ? action_names[action] : "?";
}

const struct ag_guard_rules *ag_guard_rules(const struct ag_guard *g)
{
	return &g->rules;
}

/* The expressions of one source's database: every detector anchor, then
 * the rules for that source.  Returns how many. */
static unsigned exprs_of(const struct ag_guard_rules *r, int source, const char **exprs,
			 unsigned *flags, unsigned *ids)
{
	unsigned n = 0;

	for (unsigned i = 0; i < A_COUNT; i++) {
		if (!guard_anchors[i].pattern)
			continue;
		exprs[n] = guard_anchors[i].pattern;
		flags[n] = HS_FLAG_UTF8 | guard_anchors[i].flags;
		ids[n++] = i;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct ag_guard_rule *rule = &r->rules[i];
		if (!(rule->sources & (1u << source)))
			continue;
		exprs[n] = rule->pattern;
		/* a rule fires once per text: that is all the score needs */
		flags[n] = HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH | (rule->caseless ? HS_FLAG_CASELESS : 0);
		ids[n++] = (unsigned)(A_COUNT + i);
	}
	return n;
}

static const hs_platform_info_t generic_platform = { .tune = HS_TUNE_FAMILY_GENERIC };

static int compile_one(hs_database_t **db, const struct ag_guard_rules *r, bool generic,
		       const char **exprs, unsigned *flags, unsigned *ids, unsigned n,
		       struct ag_err *err)
{
	hs_compile_error_t *cerr = NULL;
	int rc = 0;

	if (hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, generic ? &generic_platform : NULL,
			     db, &cerr) != HS_SUCCESS) {
		/* the expression's index: ids say which anchor or rule it is */
		int at = cerr ? cerr->expression : -1;
		if (at >= 0 && (unsigned)at < n && ids[at] >= A_COUNT)
			rc = ag_err_set(err, AG_EPARSE, "guard rule '%s': pattern: %s",
					r->rules[ids[at] - A_COUNT].id, cerr->message);
		else
			rc = ag_err_set(err, AG_EINVAL, "guard: built-in pattern %d: %s",
					at >= 0 && (unsigned)at < n ? (int)ids[at] : at,
					cerr ? cerr->message : "compile failed");
		hs_free_compile_error(cerr);
		*db = NULL;
	}
	return rc;
}

/* The cache key of the three databases (dbcache.h says what goes in);
 * false when there is none. */
static bool cache_key(const struct ag_guard_rules *r, bool generic, const char **exprs,
		      unsigned *flags, unsigned *ids, unsigned char key[GUARD_CACHE_KEY])
{
	crypto_generichash_state k;
	hs_platform_info_t p = generic_platform;
	const char *v = hs_version();

	if (!generic && hs_populate_platform(&p) != HS_SUCCESS)
		return false;
	if (!guard_cache_key_init(&k))
		return false;
	guard_cache_key_add(&k, v, strlen(v));
	guard_cache_key_add(&k, &p.tune, sizeof(p.tune));
	guard_cache_key_add(&k, &p.cpu_features, sizeof(p.cpu_features));
	for (int src = 0; src < 3; src++) {
		unsigned n = exprs_of(r, src, exprs, flags, ids);
		guard_cache_key_add(&k, &n, sizeof(n));
		for (unsigned i = 0; i < n; i++) {
			guard_cache_key_add(&k, exprs[i], strlen(exprs[i]));
			guard_cache_key_add(&k, &flags[i], sizeof(flags[i]));
			guard_cache_key_add(&k, &ids[i], sizeof(ids[i]));
		}
	}
	guard_cache_key_final(&k, key);
	return true;
}

/* Compile the three databases, or take them from the cache. */
static int build_dbs(struct ag_guard *g, const struct ag_guard_rules *r,
		     const struct ag_guard_opts *o, const char **exprs, unsigned *flags,
		     unsigned *ids, struct ag_err *err)
{
	bool generic = g->scan != hs_scan;
	unsigned char key[GUARD_CACHE_KEY];
	const char *why = NULL;
	bool cache = o->cache_dir && guard_cache_dir_usable(o->cache_dir, &why);
	int rc = 0;

	if (o->cache_dir && !cache)
		ag_log(o->log, AG_LOG_INFO, "guard", "%s: not used as the pattern cache: %s",
		       o->cache_dir, why);
	cache = cache && cache_key(r, generic, exprs, flags, ids, key);
	if (cache && guard_cache_load(o->cache_dir, key, g->db, 3)) {
		ag_log(o->log, AG_LOG_DEBUG, "guard", "patterns from the cache in %s", o->cache_dir);
		return 0;
	}
	for (int src = 0; src < 3 && !rc; src++) {
		unsigned n = exprs_of(r, src, exprs, flags, ids);
		rc = compile_one(&g->db[src], r, generic, exprs, flags, ids, n, err);
	}
	if (!rc && cache && !guard_cache_store(o->cache_dir, key, g->db, 3, &why))
		ag_log(o->log, AG_LOG_INFO, "guard", "%s: cannot cache the patterns: %s",
		       o->cache_dir, why);
	return rc;
}

int ag_guard_new(struct ag_guard **out, struct ag_guard_rules *r, struct ag_err *err)
{
	const struct ag_guard_opts o = { .scanner = AG_GUARD_SCANNER_AUTO };

	return ag_guard_new_with(out, r, &o, err);
}

int ag_guard_new_with(struct ag_guard **out, struct ag_guard_rules *r,
		      const struct ag_guard_opts *o, struct ag_err *err)
{
	size_t n = A_COUNT + r->n;
	const char **exprs = calloc(n, sizeof(*exprs));
	unsigned *flags = calloc(n, sizeof(*flags)), *ids = calloc(n, sizeof(*ids));
	struct ag_guard *g = calloc(1, sizeof(*g));
	int rc = 0;

	*out = NULL;
	if (!exprs || !flags || !ids || !g || n > UINT32_MAX / 2)
		rc = ag_err_set(err, AG_ENOMEM, "guard: out of memory");
	if (!rc) {
		choose_scanner(g, o->scanner);
		rc = build_dbs(g, r, o, exprs, flags, ids, err);
	}
	if (!rc) {
		g->rules = *r;
		ag_guard_rules_init(r);
		*out = g;
		g = NULL;
	}
	free(exprs);
	free(flags);
	free(ids);
	ag_guard_free(g);
	return rc;
}

void ag_guard_free(struct ag_guard *g)
{
	if (!g)
		return;
	for (int i = 0; i < 3; i++)
		hs_free_database(g->db[i]);
	ag_guard_rules_release(&g->rules);
	free(g);
}

int ag_guard_scratch_new(const struct ag_guard *g, struct ag_guard_scratch **out, struct ag_err *err)
{
	struct ag_guard_scratch *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s || !(s->fired = calloc(g->rules.n + 1, 1))) {
		free(s);
		return ag_err_set(err, AG_ENOMEM, "guard: out of memory");
	}
	s->nrules = g->rules.n;
	/* one scratch serves all three databases (hs_alloc_scratch grows it) */
	if (hs_alloc_scratch(g->db[0], &s->hs) != HS_SUCCESS ||
	    hs_alloc_scratch(g->db[1], &s->hs) != HS_SUCCESS ||
	    hs_alloc_scratch(g->db[2], &s->hs) != HS_SUCCESS) {
		hs_free_scratch(s->hs);
		free(s->fired);
		free(s);
		return ag_err_set(err, AG_ENOMEM, "guard: cannot allocate Vectorscan scratch");
	}
	*out = s;
	return 0;
}

void ag_guard_scratch_free(struct ag_guard_scratch *s)
{
	if (!s)
		return;
	hs_free_scratch(s->hs);
	free(s->hits.v);
	free(s->digits.v);
	free(s->b64.v);
	free(s->f.v);
	free(s->fired);
	free(s);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	struct guard_cvec *c = ctx;

	(void)from;
	(void)flags;
	guard_cvec_push(c, id, (size_t)to);
	return c->oom;
}

static int run_scan(const struct ag_guard *g, struct ag_guard_scratch *s, int source, const char *t,
		    size_t len, struct ag_err *err)
{
	hs_error_t e;

	s->hits.n = 0;
	s->hits.oom = false;
	if (!len)
		return 0;
	e = g->scan(g->db[source], t, (unsigned)len, 0, s->hs, on_match, &s->hits);
	if (s->hits.oom)
		return ag_err_set(err, AG_ENOMEM, "guard: out of memory during the scan");
	if (e != HS_SUCCESS)
		return ag_err_set(err, AG_EINVAL, "guard: Vectorscan scan failed (%d)", (int)e);
	return 0;
}

/* The next candidate by end offset of n lists, each in order (on a tie,
 * the earlier list's); NULL after the last. */
static const struct guard_cand *next_cand(struct guard_cvec *const *l, size_t *at, int n)
{
	int best = -1;

	for (int i = 0; i < n; i++)
		if (at[i] < l[i]->n && (best < 0 || l[i]->v[at[i]].to < l[best]->v[at[best]].to))
			best = i;
	return best < 0 ? NULL : &l[best]->v[at[best]++];
}

/* The Vectorscan scan and the anchors found by hand (guard_*_anchors;
 * the digit-led ones only when detectors run: not on decoded payloads). */
static int scan_all(const struct ag_guard *g, struct ag_guard_scratch *s, int source,
		    const char *t, size_t len, bool detectors, struct ag_err *err)
{
	int rc = run_scan(g, s, source, t, len, err);

	if (rc)
		return rc;
	guard_b64_anchors(t, len, &s->b64);
	s->digits.n = 0;
	if (detectors)
		guard_digit_anchors(t, len, &s->digits);
	if (s->b64.oom || s->digits.oom)
		return ag_err_set(err, AG_ENOMEM, "guard: out of memory during the scan");
	return 0;
}

struct payloads {
	char *text[DECODE_MAX];
	size_t len[DECODE_MAX];
	int depth[DECODE_MAX];
	size_t n, bytes;
};

/* Candidates of the encoded-payload anchors: decode and queue them. */
static void queue_payload(struct payloads *p, const char *t, size_t len, const struct guard_cand *c,
			  int depth, size_t *run_end)
{
	char *out;
	size_t out_len, end = 0;

	if (c->to <= *run_end || depth >= DECODE_DEPTH || p->n >= DECODE_MAX ||
	    p->bytes >= DECODE_BUDGET)
		return;
	if (guard_decode(t, len, (int)c->id, c->to, &out, &out_len, &end)) {
		p->text[p->n] = out;
		p->len[p->n] = out_len;
		p->depth[p->n++] = depth + 1;
		p->bytes += out_len;
	}
	*run_end = end ? end : c->to;
}

/* Rules of decoded payloads, and payloads inside them. */
static int screen_payloads(const struct ag_guard *g, struct ag_guard_scratch *s, int source,
			   struct payloads *p, struct ag_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < p->n && !rc; i++) {
		size_t run_end = 0;
		struct guard_cvec *lists[] = { &s->b64, &s->hits };
		size_t at[2] = { 0, 0 };
		const struct guard_cand *c;

		rc = scan_all(g, s, source, p->text[i], p->len[i], false, err);
		while (!rc && (c = next_cand(lists, at, 2))) {
			if (c->id >= A_COUNT)
				s->fired[c->id - A_COUNT] |= 2;
			else if (c->id >= A_B64)
				queue_payload(p, p->text[i], p->len[i], c, p->depth[i], &run_end);
		}
	}
	for (size_t i = 0; i < p->n; i++)
		free(p->text[i]);
	return rc;
}

/* Lower wins when two findings overlap. */
static int rank(int type)
{
	static const int r[AG_GUARD_NTYPES] = {
		[AG_GUARD_SECRET] = 0,      [AG_GUARD_TW_NATIONAL_ID] = 1, [AG_GUARD_TW_RESIDENT_ID] = 2,
		[AG_GUARD_CREDIT_CARD] = 3, [AG_GUARD_BANK_ACCOUNT] = 4,   [AG_GUARD_PASSPORT] = 5,
		[AG_GUARD_TW_UBN] = 6,      [AG_GUARD_TW_PHONE] = 7,       [AG_GUARD_EMAIL] = 8,
		[AG_GUARD_IP_ADDRESS] = 9,  [AG_GUARD_TW_ADDRESS] = 10,    [AG_GUARD_PERSON_NAME] = 11,
	};
	return r[type];
}

static int by_start(const void *a, const void *b)
{
	const struct ag_guard_finding *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return rank(x->type) - rank(y->type);
}

static bool wins(const struct ag_guard_finding *a, const struct ag_guard_finding *b)
{
	if (rank(a->type) != rank(b->type))
		return rank(a->type) < rank(b->type);
	return a->end - a->start > b->end - b->start;
}

/* Sort, drop overlaps; returns the number kept (in place). */
static size_t resolve(struct ag_guard_finding *f, size_t n)
{
	size_t k = 0;

	/* Insertion sort: validators emit findings almost in order, so this is
	 * linear in practice (and glibc's qsort mallocs). */
	for (size_t i = 1; i < n; i++) {
		struct ag_guard_finding x = f[i];
		size_t j = i;
		for (; j > 0 && by_start(&f[j - 1], &x) > 0; j--)
			f[j] = f[j - 1];
		f[j] = x;
	}
	for (size_t i = 0; i < n; i++) {
		if (k && f[i].start < f[k - 1].end) {
			if (wins(&f[i], &f[k - 1]))
				f[k - 1] = f[i];
			continue;
		}
		f[k++] = f[i];
	}
	return k;
}

/* The original end offset of normalised [.., e). */
static size_t orig_end(const char *orig, const struct ag_guard_norm *nm, size_t e)
{
	size_t p;
	unsigned char c;

	if (!nm->map || e == 0)
		return nm->map ? nm->map[0] : e;
	p = nm->map[e - 1];
	c = (unsigned char)orig[p];
	if (c >= 0x80 && (unsigned char)nm->text[e - 1] < 0x80)
		return p + (c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2);
	return p + 1;
}

static bool category_fired(const struct ag_guard *g, const struct ag_guard_scratch *s,
			   const char *category, unsigned srcbit)
{
	for (size_t i = 0; i < g->rules.n; i++)
		if (s->fired[i] && (g->rules.rules[i].sources & srcbit) &&
		    !strcmp(g->rules.rules[i].category, category))
			return true;
	return false;
}

static int collect_hits(const struct ag_guard *g, struct ag_guard_scratch *s, int source,
			struct ag_arena *a, struct ag_guard_result *r, struct ag_err *err)
{
	unsigned srcbit = 1u << source;
	double keep = 1.0;
	bool needs = false, has = false;
	size_t n = 0;

	for (size_t i = 0; i < g->rules.n; i++)
		n += s->fired[i] != 0;
	r->hits = ag_arena_calloc(a, n + 1, sizeof(*r->hits));
	if (!r->hits)
		return ag_err_set(err, AG_ENOMEM, "guard: out of memory");
	for (size_t i = 0; i < g->rules.n; i++) {
		const struct ag_guard_rule *rule = &g->rules.rules[i];
		if (!s->fired[i] || !(rule->sources & srcbit))
			continue;
		if ((rule->requires && !category_fired(g, s, rule->requires, srcbit)) ||
		    (rule->unless && category_fired(g, s, rule->unless, srcbit)))
			continue;
		r->hits[r->nhits++] = (struct ag_guard_hit){ rule, !(s->fired[i] & 1) };
		switch (rule->effect) {
		case AG_GUARD_EFFECT_BLOCK: keep *= 1.0 - rule->score; break;
		case AG_GUARD_EFFECT_HANDOFF: r->handoff = true; break;
		case AG_GUARD_EFFECT_NEEDS_DISCLOSURE: needs = true; break;
		case AG_GUARD_EFFECT_HAS_DISCLOSURE: has = true; break;
		default: break;
		}
	}
	r->block_score = 1.0 - keep;
	r->needs_disclosure = needs && !has;
	return 0;
}

static int finish_findings(struct ag_guard_scratch *s, const char *text,
			   const struct ag_guard_norm *nm, struct ag_arena *a,
			   struct ag_guard_result *r, struct ag_err *err)
{
	size_t n = resolve(s->f.v, s->f.n);

	r->findings = ag_arena_calloc(a, n + 1, sizeof(*r->findings));
	if (!r->findings)
		return ag_err_set(err, AG_ENOMEM, "guard: out of memory");
	for (size_t i = 0; i < n; i++) {
		struct ag_guard_finding f = s->f.v[i];
		if (nm->map) {
			size_t st = nm->map[f.start];
			f.end = orig_end(text, nm, f.end);
			f.start = st;
		}
		r->findings[i] = f;
	}
	r->nfindings = n;
	return 0;
}

int ag_guard_scan(const struct ag_guard *g, struct ag_guard_scratch *s, const char *text,
		  size_t len, int source, struct ag_arena *a, struct ag_guard_result *r,
		  struct ag_err *err)
{
	struct guard_cvec *lists[] = { &s->digits, &s->b64, &s->hits };
	size_t at[3] = { 0, 0, 0 }, run_end = 0;
	const struct guard_cand *c;
	struct ag_guard_norm nm;
	struct guard_detect d;
	struct payloads p;
	int rc;

	memset(r, 0, sizeof(*r));
	if (source < AG_GUARD_SRC_USER || source > AG_GUARD_SRC_MODEL || s->nrules != g->rules.n)
		return ag_err_set(err, AG_EINVAL, "guard: bad source or scratch");
	if (len >= UINT32_MAX)
		return ag_err_set(err, AG_ERANGE, "guard: input of %zu bytes; split it below 4 GiB", len);
	if ((rc = ag_guard_normalize(text, len, a, &nm, err)) ||
	    (rc = scan_all(g, s, source, nm.text, nm.len, true, err)))
		return rc;
	memset(s->fired, 0, s->nrules + 1);
	memset(&d, 0, sizeof(d));
	memset(&p, 0, sizeof(p));
	d.t = nm.text;
	d.len = nm.len;
	d.out = &s->f;
	s->f.n = 0;
	s->f.oom = false;
	/* validators see the candidates by end offset, as Vectorscan gives them */
	while ((c = next_cand(lists, at, 3))) {
		if (c->id >= A_COUNT)
			s->fired[c->id - A_COUNT] |= 1;
		else if (c->id >= A_B64)
			queue_payload(&p, nm.text, nm.len, c, 0, &run_end);
		else
			guard_detect(&d, (int)c->id, c->to);
	}
	r->decoded_payloads = p.n;
	rc = screen_payloads(g, s, source, &p, err);
	if (!rc && s->f.oom)
		rc = ag_err_set(err, AG_ENOMEM, "guard: out of memory");
	if (!rc)
		rc = finish_findings(s, text, &nm, a, r, err);
	if (!rc)
		rc = collect_hits(g, s, source, a, r, err);
	if (rc)
		return rc;
	if (r->block_score >= g->rules.block_threshold && r->block_score > 0)
		r->action = AG_GUARD_BLOCK;
	else if (r->handoff)
		r->action = AG_GUARD_HANDOFF;
	else if (r->nfindings || r->needs_disclosure)
		r->action = AG_GUARD_REDACT;
	else
		r->action = AG_GUARD_ALLOW;
	return 0;
}

const char *ag_guard_disclosure(const struct ag_guard *g, const char *text, size_t len)
{
	const struct ag_guard_rules *r = &g->rules;
	bool cjk = false;

	for (size_t i = 0; i + 2 < len && !cjk; i++) {
		unsigned char c = (unsigned char)text[i];
		cjk = c >= 0xE4 && c <= 0xE9; /* U+4E00..U+9FFF lead bytes */
	}
	if (cjk)
		return r->disclosure_zh ? r->disclosure_zh : r->disclosure_en;
	return r->disclosure_en ? r->disclosure_en : r->disclosure_zh;
}
