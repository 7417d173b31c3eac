/*
 * The guard's compiled-database cache (internal to module guard).
 *
 * Compiling the three Vectorscan databases takes about 3 s on this
 * project's 2-core VM (a minute under valgrind), and every `aigov guard
 * scan` and gateway start paid it.  Vectorscan can serialise a compiled
 * database; this keeps the three of one rule set in a file named by a
 * BLAKE2b key over everything that decides their bytes (the expressions
 * with their flags and ids, the target platform, the Vectorscan version,
 * this format's version), so a changed rule, library or processor simply
 * misses.  The file ends with a BLAKE2b digest of what precedes it: a
 * truncated or damaged file misses too, and the databases are compiled
 * again.
 *
 * The directory must be the user's own and writable by nobody else (it is
 * created 0700): whoever can write there decides what the guard matches.
 *
 * Ownership: guard_cache_load hands out databases the caller frees with
 * hs_free_database; guard_cache_store only reads its databases.
 */
#ifndef AIGOV_GUARD_DBCACHE_H
#define AIGOV_GUARD_DBCACHE_H

#include <hs/hs.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#define GUARD_CACHE_KEY 32

/* The key: start it, add every input that decides the databases' bytes
 * (each with its length, so that no two inputs run together), finish.
 * Init fails only when libsodium cannot start. */
bool guard_cache_key_init(crypto_generichash_state *k);
void guard_cache_key_add(crypto_generichash_state *k, const void *p, size_t len);
void guard_cache_key_final(crypto_generichash_state *k, unsigned char out[GUARD_CACHE_KEY]);

/* Make dir (0700) if needed and check it is a directory of this user that
 * no one else may write.  False with a reason otherwise. */
bool guard_cache_dir_usable(const char *dir, const char **why);
/* The n databases stored under key, all or none. */
bool guard_cache_load(const char *dir, const unsigned char key[GUARD_CACHE_KEY],
		      hs_database_t **db, int n);
/* Store them (atomically); false with a reason when it could not. */
bool guard_cache_store(const char *dir, const unsigned char key[GUARD_CACHE_KEY],
		       hs_database_t *const *db, int n, const char **why);

#endif
