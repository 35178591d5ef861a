# pkg.mk - what jitk installs: the libraries users link, pkg-config, man
# pages, completion, make install/uninstall and make deb (included by the
# Makefile; uses its B, CC, CFLAGS_J, LIBS, LIB_O).
#
# $(B)/libjitk.a of the Makefile is the internal archive the tests, the bench
# and the CLI link (they reach internals).  What users link is built here in
# $(B)/lib/ from position-independent objects compiled with
# -fvisibility=hidden ($(B)/pic/):
#   libjitk.so.$(VERSION)  soname libjitk.so.$(SOMAJOR); its dynamic symbol
#                          table holds jitk_* and nothing else (jitk.h's
#                          visibility pragma and tools/libjitk.map)
#   libjitk.a              one object, partially linked (ld -r), in which every
#                          symbol but jitk_* is local (objcopy): a program's own
#                          read_file, codegen or str_copy cannot clash with it
# A further library (say a Z3-free runtime) needs three lines here:
#   $(B)/lib/libjitk-rt.a: $(its PIC objects) ; $(pkg_static)
#   PKG_LIBS += $(B)/lib/libjitk-rt.a
#   PKG_PC += tools/jitk-rt.pc.in
# and install, uninstall, make deb (add it to debian/libjitk-dev.install)
# and `all` pick it up.

jitk_ver = $(shell sed -n 's/^.define JITK_VERSION_$(1) \([0-9]*\)$$/\1/p' include/jitk.h)
VERSION := $(call jitk_ver,MAJOR).$(call jitk_ver,MINOR).$(call jitk_ver,MICRO)
SOMAJOR := $(call jitk_ver,MAJOR)

# Install locations (GNU names); Debian passes LIBDIR=/usr/lib/<triplet>.
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
DATADIR      ?= $(PREFIX)/share
MANDIR       ?= $(DATADIR)/man
DOCDIR       ?= $(DATADIR)/doc/jitk
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
POLICYDIR    ?= $(DATADIR)/jitk/policies
LDFLAGS      ?=
OBJCOPY      ?= objcopy

