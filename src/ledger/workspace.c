/*
 * Workspaces: finding, creating and opening one (workspace.h).
 * The config file is YAML, read with libyaml's event parser; only the
 * keys documented in docs/ledger.md are accepted, so that a typo is an
 * error and not a setting silently ignored.
 */
#include "aigov/workspace.h"

#include "aigov/atomic_file.h"
#include "aigov/buf.h"
#include "aigov/file.h"
#include "aigov/json.h"
#include "aigov/num.h"
#include "aigov/schema.h"
#include "aigov/str.h"
#include "aigov/time.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#ifndef AIGOV_VERSION
#define AIGOV_VERSION "0.0.0"
#endif

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (p) {
		memcpy(p, a, la);
		p[la] = '/';
		memcpy(p + la + 1, b, lb + 1);
	}
	return p;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- config ---------------------------------------------------------------- */

void ag_workspace_config_release(struct ag_workspace_config *cfg)
{
	free(cfg->workspace_id);
	free(cfg->store);
	memset(cfg, 0, sizeof(*cfg));
}

struct yparse {
	yaml_parser_t p;
	yaml_event_t ev;
	bool have;
	const char *name;
	struct ag_err *err;
};

/* "config.yaml:4:3: <where>: <problem>" */
static int y_error(struct yparse *y, const yaml_mark_t *m, const char *where,
		   const char *problem)
{
	return ag_err_at(y->err, AG_EPARSE, y->name, m->line + 1, m->column + 1, "%s: %s",
			 where, problem);
}

static int y_next(struct yparse *y)
{
	if (y->have)
		yaml_event_delete(&y->ev);
	y->have = false;
	if (!yaml_parser_parse(&y->p, &y->ev))
		return ag_err_at(y->err, AG_EPARSE, y->name, y->p.problem_mark.line + 1,
				 y->p.problem_mark.column + 1, "%s",
				 y->p.problem ? y->p.problem : "malformed YAML");
	y->have = true;
	return 0;
}

static int y_scalar(struct yparse *y, const char *key, const char **val)
{
	int rc = y_next(y);

	if (rc)
		return rc;
	if (y->ev.type != YAML_SCALAR_EVENT)
		return y_error(y, &y->ev.start_mark, key, "expected a single value");
	*val = (const char *)y->ev.data.scalar.value;
	return 0;
}

static int y_uint(struct yparse *y, const char *key, uint64_t *out)
{
	const char *v;
	int64_t i;
	int rc = y_scalar(y, key, &v);

	if (rc)
		return rc;
	if (!ag_parse_int64(v, strlen(v), &i) || i < 0)
		return y_error(y, &y->ev.start_mark, key, "expected a whole number >= 0");
	*out = (uint64_t)i;
	return 0;
}

static int y_string(struct yparse *y, const char *key, char **out)
{
	const char *v;
	int rc = y_scalar(y, key, &v);

	if (rc)
		return rc;
	free(*out);
	*out = strdup(v);
	return *out ? 0 : ag_err_set(y->err, AG_ENOMEM, "out of memory");
}

static int parse_ledger_section(struct yparse *y, struct ag_workspace_config *cfg)
{
	int rc = y_next(y);

	if (rc)
		return rc;
	if (y->ev.type != YAML_MAPPING_START_EVENT)
		return y_error(y, &y->ev.start_mark, "ledger", "expected a mapping");
	for (;;) {
		char key[64];

		if ((rc = y_next(y)))
			return rc;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (y->ev.type != YAML_SCALAR_EVENT)
			return y_error(y, &y->ev.start_mark, "ledger", "expected a setting name");
		snprintf(key, sizeof(key), "%s", (const char *)y->ev.data.scalar.value);
		if (!strcmp(key, "checkpoint_every_entries"))
			rc = y_uint(y, "ledger.checkpoint_every_entries",
				    &cfg->checkpoint_every_entries);
		else if (!strcmp(key, "checkpoint_every_seconds"))
			rc = y_uint(y, "ledger.checkpoint_every_seconds",
				    &cfg->checkpoint_every_seconds);
		else
			rc = y_error(y, &y->ev.start_mark, key,
				     "unknown setting in ledger (expected checkpoint_every_entries "
				     "or checkpoint_every_seconds)");
		if (rc)
			return rc;
	}
}

