/*
 * supervise.c - run a pipeline of tools as child processes under
 * budgets: CPU time and memory per child (setrlimit), and one
 * wall-clock deadline for all of them, past which their process group
 * is killed.  Every child's status is collected, and its standard error
 * passed on, so that a failure can be put down to one tool.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "verdict/verdict.h"

/* ASan reserves terabytes of shadow memory: no memory budget holds it. */
#if defined(__SANITIZE_ADDRESS__)
#define XD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XD_ASAN 1
#endif
#endif
#ifdef XD_ASAN
static const int no_memory_budget = 1;
#else
static const int no_memory_budget = 0;
#endif

#define RELAY_MAX	65536	/* stderr passed on per child, the rest dropped */
#define GRACE_MS	5000	/* how long the killed may take to end */

volatile sig_atomic_t supervise_group;	/* the running pipeline's group */

static void
on_sigchld(int sig)
{
	(void)sig;	/* only to interrupt ppoll() */
}

/* fd as to in a child about to exec: dup2, or keep it across exec. */
static int
move_fd(int fd, int to)
{
	int fl;

	if (fd != to)
		return dup2(fd, to) == -1 ? -1 : 0;
	if ((fl = fcntl(fd, F_GETFD)) == -1)
		return -1;
	return fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}

static void
lower_limit(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) == 0) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < hard)
			hard = rl.rlim_max;
		if (soft > hard)
			soft = hard;
	}
	rl.rlim_cur = soft;
	rl.rlim_max = hard;
	setrlimit(resource, &rl);
}

/*
 * In the child: its budgets, its place in the group, its fds; exec.
 * A child that cannot exec ends here with 127, as a shell's does, its
 * words on the stderr it was given: no caller is left to return to
 * (one of the library's exits that t/check-layers.sh allows).
 */
static void __attribute__((noreturn))
child_exec(struct child *c, const struct budget *b, pid_t pgid,
    pid_t parent, int in, int out, int err, const sigset_t *mask)
{
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	setpgid(0, pgid);
	/* A killed supervisor takes its children with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (b->cpu > 0)
		lower_limit(RLIMIT_CPU, (rlim_t)b->cpu, (rlim_t)b->cpu + 1);
	/* The heap is the budget; the address space may hold a store's
	 * map besides (LMDB maps all of store_size). */
	if (b->memory > 0 && !no_memory_budget) {
		lower_limit(RLIMIT_DATA, (rlim_t)b->memory, (rlim_t)b->memory);
		lower_limit(RLIMIT_AS, (rlim_t)(b->memory + b->mapped),
		    (rlim_t)(b->memory + b->mapped));
	}
	if (move_fd(in, 0) == -1 || move_fd(out, 1) == -1 ||
	    move_fd(err, 2) == -1)
		_exit(127);
	execvp(c->argv[0], c->argv);
	dprintf(2, "%s: cannot run %s: %s\n", xd_progname, c->argv[0],
	    strerror(errno));
	_exit(127);
}

