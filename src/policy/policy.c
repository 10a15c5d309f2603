/*
 * policy.c - xd-policy(5): ordered rules that decide a message's class
 * before, or instead of, its score.
 *
 * A rule is "ACTION MATCHER VALUE [SYMBOL ...]".  Rules are tried in
 * file order and the first whose matcher fits the line decides.  Facts
 * are fetched from the line once, on first use, and folded to lower
 * case, so that a long policy costs one pass over the line per fact.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "policy/policy.h"

#define POLICY_LINE	4096		/* longest line of a policy file */
#define POLICY_FILE	(16 << 20)	/* largest file policy_append copies */

enum matcher { M_FROM, M_FROM_DOMAIN, M_IP, M_RCPT, M_HELO, M_SUBJECT };

static const char *const action_names[] = {
	"allow", "block", "trust", "critical", NULL
};
static const char *const matcher_names[] = {
	"from", "from-domain", "ip", "rcpt", "helo", "subject", NULL
};

/* The facts matchers read; each is fetched at most once per line. */
enum fact { F_FROM, F_MAILFROM, F_IP, F_RCPT, F_TO, F_CC, F_HELO, F_SUBJECT,
	NFACT };
static const char *const fact_names[NFACT] = {
	"from", "mailfrom", "ip", "rcpt", "to", "cc", "helo", "subject"
};

struct rule {
	struct policy_rule pub;
	enum matcher	 m;
	char		*value;		/* folded to lower case */
	struct cidr	 net;
};

#define NONE	SIZE_MAX	/* no rule */

/* The index of rules that compare whole values: (kind, value) -> rule. */
struct pentry {
	const char	*key;		/* NULL: free slot */
	size_t		 keylen;
	size_t		 rule;		/* the first rule with this value */
	char		 kind;
};

struct policy {
	char		*path;
	struct rule	*rules;
	size_t		 n, cap;
	struct pentry	*idx;
	size_t		 icap, in;	/* icap is a power of two */
	size_t		*scan;		/* rules tried in order: ip, subject */
	size_t		 nscan;
	/* per line: what fetched[f] holds, and whether the line has it */
	const struct rec *rec;
	struct buf	 fact[NFACT];
	unsigned char	 fetched[NFACT], present[NFACT];
	struct cidr	 ip;		/* ip= parsed, when ip_ok */
	int		 ip_done, ip_ok;
};

static void	index_rule(struct policy *, size_t);

static int
lookup(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *
policy_action_name(enum policy_action a)
{
	return action_names[a];
}

/*
 * Lower-case s in place: ASCII, and the capitals of Latin-1, Latin
 * Extended-A, Greek and Cyrillic in UTF-8 (all two-byte sequences whose
 * small letter is two bytes as well).  Anything else is left alone.
 */
void
policy_fold(char *s)
{
	unsigned char *p = (unsigned char *)s;
	unsigned cp, lc;

	for (; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			*p += 'a' - 'A';
			continue;
		}
		if ((*p & 0xe0) != 0xc0 || (p[1] & 0xc0) != 0x80)
			continue;
		cp = ((unsigned)(*p & 0x1f) << 6) | (p[1] & 0x3f);
		lc = cp;
		if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
		    (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) ||
		    (cp >= 0x410 && cp <= 0x42f))
			lc = cp + 0x20;
		else if (cp >= 0x400 && cp <= 0x40f)
			lc = cp + 0x50;
		else if (cp == 0x178)
			lc = 0xff;
		else if ((cp >= 0x100 && cp <= 0x137 && cp % 2 == 0) ||
		    (cp >= 0x139 && cp <= 0x148 && cp % 2 == 1) ||
		    (cp >= 0x14a && cp <= 0x177 && cp % 2 == 0) ||
		    (cp >= 0x179 && cp <= 0x17e && cp % 2 == 1))
			lc = cp + 1;
		p[0] = (unsigned char)(0xc0 | (lc >> 6));
		p[1] = (unsigned char)(0x80 | (lc & 0x3f));
		p++;
	}
}

/*
 * Split a line into words: blanks separate them, "..." keeps blanks
 * (a backslash takes the next character as it is), and '#' at the
 * start of a word ends the line.  Returns the count or -1.
 */
