#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A node shared by tenants: each Kubernetes namespace's profiles kept apart in
# confined mode, keys the kernel cannot hand to another namespace, no limit
# that dead namespaces fill, PID namespaces to the kernel's depth, a quota per
# namespace, the node's capacity, and no recording that lost syscalls written
# as if complete.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(tenant_profiles_kept_apart tenant_cannot_reach_another_folder tenant_key_never_reused
	tenant_dead_namespaces_fill_nothing tenant_pidns_32_levels tenant_quota
	tenant_capacity_1024 tenant_lost_syscalls_fail tenant_spo_shared_folder)
PREREQS=(runc jq)
skip_all_if_missing
shared_rootfs

ns_ann() { printf '{"io.kubernetes.pod.namespace": "%s"}' "$1"; }
# recorded TEST RC OUT NAME...: the run succeeded and its profile allows every NAME.
recorded() {
	local name=$1 rc=$2 out=$3; shift 3
	if [ "$rc" = 0 ] && [ -z "$(missing_names "$out" "$@")" ]; then
		pass "$name"
	else
		fail "$name" "rc=$rc, missing: $(missing_names "$out" "$@") $(tail -2 "$T/last.out")"
	fi
}

# --- two namespaces, the same of: in confined mode -------------------------------------
# Namespace b records getcpu into web.json, then namespace a records sysinfo
# into the same of:. Each lands in its own folder; neither sees the other's.
DIR=$T/records
mkdir -p "$DIR"
CONF="[\"--output-dir\", \"$DIR\"]"
HOOK_ARGS_JSON=$CONF ANNOTATIONS_JSON=$(ns_ann b) run_traced "$DIR/web.json" -- osr-workload call getcpu
rc_b=$?
HOOK_ARGS_JSON=$CONF ANNOTATIONS_JSON=$(ns_ann a) run_traced "$DIR/web.json" -- osr-workload call sysinfo
rc_a=$?
why=""
[ $rc_a = 0 ] && [ $rc_b = 0 ] || why="runc failed: $(tail -2 "$T/last.out")"
[ -z "$why" ] && [ -n "$(missing_names "$DIR/b/web.json" getcpu)" ] && why="b's profile lacks getcpu"
[ -z "$why" ] && allowed_names "$DIR/b/web.json" | grep -qx sysinfo && why="a's sysinfo is in b's profile"
[ -z "$why" ] && [ -n "$(missing_names "$DIR/a/web.json" sysinfo)" ] && why="a's profile lacks sysinfo"
[ -z "$why" ] && [ -e "$DIR/web.json" ] && why="a profile was written outside the namespaces' folders"
if [ -z "$why" ]; then pass tenant_profiles_kept_apart; else fail tenant_profiles_kept_apart "$why"; fi

# A '..' that resolves beneath the folder, into another namespace's, is refused.
HOOK_ARGS_JSON=$CONF ANNOTATIONS_JSON=$(ns_ann a) run_traced "$DIR/../records/b/x.json" -- true
rc=$?
HOOK_ARGS_JSON=$CONF ANNOTATIONS_JSON=$(ns_ann a) run_traced "$DIR/x/../../records/b/web.json" -- true
rc2=$?
if [ $rc != 0 ] && [ $rc2 != 0 ] && grep -q "'\.\.'" "$T/last.out" && [ ! -e "$DIR/b/x.json" ] &&
	[ -z "$(missing_names "$DIR/b/web.json" getcpu)" ]; then
	pass tenant_cannot_reach_another_folder
else
	fail tenant_cannot_reach_another_folder "rc=$rc/$rc2: $(tail -1 "$T/last.out")"
fi

host_pid() {
	jq '.linux.namespaces |= map(select(.type != "pid"))' "$1/config.json" > "$T/c.json" &&
		mv "$T/c.json" "$1/config.json"
}
# run_host_pid OUT ARGS...: ARGS in a host-PID container (with CAP_SYS_ADMIN), recorded to OUT.
run_host_pid_bg() {
	local out=$1; shift
	CTR_SEQ=$((CTR_SEQ + 1))
	CID=$ID_PREFIX-$CTR_SEQ
	CAPS_ADD=CAP_SYS_ADMIN bundle "$T/b$CTR_SEQ" "of:$out" "$@"
	host_pid "$T/b$CTR_SEQ"
	(cd "$T/b$CTR_SEQ" && exec runc run "$CID" </dev/null >"$T/last.out" 2>&1) &
	RPID=$!
}

