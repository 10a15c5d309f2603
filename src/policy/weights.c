/*
 * weights.c - xd-weights(5): what each symbol adds to the score, where
 * the classes begin, and how a score becomes a probability.
 *
 * Symbols are looked up for every field of every line, so names and
 * NAME=value pairs live in one open-addressing hash table keyed by the
 * text exactly as it appears in the stream (values escaped); prefix
 * patterns are few and tried in order, longest first.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "policy/policy.h"

#define WEIGHTS_LINE	4096	/* longest line of a weights file */
#define WEIGHTS_BOUND	1000.0	/* |number| in a weights file */
#define DEF_SPAM	5.0
#define DEF_SURESPAM	12.0
#define PROB_SPAM	0.9	/* prob= at the spam threshold */
#define PROB_SURESPAM	0.999	/* prob= at the surespam threshold */

struct wentry {
	char		*key;		/* "NAME" or "NAME=escaped value" */
	size_t		 keylen;
	double		 weight;
	unsigned long	 line;
	unsigned char	 listed;	/* NAME has a weight of its own */
	unsigned char	 values;	/* some NAME=value has one */
	unsigned char	 rule;		/* weight is a rule's score */
};

struct wprefix {
	char		*key;		/* "RBL_*" as written */
	size_t		 len;		/* of the prefix, without '*' */
	double		 weight;
	unsigned long	 line;
};

struct wband {			/* "bands PREFIX* [rising|falling]" */
	char		*prefix;	/* without '*' */
	int		 falling;
};

struct weights {
	char		*path;
	struct wband	*band;
	size_t		 nband;
	struct wentry	*tab;
	size_t		 cap, n;	/* cap is a power of two */
	struct wprefix	*pre;
	size_t		 npre;
	double		 spam, surespam;
	unsigned long	 spam_line, surespam_line, calib_line;
	double		 a, b;
};


static struct wentry *
find(const struct weights *w, const char *key, size_t n)
{
	size_t i;

	if (w->cap == 0)
		return NULL;
	for (i = xd_hash(key, n) & (w->cap - 1); w->tab[i].key != NULL;
	    i = (i + 1) & (w->cap - 1))
		if (w->tab[i].keylen == n && memcmp(w->tab[i].key, key, n) == 0)
			return &w->tab[i];
	return NULL;
}

static void
grow(struct weights *w)
{
	struct wentry *old = w->tab;
	size_t i, j, oldcap = w->cap;

	w->cap = oldcap ? oldcap * 2 : 256;
	w->tab = xcalloc(w->cap, sizeof(*w->tab));
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		for (j = xd_hash(old[i].key, old[i].keylen) & (w->cap - 1);
		    w->tab[j].key != NULL; j = (j + 1) & (w->cap - 1))
			;
		w->tab[j] = old[i];
	}
	free(old);
}

/* The entry for key, new and zeroed if it was not there. */
static struct wentry *
insert(struct weights *w, const char *key, size_t n)
{
	struct wentry *e;
	size_t i;

	if ((e = find(w, key, n)) != NULL)
		return e;
	if ((w->n + 1) * 2 > w->cap)
		grow(w);
	for (i = xd_hash(key, n) & (w->cap - 1); w->tab[i].key != NULL;
	    i = (i + 1) & (w->cap - 1))
		;
	e = &w->tab[i];
	e->key = xstrndup(key, n);
	e->keylen = n;
	w->n++;
	return e;
}

static int
is_symbol(const char *s, size_t n)
{
	return is_symbol_name(s, n) && stream_valid_name(s, n);
}

static const char *
parse_number(const char *s, double *d)
{
	if (xd_parse_double(s, d) != 0)
		return "not a number";
	if (fabs(*d) > WEIGHTS_BOUND)
		return "a number between -1000 and 1000";
	return NULL;
}

