/*
 * store_redisdl.c - the hiredis calls store_redis.c makes, found with
 * dlopen() and dlsym() at the first of them, not linked: most stores
 * are LMDB files, and loading hiredis cost every tool's start, a
 * delivery's among them, a quarter of a millisecond.  The soname is the
 * one the build found (XD_HIREDIS_SONAME, see the Makefile); without it
 * hiredis is linked and this file is empty.  When the library cannot
 * be opened, a connection fails as when hiredis has no memory.  These
 * are the library's only definitions of these names: no shared object
 * linked refers to them, so none is exported.
 */
#ifdef XD_HIREDIS_SONAME

#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>

#include <hiredis.h>

static struct {
	void	 (*free_reply)(void *);
	redisContext *(*connect)(const char *, int, const struct timeval);
	int	 (*set_timeout)(redisContext *, const struct timeval);
	void	 (*free_context)(redisContext *);
	int	 (*get_reply)(redisContext *, void **);
	int	 (*vappend)(redisContext *, const char *, va_list);
	void	*(*vcommand)(redisContext *, const char *, va_list);
	void	*(*command_argv)(redisContext *, int, const char **,
		    const size_t *);
} lib;

/* The names, in the order of the pointers above. */
static const char *const names[] = {
	"freeReplyObject", "redisConnectWithTimeout", "redisSetTimeout",
	"redisFree", "redisGetReply", "redisvAppendCommand", "redisvCommand",
	"redisCommandArgv",
};

/* 0 once every call is found; -1, for good, if one is not. */
static int
load(void)
{
	static int state;	/* 0 not tried, 1 loaded, -1 failed */
	void **slot = (void **)&lib, *h;
	size_t i;

	if (state != 0)
		return state > 0 ? 0 : -1;
	state = -1;
	if ((h = dlopen(XD_HIREDIS_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((slot[i] = dlsym(h, names[i])) == NULL) {
			dlclose(h);
			return -1;
		}
	state = 1;
	return 0;
}

redisContext *
redisConnectWithTimeout(const char *ip, int port, const struct timeval tv)
{
	return load() == 0 ? lib.connect(ip, port, tv) : NULL;
}

/* The calls below have a context, so hiredis is loaded already. */
int
redisSetTimeout(redisContext *c, const struct timeval tv)
{
	return load() == 0 ? lib.set_timeout(c, tv) : REDIS_ERR;
}

void
redisFree(redisContext *c)
{
	if (c != NULL && load() == 0)
		lib.free_context(c);
}

void
freeReplyObject(void *reply)
{
	if (reply != NULL && load() == 0)
		lib.free_reply(reply);
}

int
redisGetReply(redisContext *c, void **reply)
{
	return load() == 0 ? lib.get_reply(c, reply) : REDIS_ERR;
}

int
redisAppendCommand(redisContext *c, const char *format, ...)
{
	va_list ap;
	int rc;

	if (load() != 0)
		return REDIS_ERR;
	va_start(ap, format);
	rc = lib.vappend(c, format, ap);
	va_end(ap);
	return rc;
}

void *
redisCommand(redisContext *c, const char *format, ...)
{
	va_list ap;
	void *reply;

	if (load() != 0)
		return NULL;
	va_start(ap, format);
	reply = lib.vcommand(c, format, ap);
	va_end(ap);
	return reply;
}

void *
redisCommandArgv(redisContext *c, int argc, const char **argv,
    const size_t *argvlen)
{
	return load() == 0 ? lib.command_argv(c, argc, argv, argvlen) : NULL;
}

#endif