# --- a host-PID container leaves the mount namespace it is keyed on --------------------
# Its init exec's unshare -m: no task is left in the keyed namespace, which the
# kernel freed, and the next namespace made on the host got its inode: that
# namespace's syscalls landed in the profile, and a host-PID container keyed on
# it was refused. The tracer holds the namespace, so its inode stays its own.
key_attempt() { # sets why ("" when the key stayed the recording's)
	local out=$T/keyed$1.json i reused
	# No record of an earlier run under the same id may stand for this one's.
	rm -f "$RUNDIR/$ID_PREFIX-$((CTR_SEQ + 1)).state"
	run_host_pid_bg "$out" sh -c 'exec unshare -m sh -c "sleep 3; osr-workload call getsid"'
	why=""
	has_key() { [ -n "$(record_field "$CID" key)" ] && [ "$(record_field "$CID" status)" = recording ]; }
	wait_until 10 has_key || why="the container never started recording"
	key=$(record_field "$CID" key)
	tracer=$(record_field "$CID" pid)
	sleep 0.5 # the init has left the keyed namespace
	# What the claim rests on: the tracer holds the keyed namespace open.
	[ -z "$why" ] && ! ls -l "/proc/$tracer/fd" 2>/dev/null | grep -q "mnt:\[$key\]" &&
		why="the tracer (pid $tracer, $(test -d "/proc/$tracer" && echo alive || echo gone)) does not hold mount namespace $key"
	reused=""
	for _ in 1 2 3 4 5; do
		i=$(unshare -m sh -c "stat -L -c %i /proc/self/ns/mnt; '$HELPERS/osr-workload' call sysinfo")
		# Only while the recording lives: once it ends, the key is free again.
		[ "$i" = "$key" ] && [ -z "$reused" ] && {
			if [ "$(record_field "$CID" status)" = recording ]; then
				reused="a host namespace got the recorded key $key while it was recorded"
			else
				reused="the container ended early, before its key could be tried: $(tail -1 "$T/last.out")"
			fi
		}
	done
	wait "$RPID"
	[ -z "$why" ] && [ -n "$reused" ] && why=$reused
	[ -z "$why" ] && [ -n "$(missing_names "$out" getsid)" ] && why="getsid, after exec unshare -m, is missing"
	[ -z "$why" ] && allowed_names "$out" | grep -qx sysinfo && why="the host's sysinfo is in the profile"
}
# Old code: the key went to a host namespace every time. An attempt whose
# container ended before its key was tried (seen about one run in fifteen:
# the recording, and so the hold, was over) proves nothing either way: it is
# noted and tried again, and two of three failing fail the test.
bad=0 whys=""
for attempt in 1 2 3; do
	key_attempt "$attempt"
	[ -z "$why" ] && break
	bad=$((bad + 1))
	whys="$whys [$attempt] $why"
	echo "# tenant_key_never_reused, attempt $attempt: $why"
	[ $bad -ge 2 ] && break
done
why=""
[ $bad -ge 2 ] && why="$whys"
if [ -z "$why" ]; then pass tenant_key_never_reused; else fail tenant_key_never_reused "$why"; fi

# --- 1,030 dead mount namespaces, then one that matters --------------------------------
# They filled a 1,024-entry map, and the last namespace's syscalls were lost.
out=$T/deadns.json
run_host_pid_bg "$out" sh -c "i=0; while [ \$i -lt ${DEADNS:-1030} ]; do unshare -m true; i=\$((i + 1)); done; unshare -m osr-workload call getsid"
wait "$RPID"
recorded tenant_dead_namespaces_fill_nothing $? "$out" getsid

# --- PID namespaces nested to the kernel's limit ----------------------------------------
# The container's is level 1; 31 more reach level 32, the deepest the kernel makes.
nest=""
for _ in $(seq 31); do nest="$nest unshare -p -f"; done
out=$T/deep.json
CAPS_ADD=CAP_SYS_ADMIN run_traced "$out" -- sh -c "$nest osr-workload call getsid"
recorded tenant_pidns_32_levels $? "$out" getsid

