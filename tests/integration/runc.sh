#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The hook under real runc, on the real kernel, with a busybox rootfs built here:
# record, replay under the recorded profile, extend with a base profile.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(runc_ls_recorded runc_ls_replays runc_profile_denies_unrecorded runc_profile_is_clean
	runc_base_extends runc_base_denial_stays runc_thread runc_grandchild runc_nested_pidns
	runc_ia32 runc_no_annotation runc_bad_annotation_stops_container runc_profile_file)
PREREQS=(runc jq)
skip_all_if_missing
shared_rootfs

# --- record `ls /` and replay it ------------------------------------------------
ls_out=$T/ls.json
if run_traced "$ls_out" -- ls / && [ -s "$ls_out" ]; then
	miss=$(missing_names "$ls_out" execve getdents64 exit_group)
	if [ -z "$miss" ]; then
		pass runc_ls_recorded
	else
		fail runc_ls_recorded "profile lacks: $miss"
	fi
else
	fail runc_ls_recorded "runc run or the hook failed: $(tail -3 "$T/last.out")"
fi

if [ -s "$ls_out" ] && run_under "$ls_out" ls / && grep -qx proc "$T/last.out"; then
	pass runc_ls_replays
else
	fail runc_ls_replays "ls / under its own profile failed: $(tail -3 "$T/last.out")"
fi

# mkdir is a syscall ls never makes: under the ls profile it must be refused.
if [ -s "$ls_out" ] && ! run_under "$ls_out" mkdir /tmp/d &&
	grep -q "Operation not permitted" "$T/last.out"; then
	pass runc_profile_denies_unrecorded
else
	fail runc_profile_denies_unrecorded "mkdir ran under the ls profile: $(tail -3 "$T/last.out")"
fi

# The file is what a runtime accepts: ERRNO default, x86-64 only, one sorted
# allow rule, then only allow rules with argument conditions and clone3's ENOSYS.
if [ -s "$ls_out" ] &&
	jq -e '.defaultAction == "SCMP_ACT_ERRNO" and
		.syscalls[0].action == "SCMP_ACT_ALLOW" and (.syscalls[0].names == (.syscalls[0].names | sort)) and
		(.syscalls[0].args == null) and
		all(.syscalls[1:][]; (.action == "SCMP_ACT_ALLOW" and (.args | length) > 0) or
			(.names == ["clone3"] and .action == "SCMP_ACT_ERRNO" and .errnoRet == 38)) and
		(.architectures | length) >= 1' "$ls_out" >/dev/null &&
	[ "$(stat -c %a "$ls_out")" = 644 ] &&
	[ -z "$(find "$T" -maxdepth 1 -name '.*.tmp')" ]; then
	pass runc_profile_is_clean
else
	fail runc_profile_is_clean "unexpected shape, mode or temporary files: $(jq -c . "$ls_out" | head -c 300)"
fi

# --- if: extends a base --------------------------------------------------------
merged=$T/merged.json
if [ -s "$ls_out" ] && run_traced "$merged" "$ls_out" -- mkdir /tmp/d && [ -s "$merged" ] &&
	run_under "$merged" ls / && run_under "$merged" mkdir /tmp/d; then
	pass runc_base_extends
else
	fail runc_base_extends "ls and mkdir under the merged profile: $(tail -3 "$T/last.out")"
fi

# A base that denies mkdir keeps denying it, though the workload used it.
deny_base=$T/deny-base.json
merged2=$T/merged2.json
if [ -s "$ls_out" ]; then
	jq '.syscalls += [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]' \
		"$ls_out" > "$deny_base"
fi
if [ -s "$deny_base" ] && run_traced "$merged2" "$deny_base" -- mkdir /tmp/d && [ -s "$merged2" ] &&
	! run_under "$merged2" mkdir /tmp/d && grep -q "Permission denied" "$T/last.out" &&
	jq -e '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | index("mkdir") == null' \
		"$merged2" >/dev/null; then
	pass runc_base_denial_stays
else
	fail runc_base_denial_stays "mkdir allowed or replay wrong: $(tail -3 "$T/last.out")"
fi

# --- syscalls made away from the main thread -----------------------------------
check_mode() { # test-name mode syscall
	local out=$T/$2.json
	if run_traced "$out" -- osr-workload "$2" && [ -s "$out" ]; then
		local miss
		miss=$(missing_names "$out" "$3")
		if [ -z "$miss" ]; then pass "$1"; else fail "$1" "profile lacks $3"; fi
	else
		fail "$1" "workload '$2' or the hook failed: $(tail -3 "$T/last.out")"
	fi
}
check_mode runc_thread thread sysinfo
check_mode runc_grandchild grandchild times
# unshare(CLONE_NEWPID) needs CAP_SYS_ADMIN in the container.
CAPS_ADD=CAP_SYS_ADMIN check_mode runc_nested_pidns nested getcpu

# ia32 syscalls go under their own architecture, and the profile lets them run.
why=$(ia32_missing)
if [ -n "$why" ]; then
	skip runc_ia32 "$why"
else
	out=$T/ia32.json
	if run_traced "$out" -- osr-workload ia32 && [ -s "$out" ] &&
		jq -e '.architectures | index("SCMP_ARCH_X86") != null' "$out" >/dev/null &&
		[ -z "$(missing_names "$out" getpid)" ] && run_under "$out" osr-workload ia32; then
		pass runc_ia32
	else
		fail runc_ia32 "no SCMP_ARCH_X86 or no replay: $(jq -c .architectures "$out" 2>/dev/null) $(tail -2 "$T/last.out")"
	fi
fi

# --- the annotation decides ----------------------------------------------------
CTR_SEQ=$((CTR_SEQ + 1))
bundle "$T/b$CTR_SEQ" "" ls /
if (cd "$T/b$CTR_SEQ" && runc run "$ID_PREFIX-$CTR_SEQ" </dev/null >"$T/last.out" 2>&1) &&
	[ ! -e "$RUNDIR/$ID_PREFIX-$CTR_SEQ.state" ]; then
	pass runc_no_annotation
else
	fail runc_no_annotation "an unannotated container failed or left state: $(tail -2 "$T/last.out")"
fi

CTR_SEQ=$((CTR_SEQ + 1))
bundle "$T/b$CTR_SEQ" "of:relative.json" touch /tmp/started
if ! (cd "$T/b$CTR_SEQ" && runc run "$ID_PREFIX-$CTR_SEQ" </dev/null >"$T/last.out" 2>&1) &&
	grep -q "not absolute" "$T/last.out"; then
	pass runc_bad_annotation_stops_container
else
	fail runc_bad_annotation_stops_container "container ran or message unclear: $(tail -2 "$T/last.out")"
fi

# The final name is never followed through a symlink, and an old profile survives a refusal.
ln -s "$T/elsewhere.json" "$T/link.json"
if ! run_traced "$T/link.json" -- true && [ ! -e "$T/elsewhere.json" ] &&
	grep -q "symbolic link" "$T/last.out"; then
	pass runc_profile_file
else
	fail runc_profile_file "wrote through a symlink or unclear: $(tail -2 "$T/last.out")"
fi
exit 0
