#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A shared node, second pass (docs/SECURITY.md): what a hostile pod author or
# local user did on the first try, each kept as a test. Bases confined to the
# namespace's own folder, a namespace's share of the counting slots, callers
# of the service that cannot be told apart, the stats file told from the
# profile by what it is, annotation values echoed only escaped, and stats
# totals that wrap.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(sp_base_of_another_namespace sp_base_messages_alike sp_base_own_and_shared
	sp_counting_share sp_stats_names_profile sp_annotation_echo_escaped
	sp_stats_total_wraps sp_quota_many_names sp_service_caller_gone)
PREREQS=(runc jq)
skip_all_if_missing
shared_rootfs

ns_ann() { printf '{"io.kubernetes.pod.namespace": "%s"}' "$1"; }

# --- confined as deploy/ lays it out: the record folder inside the base folder ------------------
BASE=$T/seccomp
REC=$BASE/oci-seccomp-recorder
mkdir -p "$REC"
CONF="[\"--output-dir\", \"$REC\", \"--input-dir\", \"$BASE\"]"
# confined NS ANNOTATION ARGS...: a container of namespace NS, confined; output in $T/last.out.
confined() {
	local ns=$1 ann=$2; shift 2
	CTR_SEQ=$((CTR_SEQ + 1))
	HOOK_ARGS_JSON=$CONF ANNOTATIONS_JSON=$(ns_ann "$ns") bundle "$T/b$CTR_SEQ" "$ann" "$@"
	rt_run "$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" >"$T/last.out" 2>&1
}

# team-b records a profile and (not a profile) a stats file.
confined team-b "of:$REC/secret-app.json;stats:$REC/counts.json" osr-workload call getcpu
rc_b=$?
# team-a names team-b's profile as its base, as written and by another spelling.
confined team-a "of:$REC/leak.json;if:$REC/team-b/secret-app.json" true
rc_a=$?
confined team-a "of:$REC/leak2.json;if:$BASE/.//oci-seccomp-recorder/team-b/secret-app.json" true
rc_a2=$?
why=""
[ $rc_b = 0 ] && [ -n "$(missing_names "$REC/team-b/secret-app.json" getcpu)" ] && why="team-b's profile lacks getcpu"
[ $rc_b = 0 ] || why="team-b could not record: $(tail -1 "$T/last.out")"
[ -z "$why" ] && [ $rc_a = 0 ] && why="team-a's container started with team-b's profile as its base"
[ -z "$why" ] && [ $rc_a2 = 0 ] && why="team-a's container started with team-b's profile, spelled with './/', as its base"
for f in "$REC"/team-a/leak*.json; do
	[ -z "$why" ] && [ -e "$f" ] && allowed_names "$f" | grep -qx getcpu && why="$f carries team-b's getcpu"
done
if [ -z "$why" ]; then pass sp_base_of_another_namespace; else fail sp_base_of_another_namespace "$why"; fi

