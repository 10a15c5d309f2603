/*
 * check_lookalike.c - host names that look like a big brand's and are
 * not: "pаypal" with a Cyrillic a, "paypa1", "rnicrosoft".
 *
 * Two strings look alike when Unicode's confusable skeletons of them
 * (UTS #39, as ICU's spoof checker computes them) are equal: the
 * skeleton maps every character to the prototype of the characters it
 * is confused with ("1" and "l" to "l", "rn" and "m" to "rn", Cyrillic
 * "а" to "a").  A label of a host whose skeleton holds a brand's
 * skeleton, but whose letters do not spell the brand, is a look-alike.
 * A label all ASCII gets its skeleton from the ASCII rows of ICU's
 * table (ascii_proto below), so ICU and its confusables data are opened
 * only for a label that is not: most mail never needs them.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unicode/uspoof.h>

#include "check/check.h"

#define SKEL_MAX	1024	/* bytes of one skeleton */
#define LABEL_MAX	64	/* bytes of one DNS label, RFC 1035 */
#define WHOLE_MIN	5	/* shorter brands must be the whole label */

/* Brands phishing copies, as they spell their names in host names. */
static const char *const brands[] = {
	"paypal", "microsoft", "office365", "outlook", "onedrive",
	"sharepoint", "apple", "icloud", "amazon", "google", "gmail",
	"netflix", "ebay", "docusign", "dropbox", "linkedin", "facebook",
	"instagram", "whatsapp", "chase", "wellsfargo", "bankofamerica",
	"citibank", "hsbc", "barclays", "santander", "americanexpress",
	"dhl", "fedex", "usps", "coinbase", "binance", "adobe", "yahoo",
};
#define NBRANDS	(sizeof(brands) / sizeof(brands[0]))

/*
 * The prototypes ICU 72's uspoof_getSkeleton() maps ASCII characters
 * to, the ones not mapped to themselves.  A skeleton is made character
 * by character (UTS #39: NFD, each character to its prototype, NFD),
 * and NFD leaves ASCII alone, so these rows give the skeleton of any
 * ASCII string.  Printed by ICU itself; t/unit.c checks that they agree
 * with it (test_lookalike_skeleton).
 */
static const char *const ascii_proto[128] = {
	['"'] = "''",
	['%'] = "\xc2\xba/\xe2\x82\x80",
	['0'] = "O",
	['1'] = "l",
	['I'] = "l",
	['`'] = "'",
	['m'] = "rn",
	['|'] = "l",
};

/*
 * ICU is opened with dlopen() at the first host checked, not linked:
 * loading and relocating it cost every process that starts more than
 * the check itself (xd filter's start-up).  Its names carry the
 * version of the headers built against (uspoof_open_72).
 */
#define XSTR(x)		STR(x)
#define STR(x)		#x
#define ICU_I18N	"libicui18n.so." XSTR(U_ICU_VERSION_MAJOR_NUM)
static USpoofChecker *(*icu_open)(UErrorCode *);
static void (*icu_close)(USpoofChecker *);
static int32_t (*icu_skeleton)(const USpoofChecker *, uint32_t,
    const char *, int32_t, char *, int32_t, UErrorCode *);

