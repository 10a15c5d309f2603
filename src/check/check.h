/*
 * check/check.h - the checks: xd-heur's built-in checks and its rule
 * files, checksums, Bayes and its model, and the marks of relays.
 */
#ifndef XD_CHECK_H
#define XD_CHECK_H

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"

/*
 * Built-in checks of xd-heur that live outside heur.c.  Each works on
 * plain text given to it, so that it can be tested alone.
 */
/* check_gtube.c: the GTUBE test strings */
enum { GTUBE_NONE, GTUBE_STANDARD, GTUBE_ADD_HEADER };
int	gtube_find(const char *, size_t);

/* check_msgid_time.c: Outlook's Message-ID, its time against Date: */
int	msgid_outlook_time_bad(const char *, time_t, time_t);

/* check_lookalike.c: hosts that look like a brand's, by ICU's skeletons */
struct lookalike;
struct lookalike *lookalike_new(void);	/* ICU opened when needed */
void	 lookalike_free(struct lookalike *);
const char *lookalike_host(struct lookalike *, const char *);
int	 lookalike_skeleton(struct lookalike *, const char *, int, char *,
	    size_t);			/* for tests: 1 = by ICU */
const char *lookalike_brand(size_t);	/* for tests: NULL past the last */

/* check_attach.c: attachments by name */
int	attach_macro_name(const char *);

/* check_charset8.c: 8-bit bytes that are not UTF-8, up to a stop */
size_t	charset8_count(const char *, size_t, size_t);
int	charset8_unused(const char *, size_t, int);

/* check_rcpt_link.c: an address in a link, after '#' or before */
enum { RCPT_LINK_NONE, RCPT_LINK_QUERY, RCPT_LINK_FRAGMENT };
int	rcpt_in_url(const char *, const char *);

/* cksum.c: normalised body text, its MD5 and a min-hash fingerprint */
#define CKSUM_SHINGLE	4	/* words in a shingle */
#define CKSUM_BANDS	8	/* LSH bands of the min-hash signature */
#define CKSUM_ROWS	3	/* min-hash values in a band */
#define CKSUM_MIN_WORDS	8	/* fewer and the body is not counted */
#define CKSUM_MIN_SHINGLES 8	/* fewer and there is no fingerprint */
struct cksum {
	char		 hex[33];	/* MD5 of the normalised text */
	size_t		 words;		/* in the normalised text */
	size_t		 shingles;
	size_t		 binary;	/* non-text parts of 256 bytes or more */
	int		 fuzzy;		/* band[] is set */
	uint64_t	 band[CKSUM_BANDS];
};
int	 cksum_message(struct message *, struct cksum *, struct buf *);
void	 cksum_text(const char *, size_t, int, struct cksum *, struct buf *);
int	 cksum_counts(const struct cksum *);
void	 cksum_format_fuzzy(const struct cksum *, struct buf *);
void	 cksum_msgkey(const struct message *, const struct cksum *, char *);

/* rules.c: SpamAssassin-style rule files on PCRE2 */
/* @@rules@@ */
struct rules_stats {
	unsigned	 files;		/* rule files read */
	unsigned	 loaded;	/* rules that can run */
	unsigned	 reported;	/* of those, written to the stream */
	unsigned	 skipped;	/* lines and rules left out, of which: */
	unsigned	 eval;		/*   eval: tests not mapped */
	unsigned	 mapped;	/* eval: tests run as xd-heur's checks */
	unsigned	 blocks;	/*   in if/ifplugin blocks that are false */
	unsigned	 other;		/*   directives of no rule */
	unsigned	 badname;	/*   names the stream cannot take */
	unsigned	 unresolved;	/*   metas of rules that are not there */
	unsigned	 toobig;	/*   patterns too big for PCRE2 */
	unsigned	 errors;	/* mistakes, each reported as file:line */
	unsigned	 nojit;		/* patterns PCRE2 could not JIT-compile */
	unsigned	 cached;	/* patterns from the cache, not compiled */
};
/*
 * What rules see of one message, made once by the caller: header()
 * puts every header called name (decoded, or raw) into out joined by
 * "\n" and returns how many there are (out NULL: only count); body is
 * the rendered text, a paragraph a line, the Subject first; rawbody the
 * decoded text parts with their markup; full() the message as stored;
 * symbol() how many fields called name the line (or a built-in check)
 * has, for metas over names of other tools.
 */
