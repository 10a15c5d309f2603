/*
 * rules_int.h - what the parts of the rule engine share: rules.c holds
 * the set and finishes it (compiling), rules_read.c reads the files,
 * rules_meta.c parses metas, rules_prefilter.c finds the literals a
 * rule needs, rules_match.c runs a set on a message; rules_eval.c maps
 * eval: tests onto xd-heur's checks; rules_report.c says what was loaded
 * and left out.
 */
#ifndef RULES_INT_H
#define RULES_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define RULES_LINE	65536	/* longest line of a rule file */
#define RULES_MAX	200000	/* rules and names in one set */
#define RULES_MAX_FILES	1000
#define RULES_MAX_IF	32	/* nesting of if and ifplugin */
#define RULES_MAX_TAGS	4096
#define TAG_DEPTH	8	/* tags inside tags */
#define PATTERN_MAX	(256 * 1024)	/* a pattern after its tags */
#define META_DEPTH	32	/* meta of meta of ... */
#define META_NEST	64	/* parentheses and unary operators */
#define META_OPS	4096	/* operations in one expression */
#define MATCH_LIMIT	500000	/* PCRE2 match() calls per match */
#define DEPTH_LIMIT	5000	/* backtracking depth without JIT */
#define HEAP_LIMIT	8192	/* KiB of backtracking heap without JIT */
#define JIT_STACK	(1024 * 1024)
#define JIT_AFTER	2	/* JIT-compile a pattern on its second use */
#define MAX_HITS	1000	/* counted by tflags multiple */
#define EVIDENCE_MAX	60	/* bytes of a match put on the line */

enum rtype {
	R_NONE,		/* only named by score, describe or tflags */
	R_HEADER, R_EXISTS, R_BODY, R_RAWBODY, R_URI, R_FULL, R_META
};

/* How a header rule sees its header: decoded or raw, and what part. */
enum hhow { H_VALUE, H_ADDR, H_NAME, H_HOST, H_DOMAIN, H_COUNT };

struct hsrc {
	char		*name;
	enum hhow	 how;
	int		 raw;
	uint64_t	 gen, lowgen;	/* messages val and lower are for */
	size_t		 count;		/* headers of that name */
	struct buf	 val, lower;	/* lower: val in lower case, for literals */
};

/* One operation of a meta expression, in postfix order. */
enum mopk {
	M_NUM, M_RULE, M_EXT, M_NOT, M_NEG, M_ADD, M_SUB, M_MUL, M_DIV,
	M_LT, M_GT, M_LE, M_GE, M_EQ, M_NE, M_ANDJ, M_ORJ
};

struct mop {
	enum mopk	 k;
	double		 num;
	size_t		 idx;		/* rule, or jump target */
	char		*name;		/* M_RULE before resolving, M_EXT */
};

enum rstate { S_OK, S_SKIPPED };

/* Literals some rules need, and where to find them fast (see below). */
struct lit {
	char		*s;		/* lower case */
	size_t		 n;
	uint32_t	 key;		/* its first four bytes */
	size_t		 next;		/* the next with that key, + 1 */
	uint64_t	 gen;		/* the message it was last seen in */
};

struct littab {
	struct lit	*l;
	size_t		 n, cap;
	size_t		*head;		/* key slot -> first literal + 1 */
	size_t		 kcap;
	uint64_t	 filter[1024];	/* a bit per hashed key */
};

struct rule {
	char		*name;
	enum rtype	 type;
	enum rstate	 state;
	const char	*file;
	unsigned long	 line;
	char		*pattern;	/* as written, before compiling */
	size_t		 patlen;
	uint32_t	 options;	/* PCRE2 compile options */
	pcre2_code	*re;
	int		 negate;	/* header !~ */
	size_t		 src;		/* header source */
	char		*unset;		/* header [if-unset: TEXT] */
	struct mop	*ops;
	size_t		 nops, stack;
	double		 score;
	int		 has_score;
	char		*describe;
	unsigned	 maxhits;	/* 1, or more with tflags multiple */
	int		 nice, replace, net, needed, depth;
	int		 high;		/* needs text past ASCII: rules_prefilter.c */
	/* the current message */
	uint64_t	 gen;		/* message value is for */
	int		 busy;
	double		 value;
	size_t		 evoff, evlen;
	const char	*dfile;		/* where score/describe came, for errors */
	size_t		*lits, nlits;	/* one of them must be in the text */
	char		*hlits;		/* a header's: each lower case, NUL-ended */
	unsigned	 runs;		/* messages matched on, up to JIT_AFTER */
	uint64_t	 jitgen;	/* the last of them */
	int		 hs;		/* in a Hyperscan prefilter database */
	uint64_t	 hsgen;		/* the message it may match, said it */
};

struct tag {
	char		 kind;		/* 't' tag, 'p' pre, 'i' inter, 's' post */
	char		*name;
	char		*value;
};

/* A rule left out, or an eval: test mapped, for the report. */
struct note {
	char		*name;
	const char	*file;
	unsigned long	 line;
	const char	*reason;	/* one of rules_report.c's words */
	char		*detail;
};

