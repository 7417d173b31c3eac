/*
 * The guard's compiled-database cache (dbcache.h).
 *
 * File "guard-<key in hex>.hsdb":
 *   "aigov-hsdb-1\n"  (the format; a new one changes the key too)
 *   key (32 bytes)
 *   n times: length (8 bytes, little endian), hs_serialize_database bytes
 *   BLAKE2b-256 of everything above
 */
#include "dbcache.h"

#include "aigov/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char magic[] = "aigov-hsdb-1\n";
#define MAGIC_LEN (sizeof(magic) - 1)
#define FILE_MAX (256u << 20) /* the shipped rules need about 2 MB */

bool guard_cache_key_init(crypto_generichash_state *k)
{
	if (sodium_init() < 0) /* idempotent */
		return false;
	crypto_generichash_init(k, NULL, 0, GUARD_CACHE_KEY);
	guard_cache_key_add(k, magic, MAGIC_LEN);
	return true;
}

void guard_cache_key_add(crypto_generichash_state *k, const void *p, size_t len)
{
	uint64_t n = len;

	crypto_generichash_update(k, (const unsigned char *)&n, sizeof(n));
	crypto_generichash_update(k, p, len);
}

void guard_cache_key_final(crypto_generichash_state *k, unsigned char out[GUARD_CACHE_KEY])
{
	crypto_generichash_final(k, out, GUARD_CACHE_KEY);
}

/* dir + "/guard-<hex>.hsdb", malloc'ed. */
static char *entry_path(const char *dir, const unsigned char key[GUARD_CACHE_KEY])
{
	char hex[2 * GUARD_CACHE_KEY + 1];
	size_t n = strlen(dir) + sizeof("/guard-.hsdb") + sizeof(hex);
	char *p = malloc(n);

	if (p) {
		sodium_bin2hex(hex, sizeof(hex), key, GUARD_CACHE_KEY);
		snprintf(p, n, "%s/guard-%s.hsdb", dir, hex);
	}
	return p;
}

/* mkdir -p, new components 0700. */
static int make_dirs(const char *dir)
{
	char *p = strdup(dir);
	int rc = 0;

	if (!p)
		return -1;
	for (char *s = p + 1; !rc; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

bool guard_cache_dir_usable(const char *dir, const char **why)
{
	struct stat st;

	if (!dir || !*dir) {
		*why = "no directory";
		return false;
	}
	if (make_dirs(dir) != 0 || lstat(dir, &st) != 0) {
		*why = strerror(errno);
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		*why = "not a directory";
		return false;
	}
	if (st.st_uid != geteuid()) {
		*why = "owned by another user";
		return false;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		*why = "writable by others (chmod 700 it)";
		return false;
	}
	return true;
}

/* The entry whole.  Not ag_file_map: an entry is opened with O_NOFOLLOW,
 * so that a symbolic link put in its place is not read. */
static bool read_all(const char *path, unsigned char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	unsigned char *b = NULL;
	size_t got = 0;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= FILE_MAX && (b = malloc((size_t)st.st_size))) {
		while (got < (size_t)st.st_size) {
			ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
	}
	close(fd);
	if (!b || got != (size_t)st.st_size) {
		free(b);
		return false;
	}
	*out = b;
	*len = got;
	return true;
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Check the framing and the digest; the n database spans into at/len. */
static bool parse(const unsigned char *b, size_t len, const unsigned char key[GUARD_CACHE_KEY],
		  int n, size_t *at, size_t *sz)
{
	unsigned char sum[GUARD_CACHE_KEY];
	size_t p = MAGIC_LEN + GUARD_CACHE_KEY;

	if (len < p + GUARD_CACHE_KEY || memcmp(b, magic, MAGIC_LEN) ||
	    memcmp(b + MAGIC_LEN, key, GUARD_CACHE_KEY))
		return false;
	len -= GUARD_CACHE_KEY;
	crypto_generichash(sum, sizeof(sum), b, len, NULL, 0);
	if (sodium_memcmp(sum, b + len, GUARD_CACHE_KEY))
		return false;
	for (int i = 0; i < n; i++) {
		uint64_t l;
		if (len - p < 8)
			return false;
		l = get_le64(b + p);
		p += 8;
		if (l == 0 || l > len - p)
			return false;
		at[i] = p;
		sz[i] = (size_t)l;
		p += (size_t)l;
	}
	return p == len;
}

bool guard_cache_load(const char *dir, const unsigned char key[GUARD_CACHE_KEY],
		      hs_database_t **db, int n)
{
	char *path = entry_path(dir, key);
	unsigned char *b = NULL;
	size_t len = 0, at[8], sz[8];
	bool ok = false;

	if (n < 1 || n > 8 || !path || !read_all(path, &b, &len) || !parse(b, len, key, n, at, sz))
		goto out;
	ok = true;
	for (int i = 0; i < n; i++)
		db[i] = NULL;
	for (int i = 0; i < n && ok; i++)
		ok = hs_deserialize_database((const char *)b + at[i], sz[i], &db[i]) == HS_SUCCESS;
	if (!ok)
		for (int i = 0; i < n; i++) {
			hs_free_database(db[i]);
			db[i] = NULL;
		}
out:
	free(b);
	free(path);
	return ok;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* Write p[0..len) to f and into the running digest. */
static bool put(FILE *f, crypto_generichash_state *h, const void *p, size_t len)
{
	crypto_generichash_update(h, p, len);
	return fwrite(p, 1, len, f) == len;
}

bool guard_cache_store(const char *dir, const unsigned char key[GUARD_CACHE_KEY],
		       hs_database_t *const *db, int n, const char **why)
{
	char *path = entry_path(dir, key);
	struct ag_atomic_file af;
	struct ag_err err;
	crypto_generichash_state h;
	unsigned char sum[GUARD_CACHE_KEY], len8[8];
	bool ok;

	*why = "out of memory";
	if (!path)
		return false;
	ag_err_clear(&err);
	if (ag_atomic_open(&af, path, 0600, &err)) {
		free(path);
		*why = "cannot create the file";
		return false;
	}
	crypto_generichash_init(&h, NULL, 0, GUARD_CACHE_KEY);
	ok = put(af.f, &h, magic, MAGIC_LEN) && put(af.f, &h, key, GUARD_CACHE_KEY);
	for (int i = 0; i < n && ok; i++) {
		char *bytes = NULL;
		size_t len = 0;
		ok = hs_serialize_database(db[i], &bytes, &len) == HS_SUCCESS;
		if (ok) {
			put_le64(len8, len);
			ok = put(af.f, &h, len8, 8) && put(af.f, &h, bytes, len);
		}
		free(bytes); /* hs_serialize_database allocates with malloc */
	}
	crypto_generichash_final(&h, sum, sizeof(sum));
	ok = ok && fwrite(sum, 1, sizeof(sum), af.f) == sizeof(sum);
	if (ok) {
		ok = ag_atomic_commit(&af, &err) == 0;
	} else {
		ag_atomic_abort(&af);
	}
	if (!ok)
		*why = "cannot write the file";
	free(path);
	return ok;
}
