# runtime.mk - the Z3-free runtime library, build/libjitk-rt.a.
#
# What a program needs to load a filter made at build time (the `jitk
# compile --format c` array, or raw struct sock_filter bytes): the filter
# container and codec, the checker, the interpreter, the loader and the
# diagnostics (jitk_filter_new, jitk_decode/encode, jitk_check,
# jitk_interp, jitk_load, jitk_strerror).  No policy front end, no
# compiler, no verifier, so no libz3, whose loading costs tens of
# milliseconds and megabytes at each start.  Link build/libjitk-rt.a
# alone.  Like build/lib/libjitk.a, only jitk_* names stay global.
# tests/cli/test_runtime.sh builds a program against it and checks that it
# needs no libz3 and that the filter it loads is in force.
RT_C := src/filter.c src/loader.c src/util.c src/trusted/check.c src/trusted/insn.c \
	src/trusted/interp.c
RT_O := $(patsubst %.c,$(B)/obj/%.o,$(RT_C))

$(B)/libjitk-rt.a: $(RT_O)
	$(LD) -r -o $(B)/libjitk-rt.o $(RT_O)
	nm -g --defined-only $(B)/libjitk-rt.o | awk '$$3 ~ /^jitk_/ { print $$3 }' > $(B)/libjitk-rt.syms
	$(OBJCOPY) --keep-global-symbols=$(B)/libjitk-rt.syms $(B)/libjitk-rt.o
	rm -f $@ && ar rcs $@ $(B)/libjitk-rt.o

# Installed beside libjitk (mk/pkg.mk), with its own pkg-config file:
# `pkg-config --libs jitk-rt` needs no Z3.
all: $(B)/libjitk-rt.a
PKG_LIBS += $(B)/libjitk-rt.a
PKG_PC += tools/jitk-rt.pc.in

$(B)/gen/rt_filter.h: tests/rt/rt.scpl $(B)/jitk
	@mkdir -p $(dir $@)
	$(B)/jitk compile tests/rt/rt.scpl --format c --name rt_filter -o $@

$(B)/tests/rt/rt_load: tests/rt/rt_load.c $(B)/gen/rt_filter.h $(B)/libjitk-rt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ tests/rt/rt_load.c $(B)/libjitk-rt.a

# bench_startup compares rt_load with lsc_load (libseccomp's seccomp_load).
$(B)/bench/lsc_load: bench/lsc_load.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ $< -lseccomp
bench: $(B)/tests/rt/rt_load $(B)/bench/lsc_load
