#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hook latency on the real kernel and runc: prestart (hook start to return,
# i.e. to the BPF program attached) and poststop (hook start to the profile on
# disk, with the container still running so the tracer does all its work).
# Prints median and p95 over RUNS runs (default 20).
set -eu
cd "$(dirname "$0")/.."
. tests/lib.sh
RUNS=${RUNS:-20}
why=$(missing_prereq runc jq)
[ -z "$why" ] || { echo "bench: $why" >&2; exit 1; }
shared_rootfs

bundle "$T/b" "of:$T/out.json" sleep 1000
jq 'del(.hooks)' "$T/b/config.json" > "$T/b/c" && mv "$T/b/c" "$T/b/config.json"

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'; }
pre=() post=()
for i in $(seq "$RUNS"); do
	id=$ID_PREFIX-$i
	(cd "$T/b" && runc create "$id" </dev/null >/dev/null 2>&1)
	state=$(runc state "$id")
	t0=$EPOCHREALTIME
	"$HOOK" --run-dir "$RUNDIR" prestart <<<"$state"
	t1=$EPOCHREALTIME
	runc start "$id"
	t2=$EPOCHREALTIME
	"$HOOK" --run-dir "$RUNDIR" poststop <<<"$state"
	t3=$EPOCHREALTIME
	[ -s "$T/out.json" ] || { echo "bench: no profile written" >&2; exit 1; }
	rm -f "$T/out.json"
	runc delete -f "$id" >/dev/null 2>&1
	pre+=("$(ms "$t0" "$t1")")
	post+=("$(ms "$t2" "$t3")")
done

stats() { # name values...
	local name=$1; shift
	printf '%s\n' "$@" | sort -n | awk -v name="$name" '
		{ v[NR] = $1 }
		END {
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			p95 = v[int(NR * 0.95 + 0.999)]
			printf "%-10s median %7.2f ms   p95 %7.2f ms   (n=%d)\n", name, med, p95, NR
		}'
}
stats prestart "${pre[@]}"
stats poststop "${post[@]}"
