/*
 * store_place.c - where an LMDB store lives, and who may write it:
 * the checks of its directory and files before LMDB opens them, and
 * the lock that keeps checkers from waiting on learners.  For
 * store_lmdb.c; see xd-store(5).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "base/base.h"
#include "store/store.h"
#include "store/store_int.h"

/* "file: what", or without what "file: strerror(errno)", into err. */
static const char *
say(char *err, size_t n, const char *file, const char *what)
{
	snprintf(err, n, "%s: %s", file, what ? what : strerror(errno));
	return err;
}

#define MAXREADERS	512		/* processes reading at once */

/* The directory of the file, made if it is the only part missing. */
static int
make_dir(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			rc = -1;
	}
	free(dir);
	return rc;
}

/* NULL if f is absent or a plain file of ours; else what is wrong. */
static const char *
not_ours(const char *f, char *err, size_t n)
{
	struct stat sb;

	if (lstat(f, &sb) == -1)
		return errno == ENOENT ? NULL : say(err, n, f, NULL);
	if (!S_ISREG(sb.st_mode))
		return say(err, n, f, "not a plain file");
	if (sb.st_uid != geteuid())
		return say(err, n, f, "belongs to another user");
	return NULL;
}

/*
 * LMDB opens the file and its lock file itself, and whoever may write
 * their directory may put a file of theirs or a symbolic link there:
 * the directory must be the user's and no one else's to write, the
 * files, if they are there yet, the user's own.  A missing directory
 * is fine; make_dir() makes it, private.  NULL, or why not, in err.
 */
const char *
lmdb_check_place(const char *path, char *err, size_t n)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *lock;
	const char *bad = NULL;
	struct stat sb;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (stat(dir, &sb) == -1) {
		if (errno != ENOENT)
			bad = say(err, n, dir, NULL);
	} else if (sb.st_uid != geteuid())
		bad = say(err, n, dir,
		    "the store's directory belongs to another user");
	else if (sb.st_mode & (S_IWGRP | S_IWOTH))
		bad = say(err, n, dir, "the store's directory may be written "
		    "by others (chmod go-w)");
	free(dir);
	if (bad != NULL || (bad = not_ours(path, err, n)) != NULL)
		return bad;
	xasprintf(&lock, "%s-lock", path);
	bad = not_ours(lock, err, n);
	free(lock);
	return bad;
}

/*
 * Writers take an flock(2) of the file (fd) before LMDB's writer lock:
 * learners an exclusive one, as long as it takes; a checker that must
 * not wait (dont_wait) a shared one, at once or not at all, and *busy
 * says it was not to be had.  So checkers wait for each other's short
 * batches in LMDB's lock, never for a learner's, and a learner waits
 * for the checkers in flight.  The lock is of the data file, which LMDB
 * locks in no way of its own: an fcntl(2) lock, the kind LMDB takes on
 * its lock file, would be lost when any descriptor of the file closed.
 * NULL, or why not, in err; flock(fd, LOCK_UN) lets go.
 */
const char *
lmdb_writer_lock(int fd, int dont_wait, int *busy, const char *path,
    char *err, size_t n)
{
	int op = dont_wait ? LOCK_SH | LOCK_NB : LOCK_EX;

	while (flock(fd, op) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK && dont_wait) {
			*busy = 1;
			return say(err, n, path,
			    "a learner is writing to the store");
		}
		return say(err, n, path, NULL);
	}
	return NULL;
}

void
lmdb_writer_unlock(int fd)
{
	flock(fd, LOCK_UN);
}

/*
 * Open the LMDB environment of the store at path, mapping at most
 * mapsize bytes, and in *wfd the file for lmdb_writer_lock().  NULL, or
 * why not in err, with *env NULL.  Opening takes no lock a writer holds.
 */
const char *
lmdb_open_env(const char *path, size_t mapsize, MDB_env **env, int *wfd,
    char *err, size_t n)
{
	const char *bad;
	int rc, dead;

	*env = NULL;
	*wfd = -1;
	if (make_dir(path) != 0) {
		snprintf(err, n, "%s: cannot make its directory: %s", path,
		    strerror(errno));
		return err;
	}
	if ((bad = lmdb_check_place(path, err, n)) != NULL)
		return bad;
	if ((rc = mdb_env_create(env)) != 0) {
		*env = NULL;
		return say(err, n, path, mdb_strerror(rc));
	}
	mdb_env_set_maxdbs(*env, 3);
	mdb_env_set_maxreaders(*env, MAXREADERS);
	mdb_env_set_mapsize(*env, mapsize);
	rc = mdb_env_open(*env, path,
	    MDB_NOSUBDIR | MDB_NOMETASYNC | MDB_NORDAHEAD, 0600);
	if (rc == 0 && (*wfd = open(path, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		rc = errno;
	if (rc != 0) {
		say(err, n, path, mdb_strerror(rc));
		mdb_env_close(*env);
		*env = NULL;
		return err;
	}
	/* reader slots of processes that died */
	mdb_reader_check(*env, &dead);
	return NULL;
}
