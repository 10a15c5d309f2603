/*
 * rules_hs.c - Hyperscan as a prefilter, the way rspamd uses it: the
 * body, rawbody, uri and full patterns of a set are compiled into
 * databases per kind of text (HS_FLAG_PREFILTER, HS_FLAG_SINGLEMATCH;
 * two a kind, see rules_prefilter.c),
 * each text is scanned once, and PCRE2 runs only the rules Hyperscan
 * says may match.  Prefilter mode never misses a match, and PCRE2 has
 * the final say, so counts, tflags multiple and evidence stay as they
 * were; a pattern Hyperscan cannot take is run through PCRE2 always.
 *
 * Compiling the databases takes far longer than a delivery, so they
 * are kept beside the compiled patterns (rules_cache.c), in a file
 * named by a digest of every pattern, its options, Hyperscan's version
 * and the machine; its contents carry a SHA-256 and are rebuilt when
 * anything is off.  XD_RULES_PREFILTER=off turns it off, to compare.
 *
 * The databases are loaded for a process's second message (HS_AFTER),
 * as PCRE2's JIT is: mapping megabytes of them costs one message more
 * than it saves, so a delivery (xd filter) runs as without Hyperscan.
 * Built without Hyperscan (pkg-config finds no libhs), this file only
 * says that no rule is in a database.
 */
#include <sys/mman.h>
#include <sys/utsname.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"
#include "check/check.h"
#include "check/rules_int.h"

#define HS_URI		2	/* the kind of uri rules */

/* Which kind of text a rule is run on: a database each; -1 for none. */
int
rules_hs_kind(const struct rule *r)
{
	switch (r->type) {
	case R_BODY:	return 0;
	case R_RAWBODY:	return 1;
	case R_URI:	return HS_URI;
	case R_FULL:	return 3;
	default:	return -1;
	}
}

#ifndef XD_HYPERSCAN

void
rules_hs_build(struct ruleset *rs)
{
	(void)rs;
}

int
rules_hs_todo(struct ruleset *rs, int k)
{
	(void)rs, (void)k;
	return 0;
}

void
rules_hs_scan(struct ruleset *rs, int k, const char *s, size_t n)
{
	(void)rs, (void)k, (void)s, (void)n;
}


int
rules_hs_may(const struct ruleset *rs, const struct rule *r)
{
	(void)rs, (void)r;
	return 1;
}

void
rules_hs_free(struct ruleset *rs)
{
	(void)rs;
}

#else

#include <hs.h>

#define HS_MAGIC	"xd-hs-cache 4\n"
#define DIGEST		32
/* Two databases a kind, k and k + HS_KINDS: see rules_prefilter.c. */
#define HS_DBS		(2 * HS_KINDS)

struct rules_hs {
	hs_database_t	*db[HS_DBS];
	hs_scratch_t	*scratch;
	uint64_t	 scanned[HS_KINDS];	/* the message each was for */
	uint64_t	 bad[HS_KINDS];		/* a scan failed: run PCRE2 */
	struct buf	 uris;			/* the links, a line each */
};

/* Can Hyperscan take r's pattern as PCRE2 has it? */
static int
candidate(const struct rule *r)
{
	uint32_t all = 0;

	if (!r->needed || r->re == NULL || r->state != S_OK ||
	    rules_hs_kind(r) < 0 || memchr(r->pattern, '\0', r->patlen))
		return 0;
	if (pcre2_pattern_info(r->re, PCRE2_INFO_ALLOPTIONS, &all) != 0 ||
	    (all & PCRE2_UTF))
		return 0;	/* Hyperscan's UTF-8 mode wants valid text */
	return 1;
}

static unsigned
hs_flags(const struct rule *r)
{
	unsigned f = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH |
	    HS_FLAG_ALLOWEMPTY;

	if (r->options & PCRE2_CASELESS)
		f |= HS_FLAG_CASELESS;
	if (r->options & PCRE2_DOTALL)
		f |= HS_FLAG_DOTALL;
	if ((r->options & PCRE2_MULTILINE) || r->type == R_BODY ||
	    r->type == R_RAWBODY)
		f |= HS_FLAG_MULTILINE;	/* as compile() does */
	if (r->type == R_URI)
		f |= HS_FLAG_MULTILINE;	/* the links a line each */
	return f;
}

