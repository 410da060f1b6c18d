#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Faults: a runtime that dies or never runs poststop, a tracer that is killed,
# containers killed or deleted while running, many containers in a row and at
# once, and containers that share the host's PID namespace.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(fault_runtime_killed_with_its_cgroup fault_tracer_killed fault_poststop_unknown_or_twice
	fault_init_gone_before_attach fault_exits_at_once fault_runc_kill fault_runc_delete_force
	fault_same_id_other_root
	fault_hostpid_records_container_only fault_hostpid_nsenter_recorded fault_hostpid_new_namespaces_recorded
	fault_100_in_a_row_leave_nothing fault_linger_waiter_unloads fault_one_waiter_for_many fault_crun_returns_leaving_no_waiter
	fault_8_at_once fault_full_bucket_spills_to_hash
	fault_killed_holder_counts_stay_true)
PREREQS=(runc jq bpftool)
skip_all_if_missing
shared_rootfs

# Live tracers (an exited one is a zombie until init reaps it).
tracers() { ps -eo stat=,comm= | awk '$2 == "osr-tracer" && $1 !~ /^Z/' | wc -l; }
base_tracers=$(tracers)

# The node's counts (bpfcensus.c), and whether they and the namespace index say
# what the pinned maps say; if not, prints why.
CENSUS=/run/oci-seccomp-recorder.${PIN##*/}.census
CENSUS_MAGIC=$(sed -n 's/^#define CENSUS_MAGIC \(0x[0-9a-f]*\)u$/\1/p' "$TOP/src/bpfcensus.c")
census_matches_maps() {
	python3 - "$PIN" "$CENSUS" "$CENSUS_MAGIC" <<'PY'
import json, struct, subprocess, sys
pin, census, want_magic = sys.argv[1:]
def raw(v): return bytes(int(x, 16) for x in v)
def dump(name):
    out = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", f"{pin}/{name}"],
                         capture_output=True, text=True, check=True).stdout
    return {raw(e["key"]): raw(e["value"]) for e in json.loads(out)}
recs = dump("recordings")
ix = next(iter(dump("ns_index").values()))
magic, _, dirty, total, slots = struct.unpack_from("<IIIIQ", open(census, "rb").read(24))
locs = [struct.unpack_from("<I", v, 8)[0] for v in recs.values()]
want = sum(1 << (l - 1) for l in locs if 0 < l <= 64)
bad = []
if magic != int(want_magic, 16) or dirty: bad.append(f"census magic {magic:#x} dirty {dirty}")
if total != len(recs): bad.append(f"census total {total}, {len(recs)} in the map")
if slots != want: bad.append(f"census slots {slots:#x}, {want:#x} in the map")
mntns_count, spilled = struct.unpack_from("<II", ix, 0)
indexed = 0
for kind, off in (("pidns", 64), ("mntns", 64 + 256 * 8 * 8)):
    targets = {struct.unpack("<I", k)[0]: struct.unpack("<I", v)[0] for k, v in dump(kind + "_targets").items()}
    if kind == "mntns" and mntns_count != len(targets):
        bad.append(f"index mntns_count {mntns_count}, {len(targets)} in the map")
    for i in range(256 * 8):
        inum, loc = struct.unpack_from("<II", ix, off + 8 * i)
        if inum and targets.get(inum) != loc:
            bad.append(f"index {kind} {inum} -> {loc}, the map: {targets.get(inum)}")
        indexed += inum != 0
    indexed -= len(targets)
if indexed + spilled != 0: bad.append(f"index spilled {spilled}, {-indexed} outside it")
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
}

recording() { [ "$(record_field "$CID" status)" = recording ]; }
# Recorded, and started: prestart runs before runc has saved the container's
# state, so `runc state` can fail while we already say "recording".
started() { recording && runc state "$CID" 2>/dev/null | grep -q '"running"'; }

# --- the runtime dies and its cgroup is emptied; nobody runs poststop ---------------
# systemd stopping conmon's scope killed oci-seccomp-bpf-hook's tracer; ours
# leaves the runtime's cgroup as it starts.
cg=""
for h in /sys/fs/cgroup/unified /sys/fs/cgroup /sys/fs/cgroup/pids; do
	if [ -w "$h/cgroup.procs" ] && mkdir "$h/$ID_PREFIX" 2>/dev/null; then cg=$h/$ID_PREFIX; break; fi
