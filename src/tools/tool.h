/*
 * tools/tool.h - what every main shares (tool.c): the messages on
 * stderr, prefixed with the tool's name, and the exits.  The library
 * below never prints or exits (base/base.h, "Errors"); its warnings
 * reach stderr through the sink tool_start() installs.
 */
#ifndef XD_TOOLS_TOOL_H
#define XD_TOOLS_TOOL_H

void	 tool_start(const char *argv0);
int	 tool_status(int);

void	 xd_err(int, const char *, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	 xd_errx(int, const char *, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	 xd_version(void) __attribute__((noreturn));
void	 xd_usage(int, const char *, const char *) __attribute__((noreturn));
long long xd_optnum(const char *, const char *, long long, long long);
void	 stream_progress_option(const char *);
const char *dns_resolver_option(const char *);

#endif
