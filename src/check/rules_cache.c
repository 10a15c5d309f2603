/*
 * rules_cache.c - the compiled patterns of a rule set kept on disk, so
 * that a process that checks one message (xd filter) does not compile
 * SpamAssassin's two thousand rules again for every delivery.
 *
 * The cache is a file of the user's cache directory, named by a digest
 * of what the patterns depend on: the rule files' paths, sizes, mtimes
 * and inodes, the PCRE2 version and this format.  It holds the patterns
 * PCRE2 compiled, serialised (pcre2_serialize_encode), each with a hash
 * of its text and options, and a check of all of it.  PCRE2 does not
 * check what it decodes, so a cache is used only when it is a regular
 * file of ours that no one else may write and its check is right;
 * anything else is ignored and written anew, through a temporary file
 * and rename(), mode 0600.  Patterns are still matched to their rules
 * one by one: a pattern whose hash differs is compiled, never trusted.
 * The hashes of the patterns too big for PCRE2 are kept as well: they
 * are left out again without compiling them, which costs the most.
 * The check is not a SHA-256: it guards against a file spoilt on disk,
 * not against a forger, who would have to be this user (and could
 * write a right SHA-256 as well), and hashing megabytes with SHA-256
 * cost SpamAssassin's rules 4 ms of every delivery.
 * Rule files are read as always, so mistakes are still reported.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "mime/mime.h"
#include "check/check.h"
#include "check/rules_int.h"

#define CACHE_MAGIC	"xd-rules-cache 4\n"
#define CACHE_MAX	(256 * 1024 * 1024)	/* bytes of a cache file */
#define CACHE_STALE	(30 * 86400)	/* seconds unread: swept */
#define CACHE_SWEEP	10000		/* names looked at by a sweep */
#define DIGEST		32			/* SHA-256, and the check */
#define LANES		(DIGEST / 8)

struct rcache {
	char		*path;		/* NULL: no cache directory */
	pcre2_code	**codes;	/* decoded, taken by the rules */
	uint64_t	*hash;
	int32_t		 n;
	uint64_t	*big;		/* the patterns too big for PCRE2 */
	int32_t		 nbig, bigcap;
	int32_t		 next;		/* the next code to hand out */
	int		 fresh;		/* a pattern was compiled here */
};

static void
sha256(const void *p, size_t n, unsigned char out[DIGEST])
{
	digest_once(DIGEST_SHA256, p, n, out);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64's finish: every bit of x into every bit of the result. */
static uint64_t
mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * The check of n bytes: four lanes of a multiply-rotate hash over
 * words, 32 bytes a round, each lane finished by mix().
 */
static void
check_sum(const unsigned char *p, size_t n, unsigned char out[DIGEST])
{
	uint64_t h[LANES], w;
	size_t i, k;

	for (k = 0; k < LANES; k++)
		h[k] = mix(n + k);
	for (i = 0; i + DIGEST <= n; i += DIGEST)
		for (k = 0; k < LANES; k++) {
			memcpy(&w, p + i + 8 * k, 8);
			h[k] = rotl(h[k] ^ w, 31) * 0x9e3779b97f4a7c15ULL;
		}
	for (k = 0; i < n; i++, k = (k + 1) % LANES)
		h[k] = rotl(h[k] ^ p[i], 31) * 0x9e3779b97f4a7c15ULL;
	for (k = 0; k < LANES; k++) {
		w = mix(h[k] ^ h[(k + 1) % LANES]);
		memcpy(out + 8 * k, &w, 8);
	}
}

/* The directory of the caches, or NULL when there is no home for it. */
static char *
cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir;

	if (xdg != NULL && *xdg == '/')
		xasprintf(&dir, "%s/xd", xdg);
	else if (home != NULL && *home == '/')
		xasprintf(&dir, "%s/.cache/xd", home);
	else
		return NULL;
	return dir;
}

/*
 * The cache file of kind ("rules", "hs") for key, all that its contents
 * depend on: named by a digest of it, in the cache directory; NULL when
 * there is none.
 */
