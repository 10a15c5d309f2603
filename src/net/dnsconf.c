/*
 * dnsconf.c - the resolver setting: "system", "none", or servers with
 * ports, checked before the resolver starts.
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

/* --- set-up --------------------------------------------------------- */

/* "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address. */
static int
parse_server(const char *s, struct ares_addr_port_node *n)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL, *errstr, *end;
	size_t len;

	memset(n, 0, sizeof(*n));
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		len = (size_t)(end - s - 1);
		s++;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return -1;
	} else if ((end = strchr(s, ':')) != NULL && strchr(end + 1, ':') ==
	    NULL) {
		len = (size_t)(end - s);
		port = end + 1;
	} else
		len = strlen(s);
	if (len == 0 || len >= sizeof(host))
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, &n->addr.addr4) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, host, &n->addr.addr6) == 1)
		n->family = AF_INET6;
	else
		return -1;
	n->udp_port = n->tcp_port = 53;
	if (port != NULL) {
		n->udp_port = n->tcp_port =
		    (int)xd_strtonum(port, 1, 65535, &errstr);
		if (errstr != NULL)
			return -1;
	}
	return 0;
}

/*
 * The servers of a resolver setting: "none", "system", or addresses
 * separated by commas.  Returns how many, or -1 with *why set.
 */
int
parse_servers(const char *spec, struct ares_addr_port_node *nodes,
    const char **why)
{
	char *copy, *tok, *save = NULL;
	int n = 0;

	copy = xstrdup(spec);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (n == DNS_MAX_SERVERS) {
			*why = "too many servers";
			n = -1;
			break;
		}
		if (parse_server(tok, &nodes[n]) != 0) {
			*why = "expected ADDR, ADDR:PORT or [IPV6]:PORT";
			n = -1;
			break;
		}
		if (n > 0)
			nodes[n - 1].next = &nodes[n];
		n++;
	}
	free(copy);
	if (n == 0) {
		*why = "no address";
		n = -1;
	}
	return n;
}

int
dns_resolver_check(const char *spec, const char **why)
{
	struct ares_addr_port_node nodes[DNS_MAX_SERVERS];

	if (strcmp(spec, "none") == 0 || strcmp(spec, "system") == 0)
		return 0;
	return parse_servers(spec, nodes, why) < 0 ? -1 : 0;
}

/* Where queries go: the option, $XD_RESOLVER, xd.conf, resolv.conf. */
const char *
resolver_spec(const char *opt)
{
	const char *s;

	if (opt != NULL && *opt != '\0')
		return opt;
	if ((s = getenv("XD_RESOLVER")) != NULL && *s != '\0')
		return s;
	if ((s = conf_str("resolver")) != NULL && *s != '\0')
		return s;
	return "system";
}

/* Whether the resolver a context would get is "none": no DNS at all. */
int
dns_resolver_none(const char *opt)
{
	return strcmp(resolver_spec(opt), "none") == 0;
}
