/*
 * The unit tests' guard: compiled like the CLI's, through the pattern
 * cache in $AIGOV_CACHE_DIR when ctest sets it (tests/CMakeLists.txt), so
 * that the builtin rules are compiled once per make test, not once per
 * test program and build.  test_guard.c checks the cache itself.
 */
#ifndef AIGOV_TEST_GUARD_CACHE_H
#define AIGOV_TEST_GUARD_CACHE_H

#include "aigov/guard.h"

#include <stdlib.h>

static inline int test_guard_new(struct ag_guard **g, struct ag_guard_rules *r, int scanner,
				 struct ag_err *err)
{
	const char *dir = getenv("AIGOV_CACHE_DIR");
	struct ag_guard_opts o = { scanner, dir && *dir ? dir : NULL, NULL };

	return ag_guard_new_with(g, r, &o, err);
}

#endif
