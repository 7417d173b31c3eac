/*
 * Redaction operators (include/aigov/guard.h).
 *
 * - hash: BLAKE2b (crypto_generichash) keyed with a secret, never a plain
 *   hash: the national-ID space (26 x 2 x 10^8) is small enough to
 *   enumerate, so a plain hash is no pseudonym (GUARD-NOTES 0.5).
 * - token: XChaCha20-Poly1305 (crypto_aead_xchacha20poly1305_ietf) with the
 *   type name as associated data, so a token cannot be moved to another
 *   type; authenticated, unlike Presidio's AES-CBC "encrypt".  The nonce is
 *   a keyed hash of the value (a synthetic IV), so tokens are stable.
 */
#include "aigov/guard.h"

#include <sodium.h>
#include <string.h>

#define TOKEN_MAX_VALUE 4096

static const char *const op_names[] = { "keep", "mask", "tag", "hash", "token" };

int ag_guard_op_from_name(const char *name, size_t len)
{
	for (int i = 0; i <= AG_GUARD_OP_TOKEN; i++)
		if (strlen(op_names[i]) == len && !memcmp(op_names[i], name, len))
			return i;
	return -1;
}

void ag_guard_redactor_init(struct ag_guard_redactor *rd, int op)
{
	memset(rd, 0, sizeof(*rd));
	for (int i = 0; i < AG_GUARD_NTYPES; i++)
		rd->op[i] = op;
}

int ag_guard_redactor_parse(struct ag_guard_redactor *rd, const char *spec, struct ag_err *err)
{
	const char *p = spec;

	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int op, type;

		eq = memchr(p, '=', n);
		if (!eq) {
			if ((op = ag_guard_op_from_name(p, n)) < 0)
				return ag_err_set(err, AG_EINVAL,
						  "'%.*s': expected keep, mask, tag, hash or token", (int)n, p);
			for (int i = 0; i < AG_GUARD_NTYPES; i++)
				rd->op[i] = op;
		} else {
			type = ag_guard_type_from_name(p, (size_t)(eq - p));
			op = ag_guard_op_from_name(eq + 1, n - (size_t)(eq - p) - 1);
			if (type < 0)
				return ag_err_set(err, AG_EINVAL, "'%.*s': not a finding type",
						  (int)(eq - p), p);
			if (op < 0)
				return ag_err_set(err, AG_EINVAL,
						  "'%.*s': expected keep, mask, tag, hash or token", (int)n, p);
			rd->op[type] = op;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int ag_guard_redactor_set_key(struct ag_guard_redactor *rd, const unsigned char *key, size_t len,
			      struct ag_err *err)
{
	if (sodium_init() < 0)
		return ag_err_set(err, AG_EINVAL, "libsodium failed to initialise");
	if (len != crypto_kdf_KEYBYTES)
		return ag_err_set(err, AG_EINVAL, "guard key: expected %u bytes, got %zu",
				  (unsigned)crypto_kdf_KEYBYTES, len);
	crypto_kdf_derive_from_key(rd->hash_key, sizeof(rd->hash_key), 1, "agguard1", key);
	crypto_kdf_derive_from_key(rd->token_key, sizeof(rd->token_key), 2, "agguard1", key);
	crypto_kdf_derive_from_key(rd->nonce_key, sizeof(rd->nonce_key), 3, "agguard1", key);
	rd->keyed = true;
	return 0;
}

void ag_guard_redactor_release(struct ag_guard_redactor *rd)
{
	sodium_memzero(rd->hash_key, sizeof(rd->hash_key));
	sodium_memzero(rd->token_key, sizeof(rd->token_key));
	sodium_memzero(rd->nonce_key, sizeof(rd->nonce_key));
	rd->keyed = false;
}

static bool keep_tail(int type)
{
	return type == AG_GUARD_CREDIT_CARD || type == AG_GUARD_BANK_ACCOUNT;
}

/* Letters, digits and CJK characters become '*'; separators stay. */
static int mask(struct ag_buf *out, int type, const char *v, size_t n)
{
	size_t digits = 0, seen = 0;
	int rc = 0;

	if (keep_tail(type))
		for (size_t i = 0; i < n; i++)
			digits += v[i] >= '0' && v[i] <= '9';
	for (size_t i = 0; i < n && !rc;) {
		unsigned char c = (unsigned char)v[i];
		size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		bool alnum = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
		if (i + len > n)
			len = n - i;
		if (c >= '0' && c <= '9')
			seen++;
		if (keep_tail(type) && c >= '0' && c <= '9' && digits - seen < 4)
			rc = ag_buf_addch(out, (char)c);
		else if (alnum || c >= 0x80)
			rc = ag_buf_addch(out, '*');
		else
			rc = ag_buf_addch(out, (char)c);
		i += len;
	}
	return rc;
}

static int hash_op(const struct ag_guard_redactor *rd, struct ag_buf *out, int type, const char *v,
		   size_t n)
{
	unsigned char h[16];
	char hex[33];
	crypto_generichash_state st;
	const char *name = ag_guard_type_name(type);

	crypto_generichash_init(&st, rd->hash_key, sizeof(rd->hash_key), sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)name, strlen(name) + 1);
	crypto_generichash_update(&st, (const unsigned char *)v, n);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, 8);
	return ag_buf_addf(out, "<%s:%s>", name, hex);
}

