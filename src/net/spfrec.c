/*
 * spfrec.c - SPF records as RFC 7208 writes them: which TXT record is
 * one (4.5), the whole grammar checked before anything is evaluated
 * (4.6, 5, 6, 7.1, 12), and macros expanded (7.3).
 *
 * libspf2 parses records too, but wrongly in places (it refuses a/0
 * and ip4:..../0, takes "a:museum" and "%{r}" in a domain-spec, reads
 * the '/' of "foo:bar/baz.example.com" as a CIDR length), so every
 * record is checked here first and libspf2 is only ever handed a
 * record of our making (see spf.c).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"

#define SPF_MAX_DIGITS	128	/* %{d200}: more parts than any name has */

static const char domain_letters[] = "slodiphv";
static const char all_letters[] = "slodiphvcrt";
static const char delimiters[] = ".-+,/_=";

/* "v=spf1" followed by a space or the end (4.5), in any case. */
int
spf_is_record(const char *s, size_t n)
{
	return n >= 6 && strncasecmp(s, "v=spf1", 6) == 0 &&
	    (n == 6 || s[6] == ' ');
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * One macro-expand at s ("%{...}", "%%", "%_" or "%-"): its length,
 * or 0 if it is not one.  letters: the macro letters allowed.
 */
static size_t
macro_len(const char *s, size_t n, const char *letters)
{
	size_t i;

	if (n < 2 || s[0] != '%')
		return 0;
	if (s[1] == '%' || s[1] == '_' || s[1] == '-')
		return 2;
	if (s[1] != '{' || n < 4 || s[2] == '\0' ||
	    strchr(letters, tolower((unsigned char)s[2])) == NULL)
		return 0;
	i = 3;
	if (i < n && s[i] == '0')
		return 0;	/* 7.1: a DIGIT transformer is at least 1 */
	while (i < n && is_digit(s[i]))
		i++;
	if (i < n && (s[i] == 'r' || s[i] == 'R'))
		i++;
	while (i < n && s[i] != '}' && s[i] != '\0' &&
	    strchr(delimiters, s[i]) != NULL)
		i++;
	return i < n && s[i] == '}' ? i + 1 : 0;
}

/*
 * A macro-string (7.1): visible ASCII, '%' only in macro-expands.
 * *end_macro says whether it ends with a macro-expand.
 */
static int
macro_string_ok(const char *s, size_t n, const char *letters, int *end_macro)
{
	size_t i = 0, m;

	*end_macro = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if ((m = macro_len(s + i, n - i, letters)) == 0)
				return 0;
			i += m;
			*end_macro = 1;
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return 0;
		*end_macro = 0;
		i++;
	}
	return 1;
}

/*
 * toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
 */
static int
toplabel_ok(const char *s, size_t n)
{
	size_t i;
	int alpha = 0, dash = 0;

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = 1;
		else if (is_alpha(s[i]))
			alpha = 1;
		else if (!is_digit(s[i]))
			return 0;
	}
	return alpha || dash;
}

/*
 * domain-spec = macro-string domain-end
 * domain-end  = ( "." toplabel [ "." ] ) / macro-expand
 */
int
spf_domain_spec_ok(const char *s, size_t n)
{
	size_t end, dot;
	int end_macro;

	if (n == 0 || !macro_string_ok(s, n, domain_letters, &end_macro))
		return 0;
	if (end_macro)
		return 1;
	end = n;
	if (s[end - 1] == '.')
		end--;
	for (dot = end; dot > 0 && s[dot - 1] != '.'; dot--)
		if (s[dot - 1] == '%' || s[dot - 1] == '}')
			return 0;	/* a macro inside the toplabel */
	if (dot == 0)
		return 0;		/* no "." before the toplabel */
	return toplabel_ok(s + dot, end - dot);
}

/* A CIDR length: "0", or digits without a leading zero, at most max. */
static int
cidr_len(const char *s, size_t n, int max)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* The digits at the end of s[0..n) after a '/': where the '/' is, or n. */
static size_t
cidr_suffix(const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && is_digit(s[i - 1]))
		i--;
	if (i == n || i == 0 || s[i - 1] != '/')
		return n;
	return i - 1;
}

