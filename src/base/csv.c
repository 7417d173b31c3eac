/*
 * Strict streaming CSV reader.
 *
 * Why our own: this is on the path of every profile and evaluation, and the
 * target is several hundred MB/s per core with exact positions for every
 * error.  General CSV libraries either copy each field, call a callback per
 * field, or tolerate malformed input silently.
 *
 * How it is fast: the tokenizer looks at 64 bytes at a time.  It builds
 * bit masks of quotes, delimiters and newlines (SSE2 compares where
 * available, a portable loop elsewhere), turns the quote mask into an
 * "inside quotes" mask with a prefix XOR (as in simdjson and simdcsv,
 * Langdale & Lemire 2019), and walks only the set bits of the separators
 * outside quotes.  Fields that contain a quote are rare and checked and
 * unescaped (in place) when their row is complete.  Anything unusual --
 * a malformed quote, a wrong field count -- is re-parsed by a plain
 * byte-at-a-time state machine (scalar_record) that produces the precise
 * message; the same machine reads the header.
 *
 * Line numbers are physical lines (a newline inside a quoted field counts),
 * which is what an editor shows.  Columns are 1-based byte offsets.
 */
#include "aigov/csv.h"

#include "aigov/file.h"
#include "aigov/num.h"
#include "aigov/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define PAD 128            /* zeroed bytes after the data, for 64-byte loads */
#define QUOTED_FLAG 0x80000000u
#define QUOTE '"'

static const char *const default_na[] = { "", "NA", "N/A", "NaN", "nan",
					  "null", "NULL", "#N/A", NULL };

struct ag_csv_reader {
	struct ag_source src;
	struct ag_csv_options opt;
	char delim;

	char *buf;        /* cap + PAD bytes */
	size_t cap;
	size_t len;       /* valid bytes in buf */
	size_t pos;       /* start of the first row not yet returned */
	size_t utf8_ok;   /* buf[0..utf8_ok) is known valid UTF-8 */
	size_t bad_utf8;  /* offset of invalid UTF-8, or SIZE_MAX */
	bool eof;         /* the source is exhausted (and a final LF added) */
	uint64_t line;    /* physical line of the row at pos */
	uint64_t bytes_read;
	uint64_t buf_off; /* input offset of buf[0] */

	size_t ncols;
	char **names;

	const char *const *na;
	size_t na_maxlen;
	bool na_first[256]; /* first bytes of the missing-value strings */

	size_t rows_cap;
	struct ag_csv_field *fields;
	uint32_t *row_start;
	uint64_t *row_line;
	bool *row_inexact;
};

void ag_csv_options_init(struct ag_csv_options *o)
{
	memset(o, 0, sizeof(*o));
	o->delimiter = ',';
	o->chunk_size = 1u << 20;
	o->max_record = 256u << 20;
}

/* ---- positions and messages ---------------------------------------- */

/* Line and column of buf[off], given that buf[from] starts line `line`. */
static void locate(const char *buf, size_t from, uint64_t line, size_t off,
		   uint64_t *out_line, uint64_t *out_col)
{
	size_t line_start = from;

	for (size_t i = from; i < off; i++) {
		if (buf[i] == '\n') {
			line++;
			line_start = i + 1;
		}
	}
	*out_line = line;
	*out_col = off - line_start + 1;
}

static int error_at(struct ag_csv_reader *r, size_t from, uint64_t line,
		    size_t off, struct ag_err *err, const char *msg)
{
	uint64_t l, c;

	locate(r->buf, from, line, off, &l, &c);
	return ag_err_at(err, AG_EPARSE, r->src.name, (size_t)l, (size_t)c, "%s",
			 msg);
}

/* ---- the reference state machine ------------------------------------ */

enum rec_status { REC_OK, REC_BLANK, REC_INCOMPLETE, REC_ERROR };

struct span {
	size_t start, end; /* raw bytes, quotes included */
};

