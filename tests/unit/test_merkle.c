/* RFC 9162 Merkle trees (include/aigov/merkle.h).  The reference values are
 * Certificate Transparency's published test vectors (the leaves "", 00, 10,
 * 2021, ... of transparency-dev/merkle testonly/constants.go, used as data). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/merkle.h"
#include "aigov/sha256.h"
#include "aigov/str.h"

#include <sodium.h>

#include <stdio.h>
#include <string.h>

static const char *const ct_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const char *const ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static uint8_t leaves[8][AG_HASH_LEN];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 8; i++) {
		uint8_t data[16];
		size_t n = strlen(ct_leaves[i]) / 2;
		assert_true(ag_hex_decode(data, n, ct_leaves[i], 2 * n));
		ag_merkle_leaf_hash(data, n, leaves[i]);
	}
	return 0;
}

static void unhex(uint8_t out[AG_HASH_LEN], const char *hex)
{
	assert_true(ag_hex_decode(out, AG_HASH_LEN, hex, strlen(hex)));
}

static void assert_hash(const uint8_t h[AG_HASH_LEN], const char *want)
{
	char hex[AG_HASH_HEX_LEN + 1];

	ag_hex_encode(hex, h, AG_HASH_LEN);
	assert_string_equal(hex, want);
}

static void test_merkle_roots_match_certificate_transparency(void **state)
{
	uint8_t root[AG_HASH_LEN];
	struct ag_merkle_frontier f;

	(void)state;
	ag_merkle_frontier_init(&f);
	for (int n = 0; n <= 8; n++) {
		ag_merkle_root((const uint8_t (*)[AG_HASH_LEN])leaves, (uint64_t)n, root);
		assert_hash(root, ct_roots[n]);
		ag_merkle_frontier_root(&f, root);
		assert_hash(root, ct_roots[n]);
		if (n < 8)
			ag_merkle_frontier_push(&f, leaves[n]);
	}
}

static void test_merkle_inclusion_proofs_match_ct(void **state)
{
	static const struct {
		uint64_t index, size;
		size_t len;
		const char *path[3];
	} v[] = {
		{ 0, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
		{ 5, 8, 3, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
			     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	};
	uint8_t proof[AG_MERKLE_MAX_PROOF][AG_HASH_LEN], root[AG_HASH_LEN];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(ag_merkle_inclusion_proof((const uint8_t (*)[AG_HASH_LEN])leaves,
							   v[i].size, v[i].index, proof, &len, NULL), 0);
		assert_int_equal(len, v[i].len);
		for (size_t k = 0; k < len; k++)
			assert_hash(proof[k], v[i].path[k]);
		unhex(root, ct_roots[v[i].size]);
		assert_true(ag_merkle_verify_inclusion(leaves[v[i].index], v[i].index, v[i].size,
						       (const uint8_t (*)[AG_HASH_LEN])proof, len, root));
	}
}

static void test_merkle_consistency_proofs_match_ct(void **state)
{
	static const struct {
		uint64_t m, n;
		size_t len;
		const char *path[3];
	} v[] = {
		{ 2, 8, 2, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
		{ 6, 8, 3, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	};
	uint8_t proof[AG_MERKLE_MAX_PROOF][AG_HASH_LEN], r1[AG_HASH_LEN], r2[AG_HASH_LEN];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(ag_merkle_consistency_proof((const uint8_t (*)[AG_HASH_LEN])leaves,
							     v[i].n, v[i].m, proof, &len, NULL), 0);
		assert_int_equal(len, v[i].len);
		for (size_t k = 0; k < len; k++)
			assert_hash(proof[k], v[i].path[k]);
		unhex(r1, ct_roots[v[i].m]);
		unhex(r2, ct_roots[v[i].n]);
		assert_true(ag_merkle_verify_consistency(v[i].m, v[i].n, r1, r2,
							 (const uint8_t (*)[AG_HASH_LEN])proof, len));
	}
}

/* Every proof in every tree up to 70 leaves verifies, and no altered one
 * does: a flipped bit, a dropped or an extra hash, the wrong index, the
 * wrong new root. */
