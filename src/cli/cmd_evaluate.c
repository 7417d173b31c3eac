/* aigov evaluate: performance, fairness and drift of a scoring log. */
#include "cli.h"

#include "aigov/checks.h"
#include "aigov/evaluate.h"
#include "aigov/file.h"
#include "aigov/merkle.h"
#include "aigov/num.h"
#include "aigov/operations.h"
#include "aigov/registry.h"
#include "aigov/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool opt_json, opt_intersections, opt_all_features;
static const char *opt_data, *opt_label, *opt_score, *opt_pred, *opt_positive, *opt_threshold,
	*opt_protected, *opt_reference, *opt_features, *opt_reference_group, *opt_policy, *opt_tier,
	*opt_system, *opt_control, *opt_actor, *opt_bins;
static size_t opt_replicates = 200, opt_seed = 20261125, opt_threads;

static const struct cli_option eval_opts[] = {
	{ "data", 0, OPT_STRING, &opt_data, "FILE", "the scoring log (CSV; - for standard input)",
	  "評分紀錄（CSV；- 代表標準輸入）" },
	{ "label", 0, OPT_STRING, &opt_label, "COLUMN", "the outcome column (required)", "結果欄位（必填）" },
	{ "score", 0, OPT_STRING, &opt_score, "COLUMN", "the score column, values in [0, 1] (required)",
	  "分數欄位，值介於 [0, 1]（必填）" },
	{ "positive", 0, OPT_STRING, &opt_positive, "VALUE", "the label (and prediction) value meaning 1 (default 1)",
	  "代表 1 的結果（及預測）值（預設 1）" },
	{ "threshold", 0, OPT_STRING, &opt_threshold, "T", "predict 1 when score >= T (default 0.5)",
	  "分數 >= T 時預測為 1（預設 0.5）" },
	{ "pred", 0, OPT_STRING, &opt_pred, "COLUMN", "a column of given decisions instead of a threshold",
	  "使用既有決策欄位，而非門檻" },
	{ "protected", 0, OPT_STRING, &opt_protected, "A,B", "protected attributes for fairness (comma-separated)",
	  "公平性分析的受保護屬性（以逗號分隔）" },
	{ "bins", 0, OPT_STRING, &opt_bins, "COL:E1,E2",
	  "cut a numeric protected attribute into bands at these edges, e.g. age:25,35,50 gives "
	  "<25, [25, 35), [35, 50), >=50 (added to --protected; several: 'age:25,50;income:3e4')",
	  "將數值型受保護屬性依切點分組，例如 age:25,35,50 得 <25、[25, 35)、[35, 50)、>=50"
	  "（自動加入 --protected；多個以分號分隔）" },
	{ "intersections", 0, OPT_FLAG, &opt_intersections, NULL, "also every combination of the attributes",
	  "一併分析屬性組合" },
	{ "reference-group", 0, OPT_STRING, &opt_reference_group, "VALUE",
	  "reference group of the first attribute for average odds (default: the largest)",
	  "第一個屬性的平均勝算差參照組（預設：最大組）" },
	{ "replicates", 0, OPT_UINT, &opt_replicates, "N", "bootstrap replicates for 95 % intervals (default 200; 0: none)",
	  "95% 信賴區間的拔靴法次數（預設 200；0：不計算）" },
	{ "seed", 0, OPT_UINT, &opt_seed, "N", "bootstrap seed (default 20261125)", "拔靴法亂數種子" },
	{ "reference", 0, OPT_STRING, &opt_reference, "FILE", "a reference file for drift (e.g. the development sample)",
	  "飄移分析的參照檔（例如開發樣本）" },
	{ "features", 0, OPT_STRING, &opt_features, "F1,F2", "features to compare with the reference",
	  "與參照檔比較的特徵" },
	{ "all-features", 0, OPT_FLAG, &opt_all_features, NULL,
	  "compare every column that is not the label, score, prediction or protected",
	  "比較所有非結果、分數、預測或受保護屬性的欄位" },
	{ "policy", 0, OPT_STRING, &opt_policy, "FILE",
	  "thresholds (default: the workspace's catalog/thresholds.yaml with --system, else the built-in)",
	  "門檻檔（預設：有 --system 時用工作區的 catalog/thresholds.yaml，否則用內建的）" },
	{ "tier", 0, OPT_STRING, &opt_tier, "TIER",
	  "the risk tier whose thresholds apply (default: the system's, else high)",
	  "適用哪個風險等級的門檻（預設：系統的等級，否則 high）" },
	{ "system", 0, OPT_STRING, &opt_system, "ID",
	  "record the result for this AI system in the workspace's ledger",
	  "將結果記入工作區帳本，歸屬此 AI 系統" },
	{ "control", 0, OPT_STRING, &opt_control, "ID",
	  "with --system: also attach the data file as evidence for this control",
	  "搭配 --system：並將資料檔作為此控制項目的佐證" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who is acting (default $AIGOV_ACTOR)",
	  "操作者（預設 $AIGOV_ACTOR）" },
	{ "threads", 'j', OPT_UINT, &opt_threads, "N",
	  "read each regular file with N threads (default: one per core; results do not change)",
	  "每個一般檔案以 N 個執行緒讀取（預設：每核心一個；結果不變）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON (docs/evaluate.md)", "輸出 JSON（docs/evaluate.md）" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_evaluate_usage = {
	"aigov evaluate --data FILE --label COL --score COL [options]",
	"Measure a model on a scoring log in one streaming pass: performance (exact\n"
	"ROC AUC with ties as scikit-learn, Gini, KS, average precision, log loss,\n"
	"Brier, accuracy, precision, recall, F1, specificity, a calibration table\n"
	"and ECE), fairness per protected attribute (per-group rates; statistical\n"
	"parity, disparate impact with the four-fifths flag, equal opportunity,\n"
	"equalized odds, predictive parity, average odds; 95 % Poisson-bootstrap\n"
	"intervals; groups under 30 rows flagged) and, with --reference, drift per\n"
	"feature and of the score (PSI on reference deciles, KS and its p-value,\n"
	"Jensen-Shannon, Wasserstein-1; PSI and chi-square for categories).\n"
	"Thresholds per risk tier (catalog/thresholds.yaml) mark each value ok,\n"
	"warn or fail. Exit codes: 0 no check failed, 1 a check failed, 2 usage,\n"
	"3 bad input (with file:line:column), 4 I/O.",
	"以單次串流分析評分紀錄：效能（精確 ROC AUC、Gini、KS、平均精確度、log loss、\n"
	"Brier、準確率、精確率、召回率、F1、特異度、校準表與 ECE）、依受保護屬性的\n"
	"公平性（各組比率；統計均等、差別影響與五分之四規則、機會均等、均等化勝算、\n"
	"預測均等、平均勝算差；95% 拔靴法區間；少於 30 筆的組別會標示），以及加上\n"
	"--reference 時各特徵與分數的飄移（PSI、KS 與 p 值、Jensen-Shannon、\n"
	"Wasserstein-1；類別變數為 PSI 與卡方）。依風險等級的門檻（catalog/thresholds.yaml）\n"
	"將各值標為 ok、warn 或 fail。結束碼：0 無檢核失敗，1 有檢核失敗，2 用法錯誤，\n"
	"3 輸入有誤（含 檔案:行:欄），4 I/O。",
	eval_opts,
	"  aigov evaluate --data scores.csv --label default --score p_default --protected sex,age_band\n"
	"  aigov evaluate --data scores.csv --label default --score p_default --protected sex --bins age:25,35,50\n"
	"  aigov evaluate --data nov.csv --reference dev.csv --label y --score p --all-features --json\n",
};

/* Split "a,b,c" (or NULL) in place into a NULL-terminated array
 * (malloc'd) with room for `extra` more names. */
static const char **split(char *s, size_t extra, size_t *n)
{
	const char **v = calloc((s ? strlen(s) : 0) + extra + 2, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (char *p = s, *c; p; p = c) {
		c = strchr(p, ',');
		if (c)
			*c++ = '\0';
		if (*p)
			v[(*n)++] = p;
	}
	return v;
}

/* --bins "age:25,35,50;income:3e4,6e4", parsed in place. */
struct bins_arg {
	struct ag_eval_bins b[AG_EVAL_MAX_PROTECTED];
	double edges[AG_EVAL_MAX_PROTECTED][64];
	size_t n;
};

static int parse_bins(char *s, struct bins_arg *a)
{
	a->n = 0;
	for (char *spec = s, *next; spec && *spec; spec = next) {
		struct ag_eval_bins *b = &a->b[a->n];
		char *colon;

		if ((next = strchr(spec, ';')))
			*next++ = '\0';
		if (a->n == AG_EVAL_MAX_PROTECTED)
			return cli_error(EXIT_USAGE, "--bins: %s", L("too many columns", "欄位過多"));
		colon = strrchr(spec, ':');
		if (!colon || colon == spec || !colon[1])
			return cli_error(EXIT_USAGE, "--bins '%s': %s", spec,
					 L("expected COLUMN:EDGE,EDGE,...", "格式應為 欄位:切點,切點,..."));
		*colon = '\0';
		b->column = spec;
		b->edges = a->edges[a->n];
		b->nedges = 0;
		for (char *e = colon + 1, *c; e; e = c) {
			if ((c = strchr(e, ',')))
				*c++ = '\0';
			if (b->nedges == 64 || !ag_parse_double(e, strlen(e), &a->edges[a->n][b->nedges]) ||
			    !isfinite(a->edges[a->n][b->nedges]) ||
			    (b->nedges && !(a->edges[a->n][b->nedges] > a->edges[a->n][b->nedges - 1])))
				return cli_error(EXIT_USAGE, "--bins %s: %s", spec,
						 L("expected up to 64 increasing numbers",
						   "應為至多 64 個遞增的數字"));
			b->nedges++;
		}
		a->n++;
	}
	return 0;
}

/* The protected attributes: --protected, then --bins columns not in it. */
static const char **protected_list(char *prot, const struct bins_arg *bins, size_t *n)
{
	const char **v = split(prot, bins->n, n);

	for (size_t i = 0; v && i < bins->n; i++) {
		size_t k = 0;
		while (k < *n && strcmp(v[k], bins->b[i].column))
			k++;
		if (k == *n)
			v[(*n)++] = bins->b[i].column;
	}
	return v;
}

static const char *fmt(char buf[32], double v)
{
	if (isnan(v))
		return "-";
	ag_fmt_g(buf, v, 4);
	return buf;
}

static void print_summary(const struct ag_eval_result *r)
{
	const struct ag_perf_result *p = &r->perf;
	char a[32], b[32], c[32], d[32], e[32];

	printf(L("%llu rows, %llu positive (%.1f%%)\n", "%llu 筆，正例 %llu（%.1f%%）\n"),
	       (unsigned long long)r->rows, (unsigned long long)p->positives,
	       r->rows ? 100.0 * (double)p->positives / (double)r->rows : 0.0);
	printf(L("performance: AUC %s  Gini %s  KS %s  AP %s  log loss %s\n",
		 "效能：AUC %s  Gini %s  KS %s  AP %s  log loss %s\n"),
	       fmt(a, p->auc), fmt(b, p->gini), fmt(c, p->ks), fmt(d, p->average_precision),
	       fmt(e, p->log_loss));
	printf(L("  at threshold %s: accuracy %s  precision %s  recall %s  F1 %s",
		 "  門檻 %s：準確率 %s  精確率 %s  召回率 %s  F1 %s"),
	       fmt(a, p->threshold), fmt(b, p->accuracy), fmt(c, p->precision), fmt(d, p->recall),
	       fmt(e, p->f1));
	printf(L("  Brier %s  ECE %s\n", "  Brier %s  ECE %s\n"), fmt(a, p->brier), fmt(b, p->ece));
	if (p->flags)
		printf("  %s\n", ag_perf_flag_text(p->flags & -p->flags));
	for (size_t i = 0; r->has_fairness && i < r->fairness.nattrs; i++) {
		const struct ag_fairness_attr_result *at = &r->fairness.attrs[i];
		printf(L("fairness by %s (%zu groups%s):\n", "依 %s 的公平性（%zu 組%s）：\n"), at->name,
		       at->ngroups, at->any_small ? L(", some under 30 rows", "，部分組別少於 30 筆") : "");
		for (size_t g = 0; g < at->ngroups; g++) {
			const struct ag_fairness_group *gr = &at->groups[g];
			printf("  %-20s n %-8llu %s %-7s TPR %-7s FPR %-7s%s\n", gr->value,
			       (unsigned long long)gr->n, L("selection", "核准率"),
			       fmt(a, gr->selection_rate), fmt(b, gr->tpr), fmt(c, gr->fpr),
			       gr->small ? L("  (small)", "（樣本少）") : "");
		}
		for (int m = 0; m < AG_FAIR_NMETRICS; m++)
			printf("  %-30s %-8s [%s, %s]%s\n", ag_fairness_metric_name(m), fmt(a, at->metric[m]),
			       fmt(b, at->ci[m].lo), fmt(c, at->ci[m].hi),
			       m == AG_FAIR_DIR && at->di_flag ? L("  below 0.8 (four-fifths rule)",
								   "  低於 0.8（五分之四規則）") : "");
	}
	if (r->has_drift) {
		printf(L("drift against the reference (%llu rows):\n", "相對於參照檔的飄移（%llu 筆）：\n"),
		       (unsigned long long)r->reference_rows);
		printf("  %-24s %-8s %-8s %-8s %-8s %s\n", L("feature", "特徵"), "PSI", "KS", "JS",
		       "W1/chi2", L("missing change", "缺漏率變化"));
		for (size_t i = 0; i < r->nfeatures + r->has_score_drift; i++) {
			const struct ag_eval_feature *f = i < r->nfeatures ? &r->features[i] : &r->score_drift;
			if (f->numeric)
				printf("  %-24s %-8s %-8s %-8s %-8s %s\n", f->name, fmt(a, f->num.psi),
				       fmt(b, f->num.ks), fmt(c, f->num.js_distance), fmt(d, f->num.wasserstein),
				       fmt(e, f->num.missing_rate_change));
			else
				printf("  %-24s %-8s %-8s %-8s %-8s %s\n", f->name, fmt(a, f->cat.psi), "-", "-",
				       fmt(d, f->cat.chi2), fmt(e, f->cat.missing_rate_change));
		}
	}
}

static void print_checks(const struct ag_check *c, size_t n, int tier, const char *policy)
{
	char a[32], b[32], d[32];

	printf(L("checks (tier %s, %s):\n", "檢核（等級 %s，%s）：\n"), ag_check_tier_ids[tier], policy);
	for (size_t i = 0; i < n; i++)
		printf("  %-5s %-40s %-22s %-10s (warn %s, fail %s)\n",
		       c[i].status == AG_CHECK_FAIL ? "FAIL" : c[i].status == AG_CHECK_WARN ? "WARN"
		       : c[i].status == AG_CHECK_OK ? "ok" : "n/a",
		       c[i].metric, c[i].subject, fmt(a, c[i].value), fmt(b, c[i].warn), fmt(d, c[i].fail));
}

/* What the ledger keeps of an evaluation: fingerprints, parameters, the
 * headline metrics and every check (cli.h). */
int cli_evaluation_record(struct ag_workspace *ws, const char *data, const char *system,
			  const char *control, const struct ag_eval_options *o,
			  const struct ag_eval_result *r, const struct ag_thresholds *t, int tier,
			  const struct ag_check *c, size_t nc, const char *actor, struct ag_err *err)
{
	char sha[65], rsha[65];
	unsigned long long size = 0, rsize = 0;
	struct cli_json out;
	struct ag_json *j;
	int rc = ag_file_sha256(data, sha, &size, err);

	if (!rc && o->reference)
		rc = ag_file_sha256(o->reference, rsha, &rsize, err);
	if (rc)
		return rc;
	j = cli_json_init(&out, false);
	ag_json_begin_object(j);
	ag_json_key(j, "data");
	ag_json_begin_object(j);
	ag_json_key(j, "file");
	ag_json_cstr(j, data);
	ag_json_key(j, "sha256");
	ag_json_cstr(j, sha);
	ag_json_key(j, "bytes");
	ag_json_u64(j, size);
	ag_json_key(j, "rows");
	ag_json_u64(j, r->rows);
	ag_json_end_object(j);
	ag_json_key(j, "reference");
	if (o->reference) {
		ag_json_begin_object(j);
		ag_json_key(j, "file");
		ag_json_cstr(j, o->reference);
		ag_json_key(j, "sha256");
		ag_json_cstr(j, rsha);
		ag_json_key(j, "rows");
		ag_json_u64(j, r->reference_rows);
		ag_json_end_object(j);
	} else {
		ag_json_null(j);
	}
	ag_json_key(j, "parameters");
	ag_json_begin_object(j);
	ag_json_key(j, "label");
	ag_json_cstr(j, o->label);
	ag_json_key(j, "score");
	ag_json_cstr(j, o->score);
	ag_json_key(j, "threshold");
	ag_json_double(j, o->threshold);
	ag_json_key(j, "replicates");
	ag_json_u64(j, o->replicates);
	ag_json_key(j, "seed");
	ag_json_u64(j, o->seed);
	ag_json_key(j, "protected");
	ag_json_begin_array(j);
	for (size_t i = 0; i < o->nprotected; i++)
		ag_json_cstr(j, o->protected_attrs[i]);
	ag_json_end_array(j);
	ag_json_key(j, "bins");
	ag_json_begin_object(j);
	for (size_t i = 0; i < o->nbins; i++) {
		ag_json_key(j, o->bins[i].column);
		ag_json_begin_array(j);
		for (size_t k = 0; k < o->bins[i].nedges; k++)
			ag_json_double(j, o->bins[i].edges[k]);
		ag_json_end_array(j);
	}
	ag_json_end_object(j);
	ag_json_end_object(j);
	ag_json_key(j, "thresholds");
	ag_json_begin_object(j);
	ag_json_key(j, "version");
	ag_json_cstr(j, t->version);
	ag_json_key(j, "sha256");
	ag_json_cstr(j, t->sha256);
	ag_json_key(j, "tier");
	ag_json_cstr(j, ag_check_tier_ids[tier]);
	ag_json_end_object(j);
	ag_json_key(j, "result");
	ag_eval_result_json(j, r);
	ag_json_key(j, "checks");
	ag_checks_json(j, c, nc);
	ag_json_end_object(j);
	if (ag_json_failed(j))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	if (!rc)
		rc = cli_record_event(ws, system, ag_evaluation_record, out.out.buf, out.out.len,
				      control, data, "aigov evaluate", actor, err);
	ag_buf_release(&out.out);
	return rc;
}

/* The workspace (with --system), the thresholds and the tier to apply. */
static int prepare(struct ag_workspace **ws, struct ag_thresholds **t, int *tier,
		   const char **policy_name, struct ag_err *err)
{
	char path[4096], actor_buf[300];
	const char *data;
	size_t len;
	int rc = 0;

	if (opt_system) {
		char *root = NULL;
		struct ag_assessment_info info;
		bool found;
		rc = ag_workspace_find(cli_workspace_dir, &root, err);
		if (!rc)
			rc = ag_workspace_open(ws, root, true,
					       cli_actor(opt_actor, actor_buf, sizeof(actor_buf)), err);
		free(root);
		if (!rc)
			rc = ag_registry_latest_assessment(*ws, opt_system, &info, &found, err);
		if (!rc && found && !opt_tier)
			*tier = info.tier;
		if (rc)
			return rc;
	}
	if (opt_tier) {
		*tier = -1;
		for (int i = 0; ag_check_tier_ids[i]; i++)
			if (!strcmp(opt_tier, ag_check_tier_ids[i]))
				*tier = i;
		if (*tier < 0)
			return ag_err_set(err, AG_EINVAL, "--tier: expected low, medium or high");
	}
	if (opt_policy) {
		*policy_name = opt_policy;
		return ag_thresholds_load(t, opt_policy, err);
	}
	if (*ws) {
		snprintf(path, sizeof(path), "%s/catalog/thresholds.yaml", (*ws)->dir);
		if (ag_thresholds_load(t, path, err) == 0) {
			*policy_name = "workspace catalog/thresholds.yaml";
			return 0;
		}
		if (err->code != AG_ENOTFOUND)
			return err->code;
	}
	data = ag_builtin_policy("thresholds.yaml", &len);
	return ag_thresholds_parse(t, data, len, "built-in catalog/thresholds.yaml", err);
}

static int run_evaluate(char **args, int nargs)
{
	struct ag_eval_options o;
	struct ag_eval_result r;
	struct ag_csv_options csv;
	struct ag_err err;
	struct ag_workspace *ws = NULL;
	struct ag_thresholds *t = NULL;
	struct ag_check *checks = NULL;
	size_t nchecks = 0;
	const char *policy_name = "built-in";
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	char *prot = NULL, *feat = NULL, *bins_buf = NULL;
	const char **pv = NULL, **fv = NULL;
	struct bins_arg bins = { .n = 0 };
	bool failed = false;
	int rc, exit_code, tier = 2;

	(void)args;
	if (nargs)
		return cli_error(EXIT_USAGE, "%s", L("evaluate takes no arguments; use --data FILE",
						     "evaluate 不接受參數；請用 --data FILE"));
	if (!opt_data || !opt_label || !opt_score)
		return cli_error(EXIT_USAGE, "%s", L("--data, --label and --score are required",
						     "必須提供 --data、--label 與 --score"));
	if ((opt_features || opt_all_features) && !opt_reference)
		return cli_error(EXIT_USAGE, "%s", L("--features and --all-features need --reference",
						     "--features 與 --all-features 需搭配 --reference"));
	ag_eval_options_init(&o);
	o.label = opt_label;
	o.score = opt_score;
	o.pred = opt_pred;
	if (opt_positive)
		o.positive = opt_positive;
	if (opt_threshold && (!ag_parse_double(opt_threshold, strlen(opt_threshold), &o.threshold) ||
			      !(o.threshold >= 0 && o.threshold <= 1)))
		return cli_error(EXIT_USAGE, "--threshold: %s", L("expected a number in [0, 1]",
								 "應為 [0, 1] 之間的數"));
	o.intersections = opt_intersections;
	o.reference_group = opt_reference_group;
	o.replicates = (uint32_t)(opt_replicates > 100000 ? 100000 : opt_replicates);
	o.seed = opt_seed;
	o.reference = opt_reference;
	o.all_features = opt_all_features;
	if (opt_bins) {
		if (!(bins_buf = strdup(opt_bins)))
			return cli_error(EXIT_IO, "out of memory");
		if ((rc = parse_bins(bins_buf, &bins))) {
			free(bins_buf);
			return rc;
		}
		o.bins = bins.b;
		o.nbins = bins.n;
	}
	o.threads = (unsigned)(opt_threads ? (opt_threads > AG_CSV_MAX_PARTS ? AG_CSV_MAX_PARTS : opt_threads)
			       : cli_cores());
	if ((opt_protected && !(prot = strdup(opt_protected))) ||
	    ((opt_protected || bins.n) && !(pv = protected_list(prot, &bins, &o.nprotected)))) {
		free(prot);
		free(bins_buf);
		return cli_error(EXIT_IO, "out of memory");
	}
	o.protected_attrs = pv;
	if (opt_features && (!(feat = strdup(opt_features)) || !(fv = split(feat, 0, &o.nfeatures)))) {
		free(prot);
		free(pv);
		free(bins_buf);
		return cli_error(EXIT_IO, "out of memory");
	}
	o.features = fv;
	if (opt_reference && !opt_features && !opt_all_features)
		o.nfeatures = 0; /* the score only */
	ag_csv_options_init(&csv);
	ag_err_clear(&err);
	rc = prepare(&ws, &t, &tier, &policy_name, &err);
	if (!rc)
		rc = ag_evaluate(opt_data, &csv, &o, &r, &err);
	if (!rc) {
		rc = ag_checks_run(t, &r, tier, &checks, &nchecks, &err);
		if (rc)
			ag_eval_result_release(&r);
	}
	for (size_t i = 0; !rc && i < nchecks; i++)
		failed |= checks[i].status == AG_CHECK_FAIL;
	if (!rc && ws)
		rc = cli_evaluation_record(ws, opt_data, opt_system, opt_control, &o, &r, t, tier,
					   checks, nchecks, actor, &err);
	if (rc) {
		exit_code = cli_fail(rc, err.msg);
	} else if (opt_json) {
		struct cli_json out;
		struct ag_json *j = cli_json_init(&out, true);
		ag_json_begin_object(j);
		ag_eval_result_json_members(j, &r);
		ag_json_key(j, "tier");
		ag_json_cstr(j, ag_check_tier_ids[tier]);
		ag_json_key(j, "checks");
		ag_checks_json(j, checks, nchecks);
		ag_json_end_object(j);
		exit_code = cli_json_print(&out);
		if (!exit_code && failed)
			exit_code = EXIT_FINDINGS;
	} else {
		print_summary(&r);
		print_checks(checks, nchecks, tier, policy_name);
		if (ws)
			printf(L("recorded in the ledger for %s\n", "已記入帳本，歸屬 %s\n"), opt_system);
		exit_code = failed ? EXIT_FINDINGS : EXIT_OK;
	}
	if (!rc)
		ag_eval_result_release(&r);
	free(checks);
	ag_thresholds_free(t);
	ag_workspace_free(ws);
	free(prot);
	free(pv);
	free(feat);
	free(fv);
	free(bins_buf);
	return exit_code;
}

int cmd_evaluate(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_evaluate_usage, run_evaluate);
}
