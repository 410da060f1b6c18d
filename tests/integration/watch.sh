#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Watch mode under real runc (and crun) on the real kernel: a recorded profile
# enforced while the listener learns what it lacks; the policy changed while
# the container runs; what was learned folded back with merge; and what a
# container gets when the listener is absent, killed or restarted.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(watch_profile_shapes watch_complain_goes_on watch_report_live watch_enforce_at_runtime
	watch_learned_written watch_folded_back_clean watch_no_listener_fails watch_killed_listener_enosys
	watch_restart_keeps_state watch_stalled_listener_killable watch_flood_other_goes_on watch_kill_policy watch_crun_complain
	watch_clean_start_kill watch_runtime_calls_not_learned watch_bad_policy_refused watch_learned_in_namespace_folder watch_podman_end_to_end watch_podman_crun)
PREREQS=(runc jq)
skip_all_if_missing
shared_rootfs

SOCK=$T/watch.sock
STATE=$T/state
CTL=$T/ctl
LPID=
mkdir -p "$CTL"

# The workload: a tick every 0.1 s until /ctl/stop; while /ctl/mk exists, a
# mkdir first, which the recording never saw (REC=1: three ticks, no mkdir).
# (One line: bundle passes each line of an argument as an argument of its own.
# No redirection: busybox sh retries a refused dup2 for ever.)
SCRIPT='i=0; while [ ! -e /ctl/stop ]; do if [ -e /ctl/mk ]; then mkdir /tmp/d$i && echo "mk ok $i" || echo "mk fail $i"; fi; echo "tick $i"; i=$((i + 1)); [ -n "$REC" ] && [ $i -ge 3 ] && break; usleep 100000; done; echo done'

PNAMES=()
watch_cleanup() {
	local n
	for n in "${PNAMES[@]}"; do podman rm -f "$n" >/dev/null 2>&1; done
	listener_stop
	cleanup_all
}
trap watch_cleanup EXIT

# wstop: /ctl/stop, then the background container gone (killed after 20 s).
wstop() {
	touch "$CTL/stop"
	wait_until 20 eval '! kill -0 "$RPID" 2>/dev/null' || runc kill "$CID" KILL 2>/dev/null
	wait "$RPID" 2>/dev/null
}

