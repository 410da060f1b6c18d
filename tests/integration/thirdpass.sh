#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A shared node, third pass (docs/SECURITY.md): what a hostile local user or
# pod author did to what landed since the second: the program's pin folder
# made first by another user.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(tp_pin_folder_squatted)
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
exit 0
