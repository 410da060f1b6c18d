#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs oci-seccomp-recorder on a node from inside the DaemonSet's container
# (deploy/kubernetes/daemonset.yaml), then waits until the pod is stopped; the
# pod's preStop hook runs uninstall.sh.
#
#   install.sh           install, then wait for SIGTERM (the DaemonSet's command)
#   install.sh --once    install and exit (manual use, tests)
#   install.sh --check   exit 0 if the node has exactly these files (readiness probe)
#
# The host's folders are reached under HOST_ROOT (the DaemonSet mounts exactly
# the three folders below there). Every copy is atomic: a temporary file in the
# destination folder, then rename, so CRI-O never reads a half-written hooks.d
# file and a running hook binary is replaced, never overwritten. A file that is
# already identical is left alone, so running it twice changes nothing.
#
# Environment:
#   HOST_ROOT  where the host's / is (default /host)
#   SRC_DIR    the image's files: the binary, and hooks.d/ (default /opt/oci-seccomp-recorder)
#   HOOKS_SRC  the hooks.d JSON files to install (default $SRC_DIR/hooks.d; the
#              DaemonSet points it at its ConfigMap)
#   HOOKSDIR   the hooks folder on the host (default /usr/share/containers/oci/hooks.d,
#              CRI-O's default hooks_dir)
set -eu

HOST_ROOT=${HOST_ROOT:-/host}
SRC_DIR=${SRC_DIR:-/opt/oci-seccomp-recorder}
HOOKS_SRC=${HOOKS_SRC:-$SRC_DIR/hooks.d}
HOOKSDIR=${HOOKSDIR:-/usr/share/containers/oci/hooks.d}
# Fixed: the hooks.d files name the binary by this path, and the confined
# variant's --output-dir/--input-dir are these folders (Makefile: LIBEXECDIR
# with PREFIX=/usr/local, RECORD_DIR).
LIBEXECDIR=/usr/local/libexec/oci/hooks.d
RECORD_DIR=/var/lib/kubelet/seccomp/oci-seccomp-recorder
BIN=oci-seccomp-recorder
HOOK_FILES="oci-seccomp-recorder-prestart.json oci-seccomp-recorder-poststop.json"

log() { printf 'oci-seccomp-recorder install: %s\n' "$*"; }
die() { printf 'oci-seccomp-recorder install: error: %s\n' "$*" >&2; exit 1; }

mode=${1:-}
case $mode in
"" | --once | --check) ;;
*) echo "usage: $0 [--once|--check]" >&2; exit 2 ;;
esac

tmp=
trap '[ -z "$tmp" ] || rm -f "$tmp"' EXIT

# same SRC DST: DST is a regular file (not a symlink) with SRC's content.
same() { [ -f "$2" ] && [ ! -L "$2" ] && cmp -s "$1" "$2"; }

# put SRC DST MODE: copy SRC to DST atomically unless DST already holds it.
put() {
	[ ! -d "$2" ] || [ -L "$2" ] || die "$2 is a folder"
	if same "$1" "$2"; then
		chmod "$3" "$2"
		log "unchanged $2"
		return 0
	fi
	tmp=$(dirname "$2")/.$(basename "$2").tmp.$$
	rm -f "$tmp"
	cp "$1" "$tmp"
	chmod "$3" "$tmp"
	# mv onto a symlink to a folder would move into that folder: drop the link.
	[ ! -L "$2" ] || rm -f "$2"
	mv -f "$tmp" "$2"
	tmp=
	log "installed $2"
}

[ -d "$HOST_ROOT" ] || die "HOST_ROOT '$HOST_ROOT' is not a folder"
[ -f "$SRC_DIR/$BIN" ] || die "no hook binary at $SRC_DIR/$BIN"
for f in $HOOK_FILES; do
	[ -f "$HOOKS_SRC/$f" ] || die "no $HOOKS_SRC/$f"
	# A hooks.d file naming another path would make every annotated container fail.
	grep -qF "\"$LIBEXECDIR/$BIN\"" "$HOOKS_SRC/$f" ||
		die "$HOOKS_SRC/$f does not name $LIBEXECDIR/$BIN as the hook's path"
done

if [ "$mode" = --check ]; then
	same "$SRC_DIR/$BIN" "$HOST_ROOT$LIBEXECDIR/$BIN" || exit 1
	for f in $HOOK_FILES; do
		same "$HOOKS_SRC/$f" "$HOST_ROOT$HOOKSDIR/$f" || exit 1
	done
	[ -d "$HOST_ROOT$RECORD_DIR" ] || exit 1
	exit 0
fi

mkdir -p "$HOST_ROOT$LIBEXECDIR" "$HOST_ROOT$HOOKSDIR" "$(dirname "$HOST_ROOT$RECORD_DIR")"
[ -d "$HOST_ROOT$RECORD_DIR" ] || mkdir -m 0755 "$HOST_ROOT$RECORD_DIR"
# The binary first: a hooks.d file must never name a binary that is not there yet.
put "$SRC_DIR/$BIN" "$HOST_ROOT$LIBEXECDIR/$BIN" 0755
for f in $HOOK_FILES; do
	put "$HOOKS_SRC/$f" "$HOST_ROOT$HOOKSDIR/$f" 0644
done
log "profiles go to $RECORD_DIR (seccompProfile localhostProfile: oci-seccomp-recorder/NAME.json)"
# The container sees the host kernel's sysfs: warn where the hook cannot work.
[ -r "${BTF:-/sys/kernel/btf/vmlinux}" ] ||
	log "warning: this node's kernel has no BTF (/sys/kernel/btf/vmlinux); the hook will refuse to record here"

[ "$mode" = --once ] && exit 0

# Wait for the pod to stop; preStop (uninstall.sh) has already run by then.
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; exit 0' TERM INT
log "installed; waiting"
while :; do
	sleep 3600 &
	pid=$!
	wait "$pid" || true
done
