/*
 * atomic_file: write a file so that it appears complete or not at all
 * (module base).
 *
 * The content goes to a temporary file in the same directory, which is
 * fsync'ed and renamed over the target, and then the directory is
 * fsync'ed, so that an acknowledged write survives a crash.  A failed
 * fsync is never retried: the kernel may have dropped the dirty pages
 * (PostgreSQL's fsync lesson); the write fails instead.
 *
 * Not thread-safe per object.  The struct owns its FILE and paths until
 * ag_atomic_commit or ag_atomic_abort, which free them.
 */
#ifndef AIGOV_ATOMIC_FILE_H
#define AIGOV_ATOMIC_FILE_H

#include "aigov/err.h"

#include <stdio.h>

struct ag_atomic_file {
	FILE *f;      /* write the content here */
	char *path;   /* the target */
	char *tmp;    /* the temporary file */
};

/* mode: permission bits of the new file (e.g. 0644), before the umask. */
int ag_atomic_open(struct ag_atomic_file *a, const char *path, int mode,
		   struct ag_err *err);
/* Flush, fsync, rename into place, fsync the directory. */
int ag_atomic_commit(struct ag_atomic_file *a, struct ag_err *err);
/* Discard the temporary file; the target is untouched. */
void ag_atomic_abort(struct ag_atomic_file *a);

/* fsync a directory; EINVAL/EBADF (file systems that cannot) are not errors. */
int ag_fsync_dir(const char *dir, struct ag_err *err);

#endif
