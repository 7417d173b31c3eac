/*
 * sha256: SHA-256 (FIPS 180-4) for the ledger's hashes (module base).
 *
 * Why our own: verifying a ledger hashes every entry and every Merkle node,
 * and libsodium's portable SHA-256 was half of `aigov ledger verify`'s
 * time.  On x86-64 CPUs with the SHA extensions (SHA-NI) the compression
 * runs on those instructions, several times faster; everywhere else this
 * is libsodium's SHA-256.  Both give the same digests (tests compare them
 * over every length up to 1 KiB).  Thread-safe; nothing is allocated.
 */
#ifndef AIGOV_SHA256_H
#define AIGOV_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SHA-256 of a[0..alen) followed by b[0..blen) (either may be empty). */
void ag_sha256_2(const void *a, size_t alen, const void *b, size_t blen,
		 uint8_t out[32]);

/* The same through libsodium, whatever the CPU (tests compare the two). */
void ag_sha256_2_portable(const void *a, size_t alen, const void *b, size_t blen,
			  uint8_t out[32]);

/* Whether the SHA-NI path is in use (for tests and benchmarks). */
bool ag_sha256_accelerated(void);

#endif
