/*
 * maildir.c - delivering raw message bytes into maildirs without ever
 * losing or overwriting mail.
 *
 * A message is written to DIR/tmp/NAME, fsync'd, and given its place in
 * DIR/new/ by link(2), which fails rather than replace a file that is
 * already there; then the directory is fsync'd.  Only after all of that
 * succeeded may a caller remove the source (maildir_move, which within
 * one file system renames instead).
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"

#define COPY_CHUNK	65536
#define NAME_TRIES	64	/* fresh names to try before giving up */

static int
mkdir_0700(const char *path)
{
	struct stat st;

	/* A new directory is only there after a crash once the entry
	 * in its parent is on disk: --move removes sources after this. */
	if (mkdir(path, 0700) == 0)
		return xd_fsync_parent(path);
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/*
 * Make dir a maildir: dir itself (not its parents: a mistyped path
 * should fail, not grow a tree) and tmp/ new/ cur/, mode 0700.
 */
int
maildir_create(const char *dir)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char *p;
	size_t i;
	int rc = 0;

	if (mkdir_0700(dir) == -1) {
		xd_warn("%s", dir);
		return -1;
	}
	for (i = 0; i < 3 && rc == 0; i++) {
		xasprintf(&p, "%s/%s", dir, sub[i]);
		if ((rc = mkdir_0700(p)) == -1)
			xd_warn("%s", p);
		free(p);
	}
	return rc;
}

/*
 * The maildir of a folder: "" or "." is dir itself, an absolute name is
 * used as it is, anything else is a Maildir++ folder such as ".Spam"
 * below dir.  The folder is created, with the "maildirfolder" marker
 * Courier and Dovecot look for.  NULL (with a warning) on failure.
 */
char *
maildir_folder(const char *dir, const char *folder)
{
	char *path, *marker;
	int fd;

	if (folder[0] == '\0' || strcmp(folder, ".") == 0)
		path = xstrdup(dir);
	else if (folder[0] == '/')
		path = xstrdup(folder);
	else {
		if (maildir_create(dir) == -1)
			return NULL;
		xasprintf(&path, "%s/%s", dir, folder);
	}
	if (maildir_create(path) == -1) {
		free(path);
		return NULL;
	}
	if (folder[0] == '.' && folder[1] != '\0' && folder[1] != '/') {
		xasprintf(&marker, "%s/maildirfolder", path);
		fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0600);
		if (fd != -1)
			close(fd);
		free(marker);
	}
	return path;
}

/*
 * Whether path already lies in dir/new/ or dir/cur/: delivering it there
 * again would only make a second copy.
 */
int
maildir_contains(const char *dir, const char *path)
{
	char *rdir, *rpath, *slash;
	int in = 0;

	if ((rdir = realpath(dir, NULL)) == NULL)
		return 0;
	if ((rpath = realpath(path, NULL)) == NULL) {
		free(rdir);
		return 0;
	}
	if ((slash = strrchr(rpath, '/')) != NULL && slash > rpath) {
		*slash = '\0';
		if ((slash = strrchr(rpath, '/')) != NULL &&
		    (strcmp(slash, "/new") == 0 || strcmp(slash, "/cur") == 0)) {
			*slash = '\0';
			in = strcmp(rpath[0] ? rpath : "/", rdir) == 0;
		}
	}
	free(rdir);
	free(rpath);
	return in;
}

/* This host's name as the maildir spec wants it: '/' and ':' escaped. */
static const char *
host_part(void)
{
	static char host[256 * 4 + 1];
	char raw[256];
	size_t i, n = 0;

	if (host[0] != '\0')
		return host;
	if (gethostname(raw, sizeof(raw)) == -1 || raw[0] == '\0')
		strcpy(raw, "localhost");
	raw[sizeof(raw) - 1] = '\0';
	for (i = 0; raw[i] != '\0'; i++) {
		if (raw[i] == '/' || raw[i] == ':') {
			n += (size_t)snprintf(host + n, sizeof(host) - n,
			    "\\%03o", (unsigned char)raw[i]);
		} else
			host[n++] = raw[i];
	}
	host[n] = '\0';
	return host;
}

/* A name no other delivery of this or any other process will use. */
static char *
unique_name(void)
{
	static unsigned long counter;
	struct timeval tv;
	char *name;

	gettimeofday(&tv, NULL);
	xasprintf(&name, "%lld.M%ldP%ldQ%lu.%s", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), ++counter, host_part());
	return name;
}

