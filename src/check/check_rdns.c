/*
 * check_rdns.c - a relay whose recorded reverse name is that of a
 * dynamic or residential address: the address's own digits in the
 * name (host-203-0-113-9.pool.example), or an access network's word
 * (dyn, dhcp, pool, ppp, dsl, cable, broadband, dialup, static-ip).
 * Such hosts are home and office machines that should send through
 * their provider's server; bots send from them directly.  This is
 * SpamAssassin's RDNS_DYNAMIC and rspamd's hfilter, read offline from
 * what our MTA recorded, narrowed: only the labels below the
 * registered domain count, and a name that says it is a mail server
 * (mail, smtp, mx, mta, relay, out...) is not dynamic, as providers
 * name their outbound servers after their addresses too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url/url.h"
#include "check/check.h"

#define RDNS_MAX_WORDS	32

/* Words of access networks' names for their customers' addresses. */
static const char *const dynamic_words[] = {
	"dyn", "dynamic", "dynip", "dhcp", "pool", "ppp", "pppoe", "dsl",
	"adsl", "vdsl", "xdsl", "sdsl", "cable", "broadband", "dialup",
	"dial", "dialin", "modem", "resnet", "residential", "cpe", "ftth",
	"fttx", "catv", "wlan", "wifi", "3g", "4g", "lte", "mobile", NULL
};

/* Words a mail server's name holds: such a host sends mail by trade. */
static const char *const mail_words[] = {
	"mail", "email", "smtp", "smtpout", "mx", "mta", "relay", "out",
	"outbound", "mailout", "mo", "mailer", "bounce", "bounces", "mailgw",
	"gw", "gateway", "exchange", "postfix", "mx1", "mx2", NULL
};

static int
word_in(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* "static-ip" and "static.ip" and "staticip" name a customer's line. */
static int
static_ip_at(const char *s)
{
	return strncmp(s, "static", 6) == 0 &&
	    (strncmp(s + 6, "ip", 2) == 0 || strncmp(s + 6, "-ip", 3) == 0 ||
	    strncmp(s + 6, ".ip", 3) == 0);
}

/*
 * How many of the octets of the IPv4 address ip appear as numbers of
 * their own in host (decimal, or the whole address as 8 hex digits).
 */
static int
ip_octets_in(const char *host, const char *ip)
{
	unsigned o[4], seen = 0;
	char hex[9], num[4];
	const char *p;
	size_t n;
	int i, found = 0;

	if (sscanf(ip, "%u.%u.%u.%u", &o[0], &o[1], &o[2], &o[3]) != 4 ||
	    o[0] > 255 || o[1] > 255 || o[2] > 255 || o[3] > 255)
		return 0;
	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", o[0], o[1], o[2],
	    o[3]);
	if (strstr(host, hex) != NULL)
		return 4;
	for (p = host; *p != '\0'; p += n) {
		for (n = 0; isdigit((unsigned char)p[n]); n++)
			;
		if (n == 0) {
			n = 1;
			continue;
		}
		if (n > 3)
			continue;
		memcpy(num, p, n);
		num[n] = '\0';
		for (i = 0; i < 4; i++)
			if (!(seen & (1u << i)) && (unsigned)atoi(num) == o[i]) {
				seen |= 1u << i;
				found++;
				break;
			}
	}
	return found;
}

/*
 * Whether rdns, the recorded name of the relay at ip, names a dynamic
 * or residential address; why gets what in the name says so.
 */
int
rdns_dynamic(const char *rdns, const char *ip, char *why, size_t cap)
{
	char host[RELAY_MAX_NAME], word[RELAY_MAX_NAME];
	const char *reg;
	size_t n, i, len, words = 0;
	int dyn = 0;

	n = strlen(rdns);
	if (n == 0 || n >= sizeof(host) || strchr(rdns, '.') == NULL)
		return 0;
	for (i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)rdns[i]);
	host[n] = '\0';
	if ((reg = url_domain(host)) == NULL || reg == host)
		return 0;
	/* Only the labels below the registered domain name the host. */
	host[reg - host - 1] = '\0';
	snprintf(why, cap, "%s", rdns);
	for (i = 0; host[i] != '\0' && words < RDNS_MAX_WORDS; i += len) {
		len = strcspn(host + i, ".-_");
		if (len == 0) {
			len = 1;
			continue;
		}
		words++;
		snprintf(word, sizeof(word), "%.*s", (int)len, host + i);
		/* Trailing digits go: pool12, dsl3, ppp0. */
		while (strlen(word) > 1 &&
		    isdigit((unsigned char)word[strlen(word) - 1]))
			word[strlen(word) - 1] = '\0';
		if (word_in(word, mail_words))
			return 0;
		if (word_in(word, dynamic_words) || static_ip_at(host + i))
			dyn = 1;
	}
	if (!dyn && strchr(ip, '.') != NULL && ip_octets_in(host, ip) >= 3)
		dyn = 1;
	return dyn;
}
