/*
 * Column profiling: one pass, per-batch and per-column.
 *
 * A batch (a few thousand rows, column-major, see csv.h) is walked one
 * column at a time so that the column's state stays in cache.  Numeric
 * moments are computed per batch with the two-pass formula and folded into
 * the running ones with Chan, Golub and LeVeque's pairwise update (1979),
 * which is as accurate as Welford's and needs no division per value.
 */
#include "aigov/profile.h"

#include "aigov/arena.h"
#include "aigov/num.h"
#include "aigov/sketch.h"
#include "aigov/thread.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double ag_profile_probs[AG_PROFILE_NQ] = { 0.01, 0.05, 0.25, 0.5,
						 0.75, 0.95, 0.99 };

#define EXAMPLE_MAX 40

struct col_acc {
	uint64_t missing;
	uint64_t kinds[AG_KIND_COUNT];

	uint64_t n;            /* numeric values */
	double mean, m2, min, max;

	struct ag_values vals; /* exact mode: every numeric value */
	bool use_kll;
	struct ag_kll kll;

	struct ag_distinct distinct;
	struct ag_freq freq;

	bool has_date, date_has_time;
	int64_t date_min, date_max; /* yyyymmddhhmmss */

	uint64_t national_id, email, phone, card, leading_zeros;

	uint64_t example_line[AG_KIND_COUNT]; /* 0 = none yet */
	char example[AG_KIND_COUNT][EXAMPLE_MAX + 1];
};

struct ag_profile {
	size_t ncols;
	char **names;
	struct ag_profile_options opt;
	size_t budget_left;
	size_t peak_used;
	uint64_t rows;
	struct col_acc *cols;
	/* One column of one batch: its numeric values with their decimal
	 * forms (see ag_values_add), and the hashes of all its values. */
	double *nums;
	int64_t *mants;
	uint8_t *scales;
	uint64_t *hashes;
	size_t scratch_cap;
};

void ag_profile_options_init(struct ag_profile_options *o)
{
	memset(o, 0, sizeof(*o));
	o->memory_budget = (size_t)1 << 30;
	o->top_k = 10;
	o->freq_cap = 1000;
	o->distinct_limit = (size_t)1 << 18;
	o->kll_k = 400;
}

/* ---- value classification ------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

static int num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * ISO 8601 dates: YYYY-MM-DD or YYYY/MM/DD, optionally followed by
 * [T ]HH:MM[:SS[.fff]] and Z or +-HH:MM.  The time zone is checked but not
 * applied: min and max compare local times as written.
 */
static bool parse_date(const char *s, size_t n, int64_t *code, bool *has_time)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, sec = 0;
	size_t i;

	if (n < 10 || !digits(s, 4) || (s[4] != '-' && s[4] != '/') ||
	    s[7] != s[4] || !digits(s + 5, 2) || !digits(s + 8, 2))
		return false;
	y = num2(s) * 100 + num2(s + 2);
	mo = num2(s + 5);
	d = num2(s + 8);
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return false;
	*has_time = false;
	i = 10;
	if (i < n) {
		if ((s[i] != 'T' && s[i] != ' ') || n < i + 6 ||
		    !digits(s + i + 1, 2) || s[i + 3] != ':' || !digits(s + i + 4, 2))
			return false;
		h = num2(s + i + 1);
		mi = num2(s + i + 4);
		i += 6;
		if (i < n && s[i] == ':') {
			if (n < i + 3 || !digits(s + i + 1, 2))
				return false;
			sec = num2(s + i + 1);
			i += 3;
			if (i < n && s[i] == '.') {
				i++;
				size_t f = i;
				while (i < n && is_digit(s[i]))
					i++;
				if (i == f)
					return false;
			}
		}
		if (i < n && s[i] == 'Z')
			i++;
		else if (i < n && (s[i] == '+' || s[i] == '-')) {
			if (n < i + 6 || !digits(s + i + 1, 2) || s[i + 3] != ':' ||
			    !digits(s + i + 4, 2))
				return false;
			i += 6;
		}
		if (i != n || h > 23 || mi > 59 || sec > 60)
			return false;
		*has_time = true;
	}
	*code = ((((int64_t)y * 100 + mo) * 100 + d) * 100 + h) * 10000 +
		mi * 100 + sec;
	return true;
}

static bool parse_bool(const char *s, size_t n, bool *v)
{
	/* pandas reads these spellings as booleans, and only these. */
	static const char *const t[] = { "true", "True", "TRUE" };
	static const char *const f[] = { "false", "False", "FALSE" };

	for (int i = 0; i < 3; i++) {
		if (n == 4 && memcmp(s, t[i], 4) == 0) {
			*v = true;
			return true;
		}
		if (n == 5 && memcmp(s, f[i], 5) == 0) {
			*v = false;
			return true;
		}
	}
	return false;
}

struct value {
	enum ag_value_kind kind;
	struct ag_number num;
	int64_t date;
	bool flag; /* boolean value, or "date has a time" */
};

/* Four digits and a '-' or '/': a date or text, never a number (after
 * digits the number grammar allows only '.', 'e', 'E' or the end).  Lets a
 * date column skip a failed number parse per value. */
static bool date_shaped(const char *s, size_t n)
{
	return n >= 10 && (s[4] == '-' || s[4] == '/') && digits(s, 4);
}

