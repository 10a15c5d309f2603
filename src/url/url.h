/*
 * url/url.h - the URLs of a message's text and HTML, their hosts and
 * registered domains, and lists of hosts and networks.
 */
#ifndef XD_URL_H
#define XD_URL_H

#include "base/base.h"
#include "mime/mime.h"

/* url.c, parse.c, linkify.c, htmlurls.c, domain.c, hostlist.c: URLs
 * from text and HTML, registered domains through libpsl, host lists */
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
	struct buf	 tmp;
};
void	 urls_init(struct urls *);	/* bounds from xd.conf */
void	 urls_reset(struct urls *);
void	 urls_free(struct urls *);
void	 urls_text(struct urls *, const char *, size_t);
void	 urls_html(struct urls *, const struct msgpart *, const char *,
	    size_t);
int	 urls_message(struct urls *, struct message *);
int	 urls_add(struct urls *, const char *, size_t, unsigned);
int	 url_host(const char *, size_t, struct buf *, int *);
const char *url_domain(const char *);	/* registered domain, or NULL */
const char *url_domain_lower(const char *, char *, size_t);
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

/* linkify.c: between url.c and linkify.c; not for the tools */
/*
 * Asked of add_url, never kept: no link unless the host ends in a
 * suffix of the Public Suffix List's ICANN section ("www." links and
 * defanged bare hosts, which have no scheme to say they are links).
 */
#define URLF_WANT_ICANN	0x10000

/* Find the URLs of text as a mail client's linkifier does; add them. */
void	 linkify(struct urls *, const char *, size_t);

/* Length of "www." at s, the dot ASCII or ideographic; else 0. */
size_t	 www_len(const char *, size_t);

/* Length of an IDNA full stop at s ('.', U+3002, U+FF0E, U+FF61), or 0. */
size_t	 idna_dot(const char *, size_t);

#endif
