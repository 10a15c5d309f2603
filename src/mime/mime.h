/*
 * mime/mime.h - a message read: its parts through GMime, its header
 * decoded, its addresses and Received: chain, mbox files and maildirs,
 * and the bounds put on one hostile message (archives, header size).
 */
#ifndef XD_MIME_H
#define XD_MIME_H

#include "base/base.h"
#include "text/text.h"

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
/* charset.c: text in a charset into UTF-8, through GMime's iconv */
void	 message_init(void);
void	 utf8_convert(const char *, const char *, size_t, struct buf *);
int	 charset_known(const char *);
/* digest.c: MD5 and SHA-256 */
#define DIGEST_MD5	0
#define DIGEST_SHA256	1
#define DIGEST_MAX	32	/* bytes of the longest */
struct digest;
struct digest *digest_new(int);
void	 digest_add(struct digest *, const void *, size_t);
unsigned int digest_end(struct digest *, unsigned char *);
unsigned int digest_once(int, const void *, size_t, unsigned char *);

/* msgview.c: a message parsed once per process, for every stage */
void	 view_hold(void);
struct message *view_message(const struct locator *, const char **);
void	 view_release(struct message *);
size_t	 view_held(off_t *);
void	 view_clear(void);
/* What a higher layer derived from a message, kept and freed with it. */
void	*view_facts(const struct message *);
void	 view_set_facts(struct message *, void *, void (*)(void *));
/* htmlview.c: the one HTML reading of a part (text/htmlread.c), once */
struct html_link {		/* a link attribute of a tag */
	char	 tag[HTML_NAME_MAX];	/* "a", "img", "form"... */
	char	 attr[HTML_NAME_MAX];	/* href src action background formaction */
	size_t	 tagno;		/* which start tag: one per tag */
	char	*value;		/* references decoded, NUL-ended */
	size_t	 len;
	char	*anchor;	/* an <a href>: the text it shows, or NULL; */
	size_t	 alen;		/* over HTML_ANCHOR_MAX: it was longer */
	int	 written;	/* the link of html_read(): as heuristics see it */
	int	 framed;	/* in the text of an iframe (see htmlview.c) */
};
struct html_view {
	struct buf	 text;		/* every text, seen or not */
	struct buf	 visible;	/* as a reader sees it, a paragraph a line */
	struct buf	 hidden;	/* a sample of what is not seen */
	struct buf	 tags;		/* start tag names, each NUL-ended */
	size_t		 ntags;
	struct html_link *links;
	size_t		 nlinks, caplinks;
	int		 links_cut;	/* more than htmlview.c keeps */
	struct html_reading r;		/* the counts: chars, hidden, images.. */
};
void	 html_view_read(struct html_view *, const char *, size_t);
void	 html_view_free(struct html_view *);
const struct html_view *msgpart_html(const struct msgpart *, const char *,
	    size_t);
void	 msgpart_html_forget(void);
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
int	 received_parse_at(const struct message *, int, const char *,
	    struct relay *);
int	 received_walk(const struct message *, struct relays *);
int	 received_trusted(const struct cidr *);
int	 received_internal(const struct cidr *);
void	 received_reset(void);

/* maildir.c: safe delivery into maildirs (tmp/, fsync, rename) */
/* @@maildir@@ */
int	 maildir_create(const char *);		/* dir, tmp/ new/ cur/; 0700 */
char	*maildir_folder(const char *, const char *);	/* "DIR", ".Spam" */
int	 maildir_contains(const char *, const char *);	/* in DIR/new, cur */
int	 maildir_open(const struct locator *, off_t *, const char **);
char	*maildir_deliver_fd(const char *, int, off_t, const char **);
char	*maildir_deliver(const char *, const struct locator *, const char **);
int	 maildir_move(const char *, const char *, char **, const char **);

/*
 * The bounds put on one hostile message, and the names of those hit.
 * See xd.conf(5) for the keys and xd-stream(5) for the symbols they
 * raise.
 */

/*
 * archive.c: zip archives read under one budget for a whole message, so
 * that no number of attachments, entries or nested archives costs more
 * than archive_max_entries, archive_max_bytes and archive_max_time.
 */
struct archive_budget {
	long long	 entries;	/* entries left to look at */
	long long	 bytes;		/* uncompressed bytes left to read */
	double		 cpu_end;	/* process CPU seconds it may reach */
	int		 started;
	const char	*hit;		/* "entries", "bytes", "time" or NULL */
};

/*
 * Called for each entry of an archive at depth (0 for an attachment);
 * returns 1 to read the entry and walk it as an archive in turn.
 */
typedef int (*archive_entry_fn)(const char *path, int encrypted, int depth,
    void *arg);

void	archive_budget_reset(struct archive_budget *);
void	archive_walk(struct archive_budget *, const char *data, size_t n,
	    int maxdepth, archive_entry_fn, void *arg);

/*
 * Lines starting "--" GMime may see.  Every part needs one, and a
 * legitimate message rarely has more than a few hundred.
 */
#define MSG_MAX_DASH_LINES	(5 * MSG_MAX_PARTS)

/*
 * hdrlimit.c: the header of a message cut at max_header_fields fields or
 * max_header_size bytes before GMime builds it.  Takes the stream's
 * reference and returns the stream to parse; MSG_MANY_FIELDS,
 * MSG_BIG_HEADER or MSG_MANY_PARTS go into the flags.
 */
struct _GMimeStream;
struct _GMimeStream *hdrlimit_apply(struct _GMimeStream *, int *flags);

#endif