static void classify(const char *s, size_t n, struct value *v)
{
	char c = s[0];

	if (is_digit(c) && date_shaped(s, n)) {
		v->kind = parse_date(s, n, &v->date, &v->flag) ? AG_KIND_DATE
							      : AG_KIND_TEXT;
		return;
	}
	if (is_digit(c) || c == '-' || c == '+' || c == '.' || c == ' ' ||
	    c == '\t') {
		if (ag_parse_decimal(s, n, &v->num)) {
			v->kind = v->num.integer ? AG_KIND_INTEGER : AG_KIND_NUMBER;
			return;
		}
	} else if ((c == 't' || c == 'T' || c == 'f' || c == 'F') &&
		   parse_bool(s, n, &v->flag)) {
		v->kind = AG_KIND_BOOLEAN;
		return;
	}
	v->kind = AG_KIND_TEXT;
}

/* ---- identifiers ---------------------------------------------------- */

/* Taiwan national ID (and the new resident certificate number, which
 * shares its checksum): letter, 1/2/8/9, eight digits; the letter maps to
 * 10..35 in the order below; weights 1,9,8,...,1,1; sum divisible by 10.
 * Source: MOF e-filing specification, annex 6. */
bool ag_is_tw_national_id(const char *s, size_t n)
{
	static const char order[] = "ABCDEFGHJKLMNPQRSTUVXYWZIO";
	const char *at;
	int code, sum;

	if (n != 10 || s[0] < 'A' || s[0] > 'Z' || !digits(s + 1, 9))
		return false;
	if (s[1] != '1' && s[1] != '2' && s[1] != '8' && s[1] != '9')
		return false;
	at = strchr(order, s[0]);
	if (!at)
		return false;
	code = 10 + (int)(at - order);
	sum = code / 10 + (code % 10) * 9;
	for (int i = 1; i <= 8; i++)
		sum += (s[i] - '0') * (9 - i);
	sum += s[9] - '0';
	return sum % 10 == 0;
}

bool ag_luhn_valid(const char *s, size_t n)
{
	int sum = 0;

	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = s[n - 1 - i] - '0';
		if (d < 0 || d > 9)
			return false;
		if (i & 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

static bool looks_like_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	const char *dot;

	if (!at || at == s || memchr(s, ' ', n))
		return false;
	dot = memchr(at, '.', n - (size_t)(at - s));
	return dot && dot > at + 1 && dot < s + n - 1;
}

/* Taiwan mobile numbers: 09 and eight digits, with optional - or space
 * after the 4th and 7th digit. */
static bool looks_like_tw_mobile(const char *s, size_t n)
{
	size_t k = 0;

	if (n < 10 || n > 12 || s[0] != '0' || s[1] != '9')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (is_digit(s[i])) {
			if (++k > 10)
				return false;
		} else if ((s[i] != '-' && s[i] != ' ') || (k != 4 && k != 7)) {
			return false;
		}
	}
	return k == 10;
}

/* What check_identifiers finds in a text value, as bits. */
enum { TAG_KNOWN = 1, TAG_NATIONAL_ID = 2, TAG_PHONE = 4, TAG_EMAIL = 8 };

static unsigned text_tags(const char *s, size_t n)
{
	if (n == 10 && ag_is_tw_national_id(s, n))
		return TAG_NATIONAL_ID;
	if (looks_like_tw_mobile(s, n))
		return TAG_PHONE;
	if (looks_like_email(s, n))
		return TAG_EMAIL;
	return 0;
}

static void count_tags(struct col_acc *a, unsigned tags)
{
	a->national_id += (tags & TAG_NATIONAL_ID) != 0;
	a->phone += (tags & TAG_PHONE) != 0;
	a->email += (tags & TAG_EMAIL) != 0;
}

static void check_identifiers(struct col_acc *a, const char *s, size_t n,
			      enum ag_value_kind kind)
{
	if (kind == AG_KIND_INTEGER) {
		size_t off = (s[0] == '-' || s[0] == '+') ? 1 : 0;
		if (n > off + 1 && s[off] == '0')
			a->leading_zeros++;
		if (n == 10 && s[0] == '0' && s[1] == '9')
			a->phone++;
		else if (n >= 13 && n <= 19 && ag_luhn_valid(s, n))
			a->card++;
		return;
	}
	if (kind == AG_KIND_TEXT)
		count_tags(a, text_tags(s, n));
}

/*
 * While a column is in its frequency table, a text value is checked once:
 * its entry keeps the result (an entry is one distinct text, up to a
 * 64-bit hash collision, as for the distinct count).  That saves a memchr
 * call per text field of a low-cardinality column.
 */
static void count_text_tags(struct col_acc *a, struct ag_freq_entry *e,
			    const char *s, size_t n)
{
	if (!e->tags)
		e->tags = (uint8_t)(TAG_KNOWN | text_tags(s, n));
	count_tags(a, e->tags);
}

/* ---- accumulators --------------------------------------------------- */

static size_t used(const struct ag_profile *p)
{
	return p->opt.memory_budget - p->budget_left;
}

static void note_peak(struct ag_profile *p)
{
	if (used(p) > p->peak_used)
		p->peak_used = used(p);
}

static void release_vals(struct ag_profile *p, struct col_acc *a)
{
	p->budget_left += ag_values_bytes(&a->vals);
	ag_values_release(&a->vals);
}

/* The value array no longer fits: move to the KLL sketch. */
static int switch_to_kll(struct ag_profile *p, struct col_acc *a,
			 struct ag_err *err)
{
	ag_log(p->opt.log, AG_LOG_INFO, "profile",
	       "column '%s': its values no longer fit the memory budget (%zu "
	       "kept); quantiles from a KLL sketch", p->names[a - p->cols],
	       a->vals.n);
	if (ag_kll_init(&a->kll, p->opt.kll_k))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	a->use_kll = true;
	for (size_t i = 0; i < a->vals.n; i++)
		if (ag_kll_add(&a->kll, ag_values_get(&a->vals, i)))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	release_vals(p, a);
	return 0;
}

