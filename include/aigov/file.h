/*
 * file: reading input files.
 *
 * - ag_source: a streaming byte source over a file, standard input ("-"),
 *   or a caller's memory.  Memory use is the caller's buffer, whatever the
 *   file size; this is what the CSV reader uses, so that a 100 GB file is
 *   read with a few MiB.
 * - ag_file_map: the whole content at once, mmap(2)ed for regular files
 *   (no copy, pages shared with the page cache) and read into memory for
 *   pipes.  For inputs that are parsed as a whole (YAML, JSON, models).
 *
 * Errors name the file and the system's reason.  Not thread-safe per object.
 */
#ifndef AIGOV_FILE_H
#define AIGOV_FILE_H

#include "aigov/err.h"

#include <stdbool.h>
#include <stddef.h>

struct ag_source {
	int fd;              /* -1 for a memory source */
	bool owns_fd;        /* close fd on ag_source_close */
	const char *mem;     /* memory source: borrowed, not freed */
	size_t mem_len, mem_pos;
	bool limited;        /* a range of a file: at most `remaining` more bytes */
	unsigned long long remaining;
	char *name;          /* for messages; owned */
};

/* Open path for reading; "-" is standard input (not closed afterwards). */
int ag_source_open(struct ag_source *src, const char *path, struct ag_err *err);
/* The bytes [off, off + len) of the regular file at path (for readers
 * that share a file's parts between threads).  AG_EIO for a pipe. */
int ag_source_open_range(struct ag_source *src, const char *path,
			 unsigned long long off, unsigned long long len,
			 struct ag_err *err);
/* A source over mem[0..len), which must outlive the source. */
int ag_source_open_mem(struct ag_source *src, const char *mem, size_t len,
		       const char *name, struct ag_err *err);
/* Read up to cap bytes into buf; *got is 0 only at end of input.
 * Retries on EINTR. */
int ag_source_read(struct ag_source *src, char *buf, size_t cap, size_t *got,
		   struct ag_err *err);
void ag_source_close(struct ag_source *src);

struct ag_file_map {
	const char *data; /* NUL-terminated for convenience; len excludes it */
	size_t len;
	bool mapped;      /* munmap vs free */
	size_t map_len;
};

/* Load path ("-" for standard input) whole.  Release with ag_file_unmap. */
int ag_file_map(struct ag_file_map *m, const char *path, struct ag_err *err);
void ag_file_unmap(struct ag_file_map *m);

/* The SHA-256 of the file at path as 64 lowercase hex digits (hex[64] is
 * NUL) and its size in bytes: the fingerprint the ledger records. */
int ag_file_sha256(const char *path, char hex[65], unsigned long long *size,
		   struct ag_err *err);

#endif
