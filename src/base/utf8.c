#include "aigov/utf8.h"

#include <stdint.h>
#include <string.h>

/* Table 3-7 of the Unicode standard, "Well-Formed UTF-8 Byte Sequences". */
size_t ag_utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/* Byte at a time from s[i], which starts a sequence (or is ASCII). */
static bool valid_scalar(const unsigned char *s, size_t i, size_t len, size_t *bad)
{
	while (i < len) {
		/* ASCII fast path: 32 bytes per test, then 8 at a time, while
		 * no high bit is set.  One test per 8 bytes cost about 1 % of
		 * a profile; the wider test halves it. */
		while (i + 32 <= len) {
			uint64_t w[4];
			memcpy(w, s + i, 32);
			if ((w[0] | w[1] | w[2] | w[3]) & UINT64_C(0x8080808080808080))
				break;
			i += 32;
		}
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = ag_utf8_seq_len(s + i, len - i);
		if (!n) {
			if (bad)
				*bad = i;
			return false;
		}
		i += n;
	}
	return true;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define UTF8_SSSE3 1
#include <tmmintrin.h>

/*
 * Why our own: Chinese text is three bytes per character, and the byte
 * loop above spent about a fifth of a guard scan on it.  This is the
 * "lookup" algorithm of Keiser and Lemire ("Validating UTF-8 in less than
 * one instruction per byte", Software: Practice and Experience 51(5),
 * 2021; the form simdjson ships): three 16-entry table lookups on the
 * nibbles of each byte and the one before it classify every two-byte
 * window, and the bytes two and three back say where a continuation is
 * required.  SSSE3 (pshufb), chosen at run time; the byte loop stays the
 * reference and finds the exact offset of an error.
 */
enum {
	TOO_SHORT = 1 << 0,  /* lead or ASCII, then a lead or ASCII where a continuation is due */
	TOO_LONG = 1 << 1,   /* ASCII, then a continuation */
	OVERLONG_3 = 1 << 2, /* E0 80..9F */
	TOO_LARGE = 1 << 3,  /* F4 90.., F5.. */
	SURROGATE = 1 << 4,  /* ED A0..BF */
	OVERLONG_2 = 1 << 5, /* C0, C1 */
	TOO_LARGE_1000 = 1 << 6,
	OVERLONG_4 = 1 << 6, /* F0 80..8F */
	TWO_CONTS = 1 << 7,  /* a continuation after a continuation */
	CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
};

#define E(x) ((char)(x))

__attribute__((target("ssse3"))) static __m128i block_errors(__m128i in, __m128i prev_in)
{
	const __m128i nib = _mm_set1_epi8(0x0F);
	const __m128i prev1 = _mm_alignr_epi8(in, prev_in, 15);
	const __m128i b1_high = _mm_setr_epi8(
		TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
		E(TWO_CONTS), E(TWO_CONTS), E(TWO_CONTS), E(TWO_CONTS), TOO_SHORT | OVERLONG_2,
		TOO_SHORT, TOO_SHORT | OVERLONG_3 | SURROGATE,
		TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
	const __m128i b1_low = _mm_setr_epi8(
		E(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4), E(CARRY | OVERLONG_2), E(CARRY),
		E(CARRY), E(CARRY | TOO_LARGE), E(CARRY | TOO_LARGE | TOO_LARGE_1000),
		E(CARRY | TOO_LARGE | TOO_LARGE_1000), E(CARRY | TOO_LARGE | TOO_LARGE_1000),
		E(CARRY | TOO_LARGE | TOO_LARGE_1000), E(CARRY | TOO_LARGE | TOO_LARGE_1000),
		E(CARRY | TOO_LARGE | TOO_LARGE_1000), E(CARRY | TOO_LARGE | TOO_LARGE_1000),
		E(CARRY | TOO_LARGE | TOO_LARGE_1000),
		E(CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE),
		E(CARRY | TOO_LARGE | TOO_LARGE_1000), E(CARRY | TOO_LARGE | TOO_LARGE_1000));
	const __m128i b2_high = _mm_setr_epi8(
		TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
		E(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4),
		E(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE),
		E(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
		E(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
		TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
	__m128i sc = _mm_shuffle_epi8(b1_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nib));
	sc = _mm_and_si128(sc, _mm_shuffle_epi8(b1_low, _mm_and_si128(prev1, nib)));
	sc = _mm_and_si128(sc, _mm_shuffle_epi8(b2_high, _mm_and_si128(_mm_srli_epi16(in, 4), nib)));
	/* a third byte (two after E0..EF) or fourth (three after F0..) must be
	 * a continuation, which the window test marks TWO_CONTS */
	const __m128i third = _mm_subs_epu8(_mm_alignr_epi8(in, prev_in, 14), _mm_set1_epi8(E(0xE0 - 0x80)));
	const __m128i fourth = _mm_subs_epu8(_mm_alignr_epi8(in, prev_in, 13), _mm_set1_epi8(E(0xF0 - 0x80)));
	const __m128i must23 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(E(0x80)));
	return _mm_xor_si128(must23, sc);
}

/* The offset up to which s[0..len) is valid, in whole 16-byte blocks,
 * backed up to the start of the sequence that may run past the last
 * block: the byte loop goes on from there. */
__attribute__((target("ssse3"))) static size_t valid_prefix(const unsigned char *s, size_t len)
{
	__m128i prev = _mm_setzero_si128();
	size_t i = 0, k;

	for (; i + 16 <= len; i += 16) {
		__m128i in = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* ASCII after a block that ended on a whole sequence */
		if (!_mm_movemask_epi8(in) && !(s[i - (i > 0)] & 0x80)) {
			prev = in;
			continue;
		}
		if (_mm_movemask_epi8(_mm_cmpeq_epi8(block_errors(in, prev), _mm_setzero_si128())) != 0xFFFF)
			break;
		prev = in;
	}
	/* back to the lead of a sequence that the next block would finish */
	for (k = 1; k <= 3 && k <= i; k++) {
		if (s[i - k] < 0x80)
			break;
		if (s[i - k] >= 0xC0)
			return i - k;
	}
	return i;
}
#undef E
#endif

bool ag_utf8_valid(const char *str, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

#ifdef UTF8_SSSE3
	if (len >= 64 && __builtin_cpu_supports("ssse3"))
		i = valid_prefix(s, len);
#endif
	return valid_scalar(s, i, len, bad);
}

size_t ag_utf8_count(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += (s[i] & 0xC0) != 0x80;
	return n;
}