/*
 * A counted repeat, "{2,200}" at p: its bounds, and where it ends; NULL
 * if the brace is a literal one.  max is -1 for no upper bound.
 */
static const char *
counted(const char *p, const char *end, long *min, long *max)
{
	char *e;

	if (p + 1 >= end || !isdigit((unsigned char)p[1]))
		return NULL;
	*min = strtol(p + 1, &e, 10);
	*max = *min;
	if (e < end && *e == ',') {
		*max = e + 1 < end && isdigit((unsigned char)e[1]) ?
		    strtol(e + 1, &e, 10) : (e++, -1);
	}
	return e < end && *e == '}' ? e + 1 : NULL;
}

/*
 * The expression as Hyperscan reads it: /x as an inline option, and
 * repeats counted past RELAX_OVER made open ("{0,200}" as "*",
 * "{3,90}" as "+").  That matches more, never less, which is all a
 * prefilter may do, and keeps the databases small: ".{0,200}" alone
 * made one pattern's database 600 KB and its compiling half a second.
 * Word boundaries (\b, \B) outside lookarounds are dropped too, for
 * the same reason: they cost a quarter of the body scan.  Uri rules
 * are run on all the links at once, a line each (scan_uris()), so
 * there \A and \z mean a line's start and end.
 */
#define RELAX_OVER	8
#define LOOK_DEPTH	64	/* groups tracked for lookarounds */

struct expr {
	const char	*p, *end;
	struct buf	 b;
	int		 uri;
	int		 keep;			/* \b dropped nowhere */
	int		 depth;			/* open groups */
	int		 looks;			/* open lookarounds */
	unsigned char	 look[LOOK_DEPTH];	/* is that group one */
};

/* An escape at e->p: copied, dropped or made what it means per line. */
static void
escape(struct expr *e)
{
	const char *p = e->p, *q = p + 2;

	if (strchr("xopPNgk", p[1]) != NULL && q < e->end && *q == '{') {
		q = memchr(q, '}', (size_t)(e->end - q));
		q = q != NULL ? q + 1 : e->end;
	}
	if ((p[1] == 'b' || p[1] == 'B') && !e->keep && e->looks == 0 &&
	    e->depth < LOOK_DEPTH)
		;		/* a word boundary: more matches, never less */
	else if (e->uri && p[1] == 'A')
		buf_addc(&e->b, '^');
	else if (e->uri && (p[1] == 'z' || p[1] == 'Z'))
		buf_addc(&e->b, '$');
	else
		buf_add(&e->b, p, (size_t)(q - p));
	e->p = q;
}

/* A parenthesis at e->p: which groups are lookarounds. */
static void
paren(struct expr *e)
{
	const char *p = e->p;
	int look;

	if (*p == '(') {
		look = p + 2 < e->end && p[1] == '?' && (p[2] == '=' ||
		    p[2] == '!' || (p[2] == '<' && p + 3 < e->end &&
		    (p[3] == '=' || p[3] == '!')));
		if (e->depth < LOOK_DEPTH)
			e->look[e->depth] = (unsigned char)look;
		e->depth++;
		e->looks += look;
	} else if (e->depth > 0) {
		e->depth--;
		if (e->depth < LOOK_DEPTH)
			e->looks -= e->look[e->depth];
	}
	buf_addc(&e->b, *e->p++);
}