struct ruleset {
	struct rule	*r;
	size_t		 n, cap;
	size_t		*tab;		/* name -> index + 1, open addressing */
	size_t		 tabcap;
	struct hsrc	*src;
	size_t		 nsrc;
	struct tag	*tags;
	size_t		 ntags;
	char		**files;
	size_t		 nfiles;
	struct rules_stats st;
	/* reading */
	const char	*file;
	int		 ifstack[RULES_MAX_IF];	/* 1 true, 0 false */
	int		 ifdepth, ifskip;
	unsigned long	 ifline[RULES_MAX_IF];
	char		*ifcond[RULES_MAX_IF];	/* for the report */
	struct rcache	*cache;		/* while compiling */
	struct evalctx	*ectx;		/* of the computed evals */
	struct note	*notes;
	size_t		 nnotes;
	/* matching */
	pcre2_compile_context *cctx;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
	pcre2_jit_stack	*jit;
	uint64_t	 gen;		/* messages run, never 0 again */
	const struct rulemsg *msg;
	struct buf	 ev;		/* evidence of this message's hits */
	struct buf	 full, tmp;
	int		 have_full, ascii[2];	/* body, rawbody: -1 not known */
	struct littab	 lt[3];		/* literals of body, rawbody, uri rules */
	struct rules_hs	*hs;		/* Hyperscan's databases, or NULL */
	size_t		*run;		/* the rules written, in order */
	size_t		 nrun;
	struct buf	 lower;		/* text in lower case, to find them */
	double		*stk;		/* values of metas being run */
	size_t		 stkcap, sp;
	size_t		 limited;	/* rules stopped by a limit */
	unsigned	 nojit;		/* patterns PCRE2 could not JIT-compile */
	const char	*limited_name;
	char		**warned;	/* rules whose limit was reported */
	size_t		 nwarned;
};

/* One message as the computed evals see it, their facts made once. */
struct evalctx {
	uint64_t	 gen;		/* the ruleset's message */
	const struct message *m;
	int		 have_diff;
	long long	 date_diff;	/* Date: less the nearest Received: */
};

/* rules.c: the set, its rules by name, finishing it */
int	 rules_usable(const struct ruleset *, const char *);
struct rule *rule_get(struct ruleset *, const char *);
void	 rule_reset(struct rule *);
int	 valid_rule_name(const char *);
int	 resolve(struct ruleset *, struct rule *, int);
void	 rules_hs_start(struct ruleset *);
int	 rules_conf_drop(struct ruleset *);	/* rulesconf.c */

/* rules_read.c: rule files read into a set */
int	 load_file(struct ruleset *, const char *);
int	 load_dir(struct ruleset *, const char *);

/* rules_meta.c */
const char *parse_meta(struct rule *, const char *);

/* rules_prefilter.c */
int	 littab_of(const struct rule *);
void	 prefilter(struct ruleset *, struct rule *);
void	 lit_index(struct littab *);
void	 lit_scan(struct littab *, const unsigned char *, size_t, uint64_t);
void	 lit_free(struct littab *);

/* rules_cache.c */
struct rcache;
struct rcache *rules_cache_open(const struct ruleset *);
pcre2_code *rules_cache_take(struct rcache *, const struct rule *, int *);
void	 rules_cache_compiled(struct rcache *, const struct rule *, int);
void	 rules_cache_close(struct rcache *, const struct ruleset *);
uint64_t rules_cache_hash(const struct rule *);
unsigned char *rules_cache_read(const char *, size_t *);
void	*rules_cache_map(const char *, size_t *);
int	 rules_cache_write(const char *, const unsigned char *, size_t);
int	 rules_cache_mkdir(const char *);
char	*rules_cache_file(const char *, const struct buf *);

/* rules_hs.c: the Hyperscan prefilter; without Hyperscan, none */
#define HS_KINDS	4	/* body, rawbody, uri, full */
#define HS_AFTER	2	/* the message the databases are loaded for */
void	 rules_hs_build(struct ruleset *);
int	 rules_hs_kind(const struct rule *);
int	 rules_hs_todo(struct ruleset *, int);
void	 rules_hs_scan(struct ruleset *, int, const char *, size_t);
int	 rules_hs_may(const struct ruleset *, const struct rule *);
void	 rules_hs_free(struct ruleset *);
int	 rules_hs_weak(const char *);		/* rules_prefilter.c */

/* rules_eval.c */
const char *rules_eval_symbol(const char *, const char **);
int	 rules_eval_plugin(const char *);
const char *rules_eval_alias(const char *);
double	 rules_eval_ext(struct ruleset *, const char *);
void	 rules_eval_free(struct ruleset *);

/* rules_eval_date.c, rules_eval_relay.c: evals computed from the message */
int	 eval_shifted_date(struct evalctx *, char *const *, size_t);
int	 eval_no_rdns_dotcom_helo(struct evalctx *, char *const *, size_t);
int	 eval_received_remover(struct evalctx *, char *const *, size_t);

/* rules_report.c */
void	 rules_note(struct ruleset *, const char *, const char *,
	    unsigned long, const char *, const char *);
void	 rules_notes_free(struct ruleset *);

#endif