char *
rules_cache_file(const char *kind, const struct buf *key)
{
	unsigned char d[DIGEST];
	char hex[2 * DIGEST + 1], *dir, *path;
	size_t i;

	if ((dir = cache_dir()) == NULL)
		return NULL;
	sha256(key->s, key->len, d);
	for (i = 0; i < DIGEST / 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	xasprintf(&path, "%s/%s-%s", dir, kind, hex);
	free(dir);
	return path;
}

/* The patterns' cache: they depend on the rule files and PCRE2. */
static char *
cache_path(const struct ruleset *rs)
{
	char ver[64], *path;
	struct buf key;
	struct stat sb;
	size_t i;

	buf_init(&key);
	pcre2_config(PCRE2_CONFIG_VERSION, ver);
	buf_adds(&key, CACHE_MAGIC);
	buf_adds(&key, ver);
	for (i = 0; i < rs->nfiles; i++) {
		if (stat(rs->files[i], &sb) != 0) {
			buf_free(&key);
			return NULL;
		}
		buf_printf(&key, "\n%s %lld %lld.%09ld %llu", rs->files[i],
		    (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
		    sb.st_mtim.tv_nsec, (unsigned long long)sb.st_ino);
	}
	path = rules_cache_file("rules", &key);
	buf_free(&key);
	return path;
}

/*
 * A pattern's hash, by check_sum()'s lanes, a word at a time: with
 * SpamAssassin's rules, hashing their patterns a byte at a time cost
 * 2 ms of every delivery (a few are hundreds of kilobytes).
 */
uint64_t
rules_cache_hash(const struct rule *r)
{
	unsigned char sum[DIGEST];
	uint64_t h;

	check_sum((const unsigned char *)r->pattern, r->patlen, sum);
	memcpy(&h, sum, sizeof(h));
	return h ^ ((uint64_t)r->options << 8) ^ (uint64_t)r->type;
}

/*
 * A cache file open for reading if it is ours alone and of a sane size,
 * else -1.  One in use is kept fresh for sweep(): its time is set to
 * now once a day.
 */
static int
open_ours(const char *path, struct stat *sb)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode) ||
	    sb->st_uid != geteuid() || (sb->st_mode & 022) != 0 ||
	    sb->st_size < 0 || sb->st_size > CACHE_MAX) {
		close(fd);
		return -1;
	}
	if (sb->st_mtime < time(NULL) - 86400)
		(void)futimens(fd, NULL);
	return fd;
}

/*
 * The cache files of rules no longer loaded would pile up: when one is
 * written, those of its kind (its name up to the '-') that no process
 * has read for CACHE_STALE seconds are removed, temporary files left by
 * a crash among them.  At most CACHE_SWEEP names are looked at.
 */
