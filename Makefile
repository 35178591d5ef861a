# jitk - a trustworthy seccomp toolchain.  `make help` lists the targets.
#
# Layout: src/trusted/ is the trusted base, src/ the untrusted (validated)
# stages, cli/ the command line, tests/unit and tests/kernel the cmocka tests
# (tests/support/*.c is linked into each), fuzz/ the libFuzzer harnesses.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
B       := build

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
INC      = -Iinclude -Isrc -Isrc/trusted -I$(B)/gen
CPPFLAGS_J = -D_GNU_SOURCE $(INC)
CFLAGS  ?= -O2 -g
CFLAGS_J = -std=c11 $(WARN) $(CPPFLAGS_J) $(CFLAGS)
LIBS    := -lz3 -ljson-c
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The ABIs (tools/abis.txt) and the tables generated for each.
ABIS    := $(shell sed -n 's/^\([a-z][a-z0-9_]*\)[ \t].*/\1/p' tools/abis.txt)
GEN_TBL := $(foreach a,$(ABIS),$(B)/gen/sys_$(a).c $(B)/gen/consts_$(a).c) $(B)/gen/errno.c $(B)/gen/abis.c
GEN_C   := $(GEN_TBL) $(B)/gen/params.c $(B)/gen/mux.c
# The kernel source the parameter table is generated from (Debian's linux-source-6.1).
KSRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
DEFAULT_POLICY := policies/docker-default.scpl
LIB_C   := $(wildcard src/*.c src/trusted/*.c)
CLI_C   := $(wildcard cli/*.c)
SUP_C   := $(wildcard tests/support/*.c)
UNIT_C  := $(wildcard tests/unit/test_*.c)
KERN_C  := $(wildcard tests/kernel/test_*.c)
FUZZ_C  := $(wildcard fuzz/fuzz_*.c)
BENCH_C := $(wildcard bench/bench_*.c)

LIB_O   := $(patsubst %.c,$(B)/obj/%.o,$(LIB_C)) $(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(GEN_C))
LIB_SO  := $(patsubst %.c,$(B)/asan/%.o,$(LIB_C)) $(patsubst $(B)/gen/%.c,$(B)/asan/gen/%.o,$(GEN_C))
SUP_O   := $(patsubst %.c,$(B)/obj/%.o,$(SUP_C))
SUP_SO  := $(patsubst %.c,$(B)/asan/%.o,$(SUP_C))
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_C))
UNIT_SAN := $(patsubst tests/unit/%.c,$(B)/asan/tests/unit/%,$(UNIT_C))
KERN_BIN := $(patsubst tests/kernel/%.c,$(B)/tests/kernel/%,$(KERN_C))
BENCH_BIN := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_C))

.PHONY: tcb all deps test unit check format format-check analyze demo bench pins fuzz install uninstall clean help check-clang prove-rte mutate jit-cross
all: $(B)/jitk $(B)/libjitk.a

help:
	@echo "make          build build/jitk and build/libjitk.a"
	@echo "make deps     install missing Debian packages (root) or print the command"
	@echo "make test     every test (unit, unit under ASan+UBSan, kernel, CLI)"
	@echo "make demo     compile the paper's policy and run a command under it"
	@echo "make bench    speed tables (bench/results.md)"
	@echo "make prove-rte  Frama-C: no runtime errors in the interpreter and checker"
	@echo "make mutate   mutation score of src/trusted/ (MUTATE_ARGS=\"--fraction 0.25\")"
	@echo "make jit-cross  cvc5 re-checks the JIT image proofs of the shipped policies"
	@echo "make check    the unit tests alone (quick)"
	@echo "make format   clang-format the tree; make format-check lists what differs"
	@echo "make analyze  scan-build and cppcheck over the tree"
	@echo "make pins     re-pin the bytes of the shipped policies (tests/cli/data/pins.sha256)"
	@echo "make fuzz     run each libFuzzer harness for FUZZ_SECONDS (default 30)"
	@echo "make install  PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) (make uninstall: the same)"
	@echo "make deb      Debian packages jitk, libjitk0, libjitk-dev in ../ (dpkg-buildpackage)"

deps: $(B)/.deps-ok
$(B)/.deps-ok: tools/deps.sh
	@sh tools/deps.sh
	@mkdir -p $(B) && touch $@

# Tables generated at build time from each ABI's headers (tools/abis.txt)
# and from the kernel source (the parameter table).
$(GEN_TBL) &: tools/gen_tables.sh tools/abis.txt src/trusted/tables.h $(B)/ksrc/defines.txt
	CC="$(CC)" sh tools/gen_tables.sh $(B)/gen tools/abis.txt $(B)/ksrc
$(B)/ksrc/defines.txt: tools/ksrc.sh
	sh tools/ksrc.sh $(KSRC_TAR) $(B)/ksrc
$(B)/gen/params.c: tools/gen_params.py tools/knarrow.py tools/abis.txt $(B)/ksrc/defines.txt $(GEN_TBL)
	python3 tools/gen_params.py tools/abis.txt $(B)/ksrc $(B)/gen $@
# The calls socketcall and ipc multiplex (UAPI numbers, the kernel's dispatchers).
$(B)/gen/mux.c: tools/gen_mux.sh $(B)/ksrc/defines.txt
	CC="$(CC)" sh tools/gen_mux.sh $(B)/gen $(B)/ksrc

# The Landlock rights, from the kernel source (tools/gen_landlock.sh); also
# writes $(B)/gen/landlock_uapi.h, which src/landlock.c includes.
GEN_LL  := $(B)/gen/landlock_rights.c
LIB_O   += $(B)/obj/gen/landlock_rights.o
LIB_SO  += $(B)/asan/gen/landlock_rights.o
$(GEN_LL): tools/gen_landlock.sh src/landlock.h
	sh tools/gen_landlock.sh $(B)/gen
# From here on every object waits for it too (the tables' grouped rule
# above keeps its own targets).
GEN_C   += $(GEN_LL)

# The trusted base reads only its own headers and the public one; only the
# tests and the bench see tests/support.
$(B)/obj/src/trusted/%.o $(B)/asan/src/trusted/%.o: INC = -Iinclude -Isrc/trusted
$(B)/obj/tests/%.o $(B)/asan/tests/%.o $(B)/obj/bench/%.o: INC += -Itests/support

$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -c -o $@ $<
$(B)/asan/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) $(SAN) -c -o $@ $<
$(B)/obj/%.o: %.c $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -MMD -MP -c -o $@ $<
$(B)/asan/%.o: %.c $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) $(SAN) -MMD -MP -c -o $@ $<

$(B)/libjitk.a: $(LIB_O)
	rm -f $@ && ar rcs $@ $^
$(B)/libjitk-asan.a: $(LIB_SO)
	rm -f $@ && ar rcs $@ $^

# A fingerprint of the generated tables (syscalls, constants, parameters,
# Landlock rights): part of the proof cache's key (cli/cache.c), so that a
# rebuild from other headers never reuses an older proof.
$(B)/gen/cli_tables_hash.c: $(GEN_C)
	@mkdir -p $(dir $@)
	{ echo '/* Generated by the Makefile: SHA-256 of the generated tables. Do not edit. */'; \
	  printf 'const char cli_tables_sha256[] = "%s";\n' "$$(cat $(GEN_C) | sha256sum | cut -c1-64)"; \
	} > $@.tmp && mv $@.tmp $@

# The CLI's built-in policy (`jitk run -- cmd`), embedded from policies/.
$(B)/gen/default_policy.c: tools/embed.sh $(wildcard $(DEFAULT_POLICY))
	@mkdir -p $(dir $@)
	sh tools/embed.sh cli_default_policy $(DEFAULT_POLICY) > $@.tmp && mv $@.tmp $@

# Where the syscall tables came from, for `jitk --version`.
$(B)/gen/cli_version.c: tools/gen_version.sh $(GEN_C)
	sh tools/gen_version.sh "$(CC)" "$(CPPFLAGS_J)" $(filter $(B)/gen/sys_%,$(GEN_C)) > $@.tmp && mv $@.tmp $@

# The CLI alone hashes (the proof cache's SHA-256, libnettle).
CLI_LIBS := -lnettle
CLI_GEN := default_policy cli_version cli_tables_hash
$(B)/jitk: $(patsubst %.c,$(B)/obj/%.o,$(CLI_C)) $(patsubst %,$(B)/obj/gen/%.o,$(CLI_GEN)) $(B)/libjitk.a
	$(CC) $(CFLAGS_J) $(LDFLAGS) -o $@ $^ $(LIBS) $(CLI_LIBS)

# The same CLI under ASan+UBSan, for the bad-input corpus (tests/cli/test_bad_inputs.sh).
$(B)/asan/jitk: $(patsubst %.c,$(B)/asan/%.o,$(CLI_C)) $(patsubst %,$(B)/asan/gen/%.o,$(CLI_GEN)) $(B)/libjitk-asan.a
	$(CC) $(CFLAGS_J) $(SAN) -o $@ $^ $(LIBS) $(CLI_LIBS)

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(SUP_O) $(B)/libjitk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ $^ -lcmocka -ljson-c $(LIBS)
$(B)/asan/tests/unit/%: $(B)/asan/tests/unit/%.o $(SUP_SO) $(B)/libjitk-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) $(SAN) -o $@ $^ -lcmocka -ljson-c $(LIBS)
$(B)/tests/kernel/%: $(B)/obj/tests/kernel/%.o $(SUP_O) $(B)/libjitk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ $^ -lcmocka -ljson-c -lseccomp $(LIBS)
# bench_perf's parts: the libseccomp translation, kernel timing, the report.
$(B)/bench/bench_perf: $(patsubst %.c,$(B)/obj/%.o,$(wildcard bench/perf_*.c))
# bench_scale compares compile times with libseccomp through perf_lsc.
$(B)/bench/bench_scale: $(B)/obj/bench/perf_lsc.o
$(B)/bench/%: $(B)/obj/bench/%.o $(SUP_O) $(B)/libjitk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ $(filter %.o,$^) $(B)/libjitk.a -lseccomp -ljson-c -lcmocka $(LIBS) -lm