done
if [ -z "$cg" ]; then
	skip fault_runtime_killed_with_its_cgroup "no writable cgroup hierarchy"
else
	out=$T/killed.json
	CTR_SEQ=$((CTR_SEQ + 1))
	CID=$ID_PREFIX-$CTR_SEQ
	# uname once told to (or after a minute), not after a second: seeing the
	# container started must not race with its end.
	bundle "$T/b$CTR_SEQ" "of:$out" sh -c 'i=0; while [ ! -e /tmp/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done; uname'
	(echo $BASHPID > "$cg/cgroup.procs" && cd "$T/b$CTR_SEQ" &&
		exec runc run "$CID" </dev/null >/dev/null 2>&1) &
	disown $!
	# Killed before it opens the exec fifo, runc would leave the container
	# waiting for ever, with nothing run to record: wait until it started.
	if wait_until 10 started; then
		# Everything in the runtime's cgroup dies at once, as a stopped scope does.
		# (Read the list first: it shifts under a reader as members die.)
		victims=$(cat "$cg/cgroup.procs")
		for p in $victims; do kill -9 "$p" 2>/dev/null; done
		runc exec "$CID" touch /tmp/go >/dev/null 2>&1
		# The profile is written first, then the record says so.
		finished() { [ -s "$out" ] && [ "$(record_field "$CID" status)" = done ]; }
		if wait_until 15 finished && [ -z "$(missing_names "$out" uname)" ]; then
			pass fault_runtime_killed_with_its_cgroup
		else
			fail fault_runtime_killed_with_its_cgroup "no profile after the runtime's cgroup was killed"
		fi
	else
		fail fault_runtime_killed_with_its_cgroup "the container never started recording"
	fi
	runc delete -f "$CID" >/dev/null 2>&1 # its poststop collects the record
	rmdir "$cg" 2>/dev/null
fi

# --- the tracer is killed: poststop says so, and no file appears ---------------------
# Every condition says itself. What is checked is this recording's own
# leftovers: the node's program may be held by another recording meanwhile.
out=$T/tracer-killed.json
run_bg "of:$out" sleep 100
if wait_until 60 recording; then
	tpid=$(record_field "$CID" pid) tkey=$(record_field "$CID" key)
	kill -9 "$tpid"
	runc kill "$CID" KILL 2>/dev/null
	wait "$RPID"
	why=()
	[ -e "$out" ] && why+=("a profile was written at '$out'")
	grep -q "died before writing" "$T/bg$CTR_SEQ.out" ||
		why+=("poststop did not say the tracer died: $(tail -2 "$T/bg$CTR_SEQ.out")")
	[ -e "$RUNDIR/$CID.state" ] && why+=("its record '$RUNDIR/$CID.state' is left")
	[ -n "$(find "$T" -maxdepth 1 -name '.*.tmp')" ] && why+=("temporary files left in '$T'")
	# poststop also takes the dead tracer's entries out, and the program with them.
	n=$(tracer_entries "$tpid")
	[ "$n" = 0 ] || why+=("$n recordings of the dead tracer $tpid left in '$PIN/recordings'")
	bpftool map lookup pinned "$PIN/pidns_targets" key $(le32 "$tkey") >/dev/null 2>&1 &&
		why+=("its PID namespace $tkey is still a target in '$PIN/pidns_targets'")
	wait_until 30 program_idle || why+=("the program stays pinned at '$PIN' with no recording")
	if [ ${#why[@]} = 0 ]; then
		pass fault_tracer_killed
	else
		msg=$(printf '%s; ' "${why[@]}")
		fail fault_tracer_killed "${msg%; }"
	fi
else
	fail fault_tracer_killed "the container never started recording (record: $(cat "$RUNDIR/$CID.state" 2>/dev/null | tr '\n' ' '))"
fi

# --- poststop with nothing to do is quiet -------------------------------------------
state='{"ociVersion": "1.0.2", "id": "'$ID_PREFIX'-never", "status": "stopped", "bundle": "/"}'
o1=$("$HOOK" --run-dir "$RUNDIR" poststop <<<"$state" 2>&1); r1=$?
run_traced "$T/twice.json" -- true
last=$ID_PREFIX-$CTR_SEQ
state2='{"ociVersion": "1.0.2", "id": "'$last'", "status": "stopped", "bundle": "/"}'
o2=$("$HOOK" --run-dir "$RUNDIR" poststop <<<"$state2" 2>&1); r2=$?
if [ $r1 = 0 ] && [ -z "$o1" ] && [ $r2 = 0 ] && [ -z "$o2" ] && [ -s "$T/twice.json" ]; then
	pass fault_poststop_unknown_or_twice
else
	fail fault_poststop_unknown_or_twice "unknown: $r1 '$o1'; second run: $r2 '$o2'"
fi

# --- the container's process dies before the tracer can attach ----------------------
# A prestart hook ahead of ours kills it: prestart must fail fast and clearly.
CTR_SEQ=$((CTR_SEQ + 1))
bundle "$T/b$CTR_SEQ" "of:$T/gone.json" true
jq '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c",
	"kill -9 $(sed -n \"s/.*\\\"pid\\\":\\([0-9]*\\).*/\\1/p\"); sleep 0.2"]}] + .hooks.prestart' \
	"$T/b$CTR_SEQ/config.json" > "$T/c.json" && mv "$T/c.json" "$T/b$CTR_SEQ/config.json"
