/*
 * aigov demo: a governance workspace built from examples/, step by step,
 * with the library calls a real deployment makes (no shortcuts), ending
 * with the gap report and a verified ledger.  `make run` runs it.
 */
#include "cli.h"

#include "aigov/checks.h"
#include "aigov/evaluate.h"
#include "aigov/num.h"
#include "aigov/operations.h"
#include "aigov/registry.h"
#include "aigov/synth.h"
#include "aigov/time.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef AIGOV_EXAMPLES_DIR
#define AIGOV_EXAMPLES_DIR "examples"
#endif

static const char *opt_examples;

static const struct cli_option demo_opts[] = {
	{ "examples", 0, OPT_STRING, &opt_examples, "DIR",
	  "where the example descriptors and evidence are (default: the source tree's examples/)",
	  "範例描述檔與佐證的位置（預設：原始碼的 examples/）" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_demo_usage = {
	"aigov demo [--examples DIR] [DIR]",
	"Build a demonstration workspace in DIR (default ./aigov-demo; it must not\n"
	"exist) from the six example AI systems: roles for the three lines of\n"
	"defense, registration, risk assessment, sample evidence, a maker-checker\n"
	"approval, a stage gate that refuses and then lets a system through,\n"
	"monitoring of the credit model on a generated scoring log with a known\n"
	"bias and a drifted month (aigov evaluate: a failing fairness check and\n"
	"drift warnings, recorded in the ledger), and finally the gap report and\n"
	"the ledger verification.",
	"以六個範例 AI 系統在 DIR（預設 ./aigov-demo；不得已存在）建立示範工作區：三道\n"
	"防線的角色、登錄、風險評估、範例佐證、雙人覆核核准、先拒絕後放行的階段關卡，\n"
	"以含已知偏誤與飄移月份的模擬評分紀錄監控信用模型（aigov evaluate：公平性檢核\n"
	"不合格與飄移警示，記入帳本），最後列出落差報告並驗證帳本。",
	demo_opts,
	"  aigov demo /tmp/aigov-demo\n",
};

#define OWNER "user:alice"   /* model owner, 1st line, and the workspace admin */
#define RISK "user:cro"      /* chief risk officer, 2nd line */
#define AUDIT "user:auditor" /* internal audit, 3rd line */

static const struct {
	const char *system, *control, *file;
} sample_evidence[] = {
	{ "retail-credit-scoring", "rob-model-validation", "credit-model-validation-report.md" },
	{ "retail-credit-scoring", "fair-model-fairness-evaluation", "credit-fairness-review.md" },
	{ "aml-transaction-monitoring", "gov-data-governance", "aml-data-lineage.md" },
	{ "card-fraud-detection", "gov-vendor-assessment", "fraud-vendor-due-diligence.md" },
	{ "genai-customer-service", "trn-ai-disclosure", "chatbot-disclosure-notice.md" },
	{ "insurance-claims-triage", "prv-privacy-by-design", "claims-dpia.md" },
	{ "internal-doc-summarisation", "prv-genai-input-rules", "board-ai-policy.md" },
};

/* Write a generated scoring log (include/aigov/synth.h) to path. */
static int write_log(const char *path, const struct ag_synth_options *so, struct ag_err *err)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f)
		return ag_err_set(err, AG_EIO, "%s: cannot create", path);
	bad = ag_synth_scoring(f, so);
	bad |= fclose(f);
	return bad ? ag_err_set(err, AG_EIO, "%s: write failed", path) : 0;
}

static void print_check_line(const struct ag_check *c)
{
	char v[32], w[32], f[32];

	ag_fmt_g(v, c->value, 4);
	ag_fmt_g(w, c->warn, 4);
	ag_fmt_g(f, c->fail, 4);
	printf("   %-4s %s %s = %s (%s %s, %s %s)\n",
	       c->status == AG_CHECK_FAIL ? "FAIL" : "WARN", c->metric, c->subject, v,
	       L("warn", "警示"), w, L("fail", "不合格"), f);
}

/*
 * Monitoring of retail-credit-scoring: last month's scoring log against
 * the development-time reference.  The generator injects a known bias
 * (the scores of sex=F lowered, their outcomes unchanged) and a drifted
 * month, so the checks show a fairness failure and drift warnings; the
 * evaluation is recorded in the ledger as the system's evidence.
 */
