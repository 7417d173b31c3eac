/* aigov explain: per-row contributions, reason codes and the global view of
 * an XGBoost model or a points scorecard. */
#include "cli.h"

#include "aigov/atomic_file.h"
#include "aigov/explain.h"
#include "aigov/file.h"
#include "aigov/num.h"
#include "aigov/operations.h"
#include "aigov/reasons.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool opt_json, opt_csv, opt_global;
static const char *opt_model, *opt_data, *opt_id, *opt_reasons, *opt_lang, *opt_adverse,
	*opt_contrib, *opt_system, *opt_control, *opt_actor;
static size_t opt_top = 4, opt_threads = SIZE_MAX; /* SIZE_MAX: one per core */

static const struct cli_option explain_opts[] = {
	{ "model", 0, OPT_STRING, &opt_model, "FILE",
	  "XGBoost JSON (save_model) or a points scorecard in YAML (required)",
	  "XGBoost JSON（save_model）或 YAML 計分卡（必填）" },
	{ "data", 0, OPT_STRING, &opt_data, "FILE", "the rows to explain (CSV; - for standard input)",
	  "要解釋的資料列（CSV；- 代表標準輸入）" },
	{ "id-column", 0, OPT_STRING, &opt_id, "COLUMN", "the column that identifies each row",
	  "識別每一列的欄位" },
	{ "top", 0, OPT_UINT, &opt_top, "K", "reasons per row (default 4)", "每列的理由數（預設 4）" },
	{ "reasons", 0, OPT_STRING, &opt_reasons, "FILE",
	  "reason codes and texts per feature (e.g. catalog/reasons/credit.yaml)",
	  "各特徵的理由代碼與說明（例如 catalog/reasons/credit.yaml）" },
	{ "lang", 0, OPT_STRING, &opt_lang, "en|zh-TW", "language of the output",
	  "輸出的語言" },
	{ "adverse", 0, OPT_STRING, &opt_adverse, "high|low",
	  "which output is adverse (default: high for XGBoost, low for scorecards)",
	  "哪一端的輸出為不利結果（預設：XGBoost 為 high，計分卡為 low）" },
	{ "global", 0, OPT_FLAG, &opt_global, NULL,
	  "the global view instead of rows: mean |contribution|, direction, monotonicity",
	  "改為輸出整體觀點：平均絕對貢獻、方向、單調性檢查" },
	{ "threads", 'j', OPT_UINT, &opt_threads, "N",
	  "threads for TreeSHAP (default: one per core; results do not change)",
	  "TreeSHAP 的執行緒數（預設：每核心一個；結果不變）" },
	{ "contributions", 0, OPT_STRING, &opt_contrib, "FILE",
	  "write every row's contributions as CSV (features, then bias)",
	  "將每一列的貢獻寫成 CSV（各特徵，最後為 bias）" },
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON (docs/explain.md)",
	  "輸出 JSON（docs/explain.md）" },
	{ "csv", 0, OPT_FLAG, &opt_csv, NULL, "write CSV, one line per row", "輸出 CSV，每列一行" },
	{ "system", 0, OPT_STRING, &opt_system, "ID",
	  "with --global: record the global view for this AI system in the workspace's ledger",
	  "搭配 --global：將整體觀點記入工作區帳本，歸屬此 AI 系統" },
	{ "control", 0, OPT_STRING, &opt_control, "ID",
	  "with --system: also attach the model file as evidence for this control (e.g. trn-explainability)",
	  "搭配 --system：並將模型檔作為此控制項目的佐證（例如 trn-explainability）" },
	{ "actor", 0, OPT_STRING, &opt_actor, "NAME", "who is acting (default $AIGOV_ACTOR)",
	  "操作者（預設 $AIGOV_ACTOR）" },
	{ "workspace", 'C', OPT_STRING, &cli_workspace_dir, "DIR", "the workspace", "工作區" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_explain_usage = {
	"aigov explain --model FILE --data FILE [options]",
	"Explain a model's output for every row of a CSV file. XGBoost models\n"
	"(gbtree; binary:logistic, reg:squarederror and kin) get exact path-dependent\n"
	"TreeSHAP contributions, equal to xgboost's pred_contribs, and predictions\n"
	"equal to xgboost's predict; points scorecards get each characteristic's\n"
	"points minus its best attainable points. Each row's top K features pushing\n"
	"toward the adverse outcome are given as reason codes from --reasons; a\n"
	"feature without a reason text is named, never dropped. --global ranks the\n"
	"features by mean |contribution| and checks the direction each declares in\n"
	"the reasons file (expected: increasing|decreasing). Missing values are\n"
	"empty fields. Exit codes: 0 ok, 1 a monotonicity violation (--global),\n"
	"2 usage, 3 bad input (with file:line:column or field), 4 I/O. With\n"
	"--global --system ID the global view, with the SHA-256 of the model, data\n"
	"and reasons files, is recorded in the ledger (explanation.record).",
	"解釋模型對 CSV 檔每一列的輸出。XGBoost 模型（gbtree；binary:logistic、\n"
	"reg:squarederror 等）以精確的路徑相依 TreeSHAP 計算貢獻，與 xgboost 的\n"
	"pred_contribs 一致，預測值與 xgboost 的 predict 一致；計分卡則以各特徵的\n"
	"得分減去其最高可得分數。每列推向不利結果最多的前 K 個特徵，依 --reasons\n"
	"檔轉為理由代碼；沒有理由說明的特徵仍會列出其名稱，不會略去。--global 依平均\n"
	"絕對貢獻排序特徵，並檢查理由檔宣告的方向（expected: increasing|decreasing）。\n"
	"缺漏值請留空。結束碼：0 成功，1 發現單調性違反（--global），2 用法錯誤，\n"
	"3 輸入有誤（含 檔案:行:欄 或欄位），4 I/O。搭配 --global --system ID 時，\n"
	"整體觀點連同模型、資料與理由檔的 SHA-256 記入帳本（explanation.record）。",
	explain_opts,
	"  aigov explain --model credit.json --data applicants.csv --id-column app_id \\\n"
	"      --reasons catalog/reasons/credit.yaml --lang zh-TW\n"
	"  aigov explain --model credit.json --data dev.csv --global --reasons catalog/reasons/credit.yaml\n"
	"  aigov explain --model credit.json --data dev.csv --contributions shap.csv --threads 4\n"
	"  aigov explain --model examples/models/scorecard.yaml --data applicants.csv --csv\n"
	"  aigov explain --model credit.json --data dev.csv --global --system retail-credit-scoring \\\n"
	"      --control trn-explainability\n",
};

/* ------------------------------------------------------- output state */

struct out {
	const struct ag_explainer *e;
	const struct ag_reasons *reasons;
	size_t nf, top;
	bool adverse_high;
	size_t *idx;
	struct ag_explain_global *global;
	FILE *contrib;
	struct cli_json json;
	struct ag_json *j;
	bool first_row;
};

static const char *feature_name(const struct out *o, size_t i)
{
	return ag_explainer_feature_name(o->e, i);
}

/* CSV field, quoted when needed (RFC 4180). */
static void csv_field(FILE *f, const char *s, size_t len)
{
	if (!memchr(s, ',', len) && !memchr(s, '"', len) && !memchr(s, '\n', len) &&
	    !memchr(s, '\r', len)) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

static void put_double(FILE *f, double v)
{
	char b[AG_FMT_DOUBLE_MAX];

	if (isnan(v))
		return; /* an empty field */
	fwrite(b, 1, ag_fmt_double(b, v), f);
}

static const char *reason_text(const struct ag_reason *r)
{
	return L(r->text_en, r->text_zh);
}

static void contrib_header(struct out *o)
{
	if (opt_id) {
		csv_field(o->contrib, opt_id, strlen(opt_id));
		fputc(',', o->contrib);
	}
	for (size_t i = 0; i < o->nf; i++) {
		const char *n = feature_name(o, i);
		csv_field(o->contrib, n, strlen(n));
		fputc(',', o->contrib);
	}
	fputs("bias\n", o->contrib);
}

static void contrib_row(struct out *o, const struct ag_explain_row *r)
{
	if (opt_id) {
		csv_field(o->contrib, r->id, r->id_len);
		fputc(',', o->contrib);
	}
	for (size_t i = 0; i <= o->nf; i++) {
		put_double(o->contrib, r->phi[i]);
		fputc(i < o->nf ? ',' : '\n', o->contrib);
	}
}

static void text_row(struct out *o, const struct ag_explain_row *r, size_t n)
{
	char a[32], b[32], v[32];

	if (r->id)
		printf("%.*s", (int)r->id_len, r->id);
	else
		printf(L("row %llu", "第 %llu 列"), (unsigned long long)r->index + 1);
	if (r->has_probability && o->e->scorecard)
		printf(L(": %s points, probability %s\n", "：%s 分，機率 %s\n"),
		       (ag_fmt_g(b, r->margin, 8), b), (ag_fmt_g(a, r->prediction, 6), a));
	else if (r->has_probability)
		printf(L(": probability %s (margin %s)\n", "：機率 %s（邊際值 %s）\n"),
		       (ag_fmt_g(a, r->prediction, 6), a), (ag_fmt_g(b, r->margin, 6), b));
	else if (o->e->scorecard)
		printf(L(": %s points\n", "：%s 分\n"), (ag_fmt_g(a, r->margin, 8), a));
	else
		printf(L(": output %s\n", "：輸出 %s\n"), (ag_fmt_g(a, r->margin, 6), a));
	if (n == 0)
		printf("  %s\n", L("(no feature pushes toward the adverse outcome)",
				   "（沒有特徵推向不利結果）"));
	for (size_t k = 0; k < n; k++) {
		size_t i = o->idx[k];
		const struct ag_reason *rs = ag_reasons_find(o->reasons, feature_name(o, i));
		if (isnan(r->x[i]))
			snprintf(v, sizeof(v), "%s", L("missing", "缺漏"));
		else
			ag_fmt_g(v, r->x[i], 8);
		ag_fmt_g(a, r->phi[i], 4);
		if (rs)
			printf("  %zu. %-6s %s  [%s = %s, %s%s]\n", k + 1, rs->code, reason_text(rs),
			       feature_name(o, i), v, r->phi[i] > 0 ? "+" : "", a);
		else
			printf("  %zu. %-6s %s %s  [%s = %s, %s%s]\n", k + 1, "-", feature_name(o, i),
			       L("(no reason text)", "（無理由說明）"), feature_name(o, i), v,
			       r->phi[i] > 0 ? "+" : "", a);
	}
}

static void csv_header(struct out *o)
{
	printf("%s,margin,prediction", opt_id ? opt_id : "row");
	for (size_t k = 1; k <= o->top; k++)
		printf(",reason_%zu_feature,reason_%zu_code,reason_%zu_text,reason_%zu_contribution",
		       k, k, k, k);
	putchar('\n');
}

static void csv_row(struct out *o, const struct ag_explain_row *r, size_t n)
{
	if (r->id)
		csv_field(stdout, r->id, r->id_len);
	else
		printf("%llu", (unsigned long long)r->index + 1);
	putchar(',');
	put_double(stdout, r->margin);
	putchar(',');
	put_double(stdout, r->prediction);
	for (size_t k = 0; k < o->top; k++) {
		const struct ag_reason *rs;
		const char *name;
		if (k >= n) {
			fputs(",,,,", stdout);
			continue;
		}
		name = feature_name(o, o->idx[k]);
		rs = ag_reasons_find(o->reasons, name);
		putchar(',');
		csv_field(stdout, name, strlen(name));
		putchar(',');
		if (rs)
			csv_field(stdout, rs->code, strlen(rs->code));
		putchar(',');
		if (rs)
			csv_field(stdout, reason_text(rs), strlen(reason_text(rs)));
		putchar(',');
		put_double(stdout, r->phi[o->idx[k]]);
	}
	putchar('\n');
}

static void json_row(struct out *o, const struct ag_explain_row *r, size_t n)
{
	struct ag_json *j = o->j;

	ag_json_begin_object(j);
	ag_json_key(j, "row");
	ag_json_u64(j, r->index + 1);
	ag_json_key(j, "line");
	ag_json_u64(j, r->line);
	ag_json_key(j, "id");
	if (r->id)
		ag_json_string(j, r->id, r->id_len);
	else
		ag_json_null(j);
	ag_json_key(j, "margin");
	ag_json_double(j, r->margin);
	ag_json_key(j, "prediction");
	ag_json_double(j, r->prediction);
	ag_json_key(j, "reasons");
	ag_json_begin_array(j);
	for (size_t k = 0; k < n; k++) {
		size_t i = o->idx[k];
		const struct ag_reason *rs = ag_reasons_find(o->reasons, feature_name(o, i));
		ag_json_begin_object(j);
		ag_json_key(j, "feature");
		ag_json_cstr(j, feature_name(o, i));
		ag_json_key(j, "value");
		ag_json_double(j, r->x[i]);
		ag_json_key(j, "contribution");
		ag_json_double(j, r->phi[i]);
		ag_json_key(j, "code");
		ag_json_cstr(j, rs ? rs->code : NULL);
		ag_json_key(j, "text");
		if (rs) {
			ag_json_begin_object(j);
			ag_json_key(j, "zh-TW");
			ag_json_cstr(j, rs->text_zh);
			ag_json_key(j, "en");
			ag_json_cstr(j, rs->text_en);
			ag_json_end_object(j);
		} else {
			ag_json_null(j);
		}
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_key(j, "contributions");
	ag_json_begin_object(j);
	for (size_t i = 0; i < o->nf; i++) {
		ag_json_key(j, feature_name(o, i));
		ag_json_double(j, r->phi[i]);
	}
	ag_json_key(j, "bias");
	ag_json_double(j, r->phi[o->nf]);
	ag_json_end_object(j);
	ag_json_end_object(j);
	/* Stream: what is written so far is complete JSON text up to here. */
	if (o->json.out.len > (1 << 20)) {
		fwrite(o->json.out.buf, 1, o->json.out.len, stdout);
		ag_buf_reset(&o->json.out);
	}
}

static int sink(void *ctx, const struct ag_explain_row *r, struct ag_err *err)
{
	struct out *o = ctx;
	size_t n = 0;

	if (o->contrib) {
		if (r->index == 0)
			contrib_header(o);
		contrib_row(o, r);
	}
	if (o->global) {
		ag_explain_global_add(o->global, r->x, r->phi);
		return 0;
	}
	n = ag_explain_top(r->phi, o->nf, o->adverse_high, o->top, o->idx);
	if (opt_json)
		json_row(o, r, n);
	else if (opt_csv)
		csv_row(o, r, n);
	else
		text_row(o, r, n);
	if (opt_json && ag_json_failed(o->j))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	return 0;
}

/* ------------------------------------------------------- global view */

static bool adverse_high;

/* The direction in which larger values push: "increasing" toward the
 * adverse outcome, "decreasing" away from it. */
static const char *direction_name(double corr)
{
	if (!adverse_high)
		corr = -corr;
	if (isnan(corr) || corr == 0)
		return "none";
	return corr > 0 ? "increasing" : "decreasing";
}

/* expected: increasing means larger values push toward the adverse outcome;
 * toward it is up for --adverse high and down for --adverse low. */
static bool violates(const struct ag_reason *rs, double corr)
{
	if (!rs || isnan(corr))
		return false;
	if (!adverse_high)
		corr = -corr;
	return (rs->expected == AG_EXPECT_INCREASING && corr < 0) ||
	       (rs->expected == AG_EXPECT_DECREASING && corr > 0);
}

static const char *expected_name(const struct ag_reason *rs)
{
	if (!rs || rs->expected == AG_EXPECT_NONE)
		return NULL;
	return rs->expected == AG_EXPECT_INCREASING ? "increasing" : "decreasing";
}

/* The global view, finished: features ranked by mean |contribution|. */
struct global_view {
	struct ag_explain_feature_summary *s;
	uint64_t rows;
	double bias;
	size_t violations;
};

static int finish_global(struct out *o, struct global_view *g)
{
	g->s = calloc(o->nf ? o->nf : 1, sizeof(*g->s));
	if (!g->s)
		return AG_ENOMEM;
	ag_explain_global_finish(o->global, g->s, &g->rows, &g->bias);
	g->violations = 0;
	for (size_t k = 0; k < o->nf; k++)
		g->violations += violates(ag_reasons_find(o->reasons, feature_name(o, g->s[k].feature)),
					  g->s[k].correlation);
	return 0;
}

/* "global": {...} as a member of the object j is writing. */
static void global_json(struct ag_json *j, const struct out *o, const struct global_view *g)
{
	ag_json_key(j, "global");
	ag_json_begin_object(j);
	ag_json_key(j, "rows");
	ag_json_u64(j, g->rows);
	ag_json_key(j, "mean_bias");
	ag_json_double(j, g->bias);
	ag_json_key(j, "violations");
	ag_json_u64(j, g->violations);
	ag_json_key(j, "features");
	ag_json_begin_array(j);
	for (size_t k = 0; k < o->nf; k++) {
		const struct ag_explain_feature_summary *f = &g->s[k];
		const char *name = feature_name(o, f->feature);
		const struct ag_reason *rs = ag_reasons_find(o->reasons, name);
		ag_json_begin_object(j);
		ag_json_key(j, "rank");
		ag_json_u64(j, k + 1);
		ag_json_key(j, "feature");
		ag_json_cstr(j, name);
		ag_json_key(j, "mean_abs_contribution");
		ag_json_double(j, f->mean_abs);
		ag_json_key(j, "mean_contribution");
		ag_json_double(j, f->mean);
		ag_json_key(j, "correlation");
		ag_json_double(j, f->correlation);
		ag_json_key(j, "direction");
		ag_json_cstr(j, direction_name(f->correlation));
		ag_json_key(j, "expected");
		ag_json_cstr(j, expected_name(rs));
		ag_json_key(j, "violation");
		ag_json_bool(j, violates(rs, f->correlation));
		ag_json_key(j, "rows_with_value");
		ag_json_u64(j, f->present);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_end_object(j);
}

static void global_text(const struct out *o, const struct global_view *g)
{
	char a[32], b[32], c[32];

	printf(L("%llu rows; mean bias %s\n", "%llu 列；平均 bias %s\n"),
	       (unsigned long long)g->rows, (ag_fmt_g(a, g->bias, 6), a));
	printf("  %-4s %-22s %-12s %-12s %-8s %-14s %s\n", "#", L("feature", "特徵"),
	       L("mean |phi|", "平均|貢獻|"), L("mean phi", "平均貢獻"), "corr",
	       L("toward adverse", "推向不利"), L("expected", "預期"));
	for (size_t k = 0; k < o->nf; k++) {
		const struct ag_explain_feature_summary *f = &g->s[k];
		const char *name = feature_name(o, f->feature);
		const struct ag_reason *rs = ag_reasons_find(o->reasons, name);
		const char *exp = expected_name(rs);
		printf("  %-4zu %-22s %-12s %-12s %-8s %-14s %s%s\n", k + 1, name,
		       (ag_fmt_g(a, f->mean_abs, 4), a), (ag_fmt_g(b, f->mean, 4), b),
		       isnan(f->correlation) ? "-" : (ag_fmt_g(c, f->correlation, 3), c),
		       direction_name(f->correlation), exp ? exp : "-",
		       violates(rs, f->correlation) ? L("  VIOLATION", "  違反") : "");
	}
	if (g->violations)
		printf(L("%zu feature(s) move against the declared direction\n",
			 "%zu 個特徵的方向與宣告相反\n"), g->violations);
}

/* {"file", "sha256", "bytes"} of a file the ledger entry names. */
static int file_json(struct ag_json *j, const char *key, const char *path, struct ag_err *err)
{
	char sha[65];
	unsigned long long size;
	int rc = ag_file_sha256(path, sha, &size, err);

	if (rc)
		return rc;
	ag_json_key(j, key);
	ag_json_begin_object(j);
	ag_json_key(j, "file");
	ag_json_cstr(j, path);
	ag_json_key(j, "sha256");
	ag_json_cstr(j, sha);
	ag_json_key(j, "bytes");
	ag_json_u64(j, size);
	ag_json_end_object(j);
	return 0;
}

/* What the ledger keeps of a global explanation: the fingerprints of the
 * model, data and reasons, the parameters and the whole global view. */
static int record_global(struct ag_workspace *ws, const struct out *o, const struct global_view *g,
			 const char *kind, const char *actor, struct ag_err *err)
{
	struct cli_json out;
	struct ag_json *j = cli_json_init(&out, false);
	int rc;

	ag_json_begin_object(j);
	rc = file_json(j, "model", opt_model, err);
	if (!rc)
		rc = file_json(j, "data", opt_data, err);
	if (!rc && opt_reasons)
		rc = file_json(j, "reasons", opt_reasons, err);
	if (!rc) {
		ag_json_key(j, "parameters");
		ag_json_begin_object(j);
		ag_json_key(j, "kind");
		ag_json_cstr(j, kind);
		ag_json_key(j, "adverse");
		ag_json_cstr(j, o->adverse_high ? "high" : "low");
		ag_json_end_object(j);
		global_json(j, o, g);
		ag_json_end_object(j);
		if (ag_json_failed(j))
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = cli_record_event(ws, opt_system, ag_explanation_record, out.out.buf,
				      out.out.len, opt_control, opt_model, "aigov explain --global",
				      actor, err);
	ag_buf_release(&out.out);
	return rc;
}

/* ------------------------------------------------------- the command */

static bool looks_like_json(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
			continue;
		return p[i] == '{';
	}
	return false;
}

static int load_model(struct ag_xgb_model **xgb, struct ag_scorecard **sc, struct ag_err *err)
{
	struct ag_file_map f;
	int rc = ag_file_map(&f, opt_model, err);

	if (rc)
		return rc;
	if (looks_like_json(f.data, f.len))
		rc = ag_xgb_parse(xgb, f.data, f.len, opt_model, err);
	else
		rc = ag_scorecard_parse(sc, f.data, f.len, opt_model, err);
	ag_file_unmap(&f);
	return rc;
}

static int check_options(void)
{
	if (!opt_model || !opt_data)
		return cli_error(EXIT_USAGE, "%s", L("--model and --data are required",
						     "必須提供 --model 與 --data"));
	if (opt_json && opt_csv)
		return cli_error(EXIT_USAGE, "%s", L("--json and --csv exclude each other",
						     "--json 與 --csv 只能擇一"));
	if (opt_csv && opt_global)
		return cli_error(EXIT_USAGE, "%s", L("--global is written as text or --json",
						     "--global 只能輸出文字或 --json"));
	if (opt_system && !opt_global)
		return cli_error(EXIT_USAGE, "%s", L("--system records the global view: add --global",
						     "--system 記錄的是整體觀點：請加上 --global"));
	if (opt_system && !strcmp(opt_data, "-"))
		return cli_error(EXIT_USAGE, "%s", L("--system needs --data FILE: the ledger records its SHA-256",
						     "--system 需要 --data FILE：帳本記錄其 SHA-256"));
	if (opt_control && !opt_system)
		return cli_error(EXIT_USAGE, "%s", L("--control needs --system", "--control 需搭配 --system"));
	if (opt_lang && !cli_lang_set(opt_lang))
		return cli_error(EXIT_USAGE, "--lang: %s", L("expected en or zh-TW", "應為 en 或 zh-TW"));
	if (opt_adverse && strcmp(opt_adverse, "high") && strcmp(opt_adverse, "low"))
		return cli_error(EXIT_USAGE, "--adverse: %s", L("expected high or low", "應為 high 或 low"));
	if (opt_top > 1000)
		return cli_error(EXIT_USAGE, "--top: %s", L("at most 1000", "最多 1000"));
	if (opt_threads == 0 || (opt_threads > 256 && opt_threads != SIZE_MAX))
		return cli_error(EXIT_USAGE, "--threads: %s", L("expected 1 to 256", "應為 1 到 256"));
	return EXIT_OK;
}

/* One note listing the reasons for features the model does not have: a
 * catalog may serve several models, so this is no error. */
static void note_unknown_reasons(const struct ag_explainer *e, const struct ag_reasons *r)
{
	size_t nf = ag_explainer_nfeatures(e), unused = 0;

	for (size_t i = 0; r && i < ag_reasons_count(r); i++) {
		const char *f = ag_reasons_at(r, i)->feature;
		bool found = false;
		for (size_t k = 0; k < nf && !found; k++)
			found = !strcmp(ag_explainer_feature_name(e, k), f);
		if (found)
			continue;
		if (unused++ == 0)
			fprintf(stderr, L("aigov: note: %s: reasons for features the model does not use:",
					  "aigov: 注意: %s: 理由檔含模型未使用的特徵："), opt_reasons);
		fprintf(stderr, " %s", f);
	}
	if (unused)
		fputc('\n', stderr);
}

static int run_explain(char **args, int nargs)
{
	struct ag_xgb_model *xgb = NULL;
	struct ag_scorecard *sc = NULL;
	struct ag_reasons *reasons = NULL;
	struct ag_explainer e = { NULL, NULL };
	struct ag_explain_options eo;
	struct ag_atomic_file af = { NULL, NULL, NULL };
	struct ag_workspace *ws = NULL;
	struct global_view g = { NULL, 0, 0, 0 };
	struct out o;
	struct ag_err err;
	char actor_buf[300];
	const char *actor = cli_actor(opt_actor, actor_buf, sizeof(actor_buf));
	uint64_t nrows = 0;
	int rc, exit_code = check_options();

	(void)args;
	if (exit_code)
		return exit_code;
	if (nargs)
		return cli_error(EXIT_USAGE, "%s", L("explain takes no arguments; use --data FILE",
						     "explain 不接受參數；請用 --data FILE"));
	memset(&o, 0, sizeof(o));
	ag_err_clear(&err);
	if (opt_system && (exit_code = cli_workspace_open(&ws, true, actor)))
		return exit_code;
	rc = load_model(&xgb, &sc, &err);
	if (!rc && opt_reasons)
		rc = ag_reasons_load(&reasons, opt_reasons, &err);
	if (rc) {
		exit_code = cli_fail(rc, err.msg);
		goto out;
	}
	e.xgb = xgb;
	e.scorecard = sc;
	o.e = &e;
	o.reasons = reasons;
	o.nf = ag_explainer_nfeatures(&e);
	o.top = opt_top;
	o.adverse_high = opt_adverse ? !strcmp(opt_adverse, "high") : xgb != NULL;
	adverse_high = o.adverse_high;
	o.idx = calloc(opt_top + 1, sizeof(*o.idx));
	if (opt_global)
		o.global = ag_explain_global_new(o.nf);
	if (!o.idx || (opt_global && !o.global)) {
		exit_code = cli_error(EXIT_IO, "out of memory");
		goto out;
	}
	if (opt_contrib) {
		rc = ag_atomic_open(&af, opt_contrib, 0644, &err);
		if (rc) {
			exit_code = cli_fail(rc, err.msg);
			goto out;
		}
		o.contrib = af.f;
	}
	if (opt_json) {
		o.j = cli_json_init(&o.json, true);
		ag_json_begin_object(o.j);
		ag_json_key(o.j, "model");
		ag_json_begin_object(o.j);
		ag_json_key(o.j, "file");
		ag_json_cstr(o.j, opt_model);
		ag_json_key(o.j, "kind");
		ag_json_cstr(o.j, xgb ? "xgboost" : "scorecard");
		ag_json_key(o.j, "objective");
		ag_json_cstr(o.j, xgb ? ag_xgb_objective_name(xgb) : NULL);
		ag_json_key(o.j, "features");
		ag_json_u64(o.j, o.nf);
		ag_json_end_object(o.j);
		ag_json_key(o.j, "adverse");
		ag_json_cstr(o.j, o.adverse_high ? "high" : "low");
		if (!opt_global) {
			ag_json_key(o.j, "rows");
			ag_json_begin_array(o.j);
		}
	} else if (opt_csv) {
		csv_header(&o);
	}
	ag_explain_options_init(&eo);
	eo.id_column = opt_id;
	eo.threads = opt_threads == SIZE_MAX ? cli_cores() : (unsigned)opt_threads;
	rc = ag_explain_file(&e, opt_data, &eo, sink, &o, &nrows, &err);
	if (!rc && o.contrib && nrows == 0)
		contrib_header(&o);
	if (!rc && o.contrib) {
		o.contrib = NULL;
		rc = ag_atomic_commit(&af, &err);
	}
	if (rc) {
		if (opt_json)
			fflush(stdout);
		exit_code = cli_fail(rc, err.msg);
		goto out;
	}
	note_unknown_reasons(&e, reasons);
	if (opt_global && (rc = finish_global(&o, &g)) != 0)
		rc = ag_err_set(&err, rc, "out of memory");
	if (!rc && ws)
		rc = record_global(ws, &o, &g, xgb ? "xgboost" : "scorecard", actor, &err);
	if (rc) {
		exit_code = cli_fail(rc, err.msg);
		goto out;
	}
	if (opt_json) {
		if (!opt_global)
			ag_json_end_array(o.j);
		else
			global_json(o.j, &o, &g);
		ag_json_end_object(o.j);
		rc = cli_json_print(&o.json);
		o.j = NULL;
		if (rc)
			exit_code = rc;
	} else if (opt_global) {
		global_text(&o, &g);
	}
	if (ws)
		fprintf(stderr, L("aigov: recorded in the ledger for %s\n",
				  "aigov: 已記入帳本，歸屬 %s\n"), opt_system);
	if (!exit_code && g.violations)
		exit_code = EXIT_FINDINGS;
out:
	if (o.contrib)
		ag_atomic_abort(&af);
	if (o.j)
		ag_buf_release(&o.json.out);
	free(o.idx);
	free(g.s);
	ag_workspace_free(ws);
	ag_explain_global_free(o.global);
	ag_reasons_free(reasons);
	ag_scorecard_free(sc);
	ag_xgb_free(xgb);
	return exit_code;
}

int cmd_explain(int argc, char **argv)
{
	return cli_run_simple(argc, argv, &cmd_explain_usage, run_explain);
}
