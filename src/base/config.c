/*
 * config.c - xd.conf(5), the one configuration file of every tool.
 *
 * Lines are "key = value"; '#' starts a comment; a value may be put in
 * double quotes to keep its spaces.  Keys that take lists accumulate
 * over repeated lines of one file; "key += value" adds to the list in
 * force.  Every key is known here with its default, so a typo is an
 * error naming file:line and no file at all is fine.
 *
 * As other daemons read theirs, the site file comes first, then the
 * user's, each overriding the earlier key by key: a list key's first
 * line in the later file replaces the list.  $XD_CONF names one file
 * read alone, so that tests and trials see nothing of the machine's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

enum conf_type {
	T_STR, T_INT, T_DOUBLE, T_SIZE, T_LIST, T_CIDRS, T_LINES,
	T_STAGES,	/* a T_LIST of names from stage_names */
	T_SECONDS	/* a T_DOUBLE above 0: a time bound */
};

/*
 * The check stages xd ships, in the order of the default.  A name
 * outside them is a typo, and a typo must not turn the checks off.
 */
static const char *const stage_names[] = {
	"rbl", "spf", "urlcheck", "cksum", "heur", "bayes", "lr", NULL
};

struct key {
	const char	*name;
	enum conf_type	 type;
	const char	*def;
	char		*val;		/* NULL: the default */
	char		**list;		/* the list types: split value */
	size_t		 nlist;
	int		 from_file;	/* which file set it; 0: none did */
};

