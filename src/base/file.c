#define _GNU_SOURCE
#include "aigov/file.h"

#include "aigov/buf.h"
#include "aigov/sha256.h"
#include "aigov/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int sys_err(struct ag_err *err, const char *name, const char *what,
		   int errnum)
{
	return ag_err_set(err, errnum == ENOENT ? AG_ENOTFOUND : AG_EIO,
			  "%s: cannot %s: %s", name, what, strerror(errnum));
}

int ag_source_open(struct ag_source *src, const char *path, struct ag_err *err)
{
	memset(src, 0, sizeof(*src));
	src->fd = -1;
	if (strcmp(path, "-") == 0) {
		src->fd = STDIN_FILENO;
		src->name = strdup("<stdin>");
	} else {
		struct stat st;
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return sys_err(err, path, "open", errno);
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			return ag_err_set(err, AG_EIO, "%s: is a directory", path);
		}
		/* Tell the kernel we read front to back: larger read-ahead. */
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		src->fd = fd;
		src->owns_fd = true;
		src->name = strdup(path);
	}
	if (!src->name) {
		ag_source_close(src);
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	return 0;
}

int ag_source_open_range(struct ag_source *src, const char *path,
			 unsigned long long off, unsigned long long len,
			 struct ag_err *err)
{
	int rc = strcmp(path, "-") ? ag_source_open(src, path, err)
				   : ag_err_set(err, AG_EIO, "<stdin>: cannot read a part of a pipe");

	if (rc)
		return rc;
	if (lseek(src->fd, (off_t)off, SEEK_SET) < 0) {
		rc = sys_err(err, path, "seek", errno);
		ag_source_close(src);
		return rc;
	}
	src->limited = true;
	src->remaining = len;
	return 0;
}

int ag_source_open_mem(struct ag_source *src, const char *mem, size_t len,
		       const char *name, struct ag_err *err)
{
	memset(src, 0, sizeof(*src));
	src->fd = -1;
	src->mem = mem;
	src->mem_len = len;
	src->name = strdup(name ? name : "<memory>");
	if (!src->name)
		return ag_err_set(err, AG_ENOMEM, "out of memory");
	return 0;
}

int ag_source_read(struct ag_source *src, char *buf, size_t cap, size_t *got,
		   struct ag_err *err)
{
	*got = 0;
	if (src->fd < 0) {
		size_t n = src->mem_len - src->mem_pos;
		if (n > cap)
			n = cap;
		if (n)
			memcpy(buf, src->mem + src->mem_pos, n);
		src->mem_pos += n;
		*got = n;
		return 0;
	}
	if (src->limited && cap > src->remaining)
		cap = (size_t)src->remaining;
	if (!cap)
		return 0;
	for (;;) {
		ssize_t n = read(src->fd, buf, cap);
		if (n >= 0) {
			*got = (size_t)n;
			if (src->limited)
				src->remaining -= (size_t)n;
			return 0;
		}
		if (errno != EINTR)
			return sys_err(err, src->name, "read", errno);
	}
}

void ag_source_close(struct ag_source *src)
{
	if (src->owns_fd && src->fd >= 0)
		close(src->fd);
	src->fd = -1;
	src->owns_fd = false;
	free(src->name);
	src->name = NULL;
}

static int map_by_reading(struct ag_file_map *m, struct ag_source *src,
			  struct ag_err *err)
{
	struct ag_buf b;
	int rc = 0;

	ag_buf_init(&b);
	for (;;) {
		size_t got;
		if (ag_buf_grow(&b, 65536)) {
			rc = ag_err_set(err, AG_ENOMEM, "%s: out of memory", src->name);
			break;
		}
		rc = ag_source_read(src, b.buf + b.len, 65536, &got, err);
		if (rc || !got)
			break;
		b.len += got;
		b.buf[b.len] = '\0';
	}
	if (rc) {
		ag_buf_release(&b);
		return rc;
	}
	m->data = ag_buf_detach(&b, &m->len);
	if (!m->data)
		return ag_err_set(err, AG_ENOMEM, "%s: out of memory", src->name);
	return 0;
}

int ag_file_map(struct ag_file_map *m, const char *path, struct ag_err *err)
{
	struct ag_source src;
	struct stat st;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = ag_source_open(&src, path, err);
	if (rc)
		return rc;
	/* mmap regular, non-empty files whose size is not a multiple of the
	 * page size, so the byte after the end reads as the NUL the kernel
	 * zero-fills; anything else is read into memory. */
	if (src.owns_fd && fstat(src.fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > 0 && (size_t)st.st_size % (size_t)sysconf(_SC_PAGESIZE)) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			       src.fd, 0);
		if (p != MAP_FAILED) {
			m->data = p;
			m->len = (size_t)st.st_size;
			m->mapped = true;
			m->map_len = m->len;
			ag_source_close(&src);
			return 0;
		}
	}
	rc = map_by_reading(m, &src, err);
	ag_source_close(&src);
	return rc;
}

void ag_file_unmap(struct ag_file_map *m)
{
	if (m->mapped)
		munmap((void *)m->data, m->map_len);
	else
		free((void *)m->data);
	memset(m, 0, sizeof(*m));
}

int ag_file_sha256(const char *path, char hex[65], unsigned long long *size,
		   struct ag_err *err)
{
	struct ag_file_map m;
	uint8_t h[32];
	int rc = ag_file_map(&m, path, err);

	if (rc)
		return rc;
	ag_sha256_2(m.data, m.len, NULL, 0, h);
	ag_hex_encode(hex, h, 32);
	*size = m.len;
	ag_file_unmap(&m);
	return 0;
}