static int
split_words(char *s, char **word, int max, const char **why)
{
	char *w;
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0' || *s == '#')
			return n;
		if (n == max) {
			*why = "too many words";
			return -1;
		}
		word[n++] = w = s;
		if (*s != '"') {
			while (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '\r' && *s != '\n')
				s++;
			if (*s != '\0')
				*s++ = '\0';
			continue;
		}
		for (s++; *s != '\0' && *s != '"'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			*w++ = *s;
		}
		if (*s != '"') {
			*why = "unbalanced quotes";
			return -1;
		}
		*w = '\0';
		s++;
		if (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r' &&
		    *s != '\n') {
			*why = "text after a closing quote";
			return -1;
		}
	}
}

static const char *
check_symbol(const char *s)
{
	size_t n = strlen(s);

	if (n > 1 && s[n - 1] == '*')
		n--;
	if (!is_symbol_name(s, n) || !stream_valid_name(s, n))
		return "a symbol is a name that starts with A-Z, "
		    "or such a name and '*'";
	return NULL;
}

static const char *
set_value(struct rule *r, const char *v)
{
	if (*v == '\0')
		return "empty value";
	if (r->m == M_IP) {
		if (cidr_parse(v, &r->net) != 0)
			return "not an address or network such as 192.0.2.0/24";
		return NULL;
	}
	if (r->m == M_FROM_DOMAIN && (*v == '@' || *v == '.'))
		v++;
	if (*v == '\0')
		return "empty domain";
	r->value = xstrdup(v);
	policy_fold(r->value);
	return NULL;
}

/* Parse line into r; *empty says it held no rule (blank or comment). */
static const char *
parse_rule(struct rule *r, char *line, int *empty)
{
	char *word[POLICY_LINE / 2];
	const char *why = NULL;
	int n, i, a, m;

	memset(r, 0, sizeof(*r));
	n = split_words(line, word, POLICY_LINE / 2, &why);
	*empty = n == 0;
	if (n <= 0)
		return why;
	if ((a = lookup(action_names, word[0])) < 0)
		return "the actions are allow, block, trust and critical";
	if (n < 3)
		return "expected 'ACTION MATCHER VALUE [SYMBOL ...]'";
	if ((m = lookup(matcher_names, word[1])) < 0)
		return "the matchers are from, from-domain, ip, rcpt, helo "
		    "and subject";
	r->pub.action = (enum policy_action)a;
	r->m = (enum matcher)m;
	if (a == POLICY_CRITICAL && n == 3)
		return "a critical rule lists the symbols that count";
	if (a != POLICY_CRITICAL && n > 3)
		return "only critical rules list symbols";
	for (i = 3; i < n; i++)
		if ((why = check_symbol(word[i])) != NULL)
			return why;
	if ((why = set_value(r, word[2])) != NULL)
		return why;
	r->pub.nsymbols = (size_t)(n - 3);
	r->pub.symbols = xcalloc(r->pub.nsymbols + 1, sizeof(char *));
	for (i = 3; i < n; i++)
		r->pub.symbols[i - 3] = xstrdup(word[i]);
	return NULL;
}

static void
rule_free(struct rule *r)
{
	size_t i;

	for (i = 0; i < r->pub.nsymbols; i++)
		free(r->pub.symbols[i]);
	free(r->pub.symbols);
	free(r->pub.text);
	free(r->value);
}

static char *
trimmed(const char *s)
{
	const char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' ||
	    e[-1] == '\t'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

/* Parse one line of a policy file into p. */
static const char *
add_line(struct policy *p, const char *line, unsigned long lineno)
{
	char copy[POLICY_LINE + 2];
	struct rule r;
	const char *why;
	int empty;

	memcpy(copy, line, strlen(line) + 1);
	if ((why = parse_rule(&r, copy, &empty)) != NULL || empty) {
		rule_free(&r);
		return why;
	}
	r.pub.line = lineno;
	r.pub.text = trimmed(line);
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->rules = xrealloc(p->rules, p->cap * sizeof(*p->rules));
	}
	p->rules[p->n++] = r;
	return NULL;
}

static const char *
policy_line(void *p, char *line, unsigned long lineno)
{
	return add_line(p, line, lineno);
}

/*
 * Load a policy file, or with NULL the configured one (xd.conf
 * "policy", else the shared default).  A missing shared default is an
 * empty policy; a missing file that was named or configured, or any bad
 * line (warned as file:line), gives NULL.
 */
