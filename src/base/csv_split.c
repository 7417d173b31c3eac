/*
 * ag_csv_split (csv.h): cutting a mapped CSV file into parts that parallel
 * readers can take, each starting at a record boundary.
 *
 * A newline ends a record when an even number of quotes precede it (in a
 * well-formed file every record holds an even number of quotes, so the
 * parity since the first record equals the parity inside the current one).
 * Counting the quotes of a 1 GB file is a memory-speed pass (from the page
 * cache, which the readers then find warm), so each part's nominal range is
 * counted by its own thread; the cut after a nominal boundary is then found
 * by a short scan that carries the parity forward.  The newlines are
 * counted in the same pass to give each part its line.  pread with a small
 * buffer rather than mmap: a mapping's touched pages count in the
 * process's resident memory, and evaluate's promise is memory well under
 * the input's size.
 */
#include "aigov/csv.h"

#include "aigov/thread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Below this many bytes a part is not worth a thread. */
#define MIN_PART ((uint64_t)1 << 20)
#define BLOCK ((size_t)1 << 18)

struct count_job {
	int fd;
	uint64_t off, len;
	uint64_t quotes, newlines;
	int errnum;           /* of a failed read, else 0 */
	char *buf;            /* BLOCK bytes */
};

/* pread all of [off, off + n) into buf, or fewer at the end of the file. */
static ssize_t read_at(int fd, char *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static void count_block(const char *p, size_t n, uint64_t *quotes, uint64_t *newlines)
{
	size_t i = 0;
	uint64_t q = 0, nl = 0;

#if defined(__SSE2__)
	/* Byte-wide counters (a match is -1: subtracting it adds one), summed
	 * into 64-bit lanes by _mm_sad_epu8 every 255 steps, before a byte
	 * could wrap.  A popcount of each match mask was slower: Debian's
	 * x86-64 baseline has no popcnt instruction, so it became a libgcc
	 * call per 16 bytes (4 % of a two-thread profile, measured). */
	const __m128i vq = _mm_set1_epi8('"'), vn = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	while (i + 16 <= n) {
		__m128i cq = zero, cn = zero, sq, sn;
		for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			cq = _mm_sub_epi8(cq, _mm_cmpeq_epi8(v, vq));
			cn = _mm_sub_epi8(cn, _mm_cmpeq_epi8(v, vn));
		}
		sq = _mm_sad_epu8(cq, zero);
		sn = _mm_sad_epu8(cn, zero);
		q += (uint64_t)_mm_cvtsi128_si64(sq) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sq, sq));
		nl += (uint64_t)_mm_cvtsi128_si64(sn) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sn, sn));
	}
#endif
	for (; i < n; i++) {
		q += p[i] == '"';
		nl += p[i] == '\n';
	}
	*quotes += q;
	*newlines += nl;
}

static void *count_thread(void *arg)
{
	struct count_job *j = arg;

	for (uint64_t done = 0; done < j->len;) {
		size_t want = j->len - done < BLOCK ? (size_t)(j->len - done) : BLOCK;
		ssize_t got = read_at(j->fd, j->buf, want, j->off + done);
		if (got <= 0) {
			j->errnum = got < 0 ? errno : EIO; /* the file shrank */
			break;
		}
		count_block(j->buf, (size_t)got, &j->quotes, &j->newlines);
		done += (uint64_t)got;
	}
	return NULL;
}

/* The first record boundary at or after `at`, given the quote parity and
 * line there: *cut is the offset after that newline (or size), *line its
 * line.  -1 with errno on a read error. */
static int next_boundary(int fd, char *buf, uint64_t size, uint64_t at, bool odd,
			 uint64_t *cut, uint64_t *line)
{
	while (at < size) {
		size_t want = size - at < BLOCK ? (size_t)(size - at) : BLOCK;
		ssize_t got = read_at(fd, buf, want, at);
		if (got <= 0) {
			if (!got)
				errno = EIO;
			return -1;
		}
		for (size_t i = 0; i < (size_t)got; i++) {
			if (buf[i] == '"') {
				odd = !odd;
			} else if (buf[i] == '\n') {
				++*line;
				if (!odd) {
					*cut = at + i + 1;
					return 0;
				}
			}
		}
		at += (uint64_t)got;
	}
	*cut = size;
	return 0;
}

/* Parts from the counts: cut after each nominal boundary. */
static int cut_parts(int fd, uint64_t size, uint64_t from, uint64_t line,
		     const struct count_job *jobs, size_t n, struct ag_csv_part *parts,
		     size_t *nparts)
{
	uint64_t quotes = 0, lines = line, start = from;
	size_t out = 0;

	parts[0].off = from;
	parts[0].line = line;
	for (size_t i = 1; i < n; i++) {
		uint64_t cut, cut_line;

		quotes += jobs[i - 1].quotes;
		lines += jobs[i - 1].newlines;
		if (jobs[i].off < start)
			continue; /* the previous cut ran past this segment */
		cut_line = lines;
		if (next_boundary(fd, jobs[0].buf, size, jobs[i].off, quotes & 1, &cut, &cut_line))
			return -1;
		if (cut >= size)
			break;
		parts[out].len = cut - parts[out].off;
		out++;
		parts[out].off = start = cut;
		parts[out].line = cut_line;
	}
	parts[out].len = size - parts[out].off;
	*nparts = out + 1;
	return 0;
}

int ag_csv_split(const char *path, uint64_t from, uint64_t line, size_t n,
		 struct ag_csv_part *parts, size_t *nparts, struct ag_err *err)
{
	struct count_job jobs[AG_CSV_MAX_PARTS];
	struct stat st;
	uint64_t size, total, seg;
	int fd, rc = 0;

	*nparts = 0;
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return ag_err_set(err, AG_EIO, "%s: %s", path,
				  strcmp(path, "-") ? strerror(errno) : "cannot split a pipe");
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return ag_err_set(err, AG_EIO, "%s: not a regular file, cannot be split", path);
	}
	size = (uint64_t)st.st_size;
	total = from < size ? size - from : 0;
	if (n > AG_CSV_MAX_PARTS)
		n = AG_CSV_MAX_PARTS;
	if (n > total / MIN_PART)
		n = (size_t)(total / MIN_PART);
	if (n <= 1) {
		close(fd);
		parts[0] = (struct ag_csv_part){ from, total, line };
		*nparts = 1;
		return 0;
	}
	seg = total / n;
	memset(jobs, 0, sizeof(jobs));
	for (size_t i = 0; i < n; i++) {
		jobs[i].fd = fd;
		jobs[i].off = from + i * seg;
		jobs[i].len = i + 1 < n ? seg : total - i * seg;
		if (!(jobs[i].buf = malloc(BLOCK)))
			rc = ag_err_set(err, AG_ENOMEM, "out of memory");
	}
	if (!rc) {
		ag_run_parallel(count_thread, jobs, sizeof(jobs[0]), n);
		for (size_t i = 0; !rc && i < n; i++)
			if (jobs[i].errnum)
				rc = ag_err_set(err, AG_EIO, "%s: read: %s", path, strerror(jobs[i].errnum));
	}
	if (!rc && cut_parts(fd, size, from, line, jobs, n, parts, nparts))
		rc = ag_err_set(err, AG_EIO, "%s: read: %s", path, strerror(errno));
	for (size_t i = 0; i < n; i++)
		free(jobs[i].buf);
	close(fd);
	return rc;
}

bool ag_csv_splittable(const char *path)
{
	struct stat st;

	return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
