/*
 * xdlog.c - one line to syslog, written by hand rather than through
 * syslog(3), so that a test (or a chroot) can name the socket:
 * $XD_SYSLOG_SOCKET, else /dev/log.  The line is RFC 3164's,
 * "<PRI>Mmm dd hh:mm:ss TAG[PID]: TEXT", as syslog(3) sends it.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"

#define LOG_LINE	1024	/* longer text is cut */

static const struct {
	const char *name;
	int	 code;
} facilities[] = {
	{ "kern", 0 }, { "user", 1 }, { "mail", 2 }, { "daemon", 3 },
	{ "auth", 4 }, { "syslog", 5 }, { "lpr", 6 }, { "news", 7 },
	{ "uucp", 8 }, { "cron", 9 }, { "authpriv", 10 }, { "ftp", 11 },
	{ "local0", 16 }, { "local1", 17 }, { "local2", 18 },
	{ "local3", 19 }, { "local4", 20 }, { "local5", 21 },
	{ "local6", 22 }, { "local7", 23 },
};

/* The code of a facility name, as syslog_facility gives it; -1 if none. */
int
xdlog_facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(name, facilities[i].name) == 0)
			return facilities[i].code;
	return -1;
}

static int
send_line(const char *path, const char *line, size_t len)
{
	struct sockaddr_un sun;
	int fd, rc, type, e;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	/* Datagrams, as syslog daemons take them; some take a stream. */
	for (type = SOCK_DGRAM;; type = SOCK_STREAM) {
		if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) == -1)
			return -1;
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		if (rc == 0)
			rc = type == SOCK_DGRAM ?
			    (send(fd, line, len, MSG_NOSIGNAL) == (ssize_t)len ?
			    0 : -1) : xd_write_all(fd, line, len + 1);
		e = errno;
		close(fd);
		errno = e;
		if (rc == 0 || type == SOCK_STREAM || e != EPROTOTYPE)
			return rc;
	}
}

/*
 * Log text at severity (0 emerg .. 7 debug) with facility code, tagged
 * with the tool's name and pid.  Returns -1 with errno set when no
 * syslog daemon took it.
 */
int
xdlog(int facility, int severity, const char *text)
{
	char stamp[32], line[LOG_LINE];
	const char *path = getenv("XD_SYSLOG_SOCKET");
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		strcpy(stamp, "Jan  1 00:00:00");
	n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: %s",
	    facility * 8 + severity, stamp, xd_progname, (long)getpid(), text);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	return send_line(path != NULL && *path != '\0' ? path : "/dev/log",
	    line, (size_t)n);
}
