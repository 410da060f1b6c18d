#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A drop-in for oci-seccomp-bpf-hook: its hooks.d file, changed only in its
# path (args ["oci-seccomp-bpf-hook", "-s"], prestart only, annotation ".*"),
# its other flags, the annotation spellings it accepts, and messages podman
# must not read as "command not found".
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(peer_hooksd_records peer_hooksd_leaves_no_record peer_annotation_blanks peer_of_twice
	peer_empty_annotation_stops peer_missing_folder_not_127 peer_missing_base_not_127
	peer_version peer_trace_pid peer_make_install_replaces peer_syslog_tag)
PREREQS=(podman runc jq)
skip_all_if_missing

# The peer's own hooks.d file, as its package installs it, but for its path.
HOOKS=$T/hooks.d
mkdir -p "$HOOKS"
jq -n --arg hook "$HOOK" '{version: "1.0.0",
	hook: {path: $hook, args: ["oci-seccomp-bpf-hook", "-s"]},
	when: {annotations: {"^io\\.containers\\.trace-syscall$": ".*"}},
	stages: ["prestart"]}' > "$HOOKS/oci-seccomp-bpf-hook.json"

trap podman_cleanup EXIT
# prun ANNOTATION ARGS...: podman run with the peer's hooks.d file; output in $T/last.out, status in rc.
prun() {
	local ann=$1; shift
	PODMAN_HOOKS=$HOOKS ANNOTATIONS_JSON=$(jq -n --arg v "$ann" '{"io.containers.trace-syscall": $v}') \
		run_on podman-runc false "" "" "$@"
	rc=$?
	NAME=$PODMAN_LAST
}
# The record a prestart-only tracer leaves until it is done: podman's container id.
no_record() { [ ! -e "$RUNDIR/$(podman inspect -f '{{.Id}}' "$NAME" 2>/dev/null).state" ]; }

out=$T/peer.json
prun "of:$out" osr-workload call getcpu
# No poststop: the profile is written when the container's init exits.
if [ $rc = 0 ] && wait_until 10 test -s "$out" && [ -z "$(missing_names "$out" getcpu execve)" ]; then
	pass peer_hooksd_records
else
	fail peer_hooksd_records "rc=$rc, missing: $(missing_names "$out" getcpu execve 2>&1) $(tail -2 "$T/last.out")"
fi
if wait_until 10 no_record; then
	pass peer_hooksd_leaves_no_record
else
	fail peer_hooksd_leaves_no_record "$(ls "$RUNDIR")"
fi

out=$T/blanks.json
prun "of: $out" osr-workload call times
if [ $rc = 0 ] && wait_until 10 test -s "$out" && [ -z "$(missing_names "$out" times)" ]; then
	pass peer_annotation_blanks
else
	fail peer_annotation_blanks "rc=$rc: $(tail -2 "$T/last.out")"
fi

# of: twice: the last one counts, as in oci-seccomp-bpf-hook.
prun "of:$T/first.json;of:$T/second.json" osr-workload call getitimer
if [ $rc = 0 ] && wait_until 10 test -s "$T/second.json" && [ ! -e "$T/first.json" ] &&
	[ -z "$(missing_names "$T/second.json" getitimer)" ]; then
	pass peer_of_twice
else
	fail peer_of_twice "rc=$rc: $(tail -2 "$T/last.out")"
fi

# An empty value matches ".*": the container stops, saying why, never runs unrecorded.
prun "" osr-workload call getcpu
if [ $rc != 0 ] && [ $rc != 127 ] && grep -q "is empty" "$T/last.out"; then
	pass peer_empty_annotation_stops
else
	fail peer_empty_annotation_stops "rc=$rc: $(tail -2 "$T/last.out")"
fi

# A missing folder or base: podman reads "no such file or directory" in a hook's
# message as a missing command (exit 127, "command that was not found").
not_127() { # NAME
	if [ $rc != 0 ] && [ $rc != 127 ] && ! grep -qi "not found\|no such file" "$T/last.out" &&
		grep -q "does not exist" "$T/last.out"; then
		pass "$1"
	else
		fail "$1" "rc=$rc: $(tail -2 "$T/last.out")"
	fi
}
prun "of:$T/no/such/folder/x.json" true
not_127 peer_missing_folder_not_127
prun "of:$T/x.json;if:$T/no-such-base.json" true
not_127 peer_missing_base_not_127

if "$HOOK" -version | grep -q "oci-seccomp-recorder .* (as oci-seccomp-bpf-hook)"; then
	pass peer_version
else
	fail peer_version "$("$HOOK" -version 2>&1)"
fi

