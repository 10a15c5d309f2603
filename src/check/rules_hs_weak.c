/*
 * rules_hs_weak.c - which patterns Hyperscan is slow with in company.
 *
 * Hyperscan finds the literals of a database's patterns first and
 * starts their engines there.  A pattern one of whose alternatives can
 * begin with no literal at all, only a class ("[p|]h[e3]n", "\s",
 * "."), has an engine that runs over every byte, and in one database
 * with hundreds of others it slowed the whole scan: SpamAssassin's
 * FUZZY_ rules made the body scan a quarter slower than the same
 * patterns in two databases.  So those go into a second database of
 * their kind (rules_hs.c), and every text is scanned with both.  This
 * is only about speed: the two say together what the one said.
 */
#include <ctype.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "check/check.h"
#include "check/rules_int.h"

#define WEAK_DEPTH	8	/* groups looked into */

enum atom { A_NONE, A_LITERAL, A_CLASS, A_GROUP };

static int weak_alts(const char *, const char *, int);

/* The end of the class that starts at p, past its ']'. */
static const char *
class_end(const char *p, const char *end)
{
	const char *q;

	p++;
	if (p < end && *p == '^')
		p++;
	if (p < end && *p == ']')
		p++;
	while (p < end && *p != ']') {
		if (*p == '\\' && p + 1 < end)
			p += 2;
		else if (*p == '[' && p + 1 < end && p[1] == ':' &&
		    (q = memmem(p + 2, (size_t)(end - p - 2), ":]", 2)) != NULL)
			p = q + 2;
		else
			p++;
	}
	return p < end ? p + 1 : end;
}

/* The end of the group that starts at p, past its ')'. */
static const char *
group_end(const char *p, const char *end)
{
	long depth = 0;

	while (p < end) {
		if (*p == '\\' && p + 1 < end) {
			p += 2;
			continue;
		}
		if (*p == '[') {
			p = class_end(p, end);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
		p++;
	}
	return end;
}

/* The atom at p: its kind, where it ends, and its group's inside. */
static enum atom
atom(const char *p, const char *end, const char **aend, const char **in)
{
	const char *q;

	*in = NULL;
	if (*p == '\\' && p + 1 < end) {
		*aend = p + 2;
		if (strchr("pPx", p[1]) != NULL && p + 2 < end && p[2] == '{')
			*aend = group_end(p + 2, end);	/* braces as parens */
		if (strchr("bBAzZGK", p[1]) != NULL)
			return A_NONE;
		return strchr("sSwWdDhHvVRXNpPC", p[1]) != NULL ? A_CLASS :
		    A_LITERAL;
	}
	if (*p == '[') {
		*aend = class_end(p, end);
		return A_CLASS;
	}
	if (*p == '(') {
		*aend = group_end(p, end);
		if (p + 1 < end && p[1] != '?') {
			*in = p + 1;
			return A_GROUP;
		}
		if (p + 2 < end && (p[2] == '=' || p[2] == '!' ||
		    (p[2] == '<' && p + 3 < end && (p[3] == '=' || p[3] == '!'))))
			return A_NONE;		/* a lookaround */
		if (p + 2 < end && (p[2] == ':' || p[2] == '>')) {
			*in = p + 3;
			return A_GROUP;
		}
		if (p + 2 < end && (p[2] == '<' || p[2] == 'P') &&
		    (q = memchr(p, '>', (size_t)(*aend - p))) != NULL) {
			*in = q + 1;		/* (?<name>...) */
			return A_GROUP;
		}
		for (q = p + 2; q < *aend && (isalpha((unsigned char)*q) ||
		    *q == '-'); q++)
			;
		if (q < *aend && *q == ':') {
			*in = q + 1;		/* (?i:...) */
			return A_GROUP;
		}
		/* (?i) matches nothing; what else there is, as a class */
		return q < *aend && *q == ')' ? A_NONE : A_CLASS;
	}
	*aend = p + 1;
	if (*p == '^' || *p == '$')
		return A_NONE;
	return *p == '.' ? A_CLASS : A_LITERAL;
}

/* Past the quantifier at p, if any; whether it lets the atom be absent. */
static const char *
quantifier(const char *p, const char *end, int *optional)
{
	const char *q;

	*optional = 0;
	if (p >= end)
		return p;
	if (*p == '*' || *p == '?')
		*optional = 1;
	else if (*p == '{' && (q = memchr(p, '}', (size_t)(end - p))) != NULL &&
	    p + 1 < q && p[1] >= '0' && p[1] <= '9') {
		*optional = p[1] == '0' && (p[2] == ',' || p[2] == '}');
		p = q + 1;
		goto lazy;
	} else if (*p != '+')
		return p;
	p++;
lazy:
	if (p < end && (*p == '?' || *p == '+'))
		p++;
	return p;
}

/*
 * Can the alternative at *pp begin with no literal?  *pp goes past it,
 * to its '|' or end.
 */
static int
weak_seq(const char **pp, const char *end, int depth)
{
	const char *p = *pp, *aend, *in, *next;
	int decided = 0, weak = 0, optional;
	enum atom a;

	while (p < end && *p != '|') {
		a = atom(p, end, &aend, &in);
		next = quantifier(aend, end, &optional);
		if (!decided && a == A_CLASS)
			weak = decided = 1;
		else if (!decided && a == A_GROUP) {
			if (depth >= WEAK_DEPTH || weak_alts(in, aend > in ?
			    aend - 1 : in, depth + 1))
				weak = decided = 1;
			else if (!optional)
				decided = 1;
		} else if (!decided && a == A_LITERAL && !optional)
			decided = 1;
		p = next > p ? next : p + 1;
	}
	*pp = p;
	return decided ? weak : 1;
}

/* Can one of the alternatives in p..end begin with no literal? */
static int
weak_alts(const char *p, const char *end, int depth)
{
	for (;;) {
		if (weak_seq(&p, end, depth))
			return 1;
		if (p >= end)
			return 0;
		p++;		/* the '|' */
	}
}

/* Does the expression s (as Hyperscan gets it) need a database apart? */
int
rules_hs_weak(const char *s)
{
	return weak_alts(s, s + strlen(s), 0);
}
