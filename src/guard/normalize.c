/*
 * Normalisation before matching (include/aigov/guard.h): full-width digits
 * and letters (U+FF10..FF19, FF21..FF3A, FF41..FF5A) and the full-width
 * forms of + - . @ (which join the parts of phones and e-mail addresses)
 * become ASCII, and invisible characters that split a value or a keyword without showing
 * (zero-width U+200B..200F, word joiners U+2060..2064, BOM U+FEFF, soft
 * hyphen U+00AD, variation selectors U+FE00..FE0F, tags U+E0000..E007F)
 * are dropped.  Normalising is no attack signal in itself (UnplugAI #121
 * flagged all Chinese text that way).
 *
 * Full-width punctuation (，：？（）) and the ideographic space are left as
 * they are: every Chinese sentence has them, and copying every Chinese text
 * with a 4-byte map per byte would halve the scan speed.  Patterns that
 * care accept both forms (：and :).
 *
 * Cost: UTF-8 validation (ag_utf8_valid, sixteen bytes a step) and a
 * pass that looks for such characters (guard_prepare); most text has
 * none and is scanned as it is, with no copy and no map.
 */
#include "aigov/guard.h"

#include "aigov/utf8.h"
#include "detect_internal.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* What the character at s does: 0 keep, 1 replace by *ascii (len bytes),
 * 2 drop (len bytes). */
static int classify(const unsigned char *s, size_t avail, size_t *len, char *ascii)
{
	if (s[0] == 0xEF && avail >= 3) {
		unsigned cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
		*len = 3;
		if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
		    (cp >= 0xFF41 && cp <= 0xFF5A) || cp == 0xFF0B || cp == 0xFF0D || cp == 0xFF0E ||
		    cp == 0xFF20) {
			*ascii = (char)(cp - 0xFF01 + 0x21);
			return 1;
		}
		if (cp == 0xFEFF || (cp >= 0xFE00 && cp <= 0xFE0F))
			return 2;
		return 0;
	}
	if (s[0] == 0xE2 && avail >= 3) {
		*len = 3;
		if (s[1] == 0x80 && s[2] >= 0x8B && s[2] <= 0x8F)
			return 2;
		if (s[1] == 0x81 && s[2] >= 0xA0 && s[2] <= 0xA4)
			return 2;
		return 0;
	}
	if (s[0] == 0xF3 && avail >= 4 && s[1] == 0xA0 && (s[2] == 0x80 || s[2] == 0x81)) {
		*len = 4;
		return 2;
	}
	if (s[0] == 0xC2 && avail >= 2 && s[1] == 0xAD) {
		*len = 2;
		return 2;
	}
	return 0;
}

static bool lead_byte(unsigned char c)
{
	return c == 0xEF || c == 0xE2 || c == 0xF3 || c == 0xC2;
}

/* The first character in s[0..len) (valid UTF-8) that normalising
 * changes, or len.  Only four lead bytes can start one: SSE2 finds them
 * sixteen bytes at a time, classify looks closer. */
static size_t first_change(const unsigned char *s, size_t len)
{
	size_t i = 0, n;
	char a;

#ifdef __SSE2__
	const __m128i ef = _mm_set1_epi8((char)0xEF), e2 = _mm_set1_epi8((char)0xE2);
	const __m128i f3 = _mm_set1_epi8((char)0xF3), c2 = _mm_set1_epi8((char)0xC2);
	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, ef), _mm_cmpeq_epi8(v, e2)),
					   _mm_or_si128(_mm_cmpeq_epi8(v, f3), _mm_cmpeq_epi8(v, c2)));
		for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m; m &= m - 1) {
			size_t k = i + (size_t)__builtin_ctz(m);
			if (classify(s + k, len - k, &n, &a))
				return k;
		}
	}
#endif
	for (; i < len; i++)
		if (lead_byte(s[i]) && classify(s + i, len - i, &n, &a))
			return i;
	return len;
}

bool guard_prepare(const char *str, size_t len, size_t *bad, size_t *change)
{
	if (!ag_utf8_valid(str, len, bad))
		return false;
	*change = first_change((const unsigned char *)str, len);
	return true;
}

int ag_guard_normalize(const char *in, size_t len, struct ag_arena *a,
		       struct ag_guard_norm *out, struct ag_err *err)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = len, o, bad;
	char *text;
	uint32_t *map;

	out->text = in;
	out->len = len;
	out->map = NULL;
	if (len >= UINT32_MAX)
		return ag_err_set(err, AG_ERANGE, "guard: input of %zu bytes; split it below 4 GiB", len);
	if (!guard_prepare(in, len, &bad, &i))
		return ag_err_set(err, AG_EINVAL, "invalid UTF-8 at byte %zu", bad);
	if (i == len)
		return 0;
	text = ag_arena_alloc(a, len + 1);
	map = ag_arena_calloc(a, len + 1, sizeof(*map));
	if (!text || !map)
		return ag_err_set(err, AG_ENOMEM, "guard: out of memory normalising %zu bytes", len);
	memcpy(text, in, i);
	for (o = 0; o < i; o++)
		map[o] = (uint32_t)o;
	while (i < len) {
		size_t n = 1;
		char asc = 0;
		int what = lead_byte(s[i]) ? classify(s + i, len - i, &n, &asc) : 0;
		if (what == 0) {
			n = 1;
			text[o] = (char)s[i];
			map[o++] = (uint32_t)i;
		} else if (what == 1) {
			text[o] = asc;
			map[o++] = (uint32_t)i;
		}
		i += n;
	}
	text[o] = '\0';
	map[o] = (uint32_t)len;
	out->text = text;
	out->len = o;
	out->map = map;
	return 0;
}
