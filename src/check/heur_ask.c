/*
 * heur_ask.c - what the rules ask of the message: header values, raw
 * or decoded, the relays, the full message, and symbols already found.
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

/* --- what rules ask of the message ------------------------------------- */

static void
join(struct buf *out, const char *s, size_t n)
{
	if (out->len > 0)
		buf_addc(out, '\n');
	if (out->len + n > HEADER_MAX)
		n = utf8_cut(s, n, HEADER_MAX > out->len ? HEADER_MAX - out->len : 0);
	buf_add(out, s, n);
}

/* A raw value as :raw shows it: no leading blanks, no final newline. */
static void
join_raw(struct buf *out, const char *raw)
{
	size_t n;

	while (*raw == ' ' || *raw == '\t')
		raw++;
	n = strlen(raw);
	while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
		n--;
	join(out, raw, n);
}

static size_t
headers_named(struct view *v, const char *name, int raw, struct buf *out)
{
	const char *val;
	size_t count = 0;
	int pos = 0;

	while ((val = message_header_next(v->m, name, &pos)) != NULL) {
		count++;
		if (out == NULL)
			continue;
		if (raw)
			join_raw(out, val);
		else {
			message_header_decode(val, &v->tmp, HEADER_MAX);
			join(out, v->tmp.s ? v->tmp.s : "", v->tmp.len);
		}
	}
	return count;
}

/* ALL: every header, "Name: value" a line, decoded or raw. */
static size_t
headers_all(struct view *v, int raw, struct buf *out)
{
	const char *name, *val;
	int i;

	for (i = 0; (val = message_header_at(v->m, i, &name)) != NULL; i++) {
		if (out == NULL)
			continue;
		buf_reset(&v->val);
		buf_printf(&v->val, "%s: ", name);
		if (raw) {
			while (*val == ' ' || *val == '\t')
				val++;
			buf_adds(&v->val, val);
			while (v->val.len > 0 && v->val.s[v->val.len - 1] == '\n')
				v->val.s[--v->val.len] = '\0';
		} else {
			message_header_decode(val, &v->tmp, HEADER_MAX);
			buf_add(&v->val, v->tmp.s ? v->tmp.s : "", v->tmp.len);
		}
		join(out, v->val.s, v->val.len);
	}
	return (size_t)i;
}

/* The word after " by " in a Received: value, for by= of the relays. */
static void
received_by(const char *v, char *out, size_t cap)
{
	const char *p = v, *e;
	size_t n;

	out[0] = '\0';
	while ((p = strstr(p, "by")) != NULL) {
		if ((p == v || isspace((unsigned char)p[-1])) &&
		    isspace((unsigned char)p[2]))
			break;
		p += 2;
	}
	if (p == NULL)
		return;
	for (p += 2; isspace((unsigned char)*p); p++)
		;
	for (e = p; *e != '\0' && !isspace((unsigned char)*e) && *e != ';' &&
	    *e != '(' && *e != ')'; e++)
		;
	n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/*
 * SpamAssassin's X-Spam-Relays-* pseudo-headers from the Received:
 * chain: "[ ip=... rdns=... helo=... by=... ident= envfrom= intl=0
 * id= auth= msa=0 ]" for each relay, the newest first.  Untrusted and
 * External are the relays outside trusted_networks, Trusted and
 * Internal the ones inside.
 */
static size_t
heur_relays(struct view *v, int trusted, struct buf *out)
{
	struct relay r;
	const char *val;
	char by[RELAY_MAX_NAME];
	size_t count = 0;
	int pos = 0, n = 0, in;

	while ((val = message_header_next(v->m, "Received", &pos)) != NULL &&
	    n++ < RELAY_MAX_HEADERS) {
		if (received_parse_at(v->m, pos, val, &r) != 0 || r.local)
			continue;
		in = received_trusted(&r.addr) || ip_is_special(&r.addr);
		if (in != trusted)
			continue;
		count++;
		if (out == NULL)
			continue;
		received_by(val, by, sizeof(by));
		if (out->len > 0)
			buf_addc(out, ' ');
		buf_printf(out, "[ ip=%s rdns=%s helo=%s by=%s ident= envfrom= "
		    "intl=%d id= auth= msa=0 ]", r.ip, r.rdns, r.helo, by,
		    trusted);
	}
	return count;
}

/* The envelope sender: the first Return-Path:, else the From_ line's. */
static size_t
envelope_from(struct view *v, struct buf *out)
{
	const char *raw, *lt, *gt;
	int pos = 0;

	if ((raw = message_header_next(v->m, "Return-Path", &pos)) != NULL) {
		if (out == NULL)
			return 1;
		if ((lt = strchr(raw, '<')) != NULL &&
		    (gt = strchr(lt, '>')) != NULL)
			buf_add(out, lt + 1, (size_t)(gt - lt - 1));
		else
			join_raw(out, raw);
		text_clean(out, HEADER_MAX);
		return 1;
	}
	if (message_envelope(v->m) == NULL)
		return 0;
	if (out != NULL)
		buf_adds(out, message_envelope(v->m));
	return 1;
}

/* Names of their own, written exactly so (any other case is a header). */
size_t
heur_header(void *arg, const char *name, int raw, struct buf *out)
{
	struct view *v = arg;

	if (out != NULL)
		buf_reset(out);
	if (strcmp(name, "ALL") == 0)
		return headers_all(v, raw, out);
	if (strcmp(name, "ToCc") == 0)
		return headers_named(v, "To", raw, out) +
		    headers_named(v, "Cc", raw, out);
	if (strcmp(name, "MESSAGEID") == 0)
		return headers_named(v, "Message-ID", raw, out) +
		    headers_named(v, "Resent-Message-ID", raw, out) +
		    headers_named(v, "X-Message-ID", raw, out);
	if (strcmp(name, "EnvelopeFrom") == 0)
		return envelope_from(v, out);
	if (strcmp(name, "X-Spam-Relays-Untrusted") == 0 ||
	    strcmp(name, "X-Spam-Relays-External") == 0)
		return heur_relays(v, 0, out) > 0;
	if (strcmp(name, "X-Spam-Relays-Trusted") == 0 ||
	    strcmp(name, "X-Spam-Relays-Internal") == 0)
		return heur_relays(v, 1, out) > 0;
	return headers_named(v, name, raw, out);
}

/* The message as it is stored, without an mbox From_ line. */
void
heur_full(void *arg, struct buf *out)
{
	struct view *v = arg;
	const struct locator *loc = v->loc;
	size_t want = FULL_MAX, skip = 0;
	ssize_t got;
	char *nl;
	int fd;

	if (loc->length >= 0 && (off_t)want > loc->length)
		want = (size_t)loc->length;
	if ((fd = open(loc->path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	buf_grow(out, want + 1);
	got = pread(fd, out->s, want, loc->offset);
	close(fd);
	if (got <= 0)
		return;
	out->len = (size_t)got;
	out->s[out->len] = '\0';
	if (mbox_is_from_line(out->s, out->len) &&
	    (nl = memchr(out->s, '\n', out->len)) != NULL)
		skip = (size_t)(nl - out->s) + 1;
	memmove(out->s, out->s + skip, out->len - skip + 1);
	out->len -= skip;
}

/* How many fields called name the line has: for metas over them. */
int
heur_symbol(void *arg, const char *name)
{
	struct view *v = arg;
	size_t i, n = strlen(name);
	int count = 0;

	for (i = 1; i < v->rec->nf; i++)
		if (strncmp(v->rec->f[i], name, n) == 0 &&
		    v->rec->f[i][n] == '=')
			count++;
	return count;
}