static int parse_config(struct yparse *y, struct ag_workspace_config *cfg)
{
	int rc;

	/* stream start, document start, the top mapping */
	if ((rc = y_next(y)) || (rc = y_next(y)))
		return rc;
	if (y->ev.type == YAML_STREAM_END_EVENT)
		return ag_err_set(y->err, AG_EPARSE, "%s: empty configuration", y->name);
	if ((rc = y_next(y)))
		return rc;
	if (y->ev.type != YAML_MAPPING_START_EVENT)
		return y_error(y, &y->ev.start_mark, "configuration", "expected a mapping of settings");
	for (;;) {
		char key[64];

		if ((rc = y_next(y)))
			return rc;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (y->ev.type != YAML_SCALAR_EVENT)
			return y_error(y, &y->ev.start_mark, "configuration", "expected a setting name");
		snprintf(key, sizeof(key), "%s", (const char *)y->ev.data.scalar.value);
		if (!strcmp(key, "workspace"))
			rc = y_string(y, "workspace", &cfg->workspace_id);
		else if (!strcmp(key, "store"))
			rc = y_string(y, "store", &cfg->store);
		else if (!strcmp(key, "ledger"))
			rc = parse_ledger_section(y, cfg);
		else
			rc = y_error(y, &y->ev.start_mark, key,
				     "unknown setting (expected workspace, store or ledger)");
		if (rc)
			return rc;
	}
	if (!cfg->workspace_id || strlen(cfg->workspace_id) != 32)
		return ag_err_set(y->err, AG_EPARSE, "%s: workspace: expected the 32-hex-digit "
				  "workspace id written by 'aigov init'", y->name);
	return 0;
}

int ag_workspace_config_parse(struct ag_workspace_config *cfg, const char *text,
			      size_t len, const char *name, struct ag_err *err)
{
	struct yparse y = { .name = name, .err = err };
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->checkpoint_every_entries = 1000;
	cfg->checkpoint_every_seconds = 3600;
	if (!yaml_parser_initialize(&y.p))
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&y.p, (const unsigned char *)text, len);
	rc = parse_config(&y, cfg);
	if (y.have)
		yaml_event_delete(&y.ev);
	yaml_parser_delete(&y.p);
	if (!rc && !cfg->store && !(cfg->store = strdup("sqlite:aigov.db")))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	if (rc)
		ag_workspace_config_release(cfg);
	return rc;
}

int ag_workspace_config_load(struct ag_workspace_config *cfg, const char *path,
			     struct ag_err *err)
{
	struct ag_file_map m;
	int rc = ag_file_map(&m, path, err);

	if (rc)
		return rc;
	rc = ag_workspace_config_parse(cfg, m.data, m.len, path, err);
	ag_file_unmap(&m);
	return rc;
}

static int write_config(const char *path, const char *id, struct ag_err *err)
{
	struct ag_atomic_file a;
	int rc = ag_atomic_open(&a, path, 0644, err);

	if (rc)
		return rc;
	fprintf(a.f,
		"# aigov workspace configuration; see docs/ledger.md#configuration.\n"
		"# The workspace id is bound into every ledger signature: never change it.\n"
		"workspace: %s\n"
		"store: sqlite:aigov.db\n"
		"ledger:\n"
		"  # Sign the ledger's Merkle root after this many new entries,\n"
		"  checkpoint_every_entries: 1000\n"
		"  # or at the first entry after this many seconds (0 turns either off).\n"
		"  checkpoint_every_seconds: 3600\n", id);
	return ag_atomic_commit(&a, err);
}

/* ---- init --------------------------------------------------------------------- */

