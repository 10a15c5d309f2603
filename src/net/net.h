/*
 * net/net.h - DNS through c-ares, the windowed runner of network
 * checks, DNS lists, and SPF.
 */
#ifndef XD_NET_H
#define XD_NET_H

#include "base/base.h"

/* dns.c: asynchronous DNS through c-ares, with a window and a cache */
/* @@dns@@ */
/*
 * One resolver context per thread: nothing in dns.c is global but the
 * one-time c-ares library set-up.  Answers are shared and read-only;
 * a callback's answer lives until the callback returns, dns_lookup()'s
 * until dns_answer_free().  Every query calls back exactly once, at the
 * latest dns_timeout * dns_tries after it was sent (then DNS_TEMPFAIL),
 * or in dns_free() (DNS_TEMPFAIL, "cancelled").
 */
#define DNS_MAX_RR	256	/* records in one answer; more is hostile */
#define DNS_MAX_TXT	8192	/* bytes of one TXT record, strings joined */
#define DNS_MAX_CNAME	8	/* CNAMEs followed in one answer */
#define DNS_MAX_NAME	254	/* a name as text, without the final dot */
enum dns_type {
	DNS_A = 1, DNS_PTR = 12, DNS_MX = 15, DNS_TXT = 16, DNS_AAAA = 28
};
enum dns_status {
	DNS_OK,		/* n >= 1 records */
	DNS_NXDOMAIN,	/* no such name */
	DNS_NODATA,	/* the name exists, no record of that type */
	DNS_TEMPFAIL,	/* timeout, SERVFAIL, REFUSED, network, no resolver */
	DNS_BAD		/* a malformed or hostile answer, or a bad name */
};
struct dns_rr {
	unsigned	 ttl;
	unsigned	 pref;		/* MX preference */
	unsigned char	 addr[16];	/* A: 4 bytes, AAAA: 16 */
	size_t		 len;		/* of text, without the NUL */
	char		*text;		/* address as text; PTR or MX name;
					   TXT strings joined (may hold NULs) */
};
struct dns_answer {
	int		 type;
	enum dns_status	 status;
	char		*name;		/* as asked: lower case, no final dot */
	const char	*why;		/* what failed: "timeout", "servfail".. */
	unsigned	 ttl;		/* seconds it may be cached; 0: not */
	size_t		 n;
	struct dns_rr	*rr;		/* sorted: addresses, names, prefs */
	unsigned	 refs;		/* private */
};
struct dns_stats {
	unsigned long	 queries;	/* asked by callers */
	unsigned long	 sent;		/* went to the resolver */
	unsigned long	 cached;	/* answered from the cache */
	unsigned long	 joined;	/* joined one already in flight */
	unsigned long	 timeouts;	/* cut at the time bound */
	unsigned long	 bad;		/* hostile or malformed answers */
};
struct dns;
typedef void (*dns_fn)(const struct dns_answer *, void *);
int	 dns_resolver_check(const char *, const char **);
struct dns *dns_new(const char *, const char **);	/* NULL: configured */
void	 dns_free(struct dns *);
const char *dns_resolver(const struct dns *);
void	 dns_query(struct dns *, const char *, int, dns_fn, void *);
size_t	 dns_wait(struct dns *, int);		/* ms, -1: until done */
size_t	 dns_poll(struct dns *, int, int, int *);	/* + a caller's fd */
size_t	 dns_pending(const struct dns *);
long long dns_bound(const struct dns *);	/* ms: timeout x tries */
struct dns_answer *dns_lookup(struct dns *, const char *, int);
struct dns_answer *dns_answer_ref(const struct dns_answer *);	/* keep it */
void	 dns_answer_free(struct dns_answer *);
void	 dns_stats(const struct dns *, struct dns_stats *);
const char *dns_status_name(enum dns_status);
const char *dns_type_name(int);
int	 dns_type_parse(const char *);
int	 dns_name_ok(const char *);
int	 dns_reverse(const struct cidr *, const char *, char *, size_t);
/*
 * The windowed runner of network checks: up to window lines in flight,
 * written strictly in input order as soon as the first line's queries
 * are all answered.  start() is called once per message line and may
 * start any number of queries with dns_line_query(); their callbacks
 * may start more.  finish() is called once per started line when all
 * its queries are done, just before the line is written: add fields
 * there, in an order that does not depend on answer timing.  Each line
 * gets state_size zeroed bytes of state.  A line still waiting after
 * line_timeout ms has its lookups answered DNS_TEMPFAIL ("line-timeout")
 * at once, and later ones too.  Returns the exit status, or
 * XD_READ_ERROR or XD_WRITE_ERROR (errno kept).
 */
