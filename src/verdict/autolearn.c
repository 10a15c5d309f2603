/*
 * autolearn.c - xd-filter(1)'s learning that starts by itself, as
 * SpamAssassin's bayes_auto_learn: xd-score --autolearn says, in a
 * memory file the pipeline inherits, whether the message is clear spam
 * or clear ham by its score without the learned symbols; once the
 * marked message is out, the spool is learned by xd-bayes, at most
 * autolearn_max_per_hour times an hour per store.  A failure here
 * changes nothing of what was delivered: it is only said.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "verdict/verdict.h"

#define LOCK_TRIES	200	/* of 10 ms each, for the counter's lock */
#define DECISION_MAX	512	/* "spam 14.20\n", what xd-check did */

static int decision_fd = -1;	/* xd-score --autolearn writes here */
static const char *not_on;	/* why autolearn is off, to be said */
static char decision_path[32];
static char *score_plain[] = { "xd-score", NULL };
static char *score_learning[] = { "xd-score", "--autolearn", decision_path,
    NULL };

/* Killed while learning: the message is delivered, so exit 0. */
static char dead_msg[4096], dead_out[4096], dead_dir[4096];

/*
 * A signal handler can return to no caller that could exit for it:
 * the one exit of the library's besides xd_nomem() and a child's
 * failed exec (t/check-layers.sh allows it).
 */
static void
on_term(int sig)
{
	(void)sig;
	if (supervise_group > 0)
		kill(-supervise_group, SIGKILL);
	unlink(dead_msg);
	unlink(dead_out);
	rmdir(dead_dir);
	_exit(0);
}

