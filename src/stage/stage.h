/*
 * stage/stage.h - the stages: each xd-NAME tool's work over a verdict
 * stream, as library code, so that one process (xd-check(1)) can run
 * every stage with the configuration read once, the rules compiled
 * once and each message parsed once (mime/msgview.c).  A stage writes
 * the lines its tool would: the stream stays the contract
 * (xd-stream(5)).  Each tool src/tools/xd-NAME.c is a thin main: its
 * options, --help and the modes that are not the stage, around these.
 *
 * Adding a stage NAME (or moving one out of its tool):
 *  - src/stage/stage_NAME.c holds its open/run/close, the per-line work
 *    and the helpers only it uses (stage_ keeps the base name apart from
 *    the check of the same name: the library archive is keyed by it);
 *  - what the tool's options set goes in a struct NAME_opts below, which
 *    the tool fills and passes to open(); open(NULL) is xd.conf alone,
 *    as xd-check runs it; a field left 0 or NULL is xd.conf's too;
 *  - `const struct stage stage_NAME` is declared here; xd-check's table
 *    (tools/xd-check.c, known[]) lists it, and xd-check links it from
 *    the library as every tool does;
 *  - stage code is library code (t/check-layers.sh): it never exits,
 *    and writes only to the FILEs it is given (the stream's out, a notes
 *    FILE for people) and through xd_warn/xd_warnx, to the main's sink;
 *    open() warns and returns NULL (the tool exits XD_EXIT_USAGE), run()
 *    returns the exit status, or XD_READ_ERROR/XD_WRITE_ERROR when the
 *    stream itself failed; the main reports (tools/tool.c, tool_status);
 *  - the tool's main: getopt, then open(&opts), tool_status(run(state,
 *    stdin, stdout)), close(state), and returns run's status.
 */
#ifndef XD_STAGE_STAGE_H
#define XD_STAGE_STAGE_H

#include <stdio.h>

struct stage {
	const char *name;			/* "heur": the tool xd-heur */
	void	*(*open)(const void *);		/* struct NAME_opts, or NULL;
						   NULL: a usage error */
	int	 (*run)(void *, FILE *, FILE *);	/* an exit status, or
						   XD_READ/WRITE_ERROR */
	void	 (*close)(void *);
};
extern const struct stage stage_rbl, stage_spf, stage_urlcheck, stage_cksum,
	    stage_heur, stage_bayes, stage_lr;

/* xd-heur: the built-in checks and the rule files. */
struct heur_opts {
	const char *const *rules;	/* -r: files or directories, or NULL */
	size_t	 nrules;		/*     for xd.conf's rules */
	int	 verbose;		/* -v: what was left out, by kind */
};
struct rules_stats;
/* The line saying what was loaded and left out (always: even if none). */
void	 heur_rules_said(const struct rules_stats *, int verbose, int always);

/* xd-rbl: DNS lists of the relay and the sender's domains, FCrDNS. */
struct rbl_opts {
	const char *resolver;	/* -r, or NULL for xd.conf's */
	size_t	 window;	/* -w, or 0 for dns_window */
	int	 all_relays;	/* -a: every untrusted relay (or xd.conf's) */
	int	 keep;		/* -k: keep the symbols of an earlier run */
	int	 no_rdns;	/* -y: no forward-confirmed reverse DNS */
};
/* -t: each list's RFC 5782 test points, said on out; an exit status. */
int	 rbl_test(const struct rbl_opts *, FILE *);

/* xd-spf: SPF of the sender, a thread per message in flight. */
#define SPF_MAX_WINDOW	1024
struct spf_opts {
	const char *resolver;	/* -r, or NULL for xd.conf's */
	size_t	 window;	/* -w, or 0 for dns_window */
	long long timeout_ms;	/* -t, or 0 for spf_timeout */
	int	 keep;		/* -k: keep the SPF_ symbols of an earlier run */
	int	 no_guess;	/* -G: no best guess (or spf_best_guess) */
	int	 verbose;	/* -v: how each result came about */
	int	 stats;		/* -s: query and cache counts */
};

/* xd-urlcheck: urls=, domains=, local lists and URI blocklists. */
struct urlcheck_opts {
	const char *resolver;	/* -r, or NULL for xd.conf's */
	size_t	 window;	/* -w, or 0 for dns_window */
	int	 keep;		/* -k: keep the URIBL_ symbols of an earlier run */
	FILE	*urls;		/* -u: each message's URLs, here; no DNS */
};
/* -t: each URI blocklist's RFC 5782 test points, said on out; a status. */
int	 urlcheck_test(const struct urlcheck_opts *, FILE *);

