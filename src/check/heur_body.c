/*
 * heur_body.c - the built-in checks of the body: what the walk over the
 * parts found, size, look-alike hosts, undeclared 8-bit text, links to
 * the recipient or the sender, GTUBE.
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

/* What the walk over the parts found. */
void
check_parts(struct view *v)
{
	size_t i, best = 0;
	char ev[64];

	if (v->html && !v->plain)
		add_symbol(v, "HEUR_HTML_ONLY", NULL);
	if (v->qp_line > QP_LINE_MAX) {
		snprintf(ev, sizeof(ev), "%zu", v->qp_line);
		add_symbol(v, "HEUR_MIME_QP_LONG", ev);
	}
	if (v->tiny >= 10) {
		snprintf(ev, sizeof(ev), "%zu", v->tiny);
		add_symbol(v, "HEUR_HTML_TINY_TEXT", ev);
	}
	if (v->hidden >= 20) {
		snprintf(ev, sizeof(ev), "%zu", v->hidden);
		add_symbol(v, "HEUR_HTML_HIDDEN_TEXT", ev);
	}
	if (v->samecolor >= 10) {
		snprintf(ev, sizeof(ev), "%zu", v->samecolor);
		add_symbol(v, "HEUR_HTML_SAME_COLOR", ev);
	}
	/* images with next to no text: what is said is in the pictures */
	if (v->html && v->images > 0 && v->chars < 400) {
		snprintf(ev, sizeof(ev), "%zu/%zu", v->images, v->chars);
		add_symbol(v, "HEUR_HTML_IMAGES", ev);
	}
	if (v->restricted.len > 0)
		add_symbol(v, "HEUR_ATTACH_RESTRICTED", v->restricted.s);
	if (v->zipped.len > 0)
		add_symbol(v, "HEUR_ATTACH_ZIP_RESTRICTED", v->zipped.s);
	if (v->zipbudget.hit != NULL)
		add_symbol(v, "HEUR_ARCHIVE_LIMIT", v->zipbudget.hit);
	if (v->webpage[0] != '\0')
		add_symbol(v, "HEUR_ATTACH_WEBPAGE", v->webpage);
	if (v->macro[0] != '\0')
		add_symbol(v, "HEUR_ATTACH_MACRO", v->macro);
	if (v->encrypted.len > 0)
		add_symbol(v, "HEUR_ATTACH_ZIP_ENCRYPTED", v->encrypted.s);
	if (v->charset.len > 0)
		add_symbol(v, "HEUR_CHARSET_UNEXPECTED", v->charset.s);
	for (i = 1; i < SC_NSCRIPTS; i++)
		if (v->scripts_seen[i] > v->scripts_seen[best])
			best = i;
	if (v->h->scripts != 0 && (v->h->scripts & (1U << best)) == 0 &&
	    v->scripts_seen[best] >= 20 &&
	    v->scripts_seen[best] * 10 >= v->letters)
		add_symbol(v, "HEUR_SCRIPT_UNEXPECTED", script_name[best]);
}

/* Size: over the bound, or next to no text and nothing attached. */
void
check_size(struct view *v)
{
	char ev[32];

	if (message_flags(v->m) & MSG_TRUNCATED) {
		snprintf(ev, sizeof(ev), "%lld", (long long)message_size(v->m));
		add_symbol(v, "HEUR_SIZE_HUGE", ev);
	}
	if (v->attach > 0)
		return;
	if (v->chars == 0 && v->images == 0)
		add_symbol(v, "HEUR_BODY_EMPTY", NULL);
	else if (v->chars < 40 && v->images == 0) {
		snprintf(ev, sizeof(ev), "%zu", v->chars);
		add_symbol(v, "HEUR_BODY_TINY", ev);
	}
}

/* Links and the sender's domain that look like a brand's and are not. */
void
check_lookalike(struct view *v)
{
	struct heur *h = v->h;
	const char *brand;
	size_t i;

	if (v->urls.n == 0 && message_header_next(v->m, "From", &(int){0}) == NULL)
		return;
	if (h->look_state == 0)
		h->look_state = (h->look = lookalike_new()) != NULL ? 1 : -1;
	if (h->look_state < 0)
		return;
	for (i = 0; i < v->urls.n; i++) {
		if ((brand = lookalike_host(h->look, v->urls.v[i].host)) == NULL)
			continue;
		buf_reset(&v->val);
		buf_printf(&v->val, "%s:%s", brand, v->urls.v[i].host);
		add_symbol(v, "HEUR_URL_LOOKALIKE", v->val.s);
		break;
	}
	if (heur_from(v, &v->tmp, &v->text) > 0 &&
	    (brand = lookalike_host(h->look, heur_domain_of(v->tmp.s))) != NULL) {
		buf_reset(&v->val);
		buf_printf(&v->val, "%s:%s", brand, heur_domain_of(v->tmp.s));
		add_symbol(v, "HEUR_FROM_LOOKALIKE", v->val.s);
	}
}

