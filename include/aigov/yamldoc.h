/*
 * yamldoc: reading YAML files we did not write (module base), on libyaml's
 * document API.
 *
 * Every value is read with its path, so that errors say exactly where:
 * "credit.yaml:14:15: systems[0].risk_factors.autonomy: expected one of
 * human_in_the_loop, human_on_the_loop, fully_automated".  Scalars are
 * taken as written (no YAML 1.1 type guessing: `no` is the string "no"
 * where a string is asked for, false where a bool is).
 *
 * Strings handed out are copied into the caller's arena.  A struct ag_ydoc
 * owns the parsed document until ag_ydoc_release.  Not thread-safe per
 * document.
 */
#ifndef AIGOV_YAMLDOC_H
#define AIGOV_YAMLDOC_H

#include "aigov/arena.h"
#include "aigov/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

struct ag_ydoc {
	yaml_document_t doc;
	const char *name; /* borrowed, for messages */
	bool loaded;
};

/* Parse text[0..len) (one document).  AG_EPARSE with file:line:col. */
int ag_ydoc_load(struct ag_ydoc *d, const char *text, size_t len, const char *name,
		 struct ag_err *err);
int ag_ydoc_load_file(struct ag_ydoc *d, const char *path, struct ag_err *err);
void ag_ydoc_release(struct ag_ydoc *d);
/* The top node, or NULL for an empty document. */
yaml_node_t *ag_ydoc_root(struct ag_ydoc *d);

/* An error at node n: "name:line:col: path: <fmt>". */
int ag_y_error(struct ag_ydoc *d, const yaml_node_t *n, const char *path,
	       struct ag_err *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

bool ag_y_is_map(const yaml_node_t *n);
bool ag_y_is_seq(const yaml_node_t *n);
bool ag_y_is_null(const yaml_node_t *n); /* ~, null, empty */
/* The value of `key` in mapping m, NULL when absent. */
yaml_node_t *ag_y_get(struct ag_ydoc *d, yaml_node_t *m, const char *key);
/* Items of a sequence: *n of them, in order. */
yaml_node_item_t *ag_y_items(yaml_node_t *seq, size_t *n);
yaml_node_t *ag_y_node(struct ag_ydoc *d, yaml_node_item_t item);

/* Refuse keys of m not in `allowed` (NULL-terminated). */
int ag_y_only_keys(struct ag_ydoc *d, yaml_node_t *m, const char *path,
		   const char *const *allowed, struct ag_err *err);
/* Require m to be a mapping (and present). */
int ag_y_want_map(struct ag_ydoc *d, yaml_node_t *m, yaml_node_t *parent,
		  const char *path, struct ag_err *err);

/* Typed values of key `key` in mapping m; path is m's path.  `required`
 * false leaves *out as it was when the key is absent or null. */
int ag_y_str(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	     bool required, struct ag_arena *a, const char **out, struct ag_err *err);
int ag_y_bool(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	      bool required, bool *out, struct ag_err *err);
int ag_y_int(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	     bool required, int64_t min, int64_t max, int64_t *out, struct ag_err *err);
/* One of values[] (NULL-terminated); *out is its index. */
int ag_y_enum(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	      bool required, const char *const *values, int *out, struct ag_err *err);
/* The same for a scalar node itself (a list item). */
int ag_y_enum_node(struct ag_ydoc *d, yaml_node_t *n, const char *path,
		   const char *const *values, int *out, struct ag_err *err);
int ag_y_str_node(struct ag_ydoc *d, yaml_node_t *n, const char *path,
		  struct ag_arena *a, const char **out, struct ag_err *err);
/* An identifier: [a-z0-9][a-z0-9_.-]*, at most 64 bytes. */
bool ag_y_valid_id(const char *s);

/* Texts a person reads, in both languages: {zh-TW: ..., en: ...}. */
struct ag_texts {
	const char *zh;
	const char *en;
};
int ag_y_texts(struct ag_ydoc *d, yaml_node_t *m, const char *path, const char *key,
	       struct ag_arena *a, struct ag_texts *out, struct ag_err *err);

#endif
