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

#ifndef XD_SHAREDIR
#define XD_SHAREDIR "/usr/local/share/xd"
/* dns.c: asynchronous DNS through c-ares, with a window and a cache */
/* @@dns@@ */

/* store.c: the learning store, LMDB or Redis behind one interface */
/* @@store@@ */

/* url.c: URLs from text and HTML, registered domains through libpsl */
/* @@url@@ */

/* rules.c: SpamAssassin-style rule files on PCRE2 */
/* @@rules@@ */

#endif
#ifndef XD_VERSION
#define XD_VERSION "0.1"
/* dns.c: asynchronous DNS through c-ares, with a window and a cache */
/* @@dns@@ */

/* store.c: the learning store, LMDB or Redis behind one interface */
/* @@store@@ */

/* url.c: URLs from text and HTML, registered domains through libpsl */
/* @@url@@ */

/* rules.c: SpamAssassin-style rule files on PCRE2 */
/* @@rules@@ */

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
int	 xd_parse_size(const char *, size_t *);
int	 xd_parse_double(const char *, double *);
const char *xd_sharedir(void);
char	*xd_sharepath(const char *);
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
int	 conf_load(const char *);	/* NULL: $XD_CONF, ~/.xd, /etc/xd */
const char *conf_path(void);
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
#define MSG_MAX_PARTS	1000	/* leaf parts a walk visits */
#define MSG_MAX_DEPTH	64	/* nesting of multiparts and messages */
#define MSG_MAX_VALUE	1000	/* bytes of one fact value */
#define MSG_TRUNCATED	0x01	/* over max_message_size: parsed in part */
#define MSG_MANY_PARTS	0x02	/* over MSG_MAX_PARTS parts */
#define MSG_TOO_DEEP	0x04	/* nested over MSG_MAX_DEPTH */
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
size_t	 message_parts(struct message *, msgpart_fn, void *);
int	 msgpart_data(const struct msgpart *, struct buf *, size_t);
int	 msgpart_text(const struct msgpart *, struct buf *, size_t);
void	 utf8_convert(const char *, const char *, size_t, struct buf *);
void	 utf8_fix(struct buf *);
size_t	 utf8_cut(const char *, size_t, size_t);
void	 text_clean(struct buf *, size_t);
struct mbox;			/* where the messages of an mbox file lie */
int	 mbox_is_from_line(const char *, size_t);
struct mbox *mbox_open(FILE *);
int	 mbox_next(struct mbox *, off_t *, off_t *);
void	 mbox_close(struct mbox *);

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
};
struct relays {
	struct relay first;		/* the first untrusted relay */
	int	 have_first;
	unsigned hops;			/* Received: headers, all of them */
	size_t	 nips;
	char	 ips[RELAY_MAX_RELAYS][RELAY_MAX_IP];	/* untrusted, in order */
};
int	 received_parse(const char *, struct relay *);
int	 received_walk(const struct message *, struct relays *);
int	 received_trusted(const struct cidr *);
void	 received_reset(void);

/* weights.c: weights files, see xd-weights(5) */
struct weights;
struct weights *weights_load(const char *);	/* NULL: the configured file */
double	 weights_threshold(const struct weights *, const char *);
void	 weights_free(struct weights *);
/* @@weights@@ */
const char *weights_path(const struct weights *);
double	 weights_symbol(const struct weights *, const char *, size_t,
	    const char **, unsigned long *);	/* field "NAME=value", namelen */
double	 weights_prob(const struct weights *, double);	/* calibrated */
const char *weights_class(const struct weights *, double);
void	 weights_calibration(const struct weights *, double *, double *);

/* fit.c: weights fitted to labelled lines, see xd-score(1) --fit */
struct fit_opts {
	double	 lambda;	/* L2 penalty, above 0 */
	double	 ham_cost;	/* weight of a ham line in the loss */
	double	 ham_loss;	/* spam threshold: training ham rate; <0 off */
	double	 sure_loss;	/* surespam threshold: the same; <0 off */
	size_t	 max_sets;	/* distinct symbol sets kept */
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

/* mark.c: a verdict written into a message's header at byte level */
struct mark {
	const char *cls;	/* "ham", "spam" or "surespam" */
	double	 score, required;
	const char *tests;	/* "SYM1,SYM2", or "" for none */
	const char *tag;	/* subject tag for spam, "" for none */
};
int	 mark_message(int, off_t, int, const struct mark *, const char **);

/* dns.c: asynchronous DNS through c-ares, with a window and a cache */
/* @@dns@@ */

/* store.c: the learning store, LMDB or Redis behind one interface */
/* @@store@@ */

/* url.c: URLs from text and HTML, registered domains through libpsl */
/* @@url@@ */
/*
 * URLs as a mail client would follow them: http, https and ftp URLs and
 * schemeless "www." hosts from plain text and from HTML (href, src,
 * action and the text), with the usual hiding undone: HTML entities,
 * %-encoding, "user@host", IPv4 hosts in decimal, octal and hex, IDN
 * (as punycode), trailing punctuation, case.  A set keeps each URL
 * once, at most url_max of them, each cut at url_max_length bytes, and
 * scans at most url_scan_size bytes of text per message: linear time,
 * whatever the input.  Registered domains come from the Public Suffix
 * List through libpsl.
 */
#define URL_MAX_HOST	253	/* a host as text, without a final dot */
#define URLF_HTML	0x01	/* from an HTML attribute (href, src, action) */
#define URLF_TEXT	0x02	/* written out in text, plain or HTML */
#define URLF_IP		0x04	/* the host is an IP address */
#define URLF_CUT	0x08	/* longer than url_max_length: cut */
#define URLF_USERINFO	0x10	/* had "user@" before the host */
#define URLF_MISMATCH	0x20	/* an anchor whose text shows another domain */
#define URLF_NOSCHEME	0x40	/* written without a scheme ("www.", "//") */
#define URLS_MANY	0x01	/* more than url_max URLs: the rest unseen */
#define URLS_SCAN_CUT	0x02	/* more than url_scan_size of text */
struct url {
	char		*url;	/* scheme://host[:port]/path?query#frag,
				   printable %-escapes decoded */
	char		*host;	/* lower-case ASCII, IDN as punycode; an
				   IP in its usual text form */
	const char	*domain; /* registered domain: a tail of host, or
				   host itself (an IP, or no known suffix) */
	char		*shown;	/* URLF_MISMATCH: the domain the anchor
				   text shows, else NULL */
	unsigned	 flags;	/* URLF_*, of every sighting */
};
struct urls {
	struct url	*v;	/* in order of first sighting */
	size_t		 n;
	unsigned	 flags;	/* URLS_* */
	size_t		 max, maxlen, scan;	/* bounds; private below */
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
void	 url_shutdown(void);

/* rules.c: SpamAssassin-style rule files on PCRE2 */
/* @@rules@@ */

#endif