/*
 * Open the message a locator names and put the file offset where it
 * starts; *len is set to its length.  Only regular files: a device or a
 * FIFO has no length to bound the copy.  -1 with *why set on failure.
 */
int
maildir_open(const struct locator *loc, off_t *len, const char **why)
{
	struct stat st;
	int fd, e;

	if ((fd = open(loc->path, O_RDONLY | O_CLOEXEC)) == -1) {
		*why = "unreadable";
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		*why = "unreadable";
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		*why = "not-a-file";
		goto fail;
	}
	/* The same names rec_locate and xd-parse give such locators. */
	errno = EINVAL;
	if (loc->offset > st.st_size) {
		*why = "bad-offset";
		goto fail;
	}
	*len = loc->length >= 0 ? loc->length : st.st_size - loc->offset;
	if (*len > st.st_size - loc->offset) {
		*why = "bad-length";
		goto fail;
	}
	if (lseek(fd, loc->offset, SEEK_SET) == -1) {
		*why = "unreadable";
		goto fail;
	}
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Copy exactly len bytes from in to out. */
static int
copy_bytes(int in, int out, off_t len, const char **why)
{
	char buf[COPY_CHUNK];
	ssize_t r;
	size_t want;

	while (len > 0) {
		want = len < (off_t)sizeof(buf) ? (size_t)len : sizeof(buf);
		if ((r = xd_read(in, buf, want)) <= 0) {
			if (r == 0)
				errno = EIO;
			*why = r == 0 ? "short-message" : "unreadable";
			return -1;
		}
		if (xd_write_all(out, buf, (size_t)r) == -1) {
			*why = "cannot-write";
			return -1;
		}
		len -= r;
	}
	return 0;
}

/* Write the message to a fresh file in dir/tmp; returns its path. */
static char *
write_tmp(const char *dir, int in, off_t len, const char **why)
{
	char *name, *path = NULL;
	int fd = -1, e, i;

	for (i = 0; i < NAME_TRIES && fd == -1; i++) {
		free(path);
		name = unique_name();
		xasprintf(&path, "%s/tmp/%s", dir, name);
		free(name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1) {
		*why = "cannot-create";
		free(path);
		return NULL;
	}
	if (copy_bytes(in, fd, len, why) == -1)
		goto fail;
	if (fsync(fd) == -1) {
		*why = "cannot-sync";
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		*why = "cannot-write";
		goto fail;
	}
	return path;
fail:
	e = errno;
	if (fd != -1)
		close(fd);
	unlink(path);
	free(path);
	errno = e;
	return NULL;
}

/*
 * Give the file tmp a name in dir/new that no file has yet.  link(2)
 * refuses to replace; where a file system has no hard links,
 * renameat2(RENAME_NOREPLACE) does the same.  Never rename(2) over a
 * name: that would destroy the mail already there.
 */
static char *
place_new(const char *dir, const char *tmp, const char **why)
{
	char *name, *dst = NULL;
	int i, rc = -1;

	for (i = 0; i < NAME_TRIES; i++) {
		free(dst);
		/* The name it had in tmp/ first, as the maildir spec has it. */
		name = i == 0 ? xstrdup(strrchr(tmp, '/') + 1) : unique_name();
		xasprintf(&dst, "%s/new/%s", dir, name);
		free(name);
		if ((rc = link(tmp, dst)) == 0)
			break;
		if (errno == EEXIST)
			continue;
		if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP &&
		    errno != EMLINK && errno != ENOSYS)
			break;
		if ((rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, dst,
		    RENAME_NOREPLACE)) == 0 || errno != EEXIST)
			break;
	}
	if (rc == -1) {
		*why = "cannot-link";
		free(dst);
		return NULL;
	}
	/* After renameat2 tmp is gone; after link it is a second name. */
	if (unlink(tmp) == -1 && errno != ENOENT)
		xd_warn("%s", tmp);
	return dst;
}

/* The absolute form of path, for action= and for people. */
static char *
absolute(const char *path)
{
	char *cwd, *p;

	if (path[0] == '/')
		return xstrdup(path);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return xstrdup(path);
	xasprintf(&p, "%s/%s", cwd, path);
	free(cwd);
	return p;
}

