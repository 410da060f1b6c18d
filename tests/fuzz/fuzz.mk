# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer harnesses of the parsers and the base-profile merge, included by the
# main Makefile (which sets OUTPUT, PKG_CFLAGS, PKG_LIBS, Q and msg).
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

OUTPUT ?= build
PKG_CONFIG ?= pkg-config
ifeq ($(origin PKG_CFLAGS),undefined)
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags libseccomp json-c 2>/dev/null)
endif
ifeq ($(origin PKG_LIBS),undefined)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs libseccomp json-c 2>/dev/null)
endif
ifeq ($(origin msg),undefined)
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_MAX_LEN ?= 65536
# Extra libFuzzer options, e.g. FUZZ_FLAGS='-jobs=4 -workers=4'.
FUZZ_FLAGS ?= -timeout=10
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -Iinclude -Isrc -I$(OUTPUT)

FUZZ_NAMES := state annotation profile request
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_NAMES))
FUZZ_RUNS := $(addprefix fuzz-run-,$(FUZZ_NAMES))

# Each harness is built with the library sources it calls, instrumented too (the
# normal objects are not). Not LIB_SRCS as a whole: tracer.c needs the generated
# BPF skeleton, and main.c and what drives the tracer pull it in.
FUZZ_SRCS_state := src/state.c src/jsonutil.c src/util.c
FUZZ_SRCS_annotation := src/annotation.c src/util.c
FUZZ_SRCS_request := src/protocol.c src/kv.c src/target.c src/format.c src/scope.c src/runtimes.c src/profile.c src/recording.c src/counts.c src/argrules.c src/rules.c \
	src/strset.c src/validate.c src/names.c src/fileio.c src/state.c src/jsonutil.c src/util.c src/log.c
FUZZ_SRCS_profile := src/profile.c src/target.c src/format.c src/recording.c src/counts.c src/argrules.c src/rules.c src/strset.c src/validate.c src/names.c src/fileio.c src/jsonutil.c \
	src/util.c src/log.c
FUZZ_DEPS := $(wildcard src/*.h include/*.h) tests/fuzz/fuzz.mk

.PHONY: fuzz fuzz-build $(FUZZ_RUNS)

fuzz: $(FUZZ_RUNS)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR):
	$(Q)mkdir -p $@

$(foreach n,$(FUZZ_NAMES),$(eval $(FUZZ_DIR)/fuzz_$(n): $(FUZZ_SRCS_$(n))))

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS) | $(FUZZ_DIR)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) $< $(FUZZ_SRCS_$*) $(PKG_LIBS) -o $@

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
