/*
 * heur_int.h - what the files of xd-heur's checks share, inside
 * src/check/ only: the bounds, the configuration as read (struct heur),
 * the one message as the checks and rules see it (struct view), and
 * the functions one file gives the others.  check/check.h is the
 * layer's interface; nothing outside this folder includes this.
 */
#ifndef XD_CHECK_HEUR_INT_H
#define XD_CHECK_HEUR_INT_H

#include <stdint.h>
#include <time.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "store/store.h"
#include "check/check.h"

#define PART_MAX	(256 * 1024)	/* decoded bytes of one text part */
#define BODY_MAX	(1024 * 1024)	/* rendered text of one message */
#define RAWBODY_MAX	(1024 * 1024)	/* decoded text parts, markup kept */
#define FULL_MAX	(1024 * 1024)	/* the message as stored, for full */
#define HEADER_MAX	(64 * 1024)	/* the headers of one name, joined */
#define RAWURI_MAX	200		/* links kept as written, for uri rules */
#define RAWURI_LEN	2048		/* bytes of one */
#define ZIP_MAX		(10 * 1024 * 1024)	/* bytes of an archive read */
#define ZIP_DEPTH	2		/* archives inside archives */
#define REFS_MAX	50		/* ids of References looked up */
#define RCPT_MAX	100		/* recipients compared with users */
#define ID_MAX		STORE_MAX_KEY	/* bytes of a Message-ID kept */
#define EVID_MAX	60		/* bytes of evidence on the line */
#define QP_LINE_MAX	76		/* RFC 2045 5.1 */
#define HDR8_MIN	4		/* undeclared 8-bit bytes in a header */
#define TEXT8_MIN	10		/* and in a text part */
#define RCPT_LINK_MAX	10		/* recipients looked for in the links */

/* Scripts a site may expect, from local_languages. */
enum {
	SC_CYRILLIC = 1 << 0, SC_GREEK = 1 << 1, SC_ARABIC = 1 << 2,
	SC_HEBREW = 1 << 3, SC_THAI = 1 << 4, SC_DEVANAGARI = 1 << 5,
	SC_HANGUL = 1 << 6, SC_KANA = 1 << 7, SC_HAN = 1 << 8,
	SC_ARMENIAN = 1 << 9, SC_GEORGIAN = 1 << 10, SC_NSCRIPTS = 11
};

extern const char *const script_name[SC_NSCRIPTS];

struct strset {
	char	**s;
	size_t	 cap, n;
};

struct heur {
	const char *const *domains;	/* local_domains */
	size_t	 ndomains;
	const char *const *exts;	/* restricted_attachments */
	size_t	 nexts;
	unsigned scripts;		/* expected; 0: not checked */
	struct strset users;		/* addresses, and bare local parts */
	struct strset userdomains;
	int	 have_users;
	long long max_hops;
	struct store *store;		/* the index of sent mail */
	struct view *v;			/* the message being checked */
	int	 store_state;		/* 0 not opened yet, 1 open, -1 none */
	struct lookalike *look;		/* ICU's spoof checker, when needed */
	int	 look_state;		/* as store_state */
};

/* One message as the checks and rules see it. */
struct view {
	struct heur	*h;
	struct message	*m;
	const struct locator *loc;
	struct rec	*rec;
	struct buf	 body, rawbody, text, tmp, val, ev;
	struct urls	 urls;
	char		*rawuri[RAWURI_MAX];	/* links as written */
	size_t		 nrawuri;
	uint64_t	 rawhash[512];	/* a power of two over 2 * RAWURI_MAX */
	const char	**uriv;		/* both, for the rules */
	/* parts */
	int		 plain, html, attach;
	size_t		 chars;		/* visible characters of the text */
	size_t		 images, hidden, tiny, samecolor;
	size_t		 qp_line;	/* longest quoted-printable line */
	unsigned	 scripts_seen[SC_NSCRIPTS];
	size_t		 letters;
	struct buf	 restricted, zipped, encrypted, charset;
	char		 webpage[EVID_MAX + 1];	/* an attached web page */
	char		 macro[EVID_MAX + 1];	/* a document with macros */
	char		 undeclared[64];	/* 8-bit, no charset: a type */
	char		 unused[EVID_MAX + 1];	/* a far charset, all ASCII */
	struct archive_budget zipbudget;	/* of every zip attached */
	int		 have_from;	/* From: read, into from and fromname */
	size_t		 nfrom;
	struct buf	 from, fromname;
};

/* heur.c */
void heur_lower(char *s);
int heur_tag_is(const char *s, const char *const *list);
int strset_has(const struct strset *set, const char *s);
int is_local_domain(const struct heur *h, const char *host);
void add_symbol(struct view *v, const char *name, const char *evidence);
size_t heur_from(struct view *v, struct buf *addr, struct buf *name);
/* heur_sent.c */
void check_reply(struct view *v);
/* heur_parts.c */
void rawuri_reset(struct view *v);
void header_charsets(struct view *v);
int heur_part(const struct msgpart *p, void *arg);
void count_scripts(struct view *v);
/* heur_ask.c */
size_t heur_header(void *arg, const char *name, int raw, struct buf *out);
void heur_full(void *arg, struct buf *out);
int heur_symbol(void *arg, const char *name);
/* heur_hdrs.c */
void check_subject(struct view *v);
void check_from(struct view *v);
void check_msgid(struct view *v);
void check_date(struct view *v);
void check_relays(struct view *v);
const char * heur_domain_of(const char *addr);
void check_from_ours(struct view *v);
void check_replyto(struct view *v);
void check_rcpt(struct view *v);
/* heur_body.c */
void check_parts(struct view *v);
void check_size(struct view *v);
void check_lookalike(struct view *v);
void check_undeclared(struct view *v);
void check_rcpt_link(struct view *v);
void check_url_sender(struct view *v);
void check_gtube(struct view *v);

#endif
