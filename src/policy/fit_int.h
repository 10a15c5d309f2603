/*
 * fit_int.h - what the parts of xd-score --fit share: fit.c reads the
 * labelled lines into distinct symbol sets, fit_prior.c centres each
 * weight on its hand weight and bounds it, fit_opt.c minimises the
 * penalised loss, fit_cv.c chooses the penalty by inner folds and
 * scores the lines out of fold, fit_thresh.c sets the thresholds from
 * those scores and fit_report.c says what moved.  Nothing else
 * includes it but the unit tests.
 */
#ifndef XD_FIT_INT_H
#define XD_FIT_INT_H

#define FIT_BOUND	1000.0		/* |number| in a weights file */
#define FIT_MAX_FOLDS	20		/* inner folds */
#define FIT_GRID	9		/* penalties tried by the inner folds */

struct fsym {			/* one feature: a weights entry to fit */
	char		*key;	/* "NAME" or "NAME=value", escaped */
	size_t		 keylen;
	unsigned long	 nham, nspam;	/* lines it is on */
};

struct fset {			/* one distinct set of features */
	size_t		 off, len;	/* in fit->ids, sorted */
	uint64_t	 hash;
	unsigned long	 nham, nspam;	/* lines that had exactly this set */
};

struct lsym {			/* a symbol field of the line being added */
	const char	*field;
	size_t		 namelen;
	size_t		 idx;
};

struct fchain {			/* a band family: weights in order */
	char		*prefix;	/* "BAYES_" */
	int		 falling;	/* weights fall as the number rises */
	size_t		 off, len;	/* in fit->chainidx, by number */
};

struct foof {			/* a set's lines of one inner fold */
	double		 z;		/* their log odds out of fold */
	unsigned long	 nham, nspam;
};

struct fit {
	struct fit_opts	 opt;
	const struct weights *base;
	struct fsym	*sym;
	size_t		 nsym, symcap;
	uint32_t	*symtab;	/* open addressing: index + 1, 0 free */
	size_t		 symtabcap;
	uint32_t	*ids;
	size_t		 nids, idscap;
	struct fset	*set;
	size_t		 nset, setcap;
	uint32_t	*settab;
	size_t		 settabcap;
	unsigned long	 nham, nspam;
	struct lsym	*ls;		/* scratch for one line */
	size_t		 lscap;
	uint32_t	*lid;
	size_t		 lidcap;
	uint32_t	*fcount;	/* [set][fold][ham, spam] lines */
	size_t		 fcountcap;	/* in sets */
	double		*x;		/* x[0] intercept, x[1 + j] weights */
	/* the prior (fit_prior.c), per feature j */
	double		*hand;		/* hand weight in log odds */
	double		*lo, *hi;	/* bounds */
	struct fchain	*chain;
	size_t		 nchain;
	size_t		*chainidx;	/* feature indices of the chains */
	/* the inner folds (fit_cv.c) */
	double		 lambda;	/* the penalty used */
	int		 cv;		/* 1 when the inner folds ran */
	int		 ngrid;
	double		 grid[FIT_GRID], cvloss[FIT_GRID];
	struct foof	*oof;		/* the lines' scores out of fold */
	size_t		 noof;
	/* the thresholds (fit_thresh.c) */
	unsigned long	 oof_lost, oof_caught, oof_allowed;
	double		 top_ham;	/* highest ham log odds seen */
	struct fit_result res;
};

/* fit.c */
double	 fit_written(double);
double	 fit_set_score(const struct fit *, const struct fset *,
	    const double *);

/* fit_prior.c */
void	 fit_prior(struct fit *);
void	 fit_prior_write(const struct fit *, FILE *);
void	 fit_isotonic(double *, const double *, const double *,
	    const double *, size_t);

/* fit_opt.c: minimise over the lines counted in cnt ([set][ham, spam]) */
void	 fit_start(const struct fit *, const double *, double *);
void	 fit_minimise(const struct fit *, const double *, double, double *,
	    struct fit_result *);
double	 fit_loss_of(const struct fit *, const double *, const double *);

/* fit_cv.c */
void	 fit_cv_count(struct fit *, size_t, const struct rec *, int);
void	 fit_cv(struct fit *);
void	 fit_cv_free(struct fit *);

/* fit_thresh.c */
void	 fit_thresholds(struct fit *);
void	 fit_thresholds_write(const struct fit *, FILE *);

#endif
