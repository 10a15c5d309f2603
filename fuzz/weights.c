/*
 * fuzz-weights: a weights file (weights.c) loaded, then asked for the
 * weight of its own names and for its thresholds and calibration.
 */
#include "fuzz.h"

static void
ask(const char *name, double weight, void *arg)
{
	struct weights *w = arg;
	const char *rule;
	unsigned long line;
	char *field;
	double a, b;

	(void)weight;
	xasprintf(&field, "%s=1", name);
	(void)weights_symbol(w, field, strlen(name), &rule, &line);
	free(field);
	xasprintf(&field, "%sX=", name);
	(void)weights_symbol(w, field, strlen(name) + 1, &rule, &line);
	free(field);
	weights_calibration(w, &a, &b);
}

static void
one(const char *path)
{
	static const double scores[] = { -1e308, -5, 0, 4.9, 5, 12, 1e308 };
	struct weights *w;
	size_t i;

	if ((w = weights_load(path)) == NULL)
		return;
	weights_each(w, ask, w);
	(void)weights_threshold(w, "spam");
	(void)weights_threshold(w, "surespam");
	for (i = 0; i < sizeof(scores) / sizeof(scores[0]); i++) {
		(void)weights_class(w, scores[i]);
		(void)weights_prob(w, scores[i]);
	}
	weights_free(w);
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
