/* The streaming CSV reader (include/aigov/csv.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aigov/buf.h"
#include "aigov/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* All rows of a CSV as "f1|f2|...\n" lines, or "ERR <message>". */
static char *read_all(const char *data, size_t len,
		      const struct ag_csv_options *o)
{
	struct ag_csv_reader *r;
	struct ag_csv_batch b;
	struct ag_err err;
	struct ag_buf out;
	int rc;

	ag_buf_init(&out);
	if (ag_csv_open_mem(&r, data, len, "t.csv", o, &err)) {
		ag_buf_addf(&out, "ERR %s", err.msg);
		return ag_buf_detach(&out, NULL);
	}
	for (size_t c = 0; c < ag_csv_ncols(r); c++)
		ag_buf_addf(&out, "%s%s", c ? "|" : "", ag_csv_column_name(r, c));
	ag_buf_addch(&out, '\n');
	while ((rc = ag_csv_next_batch(r, &b, &err)) == 1) {
		for (size_t i = 0; i < b.nrows; i++) {
			for (size_t c = 0; c < b.ncols; c++) {
				struct ag_str s = ag_csv_get(&b, i, c);
				if (c)
					ag_buf_addch(&out, '|');
				ag_buf_add(&out, s.ptr, s.len);
			}
			ag_buf_addch(&out, '\n');
		}
	}
	if (rc < 0)
		ag_buf_addf(&out, "ERR %s", err.msg);
	ag_csv_free(r);
	return ag_buf_detach(&out, NULL);
}

static void expect(const char *csv, const char *want)
{
	char *got = read_all(csv, strlen(csv), NULL);
	assert_string_equal(got, want);
	free(got);
}

static void test_csv_reads_quotes_doubled_quotes_and_embedded_newlines(void **state)
{
	(void)state;
	expect("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",,\"\"\n",
	       "a|b|c\n1|x, y|say \"hi\"\nmulti\nline||\n");
}

static void test_csv_accepts_crlf_bom_and_missing_final_newline(void **state)
{
	(void)state;
	expect("\xEF\xBB\xBFid,name\r\n1,\"a\"\r\n2,b", "id|name\n1|a\n2|b\n");
	/* A lone CR inside an unquoted field is data, not a line end. */
	expect("a,b\r\n1,x\ry\r\n", "a|b\n1|x\ry\n");
}

static void test_csv_skips_blank_lines(void **state)
{
	(void)state;
	expect("\n\na,b\n\n1,2\r\n\r\n3,4\n\n", "a|b\n1|2\n3|4\n");
}

static void test_csv_names_empty_header_cells_like_pandas(void **state)
{
	(void)state;
	expect("a,,c\n1,2,3\n", "a|Unnamed: 1|c\n1|2|3\n");
}

static void test_csv_no_header_names_columns_and_keeps_first_row(void **state)
{
	struct ag_csv_options o;
	char *got;
	(void)state;
	ag_csv_options_init(&o);
	o.no_header = true;
	got = read_all("1,2\n3,4\n", 8, &o);
	assert_string_equal(got, "column_1|column_2\n1|2\n3|4\n");
	free(got);
}

static void test_csv_uses_the_configured_delimiter(void **state)
{
	struct ag_csv_options o;
	char *got;
	(void)state;
	ag_csv_options_init(&o);
	o.delimiter = ';';
	got = read_all("a;b\n1,5;\"x;y\"\n", 14, &o);
	assert_string_equal(got, "a|b\n1,5|x;y\n");
	free(got);
	o.delimiter = '\t';
	got = read_all("a\tb\n1\t2\n", 8, &o);
	assert_string_equal(got, "a|b\n1|2\n");
	free(got);
	o.delimiter = '"';
	got = read_all("a\n", 2, &o);
	assert_string_equal(got, "ERR delimiter must be one ASCII character other than a quote or a line end");
	free(got);
}