# --- a namespace's quota ------------------------------------------------------------------
# With --max-per-namespace 2, a third recording of namespace q is refused while
# its two run; namespace r still records.
QARGS="[\"--output-dir\", \"$DIR\", \"--max-per-namespace\", \"2\"]"
qpids=()
for n in 1 2; do
	CTR_SEQ=$((CTR_SEQ + 1))
	HOOK_ARGS_JSON=$QARGS ANNOTATIONS_JSON=$(ns_ann q) bundle "$T/b$CTR_SEQ" "of:$DIR/q$n.json" sleep 100
	(cd "$T/b$CTR_SEQ" && exec runc run "$ID_PREFIX-$CTR_SEQ" </dev/null >/dev/null 2>&1) &
	qpids+=($!)
	QIDS+=("$ID_PREFIX-$CTR_SEQ")
done
why=""
for id in "${QIDS[@]}"; do
	wait_until 10 sh -c "runc state $id 2>/dev/null | grep -q running" || why="q's recordings never started"
done
HOOK_ARGS_JSON=$QARGS ANNOTATIONS_JSON=$(ns_ann q) run_traced "$DIR/q3.json" -- true
rc_q=$?
grep -q "namespace 'q' has 2 containers being recorded" "$T/last.out" || why="${why:-no quota message: $(tail -1 "$T/last.out")}"
HOOK_ARGS_JSON=$QARGS ANNOTATIONS_JSON=$(ns_ann r) run_traced "$DIR/r.json" -- osr-workload call getcpu
rc_r=$?
for id in "${QIDS[@]}"; do runc kill "$id" KILL 2>/dev/null; done
wait "${qpids[@]}" 2>/dev/null
[ -z "$why" ] && [ $rc_q = 0 ] && why="the third recording of q started"
[ -z "$why" ] && [ -e "$DIR/q/q3.json" ] && why="q3 was written"
[ -z "$why" ] && { [ $rc_r != 0 ] || [ -n "$(missing_names "$DIR/r/r.json" getcpu)" ]; } && why="r could not record: $(tail -1 "$T/last.out")"
if [ -z "$why" ]; then pass tenant_quota; else fail tenant_quota "$why"; fi

# --- the node's capacity ----------------------------------------------------------------------
# 1,024 recordings at once (record: each a command in a PID namespace of its
# own), and the 1,025th refused with the reason. Not containers: 1,024 runc
# containers would take minutes; what is shared is the same.
CAP=${CAP:-1024}
rm -f "$T"/go
cpids=()
start=$SECONDS
for n in $(seq $CAP); do
	"$HOOK" --run-dir "$RUNDIR" record -o "$T/cap.json" -- /bin/sh -c "while [ ! -e '$T/go' ]; do sleep 1; done" \
		>/dev/null 2>"$T/cap$n.err" &
	cpids+=($!)
	progress "tenant_capacity_$CAP: started $n of $CAP recordings in $((SECONDS - start)) s"
done
why=""
# All entered: every record process' child is in its PID namespace and recorded.
recorded_count() { ls "$PIN" >/dev/null 2>&1 && bpftool map dump pinned "$PIN/recordings" -j 2>/dev/null | jq length; }
# 1,024 processes start at once, slowly under a sanitizer build on 2 CPUs: wait
# while the count grows, and give up only once it has not grown for 60 s.
wait_entered() {
	local want=$1 last=-1 now stall=$SECONDS
	while :; do
		now=$(recorded_count)
		[ "$now" = "$want" ] && return 0
		if [ "$now" != "$last" ]; then last=$now stall=$SECONDS; fi
		[ $((SECONDS - stall)) -lt 60 ] || return 1
		progress "tenant_capacity_$CAP: ${now:-no} recordings entered of $want after $((SECONDS - start)) s, waiting for the rest (unchanged for $((SECONDS - stall)) s)"
		sleep 0.5
	done
}
start=$SECONDS
wait_entered $CAP || why="not all $CAP recordings entered ($(recorded_count) after $((SECONDS - start)) s): $(cat "$T"/cap*.err | sort | uniq -c | head -3)"
echo "# $CAP recordings entered in $((SECONDS - start)) s"
"$HOOK" --run-dir "$RUNDIR" record -o "$T/cap-over.json" -- true 2>"$T/over.err"
rc=$?
touch "$T/go"
failed=0 n=0 start=$SECONDS
for p in "${cpids[@]}"; do
	wait "$p" || failed=$((failed + 1))
	n=$((n + 1))
	progress "tenant_capacity_$CAP: $n of $CAP recordings ended in $((SECONDS - start)) s, $failed failed"
