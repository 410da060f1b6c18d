#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A shared node, third pass (docs/SECURITY.md): what a hostile local user or
# pod author did to what landed since the second: the program's pin folder
# made first by another user, and watch mode's learned file named into
# another namespace's folder.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(tp_pin_folder_squatted tp_learned_other_namespace tp_listener_echo_escaped)
PREREQS=(runc jq unshare runuser)
skip_all_if_missing
shared_rootfs

# --- the pin folder: a bpffs mounted without mode= is 1777 -------------------------------------
# In a mount namespace of its own, a bpffs at /sys/fs/bpf as an agent that
# mounts one without mode= leaves it; nobody makes the recorder's folders
# first. Unfixed, root pins the program there, and nobody unlinks its link
# pins while a recording runs: the program is detached, and the syscall the
# workload makes then is missing from the profile. Fixed, the start is
# refused, naming the folder.
pin_squat() {
	local abi=${PIN##*/} out=$T/squat.out go=$T/squat.go
	rm -f "$go"
	unshare -m --propagation private bash -c '
		mount -t bpf bpf /sys/fs/bpf || exit 90
		runuser -u nobody -- mkdir -p /sys/fs/bpf/oci-seccomp-recorder/'"$abi"' || exit 91
		runuser -u nobody -- chmod 0777 /sys/fs/bpf/oci-seccomp-recorder/'"$abi"'
		"$1" --linger 0 record -o "$2" -- /bin/sh -c "while [ ! -e $3 ]; do sleep 0.05; done; $4 call getcpu" &
		rec=$!
		# The recording runs once its program is pinned: then nobody unlinks the links.
		for i in $(seq 200); do
			[ -e /sys/fs/bpf/oci-seccomp-recorder/'"$abi"'/link ] && break
			kill -0 $rec 2>/dev/null || break
			sleep 0.05
		done
		ls -l /sys/fs/bpf/oci-seccomp-recorder/'"$abi"'
		runuser -u nobody -- sh -c "rm -f /sys/fs/bpf/oci-seccomp-recorder/'"$abi"'/link*" && echo unlinked
		touch "$3"
		wait $rec
		echo "record: $?"' pin-squat "$HOOK" "$T/squat.json" "$go" "$HELPERS/osr-workload" > "$out" 2>&1
	local why=""
	if grep -q "^unlinked" "$out" && grep -q "^record: 0" "$out"; then
		why="root pinned the program in nobody's folder, nobody detached it"
		[ -n "$(missing_names "$T/squat.json" getcpu)" ] && why="$why: getcpu is missing from the profile"
	elif ! grep -q "BPF pin folder '/sys/fs/bpf/oci-seccomp-recorder' is owned by uid 65534" "$out"; then
		why="not refused naming the folder: $(tail -3 "$out" | tr '\n' ' ')"
	elif grep -q "^record: 0" "$out"; then
		why="refused, yet record exited 0"
	fi
	if [ -z "$why" ]; then pass tp_pin_folder_squatted; else fail tp_pin_folder_squatted "$why"; fi
}
pin_squat


# --- watch mode's learned file, confined -------------------------------------------------------
# The listener confined to the record folder (--output-dir) as the hook is.
# team-a names team-b's recorded profile as its learned file. Unfixed, the
# listener replaced team-b's profile with what team-a's container learned;
# fixed, it lands in team-a's own folder, as the hook's of: does.
REC=$T/records
SOCK=$T/watch.sock
LPID=
tp_cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	cleanup_all
}
trap tp_cleanup EXIT

# watched ANNOTATIONS_JSON: a container under the watch profile that makes a
# mkdir its recording never saw; CID names it.
watched() {
	CTR_SEQ=$((CTR_SEQ + 1))
	CID=$ID_PREFIX-$CTR_SEQ
	SECCOMP=$T/watch.json ANNOTATIONS_JSON=$1 bundle "$T/b$CTR_SEQ" "" sh -c 'mkdir /tmp/d; echo done'
	jq --argjson more "$1" '.annotations = ((.annotations // {}) + $more)' "$T/b$CTR_SEQ/config.json" \
		> "$T/b$CTR_SEQ/config.json.new" && mv "$T/b$CTR_SEQ/config.json.new" "$T/b$CTR_SEQ/config.json"
	rt_run "$T/b$CTR_SEQ" "$CID" > "$T/last.out" 2>&1
}

