/*
 * Private to src/registry: what every mutation does the same way.  Each
 * opens a write transaction, changes rows, records its ledger entry with
 * reg_record, and ends with reg_finish (commit, or roll back on error).
 */
#ifndef AIGOV_REGISTRY_INTERNAL_H
#define AIGOV_REGISTRY_INTERNAL_H

#include "aigov/buf.h"
#include "aigov/workspace.h"

#include <stdbool.h>

/* A ledger entry whose payload is the JSON in b (failed: the writer ran
 * out of memory). */
int reg_record(struct ag_workspace *ws, const char *actor, const char *action,
	       const char *subject, const struct ag_buf *b, bool failed, struct ag_err *err);
/* Commit when rc is 0, else roll back; returns the outcome. */
int reg_finish(struct ag_workspace *ws, int rc, struct ag_err *err);
/* AG_ENOTFOUND unless system `id` is registered. */
int reg_need_system(struct ag_workspace *ws, const char *id, struct ag_err *err);

#endif
