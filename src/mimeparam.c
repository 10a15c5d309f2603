/*
 * mimeparam.c - the file name of a MIME part, read as mail clients
 * read it.
 *
 * GMime 3.2.13 joins adjacent B-encoded words of one charset in a
 * parameter and decodes their base64 as one text, which ends at the
 * first word's '=' padding: filename="=?UTF-8?B?aW52b2ljZQ==?=
 * =?UTF-8?B?LmV4ZQ==?=" is "invoice", not "invoice.exe", and the file
 * would pass the checks of attachment names.  Its Q words are joined
 * right, so a header with B words is parsed again with every B word
 * made the Q word of the same bytes.
 */
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "xd.h"

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * The n bytes of base64 at s as =XX escapes into out; -1 (out as it
 * was) if they are not base64 with at most its padding at the end.
 */
static int
b64_to_q(const char *s, size_t n, struct buf *out)
{
	size_t i, start = out->len;
	unsigned acc = 0;
	int bits = 0, v;

	while (n > 0 && s[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		if ((v = b64_value((unsigned char)s[i])) < 0) {
			out->len = start;
			if (out->s != NULL)
				out->s[start] = '\0';
			return -1;
		}
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_printf(out, "=%02X", (acc >> bits) & 0xff);
		}
	}
	return 0;
}

/*
 * Append s to out with every well-formed B word ("=?CHARSET?B?TEXT?=")
 * made the Q word of the same bytes; anything else is copied as it is.
 */
static void
b_to_q(const char *s, struct buf *out)
{
	const char *p = s, *w, *cs, *text, *end;
	size_t cslen;

	while ((w = strstr(p, "=?")) != NULL) {
		cs = w + 2;
		cslen = strcspn(cs, "? \t\r\n");
		text = cs + cslen + 3;
		if (cslen == 0 || cs[cslen] != '?' ||
		    (cs[cslen + 1] != 'B' && cs[cslen + 1] != 'b') ||
		    cs[cslen + 2] != '?' ||
		    (end = strstr(text, "?=")) == NULL) {
			buf_add(out, p, (size_t)(cs - p));
			p = cs;
			continue;
		}
		buf_add(out, p, (size_t)(w - p));
		buf_add(out, w, cslen + 3);
		buf_addc(out, 'Q');
		buf_addc(out, '?');
		if (b64_to_q(text, (size_t)(end - text), out) != 0) {
			out->len -= cslen + 5;	/* not base64: as it is */
			buf_add(out, w, (size_t)(end + 2 - w));
		} else
			buf_add(out, "?=", 2);
		p = end + 2;
	}
	buf_adds(out, p);
}

/*
 * Parameter param of the header called header, parsed again with its
 * B words rewritten, into b; NULL if the header has no B word or no
 * such parameter.
 */
static const char *
reread(GMimeObject *o, const char *header, const char *param,
    struct buf *b)
{
	GMimeHeader *h = g_mime_header_list_get_header(
	    g_mime_object_get_header_list(o), header);
	GMimeContentDisposition *cd = NULL;
	GMimeContentType *ct = NULL;
	const char *raw, *v = NULL;

	if (h == NULL || (raw = g_mime_header_get_raw_value(h)) == NULL ||
	    strcasestr(raw, "?b?") == NULL)
		return NULL;
	buf_reset(b);
	b_to_q(raw, b);
	if (strcasecmp(header, "Content-Disposition") == 0) {
		if ((cd = g_mime_content_disposition_parse(NULL, b->s)))
			v = g_mime_content_disposition_get_parameter(cd, param);
	} else if ((ct = g_mime_content_type_parse(NULL, b->s)) != NULL)
		v = g_mime_content_type_get_parameter(ct, param);
	if (v != NULL) {	/* v is the parsed header's: copy it */
		buf_reset(b);
		buf_adds(b, v);
		v = b->s;
	}
	if (cd != NULL)
		g_object_unref(cd);
	if (ct != NULL)
		g_object_unref(ct);
	return v;
}

/*
 * The file name of part obj (a GMimeObject) that GMime read as name,
 * read again where B words may have cut it: from the header GMime took
 * it from, Content-Disposition's filename, else Content-Type's name.
 * The result lives in b, or is name.
 */
const char *
mime_filename(void *obj, const char *name, struct buf *b)
{
	GMimeObject *o = obj;
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(o);
	const char *v;

	if (name == NULL)
		return NULL;
	if (cd != NULL &&
	    g_mime_content_disposition_get_parameter(cd, "filename") != NULL)
		v = reread(o, "Content-Disposition", "filename", b);
	else
		v = reread(o, "Content-Type", "name", b);
	return v != NULL ? v : name;
}
