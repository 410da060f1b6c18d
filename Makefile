# SPDX-License-Identifier: GPL-2.0-only
# oci-seccomp-recorder: an OCI hook that records a container's syscalls into a
# seccomp allowlist. Everything generated goes under $(OUTPUT).

# A sanitizer build keeps its objects apart from the normal one.
ifeq ($(SANITIZE),1)
OUTPUT ?= build/san
endif
OUTPUT ?= build
PREFIX ?= /usr/local
DESTDIR ?=
LIBEXECDIR ?= $(PREFIX)/libexec/oci/hooks.d
HOOKSDIR ?= $(PREFIX)/share/containers/oci/hooks.d
MANDIR ?= $(PREFIX)/share/man
# The recording service's units (rootless podman): socket-activated.
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
VERSION := 0.1.0

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
	-e 's/s390x/s390/' -e 's/riscv64/riscv/' -e 's/loongarch64/loongarch/')

ifeq ($(wildcard include/arch/$(ARCH).h),)
$(error architecture '$(ARCH)' is not supported: include/arch/ has a header for each one that is)
endif

LIBS := libbpf libseccomp json-c libelf zlib
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(LIBS) 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wmissing-prototypes
CFLAGS ?= -O2 -g
# -MMD -MP: the compiler writes each object's header dependencies beside it.
override CFLAGS += -std=gnu11 $(WARN) -MMD -MP -D_GNU_SOURCE -DOSR_VERSION='"$(VERSION)"' \
	-I$(OUTPUT) -Iinclude -Isrc $(PKG_CFLAGS)
LDLIBS += $(PKG_LIBS)
# The hook itself is linked statically (position-independent, so still
# randomised): runc execs it twice per container, and loading six shared
# libraries was about 2 ms of each exec here, most of it page faults, which
# cost a VM dearly; exiting and forking also shrink with fewer mappings.
# STATIC=0 links it against the shared libraries instead.
STATIC ?= 1
ifeq ($(SANITIZE),1)
STATIC := 0
endif
ifeq ($(STATIC),1)
BIN_LDFLAGS := -static-pie
endif