struct policy *
policy_load(const char *path)
{
	struct policy *p;
	const char *conf;
	FILE *fp;
	int rc, i, optional = 0;

	p = xcalloc(1, sizeof(*p));
	for (i = 0; i < NFACT; i++)
		buf_init(&p->fact[i]);
	if (path != NULL)
		p->path = xstrdup(path);
	else if ((conf = conf_str("policy")) != NULL && *conf != '\0')
		p->path = xd_expand_home(conf);
	else {
		p->path = xd_sharepath("policy");
		optional = 1;
	}
	if ((fp = fopen(p->path, "r")) == NULL) {
		if (errno == ENOENT && optional)
			return p;
		xd_warn("%s", p->path);
		policy_free(p);
		return NULL;
	}
	rc = xd_read_lines(fp, p->path, POLICY_LINE, policy_line, p);
	fclose(fp);
	if (rc != 0) {
		policy_free(p);
		return NULL;
	}
	for (i = 0; i < (int)p->n; i++)
		index_rule(p, (size_t)i);
	return p;
}

void
policy_free(struct policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		rule_free(&p->rules[i]);
	for (i = 0; i < NFACT; i++)
		buf_free(&p->fact[i]);
	free(p->rules);
	free(p->idx);
	free(p->scan);
	free(p->path);
	free(p);
}

const char *
policy_path(const struct policy *p)
{
	return p->path;
}

size_t
policy_count(const struct policy *p)
{
	return p->n;
}

/* The fact f of the current line, folded; NULL if the line lacks it. */
static const char *
fact(struct policy *p, enum fact f)
{
	if (!p->fetched[f]) {
		p->fetched[f] = 1;
		p->present[f] = rec_get(p->rec, fact_names[f], &p->fact[f]);
		if (p->present[f] && p->fact[f].s == NULL)
			buf_adds(&p->fact[f], "");
		if (p->present[f])
			policy_fold(p->fact[f].s);
	}
	return p->present[f] ? p->fact[f].s : NULL;
}

/* The address in s[0..n): what is inside <...>, without blanks. */
static void
address(const char *s, size_t n, const char **a, size_t *an)
{
	const char *lt = memchr(s, '<', n), *gt;

	if (lt != NULL && (gt = memchr(lt, '>', n - (size_t)(lt - s)))) {
		s = lt + 1;
		n = (size_t)(gt - s);
	}
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*a = s;
	*an = n;
}

