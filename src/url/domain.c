/*
 * domain.c - registered domains and public suffixes of host names,
 * from the Public Suffix List through libpsl.
 *
 * A registered domain is the public suffix a host ends in and the one
 * label before it ("news.bbc.co.uk" is "bbc.co.uk").  A host that is
 * itself a public suffix ("co.uk", "uk.com", "k12.ak.us", a wildcard's
 * match like "c.mm") has none: nobody registered it.
 */
#include <ctype.h>
#include <stdio.h>
#include <idn2.h>
#include <libpsl.h>
#include <string.h>

#include "base/base.h"
#include "url/url.h"

static psl_ctx_t *psl_latest_ctx;
static int psl_tried;

/*
 * The Public Suffix List: the newest of the file Debian's publicsuffix
 * package keeps current and the copy built into libpsl.
 */
static const psl_ctx_t *
psl_ctx(void)
{
	if (!psl_tried) {
		psl_tried = 1;
		psl_latest_ctx = psl_latest(NULL);
	}
	return psl_latest_ctx != NULL ? psl_latest_ctx : psl_builtin();
}

void
url_shutdown(void)
{
	if (psl_latest_ctx != NULL)
		psl_free(psl_latest_ctx);
	psl_latest_ctx = NULL;
	psl_tried = 0;
}

/* Does host end in ".local" or is it "local"? */
static int
is_mdns(const char *host)
{
	size_t n = strlen(host);

	return strcmp(host, "local") == 0 ||
	    (n > 6 && strcmp(host + n - 6, ".local") == 0);
}

/*
 * The registered domain of a normalised host name, or NULL.  libpsl
 * takes an unlisted top-level domain by the list's '*' rule, so that
 * "example.local" would be a registered domain; but .local is the
 * link-local names of multicast DNS (RFC 6762), which no one can
 * register, and the list's own tests say so.
 */
const char *
url_domain(const char *host)
{
	if (is_mdns(host))
		return NULL;
	return psl_registrable_domain(psl_ctx(), host);
}

/*
 * The registered domain of host in lower case into out (cap bytes), or
 * the host itself in lower case if it has none: the one form the
 * checks compare domains in.  Returns out.
 */
const char *
url_domain_lower(const char *host, char *out, size_t cap)
{
	const char *d;
	char tmp[256];
	size_t i;

	snprintf(tmp, sizeof(tmp), "%s", host);
	for (i = 0; tmp[i] != '\0'; i++)
		tmp[i] = (char)tolower((unsigned char)tmp[i]);
	d = url_domain(tmp);
	snprintf(out, cap, "%s", d != NULL ? d : tmp);
	return out;
}

/* 1 if host ends in a suffix the list names, not only by its '*' rule. */
int
url_known_suffix(const char *host)
{
	const char *reg = url_domain(host), *dot;

	if (reg == NULL || (dot = strchr(reg, '.')) == NULL)
		return 0;
	return psl_is_public_suffix2(psl_ctx(), dot + 1,
	    PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

/*
 * 1 if host ends in a suffix of the list's ICANN section, the one the
 * root zone delegates: "www.foo.com" does, "www.foo.notatld" does not.
 * A private suffix alone ("blogspot.com") still ends in an ICANN one.
 */
int
url_icann_suffix(const char *host)
{
	const char *p;

	for (p = host; p != NULL; p = (p = strchr(p, '.')) ? p + 1 : NULL)
		if (*p != '\0' && psl_is_public_suffix2(psl_ctx(), p,
		    PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE))
			return 1;
	return 0;
}

/*
 * The registered domain of a host as written (any case, U-labels or
 * A-labels, ideographic full stops, a final dot) into out, in the form
 * the host was given: U-labels stay U-labels.  -1 if there is none, or
 * no host.
 */
int
url_registered_domain(const char *host, struct buf *out)
{
	struct buf norm;
	const char *dom;
	char *uni = NULL;
	int is_ip, rc = -1;

	buf_init(&norm);
	buf_reset(out);
	if (url_host(host, strlen(host), &norm, &is_ip) != 0 || is_ip ||
	    (dom = url_domain(norm.s)) == NULL)
		goto done;
	rc = 0;
	if (text_is_ascii(host, strlen(host)) ||
	    idn2_to_unicode_8z8z(dom, &uni, 0) != IDN2_OK)
		buf_adds(out, dom);
	else
		buf_adds(out, uni);
	idn2_free(uni);
done:
	buf_free(&norm);
	return rc;
}
