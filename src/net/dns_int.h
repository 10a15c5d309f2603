/*
 * net/dns_int.h - what the parts of the DNS client share: dns.c (the
 * cache and the queries), dnsname.c, dnsanswer.c and dnsconf.c.
 */
#ifndef XD_DNS_INT_H
#define XD_DNS_INT_H

#include <ares.h>

#define DNS_MAX_SERVERS	8
#define DNS_MAX_TTL	86400	/* a day, however long a zone says */
#define DNS_MAX_FDS	64	/* sockets c-ares may hold open */
#define DNS_EDNS_SIZE	1232	/* the DNS flag day 2020 UDP size */
#define C_IN		1
#define T_CNAME		5
#define T_SOA		6

/* dnsname.c */
void	 name_fold(const char *, char *);

/* dnsanswer.c */
struct dns_answer *answer_new(const char *, int, enum dns_status,
	    const char *);
struct dns_answer *parse_answer(const char *, int, const unsigned char *,
	    int);

/* dnsconf.c */
int	 parse_servers(const char *, struct ares_addr_port_node *,
	    const char **);
const char *resolver_spec(const char *);

#endif
