/*
 * check/lr.h - the online logistic regression of xd-lr(1): hashed
 * features of a message, the model's weights in the store, and the
 * update rule.  Part of check.h, which includes it.
 */
#ifndef XD_LR_H
#define XD_LR_H

#define LR_BITS		20		/* 2^20 weights: the hashed space */
#define LR_VIEW		3000		/* bytes of text cut into 4-grams */
#define LR_GRAM		4
#define LR_SIZE		(1u << LR_BITS)
#define LR_UNIT		1e-7		/* a stored weight counts in these */
#define LR_SCHEME	4		/* what the features of a store mean */

struct lr_features {			/* sorted, distinct indices */
	uint32_t	*idx;
	size_t		 n, cap;
};

void	 lr_features_init(struct lr_features *);
void	 lr_features_free(struct lr_features *);
void	 lr_features_make(struct lr_features *, const struct bayes_tokens *,
	    const char *, size_t);
double	 lr_scale(const struct lr_features *);
double	 lr_prob(double);
const char *lr_band(double);

/*
 * A batch's weights in memory, so that the messages of one batch are
 * learned one after the other as an online learner must; what changed
 * is written to the store as additions, which concurrent learners sum.
 */
struct lr_cache;
struct lr_cache *lr_cache_new(size_t);
void	 lr_cache_free(struct lr_cache *);
void	 lr_cache_put(struct lr_cache *, uint32_t, double);
double	 lr_cache_score(const struct lr_cache *, const struct lr_features *);
void	 lr_cache_step(struct lr_cache *, const struct lr_features *, double);
typedef void (*lr_delta_fn)(uint32_t, double, void *);
void	 lr_cache_deltas(const struct lr_cache *, lr_delta_fn, void *);

/* lrdb.c: the model in the store (xd-store(5)) */
enum lr_scheme_state { LR_SCHEME_OK, LR_SCHEME_EMPTY, LR_SCHEME_OTHER };
struct lr_db;
struct lr_db *lr_db_open(const char *, const char **);	/* NULL: conf */
void	 lr_db_close(struct lr_db *);
struct store *lr_db_store(struct lr_db *);
void	 lr_queue_weights(struct lr_db *, const struct lr_features *,
	    int32_t *);
void	 lr_queue_totals(struct lr_db *, struct store_val *);
void	 lr_queue_seen(struct lr_db *, const unsigned char *,
	    struct store_val *);
void	 lr_queue_learned(struct lr_db *, const unsigned char *, long long,
	    int);
void	 lr_queue_deltas(struct lr_db *, const uint32_t *, const int32_t *,
	    size_t);
void	 lr_queue_endif(struct lr_db *);
int	 lr_db_scheme(struct lr_db *, int, enum lr_scheme_state *,
	    long long *, const char **);
int	 lr_db_stats(struct lr_db *, long long *, long long *,
	    const char **);

/* lr_learn.c: learning a message, for the stage and for one file */
struct lr_rule {			/* lr_rate, lr_margin, lr_train */
	double		 rate, margin;
	int		 always;	/* every message moves, not on error */
};
enum lr_outcome { LR_UPDATED, LR_KEPT, LR_ALREADY };
void	 lr_rule_conf(struct lr_rule *);
int	 lr_message_features(const struct locator *, const char *,
	    struct lr_features *, unsigned char *, const char **);
void	 lr_cache_load(struct lr_cache *, const struct lr_features *,
	    const int32_t *);
enum lr_outcome lr_learn_one(struct lr_db *, struct lr_cache *,
	    const struct lr_rule *, const struct lr_features *,
	    const unsigned char *, long long, int);
int	 lr_learn_commit(struct lr_db *, const struct lr_cache *,
	    const char **);
int	 lr_learn_file(const struct locator *, int, enum lr_outcome *,
	    const char **);

#endif