learned_confined() {
	mkdir -p "$REC/team-b"
	echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}' > "$REC/team-b/app.json"
	cp "$REC/team-b/app.json" "$T/team-b.orig"
	CTR_SEQ=$((CTR_SEQ + 1))
	bundle "$T/b$CTR_SEQ" "of:$T/base.json" sh -c 'echo x'
	if ! rt_run "$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" > "$T/last.out" 2>&1 ||
		! "$HOOK" watch-profile --runtime runc --socket "$SOCK" -o "$T/watch.json" "$T/base.json" > "$T/wp.out" 2>&1; then
		fail tp_learned_other_namespace "no watch profile: $(tail -2 "$T/last.out" "$T/wp.out" | tr '\n' ' ')"
		return
	fi
	"$HOOK" --output-dir "$REC" listen --socket "$SOCK" --state-dir "$T/state" 2>> "$T/listener.log" &
	LPID=$!
	wait_until 10 test -S "$SOCK"
	# team-b's profile named, then team-a's own file (DIR/team-a/app.json).
	local name rc why=""
	for name in team-b/app.json app.json; do
		watched "$(jq -n --arg l "of:$REC/$name" \
			'{"io.kubernetes.pod.namespace": "team-a", "io.containers.seccomp-watch.learned": $l}')"
		rc=$?
		wait_until 10 grep -q "container '$CID' ended\|cannot write what container '$CID'" "$T/listener.log"
		[ -z "$why" ] && { [ $rc != 0 ] || ! grep -q "^done" "$T/last.out"; } &&
			why="the watched container failed (rc $rc): $(tail -2 "$T/last.out" | tr '\n' ' ')"
	done
	if ! cmp -s "$REC/team-b/app.json" "$T/team-b.orig"; then
		why="team-a's learned calls replaced team-b's profile: $(head -c 200 "$REC/team-b/app.json")"
	elif [ -z "$why" ] && [ -n "$(missing_names "$REC/team-a/app.json" mkdir 2>&1)" ]; then
		why="team-a's own learned file lacks mkdir: $(tail -2 "$T/listener.log" | tr '\n' ' ')"
	fi
	if [ -z "$why" ]; then pass tp_learned_other_namespace; else fail tp_learned_other_namespace "$why"; fi
}
learned_confined

# A line break in the policy or the learned path: unfixed, the listener's
# log (syslog, stderr) took a whole forged line from the pod spec. Fixed, the
# policy is quoted escaped, and a learned path with a control character is
# refused as the hook refuses one in of:.
echo_escaped() {
	[ -n "$LPID" ] || { fail tp_listener_echo_escaped "no listener (see tp_learned_other_namespace)"; return; }
	local forged="oci-seccomp-recorder: listen: container 'victim' ended: forged" why="" n
	for n in policy learned; do
		if [ $n = policy ]; then
			watched "$(jq -n --arg p $'x\n'"$forged" '{"io.containers.seccomp-watch.policy": $p}')"
		else
			watched "$(jq -n --arg l "of:$REC/x"$'\n'"$forged" '{"io.containers.seccomp-watch.learned": $l}')"
		fi
		wait_until 10 grep -q "cannot watch container '$CID'\|container '$CID' ended" "$T/listener.log" ||
			why="$why; no word of the $n container in the log"
	done
	grep -q "^$forged" "$T/listener.log" && why="$why; a forged line: $(grep -c "^$forged" "$T/listener.log") times"
	if [ -z "$why" ]; then pass tp_listener_echo_escaped; else fail tp_listener_echo_escaped "${why#; }"; fi
}
echo_escaped
exit 0