static const char *
add_prefix(struct weights *w, const char *key, double weight,
    unsigned long line)
{
	size_t i, len = strlen(key) - 1;

	if (!is_symbol(key, len))
		return "a pattern is a symbol name followed by '*'";
	for (i = 0; i < w->npre; i++)
		if (strcmp(w->pre[i].key, key) == 0)
			return "listed twice";
	/* Keep the longest prefixes first: the first that fits wins. */
	for (i = w->npre; i > 0 && w->pre[i - 1].len < len; i--)
		;
	w->pre = xrealloc(w->pre, (w->npre + 1) * sizeof(*w->pre));
	memmove(&w->pre[i + 1], &w->pre[i], (w->npre - i) * sizeof(*w->pre));
	w->pre[i].key = xstrdup(key);
	w->pre[i].len = len;
	w->pre[i].weight = weight;
	w->pre[i].line = line;
	w->npre++;
	return NULL;
}

static const char *
add_symbol(struct weights *w, const char *key, const char *num,
    unsigned long line)
{
	const char *eq = strchr(key, '='), *why;
	size_t namelen = eq ? (size_t)(eq - key) : strlen(key);
	struct wentry *e;
	struct buf b;
	double d;

	if ((why = parse_number(num, &d)) != NULL)
		return why;
	if (eq == NULL && namelen > 0 && key[namelen - 1] == '*')
		return add_prefix(w, key, d, line);
	if (!is_symbol(key, namelen))
		return "a symbol name starts with A-Z and holds only "
		    "A-Z a-z 0-9 _ . -";
	if (eq == NULL) {
		e = insert(w, key, namelen);
		if (e->listed)
			return "listed twice";
		e->listed = 1;
		e->weight = d;
		e->line = line;
		return NULL;
	}
	/* Stream values are escaped: keep the key as the stream has it. */
	buf_init(&b);
	buf_add(&b, key, namelen + 1);
	stream_escape(eq + 1, strlen(eq + 1), &b);
	e = insert(w, b.s, b.len);
	buf_free(&b);
	if (e->line != 0)
		return "listed twice";
	e->weight = d;
	e->line = line;
	insert(w, key, namelen)->values = 1;
	return NULL;
}

static const char *
set_threshold(struct weights *w, char **word, int n, unsigned long line)
{
	const char *why;
	double d;

	if (n != 3)
		return "expected 'threshold spam|surespam NUMBER'";
	if ((why = parse_number(word[2], &d)) != NULL)
		return why;
	if (strcmp(word[1], "spam") == 0 && w->spam_line == 0) {
		w->spam = d;
		w->spam_line = line;
	} else if (strcmp(word[1], "surespam") == 0 && w->surespam_line == 0) {
		w->surespam = d;
		w->surespam_line = line;
	} else if (strcmp(word[1], "spam") == 0 ||
	    strcmp(word[1], "surespam") == 0)
		return "threshold given twice";
	else
		return "the thresholds are 'spam' and 'surespam'";
	return NULL;
}

static const char *
set_calibration(struct weights *w, char **word, int n, unsigned long line)
{
	const char *why;

	if (n != 3)
		return "expected 'calibration A B'";
	if (w->calib_line != 0)
		return "calibration given twice";
	if ((why = parse_number(word[1], &w->a)) != NULL ||
	    (why = parse_number(word[2], &w->b)) != NULL)
		return why;
	if (w->b <= 0)
		return "calibration B must be above 0, or prob= would not "
		    "grow with the score";
	w->calib_line = line;
	return NULL;
}

/*
 * "bands PREFIX* [rising|falling]": the symbols PREFIX followed by
 * digits are one family, in the order of their numbers, whose fitted
 * weights must rise (or fall) with the number; see xd-score(1) --fit.
 */
