/*
 * tool.c - the mains' side of xd's reporting (base/base.h, "Errors"):
 * err(3)-style messages that name the tool, the sink that puts the
 * library's warnings and progress on stderr in the same words, usage
 * and version, and the checks of options every tool shares.  Linked
 * into every tool, never into the library.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"
#include "tool.h"

/* "PROG: message" on stderr; progress on one line, rewritten. */
static void
to_stderr(enum xd_diag_kind kind, const char *msg)
{
	switch (kind) {
	case XD_DIAG_PROGRESS:
		fprintf(stderr, "\r%s: %s", xd_progname, msg);
		break;
	case XD_DIAG_PROGRESS_END:
		fprintf(stderr, "\r%s: %s\n", xd_progname, msg);
		break;
	default:
		fprintf(stderr, "%s: %s\n", xd_progname, msg);
		break;
	}
}

/*
 * What every main does first: its name for messages, the library's
 * warnings on stderr, and xd.conf's DNS list lines checked as it loads.
 */
void
tool_start(const char *argv0)
{
	xd_setprogname(argv0);
	xd_set_diag(to_stderr);
	conf_check_lines_with(dnsbl_check_conf);
}

static void
vsay(int errnum, const char *fmt, va_list ap)
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
	vsay(e, fmt, ap);
	va_end(ap);
	exit(status);
}

void
xd_errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(-1, fmt, ap);
	va_end(ap);
	exit(status);
}

/*
 * A stream loop's status (stream_run, store_stream_run, dns_run), said
 * and ended on as the tools always have when the stream itself failed.
 */
int
tool_status(int rc)
{
	if (rc == XD_WRITE_ERROR)
		xd_err(XD_EXIT_SOME, "write error");
	if (rc == XD_READ_ERROR)
		xd_err(XD_EXIT_SOME, "read error");
	return rc;
}

void
xd_version(void)
{
	printf("%s (xd) %s\n", xd_progname, XD_VERSION);
	exit(0);
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

/* --progress N: the number of messages the stream holds; 0 shows none. */
void
stream_progress_option(const char *arg)
{
	stream_progress_total = (unsigned long)xd_optnum("--progress", arg, 0,
	    1LL << 40);
}

/* --resolver SPEC, checked: a usage error names what is wrong. */
const char *
dns_resolver_option(const char *spec)
{
	const char *why;

	if (dns_resolver_check(spec, &why) != 0)
		xd_errx(XD_EXIT_USAGE, "--resolver %s: %s", spec, why);
	return spec;
}
