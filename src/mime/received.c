/*
 * received.c - the Received: chain of a message: which relays handed
 * it on, and the first one outside trusted_networks, whose address is
 * what DNS blocklists and SPF should judge.
 *
 * Only the from-clause is read, the part an MTA writes about the host
 * that connected to it.  The common shapes:
 *
 *	sendmail, Postfix	from HELO (RDNS [IP])
 *				from HELO (user@RDNS [IP] (may be forged))
 *	exim			from RDNS ([IP]:port helo=HELO)
 *				from [IP] (helo=HELO)
 *	qmail			from RDNS (HELO HELO) (IP)
 *				from unknown (HELO HELO) (IP)
 *	Microsoft, others	from HELO ([IP])
 *	fetchmail		from HELO [IP]
 *	IPv6			[IPv6:2001:db8::1] where [IP] is above
 *
 * "unknown" and "unverified" mean no reverse DNS.  In "from NAME ([IP])"
 * NAME is taken as the HELO name, and the reverse DNS as unknown.
 *
 * A hop is a relay only if a host handed the message on by SMTP: the
 * lines that fetchmail and getmail write when they fetch mail by POP or
 * IMAP ("from pop.isp.example [IP] by localhost with POP3"), and LMTP
 * delivery to the mail store, name the user's own mail server, not
 * where the mail came from, and are passed over.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "mime/mime.h"
#include "mime/message_int.h"

#define RCVD_MAX_COMMENTS	16	/* comments read in one from-clause */

static struct cidr *trusted, *internal;
static size_t ntrusted, ninternal;
static int trusted_loaded;

static struct cidr *
load_networks(const char *key, size_t *count)
{
	const char *const *items;
	struct cidr *v;
	size_t i, n;

	n = conf_list(key, &items);
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (*count = 0, i = 0; i < n; i++)
		if (cidr_parse(items[i], &v[*count]) == 0)
			(*count)++;
	return v;
}

/*
 * trusted_networks and internal_networks, read once; entries config.c
 * accepted parse here too.  As in SpamAssassin, internal networks are
 * trusted too, and with none configured they are the trusted ones.
 */
static void
load_trusted(void)
{
	if (trusted_loaded)
		return;
	trusted_loaded = 1;
	trusted = load_networks("trusted_networks", &ntrusted);
	internal = load_networks("internal_networks", &ninternal);
}

/* Forget the networks read so far, so the next walk rereads them. */
void
received_reset(void)
{
	free(trusted);
	free(internal);
	trusted = internal = NULL;
	ntrusted = ninternal = 0;
	trusted_loaded = 0;
}

int
received_internal(const struct cidr *ip)
{
	load_trusted();
	if (ninternal == 0)
		return cidr_list_match(trusted, ntrusted, ip);
	return cidr_list_match(internal, ninternal, ip);
}