/* Keep x[0..n) (decimal forms in mant, scale: see ag_values_add) in the
 * value array while it fits the budget, else in the KLL sketch. */
static int keep_values(struct ag_profile *p, struct col_acc *a,
		       const double *x, const int64_t *mant,
		       const uint8_t *scale, size_t n, struct ag_err *err)
{
	int rc;

	if (!a->use_kll) {
		if (!ag_values_add(&a->vals, x, mant, scale, n, &p->budget_left)) {
			note_peak(p);
			return 0;
		}
		if ((rc = switch_to_kll(p, a, err)))
			return rc;
	}
	for (size_t i = 0; i < n; i++)
		if (ag_kll_add(&a->kll, x[i]))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	return 0;
}

/* The decimal form of a parsed number as ag_values_add takes it. */
static void decimal_form(const struct ag_number *num, int64_t *mant,
			 uint8_t *scale)
{
	bool ok = num->decimal && !(num->neg && num->mantissa == 0); /* -0.0 */

	*mant = num->neg ? -(int64_t)num->mantissa : (int64_t)num->mantissa;
	*scale = ok ? num->scale : AG_VALUES_NO_DECIMAL;
}

/* Chan et al. (1979): combine (n, mean, m2) of two disjoint sets. */
static void combine_moments(struct col_acc *a, uint64_t nb, double mean_b,
			    double m2_b, double min_b, double max_b)
{
	if (!nb)
		return;
	if (!a->n) {
		a->n = nb;
		a->mean = mean_b;
		a->m2 = m2_b;
		a->min = min_b;
		a->max = max_b;
		return;
	}
	double n = (double)(a->n + nb);
	double delta = mean_b - a->mean;
	a->mean += delta * ((double)nb / n);
	a->m2 += m2_b + delta * delta * ((double)a->n * (double)nb / n);
	a->n += nb;
	if (min_b < a->min)
		a->min = min_b;
	if (max_b > a->max)
		a->max = max_b;
}

static void batch_moments(struct col_acc *a, const double *v, size_t n)
{
	double sum = 0, mean, m2 = 0, mn, mx;

	if (!n)
		return;
	mn = mx = v[0];
	for (size_t i = 0; i < n; i++) {
		sum += v[i];
		if (v[i] < mn)
			mn = v[i];
		if (v[i] > mx)
			mx = v[i];
	}
	mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		m2 += (v[i] - mean) * (v[i] - mean);
	combine_moments(a, n, mean, m2, mn, mx);
}

static uint64_t hash_double(double d)
{
	uint64_t bits;

	d += 0.0; /* -0.0 becomes 0.0: the same value */
	memcpy(&bits, &d, sizeof(bits));
	return ag_hash_u64(bits ^ UINT64_C(0x6a09e667f3bcc909));
}

static void remember_example(struct col_acc *a, enum ag_value_kind k,
			     const char *s, size_t n, uint64_t line)
{
	size_t m = n > EXAMPLE_MAX ? EXAMPLE_MAX : n;

	a->example_line[k] = line;
	memcpy(a->example[k], s, m);
	a->example[k][m] = '\0';
}

/*
 * While a column has at most freq_cap distinct values, its frequency table
 * is the whole truth: distinct count, top values and (for numbers) exact
 * quantiles come from it, and nothing is stored per value.  The first value
 * that does not fit moves the table's contents into the distinct set and
 * the value array, which take over from then on.
 */
/* Move one table entry into the distinct set and the value array. */
static int absorb_entry(struct ag_profile *p, struct col_acc *a,
			const struct ag_freq_entry *e, struct ag_err *err)
{
	enum { CHUNK = 256 };
	double x[CHUNK];
	int64_t mant[CHUNK];
	uint8_t scale[CHUNK];
	uint64_t left = e->numeric ? e->count : 0;
	struct ag_number num;
	int64_t m = 0;
	uint8_t sc = AG_VALUES_NO_DECIMAL;
	int rc;

	if (ag_distinct_add(&a->distinct, e->hash, &p->budget_left))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	/* The entry keeps the value's first spelling; parsed again, it gives
	 * the decimal form, so that the value array can stay narrow. */
	if (left && e->len <= AG_FREQ_SAMPLE &&
	    ag_parse_decimal(e->sample, e->len, &num) && num.value == e->num &&
	    signbit(num.value) == signbit(e->num))
		decimal_form(&num, &m, &sc);
	while (left) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		for (size_t i = 0; i < n; i++) {
			x[i] = e->num;
			mant[i] = m;
			scale[i] = sc;
		}
		if ((rc = keep_values(p, a, x, mant, scale, n, err)))
			return rc;
		left -= n;
	}
	return 0;
}

/* Keep every value of another accumulator's array (merge). */
static int keep_values_of(struct ag_profile *p, struct col_acc *a,
			  const struct ag_values *o, struct ag_err *err)
{
	enum { CHUNK = 256 };
	double x[CHUNK];
	int64_t mant[CHUNK];
	uint8_t scale[CHUNK];
	int rc;

	for (size_t i = 0; i < o->n; i += CHUNK) {
		size_t n = o->n - i < CHUNK ? o->n - i : CHUNK;
		for (size_t j = 0; j < n; j++)
			ag_values_get_decimal(o, i + j, &x[j], &mant[j], &scale[j]);
		if ((rc = keep_values(p, a, x, mant, scale, n, err)))
			return rc;
	}
	return 0;
}

static int spill_freq(struct ag_profile *p, struct col_acc *a,
		      struct ag_err *err)
{
	int rc;

	for (size_t i = 0; i < a->freq.nslots; i++)
		if (a->freq.slots[i].hash &&
		    (rc = absorb_entry(p, a, &a->freq.slots[i], err)))
			return rc;
	ag_freq_give_up(&a->freq);
	return 0;
}

