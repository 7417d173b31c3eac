/*
 * csv: a strict, streaming RFC 4180 reader built for speed.
 *
 * What it accepts: a header row, then records; fields separated by a
 * one-byte delimiter (default ','); fields optionally quoted with '"', a
 * quote inside a quoted field written twice; newlines inside quoted fields;
 * LF or CRLF line ends; a UTF-8 byte-order mark at the start; a last record
 * without a final newline.  Blank lines are skipped (as pandas does).
 *
 * What it rejects, with file:line:column (1-based, columns in bytes) and
 * AG_EPARSE: an unterminated quoted field, a quote inside an unquoted field,
 * text after a closing quote, a record whose field count differs from the
 * header's, bytes that are not valid UTF-8, an empty file.
 *
 * Memory: one read buffer (chunk_size, default 1 MiB, grown only for a
 * record longer than that, up to max_record) and a field index for one batch
 * of rows, whatever the size of the file.  Input is a path, "-" for
 * standard input, or memory.
 *
 * Rows come in batches (ag_csv_next_batch).  A batch's fields are views into
 * the reader's buffer stored column-major, so that a consumer can walk one
 * column of many rows with its state hot in cache.  The views are valid until
 * the next call on the reader.  One reader per thread.
 */
#ifndef AIGOV_CSV_H
#define AIGOV_CSV_H

#include "aigov/err.h"
#include "aigov/str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ag_csv_options {
	char delimiter;           /* default ','; not '"', CR, LF or non-ASCII */
	bool no_header;           /* columns are then named column_1, column_2... */
	size_t chunk_size;        /* bytes per read, default 1 MiB */
	size_t max_record;        /* longest record accepted, default 256 MiB */
	/* Strings read as missing values; NULL-terminated.  NULL means the
	 * default: "", "NA", "N/A", "NaN", "nan", "null", "NULL", "#N/A". */
	const char *const *na_values;
	/* Reading one part of a file (ag_csv_open_part): with header set,
	 * the input has no header row (and no byte-order mark); its records
	 * must have nheader fields, named header[i] (copied).  first_line is
	 * the line number of the input's first byte in the whole file (0
	 * means 1), so that messages name the file's own lines. */
	const char *const *header;
	size_t nheader;
	uint64_t first_line;
};

void ag_csv_options_init(struct ag_csv_options *o);

struct ag_csv_reader;

/* Open a file ("-" for standard input) and read its header.  On success
 * *out owns the reader (free with ag_csv_free).  On error *out is NULL. */
int ag_csv_open(struct ag_csv_reader **out, const char *path,
		const struct ag_csv_options *opts, struct ag_err *err);
/* The same over data[0..len), which must outlive the reader; `name` is used
 * in messages. */
int ag_csv_open_mem(struct ag_csv_reader **out, const char *data, size_t len,
		    const char *name, const struct ag_csv_options *opts,
		    struct ag_err *err);
void ag_csv_free(struct ag_csv_reader *r);

const char *ag_csv_name(const struct ag_csv_reader *r); /* file name */
size_t ag_csv_ncols(const struct ag_csv_reader *r);
/* Column name (unquoted, unescaped); an empty header cell is named
 * "Unnamed: i" (0-based i) as pandas does.  Owned by the reader. */
const char *ag_csv_column_name(const struct ag_csv_reader *r, size_t col);
/* Index of the first column with this name, or -1. */
long ag_csv_column_index(const struct ag_csv_reader *r, const char *name);
/* True when the field is one of the reader's missing-value strings. */
bool ag_csv_is_missing(const struct ag_csv_reader *r, struct ag_str field);

struct ag_csv_field {
	uint32_t off; /* from batch.base */
	uint32_t len;
};

struct ag_csv_batch {
	const char *base;
	const struct ag_csv_field *fields; /* fields[col * stride + row] */
	const uint32_t *row_start;         /* byte offset of each row from base */
	const uint64_t *row_line;          /* physical line where each row starts */
	const bool *row_inexact;           /* columns unknown in this row */
	size_t stride;
	size_t nrows;
	size_t ncols;
};