/* qnum "." qnum "." qnum "." qnum, no leading zeros (5.6) */
static int
ip4_network(const char *s, size_t n, struct cidr *out)
{
	char tmp[16];
	size_t i, digits = 0, dots = 0;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (digits == 0)
				return -1;
			dots++;
			digits = 0;
		} else if (is_digit(s[i])) {
			if (digits > 0 && s[i - digits] == '0')
				return -1;
			if (++digits > 3)
				return -1;
		} else
			return -1;
	}
	if (dots != 3 || digits == 0)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, tmp, out->addr) != 1)
		return -1;
	out->family = AF_INET;
	return 0;
}

static int
ip6_network(const char *s, size_t n, struct cidr *out)
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET6, tmp, out->addr) != 1)
		return -1;
	out->family = AF_INET6;
	return 0;
}

static struct spf_term *
add_term(struct spf_rec *r, enum spf_mech mech, char qual)
{
	struct spf_term *t;

	r->t = xrealloc(r->t, (r->n + 1) * sizeof(*r->t));
	t = &r->t[r->n++];
	memset(t, 0, sizeof(*t));
	t->mech = mech;
	t->qual = qual;
	t->cidr4 = 32;
	t->cidr6 = 128;
	return t;
}

static const struct {
	const char	*name;
	enum spf_mech	 mech;
} mechs[] = {
	{ "all", SPFM_ALL }, { "include", SPFM_INCLUDE }, { "a", SPFM_A },
	{ "mx", SPFM_MX }, { "ptr", SPFM_PTR }, { "ip4", SPFM_IP4 },
	{ "ip6", SPFM_IP6 }, { "exists", SPFM_EXISTS },
};

static int
mech_of(const char *s, size_t n, enum spf_mech *m)
{
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strlen(mechs[i].name) == n &&
		    strncasecmp(mechs[i].name, s, n) == 0) {
			*m = mechs[i].mech;
			return 0;
		}
	return -1;
}

/* [ ":" domain-spec ] or ":" domain-spec, into t->spec. */
static const char *
take_spec(struct spf_term *t, const char *s, size_t n, int required)
{
	if (n == 0)
		return required ? "missing domain-spec" : NULL;
	if (s[0] != ':')
		return "bad mechanism syntax";
	if (!spf_domain_spec_ok(s + 1, n - 1))
		return "bad domain-spec";
	t->spec = xstrndup(s + 1, n - 1);
	return NULL;
}

/* a and mx: [ ":" domain-spec ] [ ip4-cidr-length ] [ "//" ip6-cidr-length ] */
static const char *
take_dual(struct spf_term *t, const char *s, size_t n)
{
	size_t cut;

	cut = cidr_suffix(s, n);
	if (cut < n && cut > 0 && s[cut - 1] == '/') {
		if ((t->cidr6 = cidr_len(s + cut + 1, n - cut - 1, 128)) < 0)
			return "bad ip6-cidr-length";
		n = cut - 1;
	}
	cut = cidr_suffix(s, n);
	if (cut < n) {
		if ((t->cidr4 = cidr_len(s + cut + 1, n - cut - 1, 32)) < 0)
			return "bad ip4-cidr-length";
		n = cut;
	}
	return take_spec(t, s, n, 0);
}

/* ip4 and ip6: ":" network [ "/" length ] */
static const char *
take_ip(struct spf_term *t, const char *s, size_t n)
{
	const char *slash;
	size_t net;
	int six = t->mech == SPFM_IP6, len;

	if (n < 2 || s[0] != ':')
		return "bad ip mechanism";
	s++;
	n--;
	slash = memchr(s, '/', n);
	net = slash ? (size_t)(slash - s) : n;
	if ((six ? ip6_network(s, net, &t->net) : ip4_network(s, net,
	    &t->net)) != 0)
		return six ? "bad ip6-network" : "bad ip4-network";
	len = six ? 128 : 32;
	if (slash != NULL &&
	    (len = cidr_len(slash + 1, n - net - 1, six ? 128 : 32)) < 0)
		return six ? "bad ip6-cidr-length" : "bad ip4-cidr-length";
	t->net.bits = len;
	return NULL;
}