ifeq ($(SANITIZE),1)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Sources shared by the hook and the unit tests: every file of src/ but
# main.c, which only the hook links.
LIB_SRCS := $(filter-out src/main.c,$(sort $(wildcard src/*.c)))
LIB_OBJS := $(patsubst src/%.c,$(OUTPUT)/%.o,$(LIB_SRCS))
BIN := $(OUTPUT)/oci-seccomp-recorder

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
HELPERS := $(patsubst tests/helpers/%.c,$(OUTPUT)/tests/helpers/%,$(wildcard tests/helpers/*.c))

.DELETE_ON_ERROR:
.PHONY: all clean install uninstall check test unit deps example bench install-replace-peer \
	uninstall-replace-peer check-kernels check-kernels-arm64 format

# CONFINED=1 installs the hooks.d variant for nodes where anyone who can set an
# annotation (a pod author) triggers the hook: profiles only inside RECORD_DIR,
# bases only from inside BASE_DIR.
RECORD_DIR ?= /var/lib/kubelet/seccomp/oci-seccomp-recorder
BASE_DIR ?= /var/lib/kubelet/seccomp
ifeq ($(CONFINED),1)
HOOK_TEMPLATES := $(wildcard hooks.d/confined/*.json.in)
else
HOOK_TEMPLATES := $(wildcard hooks.d/*.json.in)
endif

all: $(BIN)

$(OUTPUT) $(OUTPUT)/tests $(OUTPUT)/tests/deps $(OUTPUT)/tests/helpers:
	$(Q)mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)test -r $(VMLINUX_BTF) || { echo "no kernel BTF at '$(VMLINUX_BTF)'; set VMLINUX_BTF=" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# The program, built three times from one source: recorder.bpf.o is loaded
# through a light skeleton (CO-RE done by the kernel, no BTF parsed in user
# space; Linux 6.2 and later), recorder_compat.bpf.o through libbpf where that
# cannot load (5.12 and later), recorder_k510.bpf.o where neither can (5.10 and
# 5.11: see OSR_K510 in the source).
BPF_CFLAGS = -g -O2 -Wall -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -Iinclude \
	$(filter-out -I/usr/include,$(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null))

$(OUTPUT)/recorder.tmp.bpf.o: bpf/recorder.bpf.c $(wildcard include/*.h include/arch/*.h) $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/recorder_compat.tmp.bpf.o: bpf/recorder.bpf.c $(wildcard include/*.h include/arch/*.h) $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DOSR_COMPAT -c $< -o $@

$(OUTPUT)/recorder_k510.tmp.bpf.o: bpf/recorder.bpf.c $(wildcard include/*.h include/arch/*.h) $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DOSR_COMPAT -DOSR_K510 -c $< -o $@

$(OUTPUT)/%.bpf.o: $(OUTPUT)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUTPUT)/recorder.lskel.h: $(OUTPUT)/recorder.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton -L $< name recorder_lskel > $@

$(OUTPUT)/recorder.skel.h: $(OUTPUT)/recorder_compat.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name recorder_bpf > $@

$(OUTPUT)/recorder_k510.skel.h: $(OUTPUT)/recorder_k510.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name recorder_k510 > $@

$(OUTPUT)/bpfload.o: $(OUTPUT)/recorder.skel.h $(OUTPUT)/recorder.lskel.h $(OUTPUT)/recorder_k510.skel.h

$(OUTPUT)/%.o: src/%.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BIN): $(OUTPUT)/main.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(BIN_LDFLAGS) $^ $(LDLIBS) -o $@

# The hook linked against the shared libraries, whatever STATIC says: for the
# test that puts a libc call of its own in front (LD_PRELOAD), which a static
# binary never reads.
SHARED_BIN := $(OUTPUT)/tests/shared/oci-seccomp-recorder
$(SHARED_BIN): $(OUTPUT)/main.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Their dependency files go apart, so that tests/run finds only tests in tests/.
$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUTPUT)/tests/deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -MF $(OUTPUT)/tests/deps/$*.d $(LDFLAGS) -Itests/unit $< $(LIB_OBJS) $(LDLIBS) -o $@

# Workload helpers run inside the test containers: static, so a busybox rootfs is enough.
$(OUTPUT)/tests/helpers/%: tests/helpers/%.c | $(OUTPUT)/tests/helpers
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -static -pthread -Wall $< -o $@

unit: $(UNIT_TESTS)
test check: all $(UNIT_TESTS) $(HELPERS) $(SHARED_BIN)
	$(Q)OUTPUT=$(OUTPUT) tests/run

deps:
	$(Q)tests/deps.sh

# The C sources as .clang-format lays them out; structure.sh checks that they are.
FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	$(Q)clang-format -i $(FORMAT_SRCS)

example: all
	$(Q)OUTPUT=$(OUTPUT) tests/example.sh

# The benchmark's floor: a do-nothing program on the same tracepoint.
$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/floor.bpf.o: bench/floor.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(OUTPUT)/floor.skel.h: $(OUTPUT)/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(OUTPUT)/bench/osr-floor: bench/osr-floor.c $(OUTPUT)/floor.skel.h | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LDLIBS) -o $@

$(OUTPUT)/bench/osr-syscall-cost: bench/osr-syscall-cost.c $(OUTPUT)/floor.skel.h $(LIB_OBJS) | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -Isrc $< $(LIB_OBJS) $(LDLIBS) -o $@

# Figures, not pass/fail: speed targets live here, never in the test suite.
bench: all $(HELPERS) $(OUTPUT)/bench/osr-floor $(OUTPUT)/bench/osr-syscall-cost
	$(Q)OUTPUT=$(OUTPUT) bench/run

# The kernel matrix: Debian's 5.10, 6.1 and 6.12 under qemu (tests/kernels/README.md);
# KERNELS="6.1" picks some.
KERNELS ?= 5.10 6.1 6.12
check-kernels: all $(HELPERS) $(OUTPUT)/bench/osr-syscall-cost
	$(Q)OUTPUT=$(OUTPUT) tests/kernels/run $(KERNELS)

# The same on arm64: a static cross build, Debian's arm64 kernel under
# qemu-system-aarch64, `busybox ls /` recorded as a 64-bit and a 32-bit task.
KERNELS_ARM64 ?= 6.12
check-kernels-arm64: all
	$(Q)OUTPUT=$(OUTPUT) tests/kernels/arm64 $(KERNELS_ARM64)

# The hooks.d files name the binary where it is installed: made here, not at build time.
install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(HOOKSDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(SYSTEMDDIR)
	install -m 0644 systemd/oci-seccomp-recorder.socket $(DESTDIR)$(SYSTEMDDIR)/
	sed -e 's|@HOOK@|$(LIBEXECDIR)/oci-seccomp-recorder|g' systemd/oci-seccomp-recorder.service.in \
		> $(DESTDIR)$(SYSTEMDDIR)/oci-seccomp-recorder.service
	chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/oci-seccomp-recorder.service
	install -m 0755 $(BIN) $(DESTDIR)$(LIBEXECDIR)/oci-seccomp-recorder
	for t in $(HOOK_TEMPLATES); do \
		sed -e 's|@HOOK@|$(LIBEXECDIR)/oci-seccomp-recorder|g' -e 's|@RECORD_DIR@|$(RECORD_DIR)|g' \
			-e 's|@BASE_DIR@|$(BASE_DIR)|g' $$t > \
			$(DESTDIR)$(HOOKSDIR)/$$(basename $$t .in) && \
		chmod 0644 $(DESTDIR)$(HOOKSDIR)/$$(basename $$t .in) || exit 1; \
	done
	install -m 0644 man/oci-seccomp-recorder.1 $(DESTDIR)$(MANDIR)/man1/
	$(if $(filter 1,$(CONFINED)),install -d -m 0755 $(DESTDIR)$(RECORD_DIR))

# Take the place of an installed oci-seccomp-bpf-hook: its hooks.d file stays
# as it is but for its path, which names this binary (the old file is kept as
# .orig); this package's own hooks.d files are not installed beside it, or
# both would record each container.
PEER_HOOK_JSON ?= /usr/share/containers/oci/hooks.d/oci-seccomp-bpf-hook.json
install-replace-peer: all
	@test -f $(DESTDIR)$(PEER_HOOK_JSON) || { echo "no oci-seccomp-bpf-hook hooks.d file at '$(DESTDIR)$(PEER_HOOK_JSON)' (set PEER_HOOK_JSON)" >&2; exit 1; }
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(LIBEXECDIR)/oci-seccomp-recorder
	install -m 0644 man/oci-seccomp-recorder.1 $(DESTDIR)$(MANDIR)/man1/
	test -e $(DESTDIR)$(PEER_HOOK_JSON).orig || cp -p $(DESTDIR)$(PEER_HOOK_JSON) $(DESTDIR)$(PEER_HOOK_JSON).orig
	sed -E 's|("path"[[:space:]]*:[[:space:]]*")[^"]*"|\1$(LIBEXECDIR)/oci-seccomp-recorder"|' \
		$(DESTDIR)$(PEER_HOOK_JSON).orig > $(DESTDIR)$(PEER_HOOK_JSON).new
	mv $(DESTDIR)$(PEER_HOOK_JSON).new $(DESTDIR)$(PEER_HOOK_JSON)

uninstall-replace-peer:
	test ! -e $(DESTDIR)$(PEER_HOOK_JSON).orig || mv $(DESTDIR)$(PEER_HOOK_JSON).orig $(DESTDIR)$(PEER_HOOK_JSON)
	rm -f $(DESTDIR)$(LIBEXECDIR)/oci-seccomp-recorder $(DESTDIR)$(MANDIR)/man1/oci-seccomp-recorder.1

uninstall:
	rm -f $(DESTDIR)$(SYSTEMDDIR)/oci-seccomp-recorder.socket \
		$(DESTDIR)$(SYSTEMDDIR)/oci-seccomp-recorder.service
	rm -f $(DESTDIR)$(LIBEXECDIR)/oci-seccomp-recorder \
		$(patsubst hooks.d/%.json.in,$(DESTDIR)$(HOOKSDIR)/%.json,$(HOOK_TEMPLATES)) \
		$(DESTDIR)$(MANDIR)/man1/oci-seccomp-recorder.1

clean:
	rm -rf $(OUTPUT)

# make fuzz: libFuzzer on the parsers and the base-profile merge (tests/fuzz/).
include tests/fuzz/fuzz.mk

# The header dependencies the compiler wrote (-MMD); none before the first build.
-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/tests/deps/*.d $(OUTPUT)/bench/*.d)
