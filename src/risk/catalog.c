/* The control catalog: catalog/controls.yaml (risk.h, docs/registry-formats.md). */
#include "aigov/risk.h"

#include "aigov/file.h"
#include "aigov/merkle.h"
#include "aigov/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ag_tier_ids[] = { "low", "medium", "high", NULL };
const char *const ag_evidence_kind_ids[] = { "document", "evaluation", "approval",
					     "attestation", NULL };
const char *const ag_principle_ids[] = { "governance", "fairness", "privacy", "robustness",
					 "transparency", "sustainability", NULL };

const char *ag_tier_name(int tier, bool zh)
{
	static const char *const tw[] = { "低", "中", "高" };
	if (tier < 0 || tier >= AG_NTIERS)
		return "?";
	return zh ? tw[tier] : ag_tier_ids[tier];
}

struct cparse {
	struct ag_ydoc *d;
	struct ag_arena *a;
	struct ag_err *err;
};

static int list_of(struct cparse *p, yaml_node_t *m, const char *path, const char *key,
		   bool required, yaml_node_item_t **it, size_t *n)
{
	yaml_node_t *l = ag_y_get(p->d, m, key);
	char q[300];

	*it = NULL;
	*n = 0;
	snprintf(q, sizeof(q), "%s.%s", path, key);
	if (!l || ag_y_is_null(l))
		return required ? ag_y_error(p->d, m, q, p->err, "missing (a list is required)") : 0;
	if (!ag_y_is_seq(l))
		return ag_y_error(p->d, l, q, p->err, "expected a list");
	*it = ag_y_items(l, n);
	return 0;
}

/* A list of enum values as a bit set. */
static int enum_set(struct cparse *p, yaml_node_t *m, const char *path, const char *key,
		    bool required, const char *const *values, unsigned *out)
{
	yaml_node_item_t *it;
	size_t n;
	int rc = list_of(p, m, path, key, required, &it, &n);

	*out = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		char q[300];
		int v;
		snprintf(q, sizeof(q), "%s.%s[%zu]", path, key, i);
		rc = ag_y_enum_node(p->d, ag_y_node(p->d, it[i]), q, values, &v, p->err);
		*out |= 1u << v;
	}
	if (!rc && required && !*out)
		return ag_y_error(p->d, ag_y_get(p->d, m, key), path, p->err, "%s: empty list", key);
	return rc;
}

static int str_list(struct cparse *p, yaml_node_t *m, const char *path, const char *key,
		    const char ***out, size_t *n)
{
	yaml_node_item_t *it;
	int rc = list_of(p, m, path, key, false, &it, n);

	if (rc || !*n) {
		if (!rc && !ag_y_get(p->d, m, key))
			return ag_y_error(p->d, m, path, p->err, "%s: missing (use [] when none)", key);
		return rc;
	}
	*out = ag_arena_calloc(p->a, *n, sizeof(**out));
	if (!*out)
		return ag_err_set(p->err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		char q[300];
		snprintf(q, sizeof(q), "%s.%s[%zu]", path, key, i);
		if ((rc = ag_y_str_node(p->d, ag_y_node(p->d, it[i]), q, p->a, &(*out)[i], p->err)))
			return rc;
	}
	return 0;
}

static int tri(struct cparse *p, yaml_node_t *m, const char *path, const char *key, int *out)
{
	bool b = false;
	int rc;

	*out = -1;
	if (!ag_y_get(p->d, m, key))
		return 0;
	rc = ag_y_bool(p->d, m, path, key, true, &b, p->err);
	*out = b;
	return rc;
}

static int parse_scope(struct cparse *p, yaml_node_t *m, const char *path,
		       struct ag_control_scope *s)
{
	static const char *const keys[] = { "vendor", "generative", "critical", "customer_facing",
					    "personal_data", "use_cases", "exempt_use_cases", NULL };
	int rc;

