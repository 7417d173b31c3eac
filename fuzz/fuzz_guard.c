/*
 * libFuzzer target for the guard (include/aigov/guard.h): scan and redact
 * arbitrary bytes, and load arbitrary rule files.
 *
 * The first byte chooses: 0..2 scan the rest as user, retrieved or model
 * text, then redact it with every operator and restore the tokens; 3 parse
 * the rest as a rule file and, when it is accepted, compile it.  Checked:
 * invalid UTF-8 is refused and nothing else is; findings are in order, do
 * not overlap, lie inside the text and on character boundaries; a text
 * redacted with tokens restores to itself.  ASan and UBSan check memory.
 *
 *   make fuzz FUZZ_TIME=600
 */
#include "aigov/guard.h"
#include "aigov/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(int cond)
{
	if (!cond)
		abort();
}

/* Built once: the shipped rules, as the CLI uses them. */
static struct ag_guard *guard;
static struct ag_guard_scratch *scratch;

static void init(void)
{
	struct ag_guard_rules r;
	struct ag_err err;

	ag_guard_rules_init(&r);
	check(ag_guard_rules_builtin(&r, &err) == 0);
	check(ag_guard_new(&guard, &r, &err) == 0);
	check(ag_guard_scratch_new(guard, &scratch, &err) == 0);
}

static bool boundary(const char *s, size_t len, size_t at)
{
	return at == 0 || at == len || ((unsigned char)s[at] & 0xC0) != 0x80;
}

/* ag_utf8_valid's block validator against the byte at a time definition:
 * the same verdict and the same first bad offset. */
static void check_utf8(const char *text, size_t len)
{
	size_t i = 0, bad = SIZE_MAX, n;

	while (i < len && (n = ag_utf8_seq_len((const unsigned char *)text + i, len - i)))
		i += n;
	check(ag_utf8_valid(text, len, &bad) == (i == len));
	check(i == len || bad == i);
}

static void scan_and_redact(const char *text, size_t len, int source)
{
	static const unsigned char key[32] = { 1, 2, 3 };
	struct ag_guard_result r;
	struct ag_guard_redactor rd;
	struct ag_arena a;
	struct ag_err err;
	struct ag_buf out, back;
	int rc;

	ag_arena_init(&a, 0);
	ag_err_clear(&err);
	check_utf8(text, len);
	rc = ag_guard_scan(guard, scratch, text, len, source, &a, &r, &err);
	if (!ag_utf8_valid(text, len, NULL)) {
		check(rc == AG_EINVAL);
		ag_arena_release(&a);
		return;
	}
	check(rc == 0);
	for (size_t i = 0; i < r.nfindings; i++) {
		const struct ag_guard_finding *f = &r.findings[i];
		check(f->start < f->end && f->end <= len);
		check(i == 0 || r.findings[i - 1].end <= f->start);
		check(boundary(text, len, f->start) && boundary(text, len, f->end));
		check(f->type >= 0 && f->type < AG_GUARD_NTYPES);
	}
	ag_guard_redactor_init(&rd, AG_GUARD_OP_TAG);
	check(ag_guard_redactor_set_key(&rd, key, sizeof(key), &err) == 0);
	ag_buf_init(&out);
	ag_buf_init(&back);
	for (int op = AG_GUARD_OP_KEEP; op <= AG_GUARD_OP_TOKEN; op++) {
		for (int t = 0; t < AG_GUARD_NTYPES; t++)
			rd.op[t] = op;
		ag_buf_reset(&out);
		rc = ag_guard_redact(&rd, text, len, r.findings, r.nfindings, &out, &err);
		check(rc == 0 || rc == AG_ERANGE);
		if (op == AG_GUARD_OP_KEEP && rc == 0)
			check(out.len == len && !memcmp(out.buf, text, len));
		if (op == AG_GUARD_OP_TOKEN && rc == 0 && !memchr(text, '<', len)) {
			size_t failed;
			ag_buf_reset(&back);
			check(ag_guard_restore(&rd, out.buf, out.len, &back, &failed, &err) == 0);
			check(back.len == len && !memcmp(back.buf, text, len) && failed == 0);
		}
	}
	ag_buf_release(&out);
	ag_buf_release(&back);
	ag_guard_redactor_release(&rd);
	ag_arena_release(&a);
}

static void load_rules(const char *text, size_t len)
{
	struct ag_guard_rules r;
	struct ag_guard *g = NULL;
	struct ag_err err;

	ag_guard_rules_init(&r);
	ag_err_clear(&err);
	if (ag_guard_rules_parse(&r, text, len, "fuzz.yaml", &err) == 0) {
		/* compiling is costly; a few rules say as much as many */
		if (r.n <= 4 && ag_guard_new(&g, &r, &err) == 0)
			ag_guard_free(g);
	} else {
		check(err.code < 0 && err.msg[0]);
	}
	ag_guard_rules_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!guard)
		init();
	if (size < 1)
		return 0;
	if (data[0] % 4 == 3)
		load_rules((const char *)data + 1, size - 1);
	else
		scan_and_redact((const char *)data + 1, size - 1, data[0] % 4);
	return 0;
}