static int
icu_load(void)
{
	static void *lib;

	if (lib != NULL)
		return 0;
	if ((lib = dlopen(ICU_I18N, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return -1;
	icu_open = (USpoofChecker *(*)(UErrorCode *))dlsym(lib,
	    XSTR(uspoof_open));
	icu_close = (void (*)(USpoofChecker *))dlsym(lib, XSTR(uspoof_close));
	icu_skeleton = (int32_t (*)(const USpoofChecker *, uint32_t,
	    const char *, int32_t, char *, int32_t, UErrorCode *))dlsym(lib,
	    XSTR(uspoof_getSkeletonUTF8));
	if (icu_open == NULL || icu_close == NULL || icu_skeleton == NULL) {
		dlclose(lib);
		lib = NULL;
		return -1;
	}
	return 0;
}

struct lookalike {
	USpoofChecker	*sc;		/* opened at the first non-ASCII label */
	int		 icu_failed;
	char		*skel[NBRANDS];
};

static void
lower_ascii(char *s)
{
	for (; *s != '\0'; s++)
		*s = tolower((unsigned char)*s);
}

/* The skeleton of an ASCII string, from ascii_proto; -1 if too long. */
static int
ascii_skeleton(const char *s, char *out, size_t cap)
{
	const char *p;
	char one[2] = { 0, 0 };
	size_t n = 0, k;

	for (; *s != '\0'; s++) {
		if ((p = ascii_proto[(unsigned char)*s]) == NULL) {
			one[0] = *s;
			p = one;
		}
		if ((k = strlen(p)) >= cap - n)
			return -1;
		memcpy(out + n, p, k);
		n += k;
	}
	out[n] = '\0';
	return 0;
}

/* ICU's skeleton of s into out; 0, or -1 when ICU fails. */
static int
icu_skeleton_of(USpoofChecker *sc, const char *s, char *out, size_t cap)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	n = icu_skeleton(sc, 0, s, -1, out, (int32_t)cap, &st);
	if (U_FAILURE(st) || n < 0 || (size_t)n >= cap)
		return -1;
	out[n] = '\0';
	return 0;
}

/* ICU's spoof checker, opened the first time it is needed. */
static USpoofChecker *
icu_checker(struct lookalike *l)
{
	UErrorCode st = U_ZERO_ERROR;

	if (l->sc == NULL && !l->icu_failed) {
		if (icu_load() != 0 || (l->sc = icu_open(&st)) == NULL ||
		    U_FAILURE(st)) {
			if (l->sc != NULL)
				icu_close(l->sc);
			l->sc = NULL;
			l->icu_failed = 1;
		}
	}
	return l->sc;
}

/*
 * The lower-cased skeleton of s into out: in-house when s is ASCII
 * and ICU is not asked for; 0, or -1 when it cannot be had.
 */
static int
skeleton(struct lookalike *l, const char *s, int icu, char *out, size_t cap)
{
	USpoofChecker *sc;

	if (!icu && text_is_ascii(s, strlen(s))) {
		if (ascii_skeleton(s, out, cap) != 0)
			return -1;
	} else if ((sc = icu_checker(l)) == NULL ||
	    icu_skeleton_of(sc, s, out, cap) != 0)
		return -1;
	lower_ascii(out);
	return 0;
}

/* For the tests: the skeleton of s, by ICU when icu is set. */
int
lookalike_skeleton(struct lookalike *l, const char *s, int icu, char *out,
    size_t cap)
{
	return skeleton(l, s, icu, out, cap);
}

/* For the tests: the i-th brand, NULL past the last. */
const char *
lookalike_brand(size_t i)
{
	return i < NBRANDS ? brands[i] : NULL;
}

struct lookalike *
lookalike_new(void)
{
	struct lookalike *l;
	char buf[SKEL_MAX];
	size_t i;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	/* The brands are ASCII: no ICU for them. */
	for (i = 0; i < NBRANDS; i++) {
		if (skeleton(l, brands[i], 0, buf, sizeof(buf)) != 0 ||
		    (l->skel[i] = strdup(buf)) == NULL)
			goto fail;
	}
	return l;
fail:
	lookalike_free(l);
	return NULL;
}

void
lookalike_free(struct lookalike *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < NBRANDS; i++)
		free(l->skel[i]);
	if (l->sc != NULL)
		icu_close(l->sc);
	free(l);
}

/* The brand one label (UTF-8, lower case) copies, or NULL. */
static const char *
label_brand(struct lookalike *l, const char *label)
{
	char skel[SKEL_MAX];
	size_t i, n;

	if (skeleton(l, label, 0, skel, sizeof(skel)) != 0)
		return NULL;	/* no ICU for a label that needs it */
	for (i = 0; i < NBRANDS; i++) {
		n = strlen(brands[i]);
		if (strstr(label, brands[i]) != NULL)
			return NULL;	/* spelt out: the brand, or a name of it */
		if (n < WHOLE_MIN ? strcmp(skel, l->skel[i]) == 0 :
		    strstr(skel, l->skel[i]) != NULL)
			return brands[i];
	}
	return NULL;
}

/*
 * The brand a host name (ASCII, IDN labels as punycode) looks like
 * without being it, or NULL.  The last label, the top-level domain, is
 * not looked at.
 */
const char *
lookalike_host(struct lookalike *l, const char *host)
{
	char *u = NULL, label[LABEL_MAX * 4 + 1];
	const char *p, *dot, *brand = NULL;
	size_t n;

	if (l == NULL || host == NULL)
		return NULL;
	/* Only an IDN label (xn--) has Unicode to show. */
	if (strcasestr(host, "xn--") != NULL &&
	    idn2_to_unicode_8z8z(host, &u, 0) != IDN2_OK)
		u = NULL;
	for (p = u != NULL ? u : host; brand == NULL &&
	    (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		if ((n = (size_t)(dot - p)) == 0 || n >= sizeof(label))
			continue;
		memcpy(label, p, n);
		label[n] = '\0';
		lower_ascii(label);
		brand = label_brand(l, label);
	}
	idn2_free(u);
	return brand;
}
