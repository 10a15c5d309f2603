/*
 * digest.c - MD5 and SHA-256 through GLib's GChecksum, which GMime
 * loads anyway: linking OpenSSL's libcrypto for two digests cost every
 * process's start more than the digests of a message.
 */
#include <glib.h>

#include "base/base.h"
#include "mime/mime.h"

struct digest {
	GChecksum	*g;
};

struct digest *
digest_new(int kind)
{
	struct digest *d = xmalloc(sizeof(*d));

	d->g = g_checksum_new(kind == DIGEST_SHA256 ? G_CHECKSUM_SHA256 :
	    G_CHECKSUM_MD5);
	/* GLib builds in both kinds and gives NULL only for a kind it
	 * lacks; what can fail is memory, which ends the process. */
	if (d->g == NULL)
		xd_nomem();
	return d;
}

void
digest_add(struct digest *d, const void *p, size_t n)
{
	g_checksum_update(d->g, p, (gssize)n);
}

/* The digest into out (DIGEST_MAX bytes of room); d is freed. */
unsigned int
digest_end(struct digest *d, unsigned char *out)
{
	gsize n = DIGEST_MAX;

	g_checksum_get_digest(d->g, out, &n);
	g_checksum_free(d->g);
	free(d);
	return (unsigned int)n;
}

unsigned int
digest_once(int kind, const void *p, size_t n, unsigned char *out)
{
	struct digest *d = digest_new(kind);

	digest_add(d, p, n);
	return digest_end(d, out);
}
