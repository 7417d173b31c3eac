/* YAML documents read with paths (yamldoc.h). */
#include "aigov/yamldoc.h"

#include "aigov/file.h"
#include "aigov/num.h"
#include "aigov/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ag_ydoc_load(struct ag_ydoc *d, const char *text, size_t len, const char *name,
		 struct ag_err *err)
{
	yaml_parser_t p;
	size_t bad;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->name = name;
	if (!ag_utf8_valid(text, len, &bad))
		return ag_err_set(err, AG_EPARSE, "%s: invalid UTF-8 at byte %zu", name, bad);
	if (!yaml_parser_initialize(&p))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &d->doc))
		rc = ag_err_at(err, AG_EPARSE, name, p.problem_mark.line + 1,
			       p.problem_mark.column + 1, "%s%s%s",
			       p.problem ? p.problem : "malformed YAML",
			       p.context ? " " : "", p.context ? p.context : "");
	else
		d->loaded = true;
	yaml_parser_delete(&p);
	return rc;
}

int ag_ydoc_load_file(struct ag_ydoc *d, const char *path, struct ag_err *err)
{
	struct ag_file_map m;
	int rc = ag_file_map(&m, path, err);

	if (rc)
		return rc;
	rc = ag_ydoc_load(d, m.data, m.len, path, err);
	ag_file_unmap(&m);
	return rc;
}

void ag_ydoc_release(struct ag_ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

yaml_node_t *ag_ydoc_root(struct ag_ydoc *d)
{
	return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

int ag_y_error(struct ag_ydoc *d, const yaml_node_t *n, const char *path,
	       struct ag_err *err, const char *fmt, ...)
{
	char msg[AG_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!n)
		return ag_err_set(err, AG_EPARSE, "%s: %s: %s", d->name, path, msg);
	return ag_err_at(err, AG_EPARSE, d->name, n->start_mark.line + 1,
			 n->start_mark.column + 1, "%s: %s", path, msg);
}

bool ag_y_is_map(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

bool ag_y_is_seq(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool ag_y_is_null(const yaml_node_t *n)
{
	if (!n)
		return true;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !strcmp(scalar(n), "") || !strcmp(scalar(n), "~") || !strcmp(scalar(n), "null");
}

yaml_node_t *ag_y_get(struct ag_ydoc *d, yaml_node_t *m, const char *key)
{
	if (!ag_y_is_map(m))
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), key))
			return yaml_document_get_node(&d->doc, p->value);
	}
	return NULL;
}

yaml_node_item_t *ag_y_items(yaml_node_t *seq, size_t *n)
{
	*n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	return seq->data.sequence.items.start;
}

yaml_node_t *ag_y_node(struct ag_ydoc *d, yaml_node_item_t item)
{
	return yaml_document_get_node(&d->doc, item);
}

int ag_y_want_map(struct ag_ydoc *d, yaml_node_t *m, yaml_node_t *parent,
		  const char *path, struct ag_err *err)
{
	if (!m)
		return ag_y_error(d, parent, path, err, "missing (a mapping is required)");
	if (!ag_y_is_map(m))
		return ag_y_error(d, m, path, err, "expected a mapping of keys and values");
	return 0;
}

int ag_y_only_keys(struct ag_ydoc *d, yaml_node_t *m, const char *path,
		   const char *const *allowed, struct ag_err *err)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&d->doc, p->key);
		bool ok = false;
		char list[400] = "";
		size_t used = 0;

		if (!k || k->type != YAML_SCALAR_NODE)
			return ag_y_error(d, k, path, err, "keys must be plain names");
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, scalar(k));
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; ok && q < p; q++) {
			yaml_node_t *k2 = yaml_document_get_node(&d->doc, q->key);
			if (k2 && k2->type == YAML_SCALAR_NODE && !strcmp(scalar(k2), scalar(k)))
				return ag_y_error(d, k, path, err, "key '%s' appears twice", scalar(k));
		}
		if (ok)
			continue;
		for (const char *const *a = allowed; *a; a++) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s",
					 a == allowed ? "" : ", ", *a);
			if (w < 0 || (size_t)w >= sizeof(list) - used)
				break;
			used += (size_t)w;
		}
		return ag_y_error(d, k, path, err, "unknown key '%s' (expected %s)", scalar(k), list);
	}
	return 0;
}

