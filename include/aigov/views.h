/*
 * views: the JSON forms of what the registry and the ledger report, shared
 * by `aigov ... --json` and the server's API (module registry).  Each
 * writes one JSON value into a writer the caller owns; nothing is kept.
 * Field names are documented in docs/cli.md and docs/serve.md.
 */
#ifndef AIGOV_VIEWS_H
#define AIGOV_VIEWS_H

#include "aigov/json.h"
#include "aigov/ledger.h"
#include "aigov/registry.h"
#include "aigov/workspace.h"

/* {system, stage, tier, assessment_due, assessment_overdue, missing,
 *  overdue, vendor_findings: [..], controls: [{id, status, due, last}]} */
void ag_view_gap_report(struct ag_json *j, const struct ag_system *s,
			const struct ag_gap_report *r);

/* {intact, entries, checkpoints, signed_entries, signed_root, key_id,
 *  problem_count, problems: [..]} */
void ag_view_verify_report(struct ag_json *j, const struct ag_verify_report *rep);

/* {seq, time, actor, action, subject, payload, prev, hash} */
void ag_view_ledger_entry(struct ag_json *j, const struct ag_ledger_entry *e);

/* key: {en, zh-TW} (inside an object) */
void ag_view_texts(struct ag_json *j, const char *key, const struct ag_texts *t);

/* {id, principle, title: {en, zh-TW}, description: {en, zh-TW}, stages: [..],
 *  tiers: [..], frequency: {tier: how often}, evidence, source} */
void ag_view_control(struct ag_json *j, const struct ag_control *k);

/* {id, tree_size, root, time, key_id, signature} */
void ag_view_checkpoint(struct ag_json *j, const struct ag_ledger_checkpoint *c);

/* {seq, leaf_index, tree_size, leaf_hash, path: [hex], checkpoint,
 *  signature_valid, verified} */
void ag_view_inclusion_check(struct ag_json *j, const struct ag_inclusion_check *c);

/* {old, new (checkpoints), path: [hex], signatures_valid, verified} */
void ag_view_consistency_check(struct ag_json *j, const struct ag_consistency_check *c);

#endif