static const char *
add_band(struct weights *w, char **word, int n)
{
	size_t i, len;

	if (n < 2 || n > 3 || (n == 3 && strcmp(word[2], "rising") != 0 &&
	    strcmp(word[2], "falling") != 0))
		return "expected 'bands PREFIX* [rising|falling]'";
	len = strlen(word[1]);
	if (len < 2 || word[1][len - 1] != '*' || !is_symbol(word[1], len - 1))
		return "bands take a symbol name followed by '*'";
	for (i = 0; i < w->nband; i++)
		if (strlen(w->band[i].prefix) == len - 1 &&
		    memcmp(w->band[i].prefix, word[1], len - 1) == 0)
			return "bands given twice";
	w->band = xrealloc(w->band, (w->nband + 1) * sizeof(*w->band));
	w->band[w->nband].prefix = xstrndup(word[1], len - 1);
	w->band[w->nband].falling = n == 3 && strcmp(word[2], "falling") == 0;
	w->nband++;
	return NULL;
}

/* Split a line into at most max words; '#' at a word's start ends it. */
static int
split_words(char *s, char **word, int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0' || *s == '#')
			return n;
		if (n == max)
			return max + 1;
		word[n++] = s;
		while (*s != '\0' && !isspace((unsigned char)*s))
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

static const char *
parse_line(struct weights *w, char *line, unsigned long lineno)
{
	char *word[4];
	int n;

	n = split_words(line, word, 3);
	if (n == 0)
		return NULL;
	if (strcmp(word[0], "threshold") == 0)
		return set_threshold(w, word, n, lineno);
	if (strcmp(word[0], "calibration") == 0)
		return set_calibration(w, word, n, lineno);
	if (strcmp(word[0], "bands") == 0)
		return add_band(w, word, n);
	if (n != 2)
		return "expected 'SYMBOL WEIGHT', 'threshold', 'calibration' "
		    "or 'bands'";
	return add_symbol(w, word[0], word[1], lineno);
}

static const char *
weights_line(void *w, char *line, unsigned long lineno)
{
	return parse_line(w, line, lineno);
}

/*
 * Unless the file says otherwise, prob= is the logistic curve through
 * PROB_SPAM at the spam threshold and PROB_SURESPAM at the surespam one.
 */
static int
finish(struct weights *w)
{
	double lo, hi;

	if (w->surespam <= w->spam) {
		xd_warnx("%s:%lu: threshold surespam (%g) must be above "
		    "threshold spam (%g)", w->path,
		    w->surespam_line > w->spam_line ? w->surespam_line :
		    w->spam_line, w->surespam, w->spam);
		return -1;
	}
	if (w->calib_line == 0) {
		lo = log(PROB_SPAM / (1 - PROB_SPAM));
		hi = log(PROB_SURESPAM / (1 - PROB_SURESPAM));
		w->b = (hi - lo) / (w->surespam - w->spam);
		w->a = lo - w->b * w->spam;
	}
	return 0;
}

static char *
default_path(void)
{
	const char *p = conf_str("weights");

	return (p != NULL && *p != '\0') ? xd_expand_home(p) :
	    xd_sharepath("weights");
}

/*
 * Load a weights file, or with NULL the configured one (xd.conf
 * "weights", else the shared default).  Every bad line is warned as
 * file:line; then, or if the file cannot be read, NULL.
 */
struct weights *
weights_load(const char *path)
{
	struct weights *w;
	FILE *fp;
	int rc;

	w = xcalloc(1, sizeof(*w));
	w->path = path ? xstrdup(path) : default_path();
	w->spam = DEF_SPAM;
	w->surespam = DEF_SURESPAM;
	if ((fp = fopen(w->path, "r")) == NULL) {
		xd_warn("%s", w->path);
		weights_free(w);
		return NULL;
	}
	rc = xd_read_lines(fp, w->path, WEIGHTS_LINE, weights_line, w);
	fclose(fp);
	if (rc != 0 || finish(w) != 0) {
		weights_free(w);
		return NULL;
	}
	return w;
}

void
weights_free(struct weights *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->cap; i++)
		free(w->tab[i].key);
	for (i = 0; i < w->npre; i++)
		free(w->pre[i].key);
	for (i = 0; i < w->nband; i++)
		free(w->band[i].prefix);
	free(w->band);
	free(w->tab);
	free(w->pre);
	free(w->path);
	free(w);
}