static inline struct ag_str ag_csv_get(const struct ag_csv_batch *b,
				       size_t row, size_t col)
{
	const struct ag_csv_field *f = &b->fields[col * b->stride + row];
	return ag_str_make(b->base + f->off, f->len);
}

/*
 * Read the next batch of rows.  Returns 1 when b holds at least one row,
 * 0 at the end of input, or a negative code with err set (the rows before
 * the bad record have all been returned in earlier batches).
 * Previous batches' views become invalid.
 */
int ag_csv_next_batch(struct ag_csv_reader *r, struct ag_csv_batch *b,
		      struct ag_err *err);

/* Line and byte column (1-based) of a field of the current batch; a
 * quoted field's position is that of its first byte after the quote.  *column is 0
 * (unknown) in the rare row where a field with a doubled quote spans
 * lines, because unescaping moved the bytes after it. */
void ag_csv_position(const struct ag_csv_batch *b, size_t row, size_t col,
		     uint64_t *line, uint64_t *column);

/*
 * Typed access.  0: *out holds the value.  1: the field is missing (*out is
 * NaN or 0).  AG_EPARSE: not a number, with a message naming
 * file:line:column and the column name.
 */
int ag_csv_get_double(const struct ag_csv_reader *r, const struct ag_csv_batch *b,
		      size_t row, size_t col, double *out, struct ag_err *err);
/*
 * Column col of the batch's rows [0, n) as doubles, NaN where missing: one
 * call per column instead of one per field.  Returns n, or the first row
 * whose field is not a number, with err set as by ag_csv_get_double.
 */
size_t ag_csv_get_doubles(const struct ag_csv_reader *r, const struct ag_csv_batch *b,
			  size_t col, size_t n, double *out, struct ag_err *err);
int ag_csv_get_int64(const struct ag_csv_reader *r, const struct ag_csv_batch *b,
		     size_t row, size_t col, int64_t *out, struct ag_err *err);

/* Bytes of input consumed so far (for progress and throughput). */
uint64_t ag_csv_bytes_read(const struct ag_csv_reader *r);

/* Right after opening: the byte offset in the input where the first data
 * record starts (after the byte-order mark and the header) and its line. */
void ag_csv_data_start(const struct ag_csv_reader *r, uint64_t *offset,
		       uint64_t *line);

/*
 * Parallel reading.  ag_csv_split cuts the records of the regular file at
 * path -- [from, end of file), `from` being where they start (see
 * ag_csv_data_start) and `line` its line -- into at most n parts (n <=
 * AG_CSV_MAX_PARTS) that each begin at a record boundary, so that n
 * readers (ag_csv_open_part) read them in parallel and together see
 * exactly the records one reader would.  A boundary is a newline after an
 * even number of quotes: RFC 4180 quoting makes that exact for a
 * well-formed file.  In a malformed one the parts up to the first error
 * are cut right, so the part that reports the earliest error reports what
 * one reader would.  Quotes and newlines are counted by one thread per
 * part, reading with a small buffer (memory stays a few MiB, whatever the
 * file).  Parts are at least 1 MiB: *nparts may be less than n, and is 1
 * for a small file.  AG_EIO when the file cannot be read (or is a pipe).
 */
#define AG_CSV_MAX_PARTS 64
struct ag_csv_part {
	uint64_t off, len; /* bytes of the file */
	uint64_t line;     /* line number at off */
};
int ag_csv_split(const char *path, uint64_t from, uint64_t line, size_t n,
		 struct ag_csv_part *parts, size_t *nparts, struct ag_err *err);
/* True when path is a regular file ag_csv_split can cut (not "-", not a
 * pipe). */
bool ag_csv_splittable(const char *path);
/* A reader of one part.  opts->header must name the columns (the part has
 * no header row); opts->first_line is taken from the part. */
int ag_csv_open_part(struct ag_csv_reader **out, const char *path,
		     const struct ag_csv_part *part, const struct ag_csv_options *opts,
		     struct ag_err *err);

#endif
