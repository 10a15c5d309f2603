/*
 * msgtokens.c - a message's tokens computed once: xd-bayes and xd-lr
 * read the same words (and xd-lr the text they were read from), so in
 * one process (xd-check) the first stage tokenizes and the next reads
 * what it kept with the message in its view (view_set_facts()).
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/base.h"
#include "mime/mime.h"
#include "store/store.h"
#include "check/check.h"

struct msgtokens {
	struct bayes_tokens t;
	struct buf	 view;
};

static void
msgtokens_free(void *arg)
{
	struct msgtokens *mt = arg;

	bayes_tokens_free(&mt->t);
	buf_free(&mt->view);
	free(mt);
}

/*
 * The tokens of m as bayes_tokenize() makes them, with its view of the
 * text (LR_VIEW bytes); they last as long as m.
 */
const struct bayes_tokens *
message_tokens(struct message *m, const char *xdtag)
{
	struct msgtokens *mt;

	if ((mt = view_facts(m)) != NULL)
		return &mt->t;
	mt = xcalloc(1, sizeof(*mt));
	bayes_tokens_init(&mt->t);
	buf_init(&mt->view);
	mt->t.view = &mt->view;
	mt->t.view_max = LR_VIEW;
	bayes_tokenize(m, &mt->t, xdtag);
	view_set_facts(m, mt, msgtokens_free);
	return &mt->t;
}
