/*
 * addr.c - address headers and envelope senders as mail clients read
 * them, before GMime's address parser sees them.
 *
 * Senders write what broken clients write: "Doe, Jane <j@example.com>"
 * unquoted, which Thunderbird reads as one address and a strict parser
 * as two ("Doe" and "Jane <j@example.com>"); ";" between addresses
 * outside a group.  addr_list_normalise() rewrites those two forms into
 * what RFC 5322 means by them, decodes the encoded words of unquoted
 * display names itself (see rfc2047.c), and leaves everything else
 * byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"

struct piece {
	size_t	 start, end;	/* [start, end) of the raw value */
};

#define ADDR_MAX_PIECES	4096	/* more addresses in one header is junk */

/*
 * Cut the value at the commas and semicolons that separate addresses:
 * not inside a quoted string, a comment or <>; a ";" that ends a group
 * stays in its piece.  Pieces are joined again with ",", so that a ";"
 * between addresses becomes ",".
 */
static size_t
cut_pieces(const char *s, struct piece *p)
{
	size_t i, n = 0, start = 0;
	int quoted = 0, comment = 0, angle = 0, group = 0;

	for (i = 0; s[i] != '\0' && n + 1 < ADDR_MAX_PIECES; i++) {
		if (quoted) {
			if (s[i] == '\\' && s[i + 1] != '\0')
				i++;
			else if (s[i] == '"')
				quoted = 0;
			continue;
		}
		if (comment) {
			if (s[i] == '\\' && s[i + 1] != '\0')
				i++;
			else if (s[i] == '(')
				comment++;
			else if (s[i] == ')')
				comment--;
			continue;
		}
		switch (s[i]) {
		case '"': quoted = 1; break;
		case '(': comment = 1; break;
		case '<': angle = 1; break;
		case '>': angle = 0; break;
		case ':': if (!angle) group = 1; break;
		case ';':
			if (angle)
				break;
			if (group) {
				group = 0;
				break;
			}
			/* FALLTHROUGH */
		case ',':
			if (angle)
				break;
			p[n].start = start;
			p[n++].end = i;
			start = i + 1;
			break;
		}
	}
	p[n].start = start;
	p[n++].end = strlen(s);
	return n;
}

/* Words alone, no address: the first half of an unquoted "Doe, Jane". */
static int
is_bare_phrase(const char *s, const struct piece *p)
{
	size_t i;
	int words = 0;

	for (i = p->start; i < p->end; i++) {
		if (strchr("@<>:;\"()[]\\", s[i]) != NULL)
			return 0;
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\n')
			words = 1;
	}
	return words;
}

/* A display name and <address>: the second half of "Doe, Jane <j@x>". */
static size_t
phrase_then_angle(const char *s, const struct piece *p)
{
	size_t i;

	for (i = p->start; i < p->end; i++) {
		if (s[i] == '<')
			return memchr(s + i, '>', p->end - i) != NULL ? i : 0;
		if (strchr("@>:;\"()[]\\", s[i]) != NULL)
			return 0;
	}
	return 0;
}

static void
add_trimmed(struct buf *out, const char *s, size_t start, size_t end)
{
	while (start < end && strchr(" \t\r\n", s[start]) != NULL)
		start++;
	while (end > start && strchr(" \t\r\n", s[end - 1]) != NULL)
		end--;
	buf_add(out, s + start, end - start);
}

/* A display name as one quoted string, its encoded words decoded. */
static void
add_quoted_name(struct buf *out, const struct buf *name)
{
	struct buf decoded;
	size_t i;

	buf_init(&decoded);
	rfc2047_decode(name->s != NULL ? name->s : "", &decoded);
	buf_adds(out, " \"");
	for (i = 0; i < decoded.len; i++) {
		if (decoded.s[i] == '"' || decoded.s[i] == '\\')
			buf_addc(out, '\\');
		buf_addc(out, decoded.s[i]);
	}
	buf_adds(out, "\" ");
	buf_free(&decoded);
}

/*
 * Write pieces first..last-1 (bare phrases) and the name of piece last
 * as one quoted display name, then piece last's <address>.
 */