static char *
expression(const struct rule *r)
{
	struct expr e;
	const char *q;
	long min, max;
	int inclass = 0;

	memset(&e, 0, sizeof(e));
	e.p = r->pattern;
	e.end = e.p + r->patlen;
	e.uri = r->type == R_URI;
	/* comments and \Q...\E could hide a lookaround's parentheses */
	e.keep = (r->options & PCRE2_EXTENDED) ||
	    memmem(e.p, r->patlen, "\\Q", 2) != NULL;
	buf_init(&e.b);
	if (r->options & PCRE2_EXTENDED)
		buf_adds(&e.b, "(?x)");
	while (e.p < e.end) {
		const char *p = e.p;

		if (*p == '\\' && p + 1 < e.end) {
			if (inclass) {
				buf_add(&e.b, p, 2);
				e.p += 2;
			} else
				escape(&e);
			continue;
		}
		if (!inclass && *p == '[') {
			inclass = 1;
			buf_addc(&e.b, *e.p++);
			if (e.p < e.end && *e.p == '^')
				buf_addc(&e.b, *e.p++);
			if (e.p < e.end && *e.p == ']')
				buf_addc(&e.b, *e.p++);
			continue;
		}
		if (inclass && *p == '[' && p + 1 < e.end && p[1] == ':' &&
		    (q = memmem(p + 2, (size_t)(e.end - p - 2), ":]", 2)) != NULL) {
			buf_add(&e.b, p, (size_t)(q + 2 - p));
			e.p = q + 2;
			continue;
		}
		if (inclass && *p == ']')
			inclass = 0;
		else if (!inclass && (*p == '(' || *p == ')')) {
			paren(&e);
			continue;
		} else if (!inclass && *p == '{' && (q = counted(p, e.end,
		    &min, &max)) != NULL && (min > RELAX_OVER || max < 0 ||
		    max > RELAX_OVER)) {
			buf_addc(&e.b, min == 0 ? '*' : '+');
			e.p = q;
			continue;
		}
		buf_addc(&e.b, *e.p++);
	}
	buf_addc(&e.b, '\0');
	return e.b.s;
}

/* The cache file's name: a digest of all the databases depend on. */
static char *
hs_path(const struct ruleset *rs)
{
	struct utsname u;
	struct buf key;
	char *path;
	size_t i;

	buf_init(&key);
	buf_adds(&key, HS_MAGIC);
	buf_adds(&key, hs_version());
	if (uname(&u) == 0)
		buf_printf(&key, " %s\n", u.machine);
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->r[i];

		if (!candidate(r))
			continue;
		buf_printf(&key, "%zu %d %u %zu\n", i, (int)r->type,
		    (unsigned)r->options, r->patlen);
		buf_add(&key, r->pattern, r->patlen);
	}
	path = rules_cache_file("hs", &key);
	buf_free(&key);
	return path;
}

/*
 * Compile database d from the candidates: those of kind d % HS_KINDS
 * whose expressions start weak or not, as d / HS_KINDS says.  A
 * pattern that Hyperscan refuses is dropped and the rest compiled
 * again; bounded by the number of patterns.  The ids that made it are
 * in ids[0..*n).
 */
static hs_database_t *
compile_db(struct ruleset *rs, int d, unsigned *ids, unsigned *n)
{
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;
	hs_expr_info_t *info;
	char **ex = xcalloc(rs->n + 1, sizeof(*ex));
	unsigned *fl = xcalloc(rs->n + 1, sizeof(*fl)), m = 0, i;
	size_t j;

	for (j = 0; j < rs->n; j++) {
		struct rule *r = &rs->r[j];

		if (!candidate(r) || rules_hs_kind(r) != d % HS_KINDS)
			continue;
		ex[m] = expression(r);
		if (rules_hs_weak(ex[m]) != d / HS_KINDS) {
			free(ex[m]);
			continue;
		}
		fl[m] = hs_flags(r);
		info = NULL;
		if (hs_expression_info(ex[m], fl[m], &info, &err) !=
		    HS_SUCCESS) {
			hs_free_compile_error(err);
			free(ex[m]);
			continue;
		}
		free(info);
		ids[m++] = (unsigned)j;
	}
	while (m > 0 && hs_compile_multi((const char *const *)ex, fl, ids, m,
	    HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
		int bad = err->expression;

		hs_free_compile_error(err);
		db = NULL;
		if (bad < 0 || (unsigned)bad >= m)
			break;		/* not one pattern's fault: none */
		free(ex[bad]);
		m--;
		memmove(ex + bad, ex + bad + 1, (m - (unsigned)bad) * sizeof(*ex));
		memmove(fl + bad, fl + bad + 1, (m - (unsigned)bad) * sizeof(*fl));
		memmove(ids + bad, ids + bad + 1, (m - (unsigned)bad) *
		    sizeof(*ids));
	}
	for (i = 0; i < m; i++)
		free(ex[i]);
	free(ex);
	free(fl);
	*n = db != NULL ? m : 0;
	return db;
}

/*
 * The layout: magic, a check of the rest but the databases, then for
 * each database there is: its d, n, n rule indexes, length, and
 * what hs_serialize_database() wrote.  hs_deserialize_database() checks
 * a CRC of each database itself; hashing megabytes again for every
 * delivery would cost more than the scan.
 */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		h = (h ^ *s++) * 1099511628211ULL;
	return h;
}

