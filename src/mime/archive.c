/*
 * archive.c - walk the entries of archives in memory under a budget.
 *
 * A zip of a few megabytes can hold gigabytes: a thousand entries of
 * zeros inflate at a ratio of a thousand to one, and zips inside zips
 * multiply that.  One budget covers every archive of a message, however
 * many are attached: entries looked at, bytes inflated, and CPU time.
 * The time is checked as libarchive reads its input, in small blocks,
 * so that even a long skip inside libarchive stops soon after the
 * budget is spent.  When the budget runs out the walk stops and says
 * which bound it hit; the caller turns that into a symbol.
 */
#include <errno.h>
#include <string.h>
#include <time.h>


#include "base/base.h"
#include "mime/mime.h"
#include "mime/archive_dl.h"

#define BLOCK		(64 * 1024)	/* input handed to libarchive at once */
#define INNER_MAX	(10 * 1024 * 1024)	/* bytes of an inner archive */

struct source {
	const char		*data;
	size_t			 n, pos;
	struct archive_budget	*b;
};

static double
cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The budget for the next message; the clock starts at its first archive. */
void
archive_budget_reset(struct archive_budget *b)
{
	b->entries = conf_int("archive_max_entries");
	b->bytes = (long long)conf_size("archive_max_bytes");
	b->cpu_end = 0;
	b->started = 0;
	b->hit = NULL;
}

static int
out_of_time(struct archive_budget *b)
{
	if (b->hit == NULL && cpu_now() > b->cpu_end)
		b->hit = "time";
	return b->hit != NULL;
}

static la_ssize_t
source_read(struct archive *a, void *arg, const void **out)
{
	struct source *s = arg;
	size_t n = s->n - s->pos < BLOCK ? s->n - s->pos : BLOCK;

	if (out_of_time(s->b)) {
		archive_set_error(a, ETIMEDOUT, "archive budget spent");
		return -1;
	}
	*out = s->data + s->pos;
	s->pos += n;
	return (la_ssize_t)n;
}

static la_int64_t
source_seek(struct archive *a, void *arg, la_int64_t off, int whence)
{
	struct source *s = arg;
	la_int64_t to;

	(void)a;
	if (whence == SEEK_SET)
		to = off;
	else if (whence == SEEK_CUR)
		to = (la_int64_t)s->pos + off;
	else
		to = (la_int64_t)s->n + off;
	if (to < 0 || to > (la_int64_t)s->n)
		return ARCHIVE_FATAL;
	s->pos = (size_t)to;
	return to;
}

static la_int64_t
source_skip(struct archive *a, void *arg, la_int64_t want)
{
	struct source *s = arg;
	la_int64_t left = (la_int64_t)(s->n - s->pos);

	(void)a;
	if (want > left)
		want = left;
	if (want < 0)
		want = 0;
	s->pos += (size_t)want;
	return want;
}

/* The entry's data into inner, within the budget; 0 when all was read. */
static int
read_entry(struct archive *a, struct archive_budget *b, struct buf *inner)
{
	char tmp[8192];
	la_ssize_t got;

	buf_reset(inner);
	for (;;) {
		if (out_of_time(b))
			return -1;
		if ((got = archive_read_data(a, tmp, sizeof(tmp))) <= 0)
			return got == 0 ? 0 : -1;
		if (b->bytes < got) {
			b->bytes = 0;
			b->hit = "bytes";
			return -1;
		}
		b->bytes -= got;
		if (inner->len + (size_t)got > INNER_MAX)
			return -1;	/* too big to be a zip worth reading */
		buf_add(inner, tmp, (size_t)got);
	}
}

static void
walk(struct archive_budget *b, const char *data, size_t n, int depth,
    int maxdepth, archive_entry_fn fn, void *arg)
{
	struct source src = { data, n, 0, b };
	struct archive *a;
	struct archive_entry *e;
	struct buf inner;
	const char *path;

	if ((a = archive_read_new()) == NULL)
		return;
	/* what malware is sent in: zip, rar, 7z, tar (gzip, bzip2, xz),
	 * cab and lha; not raw, which would take any file */
	archive_read_support_format_zip(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_lha(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_set_read_callback(a, source_read);
	archive_read_set_seek_callback(a, source_seek);
	archive_read_set_skip_callback(a, source_skip);
	archive_read_set_callback_data(a, &src);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		archive_read_free(a);
		return;
	}
	buf_init(&inner);
	while (b->hit == NULL && archive_read_next_header(a, &e) ==
	    ARCHIVE_OK) {
		if (b->entries <= 0) {
			b->hit = "entries";
			break;
		}
		b->entries--;
		if ((path = archive_entry_pathname(e)) == NULL)
			continue;
		if (fn(path, archive_entry_is_encrypted(e), depth, arg) &&
		    depth + 1 < maxdepth && read_entry(a, b, &inner) == 0)
			walk(b, inner.s ? inner.s : "", inner.len, depth + 1,
			    maxdepth, fn, arg);
	}
	buf_free(&inner);
	archive_read_free(a);
}

/*
 * Call fn for each entry of the archive data[n], and of the
 * archives fn asks to open, at most maxdepth levels deep, until the
 * budget is spent (b->hit says why).
 */
void
archive_walk(struct archive_budget *b, const char *data, size_t n,
    int maxdepth, archive_entry_fn fn, void *arg)
{
	if (!b->started) {
		b->started = 1;
		b->cpu_end = cpu_now() + conf_double("archive_max_time");
	}
	/* without libarchive a zip is an attachment unread, no error */
	if (b->hit == NULL && !out_of_time(b) && archive_lib_load() == 0)
		walk(b, data, n, 0, maxdepth, fn, arg);
}