static void
add_merged(struct buf *out, const char *s, const struct piece *p,
    size_t first, size_t last, size_t angle)
{
	struct buf name;
	size_t i;

	buf_init(&name);
	for (i = first; i < last; i++) {
		add_trimmed(&name, s, p[i].start, p[i].end);
		buf_adds(&name, ", ");
	}
	add_trimmed(&name, s, p[last].start, angle);
	add_quoted_name(out, &name);
	buf_add(out, s + angle, p[last].end - angle);
	buf_free(&name);
}

/*
 * The raw value of an address header, with unquoted commas in display
 * names quoted and ";" between addresses made ",".  Returns how many
 * addresses were joined into their neighbours.
 */
size_t
addr_list_normalise(const char *raw, struct buf *out)
{
	struct piece *p;
	size_t n, i, j, angle, merged = 0, most = 1;
	const char *c;

	/* as many pieces as separators and one: most values have one,
	 * and zeroing room for ADDR_MAX_PIECES cost more than the rest */
	for (c = raw; (c = strpbrk(c, ",;")) != NULL &&
	    most < ADDR_MAX_PIECES; c++)
		most++;
	p = xmalloc(most * sizeof(*p));	/* most <= ADDR_MAX_PIECES */
	buf_reset(out);
	n = cut_pieces(raw, p);
	for (i = 0; i < n; i = j + 1) {
		if (i > 0)
			buf_addc(out, ',');
		for (j = i; j + 1 < n && is_bare_phrase(raw, &p[j]); j++)
			;
		angle = phrase_then_angle(raw, &p[j]);
		if (j > i && angle > 0) {
			add_merged(out, raw, p, i, j, angle);
			merged += j - i;
			continue;
		}
		j = i;
		/* GMime joins adjacent base64 words before decoding them */
		if ((angle = phrase_then_angle(raw, &p[i])) > 0 &&
		    memmem(raw + p[i].start, angle - p[i].start, "=?", 2)) {
			add_merged(out, raw, p, i, i, angle);
			continue;
		}
		buf_add(out, raw + p[i].start, p[i].end - p[i].start);
	}
	free(p);
	return merged;
}

/* Past blanks and (nested) comments from i. */
static size_t
skip_cfws(const char *v, size_t i)
{
	int depth = 0;

	for (; v[i] != '\0'; i++) {
		if (depth > 0 && v[i] == '\\' && v[i + 1] != '\0')
			i++;
		else if (v[i] == '(')
			depth++;
		else if (depth > 0 && v[i] == ')')
			depth--;
		else if (depth == 0 && strchr(" \t\r\n", v[i]) == NULL)
			break;
	}
	return i;
}

/*
 * An envelope sender as RFC 5321 writes it in Return-Path: or gives it
 * to the MTA: "<>" is the null sender (empty), a source route
 * "<@a,@b:user@c>" is dropped for the mailbox at its end, a quoted
 * local part ("<>"@example.com) is kept whole, and 8-bit bytes that
 * are no UTF-8 are read as windows-1252.  Without <> the value is taken
 * as it is, up to a blank or comment.
 */
void
addr_envelope(const char *v, struct buf *out)
{
	size_t i, start, end;
	int quoted = 0;

	buf_reset(out);
	i = skip_cfws(v, 0);
	if (v[i] == '<')
		i++;
	if (v[i] == '@') {	/* a source route, to its ":" */
		while (v[i] != '\0' && v[i] != ':' && v[i] != '>')
			i++;
		if (v[i] == ':')
			i++;
	}
	for (start = end = i; v[end] != '\0'; end++) {
		if (quoted) {
			if (v[end] == '\\' && v[end + 1] != '\0')
				end++;
			else if (v[end] == '"')
				quoted = 0;
			continue;
		}
		if (v[end] == '"')
			quoted = 1;
		else if (strchr("> \t\r\n(", v[end]) != NULL)
			break;
	}
	utf8_convert(NULL, v + start, end - start, out);
	text_clean(out, MSG_MAX_VALUE);
}