static void test_csv_finds_columns_by_name(void **state)
{
	struct ag_csv_reader *r;
	struct ag_err err;
	const char *csv = "id,\"amount, NT$\",id\n1,2,3\n";
	(void)state;
	assert_int_equal(ag_csv_open_mem(&r, csv, strlen(csv), "t.csv", NULL, &err), 0);
	assert_int_equal(ag_csv_ncols(r), 3);
	assert_int_equal(ag_csv_column_index(r, "amount, NT$"), 1);
	assert_int_equal(ag_csv_column_index(r, "id"), 0); /* the first one */
	assert_int_equal(ag_csv_column_index(r, "missing"), -1);
	assert_string_equal(ag_csv_name(r), "t.csv");
	ag_csv_free(r);
}

static void test_csv_typed_access_and_missing_values(void **state)
{
	static const char *const na[] = { "", "-", "n/a", NULL };
	struct ag_csv_options o;
	struct ag_csv_reader *r;
	struct ag_csv_batch b;
	struct ag_err err;
	const char *csv = "x,y\n1.5,7\nNA,null\n,-\nabc,2.5\n";
	double d;
	int64_t v;
	(void)state;
	assert_int_equal(ag_csv_open_mem(&r, csv, strlen(csv), "t.csv", NULL, &err), 0);
	assert_int_equal(ag_csv_next_batch(r, &b, &err), 1);
	assert_int_equal(b.nrows, 4);
	assert_int_equal(ag_csv_get_double(r, &b, 0, 0, &d, &err), 0);
	assert_true(d == 1.5);
	assert_int_equal(ag_csv_get_int64(r, &b, 0, 1, &v, &err), 0);
	assert_int_equal(v, 7);
	assert_int_equal(ag_csv_get_double(r, &b, 1, 0, &d, &err), 1); /* NA */
	assert_true(isnan(d));
	assert_int_equal(ag_csv_get_double(r, &b, 1, 1, &d, &err), 1); /* null */
	assert_int_equal(ag_csv_get_double(r, &b, 2, 0, &d, &err), 1); /* empty */
	/* "-" is not missing by default, and not a number: line 4, column 2. */
	assert_int_equal(ag_csv_get_double(r, &b, 2, 1, &d, &err), AG_EPARSE);
	assert_string_equal(err.msg, "t.csv:4:2: column 'y': number expected, found '-'");
	assert_int_equal(ag_csv_get_double(r, &b, 3, 0, &d, &err), AG_EPARSE);
	assert_string_equal(err.msg, "t.csv:5:1: column 'x': number expected, found 'abc'");
	assert_int_equal(ag_csv_get_int64(r, &b, 3, 1, &v, &err), AG_EPARSE);
	assert_string_equal(err.msg, "t.csv:5:5: column 'y': integer expected, found '2.5'");
	assert_int_equal(ag_csv_next_batch(r, &b, &err), 0);
	ag_csv_free(r);

	ag_csv_options_init(&o);
	o.na_values = na;
	assert_int_equal(ag_csv_open_mem(&r, csv, strlen(csv), "t.csv", &o, &err), 0);
	assert_int_equal(ag_csv_next_batch(r, &b, &err), 1);
	assert_int_equal(ag_csv_get_double(r, &b, 2, 1, &d, &err), 1);  /* "-" now */
	assert_int_equal(ag_csv_get_double(r, &b, 1, 0, &d, &err), AG_EPARSE); /* NA not */
	ag_csv_free(r);
}

/* ag_csv_get_doubles gives, column by column, what ag_csv_get_double gives
 * field by field: the values, NaN for missing, and at the first field that
 * is not a number, its row and the same message. */
