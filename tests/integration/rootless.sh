#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Rootless podman through the recording service (and watch mode's listener,
# as root, at the end): two ordinary users with
# subordinate ids, made for the test; the service runs as root on a socket of
# the test's. A user's container is recorded, the profile is theirs and
# replays rootless; another user can neither record it, nor stop its
# recording, nor write into the first one's folder; pid 1 and processes of
# the host's PID namespace are refused; the stats (stats:) are written into
# the user's folder, never into another's; 8 rootless containers at once; a
# restart of the service leaves a recording under way intact.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(rootless_profile_written rootless_profile_owned rootless_replays rootless_without_service_says_so
	rootless_stats_written rootless_stats_elsewhere_refused
	rootless_other_cannot_record_it rootless_other_cannot_stop_it rootless_other_folder_refused
	rootless_pid1_refused rootless_root_pidns_refused rootless_8_at_once rootless_service_restart_keeps_recording
	rootless_user_quota rootless_bad_clients_dropped rootless_subuids_share_limit rootless_report_base_as_sent
	rootless_socket_activated rootless_watch_complain rootless_watch_other_cannot_see_or_flip
	rootless_watch_other_handover_refused rootless_watch_owner_enforces rootless_watch_learned_owned)
PREREQS=(podman runc jq useradd runuser newuidmap newgidmap)
skip_all_if_missing
if [ "$(id -u)" != 0 ]; then
	for t in "${TESTS[@]}"; do skip "$t" "needs root (to make the test users and run the service)"; done
	exit 0
fi

USERS=(osr-rl-a osr-rl-b)
RL=$(mktemp -d /tmp/osr-rootless.XXXXXX)
chmod 755 "$RL"
SOCK=$RL/sock
SVC=""
WL=""
made_users=()
rootless_cleanup() {
	local u
	[ -z "$SVC" ] || { kill "$SVC" 2>/dev/null; wait "$SVC" 2>/dev/null; }
	[ -z "$WL" ] || { kill "$WL" 2>/dev/null; wait "$WL" 2>/dev/null; }
	for u in "${made_users[@]}"; do
		rm -f "$RUNDIR"/u"$(id -u "$u")"-*.state
		runuser -u "$u" -- env XDG_RUNTIME_DIR="/run/user/$(id -u "$u")" HOME="/home/$u" \
			podman rm -af >/dev/null 2>&1
		pkill -u "$u" >/dev/null 2>&1
		sleep 0.2
		userdel -r "$u" >/dev/null 2>&1
		sed -i "/^$u:/d" /etc/subuid /etc/subgid
		rm -rf "/run/user/$(id -u "$u" 2>/dev/null || echo none)"
	done
	rm -rf "$RL"
	cleanup_all
}
trap rootless_cleanup EXIT

# A user with subordinate ids past any range already given out.
make_user() {
	local u=$1 start uid
	if ! id "$u" >/dev/null 2>&1; then
		useradd -m -s /bin/sh "$u" || return 1
		made_users+=("$u")
	fi
	start=$(cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: 'BEGIN { m = 200000 } { if ($2 + $3 > m) m = $2 + $3 } END { print m }')
	grep -q "^$u:" /etc/subuid 2>/dev/null || echo "$u:$start:65536" >> /etc/subuid
	grep -q "^$u:" /etc/subgid 2>/dev/null || echo "$u:$start:65536" >> /etc/subgid
	uid=$(id -u "$u")
	mkdir -p "/run/user/$uid" && chown "$u:" "/run/user/$uid" && chmod 700 "/run/user/$uid"
	mkdir -p "$RL/out-$u" && chown "$u:" "$RL/out-$u"
	make_rootfs "$RL/rootfs-$u" && chown -R "$u:" "$RL/rootfs-$u"
}
for u in "${USERS[@]}"; do
	if ! make_user "$u"; then
		for t in "${TESTS[@]}"; do skip "$t" "cannot make the test user '$u'"; done
		exit 0
	fi
done
A=${USERS[0]} B=${USERS[1]}

