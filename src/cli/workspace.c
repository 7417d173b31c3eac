/* Finding the workspace and the actor for commands that use one. */
#include "cli.h"

#include "aigov/registry.h"
#include "aigov/risk.h"
#include "aigov/workspace.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_workspace_dir;

const char *cli_actor(const char *given, char *buf, size_t cap)
{
	const char *env = getenv("AIGOV_ACTOR");
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (given && *given)
		return given;
	if (env && *env)
		return env;
	if (getpwuid_r(geteuid(), &pw, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, cap, "user:%s", res->pw_name);
	else
		snprintf(buf, cap, "uid:%u", (unsigned)geteuid());
	return buf;
}

int cli_fail(int code, const char *msg)
{
	return cli_error(cli_exit_code(code), "%s", msg);
}

int cli_workspace_open(struct ag_workspace **ws, bool write, const char *actor)
{
	struct ag_err err;
	char *root = NULL;
	int rc;

	ag_err_clear(&err);
	rc = ag_workspace_find(cli_workspace_dir, &root, &err);
	if (rc)
		return cli_error(rc == AG_ENOTFOUND ? EXIT_USAGE : cli_exit_code(rc), "%s",
				 err.msg);
	rc = ag_workspace_open(ws, root, write, actor, &err);
	free(root);
	return rc ? cli_fail(rc, err.msg) : 0;
}

bool cli_nargs_ok(const struct cli_usage *u, int nargs, int want, const char *what,
		  int *exit_code)
{
	if (nargs == want)
		return true;
	fprintf(stderr, "%s%s %s\n%s: %s\n", L("aigov: error: ", "aigov: 錯誤: "),
		nargs < want ? L("missing", "缺少") : L("too many arguments; expected",
							  "參數過多；應為"),
		what, L("usage", "用法"), u->synopsis);
	*exit_code = EXIT_USAGE;
	return false;
}

int cli_record_event(struct ag_workspace *ws, const char *system, cli_record_fn record,
		     const char *payload, size_t len, const char *control, const char *file,
		     const char *note, const char *actor, struct ag_err *err)
{
	struct ag_catalog *cat = NULL;
	struct ag_risk_method *m = NULL;
	int rc = 0;

	/* The control is checked before the event is recorded, so that a
	 * mistyped --control records nothing. */
	if (control) {
		rc = ag_registry_policy(ws, &cat, &m, err);
		if (!rc && !ag_catalog_find(cat, control))
			rc = ag_err_set(err, AG_ENOTFOUND,
					"--control: no control '%s' in the catalog (see 'aigov "
					"catalog list')", control);
	}
	if (!rc)
		rc = record(ws, system, payload, len, actor, err);
	if (!rc && control)
		rc = ag_evidence_add(ws, cat, system, control, file, false, note, actor, NULL, err);
	ag_catalog_free(cat);
	ag_risk_method_free(m);
	return rc;
}
