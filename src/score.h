/*
 * score.h - one line scored, as score.c makes it for xd-score(1) and
 * report.c prints it for people, result.c for syslog.  Nothing but
 * those and xd-score.c includes it.
 */
#ifndef XD_SCORE_H
#define XD_SCORE_H

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

/* report.c: what people read, on stdout */
#define SCORE_EXIT_SPAM		1	/* --spamc, --report: spam or surespam */
#define SCORE_EXIT_UNCHECKED	3	/* --spamc, --report: error= on a line */
void	 score_explain(const struct score *, const struct rec *);
int	 score_spamc(const struct score *, const struct rec *);
int	 score_report(const struct score *, const struct rec *);
int	 score_why(const struct score *, const struct rec *);

#endif
