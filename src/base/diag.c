/*
 * diag.c - how the library reports (base.h, "Errors"): warnings and
 * progress are formatted here and handed to the sink the main
 * installed; the library itself never writes to stderr or exits, but
 * for running out of memory, which ends the process here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static xd_diag_fn *sink;
static char last[1024];

void
xd_set_diag(xd_diag_fn *fn)
{
	sink = fn;
}

/* The last message handed over, sink or not: for tests. */
const char *
xd_diag_last(void)
{
	return last;
}

/* "fmt" formatted, then ": strerror(errnum)" unless errnum is -1. */
static void
say(enum xd_diag_kind kind, int errnum, const char *fmt, va_list ap)
{
	size_t n = 0;
	int r;

	last[0] = '\0';
	if (fmt != NULL) {
		r = vsnprintf(last, sizeof(last), fmt, ap);
		n = r < 0 ? 0 : (size_t)r < sizeof(last) ? (size_t)r :
		    sizeof(last) - 1;
		last[n] = '\0';
	}
	if (errnum >= 0)
		snprintf(last + n, sizeof(last) - n, "%s%s", fmt ? ": " : "",
		    strerror(errnum));
	if (sink != NULL)
		sink(kind, last);
}

void
xd_warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	say(XD_DIAG_WARN, e, fmt, ap);
	va_end(ap);
	errno = e;
}

void
xd_warnx(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	say(XD_DIAG_WARN, -1, fmt, ap);
	va_end(ap);
	errno = e;
}

void
xd_progress(int end, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(end ? XD_DIAG_PROGRESS_END : XD_DIAG_PROGRESS, -1, fmt, ap);
	va_end(ap);
}

/*
 * The one way the library ends the process: memory ran out, and no
 * caller could do more than say so (git's xmalloc dies the same way).
 * The words are those xd-filter's supervisor looks for in a child's
 * stderr (verdict/supervise.c).
 */
void
xd_nomem(void)
{
	int e = errno ? errno : ENOMEM;

	snprintf(last, sizeof(last), "out of memory: %s", strerror(e));
	if (sink != NULL)
		sink(XD_DIAG_FATAL, last);
	exit(70);
}