static void test_csv_column_of_doubles_equals_fields(void **state)
{
	static const char *const cells[] = { "1.5", "-0", "", "NA", "1e3", "  7 ", "0.1",
					     "x1", "123456789012345678901234", "null", "-2.25" };
	enum { ROWS = 3000, COLS = 3 };
	struct ag_buf csv;
	struct ag_csv_reader *r;
	struct ag_csv_batch b;
	struct ag_err err, err1;
	uint64_t x = 7;
	size_t batches = 0;
	double *col = malloc(ROWS * sizeof(*col));

	(void)state;
	assert_non_null(col);
	ag_buf_init(&csv);
	ag_buf_addstr(&csv, "a,b,c\n");
	for (int i = 0; i < ROWS; i++)
		for (int c = 0; c < COLS; c++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			/* column a only numbers and missing; b a non-number now and then */
			size_t k = (size_t)(x >> 33) % (sizeof(cells) / sizeof(*cells));
			if (c == 0 && k == 7)
				k = 0;
			if (c == 1 && k == 7 && (x >> 60) != 0)
				k = 6;
			ag_buf_addstr(&csv, cells[k]);
			ag_buf_addstr(&csv, c + 1 < COLS ? "," : "\n");
		}
	assert_int_equal(ag_csv_open_mem(&r, csv.buf, csv.len, "t.csv", NULL, &err), 0);
	while (ag_csv_next_batch(r, &b, &err) == 1) {
		batches++;
		for (size_t c = 0; c < COLS; c++) {
			size_t got = ag_csv_get_doubles(r, &b, c, b.nrows, col, &err), want = b.nrows;

			for (size_t row = 0; row < b.nrows; row++) {
				double d;
				int rc = ag_csv_get_double(r, &b, row, c, &d, &err1);

				if (rc < 0) {
					want = row;
					assert_int_equal(got, row);
					assert_string_equal(err.msg, err1.msg);
					break;
				}
				assert_memory_equal(&d, &col[row], sizeof(d)); /* NaN and -0 alike */
			}
			assert_int_equal(got, want);
		}
	}
	assert_true(batches >= 1);
	ag_csv_free(r);
	ag_buf_release(&csv);
	free(col);
}

static void test_csv_positions_count_physical_lines(void **state)
{
	struct ag_csv_reader *r;
	struct ag_csv_batch b;
	struct ag_err err;
	/* Row 1 spans lines 2-4; row 2 starts on line 6 after a blank line.
	 * A quoted field's position is that of its first byte after the quote. */
	const char *csv = "a,b\n\"x\ny\nz\",v\n\n1,\"\xe4\xb8\xad\"\n";
	uint64_t line, col;
	(void)state;
	assert_int_equal(ag_csv_open_mem(&r, csv, strlen(csv), "t.csv", NULL, &err), 0);
	assert_int_equal(ag_csv_next_batch(r, &b, &err), 1);
	assert_int_equal(b.nrows, 2);
	ag_csv_position(&b, 0, 0, &line, &col);
	assert_true(line == 2 && col == 2);
	ag_csv_position(&b, 0, 1, &line, &col);
	assert_true(line == 4 && col == 4);  /* z",v: v is byte 4 of line 4 */
	ag_csv_position(&b, 1, 1, &line, &col);
	assert_true(line == 6 && col == 4);
	ag_csv_free(r);

	/* A field after one that ends in a newline: that newline counts once
	 * (lines 2-3 hold row 1; "b" is at line 3, column 3). */
	csv = "a,b\n\"x\n\",b\n";
	assert_int_equal(ag_csv_open_mem(&r, csv, strlen(csv), "t.csv", NULL, &err), 0);
	assert_int_equal(ag_csv_next_batch(r, &b, &err), 1);
	ag_csv_position(&b, 0, 1, &line, &col);
	assert_true(line == 3 && col == 3);
	ag_csv_free(r);

	/* A doubled quote before a newline moves bytes: line exact, column 0. */
	csv = "a,b\n\"x\"\"\n\",b\n";
	assert_int_equal(ag_csv_open_mem(&r, csv, strlen(csv), "t.csv", NULL, &err), 0);
	assert_int_equal(ag_csv_next_batch(r, &b, &err), 1);
	assert_true(ag_str_eq_cstr(ag_csv_get(&b, 0, 0), "x\"\n"));
	ag_csv_position(&b, 0, 1, &line, &col);
	assert_true(line == 3 && col == 0);
	ag_csv_free(r);
}

