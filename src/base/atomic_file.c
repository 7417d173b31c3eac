#include "aigov/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	d = malloc((size_t)(slash - path) + 1);
	if (d) {
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = '\0';
	}
	return d;
}

int ag_fsync_dir(const char *dir, struct ag_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return ag_err_set(err, AG_EIO, "%s: cannot open directory: %s", dir,
				  strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL && errno != EBADF)
		rc = ag_err_set(err, AG_EIO, "%s: cannot sync directory: %s", dir,
				strerror(errno));
	close(fd);
	return rc;
}

int ag_atomic_open(struct ag_atomic_file *a, const char *path, int mode,
		   struct ag_err *err)
{
	size_t n = strlen(path);
	int fd;

	memset(a, 0, sizeof(*a));
	a->path = strdup(path);
	a->tmp = malloc(n + sizeof(".tmp-XXXXXX"));
	if (!a->path || !a->tmp) {
		ag_atomic_abort(a);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	memcpy(a->tmp, path, n);
	memcpy(a->tmp + n, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	fd = mkstemp(a->tmp);
	if (fd < 0) {
		int e = errno;
		free(a->tmp);
		a->tmp = NULL;
		ag_atomic_abort(a);
		return ag_err_set(err, e == ENOENT ? AG_ENOTFOUND : AG_EIO,
				  "%s: cannot create: %s", path, strerror(e));
	}
	/* mkstemp makes 0600; give what the caller asked, minus the umask. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, (mode_t)mode & ~mask) != 0 || !(a->f = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		ag_atomic_abort(a);
		return ag_err_set(err, AG_EIO, "%s: cannot create: %s", path, strerror(e));
	}
	return 0;
}

int ag_atomic_commit(struct ag_atomic_file *a, struct ag_err *err)
{
	char *dir;
	int rc = 0;

	if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0) {
		rc = ag_err_set(err, AG_EIO, "%s: cannot write: %s", a->path, strerror(errno));
		ag_atomic_abort(a);
		return rc;
	}
	if (fclose(a->f) != 0) {
		a->f = NULL;
		rc = ag_err_set(err, AG_EIO, "%s: cannot write: %s", a->path, strerror(errno));
		ag_atomic_abort(a);
		return rc;
	}
	a->f = NULL;
	if (rename(a->tmp, a->path) != 0) {
		rc = ag_err_set(err, AG_EIO, "%s: cannot replace: %s", a->path, strerror(errno));
		ag_atomic_abort(a);
		return rc;
	}
	dir = dir_of(a->path);
	rc = dir ? ag_fsync_dir(dir, err) : ag_err_set(err, AG_ENOMEM, "out of memory");
	free(dir);
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
	return rc;
}

void ag_atomic_abort(struct ag_atomic_file *a)
{
	if (a->f)
		fclose(a->f);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof(*a));
}
