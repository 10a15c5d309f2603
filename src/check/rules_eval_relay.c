/*
 * rules_eval_relay.c - SpamAssassin's evals of the Received: chain,
 * computed from what the receiving MTAs recorded (received.c), offline.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"
#include "check/check.h"
#include "check/rules_int.h"

/* The domains RelayEval.pm's dotcom HELO names. */
static const char *const dotcoms[] = {
	"lycos.com", "lycos.co.uk", "hotmail.com", "localhost.com",
	"excite.com", "caramail.com", "cs.com", "aol.com", "msn.com",
	"yahoo.com", "drizzle.com", NULL
};

/* Is host d, or under d (".d" at its end)? */
static int
host_under(const char *host, const char *d)
{
	size_t n = strlen(host), k = strlen(d);

	if (n < k || strcasecmp(host + n - k, d) != 0)
		return 0;
	return n == k || host[n - k - 1] == '.';
}

/*
 * check_for_no_rdns_dotcom_helo(): a relay outside trusted_networks,
 * not of a private address, that said HELO as one of the big dotcoms
 * and of which the MTA recorded no reverse name.
 */
int
eval_no_rdns_dotcom_helo(struct evalctx *c, char *const *argv, size_t n)
{
	const char *const *d;
	const char *val;
	struct relay r;
	int pos = 0, hops = 0;

	(void)argv;
	(void)n;
	while ((val = message_header_next(c->m, "Received", &pos)) != NULL &&
	    hops++ < RELAY_MAX_HEADERS) {
		if (received_parse_at(c->m, pos, val, &r) != 0 || r.local ||
		    !r.no_rdns || received_trusted(&r.addr) ||
		    ip_is_special(&r.addr))
			continue;
		for (d = dotcoms; *d != NULL; d++)
			if (host_under(r.helo, *d))
				return 1;
	}
	return 0;
}

/* The first header called name whose value holds every one of words. */
static int
header_has(const struct message *m, const char *name,
    const char *const *words)
{
	const char *val, *const *w;
	int pos = 0;

	while ((val = message_header_next(m, name, &pos)) != NULL) {
		for (w = words; *w != NULL && strstr(val, *w) != NULL; w++)
			;
		if (*w == NULL)
			return 1;
	}
	return 0;
}

/*
 * gated_through_received_hdr_remover(): the Received: headers are not
 * the sender's: there are none, or ezmlm or MSN groups wrote them anew.
 * SpamAssassin's rules then do not trust the Message-ID's shape.
 */
int
eval_received_remover(struct evalctx *c, char *const *argv, size_t n)
{
	static const char *const ezmlm[] = { "contact ", "; run by ezmlm",
	    NULL };
	static const char *const list[] = { "mailing list ", "@", NULL };
	static const char *const qmail[] = { "qmail ", " invoked ", NULL };
	static const char *const msn[] = { "from groups.msn.com (", ".msn.com ",
	    NULL };

	(void)argv;
	(void)n;
	if (message_header_count(c->m, "Received") == 0)
		return 1;
	if (header_has(c->m, "Mailing-List", ezmlm) &&
	    header_has(c->m, "Delivered-To", list) &&
	    header_has(c->m, "Received", qmail))
		return 1;
	return header_has(c->m, "Received", msn);
}
