/*
 * dnsname.c - DNS names and types: their text, the names we are willing
 * to ask, reverse names.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>

#include "base/base.h"
#include "net/net.h"
#include "net/dns_int.h"

/* --- names and types ------------------------------------------------ */

const char *
dns_type_name(int type)
{
	switch (type) {
	case DNS_A:	return "A";
	case DNS_AAAA:	return "AAAA";
	case DNS_MX:	return "MX";
	case DNS_PTR:	return "PTR";
	case DNS_TXT:	return "TXT";
	default:	return "?";
	}
}

int
dns_type_parse(const char *s)
{
	static const int types[] = { DNS_A, DNS_AAAA, DNS_MX, DNS_PTR, DNS_TXT };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(s, dns_type_name(types[i])) == 0)
			return types[i];
	return -1;
}

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:		return "ok";
	case DNS_NXDOMAIN:	return "nxdomain";
	case DNS_NODATA:	return "nodata";
	case DNS_TEMPFAIL:	return "tempfail";
	default:		return "bad";
	}
}

/*
 * A name we are willing to ask: printable ASCII without spaces or
 * backslashes (c-ares would read those as escapes), labels of 1 to 63
 * bytes, at most DNS_MAX_NAME in all.  Underscores and other
 * punctuation pass: SPF macros and _domainkey names need them.
 */
int
dns_name_ok(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		/* A space is a byte like any other in a label: SPF's %_
		 * macro puts one there (RFC 7208, 7.3). */
		if (c < ' ' || c >= 0x7f || c == '\\' || c == '"' ||
		    c == ';' || c == '(' || c == ')' || ++label > 63)
			return 0;
	}
	return label > 0;
}

/* Lower case, no final dot, in out of DNS_MAX_NAME + 2 bytes. */
void
name_fold(const char *s, char *out)
{
	size_t i, n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		n--;
	for (i = 0; i < n && i <= DNS_MAX_NAME; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/*
 * The name under zone for an address: "2.0.0.127.zone", or 32 nibbles
 * for IPv6.  A NULL zone gives in-addr.arpa and ip6.arpa, "" the
 * labels alone.
 */
int
dns_reverse(const struct cidr *ip, const char *zone, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	struct buf b;
	int i, rc;

	buf_init(&b);
	if (ip->family == AF_INET)
		buf_printf(&b, "%u.%u.%u.%u", ip->addr[3], ip->addr[2],
		    ip->addr[1], ip->addr[0]);
	else
		for (i = 15; i >= 0; i--)
			buf_printf(&b, "%s%c.%c", i < 15 ? "." : "",
			    hex[ip->addr[i] & 0xf], hex[ip->addr[i] >> 4]);
	if (zone == NULL)
		zone = ip->family == AF_INET ? "in-addr.arpa" : "ip6.arpa";
	if (*zone != '\0')
		buf_printf(&b, ".%s", zone);
	rc = b.len < size && b.len <= DNS_MAX_NAME ? 0 : -1;
	if (rc == 0)
		memcpy(out, b.s, b.len + 1);
	buf_free(&b);
	return rc;
}
