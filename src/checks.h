/*
 * checks.h - built-in checks of xd-heur that live outside heur.c.  Each
 * works on plain text given to it, so that it can be tested alone.
 */
#ifndef XD_CHECKS_H
#define XD_CHECKS_H

#include <stddef.h>
#include <time.h>

/* check_gtube.c: the GTUBE test strings */
enum { GTUBE_NONE, GTUBE_STANDARD, GTUBE_ADD_HEADER };
int	gtube_find(const char *, size_t);

/* check_msgid_time.c: Outlook's Message-ID, its time against Date: */
int	msgid_outlook_time_bad(const char *, time_t, time_t);

/* check_lookalike.c: hosts that look like a brand's, by ICU's skeletons */
struct lookalike;
struct lookalike *lookalike_new(void);	/* NULL when ICU cannot open */
void	 lookalike_free(struct lookalike *);
const char *lookalike_host(struct lookalike *, const char *);

/* check_attach.c: attachments by name */
int	attach_macro_name(const char *);

#endif
