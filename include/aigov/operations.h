/*
 * operations: third parties, human oversight, incidents, appeals and the
 * survey statistics (module registry).  Every mutation is one write
 * transaction with its ledger entry; functions take an open workspace and
 * the acting person.  One workspace handle per thread.
 */
#ifndef AIGOV_OPERATIONS_H
#define AIGOV_OPERATIONS_H

#include "aigov/json.h"
#include "aigov/registry.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- vendors (FSC guideline, third-party oversight) ---- */

/* Contract clauses the guideline's third-party items ask for. */
extern const char *const ag_clause_ids[]; /* liability, data_protection,
	subcontracting_consent, audit_rights, exit_plan */
extern const char *const ag_review_result_ids[]; /* pass, conditional, fail */

/*
 * Register (or, with replace, update) a vendor from YAML
 * (docs/registry-formats.md#vendor-descriptor).  Errors name file, line and
 * path.  Ledger: vendor.register / vendor.update.
 */
int ag_vendor_add_file(struct ag_workspace *ws, const char *path, const char *actor,
		       bool replace, char *id_out, size_t id_cap, struct ag_err *err);
/* The same from text[0..len) (YAML, or JSON, which YAML reads), named
 * `name` in errors; `id`, when not NULL, must be the descriptor's id. */
int ag_vendor_add(struct ag_workspace *ws, const char *text, size_t len, const char *name,
		  const char *id, const char *actor, bool replace, char *id_out, size_t id_cap,
		  struct ag_err *err);
/* Record a periodic review (result index in ag_review_result_ids). */
int ag_vendor_review(struct ag_workspace *ws, const char *id, int result, const char *note,
		     const char *actor, struct ag_err *err);
/* The vendor as JSON (descriptor, reviews, next review due), for show. */
int ag_vendor_json(struct ag_workspace *ws, const char *id, struct ag_json *j,
		   struct ag_err *err);
/* Findings for the gap report of a system supplied by `vendor`: one line
 * each appended to *out ("vendor acme: contract lacks exit_plan"), their
 * number in *n. */
int ag_vendor_findings(struct ag_workspace *ws, const char *vendor, int64_t now,
		       struct ag_buf *out, size_t *n, struct ag_err *err);
/* Call fn for each vendor id in order. */
int ag_vendor_list(struct ag_workspace *ws, void (*fn)(void *ctx, const char *id,
						       const char *descriptor_json),
		   void *ctx, struct ag_err *err);

/* ---- human oversight: emergency shutdown, resumption, drills ---- */

enum ag_oversight_kind { AG_OV_SHUTDOWN, AG_OV_RESUME, AG_OV_DRILL };
extern const char *const ag_oversight_kind_ids[]; /* shutdown, resume, drill */

/*
 * Record that a system was shut down, resumed, or that a shutdown drill
 * took place.  The actor needs role first_line or second_line; only a
 * running system can be shut down and only a shut-down one resumed; a
 * reason is required.  Drills meet controls with `met_by: drill`.
 * Ledger: oversight.shutdown / oversight.resume / oversight.drill.
 */
int ag_oversight_record(struct ag_workspace *ws, const char *id, int kind,
			const char *reason, const char *actor, struct ag_err *err);
/* Whether the system is shut down now. */
int ag_oversight_is_shut_down(struct ag_workspace *ws, const char *id, bool *down,
			      struct ag_err *err);

/* ---- incidents ---- */

extern const char *const ag_severity_ids[]; /* low, medium, high, critical */
/* Hours to notify after a personal-data breach is opened (a policy
 * default stated in docs/cli.md: 72 hours). */
#define AG_BREACH_NOTIFY_HOURS 72

int ag_incident_open(struct ag_workspace *ws, const char *id, const char *title,
		     int severity, bool breach, const char *actor, int64_t *incident_id,
		     struct ag_err *err);
/* Any of root_cause, remediation may be NULL; notified marks the breach
 * notification as done. */
int ag_incident_update(struct ag_workspace *ws, int64_t incident_id, const char *root_cause,
		       const char *remediation, bool notified, const char *actor,
		       struct ag_err *err);
int ag_incident_close(struct ag_workspace *ws, int64_t incident_id, const char *resolution,
		      const char *actor, struct ag_err *err);

/* ---- appeals: a customer contests an AI decision ---- */

extern const char *const ag_appeal_outcome_ids[]; /* upheld, overturned, amended */

int ag_appeal_add(struct ag_workspace *ws, const char *id, const char *decision_ref,
		  const char *reason, const char *actor, int64_t *appeal_id,
		  struct ag_err *err);
int ag_appeal_resolve(struct ag_workspace *ws, int64_t appeal_id, int outcome,
		      const char *note, const char *actor, struct ag_err *err);

/* Open incidents and appeals, overdue breach notifications, as JSON rows. */
int ag_cases_json(struct ag_workspace *ws, const char *table, struct ag_json *j,
		  struct ag_err *err);

/* ---- evaluations and explanations ---- */

/* Record an evaluation of system `id` (payload: the JSON object aigov
 * evaluate builds: dataset fingerprints, parameters, metrics, check
 * statuses).  Ledger: evaluation.record. */
int ag_evaluation_record(struct ag_workspace *ws, const char *id, const char *payload,
			 size_t len, const char *actor, struct ag_err *err);
/* Record a global explanation of system `id` (payload: the JSON object
 * aigov explain --global builds: model and data fingerprints, parameters,
 * the feature ranking and monitoring of directions).  Ledger:
 * explanation.record. */
int ag_explanation_record(struct ag_workspace *ws, const char *id, const char *payload,
			  size_t len, const char *actor, struct ag_err *err);

/* ---- survey statistics ---- */

/* The counts a regulator's survey asks for, as one JSON object: systems by
 * business line, use case, AI type, stage and tier, generative AI use,
 * vendor-supplied share, critical systems, open incidents and appeals. */
int ag_stats_json(struct ag_workspace *ws, struct ag_json *j, struct ag_err *err);

#endif
