/*
 * heur_hdrs.c - the built-in checks of the header: Subject, From,
 * Reply-To, Message-ID, Date, the relays, and the recipients.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "store/store.h"
#include "check/check.h"
#include "check/heur_int.h"

/* --- the built-in checks ---------------------------------------------------- */

/* Subject: missing or blank; mostly symbols; shouting; !!! */
void
check_subject(struct view *v)
{
	const char *s, *p;
	size_t letters = 0, upper = 0, nonspace = 0, special = 0, bangs = 0;
	size_t run = 0, maxrun = 0;
	int runbang = 0, bangrun = 0, found;

	if ((found = message_subject(v->m, &v->tmp, 1000)) == 2)
		add_symbol(v, "HEUR_CHARSET_UNKNOWN", "subject");
	if (!found || v->tmp.len == 0) {
		add_symbol(v, "HEUR_NO_SUBJECT", NULL);
		return;
	}
	s = v->tmp.s;
	/* the replies and forwards and list tags people add are not shouting */
	for (;;) {
		while (*s == ' ')
			s++;
		if (strncasecmp(s, "re:", 3) == 0 || strncasecmp(s, "fw:", 3) == 0)
			s += 3;
		else if (strncasecmp(s, "fwd:", 4) == 0)
			s += 4;
		else if (*s == '[' && (p = strchr(s, ']')) != NULL && p - s < 40)
			s = p + 1;
		else
			break;
	}
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '!' || c == '?') {
			bangs += c == '!';
			runbang |= c == '!';
			if (++run > maxrun && runbang) {
				maxrun = run;
				bangrun = 1;
			}
		} else
			run = 0, runbang = 0;
		if (c == ' ' || (c & 0xc0) == 0x80)
			continue;
		nonspace++;
		if (isalpha(c))
			letters++, upper += isupper(c) != 0;
		else if (c < 0x80 && !isdigit(c))
			special++;
	}
	if (nonspace >= 5 && special * 2 > nonspace)
		add_symbol(v, "HEUR_SUBJ_SYMBOLS", s);
	if (letters >= 8 && upper * 10 >= letters * 9)
		add_symbol(v, "HEUR_SUBJ_ALL_CAPS", s);
	if ((bangrun && maxrun >= 3) || bangs >= 4)
		add_symbol(v, "HEUR_SUBJ_BANG", s);
}

/* A display name that shows an address other than the real one. */
void
check_from(struct view *v)
{
	const char *p, *e, *at;
	struct buf *name = &v->text;

	buf_reset(name);
	if (heur_from(v, &v->tmp, name) == 0) {
		add_symbol(v, "HEUR_NO_FROM", NULL);
		return;
	}
	if (name->len == 0) {
		add_symbol(v, "HEUR_FROM_NO_NAME", v->tmp.s);
		return;
	}
	for (at = name->s; (at = strchr(at, '@')) != NULL; at++) {
		for (p = at; p > name->s && !strchr(" <>\"'()[],;:", p[-1]); p--)
			;
		for (e = at + 1; *e != '\0' && !strchr(" <>\"'()[],;:", *e); e++)
			;
		if (p == at || e == at + 1 || memchr(at + 1, '.',
		    (size_t)(e - at - 1)) == NULL)
			continue;
		if ((size_t)(e - p) != v->tmp.len ||
		    strncasecmp(p, v->tmp.s, v->tmp.len) != 0) {
			buf_reset(&v->val);
			buf_add(&v->val, p, (size_t)(e - p));
			add_symbol(v, "HEUR_FROM_NAME_ADDR", v->val.s);
			return;
		}
	}
}

/* Message-ID: there, and <left@right> with nothing else. */
void
check_msgid(struct view *v)
{
	const char *raw, *p, *at;
	int pos = 0;
	size_t n;

	if ((raw = message_header_next(v->m, "Message-ID", &pos)) == NULL) {
		add_symbol(v, "HEUR_NO_MSGID", NULL);
		return;
	}
	while (isspace((unsigned char)*raw))
		raw++;
	n = strlen(raw);
	while (n > 0 && isspace((unsigned char)raw[n - 1]))
		n--;
	if (n < 5 || raw[0] != '<' || raw[n - 1] != '>')
		goto bad;
	for (p = raw + 1, at = NULL; p < raw + n - 1; p++) {
		if (*p == '@') {
			if (at != NULL)
				goto bad;
			at = p;
		} else if (*p == '<' || *p == '>' || isspace((unsigned char)*p) ||
		    (unsigned char)*p < ' ')
			goto bad;
	}
	if (at == NULL || at == raw + 1 || at == raw + n - 2)
		goto bad;
	return;
bad:
	buf_reset(&v->tmp);
	buf_add(&v->tmp, raw, n);
	add_symbol(v, "HEUR_MSGID_BAD", v->tmp.s);
}

