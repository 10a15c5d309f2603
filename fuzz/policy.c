/*
 * fuzz-policy: a policy file (policy.c) loaded, then matched against
 * lines whose facts are the file's own words, so that its rules fit.
 */
#include <ctype.h>

#include "fuzz.h"

#define MAX_WORDS	64

static const char *const facts[] = {
	"from", "mailfrom", "ip", "rcpt", "to", "cc", "helo", "subject", NULL
};

static void
match_word(struct policy *p, struct rec *rec, const char *word)
{
	const struct policy_rule *r;
	size_t i;

	rec_from_locator(rec, "/fuzz/msg");
	for (i = 0; facts[i] != NULL; i++)
		rec_add(rec, facts[i], word);
	rec_add(rec, "from", "second@example.com");
	if ((r = policy_match(p, rec)) != NULL) {
		(void)policy_action_name(r->action);
		for (i = 0; i < r->nsymbols; i++)
			(void)policy_counts(r, r->symbols[i],
			    strlen(r->symbols[i]));
		(void)policy_counts(r, "RBL_ZEN", 7);
		(void)policy_counts(r, "", 0);
	}
}

static void
match_words(struct policy *p, const char *text, size_t len)
{
	struct rec rec;
	struct buf word;
	size_t i = 0, n, words = 0;

	rec_init(&rec);
	buf_init(&word);
	while (i < len && words++ < MAX_WORDS) {
		while (i < len && isspace((unsigned char)text[i]))
			i++;
		for (n = 0; i + n < len && text[i + n] != '\0' &&
		    !isspace((unsigned char)text[i + n]); n++)
			;
		buf_reset(&word);
		buf_add(&word, text + i, n);
		policy_fold(word.s);
		match_word(p, &rec, word.s);
		i += n + 1;
	}
	match_word(p, &rec, "");
	buf_free(&word);
	rec_free(&rec);
}

static void
one(const char *path)
{
	struct policy *p;
	char *text;
	size_t len;

	if ((p = policy_load(path)) == NULL)
		return;
	(void)policy_count(p);
	if ((text = fuzz_slurp(path, &len)) != NULL)
		match_words(p, text, len);
	free(text);
	policy_free(p);
}

int
main(int argc, char *argv[])
{
	fuzz_setup(argc, argv);
	__AFL_INIT();
	while (__AFL_LOOP(FUZZ_LOOP))
		one(argv[1]);
	return 0;
}
