/*
 * check_attach.c - attachments by their names: Office documents that
 * carry macros, whose one purpose in mail from strangers is to run
 * code once "Enable content" is clicked.
 */
#include <string.h>
#include <strings.h>

#include "check/check.h"

/* 1 when name ends in the extension of a macro-enabled Office file. */
int
attach_macro_name(const char *name)
{
	static const char *const exts[] = {
		"docm", "dotm", "xlsm", "xltm", "xlsb", "xlam", "pptm",
		"potm", "ppsm", "ppam", "sldm"
	};
	const char *dot;
	size_t i, len;

	if (name == NULL)
		return 0;
	len = strlen(name);
	/* "x.docm " and "x.docm." open as x.docm on some systems */
	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '.'))
		len--;
	for (dot = name + len; dot > name && dot[-1] != '.'; dot--)
		;
	if (dot == name)
		return 0;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strlen(exts[i]) == (size_t)(name + len - dot) &&
		    strncasecmp(dot, exts[i], strlen(exts[i])) == 0)
			return 1;
	return 0;
}
