/*
 * linkify.c - URLs in plain text, found where Thunderbird's linkifier
 * (mozTXTToHTMLConv) finds them, and the defanged ones that abuse
 * reports and filter-dodging spam write.
 *
 * A link starts at a scheme ("http://", "https://", "ftp://",
 * "mailto:") or at "www." at the start of a word, and runs to a space,
 * a quote or an angle bracket, a ')' or ']' it did not open, a '[' that
 * opens no IPv6 address, or a full-width or ideographic form of these;
 * the sentence's punctuation after it is not its.  So two markdown
 * links in a row, "[a](https://one.example.com)[b](mailto:x@two.example)",
 * are two links.
 *
 * Defanged links ("hxxp://", "evil[.]example") are put back first, in
 * a copy of the text with a mask that says where, so that one scan
 * finds both kinds and each link knows whether it was defanged.  No
 * byte is looked at more than a few times: the scan is linear.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "url/url.h"

#define FANG_NONE	0	/* mask: a byte as written */
#define FANG_SCHEME	1	/* mask: a byte of a put-back scheme */
#define FANG_DOT	2	/* mask: a put-back dot */

/*
 * The bytes a defanged form starts with, and those next_start() looks
 * at: the others are passed over without a call.
 */
#define FIRST_FANG	1
#define FIRST_LINK	2

static const unsigned char first[256] = {
	['['] = FIRST_FANG, ['('] = FIRST_FANG, ['{'] = FIRST_FANG,
	['h'] = FIRST_FANG, ['H'] = FIRST_FANG, ['f'] = FIRST_FANG,
	['F'] = FIRST_FANG, [':'] = FIRST_LINK, ['w'] = FIRST_LINK,
	['W'] = FIRST_LINK
};