struct rec {
	enum rec_status status;
	size_t end;        /* offset after the record's newline */
	size_t nfields;
	size_t extra_at;   /* start of field number `want` (0-based), if any */
	size_t err_off;
	const char *err_msg;
};

/*
 * Parse one record of buf[start..len).  Field spans go to spans (up to
 * max_spans) when spans is not NULL.  `want` is the expected field count,
 * used only to remember where the first extra field starts.
 */
static struct rec scalar_record(const char *buf, size_t start, size_t len,
				char delim, struct span *spans, size_t max_spans,
				size_t want)
{
	enum { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE } st = FIELD_START;
	struct rec res = { REC_INCOMPLETE, 0, 0, 0, 0, NULL };
	size_t fstart = start, qopen = start;

	for (size_t i = start; i < len; i++) {
		char c = buf[i];
		bool end_of_line = c == '\n' ||
				   (c == '\r' && i + 1 < len && buf[i + 1] == '\n');

		if (st == QUOTED) {
			if (c != QUOTE)
				continue;
			if (i + 1 < len && buf[i + 1] == QUOTE) {
				i++;
				continue;
			}
			if (i + 1 >= len)
				return res; /* "" or " end may follow */
			st = AFTER_QUOTE;
			continue;
		}
		if (c == delim || end_of_line) {
			if (end_of_line && st == FIELD_START && res.nfields == 0) {
				if (c == '\r')
					i++;
				res.status = REC_BLANK;
				res.end = i + 1;
				return res;
			}
			if (spans && res.nfields < max_spans) {
				spans[res.nfields].start = fstart;
				spans[res.nfields].end = i;
			}
			if (res.nfields == want)
				res.extra_at = fstart;
			res.nfields++;
			fstart = i + 1;
			st = FIELD_START;
			if (end_of_line) {
				if (c == '\r')
					i++;
				res.status = REC_OK;
				res.end = i + 1;
				return res;
			}
			continue;
		}
		switch (st) {
		case FIELD_START:
			if (c == QUOTE) {
				qopen = i;
				st = QUOTED;
			} else {
				st = UNQUOTED;
			}
			break;
		case UNQUOTED:
			if (c == QUOTE) {
				res.status = REC_ERROR;
				res.err_off = i;
				res.err_msg = "quote inside an unquoted field "
					      "(quote the whole field and double the quote)";
				return res;
			}
			break;
		case AFTER_QUOTE:
			res.status = REC_ERROR;
			res.err_off = i;
			res.err_msg = "unexpected character after a closing quote";
			return res;
		case QUOTED:
			break;
		}
	}
	if (st == QUOTED) {
		res.err_off = qopen; /* only an error once the input has ended */
		res.err_msg = "unterminated quoted field (opened here)";
	}
	return res;
}

/* Explain why the row at `start` (line `line`) is bad. */
static int report_row(struct ag_csv_reader *r, size_t start, uint64_t line,
		      size_t len, struct ag_err *err)
{
	struct rec rec = scalar_record(r->buf, start, len, r->delim, NULL, 0,
				       r->ncols);
	char msg[160];

	if (rec.status == REC_ERROR)
		return error_at(r, start, line, rec.err_off, err, rec.err_msg);
	if (rec.status == REC_INCOMPLETE) {
		if (rec.err_msg)
			return error_at(r, start, line, rec.err_off, err, rec.err_msg);
		return error_at(r, start, line, len, err, "record ends unexpectedly");
	}
	snprintf(msg, sizeof(msg),
		 "expected %zu fields as in the header, found %zu", r->ncols,
		 rec.nfields);
	return error_at(r, start, line,
			rec.nfields > r->ncols ? rec.extra_at : rec.end - 1, err, msg);
}

/* ---- reading -------------------------------------------------------- */

