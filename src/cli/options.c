/*
 * Table-driven option parsing, after git's parse-options: each command
 * keeps its option table next to its usage text, so that `--help` and the
 * code cannot drift apart.
 */
#include "cli.h"

#include "aigov/num.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_print_usage(FILE *f, const struct cli_usage *u)
{
	fprintf(f, "%s: %s\n\n", L("usage", "用法"), u->synopsis);
	fprintf(f, "%s\n", L(u->desc_en, u->desc_zh));
	if (u->opts && u->opts[0].type != OPT_END) {
		fprintf(f, "\n%s\n", L("Options:", "選項："));
		for (const struct cli_option *o = u->opts; o->type != OPT_END; o++) {
			char left[64];
			int n;

			if (o->short_name)
				n = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name,
					     o->long_name);
			else
				n = snprintf(left, sizeof(left), "      --%s", o->long_name);
			if (o->argh && n > 0 && (size_t)n < sizeof(left))
				snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->argh);
			cli_pad(f, left, 28);
			if (cli_display_width(left) >= 28)
				fprintf(f, "\n%28s", "");
			fprintf(f, "%s\n", L(o->help_en, o->help_zh));
		}
		cli_pad(f, "  -h, --help", 28);
		fprintf(f, "%s\n", L("show this help", "顯示本說明"));
	}
	if (u->examples)
		fprintf(f, "\n%s\n%s", L("Examples:", "範例："), u->examples);
}

/* "512M", "2G", "1.5GiB", "4096": binary units, bytes by default. */
static bool parse_size(const char *s, size_t *out)
{
	size_t n = strlen(s), digits_end = 0;
	double v, mult = 1;

	while (digits_end < n && ((s[digits_end] >= '0' && s[digits_end] <= '9') ||
				  s[digits_end] == '.'))
		digits_end++;
	if (!digits_end || !ag_parse_double(s, digits_end, &v))
		return false;
	const char *u = s + digits_end;
	switch (*u) {
	case '\0': break;
	case 'k': case 'K': mult = 1024.0; break;
	case 'm': case 'M': mult = 1024.0 * 1024; break;
	case 'g': case 'G': mult = 1024.0 * 1024 * 1024; break;
	case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; break;
	case 'b': case 'B': break;
	default: return false;
	}
	if (*u && *u != 'b' && *u != 'B') {
		u++;
		if (*u == 'i')
			u++;
		if (*u == 'B' || *u == 'b')
			u++;
	} else if (*u) {
		u++;
	}
	if (*u)
		return false;
	v *= mult;
	if (!(v >= 0) || v >= 18446744073709549568.0)
		return false;
	*out = (size_t)v;
	return true;
}

static bool parse_uint(const char *s, size_t *out)
{
	int64_t v;

	if (!ag_parse_int64(s, strlen(s), &v) || v < 0)
		return false;
	*out = (size_t)v;
	return true;
}

