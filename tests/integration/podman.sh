#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The hook through podman: --hooks-dir with the shipped hooks.d files,
# --annotation, --rootfs, the runc runtime; replay with --security-opt seccomp=.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(podman_ls_recorded podman_profile_on_return podman_precise podman_ls_replays
	podman_profile_denies_unrecorded podman_base_extends podman_thread podman_rm
	podman_confined_inside podman_confined_outside_refused podman_hostpid)
PREREQS=(podman runc jq)
skip_all_if_missing
# podman adds mount points to a --rootfs: give it a copy of its own.
ROOTFS=$T/rootfs
make_rootfs "$ROOTFS"

# The shipped hooks.d files, pointing at the built binary.
HOOKS=$T/hooks.d
mkdir -p "$HOOKS"
for f in "$TOP"/hooks.d/*.json.in; do
	sed "s|@HOOK@|$HOOK|" "$f" > "$HOOKS/$(basename "$f" .in)"
done

NAMES=()
podman_cleanup() {
	local n
	for n in "${NAMES[@]}"; do podman rm -f "$n" >/dev/null 2>&1; done
	cleanup_all
}
trap podman_cleanup EXIT

SEQ=0
# prun [PODMAN OPTIONS...] -- ARGS...: podman run on the test rootfs; output in $T/last.out.
prun() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	SEQ=$((SEQ + 1))
	local name=$ID_PREFIX-$SEQ
	NAMES+=("$name")
	podman run --name "$name" --runtime runc --ulimit nofile=20000:20000 \
		--ulimit nproc=4096:4096 --hooks-dir "$HOOKS" --network none --read-only --tmpfs /tmp "${opts[@]}" \
		--rootfs "$ROOTFS" "$@" </dev/null >"$T/last.out" 2>&1
}

out=$T/ls.json
if prun --annotation "io.containers.trace-syscall=of:$out" -- ls /; then
	# No waiting: the profile is on disk when podman run returns.
	if [ -s "$out" ]; then
		pass podman_profile_on_return
	else
		fail podman_profile_on_return "'$out' missing right after podman run returned"
	fi
	for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
	miss=$(missing_names "$out" execve getdents64 exit_group)
	if [ -s "$out" ] && [ -z "$miss" ]; then
		pass podman_ls_recorded
	else
		fail podman_ls_recorded "no profile or it lacks: $miss"
	fi
else
	fail podman_profile_on_return "podman run failed: $(tail -3 "$T/last.out")"
	fail podman_ls_recorded "podman run failed: $(tail -3 "$T/last.out")"
fi

# podman records under its default seccomp profile, without noNewPrivileges:
# the runtime's mounts and pivot_root come before the filter and stay out.
extra=$(for n in mount umount2 pivot_root sethostname; do allowed_names "$out" | grep -x "$n"; done)
if [ -s "$out" ] && [ -z "$extra" ]; then
	pass podman_precise
else
	fail podman_precise "the profile allows the runtime's setup: $extra"
fi

if [ -s "$out" ] && prun --security-opt "seccomp=$out" -- ls / && grep -qx proc "$T/last.out"; then
	pass podman_ls_replays
else
	fail podman_ls_replays "ls / under its own profile: $(tail -3 "$T/last.out")"
fi

if [ -s "$out" ] && ! prun --security-opt "seccomp=$out" -- mkdir /tmp/d &&
	grep -q "Operation not permitted" "$T/last.out"; then
	pass podman_profile_denies_unrecorded
else
	fail podman_profile_denies_unrecorded "mkdir ran under the ls profile: $(tail -3 "$T/last.out")"
fi

merged=$T/merged.json
if [ -s "$out" ] &&
	prun --annotation "io.containers.trace-syscall=if:$out;of:$merged" -- mkdir /tmp/d &&
	[ -s "$merged" ] && prun --security-opt "seccomp=$merged" -- ls / &&
	prun --security-opt "seccomp=$merged" -- mkdir /tmp/d; then
	pass podman_base_extends
else
	fail podman_base_extends "ls and mkdir under the merged profile: $(tail -3 "$T/last.out")"
fi

thr=$T/thread.json
if prun --annotation "io.containers.trace-syscall=of:$thr" -- osr-workload thread &&
	[ -s "$thr" ] && [ -z "$(missing_names "$thr" sysinfo)" ]; then
	pass podman_thread
else
	fail podman_thread "sysinfo from a second thread is missing: $(tail -3 "$T/last.out")"
fi

rmout=$T/rm.json
if prun --rm --annotation "io.containers.trace-syscall=of:$rmout" -- ls / && [ -s "$rmout" ] &&
	[ -z "$(missing_names "$rmout" getdents64)" ] &&
	[ -z "$(ls "$RUNDIR" 2>/dev/null | grep "^$ID_PREFIX")" ]; then
	pass podman_rm
else
	fail podman_rm "no profile or state left behind with --rm: $(tail -3 "$T/last.out")"
fi
# --- the confined (Kubernetes) hooks.d variant ------------------------------------
CHOOKS=$T/hooks-confined
mkdir -p "$CHOOKS" "$T/records" "$T/bases"
for f in "$TOP"/hooks.d/confined/*.json.in; do
	sed -e "s|@HOOK@|$HOOK|" -e "s|@RECORD_DIR@|$T/records|" -e "s|@BASE_DIR@|$T/bases|" \
		"$f" > "$CHOOKS/$(basename "$f" .in)"
done
cprun() { local h=$HOOKS; HOOKS=$CHOOKS; prun "$@"; local r=$?; HOOKS=$h; return $r; }
if cprun --annotation "io.containers.trace-syscall=of:$T/records/app.json" -- ls / &&
	[ -s "$T/records/app.json" ]; then
	pass podman_confined_inside
else
	fail podman_confined_inside "$(tail -3 "$T/last.out")"
fi
ln -s "$T" "$T/records/up"
if ! cprun --annotation "io.containers.trace-syscall=of:$T/records/up/escaped.json" -- ls / &&
	[ ! -e "$T/escaped.json" ] && grep -q "without leaving it" "$T/last.out" &&
	! cprun --annotation "io.containers.trace-syscall=of:$T/outside.json" -- ls / &&
	[ ! -e "$T/outside.json" ] && grep -q "not inside" "$T/last.out"; then
	pass podman_confined_outside_refused
else
	fail podman_confined_outside_refused "a profile escaped its folder: $(tail -3 "$T/last.out")"
fi

# --- podman --pid=host: the container alone, by its mount namespace -----------------
# (and by the one it makes with unshare -m)
hp=$T/hostpid.json
(for _ in $(seq 40); do "$HELPERS/osr-workload" thread; sleep 0.02; done) &
noise=$!
if prun --pid=host --cap-add SYS_ADMIN --annotation "io.containers.trace-syscall=of:$hp" -- \
	sh -c 'osr-workload grandchild; unshare -m osr-workload call getsid; sleep 0.5' && [ -s "$hp" ] &&
	[ -z "$(missing_names "$hp" times getsid)" ] && ! allowed_names "$hp" | grep -qx sysinfo; then
	pass podman_hostpid
else
	fail podman_hostpid "times or getsid missing or the host's sysinfo recorded: $(missing_names "$hp" times getsid) $(tail -3 "$T/last.out")"
fi
wait $noise
exit 0
