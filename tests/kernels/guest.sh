#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside a guest of tests/kernels/run, on the host's root (read-only,
# tmpfs on /tmp and /run): checks the recorder on this kernel and prints one
# "osr-result: KEY VALUE" line per cell of the matrix, "osr-guest: ..." for
# progress. Settings: OSR_TOP, OSR_OUTPUT, OSR_TESTS, OSR_HOST_PROFILE, OSR_COST.
set -u
cd "$OSR_TOP" || exit 1
export OUTPUT=$OSR_OUTPUT OSR_TEST_WORK=/tmp/osr-work
HOOK=$OUTPUT/oci-seccomp-recorder
M=/tmp/matrix
mkdir -p "$M" "$OSR_TEST_WORK"
say() { echo "osr-guest: $*"; }
result() { echo "osr-result: $1 $2"; }
# why FILE: FILE's last lines into the console log, its first error as the reason.
why() {
	sed 's/^/osr-log: /' "$1" | tail -n 20 >&2
	{ grep -i -m 1 'error' "$1" || grep -v '^[[:space:]]*$' "$1" | tail -n 1; } |
		tr -d '\r' | cut -c 1-200
}
names() { jq -r '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique[]' "$1"; }

check_record() {
	say "running record ..."
	if "$HOOK" record -o "$M/ls.json" -- ls / >"$M/record.out" 2>&1 && [ -s "$M/ls.json" ]; then
		result loaded yes
	else
		result loaded "no: $(why "$M/record.out")"
		return 1
	fi
	local d
	d=$(diff <(names "$OSR_HOST_PROFILE") <(names "$M/ls.json") | sed -n 's/^\([<>]\) /\1/p' |
		sed 's/^</-/; s/^>/+/' | tr '\n' ' ')
	if [ -z "$d" ]; then
		result record_eq_host yes
	else
		result record_eq_host "no: $d"
	fi
}

# A runc container through the hook (prestart, poststop), then under its profile.
check_runc() {
	say "running runc recorded+replayed ..."
	(
		. tests/lib.sh
		shared_rootfs
		if ! run_traced "$M/runc-ls.json" -- ls / || [ ! -s "$M/runc-ls.json" ]; then
			echo "osr-result: runc no: recording failed: $(why "$T/last.out")"
		elif ! run_under "$M/runc-ls.json" ls / || ! grep -qx proc "$T/last.out"; then
			echo "osr-result: runc no: replay failed: $(why "$T/last.out")"
		else
			echo "osr-result: runc yes"
		fi
	)
}

check_tests() {
	local t line p=0 f=0 s=0
	for t in $OSR_TESTS; do
		say "running tests/run $t ..."
		while IFS= read -r line; do
			case $line in
			PASS:* | FAIL:* | SKIP:*) echo "osr-test: $line" ;;
			esac
			if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
				p=$((p + BASH_REMATCH[1])) f=$((f + BASH_REMATCH[2])) s=$((s + BASH_REMATCH[3]))
			fi
		done < <(tests/run "$t" 2>&1)
	done
	result tests "$p $f $s"
}

# The recorder's per-syscall cost over this guest's own floor program.
check_cost() {
	say "running osr-syscall-cost ..."
	local r
	if "$OUTPUT/bench/osr-syscall-cost" 21 50000 >"$M/cost.out" 2>&1; then
		r=$(sed -n 's/^ratio ctr_traced //p' "$M/cost.out")
		result cost "${r:-none}"
	else
		result cost "failed: $(why "$M/cost.out")"
	fi
}

say "kernel $(uname -r), BTF $([ -r /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
if check_record; then
	check_runc
	[ -z "$OSR_TESTS" ] || check_tests
	[ "$OSR_COST" != 1 ] || check_cost
fi
say "finished"
