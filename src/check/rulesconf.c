/*
 * rulesconf.c - the rule files a configuration names, for xd-heur(1)
 * to run and xd-score(1) to describe: both must see the same rules.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "check/check.h"

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
	rs = rules_load_flags(use, k, st, flags);
	free(def);
	free(use);
	return rs;
}