	memset(s, 0, sizeof(*s));
	s->vendor = s->generative = s->critical = s->customer_facing = s->personal_data = -1;
	if (!m || ag_y_is_null(m))
		return 0;
	if ((rc = ag_y_want_map(p->d, m, m, path, p->err)) ||
	    (rc = ag_y_only_keys(p->d, m, path, keys, p->err)) ||
	    (rc = tri(p, m, path, "vendor", &s->vendor)) ||
	    (rc = tri(p, m, path, "generative", &s->generative)) ||
	    (rc = tri(p, m, path, "critical", &s->critical)) ||
	    (rc = tri(p, m, path, "customer_facing", &s->customer_facing)) ||
	    (rc = tri(p, m, path, "personal_data", &s->personal_data)) ||
	    (rc = enum_set(p, m, path, "use_cases", false, ag_use_case_ids, &s->use_cases)) ||
	    (rc = enum_set(p, m, path, "exempt_use_cases", false, ag_use_case_ids,
			   &s->exempt_use_cases)))
		return rc;
	return 0;
}

static int parse_control(struct cparse *p, yaml_node_t *m, const char *path,
			 struct ag_control *c)
{
	static const char *const keys[] = { "id", "principle", "title", "description", "stages",
					    "tiers", "frequency", "evidence", "applies_to",
					    "met_by", "source", "mappings", NULL };
	static const char *const met_by[] = { "evidence", "assessment", "drill", NULL };
	int by = AG_MET_BY_EVIDENCE;
	static const char *const map_keys[] = { "iso42001", "nist_ai_rmf", "eu_ai_act", NULL };
	yaml_node_t *freq, *maps;
	char q[300];
	int rc;

	if ((rc = ag_y_want_map(p->d, m, m, path, p->err)) ||
	    (rc = ag_y_only_keys(p->d, m, path, keys, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "id", true, p->a, &c->id, p->err)))
		return rc;
	if (!ag_y_valid_id(c->id))
		return ag_y_error(p->d, ag_y_get(p->d, m, "id"), path, p->err,
				  "id: '%s' is not an identifier", c->id);
	if ((rc = ag_y_enum(p->d, m, path, "principle", true, ag_principle_ids, &c->principle,
			    p->err)) ||
	    (rc = ag_y_texts(p->d, m, path, "title", p->a, &c->title, p->err)) ||
	    (rc = ag_y_texts(p->d, m, path, "description", p->a, &c->description, p->err)) ||
	    (rc = enum_set(p, m, path, "stages", true, ag_stage_ids, &c->stages)) ||
	    (rc = enum_set(p, m, path, "tiers", true, ag_tier_ids, &c->tiers)) ||
	    (rc = ag_y_enum(p->d, m, path, "evidence", true, ag_evidence_kind_ids, &c->evidence,
			    p->err)) ||
	    (rc = ag_y_enum(p->d, m, path, "met_by", false, met_by, &by, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "source", true, p->a, &c->source, p->err)))
		return rc;
	c->met_by = by;
	if (c->stages & (1u << AG_STAGE_RETIRED))
		return ag_y_error(p->d, ag_y_get(p->d, m, "stages"), path, p->err,
				  "stages: no control applies to retired systems");
	snprintf(q, sizeof(q), "%s.applies_to", path);
	if ((rc = parse_scope(p, ag_y_get(p->d, m, "applies_to"), q, &c->scope)))
		return rc;
	freq = ag_y_get(p->d, m, "frequency");
	snprintf(q, sizeof(q), "%s.frequency", path);
	if ((rc = ag_y_want_map(p->d, freq, m, q, p->err)) ||
	    (rc = ag_y_only_keys(p->d, freq, q, ag_tier_ids, p->err)))
		return rc;
	for (int t = 0; t < AG_NTIERS; t++) {
		bool want = c->tiers & (1u << t);
		c->frequency[t] = -1;
		if ((rc = ag_y_enum(p->d, freq, q, ag_tier_ids[t], want, ag_frequency_ids,
				    &c->frequency[t], p->err)))
			return rc;
		if (!want && c->frequency[t] >= 0)
			return ag_y_error(p->d, freq, q, p->err,
					  "%s: a frequency for a tier the control is not required for",
					  ag_tier_ids[t]);
	}
	maps = ag_y_get(p->d, m, "mappings");
	snprintf(q, sizeof(q), "%s.mappings", path);
	if ((rc = ag_y_want_map(p->d, maps, m, q, p->err)) ||
	    (rc = ag_y_only_keys(p->d, maps, q, map_keys, p->err)) ||
	    (rc = str_list(p, maps, q, "iso42001", &c->iso42001, &c->niso42001)) ||
	    (rc = str_list(p, maps, q, "nist_ai_rmf", &c->nist, &c->nnist)) ||
	    (rc = str_list(p, maps, q, "eu_ai_act", &c->euaia, &c->neuaia)))
		return rc;
	return 0;
}

