/*
 * store_compact.c - an LMDB store copied over itself without its free
 * pages, each database's pages in key order (MDB_CP_COMPACT).
 *
 * Why: a store grown by learning is a third or more free pages (each
 * write transaction copies the pages it changes; the old copies wait in
 * LMDB's free list), and the pages of its tables lie mixed through the
 * file.  A reader faults in the neighbours of every page it reads
 * (Linux's fault-around maps up to 16 cached pages per fault, whatever
 * madvise() says; MDB_NORDAHEAD only stops readahead), so a batch of
 * xd-bayes's lookups mapped nearly all of the file.  In key order one
 * table's records are one stretch of the file, and its reader maps
 * that stretch.
 *
 * The copy replaces the file only when no other process has the store
 * open: one that had it would go on with the old file, its writes lost.
 * LMDB's lock file says so: every process with the environment open
 * holds a shared fcntl(2) lock of its first byte, so an exclusive one
 * is had only by a process that is alone (fcntl locks are per process:
 * ours upgrades).  Held through the copy and the rename, it makes a
 * process that opens the store meanwhile wait in mdb_env_open() before
 * it opens the data file, so that it opens the new one.  The lock
 * file's state (the last transaction's number) is of the old file: a
 * second environment, opened on the new file while the lock is still
 * ours alone, is LMDB's first user and sets it anew.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "store/store.h"
#include "store/store_int.h"

static int
say(char *err, size_t n, const char *path, const char *what, int e)
{
	snprintf(err, n, "%s: compacting: %s%s%s", path, what,
	    e ? ": " : "", e ? strerror(e) : "");
	return -1;
}

/* The lock file's first byte for this process alone; -1: shared. */
static int
lock_alone(const char *path, int *lfd)
{
	char lpath[PATH_MAX];
	struct flock fl;

	*lfd = -1;
	if (snprintf(lpath, sizeof(lpath), "%s-lock", path) >=
	    (int)sizeof(lpath))
		return -1;
	if ((*lfd = open(lpath, O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 1;
	return fcntl(*lfd, F_SETLK, &fl);
}

/* The lock file made the new file's, by LMDB as its first user. */
static const char *
reset_locks(const char *path, size_t mapsize, char *err, size_t n)
{
	MDB_env *env;
	const char *bad;
	int wfd;

	if ((bad = lmdb_open_env(path, mapsize, &env, &wfd, err, n)) != NULL)
		return bad;
	mdb_env_close(env);
	close(wfd);
	return NULL;
}

/*
 * Compact the store at path, open in env (which no other handle of the
 * process shares): 1 done, *before and *after the file's sizes; 0 not,
 * as another process has it open; -1, why in err.  The caller closes
 * env after it whatever came of it, and with it the last descriptor of
 * the lock file this opened (*lfd), which lets go of the lock.
 */
int
lmdb_compact_file(MDB_env *env, const char *path, int *lfd,
    long long *before, long long *after, char *err, size_t n)
{
	char tmp[PATH_MAX];
	struct stat sb;
	MDB_envinfo info;
	int fd, rc;

	if (lock_alone(path, lfd) != 0)
		return 0;
	if (stat(path, &sb) != 0)
		return say(err, n, path, "the file", errno);
	*before = sb.st_size;
	if (snprintf(tmp, sizeof(tmp), "%s.compact.XXXXXX", path) >=
	    (int)sizeof(tmp))
		return say(err, n, path, "a name too long", 0);
	if ((fd = mkstemp(tmp)) == -1)
		return say(err, n, path, "a file beside it", errno);
	if (fchmod(fd, sb.st_mode & 07777) != 0)
		rc = errno;
	else if ((rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT)) == 0 &&
	    fsync(fd) != 0)
		rc = errno;
	if (close(fd) != 0 && rc == 0)
		rc = errno;
	if (rc == 0 && fstatat(AT_FDCWD, tmp, &sb, 0) != 0)
		rc = errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = errno;
	if (rc != 0) {
		unlink(tmp);
		return say(err, n, path, mdb_strerror(rc), 0);
	}
	*after = sb.st_size;
	mdb_env_info(env, &info);
	if (reset_locks(path, info.me_mapsize, err, n) != NULL)
		return -1;
	return 1;
}