/* The scalar of key, or NULL (absent or null); an error when not a scalar. */
static int get_scalar(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
		      bool required, yaml_node_t **out, struct ag_err *err)
{
	yaml_node_t *n = ag_y_get(d, m, key);
	char p[300];

	*out = NULL;
	snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	if (!n || ag_y_is_null(n)) {
		if (required)
			return ag_y_error(d, n ? n : m, p, err, "missing (required)");
		return 0;
	}
	if (n->type != YAML_SCALAR_NODE)
		return ag_y_error(d, n, p, err, "expected a single value, not a %s",
				  n->type == YAML_MAPPING_NODE ? "mapping" : "list");
	*out = n;
	return 0;
}

int ag_y_str_node(struct ag_ydoc *d, yaml_node_t *n, const char *path,
		  struct ag_arena *a, const char **out, struct ag_err *err)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return ag_y_error(d, n, path, err, "expected a single value");
	*out = ag_arena_strndup(a, scalar(n), n->data.scalar.length);
	if (!*out)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	if (strlen(*out) != n->data.scalar.length)
		return ag_y_error(d, n, path, err, "contains a NUL character");
	return 0;
}

int ag_y_str(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	     bool required, struct ag_arena *a, const char **out, struct ag_err *err)
{
	yaml_node_t *n;
	char p[300];
	int rc = get_scalar(d, m, path, key, required, &n, err);

	if (rc || !n)
		return rc;
	snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	return ag_y_str_node(d, n, p, a, out, err);
}

int ag_y_bool(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	      bool required, bool *out, struct ag_err *err)
{
	static const char *const t[] = { "true", "yes", "on", "True", "Yes", "TRUE", NULL };
	static const char *const f[] = { "false", "no", "off", "False", "No", "FALSE", NULL };
	yaml_node_t *n;
	char p[300];
	int rc = get_scalar(d, m, path, key, required, &n, err);

	if (rc || !n)
		return rc;
	for (int i = 0; t[i]; i++) {
		if (!strcmp(scalar(n), t[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(scalar(n), f[i])) {
			*out = false;
			return 0;
		}
	}
	snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	return ag_y_error(d, n, p, err, "expected true or false, not '%s'", scalar(n));
}

int ag_y_int(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	     bool required, int64_t min, int64_t max, int64_t *out, struct ag_err *err)
{
	yaml_node_t *n;
	char p[300];
	int64_t v;
	int rc = get_scalar(d, m, path, key, required, &n, err);

	if (rc || !n)
		return rc;
	snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	if (!ag_parse_int64(scalar(n), n->data.scalar.length, &v) || v < min || v > max)
		return ag_y_error(d, n, p, err, "expected a whole number from %lld to %lld, not '%s'",
				  (long long)min, (long long)max, scalar(n));
	*out = v;
	return 0;
}

int ag_y_enum_node(struct ag_ydoc *d, yaml_node_t *n, const char *path,
		   const char *const *values, int *out, struct ag_err *err)
{
	char list[600] = "";
	size_t used = 0;

	if (!n || n->type != YAML_SCALAR_NODE)
		return ag_y_error(d, n, path, err, "expected a single value");
	for (int i = 0; values[i]; i++) {
		if (!strcmp(scalar(n), values[i])) {
			*out = i;
			return 0;
		}
	}
	for (int i = 0; values[i]; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", values[i]);
		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	return ag_y_error(d, n, path, err, "expected one of %s, not '%s'", list, scalar(n));
}

int ag_y_enum(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	      bool required, const char *const *values, int *out, struct ag_err *err)
{
	yaml_node_t *n;
	char p[300];
	int rc = get_scalar(d, m, path, key, required, &n, err);

	if (rc || !n)
		return rc;
	snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	return ag_y_enum_node(d, n, p, values, out, err);
}

bool ag_y_valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return false;
	}
	return true;
}

int ag_y_texts(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	       struct ag_arena *a, struct ag_texts *out, struct ag_err *err)
{
	static const char *const keys[] = { "zh-TW", "en", NULL };
	yaml_node_t *n = ag_y_get(d, m, key);
	char p[300];
	int rc;

	snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	if (!n)
		return ag_y_error(d, m, p, err, "missing (required: {zh-TW: ..., en: ...})");
	if (!ag_y_is_map(n))
		return ag_y_error(d, n, p, err, "expected both languages: {zh-TW: ..., en: ...}");
	if ((rc = ag_y_only_keys(d, n, p, keys, err)) ||
	    (rc = ag_y_str(d, n, p, "zh-TW", true, a, &out->zh, err)) ||
	    (rc = ag_y_str(d, n, p, "en", true, a, &out->en, err)))
		return rc;
	return 0;
}
