/*
 * Detector anchors and validators (detect_internal.h).
 *
 * No anchor needs Vectorscan's start-of-match mode (HS_FLAG_SOM_LEFTMOST,
 * about half the scan speed here: GUARD-NOTES 4.2): each reports where a
 * candidate ends, and its validator walks back to where the value starts
 * (fixed lengths, or a bounded walk over the characters the value may
 * hold), then forward to where it really ends.  Every walk is bounded, so
 * a scan stays linear in the input.  Validators allocate nothing.
 */
#include "detect_internal.h"

#include "aigov/utf8.h"

#include <arpa/inet.h>
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Patterns: UTF-8, compiled with HS_FLAG_UTF8 (guard.c). */
const struct guard_anchor_def guard_anchors[A_COUNT] = {
	[A_TWID] = { NULL, 0 }, /* [A-Z][1289A-D][0-9]{8}: guard_digit_anchors */
	/* eight digits, single spaces or dashes allowed between them */
	[A_NUM] = { NULL, 0 },  /* (?:^|[^0-9])[0-9](?:[- ]?[0-9]){7}: the same */
	[A_EMAIL] = { "[A-Za-z0-9_%+-]@[A-Za-z0-9-]{1,63}\\.[A-Za-z]{2}", 0 },
	[A_IPV4] = { "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]", 0 },
	[A_IPV6] = { "[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{1,4}", 0 },
	[A_ADDR] = { "(?:路|街|大道)(?:[一二三四五六七八九十0-9]{1,2}段)?(?:[0-9]{1,4}巷)?"
		     "(?:[0-9]{1,4}弄)?[0-9]{1,5}(?:之[0-9]{1,3})?號", 0 },
	[A_NAME_CTX_ZH] = { "姓名|名字|戶名|户名|聯絡人|联系人|申請人|申请人|持卡人|收件人|被保險人|"
			    "要保人|客戶|客户|負責人|承辦人|我叫", 0 },
	[A_NAME_TITLE_ZH] = { "先生|小姐|女士|太太", 0 },
	[A_NAME_TITLE_EN] = { "(?:Mr|Mrs|Ms|Miss|Dr)\\.? [A-Z][a-z]", 0 },
	[A_NAME_CTX_EN] = { "(?i:my name is|name:|full name:|account holder:|regards,|sincerely,)"
			    "[ \\t\\n]{0,2}[A-Z][a-z]", 0 },
	[A_BANK_CTX] = { "帳號|帳戶|账号|账户|戶頭|户头|(?i:account|acct\\.?|a/c)", 0 },
	[A_PASSPORT_CTX] = { "護照|护照|(?i:passport)", 0 },
	[A_SEC_AWS] = { "(?:AKIA|ASIA)[0-9A-Z]{16}", 0 },
	[A_SEC_OPENAI] = { "sk-[A-Za-z0-9_-]{20}", 0 },
	[A_SEC_GITHUB] = { "gh[pousr]_[A-Za-z0-9]{30}", 0 },
	[A_SEC_GITHUB_PAT] = { "github_pat_[A-Za-z0-9_]{22}", 0 },
	[A_SEC_SLACK] = { "xox[abprs]-[A-Za-z0-9-]{10}", 0 },
	[A_SEC_GOOGLE] = { "AIza[0-9A-Za-z_-]{35}", 0 },
	[A_SEC_PEM] = { "-----BEGIN [A-Z ]{0,30}PRIVATE KEY-----", 0 },
	[A_SEC_JWT] = { "eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10}", 0 },
	[A_SEC_BEARER] = { "Bearer [A-Za-z0-9._~+/=-]{20}", 0 },
	[A_SEC_ASSIGN] = { "(?i:api[_-]?key|secret[_-]?key|client[_-]?secret|access[_-]?token|"
			   "auth[_-]?token|password|passwd|pwd)[\"']?[ \\t]{0,3}[:=][ \\t]{0,3}[\"']?"
			   "[A-Za-z0-9_+/=.!@#$%^&*-]{8}|(?:密碼|密码|金鑰|密鑰)[ \\t]{0,3}(?:[:=是為]|：)?[ \\t]{0,3}"
			   "[A-Za-z0-9_+/=.!@#$%^&*-]{8}", 0 },
	/* Context words.  Their matches come before the number they describe
	 * (matches arrive by end offset), so a validator asks "did one end
	 * within N bytes before me?" instead of searching a window. */
	[A_CTX_ID] = { "身分證|身份證|身份证|居留證|居留证|統一證號|证件号码|(?i:national id|id number|id no)", 0 },
	[A_CTX_UBN] = { "統編|統一編號|统一编号|统编|營利事業|营利事业|買受人|抬頭|(?i:ubn|vat|tax id|business id|"
			"business no|business number|company id|company no|company number)", 0 },
	[A_CTX_PHONE] = { "電話|电话|手機|手机|市話|專線|傳真|聯絡|联系|撥打|(?i:tel[:.]|phone|mobile|fax|call)", 0 },
	[A_CTX_CARD] = { "卡號|卡号|信用卡|金融卡|簽帳卡|(?i:card|visa|mastercard|amex|jcb)", 0 },
	[A_B64] = { NULL, 0 },  /* [A-Za-z0-9+/]{32}: guard_b64_anchors */
	[A_URLENC] = { "%[0-9A-Fa-f]{2}[^%\\s]{0,12}%[0-9A-Fa-f]{2}[^%\\s]{0,12}%[0-9A-Fa-f]{2}", 0 },
};

