# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer harnesses of the parsers and the base-profile merge, included by the
# main Makefile (which sets OUTPUT, LIB_SRCS, PKG_CFLAGS, PKG_LIBS, Q and msg,
# and builds the BPF skeletons).
#
#   make fuzz                    build them all, run each for FUZZ_SECONDS
#   make fuzz-build              build only
#   make fuzz-run-profile        run one (state, annotation, profile)
#
# Each runs on a copy of its seed corpus, $(OUTPUT)/fuzz/corpus-NAME, kept
# between runs; tests/fuzz/corpus/ is never written. A crash, leak, sanitizer
# report or broken invariant stops the make; the reproducer is left in
# $(OUTPUT)/fuzz/artifacts-NAME/, to replay with `$(OUTPUT)/fuzz/fuzz_NAME FILE`.
# Leaks inside libseccomp itself are not findings: see lsan.supp.

ifndef OSR_FUZZ_MK
OSR_FUZZ_MK := 1

ifeq ($(origin LIB_SRCS),undefined)
$(error tests/fuzz/fuzz.mk is included by the main Makefile: run make fuzz from the top)
endif

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_MAX_LEN ?= 65536
# Extra libFuzzer options, e.g. FUZZ_FLAGS='-jobs=4 -workers=4'.
FUZZ_FLAGS ?= -timeout=10
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -DOSR_VERSION='"$(VERSION)"' -Iinclude -Isrc -I$(OUTPUT)

FUZZ_NAMES := state annotation profile request
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_NAMES))
FUZZ_RUNS := $(addprefix fuzz-run-,$(FUZZ_NAMES))

# Each harness links against an archive of every library source (LIB_SRCS of
# the main Makefile), instrumented too (the normal objects are not). From an
# archive the linker takes only the members a harness reaches, so no harness
# keeps a list of the sources it calls: one that grows a dependency still links.
FUZZ_OBJ_DIR := $(FUZZ_DIR)/obj
FUZZ_OBJS := $(patsubst src/%.c,$(FUZZ_OBJ_DIR)/%.o,$(LIB_SRCS))
FUZZ_LIB := $(FUZZ_DIR)/libosr-fuzz.a
FUZZ_DEPS := $(wildcard src/*.h include/*.h) tests/fuzz/fuzz.mk

.PHONY: fuzz fuzz-build $(FUZZ_RUNS)

fuzz: $(FUZZ_RUNS)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR) $(FUZZ_OBJ_DIR):
	$(Q)mkdir -p $@

# bpfload.c includes the generated skeletons; the other sources only headers.
$(FUZZ_OBJ_DIR)/bpfload.o: $(OUTPUT)/recorder.skel.h $(OUTPUT)/recorder.lskel.h $(OUTPUT)/recorder_k510.skel.h

$(FUZZ_OBJ_DIR)/%.o: src/%.c $(FUZZ_DEPS) | $(FUZZ_OBJ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(FUZZ_DEPS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $< $(FUZZ_LIB) $(PKG_LIBS) -o $@

# libFuzzer exits non-zero on a finding, which fails the make.
$(FUZZ_RUNS): fuzz-run-%: $(FUZZ_DIR)/fuzz_%
	$(call msg,FUZZ,$* for $(FUZZ_SECONDS)s)
	$(Q)mkdir -p $(FUZZ_DIR)/corpus-$* $(FUZZ_DIR)/artifacts-$*
	$(Q)cp tests/fuzz/corpus/$*/* $(FUZZ_DIR)/corpus-$*/
	$(Q)LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0:$(LSAN_OPTIONS) \
		$< -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/artifacts-$*/ $(FUZZ_FLAGS) $(FUZZ_DIR)/corpus-$* \
		> $(FUZZ_DIR)/fuzz-$*.log 2>&1 \
		|| { tail -n 40 $(FUZZ_DIR)/fuzz-$*.log >&2; \
		     echo "fuzz_$*: finding, reproducer in $(FUZZ_DIR)/artifacts-$*/" >&2; exit 1; }
	$(Q)grep -E '^Done [0-9]+ runs' $(FUZZ_DIR)/fuzz-$*.log | sed 's/^/  fuzz_$*: /'

endif