before=$(tracers)
if ! (cd "$T/b$CTR_SEQ" && timeout 20 runc run "$ID_PREFIX-$CTR_SEQ" </dev/null >"$T/last.out" 2>&1) &&
	grep -q "oci-seccomp-recorder" "$T/last.out" && [ "$(tracers)" = "$before" ] &&
	[ ! -e "$RUNDIR/$ID_PREFIX-$CTR_SEQ.state" ]; then
	pass fault_init_gone_before_attach
else
	fail fault_init_gone_before_attach "hang, leftovers or no message: $(tail -2 "$T/last.out")"
fi

# --- a container that exits at once still gets its profile ---------------------------
if run_traced "$T/at-once.json" -- true && [ -s "$T/at-once.json" ] &&
	[ -z "$(missing_names "$T/at-once.json" execve)" ]; then
	pass fault_exits_at_once
else
	fail fault_exits_at_once "$(tail -2 "$T/last.out")"
fi

# --- runc kill / runc delete -f of a running traced container ------------------------
for how in kill delete; do
	out=$T/$how.json
	CTR_SEQ=$((CTR_SEQ + 1))
	CID=$ID_PREFIX-$CTR_SEQ
	bundle "$T/b$CTR_SEQ" "of:$out" sh -c 'uname; sleep 100'
	(cd "$T/b$CTR_SEQ" && runc create "$CID" </dev/null >/dev/null 2>&1) && runc start "$CID"
	wait_until 10 seen "$CID" uname
	if [ $how = kill ]; then
		runc kill "$CID" KILL
		wait_until 10 sh -c "runc state $CID | grep -q stopped"
		runc delete "$CID"
	else
		runc delete -f "$CID"
	fi
	if [ -s "$out" ] && [ -z "$(missing_names "$out" uname)" ] && [ ! -e "$RUNDIR/$CID.state" ]; then
		pass "fault_runc_$( [ $how = kill ] && echo kill || echo delete_force)"
	else
		fail "fault_runc_$( [ $how = kill ] && echo kill || echo delete_force)" "no profile or record left"
	fi
done

# --- the same id under another runtime root is another container -------------------
# runc ids are unique within one --root only. A container of the same id under
# another root, not recorded, must not stop the recording at its poststop; one
# that asks to be recorded is refused at prestart and must not either.
out=$T/sameid.json
ROOT_B=$T/runc-root-b
run_bg "of:$out" sleep 100
A=$CID APID=$RPID
why=''
if ! wait_until 10 started; then
	why="the container never started recording"
else
	tracer=$(record_field "$A" pid)
	for ann in "" "of:$T/sameid-b.json"; do
		CTR_SEQ=$((CTR_SEQ + 1))
		bundle "$T/b$CTR_SEQ" "$ann" true
		# Its own cgroup: runc would otherwise put both in one named after the id.
		jq --arg cg "/$ID_PREFIX-b$CTR_SEQ" '.linux.cgroupsPath = $cg' "$T/b$CTR_SEQ/config.json" \
			>"$T/c.json" && mv "$T/c.json" "$T/b$CTR_SEQ/config.json"
		(cd "$T/b$CTR_SEQ" && runc --root "$ROOT_B" run "$A" </dev/null >"$T/last.out" 2>&1)
		rc=$?
		if [ -n "$ann" ] && { [ $rc = 0 ] || ! grep -q "another runtime root" "$T/last.out"; }; then
			why="$why the recorded one under root B: status $rc, $(tail -2 "$T/last.out" | tr '\n' ' ');"
		fi
		if [ "$(record_field "$A" status)" != recording ] || [ "$(record_field "$A" pid)" != "$tracer" ] ||
			! kill -0 "$tracer" 2>/dev/null; then
			why="$why after the ${ann:+recorded }one under root B ran, the recording is over: $(tr '\n' ' ' 2>/dev/null <"$RUNDIR/$A.state");"
			break
		fi
	done
	# Made after both poststops: only a recording still running sees it.
	runc exec "$A" osr-workload call getsid || why="$why runc exec failed;"
