/*
 * rules_eval_date.c - SpamAssassin's check_for_shifted_date(MIN, MAX)
 * computed from the message: the Date: (a Resent-Date: first) less the
 * time of the Received: header nearest it, in hours, in [MIN, MAX).
 * As HeaderEval.pm does it: the oldest Received: is left out when it
 * says the very time of the Date:, the hops on this host above the
 * first from elsewhere are not counted, and a message without a Date:
 * or a dated Received: has a difference of 0.  Unlike it, the
 * retrieval and delivery hops below (fetchmail's, LMTP) are known by
 * received.c and left out too.
 */
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/base.h"
#include "mime/mime.h"
#include "check/check.h"
#include "check/rules_int.h"

static int
date_header(const struct message *m, time_t *t)
{
	static const char *const names[] = { "Resent-Date", "Date", NULL };
	const char *const *n;
	const char *v;
	int pos;

	for (n = names; *n != NULL; n++) {
		pos = 0;
		while ((v = message_header_next(m, *n, &pos)) != NULL)
			if (message_date_parse(v, t) == 0)
				return 0;
	}
	return -1;
}

/*
 * A hop inside this host, above the first that came from elsewhere: a
 * local MTA's "from localhost" that fetchmail or a content filter
 * handed the message to, or qmail's "invoked by uid".  Their times are
 * of retrieval, not of sending.
 */
static int
on_this_host(const char *val, const struct relay *r)
{
	while (*val == ' ' || *val == '\t' || *val == '\n')
		val++;
	if (strncasecmp(val, "from localhost", 14) == 0 ||
	    (strstr(val, "qmail ") != NULL &&
	    strstr(val, " invoked by uid ") != NULL))
		return 1;
	if (r == NULL)
		return 0;
	return (r->addr.family == AF_INET && r->addr.addr[0] == 127) ||
	    strcmp(r->ip, "::1") == 0;
}

static long long
date_diff(const struct message *m)
{
	struct relay r;
	const char *val, *semi;
	long long d[RELAY_MAX_HEADERS], best;
	time_t date, t;
	size_t i, have = 0;
	int pos = 0, parsed;

	if (date_header(m, &date) != 0)
		return 0;
	while (have < RELAY_MAX_HEADERS &&
	    (val = message_header_next(m, "Received", &pos)) != NULL) {
		if ((semi = strrchr(val, ';')) == NULL ||
		    message_date_parse(semi + 1, &t) != 0)
			continue;
		parsed = received_parse_at(m, pos, val, &r) == 0;
		if (parsed && r.local)
			continue;
		if (have == 0 && on_this_host(val, parsed ? &r : NULL))
			continue;
		d[have++] = (long long)date - (long long)t;
	}
	if (have > 1 && d[have - 1] == 0)
		have--;
	if (have == 0)
		return 0;
	for (best = d[0], i = 1; i < have; i++)
		if (llabs(d[i]) < llabs(best))
			best = d[i];
	return best;
}

static int
bound(const char *s, long long *h)
{
	const char *errstr;

	if (strcmp(s, "undef") == 0)
		return 0;
	*h = xd_strtonum(s, -1000000, 1000000, &errstr);
	return errstr == NULL ? 1 : -1;
}

int
eval_shifted_date(struct evalctx *c, char *const *argv, size_t n)
{
	long long min, max;
	int hmin, hmax;

	if (n != 2 || (hmin = bound(argv[0], &min)) < 0 ||
	    (hmax = bound(argv[1], &max)) < 0)
		return 0;
	if (!c->have_diff) {
		c->date_diff = date_diff(c->m);
		c->have_diff = 1;
	}
	return (!hmin || c->date_diff >= 3600 * min) &&
	    (!hmax || c->date_diff < 3600 * max);
}
