#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Removes what install.sh put on the node: the hooks.d files and the hook
# binary. Run by the DaemonSet's preStop hook, or by hand for manual cleanup
# (HOST_ROOT=/ on the node itself). Running it twice is harmless.
#
# Recorded profiles are kept: RECORD_DIR and everything in it stay, since pods
# may be running under them as Localhost profiles. Remove the folder by hand
# once nothing uses them.
#
# Environment: HOST_ROOT (default /host), HOOKSDIR (default
# /usr/share/containers/oci/hooks.d), as for install.sh.
set -eu

HOST_ROOT=${HOST_ROOT:-/host}
HOOKSDIR=${HOOKSDIR:-/usr/share/containers/oci/hooks.d}
LIBEXECDIR=/usr/local/libexec/oci/hooks.d
RECORD_DIR=/var/lib/kubelet/seccomp/oci-seccomp-recorder
BIN=oci-seccomp-recorder
HOOK_FILES="oci-seccomp-recorder-prestart.json oci-seccomp-recorder-poststop.json"

log() { printf 'oci-seccomp-recorder uninstall: %s\n' "$*"; }

[ -d "$HOST_ROOT" ] || { log "error: HOST_ROOT '$HOST_ROOT' is not a folder" >&2; exit 1; }

# hooks.d files first, so CRI-O stops adding the hook to new containers before
# the binary goes. A container being recorded still gets its profile: the
# tracer writes it when the container exits, even if poststop cannot run.
for f in $HOOK_FILES; do
	rm -f "$HOST_ROOT$HOOKSDIR/$f" "$HOST_ROOT$HOOKSDIR/.$f.tmp."*
	log "removed $HOOKSDIR/$f"
done
rm -f "$HOST_ROOT$LIBEXECDIR/$BIN" "$HOST_ROOT$LIBEXECDIR/.$BIN.tmp."*
log "removed $LIBEXECDIR/$BIN"
log "kept $RECORD_DIR and the profiles in it"
