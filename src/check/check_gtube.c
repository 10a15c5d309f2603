/*
 * check_gtube.c - the GTUBE test strings, to test an installation.
 *
 * SpamAssassin's GTUBE string in a message makes it spam whatever else
 * it holds; rspamd reads it as "reject" and a variant of it, with a Y
 * in front, as "add header".  xd reads the first as surespam and the
 * second as spam.  rspamd's other variants (rewrite subject, no action)
 * are not read: rspamd keeps them off by default, since a string that
 * lowers a verdict lets anyone through.
 */
#include <string.h>

#include "check/check.h"

#define GTUBE_TAIL	"JS*C4JDBQADN1.NSBN3*2IDNEN*" \
			"GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

static int
has(const char *s, size_t n, const char *needle)
{
	return s != NULL && memmem(s, n, needle, strlen(needle)) != NULL;
}

/* GTUBE_STANDARD, GTUBE_ADD_HEADER or GTUBE_NONE, for one text. */
int
gtube_find(const char *s, size_t n)
{
	if (has(s, n, "X" GTUBE_TAIL))
		return GTUBE_STANDARD;
	if (has(s, n, "Y" GTUBE_TAIL))
		return GTUBE_ADD_HEADER;
	return GTUBE_NONE;
}
