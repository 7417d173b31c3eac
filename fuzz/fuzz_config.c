/*
 * libFuzzer target for the workspace configuration reader
 * (ag_workspace_config_parse, include/aigov/workspace.h; libyaml events).
 *
 * The input is the text of .aigov/config.yaml.  A configuration that is
 * accepted has a 32-character workspace id and a store; one that is
 * refused says so in a message naming the file.  ASan's leak checker sees
 * whether the event loop frees every path it takes.
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/workspace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz.yaml"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ag_workspace_config cfg;
	struct ag_err err;
	int rc;

	ag_err_clear(&err);
	rc = ag_workspace_config_parse(&cfg, (const char *)data, size, NAME, &err);
	if (rc) {
		check(rc < 0 && strncmp(err.msg, NAME, strlen(NAME)) == 0);
		/* released on failure: nothing to free, nothing dangling */
		check(cfg.workspace_id == NULL && cfg.store == NULL);
		return 0;
	}
	check(cfg.workspace_id != NULL && strlen(cfg.workspace_id) == 32);
	check(cfg.store != NULL);
	ag_workspace_config_release(&cfg);
	check(cfg.workspace_id == NULL && cfg.store == NULL);
	return 0;
}