#define FNV_START	14695981039346656037ULL

static void
save(const char *path, struct buf *out, uint64_t check)
{
	memcpy(out->s + strlen(HS_MAGIC), &check, sizeof(check));
	if (rules_cache_mkdir(path) == 0)
		rules_cache_write(path, (unsigned char *)out->s, out->len);
}

static void
build(struct ruleset *rs, struct rules_hs *h, const char *path)
{
	unsigned *ids = xcalloc(rs->n + 1, sizeof(*ids)), n, i;
	uint64_t l, check = FNV_START;
	struct buf out;
	size_t len, at;
	uint32_t w;
	char *ser;
	int k;

	buf_init(&out);
	buf_adds(&out, HS_MAGIC);
	buf_add(&out, (char *)&check, sizeof(check));
	for (k = 0; k < HS_DBS; k++) {
		if ((h->db[k] = compile_db(rs, k, ids, &n)) == NULL)
			continue;
		for (i = 0; i < n; i++)
			rs->r[ids[i]].hs = 1;
		if (hs_serialize_database(h->db[k], &ser, &len) != HS_SUCCESS)
			continue;
		at = out.len;
		w = (uint32_t)k;
		buf_add(&out, (char *)&w, sizeof(w));
		w = n;
		buf_add(&out, (char *)&w, sizeof(w));
		buf_add(&out, (char *)ids, n * sizeof(*ids));
		l = len;
		buf_add(&out, (char *)&l, sizeof(l));
		check = fnv(check, out.s + at, out.len - at);
		buf_add(&out, ser, len);
		free(ser);
	}
	if (path != NULL)
		save(path, &out, check);
	buf_free(&out);
	free(ids);
}

/* The databases from the cache file p; -1 if it is not wholly right. */
static int
load(struct ruleset *rs, struct rules_hs *h, const unsigned char *p,
    size_t len)
{
	size_t m = strlen(HS_MAGIC), off = m + sizeof(uint64_t), at, i;
	uint64_t l, want, check = FNV_START;
	uint32_t k, n, id;

	if (len < off || memcmp(p, HS_MAGIC, m) != 0)
		return -1;
	memcpy(&want, p + m, sizeof(want));
	while (off < len) {
		at = off;
		if (len - off < 2 * sizeof(k))
			return -1;
		memcpy(&k, p + off, sizeof(k));
		memcpy(&n, p + off + sizeof(k), sizeof(n));
		off += 2 * sizeof(k);
		if (k >= HS_DBS || h->db[k] != NULL ||
		    n > (len - off) / sizeof(id))
			return -1;
		for (i = 0; i < n; i++, off += sizeof(id)) {
			memcpy(&id, p + off, sizeof(id));
			if (id >= rs->n || !candidate(&rs->r[id]) ||
			    rules_hs_kind(&rs->r[id]) != (int)(k % HS_KINDS))
				return -1;
		}
		if (len - off < sizeof(l))
			return -1;
		memcpy(&l, p + off, sizeof(l));
		off += sizeof(l);
		check = fnv(check, p + at, off - at);
		if (l > len - off || hs_deserialize_database((const char *)p +
		    off, (size_t)l, &h->db[k]) != HS_SUCCESS)
			return -1;
		for (i = 0; i < n; i++) {
			memcpy(&id, p + off - sizeof(l) - (n - i) * sizeof(id),
			    sizeof(id));
			rs->r[id].hs = 1;
		}
		off += (size_t)l;
	}
	return check == want ? 0 : -1;
}