/*
 * A rule's score as the weight of its symbol, where the file names it
 * neither by name nor by a PREFIX* pattern: the file wins.
 */
void
weights_add_rule(struct weights *w, const char *name, double weight)
{
	struct wentry *e = insert(w, name, strlen(name));

	if (e->listed)
		return;
	e->rule = 1;
	e->weight = weight;
}

const char *
weights_path(const struct weights *w)
{
	return w->path;
}

/* Where class "spam" or "surespam" begins; NAN for any other name. */
double
weights_threshold(const struct weights *w, const char *class)
{
	if (strcmp(class, "spam") == 0)
		return w ? w->spam : DEF_SPAM;
	if (strcmp(class, "surespam") == 0)
		return w ? w->surespam : DEF_SURESPAM;
	return NAN;
}

void
weights_calibration(const struct weights *w, double *a, double *b)
{
	*a = w->a;
	*b = w->b;
}

/*
 * Each weight of the file: names and NAME=value entries (values as
 * the stream escapes them), then patterns "PREFIX*", in no set order.
 */
void
weights_each(const struct weights *w, weights_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < w->cap; i++)
		if (w->tab[i].key != NULL && (w->tab[i].listed ||
		    memchr(w->tab[i].key, '=', w->tab[i].keylen) != NULL))
			fn(w->tab[i].key, w->tab[i].weight, arg);
	for (i = 0; i < w->npre; i++)
		fn(w->pre[i].key, w->pre[i].weight, arg);
}

/* Each band family: its prefix, and 1 if its weights fall. */
void
weights_each_band(const struct weights *w, weights_band_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < w->nband; i++)
		fn(w->band[i].prefix, w->band[i].falling, arg);
}

/* prob = 1 / (1 + exp(-(A + B * score))), see xd-weights(5). */
double
weights_prob(const struct weights *w, double score)
{
	return 1.0 / (1.0 + exp(-(w->a + w->b * score)));
}

const char *
weights_class(const struct weights *w, double score)
{
	if (score >= w->surespam)
		return "surespam";
	if (score >= w->spam)
		return "spam";
	return "ham";
}

/*
 * The weight of one stream field "NAME=value" (value escaped, as in the
 * stream) whose name is namelen long: NAME=value, else NAME, else the
 * longest NAME* pattern, else a rule's score, else 0.  *rule and *line, when asked for, say
 * which line of the file gave it (NULL and 0: none did).
 */
double
weights_symbol(const struct weights *w, const char *field, size_t namelen,
    const char **rule, unsigned long *line)
{
	const struct wentry *e, *v;
	const char *dummy_rule;
	unsigned long dummy_line;
	size_t i;

	if (rule == NULL)
		rule = &dummy_rule;
	if (line == NULL)
		line = &dummy_line;
	if ((e = find(w, field, namelen)) != NULL) {
		if (e->values && field[namelen] == '=' &&
		    (v = find(w, field, namelen + 1 +
		    strlen(field + namelen + 1))) != NULL) {
			*rule = v->key;
			*line = v->line;
			return v->weight;
		}
		if (e->listed) {
			*rule = e->key;
			*line = e->line;
			return e->weight;
		}
	}
	for (i = 0; i < w->npre; i++)
		if (namelen >= w->pre[i].len &&
		    memcmp(field, w->pre[i].key, w->pre[i].len) == 0) {
			*rule = w->pre[i].key;
			*line = w->pre[i].line;
			return w->pre[i].weight;
		}
	if (e != NULL && e->rule) {
		*rule = e->key;
		*line = 0;	/* not a line of the file */
		return e->weight;
	}
	*rule = NULL;
	*line = 0;
	return 0;
}
