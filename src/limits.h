/*
 * limits.h - the bounds put on one hostile message, and the names of
 * those hit.  See xd.conf(5) for the keys and xd-stream(5) for the
 * symbols they raise.
 */
#ifndef XD_LIMITS_H
#define XD_LIMITS_H

#include <stddef.h>
#include <sys/types.h>

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
 * hdrlimit.c: the header of a message counted before GMime sees it,
 * cut at max_header_fields fields or max_header_size bytes.  The scan
 * feeds it every line up to the empty one that ends the header.
 */
struct hdrlimit {
	long long	 max_fields;
	off_t		 max_bytes;
	off_t		 start;		/* first byte of the header */
	off_t		 field;		/* where the last field started */
	off_t		 cut;		/* where the header is cut, or -1 */
	off_t		 body;		/* the empty line after it, or -1 */
	long long	 fields;
	int		 why;		/* MSG_MANY_FIELDS or MSG_BIG_HEADER */
};

void	hdrlimit_start(struct hdrlimit *, off_t start);
int	hdrlimit_line(struct hdrlimit *, off_t line, off_t next, int first,
	    int empty);
void	hdrlimit_end(struct hdrlimit *, off_t end);
struct _GMimeStream;
struct _GMimeStream *hdrlimit_stream(const struct hdrlimit *, int fd,
	    off_t start, off_t end);

#endif