static const char *
directive(struct spf_rec *r, const char *s, size_t n)
{
	struct spf_term *t;
	enum spf_mech m;
	char qual = '+';
	size_t i;

	if (n > 0 && strchr("+-~?", s[0]) != NULL) {
		qual = s[0];
		s++;
		n--;
	}
	for (i = 0; i < n && (is_alpha(s[i]) || is_digit(s[i])); i++)
		;
	if (mech_of(s, i, &m) != 0)
		return "unknown mechanism";
	t = add_term(r, m, qual);
	s += i;
	n -= i;
	switch (m) {
	case SPFM_ALL:
		r->has_all = 1;
		return n == 0 ? NULL : "bad all";
	case SPFM_A:
	case SPFM_MX:
		return take_dual(t, s, n);
	case SPFM_PTR:
		return take_spec(t, s, n, 0);
	case SPFM_INCLUDE:
	case SPFM_EXISTS:
		return take_spec(t, s, n, 1);
	default:
		return take_ip(t, s, n);
	}
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
static int
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !is_alpha(s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) &&
		    s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static const char *
modifier(struct spf_rec *r, const char *s, size_t n, size_t eq,
    char **redirect)
{
	const char *v = s + eq + 1;
	size_t vn = n - eq - 1;
	int end_macro;

	if (!name_ok(s, eq))
		return "bad modifier name";
	if (eq == 8 && strncasecmp(s, "redirect", 8) == 0) {
		if (*redirect != NULL)
			return "two redirect modifiers";
		if (!spf_domain_spec_ok(v, vn))
			return "bad redirect domain-spec";
		*redirect = xstrndup(v, vn);
		return NULL;
	}
	if (eq == 3 && strncasecmp(s, "exp", 3) == 0) {
		if (r->has_exp)
			return "two exp modifiers";
		r->has_exp = 1;
		return spf_domain_spec_ok(v, vn) ? NULL : "bad exp domain-spec";
	}
	/* Unknown modifiers are ignored, but must be well-formed (A/3). */
	return macro_string_ok(v, vn, all_letters, &end_macro) ? NULL :
	    "bad modifier value";
}

void
spf_rec_free(struct spf_rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->t[i].spec);
	free(r->t);
	memset(r, 0, sizeof(*r));
}

/*
 * Parse and check a whole record (one that spf_is_record() took).
 * Every term is checked, also after "all" (4.6).  A redirect is kept
 * as the last term, and only when there is no "all" (6.1).  Returns
 * 0, or -1 with *why saying what is wrong: a permerror.
 */
int
spf_rec_parse(const char *s, size_t n, struct spf_rec *r, const char **why)
{
	char *redirect = NULL;
	size_t i, j, k;

	memset(r, 0, sizeof(*r));
	*why = NULL;
	/* 3.1, 4.6.1: ASCII, terms apart by spaces; no NUL, TAB or CR. */
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) {
			*why = "a byte that is not printable ASCII";
			return -1;
		}
	for (i = 6; i < n && *why == NULL; i = j) {
		while (i < n && s[i] == ' ')
			i++;
		for (j = i; j < n && s[j] != ' '; j++)
			;
		if (j == i)
			break;
		for (k = i; k < j && s[k] != '=' && s[k] != ':' && s[k] != '/';
		    k++)
			;
		if (k < j && s[k] == '=')
			*why = modifier(r, s + i, j - i, k - i, &redirect);
		else
			*why = directive(r, s + i, j - i);
	}
	if (*why == NULL && redirect != NULL && !r->has_all)
		add_term(r, SPFM_REDIRECT, '+')->spec = redirect;
	else
		free(redirect);
	if (*why != NULL) {
		spf_rec_free(r);
		return -1;
	}
	return 0;
}

/*
 * 4.3: a domain worth asking: labels of 1 to 63 bytes, at most 253
 * bytes (a final dot aside), more than one label, nothing a DNS name
 * cannot hold or the tools would mistake, and no address ("1.2.3.4",
 * "[1.2.3.4]").
 */
int
spf_domain_ok(const char *s)
{
	struct cidr ip;
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || s[0] == '[' || memchr(s, '.', n) == NULL ||
	    ip_parse(s, &ip) == 0)
		return 0;
	return dns_name_ok(s);
}

/* --- macro expansion (7.3) ----------------------------------------- */

static void
url_escape(const char *s, size_t n, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_alpha(c) || is_digit(c) || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			buf_addc(out, c);
		else {
			buf_addc(out, '%');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 15]);
		}
	}
}

static void
ip_text(const struct cidr *ip, int pretty, struct buf *out)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[INET6_ADDRSTRLEN];
	int i;

	if (ip->family == AF_INET || pretty) {
		inet_ntop(ip->family, ip->addr, tmp, sizeof(tmp));
		buf_adds(out, tmp);
		return;
	}
	for (i = 0; i < 16; i++) {
		if (i > 0)
			buf_addc(out, '.');
		buf_addc(out, hex[ip->addr[i] >> 4]);
		buf_addc(out, '.');
		buf_addc(out, hex[ip->addr[i] & 15]);
	}
}

