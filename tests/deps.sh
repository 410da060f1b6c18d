#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs, from Debian's archive, what building and testing need and is
# missing. Run as root; does nothing when everything is there.
set -eu
PKGS=(
	make gcc clang llvm libclang-rt-dev pkg-config bpftool
	libbpf-dev libseccomp-dev libjson-c-dev libelf-dev zlib1g-dev libc6-dev
	qemu-system-x86 xz-utils # make check-kernels: Debian's kernels booted under TCG
	qemu-system-arm gcc-aarch64-linux-gnu # make check-kernels-arm64: built for arm64, booted under TCG
	runc crun podman busybox-static jq python3 python3-yaml
	nginx-light # a real server for the portability tests
	redis-server # watch-apps.sh: a real server whose append-only file takes a new path
	uidmap # rootless podman in the tests: newuidmap, newgidmap
	groff-base # tests/integration/docs.sh reads the man page as man(1) shows it
	strace seccomp # make bench: the other ways of recording, scmp_sys_resolver
	patchelf # portable.sh: a runc whose Go runtime reads the clock by syscall
	clang-format # structure.sh: the sources are as .clang-format lays them out
)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "deps: done"