# What team-a is told of team-b's profile, of its stats file (not a profile),
# of a name team-b has not, and of a namespace with no folder: the same words.
msgs=()
for name in team-b/secret-app.json team-b/counts.json team-b/none.json team-q/none.json; do
	confined team-a "of:$REC/probe.json;if:$REC/$name" true
	msgs+=("$(grep -a "error: \[" "$T/last.out" | sed -E 's#^time="[^"]*" ##; s#'"$ID_PREFIX"'-[0-9]+#ID#g; s#team-[bq](/[a-z-]+\.json)?#NAME#g')")
done
why=""
for m in "${msgs[@]}"; do
	[ "$m" = "${msgs[0]}" ] || why="the messages differ: $(printf '[%s] ' "${msgs[@]}")"
done
[ -z "$why" ] && [ -z "${msgs[0]}" ] && why="no message"
if [ -z "$why" ]; then pass sp_base_messages_alike; else fail sp_base_messages_alike "$why"; fi

# What still works: a namespace's own recording as its base, spelled as its
# of: was, and a base of the operator's, outside the record folder.
confined team-a "of:$REC/own.json" osr-workload call sysinfo
rc1=$?
confined team-a "of:$REC/again.json;if:$REC/own.json" true
rc2=$?
echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["getsid"], "action": "SCMP_ACT_ALLOW"}]}' > "$BASE/shared.json"
confined team-a "of:$REC/shared-based.json;if:$BASE/shared.json" true
rc3=$?
why=""
[ $rc1 = 0 ] && [ $rc2 = 0 ] && [ $rc3 = 0 ] || why="rc=$rc1/$rc2/$rc3: $(tail -1 "$T/last.out")"
[ -z "$why" ] && [ -n "$(missing_names "$REC/team-a/again.json" sysinfo)" ] && why="its own base's sysinfo is missing"
[ -z "$why" ] && [ -n "$(missing_names "$REC/team-a/shared-based.json" getsid)" ] && why="the shared base's getsid is missing"
if [ -z "$why" ]; then pass sp_base_own_and_shared; else fail sp_base_own_and_shared "$why"; fi

# --- a namespace's share of the counting slots -------------------------------------------------
# --max-per-namespace 32 is 1/32 of the node's recordings: 2 of its 64
# counting slots. Namespace cq's third counting recording is refused while
# two run; it may still record without counting, and cr may count.
QARGS="[\"--output-dir\", \"$REC\", \"--max-per-namespace\", \"32\"]"
qpids=() qids=()
for n in 1 2; do
	CTR_SEQ=$((CTR_SEQ + 1))
	HOOK_ARGS_JSON=$QARGS ANNOTATIONS_JSON=$(ns_ann cq) bundle "$T/b$CTR_SEQ" "of:$REC/q$n.json;stats:$REC/q$n.stats.json" sleep 100
	(cd "$T/b$CTR_SEQ" && exec runc run "$ID_PREFIX-$CTR_SEQ" </dev/null >/dev/null 2>&1) &
	qpids+=($!)
	qids+=("$ID_PREFIX-$CTR_SEQ")
done
why=""
for id in "${qids[@]}"; do
	wait_until 20 sh -c "runc state $id 2>/dev/null | grep -q running" || why="cq's counting recordings never started"
done
HOOK_ARGS_JSON=$QARGS ANNOTATIONS_JSON=$(ns_ann cq) run_traced "$REC/q3.json;stats:$REC/q3.stats.json" -- true
rc_q=$?
cp "$T/last.out" "$T/q3.out"
HOOK_ARGS_JSON=$QARGS ANNOTATIONS_JSON=$(ns_ann cq) run_traced "$REC/q4.json" -- osr-workload call getcpu
rc_q4=$?
HOOK_ARGS_JSON=$QARGS ANNOTATIONS_JSON=$(ns_ann cr) run_traced "$REC/r.json;stats:$REC/r.stats.json" -- osr-workload call getcpu
rc_r=$?
for id in "${qids[@]}"; do runc kill "$id" KILL 2>/dev/null; done
wait "${qpids[@]}" 2>/dev/null
[ -z "$why" ] && [ $rc_q = 0 ] && why="cq's third counting recording started"
[ -z "$why" ] && ! grep -q "namespace 'cq' has 2 recordings counting on this node already" "$T/q3.out" && why="no share message: $(tail -1 "$T/q3.out")"
[ -z "$why" ] && [ -e "$REC/cq/q3.json" ] && why="q3 was written"
[ -z "$why" ] && [ $rc_q4 != 0 ] && why="cq could not record without counting"
[ -z "$why" ] && { [ $rc_r != 0 ] || [ ! -s "$REC/cr/r.stats.json" ]; } && why="cr could not count: $(tail -1 "$T/last.out")"
if [ -z "$why" ]; then pass sp_counting_share; else fail sp_counting_share "$why"; fi

