/*
 * Risk assessment of one system (risk.h): the FSC factors scored by the
 * institution's method, overriding rules, and the classifications the
 * guideline's neighbours ask for (EU AI Act, the Bankers Association rule).
 * Pure: no store, no clock.
 */
#include "aigov/risk.h"

#include <string.h>

const char *const ag_eu_class_ids[] = { "minimal", "limited", "high", "prohibited", NULL };

static bool rule_matches(const struct ag_risk_rule *r, const struct ag_system *s)
{
	if (r->use_case >= 0 && r->use_case != s->use_case)
		return false;
	if (r->business_line >= 0 && r->business_line != s->business_line)
		return false;
	if (r->ai_type >= 0 && r->ai_type != s->ai_type)
		return false;
	for (int f = 0; f < AG_NFACTORS; f++)
		if (r->factor_level[f] >= 0 && r->factor_level[f] != s->factors[f])
			return false;
	return true;
}

static bool has_personal(const struct ag_system *s, const char *category)
{
	for (int k = 0; ag_personal_data_ids[k]; k++)
		if (!strcmp(ag_personal_data_ids[k], category))
			for (size_t i = 0; i < s->nsources; i++)
				if (s->sources[i].personal_data & (1u << k))
					return true;
	return false;
}

/*
 * EU AI Act (Reg. 2024/1689).  Annex III 5(b): creditworthiness of natural
 * persons (fraud detection excluded); 5(c): risk assessment and pricing in
 * life and health insurance, approximated here as insurance underwriting
 * that uses health data.  Art. 50: systems that interact with people or
 * generate content.  Prohibited practices (Art. 5) cannot be read off a
 * descriptor: none of the listed use cases is one.
 */
static void eu_class(const struct ag_system *s, struct ag_assessment *a)
{
	a->eu_applies = false;
	for (size_t i = 0; i < s->njurisdictions; i++)
		if (!strcmp(s->jurisdictions[i], "EU"))
			a->eu_applies = true;
	if (s->use_case == AG_UC_CREDIT_SCORING) {
		a->eu_class = AG_EU_HIGH;
		a->eu_basis = "Annex III 5(b) creditworthiness";
	} else if (s->business_line == AG_BL_INSURANCE && s->use_case == AG_UC_UNDERWRITING &&
		   has_personal(s, "health")) {
		a->eu_class = AG_EU_HIGH;
		a->eu_basis = "Annex III 5(c) life and health insurance pricing";
	} else if (s->ai_type == AG_AI_GENERATIVE || s->use_case == AG_UC_CHATBOT) {
		a->eu_class = AG_EU_LIMITED;
		a->eu_basis = "Art. 50 transparency";
	} else {
		a->eu_class = AG_EU_MINIMAL;
		a->eu_basis = s->use_case == AG_UC_FRAUD ? "fraud detection is excluded from Annex III 5(b)"
							 : "no Annex III use";
	}
}

/*
 * Bankers Association AI rule, Art. 3 (second-hand summary in
 * REGULATORY.md): AI that interacts directly with consumers and advises
 * them, or affects their transaction rights, or is material to operations.
 * Its Q&A: a fraud model affects rights only when it blocks transactions
 * itself.
 */
static void bankers(const struct ag_system *s, struct ag_assessment *a)
{
	a->bankers_rule = false;
	a->bankers_basis = "not a bank";
	if (s->business_line != AG_BL_BANK)
		return;
	a->bankers_basis = "internal, not material to operations";
	if (s->factors[AG_F_CUSTOMER_FACING] == 2) {
		a->bankers_rule = true;
		a->bankers_basis = "serves consumers directly";
	} else if (s->factors[AG_F_CUSTOMER_FACING] == 1) {
		a->bankers_rule = true;
		a->bankers_basis = "material to operations";
	} else if (s->use_case == AG_UC_FRAUD && s->factors[AG_F_AUTONOMY] == 2) {
		a->bankers_rule = true;
		a->bankers_basis = "blocks transactions itself (affects transaction rights)";
	}
}

void ag_assess(const struct ag_system *s, const struct ag_risk_method *m,
	       struct ag_assessment *a)
{
	memset(a, 0, sizeof(*a));
	/* FSC FAQ 2025-07-03: AML and fraud systems need no remedy option,
	 * and may limit disclosure; their missing remedy is by design, so it
	 * adds no points. */
	a->remedy_exempt = s->use_case == AG_UC_AML_KYC || s->use_case == AG_UC_FRAUD;
	a->disclosure_limited = a->remedy_exempt;
	for (int f = 0; f < AG_NFACTORS; f++) {
		a->factor_points[f] = m->points[f][s->factors[f]];
		if (f == AG_F_REMEDY && a->remedy_exempt)
			a->factor_points[f] = 0;
		a->points += a->factor_points[f];
	}
	a->points_tier = AG_TIER_LOW;
	for (int i = 0; i < m->ntiers; i++)
		if (a->points >= m->tier_min[i]) {
			a->points_tier = m->tier_order[i];
			break;
		}
	a->computed_tier = a->points_tier;
	for (size_t i = 0; i < m->nrules; i++) {
		const struct ag_risk_rule *r = &m->rules[i];
		if (rule_matches(r, s) && r->tier > a->points_tier) {
			a->rules[a->nrules++] = r;
			if (r->tier > a->computed_tier)
				a->computed_tier = r->tier;
		}
	}
	eu_class(s, a);
	bankers(s, a);
}
