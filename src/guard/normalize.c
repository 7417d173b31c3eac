/*
 * Normalisation before matching (include/aigov/guard.h): full-width ASCII
 * forms U+FF01..FF5E become ASCII, the ideographic space U+3000 a space,
 * and invisible characters that split a value or a keyword without showing
 * (zero-width U+200B..200F, word joiners U+2060..2064, BOM U+FEFF, soft
 * hyphen U+00AD, variation selectors U+FE00..FE0F, tags U+E0000..E007F)
 * are dropped.  Normalising is no attack signal in itself (UnplugAI #121
 * flagged all Chinese text that way).
 *
 * Cost: one pass to look for such characters; most text has none and is
 * scanned as it is, with no copy and no map.
 */
#include "aigov/guard.h"

#include <string.h>

/* What the character at s does: 0 keep, 1 replace by *ascii (len bytes),
 * 2 drop (len bytes). */
static int classify(const unsigned char *s, size_t avail, size_t *len, char *ascii)
{
	if (s[0] == 0xEF && avail >= 3) {
		unsigned cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
		*len = 3;
		if (cp >= 0xFF01 && cp <= 0xFF5E) {
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
	if (s[0] == 0xE3 && avail >= 3 && s[1] == 0x80 && s[2] == 0x80) {
		*len = 3;
		*ascii = ' ';
		return 1;
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
	return c == 0xEF || c == 0xE2 || c == 0xE3 || c == 0xF3 || c == 0xC2;
}

/* Offset of the first character to change, or len. */
static size_t first_change(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		size_t n;
		char a;
		if (lead_byte(s[i]) && classify(s + i, len - i, &n, &a))
			return i;
	}
	return len;
}

int ag_guard_normalize(const char *in, size_t len, struct ag_arena *a,
		       struct ag_guard_norm *out, struct ag_err *err)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = first_change(s, len), o;
	char *text;
	uint32_t *map;

	out->text = in;
	out->len = len;
	out->map = NULL;
	if (len >= UINT32_MAX)
		return ag_err_set(err, AG_ERANGE, "guard: input of %zu bytes; split it below 4 GiB", len);
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