struct rulemsg {
	size_t	 (*header)(void *, const char *, int, struct buf *);
	void	 (*full)(void *, struct buf *);
	int	 (*symbol)(void *, const char *);
	void	*arg;
	const char *body, *rawbody;
	size_t	 bodylen, rawbodylen;
	const char *const *uris;
	size_t	 nuris;
	const struct message *m;	/* for evals computed from it, or NULL */
};
struct ruleset;
typedef void (*rulehit_fn)(void *, const char *, const char *, size_t);
struct ruleset *rules_load(const char *const *, size_t, struct rules_stats *);
#define RULES_SCORES	1		/* read for the scores, compile nothing */
struct ruleset *rules_load_flags(const char *const *, size_t,
	    struct rules_stats *, int);
void	 rules_free(struct ruleset *);
size_t	 rules_eval(struct ruleset *, const struct rulemsg *, rulehit_fn,
	    void *, const char **);
int	 rules_owns(const struct ruleset *, const char *, size_t);
int	 rules_foreign(const char *, size_t);
unsigned rules_jit_all(struct ruleset *);
extern int rules_verbose;		/* name what is too big */
void	 rules_weights(const struct ruleset *, FILE *,
	    int (*)(void *, const char *), void *);
void	 rules_list(const struct ruleset *, FILE *);
const char *rules_describe(const struct ruleset *, const char *, size_t);
void	 rules_each_score(const struct ruleset *,
	    void (*)(void *, const char *, double), void *);
/* rules_report.c: what was loaded and left out, by reason and rule */
void	 rules_report(const struct ruleset *, FILE *);
/* rulesconf.c: the configured rule files */
struct ruleset *rules_load_conf(const char *const *, size_t,
	    struct rules_stats *, int *, int);

/* heur.c: xd-heur's view of a message and its built-in checks */
struct heur;
struct heur *heur_new(void);		/* from xd.conf; NULL after a warning */
void	 heur_free(struct heur *);
int	 heur_check(struct heur *, struct ruleset *, struct rec *,
	    const char **);
/* xd-heur --learn-sent: what was read, and learned into which store. */
struct sent_learned {
	unsigned long	 seen, added;
	const char	*store;
};
int	 heur_learn_sent(struct heur *, const char *const *, size_t,
	    struct sent_learned *);

/*
 * bayes.c: the tokens of a message and the Robinson-Fisher classifier
 * of xd-bayes(1).  Tokens are 64-bit hashes of "prefix:word".
 */
#define BAYES_MAX_TOKENS 20000		/* distinct tokens of one message */
#define BAYES_MAX_TEXT	(1024 * 1024)	/* bytes of text tokenized */
#define BAYES_DIGEST	32		/* SHA-256: the seen-set key */
struct bayes_tokens {
	uint64_t	*h;		/* sorted, after bayes_tokens_sort() */
	size_t		 n;
	int		 full;		/* BAYES_MAX_TOKENS reached */
	size_t		 text;		/* bytes of text read so far */
	unsigned char	 digest[BAYES_DIGEST];
	void		(*show)(const char *, void *);	/* each new token */
	void		*show_arg;
	struct buf	*view;		/* or NULL: the text as read, for xd-lr */
	size_t		 view_max;	/* bytes of it kept */
	uint64_t	*tab;		/* private: the open-addressed set */
	size_t		 tabcap;
};
struct bayes_params {
	double		 s, x;		/* Robinson's strength and prior */
	double		 min_dev;	/* tokens with |f - 0.5| below: unused */
	size_t		 max_used;	/* the strongest tokens combined */
	size_t		 top_used;	/* the fewer whose verdict is a floor */
};
/* tokens.c: the text of a message folded before its words are counted */
#define TOKEN_SCHEME	2	/* what a store's token counts mean */
void	 tokens_fold_text(const char *, size_t, struct buf *);
int	 tokens_leet(char *, size_t);
int	 tokens_number(const char *, size_t, char *, size_t);
void	 tokens_words(struct bayes_tokens *, const char *, const char *, size_t,
	    int, struct buf *);
