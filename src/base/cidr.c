/*
 * cidr.c - IPv4 and IPv6 addresses and CIDR networks, for
 * trusted_networks and the ip matcher of policy files.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* An address alone; an IPv4-mapped IPv6 address counts as IPv4. */
int
ip_parse(const char *s, struct cidr *ip)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	size_t n = strlen(s);

	memset(ip, 0, sizeof(*ip));
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
		s += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, ip->addr) == 1) {
		ip->family = AF_INET;
		ip->bits = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, ip->addr) != 1)
		return -1;
	if (memcmp(ip->addr, v4mapped, 12) == 0) {
		memmove(ip->addr, ip->addr + 12, 4);
		memset(ip->addr + 4, 0, 12);
		ip->family = AF_INET;
		ip->bits = 32;
		return 0;
	}
	ip->family = AF_INET6;
	ip->bits = 128;
	return 0;
}

/* "192.0.2.0/24", "2001:db8::/32", or an address (a host network). */
int
cidr_parse(const char *s, struct cidr *net)
{
	const char *slash = strchr(s, '/');
	const char *errstr;
	char *addr;
	int rc, max;
	long long bits;

	if (slash == NULL)
		return ip_parse(s, net);
	addr = xstrndup(s, (size_t)(slash - s));
	rc = ip_parse(addr, net);
	free(addr);
	if (rc != 0)
		return -1;
	max = net->family == AF_INET ? 32 : 128;
	bits = xd_strtonum(slash + 1, 0, max, &errstr);
	if (errstr != NULL)
		return -1;
	net->bits = (int)bits;
	return 0;
}

int
cidr_match(const struct cidr *net, const struct cidr *ip)
{
	int full, rest;

	if (net->family != ip->family)
		return 0;
	full = net->bits / 8;
	rest = net->bits % 8;
	if (memcmp(net->addr, ip->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((net->addr[full] ^ ip->addr[full]) &
	    (unsigned char)(0xff << (8 - rest))) == 0;
}

int
cidr_list_match(const struct cidr *nets, size_t n, const struct cidr *ip)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cidr_match(&nets[i], ip))
			return 1;
	return 0;
}

/* Loopback, private, link-local, unspecified or documentation space. */
int
ip_is_special(const struct cidr *ip)
{
	static const char *const special[] = {
		"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
		"::/128", "::1/128", "fc00::/7", "fe80::/10", NULL
	};
	static struct cidr nets[sizeof(special) / sizeof(special[0])];
	static size_t nnets;
	size_t i;

	if (nnets == 0)
		for (i = 0; special[i] != NULL; i++)
			if (cidr_parse(special[i], &nets[nnets]) == 0)
				nnets++;
	return cidr_list_match(nets, nnets, ip);
}