# The CLI's file helpers are unit-tested too (tests/unit/test_cli_io.c).
# It links the whole CLI but main.c (common.c reaches the command table).
CLI_IO_O := $(filter-out cli/main.o,$(patsubst %.c,%.o,$(CLI_C))) $(patsubst %,gen/%.o,$(CLI_GEN))
$(B)/tests/unit/test_cli_io: $(B)/obj/tests/unit/test_cli_io.o $(addprefix $(B)/obj/,$(CLI_IO_O)) $(SUP_O) $(B)/libjitk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ $^ -lcmocka -ljson-c $(LIBS) $(CLI_LIBS)
$(B)/asan/tests/unit/test_cli_io: $(B)/asan/tests/unit/test_cli_io.o $(addprefix $(B)/asan/,$(CLI_IO_O)) $(SUP_SO) $(B)/libjitk-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) $(SAN) -o $@ $^ -lcmocka -ljson-c $(LIBS) $(CLI_LIBS)
$(B)/obj/tests/unit/test_cli_io.o $(B)/asan/tests/unit/test_cli_io.o: CFLAGS_J += -Icli

# test_alloc_faults fails the library's N-th allocation: the calls of the
# statically linked objects to malloc, calloc and realloc are wrapped
# (libz3's are not), in the plain and the ASan build.
ALLOC_WRAP := -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
$(B)/tests/unit/test_alloc_faults: $(B)/obj/tests/unit/test_alloc_faults.o $(SUP_O) $(B)/libjitk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) $(ALLOC_WRAP) -o $@ $^ -lcmocka -ljson-c $(LIBS)
$(B)/asan/tests/unit/test_alloc_faults: $(B)/asan/tests/unit/test_alloc_faults.o $(SUP_SO) $(B)/libjitk-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) $(SAN) $(ALLOC_WRAP) -o $@ $^ -lcmocka -ljson-c $(LIBS)