struct dns_line;
struct dns_runner {
	const char	*tool;		/* for error=TOOL:REASON */
	size_t		 window;	/* 0: dns_window from xd.conf */
	size_t		 state_size;
	int		(*start)(struct dns_line *, struct rec *, void *, void *);
	int		(*finish)(struct rec *, void *, void *);
	void		*arg;		/* the last argument of both */
	long long	 line_timeout;	/* ms; 0: twice dns_bound() */
};
typedef void (*dns_line_fn)(struct dns_line *, const struct dns_answer *,
	    void *);
void	 dns_line_query(struct dns_line *, const char *, int, dns_line_fn,
	    void *);
struct rec *dns_line_rec(struct dns_line *);
void	*dns_line_state(struct dns_line *);
int	 dns_run(struct dns *, FILE *, FILE *, const struct dns_runner *);
long long dns_message_left(void);
int	 dns_resolver_none(const char *);	/* ms of XD_DNS_START's budget */
/* dnsbreak.c: lists skipped while their lookups time out */
int	 dns_break_open(const char *);
void	 dns_break_result(const char *, const struct dns_answer *);
void	 dns_break_spf(int);
void	 dns_break_save(void);

/* spfrec.c: SPF records (RFC 7208): which TXT is one, syntax, macros */
/* @@spf@@ */
enum spf_mech {
	SPFM_ALL, SPFM_INCLUDE, SPFM_A, SPFM_MX, SPFM_PTR, SPFM_IP4, SPFM_IP6,
	SPFM_EXISTS, SPFM_REDIRECT
};
struct spf_term {
	enum spf_mech	 mech;
	char		 qual;		/* '+', '-', '~' or '?' */
	char		*spec;		/* domain-spec as written, or NULL */
	int		 cidr4, cidr6;	/* a, mx: prefix lengths (32, 128) */
	struct cidr	 net;		/* ip4, ip6 */
};
struct spf_rec {
	struct spf_term	*t;		/* in order; a redirect last, and
					   only when there is no "all" */
	size_t		 n;
	int		 has_all, has_exp;
};
struct spf_env {			/* what the macros expand to (7.3) */
	const char	*sender, *local, *sender_domain, *domain, *helo;
	const struct cidr *ip;
	const char	*(*validated)(void *, const char *);	/* %{p} */
	void		*arg;
};
int	 spf_is_record(const char *, size_t);
int	 spf_rec_parse(const char *, size_t, struct spf_rec *, const char **);
void	 spf_rec_free(struct spf_rec *);
int	 spf_domain_spec_ok(const char *, size_t);
int	 spf_domain_ok(const char *);
void	 spf_expand(const char *, const struct spf_env *, struct buf *);

/* spf.c: SPF checks through libspf2, its DNS through dns.c */
enum spf_result {
	SPFR_NONE, SPFR_NEUTRAL, SPFR_PASS, SPFR_FAIL, SPFR_SOFTFAIL,
	SPFR_TEMPERROR, SPFR_PERMERROR, SPFR_BESTGUESS_PASS,
	SPFR_BADIP			/* ip= is not an address */
};
struct spf_query {
	const char	*ip;
	const char	*mailfrom;	/* NULL: none; "": the null sender */
	const char	*helo;		/* NULL: none */
	int		 best_guess;
	int		 debug;		/* records made for libspf2, warned */
	long long	 timeout;	/* ms for the whole check */
};
struct spf;				/* one thread's checker */
struct spf_cache;			/* spfcache.c */
struct spf *spf_new(const char *, struct spf_cache *, const char **);
void	 spf_free(struct spf *);
enum spf_result spf_check(struct spf *, const struct spf_query *,
	    struct buf *, const char **);