static int token_op(const struct ag_guard_redactor *rd, struct ag_buf *out, int type, const char *v,
		    size_t n, struct ag_err *err)
{
	unsigned char blob[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + TOKEN_MAX_VALUE +
			   crypto_aead_xchacha20poly1305_ietf_ABYTES];
	char b64[sizeof(blob) * 4 / 3 + 4];
	unsigned long long clen;
	const char *name = ag_guard_type_name(type);
	crypto_generichash_state st;

	if (n > TOKEN_MAX_VALUE)
		return ag_err_set(err, AG_ERANGE, "guard: a %zu-byte value is too long for a token", n);
	crypto_generichash_init(&st, rd->nonce_key, sizeof(rd->nonce_key),
				crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_generichash_update(&st, (const unsigned char *)name, strlen(name) + 1);
	crypto_generichash_update(&st, (const unsigned char *)v, n);
	crypto_generichash_final(&st, blob, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		blob + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, (const unsigned char *)v, n,
		(const unsigned char *)name, strlen(name), NULL, blob, rd->token_key);
	sodium_bin2base64(b64, sizeof(b64), blob, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + clen,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return ag_buf_addf(out, "<%s#%s>", name, b64);
}

int ag_guard_redact(const struct ag_guard_redactor *rd, const char *text, size_t len,
		    const struct ag_guard_finding *f, size_t n, struct ag_buf *out, struct ag_err *err)
{
	size_t at = 0;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		int op = f[i].type >= 0 && f[i].type < AG_GUARD_NTYPES ? rd->op[f[i].type] : AG_GUARD_OP_TAG;
		const char *v = text + f[i].start;
		size_t vn = f[i].end - f[i].start;

		if (f[i].start < at || f[i].end > len || f[i].end < f[i].start)
			return ag_err_set(err, AG_EINVAL, "guard: findings overlap or are out of order");
		if ((op == AG_GUARD_OP_HASH || op == AG_GUARD_OP_TOKEN) && !rd->keyed)
			return ag_err_set(err, AG_EINVAL, "guard: the %s operator needs a key",
					  op_names[op]);
		if ((rc = ag_buf_add(out, text + at, f[i].start - at)))
			break;
		switch (op) {
		case AG_GUARD_OP_KEEP: rc = ag_buf_add(out, v, vn); break;
		case AG_GUARD_OP_MASK: rc = mask(out, f[i].type, v, vn); break;
		case AG_GUARD_OP_HASH: rc = hash_op(rd, out, f[i].type, v, vn); break;
		case AG_GUARD_OP_TOKEN: rc = token_op(rd, out, f[i].type, v, vn, err); break;
		default: rc = ag_buf_addf(out, "<%s>", ag_guard_type_name(f[i].type)); break;
		}
		at = f[i].end;
	}
	if (!rc)
		rc = ag_buf_add(out, text + at, len - at);
	if (rc && !err->code)
		ag_err_set(err, rc, "guard: out of memory");
	return rc;
}

static bool b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* A token at text[i] ('<'): its length and the decrypted value, or 0. */
static size_t try_token(const struct ag_guard_redactor *rd, const char *text, size_t len, size_t i,
			unsigned char *plain, unsigned long long *plen)
{
	unsigned char blob[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + TOKEN_MAX_VALUE +
			   crypto_aead_xchacha20poly1305_ietf_ABYTES];
	size_t p = i + 1, name_end, b, blen;
	int type;

	while (p < len && p - i < 20 && ((text[p] >= 'A' && text[p] <= 'Z') || text[p] == '_'))
		p++;
	if (p >= len || text[p] != '#')
		return 0;
	name_end = p;
	type = ag_guard_type_from_name(text + i + 1, name_end - i - 1);
	for (b = ++p; p < len && p - b < sizeof(blob) * 4 / 3 + 4 && b64url(text[p]); p++)
		;
	if (type < 0 || p >= len || text[p] != '>')
		return 0;
	if (sodium_base642bin(blob, sizeof(blob), text + b, p - b, NULL, &blen, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    blen < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    plain, plen, NULL, blob + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		    blen - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		    (const unsigned char *)text + i + 1, name_end - i - 1, blob, rd->token_key))
		return 0;
	return p + 1 - i;
}

int ag_guard_restore(const struct ag_guard_redactor *rd, const char *text, size_t len,
		     struct ag_buf *out, size_t *failed, struct ag_err *err)
{
	unsigned char plain[TOKEN_MAX_VALUE + 1];
	size_t at = 0, bad = 0;
	int rc = 0;

	if (!rd->keyed)
		return ag_err_set(err, AG_EINVAL, "guard: restoring tokens needs the key");
	for (size_t i = 0; i < len && !rc; i++) {
		unsigned long long plen;
		size_t n;
		if (text[i] != '<')
			continue;
		n = try_token(rd, text, len, i, plain, &plen);
		if (!n) {
			const char *hash = memchr(text + i, '#', len - i < 22 ? len - i : 22);
			bad += hash != NULL && ag_guard_type_from_name(text + i + 1,
								       (size_t)(hash - text - i - 1)) >= 0;
			continue;
		}
		rc = ag_buf_add(out, text + at, i - at);
		if (!rc)
			rc = ag_buf_add(out, plain, (size_t)plen);
		at = i + n;
		i = at - 1;
	}
	sodium_memzero(plain, sizeof(plain));
	if (!rc)
		rc = ag_buf_add(out, text + at, len - at);
	if (failed)
		*failed = bad;
	if (rc)
		return ag_err_set(err, rc, "guard: out of memory");
	return 0;
}