/*
 * When the message came: the date of the Received: header our side
 * wrote for the first relay outside trusted_networks; else of the
 * newest Received: header with a date.  An archived message is judged
 * against when it arrived, not against today; a message no MTA dated
 * (written by hand, or stripped) is not judged: -1.
 */
static time_t
arrival(struct view *v)
{
	struct relay r;
	const char *val, *semi;
	time_t t, newest = 0;
	int pos = 0, n = 0, have = 0;

	while ((val = message_header_next(v->m, "Received", &pos)) != NULL &&
	    n++ < RELAY_MAX_HEADERS) {
		if ((semi = strrchr(val, ';')) == NULL ||
		    message_date_parse(semi + 1, &t) != 0)
			continue;
		if (!have) {
			newest = t;
			have = 1;
		}
		if (received_parse_at(v->m, pos, val, &r) == 0 && !r.local &&
		    !received_trusted(&r.addr) &&
		    !ip_is_special(&r.addr))
			return t;
	}
	return have ? newest : (time_t)-1;
}

/* An Outlook Message-ID whose time is neither the Date: nor arrival. */
static void
check_msgid_time(struct view *v, time_t date, time_t arrived)
{
	const char *id;
	int pos = 0;

	if ((id = message_header_next(v->m, "Message-ID", &pos)) != NULL &&
	    msgid_outlook_time_bad(id, date, arrived))
		add_symbol(v, "HEUR_MSGID_OUTLOOK_TIME", id);
}

#define DATE_FUTURE	(12 * 3600)	/* ahead of arrival, zones and all */
#define DATE_PAST	(4 * 86400)	/* before arrival */
#define DATE_AHEAD	(6 * 3600)	/* more than any zone's mistake */

void
check_date(struct view *v)
{
	const char *raw;
	time_t t, ref;
	int pos = 0;
	long long d;

	if ((raw = message_header_next(v->m, "Date", &pos)) == NULL) {
		add_symbol(v, "HEUR_NO_DATE", NULL);
		return;
	}
	message_header_decode(raw, &v->tmp, 200);
	if (!message_date_valid(v->tmp.s))
		add_symbol(v, "HEUR_DATE_BAD", v->tmp.s);
	if (message_date_parse(v->tmp.s, &t) != 0)
		return;
	ref = arrival(v);
	check_msgid_time(v, t, ref);
	if (ref == (time_t)-1)
		return;
	d = (long long)t - (long long)ref;
	if (d > DATE_AHEAD && d <= DATE_FUTURE) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%lldh", d / 3600);
		add_symbol(v, "HEUR_DATE_AHEAD", v->val.s);
	}
	if (d > DATE_FUTURE) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%lldh", d / 3600);
		add_symbol(v, "HEUR_DATE_FUTURE", v->val.s);
	} else if (-d > DATE_PAST) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%lldd", -d / 86400);
		add_symbol(v, "HEUR_DATE_PAST", v->val.s);
	}
}

static void
relay_mark(void *arg, const char *name, const char *evidence)
{
	add_symbol(arg, name, evidence);
}

/*
 * The relay: a HELO that lies about its address or claims to be us,
 * and what our MTA recorded of it (relaymarks.c).
 */
void
check_relays(struct view *v)
{
	struct relays rs;
	struct cidr helo;
	char tmp[RELAY_MAX_NAME];
	const char *name = tmp;
	size_t n;

	received_walk(v->m, &rs);
	if ((long long)rs.hops > v->h->max_hops) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%u", rs.hops);
		add_symbol(v, "HEUR_MANY_HOPS", v->val.s);
	}
	relay_marks(v->m, &rs, relay_mark, v);
	if (!rs.have_first || rs.first.helo[0] == '\0')
		return;
	snprintf(tmp, sizeof(tmp), "%s", rs.first.helo);
	n = strlen(tmp);
	if (tmp[0] == '[' && n > 2 && tmp[n - 1] == ']') {
		tmp[n - 1] = '\0';
		name = tmp + 1;
		if (strncasecmp(name, "IPv6:", 5) == 0)
			name += 5;
	}
	if (ip_parse(name, &helo) == 0) {
		if (helo.family != rs.first.addr.family ||
		    memcmp(helo.addr, rs.first.addr.addr,
		    helo.family == AF_INET6 ? 16 : 4) != 0) {
			buf_reset(&v->val);
			buf_printf(&v->val, "%s/%s", rs.first.helo, rs.first.ip);
			add_symbol(v, "HEUR_HELO_IP_MISMATCH", v->val.s);
		}
	} else if (is_local_domain(v->h, rs.first.helo))
		add_symbol(v, "HEUR_HELO_OURS", rs.first.helo);
}