/* ---- characters ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_alpha(char c)
{
	return is_upper(c) || is_lower(c);
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_alpha(c);
}

static char lower(char c)
{
	return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* The code point at t[i] (valid UTF-8) and its length. */
static unsigned cp_at(const char *t, size_t len, size_t i, size_t *n)
{
	const unsigned char *s = (const unsigned char *)t + i;

	if (i >= len) { /* past the end: a value that stops at the text's end */
		*n = 1;
		return 0;
	}
	if (s[0] < 0x80 || i + 1 >= len) {
		*n = 1;
		return s[0];
	}
	if (s[0] < 0xE0) {
		*n = 2;
		return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
	}
	if (s[0] < 0xF0) {
		*n = i + 2 < len ? 3 : 1;
		return *n == 3 ? ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu) : s[0];
	}
	*n = i + 3 < len ? 4 : 1;
	return *n == 4 ? ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
		(s[3] & 0x3Fu) : s[0];
}

/* Start of the code point before t[i]. */
static size_t prev_cp(const char *t, size_t i)
{
	while (i > 0 && ((unsigned char)t[--i] & 0xC0) == 0x80)
		;
	return i;
}

static bool is_cjk(unsigned cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF);
}

/* Does t[i..) start with the (UTF-8) literal w, ASCII letters caseless? */
static bool starts_with(const char *t, size_t len, size_t i, const char *w)
{
	size_t n;

	if (i >= len || lower(t[i]) != w[0]) /* most calls end here, before strlen */
		return false;
	n = strlen(w);
	if (i + n > len)
		return false;
	for (size_t k = 0; k < n; k++)
		if (lower(t[i + k]) != w[k])
			return false;
	return true;
}

/* memmem(3) is a GNU and BSD extension; this is all we need of it. */
static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; m && i + m <= n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

/* The value is a separate token: nothing alphanumeric glued to it. */
static bool isolated(const char *t, size_t len, size_t s, size_t e)
{
	return (s == 0 || !is_alnum(t[s - 1])) && (e >= len || !is_alnum(t[e]));
}

void guard_fvec_push(struct guard_fvec *f, int type, size_t start, size_t end, double score)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct ag_guard_finding *v = realloc(f->v, cap * sizeof(*v));
		if (!v) {
			f->oom = true;
			return;
		}
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = (struct ag_guard_finding){ type, start, end, score };
}

static void push(struct guard_detect *d, int anchor, int type, size_t s, size_t e, double score)
{
	d->last_end[anchor] = e;
	guard_fvec_push(d->out, type, s, e, score);
}

/* ---- Taiwan IDs ---- */

/* A context word of anchor `ctx` ended within `w` bytes before s. */
static bool after_ctx(const struct guard_detect *d, int ctx, size_t s, size_t w)
{
	size_t e = d->last_end[ctx];

	return e && e <= s && s - e <= w;
}

static void detect_twid(struct guard_detect *d, size_t to)
{
	size_t s = to - 10;
	int kind;

	if (to < 10 || !isolated(d->t, d->len, s, to))
		return;
	kind = ag_guard_tw_id_check(d->t + s, 10);
	if (kind >= 0)
		push(d, A_TWID, kind, s, to,
		     after_ctx(d, A_CTX_ID, s, 24) ? 1.0 : 0.95);
}

/* ---- numbers: cards, phones, business numbers ---- */


static bool num_char(char c)
{
	return is_digit(c) || c == ' ' || c == '-' || c == '(' || c == ')' || c == '+';
}

struct group {
	size_t s, e; /* a digit run */
};

/* Digits of groups [i, j) into D (at most cap-1); their count. */
static size_t collect(const char *t, const struct group *g, size_t i, size_t j, char *D, size_t cap)
{
	size_t n = 0;

	for (size_t k = i; k < j; k++)
		for (size_t p = g[k].s; p < g[k].e; p++) {
			if (n + 1 >= cap)
				return cap; /* too long for anything we know */
			D[n++] = t[p];
		}
	D[n] = '\0';
	return n;
}

static bool card_grouping(const struct group *g, size_t i, size_t j)
{
	size_t k = j - i;

	if (k == 1)
		return true;
	if (k == 3 && g[i].e - g[i].s == 4 && g[i + 1].e - g[i + 1].s == 6) /* Amex 4-6-5, Diners 4-6-4 */
		return true;
	for (size_t m = i; m + 1 < j; m++)
		if (g[m].e - g[m].s != 4)
			return false;
	return g[j - 1].e - g[j - 1].s <= 4;
}

/* The groups are joined by single separators (not two numbers far apart). */
static bool tight(const char *t, const struct group *g, size_t i, size_t j)
{
	for (size_t k = i; k + 1 < j; k++) {
		size_t gap = g[k + 1].s - g[k].e;
		if (gap > 2 || (gap == 2 && !(t[g[k].e] == ')' && t[g[k].e + 1] == ' ')))
			return gap == 0;
	}
	return true;
}

