/* Language choice and terminal width of text, for the CLI. */
#include "cli.h"

#include "aigov/err.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum cli_lang cli_lang = LANG_EN;

bool cli_lang_set(const char *name)
{
	if (!strcmp(name, "en") || !strncmp(name, "en_", 3) || !strncmp(name, "en-", 3)) {
		cli_lang = LANG_EN;
		return true;
	}
	if (!strncmp(name, "zh", 2)) {
		cli_lang = LANG_ZH_TW;
		return true;
	}
	return false;
}

/* AIGOV_LANG, then the usual locale variables, as gettext orders them. */
void cli_lang_init(void)
{
	static const char *const vars[] = { "AIGOV_LANG", "LC_ALL", "LC_MESSAGES",
					    "LANG" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) {
			if (!cli_lang_set(v))
				cli_lang = LANG_EN;
			return;
		}
	}
}

static bool wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t cli_display_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t w = 0;

	while (*s) {
		uint32_t cp;
		int n;

		if (*s < 0x80) {
			cp = *s;
			n = 1;
		} else if ((*s & 0xE0) == 0xC0) {
			cp = *s & 0x1F;
			n = 2;
		} else if ((*s & 0xF0) == 0xE0) {
			cp = *s & 0x0F;
			n = 3;
		} else {
			cp = *s & 0x07;
			n = 4;
		}
		for (int i = 1; i < n; i++) {
			if ((s[i] & 0xC0) != 0x80) {
				n = i;
				break;
			}
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		w += wide(cp) ? 2 : 1;
		s += n;
	}
	return w;
}

void cli_pad(FILE *f, const char *s, size_t width)
{
	size_t w = cli_display_width(s);

	fputs(s, f);
	for (; w < width; w++)
		fputc(' ', f);
}

void cli_pad_right(FILE *f, const char *s, size_t width)
{
	for (size_t w = cli_display_width(s); w < width; w++)
		fputc(' ', f);
	fputs(s, f);
}

int cli_exit_code(int code)
{
	switch (code) {
	case AG_OK: return EXIT_OK;
	case AG_EPARSE:
	case AG_ERANGE:
	case AG_ECORRUPT: return EXIT_BAD_INPUT;
	case AG_EINVAL: return EXIT_USAGE;
	default: return EXIT_IO;
	}
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	fputs(L("aigov: error: ", "aigov: 錯誤: "), stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

void cli_log_stderr(void *ctx, enum ag_log_level level, const char *module,
		    const char *msg)
{
	(void)ctx;
	fprintf(stderr, "aigov: %s: %s: %s\n", ag_log_level_name(level), module, msg);
}
