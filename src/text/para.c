/*
 * para.c - text as SpamAssassin renders a body: white space squeezed to
 * one space, a paragraph (or an HTML block) a line, at most max bytes.
 */
#include <ctype.h>
#include <string.h>

#include "base/base.h"
#include "text/text.h"

void
text_para_init(struct text_para *p, struct buf *out, size_t max)
{
	p->out = out;
	p->max = max;
	p->space = 0;
	p->start = out->len == 0 || out->s[out->len - 1] == '\n';
	p->chars = 0;
}

void
text_para_text(struct text_para *p, const char *s, size_t n)
{
	size_t i, run;

	for (i = 0; i < n && p->out->len < p->max; ) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			p->space = 1;
			i++;
			continue;
		}
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) {
			p->space = 1;	/* no-break space */
			i += 2;
			continue;
		}
		if (p->space && !p->start)
			buf_addc(p->out, ' ');
		p->space = p->start = 0;
		for (run = i + 1; run < n && (unsigned char)s[run] > ' ' &&
		    (unsigned char)s[run] != 0xc2; run++)
			;
		if (run - i > p->max - p->out->len)
			run = i + (p->max - p->out->len);
		buf_add(p->out, s + i, run - i);
		for (; i < run; i++)
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				p->chars++;
	}
}

void
text_para_break(struct text_para *p)
{
	if (!p->start && p->out->len < p->max)
		buf_addc(p->out, '\n');
	p->start = 1;
	p->space = 0;
}

/*
 * Text that a text_para rendered already (a paragraph a line, as
 * html_read() gives it) onto p at the start of a line, where a reading
 * leaves it, as if its text were rendered there again: the same bytes,
 * cut at the same place, the same characters counted.  Most of the
 * time it fits and is copied as it is.
 */
void
text_para_rendered(struct text_para *p, const char *s, size_t n)
{
	const char *end = s + n, *nl;
	size_t i;

	text_para_break(p);	/* nothing, at the start of a line */
	if (n <= p->max - p->out->len) {
		buf_add(p->out, s, n);
		for (i = 0; i < n; i++)
			if (s[i] != ' ' && s[i] != '\n' &&
			    ((unsigned char)s[i] & 0xc0) != 0x80)
				p->chars++;
		p->start = n == 0 || s[n - 1] == '\n';
		p->space = 0;
		return;
	}
	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		text_para_text(p, s, (size_t)(nl - s));
		if (nl < end)
			text_para_break(p);
		s = nl + 1;
	}
}

/* Plain text: a blank line ends a paragraph. */
void
text_render_plain(struct text_para *p, const char *s, size_t n)
{
	const char *line = s, *end = s + n, *nl;
	size_t i;
	int blank;

	while (line < end) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		for (i = 0, blank = 1; line + i < nl; i++)
			if (!isspace((unsigned char)line[i]))
				blank = 0;
		if (blank)
			text_para_break(p);
		else {
			text_para_text(p, line, (size_t)(nl - line));
			p->space = 1;
		}
		line = nl + 1;
	}
	text_para_break(p);
}
