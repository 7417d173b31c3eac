/* aigov guard: scan text for personal data, secrets, prompt injection and
 * the finance output policy; redact; restore reversible tokens. */
#include "cli.h"

#include "aigov/file.h"
#include "aigov/guard.h"
#include "aigov/utf8.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static bool opt_json, opt_jsonl;
static const char *opt_redact, *opt_source, *opt_rules, *opt_key;

static const struct cli_option scan_opts[] = {
	{ "json", 0, OPT_FLAG, &opt_json, NULL, "write JSON (docs/guard.md)", "輸出 JSON（docs/guard.md）" },
	{ "jsonl", 0, OPT_FLAG, &opt_jsonl, NULL,
	  "input is JSON Lines, one object with a \"text\" field per line; one JSON result per line",
	  "輸入為 JSON Lines，每行一個含 \"text\" 欄位的物件；每行輸出一筆 JSON 結果" },
	{ "redact", 0, OPT_STRING, &opt_redact, "MODE",
	  "keep, mask, tag (default), hash or token; per type: tag,CREDIT_CARD=mask",
	  "keep、mask、tag（預設）、hash 或 token；可依類型指定：tag,CREDIT_CARD=mask" },
	{ "source", 0, OPT_STRING, &opt_source, "SRC",
	  "where the text comes from: user (default), retrieved, model",
	  "文字來源：user（預設）、retrieved（檢索內容）、model（模型輸出）" },
	{ "rules", 0, OPT_STRING, &opt_rules, "FILE,...",
	  "rule files to use instead of the shipped catalog/guard/*.yaml",
	  "以這些規則檔取代內建的 catalog/guard/*.yaml" },
	{ "key", 0, OPT_STRING, &opt_key, "FILE",
	  "32-byte key (raw or 64 hex digits) for --redact hash and token (default $AIGOV_GUARD_KEY_FILE)",
	  "hash 與 token 模式的 32 位元組金鑰檔（原始位元組或 64 個十六進位字元；預設 $AIGOV_GUARD_KEY_FILE）" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

static const struct cli_option restore_opts[] = {
	{ "key", 0, OPT_STRING, &opt_key, "FILE", "the key the tokens were made with",
	  "產生代碼時所用的金鑰檔" },
	{ NULL, 0, OPT_END, NULL, NULL, NULL, NULL },
};

static const struct cli_option no_opts[] = { { NULL, 0, OPT_END, NULL, NULL, NULL, NULL } };

static const struct cli_usage scan_usage = {
	"aigov guard scan [FILE|-] [--json] [--jsonl] [--redact MODE] [--source user|retrieved|model]",
	"Scan text (a file, or standard input) before it goes to a generative model or\n"
	"after it comes back. Finds Taiwan national and resident IDs (checksums), unified\n"
	"business numbers (checksum and context), phones, payment cards (prefix, length,\n"
	"Luhn), bank accounts, e-mail and IP addresses, passports, postal addresses,\n"
	"names and secrets; screens prompt injection and jailbreaks (English, Traditional\n"
	"and Simplified Chinese; base64/hex/URL-encoded payloads decoded and screened\n"
	"again; with --source retrieved, instructions addressed to the model); with\n"
	"--source model, the finance output policy (guaranteed returns, inflammatory\n"
	"promotion, risk disclosure); with --source user, requests for a person.\n"
	"Prints the action (allow, redact, block, handoff), the findings with byte\n"
	"offsets, the rules that fired and the redacted text. Exit codes: 0 not\n"
	"blocked, 1 blocked, 2 usage, 3 bad input (invalid UTF-8, a bad JSON line;\n"
	"with its line), 4 I/O. The compiled patterns are cached in $AIGOV_CACHE_DIR\n"
	"(default ~/.cache/aigov; set it empty for none): only the first run with a\n"
	"rule set takes seconds.",
	"在文字送進生成式模型之前或模型回覆之後進行檢查（檔案或標準輸入）。偵測身分證\n"
	"與居留證號（檢查碼）、統一編號（檢查碼與上下文）、電話、信用卡（卡別、長度、\n"
	"Luhn）、銀行帳號、電子郵件與 IP 位址、護照、地址、姓名與密鑰；篩檢提示注入與\n"
	"越獄（英文、繁體與簡體中文；base64／十六進位／URL 編碼內容會解碼後再檢查；\n"
	"--source retrieved 時另檢查對模型下達的指令）；--source model 時套用金融輸出\n"
	"政策（保證獲利、煽動性推銷、風險揭露）；--source user 時偵測轉接專人的需求。\n"
	"輸出處置（allow 放行、redact 遮蔽、block 阻擋、handoff 轉接專人）、以位元組\n"
	"位移表示的發現事項、觸發的規則與遮蔽後的文字。結束碼：0 未阻擋，1 已阻擋，\n"
	"2 用法錯誤，3 輸入有誤（無效的 UTF-8、錯誤的 JSON 行；含行號），4 I/O。編譯後的\n"
	"樣式快取於 $AIGOV_CACHE_DIR（預設 ~/.cache/aigov；設為空值則不快取），同一組規則\n"
	"只有第一次執行需要數秒。",
	scan_opts,
	"  echo '我的身分證是 A123456789' | aigov guard scan --json\n"
	"  aigov guard scan --source retrieved page.txt\n"
	"  aigov guard scan --jsonl chats.jsonl --redact token --key guard.key\n",
};

static const struct cli_usage restore_usage = {
	"aigov guard restore [FILE|-] --key FILE",
	"Replace the reversible tokens (<TYPE#...>, from --redact token) in a text by\n"
	"the original values. Tokens made with another key are left as they are.",
	"將文字中的可還原代碼（<TYPE#...>，由 --redact token 產生）換回原值。以其他金鑰\n"
	"產生的代碼保持不變。",
	restore_opts,
	"  aigov guard restore answer.txt --key guard.key\n",
};

static const struct cli_usage keygen_usage = {
	"aigov guard keygen",
	"Print a new random 32-byte key as 64 hex digits, for --key.",
	"產生新的 32 位元組隨機金鑰（64 個十六進位字元），供 --key 使用。",
	no_opts,
	"  aigov guard keygen > guard.key && chmod 600 guard.key\n",
};

const struct cli_usage cmd_guard_usage = {
	"aigov guard <scan|restore|keygen> [options]",
	"The GenAI guard: personal data, secrets, prompt injection and the finance\n"
	"output policy (docs/guard.md). Subcommands: scan, restore, keygen.",
	"生成式 AI 防護：個人資料、密鑰、提示注入與金融輸出政策（docs/guard.md）。\n"
	"子指令：scan、restore、keygen。",
	no_opts,
	"  aigov guard scan --help\n",
};

/* ---- setup ---- */

int cli_guard_load_key(const char *given, struct ag_guard_redactor *rd, bool needed)
{
	const char *path = given ? given : getenv("AIGOV_GUARD_KEY_FILE");
	struct ag_file_map m;
	struct ag_err err;
	unsigned char key[32];
	size_t n = 0, len;
	int rc;

	if (!path || !*path)
		return needed ? cli_error(EXIT_USAGE, "%s",
					  L("--redact hash and token need --key FILE (see aigov guard keygen)",
					    "--redact hash 與 token 需要 --key FILE（見 aigov guard keygen）"))
			      : 0;
	ag_err_clear(&err);
	if ((rc = ag_file_map(&m, path, &err)))
		return cli_fail(rc, err.msg);
	len = m.len;
	while (len && (m.data[len - 1] == '\n' || m.data[len - 1] == '\r'))
		len--;
	if (len == 32) {
		memcpy(key, m.data, 32);
		n = 32;
	} else if (len != 64 || sodium_hex2bin(key, sizeof(key), m.data, 64, NULL, &n, NULL) || n != 32) {
		n = 0;
	}
	ag_file_unmap(&m);
	if (n != 32)
		return cli_error(EXIT_BAD_INPUT, L("%s: expected 32 bytes or 64 hex digits",
						   "%s: 應為 32 位元組或 64 個十六進位字元"), path);
	rc = ag_guard_redactor_set_key(rd, key, 32, &err);
	sodium_memzero(key, sizeof(key));
	return rc ? cli_error(EXIT_IO, "%s", err.msg) : 0;
}

static int parse_source(const char *s, int *out)
{
	static const char *const names[] = { "user", "retrieved", "model" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	return -1;
}

/* Where compiled patterns are kept: $AIGOV_CACHE_DIR (set but empty: no
 * cache), else $XDG_CACHE_HOME/aigov, else $HOME/.cache/aigov.  Malloc'ed;
 * NULL for none. */
static char *cli_cache_dir(void)
{
	const char *env = getenv("AIGOV_CACHE_DIR"), *base = getenv("XDG_CACHE_HOME");
	const char *tail = "/aigov";
	char *dir;
	size_t n;

	if (env)
		return *env ? strdup(env) : NULL;
	if (!base || *base != '/') { /* the XDG spec: a relative value is ignored */
		base = getenv("HOME");
		tail = "/.cache/aigov";
	}
	if (!base || *base != '/')
		return NULL;
	n = strlen(base) + strlen(tail) + 1;
	if ((dir = malloc(n)))
		snprintf(dir, n, "%s%s", base, tail);
	return dir;
}

int cli_guard_build(const char *rules, struct ag_guard **g, struct ag_guard_scratch **s)
{
	struct ag_guard_rules r;
	struct ag_err err;
	int rc = 0;

	ag_err_clear(&err);
	ag_guard_rules_init(&r);
	if (!rules) {
		rc = ag_guard_rules_builtin(&r, &err);
	} else {
		char *list = strdup(rules), *save = NULL;
		if (!list)
			rc = ag_err_set(&err, AG_ENOMEM, "out of memory");
		for (char *p = list ? strtok_r(list, ",", &save) : NULL; p && !rc;
		     p = strtok_r(NULL, ",", &save))
			rc = ag_guard_rules_load_file(&r, p, &err);
		free(list);
	}
	if (!rc) {
		char *dir = cli_cache_dir();
		struct ag_logger log = { cli_log_stderr, NULL, AG_LOG_INFO };
		struct ag_guard_opts o = { AG_GUARD_SCANNER_AUTO, dir, &log };
		rc = ag_guard_new_with(g, &r, &o, &err);
		free(dir);
	}
	ag_guard_rules_release(&r);
	if (!rc && s)
		rc = ag_guard_scratch_new(*g, s, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	return 0;
}

/* ---- one text ---- */

struct job {
	const struct ag_guard *g;
	struct ag_guard_scratch *s;
	const struct ag_guard_redactor *rd;
	struct ag_arena arena;
	struct ag_buf red;
	bool blocked;
};

/* Scan and redact; red holds the output text (disclosure appended). */
static int scan_one(struct job *jb, const char *text, size_t len, int source,
		    struct ag_guard_result *r, struct ag_err *err)
{
	int rc;

	ag_buf_reset(&jb->red);
	rc = ag_guard_scan(jb->g, jb->s, text, len, source, &jb->arena, r, err);
	if (!rc)
		rc = ag_guard_redact(jb->rd, text, len, r->findings, r->nfindings, &jb->red, err);
	if (!rc && r->needs_disclosure) {
		const char *d = ag_guard_disclosure(jb->g, text, len);
		if (d)
			rc = ag_buf_addf(&jb->red, "\n\n%s", d);
	}
	if (r->action == AG_GUARD_BLOCK)
		jb->blocked = true;
	return rc;
}

static void result_json(struct ag_json *j, const struct ag_guard_result *r, const struct ag_buf *red,
			bool disclosure)
{
	ag_json_key(j, "action");
	ag_json_cstr(j, ag_guard_action_name(r->action));
	ag_json_key(j, "block_score");
	ag_json_double(j, r->block_score);
	ag_json_key(j, "findings");
	ag_json_begin_array(j);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct ag_guard_finding *f = &r->findings[i];
		ag_json_begin_object(j);
		ag_json_key(j, "type");
		ag_json_cstr(j, ag_guard_type_name(f->type));
		ag_json_key(j, "start");
		ag_json_u64(j, f->start);
		ag_json_key(j, "end");
		ag_json_u64(j, f->end);
		ag_json_key(j, "score");
		ag_json_double(j, f->score);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_key(j, "rules");
	ag_json_begin_array(j);
	for (size_t i = 0; i < r->nhits; i++) {
		const struct ag_guard_rule *rule = r->hits[i].rule;
		ag_json_begin_object(j);
		ag_json_key(j, "id");
		ag_json_cstr(j, rule->id);
		ag_json_key(j, "category");
		ag_json_cstr(j, rule->category);
		ag_json_key(j, "score");
		ag_json_double(j, rule->score);
		ag_json_key(j, "decoded");
		ag_json_bool(j, r->hits[i].decoded);
		ag_json_end_object(j);
	}
	ag_json_end_array(j);
	ag_json_key(j, "decoded_payloads");
	ag_json_u64(j, r->decoded_payloads);
	ag_json_key(j, "handoff");
	ag_json_bool(j, r->handoff);
	ag_json_key(j, "disclosure_added");
	ag_json_bool(j, disclosure);
	ag_json_key(j, "redacted");
	ag_json_string(j, red->buf, red->len);
}

static const char *action_text(int action)
{
	switch (action) {
	case AG_GUARD_BLOCK: return L("block", "阻擋");
	case AG_GUARD_HANDOFF: return L("handoff (a person should take over)", "轉接專人");
	case AG_GUARD_REDACT: return L("redact", "遮蔽");
	default: return L("allow", "放行");
	}
}

static void print_text(const struct ag_guard_result *r, const struct ag_buf *red, const char *text)
{
	printf(L("action: %s (block score %.2f)\n", "處置：%s（阻擋分數 %.2f）\n"),
	       action_text(r->action), r->block_score);
	if (r->nfindings)
		printf("%s\n", L("findings (byte offsets):", "發現事項（位元組位移）："));
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct ag_guard_finding *f = &r->findings[i];
		printf("  %-16s %6zu-%-6zu %.2f  %.*s\n", ag_guard_type_name(f->type), f->start, f->end,
		       f->score, (int)(f->end - f->start > 60 ? 60 : f->end - f->start), text + f->start);
	}
	if (r->nhits)
		printf("%s\n", L("rules fired:", "觸發的規則："));
	for (size_t i = 0; i < r->nhits; i++)
		printf("  %-40s %-26s %.2f%s\n", r->hits[i].rule->id, r->hits[i].rule->category,
		       r->hits[i].rule->score,
		       r->hits[i].decoded ? L("  (in a decoded payload)", "（於解碼內容中）") : "");
	if (r->needs_disclosure)
		printf("%s\n", L("a product recommendation without a risk disclosure: disclosure appended",
				 "商品推薦未附風險揭露：已附加揭露文字"));
	printf("%s\n%s\n", L("output:", "輸出文字："), red->buf);
}

/* Line and column (bytes, 1-based) of offset `at`. */
static void position(const char *s, size_t at, size_t *line, size_t *col)
{
	size_t l = 1, c = 1;

	for (size_t i = 0; i < at; i++) {
		if (s[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int scan_whole(struct job *jb, const char *name, const char *data, size_t len, int source)
{
	struct ag_guard_result r;
	struct ag_err err;
	size_t bad, line, col;
	int rc;

	if (!ag_utf8_valid(data, len, &bad)) {
		position(data, bad, &line, &col);
		return cli_error(EXIT_BAD_INPUT, L("%s:%zu:%zu: invalid UTF-8", "%s:%zu:%zu: 無效的 UTF-8"),
				 name, line, col);
	}
	ag_err_clear(&err);
	rc = scan_one(jb, data, len, source, &r, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	if (opt_json) {
		struct cli_json out;
		struct ag_json *j = cli_json_init(&out, true);
		ag_json_begin_object(j);
		result_json(j, &r, &jb->red, r.needs_disclosure);
		ag_json_end_object(j);
		if ((rc = cli_json_print(&out)))
			return rc;
	} else {
		print_text(&r, &jb->red, data);
	}
	return jb->blocked ? EXIT_FINDINGS : EXIT_OK;
}

/* ---- JSON Lines ---- */

struct line {
	const char *text;
	size_t len;
	size_t lineno; /* in the input, 1-based */
	int source;
};

/* Parse every line first, so that a bad line 900 stops the command before
 * anything is written (docs/cli.md: no output for a failed command). */
static int parse_lines(const char *name, const char *data, size_t len, int source,
		       struct ag_arena *a, struct line **out, size_t *nout)
{
	size_t cap = 0, n = 0, lineno = 0;
	struct line *v = NULL;

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(data + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - data) : len, bad;
		json_error_t je;
		json_t *o, *t, *src;

		lineno++;
		if (end == at || (end == at + 1 && data[at] == '\r')) {
			at = end + 1;
			continue;
		}
		if (!ag_utf8_valid(data + at, end - at, &bad)) {
			free(v);
			return cli_error(EXIT_BAD_INPUT, L("%s:%zu:%zu: invalid UTF-8",
							   "%s:%zu:%zu: 無效的 UTF-8"), name, lineno, bad + 1);
		}
		o = json_loadb(data + at, end - at, 0, &je);
		t = o ? json_object_get(o, "text") : NULL;
		if (!o || !json_is_object(o) || !json_is_string(t)) {
			int rc = cli_error(EXIT_BAD_INPUT,
					   !o ? L("%s:%zu:%d: %s", "%s:%zu:%d: %s")
					      : L("%s:%zu:%d: %s: expected an object with a string field \"text\"",
						  "%s:%zu:%d: %s: 應為含字串欄位 \"text\" 的物件"),
					   name, lineno, o ? 1 : je.column, o ? "JSON" : je.text);
			json_decref(o);
			free(v);
			return rc;
		}
		if (n == cap) {
			struct line *g = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*g));
			if (!g) {
				json_decref(o);
				free(v);
				return cli_error(EXIT_IO, "out of memory");
			}
			v = g;
		}
		v[n].len = json_string_length(t);
		v[n].text = ag_arena_strndup(a, json_string_value(t), v[n].len);
		v[n].source = source;
		v[n].lineno = lineno;
		src = json_object_get(o, "source");
		if (json_is_string(src) && parse_source(json_string_value(src), &v[n].source)) {
			json_decref(o);
			free(v);
			return cli_error(EXIT_BAD_INPUT, L("%s:%zu: source: expected user, retrieved or model",
							   "%s:%zu: source: 應為 user、retrieved 或 model"),
					 name, lineno);
		}
		json_decref(o);
		if (!v[n].text) {
			free(v);
			return cli_error(EXIT_IO, "out of memory");
		}
		n++;
		at = end + 1;
	}
	*out = v;
	*nout = n;
	return 0;
}

static int scan_lines(struct job *jb, const char *name, const char *data, size_t len, int source)
{
	struct ag_arena texts;
	struct line *v = NULL;
	size_t n = 0;
	int rc;

	ag_arena_init(&texts, 0);
	rc = parse_lines(name, data, len, source, &texts, &v, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct ag_guard_result r;
		struct ag_err err;
		struct ag_buf out;
		struct ag_json j;

		ag_err_clear(&err);
		ag_arena_release(&jb->arena);
		if (scan_one(jb, v[i].text, v[i].len, v[i].source, &r, &err)) {
			rc = cli_fail(err.code, err.msg);
			break;
		}
		ag_buf_init(&out);
		ag_json_init(&j, &out, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "line");
		ag_json_u64(&j, v[i].lineno);
		result_json(&j, &r, &jb->red, r.needs_disclosure);
		ag_json_end_object(&j);
		if (ag_json_failed(&j) || ag_buf_addch(&out, '\n'))
			rc = cli_error(EXIT_IO, "out of memory");
		else
			fwrite(out.buf, 1, out.len, stdout);
		ag_buf_release(&out);
	}
	free(v);
	ag_arena_release(&texts);
	if (rc)
		return rc;
	return jb->blocked ? EXIT_FINDINGS : EXIT_OK;
}

static int run_scan(char **args, int nargs)
{
	const char *path = nargs ? args[0] : "-";
	struct ag_guard_redactor rd;
	struct ag_file_map m;
	struct ag_err err;
	struct job jb;
	int source = AG_GUARD_SRC_USER, rc, needs_key = 0;

	if (nargs > 1)
		return cli_error(EXIT_USAGE, "%s", L("guard scan takes at most one FILE",
						     "guard scan 最多接受一個 FILE"));
	if (opt_source && parse_source(opt_source, &source))
		return cli_error(EXIT_USAGE, "--source: %s", L("expected user, retrieved or model",
							     "應為 user、retrieved 或 model"));
	ag_err_clear(&err);
	ag_guard_redactor_init(&rd, AG_GUARD_OP_TAG);
	if (opt_redact && ag_guard_redactor_parse(&rd, opt_redact, &err))
		return cli_error(EXIT_USAGE, "--redact: %s", err.msg);
	for (int i = 0; i < AG_GUARD_NTYPES; i++)
		needs_key |= rd.op[i] == AG_GUARD_OP_HASH || rd.op[i] == AG_GUARD_OP_TOKEN;
	if ((rc = cli_guard_load_key(opt_key, &rd, needs_key)))
		return rc;
	memset(&jb, 0, sizeof(jb));
	if ((rc = cli_guard_build(opt_rules, (struct ag_guard **)&jb.g, &jb.s))) {
		ag_guard_redactor_release(&rd);
		return rc;
	}
	jb.rd = &rd;
	ag_arena_init(&jb.arena, 0);
	ag_buf_init(&jb.red);
	if ((rc = ag_file_map(&m, path, &err))) {
		rc = cli_fail(rc, err.msg);
	} else {
		const char *name = strcmp(path, "-") ? path : L("(standard input)", "（標準輸入）");
		rc = opt_jsonl ? scan_lines(&jb, name, m.data, m.len, source)
			       : scan_whole(&jb, name, m.data, m.len, source);
		ag_file_unmap(&m);
	}
	ag_buf_release(&jb.red);
	ag_arena_release(&jb.arena);
	ag_guard_scratch_free(jb.s);
	ag_guard_free((struct ag_guard *)jb.g);
	ag_guard_redactor_release(&rd);
	return rc;
}

static int run_restore(char **args, int nargs)
{
	const char *path = nargs ? args[0] : "-";
	struct ag_guard_redactor rd;
	struct ag_file_map m;
	struct ag_buf out;
	struct ag_err err;
	size_t failed = 0;
	int rc;

	if (nargs > 1)
		return cli_error(EXIT_USAGE, "%s", L("guard restore takes at most one FILE",
						     "guard restore 最多接受一個 FILE"));
	ag_guard_redactor_init(&rd, AG_GUARD_OP_TAG);
	if ((rc = cli_guard_load_key(opt_key, &rd, true)))
		return rc;
	ag_err_clear(&err);
	ag_buf_init(&out);
	if ((rc = ag_file_map(&m, path, &err))) {
		ag_guard_redactor_release(&rd);
		return cli_fail(rc, err.msg);
	}
	rc = ag_guard_restore(&rd, m.data, m.len, &out, &failed, &err);
	ag_file_unmap(&m);
	ag_guard_redactor_release(&rd);
	if (rc) {
		ag_buf_release(&out);
		return cli_fail(rc, err.msg);
	}
	fwrite(out.buf, 1, out.len, stdout);
	ag_buf_release(&out);
	if (failed)
		fprintf(stderr, L("aigov: warning: %zu token(s) did not decrypt with this key\n",
				  "aigov: 警告: %zu 個代碼無法以此金鑰解密\n"), failed);
	return EXIT_OK;
}

static int run_keygen(char **args, int nargs)
{
	unsigned char key[32];
	char hex[65];

	(void)args;
	if (nargs)
		return cli_error(EXIT_USAGE, "%s", L("guard keygen takes no arguments",
						     "guard keygen 不接受參數"));
	if (sodium_init() < 0)
		return cli_error(EXIT_IO, "libsodium failed to initialise");
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	printf("%s\n", hex);
	sodium_memzero(hex, sizeof(hex));
	return EXIT_OK;
}

static const struct cli_sub subs[] = {
	{ "scan", &scan_usage, run_scan },
	{ "restore", &restore_usage, run_restore },
	{ "keygen", &keygen_usage, run_keygen },
};

const struct cli_usage *cli_guard_usage(const char *sub)
{
	return cli_sub_usage(subs, sizeof(subs) / sizeof(subs[0]), sub);
}

int cmd_guard(int argc, char **argv)
{
	return cli_dispatch(argc, argv, &cmd_guard_usage, subs, sizeof(subs) / sizeof(subs[0]));
}
