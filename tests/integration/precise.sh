#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Precise profiles: what the runtime does before it loads the seccomp filter
# (mount, pivot_root, sethostname, ...) stays out, and every profile replays,
# whether the recorded container ran with a filter or without one, with
# noNewPrivileges or without.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(precise_nofilter_nnp precise_nofilter_nonnp precise_filter_nnp precise_filter_nonnp
	precise_workload_keeps_sethostname precise_scope_all precise_bad_scope
	precise_replays_repeatedly)
PREREQS=(runc jq)
skip_all_if_missing
shared_rootfs

SETUP_ONLY=(mount umount2 pivot_root sethostname)
PRIV_DROP=(setgroups setuid setgid capset)

# A filter that allows everything but one syscall nobody makes: the runtime
# loads it as it would a real profile, and nothing the workload does is denied.
PERMISSIVE=$T/permissive.json
echo '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
	"syscalls": [{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]}' > "$PERMISSIVE"

# present_names PROFILE NAME...: the names the profile allows, among those given.
present_names() {
	local p=$1 n; shift
	for n in "$@"; do allowed_names "$p" | grep -qx "$n" && printf '%s ' "$n"; done
}

# case NAME NNP FILTER(yes/no) LACKS...: record ls / and replay it under the same NNP.
check_case() {
	local name=$1 nnp=$2 filter=$3; shift 3
	local out=$T/$name.json rec_seccomp=
	[ "$filter" = yes ] && rec_seccomp=$PERMISSIVE
	if ! NNP=$nnp SECCOMP=$rec_seccomp run_traced "$out" -- ls / || [ ! -s "$out" ]; then
		fail "$name" "recording failed: $(tail -2 "$T/last.out")"
		return
	fi
	local extra
	extra=$(present_names "$out" "$@")
	if [ -n "$extra" ]; then
		fail "$name" "profile allows setup-only syscalls: $extra"
	elif ! NNP=$nnp run_under "$out" ls / || ! grep -qx proc "$T/last.out"; then
		fail "$name" "ls / does not replay under its profile: $(tail -2 "$T/last.out")"
	else
		pass "$name"
	fi
}

# With noNewPrivileges the runtime loads the filter just before exec: privilege
# dropping is setup. Without it, the filter goes on first and the runtime drops
# privileges under it, so those must stay allowed (the replay proves it).
check_case precise_nofilter_nnp true no "${SETUP_ONLY[@]}" "${PRIV_DROP[@]}"
check_case precise_nofilter_nonnp false no "${SETUP_ONLY[@]}"
check_case precise_filter_nnp true yes "${SETUP_ONLY[@]}" "${PRIV_DROP[@]}"
check_case precise_filter_nonnp false yes "${SETUP_ONLY[@]}"

# A workload that calls sethostname itself keeps it (it needs CAP_SYS_ADMIN).
out=$T/hostname.json
if CAPS_ADD=CAP_SYS_ADMIN run_traced "$out" -- hostname recorded && [ -s "$out" ] &&
	[ -n "$(present_names "$out" sethostname)" ] &&
	CAPS_ADD=CAP_SYS_ADMIN run_under "$out" hostname replayed; then
	pass precise_workload_keeps_sethostname
else
	fail precise_workload_keeps_sethostname "sethostname missing or no replay: $(tail -2 "$T/last.out")"
fi

# The opt-out: everything from prestart on.
out=$T/all.json
if ANNOTATIONS_JSON='{"io.containers.trace-syscall.scope": "all"}' run_traced "$out" -- ls / &&
	[ -s "$out" ] && [ -z "$(missing_names "$out" "${SETUP_ONLY[@]}" "${PRIV_DROP[@]}")" ] &&
	run_under "$out" ls /; then
	pass precise_scope_all
else
	fail precise_scope_all "scope=all lacks setup syscalls: $(missing_names "$out" "${SETUP_ONLY[@]}")"
fi

if ! ANNOTATIONS_JSON='{"io.containers.trace-syscall.scope": "everything"}' \
	run_traced "$T/bad.json" -- true && grep -q "expected 'workload', 'exact' or 'all'" "$T/last.out"; then
	pass precise_bad_scope
else
	fail precise_bad_scope "an unknown scope was accepted: $(tail -2 "$T/last.out")"
fi

# What the runtime does at moments it does not choose (a preemption signal, a
# futex) must not make one recording replay and the next not.
bad=0
for i in $(seq 10); do
	out=$T/repeat$i.json
	if ! run_traced "$out" -- ls / || ! run_under "$out" ls /; then
		bad=$((bad + 1))
		why="run $i: $(tail -1 "$T/last.out")"
	fi
done
if [ $bad -eq 0 ]; then
	pass precise_replays_repeatedly
else
	fail precise_replays_repeatedly "$bad of 10 recordings did not replay ($why)"
fi
exit 0