/* Subject: or From: in 8-bit bytes, no encoded word (check_charset8.c). */
void
check_undeclared(struct view *v)
{
	static const char *const names[] = { "Subject", "From", NULL };
	const char *const *n, *raw;
	int pos;

	for (n = names; *n != NULL && v->undeclared[0] == '\0'; n++)
		for (pos = 0; (raw = message_header_next(v->m, *n, &pos)) !=
		    NULL; )
			if (charset8_count(raw, strlen(raw), HDR8_MIN) >=
			    HDR8_MIN) {
				snprintf(v->undeclared, sizeof(v->undeclared),
				    "%s", *n);
				break;
			}
	if (v->undeclared[0] != '\0')
		add_symbol(v, "HEUR_CHARSET_UNDECLARED", v->undeclared);
	if (v->unused[0] != '\0')
		add_symbol(v, "HEUR_CHARSET_UNUSED", v->unused);
}

/* Where one recipient's address is in the links: RCPT_LINK_*, the most. */
static int
rcpt_linked(struct view *v, const char *addr)
{
	size_t i;
	int where = RCPT_LINK_NONE, w;

	for (i = 0; i < v->urls.n && where < RCPT_LINK_FRAGMENT; i++)
		if ((w = rcpt_in_url(v->urls.v[i].url, addr)) > where)
			where = w;
	for (i = 0; i < v->nrawuri && where < RCPT_LINK_FRAGMENT; i++)
		if ((w = rcpt_in_url(v->rawuri[i], addr)) > where)
			where = w;
	return where;
}

/* A recipient's address in a link (check_rcpt_link.c). */
void
check_rcpt_link(struct view *v)
{
	static const char *const headers[] = {
		"To", "Cc", "Delivered-To", "X-Original-To", NULL
	};
	const char *const *hd, *p, *e;
	char a[256], query[256] = "";
	size_t len, n = 0;
	int where;

	if (v->urls.n == 0 && v->nrawuri == 0)
		return;
	buf_reset(&v->ev);
	if (rec_get(v->rec, "rcpt", &v->val))
		buf_printf(&v->ev, "%s,", v->val.s);
	for (hd = headers; *hd != NULL; hd++)
		if (message_addrs(v->m, *hd, &v->tmp, NULL, 20, 4096) > 0)
			buf_printf(&v->ev, "%s,", v->tmp.s);
	/* each address is looked for in every link: a few are enough */
	for (p = v->ev.s ? v->ev.s : ""; *p != '\0' && n < RCPT_LINK_MAX;
	    p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		if ((len = (size_t)(e - p)) == 0 || len >= sizeof(a))
			continue;
		memcpy(a, p, len);
		a[len] = '\0';
		heur_lower(a);
		n++;
		if ((where = rcpt_linked(v, a)) == RCPT_LINK_FRAGMENT) {
			add_symbol(v, "HEUR_URL_RCPT_FRAGMENT", a);
			return;
		}
		if (where == RCPT_LINK_QUERY && query[0] == '\0')
			memcpy(query, a, len + 1);
	}
	if (query[0] != '\0')
		add_symbol(v, "HEUR_URL_RCPT", query);
}

/*
 * Links, and none of them in the registered domain of From:.  Mail of
 * a service links to the service; phishing links to the page it put
 * up elsewhere.  (Mail sent through a bulk mailer's tracking links
 * does this too: alone the symbol weighs nothing.)
 */
void
check_url_sender(struct view *v)
{
	char from[256];
	const char *first = NULL;
	size_t i;

	if (v->urls.n == 0 || heur_from(v, &v->tmp, NULL) == 0 ||
	    *heur_domain_of(v->tmp.s) == '\0')
		return;
	url_domain_lower(heur_domain_of(v->tmp.s), from, sizeof(from));
	for (i = 0; i < v->urls.n; i++) {
		if (strncmp(v->urls.v[i].url, "http", 4) != 0)
			continue;
		if (strcmp(v->urls.v[i].domain, from) == 0)
			return;
		if (first == NULL)
			first = v->urls.v[i].domain;
	}
	if (first != NULL)
		add_symbol(v, "HEUR_URL_NOT_SENDER", first);
}

/* GTUBE in the text a reader sees, or in the decoded parts. */
void
check_gtube(struct view *v)
{
	int g;

	if ((g = gtube_find(v->rawbody.s, v->rawbody.len)) == GTUBE_NONE)
		g = gtube_find(v->body.s, v->body.len);
	if (g == GTUBE_STANDARD)
		add_symbol(v, "HEUR_GTUBE", NULL);
	else if (g == GTUBE_ADD_HEADER)
		add_symbol(v, "HEUR_GTUBE_ADD_HEADER", NULL);
}