static void
drop(struct ruleset *rs, struct rules_hs *h)
{
	size_t i;
	int k;

	for (k = 0; k < HS_DBS; k++) {
		hs_free_database(h->db[k]);
		h->db[k] = NULL;
	}
	for (i = 0; i < rs->n; i++)
		rs->r[i].hs = 0;
}

/* After the patterns are compiled: the databases, from the cache or new. */
void
rules_hs_build(struct ruleset *rs)
{
	const char *off = getenv("XD_RULES_PREFILTER");
	struct rules_hs *h;
	unsigned char *p;
	char *path;
	size_t len;
	int k;

	if ((off != NULL && strcmp(off, "off") == 0) ||
	    hs_valid_platform() != HS_SUCCESS)
		return;
	h = xcalloc(1, sizeof(*h));
	buf_init(&h->uris);
	path = hs_path(rs);
	if (path != NULL && (p = rules_cache_map(path, &len)) != NULL) {
		if (load(rs, h, p, len) != 0)
			drop(rs, h);
		munmap(p, len);
	}
	for (k = 0; k < HS_DBS && h->db[k] == NULL; k++)
		;
	if (k == HS_DBS)
		build(rs, h, path);
	free(path);
	for (k = 0; k < HS_DBS; k++)
		if (h->db[k] != NULL && hs_alloc_scratch(h->db[k],
		    &h->scratch) != HS_SUCCESS)
			break;
	if (k < HS_DBS) {
		drop(rs, h);
		hs_free_scratch(h->scratch);
		free(h);
		return;
	}
	rs->hs = h;
}

/* Is kind k's text still to be scanned for this message?  Now it is. */
int
rules_hs_todo(struct ruleset *rs, int k)
{
	struct rules_hs *h = rs->hs;

	if (h == NULL || k < 0 || (h->db[k] == NULL &&
	    h->db[k + HS_KINDS] == NULL) || h->scanned[k] == rs->gen)
		return 0;
	h->scanned[k] = rs->gen;
	return 1;
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	struct ruleset *rs = arg;

	(void)from, (void)to, (void)flags;
	rs->r[id].hsgen = rs->gen;
	return 0;
}

/*
 * The links of the message in one text, a line each: their expressions
 * see \A and \z as a line's start and end, and a match that spans
 * lines only makes PCRE2 run where it need not.  NULL if there are none.
 */
static const char *
uri_lines(struct ruleset *rs, size_t *n)
{
	struct rules_hs *h = rs->hs;
	size_t i;

	if (rs->msg->nuris == 0)
		return NULL;
	buf_reset(&h->uris);
	for (i = 0; i < rs->msg->nuris; i++) {
		buf_adds(&h->uris, rs->msg->uris[i]);
		buf_addc(&h->uris, '\n');
	}
	*n = h->uris.len;
	return h->uris.s;
}

/*
 * Scan one text of kind k, with both its databases; for uri rules the
 * message's links, s and n unused.
 */
void
rules_hs_scan(struct ruleset *rs, int k, const char *s, size_t n)
{
	struct rules_hs *h = rs->hs;
	int d;

	if (k == HS_URI && (s = uri_lines(rs, &n)) == NULL)
		return;		/* no links: nothing for uri rules to match */

	for (d = k; d < HS_DBS; d += HS_KINDS)
		if (h->db[d] != NULL && (n > 0xffffffffU || hs_scan(h->db[d],
		    s != NULL ? s : "", (unsigned)n, 0, h->scratch, on_match,
		    rs) != HS_SUCCESS))
			h->bad[k] = rs->gen;
}

/* Must PCRE2 run r on this message: may it match? */
int
rules_hs_may(const struct ruleset *rs, const struct rule *r)
{
	int k = rules_hs_kind(r);

	if (!r->hs || rs->hs == NULL || k < 0 || rs->hs->bad[k] == rs->gen)
		return 1;
	return r->hsgen == rs->gen;
}

void
rules_hs_free(struct ruleset *rs)
{
	if (rs->hs == NULL)
		return;
	drop(rs, rs->hs);
	buf_free(&rs->hs->uris);
	hs_free_scratch(rs->hs->scratch);
	free(rs->hs);
	rs->hs = NULL;
}

#endif
