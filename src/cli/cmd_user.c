/* aigov user and aigov token: the people who use the server, and their API tokens. */
#include "cli.h"

#include "aigov/identity.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char *opt_actor, *opt_role, *opt_unit;
static size_t opt_days = 90;
static bool opt_json, opt_password_stdin;

#define ACTOR_OPT                                                                          \
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who acts (an admin; default $AIGOV_ACTOR)", \
	  "操作者（須為管理者；預設 $AIGOV_ACTOR）" }
#define WORKSPACE_OPT { "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" }
#define END_OPT { NULL, 0, OPT_END, NULL, NULL, NULL, NULL }

static const struct cli_option user_add_opts[] = {
	{ "role", 'r', OPT_STRING, &opt_role, "ROLE", "owner, risk, auditor, board or admin",
	  "owner、risk、auditor、board 或 admin" },
	{ "unit", 'u', OPT_STRING, &opt_unit, "UNIT",
	  "business unit (required for owners: they write only its systems)",
	  "業務單位（owner 必填：僅能寫入該單位的系統）" },
	{ "password-stdin", 0, OPT_FLAG, &opt_password_stdin, NULL,
	  "also set a web UI password, read from standard input (one line)",
	  "同時設定網頁介面密碼，自標準輸入讀取（一行）" },
	ACTOR_OPT, WORKSPACE_OPT, END_OPT,
};
static const struct cli_usage user_add_usage = {
	"aigov user add NAME --role ROLE [--unit UNIT] [--password-stdin] [--actor ADMIN]",
	"Add a person who uses the server. Roles: owner (1st line: registers and\n"
	"evidences the systems of their unit), risk (2nd line: assesses, overrides,\n"
	"approves, manages vendors and incidents), auditor (3rd line: reads\n"
	"everything, the ledger included, writes nothing), board (+1: dashboards and\n"
	"reports), admin (users and tokens). NAME acts in the ledger as user:NAME and\n"
	"gets the 3+1 role behind theirs (aigov role list). Only an admin adds users.",
	"新增使用伺服器的人員。角色：owner（第一道防線：登錄其單位的系統並提供佐證）、\n"
	"risk（第二道防線：評估、覆寫等級、核准、管理供應商與事件）、auditor（第三道\n"
	"防線：可閱覽一切含帳本，不可寫入）、board（董事會：儀表板與報告）、admin（管理\n"
	"使用者與權杖）。NAME 在帳本中記為 user:NAME，並取得對應的三道防線角色（aigov\n"
	"role list）。僅管理者可新增。",
	user_add_opts,
	"  aigov user add alice --role owner --unit retail-banking\n"
	"  aigov user add carol --role auditor\n"
	"  printf '%s\\n' \"$PW\" | aigov user add rita --role risk --password-stdin\n",
};

static const struct cli_option passwd_opts[] = {
	{ "password-stdin", 0, OPT_FLAG, &opt_password_stdin, NULL,
	  "read the password from standard input (one line) instead of asking twice",
	  "自標準輸入讀取密碼（一行），而非詢問兩次" },
	ACTOR_OPT, WORKSPACE_OPT, END_OPT,
};
static const struct cli_usage user_passwd_usage = {
	"aigov user passwd NAME [--password-stdin] [--actor ADMIN]",
	"Set the password NAME logs in to the web UI with (at least 10 characters).\n"
	"Only an argon2id hash of it is stored. On a terminal it is asked twice\n"
	"without echo; otherwise give --password-stdin. Only an admin sets passwords.",
	"設定 NAME 登入網頁介面的密碼（至少 10 個字元）。僅保存其 argon2id 雜湊。於終端機\n"
	"上會詢問兩次且不顯示；否則請用 --password-stdin。僅管理者可設定。",
	passwd_opts,
	"  aigov user passwd alice\n"
	"  aigov user passwd alice --password-stdin < alice.pw\n",
};

static const struct cli_option list_opts[] = {
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON", "輸出 JSON" },
	WORKSPACE_OPT, END_OPT,
};
static const struct cli_usage user_list_usage = {
	"aigov user list [--json]", "List the users, their roles and units.",
	"列出使用者、角色與單位。", list_opts, "  aigov user list\n",
};