struct paths {
	char *dir, *keys, *config, *db, *secret, *public;
};

static void paths_free(struct paths *p)
{
	free(p->dir);
	free(p->keys);
	free(p->config);
	free(p->db);
	free(p->secret);
	free(p->public);
}

static int paths_make(struct paths *p, const char *root, struct ag_err *err)
{
	memset(p, 0, sizeof(*p));
	p->dir = join(root, AG_WORKSPACE_DIR);
	p->keys = p->dir ? join(p->dir, "keys") : NULL;
	p->config = p->dir ? join(p->dir, "config.yaml") : NULL;
	p->db = p->dir ? join(p->dir, "aigov.db") : NULL;
	p->secret = p->keys ? join(p->keys, "ledger.key") : NULL;
	p->public = p->keys ? join(p->keys, "ledger.pub") : NULL;
	if (!p->secret || !p->public || !p->config || !p->db) {
		paths_free(p);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	return 0;
}

/* Remove what a failed init created (never anything it did not). */
static void init_undo(const struct paths *p, bool made_root, const char *root,
		      const struct ag_workspace_file *files, size_t nfiles)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char buf[4096];

	for (size_t i = 0; i < nfiles; i++) {
		char *slash;
		snprintf(buf, sizeof(buf), "%s/%s", p->dir, files[i].path);
		unlink(buf);
		slash = strrchr(buf, '/');
		if (slash && slash - buf > (ptrdiff_t)strlen(p->dir)) {
			*slash = '\0';
			rmdir(buf);
		}
	}
	unlink(p->secret);
	unlink(p->public);
	rmdir(p->keys);
	unlink(p->config);
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", p->db, sfx[i]);
		unlink(buf);
	}
	rmdir(p->dir);
	if (made_root)
		rmdir(root);
}

