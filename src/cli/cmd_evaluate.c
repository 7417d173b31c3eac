/* aigov evaluate: performance, fairness and drift of a scoring log. */
#include "cli.h"

#include "aigov/evaluate.h"
#include "aigov/num.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool opt_json, opt_intersections, opt_all_features;
static const char *opt_data, *opt_label, *opt_score, *opt_pred, *opt_positive, *opt_threshold,
	*opt_protected, *opt_reference, *opt_features, *opt_reference_group;
static size_t opt_replicates = 200, opt_seed = 20261125;

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
	"Not yet: policy thresholds and checks, --system evidence, --threads.",
	"以單次串流分析評分紀錄：效能（精確 ROC AUC、Gini、KS、平均精確度、log loss、\n"
	"Brier、準確率、精確率、召回率、F1、特異度、校準表與 ECE）、依受保護屬性的\n"
	"公平性（各組比率；統計均等、差別影響與五分之四規則、機會均等、均等化勝算、\n"
	"預測均等、平均勝算差；95% 拔靴法區間；少於 30 筆的組別會標示），以及加上\n"
	"--reference 時各特徵與分數的飄移（PSI、KS 與 p 值、Jensen-Shannon、\n"
	"Wasserstein-1；類別變數為 PSI 與卡方）。尚未提供：政策門檻與檢核、--system、--threads。",
	eval_opts,
	"  aigov evaluate --data scores.csv --label default --score p_default --protected sex,age_band\n"
	"  aigov evaluate --data nov.csv --reference dev.csv --label y --score p --all-features --json\n",
};

/* Split "a,b,c" in place into a NULL-terminated array (malloc'd). */
static const char **split(char *s, size_t *n)
{
	const char **v = calloc(strlen(s) + 2, sizeof(*v));

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

static int run_evaluate(char **args, int nargs)
{
	struct ag_eval_options o;
	struct ag_eval_result r;
	struct ag_csv_options csv;
	struct ag_err err;
	char *prot = NULL, *feat = NULL;
	const char **pv = NULL, **fv = NULL;
	int rc, exit_code;

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
	if (opt_protected && (!(prot = strdup(opt_protected)) || !(pv = split(prot, &o.nprotected))))
		return cli_error(EXIT_IO, "out of memory");
	o.protected_attrs = pv;
	if (opt_features && (!(feat = strdup(opt_features)) || !(fv = split(feat, &o.nfeatures)))) {
		free(prot);
		free(pv);
		return cli_error(EXIT_IO, "out of memory");
	}
	o.features = fv;
	if (opt_reference && !opt_features && !opt_all_features)
		o.nfeatures = 0; /* the score only */
	ag_csv_options_init(&csv);
	ag_err_clear(&err);
	rc = ag_evaluate(opt_data, &csv, &o, &r, &err);
	if (rc) {
		exit_code = cli_fail(rc, err.msg);
	} else if (opt_json) {
		struct cli_json out;
		ag_eval_result_json(cli_json_init(&out, true), &r);
		exit_code = cli_json_print(&out);
	} else {
		print_summary(&r);
		exit_code = EXIT_OK;
	}
	if (!rc)
		ag_eval_result_release(&r);
	free(prot);
	free(pv);
	free(feat);
	free(fv);
	return exit_code;
}

int cmd_evaluate(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_evaluate_usage, run_evaluate);
}
