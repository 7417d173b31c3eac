/*
 * Private to src/cli: the command table, option parsing, language and
 * exit codes.  This is the only layer that prints to stdout or exits.
 */
#ifndef AIGOV_CLI_H
#define AIGOV_CLI_H

#include "aigov/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in docs/cli.md. */
enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1, /* checks failed or findings reported */
	EXIT_USAGE = 2,
	EXIT_BAD_INPUT = 3,
	EXIT_IO = 4        /* I/O or internal error */
};

/* ---- language ---- */
enum cli_lang { LANG_EN, LANG_ZH_TW };
extern enum cli_lang cli_lang; /* set once at start-up */
void cli_lang_init(void);
bool cli_lang_set(const char *name); /* "en", "zh-TW"; false if unknown */
/* Pick the text for the current language.  A macro, so that the compiler
 * checks both literals when they are printf formats. */
#define L(en, zh) (cli_lang == LANG_ZH_TW ? (zh) : (en))
/* Columns a UTF-8 string takes on a terminal (CJK counts 2). */
size_t cli_display_width(const char *s);
/* Print s padded with spaces to `width` columns (left-aligned). */
void cli_pad(FILE *f, const char *s, size_t width);
void cli_pad_right(FILE *f, const char *s, size_t width);

/* Map a library error code to an exit code. */
int cli_exit_code(int ag_code);
/* "aigov: error: <msg>" on stderr; returns `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A logger callback (struct ag_logger.fn): "aigov: <level>: <module>: msg"
 * on stderr. */
void cli_log_stderr(void *ctx, enum ag_log_level level, const char *module,
		    const char *msg);

/* ---- options ---- */
enum cli_opt_type { OPT_END, OPT_FLAG, OPT_STRING, OPT_SIZE, OPT_UINT };

struct cli_option {
	const char *long_name;
	char short_name;     /* 0 for none */
	enum cli_opt_type type;
	void *value;         /* bool*, const char**, size_t*, size_t* */
	const char *argh;    /* argument placeholder, e.g. "SIZE" */
	const char *help_en;
	const char *help_zh;
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary_en, *summary_zh;
};

struct cli_usage {
	const char *synopsis;          /* "aigov profile [options] FILE" */
	const char *desc_en, *desc_zh; /* paragraphs after the synopsis */
	const struct cli_option *opts;
	const char *examples;          /* lines of example commands */
};

/*
 * Parse argv[1..] (argv[0] is the command name).  Options may come before
 * and after arguments; "--" ends them.  Positional arguments are moved to
 * args[0..*nargs).  Returns -1 when the caller should exit with
 * *exit_code (0 after --help, 2 after a usage error, already reported).
 */
int cli_parse(int argc, char **argv, const struct cli_usage *u, char **args,
	      int *nargs, int *exit_code);
void cli_print_usage(FILE *f, const struct cli_usage *u);

/* ---- workspace ---- */
struct ag_workspace;
/* --workspace DIR, given before the command or among its options. */
extern const char *cli_workspace_dir;
/* Who is acting: `given` (--actor), else $AIGOV_ACTOR, else "user:<login>"
 * of the process owner.  Returns given or buf. */
const char *cli_actor(const char *given, char *buf, size_t cap);
/* Record an evaluation of `system` in the ledger (evaluation.record):
 * the data's (and reference's) fingerprint, parameters, result and checks;
 * with control, the data file also becomes that control's evidence. */
struct ag_eval_options;
struct ag_eval_result;
struct ag_thresholds;
struct ag_check;
struct ag_err;
int cli_evaluation_record(struct ag_workspace *ws, const char *data, const char *system,
			  const char *control, const struct ag_eval_options *o,
			  const struct ag_eval_result *r, const struct ag_thresholds *t, int tier,
			  const struct ag_check *c, size_t nc, const char *actor, struct ag_err *err);
/* Record a system's event with record (ag_evaluation_record, ...): the
 * payload in the ledger; with control, `file` then becomes that control's
 * evidence (note says by what).  An unknown control records nothing. */
typedef int (*cli_record_fn)(struct ag_workspace *ws, const char *id, const char *payload,
			     size_t len, const char *actor, struct ag_err *err);
int cli_record_event(struct ag_workspace *ws, const char *system, cli_record_fn record,
		     const char *payload, size_t len, const char *control, const char *file,
		     const char *note, const char *actor, struct ag_err *err);
/* Online processors, 1 .. 64: the default of --threads. */
unsigned cli_cores(void);
/* Find and open the workspace; on failure the error is printed and the
 * exit code returned (2 when there is no workspace). */
int cli_workspace_open(struct ag_workspace **ws, bool write, const char *actor);
/* Print "aigov: error: <msg>" and return the exit code for `code`. */
int cli_fail(int code, const char *msg);
/* Exactly `want` arguments, else a usage error naming them. */
bool cli_nargs_ok(const struct cli_usage *u, int nargs, int want, const char *what,
		  int *exit_code);

/* ---- JSON output ---- */
#include "aigov/json.h"
struct cli_json {
	struct ag_buf out;
	struct ag_json j;
};
/* Start a JSON document; returns the writer. */
struct ag_json *cli_json_init(struct cli_json *c, bool pretty);
/* Print it and a newline to stdout, free it: EXIT_OK, or EXIT_IO (with a
 * message) when the writer ran out of memory. */