static int add_column(struct ag_profile *p, size_t c,
		      const struct ag_csv_reader *r, const struct ag_csv_batch *b,
		      struct ag_err *err)
{
	struct col_acc *a = &p->cols[c];
	double *nums = p->nums;
	uint64_t *hashes = p->hashes;
	size_t nn = 0, nh = 0, keep_from = 0;
	int rc;

	for (size_t row = 0; row < b->nrows; row++) {
		struct ag_str s = ag_csv_get(b, row, c);
		struct value v;
		uint64_t h;
		bool numeric = false;

		if (ag_csv_is_missing(r, s)) {
			a->missing++;
			continue;
		}
		classify(s.ptr, s.len, &v);
		a->kinds[v.kind]++;
		if (!a->example_line[v.kind])
			remember_example(a, v.kind, s.ptr, s.len, b->row_line[row]);
		switch (v.kind) {
		case AG_KIND_INTEGER:
		case AG_KIND_NUMBER:
			decimal_form(&v.num, &p->mants[nn], &p->scales[nn]);
			nums[nn++] = v.num.value;
			numeric = true;
			h = hash_double(v.num.value);
			break;
		case AG_KIND_BOOLEAN:
			h = ag_hash_u64(v.flag ? 0x7472756575 : 0x66616c7365);
			break;
		case AG_KIND_DATE:
			h = ag_hash_u64((uint64_t)v.date ^ UINT64_C(0xbb67ae8584caa73b));
			if (!a->has_date || v.date < a->date_min)
				a->date_min = v.date;
			if (!a->has_date || v.date > a->date_max)
				a->date_max = v.date;
			a->has_date = true;
			a->date_has_time |= v.flag;
			break;
		default:
			h = ag_hash_bytes(s.ptr, s.len);
			break;
		}
		if (v.kind != AG_KIND_TEXT)
			check_identifiers(a, s.ptr, s.len, v.kind);
		if (a->freq.slots) {
			struct ag_freq_entry *e = ag_freq_add_one(
				&a->freq, h, s.ptr, s.len, numeric, v.num.value);
			if (e) {
				if (v.kind == AG_KIND_TEXT)
					count_text_tags(a, e, s.ptr, s.len);
				keep_from = nn;
				continue;
			}
			/* Earlier numbers of this batch are in the table. */
			keep_from = numeric ? nn - 1 : nn;
			if ((rc = spill_freq(p, a, err)))
				return rc;
		}
		if (v.kind == AG_KIND_TEXT)
			check_identifiers(a, s.ptr, s.len, v.kind);
		hashes[nh++] = h;
	}
	/* Set inserts after the parse loop, so that they can be prefetched. */
	bool was_exact = ag_distinct_is_exact(&a->distinct);
	if (ag_distinct_add_many(&a->distinct, hashes, nh, &p->budget_left))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (was_exact && !ag_distinct_is_exact(&a->distinct))
		ag_log(p->opt.log, AG_LOG_INFO, "profile",
		       "column '%s': more distinct values than the limit or the "
		       "budget allows; distinct count from HyperLogLog",
		       p->names[c]);
	batch_moments(a, nums, nn);
	note_peak(p);
	if (nn == keep_from)
		return 0;
	return keep_values(p, a, nums + keep_from, p->mants + keep_from,
			   p->scales + keep_from, nn - keep_from, err);
}

int ag_profile_new(struct ag_profile **out, size_t ncols,
		   const char *const *names, const struct ag_profile_options *o,
		   struct ag_err *err)
{
	struct ag_profile *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (o)
		p->opt = *o;
	else
		ag_profile_options_init(&p->opt);
	if (!p->opt.top_k)
		p->opt.top_k = 10;
	if (!p->opt.freq_cap)
		p->opt.freq_cap = 1000;
	if (p->opt.kll_k < 8)
		p->opt.kll_k = 400;
	p->budget_left = p->opt.memory_budget;
	p->ncols = ncols;
	p->names = calloc(ncols ? ncols : 1, sizeof(*p->names));
	p->cols = calloc(ncols ? ncols : 1, sizeof(*p->cols));
	if (!p->names || !p->cols)
		goto oom;
	for (size_t c = 0; c < ncols; c++) {
		p->names[c] = strdup(names[c]);
		if (!p->names[c] || ag_freq_init(&p->cols[c].freq, p->opt.freq_cap))
			goto oom;
		ag_distinct_init(&p->cols[c].distinct, p->opt.distinct_limit);
		ag_values_init(&p->cols[c].vals);
	}
	*out = p;
	return 0;
oom:
	ag_profile_free(p);
	return ag_err_set(err, AG_ENOMEM, "out of memory");
}

/* Free a column's state and give its memory back to the budget; the
 * release functions leave their structures empty, so this may run twice. */
static void release_column(struct ag_profile *p, struct col_acc *a)
{
	p->budget_left += a->distinct.bytes;
	release_vals(p, a);
	if (a->use_kll)
		ag_kll_release(&a->kll);
	a->use_kll = false;
	ag_distinct_release(&a->distinct);
	ag_freq_release(&a->freq);
}

void ag_profile_free(struct ag_profile *p)
{
	if (!p)
		return;
	for (size_t c = 0; c < p->ncols; c++) {
		if (p->names)
			free(p->names[c]);
		if (p->cols)
			release_column(p, &p->cols[c]);
	}
	free(p->names);
	free(p->cols);
	free(p->nums);
	free(p->mants);
	free(p->scales);
	free(p->hashes);
	free(p);
}

