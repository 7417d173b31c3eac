/*
 * risk: the control catalog, the risk method and the assessment of a
 * system (module risk).  Policy is data: catalog/controls.yaml and
 * catalog/risk-method.yaml hold what an institution tunes
 * (docs/registry-formats.md); this module holds the mechanism.
 *
 * A loaded catalog or method owns its strings (arena) and is freed with
 * its _free function.  Assessment is a pure function of a system, a
 * method and a catalog: thread-safe.
 */
#ifndef AIGOV_RISK_H
#define AIGOV_RISK_H

#include "aigov/arena.h"
#include "aigov/err.h"
#include "aigov/json.h"
#include "aigov/system.h"
#include "aigov/yamldoc.h"

#include <stdbool.h>
#include <stddef.h>

enum ag_tier { AG_TIER_LOW, AG_TIER_MEDIUM, AG_TIER_HIGH, AG_NTIERS };
extern const char *const ag_tier_ids[];       /* "low", "medium", "high" */
const char *ag_tier_name(int tier, bool zh);  /* 低 / 中 / 高 */

enum ag_evidence_kind { AG_EV_DOCUMENT, AG_EV_EVALUATION, AG_EV_APPROVAL, AG_EV_ATTESTATION };
extern const char *const ag_evidence_kind_ids[];
#define AG_NPRINCIPLES 6
extern const char *const ag_principle_ids[];  /* governance ... sustainability */

/* ---- control catalog ---- */

struct ag_control_scope {
	int vendor, generative, critical, customer_facing, personal_data; /* -1 any, 0/1 */
	unsigned use_cases;        /* bit per use case; 0: any */
	unsigned exempt_use_cases; /* bit per use case */
};

/* met_by in the catalog: aigov's own records that meet a control. */
enum ag_met_by { AG_MET_BY_EVIDENCE, AG_MET_BY_ASSESSMENT, AG_MET_BY_DRILL };

struct ag_control {
	const char *id;
	int principle;          /* index in ag_principle_ids */
	struct ag_texts title, description;
	unsigned stages;        /* bit per enum ag_stage */
	unsigned tiers;         /* bit per enum ag_tier */
	int frequency[AG_NTIERS]; /* index in ag_frequency_ids, -1 where not required */
	int evidence;           /* enum ag_evidence_kind */
	int met_by;             /* enum ag_met_by: what besides evidence meets it */
	struct ag_control_scope scope;
	const char *source;
	const char **iso42001, **nist, **euaia;
	size_t niso42001, nnist, neuaia;
};

struct ag_catalog {
	struct ag_arena arena;
	const char *version;
	struct ag_texts note;
	struct ag_texts principle_names[AG_NPRINCIPLES];
	struct ag_control *controls;
	size_t ncontrols;
	char sha256[65]; /* of the file, recorded in the ledger */
};

int ag_catalog_load(struct ag_catalog **out, const char *path, struct ag_err *err);
int ag_catalog_parse(struct ag_catalog **out, const char *text, size_t len,
		     const char *name, struct ag_err *err);
void ag_catalog_free(struct ag_catalog *c);
const struct ag_control *ag_catalog_find(const struct ag_catalog *c, const char *id);

/* Coverage and consistency beyond what parsing checks: every principle has
 * controls in every stage; the guideline's high-risk measures (record
 * keeping, continuous monitoring, audit, periodic evaluation) are required
 * for high.  Findings are appended to *findings (one line each); returns
 * their number. */
size_t ag_catalog_check(const struct ag_catalog *c, struct ag_buf *findings);

/* Whether control c applies to system s at tier t (scope and tier). */
bool ag_control_applies(const struct ag_control *c, const struct ag_system *s, int tier);

/* ---- risk method ---- */

#define AG_MAX_RULES 32
struct ag_risk_rule {
	const char *id;
	int use_case, business_line, ai_type; /* -1: any */
	int factor_level[AG_NFACTORS];        /* -1: any */
	int tier;
	struct ag_texts reason;
};

struct ag_risk_method {
	struct ag_arena arena;
	const char *version;
	struct ag_texts note;
	struct ag_texts factor_names[AG_NFACTORS];
	int points[AG_NFACTORS][AG_MAX_LEVELS];
	int ntiers;
	int tier_order[AG_NTIERS];   /* tiers in the order checked */
	int tier_min[AG_NTIERS];     /* min points, same order */
	struct ag_risk_rule rules[AG_MAX_RULES];
	size_t nrules;
	int reassess_months[AG_NTIERS];
	char sha256[65];
};

int ag_risk_method_load(struct ag_risk_method **out, const char *path, struct ag_err *err);
int ag_risk_method_parse(struct ag_risk_method **out, const char *text, size_t len,
			 const char *name, struct ag_err *err);
void ag_risk_method_free(struct ag_risk_method *m);

/* The policy files shipped in catalog/, built into the library:
 * "controls.yaml", "risk-method.yaml" or "thresholds.yaml"; NULL for
 * another name.  Static
 * data, not to be freed. */
const char *ag_builtin_policy(const char *name, size_t *len);

/* ---- assessment ---- */

enum ag_eu_class { AG_EU_MINIMAL, AG_EU_LIMITED, AG_EU_HIGH, AG_EU_PROHIBITED };
extern const char *const ag_eu_class_ids[];

struct ag_assessment {
	int points;
	int factor_points[AG_NFACTORS];
	int computed_tier;     /* from points and rules */
	int points_tier;       /* from points alone */
	const struct ag_risk_rule *rules[AG_MAX_RULES]; /* rules that raised the tier */
	size_t nrules;
	bool remedy_exempt;      /* AML / fraud: no remedy option needed (FSC FAQ 2025-07-03) */
	bool disclosure_limited; /* AML, fraud: disclosure may be limited */
	int eu_class;
	const char *eu_basis;    /* "Annex III 5(b)", ... */
	bool eu_applies;         /* EU among the jurisdictions */
	bool bankers_rule;       /* in scope of the Bankers Association rule Art. 3 */
	const char *bankers_basis;
};

/* Score system s with method m.  Pure. */
void ag_assess(const struct ag_system *s, const struct ag_risk_method *m,
	       struct ag_assessment *a);

#endif