static int fill(struct ag_csv_reader *r, struct ag_err *err)
{
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->buf_off += r->pos;
		r->len -= r->pos;
		r->utf8_ok = r->utf8_ok > r->pos ? r->utf8_ok - r->pos : 0;
		if (r->bad_utf8 != SIZE_MAX)
			r->bad_utf8 -= r->pos;
		r->pos = 0;
	}
	while (!r->eof && r->len < r->cap) {
		size_t got;
		int rc = ag_source_read(&r->src, r->buf + r->len, r->cap - r->len,
					&got, err);
		if (rc)
			return rc;
		if (!got) {
			r->eof = true;
			/* Give the last record its newline so that it ends like the
			 * others; PAD leaves room for it. */
			if (r->len > r->pos && r->buf[r->len - 1] != '\n')
				r->buf[r->len++] = '\n';
			break;
		}
		r->len += got;
		r->bytes_read += got;
	}
	memset(r->buf + r->len, 0, PAD - 1);

	/* Validate UTF-8 up to the last newline (a newline byte never sits
	 * inside a multi-byte sequence, so nothing is cut in half). */
	if (r->bad_utf8 == SIZE_MAX) {
		size_t end = r->len;
		while (end > r->utf8_ok && r->buf[end - 1] != '\n')
			end--;
		if (end > r->utf8_ok) {
			size_t bad;
			if (!ag_utf8_valid(r->buf + r->utf8_ok, end - r->utf8_ok, &bad))
				r->bad_utf8 = r->utf8_ok + bad;
			else
				r->utf8_ok = end;
		}
	}
	return 0;
}

/* ---- the fast tokenizer --------------------------------------------- */

struct masks {
	uint64_t quote, sep, nl;
};

static inline void block_masks(const char *p, char delim, struct masks *m)
{
#if defined(__SSE2__)
	const __m128i vq = _mm_set1_epi8(QUOTE);
	const __m128i vd = _mm_set1_epi8(delim);
	const __m128i vn = _mm_set1_epi8('\n');
	uint64_t q = 0, d = 0, n = 0;

	for (int k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		q |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)) << (16 * k);
		d |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd)) << (16 * k);
		n |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vn)) << (16 * k);
	}
	m->quote = q;
	m->sep = d;
	m->nl = n;
#else
	uint64_t q = 0, d = 0, n = 0;
	for (int k = 0; k < 64; k++) {
		q |= (uint64_t)(p[k] == QUOTE) << k;
		d |= (uint64_t)(p[k] == delim) << k;
		n |= (uint64_t)(p[k] == '\n') << k;
	}
	m->quote = q;
	m->sep = d;
	m->nl = n;
#endif
}

/* Bit i of the result is the XOR of bits 0..i of x: 1 inside quotes. */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/*
 * Check and unescape a quoted field in place; false if malformed.  The view
 * moves past the opening quote.  Only a doubled quote moves bytes: the
 * content is then compacted and the bytes left over blanked, so that they
 * never read as line ends.  If such a field also spans lines, the columns
 * of what follows it on its last line shift, so *inexact is set and
 * ag_csv_position reports no column for the row.
 */
static bool unquote(char *buf, struct ag_csv_field *f, uint64_t *newlines,
		    bool *inexact)
{
	char *s = buf + f->off;
	size_t n = f->len & ~QUOTED_FLAG;
	size_t w = 1, nl = 0;
	bool doubled = false;

	if (n < 2 || s[0] != QUOTE || s[n - 1] != QUOTE)
		return false;
	for (size_t i = 1; i < n - 1; i++) {
		char c = s[i];
		if (c == QUOTE) {
			if (i + 1 >= n - 1 || s[i + 1] != QUOTE)
				return false;
			doubled = true;
			i++;
		} else if (c == '\n') {
			nl++;
		}
		s[w++] = c;
	}
	if (doubled) {
		memset(s + w, ' ', n - w);
		*inexact |= nl > 0;
	}
	*newlines += nl;
	f->off += 1;
	f->len = (uint32_t)(w - 1);
	return true;
}

