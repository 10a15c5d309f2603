/*
 * archive_dl.c - libarchive's calls that archive.c makes, found with
 * dlopen() and dlsym() once, at the first archive (see archive_dl.h).
 */
#include <dlfcn.h>
#include <stddef.h>

#include "mime/archive_dl.h"

/* Every release of libarchive 3 has this soname. */
#define ARCHIVE_SONAME	"libarchive.so.13"

struct archive_lib archive_lib;

/* The formats and filters archive.c reads besides zip, in the order of
 * archive_lib.support[]. */
static const char *const support[] = {
	"archive_read_support_format_rar",
	"archive_read_support_format_rar5",
	"archive_read_support_format_7zip",
	"archive_read_support_format_tar",
	"archive_read_support_format_cab",
	"archive_read_support_format_lha",
	"archive_read_support_filter_gzip",
	"archive_read_support_filter_bzip2",
	"archive_read_support_filter_xz",
};

/* The symbol name into *slot; -1 if it is not there. */
static int
find(void *lib, const char *name, void *slot)
{
	void *f = dlsym(lib, name);

	if (f == NULL)
		return -1;
	*(void **)slot = f;
	return 0;
}

int
archive_lib_load(void)
{
	static void *lib;
	static int failed;
	size_t i;

	if (lib != NULL)
		return 0;
	if (failed || (lib = dlopen(ARCHIVE_SONAME, RTLD_NOW |
	    RTLD_LOCAL)) == NULL)
		goto bad;
	if (find(lib, "archive_read_new", &archive_lib.read_new) ||
	    find(lib, "archive_read_free", &archive_lib.read_free) ||
	    find(lib, "archive_read_support_format_zip",
	    &archive_lib.support_format_zip) ||
	    find(lib, "archive_read_set_read_callback",
	    &archive_lib.set_read_callback) ||
	    find(lib, "archive_read_set_seek_callback",
	    &archive_lib.set_seek_callback) ||
	    find(lib, "archive_read_set_skip_callback",
	    &archive_lib.set_skip_callback) ||
	    find(lib, "archive_read_set_callback_data",
	    &archive_lib.set_callback_data) ||
	    find(lib, "archive_read_open1", &archive_lib.open1) ||
	    find(lib, "archive_read_next_header", &archive_lib.next_header) ||
	    find(lib, "archive_read_data", &archive_lib.read_data) ||
	    find(lib, "archive_entry_pathname", &archive_lib.entry_pathname) ||
	    find(lib, "archive_entry_is_encrypted",
	    &archive_lib.entry_is_encrypted) ||
	    find(lib, "archive_set_error", &archive_lib.set_error))
		goto unusable;
	for (i = 0; i < sizeof(support) / sizeof(support[0]); i++)
		if (find(lib, support[i], &archive_lib.support[i]) != 0)
			goto unusable;
	return 0;
unusable:
	dlclose(lib);
	lib = NULL;
bad:
	failed = 1;
	return -1;
}
