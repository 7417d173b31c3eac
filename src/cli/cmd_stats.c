/* aigov stats: the counts a regulator's survey asks for. */
#include "cli.h"

#include "aigov/json.h"
#include "aigov/operations.h"

static const struct cli_option stats_opts[] = {
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_stats_usage = {
	"aigov stats",
	"The counts the FSC's surveys ask for, as JSON: systems by business line,\n"
	"use case, AI type, lifecycle stage and risk tier; generative AI use;\n"
	"vendor-supplied share; critical systems; open incidents and appeals.",
	"以 JSON 列出金管會調查所需的統計：依業別、用途、AI 類型、生命週期階段與風險等級\n"
	"分類的系統數；生成式 AI 使用；委外供應比例；關鍵系統；未結事件與申訴。",
	stats_opts,
	"  aigov stats\n",
};

static int run_stats(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	struct cli_json out;
	struct ag_json *j;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&cmd_stats_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	j = cli_json_init(&out, true);
	rc = ag_stats_json(ws, j, &err);
	ag_workspace_free(ws);
	if (rc) {
		ag_buf_release(&out.out);
		return cli_fail(rc, err.msg);
	}
	return cli_json_print(&out);
}

int cmd_stats(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_stats_usage, run_stats);
}
