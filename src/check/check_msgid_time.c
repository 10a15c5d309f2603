/*
 * check_msgid_time.c - the time inside a Message-ID of Outlook's.
 *
 * Outlook Express and Outlook 98 to 2003 write Message-IDs as
 * <XXXXTTTTTTTT$XXXXXXXX$XXXXXXXX@host>, where TTTTTTTT is the high 32
 * bits of the Windows FILETIME (100 ns since 1601) when the message
 * was written.  Ratware copies the shape with random digits: a time
 * far from the Date: and from the arrival is a forged Message-ID.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/check.h"

#define FILETIME_UNIX	11644473600LL	/* seconds from 1601 to 1970 */
#define HIGH_UNIT	429.4967296	/* seconds per unit of the high word */
#define MSGID_SLACK	(30 * 3600)	/* clocks and zones that are wrong */

/* The Unix time of the FILETIME whose high 32 bits are hi. */
static long long
high_to_unix(unsigned long hi)
{
	return (long long)(hi * HIGH_UNIT) - FILETIME_UNIX;
}

/*
 * 1 when the Message-ID is Outlook's shape and its time is more than
 * MSGID_SLACK from both when (the Date:) and arrived (-1: unknown);
 * 0 when it agrees or is not of that shape.
 */
int
msgid_outlook_time_bad(const char *id, time_t when, time_t arrived)
{
	char hex[9];
	long long t;
	size_t i;

	while (isspace((unsigned char)*id))
		id++;
	if (*id++ != '<')
		return 0;
	for (i = 0; i < 12; i++)
		if (!isxdigit((unsigned char)id[i]))
			return 0;
	if (id[12] != '$')
		return 0;
	for (i = 13; i < 21; i++)
		if (!isxdigit((unsigned char)id[i]))
			return 0;
	if (id[21] != '$' || strchr(id + 22, '@') == NULL)
		return 0;
	memcpy(hex, id + 4, 8);
	hex[8] = '\0';
	t = high_to_unix(strtoul(hex, NULL, 16));
	if (llabs(t - (long long)when) <= MSGID_SLACK)
		return 0;
	if (arrived != (time_t)-1 &&
	    llabs(t - (long long)arrived) <= MSGID_SLACK)
		return 0;
	return 1;
}