/* Start child i reading in, writing out; its stderr comes to us. */
static int
child_start(struct child *c, const struct budget *b, pid_t *pgid, int in,
    int out, const sigset_t *mask)
{
	int ep[2];
	pid_t parent = getpid();

	if (pipe2(ep, O_CLOEXEC) == -1)
		return -1;
	if ((c->pid = fork()) == -1) {
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (c->pid == 0)
		child_exec(c, b, *pgid, parent, in, out, ep[1], mask);
	if (*pgid == 0)
		*pgid = c->pid;
	setpgid(c->pid, *pgid);	/* either of us may do it first */
	close(ep[1]);
	c->errfd = ep[0];
	fcntl(c->errfd, F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * What a child's stderr says: that an allocation failed (the words of
 * strerror(ENOMEM), of xd's own tools, of GLib and of shells), or that
 * its output pipe broke, which only follows a failure downstream.
 */
static void
scan_stderr(struct child *c, const char *p, size_t n)
{
	static const struct {
		const char *word;
		int	 epipe;
	} words[] = {
		{ "memory", 0 }, { "cannot allocate", 0 },
		{ "failed to allocate", 0 }, { "broken pipe", 1 },
	};
	char low[sizeof(c->tail) + 4096 + 1];
	size_t i, w, k = strlen(c->tail), take;

	while (n > 0) {
		take = n > 4096 ? 4096 : n;
		memcpy(low, c->tail, k);
		for (i = 0; i < take; i++)
			low[k + i] = p[i] == '\0' ? ' ' :
			    (char)tolower((unsigned char)p[i]);
		low[k + take] = '\0';
		for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			if (strstr(low, words[w].word) != NULL) {
				if (words[w].epipe)
					c->said_epipe = 1;
				else
					c->said_memory = 1;
			}
		/* Keep the end: a word may be cut between two reads. */
		i = k + take < sizeof(c->tail) - 1 ? 0 :
		    k + take - (sizeof(c->tail) - 1);
		memmove(c->tail, low + i, k + take - i + 1);
		k = strlen(c->tail);
		p += take;
		n -= take;
	}
}

/* Pass on what child c wrote to stderr; at EOF its pipe is closed. */
static void
relay(struct child *c, int errout)
{
	char buf[4096];
	ssize_t r;
	size_t n;
	int reads;

	/* A few reads at a time: a flood must not keep us from the clock. */
	for (reads = 0; c->errfd != -1 && reads < 16; reads++) {
		if ((r = read(c->errfd, buf, sizeof(buf))) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			if (r == 0 ||
			    (errno != EAGAIN && errno != EWOULDBLOCK)) {
				close(c->errfd);
				c->errfd = -1;
			}
			return;
		}
		scan_stderr(c, buf, (size_t)r);
		n = (size_t)r;
		if (c->relayed + n > RELAY_MAX)
			n = c->relayed < RELAY_MAX ? RELAY_MAX - c->relayed : 0;
		if (n > 0 && errout != -1)
			(void)xd_write_all(errout, buf, n);
		c->relayed += (size_t)r;
	}
}

/* Reap every child that has ended; returns how many still run. */
static size_t
reap(struct child *c, size_t n)
{
	struct rusage ru;
	size_t i, left = 0;
	pid_t pid;
	int st;

	while ((pid = wait4(-1, &st, WNOHANG, &ru)) > 0)
		for (i = 0; i < n; i++)
			if (c[i].pid == pid && !c[i].reaped) {
				c[i].status = st;
				c[i].ru = ru;
				c[i].reaped = 1;
			}
	for (i = 0; i < n; i++)
		if (c[i].pid > 0 && !c[i].reaped)
			left++;
	return left;
}

/* The deadline has passed: every child still running is killed. */
static void
kill_late(struct child *c, size_t n, pid_t pgid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i].pid > 0 && !c[i].reaped) {
			c[i].late = 1;
			/* Even one that left the group. */
			kill(c[i].pid, SIGKILL);
		}
	kill(-pgid, SIGKILL);
}

/*
 * Wait for every child, passing their stderr on, until all have ended
 * or the deadline (xd_now_ms() time, 0 for none) passed and they were
 * killed.
 */
static void
watch(struct child *c, size_t n, pid_t pgid, long long deadline, int errout,
    const sigset_t *wait_mask)
{
	struct pollfd pfd[SUPERVISE_MAX];
	struct child *owner[SUPERVISE_MAX];
	struct timespec ts;
	long long now, until = deadline;
	size_t i, k;
	int killed = 0;

	while (reap(c, n) > 0) {
		now = xd_now_ms();
		if (!killed && deadline > 0 && now >= deadline) {
			kill_late(c, n, pgid);
			killed = 1;
			until = now + GRACE_MS;
		}
		if (killed && now >= until)
			break;	/* unkillable: leave it, do not hang */
		for (i = k = 0; i < n; i++)
			if (c[i].errfd != -1) {
				pfd[k].fd = c[i].errfd;
				pfd[k].events = POLLIN;
				owner[k++] = &c[i];
			}
		ts.tv_sec = until > 0 ? (until - now) / 1000 : 3600;
		ts.tv_nsec = until > 0 ? (until - now) % 1000 * 1000000 : 0;
		if (ppoll(pfd, k, &ts, wait_mask) > 0)
			for (i = 0; i < k; i++)
				if (pfd[i].revents != 0)
					relay(owner[i], errout);
	}
	for (i = 0; i < n; i++) {
		relay(&c[i], errout);	/* what is left of it */
		if (c[i].errfd != -1)
			close(c[i].errfd);
		c[i].errfd = -1;
	}
}

static void
start_all(struct child *c, size_t n, const struct budget *b, int in,
    int out, pid_t *pgid, const sigset_t *mask)
{
	int p[2], next_in = in;
	size_t i;

	for (i = 0; i < n; i++) {
		p[0] = p[1] = -1;
		if (i + 1 < n && pipe2(p, O_CLOEXEC) == -1)
			break;
		if (child_start(&c[i], b, pgid, next_in, i + 1 < n ? p[1] : out,
		    mask) == -1) {
			if (p[0] != -1) {
				close(p[0]);
				close(p[1]);
			}
			break;
		}
		if (next_in != in)
			close(next_in);
		if (p[1] != -1)
			close(p[1]);
		next_in = p[0];
	}
	if (next_in != in && next_in != -1)
		close(next_in);
}

/*
 * Run c[0] | c[1] | ... | c[n-1], the first reading in, the last
 * writing out, every child in one new process group under the budget
 * b, all of them killed at the deadline.  Their stderr goes to errout.
 * Returns 0 once every child ended (see supervise_failure() for how),
 * -1 with errno set when they could not all be started: then those
 * that were are killed.
 */
int
supervise_run(struct child *c, size_t n, int in, int out,
    const struct budget *b, long long deadline, int errout)
{
	struct sigaction sa, old_sa;
	sigset_t block, old_mask;
	pid_t pgid = 0;
	size_t i;
	int rc = 0, e;

	if (n == 0 || n > SUPERVISE_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		c[i].pid = 0;
		c[i].errfd = -1;
		c[i].status = 0;
		c[i].reaped = c[i].late = 0;
		c[i].said_memory = c[i].said_epipe = 0;
		c[i].relayed = 0;
		c[i].tail[0] = '\0';
		memset(&c[i].ru, 0, sizeof(c[i].ru));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_sa);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old_mask);

	start_all(c, n, b, in, out, &pgid, &old_mask);
	supervise_group = pgid;
	e = errno;
	if (c[n - 1].pid <= 0) {
		rc = -1;
		deadline = xd_now_ms();	/* kill those that did start */
	}
	if (pgid != 0) {
		sigset_t wait_mask = old_mask;

		sigdelset(&wait_mask, SIGCHLD);
		watch(c, n, pgid, deadline, errout, &wait_mask);
		kill(-pgid, SIGKILL);	/* what the tools left running */
	}
	supervise_group = 0;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGCHLD, &old_sa, NULL);
	errno = e;
	return rc;
}