# Helpers the CLI tests run (tests/tools/): libseccomp's program for a policy.
$(B)/tests/tools/lsc_export: $(B)/obj/tests/tools/lsc_export.o $(B)/obj/bench/perf_lsc.o $(B)/libjitk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ $^ -lseccomp $(LIBS)
# A seccomp agent for listenerPath, and a PTRACE_SECCOMP_GET_METADATA probe.
$(B)/tests/tools/seccomp_agent: $(B)/obj/tests/tools/seccomp_agent.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ $^
$(B)/obj/tests/tools/%.o: tests/tools/%.c $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -Ibench -MMD -MP -c -o $@ $<

# The second reader's driver (tests/oracle/run.py, run by tests/cli/test_oracle.sh):
# jitk_policy_eval, jitk_policy_print and jitk_equiv over generated policies.
$(B)/tests/oracle/eval_driver: $(B)/obj/tests/oracle/eval_driver.o $(B)/libjitk.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_J) -o $@ $^ $(LIBS)

unit: $(UNIT_BIN) $(UNIT_SAN)

test: all $(UNIT_BIN) $(UNIT_SAN) $(KERN_BIN) $(B)/tests/tools/lsc_export $(B)/libjitk-rt.a \
	$(B)/tests/tools/seccomp_agent \
	$(B)/tests/rt/rt_load $(B)/asan/jitk $(B)/tests/oracle/eval_driver
	@sh tests/run.sh $(B)

