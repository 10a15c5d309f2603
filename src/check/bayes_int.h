/*
 * bayes_int.h - what the parts of xd-bayes(1)'s tokenizer share:
 * bayes.c holds the token set and tokenizes a message's headers and
 * parts, bayes_words.c makes tokens of words, links and list footers,
 * bayes_html.c the tags and links of HTML, bayes_fisher.c combines
 * token probabilities (Robinson-Fisher).
 */
#ifndef BAYES_INT_H
#define BAYES_INT_H

#define TOK_BUF		64	/* prefix and word */

int	 bayes_is_host_char(int);
int	 bayes_prefix_ci(const char *, size_t, const char *);
const char *bayes_find_ci(const char *, size_t, const char *);

#endif
