/*
 * net/spf_int.h - what the parts of the SPF check share: spf.c (set-up,
 * records, a check) and spfdns.c (the DNS libspf2 asks).
 */
#ifndef XD_SPF_INT_H
#define XD_SPF_INT_H

#include <spf2/spf.h>

#define SPF_MAX_TERMS	10	/* DNS-querying terms in one check (4.6.4) */
#define SPF_MAX_VOID	2	/* void lookups in one check (4.6.4) */
#define SPF_MAX_NAMES	10	/* MX or PTR names of one term (4.6.4) */
#define SPF_MAX_INST	16	/* records in one check: 1 + 10 + slack */

/* A query we wait for; after the time bound we stop waiting. */
struct slot {
	struct spf	*s;
	struct spf_answer *a;
	int		 done, abandoned;
	struct slot	*prev, *next;
};

/* One record of a check, as libspf2 evaluates it. */
struct inst {
	struct spf_rec	 rec;
	char		*domain;	/* its <domain> */
	char		**target;	/* per term: the name, once expanded */
};

struct spf {
	struct dns	*dns;
	struct spf_cache *cache;
	SPF_server_t	*server;
	SPF_dns_server_t *layer;
	char		 nonce[8];	/* "abcd": the last label of ours */
	struct slot	*slots;
	struct buf	 tmp;

	/* one check */
	int		 debug;
	long long	 deadline;
	struct cidr	 ip;
	struct in_addr	 lib4, not4;
	struct in6_addr	 lib6, not6;
	struct spf_env	 env;
	char		*sender, *local, *sdomain, *helo;
	struct inst	*inst[SPF_MAX_INST];
	size_t		 ninst;
	size_t		 cur, term;	/* the term libspf2 is at */
	int		 inside;	/* cur, term are set */
	int		 terms, voids;
	const char	*perm;		/* a permerror for the next marker */
	const char	*why;		/* why the result is what it is */
	char		*ptrname[SPF_MAX_NAMES];	/* of the ptr term */
	size_t		 hosts;		/* MX host lookups of the term */
	int		 pdone;		/* %{p}: validated names found */
	char		*valid[SPF_MAX_NAMES];
	size_t		 nvalid;
};

enum load { L_OK, L_NONE, L_NXDOMAIN, L_PERM, L_TEMP };

struct ph {
	int	 kind;		/* 'm' marker, 'e' end, 't' target, 'p' PTR name */
	size_t	 i, k, j;
};

/* spf.c */
struct spf_answer *spf_ask(struct spf *, const char *, int);
int	 spf_is_void(const struct spf_answer *);
int	 spf_is_temp(const struct spf_answer *);
int	 spf_dns_term(enum spf_mech);
enum load spf_load(struct spf *, const char *, size_t *);
const char *spf_target(struct spf *, size_t, size_t);
void	 spf_gen_record(struct spf *, size_t, struct buf *);
void	 spf_ph_name(const struct spf *, struct buf *, int, size_t, size_t);

/* spfdns.c */
void	 spf_term_reset(struct spf *);
void	 spf_internal(struct spf *, const char *, const char *);
int	 spf_under(const char *, const char *);
SPF_dns_rr_t *spf_layer_lookup(SPF_dns_server_t *, const char *, ns_type,
	    int);
SPF_errcode_t spf_layer_get_spf(SPF_server_t *, SPF_request_t *,
	    SPF_response_t *, SPF_record_t **);
SPF_errcode_t spf_layer_get_exp(SPF_server_t *, const char *, char **,
	    size_t *);

#endif