/* The value of a macro letter, into v. */
static void
letter_value(int letter, const struct spf_env *env, struct buf *v)
{
	switch (letter) {
	case 's':
		buf_adds(v, env->sender);
		break;
	case 'l':
		buf_adds(v, env->local);
		break;
	case 'o':
		buf_adds(v, env->sender_domain);
		break;
	case 'd':
		buf_adds(v, env->domain);
		break;
	case 'i':
		ip_text(env->ip, 0, v);
		break;
	case 'c':
		ip_text(env->ip, 1, v);
		break;
	case 'v':
		buf_adds(v, env->ip->family == AF_INET ? "in-addr" : "ip6");
		break;
	case 'h':
		buf_adds(v, env->helo);
		break;
	case 'p':
		buf_adds(v, env->validated ?
		    env->validated(env->arg, env->domain) : "unknown");
		break;
	default:	/* r and t: explanations only, never expanded here */
		buf_adds(v, "unknown");
		break;
	}
}

/*
 * One "%{...}" (already checked): split the value at the delimiters,
 * reverse, keep the right-hand parts, join with dots, escape.
 */
static void
expand_one(const char *s, size_t n, const struct spf_env *env,
    struct buf *out)
{
	struct buf v;
	const char **part = NULL;
	size_t *plen = NULL, np = 0, i, keep = 0, start;
	char delim[sizeof(delimiters)];
	size_t nd = 0, j = 3;
	int letter = tolower((unsigned char)s[2]), upper = isupper(
	    (unsigned char)s[2]), rev = 0;

	for (; j < n && is_digit(s[j]); j++)
		if (keep <= SPF_MAX_DIGITS)
			keep = keep * 10 + (size_t)(s[j] - '0');
	if (j < n && (s[j] == 'r' || s[j] == 'R')) {
		rev = 1;
		j++;
	}
	for (; j < n && s[j] != '}'; j++)
		if (memchr(delim, s[j], nd) == NULL)
			delim[nd++] = s[j];
	if (nd == 0)
		delim[nd++] = '.';
	buf_init(&v);
	letter_value(letter, env, &v);
	for (start = 0, i = 0; i <= v.len; i++) {
		if (i < v.len && memchr(delim, v.s[i], nd) == NULL)
			continue;
		part = xrealloc(part, (np + 1) * sizeof(*part));
		plen = xrealloc(plen, (np + 1) * sizeof(*plen));
		part[np] = v.s + start;
		plen[np++] = i - start;
		start = i + 1;
	}
	if (keep == 0 || keep > np)
		keep = np;
	for (i = 0; i < keep; i++) {
		/* Reversed, the right-hand parts are the first ones. */
		size_t k = rev ? keep - 1 - i : np - keep + i;

		if (i > 0)
			buf_addc(out, '.');
		if (upper)
			url_escape(part[k], plen[k], out);
		else
			buf_add(out, part[k], plen[k]);
	}
	free(part);
	free(plen);
	buf_free(&v);
}

/*
 * Expand a checked domain-spec into out as a name to ask: macros
 * expanded, one final dot dropped, and labels cut from the left until
 * it fits in 253 bytes (7.3).
 */
void
spf_expand(const char *spec, const struct spf_env *env, struct buf *out)
{
	size_t i = 0, n = strlen(spec), m, cut;

	buf_reset(out);
	while (i < n) {
		if (spec[i] != '%') {
			buf_addc(out, spec[i++]);
			continue;
		}
		m = macro_len(spec + i, n - i, all_letters);
		if (m == 0) {		/* cannot happen: checked before */
			buf_addc(out, spec[i++]);
			continue;
		}
		if (spec[i + 1] == '%')
			buf_addc(out, '%');
		else if (spec[i + 1] == '_')
			buf_addc(out, ' ');
		else if (spec[i + 1] == '-')
			buf_adds(out, "%20");
		else
			expand_one(spec + i, m, env, out);
		i += m;
	}
	if (out->s == NULL)
		buf_adds(out, "");
	if (out->len > 0 && out->s[out->len - 1] == '.')
		out->s[--out->len] = '\0';
	for (cut = 0; out->len - cut > 253; ) {
		const char *dot = memchr(out->s + cut, '.', out->len - cut);

		if (dot == NULL)
			break;
		cut = (size_t)(dot - out->s) + 1;
	}
	if (cut > 0) {
		memmove(out->s, out->s + cut, out->len - cut + 1);
		out->len -= cut;
	}
}