void	 tokens_view(struct bayes_tokens *, const char *, size_t);
void	 bayes_tokens_init(struct bayes_tokens *);
void	 bayes_tokens_free(struct bayes_tokens *);
void	 bayes_tokens_reset(struct bayes_tokens *);
void	 bayes_tokens_sort(struct bayes_tokens *);
void	 bayes_sort_hashes(uint64_t *, size_t, uint64_t *);
uint64_t bayes_hash(const char *, size_t);
int	 bayes_add_hash(struct bayes_tokens *, uint64_t);
void	 bayes_add(struct bayes_tokens *, const char *, const char *, size_t);
void	 bayes_words(struct bayes_tokens *, const char *, const char *, size_t,
	    int);
void	 bayes_links(struct bayes_tokens *, const char *, size_t);
void	 bayes_html(struct bayes_tokens *, const struct html_view *);
size_t	 bayes_footer(const char *, size_t);
int	 bayes_tokenize(struct message *, struct bayes_tokens *, const char *);
/* msgtokens.c: a message's tokens, computed once for every stage */
const struct bayes_tokens *message_tokens(struct message *, const char *);
void	 bayes_digest(const struct bayes_tokens *, const char *,
	    unsigned char[BAYES_DIGEST]);
double	 bayes_fw(const struct bayes_params *, double, double, double, double);
double	 bayes_chi2q(double, size_t);
double	 bayes_fisher(const struct bayes_params *, double *, size_t, size_t *);
const char *bayes_band(double);
extern const struct bayes_params bayes_defaults;

/* bayesdb.c: the Bayes model and the auto-allowlist in the store */
enum { BAYES_HAM = 1, BAYES_SPAM = 2 };
enum bayes_outcome {
	BAYES_NEW, BAYES_ALREADY, BAYES_MOVED, BAYES_UNLEARNED, BAYES_UNKNOWN
};
struct bayes_learned {		/* what a queued learning found */
	int		 cls;		/* BAYES_HAM, BAYES_SPAM; 0: unlearn */
	struct store_val first, second;
};
struct bayes_db;
struct bayes_db *bayes_db_open(const char *, const char **);	/* NULL: conf */
void	 bayes_db_close(struct bayes_db *);
struct store *bayes_db_store(struct bayes_db *);
size_t	 bayes_learn_ops(size_t);
void	 bayes_queue_learn(struct bayes_db *, const struct bayes_tokens *, int,
	    struct bayes_learned *);
enum bayes_outcome bayes_outcome(const struct bayes_learned *);
struct bayes_batch;		/* the tokens of many messages, each read once */
struct bayes_batch *bayes_batch_new(void);
void	 bayes_batch_add(struct bayes_batch *, const struct bayes_tokens *);
int	 bayes_batch_run(struct bayes_db *, struct bayes_batch *, const char **);
void	 bayes_batch_counts(const struct bayes_batch *, const uint64_t *,
	    size_t, struct store_val *);
void	 bayes_batch_free(struct bayes_batch *);
void	 bayes_queue_totals(struct bayes_db *, struct store_val *);
double	 bayes_classify(const struct bayes_params *, const struct store_val *,
	    size_t, double *, size_t *);
void	 awl_queue_sent(struct bayes_db *, const struct bayes_tokens *,
	    const char *, struct store_val *);
int	 awl_queue_get(struct bayes_db *, const char *, struct store_val *);
int	 bayes_db_scheme(struct bayes_db *, int, long long *, const char **);
int	 bayes_db_stats(struct bayes_db *, long long *, long long *, long long *,
	    const char **);
const struct store_table *bayes_db_tokens(struct bayes_db *);
/* bayes_expire.c: the aged tokens swept, the rare and stale removed */
int	 bayes_expire(struct bayes_db *, long long, long long *, long long *,
	    const char **);
int	 bayes_learn_file(const struct locator *, int, enum bayes_outcome *,
	    const char **);

/* relaymarks.c: marks from the relays of the Received: chain */
/* check_rdns.c: a reverse name of a dynamic or residential address */
int	 rdns_dynamic(const char *, const char *, char *, size_t);
void	 relay_marks(const struct message *, const struct relays *,
	    void (*)(void *, const char *, const char *), void *);

/* lr.c, lrdb.c: the learner of xd-lr(1), its own header for its size */
#include "lr.h"

#endif
