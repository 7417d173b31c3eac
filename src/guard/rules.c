/*
 * Guard rule files (catalog/guard/injection.yaml, finance.yaml, include/aigov/guard.h): the
 * policy of the injection screen and of the finance output rules is data.
 *
 *   version: "2026-12-04"
 *   block_threshold: 0.8            # optional
 *   disclosure: {zh-TW: ..., en: ...}  # optional, finance.yaml
 *   rules:
 *     - id: override.ignore_previous.en
 *       category: instruction_override
 *       lang: en                     # en, zh-TW, zh-CN, any
 *       score: 0.9
 *       effect: block                # block, handoff, needs_disclosure, has_disclosure
 *       sources: [user, retrieved]   # default: all three
 *       requires: high_risk_product  # optional: a category that must fire too
 *       unless: guarantee_negated    # optional: a category that cancels it
 *       caseless: true               # default true
 *       pattern: 'ignore\s+...'
 *
 * Files are untrusted configuration (CONVENTIONS pitfall 8): every key is
 * checked and errors name file:line:column and the field.
 */
#include "aigov/guard.h"

#include "aigov/num.h"
#include "aigov/yamldoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char ag_builtin_guard_injection[], ag_builtin_guard_finance[];
extern const size_t ag_builtin_guard_injection_len, ag_builtin_guard_finance_len;

static const char *const effects[] = { "block", "handoff", "needs_disclosure", "has_disclosure",
				       NULL };
static const char *const sources[] = { "user", "retrieved", "model", NULL };
static const char *const langs[] = { "en", "zh-TW", "zh-CN", "any", NULL };

void ag_guard_rules_init(struct ag_guard_rules *r)
{
	memset(r, 0, sizeof(*r));
	ag_arena_init(&r->arena, 0);
	r->block_threshold = 0.8;
}

void ag_guard_rules_release(struct ag_guard_rules *r)
{
	free(r->rules);
	ag_arena_release(&r->arena);
	ag_guard_rules_init(r);
}

/* A number in [0, 1] under key (absent: *out unchanged). */
static int unit_number(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
		       struct ag_arena *a, double *out, struct ag_err *err)
{
	const char *s = NULL;
	double v;
	int rc = ag_y_str(d, m, path, key, false, a, &s, err);

	if (rc || !s)
		return rc;
	if (!ag_parse_double(s, strlen(s), &v) || !(v >= 0 && v <= 1))
		return ag_y_error(d, ag_y_get(d, m, key), path, err, "%s: expected a number in [0, 1]",
				  key);
	*out = v;
	return 0;
}

static int rule_sources(struct ag_ydoc *d, yaml_node_t *m, const char *path, unsigned *out,
			struct ag_err *err)
{
	yaml_node_t *n = ag_y_get(d, m, "sources");
	yaml_node_item_t *items;
	size_t count;
	char p[300];

	*out = 7;
	if (!n || ag_y_is_null(n))
		return 0;
	if (!ag_y_is_seq(n))
		return ag_y_error(d, n, path, err, "sources: expected a list of user, retrieved, model");
	items = ag_y_items(n, &count);
	*out = 0;
	for (size_t i = 0; i < count; i++) {
		int v, rc;
		snprintf(p, sizeof(p), "%s.sources[%zu]", path, i);
		rc = ag_y_enum_node(d, ag_y_node(d, items[i]), p, sources, &v, err);
		if (rc)
			return rc;
		*out |= 1u << v;
	}
	return 0;
}

static int parse_rule(struct ag_ydoc *d, yaml_node_t *m, const char *path,
		      struct ag_guard_rules *r, struct ag_guard_rule *rule, struct ag_err *err)
{
	static const char *const keys[] = { "id", "category", "lang", "score", "effect", "sources",
					    "requires", "unless", "caseless", "pattern", "note", NULL };
	int rc, lang = 3, effect = 0;