static void
sweep(const char *path)
{
	const char *base = strrchr(path, '/'), *dash;
	time_t stale = time(NULL) - CACHE_STALE;
	struct dirent *e;
	struct stat sb;
	char *dir;
	size_t n, seen = 0;
	DIR *d;

	if (base == NULL || (dash = strchr(++base, '-')) == NULL)
		return;
	n = (size_t)(dash - base) + 1;
	dir = xstrndup(path, (size_t)(base - 1 - path));
	if ((d = opendir(dir)) != NULL) {
		while (seen++ < CACHE_SWEEP && (e = readdir(d)) != NULL)
			if (strncmp(e->d_name, base, n) == 0 &&
			    strcmp(e->d_name, base) != 0 &&
			    fstatat(dirfd(d), e->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode) &&
			    sb.st_uid == geteuid() && sb.st_mtime < stale)
				(void)unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	free(dir);
}

/* The file, if it is ours alone and of a sane size; else NULL. */
unsigned char *
rules_cache_read(const char *path, size_t *len)
{
	unsigned char *p;
	struct stat sb;
	ssize_t got;
	size_t off = 0;
	int fd;

	if ((fd = open_ours(path, &sb)) == -1)
		return NULL;
	p = xmalloc((size_t)sb.st_size + 1);
	while (off < (size_t)sb.st_size && (got = read(fd, p + off,
	    (size_t)sb.st_size - off)) > 0)
		off += (size_t)got;
	close(fd);
	if (off != (size_t)sb.st_size) {
		free(p);
		return NULL;
	}
	*len = off;
	return p;
}

/*
 * The file mapped, if it is ours alone and of a sane size; else NULL.
 * For the Hyperscan databases: megabytes that are read once, not copied.
 */
void *
rules_cache_map(const char *path, size_t *len)
{
	struct stat sb;
	void *p;
	int fd;

	if ((fd = open_ours(path, &sb)) == -1)
		return NULL;
	if (sb.st_size == 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*len = (size_t)sb.st_size;
	return p;
}

/*
 * The layout: magic, check_sum() of the rest, number of codes n, number of
 * patterns too big nbig, nbig hashes, n hashes, then what
 * pcre2_serialize_encode() wrote (nothing when n is 0).
 */
static int
decode(struct rcache *c, const unsigned char *p, size_t len)
{
	size_t m = strlen(CACHE_MAGIC), hdr;
	unsigned char d[DIGEST];
	int32_t n, nbig;

	if (len < m + DIGEST + 2 * sizeof(n) || memcmp(p, CACHE_MAGIC, m) != 0)
		return -1;
	check_sum(p + m + DIGEST, len - m - DIGEST, d);
	if (memcmp(d, p + m, DIGEST) != 0)
		return -1;
	memcpy(&n, p + m + DIGEST, sizeof(n));
	memcpy(&nbig, p + m + DIGEST + sizeof(n), sizeof(nbig));
	hdr = m + DIGEST + 2 * sizeof(n);
	if (n < 0 || nbig < 0 || (size_t)n + (size_t)nbig > (len - hdr) /
	    sizeof(uint64_t))
		return -1;
	if (nbig > 0) {
		c->big = xcalloc((size_t)nbig, sizeof(uint64_t));
		memcpy(c->big, p + hdr, (size_t)nbig * sizeof(uint64_t));
		c->nbig = c->bigcap = nbig;
		hdr += (size_t)nbig * sizeof(uint64_t);
	}
	if (n == 0)
		return 0;
	if (len - hdr <= (size_t)n * sizeof(uint64_t) ||
	    pcre2_serialize_get_number_of_codes(p + hdr + (size_t)n *
	    sizeof(uint64_t)) != n)
		return -1;
	c->hash = xcalloc((size_t)n, sizeof(uint64_t));
	memcpy(c->hash, p + hdr, (size_t)n * sizeof(uint64_t));
	c->codes = xcalloc((size_t)n, sizeof(*c->codes));
	if (pcre2_serialize_decode(c->codes, n, p + hdr + (size_t)n *
	    sizeof(uint64_t), NULL) != n) {
		free(c->codes);
		free(c->hash);
		c->codes = NULL;
		c->hash = NULL;
		return -1;
	}
	c->n = n;
	return 0;
}

/* Before the patterns are compiled: what the cache has for this set. */
struct rcache *
rules_cache_open(const struct ruleset *rs)
{
	struct rcache *c = xcalloc(1, sizeof(*c));
	unsigned char *p;
	size_t len;

	if ((c->path = cache_path(rs)) == NULL)
		return c;
	if ((p = rules_cache_read(c->path, &len)) != NULL) {
		decode(c, p, len);
		free(p);
	}
	return c;
}

/* Whether r's pattern was too big for PCRE2 when the cache was made. */
static int
too_big(const struct rcache *c, uint64_t h)
{
	int32_t i;

	if (c == NULL || c->nbig == 0)
		return 0;
	for (i = 0; i < c->nbig; i++)
		if (c->big[i] == h)
			return 1;
	return 0;
}

/*
 * The cached code of r, if the next one is r's; else NULL, with *big
 * set if r's pattern was too big for PCRE2 when the cache was made.
 */
pcre2_code *
rules_cache_take(struct rcache *c, const struct rule *r, int *big)
{
	pcre2_code *re;
	uint64_t h;

	*big = 0;
	if (c == NULL)
		return NULL;
	h = rules_cache_hash(r);
	if (c->next >= c->n || c->hash[c->next] != h) {
		*big = too_big(c, h);
		return NULL;
	}
	re = c->codes[c->next];
	c->codes[c->next++] = NULL;
	return re;
}

/*
 * A pattern was compiled, not found (too_big: PCRE2 could not hold
 * it): the cache is to be written.
 */
void
rules_cache_compiled(struct rcache *c, const struct rule *r, int too_big)
{
	if (c == NULL)
		return;
	c->fresh = 1;
	if (too_big) {
		if (c->nbig == c->bigcap) {
			c->bigcap = c->bigcap ? 2 * c->bigcap : 16;
			c->big = xrealloc(c->big, (size_t)c->bigcap *
			    sizeof(*c->big));
		}
		c->big[c->nbig++] = rules_cache_hash(r);
	}
}

static int
write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the directory of path (and its parent), 0700; 0 if it is there. */
int
rules_cache_mkdir(const char *path)
{
	char *dir = xstrdup(path), *slash;
	struct stat sb;
	int rc;

	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';		/* ~/.cache, then ~/.cache/xd */
		mkdir(dir, 0700);
		*slash = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		rc = -1;
	else
		rc = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    access(dir, W_OK) == 0 ? 0 : -1;
	free(dir);
	return rc;
}

/* Write the set's patterns through a temporary file and rename(). */
int
rules_cache_write(const char *path, const unsigned char *p, size_t len)
{
	char *tmp;
	int fd, rc = -1;

	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) != -1) {
		if (fchmod(fd, 0600) == 0 && write_all(fd, p, len) == 0)
			rc = 0;
		if (close(fd) != 0 || (rc == 0 && rename(tmp, path) != 0))
			rc = -1;
		if (rc != 0)
			unlink(tmp);
	}
	free(tmp);
	if (rc == 0)
		sweep(path);
	return rc;
}

