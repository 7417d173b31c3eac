/* aigov init: create a workspace. */
#include "cli.h"

#include "aigov/risk.h"
#include "aigov/workspace.h"

#include <stdlib.h>

static const char *opt_actor;

static const struct cli_option init_opts[] = {
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME",
	  "who is acting, recorded in the ledger (default $AIGOV_ACTOR, else user:<login>)",
	  "記錄於帳本的操作者（預設 $AIGOV_ACTOR，否則 user:<登入名稱>）" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_init_usage = {
	"aigov init [options] [DIR]",
	"Create an aigov workspace in DIR (default: the current folder), like\n"
	"'git init': DIR/.aigov/ holds the store (one SQLite database), the\n"
	"configuration (config.yaml) and the installation's Ed25519 signing key\n"
	"(keys/ledger.key, readable by you only). The ledger starts with an entry\n"
	"that names the public key (keys/ledger.pub), and a first signed\n"
	"checkpoint. Give a copy of keys/ledger.pub to your auditors: with it they\n"
	"can verify an exported ledger on their own machine.\n"
	"Other commands find the workspace from --workspace DIR, $AIGOV_WORKSPACE,\n"
	"or the current folder and its parents.",
	"在 DIR（預設為目前資料夾）建立 aigov 工作區，如同 'git init'：DIR/.aigov/\n"
	"內含儲存區（一個 SQLite 資料庫）、設定檔（config.yaml）與本安裝的 Ed25519\n"
	"簽章金鑰（keys/ledger.key，僅本人可讀）。帳本第一筆紀錄載明公鑰\n"
	"（keys/ledger.pub），並簽署第一個檢查點。請將 keys/ledger.pub 的副本交給\n"
	"稽核人員：他們可憑此在自己的電腦上驗證匯出的帳本。\n"
	"其他指令依序由 --workspace DIR、$AIGOV_WORKSPACE、目前資料夾及其上層\n"
	"尋找工作區。",
	init_opts,
	"  aigov init\n"
	"  aigov init /srv/aigov --actor user:risk-office\n",
};

int cmd_init(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	char actor_buf[300];
	struct ag_err err;
	const char *dir;
	int nargs, exit_code, rc;

	if (!args)
		return cli_error(EXIT_IO, "out of memory");
	if (cli_parse(argc, argv, &cmd_init_usage, args, &nargs, &exit_code)) {
		free(args);
		return exit_code;
	}
	if (nargs > 1) {
		cli_nargs_ok(&cmd_init_usage, nargs, 1, "DIR", &exit_code);
		free(args);
		return exit_code;
	}
	dir = nargs ? args[0] : ".";
	ag_err_clear(&err);
	/* Every workspace gets its own copy of the shipped policy to adapt. */
	struct ag_workspace_file files[3] = { { "catalog/controls.yaml", NULL, 0 },
					      { "catalog/risk-method.yaml", NULL, 0 },
					      { "catalog/thresholds.yaml", NULL, 0 } };
	files[0].data = ag_builtin_policy("controls.yaml", &files[0].len);
	files[1].data = ag_builtin_policy("risk-method.yaml", &files[1].len);
	files[2].data = ag_builtin_policy("thresholds.yaml", &files[2].len);
	rc = ag_workspace_init(dir, cli_actor(opt_actor, actor_buf, sizeof(actor_buf)), files, 3,
			       &err);
	free(args);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("Initialized an aigov workspace in %s/%s\n"
		 "  signing key:  %s/%s/keys/ledger.key (keep it private)\n"
		 "  public key:   %s/%s/keys/ledger.pub (give a copy to your auditors)\n"
		 "  policy:       %s/%s/catalog/ (controls and risk method: adapt them)\n",
		 "已在 %s/%s 建立 aigov 工作區\n"
		 "  簽章金鑰：%s/%s/keys/ledger.key（請妥善保管）\n"
		 "  公鑰：    %s/%s/keys/ledger.pub（請交一份給稽核人員）\n"
		 "  政策檔：  %s/%s/catalog/（控制項目與風險評估方法，可依需要調整）\n"),
	       dir, AG_WORKSPACE_DIR, dir, AG_WORKSPACE_DIR, dir, AG_WORKSPACE_DIR, dir,
	       AG_WORKSPACE_DIR);
	return EXIT_OK;
}