# The hook where the users can run it, with the shipped hooks.d files naming the socket.
mkdir -p "$RL/bin" "$RL/hooks.d"
install -m 0755 "$HOOK" "$RL/bin/oci-seccomp-recorder"
for f in "$TOP"/hooks.d/*.json.in; do
	sed "s|@HOOK@|$RL/bin/oci-seccomp-recorder|" "$f" |
		jq --arg s "$SOCK" '.hook.args = [.hook.args[0], "--socket", $s] + .hook.args[1:]' \
		> "$RL/hooks.d/$(basename "$f" .in)"
done

start_service() { # [MAX-PER-USER]
	"$HOOK" --socket "$SOCK" --run-dir "$RUNDIR" serve --max-per-user "${1:-16}" >>"$RL/service.log" 2>&1 &
	SVC=$!
	wait_until 10 test -S "$SOCK"
}

# as USER CMD...: run CMD as USER, in their session's environment.
as() {
	local u=$1; shift
	(cd / && runuser -u "$u" -- env XDG_RUNTIME_DIR="/run/user/$(id -u "$u")" HOME="/home/$u" "$@")
}
# prun USER NAME ANNOTATION|"" [PODMAN OPTIONS...] -- ARGS...: rootless podman run; output in $T/last.out.
prun() {
	local u=$1 name=$2 ann=$3 opts=(); shift 3
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	[ -n "$ann" ] && opts+=(--annotation "io.containers.trace-syscall=$ann")
	as "$u" podman --runtime runc --cgroup-manager cgroupfs run --name "$name" --rm \
		--hooks-dir "$RL/hooks.d" --network none "${opts[@]}" --rootfs "$RL/rootfs-$u" "$@" \
		</dev/null >"$T/last.out" 2>&1
}

# --- without the service: the hook says what is missing -----------------------------------------
prun "$A" rl0 "of:$RL/out-$A/none.json" -- true
if [ $? != 0 ] && grep -q "cannot reach the recording service" "$T/last.out" &&
	! grep -qi "command not found\|not found" "$T/last.out"; then
	pass rootless_without_service_says_so
else
	fail rootless_without_service_says_so "$(tail -2 "$T/last.out")"
fi

start_service
# --- a user's container, recorded through the service ----------------------------------------------
out=$RL/out-$A/p.json
prun "$A" rl1 "of:$out" -- osr-workload call getcpu
rc=$?
if [ $rc = 0 ] && [ -z "$(missing_names "$out" getcpu execve)" ]; then
	pass rootless_profile_written
else
	fail rootless_profile_written "rc=$rc: $(tail -2 "$T/last.out") $(tail -2 "$RL/service.log")"
fi
if [ "$(stat -c %U "$out" 2>/dev/null)" = "$A" ]; then
	pass rootless_profile_owned
else
	fail rootless_profile_owned "owner '$(stat -c %U "$out" 2>&1)', want $A"
fi
if prun "$A" rl2 "" --security-opt "seccomp=$out" -- osr-workload call getcpu; then
	pass rootless_replays
else
	fail rootless_replays "$(tail -2 "$T/last.out")"
fi

# --- stats: counted through the service, into the user's own folder, theirs -------------------------
out=$RL/out-$A/s.json stats=$RL/out-$A/s.stats.json
prun "$A" rls1 "of:$out;stats:$stats" -- osr-workload call getcpu
rc=$?
n=$(jq -r '[.syscalls[] | select(.name == "getcpu" and .phase == "workload") | .count] | add // 0' "$stats" 2>/dev/null)
if [ $rc = 0 ] && [ "${n:-0}" -ge 1 ] 2>/dev/null && [ "$(stat -c %U "$stats" 2>/dev/null)" = "$A" ] &&
	[ -z "$(missing_names "$out" getcpu)" ]; then
	pass rootless_stats_written
else
	fail rootless_stats_written "rc=$rc, getcpu counted '${n:-}', owner '$(stat -c %U "$stats" 2>&1)': $(tail -2 "$T/last.out") $(tail -2 "$RL/service.log")"
fi
# The stats into a folder that is not the user's (root's, though the user may enter it): refused, nothing written.
prun "$A" rls2 "of:$RL/out-$A/s2.json;stats:$RL/s2.stats.json" -- true
rc=$?
if [ $rc != 0 ] && grep -q "output folder of '$RL/s2.stats.json' belongs to uid 0, not to you" "$T/last.out" &&
	[ ! -e "$RL/s2.stats.json" ] && [ ! -e "$RL/out-$A/s2.json" ]; then
	pass rootless_stats_elsewhere_refused
else
	fail rootless_stats_elsewhere_refused "rc=$rc: $(tail -2 "$T/last.out")"
fi

# --- another user: cannot record it, stop it, or write where it writes -----------------------------
rm -f "$RL/go"
prun "$A" rl3 "of:$RL/out-$A/long.json" -v "$RL:/x" -- sh -c 'while [ ! -e /x/go ]; do sleep 0.1; done; osr-workload call getsid' &
longpid=$!
why=""
# A recording of the first user's under way (their records are u<uid>-<id>.state).
crec() { grep -qlx 'status=recording' "$RUNDIR"/u"$(id -u "$A")"-*.state 2>/dev/null; }
wait_until 30 crec || why="the long recording never started: $(tail -2 "$T/last.out")"
cid=$(as "$A" podman inspect -f '{{.Id}}' rl3 2>/dev/null)
cpid=$(as "$A" podman inspect -f '{{.State.Pid}}' rl3 2>/dev/null)
state() { printf '{"ociVersion": "1.0.2", "id": "%s", "status": "running", "pid": %s, "bundle": "/nowhere", "annotations": {"io.containers.trace-syscall": "%s"}}' "$1" "$2" "$3"; }
# B asks to record A's container into B's own folder.
state "$cid" "${cpid:-0}" "of:$RL/out-$B/stolen.json" | as "$B" "$RL/bin/oci-seccomp-recorder" --socket "$SOCK" prestart >"$T/b.out" 2>&1
rc=$?
if [ -z "$why" ] && [ $rc != 0 ] && grep -q "is not yours" "$T/b.out" && [ ! -e "$RL/out-$B/stolen.json" ]; then
	pass rootless_other_cannot_record_it
else
	fail rootless_other_cannot_record_it "${why:-$(tail -2 "$T/b.out")}"
fi
# B asks to stop a recording of that id: B has none; A's goes on.
state "$cid" 0 "" | as "$B" "$RL/bin/oci-seccomp-recorder" --socket "$SOCK" poststop >"$T/b.out" 2>&1
if [ -z "$why" ] && crec; then
	pass rootless_other_cannot_stop_it
else
	fail rootless_other_cannot_stop_it "${why:-the first user lost the recording: $(tail -2 "$T/b.out")}"
fi
# B records B's own container into A's folder: the folder is not B's.
prun "$B" rl4 "of:$RL/out-$A/planted.json" -- true
rc=$?
if [ $rc != 0 ] && grep -q "belongs to uid $(id -u "$A"), not to you" "$T/last.out" &&
	[ ! -e "$RL/out-$A/planted.json" ]; then
	pass rootless_other_folder_refused
else
	fail rootless_other_folder_refused "$(tail -2 "$T/last.out")"
fi
# pid 1 (the host's PID namespace) is refused.
state pid1 1 "of:$RL/out-$B/init.json" | as "$B" "$RL/bin/oci-seccomp-recorder" --socket "$SOCK" --debug prestart >"$T/b.out" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q "host's PID namespace" "$T/b.out"; then
	pass rootless_pid1_refused
else
	fail rootless_pid1_refused "$(tail -2 "$T/b.out")"
fi

# A PID namespace root made, its process running as B (a root container run
# with B's uid), or in a user namespace B's uid made in there: B runs none of
# it, and a recording would take everything in that namespace.
rwhy=""
for how in asuid userns; do
	extra=(); [ $how = userns ] && extra=(unshare -U)
	unshare --pid --fork setpriv --reuid "$B" --regid "$B" --clear-groups "${extra[@]}" sleep 30 &
	rootpid=$!
	tgt=""
	wait_until 10 pgrep -u "$B" -x sleep >/dev/null && tgt=$(pgrep -u "$B" -x sleep | head -1)
	state "rootns-$how" "${tgt:-0}" "of:$RL/out-$B/rootns.json" |
		as "$B" "$RL/bin/oci-seccomp-recorder" --socket "$SOCK" prestart >"$T/b.out" 2>&1
	rc=$?
	if [ -z "$tgt" ] || [ $rc = 0 ] || ! grep -q "is not yours" "$T/b.out" ||
		ls "$RUNDIR"/u"$(id -u "$B")"-rootns-*.state >/dev/null 2>&1; then
		rwhy="$rwhy $how: rc=$rc, target '$tgt': $(tail -1 "$T/b.out");"
	fi
	pkill -u "$B" -x sleep; wait "$rootpid" 2>/dev/null
	as "$B" "$RL/bin/oci-seccomp-recorder" --socket "$SOCK" poststop >/dev/null 2>&1 <<<"$(state "rootns-$how" 0 "")"
done
if [ -z "$rwhy" ] && [ ! -e "$RL/out-$B/rootns.json" ]; then
	pass rootless_root_pidns_refused
else
	fail rootless_root_pidns_refused "${rwhy:-a profile was written}"
fi

# --- a restart of the service leaves the recording under way intact --------------------------------
kill "$SVC"; wait "$SVC" 2>/dev/null
start_service
touch "$RL/go"
wait "$longpid"
rc=$?
if [ -z "$why" ] && [ $rc = 0 ] && [ -z "$(missing_names "$RL/out-$A/long.json" getsid)" ]; then
	pass rootless_service_restart_keeps_recording
else
	fail rootless_service_restart_keeps_recording "${why:-rc=$rc: $(tail -2 "$T/last.out")}"
fi

# --- 8 rootless containers at once ---------------------------------------------------------------------
pids=()
for n in 1 2 3 4 5 6 7 8; do
	(prun "$A" "rl8-$n" "of:$RL/out-$A/c$n.json" -- osr-workload call getitimer; echo $? > "$RL/rc$n") &
	pids+=($!)
done
wait "${pids[@]}"
bad=""
for n in 1 2 3 4 5 6 7 8; do
	[ "$(cat "$RL/rc$n" 2>/dev/null)" = 0 ] && [ -z "$(missing_names "$RL/out-$A/c$n.json" getitimer)" ] ||
		bad="$bad c$n"
done
if [ -z "$bad" ]; then pass rootless_8_at_once; else fail rootless_8_at_once "failed:$bad"; fi

# --- a user's quota: with --max-per-user 1, a second recording of theirs waits its turn -------------
kill "$SVC"; wait "$SVC" 2>/dev/null
start_service 1
rm -f "$RL/go"
prun "$A" rlq1 "of:$RL/out-$A/q1.json" -v "$RL:/x" -- sh -c 'while [ ! -e /x/go ]; do sleep 0.1; done' &
qpid=$!
wait_until 30 crec
prun "$A" rlq2 "of:$RL/out-$A/q2.json" -- true
rc=$?
cp "$T/last.out" "$T/q.out"
touch "$RL/go"
wait "$qpid"
if [ $rc != 0 ] && grep -q "uid $(id -u "$A") has 1 containers being recorded on this node already" "$T/q.out" &&
	[ ! -e "$RL/out-$A/q2.json" ] && [ -s "$RL/out-$A/q1.json" ]; then
	pass rootless_user_quota
else
	fail rootless_user_quota "rc=$rc: $(tail -2 "$T/q.out")"
fi

# --- clients that stall or send garbage hold up no one ---------------------------------------------
kill "$SVC"; wait "$SVC" 2>/dev/null
start_service
# A python3 the test users can run (a root-only one may come first on PATH).
PY3=$(command -v /usr/bin/python3 || command -v python3)
bad_client() { # MODE: stall (connect, send nothing) or garbage; prints what the service answered
	as "$B" "$PY3" - "$SOCK" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
if sys.argv[2] == "garbage":
    s.send(b"\x00\xffhello there\n" * 50)
s.settimeout(20)
t = time.monotonic()
try:
    r = s.recv(4096)
except OSError as e:
    r = repr(e).encode()
print("%s after %.1f s" % (r.decode(errors="replace").strip() or "closed", time.monotonic() - t))
PY
}
# The second user stalls ten connections at once (more than one user may
# hold), and sends garbage; the first one's recording goes through meanwhile.
garbage=$(bad_client garbage 2>&1)
stallpids=()
for n in 1 2 3 4 5 6 7 8 9 10; do
	bad_client stall > "$T/stall$n.out" 2>&1 &
	stallpids+=($!)
done
sleep 1
prun "$A" rlbad "of:$RL/out-$A/bad.json" -- osr-workload call getcpu
rc=$?
wait "${stallpids[@]}"
cat "$T"/stall*.out > "$T/stalls.txt"
if [ $rc = 0 ] && [ -z "$(missing_names "$RL/out-$A/bad.json" getcpu)" ] &&
	grep -q "^error request:" <<<"$garbage" &&
	grep -q "error cannot read the request" "$T/stalls.txt" &&
	grep -q "error the recording service is busy" "$T/stalls.txt"; then
	pass rootless_bad_clients_dropped
else
	fail rootless_bad_clients_dropped "rc=$rc, garbage: $garbage, stalls: $(sort "$T/stalls.txt" | uniq -c)"
fi

# A user's subordinate ids are each a uid to the kernel: ten of them stalling
# a connection each are still one user, held to 8 at once like the others.
as "$A" unshare --user --map-auto --map-root-user sh -c '
	for n in 1 2 3 4 5 6 7 8 9 10; do
		setpriv --reuid $n --regid $n --clear-groups "$0" - "$1" <<"PY" &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.settimeout(20)
try:
    r = s.recv(4096).decode(errors="replace").strip() or "closed"
except OSError as e:
    r = repr(e)
sys.stdout.write(r + "\n")
PY
	done
	wait' "$PY3" "$SOCK" >>"$T/subuids.txt" 2>&1
if [ "$(grep -o "the recording service is busy" "$T/subuids.txt" | wc -l)" = 2 ] &&
	[ "$(grep -o "cannot read the request" "$T/subuids.txt" | wc -l)" = 8 ]; then
	pass rootless_subuids_share_limit
else
	fail rootless_subuids_share_limit "$(sort "$T/subuids.txt" | uniq -c | tr '\n' ' ')"
fi

# --- report renders a rootless recording with the base it was sent, or refuses -----------------------
# A request names its base (input=) as text and sends it as an fd: a client
# may name any path. root's report must not render with the file that text
# names in root's view (here a root-owned base allowing mlockall) when the
# recording took another (the user's, allowing getpid).
printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["mlockall"], "action": "SCMP_ACT_ALLOW"}]}\n' >"$RL/root-base.json"
printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]}\n' >"$RL/out-$A/own-base.json"
chown "$A:" "$RL/out-$A/own-base.json"
as "$A" unshare -Urpf --kill-child sleep 67 &
upid=$!
rtgt=""
wait_until 10 pgrep -u "$A" -fx "sleep 67" >/dev/null && rtgt=$(pgrep -u "$A" -fx "sleep 67" | head -1)
raw_request() { # OP TARGET-PID: start names root's base and sends the user's; stop ends it
	as "$A" "$PY3" - "$SOCK" "$1" "${2:-0}" "$RL/out-$A" "$RL/root-base.json" <<'PY'
import array, os, socket, sys
sock, op, pid, out, named = sys.argv[1:6]
if op == "start":
    req = "osr 1 start\nid=rlbase\nname=rb.json\npath=%s/rb.json\ninput=%s\n" % (out, named)
    fds = [os.pidfd_open(int(pid)), os.open(out, os.O_PATH | os.O_DIRECTORY),
           os.open(out + "/own-base.json", os.O_RDONLY)]
else:
    req, fds = "osr 1 stop\nid=rlbase\n", []
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sock)
s.sendmsg([req.encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else [])
s.settimeout(20)
print(s.recv(4096).decode(errors="replace").strip())
PY
}
started=$(raw_request start "${rtgt:-0}" 2>&1)
"$HOOK" --run-dir "$RUNDIR" report "u$(id -u "$A")-rlbase" >"$T/rb.out" 2>&1
rc=$?
raw_request stop >/dev/null 2>&1
kill "$upid" 2>/dev/null; wait "$upid" 2>/dev/null
if [ "$started" = ok ] && [ $rc != 0 ] && ! grep -q mlockall "$T/rb.out" &&
	grep -q "is not the file the recording was started with" "$T/rb.out"; then
	pass rootless_report_base_as_sent
else
	fail rootless_report_base_as_sent "start: '$started', report rc=$rc: $(head -c 300 "$T/rb.out" | tr '\n' ' ')"
fi

# --- socket activation: the service started by systemd's socket ------------------------------------------
kill "$SVC"; wait "$SVC" 2>/dev/null; SVC=""
if command -v systemd-socket-activate >/dev/null; then
	rm -f "$SOCK"
	systemd-socket-activate --seqpacket -l "$SOCK" "$HOOK" --run-dir "$RUNDIR" serve >>"$RL/service.log" 2>&1 &
	SVC=$!
	wait_until 10 test -S "$SOCK"
	chmod 0666 "$SOCK" # what the unit's SocketMode= does
	prun "$A" rlsa "of:$RL/out-$A/sa.json" -- osr-workload call getcpu
	rc=$?
	if [ $rc = 0 ] && [ -z "$(missing_names "$RL/out-$A/sa.json" getcpu)" ]; then
		pass rootless_socket_activated
	else
		fail rootless_socket_activated "rc=$rc: $(tail -2 "$T/last.out") $(tail -2 "$RL/service.log")"
	fi
else
	skip rootless_socket_activated "systemd-socket-activate is not installed"
fi

# --- watch mode: a rootless user's container handed to root's listener -----------------------------------
# The user's runc connects to the listener (socket mode 0666) and hands over
# the notify fd; the listener answers each user for their own containers only.
WSOCK=$RL/watch.sock
"$HOOK" listen --socket "$WSOCK" --state-dir "$RL/wstate" >>"$RL/listener.log" 2>&1 &
WL=$!
WCTL=$RL/wctl
mkdir -p "$WCTL" && chown "$A:" "$WCTL"
WSCRIPT='i=0; while [ ! -e /ctl/stop ]; do if [ -e /ctl/mk ]; then mkdir /tmp/d$i && echo "mk ok $i" || echo "mk fail $i"; fi; echo "tick $i"; i=$((i + 1)); [ -n "$REC" ] && [ $i -ge 3 ] && break; usleep 100000; done; echo done'
wb=$RL/out-$A/wbase.json ww=$RL/out-$A/wwatch.json wl=$RL/out-$A/wlearned.json
if [ -z "$SVC" ]; then start_service; fi
prun "$A" rlwrec "of:$wb" -v "$WCTL:/ctl" -e REC=1 -- sh -c "$WSCRIPT"
as "$A" "$RL/bin/oci-seccomp-recorder" watch-profile --runtime runc --socket "$WSOCK" -o "$ww" "$wb" >"$T/ww.out" 2>&1
touch "$WCTL/mk"
as "$A" podman --runtime runc --cgroup-manager cgroupfs run -d --name rlw1 --network none -v "$WCTL:/ctl" \
	-e REC= --security-opt "seccomp=$ww" --annotation "io.containers.seccomp-watch.learned=of:$wl" \
	--rootfs "$RL/rootfs-$A" sh -c "$WSCRIPT" </dev/null >"$T/rlw.out" 2>&1
wlogs() { as "$A" podman logs rlw1 2>&1; }
if wait_until 30 eval 'wlogs | grep -q "mk ok 2"'; then
	pass rootless_watch_complain
else
	fail rootless_watch_complain "$(tail -2 "$T/ww.out") $(tail -2 "$T/rlw.out") $(wlogs | tail -2) $(tail -2 "$RL/listener.log")"
fi
wcid=$(as "$A" podman inspect -f '{{.Id}}' rlw1 2>/dev/null)
wpid=$(as "$A" podman inspect -f '{{.State.Pid}}' rlw1 2>/dev/null)
# B: no report, no policy change (not kill either); the container is as absent as one that never was.
as "$B" "$RL/bin/oci-seccomp-recorder" watch-report --socket "$WSOCK" "$wcid" >"$T/wb1.out" 2>&1
rc1=$?
as "$B" "$RL/bin/oci-seccomp-recorder" policy --socket "$WSOCK" "$wcid" kill >"$T/wb2.out" 2>&1
rc2=$?
n=$(wlogs | grep -c "mk ok")
if [ -n "$wcid" ] && [ $rc1 != 0 ] && [ $rc2 != 0 ] && grep -q "no watched container '$wcid'" "$T/wb1.out" &&
	grep -q "no watched container '$wcid'" "$T/wb2.out" &&
	wait_until 20 eval '[ "$(wlogs | grep -c "mk ok")" -gt "$n" ]' &&
	as "$A" "$RL/bin/oci-seccomp-recorder" watch-report --socket "$WSOCK" "$wcid" 2>&1 | grep -q "policy complain"; then
	pass rootless_watch_other_cannot_see_or_flip
else
	fail rootless_watch_other_cannot_see_or_flip "report rc=$rc1 $(head -c 200 "$T/wb1.out"); policy rc=$rc2 $(head -c 200 "$T/wb2.out")"
fi
# B hands A's container over as its own (an fd of B's, A's id and pid, a policy
# the listener cannot read, which kills a container of one's own): refused, A's goes on.
handover() {
	as "$B" /usr/bin/python3 -c '
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
msg = {"ociVersion": "1.0.2", "fds": ["seccompFd"], "pid": int(sys.argv[3]), "metadata": "",
       "state": {"ociVersion": "1.0.2", "id": sys.argv[2], "status": "creating", "pid": int(sys.argv[3]),
                 "bundle": "/", "annotations": {"io.containers.seccomp-watch.policy": "garbage"}}}
fd = os.open("/dev/null", os.O_RDONLY)
socket.send_fds(s, [json.dumps(msg).encode()], [fd])
s.close()' "$WSOCK" "$1" "$2"
}
handover "$wcid" "${wpid:-0}" >"$T/wb3.out" 2>&1
sleep 0.5
n=$(wlogs | grep -c "mk ok")
if [ -n "$wpid" ] && grep -q "process $wpid is not yours" "$RL/listener.log" &&
	wait_until 20 eval '[ "$(wlogs | grep -c "mk ok")" -gt "$n" ]' &&
	as "$A" "$RL/bin/oci-seccomp-recorder" watch-report --socket "$WSOCK" "$wcid" 2>&1 | grep -q "listener: attached"; then
	pass rootless_watch_other_handover_refused
else
	fail rootless_watch_other_handover_refused "$(cat "$T/wb3.out") $(tail -2 "$RL/listener.log")"
fi
# A flips their own container to enforce at run time: the call fails, no restart.
if as "$A" "$RL/bin/oci-seccomp-recorder" policy --socket "$WSOCK" "$wcid" enforce >"$T/wa.out" 2>&1 &&
	wait_until 20 eval 'wlogs | grep -q "mk fail"' &&
	[ "$(as "$A" podman inspect -f '{{.State.Pid}}' rlw1 2>/dev/null)" = "$wpid" ]; then
	pass rootless_watch_owner_enforces
else
	fail rootless_watch_owner_enforces "$(cat "$T/wa.out") $(wlogs | tail -2)"
fi
touch "$WCTL/stop"
if wait_until 20 test -s "$wl" && [ "$(stat -c %U "$wl")" = "$A" ] &&
	jq -e '[.syscalls[] | .names[]] | index("mkdir")' "$wl" >/dev/null; then
	pass rootless_watch_learned_owned
else
	fail rootless_watch_learned_owned "learned '$wl': $(ls -l "$wl" 2>&1) $(tail -2 "$RL/listener.log")"
fi
as "$A" podman rm -f rlw1 >/dev/null 2>&1
kill "$WL"; wait "$WL" 2>/dev/null; WL=""
exit 0
