/*
 * msgview.c - the view of a message that every stage of one process
 * reads: the message parsed once.  A tool of the composed pipeline
 * holds nothing, and view_message() is message_open(); xd-check(1),
 * which runs every stage in one process, holds the messages of the
 * lines in flight, so that the stages after xd-parse find each message
 * parsed and none parses it again.  The view is keyed by the locator,
 * so a stage given any line finds that line's message or parses it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "mime/message_int.h"

struct held {
	char		*path;
	off_t		 offset, length;
	struct message	*m;		/* NULL: it could not be read */
	const char	*why;
	int		 err;		/* errno of "unreadable" */
};

static struct held *held;
static size_t nheld, capheld;
static int holding;
static off_t held_bytes;

/* From now on messages are kept until view_clear(). */
void
view_hold(void)
{
	holding = 1;
}

static struct held *
find(const struct locator *loc)
{
	size_t i;

	for (i = nheld; i-- > 0; )
		if (held[i].offset == loc->offset &&
		    held[i].length == loc->length &&
		    strcmp(held[i].path, loc->path) == 0)
			return &held[i];
	return NULL;
}

/*
 * The parsed message at loc, as message_open() gives it, the same
 * failure (*why, errno) included.  Give it back with view_release().
 */
struct message *
view_message(const struct locator *loc, const char **why)
{
	struct held *h;

	if (!holding)
		return message_open(loc, why);
	if ((h = find(loc)) == NULL) {
		if (nheld == capheld) {
			capheld = capheld ? capheld * 2 : 16;
			held = xrealloc(held, capheld * sizeof(*held));
		}
		h = &held[nheld++];
		h->path = xstrdup(loc->path);
		h->offset = loc->offset;
		h->length = loc->length;
		errno = 0;
		h->why = NULL;
		h->m = message_open(loc, &h->why);
		h->err = errno;
		if (h->m != NULL)
			held_bytes += message_size(h->m);
	}
	if (h->m == NULL) {
		*why = h->why;
		errno = h->err;
	}
	return h->m;
}

/* Done with m for now: freed unless the view holds it. */
void
view_release(struct message *m)
{
	if (!holding)
		message_free(m);
}

/* How many messages, and bytes of them, are held. */
size_t
view_held(off_t *bytes)
{
	if (bytes != NULL)
		*bytes = held_bytes;
	return nheld;
}

/* Every message held is freed; the view still holds from now on. */
void
view_clear(void)
{
	size_t i;

	for (i = 0; i < nheld; i++) {
		message_free(held[i].m);
		free(held[i].path);
	}
	nheld = 0;
	held_bytes = 0;
}

/*
 * The facts a higher layer derived from m (its tokens, say), so that
 * every stage of one process reads them as computed once; NULL until
 * set.  They are freed with the message, by free_facts.
 */
void *
view_facts(const struct message *m)
{
	return m->facts;
}

void
view_set_facts(struct message *m, void *facts, void (*free_facts)(void *))
{
	if (m->free_facts != NULL)
		m->free_facts(m->facts);
	m->facts = facts;
	m->free_facts = free_facts;
}
