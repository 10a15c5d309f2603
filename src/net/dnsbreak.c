/*
 * dnsbreak.c - a circuit breaker for DNS lists: a list whose lookups
 * time out BREAK_AFTER times in a row is skipped for BREAK_FOR seconds,
 * then tried again, so that a dead list or a dead resolver costs a few
 * messages their wait and no more.  The state is kept in the file
 * dns_breaker (default ~/.xd/dns-breaker) between runs, for xd filter
 * runs once a message; a line "ZONE FAILS UNTIL" per list.  The
 * reverse DNS of xd-rbl counts as the zone in-addr.arpa (ip6.arpa),
 * xd-spf as "spf".  xd-spf's threads share it: a lock guards it.
 */
#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net.h"

#define BREAK_AFTER	3	/* timeouts in a row that open the breaker */
#define BREAK_FOR	300	/* seconds a list is then skipped */
#define BREAK_ZONES	256	/* lists remembered */

struct zstate {
	char		 zone[DNS_MAX_NAME + 2];
	int		 fails;
	long long	 until;		/* epoch seconds; 0: closed */
	int		 told;
	int		 touched;	/* changed by this run */
};

static struct zstate zs[BREAK_ZONES];
static size_t nzs;
static char *path;
static int loaded, dirty;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct zstate *find(const char *, int);

/* A line of the file; one this run changed keeps what this run says. */
static const char *
state_line(void *arg, char *line, unsigned long lineno)
{
	char zone[DNS_MAX_NAME + 2];
	struct zstate *z;
	long long until;
	int fails;

	(void)arg;
	(void)lineno;
	if (sscanf(line, "%255s %d %lld", zone, &fails, &until) == 3 &&
	    dns_name_ok(zone) && fails >= 0 &&
	    (z = find(zone, 1)) != NULL && !z->touched) {
		z->fails = fails;
		z->until = until;
	}
	return NULL;		/* a damaged state file is only forgotten */
}

static void
read_state(void)
{
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return;
	xd_read_lines(fp, path, 1024, state_line, NULL);
	fclose(fp);
}

static void
load(void)
{
	const char *v;

	if (loaded)
		return;
	loaded = 1;
	v = conf_str("dns_breaker");
	if (strcmp(v, "none") == 0)
		return;
	path = xd_expand_home(*v ? v : "~/.xd/dns-breaker");
	read_state();
}

static struct zstate *
find(const char *zone, int add)
{
	size_t i;

	load();
	for (i = 0; i < nzs; i++)
		if (strcasecmp(zs[i].zone, zone) == 0)
			return &zs[i];
	if (!add || nzs == BREAK_ZONES)
		return NULL;
	memset(&zs[nzs], 0, sizeof(zs[nzs]));
	snprintf(zs[nzs].zone, sizeof(zs[nzs].zone), "%s", zone);
	return &zs[nzs++];
}

/* Whether zone is to be skipped now. */
int
dns_break_open(const char *zone)
{
	struct zstate *z;
	int open;

	pthread_mutex_lock(&lock);
	z = find(zone, 0);
	open = z != NULL && z->until > (long long)time(NULL);
	pthread_mutex_unlock(&lock);
	return open;
}

static void
record(const char *zone, int timeout, int answered)
{
	struct zstate *z;

	if (timeout) {
		if ((z = find(zone, 1)) == NULL || z->until >
		    (long long)time(NULL))
			return;
		dirty = z->touched = 1;
		if (++z->fails < BREAK_AFTER)
			return;
		z->fails = 0;
		z->until = (long long)time(NULL) + BREAK_FOR;
		if (!z->told++)
			xd_warnx("%s: %d lookups in a row timed out: skipped "
			    "for %d s", zone, BREAK_AFTER, BREAK_FOR);
		return;
	}
	if (answered && (z = find(zone, 0)) != NULL && (z->fails ||
	    z->until)) {
		z->fails = 0;
		z->until = 0;
		dirty = z->touched = 1;
	}
}

/* A result of xd-spf's: a time-out or a DNS error, or an answer. */
void
dns_break_spf(int timeout)
{
	pthread_mutex_lock(&lock);
	record("spf", timeout, !timeout);
	pthread_mutex_unlock(&lock);
}

/*
 * What a lookup in zone came to.  A timeout counts against the list; an
 * answer, a listing or not, closes its breaker.  Failures that say
 * nothing of the list (no resolver, no time left for the message, a
 * SERVFAIL) leave it as it is.
 */
void
dns_break_result(const char *zone, const struct dns_answer *a)
{
	int timeout = a->status == DNS_TEMPFAIL && a->why != NULL &&
	    (strcmp(a->why, "timeout") == 0 ||
	    strcmp(a->why, "line-timeout") == 0);

	pthread_mutex_lock(&lock);
	record(zone, timeout, a->status == DNS_OK ||
	    a->status == DNS_NXDOMAIN || a->status == DNS_NODATA);
	pthread_mutex_unlock(&lock);
}

/*
 * Keep the state for the next run: the stages of a pipeline run at
 * once, so the file is read again under a lock and only the lists this
 * run changed are written over, in a new file renamed over the old.
 */
void
dns_break_save(void)
{
	char *tmp, *lockpath;
	FILE *fp;
	size_t i;
	int fd, lfd;

	pthread_mutex_lock(&lock);
	if (!dirty || path == NULL) {
		pthread_mutex_unlock(&lock);
		return;
	}
	dirty = 0;
	xasprintf(&lockpath, "%s.lock", path);
	lfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(lockpath);
	if (lfd != -1)
		flock(lfd, LOCK_EX);
	read_state();
	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		if (errno != ENOENT)	/* no ~/.xd: nothing kept */
			xd_warn("%s", tmp);
		goto out;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	for (i = 0; i < nzs; i++)
		if (zs[i].fails || zs[i].until > (long long)time(NULL))
			fprintf(fp, "%s %d %lld\n", zs[i].zone, zs[i].fails,
			    zs[i].until);
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		xd_warn("%s", path);
		unlink(tmp);
	}
out:
	free(tmp);
	if (lfd != -1)
		close(lfd);
	pthread_mutex_unlock(&lock);
}