static bool phone(struct guard_detect *d, const char *D, size_t n, size_t ss, size_t se, bool seps)
{
	char nat[24];
	bool plus = d->t[ss] == '+', paren = memchr(d->t + ss, '(', se - ss) != NULL;
	const char *p = D;
	size_t m = n;

	if (m > 5 && !memcmp(p, "00886", 5)) {
		p += 5;
		m -= 5;
	} else if (m > 3 && !memcmp(p, "886", 3)) {
		p += 3;
		m -= 3;
	} else if (p[0] != '0') {
		return false;
	} else {
		plus = false;
	}
	if (p != D) {
		if (p[0] == '0') { /* +886 (0)2 ... */
			p++;
			m--;
		}
		if (m + 2 > sizeof(nat))
			return false;
		nat[0] = '0';
		memcpy(nat + 1, p, m);
		m++;
	} else {
		if (m + 1 > sizeof(nat))
			return false;
		memcpy(nat, p, m);
	}
	if (!ag_guard_tw_phone_valid(nat, m))
		return false;
	if (nat[1] != '9' && !seps && !plus && !paren &&
	    !after_ctx(d, A_CTX_PHONE, ss, 30))
		return false; /* a bare 9-10 digit number is no landline without a hint */
	push(d, A_NUM, AG_GUARD_TW_PHONE, ss, se, nat[1] == '9' ? 0.9 : 0.85);
	return true;
}

static bool classify(struct guard_detect *d, const struct group *g, size_t i, size_t j)
{
	const char *t = d->t;
	size_t ss = g[i].s, se = g[j - 1].e, n;
	char D[32];
	bool seps = j - i > 1;

	if (ss > 0 && (t[ss - 1] == '+' || t[ss - 1] == '('))
		ss--;
	if (se < d->len && t[se] == ')' && memchr(t + ss, '(', se - ss))
		se++;
	if (!isolated(t, d->len, ss, se) || (ss > 0 && (t[ss - 1] == '.' || t[ss - 1] == '/')) ||
	    (se + 1 < d->len && t[se] == '.' && is_digit(t[se + 1])) || !tight(t, g, i, j))
		return false;
	n = collect(t, g, i, j, D, sizeof(D));
	if (n >= sizeof(D))
		return false;
	if (n >= 12 && n <= 19 && card_grouping(g, i, j) && ag_guard_card_valid(D, n)) {
		push(d, A_NUM, AG_GUARD_CREDIT_CARD, ss, se,
		     after_ctx(d, A_CTX_CARD, ss, 30) ? 1.0 : 0.95);
		return true;
	}
	if (n >= 9 && n <= 15 && t[ss] != '+' && after_ctx(d, A_BANK_CTX, ss, 24))
		return false; /* the bank-account detector takes it */
	if (n >= 9 && phone(d, D, n, ss, se, seps))
		return true;
	if (n == 8 && !seps && t[ss] != '+' && ag_guard_ubn_valid(D, 8)) {
		/* invoice numbers are two letters and eight digits: AB-12345678 */
		bool invoice = ss >= 3 && t[ss - 1] == '-' && is_upper(t[ss - 2]) && is_upper(t[ss - 3]);
		if (!invoice && after_ctx(d, A_CTX_UBN, ss, 36)) {
			push(d, A_NUM, AG_GUARD_TW_UBN, ss, se, 0.9);
			return true;
		}
	}
	return false;
}

#define MAX_GROUPS 12

static void detect_number(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	struct group g[MAX_GROUPS];
	size_t s = to, e = to, k = 0;

	if (to <= d->num_end)
		return;
	while (s > 0 && to - s < 64 && num_char(t[s - 1]))
		s--;
	while (e < d->len && e - to < 64 && num_char(t[e]))
		e++;
	d->num_end = e;
	for (size_t p = s; p < e && k < MAX_GROUPS;) {
		if (!is_digit(t[p])) {
			p++;
			continue;
		}
		g[k].s = p;
		while (p < e && is_digit(t[p]))
			p++;
		g[k++].e = p;
	}
	for (size_t i = 0; i < k;) {
		size_t j = i + 6 < k ? i + 6 : k;
		for (; j > i; j--)
			if (classify(d, g, i, j))
				break;
		i = j > i ? j : i + 1;
	}
}

/* After a context word: skip what may stand between it and the value. */
static size_t skip_filler(const char *t, size_t len, size_t i, size_t max)
{
	static const char *const fill[] = { "號碼", "号码", "號", "号", "是", "為", "为", "：", "number",
					    "no.", "no", "is", NULL };
	size_t start = i;

	while (i < len && i - start < max) {
		char c = t[i];
		bool moved = false;
		if (c == ' ' || c == ':' || c == '#' || c == '\t') {
			i++;
			continue;
		}
		for (const char *const *f = fill; *f; f++)
			if (starts_with(t, len, i, *f)) {
				i += strlen(*f);
				moved = true;
				break;
			}
		if (!moved)
			break;
	}
	return i;
}