# The unit tests alone (no ASan, no kernel, no CLI): the quick loop.
check: $(UNIT_BIN)
	@sh tests/run.sh $(B) unit

# Style: .clang-format (clang-format 14) over the tracked C files.  The tree
# is reformatted once with tools/format-tree.sh (HACKING.md).
CLANG_FORMAT ?= clang-format-14
FMT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	@$(CLANG_FORMAT) -i --style=file $(FMT_FILES)
format-check:
	@$(CLANG_FORMAT) --dry-run -Werror --style=file $(FMT_FILES) && echo "format-check: clean"

# Static analysis: the clang analyzer over every C file of the tree (the
# library and the CLI as the CLI's build compiles them, each file once, not
# the PIC copies of the packages; the tests, the bench, the fuzz harnesses
# and the tools' C files as objects), then cppcheck over the same
# directories.  Every report is fixed, or suppressed with its reason: inline
# (ANALYZER_ASSUME and diag_analyzer_err, src/trusted/analyzer.h, and
# cppcheck-suppress comments), or here: jitk_equiv's two compound-literal arguments in oci_write.c
# and test_verify.c have no side effects (unknownEvaluationOrder is a false alarm); smt_bpf.c
# refuses big-endian hosts, so cppcheck is told the host's byte order.
# --status-bugs and --error-exitcode make any report fail the target.
SCAN_FLAGS := --status-bugs
ANALYZE_DIRS := src cli tests bench fuzz tools
ANALYZE_C := $(wildcard tests/*/*.c tests/*/*/*.c bench/*.c fuzz/*.c tools/*.c tools/*/*.c)
CPPCHECK_FLAGS := --std=c11 -q --error-exitcode=1 --enable=warning,portability --inline-suppr \
	-D_GNU_SOURCE -D__linux__ -D__x86_64__ -D__ORDER_LITTLE_ENDIAN__=1234 -D__BYTE_ORDER__=1234 \
	-Iinclude -Isrc -Isrc/trusted -I$(B)/gen -Itests/support --suppress=unknownEvaluationOrder:src/oci_write.c \
	--suppress=unknownEvaluationOrder:tests/unit/test_verify.c