static int monitoring(struct ag_workspace *ws, const char *dir, struct ag_err *err)
{
	static const char *const prot[] = { "sex", "age_band", "region" };
	char ref[4096], cur[4096], pol[4096];
	struct ag_synth_options so;
	struct ag_eval_options o;
	struct ag_eval_result r;
	struct ag_csv_options csv;
	struct ag_thresholds *t = NULL;
	struct ag_check *checks = NULL;
	struct ag_assessment_info info;
	size_t n = 0, nfail = 0, nwarn = 0;
	bool found;
	int rc, tier = 2;

	snprintf(ref, sizeof(ref), "%s/monitoring", dir);
	if (mkdir(ref, 0755) && errno != EEXIST)
		return ag_err_set(err, AG_EIO, "%s: cannot create: %s", ref, strerror(errno));
	snprintf(ref, sizeof(ref), "%s/monitoring/scores-development.csv", dir);
	snprintf(cur, sizeof(cur), "%s/monitoring/scores-2026-11.csv", dir);
	snprintf(pol, sizeof(pol), "%s/catalog/thresholds.yaml", ws->dir);
	ag_synth_options_init(&so);
	so.rows = 20000;
	so.seed = 1;
	if ((rc = write_log(ref, &so, err)))
		return rc;
	so.seed = 2;
	so.drift = true;
	so.bias = 0.8;
	if ((rc = write_log(cur, &so, err)))
		return rc;
	ag_eval_options_init(&o);
	o.label = "label";
	o.score = "score";
	o.protected_attrs = prot;
	o.nprotected = 3;
	o.reference = ref;
	o.all_features = true;
	o.threads = cli_cores();
	ag_csv_options_init(&csv);
	if ((rc = ag_registry_latest_assessment(ws, "retail-credit-scoring", &info, &found, err)))
		return rc;
	if (found)
		tier = info.tier;
	if ((rc = ag_thresholds_load(&t, pol, err)))
		return rc;
	if ((rc = ag_evaluate(cur, &csv, &o, &r, err))) {
		ag_thresholds_free(t);
		return rc;
	}
	rc = ag_checks_run(t, &r, tier, &checks, &n, err);
	if (!rc)
		rc = cli_evaluation_record(ws, cur, "retail-credit-scoring", NULL, &o, &r, t, tier,
					   checks, n, OWNER, err);
	if (!rc) {
		for (size_t i = 0; i < n; i++) {
			nfail += checks[i].status == AG_CHECK_FAIL;
			nwarn += checks[i].status == AG_CHECK_WARN;
		}
		printf(L("9. monitoring retail-credit-scoring: %llu scored applications of 2026-11 "
			 "against %llu of development (%s/monitoring): %zu checks, %zu fail, %zu warn\n",
			 "9. 監控 retail-credit-scoring：2026-11 的 %llu 筆評分對照開發樣本 %llu 筆"
			 "（%s/monitoring）：%zu 項檢核，%zu 項不合格，%zu 項警示\n"),
		       (unsigned long long)r.rows, (unsigned long long)r.reference_rows, dir, n,
		       nfail, nwarn);
		for (size_t i = 0; i < n; i++)
			if ((checks[i].status == AG_CHECK_FAIL && !strncmp(checks[i].metric, "fairness.", 9) &&
			     !strcmp(checks[i].subject, "sex")) ||
			    (checks[i].status == AG_CHECK_WARN && !strncmp(checks[i].metric, "drift.", 6)))
				print_check_line(&checks[i]);
		printf(L("   recorded in the ledger; the same by hand:\n",
			 "   已記入帳本；手動執行：\n"));
		printf("   aigov evaluate --data %s --reference %s --label label --score score "
		       "--protected sex,age_band,region --all-features\n", cur, ref);
	}
	free(checks);
	ag_eval_result_release(&r);
	ag_thresholds_free(t);
	return rc;
}