/* xd-cksum: the body's checksums, counted in the store. */
enum cksum_mode { CKSUM_CHECK, CKSUM_LEARN_SPAM, CKSUM_LEARN_HAM,
	CKSUM_UNLEARN };
struct cksum_opts {
	enum cksum_mode mode;	/* -l, -u; CKSUM_CHECK by default */
	int	 keep;		/* -k: leave lines that have cksum= */
	int	 read_only;	/* -r: count nothing */
	const char *store;	/* -s, or NULL for xd.conf's */
	long long now;		/* --now, or 0 for now */
};
/* --stats, or --expire: one line per table. */
int	 cksum_tables(const struct cksum_opts *, int expire, FILE *);

/* xd-parse: the source of the stream; each() after every line written. */
struct parse_opts {
	const char *label;	/* "ham", "spam", or NULL */
	int	 label_from_path;
	const char *rcpt;
	int	 single;
};
int	 parse_stage(const struct parse_opts *, char *const *, int, FILE *,
	    void (*)(void *), void *);
/* -c: how many messages the paths hold, parsing none. */
unsigned long parse_count(const struct parse_opts *, char *const *, int);

/* xd-score: the stream scored, or shown to people. */
enum score_show { SCORE_STREAM, SCORE_EXPLAIN, SCORE_SPAMC, SCORE_REPORT,
	SCORE_WHY };
struct score_opts {
	const char *weights;	/* -w, or NULL for xd.conf's */
	const char *policy;	/* -p, or NULL for xd.conf's */
	enum score_show show;	/* -e, -c, -R, --why: on stdout, no stream */
	const char *autolearn;	/* --autolearn FILE, or NULL */
};
extern const struct stage stage_score;
struct descriptions;
struct ruleset;
struct weights;
/* The descriptions and the rules' describe lines (rules kept in *rs). */
struct descriptions *score_descriptions(struct ruleset **);
/* The rules' score lines, as weights where the file names none. */
void	 score_rule_weights(struct weights *);

/* xd-bayes: classify; or learn, unlearn, or record sent mail's people. */
enum bayes_mode { BAYES_CLASSIFY, BAYES_LEARN, BAYES_UNLEARN, BAYES_SENT };
struct bayes_opts {
	enum bayes_mode mode;	/* -l, -u, --sent; BAYES_CLASSIFY by default */
	int	 cls;		/* -l: BAYES_HAM or BAYES_SPAM */
	int	 quiet;		/* -q: no summary of what was learned */
	int	 explain;	/* -x: each message's strongest tokens */
	FILE	*notes;		/* -x's tokens and the summary, or NULL */
	const char *store;	/* -s, or NULL for xd.conf's */
	long long now;		/* --now, or 0 for now */
};
/* -t: each message's tokens on out, for people; the stream to none. */
int	 bayes_print_tokens(FILE *in, FILE *out);
/* -S, or -E: what the store holds, or the aged tokens removed. */
int	 bayes_tables(const struct bayes_opts *, int expire, FILE *);

/* xd-lr: classify, or learn each message as a class. */
#define LR_BY_LABEL	3	/* learn as the line's label= */
struct lr_opts {
	int	 learn;		/* -l: BAYES_HAM, BAYES_SPAM, LR_BY_LABEL;
				   0 classifies */
	int	 quiet;		/* -q: no summary of what was learned */
	FILE	*notes;		/* the summary, or NULL */
	const char *store;	/* -s, or NULL for xd.conf's */
	long long now;		/* --now, or 0 for now */
};
/* -S: what the store holds. */
int	 lr_print_stats(const struct lr_opts *, FILE *);

/*
 * xd-act --filter: one verdict line in, its message written marked to
 * out's descriptor (mark_message(), past stdio); xd-act's other modes,
 * which deliver, release and list, stay in its main.
 */
struct act_opts {
	const char *tag;	/* -t, or NULL for subject_tag */
	const char *spool;	/* --spool DEV:INO:SIZE, or NULL */
	const char *result;	/* --result PATH, or NULL */
};
extern const struct stage stage_act;
/* A folder of xd.conf (key) that stays below its maildir; -1 said. */
int	 act_check_folder(const char *key);
/* The classes of class=, in order: the index of one, or -1. */
enum { ACT_HAM, ACT_SPAM, ACT_SURESPAM, ACT_NCLASS };
int	 act_class_index(const char *);

#endif