int ag_profile_add_batch(struct ag_profile *p, const struct ag_csv_reader *r,
			 const struct ag_csv_batch *b, struct ag_err *err)
{
	if (b->ncols != p->ncols)
		return ag_err_set(err, AG_EINVAL, "batch has %zu columns, profile %zu",
				  b->ncols, p->ncols);
	if (b->nrows > p->scratch_cap) {
		free(p->nums);
		free(p->mants);
		free(p->scales);
		free(p->hashes);
		p->nums = malloc(b->nrows * sizeof(*p->nums));
		p->mants = malloc(b->nrows * sizeof(*p->mants));
		p->scales = malloc(b->nrows * sizeof(*p->scales));
		p->hashes = malloc(b->nrows * sizeof(*p->hashes));
		p->scratch_cap = b->nrows;
		if (!p->nums || !p->mants || !p->scales || !p->hashes) {
			p->scratch_cap = 0;
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		}
	}
	for (size_t c = 0; c < p->ncols; c++) {
		int rc = add_column(p, c, r, b, err);
		if (rc)
			return rc;
	}
	p->rows += b->nrows;
	return 0;
}

static int merge_column(struct ag_profile *p, struct col_acc *a,
			const struct col_acc *o, struct ag_err *err)
{
	int rc;

	a->missing += o->missing;
	for (int k = 0; k < AG_KIND_COUNT; k++) {
		a->kinds[k] += o->kinds[k];
		if (!a->example_line[k] && o->example_line[k]) {
			a->example_line[k] = o->example_line[k];
			memcpy(a->example[k], o->example[k], sizeof(a->example[k]));
		}
	}
	combine_moments(a, o->n, o->mean, o->m2, o->min, o->max);
	if (!o->freq.overflow) {
		/* o's values are all in its table. */
		for (size_t i = 0; i < o->freq.nslots; i++) {
			const struct ag_freq_entry *e = &o->freq.slots[i];
			if (!e->hash)
				continue;
			if (a->freq.slots &&
			    ag_freq_try_add(&a->freq, e->hash, e->sample, e->len,
					    e->count, e->numeric, e->num))
				continue;
			if (a->freq.slots && (rc = spill_freq(p, a, err)))
				return rc;
			if ((rc = absorb_entry(p, a, e, err)))
				return rc;
		}
	} else {
		if (a->freq.slots && (rc = spill_freq(p, a, err)))
			return rc;
		if (o->use_kll) {
			if (!a->use_kll && (rc = switch_to_kll(p, a, err)))
				return rc;
			if (ag_kll_merge(&a->kll, &o->kll))
				return ag_err_set(err, AG_ENOMEM, "out of memory");
		} else if ((rc = keep_values_of(p, a, &o->vals, err))) {
			return rc;
		}
		if (ag_distinct_merge(&a->distinct, &o->distinct, &p->budget_left))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	if (o->has_date) {
		if (!a->has_date || o->date_min < a->date_min)
			a->date_min = o->date_min;
		if (!a->has_date || o->date_max > a->date_max)
			a->date_max = o->date_max;
		a->has_date = true;
		a->date_has_time |= o->date_has_time;
	}
	a->national_id += o->national_id;
	a->email += o->email;
	a->phone += o->phone;
	a->card += o->card;
	a->leading_zeros += o->leading_zeros;
	return 0;
}

int ag_profile_merge(struct ag_profile *p, const struct ag_profile *o,
		     struct ag_err *err)
{
	if (o->ncols != p->ncols)
		return ag_err_set(err, AG_EINVAL, "cannot merge profiles with %zu "
				  "and %zu columns", p->ncols, o->ncols);
	for (size_t c = 0; c < p->ncols; c++) {
		int rc = merge_column(p, &p->cols[c], &o->cols[c], err);
		if (rc)
			return rc;
	}
	p->rows += o->rows;
	note_peak(p);
	return 0;
}

/* ---- results -------------------------------------------------------- */

static const char *format_date(struct ag_arena *ar, int64_t code, bool time)
{
	char buf[32];
	int sec = (int)(code % 100), mi = (int)(code / 100 % 100);
	int h = (int)(code / 10000 % 100), d = (int)(code / 1000000 % 100);
	int mo = (int)(code / 100000000 % 100);
	int y = (int)(code / 10000000000);

	if (time)
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d,
			 h, mi, sec);
	else
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, mo, d);
	return ag_arena_strndup(ar, buf, strlen(buf));
}

static struct ag_warning *add_warning(struct ag_column_profile *cp,
				      enum ag_warning_code code)
{
	struct ag_warning *w = &cp->warnings[cp->nwarnings++];

	memset(w, 0, sizeof(*w));
	w->code = code;
	return w;
}

/* A personal-data warning when `count` values (at least `min`) matched. */
static void share_warning(struct ag_column_profile *cp, enum ag_warning_code code,
			  uint64_t count, double min)
{
	struct ag_warning *w;

	if (!count || (double)count < min)
		return;
	w = add_warning(cp, code);
	w->count = count;
	w->value = (double)count / (double)cp->count;
}

static enum ag_value_kind majority(const struct col_acc *a, uint64_t *numeric)
{
	uint64_t groups[AG_KIND_COUNT];
	enum ag_value_kind best = AG_KIND_INTEGER;

	memcpy(groups, a->kinds, sizeof(groups));
	*numeric = groups[AG_KIND_INTEGER] + groups[AG_KIND_NUMBER];
	groups[AG_KIND_INTEGER] = *numeric;
	groups[AG_KIND_NUMBER] = 0;
	for (int k = 0; k < AG_KIND_COUNT; k++)
		if (groups[k] > groups[best])
			best = (enum ag_value_kind)k;
	return best;
}

