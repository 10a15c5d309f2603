/*
 * fileio.c - whole reads and writes that survive signals and short
 * counts, and the directory syncs that make a rename durable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

/* read(2) that is not cut short by a signal. */
ssize_t
xd_read(int fd, void *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r == -1 && errno == EINTR);
	return r;
}

/* Write all n bytes, whatever write(2) takes at a time; -1 on error. */
int
xd_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync(2) a directory, so that a rename or link in it is on disk. */
int
xd_fsync_dir(const char *dir)
{
	int fd, rc, e;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	/* Some file systems cannot sync a directory; that is no failure. */
	if (rc == -1 && (errno == EINVAL || errno == EROFS))
		rc = 0;
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* Sync the directory that holds path. */
int
xd_fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	dir = slash == NULL ? xstrdup(".") :
	    xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	rc = xd_fsync_dir(dir);
	free(dir);
	return rc;
}

/*
 * Read a line-oriented file (configuration, weights, policy, rules):
 * each line, without its newline, goes to parse(), which returns NULL or
 * why the line is wrong.  Every wrong line is reported as path:line, a
 * line longer than maxline is one of them, and the result is -1 if any
 * line was wrong or the file could not be read.
 */
int
xd_read_lines(FILE *fp, const char *path, size_t maxline,
    const char *(*parse)(void *, char *, unsigned long), void *arg)
{
	char *line = xmalloc(maxline + 2);
	unsigned long lineno = 0;
	const char *why;
	size_t len;
	int c, rc = 0;

	while (fgets(line, (int)maxline + 2, fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == maxline + 1 && line[len - 1] != '\n') {
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			why = "line too long";
		} else {
			if (len > 0 && line[len - 1] == '\n')
				line[--len] = '\0';
			why = parse(arg, line, lineno);
		}
		if (why != NULL) {
			xd_warnx("%s:%lu: %s", path, lineno, why);
			rc = -1;
		}
	}
	if (ferror(fp)) {
		xd_warn("%s", path);
		rc = -1;
	}
	free(line);
	return rc;
}
