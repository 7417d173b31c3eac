/* aigov shutdown and aigov resume: human oversight of critical systems (緊急關閉). */
#include "cli.h"

#include "aigov/operations.h"

static bool opt_drill;
static const char *opt_reason, *opt_actor;

static const struct cli_option shutdown_opts[] = {
	{ "reason", 'r', OPT_STRING, &opt_reason, "TEXT", "why (required; recorded in the ledger)",
	  "原因（必填；記入帳本）" },
	{ "drill", 0, OPT_FLAG, &opt_drill, NULL,
	  "record a shutdown drill instead of a real shutdown (meets drill controls)",
	  "記錄緊急關閉演練，而非實際關閉（可作為演練類控制項目的佐證）" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who acts (role first_line or second_line)",
	  "操作者（須具 first_line 或 second_line 角色）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};
static const struct cli_option resume_opts[] = {
	{ "reason", 'r', OPT_STRING, &opt_reason, "TEXT", "why it is safe again (required)",
	  "恢復運作的理由（必填）" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who acts (role first_line or second_line)",
	  "操作者（須具 first_line 或 second_line 角色）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_shutdown_usage = {
	"aigov shutdown SYSTEM --reason TEXT [--drill] [--actor NAME]",
	"Record that a system was shut down safely (緊急關閉), as its descriptor's\n"
	"oversight section describes, or with --drill that a shutdown drill took\n"
	"place. Needs role first_line or second_line. Recorded in the ledger; a\n"
	"shut-down system shows as such until 'aigov resume'.",
	"記錄系統已依描述檔的 oversight 說明安全關閉（緊急關閉），或以 --drill 記錄一次\n"
	"關閉演練。須具 first_line 或 second_line 角色。記入帳本；在 'aigov resume' 之前\n"
	"系統顯示為已關閉。",
	shutdown_opts,
	"  aigov shutdown card-fraud-detection --reason 'false positives spiking, incident 12'\n"
	"  aigov shutdown card-fraud-detection --drill --reason 'quarterly drill'\n",
};
const struct cli_usage cmd_resume_usage = {
	"aigov resume SYSTEM --reason TEXT [--actor NAME]",
	"Record that a shut-down system runs again.", "記錄已關閉的系統恢復運作。",
	resume_opts,
	"  aigov resume card-fraud-detection --reason 'threshold fixed, incident 12 closed'\n",
};

static int record(char **args, int nargs, const struct cli_usage *u, int kind)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc;

	if (!cli_nargs_ok(u, nargs, 1, "SYSTEM", &exit_code))
		return exit_code;
	if (!opt_reason)
		return cli_error(EXIT_USAGE, "%s", L("--reason is required", "必須提供 --reason"));
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_oversight_record(ws, args[0], kind, opt_reason, actor, &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(kind == AG_OV_DRILL ? L("shutdown drill of %s recorded\n", "已記錄 %s 的關閉演練\n")
	       : kind == AG_OV_SHUTDOWN ? L("%s is shut down\n", "%s 已關閉\n")
					: L("%s runs again\n", "%s 已恢復運作\n"), args[0]);
	return EXIT_OK;
}

static int run_shutdown(char **args, int nargs)
{
	return record(args, nargs, &cmd_shutdown_usage, opt_drill ? AG_OV_DRILL : AG_OV_SHUTDOWN);
}

static int run_resume(char **args, int nargs)
{
	return record(args, nargs, &cmd_resume_usage, AG_OV_RESUME);
}

int cmd_shutdown(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_shutdown_usage, run_shutdown);
}

int cmd_resume(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_resume_usage, run_resume);
}
