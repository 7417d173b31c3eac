/*
 * The installation's Ed25519 key (libsodium): generation, files, loading.
 * Key files are hex text so that an auditor can read, copy and compare
 * them by eye; the secret file is created 0600 and refused when group or
 * others can read it, as ssh does with private keys.
 */
#include "aigov/ledger.h"

#include "aigov/str.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ag_ledger_key_set_id(struct ag_ledger_key *k)
{
	uint8_t h[AG_HASH_LEN];

	ag_sha256(k->pk, sizeof(k->pk), h);
	ag_hex_encode(k->id, h, AG_KEY_ID_LEN / 2);
}

int ag_ledger_key_generate(struct ag_ledger_key *k, struct ag_err *err)
{
	if (sodium_init() < 0)
		return ag_err_set(err, AG_EIO, "libsodium could not start (no entropy source?)");
	if (crypto_sign_keypair(k->pk, k->sk) != 0)
		return ag_err_set(err, AG_EIO, "cannot generate a signing key");
	k->has_secret = true;
	ag_ledger_key_set_id(k);
	return 0;
}

void ag_ledger_key_wipe(struct ag_ledger_key *k)
{
	sodium_memzero(k->sk, sizeof(k->sk));
	k->has_secret = false;
}

static int write_new_file(const char *path, mode_t mode, const char *text,
			  size_t len, struct ag_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t off = 0;

	if (fd < 0)
		return ag_err_set(err, errno == EEXIST ? AG_EEXIST : AG_EIO,
				  "%s: cannot create: %s", path, strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	/* fchmod: the umask may have taken bits we meant to give. */
	if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	ag_err_set(err, AG_EIO, "%s: cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return AG_EIO;
}

int ag_ledger_key_save(const struct ag_ledger_key *k, const char *secret_path,
		       const char *public_path, struct ag_err *err)
{
	char hex[2 * 64 + 2];
	int rc;

	ag_hex_encode(hex, k->sk, sizeof(k->sk));
	strcat(hex, "\n");
	rc = write_new_file(secret_path, 0600, hex, strlen(hex), err);
	sodium_memzero(hex, sizeof(hex));
	if (rc)
		return rc;
	ag_hex_encode(hex, k->pk, sizeof(k->pk));
	strcat(hex, "\n");
	rc = write_new_file(public_path, 0644, hex, strlen(hex), err);
	if (rc)
		unlink(secret_path);
	return rc;
}

/* Read a small text file whole; trailing whitespace removed. */
static int read_small(const char *path, char *buf, size_t cap, size_t *len,
		      struct stat *st, struct ag_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return ag_err_set(err, errno == ENOENT ? AG_ENOTFOUND : AG_EIO,
				  "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return ag_err_set(err, AG_EIO, "%s: not a regular file", path);
	}
	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return ag_err_set(err, AG_EIO, "%s: cannot read: %s", path, strerror(errno));
	*len = (size_t)n;
	while (*len && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r' ||
			buf[*len - 1] == ' ' || buf[*len - 1] == '\t'))
		(*len)--;
	return 0;
}

int ag_ledger_key_load_secret(struct ag_ledger_key *k, const char *path,
			      struct ag_err *err)
{
	char buf[256];
	uint8_t pk[32], sk[64];
	struct stat st;
	size_t len;
	int rc;

	rc = read_small(path, buf, sizeof(buf), &len, &st, err);
	if (rc)
		return rc;
	if (st.st_mode & 077) {
		sodium_memzero(buf, sizeof(buf));
		return ag_err_set(err, AG_EPERM,
				  "%s: permissions %04o are too open: the ledger's signing key "
				  "must be readable by its owner only (chmod 600 %s)",
				  path, (unsigned)(st.st_mode & 07777), path);
	}
	if (sodium_init() < 0 || !ag_hex_decode(k->sk, sizeof(k->sk), buf, len)) {
		sodium_memzero(buf, sizeof(buf));
		return ag_err_set(err, AG_EPARSE,
				  "%s: not an aigov secret key (expected 128 hex digits)", path);
	}
	sodium_memzero(buf, sizeof(buf));
	/* The secret key is seed || public key: re-derive to catch a damaged file. */
	crypto_sign_seed_keypair(pk, sk, k->sk);
	sodium_memzero(sk, sizeof(sk));
	if (memcmp(pk, k->sk + 32, 32) != 0) {
		sodium_memzero(k->sk, sizeof(k->sk));
		return ag_err_set(err, AG_EPARSE, "%s: damaged secret key (halves disagree)",
				  path);
	}
	memcpy(k->pk, pk, 32);
	k->has_secret = true;
	ag_ledger_key_set_id(k);
	return 0;
}

int ag_ledger_key_load_public(struct ag_ledger_key *k, const char *spec,
			      struct ag_err *err)
{
	char buf[256];
	struct stat st;
	size_t len = strlen(spec);
	int rc;

	memset(k, 0, sizeof(*k));
	if (len == 64 && ag_hex_decode(k->pk, 32, spec, len)) {
		ag_ledger_key_set_id(k);
		return 0;
	}
	rc = read_small(spec, buf, sizeof(buf), &len, &st, err);
	if (rc)
		return rc;
	if (!ag_hex_decode(k->pk, 32, buf, len))
		return ag_err_set(err, AG_EPARSE,
				  "%s: not an aigov public key (expected 64 hex digits)", spec);
	ag_ledger_key_set_id(k);
	return 0;
}
