/*
 * registry: the inventory of AI systems and what is recorded about them
 * (module registry, on ledger and store).
 *
 * Every mutation here runs in one write transaction with its ledger entry.
 * Functions take an open workspace (workspace.h) and the acting person;
 * results that are sets of systems are owned by the caller
 * (ag_system_set_free).  One workspace handle per thread.
 */
#ifndef AIGOV_REGISTRY_H
#define AIGOV_REGISTRY_H

#include "aigov/risk.h"
#include "aigov/system.h"
#include "aigov/workspace.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- roles: the 3+1 lines of defense ---- */
enum ag_role { AG_ROLE_ADMIN, AG_ROLE_FIRST_LINE, AG_ROLE_SECOND_LINE, AG_ROLE_THIRD_LINE,
	       AG_ROLE_BOARD };
/* admin, first_line, second_line, third_line, board (the +1); NULL */
extern const char *const ag_role_ids[];

/* Grant `role` to `who`; `actor` must be an admin.  AG_EPERM otherwise. */
int ag_role_grant(struct ag_workspace *ws, const char *actor, const char *who, int role,
		  struct ag_err *err);
int ag_role_has(struct ag_workspace *ws, const char *who, int role, bool *has,
		struct ag_err *err);
/* Call fn(ctx, actor, role id, granted_by, granted_at) for every grant. */
int ag_role_list(struct ag_workspace *ws,
		 void (*fn)(void *ctx, const char *who, const char *role, const char *by,
			    const char *at),
		 void *ctx, struct ag_err *err);

/* ---- systems ---- */

/*
 * Register every system of the nsets sets (all or none, one transaction).
 * A system already
 * registered is refused (AG_EEXIST) unless `replace`; a replacement keeps
 * the lifecycle stage (use the stage gate to change it).  Ledger entries:
 * system.register / system.update, with the descriptor as JSON.
 */
int ag_registry_add(struct ag_workspace *ws, struct ag_system_set *const *sets,
		    size_t nsets, const char *actor, bool replace, struct ag_err *err);
/* One system (AG_ENOTFOUND), or all of them in id order (id NULL). */
int ag_registry_load(struct ag_workspace *ws, const char *id, struct ag_system_set **out,
		     struct ag_err *err);

/* ---- assessments ---- */

struct ag_assessment_info {
	int revision;        /* 1, 2, ... per system */
	char assessed_at[32];
	char next_due[16];   /* YYYY-MM-DD */
	int tier;            /* final: computed, or the override */
	bool overridden;
};

/*
 * Assess system `id` with method m, record it (assessment table and an
 * assess.record ledger entry with inputs, method version and hash, result
 * and any override).  override_tier >= 0 sets the tier by hand: only a
 * second_line actor may, with a justification of at least 20 characters.
 * When the method or catalog file changed since last recorded, a
 * catalog.loaded entry records their versions and hashes first.
 */
int ag_registry_assess(struct ag_workspace *ws, const char *id,
		       const struct ag_risk_method *m, const struct ag_catalog *c,
		       const char *actor, int override_tier, const char *justification,
		       struct ag_assessment *a, struct ag_assessment_info *info,
		       struct ag_buf *json, struct ag_err *err);
/* (json, when not NULL, receives the result as the ledger entry records it.) */
/* The latest assessment of a system: *found false when never assessed. */
int ag_registry_latest_assessment(struct ag_workspace *ws, const char *id,
				  struct ag_assessment_info *info, bool *found,
				  struct ag_err *err);

/* ---- evidence, approvals, gaps, the stage gate ---- */

/*
 * Record evidence for control `control_id` of system `id`: a file (its
 * SHA-256 and size are stored, the file is not copied) or, with is_url, a
 * link.  The control must be in the catalog.  Ledger: evidence.add.
 */
int ag_evidence_add(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
		    const char *control_id, const char *location, bool is_url,
		    const char *note, const char *actor, char sha256_out[65],
		    struct ag_err *err);
