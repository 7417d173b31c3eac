/*
 * AI system descriptors: YAML in, canonical YAML and JSON out
 * (system.h, docs/registry-formats.md).
 */
#include "aigov/system.h"
#include "aigov/views.h"

#include "aigov/file.h"
#include "aigov/str.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ag_stage_ids[] = { "planning", "data", "modelling", "deployment",
				     "retired", NULL };
const char *const ag_business_line_ids[] = { "bank", "insurance", "securities", "other", NULL };
const char *const ag_use_case_ids[] = {
	"credit_scoring", "aml_kyc", "fraud", "customer_service_chatbot", "internal_admin",
	"investment_advice", "underwriting", "claims", "marketing", "market_surveillance",
	"other", NULL,
};
const char *const ag_ai_type_ids[] = { "machine_learning", "deep_learning", "generative",
				       "rule_assisted", NULL };
const char *const ag_factor_ids[] = { "customer_facing", "personal_data", "autonomy",
				      "complexity", "stakeholder_impact", "remedy", NULL };
static const char *const lv_customer[] = { "no", "internal_material", "yes", NULL };
static const char *const lv_personal[] = { "none", "limited", "extensive", "sensitive", NULL };
static const char *const lv_autonomy[] = { "human_in_the_loop", "human_on_the_loop",
					   "fully_automated", NULL };
static const char *const lv_lmh[] = { "low", "medium", "high", NULL };
static const char *const lv_remedy[] = { "complete", "partial", "none", NULL };
const char *const *const ag_factor_levels[AG_NFACTORS] = {
	lv_customer, lv_personal, lv_autonomy, lv_lmh, lv_lmh, lv_remedy,
};
const char *const ag_personal_data_ids[] = {
	"identification", "contact", "financial", "credit_history", "transaction", "health",
	"biometric", "location", "behavioural", "demographic", "employment", "criminal", NULL,
};
const char *const ag_frequency_ids[] = { "once", "annual", "semiannual", "quarterly",
					 "monthly", "continuous", NULL };

const char *ag_stage_name(int stage, bool zh)
{
	static const char *const en[] = { "planning and design", "data collection and input",
					   "model building and validation",
					   "deployment and monitoring", "retired" };
	static const char *const tw[] = { "系統規劃及設計", "資料蒐集及輸入", "模型建立及驗證",
					   "系統部署及監控", "停用" };
	if (stage < 0 || stage >= AG_NSTAGES)
		return "?";
	return zh ? tw[stage] : en[stage];
}

/* ---- parsing ---------------------------------------------------------------- */

/* The separator between a path and a key: none at the top. */
#define DOT(path) (*(path) ? "." : "")

struct parse {
	struct ag_ydoc *d;
	struct ag_arena *a;
	struct ag_err *err;
};

static bool is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* A list under key: *items and *n; absent or null is an empty list. */
static int get_list(struct parse *p, yaml_node_t *m, const char *path, const char *key,
		    yaml_node_item_t **items, size_t *n)
{
	yaml_node_t *l = ag_y_get(p->d, m, key);
	char q[300];

	*items = NULL;
	*n = 0;
	if (!l || ag_y_is_null(l))
		return 0;
	snprintf(q, sizeof(q), "%s%s%s", path, DOT(path), key);
	if (!ag_y_is_seq(l))
		return ag_y_error(p->d, l, q, p->err, "expected a list ([a, b] or '- a' lines)");
	*items = ag_y_items(l, n);
	return 0;
}

static int parse_strings(struct parse *p, yaml_node_t *m, const char *path, const char *key,
			 const char ***out, size_t *n)
{
	yaml_node_item_t *it;
	int rc = get_list(p, m, path, key, &it, n);

	if (rc || !*n)
		return rc;
	*out = ag_arena_calloc(p->a, *n, sizeof(**out));
	if (!*out)
		return ag_err_set(p->err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		char q[300];
		snprintf(q, sizeof(q), "%s%s%s[%zu]", path, DOT(path), key, i);
		if ((rc = ag_y_str_node(p->d, ag_y_node(p->d, it[i]), q, p->a, &(*out)[i], p->err)))
			return rc;
	}
	return 0;
}