static int parse_catalog(struct cparse *p, yaml_node_t *root, struct ag_catalog *c)
{
	static const char *const keys[] = { "version", "note", "principles", "controls", NULL };
	static const char *const pkeys[] = { "id", "name", NULL };
	yaml_node_item_t *it;
	size_t n;
	int rc;

	if ((rc = ag_y_want_map(p->d, root, root, "(top)", p->err)) ||
	    (rc = ag_y_only_keys(p->d, root, "(top)", keys, p->err)) ||
	    (rc = ag_y_str(p->d, root, "", "version", true, p->a, &c->version, p->err)) ||
	    (rc = ag_y_texts(p->d, root, "", "note", p->a, &c->note, p->err)) ||
	    (rc = list_of(p, root, "", "principles", true, &it, &n)))
		return rc;
	if (n != AG_NPRINCIPLES)
		return ag_y_error(p->d, ag_y_get(p->d, root, "principles"), "principles", p->err,
				  "expected the six FSC core principles, found %zu", n);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *pm = ag_y_node(p->d, it[i]);
		char q[64];
		int idx;
		snprintf(q, sizeof(q), "principles[%zu]", i);
		if ((rc = ag_y_want_map(p->d, pm, pm, q, p->err)) ||
		    (rc = ag_y_only_keys(p->d, pm, q, pkeys, p->err)) ||
		    (rc = ag_y_enum(p->d, pm, q, "id", true, ag_principle_ids, &idx, p->err)) ||
		    (rc = ag_y_texts(p->d, pm, q, "name", p->a, &c->principle_names[idx], p->err)))
			return rc;
	}
	for (int i = 0; i < AG_NPRINCIPLES; i++)
		if (!c->principle_names[i].en)
			return ag_y_error(p->d, ag_y_get(p->d, root, "principles"), "principles",
					  p->err, "principle '%s' is missing", ag_principle_ids[i]);
	if ((rc = list_of(p, root, "", "controls", true, &it, &n)))
		return rc;
	c->ncontrols = n;
	c->controls = ag_arena_calloc(p->a, n ? n : 1, sizeof(*c->controls));
	if (!c->controls)
		return ag_err_set(p->err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char q[64];
		snprintf(q, sizeof(q), "controls[%zu]", i);
		if ((rc = parse_control(p, ag_y_node(p->d, it[i]), q, &c->controls[i])))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->controls[i].id, c->controls[j].id))
				return ag_y_error(p->d, ag_y_node(p->d, it[i]), q, p->err,
						  "id '%s' is used twice", c->controls[i].id);
	}
	return 0;
}

