/*
 * describe.c - one line for people about each symbol, for the reports
 * of xd-score(1): built-in symbols from a table (share/descriptions),
 * rules from their describe lines.
 *
 * A table line is "NAME text" or "PREFIX* text"; a pattern covers a
 * family whose names follow configured list names (RBL_<list>), and the
 * longest one that fits wins, as in xd-weights(5).  A report is made
 * for one message or a few, so a list searched in order is enough.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "check/check.h"
#include "verdict/verdict.h"

#define DESC_LINE	1024	/* longest line of the table */
#define DESC_TEXT	300	/* longest description */
#define DESC_MAX	10000	/* entries in the table */

struct dentry {
	char		*name;		/* "HEUR_NO_DATE" or "RBL_*" */
	size_t		 len;		/* of the name, or of the prefix */
	int		 prefix;
	char		*text;
};

struct descriptions {
	char		*path;
	struct dentry	*e;		/* names, then prefixes longest first */
	size_t		 n, nnames;
	const struct ruleset *rs;
};

static int
is_symbol(const char *s, size_t n)
{
	return is_symbol_name(s, n) && stream_valid_name(s, n);
}

static const struct dentry *
find_name(const struct descriptions *d, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < d->nnames; i++)
		if (d->e[i].len == n && memcmp(d->e[i].name, name, n) == 0)
			return &d->e[i];
	return NULL;
}

static const struct dentry *
find_pattern(const struct descriptions *d, const char *pat)
{
	size_t i;

	for (i = d->nnames; i < d->n; i++)
		if (strcmp(d->e[i].name, pat) == 0)
			return &d->e[i];
	return NULL;
}

/* Names first, in file order; patterns after them, longest first. */
static void
insert(struct descriptions *d, const char *name, size_t len, int prefix,
    const char *text)
{
	size_t i;

	d->e = xrealloc(d->e, (d->n + 1) * sizeof(*d->e));
	if (!prefix)
		i = d->nnames++;
	else
		for (i = d->n; i > d->nnames && d->e[i - 1].len < len; i--)
			;
	memmove(&d->e[i + 1], &d->e[i], (d->n - i) * sizeof(*d->e));
	d->e[i].name = xstrdup(name);
	d->e[i].len = len;
	d->e[i].prefix = prefix;
	d->e[i].text = xstrdup(text);
	d->n++;
}

static const char *
parse_line(void *arg, char *line, unsigned long lineno)
{
	struct descriptions *d = arg;
	char *name = line, *text, *end;
	size_t len;
	int prefix;

	(void)lineno;
	name += strspn(name, " \t");
	if (*name == '\0' || *name == '#')
		return NULL;
	len = strcspn(name, " \t");
	text = name + len;
	text += strspn(text, " \t");
	if (*text == '\0')
		return "expected 'SYMBOL description' or 'PREFIX* description'";
	name[len] = '\0';
	end = text + strlen(text);
	while (end > text && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	*end = '\0';
	if (strlen(text) > DESC_TEXT)
		return "a description is one line of at most 300 bytes";
	prefix = name[len - 1] == '*';
	if (!is_symbol(name, prefix ? len - 1 : len))
		return "a symbol name starts with A-Z and holds only "
		    "A-Z a-z 0-9 _ . -, a pattern adds '*'";
	if (prefix ? find_pattern(d, name) != NULL :
	    find_name(d, name, len) != NULL)
		return "listed twice";
	if (d->n >= DESC_MAX)
		return "too many descriptions";
	insert(d, name, prefix ? len - 1 : len, prefix, text);
	return NULL;
}

/*
 * Load a table of descriptions, or with NULL the shared one.  Every
 * bad line is warned as file:line; then, or if the file cannot be
 * read, NULL.
 */
struct descriptions *
descriptions_load(const char *path)
{
	struct descriptions *d;
	FILE *fp;
	int rc;

	d = xcalloc(1, sizeof(*d));
	d->path = path ? xstrdup(path) : xd_sharepath("descriptions");
	if ((fp = fopen(d->path, "r")) == NULL) {
		xd_warn("%s", d->path);
		descriptions_free(d);
		return NULL;
	}
	rc = xd_read_lines(fp, d->path, DESC_LINE, parse_line, d);
	fclose(fp);
	if (rc != 0) {
		descriptions_free(d);
		return NULL;
	}
	return d;
}

/* Rules describe themselves: ask rs about names the table lacks. */
void
descriptions_rules(struct descriptions *d, const struct ruleset *rs)
{
	d->rs = rs;
}

void
descriptions_free(struct descriptions *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->e[i].name);
		free(d->e[i].text);
	}
	free(d->e);
	free(d->path);
	free(d);
}

const char *
descriptions_path(const struct descriptions *d)
{
	return d->path;
}

/*
 * The description of the symbol name (n bytes, no value): the table's
 * own line for it, else its rule's describe line, else the longest
 * pattern that fits; NULL when none has one.  "PREFIX*" asks for that
 * pattern's own line only.
 */
const char *
descriptions_find(const struct descriptions *d, const char *name, size_t n)
{
	const struct dentry *e;
	const char *text;
	char *pat;
	size_t i;

	if (n > 0 && name[n - 1] == '*') {
		pat = xstrndup(name, n);
		e = find_pattern(d, pat);
		free(pat);
		return e ? e->text : NULL;
	}
	if ((e = find_name(d, name, n)) != NULL)
		return e->text;
	if (d->rs != NULL && (text = rules_describe(d->rs, name, n)) != NULL &&
	    *text != '\0')
		return text;
	for (i = d->nnames; i < d->n; i++)
		if (n >= d->e[i].len && memcmp(name, d->e[i].name,
		    d->e[i].len) == 0)
			return d->e[i].text;
	return NULL;
}

/* What xd-bayes --explain and xd-score --why say of an untrained store. */
void
describe_untrained(struct buf *b, long long ham, long long spam,
    long long min)
{
	buf_printf(b, "not trained yet: %lld ham and %lld spam learned, "
	    "Bayes needs at least %lld of each", ham, spam, min);
}
