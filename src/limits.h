/*
 * limits.h - the bounds put on one hostile message, and the names of
 * those hit.  See xd.conf(5) for the keys and xd-stream(5) for the
 * symbols they raise.
 */
#ifndef XD_LIMITS_H
#define XD_LIMITS_H

#include <stddef.h>

/*
 * archive.c: zip archives read under one budget for a whole message, so
 * that no number of attachments, entries or nested archives costs more
 * than archive_max_entries, archive_max_bytes and archive_max_time.
 */
struct archive_budget {
	long long	 entries;	/* entries left to look at */
	long long	 bytes;		/* uncompressed bytes left to read */
	double		 cpu_end;	/* process CPU seconds it may reach */
	int		 started;
	const char	*hit;		/* "entries", "bytes", "time" or NULL */
};

/*
 * Called for each entry of an archive at depth (0 for an attachment);
 * returns 1 to read the entry and walk it as an archive in turn.
 */
typedef int (*archive_entry_fn)(const char *path, int encrypted, int depth,
    void *arg);

void	archive_budget_reset(struct archive_budget *);
void	archive_walk(struct archive_budget *, const char *data, size_t n,
	    int maxdepth, archive_entry_fn, void *arg);

/*
 * Lines starting "--" GMime may see.  Every part needs one, and a
 * legitimate message rarely has more than a few hundred.
 */
#define MSG_MAX_DASH_LINES	(5 * MSG_MAX_PARTS)

/*
 * hdrlimit.c: the header of a message cut at max_header_fields fields or
 * max_header_size bytes before GMime builds it.  Takes the stream's
 * reference and returns the stream to parse; MSG_MANY_FIELDS,
 * MSG_BIG_HEADER or MSG_MANY_PARTS go into the flags.
 */
struct _GMimeStream;
struct _GMimeStream *hdrlimit_apply(struct _GMimeStream *, int *flags);

#endif