static void detect_bank(struct guard_detect *d, size_t to)
{
	const char *t = d->t;

	d->last_end[A_BANK_CTX] = to;
	size_t s = skip_filler(t, d->len, to, 24), e = s, digits = 0, groups = 0, first = 0;

	if (to < d->len && is_lower(t[to]))
		return; /* "accounts", "accountant" */
	while (e < d->len && e - s < 32 && (is_digit(t[e]) || t[e] == '-' || t[e] == ' ')) {
		if (is_digit(t[e])) {
			digits++;
			if (e == s || !is_digit(t[e - 1]))
				groups++;
			if (groups == 1)
				first++;
		}
		e++;
	}
	while (e > s && !is_digit(t[e - 1]))
		e--;
	if (e == s || !is_digit(t[s]) || !isolated(t, d->len, s, e))
		return;
	/* a leading three-digit bank code (012-...) does not count */
	if (groups > 1 && first == 3)
		digits -= 3;
	if (digits >= 10 && digits <= 16)
		push(d, A_BANK_CTX, AG_GUARD_BANK_ACCOUNT, s, e, 0.85);
}

static void detect_passport(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t s = skip_filler(t, d->len, to, 24), e = s, letters = 0, digits = 0;

	while (e < d->len && letters < 3 && is_upper(t[e])) {
		e++;
		letters++;
	}
	while (e < d->len && is_digit(t[e])) {
		e++;
		digits++;
	}
	if (letters <= 2 && digits >= 7 && digits <= 9 && letters + digits >= 8 &&
	    isolated(t, d->len, s, e))
		push(d, A_PASSPORT_CTX, AG_GUARD_PASSPORT, s, e, 0.85);
}

/* ---- e-mail, IP ---- */