# -r PID -o OUT: a process in a PID namespace of its own, traced until it exits.
rm -f "$T/go"
unshare -p -f sh -c "while [ ! -e '$T/go' ]; do sleep 0.05; done; '$HELPERS/osr-workload' call getrusage" &
upid=$!
first_in_ns() {
	local p
	for p in $(pgrep -P "$upid") $upid; do
		[ "$(readlink "/proc/$p/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] && { echo "$p"; return 0; }
	done
	return 1
}
wait_until 10 first_in_ns >/dev/null
pid=$(first_in_ns)
# getrusage once the tracer records, however long attaching takes.
tracing() { [ "$(record_field "pid-$pid" status)" = recording ]; }
( wait_until 60 tracing; touch "$T/go" ) &
"$HOOK" -r "$pid" -o "$T/r.json" 2>"$T/r.err"
rrc=$?
wait "$upid"
if [ $rrc = 0 ] && [ -z "$(missing_names "$T/r.json" getrusage)" ] && [ ! -e "$RUNDIR/pid-$pid.state" ]; then
	pass peer_trace_pid
else
	fail peer_trace_pid "rc=$rrc: $(cat "$T/r.err")"
fi
# Called as oci-seccomp-bpf-hook (its hooks.d file's args[0]), the hook logs
# under that tag, where its users look (journalctl -t oci-seccomp-bpf-hook).
# Read where syslog() writes: a socket of ours at /dev/log when there is none
# (no syslog daemon), else the datagram as strace shows it.
tag_msg() {
	local state='{"id": "tagcheck", "pid": 1, "annotations": {"io.containers.trace-syscall": ""}}'
	if [ ! -e /dev/log ]; then
		python3 - "$HOOK" "$state" <<'PY'
import os, socket, subprocess, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
try:
    subprocess.run(["oci-seccomp-bpf-hook", "-s"], executable=sys.argv[1],
                   input=sys.argv[2].encode(), capture_output=True)
    s.settimeout(2)
    print(s.recv(4096).decode(errors="replace"))
finally:
    os.unlink("/dev/log")
PY
	elif command -v strace >/dev/null; then
		strace -f -e trace=sendto,sendmsg -s 300 -o "$T/tag.strace" \
			bash -c "exec -a oci-seccomp-bpf-hook '$HOOK' -s" <<<"$state" >/dev/null 2>&1
		cat "$T/tag.strace"
	fi
}
msg=$(tag_msg 2>&1)
if grep -q "oci-seccomp-bpf-hook\[[0-9]*\]: \[tagcheck\].*is empty" <<<"$msg"; then
	pass peer_syslog_tag
else
	fail peer_syslog_tag "no message tagged oci-seccomp-bpf-hook: $(head -c 300 <<<"$msg")"
fi

# make install-replace-peer: the peer's hooks.d file keeps everything but its
# path, which names our binary; the original is kept, and put back on uninstall.
D=$T/destdir
J=$D/usr/share/containers/oci/hooks.d/oci-seccomp-bpf-hook.json
mkdir -p "$(dirname "$J")"
orig='{"version": "1.0.0", "hook": {"path": "/usr/libexec/oci/hooks.d/oci-seccomp-bpf-hook", "args": ["oci-seccomp-bpf-hook", "-s"]}, "when": {"annotations": {"^io\\.containers\\.trace-syscall$": ".*"}}, "stages": ["prestart"]}'
echo "$orig" > "$J"
why=""
make -s -C "$TOP" install-replace-peer DESTDIR="$D" PREFIX=/usr OUTPUT="$OUTPUT" >"$T/make.out" 2>&1 || why="make failed: $(tail -2 "$T/make.out")"
[ -z "$why" ] && ! jq -e --arg p /usr/libexec/oci/hooks.d/oci-seccomp-recorder \
	'.hook.path == $p and .hook.args == ["oci-seccomp-bpf-hook", "-s"] and .stages == ["prestart"] and
	.when.annotations["^io\\.containers\\.trace-syscall$"] == ".*"' "$J" >/dev/null && why="hooks.d file: $(cat "$J")"
[ -z "$why" ] && [ ! -x "$D/usr/libexec/oci/hooks.d/oci-seccomp-recorder" ] && why="binary not installed"
[ -z "$why" ] && ls "$D/usr/share/containers/oci/hooks.d" | grep -q oci-seccomp-recorder && why="our own hooks.d files were installed beside the peer's"
make -s -C "$TOP" uninstall-replace-peer DESTDIR="$D" PREFIX=/usr OUTPUT="$OUTPUT" >"$T/make.out" 2>&1
[ -z "$why" ] && [ "$(cat "$J")" != "$orig" ] && why="uninstall did not put the original back: $(cat "$J")"
if [ -z "$why" ]; then pass peer_make_install_replaces; else fail peer_make_install_replaces "$why"; fi
exit 0