static void infer_type(struct ag_column_profile *cp, const struct col_acc *a,
		       uint64_t *minority, enum ag_value_kind *major)
{
	uint64_t numeric;

	*major = majority(a, &numeric);
	*minority = cp->count - (*major == AG_KIND_INTEGER ? numeric
							   : a->kinds[*major]);
	if (!cp->count) {
		cp->type = AG_TYPE_EMPTY;
		return;
	}
	switch (*major) {
	case AG_KIND_INTEGER:
	case AG_KIND_NUMBER:
		cp->type = a->kinds[AG_KIND_NUMBER] ? AG_TYPE_NUMBER : AG_TYPE_INTEGER;
		break;
	case AG_KIND_BOOLEAN:
		cp->type = AG_TYPE_BOOLEAN;
		break;
	case AG_KIND_DATE:
		cp->type = AG_TYPE_DATE;
		break;
	default:
		/* Category: each value repeats on average 20 times or more, or
		 * there are at most 100 values (and they were counted). */
		cp->type = (cp->distinct_exact && !a->freq.overflow &&
			    (cp->distinct <= 100 || cp->distinct * 20 <= (double)cp->count))
				   ? AG_TYPE_CATEGORY
				   : AG_TYPE_TEXT;
		break;
	}
}

static void add_warnings(struct ag_column_profile *cp, const struct col_acc *a,
			 uint64_t rows, uint64_t minority, enum ag_value_kind major,
			 bool duplicate_name)
{
	double present = (double)cp->count;

	if (!cp->count && rows) {
		add_warning(cp, AG_WARN_ALL_MISSING);
	} else if (rows && (double)cp->missing / (double)rows >= 0.5) {
		add_warning(cp, AG_WARN_MOSTLY_MISSING)->value =
			(double)cp->missing / (double)rows;
	}
	if (cp->count && cp->distinct_exact && cp->distinct == 1)
		add_warning(cp, AG_WARN_CONSTANT);
	if (minority) {
		/* Name the first value that is not of the majority kind. */
		struct ag_warning *w = add_warning(cp, AG_WARN_MIXED_TYPES);
		w->count = minority;
		for (int k = 0; k < AG_KIND_COUNT; k++) {
			bool same = k == (int)major ||
				    (major == AG_KIND_INTEGER && k == AG_KIND_NUMBER);
			if (same || !a->example_line[k])
				continue;
			if (!w->line || a->example_line[k] < w->line) {
				w->line = a->example_line[k];
				w->example = a->example[k];
			}
		}
	}
	/* Any valid ID is worth a warning (format and checksum are strict);
	 * the looser patterns only when they describe the column. */
	share_warning(cp, AG_WARN_NATIONAL_ID, a->national_id, 1);
	share_warning(cp, AG_WARN_EMAIL, a->email, present / 2);
	share_warning(cp, AG_WARN_PHONE, a->phone, present / 2);
	share_warning(cp, AG_WARN_CARD_NUMBER, a->card, present / 2);
	if (cp->count >= 10 && !cp->missing && cp->distinct_exact &&
	    cp->distinct == present &&
	    (cp->type == AG_TYPE_INTEGER || cp->type == AG_TYPE_TEXT))
		add_warning(cp, AG_WARN_UNIQUE_KEY);
	if (a->leading_zeros && cp->type == AG_TYPE_INTEGER)
		add_warning(cp, AG_WARN_LEADING_ZEROS)->count = a->leading_zeros;
	if (duplicate_name)
		add_warning(cp, AG_WARN_DUPLICATE_NAME);
}

struct weighted_value {
	double v;
	uint64_t w;
};

static int cmp_weighted_value(const void *x, const void *y)
{
	double a = ((const struct weighted_value *)x)->v;
	double b = ((const struct weighted_value *)y)->v;
	return (a > b) - (a < b);
}

/* Exact quantiles of a column whose numbers all sit in its table. */
static int quantiles_from_freq(const struct ag_freq *f, double *out)
{
	struct weighted_value *e = malloc(f->n * sizeof(*e) + 1);
	double *v = malloc(f->n * sizeof(*v) + 1);
	uint64_t *w = malloc(f->n * sizeof(*w) + 1);
	size_t m = 0;

	if (!e || !v || !w) {
		free(e);
		free(v);
		free(w);
		return -1;
	}
	for (size_t i = 0; i < f->nslots; i++) {
		if (f->slots[i].hash && f->slots[i].numeric) {
			e[m].v = f->slots[i].num;
			e[m].w = f->slots[i].count;
			m++;
		}
	}
	qsort(e, m, sizeof(*e), cmp_weighted_value);
	for (size_t i = 0; i < m; i++) {
		v[i] = e[i].v;
		w[i] = e[i].w;
	}
	ag_quantiles_weighted(v, w, m, ag_profile_probs, AG_PROFILE_NQ, out);
	free(e);
	free(v);
	free(w);
	return 0;
}

static int finish_column(struct ag_profile *p, size_t c,
			 struct ag_profile_result *res, struct ag_err *err)
{
	struct col_acc *a = &p->cols[c];
	struct ag_column_profile *cp = &res->cols[c];
	struct ag_arena *ar = &res->arena;
	struct ag_freq_entry *top;
	uint64_t minority;
	enum ag_value_kind major;
	bool dup = false;