const char *spf_result_name(enum spf_result);
void	 spf_stats(const struct spf *, struct dns_stats *);

/* spfcache.c: answers shared by the threads, queries in flight joined */
struct spf_answer {			/* a copy of a struct dns_answer */
	enum dns_status	 status;
	const char	*why;		/* a string literal of dns.c */
	unsigned	 ttl;
	size_t		 n;
	struct dns_rr	*rr;
};
struct spf_cache;
struct spf_answer *spf_answer_copy(enum dns_status, const char *, unsigned,
	    const struct dns_rr *, size_t);
void	 spf_answer_free(struct spf_answer *);
struct spf_cache *spf_cache_new(size_t);
void	 spf_cache_free(struct spf_cache *);
int	 spf_cache_get(struct spf_cache *, const char *, long long,
	    struct spf_answer **, void **);
void	 spf_cache_done(struct spf_cache *, void *, const struct spf_answer *);
unsigned long spf_cache_hits(struct spf_cache *);

/* dnsbl.c: DNS lists in xd.conf, see xd-rbl(1) LISTS */
#define DNSBL_V4	0x01	/* IP lists: which addresses it lists */
#define DNSBL_V6	0x02
#define DNSBL_MAILFROM	0x04	/* domain lists: which names to ask */
#define DNSBL_FROM	0x08
#define DNSBL_HELO	0x10
#define DNSBL_TRUST	0x20	/* DNSWL trust levels in the last octet */
struct dnsbl_code {
	uint32_t	 lo, hi;	/* an address range, or */
	uint32_t	 mask;		/* any of these bits (SURBL style) */
	char		*suffix;	/* symbol = list symbol + "_" + suffix */
	int		 last;		/* for the last external hop only */
};
struct dnsbl {
	char		*name;		/* upper case */
	char		*zone;
	char		*symbol;	/* prefix + name: "RBL_ZEN" */
	const char	*prefix;	/* "RBL_" */
	unsigned	 flags;		/* DNSBL_* */
	struct dnsbl_code *codes, *blocked, *ignored;
	size_t		 ncodes, nblocked, nignored;
	char		**last;		/* last=SUFFIX options */
	size_t		 nlast;
	int		 warned;	/* the caller's */
	int		 told_blocked;	/* dnsbl_blocked() said so */
};
enum dnsbl_meaning { DNSBL_LISTED, DNSBL_BLOCKED, DNSBL_IGNORED, DNSBL_UNLISTED };
int	 dnsbl_parse(struct dnsbl *, const char *, const char *, unsigned,
	    const char **);
int	 dnsbl_load(const char *, const char *, unsigned, struct dnsbl **,
	    size_t *);
void	 dnsbl_free(struct dnsbl *);
const char *dnsbl_check_conf(const char *, const char *);
enum dnsbl_meaning dnsbl_code(const struct dnsbl *, const unsigned char *,
	    void (*)(const char *, void *), void *);
enum dnsbl_meaning dnsbl_code_hop(const struct dnsbl *, const unsigned char *,
	    int, void (*)(const char *, void *), void *);
/* dnslists.c: the lists xd ships, merged with xd.conf's */
struct dnslist_line {
	const char	*line;
	const char	*file;		/* NULL: xd.conf */
	unsigned long	 lineno;
};
void	 dnsbl_blocked(struct dnsbl *, const char *);
ssize_t	 dnslists_lines(const char *, struct dnslist_line **);
void	 dnslists_reset(void);
int	 dnsbl_test(struct dns *, const struct dnsbl *, int, FILE *);

#endif
