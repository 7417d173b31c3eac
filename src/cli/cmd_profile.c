/* aigov profile: per-column statistics of a CSV file. */
#include "cli.h"

#include "aigov/buf.h"
#include "aigov/json.h"
#include "aigov/num.h"
#include "aigov/profile.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool opt_json, opt_no_header, opt_verbose;
static const char *opt_delim, *opt_na;
static size_t opt_memory = (size_t)1 << 30, opt_top = 10;
static size_t opt_distinct_limit = (size_t)1 << 18, opt_threads;

static const struct cli_option profile_opts[] = {
	{ "json", 0, OPT_FLAG, &opt_json, NULL,
	  "write JSON (schema in docs/profile.md) instead of a table",
	  "輸出 JSON（格式見 docs/profile.md），而非表格" },
	{ "delimiter", 'd', OPT_STRING, &opt_delim, "CHAR",
	  "field delimiter: one character, or 'tab' (default ,)",
	  "欄位分隔字元：一個字元或 'tab'（預設 ,）" },
	{ "no-header", 0, OPT_FLAG, &opt_no_header, NULL,
	  "the first line is data; columns are named column_1, column_2, ...",
	  "第一行是資料；欄位命名為 column_1、column_2…" },
	{ "memory", 'm', OPT_SIZE, &opt_memory, "SIZE",
	  "memory for exact statistics (default 1G); beyond it, sketches with a stated error",
	  "精確統計可用的記憶體（預設 1G）；超過時改用近似演算法並標示誤差" },
	{ "distinct-limit", 0, OPT_UINT, &opt_distinct_limit, "N",
	  "count distinct values exactly up to N per column (default 262144, at least 1000), then estimate (HyperLogLog, ±0.81 %)",
	  "每欄精確計算相異值至 N 個（預設 262144，至少 1000），之後改為估計（HyperLogLog，±0.81%）" },
	{ "na", 0, OPT_STRING, &opt_na, "LIST",
	  "comma-separated strings read as missing (default: empty,NA,N/A,NaN,nan,null,NULL,#N/A)",
	  "視為缺漏值的字串，以逗號分隔（預設：空白,NA,N/A,NaN,nan,null,NULL,#N/A）" },
	{ "verbose", 'v', OPT_FLAG, &opt_verbose, NULL,
	  "say on standard error when a column's statistics stop being exact",
	  "在標準錯誤輸出說明哪些欄位改用近似值" },
	{ "threads", 'j', OPT_UINT, &opt_threads, "N",
	  "read a regular file with N threads (default: one per core; each gets 1/N of --memory)",
	  "以 N 個執行緒讀取一般檔案（預設：每核心一個；各用 --memory 的 1/N）" },
	{ "top", 0, OPT_UINT, &opt_top, "N",
	  "most frequent values to show per column (default 10)",
	  "每欄顯示的最常見值個數（預設 10）" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

const struct cli_usage cmd_profile_usage = {
	"aigov profile [options] FILE",
	"Profile each column of a CSV file in one streaming pass: inferred type,\n"
	"count, missing values, distinct values, min, max, mean, standard deviation,\n"
	"quantiles (1, 5, 25, 50, 75, 95, 99 %), top values, and warnings (constant\n"
	"or mostly missing columns, mixed types, personal data such as Taiwan\n"
	"national ID numbers). FILE may be '-' for standard input. Files larger\n"
	"than memory are fine: statistics are exact while they fit --memory and\n"
	"approximate beyond it, with the error bound printed.\n"
	"Malformed input stops with file:line:column and exit code 3.",
	"以單次串流剖析 CSV 檔案的每個欄位：推斷型別、筆數、缺漏值、相異值、最小值、\n"
	"最大值、平均數、標準差、分位數（1、5、25、50、75、95、99%）、最常見值，以及\n"
	"警告（常數欄位或大多缺漏、型別混雜、身分證字號等個人資料）。FILE 可為 '-'\n"
	"代表標準輸入。檔案可大於記憶體：在 --memory 之內為精確值，超過時改為近似值\n"
	"並標示誤差界限。格式錯誤時顯示 檔案:行:欄 並以結束碼 3 結束。",
	profile_opts,
	"  aigov profile applications.csv\n"
	"  aigov profile --json scores.csv > scores.profile.json\n"
	"  zcat big.csv.gz | aigov profile --memory 256M -\n"
	"  aigov --lang zh-TW profile -d ';' export.csv\n",
};

static const char *type_label(enum ag_col_type t)
{
	switch (t) {
	case AG_TYPE_EMPTY: return L("empty", "空白");
	case AG_TYPE_INTEGER: return L("integer", "整數");
	case AG_TYPE_NUMBER: return L("number", "數值");
	case AG_TYPE_BOOLEAN: return L("boolean", "布林");
	case AG_TYPE_DATE: return L("date", "日期");
	case AG_TYPE_CATEGORY: return L("category", "類別");
	case AG_TYPE_TEXT: return L("text", "文字");
	}
	return "?";
}

static const char *kind_label(enum ag_value_kind k)
{
	switch (k) {
	case AG_KIND_INTEGER: return L("integer", "整數");
	case AG_KIND_NUMBER: return L("number", "數值");
	case AG_KIND_BOOLEAN: return L("boolean", "布林");
	case AG_KIND_DATE: return L("date", "日期");
	default: return L("text", "文字");
	}
}

/* The kind the column's type stands for, for "N values are not <kind>". */
static enum ag_value_kind type_kind(enum ag_col_type t)
{
	switch (t) {
	case AG_TYPE_INTEGER:
	case AG_TYPE_NUMBER: return AG_KIND_NUMBER;
	case AG_TYPE_BOOLEAN: return AG_KIND_BOOLEAN;
	case AG_TYPE_DATE: return AG_KIND_DATE;
	default: return AG_KIND_TEXT;
	}
}

static void warning_text(struct ag_buf *b, const struct ag_column_profile *c,
			 const struct ag_warning *w)
{
	double pct = 100 * w->value;

	switch (w->code) {
	case AG_WARN_ALL_MISSING:
		ag_buf_addstr(b, L("every value is missing", "全部為缺漏值"));
		break;
	case AG_WARN_MOSTLY_MISSING:
		ag_buf_addf(b, L("mostly missing: %.1f%% of rows", "大多缺漏：%.1f%% 的列"), pct);
		break;
	case AG_WARN_CONSTANT:
		ag_buf_addstr(b, L("constant: a single distinct value", "常數欄位：只有一個相異值"));
		break;
	case AG_WARN_MIXED_TYPES:
		if (cli_lang == LANG_ZH_TW)
			ag_buf_addf(b, "型別混雜：%" PRIu64 " 個值不是%s，例如第 %" PRIu64 " 行的 '%s'",
				    w->count, kind_label(type_kind(c->type)), w->line,
				    w->example ? w->example : "");
		else
			ag_buf_addf(b, "mixed types: %" PRIu64 " values are not %s, e.g. '%s' on line %" PRIu64,
				    w->count, kind_label(type_kind(c->type)),
				    w->example ? w->example : "", w->line);
		break;
	case AG_WARN_NATIONAL_ID:
		ag_buf_addf(b, L("personal data: %" PRIu64 " values (%.1f%%) are valid Taiwan national ID or resident certificate numbers",
				 "個人資料：%" PRIu64 " 個值（%.1f%%）為有效的身分證或居留證統一證號"),
			    w->count, pct);
		break;
	case AG_WARN_EMAIL:
		ag_buf_addf(b, L("personal data: %.1f%% of values look like e-mail addresses",
				 "個人資料：%.1f%% 的值像電子郵件地址"), pct);
		break;
	case AG_WARN_PHONE:
		ag_buf_addf(b, L("personal data: %.1f%% of values look like Taiwan mobile numbers",
				 "個人資料：%.1f%% 的值像台灣手機號碼"), pct);
		break;
	case AG_WARN_CARD_NUMBER:
		ag_buf_addf(b, L("personal data: %.1f%% of values pass the payment card (Luhn) check",
				 "個人資料：%.1f%% 的值通過信用卡號（Luhn）檢查"), pct);
		break;
	case AG_WARN_UNIQUE_KEY:
		ag_buf_addstr(b, L("every value is distinct: an identifier, not a feature",
				   "每個值都不同：這是識別碼，不是特徵"));
		break;
	case AG_WARN_LEADING_ZEROS:
		ag_buf_addf(b, L("%" PRIu64 " values have leading zeros: a code read as a number loses them",
				 "%" PRIu64 " 個值有前導零：代碼若當成數字讀取會失去前導零"),
			    w->count);
		break;
	case AG_WARN_DUPLICATE_NAME:
		ag_buf_addstr(b, L("the column name appears more than once", "欄位名稱重複"));
		break;
	case AG_WARN_COUNT:
		break;
	}
}

/* Short human form: integers in full, others with 6 significant digits. */
static const char *num(char buf[AG_FMT_DOUBLE_MAX], double v)
{
	if (isnan(v))
		return "-";
	if (v == floor(v) && fabs(v) < 1e15)
		ag_fmt_g(buf, v, 16);
	else
		ag_fmt_g(buf, v, 6);
	return buf;
}

static const char *human_bytes(char buf[32], double b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(buf, 32, u ? "%.1f %s" : "%.0f %s", b, units[u]);
	return buf;
}

static void print_summary(const struct ag_profile_result *res, size_t namew)
{
	char a[AG_FMT_DOUBLE_MAX], b[AG_FMT_DOUBLE_MAX], c[AG_FMT_DOUBLE_MAX];
	char cnt[24], dist[32], miss[24];

	cli_pad(stdout, L("column", "欄位"), namew);
	cli_pad(stdout, L("  type", "  型別"), 11);
	cli_pad_right(stdout, L("count", "筆數"), 11);
	cli_pad_right(stdout, L("missing", "缺漏"), 9);
	cli_pad_right(stdout, L("distinct", "相異值"), 11);
	cli_pad_right(stdout, L("min", "最小值"), 14);
	cli_pad_right(stdout, L("mean", "平均數"), 14);
	cli_pad_right(stdout, L("max", "最大值"), 14);
	fputc('\n', stdout);
	for (size_t i = 0; i < res->ncols; i++) {
		const struct ag_column_profile *col = &res->cols[i];
		bool numeric = col->type == AG_TYPE_INTEGER || col->type == AG_TYPE_NUMBER;
		const char *mn = "", *me = "", *mx = "";

		if (numeric) {
			mn = num(a, col->min);
			me = num(b, col->mean);
			mx = num(c, col->max);
		} else if (col->type == AG_TYPE_DATE) {
			mn = col->date_min;
			mx = col->date_max;
		}
		snprintf(cnt, sizeof(cnt), "%" PRIu64, col->count);
		snprintf(miss, sizeof(miss), "%.1f%%",
			 res->rows ? 100.0 * (double)col->missing / (double)res->rows : 0.0);
		snprintf(dist, sizeof(dist), "%s%.0f", col->distinct_exact ? "" : "~",
			 col->distinct);
		cli_pad(stdout, col->name, namew);
		fputs("  ", stdout);
		cli_pad(stdout, type_label(col->type), 9);
		cli_pad_right(stdout, cnt, 11);
		cli_pad_right(stdout, miss, 9);
		cli_pad_right(stdout, dist, 11);
		if (*mn || *me || *mx) { /* no trailing blanks */
			cli_pad_right(stdout, mn, 14);
			cli_pad_right(stdout, me, 14);
			cli_pad_right(stdout, mx, 14);
		}
		fputc('\n', stdout);
	}
}

static void print_column(const struct ag_profile_result *res,
			 const struct ag_column_profile *col, struct ag_buf *tmp)
{
	char a[AG_FMT_DOUBLE_MAX], b[AG_FMT_DOUBLE_MAX];

	printf("\n%s  (%s)\n", col->name, type_label(col->type));
	printf("  %s %" PRIu64 "   %s %" PRIu64 " (%.1f%%)   %s %s%.0f",
	       L("count", "筆數"), col->count, L("missing", "缺漏"), col->missing,
	       res->rows ? 100.0 * (double)col->missing / (double)res->rows : 0.0,
	       L("distinct", "相異值"), col->distinct_exact ? "" : "~", col->distinct);
	if (!col->distinct_exact)
		printf(L(" (HyperLogLog, ±%.1f%% std. error)", "（HyperLogLog，標準誤 ±%.1f%%）"),
		       100 * col->distinct_rel_error);
	fputc('\n', stdout);
	if (col->has_numeric && col->type != AG_TYPE_DATE) {
		printf("  %s %s   %s %s", L("min", "最小值"), num(a, col->min),
		       L("max", "最大值"), num(b, col->max));
		printf("   %s %s", L("mean", "平均數"), num(a, col->mean));
		printf("   %s %s\n", L("std", "標準差"), num(b, col->std));
		printf("  %s", L("quantiles", "分位數"));
		for (int q = 0; q < AG_PROFILE_NQ; q++)
			printf("  %g%%: %s", 100 * ag_profile_probs[q], num(a, col->quantiles[q]));
		if (!col->quantiles_exact)
			printf(L("  (KLL sketch, rank error ±%.2f%% at 99%% confidence)",
				 "（KLL 近似，99%% 信賴水準下排名誤差 ±%.2f%%）"),
			       100 * col->quantile_rank_error);
		fputc('\n', stdout);
	}
	if (col->date_min)
		printf("  %s %s   %s %s\n", L("earliest", "最早"), col->date_min,
		       L("latest", "最晚"), col->date_max);
	bool show_top = col->ntop && (col->type == AG_TYPE_CATEGORY ||
				       col->type == AG_TYPE_BOOLEAN ||
				       col->type == AG_TYPE_INTEGER ||
				       col->type == AG_TYPE_TEXT);
	if (show_top && col->distinct > 1 && col->distinct < (double)col->count) {
		printf("  %s", L("top", "常見值"));
		for (size_t t = 0; t < col->ntop; t++)
			printf("  %s (%.1f%%)", col->top[t].value,
			       100.0 * (double)col->top[t].count / (double)col->count);
		fputc('\n', stdout);
	}
	for (size_t w = 0; w < col->nwarnings; w++) {
		ag_buf_reset(tmp);
		warning_text(tmp, col, &col->warnings[w]);
		printf("  ! %s\n", tmp->buf);
	}
}

static void print_table(const struct ag_profile_result *res)
{
	char sz[32], bud[32], used[32];
	size_t namew = cli_display_width(L("column", "欄位"));
	struct ag_buf tmp;
	bool exact = true;

	for (size_t i = 0; i < res->ncols; i++) {
		size_t w = cli_display_width(res->cols[i].name);
		if (w > namew)
			namew = w;
		exact &= res->cols[i].distinct_exact &&
			 (res->cols[i].quantiles_exact || !res->cols[i].has_numeric);
	}
	if (namew > 32)
		namew = 32;
	printf(L("%s: %" PRIu64 " rows, %zu columns, %s\n",
		 "%s：%" PRIu64 " 列，%zu 欄，%s\n"),
	       res->source, res->rows, res->ncols, human_bytes(sz, (double)res->bytes));
	printf(L("statistics: %s (memory budget %s, used %s)\n\n",
		 "統計量：%s（記憶體預算 %s，使用 %s）\n\n"),
	       exact ? L("exact", "精確值")
		     : L("approximate where marked ~ or with an error bound",
			 "標示 ~ 或誤差界限者為近似值"),
	       human_bytes(bud, (double)res->memory_budget),
	       human_bytes(used, (double)res->memory_used_peak));
	print_summary(res, namew + 2);
	ag_buf_init(&tmp);
	for (size_t i = 0; i < res->ncols; i++)
		print_column(res, &res->cols[i], &tmp);
	ag_buf_release(&tmp);
}

/* A key and its value, the common case of the JSON below. */
static void kv_u64(struct ag_json *j, const char *k, uint64_t v)
{
	ag_json_key(j, k);
	ag_json_u64(j, v);
}

static void kv_double(struct ag_json *j, const char *k, double v)
{
	ag_json_key(j, k);
	ag_json_double(j, v);
}

static void kv_cstr(struct ag_json *j, const char *k, const char *v)
{
	ag_json_key(j, k);
	ag_json_cstr(j, v);
}

static void kv_bool(struct ag_json *j, const char *k, bool v)
{
	ag_json_key(j, k);
	ag_json_bool(j, v);
}

static void json_column(struct ag_json *j, const struct ag_column_profile *col,
			const struct ag_profile_result *res, struct ag_buf *tmp)
{
	ag_json_begin_object(j);
	kv_cstr(j, "name", col->name);
	kv_cstr(j, "type", ag_col_type_name(col->type));
	kv_u64(j, "count", col->count);
	kv_u64(j, "missing", col->missing);
	kv_double(j, "missing_rate", res->rows ? (double)col->missing / (double)res->rows : 0);
	ag_json_key(j, "kinds");
	ag_json_begin_object(j);
	for (int k = 0; k < AG_KIND_COUNT; k++) {
		ag_json_key(j, ag_value_kind_name((enum ag_value_kind)k));
		ag_json_u64(j, col->kinds[k]);
	}
	ag_json_end_object(j);
	ag_json_key(j, "distinct");
	ag_json_begin_object(j);
	kv_double(j, "value", col->distinct);
	kv_bool(j, "exact", col->distinct_exact);
	if (!col->distinct_exact) {
		kv_cstr(j, "method", "hyperloglog");
		kv_double(j, "relative_standard_error", col->distinct_rel_error);
	}
	ag_json_end_object(j);
	if (col->has_numeric) {
		ag_json_key(j, "numeric");
		ag_json_begin_object(j);
		kv_u64(j, "count", col->numeric_count);
		kv_double(j, "min", col->min);
		kv_double(j, "max", col->max);
		kv_double(j, "mean", col->mean);
		kv_double(j, "std", col->std);
		ag_json_key(j, "quantiles");
		ag_json_begin_object(j);
		for (int q = 0; q < AG_PROFILE_NQ; q++) {
			char key[AG_FMT_DOUBLE_MAX];
			ag_fmt_double(key, ag_profile_probs[q]);
			ag_json_key(j, key);
			ag_json_double(j, col->quantiles[q]);
		}
		ag_json_end_object(j);
		kv_bool(j, "quantiles_exact", col->quantiles_exact);
		if (!col->quantiles_exact) {
			kv_cstr(j, "quantile_method", "kll");
			kv_double(j, "quantile_rank_error", col->quantile_rank_error);
		}
		ag_json_end_object(j);
	}
	if (col->date_min) {
		kv_cstr(j, "date_min", col->date_min);
		kv_cstr(j, "date_max", col->date_max);
	}
	kv_bool(j, "top_tracked", col->top_tracked);
	ag_json_key(j, "top");
	ag_json_begin_array(j);
	for (size_t t = 0; t < col->ntop; t++) {
		ag_json_begin_object(j);
		kv_cstr(j, "value", col->top[t].value);
		kv_u64(j, "count", col->top[t].count);
		kv_double(j, "share", (double)col->top[t].count / (double)col->count);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_key(j, "warnings");
	ag_json_begin_array(j);
	for (size_t w = 0; w < col->nwarnings; w++) {
		ag_json_begin_object(j);
		kv_cstr(j, "code", ag_warning_code_name(col->warnings[w].code));
		ag_json_key(j, "message");
		ag_buf_reset(tmp);
		warning_text(tmp, col, &col->warnings[w]);
		ag_json_string(j, tmp->buf, tmp->len);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_end_object(j);
}

static int print_json(const struct ag_profile_result *res)
{
	struct ag_buf out, tmp;
	struct ag_json j;
	int rc = EXIT_OK;

	ag_buf_init(&out);
	ag_buf_init(&tmp);
	ag_json_init(&j, &out, true);
	ag_json_begin_object(&j);
	kv_u64(&j, "aigov_profile", 1);
	kv_cstr(&j, "source", res->source);
	kv_u64(&j, "rows", res->rows);
	kv_u64(&j, "bytes", res->bytes);
	kv_u64(&j, "memory_budget", res->memory_budget);
	kv_u64(&j, "memory_used_peak", res->memory_used_peak);
	ag_json_key(&j, "columns");
	ag_json_begin_array(&j);
	for (size_t i = 0; i < res->ncols; i++)
		json_column(&j, &res->cols[i], res, &tmp);
	ag_json_end_array(&j);
	ag_json_end_object(&j);
	ag_buf_addch(&out, '\n');
	if (ag_json_failed(&j))
		rc = cli_error(EXIT_IO, "%s", L("out of memory", "記憶體不足"));
	else
		fwrite(out.buf, 1, out.len, stdout);
	ag_buf_release(&out);
	ag_buf_release(&tmp);
	return rc;
}

/* Split "a,b,c" into a NULL-terminated list; the empty string is always
 * missing, so it is added too. */
static const char **split_na(char *list)
{
	size_t n = 2;
	const char **v;
	size_t k = 0;

	for (char *p = list; *p; p++)
		n += *p == ',';
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	v[k++] = "";
	for (char *p = list;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p)
			v[k++] = p;
		if (!comma)
			break;
		p = comma + 1;
	}
	v[k] = NULL;
	return v;
}

int cmd_profile(int argc, char **argv)
{
	struct ag_csv_options copt;
	struct ag_profile_options popt;
	struct ag_profile_result *res = NULL;
	struct ag_logger logger = { cli_log_stderr, NULL, AG_LOG_WARN };
	struct ag_err err;
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	char *na_copy = NULL;
	const char **na = NULL;
	int nargs, exit_code, rc;

	if (!args)
		return cli_error(EXIT_IO, "out of memory");
	if (cli_parse(argc, argv, &cmd_profile_usage, args, &nargs, &exit_code)) {
		free(args);
		return exit_code;
	}
	if (nargs != 1) {
		free(args);
		fprintf(stderr, "%s\n%s: %s\n",
			nargs ? L("aigov: error: profile takes one FILE", "aigov: 錯誤: profile 只接受一個 FILE")
			      : L("aigov: error: missing FILE (use - for standard input)",
				  "aigov: 錯誤: 缺少 FILE（標準輸入請用 -）"),
			L("usage", "用法"), cmd_profile_usage.synopsis);
		return EXIT_USAGE;
	}
	ag_csv_options_init(&copt);
	copt.no_header = opt_no_header;
	if (opt_delim) {
		if (!strcmp(opt_delim, "tab") || !strcmp(opt_delim, "\\t"))
			copt.delimiter = '\t';
		else if (strlen(opt_delim) == 1)
			copt.delimiter = opt_delim[0];
		else {
			free(args);
			return cli_error(EXIT_USAGE, L("--delimiter: '%s' is not one character",
						       "--delimiter: '%s' 不是單一字元"), opt_delim);
		}
	}
	if (opt_na) {
		na_copy = strdup(opt_na);
		na = na_copy ? split_na(na_copy) : NULL;
		if (!na) {
			free(na_copy);
			free(args);
			return cli_error(EXIT_IO, "out of memory");
		}
		copt.na_values = na;
	}
	ag_profile_options_init(&popt);
	popt.memory_budget = opt_memory;
	popt.top_k = opt_top ? opt_top : 1;
	popt.distinct_limit = opt_distinct_limit ? opt_distinct_limit : 1;
	popt.threads = opt_threads ? (unsigned)opt_threads : cli_cores();
	logger.max_level = opt_verbose ? AG_LOG_INFO : AG_LOG_WARN;
	popt.log = &logger;

	ag_err_clear(&err);
	rc = ag_profile_csv(args[0], &copt, &popt, &res, &err);
	if (rc) {
		exit_code = cli_error(cli_exit_code(rc), "%s", err.msg);
	} else {
		exit_code = opt_json ? print_json(res) : (print_table(res), EXIT_OK);
	}
	ag_profile_result_free(res);
	free(na);
	free(na_copy);
	free(args);
	return exit_code;
}