static long
cpu_seconds(const struct rusage *ru)
{
	return ru->ru_utime.tv_sec + ru->ru_stime.tv_sec +
	    (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000000;
}

/* Why child c failed, into buf; NULL if it did not. */
static const char *
child_failure(const struct child *c, const struct budget *b, char *buf,
    size_t len)
{
	int st = c->status;

	if (c->late)
		snprintf(buf, len, "timeout (%s)", c->name);
	else if (!c->reaped)
		snprintf(buf, len, "not run (%s)", c->name);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return NULL;
	else if (b->cpu > 0 && ((WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU) ||
	    cpu_seconds(&c->ru) >= b->cpu))
		snprintf(buf, len, "cpu (%s)", c->name);
	else if (b->memory > 0 && c->said_memory)
		snprintf(buf, len, "memory (%s)", c->name);
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "crashed (%s, signal %d)", c->name,
		    WTERMSIG(st));
	else
		snprintf(buf, len, "failed (%s, status %d)", c->name,
		    WEXITSTATUS(st));
	return buf;
}

/* Whether c only failed because the next tool stopped reading. */
static int
broken_pipe(const struct child *c)
{
	return c->reaped && ((WIFSIGNALED(c->status) &&
	    WTERMSIG(c->status) == SIGPIPE) ||
	    (WIFEXITED(c->status) && c->said_epipe));
}

/*
 * Whether the pipeline failed: some child ran late, was killed, or
 * exited above its max_ok.  If so, why, put down to the first child
 * that did not end well (downstream of a failure the rest only follow;
 * one whose output pipe broke is named only when no other is), into
 * buf.
 * NULL if every child ended within its budget and max_ok.
 */
const char *
supervise_failure(const struct child *c, size_t n, const struct budget *b,
    char *buf, size_t len)
{
	size_t i;
	int failed = 0, pass;

	for (i = 0; i < n; i++)
		if (!c[i].reaped || c[i].late || !WIFEXITED(c[i].status) ||
		    WEXITSTATUS(c[i].status) > c[i].max_ok)
			failed = 1;
	if (!failed)
		return NULL;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++)
			if ((pass == 1 || !broken_pipe(&c[i])) &&
			    child_failure(&c[i], b, buf, len) != NULL)
				return buf;
	snprintf(buf, len, "failed");
	return buf;
}
