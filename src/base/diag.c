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
static char *last;		/* the last message, malloc'd; NULL: none */
static char nomem[128];		/* xd_nomem's, which cannot allocate */

void
xd_set_diag(xd_diag_fn *fn)
{
	sink = fn;
}

/* The last message handed over, sink or not: for tests. */
const char *
xd_diag_last(void)
{
	return nomem[0] ? nomem : last ? last : "";
}

/*
 * "fmt" formatted, then ": strerror(errnum)" unless errnum is -1; as
 * long as it is, for the words must reach the user whole.
 */
static void
say(enum xd_diag_kind kind, int errnum, const char *fmt, va_list ap)
{
	char *msg = NULL, *full;

	if (fmt != NULL && vasprintf(&msg, fmt, ap) < 0)
		xd_nomem();
	if (errnum >= 0) {
		if (asprintf(&full, "%s%s%s", msg ? msg : "", msg ? ": " : "",
		    strerror(errnum)) < 0)
			xd_nomem();
		free(msg);
		msg = full;
	}
	free(last);
	last = msg != NULL ? msg : strdup("");
	if (last == NULL)
		xd_nomem();
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

	snprintf(nomem, sizeof(nomem), "out of memory: %s", strerror(e));
	if (sink != NULL)
		sink(XD_DIAG_FATAL, nomem);
	exit(70);
}