int cli_json_print(struct cli_json *c);

/* ---- subcommands (aigov ledger verify, aigov system add, ...) ---- */
struct cli_sub {
	const char *name;
	const struct cli_usage *usage;
	int (*run)(char **args, int nargs);
};
/* Parse argv (argv[0] the command, argv[1] the subcommand) against the
 * subcommand's usage and run it; `top` is the command's own usage. */
int cli_dispatch(int argc, char **argv, const struct cli_usage *top,
		 const struct cli_sub *subs, size_t nsubs);
const struct cli_usage *cli_sub_usage(const struct cli_sub *subs, size_t nsubs,
				      const char *name);
/* Parse argv against u and call run with the positional arguments. */
int cli_run_simple(int argc, char **argv, const struct cli_usage *u,
		   int (*run)(char **args, int nargs));

/* ---- commands ---- */
int cmd_profile(int argc, char **argv);
extern const struct cli_usage cmd_profile_usage;
int cmd_init(int argc, char **argv);
extern const struct cli_usage cmd_init_usage;
int cmd_ledger(int argc, char **argv);
extern const struct cli_usage cmd_ledger_usage;
int cmd_system(int argc, char **argv);
extern const struct cli_usage cmd_system_usage;
int cmd_catalog(int argc, char **argv);
extern const struct cli_usage cmd_catalog_usage;
int cmd_role(int argc, char **argv);
extern const struct cli_usage cmd_role_usage;
int cmd_assess(int argc, char **argv);
extern const struct cli_usage cmd_assess_usage;
int cmd_evidence(int argc, char **argv);
extern const struct cli_usage cmd_evidence_usage;
int cmd_approve(int argc, char **argv);
extern const struct cli_usage cmd_approve_usage;
int cmd_gaps(int argc, char **argv);
extern const struct cli_usage cmd_gaps_usage;
int cmd_stage(int argc, char **argv);
extern const struct cli_usage cmd_stage_usage;
int cmd_demo(int argc, char **argv);
extern const struct cli_usage cmd_demo_usage;
int cmd_vendor(int argc, char **argv);
extern const struct cli_usage cmd_vendor_usage;
int cmd_shutdown(int argc, char **argv);
extern const struct cli_usage cmd_shutdown_usage;
int cmd_resume(int argc, char **argv);
extern const struct cli_usage cmd_resume_usage;
int cmd_incident(int argc, char **argv);
extern const struct cli_usage cmd_incident_usage;
int cmd_appeal(int argc, char **argv);
extern const struct cli_usage cmd_appeal_usage;
int cmd_evaluate(int argc, char **argv);
extern const struct cli_usage cmd_evaluate_usage;
int cmd_guard(int argc, char **argv);
extern const struct cli_usage cmd_guard_usage;
const struct cli_usage *cli_guard_usage(const char *sub);
struct ag_guard;
struct ag_guard_scratch;
struct ag_guard_redactor;
/* The guard from the shipped rules, or from the comma-separated rule
 * files `rules`; *s too unless s is NULL.  Errors printed; exit code. */
int cli_guard_build(const char *rules, struct ag_guard **g, struct ag_guard_scratch **s);
/* The key file `given` (else $AIGOV_GUARD_KEY_FILE) into rd; a usage
 * error when there is none and `needed`.  Errors printed; exit code. */
int cli_guard_load_key(const char *given, struct ag_guard_redactor *rd, bool needed);
/* "HOST:PORT" or "[V6]:PORT" (--listen) into host (buf) and port. */
bool cli_parse_listen(const char *s, char *buf, size_t cap, unsigned *port);
int cmd_gateway(int argc, char **argv);
extern const struct cli_usage cmd_gateway_usage;
int cmd_explain(int argc, char **argv);
extern const struct cli_usage cmd_explain_usage;
int cmd_stats(int argc, char **argv);
extern const struct cli_usage cmd_stats_usage;
const struct cli_usage *cli_vendor_usage(const char *sub);
const struct cli_usage *cli_incident_usage(const char *sub);
const struct cli_usage *cli_appeal_usage(const char *sub);
const struct cli_usage *cli_evidence_usage(const char *sub);
struct ag_system;
struct ag_gap_report;
/* One system's gap report, as aigov gaps prints it. */
void cli_print_gaps(const struct ag_system *s, const struct ag_gap_report *r, bool all);
/* The usage of `aigov <command> <sub>`, NULL if there is none. */
const struct cli_usage *cli_ledger_usage(const char *sub);
const struct cli_usage *cli_system_usage(const char *sub);
const struct cli_usage *cli_catalog_usage(const char *sub);
const struct cli_usage *cli_role_usage(const char *sub);
int cmd_serve(int argc, char **argv);
extern const struct cli_usage cmd_serve_usage;
int cmd_user(int argc, char **argv);
extern const struct cli_usage cmd_user_usage;
const struct cli_usage *cli_user_usage(const char *sub);
int cmd_token(int argc, char **argv);
extern const struct cli_usage cmd_token_usage;
const struct cli_usage *cli_token_usage(const char *sub);

#endif