/*
 * Record evidence uploaded as bytes (data, len > 0), named `name` by the
 * uploader (1..200 bytes of UTF-8, no '/', '\' or control characters;
 * shown, never used as a path).  The bytes are kept in the workspace under
 * .aigov/evidence/SHA256, written before the transaction, so that a row
 * never names a missing file; the location recorded is "upload:NAME".
 */
int ag_evidence_add_bytes(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
			  const char *control_id, const char *name, const void *data, size_t len,
			  const char *note, const char *actor, char sha256_out[65],
			  struct ag_err *err);
/*
 * The uploaded evidence file of system `id` whose SHA-256 is `sha256` (64
 * lowercase hex digits): its bytes into out, the uploader's name for it
 * into name.  AG_ENOTFOUND when no evidence of id has that hash or the
 * file is not kept in the workspace (evidence recorded from a path is
 * hashed, not copied); AG_ECORRUPT when the kept bytes no longer hash to
 * it (the evidence folder was altered).
 */
int ag_evidence_file(struct ag_workspace *ws, const char *id, const char *sha256,
		     struct ag_buf *out, char *name, size_t name_cap, struct ag_err *err);

/*
 * Maker-checker approval of a control of a system.  The maker is whoever
 * added the control's latest evidence (or, when there is none, whoever
 * last registered the system); the approver (`actor`) must be someone else
 * and hold role second_line.  AG_EPERM otherwise.  Ledger: approval.grant.
 */
int ag_approve(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
	       const char *control_id, const char *note, const char *actor,
	       struct ag_err *err);

enum ag_gap_status { AG_GAP_MET, AG_GAP_MISSING, AG_GAP_OVERDUE, AG_GAP_NOT_APPLICABLE,
		     AG_GAP_LATER };
extern const char *const ag_gap_status_ids[]; /* met, missing, overdue, not_applicable, later */

struct ag_gap_item {
	const struct ag_control *control;
	int status;
	char due[16];   /* YYYY-MM-DD the next evidence is due; "" when none */
	char last[32];  /* when the latest evidence or approval was recorded; "" */
};

struct ag_gap_report {
	int tier;                  /* -1 when never assessed */
	bool assessment_overdue;
	char assessment_due[16];
	size_t n;                  /* one item per catalog control */
	struct ag_gap_item *items; /* malloc'd; ag_gap_report_release */
	size_t missing, overdue;   /* of required controls */
	char *vendor_findings;     /* lines about the system's vendor; malloc'd or NULL */
	size_t nvendor;            /* how many lines */
};

/*
 * Status of every control for system s at time now (microseconds): not
 * applicable (tier or scope), later (a later lifecycle stage), met (valid
 * evidence, or approval for approval controls, within its frequency),
 * overdue (it expired), missing.  Controls of the current and earlier
 * stages are required.  A system never assessed is evaluated as high and
 * reported with tier -1.  A vendor-supplied system also gets the vendor's
 * findings (operations.h): unregistered, failed due diligence, missing
 * contract clauses, overdue review.
 */
int ag_gaps(struct ag_workspace *ws, const struct ag_catalog *c, const struct ag_system *s,
	    int64_t now, struct ag_gap_report *out, struct ag_err *err);
/* Whether anything required is missing or overdue (what gaps and the
 * stage gate refuse on). */
bool ag_gap_report_blocks(const struct ag_gap_report *r);
void ag_gap_report_release(struct ag_gap_report *r);

/*
 * Move system `id` to `to`: only to the next stage, or to retired.  Refused
 * (AG_EPERM, the report in *blocking lists why) while the system has no
 * current assessment or a required control is missing or overdue.  Ledger:
 * system.stage.
 */
int ag_stage_advance(struct ag_workspace *ws, const struct ag_catalog *c, const char *id,
		     int to, const char *actor, int64_t now, struct ag_gap_report *blocking,
		     struct ag_err *err);

/* Where the workspace's policy files are: .aigov/catalog/{controls,risk-method}.yaml. */
int ag_registry_policy(struct ag_workspace *ws, struct ag_catalog **c,
		       struct ag_risk_method **m, struct ag_err *err);

#endif
