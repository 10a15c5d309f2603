/*
 * base/base.h - the bottom layer of xd: memory, errors, files, buffers,
 * the verdict stream, addresses and networks, xd.conf, line endings and
 * log text.  It includes no other layer (xd.conf's check of DNS list
 * lines, in config.c, is the one call upwards; see check-layers).
 */
#ifndef XD_BASE_H
#define XD_BASE_H

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

/*
 * Errors (diag.c).  The library never exits and never writes to stderr
 * or stdout on its own: the mains do (tools/tool.c), and choose the
 * words' destination and the exit status.
 * - A failure that stops the work is returned: -1 or NULL, with the
 *   reason in the `const char **why` the function takes (words to show
 *   as they are), or in errno where a system call failed.  The stream
 *   loops (stream_run, store_stream_run, dns_run) return XD_READ_ERROR
 *   or XD_WRITE_ERROR, errno kept, when the stream itself failed.
 * - A warning that lets the work go on (a bad line in a list file, a
 *   rule left out, a mail delivered but not synced) is formatted by
 *   xd_warn (adding ": strerror(errno)") or xd_warnx and handed to the
 *   sink the main installed, as git's set_warn_routine; with none,
 *   nothing is printed.  The last message stays in xd_diag_last().
 * - A batch's progress goes to the same sink (XD_DIAG_PROGRESS).
 * - Running out of memory ends the process in xd_nomem(), which
 *   xmalloc and the others call, as git's xmalloc dies: the sink gets
 *   "out of memory: ..." as XD_DIAG_FATAL, and the status is 70.
 * The exceptions (a child after a failed exec...): t/check-layers.sh.
 */
#define XD_READ_ERROR	(-1)	/* a stream loop could not read its input */
#define XD_WRITE_ERROR	(-2)	/* ... or write its output */
enum xd_diag_kind { XD_DIAG_WARN, XD_DIAG_PROGRESS, XD_DIAG_PROGRESS_END,
	XD_DIAG_FATAL };
typedef void xd_diag_fn(enum xd_diag_kind, const char *);
void	 xd_set_diag(xd_diag_fn *);
const char *xd_diag_last(void);
void	 xd_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 xd_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 xd_progress(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 xd_nomem(void) __attribute__((noreturn));

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
long long xd_strtonum(const char *, long long, long long, const char **);
uint64_t xd_hash(const void *, size_t);
long long xd_now_ms(void);
int	 xd_parse_size(const char *, size_t *);
int	 xd_parse_double(const char *, double *);
char	*xd_trim(char *);
int	 xd_hexval(int);
const char *xd_sharedir(void);
char	*xd_sharepath(const char *);
const char *xd_site_conf(void);

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
 * error=TOOL:REASON and are passed through.  Returns the exit status,
 * or XD_READ_ERROR or XD_WRITE_ERROR (errno kept).
 */
typedef int (*rec_fn)(struct rec *, void *);
int	 stream_run(FILE *, FILE *, const char *, rec_fn, void *);
int	 stream_io_status(FILE *, FILE *, int);

/* Where a line's message lies: the locator, offset= and length=. */
struct locator {
	char	*path;
	off_t	 offset;
	off_t	 length;	/* -1: to the end of the file */
};
int	 rec_locate(const struct rec *, struct locator *, const char **);
void	 locator_free(struct locator *);

/* Set to the expected number of lines to show progress (to the sink). */
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
int	 conf_load(const char *);	/* NULL: $XD_CONF, or site then user */
/* NULL if key's line is good (or not one the checker knows), else why. */
typedef const char *conf_line_check(const char *key, const char *line);
void	 conf_check_lines_with(conf_line_check *);
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

/* eol.c: where lines and the header end, one reading for all of xd */
#define EOL_LF	0	/* lines end at LF, a CR just before it included */
#define EOL_CR	1	/* at CR: no LF came before the first empty line */
#define EOL_PEEK 1024	/* what eol_header shows of each header line */
#define MSG_MAX_FROM_LINE (64 * 1024)	/* longest mbox From_ line */
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

/* logtext.c: mail's text in a log line */
void	 log_escape(const char *, size_t, struct buf *);
void	 log_escapes(const char *, struct buf *);

/* xdlog.c: xd-filter(1)'s syslog line */
int	 xdlog_facility(const char *);
int	 xdlog(int, int, const char *);

#endif
