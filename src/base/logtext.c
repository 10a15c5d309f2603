/*
 * logtext.c - text from mail made safe for one line of a log or a
 * listing: a sender chooses the bytes of a subject or a Message-ID, and
 * a line break or a tab in them must not start a line of its own.
 */
#include <string.h>

#include "base/base.h"

/*
 * Append s (n bytes) to out with each control character, DEL and
 * backslash written as \xNN (backslash as \\), and spaces kept.
 */
void
log_escape(const char *s, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			buf_adds(out, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_addc(out, c);
	}
}

/* The same for a string; NULL is written as "-". */
void
log_escapes(const char *s, struct buf *out)
{
	if (s == NULL || *s == '\0')
		buf_addc(out, '-');
	else
		log_escape(s, strlen(s), out);
}
