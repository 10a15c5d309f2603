/*
 * rulesconf.c - the rule files a configuration names, for xd-heur(1)
 * to run and xd-score(1) to describe: both must see the same rules.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "check/check.h"
#include "check/rules_int.h"

/*
 * The configured set last loaded whole, and the files it was loaded
 * from: xd-check's score stage reads the scores of the set its heur
 * stage has already read, which is SpamAssassin's 20000 lines again
 * for every delivery, so it is handed the same set (rules_conf_drop).
 */
static struct ruleset *whole;
static char *whole_key;
static int whole_refs;		/* holders besides the first */

static struct ruleset *shared(const char **, size_t, struct rules_stats *,
    int);

/*
 * The rule files: paths when n > 0, else xd.conf "rules", loaded with
 * rules_load_flags().  In the list "shipped" stands for the share
 * directory's rules (the default, so that "rules += FILE" adds to
 * them) and "none" for no file; a list of only "none" loads no rules at
 * all: NULL with *none set.  Otherwise NULL is a failure that
 * rules_load() has reported.
 */
struct ruleset *
rules_load_conf(const char *const *paths, size_t n, struct rules_stats *st,
    int *none, int flags)
{
	const char *const *items;
	const char **use;
	struct ruleset *rs;
	char *def = NULL;
	size_t i, k = 0;

	*none = 0;
	if (n > 0)
		return rules_load_flags(paths, n, st, flags);
	n = conf_list("rules", &items);
	use = xcalloc(n + 1, sizeof(*use));
	for (i = 0; i < n; i++)
		if (strcmp(items[i], "shipped") == 0) {
			if (def == NULL)
				use[k++] = def = xd_sharepath("rules");
		} else if (strcmp(items[i], "none") != 0)
			use[k++] = items[i];
	if (k == 0 && n > 0) {
		*none = 1;
		memset(st, 0, sizeof(*st));
		free(use);
		return NULL;
	}
	if (k == 0)	/* an empty list: the default */
		use[k++] = def = xd_sharepath("rules");
	rs = shared(use, k, st, flags);
	free(def);
	free(use);
	return rs;
}

/* The files, one a line: what a set loaded from them is known by. */
static char *
files_key(const char **use, size_t k)
{
	struct buf key;
	size_t i;

	buf_init(&key);
	for (i = 0; i < k; i++) {
		buf_adds(&key, use[i]);
		buf_addc(&key, '\n');
	}
	return key.s != NULL ? key.s : xstrdup("");
}

/*
 * The set of these files: for the scores only (RULES_SCORES), the one
 * loaded whole if it is still there; a set loaded whole is kept as
 * that one.  The files are read once either way.
 */
static struct ruleset *
shared(const char **use, size_t k, struct rules_stats *st, int flags)
{
	struct ruleset *rs;
	char *key = files_key(use, k);

	if (whole != NULL && (flags & RULES_SCORES) &&
	    strcmp(key, whole_key) == 0) {
		free(key);
		whole_refs++;
		*st = whole->st;
		return whole;
	}
	rs = rules_load_flags(use, k, st, flags);
	if (rs != NULL && flags == 0) {
		free(whole_key);
		whole_refs = 0;
		whole = rs;
		whole_key = key;
	} else
		free(key);
	return rs;
}

/*
 * rules_free() of rs: 1 if another holder keeps it, else 0 (it is
 * freed, and no longer handed out).
 */
int
rules_conf_drop(struct ruleset *rs)
{
	if (rs != whole)
		return 0;
	if (whole_refs > 0) {
		whole_refs--;
		return 1;
	}
	whole = NULL;
	free(whole_key);
	whole_key = NULL;
	return 0;
}