static int usage_error(const struct cli_usage *u, int *exit_code,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int usage_error(const struct cli_usage *u, int *exit_code,
		       const char *fmt, ...)
{
	va_list ap;

	fputs(L("aigov: error: ", "aigov: 錯誤: "), stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s: %s\n%s\n", L("usage", "用法"), u->synopsis,
		L("(run with --help for details)", "（加上 --help 看說明）"));
	*exit_code = EXIT_USAGE;
	return -1;
}

static int set_value(const struct cli_usage *u, const struct cli_option *o,
		     const char *val, int *exit_code)
{
	switch (o->type) {
	case OPT_STRING:
		*(const char **)o->value = val;
		return 0;
	case OPT_SIZE:
		if (parse_size(val, (size_t *)o->value))
			return 0;
		return usage_error(u, exit_code,
				   L("--%s: '%s' is not a size (e.g. 512M, 2G)",
				     "--%s: '%s' 不是大小（例如 512M、2G）"),
				   o->long_name, val);
	case OPT_UINT:
		if (parse_uint(val, (size_t *)o->value))
			return 0;
		return usage_error(u, exit_code,
				   L("--%s: '%s' is not a non-negative integer",
				     "--%s: '%s' 不是非負整數"),
				   o->long_name, val);
	default:
		return 0;
	}
}

static const struct cli_option *find_long(const struct cli_usage *u,
					  const char *name, size_t len)
{
	for (const struct cli_option *o = u->opts; o && o->type != OPT_END; o++)
		if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct cli_option *find_short(const struct cli_usage *u, char c)
{
	for (const struct cli_option *o = u->opts; o && o->type != OPT_END; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

int cli_parse(int argc, char **argv, const struct cli_usage *u, char **args,
	      int *nargs, int *exit_code)
{
	bool only_args = false;

	*nargs = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct cli_option *o;
		const char *val = NULL;

		if (only_args || a[0] != '-' || !strcmp(a, "-")) {
			args[(*nargs)++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_print_usage(stdout, u);
			*exit_code = EXIT_OK;
			return -1;
		}
		if (a[1] == '-') {
			char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			o = find_long(u, a + 2, len);
			if (!o)
				return usage_error(u, exit_code,
						   L("unknown option '%s'%s",
						     "不明的選項 '%s'%s"), a, "");
			if (eq)
				val = eq + 1;
		} else {
			o = find_short(u, a[1]);
			if (!o)
				return usage_error(u, exit_code,
						   L("unknown option '%s'%s",
						     "不明的選項 '%s'%s"), a, "");
			if (a[2])
				val = a + 2;
		}
		if (o->type == OPT_FLAG) {
			if (val)
				return usage_error(u, exit_code,
						   L("option '--%s' takes no value%s",
						     "選項 '--%s' 不接受值%s"),
						   o->long_name, "");
			*(bool *)o->value = true;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc)
				return usage_error(u, exit_code,
						   L("option '--%s' needs a value%s",
						     "選項 '--%s' 需要一個值%s"),
						   o->long_name, "");
			val = argv[++i];
		}
		if (set_value(u, o, val, exit_code))
			return -1;
	}
	return 0;
}

const struct cli_usage *cli_sub_usage(const struct cli_sub *subs, size_t nsubs,
				      const char *name)
{
	for (size_t i = 0; i < nsubs; i++)
		if (!strcmp(name, subs[i].name))
			return subs[i].usage;
	return NULL;
}

int cli_dispatch(int argc, char **argv, const struct cli_usage *top,
		 const struct cli_sub *subs, size_t nsubs)
{
	char **args;
	int nargs, exit_code;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_print_usage(argc < 2 ? stderr : stdout, top);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < nsubs; i++) {
		if (strcmp(argv[1], subs[i].name))
			continue;
		args = calloc((size_t)argc + 1, sizeof(*args));
		if (!args)
			return cli_error(EXIT_IO, "out of memory");
		if (cli_parse(argc - 1, argv + 1, subs[i].usage, args, &nargs, &exit_code)) {
			free(args);
			return exit_code;
		}
		exit_code = subs[i].run(args, nargs);
		free(args);
		return exit_code;
	}
	return cli_error(EXIT_USAGE, L("'%s' is not a subcommand of aigov %s; see 'aigov %s --help'",
				       "'%s' 不是 aigov %s 的子指令；請看 'aigov %s --help'"),
			 argv[1], argv[0], argv[0]);
}

int cli_run_simple(int argc, char **argv, const struct cli_usage *u,
		   int (*run)(char **args, int nargs))
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	int nargs, exit_code;

	if (!args)
		return cli_error(EXIT_IO, "out of memory");
	if (!cli_parse(argc, argv, u, args, &nargs, &exit_code))
		exit_code = run(args, nargs);
	free(args);
	return exit_code;
}

struct ag_json *cli_json_init(struct cli_json *c, bool pretty)
{
	ag_buf_init(&c->out);
	ag_json_init(&c->j, &c->out, pretty);
	return &c->j;
}

int cli_json_print(struct cli_json *c)
{
	int rc = EXIT_OK;

	if (ag_json_failed(&c->j) || ag_buf_addch(&c->out, '\n'))
		rc = cli_error(EXIT_IO, "out of memory");
	else
		fwrite(c->out.buf, 1, c->out.len, stdout);
	ag_buf_release(&c->out);
	return rc;
}

unsigned cli_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}