static struct key keys[] = {
	{ "max_line",		T_SIZE,   "1M", NULL, NULL, 0, 0 },
	{ "max_message_size",	T_SIZE,   "20M", NULL, NULL, 0, 0 },
	{ "max_header_fields",	T_INT,    "1000", NULL, NULL, 0, 0 },
	{ "max_header_size",	T_SIZE,   "1M", NULL, NULL, 0, 0 },
	{ "archive_max_entries", T_INT,   "10000", NULL, NULL, 0, 0 },
	{ "archive_max_bytes",	T_SIZE,   "32M", NULL, NULL, 0, 0 },
	{ "archive_max_time",	T_SECONDS, "2", NULL, NULL, 0, 0 },
	{ "trusted_networks",	T_CIDRS,  "127.0.0.0/8 ::1/128", NULL, NULL, 0, 0 },
	{ "internal_networks",	T_CIDRS,  "", NULL, NULL, 0, 0 },
	{ "stages",		T_STAGES, "rbl spf urlcheck cksum heur bayes lr", NULL, NULL, 0, 0 },
	{ "weights",		T_STR,    "", NULL, NULL, 0, 0 },
	{ "policy",		T_STR,    "", NULL, NULL, 0, 0 },
	{ "maildir",		T_STR,    "~/Maildir", NULL, NULL, 0, 0 },
	{ "quarantine",		T_STR,    "~/Maildir", NULL, NULL, 0, 0 },
	{ "spam_folder",	T_STR,    ".Spam", NULL, NULL, 0, 0 },
	{ "surespam_folder",	T_STR,    ".Quarantine", NULL, NULL, 0, 0 },
	{ "subject_tag",	T_STR,    "", NULL, NULL, 0, 0 },
	{ "upstream_spam_headers", T_STR, "drop", NULL, NULL, 0, 0 },
	{ "syslog_facility",	T_STR,    "mail", NULL, NULL, 0, 0 },
	{ "syslog_results",	T_STR,    "yes", NULL, NULL, 0, 0 },
	{ "filter_timeout",	T_SECONDS, "60", NULL, NULL, 0, 0 },
	{ "filter_cpu",		T_INT,    "30", NULL, NULL, 0, 0 },
	{ "filter_memory",	T_SIZE,   "512M", NULL, NULL, 0, 0 },
	{ "autolearn",		T_STR,    "yes", NULL, NULL, 0, 0 },
	{ "autolearn_spam",	T_DOUBLE, "12", NULL, NULL, 0, 0 },
	{ "autolearn_ham",	T_DOUBLE, "0.1", NULL, NULL, 0, 0 },
	{ "autolearn_max_per_hour", T_INT, "60", NULL, NULL, 0, 0 },
	{ "fit_ham_loss",	T_DOUBLE, "0.001", NULL, NULL, 0, 0 },
	{ "spf_timeout",	T_SECONDS, "20", NULL, NULL, 0, 0 },
	{ "spf_best_guess",	T_STR,    "yes", NULL, NULL, 0, 0 },
	{ "bayes_min_learned",	T_INT,    "100", NULL, NULL, 0, 0 },
	{ "bayes_max_tokens",	T_INT,    "1000000", NULL, NULL, 0, 0 },
	{ "bayes_token_ttl",	T_INT,    "0", NULL, NULL, 0, 0 },
	{ "bayes_rare_ttl",	T_INT,    "2592000", NULL, NULL, 0, 0 },
	{ "bayes_batch",	T_INT,    "100", NULL, NULL, 0, 0 },
	{ "lr_rate",		T_DOUBLE, "10", NULL, NULL, 0, 0 },
	{ "lr_train",		T_STR,    "error", NULL, NULL, 0, 0 },
	{ "lr_margin",		T_DOUBLE, "0.05", NULL, NULL, 0, 0 },
	{ "lr_min_learned",	T_INT,    "50", NULL, NULL, 0, 0 },
	{ "awl_max",		T_INT,    "50000", NULL, NULL, 0, 0 },
	{ "store",		T_STR,    "~/.xd/store.lmdb", NULL, NULL, 0, 0 },
	{ "store_size",		T_SIZE,   "1G", NULL, NULL, 0, 0 },
	{ "store_timeout",	T_SECONDS, "2", NULL, NULL, 0, 0 },
	{ "cksum_window",	T_INT,    "86400", NULL, NULL, 0, 0 },
	{ "cksum_threshold",	T_INT,    "20", NULL, NULL, 0, 0 },
	{ "cksum_max",		T_INT,    "2000000", NULL, NULL, 0, 0 },
	{ "cksum_report_ttl",	T_INT,    "2592000", NULL, NULL, 0, 0 },
	{ "url_max",		T_INT,    "1000", NULL, NULL, 0, 0 },
	{ "url_max_length",	T_SIZE,   "2048", NULL, NULL, 0, 0 },
	{ "url_scan_size",	T_SIZE,   "4M", NULL, NULL, 0, 0 },
	{ "url_domains",	T_INT,    "10", NULL, NULL, 0, 0 },
	{ "url_lookups",	T_INT,    "20", NULL, NULL, 0, 0 },
	{ "url_shorteners",	T_STR,    "", NULL, NULL, 0, 0 },
	{ "url_list",		T_LINES,  "", NULL, NULL, 0, 0 },
	{ "uribl",		T_LINES,  "", NULL, NULL, 0, 0 },
	{ "uribl_ip",		T_LINES,  "", NULL, NULL, 0, 0 },
	{ "rules",		T_LIST,   "shipped", NULL, NULL, 0, 0 },
	{ "local_domains",	T_LIST,   "", NULL, NULL, 0, 0 },
	{ "local_languages",	T_LIST,   "", NULL, NULL, 0, 0 },
	{ "users",		T_STR,    "", NULL, NULL, 0, 0 },
	{ "restricted_attachments", T_LIST, "ade adp app appx appxbundle bas bat chm cmd com cpl exe hta img inf ins iso isp jar js jse library-ms lnk msc msi msix msp mst one pif ps1 reg scf scr sct settingcontent-ms shb shs url vb vbe vbs vhd vhdx wsc wsf wsh xll", NULL, NULL, 0, 0 },
	{ "max_hops",		T_INT,    "20", NULL, NULL, 0, 0 },
	{ "resolver",		T_STR,    "", NULL, NULL, 0, 0 },
	{ "dns_timeout",	T_SECONDS, "2", NULL, NULL, 0, 0 },
	{ "dns_tries",		T_INT,    "2", NULL, NULL, 0, 0 },
	{ "dns_window",		T_INT,    "64", NULL, NULL, 0, 0 },
	{ "dns_cache",		T_INT,    "10000", NULL, NULL, 0, 0 },
	{ "dns_breaker",	T_STR,    "", NULL, NULL, 0, 0 },
	{ "rbl",		T_LINES,  "", NULL, NULL, 0, 0 },
	{ "rblwl",		T_LINES,  "", NULL, NULL, 0, 0 },
	{ "rhsbl",		T_LINES,  "", NULL, NULL, 0, 0 },
	{ "rhswl",		T_LINES,  "", NULL, NULL, 0, 0 },
	{ "dnslists",		T_STR,    "", NULL, NULL, 0, 0 },
	{ "dnslists_drop",	T_LIST,   "", NULL, NULL, 0, 0 },
	{ "rbl_all_relays",	T_STR,    "no", NULL, NULL, 0, 0 },
	{ "rdns_check",		T_STR,    "yes", NULL, NULL, 0, 0 },
	{ "rdns_dynamic",	T_STR,    "", NULL, NULL, 0, 0 },
};