static int
is_a_stage(const char *name)
{
	const char *const *items;
	size_t i, n = conf_list("stages", &items);

	for (i = 0; i < n; i++)
		if (strcmp(items[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The xd-score of the filter's pipeline: with --autolearn when the
 * configuration asks for it and xd-bayes, which learns, is a stage.
 */
char **
autolearn_score_argv(void)
{
	const char *v = conf_str("autolearn");

	if (strcmp(v, "yes") != 0) {
		if (strcmp(v, "no") != 0)
			not_on = "autolearn: neither yes nor no; it is off";
		return score_plain;
	}
	if (!is_a_stage("bayes"))
		return score_plain;
	/* Not close-on-exec: xd-score opens it as /dev/fd/N. */
	if ((decision_fd = memfd_create("xd-autolearn", 0)) == -1) {
		not_on = "autolearn: no memory file; nothing learned";
		return score_plain;
	}
	snprintf(decision_path, sizeof(decision_path), "/dev/fd/%d",
	    decision_fd);
	return score_learning;
}

/*
 * The class xd-score said to learn the message as, or NULL; *done, what
 * xd-check --learn added after it when it learned in its own process
 * ("learned", "not learned" or "said TEXT"), else NULL.
 */
static const char *
decision(char *buf, size_t size, const char **done)
{
	ssize_t r;
	char *nl;

	*done = NULL;
	r = pread(decision_fd, buf, size - 1, 0);
	close(decision_fd);
	decision_fd = -1;
	if (r <= 0)
		return NULL;
	buf[r] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL && nl[1] != '\0') {
		*done = nl + 1;
		nl = strchr(nl + 1, '\n');
		if (nl != NULL)
			*nl = '\0';
	}
	return autolearn_class(buf);
}

/* The class a decision line of xd-score --autolearn learns, or NULL. */
const char *
autolearn_class(const char *line)
{
	if (strncmp(line, "spam ", 5) == 0)
		return "spam";
	if (strncmp(line, "ham ", 4) == 0)
		return "ham";
	return NULL;
}

/* The counter's file: beside an LMDB store, in ~/.xd for Redis. */
static char *
counter_path(void)
{
	const char *url = conf_str("store");
	char *file, *path;

	if (strncmp(url, "redis://", 8) == 0) {
		path = xd_expand_home("~/.xd");
		(void)mkdir(path, 0700);	/* an error shows at open */
		free(path);
		return xd_expand_home("~/.xd/autolearn");
	}
	if (strncmp(url, "lmdb:", 5) == 0)
		url += 5;
	file = xd_expand_home(url);
	xasprintf(&path, "%s.autolearn", file);
	free(file);
	return path;
}

static int
lock_counter(int fd)
{
	struct timespec ts = { 0, 10 * 1000000 };
	int i;

	for (i = 0; i < LOCK_TRIES; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		nanosleep(&ts, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

/*
 * One more learned this clock hour: 1 if the limit allows it, 0 if not
 * (text set the first time it refuses in an hour), -1 with text set on
 * an error.  The file holds "HOUR COUNT", HOUR since 1970.
 */
static int
count_one(long long max, char *text, size_t n)
{
	char *path = counter_path(), buf[64];
	long long hour = (long long)time(NULL) / 3600, h = 0, count = 0;
	ssize_t r;
	int fd, rc = -1, len;

	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1 || lock_counter(fd) == -1) {
		snprintf(text, n, "autolearn: %s: %s; nothing learned", path,
		    strerror(errno));
		goto out;
	}
	if ((r = pread(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[r] = '\0';
		if (sscanf(buf, "%lld %lld", &h, &count) != 2 || h != hour)
			count = 0;
	}
	rc = count < max;
	if (count == max)
		snprintf(text, n, "autolearn: %lld learned this hour, the "
		    "autolearn_max_per_hour; no more until the next", max);
	if (count <= max) {
		len = snprintf(buf, sizeof(buf), "%lld %lld\n", hour, count + 1);
		if (pwrite(fd, buf, (size_t)len, 0) != len ||
		    ftruncate(fd, len) == -1) {
			snprintf(text, n, "autolearn: %s: %s; nothing learned",
			    path, strerror(errno));
			rc = -1;
		}
	}
out:
	if (fd != -1)
		close(fd);
	free(path);
	return rc;
}

/*
 * One more learned this hour, if autolearn_max_per_hour allows: 1; 0
 * if not, -1 on an error, text set when there is something to say.
 */
int
autolearn_count(char *text, size_t n)
{
	return count_one(conf_int("autolearn_max_per_hour"), text, n);
}

static void
catch_signals(const struct spool *s)
{
	snprintf(dead_msg, sizeof(dead_msg), "%s", s->msg);
	snprintf(dead_out, sizeof(dead_out), "%s", s->out);
	snprintf(dead_dir, sizeof(dead_dir), "%s", s->dir);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGHUP, on_term);
}

/*
 * xd-parse of the spool | xd-bayes --learn class, under the budgets.
 * Not xd-lr: a third process costs every learned delivery some 3 ms,
 * and what autolearn is sure of, the rules decided; xd-lr learns what
 * users report and release.
 */
static int
learn(const struct spool *s, const char *class, char *text, size_t n)
{
	char *parse[] = { "xd-parse", "--single", "--", s->msg, NULL };
	char *bayes[] = { "xd-bayes", "-q", "--learn", (char *)class, NULL };
	struct child c[2] = {
		{ .name = "xd-parse", .argv = parse, .max_ok = 0 },
		{ .name = "xd-bayes", .argv = bayes, .max_ok = 0 },
	};
	double timeout = conf_double("filter_timeout");
	char why[200];
	struct budget b;
	int null, rc = 0;

	b.cpu = conf_int("filter_cpu");
	b.memory = conf_size("filter_memory");
	b.mapped = conf_size("store_size");
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    supervise_run(c, 2, null, null, &b, timeout > 0 ? xd_now_ms() +
	    (long long)(timeout * 1000) : 0, 2) == -1) {
		snprintf(text, n, "autolearn as %s: %s", class,
		    strerror(errno));
		rc = -1;
	} else if (supervise_failure(c, 2, &b, why, sizeof(why)) != NULL) {
		snprintf(text, n, "autolearn as %s: %s", class, why);
		rc = -1;
	}
	if (null != -1)
		close(null);
	return rc;
}

/*
 * After the marked message is out: learn the spool if xd-score said
 * so and the hour's limit allows.  Returns -1 when there is nothing to
 * say, else the syslog severity of what text says (a failure, or the
 * limit reached).
 */
int
autolearn(const struct spool *s, char *text, size_t n)
{
	char buf[DECISION_MAX];
	const char *class, *done;
	int rc;

	if (decision_fd == -1) {
		if (not_on == NULL)
			return -1;
		snprintf(text, n, "%s", not_on);
		return 4;
	}
	if ((class = decision(buf, sizeof(buf), &done)) == NULL)
		return -1;
	if (done != NULL) {
		if (strncmp(done, "said ", 5) != 0)
			return -1;
		snprintf(text, n, "%s", done + 5);
		return 4;
	}
	text[0] = '\0';
	if ((rc = count_one(conf_int("autolearn_max_per_hour"), text, n)) != 1)
		return text[0] != '\0' ? 4 : -1;
	catch_signals(s);
	if (learn(s, class, text, n) == -1)
		return 4;
	return -1;
}