/* Write the starting files; their hashes go into entry 1. */
static int write_files(const struct paths *p, const struct ag_workspace_file *files,
		       size_t nfiles, struct ag_err *err)
{
	for (size_t i = 0; i < nfiles; i++) {
		char path[4096], *slash;
		struct ag_atomic_file a;
		int rc;

		if (strstr(files[i].path, "..") || files[i].path[0] == '/')
			return ag_err_set(err, AG_EINVAL, "%s: not a path inside the workspace",
					  files[i].path);
		snprintf(path, sizeof(path), "%s/%s", p->dir, files[i].path);
		slash = strrchr(path, '/');
		if (slash && slash - path > (ptrdiff_t)strlen(p->dir)) {
			*slash = '\0';
			if (mkdir(path, 0755) != 0 && errno != EEXIST)
				return ag_err_set(err, AG_EIO, "%s: cannot create: %s", path,
						  strerror(errno));
			*slash = '/';
		}
		rc = ag_atomic_open(&a, path, 0644, err);
		if (rc)
			return rc;
		if (fwrite(files[i].data, 1, files[i].len, a.f) != files[i].len) {
			ag_atomic_abort(&a);
			return ag_err_set(err, AG_EIO, "%s: cannot write", path);
		}
		rc = ag_atomic_commit(&a, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int init_store(const struct paths *p, const char *id,
		      const struct ag_ledger_key *key, const char *actor,
		      const struct ag_workspace_file *files, size_t nfiles,
		      struct ag_err *err)
{
	struct ag_store_options so = { .create = true };
	struct ag_ledger_options lo = { .workspace_id = id, .key = key };
	struct ag_ledger_receipt rcpt;
	struct ag_ledger_checkpoint cp;
	struct ag_store *s = NULL;
	struct ag_ledger *l = NULL;
	char pk[AG_HASH_HEX_LEN + 1];
	struct ag_buf payload;
	bool created;
	int from, to, rc;

	ag_buf_init(&payload);
	ag_hex_encode(pk, key->pk, sizeof(key->pk));
	rc = ag_store_open(&s, p->db, &so, err);
	if (!rc)
		rc = ag_ledger_open(&l, s, &lo, err);
	if (!rc)
		rc = ag_store_begin(s, true, err);
	if (!rc)
		rc = ag_schema_migrate(s, &from, &to, err);
	if (!rc) {
		struct ag_val m[2] = { ag_val_str("workspace_id"), ag_val_str(id) };
		rc = ag_store_exec(s, "INSERT INTO meta (key, value) VALUES ($1, $2)", m, 2, err);
	}
	if (!rc) {
		struct ag_ledger_event ev = { actor, "workspace.init", "workspace", NULL, 0 };
		struct ag_json j;
		ag_json_init(&j, &payload, false);
		ag_json_begin_object(&j);
		ag_json_key(&j, "admin"); /* the creator is the first admin */
		ag_json_cstr(&j, actor);
		ag_json_key(&j, "aigov_version");
		ag_json_cstr(&j, AIGOV_VERSION);
		ag_json_key(&j, "files");
		ag_json_begin_object(&j);
		for (size_t i = 0; i < nfiles; i++) {
			uint8_t h[AG_HASH_LEN];
			char hex[AG_HASH_HEX_LEN + 1];
			ag_sha256(files[i].data, files[i].len, h);
			ag_hex_encode(hex, h, AG_HASH_LEN);
			ag_json_key(&j, files[i].path);
			ag_json_cstr(&j, hex);
		}
		ag_json_end_object(&j);
		ag_json_key(&j, "public_key");
		ag_json_cstr(&j, pk);
		ag_json_key(&j, "schema_version");
		ag_json_u64(&j, (uint64_t)to);
		ag_json_key(&j, "workspace");
		ag_json_cstr(&j, id);
		ag_json_end_object(&j);
		rc = ag_json_failed(&j) ? ag_err_set(err, AG_ENOMEM, "out of memory") : 0;
		ev.payload = payload.buf;
		ev.payload_len = payload.len;
		if (!rc)
			rc = ag_ledger_record(l, &ev, &rcpt, err);
	}
	if (!rc) {
		/* The creator is the first admin (named in entry 1): someone
		 * must be able to grant roles (registry.h). */
		char now[AG_TIME_LEN + 1];
		ag_time_format(now, ag_time_now_us());
		struct ag_val r[4] = { ag_val_str(actor), ag_val_str("admin"), ag_val_str(actor),
				       ag_val_str(now) };
		rc = ag_store_exec(s, "INSERT INTO actor_role (actor, role, granted_by, granted_at)"
				      " VALUES ($1, $2, $3, $4)", r, 4, err);
	}
	if (!rc)
		rc = ag_ledger_checkpoint(l, &cp, &created, err);
	if (!rc)
		rc = ag_store_commit(s, err);
	ag_ledger_free(l);
	ag_store_free(s);
	ag_buf_release(&payload);
	return rc;
}

int ag_workspace_init(const char *root, const char *actor,
		      const struct ag_workspace_file *files, size_t nfiles,
		      struct ag_err *err)
{
	struct ag_ledger_key key;
	uint8_t idb[16];
	char id[33];
	struct paths p;
	bool made_root = false;
	struct stat st;
	int rc;

	if (stat(root, &st) != 0) {
		if (mkdir(root, 0755) != 0)
			return ag_err_set(err, AG_EIO, "%s: cannot create: %s", root,
					  strerror(errno));
		made_root = true;
	} else if (!S_ISDIR(st.st_mode)) {
		return ag_err_set(err, AG_EIO, "%s: not a directory", root);
	}
	rc = paths_make(&p, root, err);
	if (rc)
		return rc;
	if (mkdir(p.dir, 0700) != 0) {
		rc = ag_err_set(err, errno == EEXIST ? AG_EEXIST : AG_EIO,
				errno == EEXIST ? "%s: already an aigov workspace (%s exists)"
						: "%s: cannot create %s", root, p.dir);
		if (made_root)
			rmdir(root);
		paths_free(&p);
		return rc;
	}
	rc = ag_ledger_key_generate(&key, err);
	if (!rc && mkdir(p.keys, 0700) != 0)
		rc = ag_err_set(err, AG_EIO, "%s: cannot create: %s", p.keys, strerror(errno));
	if (!rc)
		rc = ag_ledger_key_save(&key, p.secret, p.public, err);
	if (!rc) {
		randombytes_buf(idb, sizeof(idb));
		ag_hex_encode(id, idb, sizeof(idb));
		rc = write_config(p.config, id, err);
	}
	if (!rc)
		rc = write_files(&p, files, nfiles, err);
	if (!rc)
		rc = init_store(&p, id, &key, actor, files, nfiles, err);
	if (!rc)
		rc = ag_fsync_dir(p.dir, err);
	ag_ledger_key_wipe(&key);
	if (rc)
		init_undo(&p, made_root, root, files, nfiles);
	paths_free(&p);
	return rc;
}

/* ---- find and open -------------------------------------------------------------- */

/* The project folder, if `dir` is one with a workspace or is the
 * workspace's .aigov folder itself; NULL otherwise. */
static char *workspace_root_of(const char *dir)
{
	static const char suffix[] = "/" AG_WORKSPACE_DIR;
	size_t n = strlen(dir), ns = sizeof(suffix) - 1;
	char *cfg = join(dir, AG_WORKSPACE_DIR "/config.yaml");
	char *root = NULL;

	if (cfg && is_file(cfg))
		root = strdup(dir);
	free(cfg);
	if (root)
		return root;
	cfg = join(dir, "config.yaml");
	if (cfg && is_file(cfg)) {
		if (!strcmp(dir, AG_WORKSPACE_DIR))
			root = strdup(".");
		else if (n >= ns && !strcmp(dir + n - ns, suffix))
			root = n - ns ? strndup(dir, n - ns) : strdup("/");
	}
	free(cfg);
	return root;
}

int ag_workspace_find(const char *explicit_dir, char **root, struct ag_err *err)
{
	const char *env = getenv("AIGOV_WORKSPACE");
	char cwd[4096];

	*root = NULL;
	if (explicit_dir || (env && *env)) {
		const char *d = explicit_dir ? explicit_dir : env;
		*root = workspace_root_of(d);
		if (!*root)
			return ag_err_set(err, AG_ENOTFOUND,
					  "%s: not an aigov workspace (no %s/config.yaml)%s", d,
					  AG_WORKSPACE_DIR,
					  explicit_dir ? "" : " (from AIGOV_WORKSPACE)");
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return ag_err_set(err, AG_EIO, "cannot read the current folder: %s",
				  strerror(errno));
	for (;;) {
		char *slash;
		*root = workspace_root_of(cwd[0] ? cwd : "/");
		if (*root)
			return 0;
		slash = strrchr(cwd, '/');
		if (!slash || slash == cwd) {
			if (cwd[0] && strcmp(cwd, "/")) {
				strcpy(cwd, "/");
				continue;
			}
			break;
		}
		*slash = '\0';
	}
	return ag_err_set(err, AG_ENOTFOUND,
			  "not inside an aigov workspace (no %s folder here or in any parent); "
			  "run 'aigov init' or give --workspace DIR", AG_WORKSPACE_DIR);
}

static char *store_url(const struct ag_workspace *ws)
{
	const char *path = ws->cfg.store;
	char *url;

	if (!strncmp(path, "sqlite:", 7))
		path += 7;
	else if (strstr(path, "://"))
		return strdup(ws->cfg.store); /* a server: passed as is */
	if (path[0] == '/')
		return strdup(path);
	url = join(ws->dir, path);
	return url;
}

static int migrate_if_needed(struct ag_workspace *ws, const char *actor,
			     struct ag_err *err)
{
	char payload[96];
	int v, from, to, rc = ag_schema_version(ws->store, &v, err);

	if (rc || v == ag_schema_latest())
		return rc;
	if (v > ag_schema_latest())
		return ag_err_set(err, AG_EINVAL, "%s: schema version %d is newer than this "
				  "aigov knows (%d); use a newer aigov",
				  ag_store_path(ws->store), v, ag_schema_latest());
	rc = ag_store_begin(ws->store, true, err);
	if (!rc)
		rc = ag_schema_migrate(ws->store, &from, &to, err);
	if (!rc && to != from) {
		struct ag_ledger_event ev = { actor, "store.migrate", "workspace", payload, 0 };
		ev.payload_len = (size_t)snprintf(payload, sizeof(payload),
						  "{\"from\":%d,\"to\":%d}", from, to);
		rc = ag_ledger_record(ws->ledger, &ev, NULL, err);
	}
	if (!rc)
		return ag_store_commit(ws->store, err);
	ag_store_rollback(ws->store);
	return rc;
}

int ag_workspace_open(struct ag_workspace **out, const char *root, bool write,
		      const char *actor, struct ag_err *err)
{
	struct ag_workspace *ws;
	struct ag_store_options so = { .read_only = !write };
	struct ag_ledger_options lo = { 0 };
	struct ag_ledger_key pub;
	struct paths p;
	char *url = NULL;
	int rc;

	*out = NULL;
	rc = paths_make(&p, root, err);
	if (rc)
		return rc;
	ws = calloc(1, sizeof(*ws));
	if (!ws || !(ws->root = strdup(root)) || !(ws->dir = strdup(p.dir))) {
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
		goto fail;
	}
	rc = ag_workspace_config_load(&ws->cfg, p.config, err);
	if (!rc)
		rc = ag_ledger_key_load_public(&pub, p.public, err);
	if (!rc && write) {
		rc = ag_ledger_key_load_secret(&ws->key, p.secret, err);
		if (!rc && memcmp(ws->key.pk, pub.pk, sizeof(pub.pk)) != 0)
			rc = ag_err_set(err, AG_EPARSE, "%s and %s are not one key pair",
					p.secret, p.public);
	} else if (!rc) {
		ws->key = pub;
	}
	if (!rc && !(url = store_url(ws)))
		rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	if (!rc)
		rc = ag_store_open(&ws->store, url, &so, err);
	if (!rc) {
		lo.workspace_id = ws->cfg.workspace_id;
		lo.key = write ? &ws->key : NULL;
		lo.checkpoint_every_entries = ws->cfg.checkpoint_every_entries;
		lo.checkpoint_every_seconds = ws->cfg.checkpoint_every_seconds;
		rc = ag_ledger_open(&ws->ledger, ws->store, &lo, err);
	}
	if (!rc && write)
		rc = migrate_if_needed(ws, actor, err);
	if (!rc && !write) {
		int v;
		rc = ag_schema_version(ws->store, &v, err);
		if (!rc && v < ag_schema_latest())
			rc = ag_err_set(err, AG_EINVAL, "%s: the workspace has schema version %d and "
					"this aigov needs %d; a command that writes (for example "
					"'aigov ledger checkpoint') migrates it", ws->root, v,
					ag_schema_latest());
		else if (!rc && v > ag_schema_latest())
			rc = ag_err_set(err, AG_EINVAL, "%s: schema version %d is newer than this "
					"aigov knows (%d); use a newer aigov", ws->root, v,
					ag_schema_latest());
	}
	free(url);
	if (rc)
		goto fail;
	paths_free(&p);
	*out = ws;
	return 0;
fail:
	paths_free(&p);
	ag_workspace_free(ws);
	return rc;
}

void ag_workspace_free(struct ag_workspace *ws)
{
	if (!ws)
		return;
	ag_ledger_free(ws->ledger);
	ag_store_free(ws->store);
	ag_ledger_key_wipe(&ws->key);
	ag_workspace_config_release(&ws->cfg);
	free(ws->root);
	free(ws->dir);
	free(ws);
}