static bool email_local(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static void detect_email(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t at = to - 4, s, e = to;

	while (at > 0 && t[at] != '@' && (is_alnum(t[at]) || t[at] == '-'))
		at--;
	if (t[at] != '@' || at <= d->last_end[A_EMAIL])
		return;
	s = at;
	while (s > 0 && at - s < 64 && email_local(t[s - 1]))
		s--;
	while (s < at && t[s] == '.')
		s++;
	while (e < d->len && e - at < 255 && (is_alnum(t[e]) || t[e] == '.' || t[e] == '-'))
		e++;
	while (e > at && (t[e - 1] == '.' || t[e - 1] == '-'))
		e--;
	{
		size_t tld = e;
		while (tld > at && is_alpha(t[tld - 1]))
			tld--;
		if (s == at || e - tld < 2 || t[tld - 1] != '.')
			return;
	}
	push(d, A_EMAIL, AG_GUARD_EMAIL, s, e, 0.95);
}

static void detect_ipv4(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t s = to, e = to, parts = 1, digits = 0;
	int v = 0;

	while (s > 0 && to - s < 16 && (is_digit(t[s - 1]) || t[s - 1] == '.'))
		s--;
	while (e < d->len && e - to < 4 && is_digit(t[e]))
		e++;
	while (s < e && t[s] == '.')
		s++;
	if (s < d->last_end[A_IPV4] || !isolated(t, d->len, s, e) || (s > 0 && t[s - 1] == '.') ||
	    (e < d->len && t[e] == '.' && e + 1 < d->len && is_digit(t[e + 1])))
		return;
	for (size_t p = s; p < e; p++) {
		if (t[p] == '.') {
			if (!digits)
				return;
			parts++;
			digits = 0;
			v = 0;
			continue;
		}
		if (digits && v == 0)
			return; /* leading zero */
		v = v * 10 + (t[p] - '0');
		if (++digits > 3 || v > 255)
			return;
	}
	/* 3.2.1.4 is a section or a version far more often than a host */
	if (parts == 4 && digits && e - s > 7)
		push(d, A_IPV4, AG_GUARD_IP_ADDRESS, s, e, 0.85);
}

static bool hexc(char c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}

static void detect_ipv6(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t s = to, e = to;
	char buf[48];
	unsigned char addr[16];

	while (s > 0 && to - s < 45 && (hexc(t[s - 1]) || t[s - 1] == ':'))
		s--;
	while (e < d->len && e - s < 45 && (hexc(t[e]) || t[e] == ':'))
		e++;
	if (s < d->last_end[A_IPV6] || e - s >= sizeof(buf) || !isolated(t, d->len, s, e))
		return;
	memcpy(buf, t + s, e - s);
	buf[e - s] = '\0';
	if (inet_pton(AF_INET6, buf, addr) == 1)
		push(d, A_IPV6, AG_GUARD_IP_ADDRESS, s, e, 0.85);
}

/* ---- addresses ---- */

static const char *const cities[] = {
	"臺北市", "台北市", "新北市", "桃園市", "臺中市", "台中市", "臺南市", "台南市", "高雄市", "基隆市",
	"新竹市", "嘉義市", "新竹縣", "苗栗縣", "彰化縣", "南投縣", "雲林縣", "嘉義縣", "屏東縣", "宜蘭縣",
	"花蓮縣", "臺東縣", "台東縣", "澎湖縣", "金門縣", "連江縣", NULL,
};

static void detect_address(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t rs = to, chars = 0, start, e = to, n;
	double score = 0.7;

	/* back over CJK characters and digits: the address's own characters */
	while (rs > 0 && chars < 40) {
		size_t p = prev_cp(t, rs);
		unsigned cp = cp_at(t, d->len, p, &n);
		if (!(is_cjk(cp) || is_digit(t[p])))
			break;
		rs = p;
		chars++;
	}
	start = SIZE_MAX;
	for (size_t p = rs; p < to && start == SIZE_MAX; p += n) {
		cp_at(t, d->len, p, &n);
		for (const char *const *c = cities; *c; c++)
			if (starts_with(t, to, p, *c)) {
				start = p;
				score = 0.95;
				break;
			}
	}
	if (start == SIZE_MAX) {
		for (size_t p = rs; p < to; p += n) {
			if (starts_with(t, to, p, "區") || starts_with(t, to, p, "鄉") ||
			    starts_with(t, to, p, "鎮")) {
				start = p >= rs + 6 ? p - 6 : rs;
				score = 0.9;
				break;
			}
			cp_at(t, d->len, p, &n);
		}
	}
	if (start == SIZE_MAX) {
		/* a road name of up to four characters before 路/街 */
		size_t road = rs;
		for (size_t p = rs; p < to; p += n) {
			if (starts_with(t, to, p, "路") || starts_with(t, to, p, "街") ||
			    starts_with(t, to, p, "大道")) {
				road = p;
				break;
			}
			cp_at(t, d->len, p, &n);
		}
		start = road >= rs + 12 ? road - 12 : rs;
		if (road - start < 6)
			return; /* 路3號 alone says nothing */
	}
	/* a postal code right before the city */
	while (start > 0 && start - rs < 6 && is_digit(t[start - 1]) && start > rs)
		start--;
	/* floor and suffixes: 5樓, 5樓之2, 之1 */
	{
		size_t p = e;
		while (p < d->len && p - e < 4 && is_digit(t[p]))
			p++;
		if (p > e && (starts_with(t, d->len, p, "樓") || starts_with(t, d->len, p, "f"))) {
			e = p + (t[p] == 'F' || t[p] == 'f' ? 1 : 3);
			if (starts_with(t, d->len, e, "之") && e + 3 < d->len && is_digit(t[e + 3])) {
				e += 3;
				while (e < d->len && is_digit(t[e]))
					e++;
			}
		}
	}
	if (start < d->last_end[A_ADDR])
		return;
	push(d, A_ADDR, AG_GUARD_TW_ADDRESS, start, e, score);
}

/* ---- names ---- */

/* Common Taiwanese surnames (about 99 % of the population; MOI 2018). */
static const char surnames[] =
	"陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高簡朱鍾施游詹沈彭胡余盧潘顏梁趙柯"
	"翁魏方孫戴范宋鄧杜侯曹薛傅丁溫紀蔣歐藍連唐馬董石卓程姚康馮古姜湯汪白田涂鄒巫尤鐘龔嚴韓黎阮袁"
	"童陸金錢邵夏廖易倪賀黎岳甘段章麥俞任邢池凃饒常喬熊孔";
static const char *const compound[] = { "歐陽", "司馬", "諸葛", "上官", "張簡", "范姜", "令狐", NULL };

static bool is_surname(const char *t, size_t len, size_t i)
{
	size_t n;
	unsigned cp = cp_at(t, len, i, &n);
	char u[4];

	if (n != 3 || !is_cjk(cp))
		return false;
	memcpy(u, t + i, 3);
	u[3] = '\0';
	return strstr(surnames, u) != NULL;
}

/* Characters that end a name: particles and words that follow names. */
static bool name_stop(const char *t, size_t len, size_t i)
{
	static const char *const stop[] = { "的", "是", "在", "先生", "小姐", "女士", "太太", "帳", "账", "電", "电",
					    "您", "你", "我", "和", "與", "及", "來", "来", "說", "说",
					    "已", "要", "請", "请", "於", "于", "以", "等", "為", "为", NULL };
	for (const char *const *s = stop; *s; s++)
		if (starts_with(t, len, i, *s))
			return true;
	return false;
}

static void detect_name_ctx_zh(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t s = skip_filler(t, d->len, to, 9), e, n, chars = 0, max = 3;

	if (!is_surname(t, d->len, s))
		return;
	for (const char *const *c = compound; *c; c++)
		if (starts_with(t, d->len, s, *c))
			max = 4;
	for (e = s; e < d->len && chars < max; e += n, chars++) {
		unsigned cp = cp_at(t, d->len, e, &n);
		if (!is_cjk(cp) || (chars > 0 && name_stop(t, d->len, e)))
			break;
	}
	if (chars >= 2)
		push(d, A_NAME_CTX_ZH, AG_GUARD_PERSON_NAME, s, e, 0.85);
}

static void detect_name_title_zh(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t title = to - 6, pos[3], k = 0, n;

	/* up to three CJK characters before the title */
	for (size_t p = title; k < 3 && p > 0;) {
		size_t q = prev_cp(t, p);
		if (!is_cjk(cp_at(t, d->len, q, &n)))
			break;
		pos[k++] = q;
		p = q;
	}
	/* the earliest surname such that what follows it could be a given name */
	for (size_t m = k; m > 0; m--) {
		bool ok = is_surname(t, d->len, pos[m - 1]);
		for (size_t c = m - 1; ok && c > 0; c--)
			ok = !name_stop(t, d->len, pos[c - 1]);
		if (ok) {
			push(d, A_NAME_TITLE_ZH, AG_GUARD_PERSON_NAME, pos[m - 1], to, 0.75);
			return;
		}
	}
}

static bool name_word(const char *t, size_t len, size_t i, size_t *end)
{
	static const char *const stop[] = { "customer", "customers", "service", "team", "sir", "madam",
					    "the", "please", "all", "valued", "support", "user", "client",
					    NULL };
	size_t e = i;

	if (i >= len || !is_upper(t[i]))
		return false;
	e++;
	while (e < len && (is_lower(t[e]) || (t[e] == '-' && e + 1 < len && is_alpha(t[e + 1]))))
		e++;
	if (e - i < 2)
		return false;
	for (const char *const *s = stop; *s; s++)
		if (strlen(*s) == e - i && starts_with(t, len, i, *s))
			return false;
	*end = e;
	return true;
}

static void detect_name_en(struct guard_detect *d, int anchor, size_t to)
{
	const char *t = d->t;
	size_t cap = to - 2, s = cap, e, words = 0, we;

	if (anchor == A_NAME_TITLE_EN) {
		s = cap - 1; /* the space */
		if (s > 0 && t[s - 1] == '.')
			s--;
		while (s > 0 && is_alpha(t[s - 1]))
			s--;
		if (s > 0 && is_alpha(t[s - 1]))
			return;
	}
	for (e = cap; words < 3 && name_word(t, d->len, e, &we); words++) {
		e = we;
		if (e + 1 < d->len && t[e] == ' ' && is_upper(t[e + 1]))
			e++;
		else
			break;
	}
	if (!words)
		return;
	if (t[e - 1] == ' ')
		e--;
	if (anchor == A_NAME_CTX_EN)
		s = cap;
	if (s < d->last_end[anchor])
		return;
	push(d, anchor, AG_GUARD_PERSON_NAME, s, e, 0.8);
}

/* ---- secrets ---- */

static bool token_char(char c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

static void secret_run(struct guard_detect *d, int anchor, size_t s, size_t to, bool (*ok)(char),
		       double score)
{
	size_t e = to;

	if (s < d->last_end[anchor] || (s > 0 && is_alnum(d->t[s - 1])))
		return;
	while (e < d->len && e - s < 4096 && ok(d->t[e]))
		e++;
	push(d, anchor, AG_GUARD_SECRET, s, e, score);
}

static bool bearer_char(char c)
{
	return is_alnum(c) || strchr("._~+/=-", c) != NULL;
}

static bool value_char(char c)
{
	return is_alnum(c) || (c && strchr("_+/=.!@#$%^&*-", c) != NULL);
}

static void detect_assign(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t s = to - 8, e = to;

	if (s < d->last_end[A_SEC_ASSIGN])
		return;
	while (e < d->len && e - s < 512 && value_char(t[e]))
		e++;
	while (e > s && strchr(".,;!", t[e - 1]))
		e--;
	if (e - s < 8)
		return;
	{
		static const char *const placeholder[] = { "xxxx", "****", "<", "your", "example", "redacted",
							   "placeholder", "...", NULL };
		for (const char *const *p = placeholder; *p; p++)
			for (size_t i = s; i < e; i++)
				if (starts_with(t, e, i, *p))
					return;
	}
	push(d, A_SEC_ASSIGN, AG_GUARD_SECRET, s, e, 0.8);
}

static void detect_pem(struct guard_detect *d, size_t to)
{
	const char *t = d->t, *end;
	size_t s = to, e;

	while (s > 0 && to - s < 64 && !starts_with(t, to, s, "-----begin"))
		s--;
	if (!starts_with(t, to, s, "-----begin") || s < d->last_end[A_SEC_PEM])
		return;
	end = find(t + to, (d->len - to) < 65536 ? d->len - to : 65536, "-----END", 8);
	if (end) {
		const char *close = find(end + 8, (size_t)(t + d->len - end - 8) < 64 ?
					   (size_t)(t + d->len - end - 8) : 64, "-----", 5);
		e = close ? (size_t)(close - t) + 5 : (size_t)(end - t) + 8;
	} else {
		/* no end line: the base64 block that follows */
		e = to;
		while (e < d->len && e - to < 65536 &&
		       (is_alnum(t[e]) || t[e] == '+' || t[e] == '/' || t[e] == '=' || t[e] == '\n' ||
			t[e] == '\r') && !(t[e] == '\n' && e + 1 < d->len && t[e + 1] == '\n'))
			e++;
		if (e - to < 32)
			return; /* a header alone (a mention, a truncated paste) holds no key */
	}
	push(d, A_SEC_PEM, AG_GUARD_SECRET, s, e, 1.0);
}

static void detect_jwt(struct guard_detect *d, size_t to)
{
	const char *t = d->t;
	size_t dot = to - 14, s = dot, e = to;

	while (s > 0 && dot - s < 8192 && token_char(t[s - 1]))
		s--;
	if (!starts_with(t, dot, s, "eyj") || t[s] != 'e' || s < d->last_end[A_SEC_JWT])
		return;
	while (e < d->len && e - s < 16384 && (token_char(t[e]) || t[e] == '.'))
		e++;
	push(d, A_SEC_JWT, AG_GUARD_SECRET, s, e, 0.95);
}

void guard_detect(struct guard_detect *d, int id, size_t to)
{
	switch (id) {
	case A_TWID: detect_twid(d, to); break;
	case A_NUM: detect_number(d, to); break;
	case A_EMAIL: detect_email(d, to); break;
	case A_IPV4: detect_ipv4(d, to); break;
	case A_IPV6: detect_ipv6(d, to); break;
	case A_ADDR: detect_address(d, to); break;
	case A_NAME_CTX_ZH: detect_name_ctx_zh(d, to); break;
	case A_NAME_TITLE_ZH: if (to >= 6) detect_name_title_zh(d, to); break;
	case A_NAME_TITLE_EN:
	case A_NAME_CTX_EN: detect_name_en(d, id, to); break;
	case A_BANK_CTX: detect_bank(d, to); break;
	case A_PASSPORT_CTX: detect_passport(d, to); break;
	case A_CTX_ID:
	case A_CTX_UBN:
	case A_CTX_PHONE:
	case A_CTX_CARD: d->last_end[id] = to; break;
	case A_SEC_AWS: secret_run(d, id, to - 20, to, token_char, 0.95); break;
	case A_SEC_OPENAI: secret_run(d, id, to - 23, to, token_char, 0.95); break;
	case A_SEC_GITHUB: secret_run(d, id, to - 34, to, token_char, 0.95); break;
	case A_SEC_GITHUB_PAT: secret_run(d, id, to - 33, to, token_char, 0.95); break;
	case A_SEC_SLACK: secret_run(d, id, to - 15, to, token_char, 0.95); break;
	case A_SEC_GOOGLE: secret_run(d, id, to - 39, to, token_char, 0.95); break;
	case A_SEC_PEM: detect_pem(d, to); break;
	case A_SEC_JWT: detect_jwt(d, to); break;
	case A_SEC_BEARER: secret_run(d, id, to - 20, to, bearer_char, 0.9); break;
	case A_SEC_ASSIGN: detect_assign(d, to); break;
	default: break;
	}
}

/* ---- encoded payloads ---- */

static int b64_value(char c)
{
	if (is_upper(c))
		return c - 'A';
	if (is_lower(c))
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decoded text worth screening: valid UTF-8, no NUL, few control bytes,
 * and mostly letters, digits, spaces and punctuation. */
static bool printable(const char *s, size_t n)
{
	size_t bad = 0;

	if (n < 12 || !ag_utf8_valid(s, n, NULL))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0)
			return false;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
			bad++;
	}
	return bad * 20 <= n;
}

static bool b64c(char c)
{
	return b64_value(c) >= 0;
}

bool guard_decode(const char *t, size_t len, int id, size_t to, char **out, size_t *out_len,
		  size_t *run_end)
{
	size_t s = to, e = to, n = 0;
	char *buf;

	*out = NULL;
	if (id == A_B64) {
		bool hex = true;
		while (s > 0 && to - s < 65536 && b64c(t[s - 1]))
			s--;
		while (e < len && e - s < 131072 && b64c(t[e]))
			e++;
		*run_end = e;
		for (size_t i = s; i < e && hex; i++)
			hex = hexc(t[i]);
		if (hex)
			id = -1; /* decode as hex below */
	}
	if (id == A_B64) {
		/* the first 32 characters say whether this is text at all */
		char head[24];
		unsigned hacc = 0;
		int hbits = 0;
		size_t h = 0;
		for (size_t i = s; i < s + 32 && i < e; i++) {
			hacc = (hacc << 6) | (unsigned)b64_value(t[i]);
			hbits += 6;
			if (hbits >= 8) {
				hbits -= 8;
				head[h++] = (char)((hacc >> hbits) & 0xFF);
			}
		}
		for (size_t i = 0; i < h; i++)
			if ((unsigned char)head[i] < 0x20 && head[i] != '\n' && head[i] != '\r' && head[i] != '\t')
				return false;
		for (int pad = 0; pad < 2 && e < len && t[e] == '='; pad++)
			e++;
		if (!(buf = malloc((e - s) * 3 / 4 + 4)))
			return false;
		{
			unsigned acc = 0;
			int bits = 0;
			for (size_t i = s; i < e && t[i] != '='; i++) {
				acc = (acc << 6) | (unsigned)b64_value(t[i]);
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					buf[n++] = (char)((acc >> bits) & 0xFF);
				}
			}
		}
	} else if (id == -1) {
		if ((e - s) % 2 || !(buf = malloc((e - s) / 2 + 1)))
			return false;
		for (size_t i = s; i + 1 < e; i += 2) {
			int hi = is_digit(t[i]) ? t[i] - '0' : lower(t[i]) - 'a' + 10;
			int lo = is_digit(t[i + 1]) ? t[i + 1] - '0' : lower(t[i + 1]) - 'a' + 10;
			buf[n++] = (char)(hi * 16 + lo);
		}
	} else {
		while (s > 0 && to - s < 16384 && t[s - 1] != ' ' && t[s - 1] != '\n' && t[s - 1] != '"')
			s--;
		while (e < len && e - s < 32768 && t[e] != ' ' && t[e] != '\n' && t[e] != '"')
			e++;
		*run_end = e;
		if (!(buf = malloc(e - s + 1)))
			return false;
		for (size_t i = s; i < e; i++) {
			if (t[i] == '%' && i + 2 < e && hexc(t[i + 1]) && hexc(t[i + 2])) {
				int hi = is_digit(t[i + 1]) ? t[i + 1] - '0' : lower(t[i + 1]) - 'a' + 10;
				int lo = is_digit(t[i + 2]) ? t[i + 2] - '0' : lower(t[i + 2]) - 'a' + 10;
				buf[n++] = (char)(hi * 16 + lo);
				i += 2;
			} else {
				buf[n++] = t[i] == '+' ? ' ' : t[i];
			}
		}
	}
	if (!printable(buf, n)) {
		free(buf);
		return false;
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return true;
}

/* ---- the digit-led anchors, without Vectorscan ---- */

void guard_cvec_push(struct guard_cvec *c, unsigned id, size_t to)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct guard_cand *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			c->oom = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct guard_cand){ id, to };
}