static uint64_t
hash(char kind, const char *s, size_t n)
{
	uint64_t h = (14695981039346656037ULL ^ (unsigned char)kind) *
	    1099511628211ULL;	/* FNV-1a */

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The first rule of matcher kind whose value is s[0..n), or NONE. */
static size_t
index_find(const struct policy *p, char kind, const char *s, size_t n)
{
	const struct pentry *e;
	size_t i;

	if (p->icap == 0)
		return NONE;
	for (i = hash(kind, s, n) & (p->icap - 1); p->idx[i].key != NULL;
	    i = (i + 1) & (p->icap - 1)) {
		e = &p->idx[i];
		if (e->kind == kind && e->keylen == n &&
		    memcmp(e->key, s, n) == 0)
			return e->rule;
	}
	return NONE;
}

static void
index_put(struct policy *p, char kind, const char *key, size_t rule)
{
	struct pentry *old = p->idx;
	size_t i, j, oldcap = p->icap, n = strlen(key);

	if (index_find(p, kind, key, n) != NONE)
		return;		/* an earlier rule wins anyway */
	if ((p->in + 1) * 2 > p->icap) {
		p->icap = oldcap ? oldcap * 2 : 64;
		p->idx = xcalloc(p->icap, sizeof(*p->idx));
		for (i = 0; i < oldcap; i++) {
			if (old[i].key == NULL)
				continue;
			for (j = hash(old[i].kind, old[i].key, old[i].keylen) &
			    (p->icap - 1); p->idx[j].key != NULL;
			    j = (j + 1) & (p->icap - 1))
				;
			p->idx[j] = old[i];
		}
		free(old);
	}
	for (i = hash(kind, key, n) & (p->icap - 1); p->idx[i].key != NULL;
	    i = (i + 1) & (p->icap - 1))
		;
	p->idx[i].kind = kind;
	p->idx[i].key = key;	/* the rule's own value, kept till free */
	p->idx[i].keylen = n;
	p->idx[i].rule = rule;
	p->in++;
}

/*
 * Rules that compare whole values are found through the index; the
 * others (ip, subject) are tried in order.  Kinds: 'f' from, 'd'
 * from-domain, 'r' rcpt, 'h' helo, 's' helo "*.domain".
 */
static void
index_rule(struct policy *p, size_t i)
{
	struct rule *r = &p->rules[i];

	switch (r->m) {
	case M_FROM:
		index_put(p, 'f', r->value, i);
		break;
	case M_FROM_DOMAIN:
		index_put(p, 'd', r->value, i);
		break;
	case M_RCPT:
		index_put(p, 'r', r->value, i);
		break;
	case M_HELO:
		if (r->value[0] == '*' && r->value[1] == '.')
			index_put(p, 's', r->value + 2, i);
		else
			index_put(p, 'h', r->value, i);
		break;
	default:
		p->scan = xrealloc(p->scan, (p->nscan + 1) * sizeof(size_t));
		p->scan[p->nscan++] = i;
	}
}

static size_t
min_rule(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The first rule for name or, with kind sub, for a domain above it. */
static size_t
find_name(const struct policy *p, char kind, char sub, const char *s,
    size_t n)
{
	size_t best = kind ? index_find(p, kind, s, n) : NONE, i;

	for (i = 0; i < n; i++)
		if (s[i] == '.' && i + 1 < n)
			best = min_rule(best, index_find(p, sub, s + i + 1,
			    n - i - 1));
	return best;
}

/* The first indexed rule that fits the addresses of fact f. */
static size_t
find_addresses(struct policy *p, enum fact f, char kind, int domains)
{
	const char *s = fact(p, f), *comma, *a, *at;
	size_t best = NONE, n, an;

	for (; s != NULL; s = comma ? comma + 1 : NULL) {
		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		address(s, n, &a, &an);
		best = min_rule(best, index_find(p, kind, a, an));
		if (domains && (at = memrchr(a, '@', an)) != NULL) {
			n = an - (size_t)(at + 1 - a);
			best = min_rule(best, index_find(p, 'd', at + 1, n));
			best = min_rule(best, find_name(p, 0, 'd', at + 1, n));
		}
	}
	return best;
}

static size_t
find_indexed(struct policy *p)
{
	const char *helo;
	size_t best = NONE;

	if (p->in == 0)
		return NONE;
	best = min_rule(best, find_addresses(p, F_FROM, 'f', 1));
	best = min_rule(best, find_addresses(p, F_MAILFROM, 'f', 1));
	best = min_rule(best, find_addresses(p, F_RCPT, 'r', 0));
	best = min_rule(best, find_addresses(p, F_TO, 'r', 0));
	best = min_rule(best, find_addresses(p, F_CC, 'r', 0));
	if ((helo = fact(p, F_HELO)) != NULL)
		best = min_rule(best, find_name(p, 'h', 's', helo,
		    strlen(helo)));
	return best;
}

static int
scan_matches(struct policy *p, const struct rule *r)
{
	const char *v;

	if (r->m == M_SUBJECT)
		return (v = fact(p, F_SUBJECT)) != NULL &&
		    strstr(v, r->value) != NULL;
	if (!p->ip_done) {
		p->ip_done = 1;
		p->ip_ok = (v = fact(p, F_IP)) != NULL &&
		    ip_parse(v, &p->ip) == 0;
	}
	return p->ip_ok && cidr_match(&r->net, &p->ip);
}

/* The first rule that fits the line, or NULL. */
const struct policy_rule *
policy_match(struct policy *p, const struct rec *rec)
{
	size_t best, i;

	if (p == NULL || p->n == 0)
		return NULL;
	p->rec = rec;
	p->ip_done = 0;
	memset(p->fetched, 0, sizeof(p->fetched));
	best = find_indexed(p);
	for (i = 0; i < p->nscan && p->scan[i] < best; i++)
		if (scan_matches(p, &p->rules[p->scan[i]]))
			return &p->rules[p->scan[i]].pub;
	return best == NONE ? NULL : &p->rules[best].pub;
}

/* Does a critical rule count the symbol called name (n bytes long)? */
int
policy_counts(const struct policy_rule *r, const char *name, size_t n)
{
	size_t i, len;

	for (i = 0; i < r->nsymbols; i++) {
		len = strlen(r->symbols[i]);
		if (r->symbols[i][len - 1] == '*') {
			if (n >= len - 1 && memcmp(name, r->symbols[i],
			    len - 1) == 0)
				return 1;
		} else if (len == n && memcmp(name, r->symbols[i], n) == 0)
			return 1;
	}
	return 0;
}

/* VALUE as a policy file word: quoted when blanks, '"' or '#' need it. */
static void
quote_word(struct buf *b, const char *v)
{
	const char *s;

	if (*v != '\0' && *v != '#' && strpbrk(v, " \t\"\\") == NULL) {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	for (s = v; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/*
 * Lock "path.lock", which is never renamed or removed: a lock on the
 * policy file itself would be lost by the rename that replaces it.
 * A symbolic link planted there is refused, not followed to a file of
 * someone else's choosing; and the lock is the user's alone.
 */
static int
lock_file(const char *path)
{
	char *lock;
	int fd;

	xasprintf(&lock, "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(lock);
	if (fd == -1)
		return -1;
	/* a lock an older xd made 0644 is made private too */
	if (fchmod(fd, 0600) == -1) {
		close(fd);
		return -1;
	}
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

static int
read_all(int fd, struct buf *b)
{
	char chunk[8192];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (b->len + (size_t)n > POLICY_FILE) {
			errno = EFBIG;
			return -1;
		}
		buf_add(b, chunk, (size_t)n);
	}
	return 0;
}

/* The policy file as it is now, and its permissions (0644 when new). */
static int
read_old(const char *path, struct buf *b, struct stat *st)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			return -1;
		memset(st, 0, sizeof(*st));
		st->st_mode = 0644;
		return 0;
	}
	rc = fstat(fd, st) == -1 ? -1 : read_all(fd, b);
	close(fd);
	return rc;
}

/* Write old + rule into a new file beside path and rename it over path. */
static int
replace_file(const char *path, const struct stat *st, const struct buf *old,
    const struct buf *rule)
{
	char *tmp;
	int fd, rc = -1;

	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		free(tmp);
		return -1;
	}
	if (xd_write_all(fd, old->s ? old->s : "", old->len) == 0 &&
	    (old->len == 0 || old->s[old->len - 1] == '\n' ||
	    xd_write_all(fd, "\n", 1) == 0) &&
	    xd_write_all(fd, rule->s, rule->len) == 0 &&
	    fchmod(fd, st->st_mode & 07777) == 0 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) == -1)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == -1)
		rc = -1;
	if (rc != 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
	} else
		xd_fsync_parent(path);
	free(tmp);
	return rc;
}

/*
 * Append "ACTION MATCHER VALUE" to the policy file path, creating it if
 * need be.  The rule is checked as policy_load would; the file is
 * replaced whole (temporary file, fsync, rename) under an flock(2) of
 * "path.lock", so that readers never see half a line and concurrent
 * appends keep both rules.  Critical rules need symbols and cannot be added this way.
 * Warns why and returns -1 on failure.
 */
int
policy_append(const char *path, const char *action, const char *matcher,
    const char *value)
{
	struct buf line, old;
	struct rule r;
	struct stat st;
	const char *why;
	char *copy;
	int fd, empty, rc = -1;

	buf_init(&line);
	buf_init(&old);
	buf_printf(&line, "%s %s ", action, matcher);
	quote_word(&line, value);
	buf_addc(&line, '\n');
	copy = xstrdup(line.s);
	why = strpbrk(value, "\r\n") ? "a value holds no line break" :
	    line.len > POLICY_LINE ? "rule too long" :
	    parse_rule(&r, copy, &empty);
	if (why == NULL)
		rule_free(&r);
	free(copy);
	if (why != NULL) {
		xd_warnx("%s: cannot add '%s %s %s': %s", path, action,
		    matcher, value, why);
		goto out;
	}
	if ((fd = lock_file(path)) == -1) {
		xd_warn("%s.lock", path);
		goto out;
	}
	if (read_old(path, &old, &st) == -1 || replace_file(path, &st, &old,
	    &line) == -1)
		xd_warn("%s", path);
	else
		rc = 0;
	close(fd);
out:
	buf_free(&line);
	buf_free(&old);
	return rc;
}
