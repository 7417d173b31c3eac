/* Reason-code catalogs (reasons.h). */
#include "aigov/reasons.h"

#include "aigov/arena.h"
#include "aigov/file.h"
#include "aigov/yamldoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ag_reasons {
	struct ag_arena arena; /* owns every string and the array */
	const char *version;
	struct ag_reason *items;
	size_t n;
};

static int read_reason(struct ag_reasons *r, struct ag_ydoc *d, yaml_node_t *n,
		       const char *path, struct ag_reason *out, struct ag_err *err)
{
	static const char *const keys[] = { "feature", "code", "text", "expected", NULL };
	static const char *const expected[] = { "none", "increasing", "decreasing", NULL };
	struct ag_texts t;
	int e = 0, rc;

	if ((rc = ag_y_want_map(d, n, n, path, err)) || (rc = ag_y_only_keys(d, n, path, keys, err)) ||
	    (rc = ag_y_str(d, n, path, "feature", true, &r->arena, &out->feature, err)) ||
	    (rc = ag_y_str(d, n, path, "code", true, &r->arena, &out->code, err)) ||
	    (rc = ag_y_texts(d, n, path, "text", &r->arena, &t, err)) ||
	    (rc = ag_y_enum(d, n, path, "expected", false, expected, &e, err)))
		return rc;
	out->text_zh = t.zh;
	out->text_en = t.en;
	out->expected = e == 1 ? AG_EXPECT_INCREASING : e == 2 ? AG_EXPECT_DECREASING
							       : AG_EXPECT_NONE;
	return 0;
}

static int read_catalog(struct ag_reasons *r, struct ag_ydoc *d, struct ag_err *err)
{
	static const char *const keys[] = { "version", "note", "reasons", NULL };
	yaml_node_t *root = ag_ydoc_root(d), *list;
	yaml_node_item_t *items;
	struct ag_texts note;
	int rc;

	if ((rc = ag_y_want_map(d, root, root, "(top)", err)) ||
	    (rc = ag_y_only_keys(d, root, "(top)", keys, err)) ||
	    (rc = ag_y_str(d, root, "", "version", true, &r->arena, &r->version, err)))
		return rc;
	if (ag_y_get(d, root, "note") &&
	    (rc = ag_y_texts(d, root, "", "note", &r->arena, &note, err)))
		return rc;
	list = ag_y_get(d, root, "reasons");
	if (!ag_y_is_seq(list))
		return ag_y_error(d, list ? list : root, "reasons", err, "expected a list of reasons");
	items = ag_y_items(list, &r->n);
	r->items = ag_arena_calloc(&r->arena, r->n ? r->n : 1, sizeof(*r->items));
	if (!r->items)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n; i++) {
		char p[64];
		snprintf(p, sizeof(p), "reasons[%zu]", i);
		rc = read_reason(r, d, ag_y_node(d, items[i]), p, &r->items[i], err);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->items[j].feature, r->items[i].feature))
				return ag_y_error(d, ag_y_node(d, items[i]), p, err,
						  "feature '%s' appears twice", r->items[i].feature);
	}
	return 0;
}

int ag_reasons_parse(struct ag_reasons **out, const char *text, size_t len, const char *name,
		     struct ag_err *err)
{
	struct ag_reasons *r = calloc(1, sizeof(*r));
	struct ag_ydoc d;
	int rc;

	*out = NULL;
	if (!r)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	ag_arena_init(&r->arena, 0);
	rc = ag_ydoc_load(&d, text, len, name, err);
	if (!rc) {
		rc = read_catalog(r, &d, err);
		ag_ydoc_release(&d);
	}
	if (rc) {
		ag_reasons_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int ag_reasons_load(struct ag_reasons **out, const char *path, struct ag_err *err)
{
	struct ag_file_map m;
	int rc;

	*out = NULL;
	rc = ag_file_map(&m, path, err);
	if (rc)
		return rc;
	rc = ag_reasons_parse(out, m.data, m.len, path, err);
	ag_file_unmap(&m);
	return rc;
}

void ag_reasons_free(struct ag_reasons *r)
{
	if (!r)
		return;
	ag_arena_release(&r->arena);
	free(r);
}

const char *ag_reasons_version(const struct ag_reasons *r) { return r->version; }
size_t ag_reasons_count(const struct ag_reasons *r) { return r->n; }

const struct ag_reason *ag_reasons_at(const struct ag_reasons *r, size_t i)
{
	return i < r->n ? &r->items[i] : NULL;
}

const struct ag_reason *ag_reasons_find(const struct ag_reasons *r, const char *feature)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (!strcmp(r->items[i].feature, feature))
			return &r->items[i];
	return NULL;
}