/* Store one field in the batch's column-major index. */
static inline void put_field(struct ag_csv_field *f, size_t start, size_t end,
			     bool quoted)
{
	f->off = (uint32_t)start;
	f->len = (uint32_t)(end - start) | (quoted ? QUOTED_FLAG : 0);
}

/*
 * Tokenize complete rows from r->pos into the batch index, at most
 * rows_cap.  Sets *nrows; advances r->pos and r->line past them.
 * Returns 0, or an error for a malformed complete row.
 *
 * The loop runs once per separator; it keeps to what every field needs
 * (a store through a pointer that steps by the stride, and whether a
 * quote lies inside the field, from the position of the last quote before
 * the separator), and leaves line ends, rows and quoted fields to the
 * branch taken once per row.
 */
static int tokenize(struct ag_csv_reader *r, size_t *nrows, struct ag_err *err)
{
	char *buf = r->buf;
	const size_t len = r->bad_utf8 < r->len ? r->bad_utf8 : r->len;
	const size_t ncols = r->ncols, stride = r->rows_cap;
	size_t start = r->pos, fstart = r->pos;
	size_t nf = 0, rows = 0;
	/* 1 + offset of the last quote before the current block, 0 if none:
	 * a field [fstart, p) holds a quote when the last quote before p is
	 * at or after fstart. */
	size_t quote_end = 0;
	uint64_t line = r->line;
	uint64_t carry = 0;
	bool row_quoted = false;
	struct ag_csv_field *fp = r->fields; /* field nf of row `rows` */

	for (size_t blk = r->pos; blk < len; blk += 64) {
		struct masks m;
		uint64_t valid = len - blk >= 64 ? ~UINT64_C(0)
						 : (UINT64_C(1) << (len - blk)) - 1;
		uint64_t inside, seps;

		block_masks(buf + blk, r->delim, &m);
		m.quote &= valid;
		inside = prefix_xor(m.quote) ^ carry;
		carry = (uint64_t)((int64_t)inside >> 63);
		seps = (m.sep | m.nl) & ~inside & valid;
		while (seps) {
			unsigned bit = (unsigned)__builtin_ctzll(seps);
			size_t p = blk + bit;
			bool has_quote = false;

			/* Most fields have no quote before them in this block
			 * or since they started: skip the bookkeeping. */
			if (m.quote || quote_end > fstart) {
				uint64_t before = m.quote & ((UINT64_C(1) << bit) - 1);
				size_t qend = before ? blk + 64 - (size_t)__builtin_clzll(before)
						     : quote_end;
				has_quote = qend > fstart;
			}

			seps &= seps - 1;
			if (!((m.nl >> bit) & 1)) {
				/* A delimiter.  Fields past ncols are only counted:
				 * the row is then reported at its end. */
				if (nf < ncols) {
					put_field(fp, fstart, p, has_quote);
					fp += stride;
				}
				row_quoted |= has_quote;
				nf++;
				fstart = p + 1;
				continue;
			}
			size_t fend = p;
			if (fend > fstart && buf[fend - 1] == '\r')
				fend--;
			if (nf == 0 && fend == fstart && !has_quote) {
				/* blank line: skipped, as pandas does */
				start = fstart = p + 1;
				line++;
				continue;
			}
			if (nf < ncols)
				put_field(fp, fstart, fend, has_quote);
			row_quoted |= has_quote;
			nf++;
			fstart = p + 1;
			uint64_t extra_lines = 0;
			bool ok = nf == ncols, inexact = false;
			for (size_t c = 0; ok && row_quoted && c < ncols; c++) {
				struct ag_csv_field *f = &r->fields[c * stride + rows];
				if ((f->len & QUOTED_FLAG) &&
				    !unquote(buf, f, &extra_lines, &inexact))
					ok = false;
			}
			if (!ok) {
				/* Hand out the good rows first; the next call starts
				 * at this row and reports it. */
				if (rows)
					goto done;
				return report_row(r, start, line, len, err);
			}
			r->row_start[rows] = (uint32_t)start;
			r->row_line[rows] = line;
			r->row_inexact[rows] = inexact;
			rows++;
			fp = &r->fields[rows];
			line += 1 + extra_lines;
			start = p + 1;
			nf = 0;
			row_quoted = false;
			if (rows == r->rows_cap) {
				r->pos = start;
				r->line = line;
				*nrows = rows;
				return 0;
			}
		}
		if (m.quote)
			quote_end = blk + 64 - (size_t)__builtin_clzll(m.quote);
	}
done:
	r->pos = start;
	r->line = line;
	*nrows = rows;
	return 0;
}

