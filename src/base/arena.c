#define _GNU_SOURCE /* mremap, MADV_HUGEPAGE */
#include "aigov/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct ag_arena_block {
	struct ag_arena_block *next;
	size_t size; /* usable bytes in data[] */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

void ag_arena_init(struct ag_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->total = 0;
}

void ag_arena_release(struct ag_arena *a)
{
	struct ag_arena_block *b = a->head;

	while (b) {
		struct ag_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->total = 0;
}

static size_t align_up(size_t n)
{
	const size_t al = alignof(max_align_t);
	return (n + al - 1) & ~(al - 1);
}

void *ag_arena_alloc(struct ag_arena *a, size_t size)
{
	struct ag_arena_block *b = a->head;
	size_t need, bsize;

	if (size > SIZE_MAX / 2)
		return NULL;
	need = align_up(size ? size : 1);
	if (b && b->size - b->used >= need) {
		void *p = b->data + b->used;
		b->used += need;
		return p;
	}
	bsize = need > a->block_size ? need : a->block_size;
	b = malloc(sizeof(*b) + bsize);
	if (!b)
		return NULL;
	b->size = bsize;
	b->used = need;
	a->total += bsize;
	/* A big one-off block goes behind the current one so the current
	 * block's free space is not abandoned. */
	if (a->head && need > a->block_size) {
		b->next = a->head->next;
		a->head->next = b;
	} else {
		b->next = a->head;
		a->head = b;
	}
	return b->data;
}

void *ag_arena_calloc(struct ag_arena *a, size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	p = ag_arena_alloc(a, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

char *ag_arena_strndup(struct ag_arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = ag_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

#if defined(__linux__) && defined(MREMAP_MAYMOVE)
void *ag_big_realloc(void *p, size_t old_len, size_t new_len)
{
	void *q;

	if (!new_len)
		new_len = 1;
	if (!p)
		q = mmap(NULL, new_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		q = mremap(p, old_len, new_len, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* Advise the whole mapping: advising part of it would split it into
	 * several areas, and mremap then fails with EFAULT. */
	if (new_len >= ((size_t)4 << 20))
		madvise(q, new_len, MADV_HUGEPAGE);
#endif
	return q;
}

void ag_big_free(void *p, size_t len)
{
	if (p)
		munmap(p, len ? len : 1);
}
#else
void *ag_big_realloc(void *p, size_t old_len, size_t new_len)
{
	unsigned char *q = realloc(p, new_len ? new_len : 1);

	if (q && new_len > old_len)
		memset(q + old_len, 0, new_len - old_len);
	return q;
}

void ag_big_free(void *p, size_t len)
{
	(void)len;
	free(p);
}
#endif
