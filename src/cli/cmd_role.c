/* aigov role: who holds which role in the 3+1 lines of defense. */
#include "cli.h"

#include "aigov/registry.h"

#include <string.h>

static const char *opt_actor;

static const struct cli_option grant_opts[] = {
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who grants (an admin; default $AIGOV_ACTOR)",
	  "授予者（須為管理者；預設 $AIGOV_ACTOR）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};
static const struct cli_usage grant_usage = {
	"aigov role grant WHO ROLE [--actor ADMIN]",
	"Give WHO (an actor name such as user:alice) a role: admin, first_line\n"
	"(model owners and developers), second_line (risk management, compliance,\n"
	"security), third_line (internal audit), board (the +1: reads dashboards and\n"
	"reports). Only an admin grants; the person\n"
	"who ran 'aigov init' is the first admin. Recorded in the ledger.",
	"授予 WHO（操作者名稱，例如 user:alice）角色：admin（管理者）、first_line（第一道\n"
	"防線：模型負責人與開發者）、second_line（第二道防線：風險管理、法遵、資安）、\n"
	"third_line（第三道防線：內部稽核）、board（董事會：閱覽儀表板與報告）。僅管理者可授予；執行 'aigov init' 者為第一位\n"
	"管理者。授予記入帳本。",
	grant_opts,
	"  aigov role grant user:cro second_line\n",
};

static const struct cli_option list_opts[] = {
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};
static const struct cli_usage list_usage = {
	"aigov role list", "List who holds which role.", "列出各操作者的角色。", list_opts,
	"  aigov role list\n",
};

const struct cli_usage cmd_role_usage = {
	"aigov role <grant|list> [options]",
	"Roles of the 3+1 lines of defense:\n"
	"  grant  give someone a role (admins only)\n"
	"  list   who holds which role\n",
	"三道防線加一的角色：\n  grant  授予角色（限管理者）\n  list   列出角色\n",
	NULL,
	"  aigov role grant user:cro second_line\n",
};

static int run_grant(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc, role = -1;

	if (!cli_nargs_ok(&grant_usage, nargs, 2, "WHO ROLE", &exit_code))
		return exit_code;
	for (int r = 0; ag_role_ids[r]; r++)
		if (!strcmp(args[1], ag_role_ids[r]))
			role = r;
	if (role < 0)
		return cli_error(EXIT_USAGE, L("'%s' is not a role (admin, first_line, second_line, third_line, board)",
					       "'%s' 不是角色（admin、first_line、second_line、third_line、board）"),
				 args[1]);
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_role_grant(ws, actor, args[0], role, &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("%s is now %s\n", "%s 已取得角色 %s\n"), args[0], ag_role_ids[role]);
	return EXIT_OK;
}

static void print_role(void *ctx, const char *who, const char *role, const char *by,
		       const char *at)
{
	(void)ctx;
	printf("%-28s %-12s %s %s %s\n", who, role, L("granted by", "授予者"), by, at);
}

static int run_list(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&list_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_role_list(ws, print_role, NULL, &err);
	ag_workspace_free(ws);
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "grant", &grant_usage, run_grant },
	{ "list", &list_usage, run_list },
};

const struct cli_usage *cli_role_usage(const char *sub)
{
	return cli_sub_usage(subs, sizeof(subs) / sizeof(subs[0]), sub);
}

int cmd_role(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_role_usage, subs, sizeof(subs) / sizeof(subs[0]));
}