static int grow_buffer(struct ag_csv_reader *r, struct ag_err *err)
{
	size_t ncap;
	char *nb;

	if (r->cap >= r->opt.max_record) {
		uint64_t l, c;
		locate(r->buf, r->pos, r->line, r->pos, &l, &c);
		return ag_err_at(err, AG_EPARSE, r->src.name, (size_t)l, 1,
				 "record longer than %zu bytes (an unterminated "
				 "quote?)", r->opt.max_record);
	}
	ncap = r->cap * 2 > r->opt.max_record ? r->opt.max_record : r->cap * 2;
	nb = realloc(r->buf, ncap + PAD);
	if (!nb)
		return ag_err_set(err, AG_ENOMEM, "%s: out of memory for a record "
				  "of %zu bytes", r->src.name, ncap);
	r->buf = nb;
	r->cap = ncap;
	return 0;
}

static int fill_for_record(struct ag_csv_reader *r, struct ag_err *err)
{
	if (r->pos == 0 && r->len >= r->cap) {
		int rc = grow_buffer(r, err);
		if (rc)
			return rc;
	}
	return fill(r, err);
}

int ag_csv_next_batch(struct ag_csv_reader *r, struct ag_csv_batch *b,
		      struct ag_err *err)
{
	for (;;) {
		size_t nrows = 0;
		int rc = tokenize(r, &nrows, err);

		if (rc)
			return rc;
		if (nrows) {
			b->base = r->buf;
			b->fields = r->fields;
			b->row_start = r->row_start;
			b->row_line = r->row_line;
			b->row_inexact = r->row_inexact;
			b->stride = r->rows_cap;
			b->nrows = nrows;
			b->ncols = r->ncols;
			return 1;
		}
		if (r->bad_utf8 != SIZE_MAX) {
			/* Every row before the bad byte has been returned. */
			return error_at(r, r->pos, r->line, r->bad_utf8, err, "invalid UTF-8 (is the file in Big5 or "
					"another encoding? convert it to UTF-8)");
		}
		if (r->eof) {
			if (r->pos >= r->len)
				return 0;
			return report_row(r, r->pos, r->line, r->len, err);
		}
		rc = fill_for_record(r, err);
		if (rc)
			return rc;
	}
}

/* ---- header and opening -------------------------------------------- */

static char *unescape_copy(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t w = 0;

	if (!out)
		return NULL;
	if (n >= 2 && s[0] == QUOTE && s[n - 1] == QUOTE) {
		for (size_t i = 1; i < n - 1; i++) {
			out[w++] = s[i];
			if (s[i] == QUOTE)
				i++;
		}
	} else {
		memcpy(out, s, n);
		w = n;
	}
	out[w] = '\0';
	return out;
}

/* The names of options.header: a part of a file read without its header. */
static int given_header(struct ag_csv_reader *r, struct ag_err *err)
{
	if (!r->opt.nheader)
		return ag_err_set(err, AG_EINVAL, "csv: a given header needs at least one column");
	r->ncols = r->opt.nheader;
	r->names = calloc(r->ncols, sizeof(*r->names));
	if (!r->names)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->ncols; i++)
		if (!(r->names[i] = strdup(r->opt.header[i])))
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	return 0;
}