const char *
heur_domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : "";
}

/* Our own domain in From:, from a relay outside our networks. */
void
check_from_ours(struct view *v)
{
	struct relays rs;

	if (v->h->ndomains == 0 ||
	    heur_from(v, &v->tmp, NULL) == 0 ||
	    !is_local_domain(v->h, heur_domain_of(v->tmp.s)))
		return;
	if (received_walk(v->m, &rs) == 0)
		add_symbol(v, "HEUR_FROM_OURS_UNTRUSTED", v->tmp.s);
}

/* Is addr one of the addresses of header? */
static int
addr_in(struct view *v, const char *header, const char *addr)
{
	const char *p, *e;
	size_t n = strlen(addr);

	if (message_addrs(v->m, header, &v->val, NULL, RCPT_MAX, 16384) == 0)
		return 0;
	for (p = v->val.s; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if ((size_t)(e - p) == n && strncasecmp(p, addr, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Reply-To: another registered domain than From:.  A mailing list
 * (RFC 2369 headers) or a Reply-To: that is also a recipient, as lists
 * set it, is how it should be.
 */
void
check_replyto(struct view *v)
{
	char from[256], to[256];

	if (heur_from(v, &v->tmp, NULL) == 0 ||
	    *heur_domain_of(v->tmp.s) == '\0')
		return;
	url_domain_lower(heur_domain_of(v->tmp.s), from, sizeof(from));
	if (message_addrs(v->m, "Reply-To", &v->tmp, NULL, 1, 1000) == 0 ||
	    *heur_domain_of(v->tmp.s) == '\0')
		return;
	if (strcmp(from, url_domain_lower(heur_domain_of(v->tmp.s), to,
	    sizeof(to))) == 0)
		return;
	if (message_header_count(v->m, "List-Id") > 0 ||
	    message_header_count(v->m, "List-Post") > 0 ||
	    addr_in(v, "To", v->tmp.s) || addr_in(v, "Cc", v->tmp.s))
		return;
	add_symbol(v, "HEUR_REPLYTO_DIFFERS", heur_domain_of(v->tmp.s));
}

/* One recipient: is it in our domains, and do we know it? */
static void
rcpt_one(struct view *v, const char *addr, size_t n, int *ours, int *known,
    struct buf *unknown)
{
	const struct heur *h = v->h;
	char a[512], *at;

	if (n == 0 || n >= sizeof(a))
		return;
	memcpy(a, addr, n);
	a[n] = '\0';
	heur_lower(a);
	if ((at = strrchr(a, '@')) == NULL)
		return;
	if (!is_local_domain(h, at + 1) && !strset_has(&h->userdomains, at + 1))
		return;
	(*ours)++;
	if (strset_has(&h->users, a)) {
		(*known)++;
		return;
	}
	*at = '\0';
	if (is_local_domain(h, at + 1) && strset_has(&h->users, a))
		(*known)++;
	else if (unknown->len == 0) {
		*at = '@';
		buf_adds(unknown, a);
	}
}

static void
rcpt_list(struct view *v, const char *list, int *ours, int *known,
    struct buf *unknown, size_t *count)
{
	const char *p = list, *e;

	while (*p != '\0' && *count < RCPT_MAX) {
		e = p + strcspn(p, ",");
		rcpt_one(v, p, (size_t)(e - p), ours, known, unknown);
		(*count)++;
		p = *e ? e + 1 : e;
	}
}

/*
 * A recipient in our domains that the users file does not know, when
 * no recipient in our domains is known: mail for made-up names.
 */
void
check_rcpt(struct view *v)
{
	static const char *const headers[] = {
		"Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc", NULL
	};
	const char *const *hd;
	struct buf unknown;
	size_t count = 0;
	int ours = 0, known = 0;

	if (!v->h->have_users)
		return;
	buf_init(&unknown);
	if (rec_get(v->rec, "rcpt", &v->val))
		rcpt_list(v, v->val.s, &ours, &known, &unknown, &count);
	for (hd = headers; *hd != NULL && count < RCPT_MAX; hd++)
		if (message_addrs(v->m, *hd, &v->tmp, NULL, RCPT_MAX, 16384) > 0)
			rcpt_list(v, v->tmp.s, &ours, &known, &unknown, &count);
	if (ours > 0 && known == 0)
		add_symbol(v, "HEUR_RCPT_UNKNOWN", unknown.s);
	buf_free(&unknown);
}