/*
 * Deliver len bytes read from in (at its current offset) into the
 * maildir dir, which must exist (maildir_create).  Returns the new
 * file's absolute path, or NULL with *why and errno set; then nothing
 * is left behind in tmp/ and nothing in new/.
 */
char *
maildir_deliver_fd(const char *dir, int in, off_t len, const char **why)
{
	char *adir, *tmp, *dst;
	int e;

	adir = absolute(dir);
	if ((tmp = write_tmp(adir, in, len, why)) == NULL) {
		free(adir);
		return NULL;
	}
	dst = place_new(adir, tmp, why);
	e = errno;
	if (dst == NULL)
		unlink(tmp);
	free(tmp);
	if (dst != NULL) {
		char *newdir;

		xasprintf(&newdir, "%s/new", adir);
		if (xd_fsync_dir(newdir) == -1) {
			/* In place but maybe not on disk: say so, keep it. */
			e = errno;
			xd_warn("%s: delivered but not synced", dst);
			*why = "cannot-sync";
			free(dst);
			dst = NULL;
		}
		free(newdir);
	}
	free(adir);
	errno = e;
	return dst;
}

/*
 * A message from an mbox, or a file written by one, starts with the
 * mbox's "From " line, which is no part of the message in a maildir:
 * skip it.  No header field can start so.  (Its ">From " lines stay as
 * they are: which mbox variant quoted them cannot be known.)
 */
static int
skip_from_line(int fd, const struct locator *loc, off_t *len)
{
	off_t n;
	int mode;

	/* where a From_ line ends is eol.c's to say, as for the parser */
	if (eol_from_line(fd, loc->offset, *len, &n, &mode) == -1)
		return -1;
	if (n == 0)
		return 0;
	if (lseek(fd, loc->offset + n, SEEK_SET) == -1)
		return -1;
	*len -= n;
	return 0;
}

/*
 * Deliver the message a locator names into dir (see above), without
 * an mbox "From " line.
 */
char *
maildir_deliver(const char *dir, const struct locator *loc, const char **why)
{
	char *dst;
	off_t len;
	int fd, e;

	if ((fd = maildir_open(loc, &len, why)) == -1)
		return NULL;
	if (skip_from_line(fd, loc, &len) == -1) {
		*why = "unreadable";
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	dst = maildir_deliver_fd(dir, fd, len, why);
	e = errno;
	close(fd);
	errno = e;
	return dst;
}

/* Whether a and b are the same file, unchanged. */
static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size && a->st_mtime == b->st_mtime;
}

/* Sync the directory that holds path; a warning is all a failure gets. */
static void
sync_parent(const char *path)
{
	char *parent, *slash;

	parent = xstrdup(path);
	if ((slash = strrchr(parent, '/')) == NULL)
		strcpy(parent, ".");
	else if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (xd_fsync_dir(parent) == -1)
		xd_warn("%s", parent);
	free(parent);
}

/* Whether the file starts with an mbox From_ line, which a copy drops. */
static int
starts_from_line(const char *path)
{
	char head[5];
	int fd;
	ssize_t r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	do
		r = pread(fd, head, sizeof(head), 0);
	while (r == -1 && errno == EINTR);
	close(fd);
	return r == 5 && memcmp(head, "From ", 5) == 0;
}

/*
 * Give path the name dst without ever replacing a file: renameat2 with
 * RENAME_NOREPLACE, or where the file system does not have it, link(2)
 * and unlink(2).  Returns 0, or -1 with errno (EEXIST: dst is taken).
 * After a link whose unlink failed, *both is set: the file has two
 * names.
 */
