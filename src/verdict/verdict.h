/*
 * verdict/verdict.h - a line scored and described, its verdict marked
 * into the message or logged, quarantine, and xd-filter(1)'s spool and
 * supervised pipeline.
 */
#ifndef XD_VERDICT_H
#define XD_VERDICT_H

#include "base/base.h"
#include "policy/policy.h"
#include "check/check.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* describe.c: a line for people about each symbol, see xd-score(1) */
struct descriptions;
struct descriptions *descriptions_load(const char *);	/* NULL: shared */
void	 descriptions_rules(struct descriptions *, const struct ruleset *);
void	 descriptions_free(struct descriptions *);
const char *descriptions_path(const struct descriptions *);
const char *descriptions_find(const struct descriptions *, const char *,
	    size_t);
void	 describe_untrained(struct buf *, long long, long long, long long);

/* quarantine.c, result.c: a listing, a result line */
int	 quarantine_list(const char *, FILE *,
	    void (*)(const char *, const char *));
int	 result_line(struct rec *, long long, struct buf *, const char **);

/* mark.c: a verdict written into a message's header at byte level */
struct mark {
	const char *cls;	/* "ham", "spam" or "surespam" */
	double	 score, required;
	const char *tests;	/* "SYM1,SYM2", or "" for none */
	const char *tag;	/* subject tag for spam, "" for none */
	const char *unchecked;	/* with cls NULL: why no verdict */
	int	 rename_upstream;	/* X-Spam-* become X-Spam-Upstream-* */
};
int	 mark_message(int, off_t, int, const struct mark *, const char **);
int	 mark_unchecked(int, off_t, int, const char *, const char **);
int	 mark_upstream(const char *);	/* "drop" 0, "rename" 1, else -1 */

/*
 * spool.c, supervise.c, xdlog.c: xd-filter(1)'s private copy of a
 * message, its pipeline of tools under budgets, and its syslog line.
 */
struct spool {
	char	*dir, *msg, *out;	/* $TMPDIR/xd-filter.XXXXXX, msg, out */
	int	 msgfd, outfd;
	struct stat st;			/* of msg once it is filled */
};
int	 spool_open(struct spool *, const char *, const char **);
int	 spool_fill(struct spool *, int, const char **);
int	 spool_reserve(struct spool *, off_t, const char **);
void	 spool_remove(struct spool *);
int	 spool_sweep(const char *, time_t);	/* leftovers older than */
off_t	 spool_forged_bytes(int, off_t);

#define SUPERVISE_MAX	64	/* tools in one pipeline */
struct budget {
	long	 cpu;		/* seconds of CPU per child; 0: none */
	size_t	 memory;	/* bytes of heap per child; 0: none */
	size_t	 mapped;	/* address space allowed beyond memory */
};
struct child {
	const char *name;	/* for reasons: "xd-heur" */
	char	**argv;		/* run from $PATH */
	int	 max_ok;	/* the highest exit status that is no failure */
	pid_t	 pid;		/* the rest is set by supervise_run() */
	int	 errfd, status, reaped, late, said_memory, said_epipe;
	size_t	 relayed;
	char	 tail[32];
	struct rusage ru;
};
extern volatile sig_atomic_t supervise_group;
int	 supervise_run(struct child *, size_t, int, int, const struct budget *,
	    long long, int);
const char *supervise_failure(const struct child *, size_t,
	    const struct budget *, char *, size_t);
char	**autolearn_score_argv(void);
int	 autolearn(const struct spool *, char *, size_t);
int	 autolearn_count(char *, size_t);
const char *autolearn_class(const char *);

/*
 * One line scored, as score.c makes it for xd-score(1) and report.c
 * prints it for people, result.c for syslog.
 */
/* One symbol field of the line being scored. */
struct sym {
	const char	*field;		/* "NAME=value", escaped */
	size_t		 namelen;
	double		 weight;
	const char	*rule;		/* the weights entry, or NULL */
	unsigned long	 line;
	size_t		 idx;		/* position on the line */
	enum { COUNTED, REPEATED, UNLISTED } how;	/* UNLISTED: critical */
};

struct score {
	struct weights	*w;
	struct policy	*p;
	struct descriptions *d;		/* for the reports; NULL otherwise */
	struct sym	*sym;
	size_t		 nsym, cap;
	const struct policy_rule *rule;
	double		 score;
	const char	*class;
};

/* score.c */
void	 score_line(struct score *, struct rec *);
void	 score_by_contribution(struct score *);
const char *score_autolearn(const struct score *, const struct rec *,
	    double, double, double *);

/* report.c: what people read, on the FILE given (stdout) */
#define SCORE_EXIT_SPAM		1	/* --spamc, --report: spam or surespam */
#define SCORE_EXIT_UNCHECKED	3	/* --spamc, --report: error= on a line */
void	 score_explain(FILE *, const struct score *, const struct rec *);
int	 score_spamc(FILE *, const struct score *, const struct rec *);
int	 score_report(FILE *, const struct score *, const struct rec *);
int	 score_why(FILE *, const struct score *, const struct rec *);

#endif
