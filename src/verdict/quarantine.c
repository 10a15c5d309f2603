/*
 * quarantine.c - what a quarantine maildir holds, one line a message,
 * read from each stored copy: its date, sender and subject, and the
 * score and reasons xd wrote into its X-Spam-Status field.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "verdict/verdict.h"

#define QLIST_MAX	100000	/* messages listed at most */
#define QLIST_VALUE	300	/* bytes of a shown field */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of dir/new and dir/cur, sorted: by time, as names start. */
static size_t
quarantine_files(const char *dir, char ***out)
{
	static const char *const subs[] = { "new", "cur" };
	char **names = NULL, *path;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	for (i = 0; i < 2; i++) {
		xasprintf(&path, "%s/%s", dir, subs[i]);
		d = opendir(path);
		while (d != NULL && (de = readdir(d)) != NULL && n < QLIST_MAX) {
			if (de->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = xrealloc(names, cap * sizeof(*names));
			}
			xasprintf(&names[n++], "%s/%s", path, de->d_name);
		}
		if (d != NULL)
			closedir(d);
		free(path);
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	*out = names;
	return n;
}

/* The value of "key=" among the words of an X-Spam-Status field. */
static void
status_word(const char *status, const char *key, struct buf *out)
{
	const char *p = status;
	size_t k = strlen(key);

	buf_reset(out);
	for (; (p = strstr(p, key)) != NULL; p += k)
		if (p == status || p[-1] == ' ' || p[-1] == '\t') {
			p += k;
			buf_add(out, p, strcspn(p, " \t\r\n"));
			return;
		}
	buf_adds(out, "");
}

static void
add_field(struct buf *line, const char *v)
{
	if (line->len > 0)
		buf_addc(line, '\t');
	log_escapes(v, line);
}

/* One message's line, without its newline; -1 with *why if unreadable. */
static int
quarantine_line(const char *path, struct buf *line, const char **why)
{
	struct locator loc = { (char *)(uintptr_t)path, 0, -1 };
	struct message *m;
	struct buf v, status;
	char date[32] = "";
	time_t t;
	struct tm tm;

	if ((m = message_open(&loc, why)) == NULL)
		return -1;
	buf_init(&v);
	buf_init(&status);
	buf_reset(line);
	if (message_date(m, &t) == 0 && gmtime_r(&t, &tm) != NULL)
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
	add_field(line, date);
	if (message_addrs(m, "From", &v, NULL, 1, QLIST_VALUE) != 1)
		buf_reset(&v), buf_adds(&v, "");
	add_field(line, v.s);
	if (!message_subject(m, &v, QLIST_VALUE))
		buf_reset(&v), buf_adds(&v, "");
	add_field(line, v.s);
	if (!message_header(m, "X-Spam-Status", &status, 4096))
		buf_adds(&status, "");
	status_word(status.s, "score=", &v);
	add_field(line, v.s);
	status_word(status.s, "tests=", &v);
	add_field(line, v.s);
	add_field(line, path);
	buf_free(&v);
	buf_free(&status);
	message_free(m);
	return 0;
}

/*
 * Write one line per message of the quarantine maildir dir to out:
 * date (UTC), sender, subject, score, reasons, path, tab-separated and
 * escaped (log_escape).  Returns how many could not be read, each
 * given to warn_fn, or -1 when dir holds no maildir.
 */
int
quarantine_list(const char *dir, FILE *out,
    void (*warn_fn)(const char *, const char *))
{
	struct buf line;
	const char *why;
	char **names, *sub;
	size_t i, n;
	int bad = 0, there;

	xasprintf(&sub, "%s/cur", dir);
	there = access(sub, X_OK) == 0;
	free(sub);
	if (!there)
		return -1;
	n = quarantine_files(dir, &names);
	buf_init(&line);
	for (i = 0; i < n; i++) {
		if (quarantine_line(names[i], &line, &why) == -1) {
			warn_fn(names[i], why);
			bad++;
		} else
			fprintf(out, "%s\n", line.s);
		free(names[i]);
	}
	free(names);
	buf_free(&line);
	return bad;
}