# wbundle DIR ANN PROFILE ENV [ANNOTATIONS_JSON]: the workload's bundle, /ctl bound in.
wbundle() {
	local dir=$1 ann=$2 prof=$3 env=$4 more=${5:-\{\}}
	SECCOMP=$prof bundle "$dir" "$ann" sh -c "$SCRIPT"
	jq --arg ctl "$CTL" --arg env "$env" --argjson more "$more" '
		.mounts += [{"destination": "/ctl", "type": "bind", "source": $ctl, "options": ["rbind", "rw"]}] |
		.process.env += [$env] | .annotations = ((.annotations // {}) + $more)' \
		"$dir/config.json" > "$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

# wstart ANNOTATIONS_JSON PROFILE [RUNTIME]: the workload in the background: CID, RPID, OUT.
wstart() {
	CTR_SEQ=$((CTR_SEQ + 1))
	CID=$ID_PREFIX-$CTR_SEQ
	OUT=$T/bg$CTR_SEQ.out
	wbundle "$T/b$CTR_SEQ" "" "$2" REC= "$1"
	local rt=runc
	[ "${3:-runc}" = crun ] && rt=$CRUN
	(cd "$T/b$CTR_SEQ" && exec "$rt" run "$CID" </dev/null >"$OUT" 2>&1) &
	RPID=$!
}

# --- record the workload, make its watch profiles --------------------------------
rm -f "$CTL"/*
wbundle "$T/rec" "of:$T/base.json" "" REC=1
if ! rt_run "$T/rec" "$ID_PREFIX-rec" >"$T/last.out" 2>&1 || [ ! -s "$T/base.json" ]; then
	for t in "${TESTS[@]}"; do fail "$t" "recording the workload failed: $(tail -3 "$T/last.out")"; done
	exit 0
fi
"$HOOK" watch-profile --runtime runc --socket "$SOCK" -o "$T/watch.json" "$T/base.json" &&
	"$HOOK" watch-profile --runtime crun --socket "$SOCK" -o "$T/watch-crun.json" "$T/base.json"
rc=$?
# runc: base's rules first, every other syscall NOTIFY (never write), default kept.
if [ $rc = 0 ] && jq -e --slurpfile b "$T/base.json" '
	.listenerPath != null and .defaultAction == $b[0].defaultAction and
	.syscalls[:($b[0].syscalls | length)] == $b[0].syscalls and
	(.syscalls[-1].action == "SCMP_ACT_NOTIFY") and (.syscalls[-1].names | index("mkdir")) and
	(.syscalls[-1].names | index("write") | not)' "$T/watch.json" >/dev/null &&
	jq -e '.defaultAction == "SCMP_ACT_NOTIFY" and
		all(.syscalls[]; .action != "SCMP_ACT_NOTIFY")' "$T/watch-crun.json" >/dev/null &&
	"$HOOK" check -q "$T/watch.json" "$T/watch-crun.json"; then
	pass watch_profile_shapes
else
	fail watch_profile_shapes "watch-profile gave: $(jq -c '{defaultAction, listenerPath, n: (.syscalls | length)}' "$T/watch.json" 2>&1 | head -c 300)"
fi

# --- complain, report, enforce at run time, learned, folded back ----------------
ANN=$(jq -n --arg l "of:$T/learned.json" '{"io.containers.seccomp-watch.learned": $l}')
listener_start || fail watch_complain_goes_on "the listener did not start: $(cat "$T/listener.log")"
rm -f "$CTL"/*
touch "$CTL/mk"
wstart "$ANN" "$T/watch.json"
if wait_until 20 grep -q "mk ok 2" "$OUT" && wait_until 10 grep -q "tick 3" "$OUT"; then
	pass watch_complain_goes_on
else
	fail watch_complain_goes_on "mkdir did not go on in complain mode: $(tail -3 "$OUT")"
fi
if "$HOOK" watch-report --socket "$SOCK" "$CID" > "$T/report.txt" 2>&1 &&
	grep -q "policy complain" "$T/report.txt" && grep -q "^mkdir [0-9]* first .* comm 'mkdir'" "$T/report.txt"; then
	pass watch_report_live
else
	fail watch_report_live "report: $(head -c 400 "$T/report.txt")"
fi
cpid=$(runc state "$CID" 2>/dev/null | jq .pid)
if "$HOOK" policy --socket "$SOCK" "$CID" enforce >/dev/null 2>"$T/policy.err" &&
	wait_until 20 grep -q "mk fail" "$OUT" && grep -q "can't create directory.*Operation not permitted" "$OUT" &&
	[ "$(runc state "$CID" 2>/dev/null | jq .pid)" = "$cpid" ] && ! grep -q "^done" "$OUT"; then
	pass watch_enforce_at_runtime
else
	fail watch_enforce_at_runtime "no EPERM after 'policy enforce', or restarted: $(cat "$T/policy.err"; tail -3 "$OUT")"
fi
wstop
if wait_until 10 test -s "$T/learned.json" &&
	jq -e '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | index("mkdir")' \
		"$T/learned.json" >/dev/null && [ -z "$(ls "$STATE")" ]; then
	pass watch_learned_written
else
	fail watch_learned_written "learned: $(head -c 300 "$T/learned.json" 2>&1); state: $(ls "$STATE")"
fi
# Folded back: the merged profile, enforced with no listener, runs the mkdir path clean.
rm -f "$CTL"/*
touch "$CTL/mk"
if "$HOOK" merge -o "$T/merged.json" "$T/base.json" "$T/learned.json" 2>"$T/merge.err" &&
	CTR_SEQ=$((CTR_SEQ + 1)) && wbundle "$T/b$CTR_SEQ" "" "$T/merged.json" REC=1 &&
	rt_run "$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" >"$T/last.out" 2>&1 &&
	[ "$(grep -c "mk ok" "$T/last.out")" = 3 ] && ! grep -q "mk fail" "$T/last.out"; then
	pass watch_folded_back_clean
else
	fail watch_folded_back_clean "merged profile run: $(cat "$T/merge.err"; tail -3 "$T/last.out")"
fi

# --- dangers -------------------------------------------------------------------
# No listener at the socket: runc fails at once, naming the socket (no hang).
jq --arg s "$T/none.sock" '.listenerPath = $s' "$T/watch.json" > "$T/watch-none.json"
CTR_SEQ=$((CTR_SEQ + 1))
wbundle "$T/b$CTR_SEQ" "" "$T/watch-none.json" REC=1
t0=$(date +%s%N)
if ! timeout 60 bash -c 'cd "$1" && exec runc run "$2" </dev/null' _ "$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" \
	>"$T/last.out" 2>&1 && grep -q "$T/none.sock" "$T/last.out" && ! grep -q tick "$T/last.out"; then
	echo "# no listener: runc failed in $((($(date +%s%N) - t0) / 1000000)) ms"
	pass watch_no_listener_fails
else
	fail watch_no_listener_fails "runc did not fail naming the socket: $(tail -2 "$T/last.out")"
fi

# A listener killed: the container's unlisted calls fail with ENOSYS, it goes on.
rm -f "$CTL"/*
touch "$CTL/mk"
ANN2=$(jq -n --arg l "of:$T/learned2.json" '{"io.containers.seccomp-watch.learned": $l}')
wstart "$ANN2" "$T/watch.json"
if wait_until 20 grep -q "mk ok 1" "$OUT" && kill -9 "$LPID" && wait "$LPID" 2>/dev/null; LPID=
	wait_until 20 grep -q "mk fail" "$OUT" && grep -q "Function not implemented" "$OUT"; then
	pass watch_killed_listener_enosys
else
	fail watch_killed_listener_enosys "after the listener died: $(tail -3 "$OUT")"
fi
# A new listener keeps its policy and what it learned, says the fd is lost, and
# writes the learned file when the container ends.
rm -f "$SOCK"
if listener_start && "$HOOK" watch-report --socket "$SOCK" "$CID" > "$T/report2.txt" 2>&1 &&
	grep -q "^mkdir [1-9]" "$T/report2.txt" && grep -q "lost when the listener restarted" "$T/report2.txt" &&
	wstop && wait_until 10 test -s "$T/learned2.json" &&
	jq -e '[.syscalls[] | .names[]] | index("mkdir")' "$T/learned2.json" >/dev/null; then
	pass watch_restart_keeps_state
else
	fail watch_restart_keeps_state "report after restart: $(head -c 300 "$T/report2.txt"); learned: $(head -c 200 "$T/learned2.json" 2>&1)"
fi
wstop

# A stopped listener holds the container's listed calls until it runs again;
# the container can still be killed.
rm -f "$CTL"/*
wstart '{}' "$T/watch.json"
if wait_until 20 grep -q "tick 1" "$OUT" && kill -STOP "$LPID" && touch "$CTL/mk" &&
	sleep 1 && ! grep -q "mk ok\|mk fail" "$OUT" && runc kill "$CID" KILL &&
	wait_until 20 eval '! kill -0 "$RPID" 2>/dev/null'; then
	pass watch_stalled_listener_killable
else
	fail watch_stalled_listener_killable "under a stopped listener: $(tail -2 "$OUT")"
fi
kill -CONT "$LPID"
wstop

# A flood: one container refused a call in a tight loop (busybox sh retries a
# refused dup2 for ever) while another, complain, goes on through the same listener.
CTR_SEQ=$((CTR_SEQ + 1))
FLOOD=$ID_PREFIX-$CTR_SEQ
SECCOMP=$T/watch.json bundle "$T/b$CTR_SEQ" "" sh -c 'echo x 2>/tmp/x'
jq '.annotations = {"io.containers.seccomp-watch.policy": "enforce"}' "$T/b$CTR_SEQ/config.json" \
	> "$T/b$CTR_SEQ/c.new" && mv "$T/b$CTR_SEQ/c.new" "$T/b$CTR_SEQ/config.json"
(cd "$T/b$CTR_SEQ" && exec runc run -d "$FLOOD" </dev/null >/dev/null 2>&1)
rm -f "$CTL"/*
touch "$CTL/mk"
wstart '{}' "$T/watch.json"
t0=$(date +%s%N)
if wait_until 30 grep -q "mk ok 4" "$OUT" &&
	"$HOOK" watch-report --socket "$SOCK" "$FLOOD" > "$T/flood.txt" 2>&1 &&
	grep -q "^dup2 [0-9]" "$T/flood.txt"; then
	echo "# flood: $(sed -n 's/.*, \([0-9]*\) notified calls.*/\1/p' "$T/flood.txt") calls refused to one container while the other made 5 rounds in $((($(date +%s%N) - t0) / 1000000)) ms"
	pass watch_flood_other_goes_on
else
	fail watch_flood_other_goes_on "the other container: $(tail -2 "$OUT"); flood: $(head -c 200 "$T/flood.txt")"
fi
runc delete -f "$FLOOD" >/dev/null 2>&1
wstop

# kill: the container is killed at its first unlisted call.
rm -f "$CTL"/*
touch "$CTL/mk"
wstart '{"io.containers.seccomp-watch.policy": "kill"}' "$T/watch.json"
if wait_until 20 eval '! kill -0 "$RPID" 2>/dev/null' && ! grep -q "mk ok\|mk fail\|tick" "$OUT"; then
	pass watch_kill_policy
else
	fail watch_kill_policy "the container lived on: $(tail -2 "$OUT")"
fi
wstop

# crun takes NOTIFY as the defaultAction: the same complain run under it.
rm -f "$CTL"/*
touch "$CTL/mk"
if [ ! -x "$CRUN" ] || ! command -v crun >/dev/null; then
	skip watch_crun_complain "crun is not installed"
else
	ANN3=$(jq -n --arg l "of:$T/learned3.json" '{"io.containers.seccomp-watch.learned": $l}')
	wstart "$ANN3" "$T/watch-crun.json" crun
	if wait_until 20 grep -q "mk ok 2" "$OUT" && wstop && wait_until 10 test -s "$T/learned3.json" &&
		jq -e '[.syscalls[] | .names[]] | index("mkdir")' "$T/learned3.json" >/dev/null; then
		pass watch_crun_complain
	else
		fail watch_crun_complain "under crun: $(tail -3 "$OUT")"
	fi
	wstop
	"$CRUN" delete -f "$CID" >/dev/null 2>&1
fi

# A command that makes only what its profile allows (the recorded run, REC=1),
# under each runtime: in kill it starts, runs and exits 0, and in complain
# nothing is learned. What a runtime makes after loading the filter only
# because a listener takes its fd (crun: kill and wait4 of its fd-sending
# helper) is the runtime's, not the workload's: src/runtimes.c.
# wclean RT PROFILE POLICY LEARNED: the run in the foreground, its output in OUT.
wclean() {
	local rt=runc ann
	[ "$1" = crun ] && rt=$CRUN
	ann=$(jq -n --arg p "$3" --arg l "of:$4" \
		'{"io.containers.seccomp-watch.policy": $p, "io.containers.seccomp-watch.learned": $l}')
	CTR_SEQ=$((CTR_SEQ + 1))
	OUT=$T/clean$CTR_SEQ.out
	wbundle "$T/b$CTR_SEQ" "" "$2" REC=1 "$ann"
	timeout 60 bash -c 'cd "$1" && exec "$2" run "$3" </dev/null' _ "$T/b$CTR_SEQ" "$rt" \
		"$ID_PREFIX-$CTR_SEQ" >"$OUT" 2>&1
}
rm -f "$CTL"/*
RTS=(runc)
command -v crun >/dev/null && RTS+=(crun)
why_kill= why_learned=
for rt in "${RTS[@]}"; do
	prof=$T/watch.json
	[ "$rt" = crun ] && prof=$T/watch-crun.json
	wclean "$rt" "$prof" kill "$T/clean-kill-$rt.json"
	rc=$?
	[ $rc = 0 ] && grep -q "^done" "$OUT" ||
		why_kill+="$rt: exit $rc: $(tail -2 "$OUT" | tr '\n' ' '); $(grep "killed container '$ID_PREFIX-$CTR_SEQ'" "$T/listener.log"). "
	wclean "$rt" "$prof" complain "$T/clean-$rt.json"
	rc=$?
	if [ $rc != 0 ] || ! wait_until 10 test -s "$T/clean-$rt.json"; then
		why_learned+="$rt: exit $rc, learned file: $(head -c 200 "$T/clean-$rt.json" 2>&1). "
	elif ! jq -e '[.syscalls[]?.names[]] == []' "$T/clean-$rt.json" >/dev/null; then
		why_learned+="$rt learned $(jq -c '[.syscalls[]?.names[]]' "$T/clean-$rt.json"). "
	fi
done
# Without crun these hold runc to it alone (watch_crun_complain says crun is missing).
if [ -z "$why_kill" ]; then
	pass watch_clean_start_kill
else
	fail watch_clean_start_kill "$why_kill"
fi
if [ -z "$why_learned" ]; then
	pass watch_runtime_calls_not_learned
else
	fail watch_runtime_calls_not_learned "$why_learned"
fi

# A policy annotation the listener cannot read fails closed: the container is
# killed at its handover, before its command runs, and the log names the value.
rm -f "$CTL"/*
CTR_SEQ=$((CTR_SEQ + 1))
wbundle "$T/b$CTR_SEQ" "" "$T/watch.json" REC=1 '{"io.containers.seccomp-watch.policy": "garbage"}'
if ! timeout 60 bash -c 'cd "$1" && exec runc run "$2" </dev/null' _ "$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" \
	>"$T/last.out" 2>&1 && ! grep -q tick "$T/last.out" &&
	grep -q "killed it: annotation io.containers.seccomp-watch.policy 'garbage' is not" "$T/listener.log"; then
	pass watch_bad_policy_refused
else
	fail watch_bad_policy_refused "the container ran or the log does not name 'garbage': $(tail -2 "$T/last.out"; tail -2 "$T/listener.log")"
fi
runc delete -f "$ID_PREFIX-$CTR_SEQ" >/dev/null 2>&1

# A pod's learned file goes into its namespace's folder, as a recording's of: does
# (--output-dir), and a '..' out of it is refused.
SOCK1=$SOCK
SOCK=$T/watch-k8s.sock
LROOT=$T/lroot
mkdir -p "$LROOT"
"$HOOK" --output-dir "$LROOT" listen --socket "$SOCK" --state-dir "$T/state-k8s" 2>>"$T/listener.log" &
LPID2=$!
jq --arg s "$SOCK" '.listenerPath = $s' "$T/watch.json" > "$T/watch-k8s.json"
rm -f "$CTL"/*
touch "$CTL/mk"
KANN=$(jq -n --arg l "of:$LROOT/app.learned.json" '{"io.kubernetes.pod.namespace": "team-a", "io.containers.seccomp-watch.learned": $l}')
BANN=$(jq -n --arg l "of:$LROOT/team-b/../team-a/stolen.json" '{"io.kubernetes.pod.namespace": "team-b", "io.containers.seccomp-watch.learned": $l}')
CTR_SEQ=$((CTR_SEQ + 1))
wbundle "$T/b$CTR_SEQ" "" "$T/watch-k8s.json" REC=1 "$BANN"
if wait_until 10 test -S "$SOCK" && wstart "$KANN" "$T/watch-k8s.json" && wait_until 20 grep -q "mk ok 0" "$OUT" && wstop &&
	wait_until 10 test -s "$LROOT/team-a/app.learned.json" && [ ! -e "$LROOT/app.learned.json" ] &&
	jq -e '[.syscalls[] | .names[]] | index("mkdir")' "$LROOT/team-a/app.learned.json" >/dev/null &&
	! timeout 60 bash -c 'cd "$1" && exec runc run "$2" </dev/null' _ "$T/b$((CTR_SEQ - 1))" "$ID_PREFIX-$((CTR_SEQ - 1))" \
		>"$T/last.out" 2>&1 && ! grep -q tick "$T/last.out" && [ ! -e "$LROOT/team-a/stolen.json" ] &&
	grep -q "stolen.json' has a '..' component" "$T/listener.log"; then
	pass watch_learned_in_namespace_folder
else
	fail watch_learned_in_namespace_folder "$(ls -R "$LROOT" | tr '\n' ' '); $(tail -3 "$T/listener.log")"
fi
runc delete -f "$ID_PREFIX-$((CTR_SEQ - 1))" >/dev/null 2>&1
kill "$LPID2" 2>/dev/null && wait "$LPID2" 2>/dev/null
SOCK=$SOCK1

# podman end to end: --security-opt seccomp= the watch profile, the annotations
# with --annotation; podman's container id is runc's, the one policy and
# watch-report take.
# pstart RUNTIME PROFILE LEARNED: the workload under podman, detached: PNAME, PID0.
pstart() {
	PNAME=$ID_PREFIX-p$((CTR_SEQ += 1))
	PNAMES+=("$PNAME")
	[ -d "$T/prootfs" ] || make_rootfs "$T/prootfs"
	podman run -d --name "$PNAME" --runtime "$1" --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
		--network none --tmpfs /tmp -v "$CTL:/ctl" -e REC= --security-opt "seccomp=$2" \
		--annotation io.containers.seccomp-watch.policy=complain \
		--annotation "io.containers.seccomp-watch.learned=of:$3" \
		--rootfs "$T/prootfs" sh -c "$SCRIPT" >"$T/podman.out" 2>&1
}
plogs() { podman logs "$PNAME" 2>&1; }
pgone() { [ "$(podman inspect -f '{{.State.Running}}' "$PNAME" 2>/dev/null)" != true ]; }
if ! command -v podman >/dev/null; then
	skip watch_podman_end_to_end "podman is not installed"
	skip watch_podman_crun "podman is not installed"
	exit 0
fi
rm -f "$CTL"/*
touch "$CTL/mk"
if pstart runc "$T/watch.json" "$T/plearned.json" && wait_until 20 eval 'plogs | grep -q "mk ok 2"'; then
	pid=$(podman inspect -f '{{.State.Pid}}' "$PNAME")
	id=$(podman inspect -f '{{.Id}}' "$PNAME")
	why=
	"$HOOK" watch-report --socket "$SOCK" "$id" > "$T/preport.txt" 2>&1 &&
		grep -q "^mkdir [0-9]" "$T/preport.txt" || why="watch-report '$id': $(head -c 300 "$T/preport.txt")"
	[ -z "$why" ] && { "$HOOK" policy --socket "$SOCK" "$id" enforce >/dev/null 2>"$T/policy.err" &&
		wait_until 20 eval 'plogs | grep -q "mk fail"' &&
		plogs | grep -q "can't create directory.*Operation not permitted" &&
		[ "$(podman inspect -f '{{.State.Pid}}' "$PNAME")" = "$pid" ] ||
		why="no EPERM after 'policy $id enforce', or restarted: $(cat "$T/policy.err"; plogs | tail -2)"; }
	touch "$CTL/stop"
	[ -z "$why" ] && { wait_until 20 pgone && wait_until 10 test -s "$T/plearned.json" &&
		jq -e '[.syscalls[] | .names[]] | index("mkdir")' "$T/plearned.json" >/dev/null ||
		why="learned file: $(head -c 300 "$T/plearned.json" 2>&1)"; }
	if [ -z "$why" ]; then pass watch_podman_end_to_end; else fail watch_podman_end_to_end "$why"; fi
else
	fail watch_podman_end_to_end "mkdir did not go on under podman: $(cat "$T/podman.out"; plogs | tail -3)"
fi
podman rm -f "$PNAME" >/dev/null 2>&1

# crun through podman: NOTIFY as the default action, the same flow in complain.
rm -f "$CTL"/*
touch "$CTL/mk"
if pstart "$CRUN" "$T/watch-crun.json" "$T/plearned-crun.json" && wait_until 20 eval 'plogs | grep -q "mk ok 2"' &&
	touch "$CTL/stop" && wait_until 20 pgone && wait_until 10 test -s "$T/plearned-crun.json" &&
	jq -e '[.syscalls[] | .names[]] | index("mkdir")' "$T/plearned-crun.json" >/dev/null; then
	pass watch_podman_crun
else
	fail watch_podman_crun "under podman with crun: $(cat "$T/podman.out"; plogs | tail -3)"
fi
podman rm -f "$PNAME" >/dev/null 2>&1
