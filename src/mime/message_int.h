/*
 * mime/message_int.h - what message.c and parts.c share: the parsed
 * message behind the opaque struct message of mime.h.
 */
#ifndef XD_MESSAGE_INT_H
#define XD_MESSAGE_INT_H

#include <gmime/gmime.h>

struct message {
	GMimeMessage	*mime;
	GMimeStream	*stream;	/* owns the file descriptor */
	char		*envelope;	/* sender on the From_ line */
	off_t		 size;
	int		 flags;
	void		*facts;		/* view_set_facts() */
	void		(*free_facts)(void *);
	struct received_memo *received;	/* received_parse_at() */
};

struct received_memo *received_memo_new(void);
void	 received_memo_free(struct received_memo *);

GMimeParserOptions *message_options(void);

#endif
