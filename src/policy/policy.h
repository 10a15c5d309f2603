/*
 * policy/policy.h - the site's judgement as files: policy rules,
 * weights, and weights fitted to labelled lines.  Below the checks:
 * Bayes folds case as policy does (policy_fold()).
 */
#ifndef XD_POLICY_H
#define XD_POLICY_H

#include "base/base.h"

/* weights.c: weights files, see xd-weights(5) */
struct weights;
struct weights *weights_load(const char *);	/* NULL: the configured file */
double	 weights_threshold(const struct weights *, const char *);
void	 weights_free(struct weights *);
/* @@weights@@ */
const char *weights_path(const struct weights *);
void	 weights_add_rule(struct weights *, const char *, double);
double	 weights_symbol(const struct weights *, const char *, size_t,
	    const char **, unsigned long *);	/* field "NAME=value", namelen */
double	 weights_prob(const struct weights *, double);	/* calibrated */
const char *weights_class(const struct weights *, double);
void	 weights_calibration(const struct weights *, double *, double *);
typedef void (*weights_fn)(const char *, double, void *);
void	 weights_each(const struct weights *, weights_fn, void *);
typedef void (*weights_band_fn)(const char *, int, void *);
void	 weights_each_band(const struct weights *, weights_band_fn, void *);

/* fit.c: weights fitted to labelled lines, see xd-score(1) --fit */
struct fit_opts {
	double	 lambda;	/* prior's precision; 0: inner folds choose */
	double	 ham_cost;	/* weight of a ham line in the loss */
	double	 ham_loss;	/* spam threshold: ham rate out of fold */
	double	 sure_loss;	/* surespam threshold: the same, before */
	double	 sure_margin;	/* this margin in log odds */
	double	 bound;		/* |weight| in log odds, past a hand one */
	int	 folds;		/* inner folds */
	size_t	 max_sets;	/* distinct symbol sets kept */
	int	 keep_unseen;	/* copy the base weights of unseen symbols */
};
struct fit_result {
	double	 a, b;			/* calibration */
	double	 spam, surespam;	/* thresholds */
	double	 spam_prob, surespam_prob;	/* where prob is 0.9, 0.999 */
	double	 loss;
	int	 iterations, converged;
};
#define FIT_UNLABELLED	1	/* fit_add: no label=ham or label=spam */
#define FIT_FULL	2	/* fit_add: a bound of the fit is reached */
struct fit;
void	 fit_defaults(struct fit_opts *);
struct fit *fit_new(const struct fit_opts *, const struct weights *);
int	 fit_add(struct fit *, const struct rec *);
int	 fit_solve(struct fit *);
int	 fit_write(const struct fit *, FILE *);
int	 fit_report(const struct fit *, FILE *);
void	 fit_free(struct fit *);

/* policy.c: policy files, see xd-policy(5) */
/* @@policy@@ */
enum policy_action { POLICY_ALLOW, POLICY_BLOCK, POLICY_TRUST, POLICY_CRITICAL };
struct policy_rule {
	enum policy_action action;
	unsigned long	 line;		/* in the file, from 1 */
	char		*text;		/* the line as written, trimmed */
	char		**symbols;	/* critical: what counts; "RBL_*" too */
	size_t		 nsymbols;
};
struct policy;
struct policy *policy_load(const char *);	/* NULL: the configured file */
void	 policy_free(struct policy *);
const char *policy_path(const struct policy *);
size_t	 policy_count(const struct policy *);
const struct policy_rule *policy_match(struct policy *, const struct rec *);
int	 policy_counts(const struct policy_rule *, const char *, size_t);
const char *policy_action_name(enum policy_action);
void	 policy_fold(char *);		/* lower case, ASCII and some UTF-8 */
int	 policy_append(const char *, const char *, const char *, const char *);

#endif