static int step(int rc, const struct ag_err *err, const char *what)
{
	if (rc)
		cli_error(cli_exit_code(rc), "demo: %s: %s", what, err->msg);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The example descriptors: every .yaml file of DIR, sorted. */
static int load_examples(const char *dir, struct ag_system_set ***sets, size_t *n,
			 struct ag_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[64];
	size_t k = 0;
	int rc = 0;

	*n = 0;
	if (!d)
		return ag_err_set(err, AG_ENOTFOUND, "%s: cannot open (use --examples DIR)", dir);
	while ((e = readdir(d)) && k < 64) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml"))
			names[k++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, k, sizeof(*names), cmp_str);
	*sets = calloc(k ? k : 1, sizeof(**sets));
	for (size_t i = 0; i < k; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!rc && *sets)
			rc = ag_systems_load(&(*sets)[(*n)++], path, err);
		free(names[i]);
	}
	if (!*sets)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	return rc;
}

/* Bring one system through its current stage: evidence (a link to where
 * it lives) for every missing control, approvals by the 2nd line. */
static int complete_stage(struct ag_workspace *ws, const struct ag_catalog *c,
			  const struct ag_system *s, struct ag_err *err)
{
	struct ag_gap_report r;
	int rc = ag_gaps(ws, c, s, ag_time_now_us(), &r, err);

	for (size_t i = 0; !rc && i < r.n; i++) {
		const struct ag_control *k = r.items[i].control;
		char url[256];
		if (r.items[i].status != AG_GAP_MISSING && r.items[i].status != AG_GAP_OVERDUE)
			continue;
		snprintf(url, sizeof(url), "https://intranet.example/ai/%s/%s", s->id, k->id);
		if (k->evidence == AG_EV_APPROVAL)
			rc = ag_approve(ws, c, s->id, k->id, "AI committee meeting 2026-11-20", RISK, err);
		else
			rc = ag_evidence_add(ws, c, s->id, k->id, url, true, "demo", OWNER, NULL, err);
	}
	ag_gap_report_release(&r);
	return rc;
}