	memset(rule, 0, sizeof(*rule));
	rule->score = 0.5;
	rule->caseless = true;
	if ((rc = ag_y_want_map(d, m, NULL, path, err)) || (rc = ag_y_only_keys(d, m, path, keys, err)) ||
	    (rc = ag_y_str(d, m, path, "id", true, &r->arena, &rule->id, err)) ||
	    (rc = ag_y_str(d, m, path, "category", true, &r->arena, &rule->category, err)) ||
	    (rc = ag_y_str(d, m, path, "pattern", true, &r->arena, &rule->pattern, err)) ||
	    (rc = ag_y_str(d, m, path, "requires", false, &r->arena, &rule->requires, err)) ||
	    (rc = ag_y_str(d, m, path, "unless", false, &r->arena, &rule->unless, err)) ||
	    (rc = ag_y_enum(d, m, path, "lang", false, langs, &lang, err)) ||
	    (rc = ag_y_enum(d, m, path, "effect", false, effects, &effect, err)) ||
	    (rc = ag_y_bool(d, m, path, "caseless", false, &rule->caseless, err)) ||
	    (rc = unit_number(d, m, path, "score", &r->arena, &rule->score, err)) ||
	    (rc = rule_sources(d, m, path, &rule->sources, err)))
		return rc;
	if (!ag_y_valid_id(rule->id))
		return ag_y_error(d, ag_y_get(d, m, "id"), path, err,
				  "id: expected [a-z0-9][a-z0-9_.-]*, at most 64 bytes");
	if (!*rule->pattern)
		return ag_y_error(d, ag_y_get(d, m, "pattern"), path, err, "pattern: empty");
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->rules[i].id, rule->id))
			return ag_y_error(d, ag_y_get(d, m, "id"), path, err, "id: '%s' appears twice",
					  rule->id);
	rule->lang = langs[lang];
	rule->effect = effect;
	return 0;
}

static int parse_doc(struct ag_guard_rules *r, struct ag_ydoc *d, const char *name,
		     struct ag_err *err)
{
	static const char *const keys[] = { "version", "block_threshold", "disclosure", "rules",
					    "note", NULL };
	yaml_node_t *root = ag_ydoc_root(d), *list;
	yaml_node_item_t *items;
	const char *version = "?";
	size_t count;
	char p[64];
	int rc;

	if ((rc = ag_y_want_map(d, root, NULL, "", err)) || (rc = ag_y_only_keys(d, root, "", keys, err)) ||
	    (rc = ag_y_str(d, root, "", "version", true, &r->arena, &version, err)) ||
	    (rc = unit_number(d, root, "", "block_threshold", &r->arena, &r->block_threshold, err)))
		return rc;
	if (ag_y_get(d, root, "disclosure")) {
		struct ag_texts t;
		if ((rc = ag_y_texts(d, root, "", "disclosure", &r->arena, &t, err)))
			return rc;
		r->disclosure_zh = t.zh;
		r->disclosure_en = t.en;
	}
	list = ag_y_get(d, root, "rules");
	if (!list || !ag_y_is_seq(list))
		return ag_y_error(d, list ? list : root, "rules", err, "expected a list of rules");
	items = ag_y_items(list, &count);
	if (count > 100000)
		return ag_err_set(err, AG_ERANGE, "%s: too many rules", name);
	{
		struct ag_guard_rule *grown = realloc(r->rules, (r->n + count + 1) * sizeof(*grown));
		if (!grown)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		r->rules = grown;
	}
	for (size_t i = 0; i < count; i++) {
		snprintf(p, sizeof(p), "rules[%zu]", i);
		rc = parse_rule(d, ag_y_node(d, items[i]), p, r, &r->rules[r->n], err);
		if (rc)
			return rc;
		r->n++;
	}
	{
		size_t used = strlen(r->version);
		const char *base = strrchr(name, '/');
		snprintf(r->version + used, sizeof(r->version) - used, "%s%s %s", used ? "; " : "",
			 base ? base + 1 : name, version);
	}
	return 0;
}

int ag_guard_rules_parse(struct ag_guard_rules *r, const char *text, size_t len,
			 const char *name, struct ag_err *err)
{
	struct ag_ydoc d;
	size_t before = r->n;
	int rc = ag_ydoc_load(&d, text, len, name, err);

	if (rc)
		return rc;
	rc = parse_doc(r, &d, name, err);
	ag_ydoc_release(&d);
	if (rc)
		r->n = before; /* strings stay in the arena until release */
	return rc;
}

int ag_guard_rules_load_file(struct ag_guard_rules *r, const char *path, struct ag_err *err)
{
	struct ag_ydoc d;
	size_t before = r->n;
	int rc = ag_ydoc_load_file(&d, path, err);

	if (rc)
		return rc;
	rc = parse_doc(r, &d, path, err);
	ag_ydoc_release(&d);
	if (rc)
		r->n = before;
	return rc;
}

int ag_guard_rules_builtin(struct ag_guard_rules *r, struct ag_err *err)
{
	int rc = ag_guard_rules_parse(r, (const char *)ag_builtin_guard_injection,
				      ag_builtin_guard_injection_len, "catalog/guard/injection.yaml", err);

	if (!rc)
		rc = ag_guard_rules_parse(r, (const char *)ag_builtin_guard_finance,
					  ag_builtin_guard_finance_len, "catalog/guard/finance.yaml", err);
	return rc;
}
