/*
 * rules_hsdl.c - the Hyperscan calls rules_hs.c makes, found with
 * dlopen() and dlsym() at the first of them, not linked: libhs and the
 * C++ library it needs cost every tool's start a millisecond, and a
 * process that checks one message (xd filter) never loads the
 * databases (HS_AFTER in rules_hs.c).  When libhs cannot be opened,
 * every call fails and the rules run through PCRE2 alone, as without
 * Hyperscan.  These definitions are the library's only ones of these
 * names: no shared object linked refers to them, so none is exported.
 */
#ifdef XD_HYPERSCAN

#include <dlfcn.h>
#include <stddef.h>

#include <hs.h>

/* Every release of Hyperscan 5 has this soname. */
#define HS_SONAME	"libhs.so.5"

static struct {
	hs_error_t (*alloc_scratch)(const hs_database_t *, hs_scratch_t **);
	hs_error_t (*compile_multi)(const char *const *, const unsigned *,
	    const unsigned *, unsigned, unsigned, const hs_platform_info_t *,
	    hs_database_t **, hs_compile_error_t **);
	hs_error_t (*deserialize_database)(const char *, const size_t,
	    hs_database_t **);
	hs_error_t (*expression_info)(const char *, unsigned,
	    hs_expr_info_t **, hs_compile_error_t **);
	hs_error_t (*free_compile_error)(hs_compile_error_t *);
	hs_error_t (*free_database)(hs_database_t *);
	hs_error_t (*free_scratch)(hs_scratch_t *);
	hs_error_t (*scan)(const hs_database_t *, const char *, unsigned,
	    unsigned, hs_scratch_t *, match_event_handler, void *);
	hs_error_t (*serialize_database)(const hs_database_t *, char **,
	    size_t *);
	hs_error_t (*valid_platform)(void);
	const char *(*version)(void);
} hs;

/* The names, in the order of the pointers above. */
static const char *const names[] = {
	"hs_alloc_scratch", "hs_compile_multi", "hs_deserialize_database",
	"hs_expression_info", "hs_free_compile_error", "hs_free_database",
	"hs_free_scratch", "hs_scan", "hs_serialize_database",
	"hs_valid_platform", "hs_version",
};

/* 0 once every call is found; -1, for good, if one is not. */
static int
load(void)
{
	static int state;	/* 0 not tried, 1 loaded, -1 failed */
	void **slot = (void **)&hs, *lib;
	size_t i;

	if (state != 0)
		return state > 0 ? 0 : -1;
	state = -1;
	if ((lib = dlopen(HS_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((slot[i] = dlsym(lib, names[i])) == NULL) {
			dlclose(lib);
			return -1;
		}
	state = 1;
	return 0;
}

hs_error_t
hs_valid_platform(void)
{
	return load() == 0 ? hs.valid_platform() : HS_ARCH_ERROR;
}

const char *
hs_version(void)
{
	return load() == 0 ? hs.version() : "none";
}

hs_error_t
hs_expression_info(const char *expression, unsigned flags,
    hs_expr_info_t **info, hs_compile_error_t **error)
{
	*error = NULL;
	return load() == 0 ? hs.expression_info(expression, flags, info,
	    error) : HS_ARCH_ERROR;
}

hs_error_t
hs_compile_multi(const char *const *expressions, const unsigned *flags,
    const unsigned *ids, unsigned elements, unsigned mode,
    const hs_platform_info_t *platform, hs_database_t **db,
    hs_compile_error_t **error)
{
	*error = NULL;
	return load() == 0 ? hs.compile_multi(expressions, flags, ids,
	    elements, mode, platform, db, error) : HS_ARCH_ERROR;
}

hs_error_t
hs_free_compile_error(hs_compile_error_t *error)
{
	return error == NULL || load() != 0 ? HS_SUCCESS :
	    hs.free_compile_error(error);
}

hs_error_t
hs_serialize_database(const hs_database_t *db, char **bytes, size_t *length)
{
	return load() == 0 ? hs.serialize_database(db, bytes, length) :
	    HS_ARCH_ERROR;
}

hs_error_t
hs_deserialize_database(const char *bytes, const size_t length,
    hs_database_t **db)
{
	return load() == 0 ? hs.deserialize_database(bytes, length, db) :
	    HS_ARCH_ERROR;
}

hs_error_t
hs_free_database(hs_database_t *db)
{
	return db == NULL || load() != 0 ? HS_SUCCESS : hs.free_database(db);
}

hs_error_t
hs_alloc_scratch(const hs_database_t *db, hs_scratch_t **scratch)
{
	return load() == 0 ? hs.alloc_scratch(db, scratch) : HS_ARCH_ERROR;
}

hs_error_t
hs_free_scratch(hs_scratch_t *scratch)
{
	return scratch == NULL || load() != 0 ? HS_SUCCESS :
	    hs.free_scratch(scratch);
}

hs_error_t
hs_scan(const hs_database_t *db, const char *data, unsigned length,
    unsigned flags, hs_scratch_t *scratch, match_event_handler on_event,
    void *context)
{
	return load() == 0 ? hs.scan(db, data, length, flags, scratch,
	    on_event, context) : HS_ARCH_ERROR;
}

#endif
