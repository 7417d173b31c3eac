/*
 * arena: per-job memory.  A request, a scan or an evaluation allocates from
 * an arena and frees everything at once with ag_arena_release().
 *
 * Memory is taken from malloc in blocks (at least `block_size`, default
 * 64 KiB); an allocation larger than a block gets a block of its own.
 * Pointers stay valid until ag_arena_release() or ag_arena_reset().
 * Not thread-safe: one arena per thread.
 */
#ifndef AIGOV_ARENA_H
#define AIGOV_ARENA_H

#include <stddef.h>

struct ag_arena_block;

struct ag_arena {
	struct ag_arena_block *head; /* current block, newest first */
	size_t block_size;           /* minimum size of a new block */
	size_t total;                /* bytes obtained from malloc */
};

/* Initialise an empty arena; block_size 0 means 64 KiB.  Allocates nothing. */
void ag_arena_init(struct ag_arena *a, size_t block_size);

/* Free every block; the arena is empty and reusable afterwards. */
void ag_arena_release(struct ag_arena *a);

/*
 * Return `size` bytes aligned for any object type, or NULL when malloc
 * fails or size overflows.  size 0 returns a unique non-NULL pointer.
 * The arena owns the memory.
 */
void *ag_arena_alloc(struct ag_arena *a, size_t size);

/* ag_arena_alloc of n*size bytes, zeroed; NULL on overflow. */
void *ag_arena_calloc(struct ag_arena *a, size_t n, size_t size);

/* Copy len bytes and append a NUL; the arena owns the copy. */
char *ag_arena_strndup(struct ag_arena *a, const char *s, size_t len);

/*
 * Large growable arrays (per-column value arrays, hash tables): on Linux
 * they are anonymous mappings grown with mremap(2), which moves page
 * tables instead of copying bytes, and are backed by huge pages where the
 * kernel allows.  Elsewhere plain realloc.  ag_big_realloc(NULL, 0, n)
 * allocates; on failure it returns NULL and p is untouched.  New bytes are
 * zero.  Free with ag_big_free(p, len) using the last length.
 */
void *ag_big_realloc(void *p, size_t old_len, size_t new_len);
void ag_big_free(void *p, size_t len);

#endif
