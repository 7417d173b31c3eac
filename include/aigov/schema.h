/*
 * schema: the versioned schema of aigov's store and its migrations
 * (module store).
 *
 * Migrations are numbered from 1 and only ever appended; a database
 * records the versions applied in table aigov_schema.  A database newer
 * than this program is refused rather than misread.
 */
#ifndef AIGOV_SCHEMA_H
#define AIGOV_SCHEMA_H

#include "aigov/store.h"

/* The newest schema version this program knows. */
int ag_schema_latest(void);

/* The version of the open database: 0 for an empty one. */
int ag_schema_version(struct ag_store *s, int *version, struct ag_err *err);

/*
 * Bring the database to the latest version.  Must run inside a write
 * transaction, so that the caller can record the migration in the ledger
 * in the same transaction.  *from and *to tell what was done (equal when
 * nothing was).  AG_EINVAL when the database is newer than this program.
 */
int ag_schema_migrate(struct ag_store *s, int *from, int *to, struct ag_err *err);

#endif