const struct cli_usage cmd_user_usage = {
	"aigov user <add|passwd|list> [options]",
	"The people who use the server:\n"
	"  add     add a user with a role (admins only)\n"
	"  passwd  set a user's web UI password (admins only)\n"
	"  list    list the users\n"
	"Give each a token with 'aigov token create' for the API.",
	"使用伺服器的人員：\n  add     新增使用者與角色（限管理者）\n"
	"  passwd  設定使用者的網頁介面密碼（限管理者）\n  list    列出使用者\n"
	"以 'aigov token create' 發給 API 權杖。",
	NULL,
	"  aigov user add alice --role owner --unit retail-banking\n",
};

/* One line of standard input, without its line end; -1 when too long. */
static int read_line(char *buf, size_t cap, size_t *len)
{
	if (!fgets(buf, (int)cap, stdin))
		buf[0] = '\0';
	*len = strcspn(buf, "\r\n");
	if (*len == cap - 1 && buf[*len] == '\0' && !feof(stdin))
		return -1;
	buf[*len] = '\0';
	return 0;
}

/* Ask on the terminal without echo. */
static int ask(const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct termios old, quiet;
	int rc;

	fputs(prompt, stderr);
	if (tcgetattr(STDIN_FILENO, &old))
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	rc = read_line(buf, cap, len);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

#define PW_CAP (AG_PASSWORD_MAX + 2)

/* The new password: from standard input, or asked twice on a terminal. */
static int get_password(const char *name, char pw[PW_CAP], size_t *len)
{
	char again[PW_CAP];
	size_t len2;
	int rc;

	if (opt_password_stdin) {
		if (read_line(pw, PW_CAP, len))
			return cli_error(EXIT_USAGE, L("the password is longer than %d bytes",
						       "密碼超過 %d 位元組"), AG_PASSWORD_MAX);
		return EXIT_OK;
	}
	if (!isatty(STDIN_FILENO))
		return cli_error(EXIT_USAGE, "%s", L("standard input is not a terminal: give "
						     "--password-stdin",
						     "標準輸入不是終端機：請加 --password-stdin"));
	fprintf(stderr, L("New password for %s\n", "%s 的新密碼\n"), name);
	if (ask(L("Password: ", "密碼："), pw, PW_CAP, len) ||
	    ask(L("Again: ", "再輸入一次："), again, PW_CAP, &len2))
		return cli_error(EXIT_USAGE, "%s", L("could not read the password",
						     "無法讀取密碼"));
	rc = *len == len2 && !memcmp(pw, again, len2) ? EXIT_OK :
		cli_error(EXIT_USAGE, "%s", L("the passwords differ", "兩次密碼不同"));
	sodium_memzero(again, sizeof(again));
	return rc;
}

static int run_user_add(char **args, int nargs)
{
	char pw[PW_CAP];
	size_t pwlen = 0;
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc, role = ag_user_role_parse(opt_role);

	if (!cli_nargs_ok(&user_add_usage, nargs, 1, "NAME", &exit_code))
		return exit_code;
	if (!opt_role)
		return cli_error(EXIT_USAGE, "%s", L("--role is required (owner, risk, auditor, board, admin)",
						     "必須指定 --role（owner、risk、auditor、board、admin）"));
	if (role < 0)
		return cli_error(EXIT_USAGE, L("'%s' is not a role (owner, risk, auditor, board, admin)",
					       "'%s' 不是角色（owner、risk、auditor、board、admin）"),
				 opt_role);
	if (opt_password_stdin && (exit_code = get_password(args[0], pw, &pwlen)))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	/* Checked before the user is added, so that a bad password adds nobody. */
	if (opt_password_stdin && pwlen < AG_PASSWORD_MIN) {
		ag_workspace_free(ws);
		return cli_error(EXIT_USAGE, L("a password needs at least %d characters",
					       "密碼至少需 %d 個字元"), AG_PASSWORD_MIN);
	}
	rc = ag_user_add(ws, actor, args[0], role, opt_unit, &err);
	if (!rc && opt_password_stdin)
		rc = ag_user_set_password(ws, actor, args[0], pw, pwlen, &err);
	sodium_memzero(pw, sizeof(pw));
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("added user %s (%s%s%s); give them a token: aigov token create %s\n",
		 "已新增使用者 %s（%s%s%s）；發給權杖：aigov token create %s\n"),
	       args[0], opt_role, opt_unit ? ", " : "", opt_unit ? opt_unit : "", args[0]);
	return EXIT_OK;
}

