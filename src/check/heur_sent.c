/*
 * heur_sent.c - the index of sent mail (xd-heur --learn-sent) and the
 * check it serves: a reply to a message we sent (HEUR_REPLY_TO_SENT).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "url/url.h"
#include "store/store.h"
#include "check/check.h"
#include "check/heur_int.h"

/* --- the index of sent mail ------------------------------------------- */

/*
 * The Message-IDs of mail we sent, in the store (xd-store(5)) under the
 * table "sent": learned by --learn-sent, looked up for the In-Reply-To
 * and References of mail that comes in.
 */
static const struct store_table sent_table = {
	"sent", 2 * 366 * 86400LL, 100000
};

static struct store *
sent_store(struct heur *h, const char **why)
{
	if (h->store_state == 0) {
		h->store = store_open(NULL, why);
		h->store_state = h->store != NULL ? 1 : -1;
	} else if (h->store_state < 0)
		*why = "no store";
	return h->store;
}

/* An id as the index keys it: without <> or white space. */
static size_t
id_key(const char *s, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < ID_MAX; i++)
		if (s[i] != '<' && s[i] != '>' && s[i] != '\0' &&
		    !isspace((unsigned char)s[i]))
			out[k++] = s[i];
	out[k] = '\0';
	return k;
}

struct learn {
	struct heur	*h;
	struct store	*st;
	unsigned long	 seen, added, failed;
	struct buf	 id;
};

static int
learn_flush(struct learn *l)
{
	const char *why;
	size_t n = store_pending(l->st);

	if (n == 0)
		return 0;
	if (store_run(l->st, &why) != 0) {
		xd_warnx("%s: %s", store_url(l->st), why);
		l->failed += n;
		return -1;
	}
	l->added += n;
	return 0;
}

static void
learn_message(struct learn *l, const char *path, off_t off, off_t len)
{
	struct locator loc = { (char *)(uintptr_t)path, off, len };
	struct message *m;
	const char *why;
	char key[ID_MAX + 1];

	l->seen++;
	if ((m = message_open(&loc, &why)) == NULL) {
		xd_warnx("%s: %s", path, why);
		l->failed++;
		return;
	}
	if (message_msgid(m, "Message-ID", &l->id, ID_MAX * 2) &&
	    id_key(l->id.s, l->id.len, key) > 0)
		store_add(l->st, &sent_table, key, 1, 0, NULL);
	message_free(m);
	if (store_pending(l->st) >= 1000)
		learn_flush(l);
}

static void
learn_file(struct learn *l, const char *path)
{
	struct mbox *mb;
	off_t off, len;
	FILE *fp;
	char head[5];

	if ((fp = fopen(path, "r")) == NULL) {
		xd_warn("%s", path);
		l->failed++;
		return;
	}
	if (fread(head, 1, 5, fp) == 5 && memcmp(head, "From ", 5) == 0) {
		rewind(fp);
		mb = mbox_open(fp);
		while (mbox_next(mb, &off, &len) == 1)
			learn_message(l, path, off, len);
		mbox_close(mb);
	} else
		learn_message(l, path, 0, -1);
	fclose(fp);
}

/* One folder of a maildir: 0, or -1 if it is not there. */
static int
learn_folder(struct learn *l, const char *dir, const char *sub)
{
	struct dirent *de;
	DIR *d;
	char *p;

	xasprintf(&p, "%s/%s", dir, sub);
	d = opendir(p);
	free(p);
	if (d == NULL) {
		if (errno != ENOENT) {
			xd_warn("%s/%s", dir, sub);
			l->failed++;
		}
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&p, "%s/%s/%s", dir, sub, de->d_name);
		learn_file(l, p);
		free(p);
	}
	closedir(d);
	return 0;
}

/*
 * Learn the Message-IDs of sent mail from maildirs, mbox files or
 * message files, counted into *done for the main to report.  Returns
 * 0, or -1 if some could not be read or written (each warned of).
 */
int
heur_learn_sent(struct heur *h, const char *const *paths, size_t n,
    struct sent_learned *done)
{
	struct learn l;
	struct stat st;
	const char *why;
	size_t i;
	int found;

	memset(&l, 0, sizeof(l));
	memset(done, 0, sizeof(*done));
	l.h = h;
	if ((l.st = sent_store(h, &why)) == NULL) {
		xd_warnx("store: %s", why);
		return -1;
	}
	buf_init(&l.id);
	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			found = learn_folder(&l, paths[i], "cur") == 0;
			found |= learn_folder(&l, paths[i], "new") == 0;
			if (!found) {
				xd_warnx("%s: not a maildir (no cur/ or new/)",
				    paths[i]);
				l.failed++;
			}
		} else
			learn_file(&l, paths[i]);
	}
	learn_flush(&l);
	buf_free(&l.id);
	done->seen = l.seen;
	done->added = l.added;
	done->store = store_url(l.st);
	return l.failed ? -1 : 0;
}


/*
 * In-Reply-To or References names a message we sent.  All the ids are
 * looked up in one batch; a store that cannot answer is said with
 * HEUR_SENT_TEMPFAIL, which weighs nothing.
 */
void
check_reply(struct view *v)
{
	static const char *const headers[] = {
		"In-Reply-To", "References", NULL
	};
	const char *const *hd;
	const char *raw, *lt, *gt, *why;
	struct store_val got[REFS_MAX];
	char key[ID_MAX + 1], ids[REFS_MAX][ID_MAX + 1];
	struct store *st = NULL;
	int pos, i, n = 0;

	for (hd = headers; *hd != NULL; hd++) {
		pos = 0;
		if ((raw = message_header_next(v->m, *hd, &pos)) == NULL)
			continue;
		for (lt = raw; n < REFS_MAX && (lt = strchr(lt, '<')) != NULL;
		    lt = gt) {
			if ((gt = strchr(lt, '>')) == NULL)
				break;
			if (id_key(lt, (size_t)(gt - lt), key) == 0)
				continue;
			if (st == NULL && (st = sent_store(v->h, &why)) == NULL)
				return;		/* no store configured */
			memcpy(ids[n], key, sizeof(key));
			store_get(st, &sent_table, ids[n], &got[n]);
			n++;
		}
	}
	if (n == 0)
		return;
	if (store_run(st, &why) != 0) {
		add_symbol(v, "HEUR_SENT_TEMPFAIL", why);
		return;
	}
	for (i = 0; i < n; i++)
		if (got[i].last != 0) {
			add_symbol(v, "HEUR_REPLY_TO_SENT", ids[i]);
			return;
		}
}