static int read_header(struct ag_csv_reader *r, struct ag_err *err)
{
	struct rec rec;
	struct span *spans = NULL;
	size_t max_spans = 0;
	int rc;

	if (r->opt.header)
		return given_header(r, err);
	for (;;) {
		rec = scalar_record(r->buf, r->pos, r->len, r->delim, spans,
				    max_spans, SIZE_MAX);
		if (rec.status == REC_BLANK) {
			r->pos = rec.end;
			r->line++;
			continue;
		}
		if (rec.status == REC_ERROR ||
		    (rec.status == REC_INCOMPLETE && r->eof && r->pos < r->len)) {
			free(spans);
			if (!rec.err_msg)
				rec.err_msg = "record ends unexpectedly";
			return error_at(r, r->pos, r->line, rec.err_off, err, rec.err_msg);
		}
		if (rec.status == REC_INCOMPLETE) {
			if (r->eof) {
				free(spans);
				return ag_err_at(err, AG_EPARSE, r->src.name, 1, 0,
						 "empty file: no header row");
			}
			rc = fill_for_record(r, err);
			if (rc) {
				free(spans);
				return rc;
			}
			continue;
		}
		if (rec.nfields <= max_spans)
			break;
		free(spans);
		max_spans = rec.nfields;
		spans = calloc(max_spans, sizeof(*spans));
		if (!spans)
			return ag_err_set(err, AG_ENOMEM, "out of memory");
	}

	/* Header bytes are validated here; data rows by fill(). */
	size_t bad;
	if (!ag_utf8_valid(r->buf + r->pos, rec.end - r->pos, &bad)) {
		free(spans);
		return error_at(r, r->pos, r->line, r->pos + bad, err, "invalid UTF-8 in the header");
	}
	r->ncols = rec.nfields;
	r->names = calloc(r->ncols, sizeof(*r->names));
	if (!r->names) {
		free(spans);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->ncols; i++) {
		size_t s = spans[i].start, e = spans[i].end;
		char tmp[40];

		if (r->opt.no_header) {
			snprintf(tmp, sizeof(tmp), "column_%zu", i + 1);
			r->names[i] = strdup(tmp);
		} else {
			r->names[i] = unescape_copy(r->buf + s, e - s);
			if (r->names[i] && !r->names[i][0]) {
				free(r->names[i]);
				snprintf(tmp, sizeof(tmp), "Unnamed: %zu", i);
				r->names[i] = strdup(tmp);
			}
		}
		if (!r->names[i]) {
			free(spans);
			return ag_err_set(err, AG_ENOMEM, "out of memory");
		}
	}
	free(spans);
	if (!r->opt.no_header) {
		r->pos = rec.end;
		r->line++;
	}
	return 0;
}

/* Checked before the input is opened: a usage error comes first. */
static int check_options(const struct ag_csv_options *o, struct ag_err *err)
{
	unsigned char d = o ? (unsigned char)o->delimiter : ',';

	if (d == 0 || d == QUOTE || d == '\n' || d == '\r' || d >= 0x80)
		return ag_err_set(err, AG_EINVAL,
				  "delimiter must be one ASCII character other "
				  "than a quote or a line end");
	return 0;
}

