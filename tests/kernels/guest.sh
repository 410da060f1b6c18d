#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside a guest of tests/kernels/run, on the host's root (read-only,
# tmpfs on /tmp and /run): checks the recorder on this kernel and prints one
# "osr-result: KEY VALUE" line per cell of the matrix, "osr-guest: ..." for
# progress. Settings: OSR_TOP, OSR_OUTPUT, OSR_TESTS, OSR_HOST_PROFILE, OSR_COST.
# Usage: guest.sh [STEP...]   (record, runc, tests:FILTER, cost; default all)
set -u
cd "$OSR_TOP" || exit 1
export OUTPUT=$OSR_OUTPUT
HOOK=$OUTPUT/oci-seccomp-recorder
M=$(mktemp -d /tmp/osr-matrix.XXXXXX) || exit 1
export OSR_TEST_WORK=$M/work
mkdir -p "$OSR_TEST_WORK"
say() { echo "osr-guest: $*"; }
result() { echo "osr-result: $1 $2"; }
# why FILE: FILE's last lines into the console log, its first error as the reason.
why() {
	sed 's/^/osr-log: /' "$1" | tail -n 20 >&2
	{ grep -i -m 1 'error' "$1" || grep -v '^[[:space:]]*$' "$1" | tail -n 1; } |
		tr -d '\r' | cut -c 1-200
}
names() { jq -r '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique[]' "$1"; }

# diff_names HOST GUEST: "+name" for what GUEST adds, "-name" for what it lacks.
diff_names() {
	diff <(names "$1") <(names "$2") | sed -n 's/^</-/p; s/^>/+/p' | tr -d ' ' | tr '\n' ' '
}

# `record ls /` as the host recorded it: the default scope, which adds what
# runtimes make after their load point, and 'exact', what ls made and nothing
# more (the kernel side alone: a name the program missed shows there).
check_record() {
	say "running record ..."
	if "$HOOK" record -o "$M/ls.json" -- ls / >"$M/record.out" 2>&1 && [ -s "$M/ls.json" ] &&
		"$HOOK" record --scope exact -o "$M/ls.exact.json" -- ls / >>"$M/record.out" 2>&1; then
		result loaded yes
	else
		result loaded "no: $(why "$M/record.out")"
		return 1
	fi
	local d x
	d=$(diff_names "$OSR_HOST_PROFILE" "$M/ls.json")
	x=$(diff_names "${OSR_HOST_PROFILE%.json}.exact.json" "$M/ls.exact.json")
	if [ -z "$d$x" ]; then
		result record_eq_host yes
	else
		result record_eq_host "no: workload: ${d:-same} exact: ${x:-same}"
	fi
}

# Whether the vDSO reads this clock source or makes each clock read a
# syscall: strace sees only the real syscalls of one date(1).
check_clock() {
	local cs n
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
	if ! strace -qq -e trace=clock_gettime -o "$M/date.strace" date >/dev/null 2>&1; then
		result clock "${cs:-unknown}: not checked (strace failed)"
		return
	fi
	n=$(grep -c clock_gettime "$M/date.strace")
	if [ "$n" = 0 ]; then
		result clock "${cs:-unknown}, vDSO"
	else
		result clock "${cs:-unknown}, syscall: the vDSO cannot read it (one date(1): $n clock_gettime syscall)"
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

# tests/run FILTER, its closing line as "osr-result: tests PASSED FAILED SKIPPED".
check_tests() {
	local line n=""
	say "running tests/run $1 ..."
	while IFS= read -r line; do
		case $line in
		PASS:* | FAIL:* | SKIP:*) echo "osr-test: $line" ;;
		esac
		[[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]] &&
			n="${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
	done < <(tests/run "$1" 2>&1)
	[ -n "$n" ] || { echo "osr-test: FAIL: tests/run $1: ended with no count"; n="0 1 0"; }
	result tests "$n"
}

# The recorder's per-syscall cost over this guest's own floor program (a
# do-nothing program on the same tracepoint), recording and counting, for a
# recorded container's getppid loop: ratios within one round, median of 21.
check_cost() {
	say "running osr-syscall-cost ..."
	local k
	if "$OUTPUT/bench/osr-syscall-cost" 21 50000 0 getppid count >"$M/cost.out" 2>&1; then
		for k in "nobpf ctr_traced:cost_nobpf_ns" "floor ctr_traced:cost_floor_ns" \
			"ratio ctr_traced:cost" "ratio_counting ctr_traced:cost_counting"; do
			result "${k#*:}" "$(sed -n "s/^${k%:*} \([^ ]*\).*/\1/p" "$M/cost.out" | grep . || echo none)"
		done
	else
		result cost "failed: $(why "$M/cost.out")"
	fi
}

# With no STEP, all of them, as a guest does; the host runs one at a time.
all=$#
if [ $# -eq 0 ]; then
	say "kernel $(uname -r), BTF $([ -r /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
	set -- clock record runc
	for t in $OSR_TESTS; do set -- "$@" "tests:$t"; done
	[ "$OSR_COST" != 1 ] || set -- "$@" cost
fi
for step in "$@"; do
	case $step in
	clock) check_clock ;;
	record) check_record || break ;;
	runc) check_runc ;;
	tests:*) check_tests "${step#tests:}" ;;
	cost) check_cost ;;
	*) echo "unknown step '$step'" >&2; exit 2 ;;
	esac
done
rm -rf "$M"
[ "$all" != 0 ] || say "finished"