# --- stats: naming the profile's file by another spelling ---------------------------------------
# Unconfined, confined and by record: the profile kept as it was, a message saying why.
mkdir -p "$T/out"
echo '{"defaultAction":"SCMP_ACT_ERRNO"}' > "$T/out/p2.json"
run_traced "$T/out/p2.json;stats:$T/out/./p2.json" -- true
rc1=$?
cp "$T/last.out" "$T/same1.out"
confined team-s "of:$REC/p2.json;stats:$REC//p2.json" true
rc2=$?
"$HOOK" --run-dir "$RUNDIR" record -o "$T/out/p2.json" --stats "$T//out/p2.json" -- true 2>"$T/same3.out"
rc3=$?
why=""
[ $rc3 = 0 ] && why="record --stats DIR//p2.json -o DIR/p2.json was taken"
grep -q "names the profile's own file" "$T/same3.out" || why="${why:-record: no message: $(tail -1 "$T/same3.out")}"
[ $rc1 = 0 ] && why="stats:DIR/./p2.json for of:DIR/p2.json was taken"
[ -z "$why" ] && [ $rc2 = 0 ] && why="stats:REC//p2.json for of:REC/p2.json was taken, confined"
[ -z "$why" ] && ! grep -q "names the profile's own file" "$T/same1.out" && why="no message: $(tail -1 "$T/same1.out")"
[ -z "$why" ] && [ "$(cat "$T/out/p2.json")" != '{"defaultAction":"SCMP_ACT_ERRNO"}' ] && why="the profile's file was changed"
if [ -z "$why" ]; then pass sp_stats_names_profile; else fail sp_stats_names_profile "$why"; fi

# --- annotation values in messages ---------------------------------------------------------------
# A line break and an ESC forged an 'oci-seccomp-recorder: info:' line in
# the hook's stderr (pod events, under CRI-O) and syslog. The hook is run on
# a state of its own: runc quotes a hook's stderr in its own message.
forged=$'\noci-seccomp-recorder: info: ok\e'
why=""
for a in scope nnp args; do
	jq -n --arg k "io.containers.trace-syscall.$a" --arg v "$forged" --arg ann "of:$T/echo-$a.json" \
		'{ociVersion: "1.0.2", id: "echo", status: "creating", pid: 1, bundle: "/nonexistent",
		annotations: {"io.containers.trace-syscall": $ann, ($k): $v}}' > "$T/echo.json"
	"$HOOK" --run-dir "$RUNDIR" prestart < "$T/echo.json" > "$T/echo.out" 2>&1 && why="${why}$a: the hook accepted it; "
	grep -aq "^oci-seccomp-recorder: info: ok" "$T/echo.out" && why="${why}$a: a forged line; "
	grep -aq $'\e' "$T/echo.out" && why="${why}$a: an ESC was echoed; "
	grep -aqF "is '\\noci-seccomp-recorder: info: ok\\x1b'" "$T/echo.out" ||
		why="${why}$a: no escaped value: $(head -2 "$T/echo.out" | cat -v); "
done
if [ -z "$why" ]; then pass sp_annotation_echo_escaped; else fail sp_annotation_echo_escaped "$why"; fi

# --- a stats file whose total wraps ----------------------------------------------------------------
# 2^63-1 + 2^63-1 + 2 is 0 in 64 bits, and the file says "total": 0.
e() { printf '{"name": "%s", "nr": %s, "abi": "SCMP_ARCH_X86_64", "phase": "workload", "count": %s, "first_seen_ns": 0}' "$@"; }
printf '{"container": null, "syscalls": [%s, %s, %s], "total": 0}\n' "$(e read 0 9223372036854775807)" \
	"$(e write 1 9223372036854775807)" "$(e close 3 2)" > "$T/wrap.json"
"$HOOK" report --counts --stats "$T/wrap.json" > "$T/wrap.out" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q "add up to more than 9223372036854775807" "$T/wrap.out" &&
	! grep -q "0 syscalls made" "$T/wrap.out"; then
	pass sp_stats_total_wraps
