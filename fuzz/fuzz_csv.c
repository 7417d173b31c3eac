/*
 * libFuzzer target for the CSV reader and the profile built on it.
 *
 * The first input byte picks the options (delimiter, header, chunk size);
 * the rest is the file.  Every field of every batch is read, converted
 * with the typed accessors and fed to a profile, so that the tokenizer, the
 * quote handling, UTF-8 validation, position reporting, number parsing and
 * the accumulators all see hostile input.  Invariants that must hold for
 * any input abort (a crash for libFuzzer) when broken.
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/csv.h"
#include "aigov/profile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { ',', ';', '\t', '|' };
	struct ag_csv_options o;
	struct ag_csv_reader *r = NULL;
	struct ag_profile_options po;
	struct ag_profile *p = NULL;
	struct ag_profile_result *res = NULL;
	struct ag_csv_batch b;
	struct ag_err err;
	const char **names;
	uint64_t rows = 0;
	int rc;

	if (size < 1)
		return 0;
	ag_csv_options_init(&o);
	o.delimiter = delims[data[0] & 3];
	o.no_header = (data[0] >> 2) & 1;
	o.chunk_size = 4096;         /* the minimum: many chunk boundaries */
	o.max_record = 1 << 16;      /* exercise the "record too long" path */
	ag_err_clear(&err);
	rc = ag_csv_open_mem(&r, (const char *)data + 1, size - 1, "fuzz.csv", &o,
			     &err);
	if (rc) {
		check(r == NULL && err.msg[0] != '\0');
		return 0;
	}
	check(ag_csv_ncols(r) >= 1);
	names = calloc(ag_csv_ncols(r), sizeof(*names));
	check(names != NULL);
	for (size_t c = 0; c < ag_csv_ncols(r); c++) {
		names[c] = ag_csv_column_name(r, c);
		check(names[c] != NULL);
		check(ag_csv_column_index(r, names[c]) <= (long)c);
	}
	ag_profile_options_init(&po);
	po.memory_budget = 1 << 16;  /* small: sketches take over early */
	po.freq_cap = 8;
	po.distinct_limit = 16;
	check(ag_profile_new(&p, ag_csv_ncols(r), names, &po, &err) == 0);
	free(names);
	while ((rc = ag_csv_next_batch(r, &b, &err)) == 1) {
		check(b.nrows > 0 && b.ncols == ag_csv_ncols(r));
		for (size_t i = 0; i < b.nrows; i++) {
			for (size_t c = 0; c < b.ncols; c++) {
				struct ag_str f = ag_csv_get(&b, i, c);
				uint64_t line, col;
				double d;
				int64_t v;

				/* A field never extends past the input, unquoted. */
				check(f.len <= size);
				ag_csv_position(&b, i, c, &line, &col);
				/* column 0 means unknown, only in rows marked so */
				check(line >= 1 && (col >= 1 || b.row_inexact[i]));
				rc = ag_csv_get_double(r, &b, i, c, &d, &err);
				check(rc == 0 || rc == 1 || rc == AG_EPARSE);
				rc = ag_csv_get_int64(r, &b, i, c, &v, &err);
				check(rc == 0 || rc == 1 || rc == AG_EPARSE);
			}
		}
		check(ag_profile_add_batch(p, r, &b, &err) == 0);
		rows += b.nrows;
	}
	if (rc < 0) {
		/* Errors name the input and a position. */
		check(rc == AG_EPARSE && strncmp(err.msg, "fuzz.csv:", 9) == 0);
	} else {
		check(ag_profile_finish(p, "fuzz.csv", size, &res, &err) == 0);
		check(res->rows == rows);
		for (size_t c = 0; c < res->ncols; c++)
			check(res->cols[c].count + res->cols[c].missing == rows);
		ag_profile_result_free(res);
	}
	ag_profile_free(p);
	ag_csv_free(r);
	return 0;
}