static int parse_model(struct parse *p, yaml_node_t *m, const char *path,
		       struct ag_model_version *v)
{
	static const char *const keys[] = { "version", "artifact", "sha256", "signature",
					    "signed_by", NULL };
	int rc;

	if ((rc = ag_y_want_map(p->d, m, m, path, p->err)) ||
	    (rc = ag_y_only_keys(p->d, m, path, keys, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "version", true, p->a, &v->version, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "artifact", false, p->a, &v->artifact, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "sha256", true, p->a, &v->sha256, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "signature", false, p->a, &v->signature, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "signed_by", false, p->a, &v->signed_by, p->err)))
		return rc;
	if (!is_hex(v->sha256, 64))
		return ag_y_error(p->d, ag_y_get(p->d, m, "sha256"), path, p->err,
				  "sha256: expected 64 hex digits (the artifact's SHA-256)");
	if (!v->signature != !v->signed_by)
		return ag_y_error(p->d, m, path, p->err,
				  "signature and signed_by go together (Ed25519 signature and public key)");
	if (v->signature) {
		uint8_t digest[32], sig[64], pk[32];
		if (!is_hex(v->signature, 128) || !is_hex(v->signed_by, 64))
			return ag_y_error(p->d, ag_y_get(p->d, m, "signature"), path, p->err,
					  "signature: expected 128 hex digits and signed_by 64");
		ag_hex_decode(digest, 32, v->sha256, 64);
		ag_hex_decode(sig, 64, v->signature, 128);
		ag_hex_decode(pk, 32, v->signed_by, 64);
		if (sodium_init() < 0 || crypto_sign_verify_detached(sig, digest, 32, pk) != 0)
			return ag_y_error(p->d, ag_y_get(p->d, m, "signature"), path, p->err,
					  "signature: does not verify: the artifact hash or the "
					  "signature was changed, or signed_by is not the signer");
	}
	return 0;
}

static int parse_source(struct parse *p, yaml_node_t *m, const char *path,
			struct ag_data_source *s)
{
	static const char *const keys[] = { "name", "personal_data", NULL };
	yaml_node_item_t *it;
	size_t n;
	int rc;