/* The first ASCII digit at or after i (len if none).  With SSE2, 16 bytes
 * at a time: most 16-byte blocks of prose hold no digit. */
static size_t next_digit(const char *t, size_t len, size_t i)
{
#ifdef __SSE2__
	const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);

	for (; i + 16 <= len; i += 16) {
		__m128i x = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)(t + i)), zero);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, nine), x));
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < len; i++)
		if (is_digit(t[i]))
			return i;
	return len;
}

/* [0-9](?:[- ]?[0-9]){7} from a, which is a digit: where it ends, or 0. */
static size_t eight_digits(const char *t, size_t len, size_t a)
{
	unsigned digits = 0;

	for (size_t p = a; p < len;) {
		if (is_digit(t[p])) {
			if (++digits == 8)
				return p + 1;
			p++;
		} else if ((t[p] == '-' || t[p] == ' ') && p + 1 < len && is_digit(t[p + 1])) {
			p++;
		} else {
			break;
		}
	}
	return 0;
}

/*
 * Every end offset at which Vectorscan would report A_TWID
 * ([A-Z][1289A-D][0-9]{8}) and A_NUM ((?:^|[^0-9])[0-9](?:[- ]?[0-9]){7}),
 * in order.  Both need a run of digits, which SSE2 finds far faster than
 * the database did: the two patterns cost a third of the scan (their
 * many partial matches in amounts, dates and order numbers; bench/guard).
 *
 * Per maximal digit run [a, b): A_TWID ends at a + 8 when two letters
 * ([A-Z][A-D]) stand before it, and at a + 9 when one letter does and the
 * run starts with 1, 2, 8 or 9; A_NUM starts only where a digit follows a
 * non-digit, that is at a, and ends at its eighth digit (single '-' or ' '
 * between digits allowed), at a + 8 or later.  So a run's ends come in
 * that order, and a later run's ends come later: A_NUM from an earlier run
 * reaches into a run only over a separator, and a run after a separator
 * has no A_TWID.
 */
