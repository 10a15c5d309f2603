/*
 * url/url_int.h - between the files of src/url; not for the tools.
 */
#ifndef XD_URL_INT_H
#define XD_URL_INT_H

/* parse.c: one URL as written, split */
struct parts {
	const char	*auth, *path;	/* authority and what follows */
	size_t		 authlen, pathlen;
	const char	*scheme;	/* "http", "https" or "ftp" */
	unsigned	 flags;
};

size_t	 url_scheme_len(const char *, size_t, const char **);
int	 url_split(const char *, size_t, unsigned, struct parts *);
int	 url_split_auth(struct parts *, const char **, size_t *, unsigned *);
int	 url_default_port(const char *, unsigned);
void	 url_add_path(struct buf *, const char *, size_t, size_t, unsigned *);

/* url.c: the set */
ssize_t	 url_add(struct urls *, const char *, size_t, unsigned, int);
size_t	 url_budget(struct urls *, size_t);

#endif