fi
runc kill "$A" KILL 2>/dev/null
wait "$APID" 2>/dev/null
runc --root "$ROOT_B" delete -f "$A" >/dev/null 2>&1
if [ -z "$why" ] && [ -n "$(missing_names "$out" getsid)" ]; then
	why="getsid, made after the other container's poststop, is missing from the profile"
fi
[ ! -e "$RUNDIR/$A.state" ] || why="$why its record was not collected;"
[ ! -e "$T/sameid-b.json" ] || why="$why the refused container got a profile;"
if [ -z "$why" ]; then
	pass fault_same_id_other_root
else
	fail fault_same_id_other_root "$why"
fi

# --- a container in the host's PID namespace records itself, not the host ----------
# host_pid DIR: the bundle's container shares the host's PID namespace.
host_pid() {
	jq '.linux.namespaces |= map(select(.type != "pid"))' "$1/config.json" > "$T/c.json" &&
		mv "$T/c.json" "$1/config.json"
}
# run_host_pid OUT ARGS...: run ARGS so, recorded to OUT, while the host makes a
# syscall the container never does (sysinfo), all the while; sets rc.
run_host_pid() {
	local out=$1 noise; shift
	CTR_SEQ=$((CTR_SEQ + 1))
	bundle "$T/b$CTR_SEQ" "of:$out" "$@"
	host_pid "$T/b$CTR_SEQ"
	(for _ in $(seq 40); do "$HELPERS/osr-workload" thread; sleep 0.02; done) &
	noise=$!
	(cd "$T/b$CTR_SEQ" && runc run "$ID_PREFIX-$CTR_SEQ" </dev/null >"$T/last.out" 2>&1)
	rc=$?
	wait $noise
}
out=$T/hostpid.json
run_host_pid "$out" sh -c 'osr-workload grandchild; sleep 0.5'
if [ $rc = 0 ] && [ -s "$out" ] && [ -z "$(missing_names "$out" times)" ] &&
	! allowed_names "$out" | grep -qx sysinfo; then
	pass fault_hostpid_records_container_only
else
	fail fault_hostpid_records_container_only "rc=$rc, times missing or host's sysinfo recorded: $(tail -2 "$T/last.out")"
fi

# A host process that enters a host-PID container's mount namespace (nsenter,
# runc exec) belongs to it from then on, though it was a host task until then.
out=$T/hostpid-exec.json
CTR_SEQ=$((CTR_SEQ + 1))
CID=$ID_PREFIX-$CTR_SEQ
bundle "$T/b$CTR_SEQ" "of:$out" sleep 100
host_pid "$T/b$CTR_SEQ"
(cd "$T/b$CTR_SEQ" && exec runc run "$CID" </dev/null >/dev/null 2>&1) &
RPID=$!
why=""
if ! wait_until 10 started; then
	why="the container never started"
elif ! nsenter --mount="/proc/$(runc state "$CID" | jq .pid)/ns/mnt" /bin/osr-workload call getsid; then
	why="nsenter into the container failed"
fi
runc kill "$CID" KILL
wait "$RPID"
if [ -z "$why" ] && [ -n "$(missing_names "$out" getsid)" ]; then
	why="getsid, made after nsenter, is missing: $(jq -c '.syscalls[0].names' "$out" 2>&1)"
fi
if [ -z "$why" ]; then
	pass fault_hostpid_nsenter_recorded
else
	fail fault_hostpid_nsenter_recorded "$why"
fi

