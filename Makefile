# xd - a spam-checking toolkit in the Unix-pipeline style.
#
#   make            build every tool into bin/
#   make demo       install missing Debian packages, build, run on share/samples
#   make test       install missing Debian packages, build, run every test
#   make check-asan make check-valgrind make bench make install
#   make check-layers  src/ folders include only the layers below them
#   make fuzz       AFL++ on the parsers, FUZZ_S seconds each (fuzz/run.sh)
#   make accuracy   cross-validated accuracy on ../shared/corpus (PEERS=1: and peers)
#   make rule-stats each rule's hits on ham and spam, untrained (CORPUS=dir)

# Packagers' names: DESTDIR stages the install; datadir and sysconfdir
# may be given apart from PREFIX (sysconfdir is /etc when PREFIX is /usr).
PREFIX	?= /usr/local
datadir	?= $(PREFIX)/share
sysconfdir ?= $(if $(filter /usr /usr/,$(PREFIX)),/etc,$(PREFIX)/etc)
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(datadir)/man
SHAREDIR = $(datadir)/xd
CONFDIR	 = $(sysconfdir)/xd
DESTDIR	?=

CC	?= cc
# Where objects and binaries go; check-asan uses a build directory of its own.
O	?= build
B	?= bin

# libspf2 ships no pkg-config file.
PKGS	 = gmime-3.0 libcares libpcre2-8 libpsl libidn2 lmdb hiredis libarchive \
	   icu-uc icu-i18n
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libarchive and ICU are opened with dlopen() when a message needs them
# (mime/archive_dl.c, check/check_lookalike.c), not linked: loading them
# cost every tool's start more than most messages' checks.
DL_PKGS	 = libarchive icu-uc icu-i18n
# GLib, GMime and the small C libraries are linked from their static
# archives where they are installed (STATIC=0: every library shared):
# at every exec the loader spent longer resolving GLib's and GIO's
# relocations than an xd filter delivery spends checking the message.
# PCRE2 stays shared, as libselinux (under GIO) loads it anyway.
STATIC	?= 1
STATIC_LIBS = gmime-3.0 gio-2.0 gobject-2.0 gmodule-2.0 \
	   glib-2.0 ffi z cares psl idn2 unistring lmdb
ifeq ($(STATIC),1)
STATIC_FOUND := $(foreach n,$(STATIC_LIBS),$(if $(filter /%,$(shell \
	$(CC) -print-file-name=lib$(n).a)),$(n)))
static_lib = $(if $(filter $(1:-l%=%),$(STATIC_FOUND)),-l:lib$(1:-l%=%).a,$(1))
PKG_LIBS   := $(foreach l,$(shell pkg-config --static --libs \
	$(filter-out $(DL_PKGS),$(PKGS)) 2>/dev/null),$(call static_lib,$(l))) -lspf2
else
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(DL_PKGS),$(PKGS)) \
	2>/dev/null) -lspf2
