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

#include "base/base.h"
#include "mime/mime.h"

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
	rfc2047_b_to_q(raw, b);
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
