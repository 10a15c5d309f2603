/*
 * relaymarks.c - what our receiving MTA recorded of the relay that
 * connected to it, read offline: no reverse name, a HELO that is not
 * the reverse name, a HELO that poses as a big mail provider.  These
 * are the commonest marks of the spam SpamAssassin catches on its
 * Received: headers alone.  Mailing-list mail is exempt: list servers
 * are often named otherwise than they say HELO, and their mail is ham.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "mime/mime.h"
#include "url/url.h"
#include "net/net.h"
#include "check/check.h"

/* The big providers, a family a line: a HELO under one of them must
 * come from a host under one of the same line. */
static const char *const families[][8] = {
	{ "google.com", "gmail.com", "googlemail.com", NULL },
	{ "yahoo.com", "yahoo.co.uk", "yahoo.co.jp", "yahoo.fr", "yahoo.de",
	    "ymail.com", "yahoodns.net", NULL },
	{ "hotmail.com", "outlook.com", "live.com", "msn.com",
	    "microsoft.com", NULL },
	{ "aol.com", "aol.net", "aim.com", NULL },
	{ "icloud.com", "me.com", "mac.com", "apple.com", NULL },
	{ "mail.ru", NULL },
	{ "yandex.ru", "yandex.net", NULL },
	{ "gmx.net", "gmx.de", "web.de", NULL },
};

/* Headers that only list servers and list managers write. */
static const char *const list_headers[] = {
	"List-Id", "List-Post", "Mailing-List", "X-Mailman-Version",
	"X-BeenThere", "X-Ecartis-Version", "X-List-Administrivia", NULL
};

static int
is_list_mail(const struct message *m)
{
	const char *const *h;
	int pos;

	for (h = list_headers; *h != NULL; h++) {
		pos = 0;
		if (message_header_next(m, *h, &pos) != NULL)
			return 1;
	}
	return 0;
}

/* The registered domain of a host name, lower case; "" for none. */
static void
reg_domain(const char *host, char *out, size_t cap)
{
	char low[RELAY_MAX_NAME];
	const char *reg;
	size_t i, n = strlen(host);

	out[0] = '\0';
	if (n == 0 || n >= sizeof(low) || host[0] == '[')
		return;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)host[i]);
	low[n] = '\0';
	if (n > 0 && low[n - 1] == '.')
		low[n - 1] = '\0';
	if (strchr(low, '.') == NULL || !dns_name_ok(low))
		return;
	if ((reg = url_domain(low)) != NULL)
		snprintf(out, cap, "%s", reg);
}

/* Which family the registered domain d is of, or -1. */
static int
family_of(const char *d)
{
	size_t f, i;

	for (f = 0; d[0] != '\0' && f < sizeof(families) / sizeof(families[0]);
	    f++)
		for (i = 0; families[f][i] != NULL; i++)
			if (strcmp(families[f][i], d) == 0)
				return (int)f;
	return -1;
}

/*
 * The marks of rs->first, for each: fn(arg, SYMBOL, evidence).
 * HEUR_RCVD_NO_RDNS: the MTA recorded no reverse name.
 * HEUR_HELO_NOT_RDNS: a HELO name of another registered domain than
 * the recorded reverse name.  HEUR_HELO_FORGED_BIG: a HELO under a big
 * provider from a host that is not theirs, by its recorded name.
 * HEUR_RDNS_DYNAMIC: the recorded name is a dynamic address's.
 */
void
relay_marks(const struct message *m, const struct relays *rs,
    void (*fn)(void *, const char *, const char *), void *arg)
{
	const struct relay *r = &rs->first;
	char helo[RELAY_MAX_NAME], rdns[RELAY_MAX_NAME];
	char ev[2 * RELAY_MAX_NAME + 2];
	int fam;

	if (!rs->have_first || is_list_mail(m))
		return;
	if (r->no_rdns)
		fn(arg, "HEUR_RCVD_NO_RDNS", r->ip);
	else if (rdns_dynamic(r->rdns, r->ip, ev, sizeof(ev)))
		fn(arg, "HEUR_RDNS_DYNAMIC", ev);
	reg_domain(r->helo, helo, sizeof(helo));
	reg_domain(r->rdns, rdns, sizeof(rdns));
	fam = family_of(helo);
	if (fam >= 0 && (r->no_rdns || rdns[0] != '\0') &&
	    family_of(rdns) != fam) {
		snprintf(ev, sizeof(ev), "%s/%s", r->helo,
		    r->rdns[0] ? r->rdns : r->ip);
		fn(arg, "HEUR_HELO_FORGED_BIG", ev);
	} else if (helo[0] != '\0' && rdns[0] != '\0' &&
	    strcmp(helo, rdns) != 0) {
		snprintf(ev, sizeof(ev), "%s/%s", r->helo, r->rdns);
		fn(arg, "HEUR_HELO_NOT_RDNS", ev);
	}
}
