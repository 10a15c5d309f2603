/*
 * xd.h - the shared library of the xd tools.
 *
 * Prototypes are grouped by the file that defines them.  The library
 * never exits on its own except through the x*alloc() wrappers and the
 * err()-style helpers, which the tools call on purpose.
 */
#ifndef XD_H
#define XD_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit codes shared by every tool (see xd-stream(5)). */
#define XD_EXIT_OK	0	/* every input line was handled */
#define XD_EXIT_SOME	1	/* some lines carry error= */
#define XD_EXIT_USAGE	2	/* bad usage or configuration */

#define XD_MAX_LINE	(1024 * 1024)		/* default stream line bound */
#define XD_MAX_MESSAGE	(20 * 1024 * 1024)	/* default message bound */

#ifndef XD_VERSION
#define XD_VERSION "0.1"
#endif

/* util.c */
extern const char *xd_progname;
void	 xd_setprogname(const char *argv0);
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 xd_err(int, const char *, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	 xd_errx(int, const char *, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	 xd_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 xd_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
long long xd_strtonum(const char *, long long, long long, const char **);
long long xd_optnum(const char *, const char *, long long, long long);
uint64_t xd_hash(const void *, size_t);
long long xd_now_ms(void);
int	 xd_parse_size(const char *, size_t *);
int	 xd_parse_double(const char *, double *);
char	*xd_trim(char *);
int	 xd_hexval(int);
const char *xd_sharedir(void);
char	*xd_sharepath(const char *);
const char *xd_site_conf(void);
void	 xd_version(void) __attribute__((noreturn));
void	 xd_usage(int, const char *, const char *) __attribute__((noreturn));

/* fileio.c */
ssize_t	 xd_read(int, void *, size_t);		/* read(2), retried on EINTR */
int	 xd_write_all(int, const void *, size_t);	/* every byte, or -1 */
int	 xd_fsync_dir(const char *);
int	 xd_fsync_parent(const char *);
int	 xd_read_lines(FILE *, const char *, size_t,
	    const char *(*)(void *, char *, unsigned long), void *);

/* buf.c: a growable byte buffer, always NUL-terminated */
struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_grow(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, int);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * stream.c: the verdict stream of xd-stream(5).
 *
 * A record is one line split into fields.  Field 0 is the locator.
 * Fields are kept in their escaped form, "name=value", so that fields a
 * tool does not own pass through byte for byte.  Values are escaped on
 * the way in (rec_add, rec_set) and unescaped on request (rec_get).
 */
struct rec {
	char	*line;		/* the line as read, fields cut at TABs */
	size_t	 linecap;
	char	**f;		/* fields, escaped, NUL-terminated */
	unsigned char *own;	/* own[i]: f[i] was malloc'd by rec_add */
	size_t	 nf, fcap;
	int	 comment;	/* a '#' line: written back untouched */
	const char *bad;	/* why the line is damaged, or NULL */
};

struct reader {
	FILE	*fp;
	const char *name;	/* for messages: "<stdin>" or a path */
	size_t	 maxline;
	unsigned long lineno;
	char	*buf;
	size_t	 cap;
};

void	 reader_init(struct reader *, FILE *, const char *, size_t);
void	 reader_free(struct reader *);
int	 reader_next(struct reader *, struct rec *);	/* 1 line, 0 EOF */

void	 rec_init(struct rec *);
void	 rec_free(struct rec *);
void	 rec_clear(struct rec *);
int	 rec_from_locator(struct rec *, const char *);
const char *rec_locator(const struct rec *);
const char *rec_raw(const struct rec *, const char *);
int	 rec_get(const struct rec *, const char *, struct buf *);
int	 rec_has(const struct rec *, const char *);
void	 rec_add(struct rec *, const char *, const char *);
void	 rec_addf(struct rec *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 rec_set(struct rec *, const char *, const char *);
void	 rec_drop(struct rec *, int (*)(const char *, size_t, void *), void *);
void	 rec_drop_prefixes(struct rec *, const char *const *);
void	 rec_error(struct rec *, const char *, const char *);
void	 rec_drop_own_errors(struct rec *, const char *);
int	 rec_write(const struct rec *, FILE *);
size_t	 rec_name(const char *, const char **);
int	 is_symbol_name(const char *, size_t);
int	 stream_unescape(const char *, struct buf *);
void	 stream_escape(const char *, size_t, struct buf *);
int	 stream_valid_name(const char *, size_t);

/*
 * A tool's main loop over a stream: read every line, hand well-formed
 * message lines to fn, write every line back.  Damaged lines get
 * error=TOOL:REASON and are passed through.  Returns the exit status.
 */
typedef int (*rec_fn)(struct rec *, void *);
int	 stream_run(FILE *, FILE *, const char *, rec_fn, void *);

/* Where a line's message lies: the locator, offset= and length=. */
struct locator {
	char	*path;
	off_t	 offset;
	off_t	 length;	/* -1: to the end of the file */
};
int	 rec_locate(const struct rec *, struct locator *, const char **);
void	 locator_free(struct locator *);

/* Set to the expected number of lines to show progress on stderr. */
extern unsigned long stream_progress_total;
void	 stream_progress_option(const char *);
void	 progress_tick(unsigned long, int);

/* cidr.c: IPv4 and IPv6 addresses and networks */
struct cidr {
	int	 family;	/* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int	 bits;
};
int	 cidr_parse(const char *, struct cidr *);
int	 ip_parse(const char *, struct cidr *);
int	 cidr_match(const struct cidr *, const struct cidr *);
int	 cidr_list_match(const struct cidr *, size_t, const struct cidr *);
int	 ip_is_special(const struct cidr *);

/*
 * config.c: xd.conf(5).  Every key has a default, so everything works
 * with no file at all.  Repeated keys that take lists accumulate.
 */
int	 conf_load(const char *);	/* NULL: $XD_CONF, or site then user */
const char *conf_path(void);
char	*conf_user_file(void);
const char *conf_str(const char *);
long long conf_int(const char *);
double	 conf_double(const char *);
size_t	 conf_size(const char *);
size_t	 conf_list(const char *, const char *const **);
void	 conf_set(const char *, const char *);
void	 conf_dump(FILE *);
int	 conf_known(const char *);

/* util.c (more) */
char	*xd_expand_home(const char *);

/*
 * message.c: open a message by its locator and parse it with GMime,
 * never holding more than max_message_size of it in memory.
 * (Declarations added by the message.c author below.)
 */
/* @@message@@ */
#define MSG_MAX_FROM_LINE (64 * 1024)	/* longest mbox From_ line */
#define MSG_MAX_PARTS	1000	/* leaf parts a walk visits */
#define MSG_MAX_DEPTH	64	/* nesting of multiparts and messages */
#define MSG_MAX_VALUE	1000	/* bytes of one fact value */
#define MSG_TRUNCATED	0x01	/* over max_message_size: parsed in part */
#define MSG_MANY_PARTS	0x02	/* over MSG_MAX_PARTS parts */
#define MSG_TOO_DEEP	0x04	/* nested over MSG_MAX_DEPTH */
#define MSG_MANY_FIELDS	0x08	/* header cut at max_header_fields */
#define MSG_BIG_HEADER	0x10	/* header cut at max_header_size */
struct message;			/* opaque: a parsed message */
struct msgpart {		/* one part, as message_parts() shows it */
	char	 type[64];	/* "text/plain", lower case */
	const char *charset;	/* declared, or NULL */
	const char *filename;	/* or NULL */
	int	 attachment;	/* disposition attachment, or a file name */
	int	 is_message;	/* message/rfc822, shown before its parts */
	int	 depth;
	void	*obj;		/* for msgpart_data() and msgpart_text() */
};
typedef int (*msgpart_fn)(const struct msgpart *, void *);
struct message *message_open(const struct locator *, const char **);
void	 message_free(struct message *);
void	 message_shutdown(void);
int	 message_flags(const struct message *);
off_t	 message_size(const struct message *);
const char *message_envelope(const struct message *);
const char *message_header_next(const struct message *, const char *, int *);
size_t	 message_header_count(const struct message *, const char *);
int	 message_header(const struct message *, const char *, struct buf *,
	    size_t);
int	 message_subject(const struct message *, struct buf *, size_t);
int	 message_msgid(const struct message *, const char *, struct buf *,
	    size_t);
size_t	 message_addrs(const struct message *, const char *, struct buf *,
	    struct buf *, size_t, size_t);
int	 message_date(const struct message *, time_t *);
int	 message_date_parse(const char *, time_t *);
int	 message_date_valid(const char *);
const char *message_header_at(const struct message *, int, const char **);
int	 message_header_decode(const char *, struct buf *, size_t);
size_t	 message_parts(struct message *, msgpart_fn, void *);
int	 msgpart_data(const struct msgpart *, struct buf *, size_t);
int	 msgpart_text(const struct msgpart *, struct buf *, size_t);
size_t	 msgpart_qp_line(const struct msgpart *, size_t);
void	 utf8_convert(const char *, const char *, size_t, struct buf *);
int	 charset_known(const char *);
void	 utf8_fix(struct buf *);
size_t	 utf8_cut(const char *, size_t, size_t);
void	 text_clean(struct buf *, size_t);
struct mbox;			/* where the messages of an mbox file lie */
/* mbox.c */
int	 mbox_is_from_line(const char *, size_t);
struct mbox *mbox_open(FILE *);
int	 mbox_next(struct mbox *, off_t *, off_t *);
void	 mbox_close(struct mbox *);
/* rfc2047.c */
int	 rfc2047_decode(const char *, struct buf *);
void	 rfc2047_b_to_q(const char *, struct buf *);
/* mimeparam.c: a part's file name, B words read right */
const char *mime_filename(void *, const char *, struct buf *);
/* addr.c */
size_t	 addr_list_normalise(const char *, struct buf *);
void	 addr_envelope(const char *, struct buf *);

/* received.c: the Received: chain, relays and the first untrusted one */
/* @@received@@ */
#define RELAY_MAX_HEADERS 100	/* Received: headers parsed */
#define RELAY_MAX_RELAYS 20	/* untrusted addresses kept */
#define RELAY_MAX_NAME	256
#define RELAY_MAX_IP	46	/* INET6_ADDRSTRLEN */
struct relay {
	struct cidr addr;
	char	 ip[RELAY_MAX_IP];	/* canonical text of addr */
	char	 helo[RELAY_MAX_NAME];	/* "" when not said */
	char	 rdns[RELAY_MAX_NAME];	/* "" when unknown */
	int	 no_rdns;		/* the MTA wrote that it had none */
	int	 local;			/* POP/IMAP retrieval, LMTP delivery */
};
struct relays {
	struct relay first;		/* the first untrusted relay */
	int	 have_first;
	int	 first_external;	/* first is the last external hop */
	char	 lastext[RELAY_MAX_IP];	/* else the trusted one that is */
	unsigned hops;			/* Received: headers, all of them */
	size_t	 nips;
	char	 ips[RELAY_MAX_RELAYS][RELAY_MAX_IP];	/* untrusted, in order */
};
int	 received_parse(const char *, struct relay *);
int	 received_walk(const struct message *, struct relays *);
int	 received_trusted(const struct cidr *);
int	 received_internal(const struct cidr *);
void	 received_reset(void);
void	 relay_marks(const struct message *, const struct relays *,
	    void (*)(void *, const char *, const char *), void *);

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

/* fit.c: weights fitted to labelled lines, see xd-score(1) --fit */
struct fit_opts {
	double	 lambda;	/* L2 penalty, above 0 */
	double	 ham_cost;	/* weight of a ham line in the loss */
	double	 ham_loss;	/* spam threshold: training ham rate; <0 off */
	double	 sure_loss;	/* surespam threshold: the same; <0 off */
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

/* maildir.c: safe delivery into maildirs (tmp/, fsync, rename) */
/* @@maildir@@ */
int	 maildir_create(const char *);		/* dir, tmp/ new/ cur/; 0700 */
char	*maildir_folder(const char *, const char *);	/* "DIR", ".Spam" */
int	 maildir_contains(const char *, const char *);	/* in DIR/new, cur */
int	 maildir_open(const struct locator *, off_t *, const char **);
char	*maildir_deliver_fd(const char *, int, off_t, const char **);
char	*maildir_deliver(const char *, const struct locator *, const char **);
int	 maildir_move(const char *, const char *, char **, const char **);

/* logtext.c, quarantine.c: mail's text in a log line or a listing */
void	 log_escape(const char *, size_t, struct buf *);
void	 log_escapes(const char *, struct buf *);
int	 quarantine_list(const char *, FILE *,
	    void (*)(const char *, const char *));
int	 result_line(struct rec *, long long, struct buf *, const char **);

/* eol.c: where lines and the header end, one reading for all of xd */
#define EOL_LF	0	/* lines end at LF, a CR just before it included */
#define EOL_CR	1	/* at CR: no LF came before the first empty line */
#define EOL_PEEK 1024	/* what eol_header shows of each header line */
struct eol_probe {
	int	 mode, bol, pending, cr;
};
struct eol_header {
	off_t	 from;		/* length of the mbox From_ line, or 0 */
	off_t	 end;		/* where the empty line starts, or the end */
	off_t	 body;		/* where the body starts, or the end */
	int	 mode;		/* EOL_LF or EOL_CR */
	char	 eol[3];	/* the ending added header fields use */
};
typedef void (*eol_line_fn)(const char *, size_t, void *);
void	 eol_probe_init(struct eol_probe *);
int	 eol_probe_feed(struct eol_probe *, const char *, size_t);
int	 eol_probe_end(const struct eol_probe *);
const char *eol_find(const char *, size_t, int);
int	 eol_mode_fd(int, off_t, off_t, int *);
int	 eol_from_line(int, off_t, off_t, off_t *, int *);
int	 eol_header(int, off_t, off_t, struct eol_header *, eol_line_fn,
	    void *);

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
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
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
int	 xdlog_facility(const char *);
int	 xdlog(int, int, const char *);

/* dns.c: asynchronous DNS through c-ares, with a window and a cache */
/* @@dns@@ */
/*
 * One resolver context per thread: nothing in dns.c is global but the
 * one-time c-ares library set-up.  Answers are shared and read-only;
 * a callback's answer lives until the callback returns, dns_lookup()'s
 * until dns_answer_free().  Every query calls back exactly once, at the
 * latest dns_timeout * dns_tries after it was sent (then DNS_TEMPFAIL),
 * or in dns_free() (DNS_TEMPFAIL, "cancelled").
 */
#define DNS_MAX_RR	256	/* records in one answer; more is hostile */
#define DNS_MAX_TXT	8192	/* bytes of one TXT record, strings joined */
#define DNS_MAX_CNAME	8	/* CNAMEs followed in one answer */
#define DNS_MAX_NAME	254	/* a name as text, without the final dot */
enum dns_type {
	DNS_A = 1, DNS_PTR = 12, DNS_MX = 15, DNS_TXT = 16, DNS_AAAA = 28
};
enum dns_status {
	DNS_OK,		/* n >= 1 records */
	DNS_NXDOMAIN,	/* no such name */
	DNS_NODATA,	/* the name exists, no record of that type */
	DNS_TEMPFAIL,	/* timeout, SERVFAIL, REFUSED, network, no resolver */
	DNS_BAD		/* a malformed or hostile answer, or a bad name */
};
struct dns_rr {
	unsigned	 ttl;
	unsigned	 pref;		/* MX preference */
	unsigned char	 addr[16];	/* A: 4 bytes, AAAA: 16 */
	size_t		 len;		/* of text, without the NUL */
	char		*text;		/* address as text; PTR or MX name;
					   TXT strings joined (may hold NULs) */
};
struct dns_answer {
	int		 type;
	enum dns_status	 status;
	char		*name;		/* as asked: lower case, no final dot */
	const char	*why;		/* what failed: "timeout", "servfail".. */
	unsigned	 ttl;		/* seconds it may be cached; 0: not */
	size_t		 n;
	struct dns_rr	*rr;		/* sorted: addresses, names, prefs */
	unsigned	 refs;		/* private */
};
struct dns_stats {
	unsigned long	 queries;	/* asked by callers */
	unsigned long	 sent;		/* went to the resolver */
	unsigned long	 cached;	/* answered from the cache */
	unsigned long	 joined;	/* joined one already in flight */
	unsigned long	 timeouts;	/* cut at the time bound */
	unsigned long	 bad;		/* hostile or malformed answers */
};
struct dns;
typedef void (*dns_fn)(const struct dns_answer *, void *);
int	 dns_resolver_check(const char *, const char **);
const char *dns_resolver_option(const char *);
struct dns *dns_new(const char *, const char **);	/* NULL: configured */
void	 dns_free(struct dns *);
const char *dns_resolver(const struct dns *);
void	 dns_query(struct dns *, const char *, int, dns_fn, void *);
size_t	 dns_wait(struct dns *, int);		/* ms, -1: until done */
size_t	 dns_poll(struct dns *, int, int, int *);	/* + a caller's fd */
size_t	 dns_pending(const struct dns *);
long long dns_bound(const struct dns *);	/* ms: timeout x tries */
struct dns_answer *dns_lookup(struct dns *, const char *, int);
struct dns_answer *dns_answer_ref(const struct dns_answer *);	/* keep it */
void	 dns_answer_free(struct dns_answer *);
void	 dns_stats(const struct dns *, struct dns_stats *);
const char *dns_status_name(enum dns_status);
const char *dns_type_name(int);
int	 dns_type_parse(const char *);
int	 dns_name_ok(const char *);
int	 dns_reverse(const struct cidr *, const char *, char *, size_t);
/*
 * The windowed runner of network checks: up to window lines in flight,
 * written strictly in input order as soon as the first line's queries
 * are all answered.  start() is called once per message line and may
 * start any number of queries with dns_line_query(); their callbacks
 * may start more.  finish() is called once per started line when all
 * its queries are done, just before the line is written: add fields
 * there, in an order that does not depend on answer timing.  Each line
 * gets state_size zeroed bytes of state.  A line still waiting after
 * line_timeout ms has its lookups answered DNS_TEMPFAIL ("line-timeout")
 * at once, and later ones too.  Returns the exit status.
 */
struct dns_line;
struct dns_runner {
	const char	*tool;		/* for error=TOOL:REASON */
	size_t		 window;	/* 0: dns_window from xd.conf */
	size_t		 state_size;
	int		(*start)(struct dns_line *, struct rec *, void *, void *);
	int		(*finish)(struct rec *, void *, void *);
	void		*arg;		/* the last argument of both */
	long long	 line_timeout;	/* ms; 0: twice dns_bound() */
};
typedef void (*dns_line_fn)(struct dns_line *, const struct dns_answer *,
	    void *);
void	 dns_line_query(struct dns_line *, const char *, int, dns_line_fn,
	    void *);
struct rec *dns_line_rec(struct dns_line *);
void	*dns_line_state(struct dns_line *);
int	 dns_run(struct dns *, FILE *, FILE *, const struct dns_runner *);
long long dns_message_left(void);
int	 dns_resolver_none(const char *);	/* ms of XD_DNS_START's budget */
/* dnsbreak.c: lists skipped while their lookups time out */
int	 dns_break_open(const char *);
void	 dns_break_result(const char *, const struct dns_answer *);
void	 dns_break_spf(int);
void	 dns_break_save(void);

/* spfrec.c: SPF records (RFC 7208): which TXT is one, syntax, macros */
/* @@spf@@ */
enum spf_mech {
	SPFM_ALL, SPFM_INCLUDE, SPFM_A, SPFM_MX, SPFM_PTR, SPFM_IP4, SPFM_IP6,
	SPFM_EXISTS, SPFM_REDIRECT
};
struct spf_term {
	enum spf_mech	 mech;
	char		 qual;		/* '+', '-', '~' or '?' */
	char		*spec;		/* domain-spec as written, or NULL */
	int		 cidr4, cidr6;	/* a, mx: prefix lengths (32, 128) */
	struct cidr	 net;		/* ip4, ip6 */
};
struct spf_rec {
	struct spf_term	*t;		/* in order; a redirect last, and
					   only when there is no "all" */
	size_t		 n;
	int		 has_all, has_exp;
};
struct spf_env {			/* what the macros expand to (7.3) */
	const char	*sender, *local, *sender_domain, *domain, *helo;
	const struct cidr *ip;
	const char	*(*validated)(void *, const char *);	/* %{p} */
	void		*arg;
};
int	 spf_is_record(const char *, size_t);
int	 spf_rec_parse(const char *, size_t, struct spf_rec *, const char **);
void	 spf_rec_free(struct spf_rec *);
int	 spf_domain_spec_ok(const char *, size_t);
int	 spf_domain_ok(const char *);
void	 spf_expand(const char *, const struct spf_env *, struct buf *);

/* spf.c: SPF checks through libspf2, its DNS through dns.c */
enum spf_result {
	SPFR_NONE, SPFR_NEUTRAL, SPFR_PASS, SPFR_FAIL, SPFR_SOFTFAIL,
	SPFR_TEMPERROR, SPFR_PERMERROR, SPFR_BESTGUESS_PASS,
	SPFR_BADIP			/* ip= is not an address */
};
struct spf_query {
	const char	*ip;
	const char	*mailfrom;	/* NULL: none; "": the null sender */
	const char	*helo;		/* NULL: none */
	int		 best_guess;
	int		 debug;		/* records made for libspf2 on stderr */
	long long	 timeout;	/* ms for the whole check */
};
struct spf;				/* one thread's checker */
struct spf_cache;			/* spfcache.c */
struct spf *spf_new(const char *, struct spf_cache *, const char **);
void	 spf_free(struct spf *);
enum spf_result spf_check(struct spf *, const struct spf_query *,
	    struct buf *, const char **);
const char *spf_result_name(enum spf_result);
void	 spf_stats(const struct spf *, struct dns_stats *);

/* spfcache.c: answers shared by the threads, queries in flight joined */
struct spf_answer {			/* a copy of a struct dns_answer */
	enum dns_status	 status;
	const char	*why;		/* a string literal of dns.c */
	unsigned	 ttl;
	size_t		 n;
	struct dns_rr	*rr;
};
struct spf_cache;
struct spf_answer *spf_answer_copy(enum dns_status, const char *, unsigned,
	    const struct dns_rr *, size_t);
void	 spf_answer_free(struct spf_answer *);
struct spf_cache *spf_cache_new(size_t);
void	 spf_cache_free(struct spf_cache *);
int	 spf_cache_get(struct spf_cache *, const char *, long long,
	    struct spf_answer **, void **);
void	 spf_cache_done(struct spf_cache *, void *, const struct spf_answer *);
unsigned long spf_cache_hits(struct spf_cache *);

/* dnsbl.c: DNS lists in xd.conf, see xd-rbl(1) LISTS */
#define DNSBL_V4	0x01	/* IP lists: which addresses it lists */
#define DNSBL_V6	0x02
#define DNSBL_MAILFROM	0x04	/* domain lists: which names to ask */
#define DNSBL_FROM	0x08
#define DNSBL_HELO	0x10
#define DNSBL_TRUST	0x20	/* DNSWL trust levels in the last octet */
struct dnsbl_code {
	uint32_t	 lo, hi;	/* an address range, or */
	uint32_t	 mask;		/* any of these bits (SURBL style) */
	char		*suffix;	/* symbol = list symbol + "_" + suffix */
	int		 last;		/* for the last external hop only */
};
struct dnsbl {
	char		*name;		/* upper case */
	char		*zone;
	char		*symbol;	/* prefix + name: "RBL_ZEN" */
	const char	*prefix;	/* "RBL_" */
	unsigned	 flags;		/* DNSBL_* */
	struct dnsbl_code *codes, *blocked, *ignored;
	size_t		 ncodes, nblocked, nignored;
	char		**last;		/* last=SUFFIX options */
	size_t		 nlast;
	int		 warned;	/* the caller's */
	int		 told_blocked;	/* dnsbl_blocked() said so */
};
enum dnsbl_meaning { DNSBL_LISTED, DNSBL_BLOCKED, DNSBL_IGNORED, DNSBL_UNLISTED };
int	 dnsbl_parse(struct dnsbl *, const char *, const char *, unsigned,
	    const char **);
int	 dnsbl_load(const char *, const char *, unsigned, struct dnsbl **,
	    size_t *);
void	 dnsbl_free(struct dnsbl *);
const char *dnsbl_check_conf(const char *, const char *);
enum dnsbl_meaning dnsbl_code(const struct dnsbl *, const unsigned char *,
	    void (*)(const char *, void *), void *);
enum dnsbl_meaning dnsbl_code_hop(const struct dnsbl *, const unsigned char *,
	    int, void (*)(const char *, void *), void *);
/* dnslists.c: the lists xd ships, merged with xd.conf's */
struct dnslist_line {
	const char	*line;
	const char	*file;		/* NULL: xd.conf */
	unsigned long	 lineno;
};
void	 dnsbl_blocked(struct dnsbl *, const char *);
ssize_t	 dnslists_lines(const char *, struct dnslist_line **);
void	 dnslists_reset(void);
int	 dnsbl_test(struct dns *, const struct dnsbl *, int);

/* store.c: the learning store, LMDB or Redis behind one interface */
/* @@store@@ */
/*
 * A store holds records in tables: a record is two counters and the
 * time it was last written, under a key of at most STORE_MAX_KEY bytes
 * (no NUL).  A record whose counters are both 0 does not exist.
 * Records not written for a table's ttl are gone, and a table keeps at
 * most max records, the least recently written going first (checked at
 * every write; store_expire() sweeps a whole table).  See xd-store(5).
 *
 * Work is queued, then store_run() runs the queue as one batch, in
 * order and atomically: one LMDB write transaction (a read-only one if
 * nothing is written), or one Redis script.  Only then are the results
 * stored where the queueing calls pointed (out may be NULL); if the run
 * fails nothing was written and no result is stored.  store_if() is a
 * compare-and-set: if the record's n[0] is expect (an absent record has
 * 0) it gets the counters v0, v1, otherwise the operations queued after
 * it up to store_endif() are skipped; out gets the record as it was.
 * Times are seconds since the epoch; store_set_time() makes the store
 * work at another time than the clock's (0: the clock again).
 */
#define STORE_MAX_KEY	200	/* bytes of a key */
#define STORE_MAX_NAME	16	/* bytes of a table name, [a-z0-9_] */
#define STORE_MAX_TABLES 16	/* tables one run may touch */
#define STORE_MAX_OPS	200000	/* operations one run may hold */
struct store_table {
	const char	*name;
	long long	 ttl;		/* seconds; 0: records never age */
	long long	 max;		/* records; 0: no bound but the store's */
};
struct store_val {
	long long	 n[2];		/* the counters */
	long long	 last;		/* when written; 0: no such record */
};
struct store;
struct store *store_open(const char *, const char **);	/* NULL: "store" */
void	 store_close(struct store *);
const char *store_url(const struct store *);
void	 store_set_time(struct store *, long long);
long long store_time(const struct store *);
void	 store_get(struct store *, const struct store_table *, const char *,
	    struct store_val *);
void	 store_add(struct store *, const struct store_table *, const char *,
	    long long, long long, struct store_val *);
void	 store_if(struct store *, const struct store_table *, const char *,
	    long long, long long, long long, struct store_val *);
void	 store_endif(struct store *);
void	 store_del(struct store *, const struct store_table *, const char *);
void	 store_expire(struct store *, const struct store_table *,
	    struct store_val *);	/* out->n[0]: records removed */
size_t	 store_pending(const struct store *);
int	 store_run(struct store *, const char **);
/* A checker's writes never wait for a learner's: store_busy() says so. */
void	 store_dont_wait(struct store *);
int	 store_busy(const struct store *);
long long store_count(struct store *, const struct store_table *,
	    const char **);		/* records, aged ones not yet swept too */
typedef int (*store_walk_fn)(const char *, const struct store_val *, void *);
int	 store_walk(struct store *, const struct store_table *, store_walk_fn,
	    void *, const char **);	/* live records, oldest first */
/*
 * The batched main loop of a stream tool that uses a store: it reads
 * up to lines lines, calls line() for each message line (open the
 * message, queue store work; lines that are comments or damaged are
 * passed as stream_run() passes them), then batch() once, then finish()
 * for each message line, and writes the lines in order.  Each message
 * line gets state_size zeroed bytes of state that stay put until its
 * finish().  Non-zero from line() or finish(): the line has an error=.
 */
struct store_runner {
	const char	*tool;
	size_t		 lines;
	size_t		 state_size;
	int		(*line)(struct rec *, void *, void *);
	void		(*batch)(void *);
	int		(*finish)(struct rec *, void *, void *);
	void		*arg;		/* the last argument of all three */
};
int	 store_stream_run(FILE *, FILE *, const struct store_runner *);

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

/* url.c, linkify.c, domain.c: URLs from text and HTML, registered
 * domains through libpsl */
/* @@url@@ */
/*
 * URLs as a mail client would follow them: http, https, ftp and mailto
 * URLs and schemeless "www." hosts from plain text and from HTML (href,
 * src, action and the text), with the usual hiding undone: defanging,
 * HTML entities, %-encoding, "user@host", IPv4 hosts in decimal, octal
 * and hex, IDN (as punycode), trailing punctuation, case.  A set keeps
 * each URL once, at most url_max of them, each cut at url_max_length
 * bytes, and scans at most url_scan_size bytes of text per message:
 * linear time, whatever the input.  Registered domains come from the
 * Public Suffix List through libpsl.
 */
#define URL_MAX_HOST	253	/* a host as text, without a final dot */
#define URLF_HTML	0x01	/* from an HTML attribute (href, src, action) */
#define URLF_TEXT	0x02	/* written out in text, plain or HTML */
#define URLF_IP		0x04	/* the host is an IP address */
#define URLF_CUT	0x08	/* longer than url_max_length: cut */
#define URLF_USERINFO	0x10	/* had "user@" before the host */
#define URLF_MISMATCH	0x20	/* an anchor whose text shows another domain */
#define URLF_NOSCHEME	0x40	/* written without a scheme ("www.", "//") */
#define URLF_NODOMAIN	0x80	/* the host is a public suffix: no domain */
#define URLF_DEFANGED	0x100	/* written defanged: "hxxp://", "a[.]example" */
#define URLS_MANY	0x01	/* more than url_max URLs: the rest unseen */
#define URLS_SCAN_CUT	0x02	/* more than url_scan_size of text */
struct url {
	char		*url;	/* scheme://host[:port]/path?query#frag,
				   printable %-escapes decoded */
	char		*host;	/* lower-case ASCII, IDN as punycode; an
				   IP in its usual text form */
	const char	*domain; /* registered domain: a tail of host, or
				   host itself (an IP, or URLF_NODOMAIN) */
	char		*shown;	/* URLF_MISMATCH: the domain the anchor
				   text shows, else NULL */
	unsigned	 flags;	/* URLF_*, of every sighting */
};
struct urls {
	struct url	*v;	/* in order of first sighting */
	size_t		 n;
	unsigned	 flags;	/* URLS_* */
	size_t		 max, maxlen, scan;	/* bounds; private below */
	size_t		 used;		/* bytes of text scanned */
	size_t		 cap, hcap, *hash;
	struct buf	 tmp, text;
};
void	 urls_init(struct urls *);	/* bounds from xd.conf */
void	 urls_reset(struct urls *);
void	 urls_free(struct urls *);
void	 urls_text(struct urls *, const char *, size_t);
void	 urls_html(struct urls *, const char *, size_t);
int	 urls_message(struct urls *, struct message *);
int	 urls_add(struct urls *, const char *, size_t, unsigned);
int	 url_host(const char *, size_t, struct buf *, int *);
const char *url_domain(const char *);	/* registered domain, or NULL */
int	 url_known_suffix(const char *);
int	 url_icann_suffix(const char *);
int	 url_registered_domain(const char *, struct buf *);
void	 url_shutdown(void);
struct hostlist;		/* domains and networks from a file */
struct hostlist *hostlist_load(const char *);
void	 hostlist_free(struct hostlist *);
const char *hostlist_path(const struct hostlist *);
size_t	 hostlist_count(const struct hostlist *);
const char *hostlist_match(const struct hostlist *, const char *, int);

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

/* describe.c: a line for people about each symbol, see xd-score(1) */
struct descriptions;
struct descriptions *descriptions_load(const char *);	/* NULL: shared */
void	 descriptions_rules(struct descriptions *, const struct ruleset *);
void	 descriptions_free(struct descriptions *);
const char *descriptions_path(const struct descriptions *);
const char *descriptions_find(const struct descriptions *, const char *,
	    size_t);
void	 describe_untrained(struct buf *, long long, long long, long long);

/* heur.c: xd-heur's view of a message and its built-in checks */
struct heur;
struct heur *heur_new(void);		/* from xd.conf; NULL after a warning */
void	 heur_free(struct heur *);
int	 heur_check(struct heur *, struct ruleset *, struct rec *,
	    const char **);
int	 heur_learn_sent(struct heur *, const char *const *, size_t);

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
	uint64_t	*tab;		/* private: the open-addressed set */
	size_t		 tabcap;
};
struct bayes_params {
	double		 s, x;		/* Robinson's strength and prior */
	double		 min_dev;	/* tokens with |f - 0.5| below: unused */
	size_t		 max_used;	/* the strongest tokens combined */
};
void	 bayes_tokens_init(struct bayes_tokens *);
void	 bayes_tokens_free(struct bayes_tokens *);
void	 bayes_tokens_reset(struct bayes_tokens *);
void	 bayes_tokens_sort(struct bayes_tokens *);
uint64_t bayes_hash(const char *, size_t);
int	 bayes_add_hash(struct bayes_tokens *, uint64_t);
void	 bayes_add(struct bayes_tokens *, const char *, const char *, size_t);
void	 bayes_words(struct bayes_tokens *, const char *, const char *, size_t,
	    int);
void	 bayes_links(struct bayes_tokens *, const char *, size_t);
void	 bayes_html(struct bayes_tokens *, const char *, size_t, struct buf *);
size_t	 bayes_footer(const char *, size_t);
int	 bayes_tokenize(struct message *, struct bayes_tokens *, const char *);
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
void	 bayes_queue_counts(struct bayes_db *, const struct bayes_tokens *,
	    struct store_val *);
void	 bayes_queue_totals(struct bayes_db *, struct store_val *);
double	 bayes_classify(const struct bayes_params *, const struct store_val *,
	    size_t, double *, size_t *);
void	 awl_queue_sent(struct bayes_db *, const struct bayes_tokens *,
	    const char *, struct store_val *);
int	 awl_queue_get(struct bayes_db *, const char *, struct store_val *);
int	 bayes_db_stats(struct bayes_db *, long long *, long long *, long long *,
	    const char **);
int	 bayes_learn_file(const struct locator *, int, enum bayes_outcome *,
	    const char **);

#endif