# Objects only the analyzer builds: rt_load.c needs the filter it embeds;
# rte_main.c is written against Frama-C's libc model, included as
# tools/prove-rte.sh does.
$(B)/obj/tests/rt/rt_load.o: $(B)/gen/rt_filter.h
FRAMA_LIBC = $(shell frama-c -print-share-path 2>/dev/null)/libc
$(B)/obj/tools/frama/rte_main.o: INC = -nostdinc -I$(FRAMA_LIBC) -Iinclude -Isrc -Isrc/trusted -I$(B)/gen \
	-idirafter /usr/include -idirafter /usr/include/$(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
$(B)/obj/tools/frama/rte_main.o: CFLAGS_J += -D__FC_MACHDEP_X86_64
# The analyzer sees a file only when it is compiled, and .SECONDARY (below)
# lets make skip missing objects whose target is newer than the sources:
# the objects, the archive and the CLI all go first.
analyze: $(GEN_C)
	rm -rf $(B)/analyze/obj $(B)/analyze/jitk $(B)/analyze/libjitk.a $(B)/scan
	scan-build-14 $(SCAN_FLAGS) -o $(B)/scan $(MAKE) --no-print-directory B=$(B)/analyze $(B)/analyze/jitk \
	  $(patsubst %.c,$(B)/analyze/obj/%.o,$(ANALYZE_C))
	@# a file the analyzer could not compile is not analysed: that fails too
	@if ls -d $(B)/scan/*/failures >/dev/null 2>&1; then \
	  echo "analyze: the analyzer failed on:"; cat $(B)/scan/*/failures/*.info.txt | grep '^/'; exit 1; fi
	cppcheck $(CPPCHECK_FLAGS) $(ANALYZE_DIRS)
	@echo "analyze: no reports"

# Only deps and demo install packages; a plain make never does.
demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh $(B)/jitk

# Frama-C: no runtime errors in the trusted interpreter and checker (slow;
# not part of make test).  docs/verify.md has the results.
prove-rte: $(GEN_C)
	@sh tools/prove-rte.sh $(B)

# Mutation score of src/trusted/ (slow; not part of make test), under
# nice; resumes from the verdicts of earlier runs (build/mutate/).
# MUTATE_ARGS="--budget 30" stops starting mutants after 30 minutes,
# "--files smt_x86.c" one file, "--fresh" forgets earlier verdicts.
# Report: $(B)/mutate/report.md; equivalences: tools/mutate-equivalent.txt.
MUTATE_ARGS ?=
MUTATE_KERN := $(addprefix $(B)/tests/kernel/,test_check_kernel test_interp_kernel test_x86_twin \
	test_jit_equiv test_stack_kernel test_policies test_compile_kernel)
mutate: all $(UNIT_BIN) $(UNIT_SAN) $(MUTATE_KERN)
	@nice -n 10 python3 tools/mutate.py $(MUTATE_ARGS)

# cvc5 re-checks the image proof of every shipped policy's JIT image
# (jitk jit --cross-check; slow, not part of make test).
jit-cross: $(B)/jitk
	@nice -n 10 sh tests/cli/jit_cross.sh $(B)/jitk

bench: all $(BENCH_BIN)
	@sh bench/run.sh $(B)

# The trusted computing base per guarantee, with line counts (tools/tcb.sh).
tcb:
	@sh tools/tcb.sh

# Regenerate the pinned bytes of the shipped policies (tests/cli/test_pins.sh).
pins: $(B)/jitk
	sh tools/pins.sh $(B)/jitk > tests/cli/data/pins.sha256.tmp && mv tests/cli/data/pins.sha256.tmp tests/cli/data/pins.sha256

# libFuzzer harnesses (clang).  Each links the library sources directly.
FUZZ_SECONDS ?= 30
FUZZ_FLAGS := -std=c11 -g -O1 $(CPPFLAGS_J) -fsanitize=fuzzer,address,undefined
fuzz: $(GEN_C)
	@mkdir -p $(B)/fuzz
	@for h in $(FUZZ_C); do n=$$(basename $$h .c); \
	  clang $(FUZZ_FLAGS) -o $(B)/fuzz/$$n $$h $(LIB_C) $(GEN_C) $(LIBS) || exit 1; \
	  mkdir -p $(B)/fuzz/corpus-$$n; \
	  seeds=; [ -d fuzz/seeds/$$n ] && seeds=fuzz/seeds/$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $(B)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    $(B)/fuzz/corpus-$$n $$seeds || exit 1; done

# The same sources must build warning-free with clang as with gcc.
check-clang:
	$(MAKE) B=build/clang CC=clang all

clean:
	rm -rf build

# Shared and static libraries, pkg-config, man pages, completion,
# install/uninstall and make deb.
include mk/pkg.mk
include mk/runtime.mk

-include $(shell find $(B) -name '*.d' 2>/dev/null)
.SECONDARY:
