/*
 * tools/stage.h - the stages of xd-check(1): each xd-NAME tool's work
 * over a verdict stream, from xd.conf as it is loaded, so that one
 * process can run every stage with the configuration read once, the
 * rules compiled once and each message parsed once (mime/msgview.c).
 * Each tool's main is its options around these; xd-check links the
 * same code (built once more with its main renamed) and runs the
 * stages over lines in memory.  A stage writes the lines the tool
 * would: the stream stays the contract (xd-stream(5)).
 */
#ifndef XD_TOOLS_STAGE_H
#define XD_TOOLS_STAGE_H

#include <stdio.h>

struct stage {
	const char *name;			/* "heur": the tool xd-heur */
	void	*(*open)(void);			/* NULL: a usage error */
	int	 (*run)(void *, FILE *, FILE *);	/* an exit status */
	void	 (*close)(void *);
};
extern const struct stage stage_rbl, stage_spf, stage_urlcheck, stage_cksum,
	    stage_heur, stage_bayes, stage_lr;

/* xd-parse: the source of the stream; each() after every line written. */
struct parse_opts {
	const char *label;	/* "ham", "spam", or NULL */
	int	 label_from_path;
	const char *rcpt;
	int	 single;
};
int	 parse_stage(const struct parse_opts *, char *const *, int, FILE *,
	    void (*)(void *), void *);

/* xd-score: the stream scored, or shown to people (show: "--spamc"...). */
void	*score_stage_open(const char *, const char *, const char *,
	    const char *);
int	 score_stage_run(void *, FILE *, FILE *);
void	 score_stage_close(void *);

/* xd-act --filter --spool ID --result PATH: the marked message on fd 1. */
int	 act_filter_stage(FILE *, const char *, const char *);

#endif
