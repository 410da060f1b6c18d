#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Syscall counts (the annotation's stats:, record --stats, report --counts,
# check --rare): exact for a known loop from many threads at once, kept apart
# by phase and ABI, readable live while the container runs, and their file
# placed under the same rules as the profile.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(counts_exact_threads counts_file_shape counts_phases counts_ia32 counts_record
	counts_live_report counts_not_counting counts_stats_fail_keeps_profile counts_check_rare
	counts_confined counts_confined_refused counts_bad_inputs counts_dead_tracer_cleaned)
PREREQS=(runc jq bpftool)
skip_all_if_missing
shared_rootfs

W=osr-workload
# count FILE NAME PHASE [ABI]: the count of NAME in PHASE (and ABI, default x86-64's or arm64's).
count() {
	jq -r --arg n "$2" --arg p "$3" --arg a "${4:-}" '[.syscalls[] | select(.name == $n and
		.phase == $p and ($a == "" or .abi == $a)) | .count] | add // 0' "$1"
}

# --- N calls from T threads at once, exact --------------------------------------------
N=25000 THREADS=8
S=$T/threads.stats.json
run_on runc false "of:$T/threads.json;stats:$S" "" $W count getcpu $N $THREADS
rc=$?
got=$(count "$S" getcpu workload 2>/dev/null)
if [ $rc = 0 ] && [ "$got" = $((N * THREADS)) ]; then
	pass counts_exact_threads
else
	fail counts_exact_threads "rc=$rc, getcpu counted ${got:-nothing}, want $((N * THREADS)): $(tail -2 "$T/last.out")"
fi

