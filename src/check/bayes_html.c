/*
 * bayes_html.c - the visible text of HTML and the tokens of its tags
 * for xd-bayes(1) (see bayes.c).
 */
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "check/check.h"
#include "check/bayes_int.h"

static const char *const block_tags[] = {
	"address", "blockquote", "br", "dd", "div", "dl", "dt", "h1", "h2",
	"h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "table", "td",
	"th", "title", "tr", "ul", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* The value of attribute name in a tag's text, or NULL; *len its length. */
static const char *
tag_attr(const char *s, size_t n, const char *name, size_t *len)
{
	size_t w = strlen(name), i;
	const char *v;
	char q;

	for (i = 0; i + w + 1 < n; i++) {
		if ((i > 0 && bayes_is_host_char((unsigned char)s[i - 1])) ||
		    !bayes_prefix_ci(s + i, n - i, name))
			continue;
		v = s + i + w;
		while (v < s + n && (*v == ' ' || *v == '\t' || *v == '\n'))
			v++;
		if (v >= s + n || *v != '=')
			continue;
		for (v++; v < s + n && (*v == ' ' || *v == '\t' || *v == '\n');)
			v++;
		q = v < s + n && (*v == '"' || *v == '\'') ? *v++ : 0;
		for (*len = 0; v + *len < s + n && (q ? v[*len] != q :
		    v[*len] != ' ' && v[*len] != '>'); (*len)++)
			;
		return v;
	}
	return NULL;
}

/*
 * A character reference at s into out (text/entity.c); its length or
 * 0.  A no-break space is a space: it separates words.
 */
static size_t
html_entity(const char *s, size_t n, struct buf *out)
{
	unsigned cp;
	size_t k;

	if ((k = html_charref(s, n, 0, &cp)) == 0)
		return 0;
	utf8_put(out, cp == 0xa0 ? ' ' : cp);
	return k;
}

/* Skip past the end tag </name ...>; returns where the text goes on. */
static size_t
skip_element(const char *s, size_t n, size_t i, const char *name)
{
	char end[24];
	const char *p;

	snprintf(end, sizeof(end), "</%s", name);
	if ((p = bayes_find_ci(s + i, n - i, end)) == NULL)
		return n;
	i = (size_t)(p - s);
	p = memchr(s + i, '>', n - i);
	return p ? (size_t)(p - s) + 1 : n;
}

/*
 * The visible text of HTML into out, with entities decoded; tags become
 * "h:NAME" tokens and the hosts of their links "url:" tokens.  Block
 * tags separate words; inline tags do not, so "V<b></b>iagra" is one
 * word, as a reader sees it.  Comments, scripts and styles are skipped.
 */
void
bayes_html(struct bayes_tokens *t, const char *s, size_t n, struct buf *out)
{
	size_t i = 0, k, e, vl;
	const char *v, *gt;
	char name[16];
	int closing;

	while (i < n) {
		if (s[i] == '&' && (k = html_entity(s + i, n - i, out)) > 0) {
			i += k;
			continue;
		}
		if (s[i] != '<') {
			buf_addc(out, s[i++]);
			continue;
		}
		if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			v = bayes_find_ci(s + i + 4, n - i - 4, "-->");
			i = v ? (size_t)(v - s) + 3 : n;
			continue;
		}
		e = i + 1 + (i + 1 < n && s[i + 1] == '/');
		for (k = 0; e + k < n && k < sizeof(name) - 1 &&
		    ((s[e + k] >= 'a' && s[e + k] <= 'z') ||
		    (s[e + k] >= 'A' && s[e + k] <= 'Z') ||
		    (s[e + k] >= '0' && s[e + k] <= '9')); k++)
			name[k] = (char)(s[e + k] | 0x20);
		name[k] = '\0';
		if (k == 0 && (e >= n || (s[e] != '!' && s[e] != '?'))) {
			buf_addc(out, s[i++]);	/* a bare '<' is text */
			continue;
		}
		closing = i + 1 < n && s[i + 1] == '/';
		gt = memchr(s + i, '>', n - i);
		e = gt ? (size_t)(gt - s) + 1 : n;
		if (k > 0 && !closing) {
			bayes_add(t, "h:", name, k);
			if ((v = tag_attr(s + i, e - i, "href", &vl)) != NULL ||
			    (v = tag_attr(s + i, e - i, "src", &vl)) != NULL ||
			    (v = tag_attr(s + i, e - i, "action", &vl)) != NULL)
				bayes_links(t, v, vl);
		}
		if (in_list(block_tags, name))
			buf_addc(out, ' ');
		if (k > 0 && !closing && gt != NULL && gt[-1] != '/' &&
		    (strcmp(name, "script") == 0 || strcmp(name, "style") == 0))
			e = skip_element(s, n, e, name);
		i = e;
	}
}
