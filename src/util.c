/*
 * util.c - allocation that cannot fail, err(3)-style diagnostics that
 * name the tool, and checked number parsing.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xd.h"

const char *xd_progname = "xd";

void
xd_setprogname(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	xd_progname = slash ? slash + 1 : argv0;
}

static void
vwarnmsg(int errnum, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", xd_progname);
	if (fmt != NULL)
		vfprintf(stderr, fmt, ap);
	if (errnum >= 0)
		fprintf(stderr, "%s%s", fmt ? ": " : "", strerror(errnum));
	fputc('\n', stderr);
}

void
xd_err(int status, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vwarnmsg(e, fmt, ap);
	va_end(ap);
	exit(status);
}

void
xd_errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnmsg(-1, fmt, ap);
	va_end(ap);
	exit(status);
}

void
xd_warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vwarnmsg(e, fmt, ap);
	va_end(ap);
}

void
xd_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnmsg(-1, fmt, ap);
	va_end(ap);
}

static void *
check_alloc(void *p)
{
	if (p == NULL)
		xd_err(70, "out of memory");
	return p;
}

void *
xmalloc(size_t n)
{
	return check_alloc(malloc(n ? n : 1));
}

void *
xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *
xrealloc(void *p, size_t n)
{
	return check_alloc(realloc(p, n ? n : 1));
}

char *
xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

char *
xstrndup(const char *s, size_t n)
{
	return check_alloc(strndup(s, n));
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		xd_err(70, "out of memory");
	return n;
}

/*
 * Like OpenBSD's strtonum(3): a decimal integer within [min, max], or 0
 * with *errstr set to "invalid", "too small" or "too large".
 */
long long
xd_strtonum(const char *s, long long min, long long max, const char **errstr)
{
	long long v;
	char *end;

	*errstr = NULL;
	if (s == NULL || *s == '\0') {
		*errstr = "invalid";
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s)
		*errstr = "invalid";
	else if ((v == LLONG_MIN && errno == ERANGE) || v < min)
		*errstr = "too small";
	else if ((v == LLONG_MAX && errno == ERANGE) || v > max)
		*errstr = "too large";
	return *errstr ? 0 : v;
}

/* "20M", "512k", "1G" or plain bytes; returns -1 on anything else. */
int
xd_parse_size(const char *s, size_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1024ULL; end++; break;
	case 'm': case 'M': mul = 1024ULL * 1024; end++; break;
	case 'g': case 'G': mul = 1024ULL * 1024 * 1024; end++; break;
	}
	if (*end != '\0' || v > SIZE_MAX / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

int
xd_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* Where weights, policy and rules live: $XD_SHARE, else the install dir. */
const char *
xd_sharedir(void)
{
	const char *d = getenv("XD_SHARE");

	return (d != NULL && *d != '\0') ? d : XD_SHAREDIR;
}

char *
xd_sharepath(const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s", xd_sharedir(), name);
	return p;
}

void
xd_version(void)
{
	printf("%s (xd) %s\n", xd_progname, XD_VERSION);
	exit(0);
}

/* "~/x" with $HOME put in; anything else as it is.  Always malloc'd. */
char *
xd_expand_home(const char *path)
{
	const char *home = getenv("HOME");
	char *p;

	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0') ||
	    home == NULL)
		return xstrdup(path);
	xasprintf(&p, "%s%s", home, path + 1);
	return p;
}

/*
 * The usage message.  Each line of synopsis is one way to call the
 * tool.  Asked for (--help, status 0) it goes to stdout with the option
 * list; after a mistake, only the synopsis goes to stderr.
 */
void
xd_usage(int status, const char *synopsis, const char *options)
{
	FILE *fp = status == 0 ? stdout : stderr;
	const char *line = synopsis, *nl;
	const char *lead = "usage:";

	while (*line != '\0') {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		fprintf(fp, "%-6s %s %.*s\n", lead, xd_progname,
		    (int)(nl - line), line);
		lead = "";
		line = *nl ? nl + 1 : nl;
	}
	if (status == 0 && options != NULL)
		fprintf(fp, "\n%s\nSee %s(1).\n", options, xd_progname);
	exit(status);
}

/*
 * A number given to a command-line option, within [min, max]; anything
 * else is a usage error naming the option, as the tools all say it.
 */
long long
xd_optnum(const char *opt, const char *arg, long long min, long long max)
{
	const char *errstr;
	long long v;

	v = xd_strtonum(arg, min, max, &errstr);
	if (errstr != NULL)
		xd_errx(XD_EXIT_USAGE, "%s %s: %s", opt, arg, errstr);
	return v;
}

/* FNV-1a over n bytes: the hash of every table in the tools. */
uint64_t
xd_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 14695981039346656037ULL;

	while (n-- > 0)
		h = (h ^ *s++) * 1099511628211ULL;
	return h;
}

/* Milliseconds of a clock that never jumps, for timeouts. */
long long
xd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