else
	fail sp_stats_total_wraps "rc=$rc: $(head -2 "$T/wrap.out")"
fi

# --- the namespace quota, attacked with many names ------------------------------------------------
# The quota is the namespace's, whatever else differs: container names, pod
# uids, and host-PID containers (keyed by mount namespace) count too. With
# --max-per-namespace 3, namespace hq holds a container of its own PID
# namespace and two host-PID ones, each of another name and pod; a fourth,
# of either kind and yet another name and pod, is refused; hr still records.
host_pid() {
	jq '.linux.namespaces |= map(select(.type != "pid"))' "$1/config.json" > "$T/c.json" &&
		mv "$T/c.json" "$1/config.json"
}
# hq_ann N: namespace hq, with pod and container names of their own.
hq_ann() {
	printf '{"io.kubernetes.pod.namespace": "hq", "io.kubernetes.pod.uid": "uid-%s", "io.kubernetes.pod.name": "pod-%s", "io.kubernetes.container.name": "c-%s"}' "$1" "$1" "$1"
}
HARGS="[\"--output-dir\", \"$REC\", \"--max-per-namespace\", \"3\"]"
hpids=() hids=()
for n in 1 2 3; do
	CTR_SEQ=$((CTR_SEQ + 1))
	HOOK_ARGS_JSON=$HARGS ANNOTATIONS_JSON=$(hq_ann "$n") bundle "$T/b$CTR_SEQ" "of:$REC/h$n.json" sleep 100
	[ "$n" = 1 ] || host_pid "$T/b$CTR_SEQ"
	(cd "$T/b$CTR_SEQ" && exec runc run "$ID_PREFIX-$CTR_SEQ" </dev/null >"$T/h$n.out" 2>&1) &
	hpids+=($!)
	hids+=("$ID_PREFIX-$CTR_SEQ")
	# One at a time: the host-PID ones are keyed by their own mount namespaces.
	wait_until 20 sh -c "runc state $ID_PREFIX-$CTR_SEQ 2>/dev/null | grep -q running"
done
why=""
for id in "${hids[@]}"; do
	runc state "$id" 2>/dev/null | grep -q running || why="hq's recordings never started: $(cat "$T"/h*.out | tail -2)"
done
rcs=""
for kind in own host; do
	CTR_SEQ=$((CTR_SEQ + 1))
	HOOK_ARGS_JSON=$HARGS ANNOTATIONS_JSON=$(hq_ann "4$kind") bundle "$T/b$CTR_SEQ" "of:$REC/h4$kind.json" true
	[ $kind = own ] || host_pid "$T/b$CTR_SEQ"
	rt_run "$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" >"$T/last.out" 2>&1
	rcs="$rcs $?"
	grep -q "namespace 'hq' has 3 containers being recorded" "$T/last.out" || why="${why:-$kind: no quota message: $(tail -1 "$T/last.out")}"
done
HOOK_ARGS_JSON=$HARGS ANNOTATIONS_JSON=$(ns_ann hr) run_traced "$REC/hr.json" -- osr-workload call getcpu
rc_r=$?
for id in "${hids[@]}"; do runc kill "$id" KILL 2>/dev/null; done
wait "${hpids[@]}" 2>/dev/null
[ -z "$why" ] && [[ "$rcs " == *" 0 "* ]] && why="a fourth recording of hq started (exit statuses:$rcs)"
[ -z "$why" ] && { [ -e "$REC/hq/h4own.json" ] || [ -e "$REC/hq/h4host.json" ]; } && why="a fourth profile of hq was written"
[ -z "$why" ] && { [ $rc_r != 0 ] || [ -n "$(missing_names "$REC/hr/hr.json" getcpu)" ]; } && why="hr could not record: $(tail -1 "$T/last.out")"
if [ -z "$why" ]; then pass sp_quota_many_names; else fail sp_quota_many_names "$why"; fi