PIC_O   := $(patsubst $(B)/obj/%,$(B)/pic/%,$(LIB_O))
SO_REAL := $(B)/lib/libjitk.so.$(VERSION)
PKG_LIBS := $(SO_REAL) $(B)/lib/libjitk.a
PKG_PC  := tools/jitk.pc.in
MAN_PAGES := $(B)/man/jitk.1 $(B)/man/jitk-scpl.5 $(B)/man/libjitk.3
POLICY_FILES := $(shell find policies -name '*.scpl' 2>/dev/null | sort)
DOC_FILES := README.md $(wildcard docs/*.md)

.PHONY: pkg deb
all: pkg
pkg: $(PKG_LIBS) $(MAN_PAGES)

$(B)/pic/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -fPIC -fvisibility=hidden -c -o $@ $<
$(B)/pic/%.o: %.c $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -fPIC -fvisibility=hidden -MMD -MP -c -o $@ $<

$(SO_REAL): $(PIC_O) tools/libjitk.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -shared -Wl,-soname,libjitk.so.$(SOMAJOR) \
	  -Wl,--version-script=tools/libjitk.map -Wl,--no-undefined $(LDFLAGS) \
	  -o $@ $(PIC_O) $(LIBS)
	ln -sf libjitk.so.$(VERSION) $(B)/lib/libjitk.so.$(SOMAJOR)
	ln -sf libjitk.so.$(SOMAJOR) $(B)/lib/libjitk.so

# A static library users link, from the objects $^: one relocatable object
# (ld -r) in which every symbol but jitk_* is local, in an archive $@.
define pkg_static
	@mkdir -p $(dir $@)
	$(LD) -r -o $(@:.a=.o) $^
	nm -g --defined-only $(@:.a=.o) | awk '$$3 ~ /^jitk_/ { print $$3 }' > $(@:.a=.syms)
	$(OBJCOPY) --keep-global-symbols=$(@:.a=.syms) $(@:.a=.o)
	rm -f $@ && ar rcs $@ $(@:.a=.o)
endef

$(B)/lib/libjitk.a: $(PIC_O)
	$(pkg_static)

# jitk(1): man/jitk.1.in around the COMMANDS section the command table
# writes.  @VERSION@ and the directories are filled in at install time
# (PKG_SUBST), like the .pc files, so they name the PREFIX actually used.
$(B)/man/jitk.1: man/jitk.1.in $(B)/jitk
	@mkdir -p $(dir $@)
	$(B)/jitk help --man > $@.cmds
	sed -e '/^@COMMANDS@$$/{r $@.cmds' -e 'd;}' man/jitk.1.in > $@.tmp && mv $@.tmp $@
	rm -f $@.cmds

# jitk-scpl(5) is docs/scpl.md and libjitk(3) is include/jitk.h, rendered.
$(B)/man/jitk-scpl.5: tools/mkman.py docs/scpl.md man/jitk-scpl.5.in
	@mkdir -p $(dir $@)
	python3 tools/mkman.py md docs/scpl.md man/jitk-scpl.5.in > $@.tmp && mv $@.tmp $@
$(B)/man/libjitk.3: tools/mkman.py include/jitk.h man/libjitk.3.in
	@mkdir -p $(dir $@)
	python3 tools/mkman.py api include/jitk.h man/libjitk.3.in > $@.tmp && mv $@.tmp $@

PKG_SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
  -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
  -e 's|@POLICYDIR@|$(POLICYDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

# ---------------------------------------------------------------- install
# Every file lands under $(DESTDIR); the .pc is written at install time so
# that it names the PREFIX actually used.
INST = $(DESTDIR)
install: all
	install -d $(INST)$(BINDIR) $(INST)$(LIBDIR) $(INST)$(INCLUDEDIR) $(INST)$(PKGCONFIGDIR) \
	  $(INST)$(MANDIR)/man1 $(INST)$(MANDIR)/man3 $(INST)$(MANDIR)/man5 \
	  $(INST)$(BASHCOMPDIR) $(INST)$(POLICYDIR) $(INST)$(DOCDIR)
	install -m 755 $(B)/jitk $(INST)$(BINDIR)/jitk
	for f in $(PKG_LIBS); do install -m 644 $$f $(INST)$(LIBDIR)/; done
	ln -sf libjitk.so.$(VERSION) $(INST)$(LIBDIR)/libjitk.so.$(SOMAJOR)
	ln -sf libjitk.so.$(SOMAJOR) $(INST)$(LIBDIR)/libjitk.so
	install -m 644 include/jitk.h $(INST)$(INCLUDEDIR)/jitk.h
	for p in $(PKG_PC); do n=$$(basename $$p .in); \
	  $(PKG_SUBST) $$p > $(INST)$(PKGCONFIGDIR)/$$n.tmp && \
	  mv $(INST)$(PKGCONFIGDIR)/$$n.tmp $(INST)$(PKGCONFIGDIR)/$$n || exit 1; done
	for m in $(MAN_PAGES); do d=$(INST)$(MANDIR)/man$${m##*.}; \
	  $(PKG_SUBST) $$m > $$d/$${m##*/}.tmp && chmod 644 $$d/$${m##*/}.tmp && \
	  mv $$d/$${m##*/}.tmp $$d/$${m##*/} || exit 1; done
	install -m 644 tools/jitk.bash $(INST)$(BASHCOMPDIR)/jitk
	for p in $(POLICY_FILES); do d=$(INST)$(POLICYDIR)/$$(dirname $${p#policies/}); \
	  install -d $$d && install -m 644 $$p $$d/ || exit 1; done
	install -d $(INST)$(DOCDIR)/docs
	install -m 644 README.md $(INST)$(DOCDIR)/
	install -m 644 $(wildcard docs/*.md) $(INST)$(DOCDIR)/docs/

# Removes what install put in place, then the directories it leaves empty
# (never PREFIX itself).
uninstall:
	rm -f $(INST)$(BINDIR)/jitk $(INST)$(INCLUDEDIR)/jitk.h $(INST)$(BASHCOMPDIR)/jitk
	rm -f $(INST)$(LIBDIR)/libjitk.so $(INST)$(LIBDIR)/libjitk.so.$(SOMAJOR) \
	  $(addprefix $(INST)$(LIBDIR)/,$(notdir $(PKG_LIBS)))
	rm -f $(addprefix $(INST)$(PKGCONFIGDIR)/,$(notdir $(PKG_PC:.in=)))
	for m in $(notdir $(MAN_PAGES)); do rm -f $(INST)$(MANDIR)/man$${m##*.}/$$m; done
	rm -rf $(INST)$(POLICYDIR) $(INST)$(DOCDIR)
	-for d in $(INST)$(DATADIR)/jitk $(INST)$(BASHCOMPDIR) $(INST)$(call parent,$(BASHCOMPDIR)) \
	  $(INST)$(MANDIR)/man1 $(INST)$(MANDIR)/man3 $(INST)$(MANDIR)/man5 $(INST)$(MANDIR) \
	  $(INST)$(call parent,$(DOCDIR)) $(INST)$(PKGCONFIGDIR) $(INST)$(LIBDIR) $(INST)$(INCLUDEDIR) \
	  $(INST)$(BINDIR) $(INST)$(DATADIR); do \
	  [ -d $$d ] && rmdir $$d 2>/dev/null; done; true
parent = $(patsubst %/,%,$(dir $(1)))

# ------------------------------------------------------------------ deb
# The Debian packages jitk, libjitk0 and libjitk-dev (debian/), built from a
# copy of the tree's files (committed and untracked, not ignored) in
# $(B)/deb/, where the .deb files land; then lintian.  Not part of make test.
DEB_DIR = $(B)/deb
# The system's tools only, as a Debian build daemon has them (a python3 shim
# from pyenv or the like on PATH would end up in the build).
DEB_PATH = /usr/sbin:/usr/bin:/sbin:/bin
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/jitk-$(VERSION)
	git ls-files -z --cached --others --exclude-standard | \
	  xargs -0 sh -c 'for f; do [ -e "$$f" ] && echo "$$f"; done' sh | \
	  tar -cf - -T - | tar -xf - -C $(DEB_DIR)/jitk-$(VERSION)
	cd $(DEB_DIR)/jitk-$(VERSION) && env PATH=$(DEB_PATH) dpkg-buildpackage -b -us -uc
	env PATH=$(DEB_PATH) lintian --fail-on error $(DEB_DIR)/jitk_$(VERSION)_*.changes
	ls -l $(DEB_DIR)/*.deb