#define CONF_LINE	8192	/* longest line of xd.conf */
#define NKEYS		(sizeof(keys) / sizeof(keys[0]))

/* Where each key's value and each list item come from, for xd-conf. */
static struct {
	char	*origin;	/* the file:line that set it last; NULL: default */
	char	**items;	/* of each list item, likewise */
} where[NKEYS];

#define ORIGIN(k)	(where[(k) - keys].origin)
#define ITEM_ORIGIN(k, i) (where[(k) - keys].items[i])

#define CONF_FILES	2	/* the site's and the user's */

static char *loaded[CONF_FILES];	/* the files read, in order */
static size_t nloaded;

/* The file being read and its place in the order, for parse_line(). */
struct reading {
	const char	*path;
	int		 file;
};

static struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int
conf_known(const char *name)
{
	return find_key(name) != NULL;
}

static void
clear_list(struct key *k)
{
	size_t i;

	for (i = 0; i < k->nlist; i++) {
		free(k->list[i]);
		free(ITEM_ORIGIN(k, i));
	}
	k->nlist = 0;
}

static void
add_item(struct key *k, const char *item, const char *origin)
{
	char ***orig = &where[k - keys].items;

	k->list = xrealloc(k->list, (k->nlist + 1) * sizeof(char *));
	*orig = xrealloc(*orig, (k->nlist + 1) * sizeof(char *));
	k->list[k->nlist] = xstrdup(item);
	(*orig)[k->nlist++] = origin ? xstrdup(origin) : NULL;
}

static void
split_list(struct key *k, const char *v, const char *origin)
{
	char *copy, *tok, *save = NULL;

	copy = xstrdup(v);
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save))
		add_item(k, tok, origin);
	free(copy);
}

static int
is_stage(const char *name)
{
	const char *const *s;

	for (s = stage_names; *s != NULL; s++)
		if (strcmp(*s, name) == 0)
			return 1;
	return 0;
}

/* NULL if every word of v is a stage xd ships; else which is not. */
static const char *
check_stages(const char *v)
{
	static char why[256];
	const char *const *s;
	char *copy, *tok, *save = NULL;
	size_t n;

	copy = xstrdup(v);
	why[0] = '\0';
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save))
		if (!is_stage(tok))
			break;
	if (tok != NULL) {
		n = (size_t)snprintf(why, sizeof(why), "expected stage names");
		for (s = stage_names; *s != NULL; s++)
			n += (size_t)snprintf(why + n, sizeof(why) - n, " %s", *s);
		snprintf(why + n, sizeof(why) - n, ", not '%.64s'", tok);
	}
	free(copy);
	return why[0] ? why : NULL;
}

/* A url_list line, "NAME PATH", as xd-urlcheck(1) reads it. */
static const char *
check_url_list(const char *v)
{
	size_t n = strcspn(v, " \t"), i;
	const char *path = v + n + strspn(v + n, " \t");

	if (n == 0 || *path == '\0' || path[strcspn(path, " \t")] != '\0')
		return "expected NAME PATH";
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_')
			return "NAME must be letters, digits and _";
	return n > 64 ? "NAME is longer than 64" : NULL;
}

/*
 * The grammar of a DNS list line belongs to net/, above this layer; a
 * tool installs net's check here so that a bad line is still named at
 * its file:line when the file is read.
 */
static conf_line_check *line_check;

void
conf_check_lines_with(conf_line_check *check)
{
	line_check = check;
}