static int run_demo(char **args, int nargs)
{
	const char *dir = nargs ? args[0] : "aigov-demo";
	const char *ex = opt_examples ? opt_examples : AIGOV_EXAMPLES_DIR;
	struct ag_workspace_file files[3] = { { "catalog/controls.yaml", NULL, 0 },
					      { "catalog/risk-method.yaml", NULL, 0 },
					      { "catalog/thresholds.yaml", NULL, 0 } };
	struct ag_workspace *ws = NULL;
	struct ag_system_set **sets = NULL, *all = NULL;
	struct ag_catalog *c = NULL;
	struct ag_risk_method *m = NULL;
	struct ag_gap_report blocked;
	struct ag_verify_report vr;
	struct ag_err err;
	size_t nsets = 0;
	int rc;

	if (nargs > 1)
		return cli_error(EXIT_USAGE, "%s", L("demo takes at most one DIR", "demo 最多接受一個 DIR"));
	ag_err_clear(&err);
	files[0].data = ag_builtin_policy("controls.yaml", &files[0].len);
	files[1].data = ag_builtin_policy("risk-method.yaml", &files[1].len);
	files[2].data = ag_builtin_policy("thresholds.yaml", &files[2].len);
	rc = load_examples(ex, &sets, &nsets, &err);
	if (step(rc, &err, "examples"))
		goto out;
	rc = ag_workspace_init(dir, OWNER, files, 3, &err);
	if (step(rc, &err, "init"))
		goto out;
	printf(L("1. workspace %s/.aigov created; %s is its admin\n",
		 "1. 已建立工作區 %s/.aigov；%s 為管理者\n"), dir, OWNER);
	rc = ag_workspace_open(&ws, dir, true, OWNER, &err);
	if (!rc)
		rc = ag_role_grant(ws, OWNER, OWNER, AG_ROLE_FIRST_LINE, &err);
	if (!rc)
		rc = ag_role_grant(ws, OWNER, RISK, AG_ROLE_SECOND_LINE, &err);
	if (!rc)
		rc = ag_role_grant(ws, OWNER, AUDIT, AG_ROLE_THIRD_LINE, &err);
	if (step(rc, &err, "roles"))
		goto out;
	printf(L("2. roles: %s 1st line, %s 2nd line, %s 3rd line\n",
		 "2. 角色：%s 第一道防線、%s 第二道防線、%s 第三道防線\n"), OWNER, RISK, AUDIT);
	rc = ag_registry_add(ws, sets, nsets, OWNER, false, &err);
	if (!rc)
		rc = ag_registry_policy(ws, &c, &m, &err);
	if (!rc)
		rc = ag_registry_load(ws, NULL, &all, &err);
	if (step(rc, &err, "register"))
		goto out;
	printf(L("3. %zu AI systems registered from %s\n", "3. 已登錄 %zu 個 AI 系統（來源 %s）\n"),
	       all->n, ex);
	for (size_t i = 0; !rc && i < all->n; i++) {
		struct ag_assessment a;
		struct ag_assessment_info info;
		rc = ag_registry_assess(ws, all->systems[i].id, m, c, RISK, -1, NULL, &a, &info, NULL,
					&err);
		if (!rc)
			printf("   %-28s %s: %-6s (%d %s)%s\n", all->systems[i].id, L("tier", "等級"),
			       ag_tier_name(info.tier, cli_lang == LANG_ZH_TW), a.points, L("points", "點"),
			       a.nrules ? L(", raised by a rule", "，依規則提高") : "");
	}
	if (step(rc, &err, "assess"))
		goto out;
	printf(L("4. all assessed by %s with method %s\n", "4. 已由 %s 以方法 %s 完成評估\n"), RISK,
	       m->version);
	for (size_t i = 0; !rc && i < sizeof(sample_evidence) / sizeof(sample_evidence[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/evidence/%s", ex, sample_evidence[i].file);
		rc = ag_evidence_add(ws, c, sample_evidence[i].system, sample_evidence[i].control, path,
				     false, "sample evidence", OWNER, NULL, &err);
	}
	if (step(rc, &err, "evidence"))
		goto out;
	printf(L("5. %zu sample evidence files attached (hashed, not copied)\n",
		 "5. 已附上 %zu 份範例佐證（記錄雜湊，不複製檔案）\n"),
	       sizeof(sample_evidence) / sizeof(sample_evidence[0]));
	rc = ag_approve(ws, c, "retail-credit-scoring", "gov-approval", "self-approval attempt", OWNER,
			&err);
	printf(L("6. maker-checker: %s approving their own work is refused: %s\n",
		 "6. 雙人覆核：%s 核准自己的工作遭拒：%s\n"), OWNER, rc == AG_EPERM ? err.msg : "?");
	rc = ag_approve(ws, c, "retail-credit-scoring", "gov-approval", "AI committee 2026-11-20",
			RISK, &err);
	if (step(rc, &err, "approve"))
		goto out;
	printf(L("   %s approves gov-approval of retail-credit-scoring\n",
		 "   %s 核准 retail-credit-scoring 的 gov-approval\n"), RISK);
	rc = ag_stage_advance(ws, c, "insurance-claims-triage", AG_STAGE_DATA, OWNER,
			      ag_time_now_us(), &blocked, &err);
	printf(L("7. stage gate: insurance-claims-triage planning -> data refused: %zu required "
		 "controls missing\n",
		 "7. 階段關卡：insurance-claims-triage 由 planning 至 data 遭拒：缺 %zu 個必要控制項目\n"),
	       rc == AG_EPERM ? blocked.missing : 0);
	if (rc == AG_EPERM)
		ag_gap_report_release(&blocked);
	for (size_t i = 0; i < all->n; i++)
		if (!strcmp(all->systems[i].id, "insurance-claims-triage"))
			rc = complete_stage(ws, c, &all->systems[i], &err);
	if (!rc)
		rc = ag_stage_advance(ws, c, "insurance-claims-triage", AG_STAGE_DATA, OWNER,
				      ag_time_now_us(), &blocked, &err);
	if (step(rc, &err, "stage"))
		goto out;
	printf(L("   after evidence and approvals for each, it moves to data\n",
		 "   逐項補齊佐證與核准後，移至 data 階段\n"));
	{
		static const char *const vendors[] = { "acme-analytics", "cloud-llm-co" };
		char path[4096], id[80];
		int64_t n;
		for (size_t i = 0; !rc && i < 2; i++) {
			snprintf(path, sizeof(path), "%s/vendors/%s.yaml", ex, vendors[i]);
			rc = ag_vendor_add_file(ws, path, RISK, false, id, sizeof(id), &err);
		}
		if (!rc)
			rc = ag_oversight_record(ws, "card-fraud-detection", AG_OV_DRILL,
						 "quarterly shutdown drill: switched to score-only", OWNER, &err);
		if (!rc)
			rc = ag_incident_open(ws, "genai-customer-service", "Chatbot quoted an old fee", 2,
					      false, OWNER, &n, &err);
		if (!rc)
			rc = ag_appeal_add(ws, "retail-credit-scoring", "APP-2026-1123",
					   "my income was read wrongly", OWNER, &n, &err);
		if (step(rc, &err, "operations"))
			goto out;
		printf(L("8. vendors registered (acme-analytics's contract lacks an exit plan: a gap), "
			 "a shutdown drill, an incident and a customer appeal recorded\n",
			 "8. 已登錄供應商（acme-analytics 的契約缺少退場計畫：列為落差）、記錄一次關閉"
			 "演練、一件事件與一件客戶申訴\n"));
	}
	rc = monitoring(ws, dir, &err);
	if (step(rc, &err, "monitoring"))
		goto out;
	printf(L("\n10. gap report (details: aigov -C %s gaps SYSTEM):\n",
		 "\n10. 落差報告（明細：aigov -C %s gaps SYSTEM）：\n"), dir);
	printf("   %-28s %-11s %-7s %8s %8s %8s %8s\n", "system", L("stage", "階段"), L("tier", "等級"),
	       L("met", "已符合"), L("missing", "缺漏"), L("overdue", "逾期"), L("vendor", "供應商"));
	ag_system_set_free(all);
	all = NULL;
	rc = ag_registry_load(ws, NULL, &all, &err);
	for (size_t i = 0; !rc && i < all->n; i++) {
		struct ag_gap_report r;
		size_t met = 0;
		rc = ag_gaps(ws, c, &all->systems[i], ag_time_now_us(), &r, &err);
		for (size_t k = 0; !rc && k < r.n; k++)
			met += r.items[k].status == AG_GAP_MET;
		if (!rc)
			printf("   %-28s %-11s %-7s %8zu %8zu %8zu %8zu\n", all->systems[i].id,
			       ag_stage_ids[all->systems[i].stage],
			       r.tier >= 0 ? ag_tier_ids[r.tier] : "-", met, r.missing, r.overdue,
			       r.nvendor);
		ag_gap_report_release(&r);
	}
	if (!rc) {
		struct ag_ledger_checkpoint cp;
		bool created;
		rc = ag_ledger_checkpoint(ws->ledger, &cp, &created, &err);
	}
	if (!rc)
		rc = ag_ledger_verify(ws->store, &ws->key, ws->cfg.workspace_id, &vr, &err);
	if (step(rc, &err, "verify"))
		goto out;
	printf(L("\n11. ledger: %s: %llu entries, %llu checkpoints (aigov -C %s ledger verify)\n",
		 "\n11. 帳本：%s：%llu 筆紀錄、%llu 個檢查點（aigov -C %s ledger verify）\n"),
	       vr.nproblems ? L("NOT INTACT", "已遭更動") : L("intact", "完好"),
	       (unsigned long long)vr.entries, (unsigned long long)vr.checkpoints, dir);
	printf(L("Explore: aigov -C %s system list | gaps | stats | ledger log | assess SYSTEM\n",
		 "可再試：aigov -C %s system list | gaps | stats | ledger log | assess SYSTEM\n"), dir);
	rc = vr.nproblems ? AG_ECORRUPT : 0;
out:
	for (size_t i = 0; i < nsets; i++)
		ag_system_set_free(sets[i]);
	free(sets);
	ag_system_set_free(all);
	ag_catalog_free(c);
	ag_risk_method_free(m);
	ag_workspace_free(ws);
	return rc ? (rc == AG_ECORRUPT ? EXIT_FINDINGS : cli_exit_code(rc)) : EXIT_OK;
}

int cmd_demo(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_demo_usage, run_demo);
}