void guard_digit_anchors(const char *t, size_t len, struct guard_cvec *c)
{
	size_t a = 0, b, e;

	c->n = 0;
	c->oom = false;
	while ((a = next_digit(t, len, a)) < len) {
		for (b = a; b < len && is_digit(t[b]); b++)
			;
		if (b - a >= 8 && a >= 2 && is_upper(t[a - 2]) && t[a - 1] >= 'A' && t[a - 1] <= 'D')
			guard_cvec_push(c, A_TWID, a + 8);
		if ((e = eight_digits(t, len, a)))
			guard_cvec_push(c, A_NUM, e);
		if (b - a >= 9 && a >= 1 && is_upper(t[a - 1]) && strchr("1289", t[a]))
			guard_cvec_push(c, A_TWID, a + 9);
		a = b;
	}
}

static bool b64_anchor_char(char c)
{
	return is_alnum(c) || c == '+' || c == '/';
}

/* Whether the 16 bytes at p are all [A-Za-z0-9+/]. */
static bool b64_block(const char *p)
{
#ifdef __SSE2__
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i l = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
	__m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
	__m128i alpha = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l);
	__m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	__m128i sym = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('+')),
				   _mm_cmpeq_epi8(x, _mm_set1_epi8('/')));

	return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(alpha, digit), sym)) == 0xFFFF;
#else
	for (int i = 0; i < 16; i++)
		if (!b64_anchor_char(p[i]))
			return false;
	return true;
#endif
}

/*
 * Every end offset at which Vectorscan would report A_B64
 * ([A-Za-z0-9+/]{32}), in order: in a maximal run [s, e) of those
 * characters at least 32 long, each of s + 32 .. e.  Such a run holds a
 * whole 16-byte block at a multiple of 16, so only blocks are tested, and
 * a run is walked only around a block that is all base64: prose rarely
 * has one.  The pattern has no literal for Vectorscan to look for, and
 * cost about a tenth of the scan there.
 */
void guard_b64_anchors(const char *t, size_t len, struct guard_cvec *c)
{
	c->n = 0;
	c->oom = false;
	for (size_t i = 0; i + 16 <= len; i += 16) {
		size_t s = i, e = i + 16;
		if (!b64_block(t + i))
			continue;
		while (s > 0 && b64_anchor_char(t[s - 1]))
			s--;
		while (e < len && b64_anchor_char(t[e]))
			e++;
		for (size_t to = s + 32; to <= e; to++)
			guard_cvec_push(c, A_B64, to);
		i = (e / 16) * 16; /* the next block after the run (i += 16 follows) */
	}
}
