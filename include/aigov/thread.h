/*
 * thread: running the same work on several items at once (module base).
 * Used by the readers that split a file and by the finishing of per-feature
 * results.  No state is kept; nothing is allocated that outlives the call.
 */
#ifndef AIGOV_THREAD_H
#define AIGOV_THREAD_H

#include <stddef.h>

/*
 * fn(item) for the n items base + i * size: items 1.. on threads of their
 * own, item 0 on the calling thread; returns when all are done.  size 0
 * gives every thread the same item (workers that share a queue).  An item
 * whose thread cannot be started runs on the calling thread, so the result
 * never depends on how many threads the system grants.
 */
void ag_run_parallel(void *(*fn)(void *), void *base, size_t size, size_t n);

#endif