	cp->name = ag_arena_strndup(ar, p->names[c], strlen(p->names[c]));
	cp->missing = a->missing;
	cp->count = p->rows - a->missing;
	memcpy(cp->kinds, a->kinds, sizeof(cp->kinds));
	if (!a->freq.overflow) {
		cp->distinct = (double)a->freq.n;
		cp->distinct_exact = true;
	} else {
		cp->distinct = ag_distinct_estimate(&a->distinct);
		cp->distinct_exact = ag_distinct_is_exact(&a->distinct);
		cp->distinct_rel_error = ag_distinct_rel_error(&a->distinct);
	}
	if (!cp->distinct_exact) {
		/* The estimate cannot be below what was counted exactly. */
		cp->distinct = round(cp->distinct);
		if (cp->distinct > (double)cp->count)
			cp->distinct = (double)cp->count;
	}
	infer_type(cp, a, &minority, &major);

	cp->has_numeric = a->n > 0;
	cp->numeric_count = a->n;
	cp->min = a->min;
	cp->max = a->max;
	cp->mean = a->mean;
	cp->std = a->n > 1 ? sqrt(a->m2 / (double)(a->n - 1)) : NAN;
	if (a->use_kll) {
		cp->quantiles_exact = false;
		cp->quantile_rank_error = ag_kll_rank_error(a->kll.k);
		if (ag_kll_quantiles(&a->kll, ag_profile_probs, AG_PROFILE_NQ,
				     cp->quantiles))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	} else if (a->vals.n) {
		cp->quantiles_exact = true;
		if (ag_values_quantiles(&a->vals, ag_profile_probs, AG_PROFILE_NQ,
					cp->quantiles))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	} else if (a->n) {
		cp->quantiles_exact = true;
		if (quantiles_from_freq(&a->freq, cp->quantiles))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	if (a->has_date) {
		cp->date_min = format_date(ar, a->date_min, a->date_has_time);
		cp->date_max = format_date(ar, a->date_max, a->date_has_time);
	}

	cp->top_tracked = !a->freq.overflow;
	top = ag_arena_calloc(ar, p->opt.top_k, sizeof(*top));
	cp->top = ag_arena_calloc(ar, p->opt.top_k, sizeof(*cp->top));
	cp->warnings = ag_arena_calloc(ar, AG_WARN_COUNT, sizeof(*cp->warnings));
	if (!top || !cp->top || !cp->warnings || !cp->name)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	cp->ntop = ag_freq_top(&a->freq, top, p->opt.top_k);
	for (size_t i = 0; i < cp->ntop; i++) {
		size_t n = top[i].len < AG_FREQ_SAMPLE ? top[i].len : AG_FREQ_SAMPLE;
		char *v = ag_arena_alloc(ar, n + 4);
		if (!v)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		memcpy(v, top[i].sample, n);
		strcpy(v + n, top[i].len > AG_FREQ_SAMPLE ? "..." : "");
		cp->top[i].value = v;
		cp->top[i].count = top[i].count;
	}
	for (size_t j = 0; j < c; j++)
		if (strcmp(p->names[j], p->names[c]) == 0)
			dup = true;
	add_warnings(cp, a, p->rows, minority, major, dup);
	for (size_t i = 0; i < cp->nwarnings; i++)
		if (cp->warnings[i].example)
			cp->warnings[i].example = ag_arena_strndup(
				ar, cp->warnings[i].example,
				strlen(cp->warnings[i].example));
	return 0;
}

int ag_profile_finish(struct ag_profile *p, const char *source, uint64_t bytes,
		      struct ag_profile_result **out, struct ag_err *err)
{
	struct ag_profile_result *res = calloc(1, sizeof(*res));
	int rc;

	*out = NULL;
	if (!res)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_init(&res->arena, 0);
	res->source = ag_arena_strndup(&res->arena, source, strlen(source));
	res->rows = p->rows;
	res->bytes = bytes;
	res->ncols = p->ncols;
	res->memory_budget = p->opt.memory_budget;
	res->memory_used_peak = p->peak_used;
	res->cols = ag_arena_calloc(&res->arena, p->ncols ? p->ncols : 1,
				    sizeof(*res->cols));
	if (!res->cols || !res->source) {
		ag_profile_result_free(res);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	for (size_t c = 0; c < p->ncols; c++) {
		rc = finish_column(p, c, res, err);
		if (rc) {
			ag_profile_result_free(res);
			return rc;
		}
	}
	*out = res;
	return 0;
}

void ag_profile_result_free(struct ag_profile_result *res)
{
	if (!res)
		return;
	ag_arena_release(&res->arena);
	free(res);
}

/* ---- reading a file ------------------------------------------------- */

static int read_batches(struct ag_profile *p, struct ag_csv_reader *r,
			struct ag_err *err)
{
	struct ag_csv_batch b;
	int rc;