static int run_user_passwd(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300], pw[PW_CAP];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	size_t len = 0;
	int exit_code, rc;

	if (!cli_nargs_ok(&user_passwd_usage, nargs, 1, "NAME", &exit_code))
		return exit_code;
	if ((exit_code = get_password(args[0], pw, &len)))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, true, actor))) {
		sodium_memzero(pw, sizeof(pw));
		return exit_code;
	}
	ag_err_clear(&err);
	rc = ag_user_set_password(ws, actor, args[0], pw, len, &err);
	sodium_memzero(pw, sizeof(pw));
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("password of %s set\n", "已設定 %s 的密碼\n"), args[0]);
	return EXIT_OK;
}

static void print_user(void *ctx, const char *name, const char *role, const char *unit,
		       const char *by, const char *at)
{
	struct ag_json *j = ctx;

	if (!j) {
		printf("%-20s %-8s %-20s %s %s %s\n", name, role, *unit ? unit : "-",
		       L("added by", "新增者"), by, at);
		return;
	}
	ag_json_begin_object(j);
	ag_json_key(j, "name");
	ag_json_cstr(j, name);
	ag_json_key(j, "role");
	ag_json_cstr(j, role);
	ag_json_key(j, "unit");
	ag_json_cstr(j, *unit ? unit : NULL);
	ag_json_key(j, "created_by");
	ag_json_cstr(j, by);
	ag_json_key(j, "created_at");
	ag_json_cstr(j, at);
	ag_json_end_object(j);
}

static int run_user_list(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct cli_json cj;
	struct ag_json *j = NULL;
	struct ag_err err;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&user_list_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	if (opt_json) {
		j = cli_json_init(&cj, true);
		ag_json_begin_array(j);
	}
	rc = ag_user_list(ws, print_user, j, &err);
	ag_workspace_free(ws);
	if (j) {
		ag_json_end_array(j);
		if (rc) {
			ag_buf_release(&cj.out);
			return cli_fail(rc, err.msg);
		}
		return cli_json_print(&cj);
	}
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}

static const struct cli_sub user_subs[] = {
	{ "add", &user_add_usage, run_user_add },
	{ "passwd", &user_passwd_usage, run_user_passwd },
	{ "list", &user_list_usage, run_user_list },
};

const struct cli_usage *cli_user_usage(const char *sub)
{
	return cli_sub_usage(user_subs, sizeof(user_subs) / sizeof(user_subs[0]), sub);
}

int cmd_user(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_user_usage, user_subs,
			    sizeof(user_subs) / sizeof(user_subs[0]));
}

/* ---- aigov token ---- */

static const struct cli_option token_create_opts[] = {
	{ "days", 0, OPT_UINT, &opt_days, "N", "days the token is valid (default 90, at most 3650)",
	  "權杖有效天數（預設 90，最多 3650）" },
	ACTOR_OPT, WORKSPACE_OPT, END_OPT,
};
static const struct cli_usage token_create_usage = {
	"aigov token create USER [--days N] [--actor ADMIN]",
	"Create an API token for USER and print it once, on standard output: only its\n"
	"SHA-256 is stored, so a lost token cannot be shown again (revoke it and\n"
	"create another). Clients send it as 'Authorization: Bearer TOKEN'. The\n"
	"token's id (the part after agt_) names it in 'aigov token list' and the\n"
	"ledger. Only an admin creates tokens.",
	"為 USER 建立 API 權杖，並僅此一次印在標準輸出：系統只保存其 SHA-256，遺失後無法\n"
	"再顯示（請撤銷後另建）。用戶端以 'Authorization: Bearer TOKEN' 傳送。權杖編號\n"
	"（agt_ 之後的部分）用於 'aigov token list' 與帳本。僅管理者可建立。",
	token_create_opts,
	"  aigov token create alice --days 30 > alice.token\n",
};

static const struct cli_option token_revoke_opts[] = { ACTOR_OPT, WORKSPACE_OPT, END_OPT };
static const struct cli_usage token_revoke_usage = {
	"aigov token revoke ID [--actor ADMIN]",
	"Revoke a token by its id (from 'aigov token list'): the server refuses it\n"
	"from the next request on. Only an admin revokes.",
	"依編號撤銷權杖（見 'aigov token list'）：伺服器自下一個請求起拒絕。僅管理者可撤銷。",
	token_revoke_opts,
	"  aigov token revoke 3f9a0c1d2e4b\n",
};