int
received_trusted(const struct cidr *ip)
{
	load_trusted();
	return cidr_list_match(trusted, ntrusted, ip) ||
	    cidr_list_match(internal, ninternal, ip);
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
copy_token(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * An address in s[0..n): "[1.2.3.4]", "[IPv6:...]", "1.2.3.4", with
 * "user@" before it or ":port" after the brackets.  Fills ip and its
 * canonical text; 0 on success.
 */
static int
token_ip(const char *s, size_t n, struct cidr *ip, char *text, size_t cap)
{
	char tmp[80];
	const char *at, *close;

	if ((at = memchr(s, '@', n)) != NULL) {
		n -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	if (n > 0 && s[0] == '[') {
		if ((close = memchr(s, ']', n)) == NULL)
			return -1;
		n = (size_t)(close - s) + 1;
	}
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (ip_parse(tmp, ip) != 0)
		return -1;
	if (inet_ntop(ip->family, ip->addr, text, (socklen_t)cap) == NULL)
		return -1;
	return 0;
}

/* What one from-clause says; sizes bound what a forger can make us keep. */
struct clause {
	char	 first[RELAY_MAX_NAME];	/* the word after "from" */
	char	 helo[RELAY_MAX_NAME];
	char	 rdns[RELAY_MAX_NAME];
	char	 ip[RELAY_MAX_IP];
	struct cidr addr;
	int	 have_ip;		/* from brackets or a comment */
	int	 helo_said;		/* helo= or HELO in a comment */
	int	 no_rdns;		/* "unknown" where the name would be */
	int	 bare_brackets;		/* a comment of "[IP]" alone */
};

static int
no_rdns(const char *s, size_t n)
{
	return (n == 7 && strncasecmp(s, "unknown", 7) == 0) ||
	    (n == 10 && strncasecmp(s, "unverified", 10) == 0);
}

/*
 * The name before "[IP]" in a comment, its last word: "rdns",
 * "user@rdns", "IDENT:x@rdns".
 */
static void
comment_rdns(struct clause *c, const char *s, size_t n)
{
	const char *w;
	struct cidr dummy;
	char tmp[RELAY_MAX_NAME];

	while (n > 0 && is_space(s[n - 1]))
		n--;
	for (w = s + n; w > s && !is_space(w[-1]) && w[-1] != '@'; w--)
		;
	n -= (size_t)(w - s);
	if (n == 0 && w == s)
		c->bare_brackets = 1;
	if (n > 0 && no_rdns(w, n))
		c->no_rdns = 1;
	if (n == 0 || no_rdns(w, n) || c->rdns[0] != '\0')
		return;
	copy_token(tmp, sizeof(tmp), w, n);
	if (ip_parse(tmp, &dummy) == 0)
		return;
	memcpy(c->rdns, tmp, sizeof(tmp));
}

/* "helo=NAME" (exim) or "HELO NAME" (qmail) in a comment. */
static void
comment_helo(struct clause *c, const char *s, size_t n)
{
	const char *p = NULL, *e;
	size_t i;

	for (i = 0; i + 5 <= n; i++)
		if (strncasecmp(s + i, "helo=", 5) == 0 &&
		    (i == 0 || is_space(s[i - 1]))) {
			p = s + i + 5;
			break;
		}
	if (p == NULL && n > 5 && strncasecmp(s, "HELO", 4) == 0 &&
	    is_space(s[4]))
		for (p = s + 4; p < s + n && is_space(*p); p++)
			;
	if (p == NULL)
		return;
	for (e = p; e < s + n && !is_space(*e) && *e != ')' && *e != ';'; e++)
		;
	copy_token(c->helo, sizeof(c->helo), p, (size_t)(e - p));
	c->helo_said = 1;
}

/* One comment's text (without its parentheses, nested ones blanked). */
static void
parse_comment(struct clause *c, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *tok;

	comment_helo(c, s, n);
	if (c->have_ip)
		return;
	while (p < end) {
		while (p < end && is_space(*p))
			p++;
		tok = p;
		while (p < end && !is_space(*p))
			p++;
		if (p == tok)
			break;
		if (token_ip(tok, (size_t)(p - tok), &c->addr, c->ip,
		    sizeof(c->ip)) != 0)
			continue;
		c->have_ip = 1;
		/* only "name [IP]" says the name is reverse DNS; not "user@[IP]" */
		if (tok[0] == '[')
			comment_rdns(c, s, (size_t)(tok - s));
		return;
	}
}

/* Words that end a from-clause. */
static int
clause_end(const char *s, size_t n)
{
	static const char *const words[] = {
		"by", "with", "id", "via", "for", NULL
	};
	const char *const *w;

	for (w = words; *w != NULL; w++)
		if (strlen(*w) == n && strncasecmp(s, *w, n) == 0)
			return 1;
	return 0;
}

/* A comment's text, its nested comments blanked; returns what follows it. */
static const char *
read_comment(const char *p, char *out, size_t cap, size_t *outlen)
{
	size_t n = 0;
	int depth = 0;

	for (; *p != '\0'; p++) {
		char ch = *p;

		if (ch == '(' && depth++ == 0)
			continue;
		if (ch == ')' && --depth == 0) {
			p++;
			break;
		}
		if (n + 1 < cap)
			out[n++] = depth > 1 || ch == ')' ? ' ' : ch;
	}
	out[n] = '\0';
	*outlen = n;
	return p;
}

/* Protocols of retrieval by the user's client and of final delivery. */
static int
local_protocol(const char *s, size_t n)
{
	static const char *const words[] = {
		"POP", "POP3", "POP3S", "IMAP", "IMAP4", "IMAPS", "IMAP4S",
		"LMTP", "LMTPA", "LMTPS", "LMTPSA", NULL
	};
	const char *const *w;

	for (w = words; *w != NULL; w++)
		if (strlen(*w) == n && strncasecmp(s, *w, n) == 0)
			return 1;
	return 0;
}

/*
 * A hop "with" a retrieval or delivery protocol, as fetchmail and
 * getmail write them: no relay.  Only words after "by" and before the
 * date are read: a HELO name is one word and cannot make a hop local.
 */
static int
local_hop(const char *v)
{
	const char *p, *end = strrchr(v, ';'), *w;
	size_t n;
	int by = 0;

	if (end == NULL)
		end = v + strlen(v);
	for (p = v; p + 6 <= end; p++) {
		if (!is_space(*p))
			continue;
		if (strncasecmp(p + 1, "by", 2) == 0 && is_space(p[3]))
			by = 1;
		if (!by || strncasecmp(p + 1, "with", 4) != 0 ||
		    !is_space(p[5]))
			continue;
		for (w = p + 5; w < end && is_space(*w); w++)
			;
		for (n = 0; w + n < end && !is_space(w[n]) && w[n] != '('; n++)
			;
		if (local_protocol(w, n))
			return 1;
	}
	return 0;
}

/*
 * Read the from-clause of one Received: value into r.  Returns 0 if it
 * names the connecting host's address, -1 if not (no from-clause, as
 * in "(qmail 123 invoked by uid 0)", or no address in it).
 *
 * The address in a comment is what the MTA saw; an address as a word
 * ("from [IP] (helo=x)", "from host [IP]", "from IP by webmail") is
 * used only when no comment has one.
 */
int
received_parse(const char *v, struct relay *r)
{
	struct clause c;
	struct cidr word_addr, dummy;
	char cbuf[1024], word_ip[RELAY_MAX_IP];
	const char *p = v, *tok;
	size_t n;
	int ncomments = 0, words = 0, word_has_ip = 0, ip_is_first = 0;

	memset(&c, 0, sizeof(c));
	memset(r, 0, sizeof(*r));
	while (is_space(*p))
		p++;
	if (strncasecmp(p, "from", 4) != 0 || !is_space(p[4]))
		return -1;
	for (p += 4; *p != '\0' && *p != ';'; ) {
		while (is_space(*p))
			p++;
		if (*p == '(') {
			p = read_comment(p, cbuf, sizeof(cbuf), &n);
			if (++ncomments <= RCVD_MAX_COMMENTS)
				parse_comment(&c, cbuf, n);
			continue;
		}
		tok = p;
		while (*p != '\0' && !is_space(*p) && *p != '(' && *p != ';')
			p++;
		n = (size_t)(p - tok);
		if (n == 0 || clause_end(tok, n))
			break;
		if (words++ == 0)
			copy_token(c.first, sizeof(c.first), tok, n);
		if (!word_has_ip && (words == 1 || tok[0] == '[') &&
		    token_ip(tok, n, &word_addr, word_ip, sizeof(word_ip)) == 0) {
			word_has_ip = 1;
			ip_is_first = words == 1;
		}
	}
	if (!c.have_ip && word_has_ip) {
		c.addr = word_addr;
		memcpy(c.ip, word_ip, sizeof(c.ip));
		c.have_ip = 1;
		if (ip_is_first)
			c.first[0] = '\0';
	}
	if (!c.have_ip)
		return -1;
	/* exim writes "from [IP] (helo=h)" when it found no name */
	if (no_rdns(c.first, strlen(c.first)) || (ip_is_first && c.helo_said))
		c.no_rdns = 1;
	if (no_rdns(c.first, strlen(c.first)))
		c.first[0] = '\0';
	/* with helo= or HELO said, the first word is the reverse DNS name */
	if (!c.helo_said)
		memcpy(c.helo, c.first, sizeof(c.helo));
	else if (c.first[0] != '\0' && c.rdns[0] == '\0' &&
	    ip_parse(c.first, &dummy) != 0)
		memcpy(c.rdns, c.first, sizeof(c.rdns));
	r->addr = c.addr;
	memcpy(r->ip, c.ip, sizeof(r->ip));
	memcpy(r->helo, c.helo, sizeof(r->helo));
	memcpy(r->rdns, c.rdns, sizeof(r->rdns));
	/*
	 * sendmail's "from h ([IP])" says it found no name; exim writes
	 * so when the name is the HELO, and Microsoft's never have one.
	 */
	r->no_rdns = r->rdns[0] == '\0' && (c.no_rdns || (c.bare_brackets &&
	    !c.helo_said && strstr(v, "Microsoft") == NULL &&
	    strcasestr(v, "exim") == NULL));
	r->local = local_hop(v);
	return 0;
}

/*
 * Every stage of xd-check(1), and several checks of xd-heur(1), walk
 * the same Received: chain: the parse of each header is kept with the
 * message, keyed by its place, so that each is read once.
 */
#define RCVD_MEMO_MAX	(4 * RELAY_MAX_HEADERS)

struct received_parsed {
	int		 pos;
	int		 rc;
	struct relay	 r;
};

struct received_memo {
	size_t		 n, cap;
	struct received_parsed *e;
};

struct received_memo *
received_memo_new(void)
{
	return xcalloc(1, sizeof(struct received_memo));
}

void
received_memo_free(struct received_memo *rm)
{
	if (rm == NULL)
		return;
	free(rm->e);
	free(rm);
}

/*
 * received_parse() of v, the Received: value that message_header_next()
 * gave m's cursor *pos = pos; the same result, parsed once a message.
 */
int
received_parse_at(const struct message *m, int pos, const char *v,
    struct relay *r)
{
	struct received_memo *rm = m->received;
	struct received_parsed *e;
	size_t i;
	int rc;

	for (i = 0; i < rm->n; i++)
		if (rm->e[i].pos == pos) {
			*r = rm->e[i].r;
			return rm->e[i].rc;
		}
	rc = received_parse(v, r);
	if (rm->n < RCVD_MEMO_MAX) {
		if (rm->n == rm->cap) {
			rm->cap = rm->cap ? rm->cap * 2 : 8;
			rm->e = xrealloc(rm->e, rm->cap * sizeof(*rm->e));
		}
		e = &rm->e[rm->n++];
		e->pos = pos;
		e->rc = rc;
		e->r = *r;
	}
	return rc;
}

static void
add_relay_ip(struct relays *rs, const char *ip)
{
	size_t i;

	for (i = 0; i < rs->nips; i++)
		if (strcmp(rs->ips[i], ip) == 0)
			return;
	if (rs->nips < RELAY_MAX_RELAYS)
		memcpy(rs->ips[rs->nips++], ip, RELAY_MAX_IP);
}

/*
 * Walk the Received: headers from the top (the newest).  Relays inside
 * trusted_networks or internal_networks, local retrieval and delivery
 * hops and headers without an address are passed over; the first relay
 * outside them is rs->first, SpamAssassin's first untrusted relay.  It
 * is also the last external one, the host that connected to our border
 * (rs->first_external), unless a trusted relay outside
 * internal_networks came before it.  rs->ips lists every untrusted
 * relay address once, in order.  At most RELAY_MAX_HEADERS headers are
 * read; rs->hops counts them all.  Returns 0 if an untrusted relay was
 * found, -1 if not.
 */
int
received_walk(const struct message *m, struct relays *rs)
{
	struct relay r;
	const char *v;
	int pos = 0, external = 0;

	memset(rs, 0, sizeof(*rs));
	while ((v = message_header_next(m, "Received", &pos)) != NULL) {
		if (rs->hops++ >= RELAY_MAX_HEADERS)
			continue;
		/* Private and loopback space cannot reach us from outside:
		 * such a hop is inside our network or inside the sender's. */
		if (received_parse_at(m, pos, v, &r) != 0 || r.local ||
		    ip_is_special(&r.addr))
			continue;
		if (received_trusted(&r.addr)) {
			if (!rs->have_first && !external &&
			    !received_internal(&r.addr)) {
				external = 1;
				memcpy(rs->lastext, r.ip, sizeof(r.ip));
			}
			continue;
		}
		if (!rs->have_first) {
			rs->first = r;
			rs->have_first = 1;
			rs->first_external = !external;
		}
		add_relay_ip(rs, r.ip);
	}
	return rs->have_first ? 0 : -1;
}