static int
rename_noreplace(const char *path, const char *dst, int *both)
{
	*both = 0;
	if (renameat2(AT_FDCWD, path, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(path, dst) == -1)
		return -1;
	if (unlink(path) == -1)
		*both = 1;
	return 0;
}

/*
 * Where a moved message goes in dir: a file of a maildir's new/ or cur/
 * keeps its unique name and its flags (":2,S") and goes to the same
 * subdirectory, so a mail reader sees it as it was; any other file gets
 * a new name in new/.  The name is tried first, a fresh one after.
 */
static char *
move_target(const char *adir, const char *path, int try)
{
	const char *base = strrchr(path, '/'), *sub = "new", *info = "";
	char *dst, *name;
	size_t n;

	base = base != NULL ? base + 1 : path;
	n = (size_t)(base - path);
	if (n >= 4 && (n == 4 || path[n - 5] == '/') &&
	    (strncmp(path + n - 4, "new/", 4) == 0 ||
	    strncmp(path + n - 4, "cur/", 4) == 0) && base[0] != '.' &&
	    base[0] != '\0') {
		sub = path[n - 4] == 'c' ? "cur" : "new";
		if (try == 0) {
			xasprintf(&dst, "%s/%s/%s", adir, sub, base);
			return dst;
		}
		if ((info = strstr(base, ":2,")) == NULL)
			info = "";
	}
	name = unique_name();
	xasprintf(&dst, "%s/%s/%s%s", adir, sub, name, info);
	free(name);
	return dst;
}

/* Sync the subdirectory of dir that holds dst. */
static int
sync_target(const char *dst)
{
	char *parent = xstrdup(dst);
	int rc;

	*strrchr(parent, '/') = '\0';
	rc = xd_fsync_dir(parent);
	free(parent);
	return rc;
}

/*
 * Move path into dir within one file system (move_target says where):
 * one rename, so the message is in one place or the other whenever the
 * process dies.  Returns 0 or -1 as maildir_move does, or 1 when it
 * cannot be done so (another file system, no such rename, a From_ line
 * to drop): then the caller copies.
 */
static int
move_by_rename(const char *dir, const char *path, char **newpath,
    const char **why)
{
	char *adir, *dst = NULL;
	int i, both = 0, rc = -1;

	if (starts_from_line(path))
		return 1;
	adir = absolute(dir);
	for (i = 0; i < NAME_TRIES && rc == -1; i++) {
		free(dst);
		dst = move_target(adir, path, i);
		if ((rc = rename_noreplace(path, dst, &both)) == -1 &&
		    errno != EEXIST)
			break;
	}
	free(adir);
	if (rc == -1) {
		free(dst);
		return 1;	/* the copy says what is wrong, if anything */
	}
	*newpath = dst;
	rc = 0;
	if (sync_target(dst) == -1) {
		xd_warn("%s: moved but not synced", dst);
		*why = "cannot-sync";
		rc = -1;
	} else if (both) {
		*why = "cannot-remove";
		rc = -1;
	}
	if (!both)
		sync_parent(path);
	return rc;
}

/*
 * A copy delivered into dir/new takes the name and place the original
 * had (move_target); where it cannot, it stays as delivered.
 */
static void
settle_copy(const char *dir, const char *path, char **newpath)
{
	char *adir = absolute(dir), *dst;
	int both;

	dst = move_target(adir, path, 0);
	free(adir);
	if (strcmp(dst, *newpath) != 0 &&
	    rename_noreplace(*newpath, dst, &both) == 0 && !both &&
	    sync_target(dst) == 0) {
		sync_parent(*newpath);
		free(*newpath);
		*newpath = dst;
	} else
		free(dst);
}

/*
 * Move the file path into the maildir dir.  Within one file system it
 * is renamed into dir/new or dir/cur (move_by_rename).  Across file systems a copy
 * is delivered, and path removed only once the copy is safely in place,
 * and only if path is still the file that was copied (a mail program
 * may rename or rewrite files of a maildir meanwhile): a kill between
 * the two leaves the message in both places, never in neither.
 * Returns 0, or -1 with *why set; *newpath is the message's new path
 * when it got one (also when the source was kept: then the message
 * exists twice, never zero times).
 */
int
maildir_move(const char *dir, const char *path, char **newpath,
    const char **why)
{
	struct locator loc = { (char *)(uintptr_t)path, 0, -1 };
	struct stat before, after;
	int rc;

	*newpath = NULL;
	if (lstat(path, &before) == -1) {
		*why = "unreadable";
		return -1;
	}
	if (S_ISREG(before.st_mode) &&
	    (rc = move_by_rename(dir, path, newpath, why)) != 1)
		return rc;
	*newpath = maildir_deliver(dir, &loc, why);
	if (*newpath == NULL)
		return -1;
	if (!starts_from_line(path))
		settle_copy(dir, path, newpath);
	if (lstat(path, &after) == -1 || !same_file(&before, &after)) {
		*why = "source-changed";
		return -1;
	}
	if (unlink(path) == -1) {
		*why = "cannot-remove";
		return -1;
	}
	sync_parent(path);
	return 0;
}