static void
save(const struct rcache *c, const struct ruleset *rs)
{
	const pcre2_code **codes;
	uint8_t *ser = NULL;
	PCRE2_SIZE size;
	struct buf out;
	unsigned char d[DIGEST];
	int32_t n = 0;
	size_t i, m = strlen(CACHE_MAGIC);
	uint64_t h;

	codes = xcalloc(rs->n + 1, sizeof(*codes));
	buf_init(&out);
	buf_adds(&out, CACHE_MAGIC);
	buf_add(&out, (const char *)d, DIGEST);	/* filled in below */
	buf_add(&out, (const char *)&n, sizeof(n));
	buf_add(&out, (const char *)&c->nbig, sizeof(c->nbig));
	buf_add(&out, (const char *)c->big, (size_t)c->nbig * sizeof(*c->big));
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->r[i];

		if (r->re == NULL || r->type == R_META || r->type == R_EXISTS)
			continue;
		codes[n++] = r->re;
		h = rules_cache_hash(r);
		buf_add(&out, (const char *)&h, sizeof(h));
	}
	if (n == 0 || pcre2_serialize_encode(codes, n, &ser, &size,
	    NULL) == n) {
		memcpy(out.s + m + DIGEST, &n, sizeof(n));
		if (ser != NULL)
			buf_add(&out, (const char *)ser, size);
		check_sum((unsigned char *)out.s + m + DIGEST, out.len - m -
		    DIGEST, d);
		memcpy(out.s + m, d, DIGEST);
		rules_cache_write(c->path, (unsigned char *)out.s, out.len);
	}
	pcre2_serialize_free(ser);
	buf_free(&out);
	free(codes);
}

/*
 * After the patterns are compiled: write the cache if a pattern had to
 * be compiled, or one was left over; free what was not taken.
 */
void
rules_cache_close(struct rcache *c, const struct ruleset *rs)
{
	int32_t i;

	if (c == NULL)
		return;
	if (c->path != NULL && (c->fresh || c->next != c->n) &&
	    rules_cache_mkdir(c->path) == 0)
		save(c, rs);
	for (i = 0; i < c->n; i++)
		pcre2_code_free(c->codes[i]);
	free(c->codes);
	free(c->hash);
	free(c->big);
	free(c->path);
	free(c);
}
