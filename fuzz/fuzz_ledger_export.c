/*
 * libFuzzer target for the ledger export verifier (ag_ledger_verify_export,
 * include/aigov/ledger.h): an auditor runs it on a file they were sent, so
 * every byte of it is hostile.
 *
 * The input is written to one temp file (the reader takes a path) and
 * verified with a fixed public key.  The reader must never crash; a file it
 * cannot read is an error naming the file; a file it can read gives a
 * report whose problem list is consistent with its counts.
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/ledger.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The public key of the workspace that made corpus/ledger_export/seed.jsonl
 * (aigov at 67e9b3c), so that the seed verifies cleanly and mutations
 * start from a good file; the other seeds there are cut or altered from it:
 *
 *   aigov init ws
 *   aigov -C ws ledger append a.b -s x --data '{"k":1}'
 *   aigov -C ws ledger checkpoint
 *   aigov -C ws ledger export seed.jsonl
 *   cat ws/.aigov/keys/ledger.pub
 */
#define SEED_PUBLIC_KEY "7d54245597d7ebf82fec4726d2b11b779d586ba3d609235899ed4cdbd665635a"

static char path[64];
static int fd = -1;
static struct ag_ledger_key key;

static void check(int cond)
{
	if (!cond)
		abort();
}

static void remove_temp(void)
{
	unlink(path);
}

/* Once per process: the key, and a temp file of our own (pid) reused by
 * every input, so that parallel jobs (-jobs=N) do not share one. */
static void setup(void)
{
	struct ag_err err;

	snprintf(path, sizeof(path), "/tmp/aigov-fuzz-export.%ld.jsonl", (long)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	check(fd >= 0);
	check(ag_ledger_key_load_public(&key, SEED_PUBLIC_KEY, &err) == 0);
	atexit(remove_temp);
}

/* Overwrite in place, then cut to size.  Reopening with "w" would
 * truncate to zero each time, and ext4 then flushes the file on close
 * (auto_da_alloc): 400 runs a second instead of thousands. */
static void write_input(const uint8_t *data, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
		check(n > 0);
		done += (size_t)n;
	}
	check(ftruncate(fd, (off_t)size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_verify_report rep;
	struct ag_err err;
	size_t shown;
	int rc;

	if (fd < 0)
		setup();
	write_input(data, size);

	ag_err_clear(&err);
	rc = ag_ledger_verify_export(path, &key, &rep, &err);
	if (rc) {
		check(rc < 0 && strncmp(err.msg, path, strlen(path)) == 0);
		return 0;
	}
	/* Exactly the first min(nproblems, AG_VERIFY_MAX_PROBLEMS) slots hold
	 * a message, each NUL-terminated within its slot. */
	shown = rep.nproblems < AG_VERIFY_MAX_PROBLEMS ? (size_t)rep.nproblems
						       : AG_VERIFY_MAX_PROBLEMS;
	for (size_t i = 0; i < AG_VERIFY_MAX_PROBLEMS; i++) {
		const char *p = rep.problems[i];
		check(memchr(p, '\0', sizeof(rep.problems[i])) != NULL);
		check(i < shown ? p[0] != '\0' : p[0] == '\0');
	}
	/* A signed checkpoint covers entries that were read. */
	check(rep.signed_size <= rep.entries);
	check(rep.signed_size == 0 || strlen(rep.signed_root) == AG_HASH_HEX_LEN);
	check(strcmp(rep.key_id, key.id) == 0);
	/* An intact ledger has entries, starting with its workspace.init. */
	check(rep.nproblems > 0 || rep.entries > 0);
	return 0;
}