static void test_csv_reports_malformed_input_with_line_and_column(void **state)
{
	(void)state;
	expect("a,b\n1,2\n3,\"open\n4,5\n",
	       "a|b\n1|2\nERR t.csv:3:3: unterminated quoted field (opened here)");
	expect("a,b\n1,x\"y\n", "a|b\nERR t.csv:2:4: quote inside an unquoted field "
	       "(quote the whole field and double the quote)");
	expect("a,b\n1,\"x\"y\n",
	       "a|b\nERR t.csv:2:6: unexpected character after a closing quote");
	expect("a,b\n1,2\n1,2,3\n",
	       "a|b\n1|2\nERR t.csv:3:5: expected 2 fields as in the header, found 3");
	expect("a,b,c\n1,2\n", "a|b|c\nERR t.csv:2:4: expected 3 fields as in the header, found 2");
	expect("a,b\n1,\xa4\xa4\n", "a|b\nERR t.csv:2:3: invalid UTF-8 (is the file in "
	       "Big5 or another encoding? convert it to UTF-8)");
	expect("a,\xc0\xaf\n1,2\n", "ERR t.csv:1:3: invalid UTF-8 in the header");
	expect("", "ERR t.csv:1: empty file: no header row");
	expect("\n\r\n", "ERR t.csv:1: empty file: no header row");
	expect("a,\"b\n", "ERR t.csv:1:3: unterminated quoted field (opened here)");
}

static void test_csv_returns_rows_before_a_bad_utf8_row(void **state)
{
	struct ag_buf in;
	char *got, *err;
	(void)state;
	ag_buf_init(&in);
	ag_buf_addstr(&in, "n\n");
	for (int i = 0; i < 20000; i++)
		ag_buf_addf(&in, "%d\n", i);
	ag_buf_addstr(&in, "\xff\n1\n");
	got = read_all(in.buf, in.len, NULL);
	err = strstr(got, "ERR ");
	assert_non_null(err);
	assert_string_equal(err, "ERR t.csv:20002:1: invalid UTF-8 (is the file in Big5 "
			    "or another encoding? convert it to UTF-8)");
	assert_non_null(strstr(got, "\n19999\nERR")); /* every earlier row */
	free(got);
	ag_buf_release(&in);
}

/* Deterministic rows with every feature, and the fields they must give. */
static void make_tricky_file(struct ag_buf *in, struct ag_buf *want, int rows,
			     size_t long_field)
{
	uint64_t x = 12345;
	ag_buf_addstr(in, "id,text,num\r\n");
	ag_buf_addstr(want, "id|text|num\n");
	for (int i = 0; i < rows; i++) {
		char field[64];
		x = x * 6364136223846793005u + 1442695040888963407u;
		switch ((x >> 60) % 6) {
		case 0: strcpy(field, "plain"); break;
		case 1: strcpy(field, "comma, inside"); break;
		case 2: strcpy(field, "quote \" inside"); break;
		case 3: strcpy(field, "new\nline"); break;
		case 4: strcpy(field, ""); break;
		default: strcpy(field, "\xe4\xb8\xad\xe6\x96\x87"); break;
		}
		bool quote = strpbrk(field, ",\"\n") || ((x >> 40) & 1);
		ag_buf_addf(in, "%d,", i);
		if (quote) {
			ag_buf_addch(in, '"');
			for (const char *p = field; *p; p++) {
				if (*p == '"')
					ag_buf_addch(in, '"');
				ag_buf_addch(in, *p);
			}
			ag_buf_addch(in, '"');
		} else {
			ag_buf_addstr(in, field);
		}
		ag_buf_addf(in, ",%d.%d%s", i, i % 7, (x >> 33) & 1 ? "\r\n" : "\n");
		ag_buf_addf(want, "%d|%s|%d.%d\n", i, field, i, i % 7);
		if (long_field && i % 1000 == 999) {
			/* A record longer than the read buffer: it has to grow. */
			ag_buf_addf(in, "%d,\"", -i);
			ag_buf_addf(want, "%d|", -i);
			for (size_t k = 0; k < long_field; k++) {
				ag_buf_addch(in, "ab\n,"[k % 4]);
				ag_buf_addch(want, "ab\n,"[k % 4]);
			}
			ag_buf_addstr(in, "\",0\n");
			ag_buf_addstr(want, "|0\n");
		}
	}
}

static void test_csv_streams_across_chunk_boundaries(void **state)
{
	static const size_t chunks[] = { 4096, 4097, 65536, 1 << 20 };
	struct ag_buf in, want;
	(void)state;
	ag_buf_init(&in);
	ag_buf_init(&want);
	make_tricky_file(&in, &want, 50000, 10000);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct ag_csv_options o;
		ag_csv_options_init(&o);
		o.chunk_size = chunks[k];
		char *got = read_all(in.buf, in.len, &o);
		if (strcmp(got, want.buf) != 0)
			fail_msg("chunk size %zu: output differs", chunks[k]);
		free(got);
	}
	ag_buf_release(&in);
	ag_buf_release(&want);
}

