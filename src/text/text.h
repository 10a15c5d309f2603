/*
 * text/text.h - text as the checks read it: UTF-8, HTML character
 * references, the one HTML tokenizer and the one reading of an HTML
 * part, and the rendering of a body as SpamAssassin shows it.
 * Below mime: it knows bytes and buffers, not messages.
 */
#ifndef XD_TEXT_H
#define XD_TEXT_H

#include "base/base.h"

/* utf8.c: the one UTF-8 encoder, validity, repair, cutting, cleaning */
void	 utf8_put(struct buf *, unsigned);	/* a bad code point: U+FFFD */
size_t	 utf8_seq(const unsigned char *, size_t);	/* valid length, or 0 */
int	 utf8_valid(const char *, size_t);
void	 utf8_fix(struct buf *);
size_t	 utf8_cut(const char *, size_t, size_t);
unsigned utf8_cp1252(unsigned char);
void	 utf8_from_cp1252(const char *, size_t, struct buf *);
int	 text_is_ascii(const char *, size_t);
void	 text_clean(struct buf *, size_t);

/* entity.c: HTML character references, named and numeric; the int
 * says "in an attribute value" (the WHATWG rule for a missing ';') */
size_t	 html_charref(const char *, size_t, int, unsigned *);

/* html.c: the HTML tokenizer, WHATWG states, bounded */
#define HTML_NAME_MAX	32	/* bytes of a tag or attribute name, NUL too */
#define HTML_ATTRS	32	/* attributes of a tag kept */
#define HTML_VALUE_MAX	8192	/* bytes of an attribute value kept */
#define HTML_RAWTEXT	1	/* html_token.raw: script, style */
#define HTML_RCDATA	2	/* html_token.raw: title, textarea */
enum html_kind { HTML_TEXT, HTML_START, HTML_END, HTML_COMMENT };
struct html_attr {
	char	 name[HTML_NAME_MAX];	/* lower case; "" if too long */
	const char *value;		/* references decoded; not NUL-ended */
	size_t	 vlen;
	int	 has_value;		/* "a=" or "a=''", not a bare "a" */
};
struct html_token {
	enum html_kind kind;
	char	 name[HTML_NAME_MAX];	/* tags: lower case; "" if too long;
					 * raw text: its element's */
	const char *text;		/* text (decoded) or a comment's */
	size_t	 len;
	int	 raw;			/* text in a raw element: HTML_RAWTEXT.. */
	int	 selfclose;		/* "<br/>" */
	struct html_attr attr[HTML_ATTRS];
	size_t	 nattr;
};
typedef void (*html_fn)(const struct html_token *, void *);
void	 html_tokenize(const char *, size_t, html_fn, void *);
const struct html_attr *html_attr(const struct html_token *, const char *);

/* para.c: a body rendered a paragraph a line, white space squeezed */
struct text_para {
	struct buf	*out;
	size_t		 max;
	int		 space;		/* a space is owed */
	int		 start;		/* at the start of a line */
	size_t		 chars;		/* characters put, not spaces */
};
void	 text_para_init(struct text_para *, struct buf *, size_t);
void	 text_para_text(struct text_para *, const char *, size_t);
void	 text_para_break(struct text_para *);
void	 text_render_plain(struct text_para *, const char *, size_t);
void	 text_para_rendered(struct text_para *, const char *, size_t);

/* htmlread.c: one reading of an HTML part */
#define HTML_DEPTH	64	/* open elements whose style is followed */
#define HTML_ANCHOR_MAX	256	/* bytes of anchor text; one more: longer */
struct html_reading {
	/* set by the caller, each may be NULL */
	void	(*link)(void *, const char *, const char *, size_t);
				/* tag, its link (href, src, action) */
	void	(*anchor)(void *, const char *, size_t, const char *, size_t);
				/* an <a>'s href and the text it shows */
	void	(*tag)(void *, const struct html_token *);
				/* each start tag, raw ones too */
	void	(*raw)(void *, const struct html_token *);
				/* the text of each raw element (script..) */
	void	*arg;
	struct buf *hidden_text; /* what is not seen, a bounded sample */
	struct buf *text;	/* every text, seen or not (see htmlread.c) */
	/* read */
	size_t	 chars;		/* characters shown, not spaces */
	size_t	 hidden, tiny, samecolor; /* characters not seen, and why */
	size_t	 images, forms, passwords;
};
void	 html_read(const char *, size_t, struct text_para *,
	    struct html_reading *);

#endif
