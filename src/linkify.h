/*
 * linkify.h - between url.c and linkify.c; not for the tools.
 */

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