static void test_merkle_every_proof_round_trips_and_mangled_ones_fail(void **state)
{
	enum { N = 70 };
	static uint8_t many[N][AG_HASH_LEN], roots[N + 1][AG_HASH_LEN];
	uint8_t proof[AG_MERKLE_MAX_PROOF][AG_HASH_LEN];
	const uint8_t (*P)[AG_HASH_LEN] = (const uint8_t (*)[AG_HASH_LEN])proof;
	size_t len;

	(void)state;
	for (int i = 0; i < N; i++) {
		uint8_t b[2] = { (uint8_t)i, (uint8_t)(i * 7) };
		ag_merkle_leaf_hash(b, 2, many[i]);
	}
	for (int n = 0; n <= N; n++)
		ag_merkle_root((const uint8_t (*)[AG_HASH_LEN])many, (uint64_t)n, roots[n]);
	for (uint64_t n = 1; n <= N; n++) {
		for (uint64_t i = 0; i < n; i++) {
			assert_int_equal(ag_merkle_inclusion_proof((const uint8_t (*)[AG_HASH_LEN])many,
								   n, i, proof, &len, NULL), 0);
			assert_true(ag_merkle_verify_inclusion(many[i], i, n, P, len, roots[n]));
			if (n > 1) /* the same path read for another leaf position */
				assert_false(ag_merkle_verify_inclusion(many[i], (i + 1) % n, n, P,
									len, roots[n]));
			if (len) {
				assert_false(ag_merkle_verify_inclusion(many[i], i, n, P, len - 1, roots[n]));
				proof[len][0] = 0xab;
				assert_false(ag_merkle_verify_inclusion(many[i], i, n, P, len + 1, roots[n]));
				proof[len - 1][7] ^= 1;
				assert_false(ag_merkle_verify_inclusion(many[i], i, n, P, len, roots[n]));
			}
		}
		for (uint64_t m = 0; m <= n; m++) {
			assert_int_equal(ag_merkle_consistency_proof((const uint8_t (*)[AG_HASH_LEN])many,
								     n, m, proof, &len, NULL), 0);
			assert_true(ag_merkle_verify_consistency(m, n, roots[m], roots[n], P, len));
			if (m && m < n) {
				assert_false(ag_merkle_verify_consistency(m, n, roots[m], roots[n - 1],
									  P, len));
				assert_false(ag_merkle_verify_consistency(m, n, roots[m], roots[n], P,
									  len - 1));
				proof[0][3] ^= 0x80;
				assert_false(ag_merkle_verify_consistency(m, n, roots[m], roots[n], P, len));
			}
		}
	}
	assert_int_equal(ag_merkle_inclusion_proof((const uint8_t (*)[AG_HASH_LEN])many, 5, 5,
						   proof, &len, NULL), AG_EINVAL);
	assert_int_equal(ag_merkle_consistency_proof((const uint8_t (*)[AG_HASH_LEN])many, 3, 5,
						     proof, &len, NULL), AG_EINVAL);
}

/* Our SHA-256 (SHA-NI where the CPU has it) against FIPS 180-4's examples
 * and against libsodium over every length up to 1 KiB and every split of
 * the input into two parts around the block boundaries. */
static void test_sha256_matches_fips_and_libsodium(void **state)
{
	static uint8_t data[1100];
	uint8_t ours[32], ref[32];

	(void)state;
	ag_sha256_2("abc", 3, NULL, 0, ours);
	assert_hash(ours, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ag_sha256_2("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, NULL, 0, ours);
	assert_hash(ours, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	ag_sha256_2(NULL, 0, NULL, 0, ours);
	assert_hash(ours, ct_roots[0]);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + 7);
	for (int pass = 0; pass < 2; pass++) {
		void (*f)(const void *, size_t, const void *, size_t, uint8_t[32]) =
			pass ? ag_sha256_2_portable : ag_sha256_2;
		for (size_t n = 0; n <= 1024; n++) {
			crypto_hash_sha256(ref, data, n);
			size_t splits[] = { 0, 1, n / 2, n > 64 ? 63 : 0, n > 64 ? 65 : 0, n };
			for (size_t k = 0; k < sizeof(splits) / sizeof(splits[0]); k++) {
				size_t a = splits[k] <= n ? splits[k] : n;
				f(data, a, data + a, n - a, ours);
				if (memcmp(ours, ref, 32))
					fail_msg("length %zu split %zu (%s)", n, a,
						 pass ? "portable" : "default path");
			}
		}
	}
	print_message("SHA-256 path on this CPU: %s\n",
		      ag_sha256_accelerated() ? "SHA-NI" : "libsodium (portable)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_matches_fips_and_libsodium),
		cmocka_unit_test(test_merkle_roots_match_certificate_transparency),
		cmocka_unit_test(test_merkle_inclusion_proofs_match_ct),
		cmocka_unit_test(test_merkle_consistency_proofs_match_ct),
		cmocka_unit_test(test_merkle_every_proof_round_trips_and_mangled_ones_fail),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
