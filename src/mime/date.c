/*
 * date.c - the Date: of a message: parsed through GMime (with the
 * years Y2K bugs wrote put right), and checked against the syntax of
 * RFC 5322.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "base/base.h"
#include "mime/mime.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A date with the year a Y2K bug wrote, tm_year printed raw ("102" or
 * "0102" for 2002), with the year made "2002"; NULL if it has none.
 */
static char *
fix_year(const char *v)
{
	const char *p, *d;
	char *fixed;
	size_t n;

	for (p = strchr(v, ' '); p != NULL; p = strchr(p + 1, ' ')) {
		d = p + 1 + (p[1] == '0');
		if (d[0] == '1' && is_digit(d[1]) && is_digit(d[2]) &&
		    (d[3] == ' ' || d[3] == '\0'))
			break;
	}
	if (p == NULL)
		return NULL;
	n = (size_t)(p + 1 - v);
	xasprintf(&fixed, "%.*s20%s", (int)n, v, d + 1);
	return fixed;
}

/* A date as RFC 5322 writes it (and as mailers get it wrong); -1 if none. */
int
message_date_parse(const char *v, time_t *t)
{
	GDateTime *dt;
	char *fixed;

	if (v == NULL || strlen(v) > 200)
		return -1;
	message_init();
	if ((dt = g_mime_utils_header_decode_date(v)) == NULL) {
		if ((fixed = fix_year(v)) == NULL)
			return -1;
		dt = g_mime_utils_header_decode_date(fixed);
		free(fixed);
		if (dt == NULL)
			return -1;
	}
	*t = (time_t)g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return 0;
}

/* --- the syntax of a date (RFC 5322 3.3 and its obsolete forms, 4.3) --- */

static const char *
date_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Digits at p, at least min and at most max of them; NULL if not. */
static const char *
date_number(const char *p, size_t min, size_t max, int *value)
{
	size_t n = 0;

	*value = 0;
	while (n < max && is_digit(p[n]))
		*value = *value * 10 + (p[n++] - '0');
	return n >= min && !is_digit(p[n]) ? p + n : NULL;
}

/* One of the words of list (three letters each, any case) at p. */
static const char *
date_word(const char *p, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strncasecmp(p, list[i], strlen(list[i])) == 0 &&
		    !isalpha((unsigned char)p[strlen(list[i])]))
			return p + strlen(list[i]);
	return NULL;
}

static const char *
date_zone(const char *p)
{
	static const char *const names[] = { "UT", "GMT", "EST", "EDT",
	    "CST", "CDT", "MST", "MDT", "PST", "PDT", NULL };
	const char *q;
	int v;

	/* real zones run from -1200 to +1400 */
	if ((*p == '+' || *p == '-') &&
	    (q = date_number(p + 1, 4, 4, &v)) != NULL)
		return v / 100 <= 14 && v % 100 < 60 ? q : NULL;
	if ((q = date_word(p, names)) != NULL)
		return q;
	/* a military zone: one letter but J */
	if (isalpha((unsigned char)p[0]) && tolower((unsigned char)p[0]) != 'j'
	    && !isalpha((unsigned char)p[1]))
		return p + 1;
	return NULL;
}

/*
 * Whether v is a date-time as RFC 5322 writes it, its obsolete forms
 * allowed (a two-digit year, a named zone, no seconds) and a comment
 * after it: "[Day,] D Mon YYYY HH:MM[:SS] zone".  Mailers that get it
 * wrong are mostly not mailers people use.
 */
int
message_date_valid(const char *v)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat", "Sun", NULL };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", NULL };
	const char *p, *q;
	int day, year, h, m, sec = 0;

	if (v == NULL)
		return 0;
	p = date_space(v);
	if ((q = date_word(p, days)) != NULL) {
		p = date_space(q);
		if (*p++ != ',')
			return 0;
		p = date_space(p);
	}
	if ((p = date_number(p, 1, 2, &day)) == NULL || day < 1 || day > 31)
		return 0;
	if ((p = date_word(date_space(p), months)) == NULL)
		return 0;
	p = date_space(p);
	/* two digits, or four from 1900: "102" and "0102" are Y2K bugs */
	if ((q = date_number(p, 2, 4, &year)) == NULL || q - p == 3 ||
	    (q - p == 4 && year < 1900))
		return 0;
	if ((p = date_number(date_space(q), 1, 2, &h)) == NULL || h > 23 ||
	    *p++ != ':' || (p = date_number(p, 2, 2, &m)) == NULL || m > 59)
		return 0;
	if (*p == ':' && ((p = date_number(p + 1, 2, 2, &sec)) == NULL ||
	    sec > 60))
		return 0;
	if ((p = date_zone(date_space(p))) == NULL)
		return 0;
	p = date_space(p);
	if (*p == '(' && (q = strchr(p, ')')) != NULL)
		p = date_space(q + 1);
	return *p == '\0';
}