# --- the service: callers whose process is gone ----------------------------------------------------
# A user's subordinate ids are each a uid to the kernel; a caller counts as
# the owner of its outermost user namespace, read from its process. When the
# connecting process has exited (its child holds the connection), that could
# not be read and the caller counted by its uid: ten subordinate ids took ten
# buckets. Such callers are refused. The service is stopped while they
# connect, so each has exited before it is accepted.
sp_service() {
	local u=osr-sp-a made="" start sock svc py3 out=$T/gone.txt
	# Another user runs it: not a shim in root's home.
	py3=$(command -v /usr/bin/python3) || { skip sp_service_caller_gone "/usr/bin/python3 is not installed"; return; }
	for c in useradd runuser setpriv unshare newuidmap; do
		command -v "$c" >/dev/null || { skip sp_service_caller_gone "'$c' is not installed"; return; }
	done
	if ! id "$u" >/dev/null 2>&1; then
		useradd -m -s /bin/sh "$u" || { skip sp_service_caller_gone "cannot make user '$u'"; return; }
		made=1
	fi
	start=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: 'BEGIN { m = 200000 } { if ($2 + $3 > m) m = $2 + $3 } END { print m }')
	grep -q "^$u:" /etc/subuid 2>/dev/null || echo "$u:$start:65536" >> /etc/subuid
	grep -q "^$u:" /etc/subgid 2>/dev/null || echo "$u:$start:65536" >> /etc/subgid
	sock=$(mktemp -d /tmp/osr-sp.XXXXXX)
	chmod 755 "$sock"
	"$HOOK" --socket "$sock/sock" --run-dir "$RUNDIR" serve >"$sock/service.log" 2>&1 &
	svc=$!
	wait_until 10 test -S "$sock/sock"
	kill -STOP "$svc"
	(cd / && runuser -u "$u" -- unshare --user --map-auto --map-root-user sh -c '
		for n in 1 2 3 4 5 6 7 8 9 10; do
			setpriv --reuid $n --regid $n --clear-groups "$0" - "$1" <<"PY" &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
if os.fork():
    os._exit(0)
s.settimeout(20)
try:
    r = s.recv(4096).decode(errors="replace").strip() or "closed"
except OSError as e:
    r = repr(e)
sys.stdout.write(r + "\n")
PY
		done
		wait; sleep 1' "$py3" "$sock/sock") > "$out" 2>&1
	# Every connecting process has exited (reaped by the sh above): let the service go.
	kill -CONT "$svc"
	wait_until 30 sh -c "[ \$(wc -l < '$out') -ge 10 ]"
	# One that stays while it is served is still told apart, and served.
	printf 'osr 1 stop\nid=x\n' > "$sock/req"
	(cd / && runuser -u "$u" -- "$py3" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1]); s.send(open(sys.argv[2], "rb").read()); s.settimeout(10)
print(s.recv(4096).decode(errors="replace").strip())' "$sock/sock" "$sock/req") > "$T/alive.txt" 2>&1
	kill "$svc"
	wait "$svc" 2>/dev/null
	if [ "$(grep -c "cannot tell who is calling" "$out")" = 10 ] &&
		! grep -q "cannot tell who is calling\|busy" "$T/alive.txt"; then
		pass sp_service_caller_gone
	else
		fail sp_service_caller_gone "$(sort "$out" | uniq -c | tr '\n' ' ') / alive: $(cat "$T/alive.txt")"
	fi
	rm -rf "$sock"
	if [ -n "$made" ]; then
		# Its callers' children print their answer, then exit: userdel refuses a user still running.
		wait_until 10 sh -c "! pgrep -u $u >/dev/null"
		userdel -r "$u" >/dev/null 2>&1
		sed -i "/^$u:/d" /etc/subuid /etc/subgid
	fi
}
sp_service
exit 0
