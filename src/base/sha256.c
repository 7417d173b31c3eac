/*
 * SHA-256 with the x86 SHA extensions, libsodium otherwise (sha256.h).
 * The SHA-NI round structure follows Intel's "New Instructions Supporting
 * the Secure Hash Algorithm on Intel Architecture Processors" (2013): two
 * rounds per sha256rnds2, the message schedule by sha256msg1/msg2, state
 * kept as ABEF/CDGH halves.
 */
#include "aigov/sha256.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI_CODE 1
#endif

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static bool cpu_has_shani; /* set once, then only read */

static void detect(void)
{
#ifdef HAVE_SHANI_CODE
	unsigned a, b, c, d;

	/* SHA (leaf 7, EBX bit 29), SSSE3 (leaf 1, ECX bit 9), SSE4.1 (bit 19). */
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) && (c & (1u << 19)) &&
	    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)))
		cpu_has_shani = true;
#endif
}

bool ag_sha256_accelerated(void)
{
	pthread_once(&detect_once, detect);
	return cpu_has_shani;
}

#ifdef HAVE_SHANI_CODE
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

__attribute__((target("sha,sse4.1,ssse3")))
static void compress(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i s1 = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i s0;

	tmp = _mm_shuffle_epi32(tmp, 0xB1);        /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);          /* EFGH */
	s0 = _mm_alignr_epi8(tmp, s1, 8);          /* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);       /* CDGH */
	for (; nblocks--; p += 64) {
		__m128i abef = s0, cdgh = s1, m[4];

		for (int i = 0; i < 4; i++)
			m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
		/* 16 groups of 4 rounds; W[4g+4..] is computed while its
		 * slot's old words are no longer needed. */
		for (int g = 0; g < 16; g++) {
			__m128i w = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, w);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(w, 0x0E));
			if (g < 12) {
				__m128i x = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
				m[g & 3] = _mm_sha256msg2_epu32(x, m[(g + 3) & 3]);
			}
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	tmp = _mm_shuffle_epi32(s0, 0x1B);         /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);          /* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);       /* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);          /* ABEF */
	_mm_storeu_si128((__m128i *)&h[0], s0);
	_mm_storeu_si128((__m128i *)&h[4], s1);
}

struct ctx {
	uint32_t h[8];
	uint8_t buf[64];
	size_t n;       /* bytes in buf */
	uint64_t total; /* bytes hashed */
};

static void update(struct ctx *c, const uint8_t *p, size_t len)
{
	c->total += len;
	if (c->n) {
		size_t take = 64 - c->n < len ? 64 - c->n : len;
		memcpy(c->buf + c->n, p, take);
		c->n += take;
		p += take;
		len -= take;
		if (c->n < 64)
			return;
		compress(c->h, c->buf, 1);
		c->n = 0;
	}
	if (len >= 64) {
		compress(c->h, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	memcpy(c->buf, p, len);
	c->n = len;
}

static void shani_sha256_2(const void *a, size_t alen, const void *b, size_t blen,
			   uint8_t out[32])
{
	struct ctx c = { { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
			   0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }, { 0 }, 0, 0 };
	uint64_t bits;

	update(&c, a, alen);
	update(&c, b, blen);
	bits = c.total * 8;
	c.buf[c.n++] = 0x80;
	if (c.n > 56) {
		memset(c.buf + c.n, 0, 64 - c.n);
		compress(c.h, c.buf, 1);
		c.n = 0;
	}
	memset(c.buf + c.n, 0, 56 - c.n);
	for (int i = 0; i < 8; i++)
		c.buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress(c.h, c.buf, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c.h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c.h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c.h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c.h[i];
	}
}
#endif

void ag_sha256_2_portable(const void *a, size_t alen, const void *b, size_t blen,
			  uint8_t out[32])
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, a, alen);
	crypto_hash_sha256_update(&st, b, blen);
	crypto_hash_sha256_final(&st, out);
}

void ag_sha256_2(const void *a, size_t alen, const void *b, size_t blen,
		 uint8_t out[32])
{
#ifdef HAVE_SHANI_CODE
	if (ag_sha256_accelerated()) {
		shani_sha256_2(alen ? a : "", alen, blen ? b : "", blen, out);
		return;
	}
#endif
	ag_sha256_2_portable(a, alen, b, blen, out);
}