/* The code point of the 2- or 3-byte UTF-8 sequence at s: its length. */
static size_t
utf8_cp(const char *p, size_t n, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)p;

	if (n >= 2 && (s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
		*cp = (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
		return 2;
	}
	if (n >= 3 && (s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80) {
		*cp = (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 |
		    (s[2] & 0x3fu);
		return 3;
	}
	return 0;
}

size_t
idna_dot(const char *s, size_t n)
{
	unsigned cp;

	if (n > 0 && s[0] == '.')
		return 1;
	if (utf8_cp(s, n, &cp) == 3 &&
	    (cp == 0x3002 || cp == 0xff0e || cp == 0xff61))
		return 3;
	return 0;
}

size_t
www_len(const char *s, size_t n)
{
	size_t k;

	if (n <= 3 || strncasecmp(s, "www", 3) != 0 ||
	    (k = idna_dot(s + 3, n - 3)) == 0 || n <= 3 + k)
		return 0;
	return 3 + k;
}

/* ASCII bytes that end a URL in text. */
static int
url_stop(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' ||
	    c == '`' || c == '{' || c == '}' || c == '|' || c == '^';
}

/*
 * Characters beyond ASCII that end a URL: spaces, quotation marks,
 * the ideographic comma and brackets, and the full-width forms of the
 * ASCII that ends one or closes a sentence ('｜', '＞', '，', '！').
 * Not the ideographic full stops: IDNA reads them as dots.
 */
static int
cp_stop(unsigned cp)
{
	if (cp == 0xa0 || cp == 0xab || cp == 0xbb || cp == 0xfeff)
		return 1;
	if (cp <= 0x200b && cp >= 0x2000)
		return 1;
	if ((cp >= 0x2018 && cp <= 0x201f) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202f || cp == 0x2039 || cp == 0x203a)
		return 1;
	if (cp == 0x3000 || cp == 0x3001 || (cp >= 0x3008 && cp <= 0x3011) ||
	    (cp >= 0x3014 && cp <= 0x301b) || (cp >= 0x301d && cp <= 0x301f))
		return 1;
	if (cp >= 0xff01 && cp <= 0xff5e)
		return strchr("!\"'(),:;<>?[]^`{|}", (int)(cp - 0xff00 + 0x20))
		    != NULL;
	return cp >= 0xff5f && cp <= 0xff64 && cp != 0xff61;
}

static int
stop_at(const char *s, size_t n)
{
	unsigned char c = (unsigned char)*s;
	unsigned cp;

	if (c < 0x80)
		return url_stop(c);
	return utf8_cp(s, n, &cp) > 0 && cp_stop(cp);
}

/*
 * Where the URL starting at s[start] ends.  As Thunderbird has it, a
 * ')' or ']' that closes nothing opened in the URL ends it, and so
 * does a '[' but for the one of an IPv6 host ("http://[2001:db8::1]").
 */
static size_t
url_end(const char *s, size_t start, size_t n)
{
	long paren = 0, bracket = 0;
	size_t i;

	for (i = start; i < n; i++) {
		char c = s[i];

		if (stop_at(s + i, n - i))
			break;
		if ((c == ')' && paren == 0) || (c == ']' && bracket == 0) ||
		    (c == '[' && !(i >= start + 2 && s[i - 1] == '/' &&
		    s[i - 2] == '/')))
			break;
		paren += (c == '(') - (c == ')');
		bracket += (c == '[') - (c == ']');
	}
	return i;
}

/* Full stops and commas, ideographic and full-width, that end sentences. */
static int
cp_trailing(unsigned cp)
{
	return cp == 0x3001 || cp == 0x3002 || cp == 0xff0c ||
	    cp == 0xff0e || cp == 0xff61;
}

/*
 * Punctuation that ends a sentence rather than the URL: ".,;:!?'*-",
 * which Thunderbird leaves out too, and their ideographic forms.
 */
static size_t
trim_end(const char *s, size_t start, size_t end)
{
	unsigned cp;

	while (end > start) {
		char c = s[end - 1];

		if (c != '\0' && strchr(".,;:!?'*-", c) != NULL)
			end--;
		else if (end - start >= 3 &&
		    utf8_cp(s + end - 3, 3, &cp) == 3 && cp_trailing(cp))
			end -= 3;
		else
			break;
	}
	return end;
}

static int
host_byte(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@' ||
	    c >= 0x80;
}

#define CJK_CUTS	8	/* ideographic stops tried as a link's end */

/* Where the host of the link in s[i..t) starts and ends. */
static void
host_span(const char *s, size_t i, size_t t, size_t *hs, size_t *he)
{
	size_t k, at;

	for (k = i; k < t && isalpha((unsigned char)s[k]); k++)
		;
	if (k < t && s[k] == ':')
		for (k++; k < t && (s[k] == '/' || s[k] == '\\'); k++)
			;
	else
		k = i;
	for (at = k, *hs = k; k < t && !strchr("/\\?#:", s[k]); k++)
		if (s[k] == '@')
			at = k + 1;
	*hs = at;
	*he = k;
}

static int
known_host(const char *s, size_t n, struct buf *tmp)
{
	int is_ip;

	return url_host(s, n, tmp, &is_ip) == 0 &&
	    (is_ip || url_known_suffix(tmp->s));
}

/*
 * CJK text goes on after a link without a space: in "http://a.example
 * .com。詳しくは" IDNA takes the ideographic full stop for a dot and the
 * sentence for a label.  When the host so read ends in no suffix the
 * list knows, but would at one of its last ideographic full stops, the
 * link ends there.
 */
static size_t
cjk_end(const char *s, size_t i, size_t t)
{
	struct buf tmp;
	size_t hs, he, k, tries = 0, end = t;

	host_span(s, i, t, &hs, &he);
	if (he - hs > 3 * URL_MAX_HOST || (memchr(s + hs, 0xe3, he - hs) ==
	    NULL && memchr(s + hs, 0xef, he - hs) == NULL))
		return t;
	buf_init(&tmp);
	if (known_host(s + hs, he - hs, &tmp))
		goto done;
	for (k = he; k > hs + 3 && tries < CJK_CUTS; k--) {
		if (idna_dot(s + k - 3, 3) != 3)
			continue;
		tries++;
		if (known_host(s + hs, k - 3 - hs, &tmp)) {
			end = k - 3;
			break;
		}
	}
done:
	buf_free(&tmp);
	return end;
}

/* What may follow "scheme:": "//" for the web, an address for mail. */
static int
scheme_follows(const char *scheme, char c)
{
	if (strcmp(scheme, "mailto") == 0)
		return isalnum((unsigned char)c) || strchr("._%+-", c) != NULL;
	return c == '/' || c == '\\';
}

/*
 * Does a scheme end at the ':' at s[i] (no further back than lo)?
 * Where it starts, into start.
 */
static int
scheme_before(const char *s, size_t lo, size_t i, size_t n, size_t *start)
{
	static const char *const names[] = {
		"https", "http", "ftp", "mailto", NULL
	};
	const char *const *p;
	size_t j, k;

	if (i + 1 >= n)
		return 0;
	for (k = 0; k < 6 && i - k > lo &&
	    isalpha((unsigned char)s[i - k - 1]); k++)
		;
	for (j = i - k; j + 3 <= i; j++)
		for (p = names; *p != NULL; p++)
			if (strlen(*p) == i - j &&
			    strncasecmp(s + j, *p, i - j) == 0 &&
			    scheme_follows(*p, s[i + 1])) {
				*start = j;
				return 1;
			}
	return 0;
}

/*
 * Where the next URL in text starts, before stop: a scheme, or "www."
 * at the start of a word.  lo is where a scheme may start.
 */
static int
next_start(const char *s, size_t lo, size_t *i, size_t stop, size_t n)
{
	size_t j;

	for (; *i < stop; (*i)++) {
		char c = s[*i];

		if (!(first[(unsigned char)c] & FIRST_LINK))
			continue;
		if (c == ':' && scheme_before(s, lo, *i, n, &j)) {
			*i = j;
			return 1;
		}
		/* the start of a word first: most w's are inside one */
		if ((c == 'w' || c == 'W') &&
		    (*i == lo || !host_byte((unsigned char)s[*i - 1])) &&
		    www_len(s + *i, n - *i) > 0)
			return 1;
	}
	return 0;
}

/* --- defanged links ---------------------------------------------------- */

static int
label_byte(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c >= 0x80;
}

/* Length of a defanged dot at s ("[.]", "(dot)"), or 0. */
static size_t
fang_dot(const char *s, size_t n)
{
	static const char *const forms[] = {
		"[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}", NULL
	};
	const char *const *p;
	size_t k;

	for (p = forms; *p != NULL; p++)
		if (n >= (k = strlen(*p)) && strncasecmp(s, *p, k) == 0)
			return k;
	return 0;
}

/*
 * A scheme at s with its colon, defanged ("hxxp:", "hXXps[:]",
 * "http[:]", "fxp:"): its length, and the name it stands for.  Not
 * defanged, or no scheme: 0.
 */
static size_t
fang_scheme(const char *s, size_t n, const char **name)
{
	size_t k = 0;
	int fanged = 0;

	if (n >= 4 && tolower((unsigned char)s[0]) == 'h' &&
	    strchr("tx", tolower((unsigned char)s[1])) != NULL &&
	    strchr("tx", tolower((unsigned char)s[2])) != NULL &&
	    tolower((unsigned char)s[3]) == 'p') {
		fanged = tolower((unsigned char)s[1]) == 'x' ||
		    tolower((unsigned char)s[2]) == 'x';
		k = 4;
		*name = "http";
		if (n > k && tolower((unsigned char)s[k]) == 's')
			k++, *name = "https";
	} else if (n >= 3 && tolower((unsigned char)s[0]) == 'f' &&
	    strchr("tx", tolower((unsigned char)s[1])) != NULL &&
	    tolower((unsigned char)s[2]) == 'p') {
		fanged = tolower((unsigned char)s[1]) == 'x';
		k = 3;
		*name = "ftp";
	} else
		return 0;
	if (n > k + 2 && strncmp(s + k, "[:]", 3) == 0)
		k += 3, fanged = 1;
	else if (n > k && s[k] == ':')
		k++;
	else
		return 0;
	return fanged && k < n && (s[k] == '/' || s[k] == '\\') ? k : 0;
}

/* Append s to out and as many bytes of kind to mask. */
static void
emit(struct buf *out, struct buf *mask, const char *s, size_t n, int kind)
{
	buf_add(out, s, n);
	buf_grow(mask, n);
	memset(mask->s + mask->len, kind, n);
	mask->len += n;
	mask->s[mask->len] = '\0';
}

/*
 * The defanged form at s[i]: its length, what it stands for and the
 * kind of mask for it; 0 if there is none.
 */
static size_t
fang_at(const char *s, size_t i, size_t n, const char **as, int *kind)
{
	size_t k;

	/* a scheme starts with h or f, a dot with a bracket: a letter in
	 * the middle of a word, as most are, is looked at no further */
	if (s[i] != '[' && s[i] != '(' && s[i] != '{') {
		if ((i == 0 || !isalnum((unsigned char)s[i - 1])) &&
		    (k = fang_scheme(s + i, n - i, as)) > 0) {
			*kind = FANG_SCHEME;
			return k;
		}
		return 0;
	}
	if (i > 0 && label_byte((unsigned char)s[i - 1]) &&
	    (k = fang_dot(s + i, n - i)) > 0 && i + k < n &&
	    label_byte((unsigned char)s[i + k])) {
		*as = ".";
		*kind = FANG_DOT;
		return k;
	}
	return 0;
}


/*
 * The text with defanged schemes and dots put back, and where; 0 and
 * nothing in out if nothing is defanged, the text standing as it is.
 */
static int
refang(const char *s, size_t n, struct buf *out, struct buf *mask)
{
	const char *as;
	size_t i = 0, run = 0, k;
	int kind;

	while (i < n) {
		if (!(first[(unsigned char)s[i]] & FIRST_FANG) ||
		    (k = fang_at(s, i, n, &as, &kind)) == 0) {
			i++;
			continue;
		}
		emit(out, mask, s + run, i - run, FANG_NONE);
		emit(out, mask, as, strlen(as), kind);
		if (kind == FANG_SCHEME)
			emit(out, mask, ":", 1, kind);
		i = run = i + k;
	}
	if (run == 0)
		return 0;
	emit(out, mask, s + run, n - run, FANG_NONE);
	return 1;
}

/* --- the scan ---------------------------------------------------------- */

/* Is any byte of the span put back?  No mask: none is. */
static int
fanged(const char *mask, size_t from, size_t to)
{
	if (mask == NULL)
		return 0;
	for (; from < to; from++)
		if (mask[from] != FANG_NONE)
			return 1;
	return 0;
}

/*
 * Add the URL that starts at s[i]; where it ends.  A bare host (a
 * defanged "evil[.]example") goes as "//host", and only with a suffix
 * of the ICANN section, lest "array[.]length" be a link.
 */
static size_t
add_span(struct urls *u, const char *s, const char *mask, size_t i,
    size_t n, int bare)
{
	size_t end = url_end(s, i, n), t = cjk_end(s, i, trim_end(s, i, end));
	unsigned flags = URLF_TEXT;
	struct buf b;

	if (fanged(mask, i, t))
		flags |= URLF_DEFANGED;
	if (!bare) {
		urls_add(u, s + i, t - i, flags);
		return end;
	}
	buf_init(&b);
	buf_adds(&b, "//");
	buf_add(&b, s + i, t - i);
	urls_add(u, b.s, b.len, flags | URLF_WANT_ICANN);
	buf_free(&b);
	return end;
}

/* Where the bare host around the put-back dot at s[dot] starts. */
static size_t
bare_start(const char *s, size_t lo, size_t dot)
{
	size_t b = dot;

	while (b > lo && dot - b < URL_MAX_HOST &&
	    (isalnum((unsigned char)s[b - 1]) || s[b - 1] == '-' ||
	    s[b - 1] == '_' || s[b - 1] == '.'))
		b--;
	while (b < dot && (s[b] == '.' || s[b] == '-'))
		b++;
	return b;
}

/*
 * Scan the put-back text: URLs with a scheme or "www.", and bare hosts
 * at put-back dots that no such URL holds.
 */
static void
scan(struct urls *u, const char *s, const char *mask, size_t n)
{
	const char *p;
	size_t i = 0, lo = 0, end, dot;

	p = mask != NULL ? memchr(mask, FANG_DOT, n) : NULL;
	dot = p != NULL ? (size_t)(p - mask) : n;
	while (!(u->flags & URLS_MANY) && i < n) {
		if (dot < i) {
			p = memchr(mask + i, FANG_DOT, n - i);
			dot = p != NULL ? (size_t)(p - mask) : n;
		}
		if (next_start(s, lo, &i, dot, n))
			end = add_span(u, s, mask, i, n, 0);
		else if (dot < n)
			end = add_span(u, s, mask, i = bare_start(s, lo, dot),
			    n, 1);
		else
			break;
		/* past the whole run, so that no byte is scanned twice */
		i = lo = end > i ? end : i + 1;
	}
}

void
linkify(struct urls *u, const char *s, size_t n)
{
	struct buf text, mask;

	if (n == 0)
		return;
	buf_init(&text);
	buf_init(&mask);
	if (refang(s, n, &text, &mask))
		scan(u, text.s, mask.s, text.len);
	else
		scan(u, s, NULL, n);
	buf_free(&text);
	buf_free(&mask);
}