# A process of a host-PID container that makes a mount namespace of its own
# (unshare -m, twice over; clone with CLONE_NEWNS, as systemd's PrivateTmp and
# `ip netns exec` do) or a PID namespace is still the container's; the host
# still is not.
out=$T/hostpid-newns.json
CAPS_ADD=CAP_SYS_ADMIN run_host_pid "$out" \
	sh -c 'unshare -m unshare -m osr-workload call getsid && osr-workload newns && unshare -p -f osr-workload call sched_getscheduler'
calls=(getsid getitimer sched_getscheduler)
if [ $rc = 0 ] && [ -z "$(missing_names "$out" "${calls[@]}")" ] &&
	! allowed_names "$out" | grep -qx sysinfo; then
	pass fault_hostpid_new_namespaces_recorded
else
	fail fault_hostpid_new_namespaces_recorded "rc=$rc, missing: $(missing_names "$out" "${calls[@]}") $(tail -2 "$T/last.out")"
fi

# --- 100 containers in a row leave nothing behind ------------------------------------
# With --linger 0, so each last one out unloads the program (the default keeps
# it loaded, detached, for the next start). Ours only: the programs and maps
# this project loads, by name.
progs() { bpftool -j prog show 2>/dev/null | jq '[.[] | select(.name | startswith("osr_"))] | length'; }
maps() {
	bpftool -j map show 2>/dev/null | jq '[.[] | select(.name // "" |
		IN("tables", "pidns_targets", "mntns_targets", "ns_index", "hints", "mntns_children",
		"unsharing"))] | length'
}
links() { bpftool link show 2>/dev/null | grep -c '^[0-9]'; }
# The kernel frees a tracing program after an RCU tasks-trace grace period
# (about 200 ms here), its maps after that: what an earlier test unloaded
# may still be going.
gone() { [ "$(progs)" = 0 ] && [ "$(maps)" = 0 ]; }
# A program an earlier test left lingering: unloaded by a recording that leaves last.
"$HOOK" --run-dir "$RUNDIR" --linger 0 record -o "$T/unload.json" -- true >/dev/null 2>&1
wait_until 10 gone
p0=$(progs) m0=$(maps) l0=$(links) t0=$(tracers)
mkdir -p "$T/many"
bad=0
for i in $(seq 100); do
	HOOK_ARGS_JSON='["--linger", "0"]' run_traced "$T/many/p$i.json" -- true || bad=$((bad + 1))
done
back_to_baseline() { gone && [ "$(links)" = "$l0" ]; }
wait_until 30 back_to_baseline
left=$(ls "$RUNDIR" 2>/dev/null | grep -c "^$ID_PREFIX")
tmp=$(find "$T/many" -name '.*.tmp' | wc -l)
files=$(find "$T/many" -name 'p*.json' -size +0 | wc -l)
if [ $bad = 0 ] && [ "$files" = 100 ] && [ "$(progs)" = "$p0" ] && [ "$(maps)" = "$m0" ] &&
	[ "$(links)" = "$l0" ] && [ "$(tracers)" = "$t0" ] && [ "$left" = 0 ] && [ "$tmp" = 0 ]; then
	pass fault_100_in_a_row_leave_nothing
else
	fail fault_100_in_a_row_leave_nothing "failed=$bad profiles=$files progs $p0->$(progs) maps $m0->$(maps) links $l0->$(links) tracers $t0->$(tracers) records=$left tmp=$tmp"
fi