static const struct cli_usage token_list_usage = {
	"aigov token list [--json]", "List the tokens (ids, users, expiry; never the secrets).",
	"列出權杖（編號、使用者、到期；不含秘密）。", list_opts, "  aigov token list\n",
};

const struct cli_usage cmd_token_usage = {
	"aigov token <create|list|revoke> [options]",
	"API tokens of the server's users:\n"
	"  create  a new token, shown once (admins only)\n"
	"  list    ids, users, expiry and revocation\n"
	"  revoke  stop a token (admins only)\n",
	"伺服器使用者的 API 權杖：\n  create  建立新權杖，僅顯示一次（限管理者）\n"
	"  list    編號、使用者、到期與撤銷\n  revoke  撤銷權杖（限管理者）\n",
	NULL,
	"  aigov token create alice\n",
};

static int run_token_create(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300], token[AG_TOKEN_LEN + 1], id[13], expires[32];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc;

	if (!cli_nargs_ok(&token_create_usage, nargs, 1, "USER", &exit_code))
		return exit_code;
	if (opt_days < 1 || opt_days > 3650)
		return cli_error(EXIT_USAGE, "%s", L("--days must be 1 to 3650", "--days 須為 1 到 3650"));
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_token_create(ws, actor, args[0], (int)opt_days, token, id, expires, &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf("%s\n", token);
	fprintf(stderr, L("aigov: token %s for %s, valid until %s; it is shown only this once\n",
			  "aigov：權杖 %s（使用者 %s），有效至 %s；僅此一次顯示\n"),
		id, args[0], expires);
	memset(token, 0, sizeof(token));
	return EXIT_OK;
}

static int run_token_revoke(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	int exit_code, rc;

	if (!cli_nargs_ok(&token_revoke_usage, nargs, 1, "ID", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	ag_err_clear(&err);
	rc = ag_token_revoke(ws, actor, args[0], &err);
	ag_workspace_free(ws);
	if (rc)
		return cli_fail(rc, err.msg);
	printf(L("token %s revoked\n", "權杖 %s 已撤銷\n"), args[0]);
	return EXIT_OK;
}

static void print_token(void *ctx, const char *id, const char *user, const char *created,
			const char *expires, const char *revoked)
{
	struct ag_json *j = ctx;

	if (!j) {
		printf("%s  %-20s %s %s  %s %s%s%s\n", id, user, L("created", "建立"), created,
		       L("expires", "到期"), expires, revoked ? L("  revoked ", "  已撤銷 ") : "",
		       revoked ? revoked : "");
		return;
	}
	ag_json_begin_object(j);
	ag_json_key(j, "id");
	ag_json_cstr(j, id);
	ag_json_key(j, "user");
	ag_json_cstr(j, user);
	ag_json_key(j, "created_at");
	ag_json_cstr(j, created);
	ag_json_key(j, "expires_at");
	ag_json_cstr(j, expires);
	ag_json_key(j, "revoked_at");
	ag_json_cstr(j, revoked);
	ag_json_end_object(j);
}

static int run_token_list(char **args, int nargs)
{
	struct ag_workspace *ws = NULL;
	struct cli_json cj;
	struct ag_json *j = NULL;
	struct ag_err err;
	int exit_code, rc;

	(void)args;
	if (!cli_nargs_ok(&token_list_usage, nargs, 0, "", &exit_code))
		return exit_code;
	if ((exit_code = cli_workspace_open(&ws, false, NULL)))
		return exit_code;
	ag_err_clear(&err);
	if (opt_json) {
		j = cli_json_init(&cj, true);
		ag_json_begin_array(j);
	}
	rc = ag_token_list(ws, print_token, j, &err);
	ag_workspace_free(ws);
	if (j) {
		ag_json_end_array(j);
		if (rc) {
			ag_buf_release(&cj.out);
			return cli_fail(rc, err.msg);
		}
		return cli_json_print(&cj);
	}
	return rc ? cli_fail(rc, err.msg) : EXIT_OK;
}

static const struct cli_sub token_subs[] = {
	{ "create", &token_create_usage, run_token_create },
	{ "list", &token_list_usage, run_token_list },
	{ "revoke", &token_revoke_usage, run_token_revoke },
};

const struct cli_usage *cli_token_usage(const char *sub)
{
	return cli_sub_usage(token_subs, sizeof(token_subs) / sizeof(token_subs[0]), sub);
}

int cmd_token(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_token_usage, token_subs,
			    sizeof(token_subs) / sizeof(token_subs[0]));
}
