/*
 * bayes_html.c - the tokens of HTML for xd-bayes(1) (see bayes.c), from
 * the view's one reading of the part (mime/htmlview.c): "h:NAME" for
 * each start tag and "url:" tokens for the link of each tag.  The words
 * are those of the reading's every text, seen or not, read by bayes.c.
 */
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "policy/policy.h"
#include "check/check.h"
#include "check/bayes_int.h"

#define TAG_TOKEN_MAX	15	/* bytes of a tag name in its token */

/* The link of one tag: its href, else its src, else its action. */
static const struct html_link *
tag_link(const struct html_view *v, size_t *i)
{
	static const char *const order[] = { "href", "src", "action", NULL };
	const struct html_link *best = NULL;
	size_t tagno = v->links[*i].tagno, rank, best_rank = 3;

	for (; *i < v->nlinks && v->links[*i].tagno == tagno; (*i)++)
		for (rank = 0; order[rank] != NULL && rank < best_rank; rank++)
			if (strcmp(v->links[*i].attr, order[rank]) == 0) {
				best = &v->links[*i];
				best_rank = rank;
			}
	return best;
}

/*
 * A tag's token: its name as far as it is letters and digits, as mail
 * clients name tags ("o:p" is "o"), at most TAG_TOKEN_MAX bytes.
 */
static void
tag_token(struct bayes_tokens *t, const char *name)
{
	size_t k;

	for (k = 0; k < TAG_TOKEN_MAX && ((name[k] >= 'a' && name[k] <= 'z') ||
	    (name[k] >= '0' && name[k] <= '9')); k++)
		;
	if (k > 0)
		bayes_add(t, "h:", name, k);
}

/* The tags and links of an HTML reading into t. */
void
bayes_html(struct bayes_tokens *t, const struct html_view *v)
{
	const struct html_link *l;
	const char *name = v->tags.s;
	size_t i, end = v->tags.len;

	for (; name != NULL && name < v->tags.s + end; name += strlen(name) + 1)
		tag_token(t, name);
	for (i = 0; i < v->nlinks; )
		if ((l = tag_link(v, &i)) != NULL)
			bayes_links(t, l->value, l->len);
}
