/*
 * xd-conf - print or check the xd configuration, for bin/xd and for
 * people.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "net/net.h"
#include "tools/tool.h"

static const char synopsis[] =
    "[-c file] [-l] [key ...]\n"
    "[-c file] -n | -p";
static const char options[] =
    "  -c FILE        read FILE alone, not $XD_CONF or the site file and\n"
    "                 then ~/.xd/xd.conf\n"
    "  -l             print list values one item per line\n"
    "  -n             only check the files\n"
    "  -p             print the share directory and the files to read\n"
    "  -h, --help     this help\n"
    "  -V, --version  the version";

static void usage(int) __attribute__((noreturn));

static void
usage(int status)
{
	xd_usage(status, synopsis, options);
}

/*
 * -p: where xd finds its data, and the configuration files it reads in
 * order, whether or not they exist: where to put one.
 */
static void
print_paths(const char *file)
{
	const char *env = getenv("XD_CONF");
	char *user;

	printf("share\t%s\n", xd_sharedir());
	if (file == NULL && env != NULL && *env != '\0')
		file = env;
	if (file != NULL) {
		printf("file\t%s\n", file);
		return;
	}
	printf("site\t%s\n", xd_site_conf());
	if ((user = conf_user_file()) != NULL)
		printf("user\t%s\n", user);
	free(user);
}

static int
print_key(const char *key, int as_list)
{
	const char *const *items;
	size_t i, n;

	if (!conf_known(key)) {
		xd_warnx("unknown key '%s'", key);
		return XD_EXIT_USAGE;
	}
	if (!as_list) {
		printf("%s\n", conf_str(key));
		return 0;
	}
	n = conf_list(key, &items);
	for (i = 0; i < n; i++)
		printf("%s\n", items[i]);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL;
	int c, as_list = 0, check_only = 0, paths = 0, status = 0;

	tool_start(argv[0]);
	while ((c = getopt_long(argc, argv, "c:hlnpV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'l': as_list = 1; break;
		case 'n': check_only = 1; break;
		case 'p': paths = 1; break;
		case 'V': xd_version();
		case 'h': usage(0);
		default:  usage(XD_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (conf_load(file) != 0)
		return XD_EXIT_USAGE;
	if ((check_only || paths) && argc > 0)
		usage(XD_EXIT_USAGE);
	if (paths)
		print_paths(file);
	if (check_only || paths)
		return 0;
	if (argc == 0) {
		conf_dump(stdout);
		return 0;
	}
	for (; argc > 0; argc--, argv++)
		if (print_key(*argv, as_list) != 0)
			status = XD_EXIT_USAGE;
	return status;
}