int ag_catalog_parse(struct ag_catalog **out, const char *text, size_t len,
		     const char *name, struct ag_err *err)
{
	struct ag_catalog *c = calloc(1, sizeof(*c));
	struct ag_ydoc d;
	struct cparse p = { &d, NULL, err };
	uint8_t h[32];
	int rc;

	*out = NULL;
	if (!c)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_init(&c->arena, 0);
	p.a = &c->arena;
	ag_sha256(text, len, h);
	ag_hex_encode(c->sha256, h, 32);
	rc = ag_ydoc_load(&d, text, len, name, err);
	if (!rc) {
		rc = parse_catalog(&p, ag_ydoc_root(&d), c);
		ag_ydoc_release(&d);
	}
	if (rc) {
		ag_catalog_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int ag_catalog_load(struct ag_catalog **out, const char *path, struct ag_err *err)
{
	struct ag_file_map m;
	int rc = ag_file_map(&m, path, err);

	if (rc)
		return rc;
	rc = ag_catalog_parse(out, m.data, m.len, path, err);
	ag_file_unmap(&m);
	return rc;
}

void ag_catalog_free(struct ag_catalog *c)
{
	if (!c)
		return;
	ag_arena_release(&c->arena);
	free(c);
}

const struct ag_control *ag_catalog_find(const struct ag_catalog *c, const char *id)
{
	for (size_t i = 0; i < c->ncontrols; i++)
		if (!strcmp(c->controls[i].id, id))
			return &c->controls[i];
	return NULL;
}

size_t ag_catalog_check(const struct ag_catalog *c, struct ag_buf *findings)
{
	/* The guideline's measures for high-risk systems (REGULATORY.md). */
	static const char *const high_measures[] = { "gov-record-keeping",
						     "rob-continuous-monitoring", "gov-audit",
						     "rob-periodic-evaluation", NULL };
	size_t n = 0;

	for (int pr = 0; pr < AG_NPRINCIPLES; pr++)
		for (int st = 0; st < AG_STAGE_RETIRED; st++) {
			bool any = false;
			for (size_t i = 0; i < c->ncontrols && !any; i++)
				any = c->controls[i].principle == pr &&
				      (c->controls[i].stages & (1u << st));
			if (!any) {
				ag_buf_addf(findings, "principle %s has no control in stage %s\n",
					    ag_principle_ids[pr], ag_stage_ids[st]);
				n++;
			}
		}
	for (int i = 0; high_measures[i]; i++) {
		const struct ag_control *k = ag_catalog_find(c, high_measures[i]);
		if (!k || !(k->tiers & (1u << AG_TIER_HIGH))) {
			ag_buf_addf(findings, "the high-risk measure %s is %s\n", high_measures[i],
				    k ? "not required for tier high" : "missing");
			n++;
		}
	}
	for (size_t i = 0; i < c->ncontrols; i++) {
		const struct ag_control *k = &c->controls[i];
		if (k->scope.use_cases & k->scope.exempt_use_cases) {
			ag_buf_addf(findings, "control %s both requires and exempts a use case\n", k->id);
			n++;
		}
	}
	return n;
}

bool ag_control_applies(const struct ag_control *c, const struct ag_system *s, int tier)
{
	const struct ag_control_scope *sc = &c->scope;

	if (!(c->tiers & (1u << tier)))
		return false;
	if (sc->vendor >= 0 && sc->vendor != (s->vendor != NULL))
		return false;
	if (sc->generative >= 0 && sc->generative != (s->ai_type == AG_AI_GENERATIVE))
		return false;
	if (sc->critical >= 0 && sc->critical != s->critical)
		return false;
	if (sc->customer_facing >= 0 &&
	    sc->customer_facing != (s->factors[AG_F_CUSTOMER_FACING] == 2))
		return false;
	if (sc->personal_data >= 0 && sc->personal_data != (s->factors[AG_F_PERSONAL_DATA] > 0))
		return false;
	if (sc->use_cases && !(sc->use_cases & (1u << s->use_case)))
		return false;
	return !(sc->exempt_use_cases & (1u << s->use_case));
}