done
[ -z "$why" ] && [ $rc = 0 ] && why="the recording beyond $CAP started"
[ -z "$why" ] && ! grep -q "$CAP containers are being recorded on this node already" "$T/over.err" && why="no capacity message: $(cat "$T/over.err")"
[ -z "$why" ] && [ $failed != 0 ] && why="$failed of the $CAP recordings failed"
if [ -z "$why" ]; then pass tenant_capacity_1024; else fail tenant_capacity_1024 "$why"; fi

# --- a recording that lost syscalls writes nothing that looks complete -------------------------
# A syscall number beyond what the recording keeps (1,500; no kernel has one).
out=$T/lost.json
echo '{"defaultAction":"SCMP_ACT_ERRNO"}' > "$out"
run_traced "$out" -- sh -c 'osr-workload nr 1500; osr-workload call getcpu'
rc=$?
if grep -q "the recording is incomplete: 1 syscalls had numbers beyond 1023" "$T/last.out" &&
	[ "$(cat "$out")" = '{"defaultAction":"SCMP_ACT_ERRNO"}' ]; then
	pass tenant_lost_syscalls_fail
else
	fail tenant_lost_syscalls_fail "rc=$rc: $(tail -2 "$T/last.out")"
fi
# --- the Security Profiles Operator's folder, confined -------------------------------------
# SPO's webhook names the file (<recording>-<container>-<unix time>.json) and its
# daemon reads exactly that path into a SeccompProfile in the pod's namespace:
# in --shared-output-dir names are kept, and a file is written once, so a
# recording of another namespace naming the same file is refused and the
# first stays as it was.
SPO=$T/security-profiles-operator-recordings
mkdir -p "$SPO"
SARGS="[\"--output-dir\", \"$DIR\", \"--shared-output-dir\", \"$SPO\"]"
f=$SPO/rec-web-1700000000.json
HOOK_ARGS_JSON=$SARGS ANNOTATIONS_JSON=$(ns_ann shop) run_traced "$f" -- osr-workload call getcpu
rc1=$?
HOOK_ARGS_JSON=$SARGS ANNOTATIONS_JSON=$(ns_ann evil) run_traced "$f" -- osr-workload call sysinfo
rc2=$?
why=""
[ $rc1 = 0 ] || why="the first recording failed: $(tail -1 "$T/last.out")"
[ -z "$why" ] && [ $rc2 = 0 ] && why="a second recording to the same name started"
[ -z "$why" ] && ! grep -q "exists: a file in '$SPO' is never replaced" "$T/last.out" && why="no message: $(tail -1 "$T/last.out")"
[ -z "$why" ] && [ -n "$(missing_names "$f" getcpu)" ] && why="the profile lacks getcpu"
[ -z "$why" ] && allowed_names "$f" | grep -qx sysinfo && why="the other namespace's sysinfo is in it"
# What SPO's CRD requires of a SeccompProfile spec: defaultAction from its enum,
# each rule an action and names; v0.4.3 reads errnoRet as a string, so none as a number.
[ -z "$why" ] && ! jq -e '(.defaultAction | test("^SCMP_ACT_(KILL|KILL_PROCESS|KILL_THREAD|TRAP|ERRNO|TRACE|ALLOW|LOG|NOTIFY)$")) and
	all(.syscalls[]; (.action | type == "string") and (.names | type == "array") and
		((.errnoRet // "") | type != "number"))' "$f" >/dev/null && why="not a SeccompProfile spec: $(head -c 300 "$f")"
if [ -z "$why" ]; then pass tenant_spo_shared_folder; else fail tenant_spo_shared_folder "$why"; fi
exit 0
