#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A runtime whose binary is on overlayfs with its layers on different
# filesystems (a node image, a kind or k3s node, a runtime in a container):
# stat() reports a device of the layer's there while the program sees the
# overlay's, and setup must still be told from the workload. The recorder
# itself (record), runc and crun are run from such an overlay: lower on the
# disk this checkout is on, upper on a tmpfs. Each profile must have the same
# names as the one recorded from the host's own binary.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(overlay_record_same_names overlay_runc_same_names overlay_crun_same_names)
PREREQS=(runc crun jq)
skip_all_if_missing
shared_rootfs

OVL=$T/ovl
cleanup_overlay() {
	umount "$OVL/m" 2>/dev/null
	umount "$OVL/up" 2>/dev/null
	cleanup_all
}
trap cleanup_overlay EXIT

# xino=off keeps stat's device the layer's, as on kernels and mounts without xino.
mkdir -p "$OVL"/{lower,up,m}
cp "$HOOK" "$OVL/lower/oci-seccomp-recorder"
cp "$(command -v runc)" "$(command -v crun)" "$OVL/lower/"
if ! mount -t tmpfs tmpfs "$OVL/up" 2>"$T/mount.err" || ! mkdir "$OVL/up/u" "$OVL/up/w" ||
	! mount -t overlay overlay -o "lowerdir=$OVL/lower,upperdir=$OVL/up/u,workdir=$OVL/up/w,xino=off" \
		"$OVL/m" 2>>"$T/mount.err"; then
	for t in "${TESTS[@]}"; do skip "$t" "cannot mount an overlay: $(tail -1 "$T/mount.err")"; done
	exit 0
fi
# The case needs stat to report another device than the overlay's (mountinfo's).
sb_dev=$(awk -v m="$OVL/m" '$5 == m { print $3 }' /proc/self/mountinfo)
st_dev=$(stat -c '%Hd:%Ld' "$OVL/m/runc")
if [ "$sb_dev" = "$st_dev" ]; then
	for t in "${TESTS[@]}"; do
		skip "$t" "stat reports the overlay's own device ($st_dev) here: the layers share a filesystem"
	done
	exit 0
fi

# same_names NAME HOST OVERLAY: the two profiles allow the same names.
same_names() {
	local name=$1 host=$2 ovl=$3 extra missing
	extra=$(comm -13 <(allowed_names "$host") <(allowed_names "$ovl") | tr '\n' ' ')
	missing=$(comm -23 <(allowed_names "$host") <(allowed_names "$ovl") | tr '\n' ' ')
	if [ -z "$extra$missing" ]; then
		pass "$name"
	else
		fail "$name" "from the overlay (stat $st_dev, superblock $sb_dev) the profile has [$extra] more and [$missing] fewer than from the host's binary"
	fi
}

# record: between fork and exec the recorder's own child runs setup (wait4 at least).
if "$HOOK" --run-dir "$RUNDIR" record -o "$T/rec-host.json" -- ls / >/dev/null 2>"$T/err" &&
	"$OVL/m/oci-seccomp-recorder" --run-dir "$RUNDIR" record -o "$T/rec-ovl.json" -- ls / \
		>/dev/null 2>"$T/err"; then
	same_names overlay_record_same_names "$T/rec-host.json" "$T/rec-ovl.json"
else
	fail overlay_record_same_names "recording failed: $(tail -1 "$T/err")"
fi

# runc and crun (found through PATH, the test's crun wrapper included): their
# setup (mount, pivot_root, ...) runs as their own executable.
for rt in runc crun; do
	name=overlay_${rt}_same_names
	if ! run_on "$rt" "" "of:$T/$rt-host.json" "" osr-workload nr 39 ||
		! wait_until 10 test -s "$T/$rt-host.json"; then
		fail "$name" "recording under the host's $rt failed: $(tail -2 "$T/last.out")"
		continue
	fi
	if ! PATH=$OVL/m:$PATH run_on "$rt" "" "of:$T/$rt-ovl.json" "" osr-workload nr 39 ||
		! wait_until 10 test -s "$T/$rt-ovl.json"; then
		fail "$name" "recording under $rt on the overlay failed: $(tail -2 "$T/last.out")"
		continue
	fi
	same_names "$name" "$T/$rt-host.json" "$T/$rt-ovl.json"
done
