/*
 * spool.c - the private copy of one message that xd-filter(1) checks,
 * and the room for what it will write back.
 *
 * A spool is a directory $TMPDIR/xd-filter.XXXXXX, mode 0700, holding
 * "msg" (the message as it came) and "out" (the marked message).  The
 * room for "out" is taken before any check runs, so that a full disk
 * is found while the caller can still give the message back.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "verdict/verdict.h"

#define SPOOL_PREFIX	"xd-filter."
#define COPY_CHUNK	65536
#define SWEEP_FILES	16	/* a spool has two files; more is not ours */

static void
spool_zero(struct spool *s)
{
	memset(s, 0, sizeof(*s));
	s->msgfd = s->outfd = -1;
}

/* Make the spool directory and its empty "msg" and "out". */
int
spool_open(struct spool *s, const char *tmpdir, const char **why)
{
	spool_zero(s);
	xasprintf(&s->dir, "%s/%sXXXXXX", tmpdir, SPOOL_PREFIX);
	if (mkdtemp(s->dir) == NULL) {
		*why = "cannot make a spool directory";
		free(s->dir);
		s->dir = NULL;
		return -1;
	}
	xasprintf(&s->msg, "%s/msg", s->dir);
	xasprintf(&s->out, "%s/out", s->dir);
	s->msgfd = open(s->msg, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (s->msgfd != -1)
		s->outfd = open(s->out, O_RDWR | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->outfd == -1) {
		*why = "cannot create the spool files";
		return -1;
	}
	return 0;
}

/* Copy all of in into the spool's "msg"; s->st is then its fstat. */
int
spool_fill(struct spool *s, int in, const char **why)
{
	char *buf = xmalloc(COPY_CHUNK);
	ssize_t r;
	int rc = -1;

	*why = "cannot read the message";
	while ((r = xd_read(in, buf, COPY_CHUNK)) > 0)
		if (xd_write_all(s->msgfd, buf, (size_t)r) == -1) {
			*why = "cannot write the spool";
			goto done;
		}
	if (r == -1)
		goto done;
	*why = "cannot write the spool";
	if (fstat(s->msgfd, &s->st) == -1 || lseek(s->msgfd, 0, SEEK_SET) == -1)
		goto done;
	rc = 0;
done:
	free(buf);
	return rc;
}

/*
 * Take room for extra bytes in "out" without making it longer, so that
 * its size is still what was written into it.  A file system that
 * cannot reserve is asked how much room it has.
 */
int
spool_reserve(struct spool *s, off_t extra, const char **why)
{
	struct statvfs vfs;
	off_t want = s->st.st_size + extra;

	*why = "no room for the output in the spool";
	if (fallocate(s->outfd, FALLOC_FL_KEEP_SIZE, 0, want) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return -1;
	if (fstatvfs(s->outfd, &vfs) == -1)
		return -1;
	if ((unsigned long long)vfs.f_bavail * vfs.f_frsize <
	    (unsigned long long)want) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* Remove what spool_open made; the spool is empty afterwards. */
void
spool_remove(struct spool *s)
{
	if (s->msgfd != -1)
		close(s->msgfd);
	if (s->outfd != -1)
		close(s->outfd);
	if (s->msg != NULL)
		unlink(s->msg);
	if (s->out != NULL)
		unlink(s->out);
	if (s->dir != NULL)
		rmdir(s->dir);
	free(s->dir);
	free(s->msg);
	free(s->out);
	spool_zero(s);
}

/*
 * Whether the directory fd and every file in it are older than cutoff;
 * it must hold only regular files, few of them: else it is no spool.
 */
static int
stale_files(int fd, time_t cutoff)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int n = 0, stale = 1, dfd;

	if ((dfd = dup(fd)) == -1 || (d = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return 0;
	}
	rewinddir(d);	/* a dup shares the offset with fd */
	while (stale && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (++n > SWEEP_FILES ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) || st.st_mtime >= cutoff)
			stale = 0;
	}
	closedir(d);
	return stale;
}

/* Remove one leftover spool: its files, then the directory. */
static int
sweep_one(int tfd, const char *name, time_t cutoff)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd, dfd;

	if (fstatat(tfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_mtime >= cutoff)
		return 0;
	fd = openat(tfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return 0;
	if (!stale_files(fd, cutoff) || (dfd = dup(fd)) == -1 ||
	    (d = fdopendir(dfd)) == NULL) {
		close(fd);
		return 0;
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(fd, e->d_name, 0);
	closedir(d);
	close(fd);
	return unlinkat(tfd, name, AT_REMOVEDIR) == 0;
}

/*
 * Remove the spools in tmpdir that a killed xd-filter left: this user's
 * xd-filter.* directories whose files are all older than age seconds.
 * Returns how many went, or -1 if tmpdir cannot be read.
 */
int
spool_sweep(const char *tmpdir, time_t age)
{
	struct dirent *e;
	time_t cutoff = time(NULL) - age;
	DIR *d;
	int n = 0;

	if ((d = opendir(tmpdir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, SPOOL_PREFIX, strlen(SPOOL_PREFIX)) == 0)
			n += sweep_one(dirfd(d), e->d_name, cutoff);
	closedir(d);
	return n;
}

static int
forged_name(const char *p, off_t n)
{
	return (n >= 7 && strncasecmp(p, "X-Spam-", 7) == 0) ||
	    (n >= 5 && strncasecmp(p, "X-XD-", 5) == 0);
}

/* Whether the line at off of the message starts a forged field. */
static int
forged_at(int fd, const char *buf, ssize_t avail, off_t off, off_t len)
{
	char name[7];
	ssize_t r;

	if (avail > len - off)
		avail = (ssize_t)(len - off);
	if (avail >= (ssize_t)sizeof(name))
		return forged_name(buf, avail);
	/* The name runs past the buffer: read it on its own. */
	r = pread(fd, name, (size_t)(len - off < 7 ? len - off : 7), off);
	return r > 0 && forged_name(name, r);
}

/*
 * How many bytes of the message at fd are in X-Spam-* and X-XD-* fields,
 * with their continuation lines, which xd-act drops.  Counted
 * generously, since the result only bounds how much shorter than the
 * original a marked copy may be: lines end at LF or at a lone CR,
 * whatever the message uses, and the whole message is read, body and
 * all, so that no way of ending the header is missed.
 */
off_t
spool_forged_bytes(int fd, off_t len)
{
	char *buf = xmalloc(COPY_CHUNK);
	off_t pos = 0, forged = 0, start = 0, at;
	int prev = '\n', in_forged = 0;
	ssize_t r, i;

	while (pos < len && (r = pread(fd, buf, COPY_CHUNK, pos)) > 0) {
		for (i = 0; i < r && pos + i < len; i++) {
			at = pos + i;
			if (prev == '\n' || (prev == '\r' && buf[i] != '\n')) {
				if (in_forged)
					forged += at - start;
				start = at;
				if (buf[i] != ' ' && buf[i] != '\t')
					in_forged = forged_at(fd, buf + i, r - i,
					    at, len);
			}
			prev = (unsigned char)buf[i];
		}
		pos += r;
	}
	if (in_forged)
		forged += (pos < len ? pos : len) - start;
	free(buf);
	return forged;
}