	while ((rc = ag_csv_next_batch(r, &b, err)) == 1)
		if ((rc = ag_profile_add_batch(p, r, &b, err)))
			return rc;
	return rc;
}

/* One part of a file, read on its own thread into its own accumulator. */
struct part {
	const char *path;
	const struct ag_csv_options *csv;
	struct ag_csv_part range;
	struct ag_profile *p;
	int rc;
	struct ag_err err;
};

static void *part_thread(void *arg)
{
	struct part *t = arg;
	struct ag_csv_reader *r;

	t->rc = ag_csv_open_part(&r, t->path, &t->range, t->csv, &t->err);
	if (!t->rc) {
		t->rc = read_batches(t->p, r, &t->err);
		ag_csv_free(r);
	}
	return NULL;
}

/*
 * Fold parts 1.. into part 0.  A part's share of the budget comes with it,
 * and each of its columns is released once merged, so that the merge holds
 * at most one column's state twice.  The peak of exact state counts every
 * part's: while they read, the sum of their peaks; while merging, all that
 * is held after each column.
 */
static int merge_parts(struct part *t, size_t n, struct ag_err *err)
{
	struct ag_profile *acc = t[0].p;
	size_t waiting = 0, peak = 0;

	for (size_t i = 0; i < n; i++)
		peak += t[i].p->peak_used;
	for (size_t i = 1; i < n; i++)
		waiting += used(t[i].p);
	for (size_t i = 1; i < n; i++) {
		struct ag_profile *o = t[i].p;
		acc->opt.memory_budget += o->opt.memory_budget;
		acc->budget_left += o->opt.memory_budget;
		waiting -= used(o);
		for (size_t c = 0; c < acc->ncols; c++) {
			int rc = merge_column(acc, &acc->cols[c], &o->cols[c], err);
			if (rc)
				return rc;
			if (used(acc) + used(o) + waiting > peak)
				peak = used(acc) + used(o) + waiting;
			release_column(o, &o->cols[c]);
		}
		acc->rows += o->rows;
	}
	acc->peak_used = peak;
	return 0;
}

/*
 * The records of the file h was opened on, in n parts on n threads; names
 * are the columns.  *out is the merged accumulator; *bytes what was read.
 * The earliest part's error wins: it is the one a single reader would
 * have met first.
 */
static int profile_parts(struct ag_csv_reader *h, const char *path,
			 const struct ag_csv_options *csv,
			 const struct ag_profile_options *opts, const char **names,
			 const struct ag_csv_part *ranges, size_t n,
			 struct ag_profile **out, uint64_t *bytes, struct ag_err *err)
{
	struct part t[AG_CSV_MAX_PARTS];
	struct ag_csv_options po;
	struct ag_profile_options o = *opts;
	size_t ncols = ag_csv_ncols(h), share = opts->memory_budget / n;
	int rc = 0;

	memset(t, 0, sizeof(t));
	if (csv)
		po = *csv;
	else
		ag_csv_options_init(&po);
	po.header = names;
	po.nheader = ncols;
	ag_csv_data_start(h, bytes, &(uint64_t){ 0 });
	for (size_t i = 0; i < n && !rc; i++) {
		/* Part 0 takes the remainder: the shares add up to the budget. */
		o.memory_budget = i ? share : opts->memory_budget - share * (n - 1);
		rc = ag_profile_new(&t[i].p, ncols, names, &o, err);
		t[i].path = path;
		t[i].csv = &po;
		t[i].range = ranges[i];
		*bytes += ranges[i].len;
	}
	if (!rc) {
		ag_run_parallel(part_thread, t, sizeof(t[0]), n);
		for (size_t i = 0; i < n && !rc; i++)
			if ((rc = t[i].rc))
				*err = t[i].err;
	}
	if (!rc)
		rc = merge_parts(t, n, err);
	if (!rc) {
		*out = t[0].p;
		t[0].p = NULL;
	}
	for (size_t i = 0; i < n; i++)
		ag_profile_free(t[i].p);
	return rc;
}

/* Parts of the regular file behind h (just opened), or *n = 1. */
static int plan_parts(struct ag_csv_reader *h, const char *path, unsigned threads,
		      struct ag_csv_part *ranges, size_t *n, struct ag_err *err)
{
	uint64_t from, line;

	*n = 1;
	if (threads < 2 || !ag_csv_splittable(path))
		return 0;
	ag_csv_data_start(h, &from, &line);
	if (threads > AG_CSV_MAX_PARTS)
		threads = AG_CSV_MAX_PARTS;
	return ag_csv_split(path, from, line, threads, ranges, n, err);
}

int ag_profile_csv(const char *path, const struct ag_csv_options *csv_opts,
		   const struct ag_profile_options *opts,
		   struct ag_profile_result **out, struct ag_err *err)
{
	struct ag_profile_options o;
	struct ag_csv_part ranges[AG_CSV_MAX_PARTS];
	struct ag_csv_reader *r = NULL;
	struct ag_profile *p = NULL;
	const char **names;
	uint64_t bytes = 0;
	size_t n;
	int rc;

	*out = NULL;
	if (opts)
		o = *opts;
	else
		ag_profile_options_init(&o);
	rc = ag_csv_open(&r, path, csv_opts, err);
	if (rc)
		return rc;
	names = calloc(ag_csv_ncols(r), sizeof(*names));
	if (!names) {
		ag_csv_free(r);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < ag_csv_ncols(r); i++)
		names[i] = ag_csv_column_name(r, i);
	rc = plan_parts(r, path, o.threads, ranges, &n, err);
	if (!rc && n > 1) {
		rc = profile_parts(r, path, csv_opts, &o, names, ranges, n, &p,
				   &bytes, err);
	} else if (!rc && !(rc = ag_profile_new(&p, ag_csv_ncols(r), names, &o, err))) {
		rc = read_batches(p, r, err);
		bytes = ag_csv_bytes_read(r);
	}
	free(names);
	if (!rc)
		rc = ag_profile_finish(p, ag_csv_name(r), bytes, out, err);
	ag_profile_free(p);
	ag_csv_free(r);
	return rc;
}

const char *ag_col_type_name(enum ag_col_type t)
{
	static const char *const names[] = { "empty",   "integer",  "number",
					     "boolean", "date",     "category",
					     "text" };
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

const char *ag_value_kind_name(enum ag_value_kind k)
{
	static const char *const names[] = { "integer", "number", "boolean",
					     "date", "text" };
	return (unsigned)k < AG_KIND_COUNT ? names[k] : "?";
}

const char *ag_warning_code_name(enum ag_warning_code c)
{
	static const char *const names[] = {
		"all_missing", "mostly_missing", "constant",   "mixed_types",
		"national_id", "email",          "phone",      "card_number",
		"unique_key",  "leading_zeros",  "duplicate_name",
	};
	return (unsigned)c < AG_WARN_COUNT ? names[c] : "?";
}
