/* ag_run_parallel (thread.h). */
#include "aigov/thread.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

void ag_run_parallel(void *(*fn)(void *), void *base, size_t size, size_t n)
{
	pthread_t *tid = n > 1 ? malloc((n - 1) * sizeof(*tid)) : NULL;
	bool *started = n > 1 ? calloc(n - 1, sizeof(*started)) : NULL;
	char *items = base;

	for (size_t i = 1; tid && started && i < n; i++)
		started[i - 1] = pthread_create(&tid[i - 1], NULL, fn, items + i * size) == 0;
	if (n)
		fn(items);
	for (size_t i = 1; i < n; i++) {
		if (tid && started && started[i - 1])
			pthread_join(tid[i - 1], NULL);
		else
			fn(items + i * size);
	}
	free(tid);
	free(started);
}