static const char *
check_value(const struct key *k, const char *v)
{
	struct cidr net;
	size_t sz;
	double d;
	const char *errstr;
	char *copy, *tok, *save = NULL;
	const char *bad = NULL, *why;
	static char line[CONF_LINE + 128];

	switch (k->type) {
	case T_SIZE:
		return xd_parse_size(v, &sz) == 0 && sz > 0 ? NULL :
		    "expected a size such as 4096, 512k or 20M";
	case T_INT:
		xd_strtonum(v, 0, (long long)1 << 40, &errstr);
		return errstr == NULL ? NULL : "expected a whole number";
	case T_DOUBLE:
		return xd_parse_double(v, &d) == 0 ? NULL : "expected a number";
	case T_SECONDS:
		return xd_parse_double(v, &d) == 0 && d > 0 && d <= 86400 ?
		    NULL : "expected a number of seconds above 0, at most 86400";
	case T_CIDRS:
		copy = xstrdup(v);
		for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t,", &save))
			if (cidr_parse(tok, &net) != 0) {
				bad = "expected addresses or networks such "
				    "as 192.0.2.0/24";
				break;
			}
		free(copy);
		return bad;
	case T_STAGES:
		return check_stages(v);
	case T_LINES:
		if (*v == '\0')
			return NULL;
		why = strcmp(k->name, "url_list") == 0 ? check_url_list(v) :
		    line_check != NULL ? line_check(k->name, v) : NULL;
		if (why == NULL)
			return NULL;
		snprintf(line, sizeof(line), "'%.*s': %s", CONF_LINE, v, why);
		return line;
	default:
		return NULL;
	}
}

/*
 * The value of a list key is every item in force, for conf_str(): words
 * separated by spaces, or for T_LINES one line each.
 */
static void
join_list(struct key *k)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < k->nlist; i++) {
		if (i > 0)
			buf_addc(&b, k->type == T_LINES ? '\n' : ' ');
		buf_adds(&b, k->list[i]);
	}
	free(k->val);
	k->val = b.s;
}

static int
is_list(const struct key *k)
{
	return k->type == T_LIST || k->type == T_CIDRS ||
	    k->type == T_STAGES || k->type == T_LINES;
}

/*
 * Set k from line origin of file number file (0: the default or the
 * command line).  A list adds to itself on "+=" and on a second line of
 * the same file; any other line replaces it.  A T_LINES value is one
 * item, spaces and all.
 */
static void
set_value(struct key *k, const char *v, int file, int append,
    const char *origin)
{
	free(k->val);
	k->val = xstrdup(v);
	free(ORIGIN(k));
	ORIGIN(k) = origin ? xstrdup(origin) : NULL;
	if (!is_list(k))
		return;
	if (!append && !(file != 0 && k->from_file == file))
		clear_list(k);
	k->from_file = file;
	if (k->type == T_LINES) {
		if (*v != '\0')
			add_item(k, v, origin);
	} else
		split_list(k, v, origin);
	join_list(k);
}

/* Take the quotes off a value; -1 if they do not close. */
static int
unquote(char *v)
{
	char *r, *w;

	if (*v != '"')
		return 0;
	for (r = v + 1, w = v; *r != '\0' && *r != '"'; r++) {
		if (*r == '\\' && r[1] != '\0')
			r++;
		*w++ = *r;
	}
	if (*r != '"')
		return -1;
	for (r++; isspace((unsigned char)*r); r++)
		;
	if (*r != '\0' && *r != '#')
		return -1;
	*w = '\0';
	return 0;
}

/* One line of the file: NULL, or why it is wrong. */
static const char *
parse_line(void *arg, char *line, unsigned long lineno)
{
	static char why[2 * CONF_LINE + 256];
	const struct reading *rd = arg;
	const char *expected;
	char *key, *val, *eq, *origin;
	struct key *k;
	int append = 0;

	key = xd_trim(line);
	if (*key == '\0' || *key == '#')
		return NULL;
	if ((eq = strchr(key, '=')) == NULL)
		return "expected 'key = value'";
	*eq = '\0';
	if (eq > key && eq[-1] == '+')
		eq[-1] = '\0', append = 1;
	key = xd_trim(key);
	val = xd_trim(eq + 1);
	if (*val != '"' && (eq = strchr(val, '#')) != NULL)
		*eq = '\0', val = xd_trim(val);
	if (unquote(val) != 0)
		return "unbalanced quotes";
	if ((k = find_key(key)) == NULL) {
		snprintf(why, sizeof(why), "unknown key '%s'", key);
		return why;
	}
	if (append && !is_list(k)) {
		snprintf(why, sizeof(why), "%s: '+=' adds to a list, and "
		    "this key takes one value: use '='", key);
		return why;
	}
	if ((expected = check_value(k, val)) != NULL) {
		snprintf(why, sizeof(why), "%s: %s", key, expected);
		return why;
	}
	xasprintf(&origin, "%s:%lu", rd->path, lineno);
	set_value(k, val, rd->file, append, origin);
	free(origin);
	return NULL;
}

static void
load_defaults(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].val == NULL)
			set_value(&keys[i], keys[i].def, 0, 0, NULL);
}

/*
 * Read one file as the file-th; a missing one is fine unless required.
 * A bad line is reported as file:line and makes this -1.
 */
static int
read_file(const char *path, int file, int required)
{
	struct reading rd = { path, file };
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		xd_warn("%s", path);
		return -1;
	}
	rc = xd_read_lines(fp, path, CONF_LINE, parse_line, &rd);
	fclose(fp);
	if (nloaded < CONF_FILES)
		loaded[nloaded++] = xstrdup(path);
	return rc;
}

/* ~/.xd/xd.conf, or NULL without a HOME.  Always malloc'd. */
char *
conf_user_file(void)
{
	const char *home = getenv("HOME");
	char *p;

	if (home == NULL || *home == '\0')
		return NULL;
	xasprintf(&p, "%s/.xd/xd.conf", home);
	return p;
}

/*
 * Load path alone, or $XD_CONF alone, or the site file and then the
 * user's.  Every file is read, so that every bad line is named; -1 if
 * any was bad or a named file cannot be read.
 */
int
conf_load(const char *path)
{
	const char *env = getenv("XD_CONF");
	char *user;
	int rc;

	load_defaults();
	if (path == NULL && env != NULL && *env != '\0')
		path = env;
	if (path != NULL)
		return read_file(path, 1, 1);
	rc = read_file(xd_site_conf(), 1, 0);
	if ((user = conf_user_file()) != NULL && read_file(user, 2, 0) != 0)
		rc = -1;
	free(user);
	return rc;
}

/* The last file read, whose word stands: for messages. */
const char *
conf_path(void)
{
	return nloaded > 0 ? loaded[nloaded - 1] : NULL;
}

static struct key *
must_key(const char *name)
{
	struct key *k = find_key(name);

	/* A key the table lacks is a bug of the caller's: said, and read
	 * as empty, since the library does not end the process for it. */
	if (k == NULL) {
		static struct key none = { "", T_STR, "", NULL, NULL, 0, 0 };

		xd_warnx("internal error: no configuration key '%s'", name);
		k = &none;
	}
	if (k->val == NULL)
		set_value(k, k->def, 0, 0, NULL);
	return k;
}

const char *
conf_str(const char *name)
{
	return must_key(name)->val;
}

long long
conf_int(const char *name)
{
	const char *errstr;

	return xd_strtonum(must_key(name)->val, 0, (long long)1 << 40, &errstr);
}

double
conf_double(const char *name)
{
	double d = 0;

	xd_parse_double(must_key(name)->val, &d);
	return d;
}

size_t
conf_size(const char *name)
{
	size_t sz = 0;

	xd_parse_size(must_key(name)->val, &sz);
	return sz;
}

size_t
conf_list(const char *name, const char *const **items)
{
	struct key *k = must_key(name);

	*items = (const char *const *)k->list;
	return k->nlist;
}

/* Override a key from the command line; the value is not checked here. */
void
conf_set(const char *name, const char *value)
{
	set_value(must_key(name), value, 0, 0, "the command line");
}

static void
dump_value(FILE *fp, const char *name, const char *v, const char *origin)
{
	fprintf(fp, "%s = \"", name);
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', fp);
		fputc(*v, fp);
	}
	fprintf(fp, "\"\t# %s\n", origin ? origin : "default");
}

static int
same_origin(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * A list, one line for the items of each line that gave them, so that
 * each says where it comes from and the dump reads back as the list.
 */
static void
dump_list(FILE *fp, const struct key *k)
{
	struct buf b;
	size_t i, j;

	if (k->nlist == 0) {
		dump_value(fp, k->name, "", ORIGIN(k));
		return;
	}
	for (i = 0; i < k->nlist; i = j) {
		buf_init(&b);
		buf_adds(&b, k->list[i]);
		for (j = i + 1; k->type != T_LINES && j < k->nlist &&
		    same_origin(ITEM_ORIGIN(k, i), ITEM_ORIGIN(k, j)); j++) {
			buf_addc(&b, ' ');
			buf_adds(&b, k->list[j]);
		}
		dump_value(fp, k->name, b.s, ITEM_ORIGIN(k, i));
		buf_free(&b);
	}
}

/* Every value in force, each with the file:line that set it. */
void
conf_dump(FILE *fp)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		struct key *k = must_key(keys[i].name);

		if (is_list(k))
			dump_list(fp, k);
		else
			dump_value(fp, k->name, k->val, ORIGIN(k));
	}
}
