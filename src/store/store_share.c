/*
 * store_share.c - one LMDB environment per store file in a process.
 * LMDB forbids opening one file twice in a process (its locks would
 * not hold), and each opening maps all of store_size: xd-check(1),
 * where xd-cksum's and xd-bayes's stages each open the store, shares
 * one environment between their handles.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "base/base.h"
#include "store/store.h"
#include "store/store_int.h"

#define SHARED_MAX	8

static struct shared {
	char	*path;
	MDB_env	*env;
	int	 wfd;
	int	 refs;
} shared[SHARED_MAX];

/* As lmdb_open_env(), or the environment already open on path. */
const char *
lmdb_shared_env(const char *path, size_t mapsize, MDB_env **env, int *wfd,
    char *err, size_t n)
{
	const char *bad;
	size_t i;

	for (i = 0; i < SHARED_MAX; i++)
		if (shared[i].refs > 0 && strcmp(shared[i].path, path) == 0) {
			shared[i].refs++;
			*env = shared[i].env;
			*wfd = shared[i].wfd;
			return NULL;
		}
	if ((bad = lmdb_open_env(path, mapsize, env, wfd, err, n)) != NULL)
		return bad;
	for (i = 0; i < SHARED_MAX; i++)
		if (shared[i].refs == 0) {
			shared[i].path = xstrdup(path);
			shared[i].env = *env;
			shared[i].wfd = *wfd;
			shared[i].refs = 1;
			break;
		}
	return NULL;
}

/* Whether env is the only handle's that holds it in the process. */
int
lmdb_shared_alone(const MDB_env *env)
{
	size_t i;

	for (i = 0; i < SHARED_MAX; i++)
		if (shared[i].refs > 0 && shared[i].env == env)
			return shared[i].refs == 1;
	return 1;
}

/* The handle is done with env: closed once no other holds it. */
void
lmdb_shared_close(MDB_env *env, int wfd)
{
	size_t i;

	for (i = 0; i < SHARED_MAX; i++)
		if (shared[i].refs > 0 && shared[i].env == env) {
			if (--shared[i].refs > 0)
				return;
			free(shared[i].path);
			break;
		}
	if (env != NULL)
		mdb_env_close(env);
	if (wfd != -1)
		close(wfd);
}
