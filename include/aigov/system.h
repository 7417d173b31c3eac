/*
 * system: AI system descriptors (module registry).
 *
 * The one documentation standard of the inventory: what a system is, who
 * owns it, its models, data and risk factors (docs/registry-formats.md).
 * Parsed from YAML with errors that name the path; written back as
 * canonical YAML (for export and storage) and JSON (for --json and the
 * ledger), so that add -> export -> add round-trips exactly.
 *
 * A struct ag_system_set owns everything its systems point to (one arena);
 * free it with ag_system_set_free.  Pure data, thread-safe to read.
 */
#ifndef AIGOV_SYSTEM_H
#define AIGOV_SYSTEM_H

#include "aigov/arena.h"
#include "aigov/buf.h"
#include "aigov/err.h"
#include "aigov/json.h"
#include "aigov/yamldoc.h"

#include <stdbool.h>
#include <stddef.h>

/* The FSC guideline's four lifecycle stages, and retirement. */
enum ag_stage { AG_STAGE_PLANNING, AG_STAGE_DATA, AG_STAGE_MODELLING,
		AG_STAGE_DEPLOYMENT, AG_STAGE_RETIRED, AG_NSTAGES };
enum ag_business_line { AG_BL_BANK, AG_BL_INSURANCE, AG_BL_SECURITIES, AG_BL_OTHER };
enum ag_use_case { AG_UC_CREDIT_SCORING, AG_UC_AML_KYC, AG_UC_FRAUD, AG_UC_CHATBOT,
		   AG_UC_INTERNAL_ADMIN, AG_UC_INVESTMENT_ADVICE, AG_UC_UNDERWRITING,
		   AG_UC_CLAIMS, AG_UC_MARKETING, AG_UC_MARKET_SURVEILLANCE, AG_UC_OTHER };
enum ag_ai_type { AG_AI_ML, AG_AI_DL, AG_AI_GENERATIVE, AG_AI_RULE_ASSISTED };

/* The six FSC risk factors; the order of their levels is fixed (from
 * least to most risk), their points are policy (risk-method.yaml). */
enum ag_factor { AG_F_CUSTOMER_FACING, AG_F_PERSONAL_DATA, AG_F_AUTONOMY,
		 AG_F_COMPLEXITY, AG_F_IMPACT, AG_F_REMEDY, AG_NFACTORS };
#define AG_MAX_LEVELS 4

/* NULL-terminated id lists, index = enum value. */
extern const char *const ag_stage_ids[];
extern const char *const ag_business_line_ids[];
extern const char *const ag_use_case_ids[];
extern const char *const ag_ai_type_ids[];
extern const char *const ag_factor_ids[];
extern const char *const *const ag_factor_levels[AG_NFACTORS];
extern const char *const ag_personal_data_ids[];
extern const char *const ag_frequency_ids[];

/* Names people read. */
const char *ag_stage_name(int stage, bool zh);

struct ag_model_version {
	const char *version, *artifact, *sha256, *signature, *signed_by;
};

struct ag_data_source {
	const char *name;
	unsigned personal_data; /* bit i: ag_personal_data_ids[i] */
};

struct ag_oversight {
	bool present;
	const char *human_override, *shutdown, *fallback;
	const char **authorized;
	size_t nauthorized;
	int drill_frequency; /* index in ag_frequency_ids, -1 when not given */
};

struct ag_system {
	const char *id;
	struct ag_texts name;
	const char *purpose, *owner_unit, *vendor;
	int business_line, use_case, ai_type, stage;
	const char **jurisdictions;
	size_t njurisdictions;
	bool critical;
	struct ag_model_version *models;
	size_t nmodels;
	struct ag_data_source *sources;
	size_t nsources;
	int factors[AG_NFACTORS]; /* level index per factor */
	struct ag_oversight oversight;
};

struct ag_system_set {
	struct ag_arena arena;
	struct ag_system *systems;
	size_t n;
};

/* Parse one system or a `systems:` list.  Model signatures are checked
 * (Ed25519 over the raw SHA-256) when given. */
int ag_systems_parse(struct ag_system_set **out, const char *text, size_t len,
		     const char *name, struct ag_err *err);
int ag_systems_load(struct ag_system_set **out, const char *path, struct ag_err *err);
void ag_system_set_free(struct ag_system_set *set);

/* Canonical YAML of one system (fixed key order, quoted strings), as a
 * mapping at `indent` spaces; parses back to the same system. */
int ag_system_write_yaml(struct ag_buf *out, const struct ag_system *s, int indent);
/* The system as a JSON object. */
void ag_system_write_json(struct ag_json *j, const struct ag_system *s);

#endif