# --- The last one out leaves a waiter that unloads the program when idle ------------
# It is the caller's sibling (a child of the caller's parent, here this
# script), so the last recording out neither waits for it nor leaves a
# zombie; after --linger seconds idle it unloads the program. A waiter left
# by an earlier test (the default waits 600 s) sees the program unloaded
# above within its 5 s step and lets the linger lock go; one of another
# build (an older one sleeps its whole wait) may hold it for minutes: skip.
LINGER_LOCK=/run/oci-seccomp-recorder.${PIN##*/}.linger.lock
linger_free() { flock -n "$LINGER_LOCK" true; }
# waiters ours|foreign: the pids of this build's waiters, or of any other's.
waiters() {
	local p self
	self=$(readlink -f "$HOOK")
	for p in $(pgrep -x osr-linger); do
		if [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$self" ]; then
			[ "$1" = foreign ] || printf '%s ' "$p"
		else
			[ "$1" = ours ] || printf '%s ' "$p"
		fi
	done
}
foreign=$(waiters foreign)
if ! linger_free && [ -n "$foreign" ]; then
	skip fault_linger_waiter_unloads "waiters of another build hold the linger lock (pids $foreign)"
elif ! wait_until 20 linger_free; then
	fail fault_linger_waiter_unloads "another waiter kept $LINGER_LOCK 20 s after the program was unloaded"
else
	"$HOOK" --run-dir "$RUNDIR" --linger 2 record -o "$T/linger.json" -- true >/dev/null 2>&1
	rc=$?
	waiter=$(pgrep -P $$ -x osr-linger)
	loaded=no
	[ -e "$PIN/recordings" ] && loaded=yes
	unloaded() { [ ! -e "$PIN/recordings" ]; }
	if [ $rc = 0 ] && [ -n "$waiter" ] && [ $loaded = yes ] && wait_until 30 unloaded; then
		pass fault_linger_waiter_unloads
	else
		fail fault_linger_waiter_unloads "record exit $rc, waiter among this script's children: '${waiter}', loaded after record: $loaded, '$PIN' still there after 30 s: $(ls "$PIN" 2>&1 | tr '\n' ' ')"
	fi
fi

# --- A last one out that finds a waiter there does not fork another ----------------
# The waiter goes on from the newest detach (the pin folder's time): a second
# would only find the linger lock taken and exit, a fork for nothing on
# poststop's path.
if ! command -v strace >/dev/null; then
	skip fault_one_waiter_for_many "strace is not installed"
elif ! wait_until 20 linger_free; then
	fail fault_one_waiter_for_many "a waiter kept $LINGER_LOCK 20 s after the program was unloaded"
else
	"$HOOK" --run-dir "$RUNDIR" --linger 30 record -o "$T/w1.json" -- true >/dev/null 2>&1
	first=$(pgrep -P $$ -x osr-linger)
	# LeakSanitizer cannot run under ptrace: a SANITIZE=1 build's leak check is off here alone.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=clone3 -o "$T/w2.strace" \
		"$HOOK" --run-dir "$RUNDIR" --linger 30 record -o "$T/w2.json" -- true >/dev/null 2>&1
	rc=$?
	spawned=$(grep -c 'CLONE_PARENT' "$T/w2.strace")
	now=$(waiters ours) # another build's (the default waits 600 s) are not this test's
	# Unload (--linger 0), and the waiter sees it within its 5 s step.
	"$HOOK" --run-dir "$RUNDIR" --linger 0 record -o "$T/w3.json" -- true >/dev/null 2>&1
	if [ $rc = 0 ] && [ -n "$first" ] && [ "$spawned" = 0 ] && [ "$now" = "$first " ] &&
		wait_until 20 linger_free; then
		pass fault_one_waiter_for_many
	else
		fail fault_one_waiter_for_many "record exit $rc, first waiter '$first', waiters after the second: '$now', forks of a waiter by the second: $spawned"
	fi
fi

# --- crun's run returns when its container ends, whoever leaves last --------------
# crun reaps for its containers (a child subreaper): it takes the tracer when
# the hook exits, and a waiter the last one out made there was crun's child,
# which crun waited for, the default 600 s. The last one out under such a
# reaper leaves no waiter and unloads the program.
if ! command -v crun >/dev/null; then
	skip fault_crun_returns_leaving_no_waiter "crun is not installed"
elif ! wait_until 20 linger_free; then
	fail fault_crun_returns_leaving_no_waiter "a waiter kept $LINGER_LOCK 20 s"
else
	CTR_SEQ=$((CTR_SEQ + 1))
	bundle "$T/b$CTR_SEQ" "of:$T/crun.json" true
	start=$SECONDS
	RUNTIME=crun timeout 60 bash -c "$(declare -f rt_run); CRUN=$CRUN; rt_run \"\$1\" \"\$2\"" _ \
		"$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" >"$T/last.out" 2>&1
	rc=$?
	took=$((SECONDS - start))
	if [ $rc = 0 ] && [ -s "$T/crun.json" ] && [ -z "$(waiters ours)" ] && [ ! -e "$PIN/recordings" ]; then
		pass fault_crun_returns_leaving_no_waiter
	else
		fail fault_crun_returns_leaving_no_waiter "crun exit $rc after $took s (124: still running at 60 s), profile: $(test -s "$T/crun.json" && echo written || echo missing), waiters: '$(waiters ours)', program loaded: $(test -e "$PIN/recordings" && echo yes || echo no); $(tail -2 "$T/last.out")"
	fi
fi

# --- 8 containers at once: each profile holds its own syscall alone ----------------
CALLS=(sysinfo times getcpu getrusage getitimer sched_getscheduler getpgid getsid)
pids=()
for c in "${CALLS[@]}"; do
	CTR_SEQ=$((CTR_SEQ + 1))
	bundle "$T/b$CTR_SEQ" "of:$T/c-$c.json" osr-workload call "$c"
	(cd "$T/b$CTR_SEQ" && exec runc run "$ID_PREFIX-$CTR_SEQ" </dev/null >/dev/null 2>&1) &
	pids+=($!)
done
# However many containers are recorded, one program is attached. Attached, not
# loaded: a program the last recording unpinned is freed after a grace period
# (gone() above), so one being freed and the next one loaded may both be listed
# for a moment, as under the sanitizers here.
attached() {
	local ids
	ids=$(bpftool -j prog show 2>/dev/null | jq -c '[.[] | select(.name == "osr_sys_enter") | .id]')
	bpftool -j link show 2>/dev/null | jq --argjson ids "${ids:-[]}" \
		'[.[] | .prog_id as $p | select($ids | index($p))] | length'
}
most=0
for _ in $(seq 20); do
	n=$(attached)
	[ "$n" -gt "$most" ] && most=$n
	sleep 0.02
done
bad=""
[ "$most" = 1 ] || bad="programs attached at once: $most"
for p in "${pids[@]}"; do wait "$p" || bad="$bad runc-failed"; done
for c in "${CALLS[@]}"; do
	f=$T/c-$c.json
	[ -s "$f" ] || { bad="$bad $c:no-profile"; continue; }
	allowed_names "$f" | grep -qx "$c" || bad="$bad $c:missing"
	for o in "${CALLS[@]}"; do
		[ "$o" = "$c" ] && continue
		allowed_names "$f" | grep -qx "$o" && bad="$bad $c:has-$o"
	done
done
if [ -z "$bad" ]; then
	pass fault_8_at_once
else
	fail fault_8_at_once "$bad"
fi
# --- a full index bucket: the container is found in the hash map instead -----------
# The program finds a recording in one bucket of 8 of the index; a ninth
# namespace with the same bucket is counted as spilled and looked up in the
# hash map. Eight made-up namespaces (inodes below any real one) fill the
# bucket of a created container before its prestart; they point at a running
# recording's id, so no clean-up takes them for dead.
# u32 MAP KEY N: the Nth 32-bit word of a pinned map's value (bpftool prints bytes in hex).
u32() {
	bpftool -j map lookup pinned "$PIN/$1" key $(le32 "$2") | python3 -c "import json, sys
v = json.load(sys.stdin)['value'][4 * $3:4 * $3 + 4]
print(int.from_bytes(bytes(int(x, 16) for x in v), 'little'))"
}
run_bg "of:$T/spill-a.json" sleep 100
A=$CID APID=$RPID
wait_until 10 started
CTR_SEQ=$((CTR_SEQ + 1))
B=$ID_PREFIX-$CTR_SEQ
bundle "$T/b$CTR_SEQ" "of:$T/spill-b.json" osr-workload call getcpu
jq 'del(.hooks)' "$T/b$CTR_SEQ/config.json" > "$T/c.json" && mv "$T/c.json" "$T/b$CTR_SEQ/config.json"
(cd "$T/b$CTR_SEQ" && runc create "$B" </dev/null >/dev/null 2>&1)
binum=$(stat -Lc %i "/proc/$(runc state "$B" | jq .pid)/ns/pid")
ainum=$(stat -Lc %i "/proc/$(runc state "$A" | jq .pid)/ns/pid")
aid=$(u32 pidns_targets "$ainum" 0)
fakes=$(python3 -c "
b = lambda i: ((i * 0x9E3779B1) & 0xffffffff) >> 24
print(' '.join(str(i) for i in [i for i in range(1, 100000) if b(i) == b($binum)][:8]))")
for f in $fakes; do
	bpftool map update pinned "$PIN/pidns_targets" key $(le32 "$f") value $(le32 "$aid")
done
# Entering and leaving change only their own entry of the index: with the
# node's counts gone, the next start counts afresh and syncs the whole index,
# which puts them in (here a recording of its own).
rm -f "$CENSUS"
"$HOOK" --run-dir "$RUNDIR" record -o "$T/spill-c.json" -- true 2>/dev/null
"$HOOK" --run-dir "$RUNDIR" prestart <<<"$(runc state "$B")"
spilled=$(u32 ns_index 0 1)
runc start "$B"
wait_until 10 sh -c "runc state $B | grep -q stopped"
"$HOOK" --run-dir "$RUNDIR" poststop <<<"$(runc state "$B")"
runc delete -f "$B" >/dev/null 2>&1
for f in $fakes; do bpftool map delete pinned "$PIN/pidns_targets" key $(le32 "$f"); done
rm -f "$CENSUS" # their index entries too, at the next start
runc kill "$A" KILL 2>/dev/null
wait "$APID" 2>/dev/null
if [ "$spilled" = 1 ] && [ -z "$(missing_names "$T/spill-b.json" getcpu)" ] &&
	wait_until 30 program_idle; then
	pass fault_full_bucket_spills_to_hash
else
	fail fault_full_bucket_spills_to_hash "spilled=$spilled (want 1), profile: $(jq -c '.syscalls[0].names' "$T/spill-b.json" 2>&1)"
fi

# --- a holder of the node lock killed at each of its BPF calls: the counts stay true --
# A start keeps the node's counts (recordings, array slots, tenants) and the
# namespace index one entry at a time; one killed halfway leaves them for the
# next holder to count afresh. `record` enters and leaves in its own process:
# strace kills it at its Nth bpf() call, for every N of a whole run, and after
# each kill another recording must start, and the counts and the index must say
# what the maps say.
if ! command -v strace >/dev/null; then
	skip fault_killed_holder_counts_stay_true "strace (to kill a holder at a chosen call) is not installed"
else
	# Another recording keeps the program attached throughout, as the dead ones
	# will, so each run makes the same calls as the one counted.
	"$HOOK" --run-dir "$RUNDIR" record -o "$T/kh-hold.json" -- \
		sh -c "while [ ! -e '$T/kh-go' ]; do sleep 0.1; done" >/dev/null 2>&1 &
	hold=$!
	sleep 1
	strace -qq -o "$T/kh.strace" -e trace=bpf "$HOOK" --run-dir "$RUNDIR" record -o "$T/kh.json" -- true >/dev/null 2>&1
	calls=$(grep -c '^bpf(' "$T/kh.strace")
	bad="" recounted=0 killed=0
	for n in $(seq "$calls"); do
		# (In a shell of its own: its "Killed" goes where its output goes.)
		bash -c '"$@"; exit $?' kill-at strace -qq -o /dev/null -e trace=bpf \
			-e inject=bpf:signal=KILL:when=$n \
			"$HOOK" --run-dir "$RUNDIR" record -o "$T/kh.json" -- true >/dev/null 2>&1
		[ $? = 137 ] && killed=$((killed + 1))
		if ! "$HOOK" --run-dir "$RUNDIR" --debug record -o "$T/kh-next.json" -- true >"$T/kh.out" 2>&1; then
			bad="$bad call $n: the next recording failed: $(grep -v debug "$T/kh.out" | tail -1);"
			continue
		fi
		grep -q "a holder of the node lock died" "$T/kh.out" && recounted=$((recounted + 1))
		why=$(census_matches_maps) || bad="$bad call $n: $why;"
	done
	# The dead recordings out, as a poststop that finds its tracer killed does
	# (with the held recording still in: the collection is not the last one
	# out, which from a hook would unload the program).
	run_bg "of:$T/kh-ctr.json" sleep 100
	if wait_until 60 recording; then
		kill -9 "$(record_field "$CID" pid)"
		runc kill "$CID" KILL 2>/dev/null
	fi
	wait "$RPID"
	why=$(census_matches_maps) || bad="$bad after the collection: $why;"
	touch "$T/kh-go"
	wait "$hold" || bad="$bad the recording held throughout failed;"
	wait_until 30 program_idle || bad="$bad the program stays attached with no live recording;"
	[ "$recounted" -gt 0 ] || bad="$bad no kill left the counts to be made again ($killed of $calls calls killed it);"
	if [ -z "$bad" ] && [ "$killed" = "$calls" ]; then
		pass fault_killed_holder_counts_stay_true
	else
		fail fault_killed_holder_counts_stay_true "killed at $killed of $calls calls:$bad"
	fi
fi
exit 0