static int open_common(struct ag_csv_reader *r, struct ag_err *err)
{
	const struct ag_csv_options *o = &r->opt;
	size_t cap;
	int rc;

	r->delim = o->delimiter;
	r->na = o->na_values ? o->na_values : default_na;
	for (size_t i = 0; r->na[i]; i++) {
		if (strlen(r->na[i]) > r->na_maxlen)
			r->na_maxlen = strlen(r->na[i]);
		r->na_first[(unsigned char)r->na[i][0]] = true;
	}
	r->bad_utf8 = SIZE_MAX;
	r->line = o->first_line ? o->first_line : 1;
	cap = o->chunk_size < 4096 ? 4096 : o->chunk_size;
	if (cap > o->max_record)
		cap = o->max_record;
	r->cap = cap;
	r->buf = malloc(cap + PAD);
	if (!r->buf)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	rc = fill(r, err);
	if (rc)
		return rc;
	if (!o->header && r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	rc = read_header(r, err);
	if (rc)
		return rc;
	/* About 256 KiB of field index per batch, so it stays in cache. */
	r->rows_cap = 32768 / r->ncols;
	if (r->rows_cap < 16)
		r->rows_cap = 16;
	if (r->rows_cap > 8192)
		r->rows_cap = 8192;
	r->fields = calloc(r->ncols * r->rows_cap, sizeof(*r->fields));
	r->row_start = calloc(r->rows_cap, sizeof(*r->row_start));
	r->row_line = calloc(r->rows_cap, sizeof(*r->row_line));
	r->row_inexact = calloc(r->rows_cap, sizeof(*r->row_inexact));
	if (!r->fields || !r->row_start || !r->row_line || !r->row_inexact)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	return 0;
}

static int open_with(struct ag_csv_reader **out, struct ag_csv_reader *r,
		     const struct ag_csv_options *opts, struct ag_err *err)
{
	int rc;

	if (opts)
		r->opt = *opts;
	else
		ag_csv_options_init(&r->opt);
	if (!r->opt.chunk_size)
		r->opt.chunk_size = 1u << 20;
	if (!r->opt.max_record)
		r->opt.max_record = 256u << 20;
	if (r->opt.max_record > (1u << 30))
		r->opt.max_record = 1u << 30; /* offsets are 31-bit */
	rc = open_common(r, err);
	if (rc) {
		ag_csv_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int ag_csv_open(struct ag_csv_reader **out, const char *path,
		const struct ag_csv_options *opts, struct ag_err *err)
{
	struct ag_csv_reader *r;
	int rc;

	*out = NULL;
	if ((rc = check_options(opts, err)))
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	rc = ag_source_open(&r->src, path, err);
	if (rc) {
		free(r);
		return rc;
	}
	return open_with(out, r, opts, err);
}

int ag_csv_open_mem(struct ag_csv_reader **out, const char *data, size_t len,
		    const char *name, const struct ag_csv_options *opts,
		    struct ag_err *err)
{
	struct ag_csv_reader *r;
	int rc;

	*out = NULL;
	if ((rc = check_options(opts, err)))
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	rc = ag_source_open_mem(&r->src, data, len, name, err);
	if (rc) {
		free(r);
		return rc;
	}
	return open_with(out, r, opts, err);
}

int ag_csv_open_part(struct ag_csv_reader **out, const char *path,
		     const struct ag_csv_part *part, const struct ag_csv_options *opts,
		     struct ag_err *err)
{
	struct ag_csv_options o = *opts;
	struct ag_csv_reader *r;
	int rc;

	*out = NULL;
	if (!o.header)
		return ag_err_set(err, AG_EINVAL, "csv: a part needs the file's header");
	o.first_line = part->line;
	if ((rc = check_options(&o, err)))
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	rc = ag_source_open_range(&r->src, path, part->off, part->len, err);
	if (rc) {
		free(r);
		return rc;
	}
	return open_with(out, r, &o, err);
}

void ag_csv_free(struct ag_csv_reader *r)
{
	if (!r)
		return;
	ag_source_close(&r->src);
	if (r->names)
		for (size_t i = 0; i < r->ncols; i++)
			free(r->names[i]);
	free(r->names);
	free(r->buf);
	free(r->fields);
	free(r->row_start);
	free(r->row_line);
	free(r->row_inexact);
	free(r);
}

/* ---- accessors ------------------------------------------------------ */

const char *ag_csv_name(const struct ag_csv_reader *r)
{
	return r->src.name;
}

size_t ag_csv_ncols(const struct ag_csv_reader *r)
{
	return r->ncols;
}

const char *ag_csv_column_name(const struct ag_csv_reader *r, size_t col)
{
	return col < r->ncols ? r->names[col] : NULL;
}

long ag_csv_column_index(const struct ag_csv_reader *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (strcmp(r->names[i], name) == 0)
			return (long)i;
	return -1;
}

bool ag_csv_is_missing(const struct ag_csv_reader *r, struct ag_str f)
{
	if (f.len == 0)
		return true;
	if (f.len > r->na_maxlen || !r->na_first[(unsigned char)f.ptr[0]])
		return false;
	for (size_t i = 0; r->na[i]; i++)
		if (ag_str_eq_cstr(f, r->na[i]))
			return true;
	return false;
}

uint64_t ag_csv_bytes_read(const struct ag_csv_reader *r)
{
	return r->bytes_read;
}

void ag_csv_data_start(const struct ag_csv_reader *r, uint64_t *offset,
		       uint64_t *line)
{
	*offset = r->buf_off + r->pos;
	*line = r->line;
}

void ag_csv_position(const struct ag_csv_batch *b, size_t row, size_t col,
		     uint64_t *line, uint64_t *column)
{
	const struct ag_csv_field *f = &b->fields[col * b->stride + row];

	locate(b->base, b->row_start[row], b->row_line[row], f->off, line,
	       column);
	if (b->row_inexact[row])
		*column = 0;
}

static int not_a_number(const struct ag_csv_reader *r,
			const struct ag_csv_batch *b, size_t row, size_t col,
			const char *what, struct ag_err *err)
{
	struct ag_str s = ag_csv_get(b, row, col);
	uint64_t line, column;
	int shown = s.len > 40 ? 40 : (int)s.len;

	ag_csv_position(b, row, col, &line, &column);
	return ag_err_at(err, AG_EPARSE, r->src.name, (size_t)line,
			 (size_t)column, "column '%s': %s expected, found '%.*s%s'",
			 r->names[col], what, shown, s.ptr, s.len > 40 ? "..." : "");
}

/* Field s of (row, col) as ag_csv_get_double says. */
static inline int field_double(const struct ag_csv_reader *r, const struct ag_csv_batch *b,
			       size_t row, size_t col, struct ag_str s, double *out,
			       struct ag_err *err)
{
	if (ag_csv_is_missing(r, s)) {
		*out = NAN;
		return 1;
	}
	if (!ag_parse_double(s.ptr, s.len, out))
		return not_a_number(r, b, row, col, "number", err);
	return 0;
}

int ag_csv_get_double(const struct ag_csv_reader *r, const struct ag_csv_batch *b,
		      size_t row, size_t col, double *out, struct ag_err *err)
{
	return field_double(r, b, row, col, ag_csv_get(b, row, col), out, err);
}

size_t ag_csv_get_doubles(const struct ag_csv_reader *r, const struct ag_csv_batch *b,
			  size_t col, size_t n, double *out, struct ag_err *err)
{
	const struct ag_csv_field *f = &b->fields[col * b->stride]; /* a column is contiguous */

	for (size_t row = 0; row < n; row++)
		if (field_double(r, b, row, col, ag_str_make(b->base + f[row].off, f[row].len),
				 &out[row], err) < 0)
			return row;
	return n;
}

int ag_csv_get_int64(const struct ag_csv_reader *r, const struct ag_csv_batch *b,
		     size_t row, size_t col, int64_t *out, struct ag_err *err)
{
	struct ag_str s = ag_csv_get(b, row, col);

	if (ag_csv_is_missing(r, s)) {
		*out = 0;
		return 1;
	}
	if (!ag_parse_int64(s.ptr, s.len, out))
		return not_a_number(r, b, row, col, "integer", err);
	return 0;
}