static void test_csv_rejects_record_longer_than_max_record(void **state)
{
	struct ag_csv_options o;
	struct ag_buf in;
	char *got;
	(void)state;
	ag_buf_init(&in);
	ag_buf_addstr(&in, "a\n\"");
	for (int i = 0; i < 100000; i++)
		ag_buf_addch(&in, 'x');
	ag_csv_options_init(&o);
	o.chunk_size = 4096;
	o.max_record = 65536;
	got = read_all(in.buf, in.len, &o);
	assert_string_equal(got, "a\nERR t.csv:2:1: record longer than 65536 bytes "
			    "(an unterminated quote?)");
	free(got);
	ag_buf_release(&in);
}

/* A plain byte-at-a-time reader written from RFC 4180, as an oracle:
 * returns the same "a|b\n" rendering, or NULL for malformed input.  Like
 * the reader, it gives a last line without a newline one. */
static char *oracle_lf(const char *s, size_t n);

static char *oracle(const char *s, size_t n)
{
	char t[128];

	memcpy(t, s, n);
	if (n && s[n - 1] != '\n')
		t[n++] = '\n';
	return oracle_lf(t, n);
}

static char *oracle_lf(const char *s, size_t n)
{
	struct ag_buf out, field;
	size_t i = 0, nf = 0, want = 0;
	bool header = true;

	ag_buf_init(&out);
	ag_buf_init(&field);
	while (i < n) {
		size_t rowf = 0;
		if (s[i] == '\n' || (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')) {
			i += s[i] == '\r' ? 2 : 1; /* blank line */
			continue;
		}
		for (;;) {
			ag_buf_reset(&field);
			if (i < n && s[i] == '"') {
				i++;
				for (;;) {
					if (i >= n)
						goto bad;
					if (s[i] == '"') {
						if (i + 1 < n && s[i + 1] == '"') {
							ag_buf_addch(&field, '"');
							i += 2;
							continue;
						}
						i++;
						break;
					}
					ag_buf_addch(&field, s[i++]);
				}
				if (i < n && s[i] != ',' && s[i] != '\n' &&
				    !(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
					goto bad;
			} else {
				while (i < n && s[i] != ',' && s[i] != '\n' &&
				       !(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')) {
					if (s[i] == '"')
						goto bad;
					ag_buf_addch(&field, s[i++]);
				}
			}
			if (rowf)
				ag_buf_addch(&out, '|');
			if (header && !field.len) /* named as pandas does */
				ag_buf_addf(&out, "Unnamed: %zu", rowf);
			ag_buf_add(&out, field.buf, field.len);
			rowf++;
			if (i < n && s[i] == ',') {
				i++;
				continue;
			}
			if (i < n)
				i += s[i] == '\r' ? 2 : 1;
			break;
		}
		ag_buf_addch(&out, '\n');
		if (header)
			want = rowf;
		else if (rowf != want)
			goto bad;
		header = false;
		nf++;
	}
	ag_buf_release(&field);
	if (!nf) {
		ag_buf_release(&out);
		return NULL;
	}
	return ag_buf_detach(&out, NULL);
bad:
	ag_buf_release(&out);
	ag_buf_release(&field);
	return NULL;
}

static void test_csv_agrees_with_a_reference_parser_on_random_input(void **state)
{
	static const char alphabet[] = "ab,\"\n\r1";
	uint64_t x = 0x9e3779b97f4a7c15u;
	int valid = 0;
	(void)state;
	for (int t = 0; t < 20000; t++) {
		char s[64];
		size_t n;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = 1 + x % 40;
		for (size_t k = 0; k < n; k++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			s[k] = alphabet[(x >> 59) % (sizeof(alphabet) - 1)];
		}
		char *want = oracle(s, n);
		char *got = read_all(s, n, NULL);
		if (want) {
			valid++;
			if (strcmp(got, want) != 0)
				fail_msg("input %.*s: got '%s' want '%s'", (int)n, s, got, want);
		} else if (!strstr(got, "ERR t.csv:")) {
			fail_msg("input '%.*s' is malformed but was accepted: %s", (int)n, s, got);
		}
		free(want);
		free(got);
	}
	assert_true(valid > 1000); /* the generator makes both kinds */
}

static void test_csv_reads_standard_input_from_a_pipe(void **state)
{
	int fds[2], saved = dup(0), status;
	pid_t pid;
	struct ag_csv_reader *r;
	struct ag_csv_batch b;
	struct ag_err err;
	uint64_t rows = 0;
	int rc;
	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Small writes: the reader sees many short reads. */
		close(fds[0]);
		if (write(fds[1], "k,v\n", 4) != 4)
			_exit(1);
		for (int i = 0; i < 30000; i++) {
			char line[32];
			int len = snprintf(line, sizeof(line), "%d,\"v%d\"\n", i, i);
			if (write(fds[1], line, (size_t)len) != len)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	dup2(fds[0], 0);
	close(fds[0]);
	assert_int_equal(ag_csv_open(&r, "-", NULL, &err), 0);
	assert_string_equal(ag_csv_name(r), "<stdin>");
	while ((rc = ag_csv_next_batch(r, &b, &err)) == 1) {
		for (size_t i = 0; i < b.nrows; i++) {
			char want[32];
			struct ag_str s = ag_csv_get(&b, i, 1);
			snprintf(want, sizeof(want), "v%llu", (unsigned long long)(rows + i));
			assert_true(ag_str_eq_cstr(s, want));
		}
		rows += b.nrows;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(rows, 30000);
	ag_csv_free(r);
	waitpid(pid, &status, 0);
	dup2(saved, 0);
	close(saved);
}

static void test_csv_missing_file_is_not_found(void **state)
{
	struct ag_csv_reader *r = (void *)1;
	struct ag_err err;
	(void)state;
	assert_int_equal(ag_csv_open(&r, "/nonexistent.csv", NULL, &err), AG_ENOTFOUND);
	assert_null(r);
	assert_string_equal(err.msg, "/nonexistent.csv: cannot open: No such file or directory");
}

/* Rows of a reader as "line:col|f1|f2\n" (line and column of the last
 * field), then "ERR msg" if reading stops at an error.  0 or the error. */
static int dump_rows(struct ag_csv_reader *r, struct ag_buf *out)
{
	struct ag_csv_batch b;
	struct ag_err err;
	int rc;

	while ((rc = ag_csv_next_batch(r, &b, &err)) == 1) {
		for (size_t i = 0; i < b.nrows; i++) {
			uint64_t line, col;
			ag_csv_position(&b, i, b.ncols - 1, &line, &col);
			ag_buf_addf(out, "%llu:%llu", (unsigned long long)line, (unsigned long long)col);
			for (size_t c = 0; c < b.ncols; c++) {
				struct ag_str f = ag_csv_get(&b, i, c);
				ag_buf_addch(out, '|');
				ag_buf_add(out, f.ptr, f.len);
			}
			ag_buf_addch(out, '\n');
		}
	}
	if (rc < 0)
		ag_buf_addf(out, "ERR %s", err.msg);
	return rc < 0 ? rc : 0;
}

/* The whole file read by one reader, and by the parts of ag_csv_split. */
static char *read_whole(const char *path)
{
	struct ag_csv_reader *r;
	struct ag_err err;
	struct ag_buf out;

	ag_buf_init(&out);
	assert_int_equal(ag_csv_open(&r, path, NULL, &err), 0);
	dump_rows(r, &out);
	ag_csv_free(r);
	return ag_buf_detach(&out, NULL);
}

static char *read_parts(const char *path, size_t n, size_t *nparts)
{
	struct ag_csv_reader *h, *r;
	struct ag_csv_options o;
	struct ag_csv_part parts[AG_CSV_MAX_PARTS];
	struct ag_err err;
	struct ag_buf out;
	const char *names[8];
	uint64_t from, line;

	ag_buf_init(&out);
	assert_int_equal(ag_csv_open(&h, path, NULL, &err), 0);
	assert_true(ag_csv_ncols(h) <= 8);
	for (size_t c = 0; c < ag_csv_ncols(h); c++)
		names[c] = ag_csv_column_name(h, c);
	ag_csv_data_start(h, &from, &line);
	assert_int_equal(ag_csv_split(path, from, line, n, parts, nparts, &err), 0);
	ag_csv_options_init(&o);
	o.header = names;
	o.nheader = ag_csv_ncols(h);
	for (size_t i = 0; i < *nparts; i++) {
		int rc;
		assert_int_equal(ag_csv_open_part(&r, path, &parts[i], &o, &err), 0);
		assert_string_equal(ag_csv_column_name(r, 1), names[1]);
		rc = dump_rows(r, &out);
		ag_csv_free(r);
		if (rc)
			break; /* the earliest error is the file's */
	}
	ag_csv_free(h);
	return ag_buf_detach(&out, NULL);
}

/* About 3.5 MB of records (150,000) with quoted commas, doubled quotes, embedded LF
 * and CRLF line ends, and a BOM; `bad_row` (if not 0) has a field too many. */
static void write_split_file(const char *path, unsigned bad_row)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("\xEF\xBB\xBFid,\"note, quoted\",amount\n", f);
	for (unsigned i = 1; i <= 150000; i++) {
		switch (i % 5) {
		case 0: fprintf(f, "%u,\"line one\nline \"\"two\"\"\n\",%u.5\n", i, i); break;
		case 1: fprintf(f, "%u,\"a, b\",%u\r\n", i, i); break;
		case 2: fprintf(f, "%u,plain text here,%u\n", i, i * 7); break;
		case 3: fprintf(f, "%u,\"\"\"\",\n", i); break;
		default: fprintf(f, "%u,\"x\n\n\",%u\n", i, i); break;
		}
		if (i == bad_row)
			fputs("99,too,many,fields\n", f);
	}
	fclose(f);
}

static void test_csv_parts_read_exactly_what_one_reader_reads(void **state)
{
	char path[] = "/tmp/aigov-split-XXXXXX";
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	write_split_file(path, 0);
	char *whole = read_whole(path);
	assert_null(strstr(whole, "ERR"));
	for (size_t n = 1; n <= 7; n++) {
		size_t nparts;
		char *parts = read_parts(path, n, &nparts);
		assert_true(nparts >= 1 && nparts <= n);
		if (n >= 3)
			assert_true(nparts >= 3); /* the file is big enough */
		assert_string_equal(parts, whole);
		free(parts);
	}
	free(whole);
	/* An error deep in the file: the parts stop at the same message. */
	write_split_file(path, 120000);
	whole = read_whole(path);
	assert_non_null(strstr(whole, "ERR "));
	for (size_t n = 2; n <= 5; n++) {
		size_t nparts;
		char *parts = read_parts(path, n, &nparts);
		assert_string_equal(parts, whole);
		free(parts);
	}
	free(whole);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_reads_quotes_doubled_quotes_and_embedded_newlines),
		cmocka_unit_test(test_csv_accepts_crlf_bom_and_missing_final_newline),
		cmocka_unit_test(test_csv_skips_blank_lines),
		cmocka_unit_test(test_csv_names_empty_header_cells_like_pandas),
		cmocka_unit_test(test_csv_no_header_names_columns_and_keeps_first_row),
		cmocka_unit_test(test_csv_uses_the_configured_delimiter),
		cmocka_unit_test(test_csv_finds_columns_by_name),
		cmocka_unit_test(test_csv_typed_access_and_missing_values),
		cmocka_unit_test(test_csv_column_of_doubles_equals_fields),
		cmocka_unit_test(test_csv_positions_count_physical_lines),
		cmocka_unit_test(test_csv_reports_malformed_input_with_line_and_column),
		cmocka_unit_test(test_csv_returns_rows_before_a_bad_utf8_row),
		cmocka_unit_test(test_csv_streams_across_chunk_boundaries),
		cmocka_unit_test(test_csv_rejects_record_longer_than_max_record),
		cmocka_unit_test(test_csv_agrees_with_a_reference_parser_on_random_input),
		cmocka_unit_test(test_csv_reads_standard_input_from_a_pipe),
		cmocka_unit_test(test_csv_missing_file_is_not_found),
		cmocka_unit_test(test_csv_parts_read_exactly_what_one_reader_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