# The documented shape: every field of its type, most made first, total the sum.
why=$(jq -r '
	if (.container | type) != "string" then "container is not the id"
	elif ([.syscalls[] | select((.name | type) != "string" or (.abi | type) != "string" or
		(.phase | IN("workload", "runtime-filtered", "setup") | not) or (.count | type) != "number" or
		.count < 1 or (.first_seen_ns | type) != "number" or (.nr | type) != "number")] | length) > 0
		then "an entry lacks a field or has a wrong one"
	elif ([.syscalls[].count] | add) != .total then "total is not the sum"
	elif [.syscalls[].count] != ([.syscalls[].count] | sort | reverse) then "not sorted by count"
	else "" end' "$S" 2>&1)
if [ -s "$S" ] && [ -z "$why" ] && [ "$(jq -r .container "$S")" = "$ID_PREFIX-$CTR_SEQ" ]; then
	pass counts_file_shape
else
	fail counts_file_shape "${why:-no file, or the id of another container}"
fi

# The runtime's own calls before the filter are setup; the workload's are not; an exec
# is made by both (runc's of the entrypoint, the entrypoint's none here).
why=""
[ "$(count "$S" getcpu setup)" = 0 ] || why="getcpu counted in setup"
[ -z "$why" ] && [ "$(count "$S" pivot_root setup)" -ge 1 ] 2>/dev/null || why=${why:-"no pivot_root in setup"}
[ -z "$why" ] && [ "$(count "$S" pivot_root workload)" = 0 ] || why=${why:-"pivot_root counted in the workload"}
[ -z "$why" ] && [ "$(count "$S" execve setup)$(count "$S" execve runtime-filtered)" != 00 ] ||
	why=${why:-"the execve of the entrypoint by runc not counted before the workload"}
# The workload's first getcpu comes after the setup's first call.
first_setup=$(jq '[.syscalls[] | select(.phase == "setup") | .first_seen_ns] | min' "$S" 2>/dev/null)
first_getcpu=$(jq '[.syscalls[] | select(.name == "getcpu") | .first_seen_ns] | min' "$S" 2>/dev/null)
[ -z "$why" ] && [ "${first_setup:-x}" -lt "${first_getcpu:-0}" ] 2>/dev/null ||
	why=${why:-"first seen: setup $first_setup, getcpu $first_getcpu"}
if [ -z "$why" ]; then pass counts_phases; else fail counts_phases "$why"; fi

# --- ia32 from a 64-bit process ---------------------------------------------------------
why=$(ia32_missing)
if [ -n "$why" ]; then
	skip counts_ia32 "$why"
else
	S32=$T/ia32.stats.json
	run_on runc false "of:$T/ia32.json;stats:$S32" "" $W ia32count 777
	rc=$?
	got=$(count "$S32" getpid workload SCMP_ARCH_X86 2>/dev/null)
	native=$(count "$S32" getpid workload SCMP_ARCH_X86_64 2>/dev/null)
	if [ $rc = 0 ] && [ "$got" = 777 ] && [ "$native" = 0 ]; then
		pass counts_ia32
	else
		fail counts_ia32 "rc=$rc, ia32 getpid ${got:-?}, x86-64 getpid ${native:-?}: $(tail -2 "$T/last.out")"
	fi
fi

# --- record --stats, outside containers --------------------------------------------------
if "$HOOK" --run-dir "$RUNDIR" record -o "$T/rec.json" --stats "$T/rec.stats.json" -- \
	"$HELPERS/osr-workload" count sysinfo 1000 4 >/dev/null 2>"$T/rec.err" &&
	[ "$(count "$T/rec.stats.json" sysinfo workload)" = 4000 ] && [ -s "$T/rec.json" ]; then
	pass counts_record
else
	fail counts_record "$(tail -2 "$T/rec.err") sysinfo: $(count "$T/rec.stats.json" sysinfo workload 2>&1)"
fi

# --- the live report, while the container runs -------------------------------------------
# Containers here sleep for minutes and are killed when done with: how long
# the machine takes to show them is not part of the test.
counted_live() { # ID NAME COUNT
	"$HOOK" --run-dir "$RUNDIR" report --counts --format json "$1" > "$T/live.json" 2>/dev/null &&
		[ "$(count "$T/live.json" "$2" workload)" = "$3" ]
}
LS=$T/live.stats.json
run_bg "of:$T/live.json.profile;stats:$LS" sh -c "$W count sysinfo 500 2; sleep 300"
LIVE=$CID LIVE_BG=$RPID LIVE_OUT=$T/bg$CTR_SEQ.out
if wait_until 60 counted_live "$LIVE" sysinfo 1000 &&
	"$HOOK" --run-dir "$RUNDIR" report --counts "$LIVE" > "$T/live.txt" 2>&1 &&
	grep -q "^NAME  *COUNT  *SHARE  *FIRST SEEN (ms)  *PHASE" "$T/live.txt" &&
	grep -Eq "^sysinfo +1000 " "$T/live.txt" && [ ! -e "$LS" ] &&
	seen "$LIVE" sysinfo; then
	pass counts_live_report
else
	fail counts_live_report "$(head -5 "$T/live.txt" 2>/dev/null) $(tail -c 300 "$T/live.json" 2>/dev/null)"
fi

# A recording without stats: says how to ask, and costs it nothing.
run_bg "of:$T/plain.json" sleep 300
PLAIN=$CID PLAIN_BG=$RPID
wait_until 60 seen "$PLAIN" nanosleep >/dev/null
if ! "$HOOK" --run-dir "$RUNDIR" report --counts "$PLAIN" > /dev/null 2>"$T/plain.err" &&
	grep -q "without counting.*stats:" "$T/plain.err"; then
	pass counts_not_counting
else
	fail counts_not_counting "$(cat "$T/plain.err")"
fi
runc kill "$PLAIN" KILL 2>/dev/null
wait "$PLAIN_BG"

# Ends the live container; its stats path became a folder meanwhile: the
# profile is still written (the poststop's warning goes where runc puts a
# hook's stderr when it succeeds: nowhere; record shows the same message).
mkdir "$LS"
runc kill "$LIVE" KILL 2>/dev/null
wait "$LIVE_BG"
"$HOOK" --run-dir "$RUNDIR" record -o "$T/kept.json" --stats "$T/kept.stats" -- mkdir "$T/kept.stats" \
	>/dev/null 2>"$T/kept.err"
rc=$?
if [ -s "$T/live.json.profile" ] && [ -d "$LS" ] && [ $rc = 125 ] && [ -s "$T/kept.json" ] &&
	grep -q "kept.stats" "$T/kept.err"; then
	pass counts_stats_fail_keeps_profile
else
	fail counts_stats_fail_keeps_profile "profile: $(ls -l "$T/live.json.profile" 2>&1), record rc=$rc $(tail -2 "$T/kept.err")"
fi

# --- check --rare: allowed, hardly made -------------------------------------------------
"$HOOK" check --stats "$S" --rare 2 "$T/threads.json" > "$T/rare.txt" 2>&1
if grep -q "allowed, made fewer than 2 times" "$T/rare.txt" &&
	! grep -Eq "^ +getcpu " "$T/rare.txt" && grep -Eq "^ +[a-z0-9_]+ +[01]$" "$T/rare.txt" &&
	! "$HOOK" check --rare 2 "$T/threads.json" >/dev/null 2>&1; then
	pass counts_check_rare
else
	fail counts_check_rare "$(tail -5 "$T/rare.txt")"
fi

# --- confined: DIR/NAMESPACE/REL, as the profile ----------------------------------------
DIR=$T/records
mkdir -p "$DIR"
CONF="[\"--output-dir\", \"$DIR\"]"
NS='{"io.kubernetes.pod.namespace": "team-a"}'
HOOK_ARGS_JSON=$CONF ANNOTATIONS_JSON=$NS run_on runc false "of:$DIR/p.json;stats:$DIR/s/c.json" "" \
	$W count times 10 1
rc=$?
mkdir -p "$DIR/team-a/s"
HOOK_ARGS_JSON=$CONF ANNOTATIONS_JSON=$NS run_on runc false "of:$DIR/p.json;stats:$DIR/s/c.json" "" \
	$W count times 10 1
rc2=$?
if [ $rc != 0 ] && [ $rc2 = 0 ] && [ "$(count "$DIR/team-a/s/c.json" times workload)" = 10 ] &&
	[ ! -e "$DIR/s/c.json" ]; then
	pass counts_confined
else
	fail counts_confined "rc=$rc/$rc2: $(tail -2 "$T/last.out")"
fi

# '..' and a folder outside are refused before the container runs.
HOOK_ARGS_JSON=$CONF ANNOTATIONS_JSON=$NS run_on runc false "of:$DIR/p2.json;stats:$DIR/x/../team-b/c.json" "" true
rc=$?
dots=$(grep -c "'\.\.'" "$T/last.out")
HOOK_ARGS_JSON=$CONF run_on runc false "of:$DIR/p3.json;stats:$T/outside.json" "" true
rc2=$?
if [ $rc != 0 ] && [ "$dots" -ge 1 ] && [ $rc2 != 0 ] && [ ! -e "$T/outside.json" ] &&
	[ ! -e "$DIR/p2.json" ] && [ ! -e "$DIR/team-a/p2.json" ]; then
	pass counts_confined_refused
else
	fail counts_confined_refused "rc=$rc/$rc2: $(tail -2 "$T/last.out")"
fi

# --- bad inputs ------------------------------------------------------------------------
why=""
run_on runc false "of:$T/bad.json;stats:rel.json" "" true && why="a relative stats: ran"
grep -q "'stats:' path 'rel.json' is not absolute" "$T/last.out" || why=${why:-"no clear error: $(tail -1 "$T/last.out")"}
run_on runc false "of:$T/bad.json;stats:$T/bad.json" "" true && why=${why:-"stats: naming the profile ran"}
grep -q "names the profile's own file" "$T/last.out" || why=${why:-"no clear error: $(tail -1 "$T/last.out")"}
echo '{"syscalls": [], "total": 3}' > "$T/badstats.json"
"$HOOK" report --counts --stats "$T/badstats.json" >/dev/null 2>"$T/bad.err" && why=${why:-"a wrong total was read"}
grep -q "add up to 0" "$T/bad.err" || why=${why:-"no clear error: $(cat "$T/bad.err")"}
"$HOOK" report --counts --format seccompprofile --stats "$S" >/dev/null 2>&1 && why=${why:-"--format seccompprofile taken with --counts"}
if [ -z "$why" ]; then pass counts_bad_inputs; else fail counts_bad_inputs "$why"; fi

# --- a killed tracer's counts go with its recording -------------------------------------
# Another counting recording keeps the program (and its maps) loaded, so the
# dead one's entry must be taken out by itself.
recording_of() { [ "$(record_field "$1" status)" = recording ]; }
run_bg "of:$T/keep.json;stats:$T/keep.stats.json" sleep 300
KEEP=$CID KEEP_BG=$RPID
wait_until 60 recording_of "$KEEP"
run_bg "of:$T/dead.json;stats:$T/dead.stats.json" sleep 300
wait_until 60 recording_of "$CID"
entries() { bpftool -j map dump pinned "$PIN/stats" 2>/dev/null | jq length; }
before=$(entries)
kill -9 "$(record_field "$CID" pid)"
runc kill "$CID" KILL 2>/dev/null
wait "$RPID"
after=$(entries)
runc kill "$KEEP" KILL 2>/dev/null
wait "$KEEP_BG"
if [ "$before" = 2 ] && [ "$after" = 1 ] && [ ! -e "$T/dead.stats.json" ] && [ -s "$T/keep.stats.json" ]; then
	pass counts_dead_tracer_cleaned
else
	fail counts_dead_tracer_cleaned "stats entries before/after: ${before:-?}/${after:-?} ($PIN/stats)"
fi