	if ((rc = ag_y_want_map(p->d, m, m, path, p->err)) ||
	    (rc = ag_y_only_keys(p->d, m, path, keys, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "name", true, p->a, &s->name, p->err)) ||
	    (rc = get_list(p, m, path, "personal_data", &it, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		char q[300];
		int v;
		snprintf(q, sizeof(q), "%s%spersonal_data[%zu]", path, DOT(path), i);
		if ((rc = ag_y_enum_node(p->d, ag_y_node(p->d, it[i]), q, ag_personal_data_ids,
					 &v, p->err)))
			return rc;
		s->personal_data |= 1u << v;
	}
	return 0;
}

static int parse_oversight(struct parse *p, yaml_node_t *m, const char *path,
			   struct ag_oversight *o)
{
	static const char *const keys[] = { "human_override", "shutdown", "authorized",
					    "fallback", "drill_frequency", NULL };
	int rc;

	o->present = true;
	o->drill_frequency = -1;
	if ((rc = ag_y_want_map(p->d, m, m, path, p->err)) ||
	    (rc = ag_y_only_keys(p->d, m, path, keys, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "human_override", true, p->a, &o->human_override, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "shutdown", true, p->a, &o->shutdown, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "fallback", true, p->a, &o->fallback, p->err)) ||
	    (rc = parse_strings(p, m, path, "authorized", &o->authorized, &o->nauthorized)) ||
	    (rc = ag_y_enum(p->d, m, path, "drill_frequency", false, ag_frequency_ids,
			    &o->drill_frequency, p->err)))
		return rc;
	if (!o->nauthorized)
		return ag_y_error(p->d, m, path, p->err,
				  "authorized: name who may override or shut the system down");
	return 0;
}

static bool valid_jurisdiction(const char *s)
{
	return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static int parse_system(struct parse *p, yaml_node_t *m, const char *path, struct ag_system *s)
{
	static const char *const keys[] = {
		"id", "name", "purpose", "business_line", "use_case", "ai_type", "owner_unit",
		"stage", "jurisdictions", "vendor", "critical", "models", "data_sources",
		"risk_factors", "oversight", NULL,
	};
	yaml_node_item_t *it;
	yaml_node_t *rf, *ov;
	char q[300];
	size_t n;
	int rc;

	const char *where = *path ? path : "(top)";

	if ((rc = ag_y_want_map(p->d, m, m, where, p->err)) ||
	    (rc = ag_y_only_keys(p->d, m, where, keys, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "id", true, p->a, &s->id, p->err)))
		return rc;
	snprintf(q, sizeof(q), "%s%sid", path, *path ? "." : "");
	if (!ag_y_valid_id(s->id))
		return ag_y_error(p->d, ag_y_get(p->d, m, "id"), q, p->err,
				  "'%s' is not an identifier (lowercase letters, digits, - _ .; "
				  "at most 64)", s->id);
	if ((rc = ag_y_texts(p->d, m, path, "name", p->a, &s->name, p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "purpose", true, p->a, &s->purpose, p->err)) ||
	    (rc = ag_y_enum(p->d, m, path, "business_line", true, ag_business_line_ids,
			    &s->business_line, p->err)) ||
	    (rc = ag_y_enum(p->d, m, path, "use_case", true, ag_use_case_ids, &s->use_case,
			    p->err)) ||
	    (rc = ag_y_enum(p->d, m, path, "ai_type", true, ag_ai_type_ids, &s->ai_type,
			    p->err)) ||
	    (rc = ag_y_str(p->d, m, path, "owner_unit", true, p->a, &s->owner_unit, p->err)) ||
	    (rc = ag_y_enum(p->d, m, path, "stage", true, ag_stage_ids, &s->stage, p->err)) ||
	    (rc = parse_strings(p, m, path, "jurisdictions", &s->jurisdictions,
				&s->njurisdictions)) ||
	    (rc = ag_y_str(p->d, m, path, "vendor", false, p->a, &s->vendor, p->err)) ||
	    (rc = ag_y_bool(p->d, m, path, "critical", false, &s->critical, p->err)))
		return rc;
	for (size_t i = 0; i < s->njurisdictions; i++) {
		if (!valid_jurisdiction(s->jurisdictions[i])) {
			snprintf(q, sizeof(q), "%s%sjurisdictions[%zu]", path, DOT(path), i);
			return ag_y_error(p->d, ag_y_get(p->d, m, "jurisdictions"), q, p->err,
					  "'%s' is not a two-letter code such as TW or EU",
					  s->jurisdictions[i]);
		}
	}
	if (s->vendor && !ag_y_valid_id(s->vendor))
		return ag_y_error(p->d, ag_y_get(p->d, m, "vendor"), path, p->err,
				  "vendor: '%s' is not an identifier", s->vendor);
	if ((rc = get_list(p, m, path, "models", &it, &n)))
		return rc;
	s->nmodels = n;
	s->models = n ? ag_arena_calloc(p->a, n, sizeof(*s->models)) : NULL;
	if (n && !s->models)
		return ag_err_set(p->err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		snprintf(q, sizeof(q), "%s%smodels[%zu]", path, DOT(path), i);
		if ((rc = parse_model(p, ag_y_node(p->d, it[i]), q, &s->models[i])))
			return rc;
	}
	if ((rc = get_list(p, m, path, "data_sources", &it, &n)))
		return rc;
	s->nsources = n;
	s->sources = n ? ag_arena_calloc(p->a, n, sizeof(*s->sources)) : NULL;
	if (n && !s->sources)
		return ag_err_set(p->err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		snprintf(q, sizeof(q), "%s%sdata_sources[%zu]", path, DOT(path), i);
		if ((rc = parse_source(p, ag_y_node(p->d, it[i]), q, &s->sources[i])))
			return rc;
	}
	rf = ag_y_get(p->d, m, "risk_factors");
	snprintf(q, sizeof(q), "%s%srisk_factors", path, *path ? "." : "");
	if ((rc = ag_y_want_map(p->d, rf, m, q, p->err)) ||
	    (rc = ag_y_only_keys(p->d, rf, q, ag_factor_ids, p->err)))
		return rc;
	for (int f = 0; f < AG_NFACTORS; f++)
		if ((rc = ag_y_enum(p->d, rf, q, ag_factor_ids[f], true, ag_factor_levels[f],
				    &s->factors[f], p->err)))
			return rc;
	ov = ag_y_get(p->d, m, "oversight");
	snprintf(q, sizeof(q), "%s%soversight", path, *path ? "." : "");
	if (ov && !ag_y_is_null(ov) && (rc = parse_oversight(p, ov, q, &s->oversight)))
		return rc;
	if (s->critical && !s->oversight.present)
		return ag_y_error(p->d, m, q, p->err,
				  "missing: a critical system names how a person overrides it and "
				  "how it is shut down safely (human_override, shutdown, authorized, "
				  "fallback)");
	return 0;
}

int ag_systems_parse(struct ag_system_set **out, const char *text, size_t len,
		     const char *name, struct ag_err *err)
{
	struct ag_system_set *set = calloc(1, sizeof(*set));
	struct ag_ydoc d;
	struct parse p = { &d, NULL, err };
	yaml_node_t *root, *list;
	int rc;

	*out = NULL;
	if (!set)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_init(&set->arena, 0);
	p.a = &set->arena;
	rc = ag_ydoc_load(&d, text, len, name, err);
	if (rc) {
		ag_system_set_free(set);
		return rc;
	}
	root = ag_ydoc_root(&d);
	list = ag_y_get(&d, root, "systems");
	if (!root || !ag_y_is_map(root)) {
		rc = ag_y_error(&d, root, "(top)", err,
				"expected a system (id: ..., name: ...) or 'systems:' with a list");
	} else if (list) {
		static const char *const top[] = { "systems", NULL };
		yaml_node_item_t *it;
		if (!(rc = ag_y_only_keys(&d, root, "(top)", top, err)) && !ag_y_is_seq(list))
			rc = ag_y_error(&d, list, "systems", err, "expected a list of systems");
		if (!rc) {
			it = ag_y_items(list, &set->n);
			set->systems = ag_arena_calloc(&set->arena, set->n ? set->n : 1,
						       sizeof(*set->systems));
			if (!set->systems)
				rc = ag_err_set(err, AG_ENOMEM, "out of memory");
			for (size_t i = 0; !rc && i < set->n; i++) {
				char path[32];
				snprintf(path, sizeof(path), "systems[%zu]", i);
				rc = parse_system(&p, ag_y_node(&d, it[i]), path, &set->systems[i]);
			}
		}
	} else {
		set->n = 1;
		set->systems = ag_arena_calloc(&set->arena, 1, sizeof(*set->systems));
		rc = set->systems ? parse_system(&p, root, "", &set->systems[0])
				  : ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	for (size_t i = 0; !rc && i < set->n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(set->systems[i].id, set->systems[j].id)) {
				rc = ag_err_set(err, AG_EPARSE, "%s: systems[%zu].id: '%s' appears twice",
						name, i, set->systems[i].id);
				break;
			}
	ag_ydoc_release(&d);
	if (rc) {
		ag_system_set_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

int ag_systems_load(struct ag_system_set **out, const char *path, struct ag_err *err)
{
	struct ag_file_map m;
	int rc = ag_file_map(&m, path, err);

	if (rc)
		return rc;
	rc = ag_systems_parse(out, m.data, m.len, path, err);
	ag_file_unmap(&m);
	return rc;
}

void ag_system_set_free(struct ag_system_set *set)
{
	if (!set)
		return;
	ag_arena_release(&set->arena);
	free(set);
}

/* ---- writing ------------------------------------------------------------------ */

/* A YAML double-quoted scalar: safe for any UTF-8 text. */
static int yq(struct ag_buf *b, const char *s)
{
	int bad = ag_buf_addch(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			bad |= ag_buf_addch(b, '\\') | ag_buf_addch(b, (char)c);
		else if (c == '\n')
			bad |= ag_buf_addstr(b, "\\n");
		else if (c == '\t')
			bad |= ag_buf_addstr(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			bad |= ag_buf_addf(b, "\\x%02x", c);
		else
			bad |= ag_buf_addch(b, (char)c);
	}
	return bad | ag_buf_addch(b, '"');
}

static int line_str(struct ag_buf *b, int ind, const char *key, const char *v)
{
	return ag_buf_addf(b, "%*s%s: ", ind, "", key) | yq(b, v) | ag_buf_addch(b, '\n');
}

static int line_id(struct ag_buf *b, int ind, const char *key, const char *v)
{
	return ag_buf_addf(b, "%*s%s: %s\n", ind, "", key, v);
}

int ag_system_write_yaml(struct ag_buf *b, const struct ag_system *s, int ind)
{
	int bad = 0;

	bad |= line_id(b, ind, "id", s->id);
	bad |= ag_buf_addf(b, "%*sname:\n", ind, "");
	bad |= line_str(b, ind + 2, "zh-TW", s->name.zh);
	bad |= line_str(b, ind + 2, "en", s->name.en);
	bad |= line_str(b, ind, "purpose", s->purpose);
	bad |= line_id(b, ind, "business_line", ag_business_line_ids[s->business_line]);
	bad |= line_id(b, ind, "use_case", ag_use_case_ids[s->use_case]);
	bad |= line_id(b, ind, "ai_type", ag_ai_type_ids[s->ai_type]);
	bad |= line_str(b, ind, "owner_unit", s->owner_unit);
	bad |= line_id(b, ind, "stage", ag_stage_ids[s->stage]);
	bad |= ag_buf_addf(b, "%*sjurisdictions: [", ind, "");
	for (size_t i = 0; i < s->njurisdictions; i++)
		bad |= ag_buf_addf(b, "%s%s", i ? ", " : "", s->jurisdictions[i]);
	bad |= ag_buf_addstr(b, "]\n");
	if (s->vendor)
		bad |= line_id(b, ind, "vendor", s->vendor);
	bad |= line_id(b, ind, "critical", s->critical ? "true" : "false");
	if (s->nmodels)
		bad |= ag_buf_addf(b, "%*smodels:\n", ind, "");
	for (size_t i = 0; i < s->nmodels; i++) {
		const struct ag_model_version *m = &s->models[i];
		bad |= ag_buf_addf(b, "%*s- version: ", ind + 2, "") | yq(b, m->version) |
		       ag_buf_addch(b, '\n');
		if (m->artifact)
			bad |= line_str(b, ind + 4, "artifact", m->artifact);
		bad |= line_id(b, ind + 4, "sha256", m->sha256);
		if (m->signature) {
			bad |= line_id(b, ind + 4, "signature", m->signature);
			bad |= line_id(b, ind + 4, "signed_by", m->signed_by);
		}
	}
	if (s->nsources)
		bad |= ag_buf_addf(b, "%*sdata_sources:\n", ind, "");
	for (size_t i = 0; i < s->nsources; i++) {
		bool first = true;
		bad |= ag_buf_addf(b, "%*s- name: ", ind + 2, "") | yq(b, s->sources[i].name) |
		       ag_buf_addf(b, "\n%*spersonal_data: [", ind + 4, "");
		for (int k = 0; ag_personal_data_ids[k]; k++)
			if (s->sources[i].personal_data & (1u << k)) {
				bad |= ag_buf_addf(b, "%s%s", first ? "" : ", ", ag_personal_data_ids[k]);
				first = false;
			}
		bad |= ag_buf_addstr(b, "]\n");
	}
	bad |= ag_buf_addf(b, "%*srisk_factors:\n", ind, "");
	for (int f = 0; f < AG_NFACTORS; f++)
		bad |= ag_buf_addf(b, "%*s%s: \"%s\"\n", ind + 2, "", ag_factor_ids[f],
				   ag_factor_levels[f][s->factors[f]]);
	if (s->oversight.present) {
		const struct ag_oversight *o = &s->oversight;
		bad |= ag_buf_addf(b, "%*soversight:\n", ind, "");
		bad |= line_str(b, ind + 2, "human_override", o->human_override);
		bad |= line_str(b, ind + 2, "shutdown", o->shutdown);
		bad |= ag_buf_addf(b, "%*sauthorized:\n", ind + 2, "");
		for (size_t i = 0; i < o->nauthorized; i++)
			bad |= ag_buf_addf(b, "%*s- ", ind + 4, "") | yq(b, o->authorized[i]) |
			       ag_buf_addch(b, '\n');
		bad |= line_str(b, ind + 2, "fallback", o->fallback);
		if (o->drill_frequency >= 0)
			bad |= line_id(b, ind + 2, "drill_frequency",
				       ag_frequency_ids[o->drill_frequency]);
	}
	return bad ? AG_ENOMEM : 0;
}

static void json_kv(struct ag_json *j, const char *key, const char *v)
{
	ag_json_key(j, key);
	ag_json_cstr(j, v);
}

void ag_system_write_json(struct ag_json *j, const struct ag_system *s)
{
	ag_json_begin_object(j);
	json_kv(j, "id", s->id);
	ag_view_texts(j, "name", &s->name);
	json_kv(j, "purpose", s->purpose);
	json_kv(j, "business_line", ag_business_line_ids[s->business_line]);
	json_kv(j, "use_case", ag_use_case_ids[s->use_case]);
	json_kv(j, "ai_type", ag_ai_type_ids[s->ai_type]);
	json_kv(j, "owner_unit", s->owner_unit);
	json_kv(j, "stage", ag_stage_ids[s->stage]);
	ag_json_key(j, "jurisdictions");
	ag_json_begin_array(j);
	for (size_t i = 0; i < s->njurisdictions; i++)
		ag_json_cstr(j, s->jurisdictions[i]);
	ag_json_end_array(j);
	json_kv(j, "vendor", s->vendor);
	ag_json_key(j, "critical");
	ag_json_bool(j, s->critical);
	ag_json_key(j, "models");
	ag_json_begin_array(j);
	for (size_t i = 0; i < s->nmodels; i++) {
		ag_json_begin_object(j);
		json_kv(j, "version", s->models[i].version);
		json_kv(j, "artifact", s->models[i].artifact);
		json_kv(j, "sha256", s->models[i].sha256);
		json_kv(j, "signature", s->models[i].signature);
		json_kv(j, "signed_by", s->models[i].signed_by);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_key(j, "data_sources");
	ag_json_begin_array(j);
	for (size_t i = 0; i < s->nsources; i++) {
		ag_json_begin_object(j);
		json_kv(j, "name", s->sources[i].name);
		ag_json_key(j, "personal_data");
		ag_json_begin_array(j);
		for (int k = 0; ag_personal_data_ids[k]; k++)
			if (s->sources[i].personal_data & (1u << k))
				ag_json_cstr(j, ag_personal_data_ids[k]);
		ag_json_end_array(j);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_key(j, "risk_factors");
	ag_json_begin_object(j);
	for (int f = 0; f < AG_NFACTORS; f++)
		json_kv(j, ag_factor_ids[f], ag_factor_levels[f][s->factors[f]]);
	ag_json_end_object(j);
	ag_json_key(j, "oversight");
	if (!s->oversight.present) {
		ag_json_null(j);
	} else {
		const struct ag_oversight *o = &s->oversight;
		ag_json_begin_object(j);
		json_kv(j, "human_override", o->human_override);
		json_kv(j, "shutdown", o->shutdown);
		ag_json_key(j, "authorized");
		ag_json_begin_array(j);
		for (size_t i = 0; i < o->nauthorized; i++)
			ag_json_cstr(j, o->authorized[i]);
		ag_json_end_array(j);
		json_kv(j, "fallback", o->fallback);
		json_kv(j, "drill_frequency",
			o->drill_frequency >= 0 ? ag_frequency_ids[o->drill_frequency] : NULL);
		ag_json_end_object(j);
	}
	ag_json_end_object(j);
}