endif
# hiredis too, for a Redis store (store/store_redisdl.c), when its soname
# is found; else it is linked.
HIREDIS_SONAME := $(shell objdump -p "$$($(CC) -print-file-name=libhiredis.so)" \
	2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')
ifneq ($(HIREDIS_SONAME),)
PKG_CFLAGS += -DXD_HIREDIS_SONAME='"$(HIREDIS_SONAME)"'
PKG_LIBS   := $(filter-out -lhiredis,$(PKG_LIBS))
endif

# Hyperscan (amd64) prefilters the rules' patterns (check/rules_hs.c);
# without it (HS=0, or no libhs) the results are the same, only slower.
# It is opened with dlopen() when the databases are (check/rules_hsdl.c).
HS	?= $(shell pkg-config --exists libhs 2>/dev/null && echo 1)
ifeq ($(HS),1)
PKG_CFLAGS += -DXD_HYPERSCAN $(shell pkg-config --cflags libhs)
endif

CFLAGS	?= -O2 -g
XCFLAGS	 = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -I$(O) $(PKG_CFLAGS)
LDLIBS	 = -Wl,--as-needed $(PKG_LIBS) -lm
# Under AddressSanitizer a C++ library opened later (libhs, which throws
# inside its compiler) needs the C++ runtime there at the start, for
# ASan's __cxa_throw interceptor to find the real one.
ifneq ($(findstring -fsanitize=address,$(CFLAGS)),)
ifeq ($(HS),1)
LDLIBS	+= -Wl,--no-as-needed -lstdc++ -Wl,--as-needed
endif
endif

# src/ is in layers, one folder each (see README, "Source layout");
# every src/tools/xd-*.c is a tool, every other src/*/*.c belongs to the
# library.  Objects keep the folders: $(O)/base/util.o.
TOOLS	 = $(patsubst src/tools/%.c,%,$(wildcard src/tools/xd-*.c))
# What every main links besides the library: the messages on stderr
# and the exits, which the library leaves to them (tools/tool.c).
TOOLOBJ	 = $(O)/tools/tool.o
LIBOBJ	 = $(patsubst src/%.c,$(O)/%.o,$(filter-out src/tools/%,$(wildcard src/*/*.c)))
LIB	 = $(O)/libxd.a

BINS	 = $(TOOLS:%=$(B)/%)
HDRS	 = $(wildcard src/*/*.h)

all: $(BINS)

$(O)/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

# The share directory and the site configuration are compiled in, not
# found from /proc/self/exe: packagers put them apart from the binaries
# (datadir, sysconfdir), and a binary linked or copied elsewhere still
# finds them.  $(O)/paths.h is rewritten only when a path changed, so a
# "make install PREFIX=..." after a plain "make" rebuilds what reads it.
$(O)/paths.h: FORCE
	@mkdir -p $(O)
	@printf '#define XD_SHAREDIR "%s"\n#define XD_SYSCONFDIR "%s"\n' \
		'$(SHAREDIR)' '$(sysconfdir)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; \
		echo "paths: share $(SHAREDIR), site configuration $(CONFDIR)/xd.conf"; fi

$(O)/base/util.o: $(O)/paths.h

$(LIB): $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/%: $(O)/tools/%.o $(TOOLOBJ) $(LIB)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TOOLOBJ) $(LIB) $(LDLIBS)
	@[ "$(B)" = bin ] || cp bin/xd $(B)/xd

# Debian packages the build, the tests and the demo need.
DEPS	 = gcc make pkg-config libgmime-3.0-dev libspf2-dev libc-ares-dev \
	   libpcre2-dev libssl-dev libpsl-dev libidn2-dev libunistring-dev libgpgme-dev publicsuffix liblmdb-dev \
	   libhiredis-dev libarchive-dev libicu-dev bats procmail maildrop time valgrind \
	   python3 python3-dnslib knot redis-server gnuplot-nox mandoc parallel strace \
	   $(if $(filter amd64,$(shell dpkg --print-architecture 2>/dev/null)),libhyperscan-dev)
PEER_PKGS = bogofilter spamassassin spamd spamc rspamd

deps:
	@missing=$$(for p in $(DEPS) $(if $(filter 1,$(PEERS)),$(PEER_PKGS)); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: every Debian package is installed"; exit 0; fi; \
	echo "deps: installing" $$missing; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: not root: run 'sudo apt-get install" $$missing"'" >&2; exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing

# After deps, a fresh make: pkg-config could not see missing libraries
# when this Makefile was first read.
demo: deps
	@$(MAKE) --no-print-directory all
	@sh t/demo.sh

$(O)/unit-tests: t/unit.c $(LIB) $(HDRS)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ t/unit.c $(LIB) $(LDLIBS)

# t/store.bats drives the store's interface through this.
$(O)/store-test: t/store-test.c $(TOOLOBJ) $(LIB) $(HDRS)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ t/store-test.c $(TOOLOBJ) $(LIB) $(LDLIBS)

# t/eol.bats checks where the header ends against GMime with this.
$(O)/eol-test: t/eol-test.c $(LIB) $(HDRS)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ t/eol-test.c $(LIB) $(LDLIBS)

# t/html.bats runs the HTML tokenizer's torture cases (src/text/) with this.
$(O)/html-test: t/html-test.c $(LIB) $(HDRS)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ t/html-test.c $(LIB) $(LDLIBS)

# Each src/ folder includes only the layers below it, and the limits on
# file sizes (t/check-layers.sh): no header over 250 lines, no .c over
# 800 (CHECK_LINES=report only reports those).
check-layers:
	@CHECK_LINES=$(CHECK_LINES) sh t/check-layers.sh src

test: deps
	@$(MAKE) --no-print-directory all $(O)/unit-tests $(O)/store-test $(O)/eol-test $(O)/html-test
	@$(MAKE) --no-print-directory check-layers
	@sh t/run.sh $(B) $(O)

# The slowest tests, from a run of the whole suite.
test-times: deps
	@$(MAKE) --no-print-directory all $(O)/unit-tests $(O)/store-test
	@XD_TEST_TIMES=$(O)/test-times sh t/run.sh $(B) $(O) >/dev/null || true
	@echo "slowest tests (ms), all in $(O)/test-times:"; head -n 20 $(O)/test-times

check-asan:
	$(MAKE) O=build-asan B=build-asan/bin CC=gcc \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		all build-asan/unit-tests build-asan/store-test build-asan/eol-test \
		build-asan/html-test
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		sh t/run.sh build-asan/bin build-asan

# Harnesses of fuzz/, one per parser; with CC=afl-clang-fast in build-fuzz/.
$(O)/fuzz-%: fuzz/%.c fuzz/fuzz.h $(LIB) $(HDRS)
	$(CC) $(XCFLAGS) $(CFLAGS) -DFUZZ_SHARE=\"$(CURDIR)/share\" \
		-DFUZZ_WORK=\"$(abspath $(O))\" -o $@ $< $(LIB) $(LDLIBS)

FUZZ_S	?= 60
FUZZ_TARGETS ?= message stream rules weights policy conf dns
FUZZ_DEPS = afl++ clang
FUZZ_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all

fuzz:
	@$(MAKE) --no-print-directory deps DEPS="$(DEPS) $(FUZZ_DEPS)"
	@$(MAKE) --no-print-directory O=build-fuzz CC=afl-clang-fast \
		CFLAGS="$(FUZZ_CFLAGS)" $(FUZZ_TARGETS:%=build-fuzz/fuzz-%)
	@FUZZ_S=$(FUZZ_S) sh fuzz/run.sh build-fuzz $(FUZZ_TARGETS)

check-valgrind: all
	sh t/valgrind.sh $(B)

bench: all
	sh t/bench.sh $(B)

# xd eval on ../shared/corpus beside the peers; PEERS=1 installs them.
accuracy: deps
	@$(MAKE) --no-print-directory all
	@sh t/accuracy.sh $(B) $(O)/accuracy

# Each symbol's hits on ham and spam, untrained and offline, to set the
# hand-set weights of share/weights by (CORPUS=dir for another pair).
rule-stats: all
	@sh t/rule-stats.sh $(B) $(CORPUS)

# The man pages and the sample recipes name where they are installed;
# the site configuration is installed once and never overwritten.
INSTALL_PATHS = sed -e 's|/usr/local/share/xd|$(SHAREDIR)|g' \
		    -e 's|/usr/local/etc/xd|$(CONFDIR)|g'
# The installed recipes name xd by its full path: procmail and maildrop
# run filters with a PATH of their own, which PREFIX/bin may not be on.
INSTALL_RECIPE = $(INSTALL_PATHS) -e 's,^| xd filter$$,| $(BINDIR)/xd filter,' \
		    -e 's,^xfilter "xd filter"$$,xfilter "$(BINDIR)/xd filter",'
MAN1	 = $(notdir $(wildcard man/*.1))
MAN5	 = $(notdir $(wildcard man/*.5))

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(CONFDIR)
	cp bin/xd $(BINS) $(DESTDIR)$(BINDIR)/
	cp -R share/. $(DESTDIR)$(SHAREDIR)/
	for f in $(MAN1:%=man1/%) $(MAN5:%=man5/%); do \
		$(INSTALL_PATHS) man/$${f#man?/} >$(DESTDIR)$(MANDIR)/$$f || exit 1; done
	for f in procmailrc mailfilter; do \
		$(INSTALL_RECIPE) share/$$f >$(DESTDIR)$(SHAREDIR)/$$f || exit 1; done
	$(INSTALL_PATHS) share/xd.conf.sample >$(DESTDIR)$(SHAREDIR)/xd.conf.sample
	[ -e $(DESTDIR)$(CONFDIR)/xd.conf ] || \
		cp $(DESTDIR)$(SHAREDIR)/xd.conf.sample $(DESTDIR)$(CONFDIR)/xd.conf

# What install put, less the site configuration, which is the admin's.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/xd $(TOOLS:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(MAN1:%=$(DESTDIR)$(MANDIR)/man1/%) $(MAN5:%=$(DESTDIR)$(MANDIR)/man5/%)
	rm -rf $(DESTDIR)$(SHAREDIR)
	rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true

clean:
	rm -rf build build-asan build-fuzz $(BINS)

.PHONY: all deps demo test test-times check-layers check-asan check-valgrind fuzz bench \
	accuracy rule-stats install uninstall clean FORCE
.SECONDARY:
