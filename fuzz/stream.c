/*
 * fuzz-stream: verdict-stream lines (stream.c) as every tool reads
 * them, then scored against the shipped weights (weights.c).  A line
 * read as well-formed must come back the same after rec_write(), and
 * every value the same after escaping: anything else is a misreading,
 * and aborts.
 */
#include "fuzz.h"

#define MAXLINE	512	/* small, so that long lines are cut often */

static struct weights *weights;

static void
check_roundtrip(const struct rec *rec)
{
	struct reader r;
	struct rec back;
	char *text = NULL;
	size_t len = 0, i;
	FILE *fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		abort();
	rec_write(rec, fp);
	fclose(fp);
	if ((fp = fmemopen(text, len, "r")) == NULL)
		abort();
	reader_init(&r, fp, "<fuzz>", MAXLINE * 4);
	rec_init(&back);
	if (!reader_next(&r, &back) || back.bad != NULL ||
	    back.comment != rec->comment || back.nf != rec->nf)
		abort();
	for (i = 0; i < rec->nf; i++)
		if (strcmp(back.f[i], rec->f[i]) != 0)
			abort();
	rec_free(&back);
	reader_free(&r);
	fclose(fp);
	free(text);
}

/* Every value unescaped, escaped again and unescaped: the same bytes. */
static void
check_values(struct rec *rec)
{
	struct buf v, again;
	const char *value;
	size_t i, nf = rec->nf;

	buf_init(&v);
	buf_init(&again);
	for (i = 1; i < nf; i++) {
		rec_name(rec->f[i], &value);
		buf_reset(&v);
		stream_unescape(value, &v);
		rec_set(rec, "fuzz.copy", v.s ? v.s : "");
		if (!rec_get(rec, "fuzz.copy", &again) || again.len != v.len ||
		    memcmp(again.s ? again.s : "", v.s ? v.s : "", v.len) != 0)
			abort();
	}
	buf_free(&v);
	buf_free(&again);
}

static void
score(const struct rec *rec)
{
	const char *rule;
	unsigned long line;
	double sum = 0;
	size_t i;

	for (i = 1; i < rec->nf; i++) {
		size_t n = rec_name(rec->f[i], NULL);

		if (is_symbol_name(rec->f[i], n))
			sum += weights_symbol(weights, rec->f[i], n, &rule,
			    &line);
	}
	(void)weights_class(weights, sum);
	(void)weights_prob(weights, sum);
}

static void
one(const char *path)
{
	static const char *const owned[] = { "RBL_", "score=", NULL };
	struct locator loc;
	struct reader r;
	struct rec rec;
	const char *why;
	FILE *fp, *out;

	if ((fp = fopen(path, "r")) == NULL)
		return;
	if ((out = fopen("/dev/null", "w")) == NULL)
		abort();
	reader_init(&r, fp, path, MAXLINE);
	rec_init(&rec);
	while (reader_next(&r, &rec)) {
		if (rec.bad == NULL) {
			check_roundtrip(&rec);
			if (!rec.comment) {
				score(&rec);
				if (rec_locate(&rec, &loc, &why) == 0 &&
				    loc.path == NULL)
					abort();
				locator_free(&loc);
				check_values(&rec);
				rec_drop_prefixes(&rec, owned);
				rec_drop_own_errors(&rec, "xd-fuzz");
			}
		} else
			rec_error(&rec, "xd-fuzz", rec.bad);
		rec_write(&rec, out);
	}
	rec_free(&rec);
	reader_free(&r);
	fclose(fp);
	fclose(out);
}

int
main(int argc, char *argv[])
{
	fuzz_setup(argc, argv);
	if ((weights = weights_load(NULL)) == NULL)
		return 2;
	__AFL_INIT();
	while (__AFL_LOOP(FUZZ_LOOP))
		one(argv[1]);
	weights_free(weights);
	return 0;
}
