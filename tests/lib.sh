# SPDX-License-Identifier: GPL-2.0-only
# Shared by the integration tests: reporting, prerequisites, a busybox rootfs
# built on the spot, and runc bundles with the hook wired in.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTPUT=${OUTPUT:-build}
case $OUTPUT in /*) ;; *) OUTPUT=$TOP/$OUTPUT ;; esac
HOOK=$OUTPUT/oci-seccomp-recorder
HELPERS=$OUTPUT/tests/helpers
WORK=${OSR_TEST_WORK:-$TOP/tests/.work}
RUNDIR=${OSR_TEST_RUNDIR:-/run/oci-seccomp-recorder}
T=$WORK/$(basename "$0" .sh).$$
ID_PREFIX=osr-$(basename "$0" .sh | tr -c 'a-z0-9\n' -)-$$
mkdir -p "$T"

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
skip() { echo "SKIP: $1: $2"; }

# Why the integration tests cannot run here, or nothing if they can.
missing_prereq() {
	[ "$(id -u)" = 0 ] || { echo "needs root (BPF and runc)"; return; }
	[ -r /sys/kernel/btf/vmlinux ] || { echo "kernel has no BTF at /sys/kernel/btf/vmlinux"; return; }
	[ -x "$HOOK" ] || { echo "$HOOK is not built (run make)"; return; }
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { echo "'$c' is not installed (make deps)"; return; }
	done
	[ -x /bin/busybox ] || { echo "busybox-static is not installed (make deps)"; return; }
}

# Why this kernel serves no ia32 syscalls (int 0x80 from a 64-bit process), or
# nothing if it does. Kernels built without IA32_EMULATION, or booted with
# ia32_emulation=0, kill the caller with SIGSEGV: the probe runs in a subshell
# that is not its last command (so bash does not exec it) with the subshell's
# stderr dropped, or bash reports "Segmentation fault" on the test's output.
# Any other failure is left for the test to report.
ia32_missing() {
	[ "$(uname -m)" = x86_64 ] || { echo "int 0x80 is x86-64's"; return; }
	local rc
	rc=$( ("$HELPERS/osr-workload" ia32 >/dev/null 2>&1; echo $?) 2>/dev/null)
	[ "$rc" = $((128 + 11)) ] &&
		echo "this kernel serves no ia32 syscalls (int 0x80 gets SIGSEGV: no IA32_EMULATION, or ia32_emulation=0)"
}

# progress MESSAGE: a line for whoever watches a long test, at most one every
# 10 s. It starts with '#': tests/run passes it through without counting it.
PROGRESS_AT=0
progress() {
	[ $SECONDS -ge $PROGRESS_AT ] || return 0
	PROGRESS_AT=$((SECONDS + 10))
	echo "# $*"
}

# skip_all NAME...: report every named test as skipped with the reason, then exit.
skip_all_if_missing() {
	local why
	why=$(missing_prereq "${PREREQS[@]}")
	[ -z "$why" ] && return 0
	local t
	for t in "${TESTS[@]}"; do skip "$t" "$why"; done
	exit 0
}

cleanup_all() {
	local id
	for id in $(runc list -q 2>/dev/null | grep "^$ID_PREFIX" || true); do
		runc delete -f "$id" >/dev/null 2>&1
	done
	if command -v crun >/dev/null; then
		for id in $(crun list -q 2>/dev/null | grep "^$ID_PREFIX" || true); do
			crun delete -f "$id" >/dev/null 2>&1
		done
	fi
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$T"
}
trap cleanup_all EXIT

# A burst of idle recordings (burst.sh, bench/burst), as a node's idle
# containers: each `record` runs a shell that waits, without polling, for a
# line on $T/go.fifo. burst_record OUT ERR starts one in the background;
# burst_release N hands out N lines, one each, so they all end; burst_close
# lets the fifo go once they have.
burst_record() {
	[ -p "$T/go.fifo" ] || mkfifo "$T/go.fifo"
	"$HOOK" --run-dir "$RUNDIR" record -o "$1" -- /bin/sh -c "read x < '$T/go.fifo'" >/dev/null 2>"$2" &
}
BURST_FD=
burst_release() {
	[ -p "$T/go.fifo" ] || return 0
	[ -n "$BURST_FD" ] || exec {BURST_FD}<>"$T/go.fifo"
	yes '' | head -n "$1" >&"$BURST_FD"
}
burst_close() {
	[ -z "$BURST_FD" ] || exec {BURST_FD}>&-
	BURST_FD=
}

# Watch mode's listener (watch.sh, watch-apps.sh): listener_start runs one
# at $SOCK with its state in $STATE, its pid in LPID, and returns once the
# socket is there; listener_stop ends it.
LPID=
listener_start() {
	"$HOOK" listen --socket "$SOCK" --state-dir "$STATE" 2>>"$T/listener.log" &
	LPID=$!
	wait_until 10 test -S "$SOCK"
}
listener_stop() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null
	LPID=
}

# make_rootfs DIR: busybox-static and the test helpers, nothing else.
make_rootfs() {
	local dir=$1 a
	mkdir -p "$dir"/{bin,proc,dev,sys,tmp,etc,root}
	cp /bin/busybox "$dir/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" > "$dir/etc/passwd"
	echo "root:x:0:" > "$dir/etc/group"
	if [ -d "$HELPERS" ]; then
		cp "$HELPERS"/* "$dir/bin/" 2>/dev/null || true
	fi
}

# Where the program's maps are pinned: the ABI version is src/bpfmaps.h's.
PIN=/sys/fs/bpf/oci-seccomp-recorder/$(sed -n 's/^#define OSR_BPF_ABI "\(.*\)"$/\1/p' "$TOP/src/bpfmaps.h")

# le32 N: N as the four bytes, lowest first, bpftool takes for a key or value.
le32() { printf '0x%02x 0x%02x 0x%02x 0x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }

# tracer_entries PID: how many recordings the node's program holds for tracer
# PID (their value's first 32-bit word); 0 when the program is not loaded.
tracer_entries() {
	local n
	n=$(bpftool -j map dump pinned "$PIN/recordings" 2>/dev/null | jq --argjson p "$1" '
		def byte: ltrimstr("0x") | explode | reduce .[] as $c (0; . * 16 + $c - (if $c >= 97 then 87 else 48 end));
		if type == "array" then [.[] | select((.value[0:4] | map(byte) |
			.[0] + .[1] * 256 + .[2] * 65536 + .[3] * 16777216) == $p)] | length else empty end')
	if [ -z "$n" ] && [ ! -e "$PIN/recordings" ]; then n=0; fi
	echo "${n:-?}"
}

# program_idle: the node's program is detached (or unloaded), or some
# recording holds it (the last one out detaches it; entering and leaving pass
# through an empty map under the node's lock, so a caller polls this).
program_idle() {
	[ ! -e "$PIN/link" ] ||
		[ "$(bpftool -j map dump pinned "$PIN/recordings" 2>/dev/null |
			jq 'if type == "array" then length else 0 end')" -gt 0 ] 2>/dev/null
}

ROOTFS=$WORK/rootfs
# One rootfs for every script: built once, read-only in the containers.
shared_rootfs() {
	# A helper rebuilt in place leaves its folder's time as it was: look at the files.
	if [ ! -x "$ROOTFS/bin/busybox" ] || [ -n "$(find "$HELPERS" -newer "$ROOTFS/.built" 2>/dev/null)" ]; then
		rm -rf "$ROOTFS.tmp.$$"
		make_rootfs "$ROOTFS.tmp.$$"
		touch "$ROOTFS.tmp.$$/.built"
		rm -rf "$ROOTFS"
		mv "$ROOTFS.tmp.$$" "$ROOTFS" 2>/dev/null || rm -rf "$ROOTFS.tmp.$$"
	fi
}

# A root of the host's own programs, read-only (for real servers: nginx,
# redis, python): /usr and /etc bound in, the usual symlinks to /usr.
HOSTROOT=$WORK/hostroot
host_root() {
	[ -d "$HOSTROOT/usr" ] && return 0
	mkdir -p "$HOSTROOT.tmp.$$"/{usr,etc,proc,dev,sys,tmp,run,conf}
	local l
	for l in bin lib lib64 sbin; do [ -e "/$l" ] && ln -s "usr/$l" "$HOSTROOT.tmp.$$/$l"; done
	mv "$HOSTROOT.tmp.$$" "$HOSTROOT" 2>/dev/null || rm -rf "$HOSTROOT.tmp.$$"
}

# bundle DIR ANNOTATION ARGS...: a runc bundle running ARGS, with the hook and
# (when ANNOTATION is not empty) the trace annotation. SECCOMP (a profile file)
# puts the container under that profile; HOOK_ARGS_JSON (a JSON array) adds
# options to both stages; CAPS_ADD (comma-separated) adds capabilities; NNP
# (true/false) sets process.noNewPrivileges; ANNOTATIONS_JSON (an object)
# adds annotations beside the trace one. HOST_ROOT=CONF runs ARGS on the
# host's programs (host_root), in the host's network, with folder CONF at /conf.
# CTR_USER=UID:GID runs ARGS as that user.
# OSR_BPF_VARIANT, if set, is passed on to the hooks (runc gives them no other environment).
bundle() {
	local dir=$1 ann=$2; shift 2
	mkdir -p "$dir"
	local args
	args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	(cd "$dir" && rm -f config.json && runc spec)
	jq --arg hook "$HOOK" --arg root "$ROOTFS" --arg ann "$ann" --argjson args "$args" \
		--arg rundir "$RUNDIR" --argjson extra "${HOOK_ARGS_JSON:-[]}" \
		--arg caps "${CAPS_ADD:-}" --arg nnp "${NNP:-}" --arg variant "${OSR_BPF_VARIANT:-}" \
		--argjson moreann "${ANNOTATIONS_JSON:-{\}}" '
		.process.terminal = false | .process.args = $args | .root.path = $root |
		.root.readonly = true |
		.mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
			"options": ["nosuid", "nodev", "mode=1777"]}] |
		.hooks = {
			"prestart": [{"path": $hook,
				"args": (["oci-seccomp-recorder", "--run-dir", $rundir] + $extra + ["prestart"])}],
			"poststop": [{"path": $hook,
				"args": (["oci-seccomp-recorder", "--run-dir", $rundir] + $extra + ["poststop"])}]
		} |
		if $ann == "" then . else
			.annotations = ({"io.containers.trace-syscall": $ann} + $moreann) end |
		if $nnp == "" then . else .process.noNewPrivileges = ($nnp == "true") end |
		if $variant == "" then . else
			.hooks |= map_values(map(.env = ["OSR_BPF_VARIANT=" + $variant])) end |
		if $caps == "" then . else
			.process.capabilities |= with_entries(.value += ($caps | split(","))) end
	' "$dir/config.json" > "$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
	if [ -n "${HOST_ROOT:-}" ]; then
		host_root
		# A /tmp of its own that any user may write (runc 1.1 leaves a tmpfs 0755).
		mkdir -p "$dir/tmp" && chmod 1777 "$dir/tmp"
		jq --arg root "$HOSTROOT" --arg conf "$HOST_ROOT" --arg tmp "$dir/tmp" '.root.path = $root |
			.mounts |= map(select(.destination != "/tmp")) |
			.mounts += [{"destination": "/tmp", "type": "bind", "source": $tmp, "options": ["rbind", "rw"]}] |
			.linux.namespaces |= map(select(.type != "network")) |
			.mounts += [{"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
				{"destination": "/etc", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]},
				{"destination": "/conf", "type": "bind", "source": $conf, "options": ["rbind", "ro"]},
				{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]' \
			"$dir/config.json" > "$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
	fi
	if [ -n "${CTR_USER:-}" ]; then
		jq --argjson u "${CTR_USER%%:*}" --argjson g "${CTR_USER##*:}" \
			'.process.user = {"uid": $u, "gid": $g}' "$dir/config.json" > "$dir/config.json.new" &&
			mv "$dir/config.json.new" "$dir/config.json"
	fi
	if [ -n "${SECCOMP:-}" ]; then
		jq --slurpfile p "$SECCOMP" '.linux.seccomp = $p[0]' "$dir/config.json" \
			> "$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
	fi
}

# crun, in a private mount namespace where the host has hybrid cgroups.
CRUN=$TOP/tests/crun-hybrid/crun
# rt_run DIR ID: run the bundle in DIR under $RUNTIME (runc, the default, or crun).
rt_run() {
	case ${RUNTIME:-runc} in
	runc) (cd "$1" && runc run "$2" </dev/null) ;;
	crun) (cd "$1" && "$CRUN" run "$2" </dev/null) ;;
	*) echo "unknown RUNTIME '$RUNTIME'" >&2; return 2 ;;
	esac
}

CTR_SEQ=0
# run_traced OUT [BASE] -- ARGS...: run ARGS in a traced container; the
# container's output goes to $T/last.out, the runtime's exit status is returned.
run_traced() {
	local out=$1 ann; shift
	ann="of:$out"
	if [ "$1" != -- ]; then ann="$ann;if:$1"; shift; fi
	shift
	CTR_SEQ=$((CTR_SEQ + 1))
	local id=$ID_PREFIX-$CTR_SEQ
	bundle "$T/b$CTR_SEQ" "$ann" "$@"
	rt_run "$T/b$CTR_SEQ" "$id" >"$T/last.out" 2>&1
}

# run_bg ANN ARGS...: `runc run` of ARGS in the background, traced with the
# annotation ANN; sets CID (the container's id) and RPID (runc's pid), its
# output in $T/bgN.out.
run_bg() {
	local ann=$1; shift
	CTR_SEQ=$((CTR_SEQ + 1))
	CID=$ID_PREFIX-$CTR_SEQ
	bundle "$T/b$CTR_SEQ" "$ann" "$@"
	(cd "$T/b$CTR_SEQ" && exec runc run "$CID" </dev/null >"$T/bg$CTR_SEQ.out" 2>&1) &
	RPID=$!
}

# run_under PROFILE ARGS...: run ARGS (untraced) under a seccomp profile.
run_under() {
	local profile=$1; shift
	CTR_SEQ=$((CTR_SEQ + 1))
	local id=$ID_PREFIX-$CTR_SEQ
	SECCOMP=$profile bundle "$T/b$CTR_SEQ" "" "$@"
	rt_run "$T/b$CTR_SEQ" "$id" >"$T/last.out" 2>&1
}

# run_on RT NNP ANN PROFILE ARGS...: run ARGS under runtime RT (runc, crun,
# podman-runc, podman-crun) with noNewPrivileges NNP, traced (ANN: the
# annotation value, or "") and/or under PROFILE (or ""); HOST_ROOT as for
# bundle. Output in $T/last.out; returns the runtime's status. podman runs
# with the shipped hooks.d files (or those in PODMAN_HOOKS) and a rootfs of
# its own (it adds mount points to one); PODMAN_LAST names the container;
# podman_cleanup removes them.
PODMAN_NAMES=()
podman_cleanup() {
	local n
	for n in "${PODMAN_NAMES[@]}"; do podman rm -f "$n" >/dev/null 2>&1; done
	cleanup_all
}
run_on() {
	local rt=$1 nnp=$2 ann=$3 prof=$4; shift 4
	case $rt in
	runc | crun)
		CTR_SEQ=$((CTR_SEQ + 1))
		NNP=$nnp SECCOMP=$prof bundle "$T/b$CTR_SEQ" "$ann" "$@"
		RUNTIME=$rt rt_run "$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" >"$T/last.out" 2>&1
		return
		;;
	podman-runc | podman-crun) ;;
	*) echo "unknown runtime '$rt'" >&2; return 2 ;;
	esac
	local name=$ID_PREFIX-p$((CTR_SEQ += 1)) opts=() root=$T/podman-rootfs runtime=runc f
	if [ ! -d "$T/podman-hooks.d" ]; then
		mkdir -p "$T/podman-hooks.d"
		for f in "$TOP"/hooks.d/*.json.in; do
			sed "s|@HOOK@|$HOOK|" "$f" > "$T/podman-hooks.d/$(basename "$f" .in)"
		done
		make_rootfs "$root"
	fi
	PODMAN_NAMES+=("$name")
	PODMAN_LAST=$name
	[ "$nnp" = true ] && opts+=(--security-opt no-new-privileges)
	[ -n "$ann" ] && opts+=(--annotation "io.containers.trace-syscall=$ann")
	[ -n "$prof" ] && opts+=(--security-opt "seccomp=$prof")
	local a
	while read -r a; do [ -n "$a" ] && opts+=(--annotation "$a"); done < <(jq -r 'to_entries[] | "\(.key)=\(.value)"' <<<"${ANNOTATIONS_JSON:-{\}}")
	if [ -n "${HOST_ROOT:-}" ]; then
		root=$T/podman-hostroot
		[ -d "$root/usr" ] || { mkdir -p "$root"/{usr,etc,tmp,run,conf}; for f in bin lib lib64 sbin; do [ -e "/$f" ] && ln -s "usr/$f" "$root/$f"; done; }
		# A /tmp any user may write (runc 1.1 leaves a tmpfs 0755).
		mkdir -p "$T/$name.tmp" && chmod 1777 "$T/$name.tmp"
		opts+=(-v /usr:/usr:ro -v /etc:/etc:ro -v "$HOST_ROOT:/conf:ro" -v "$T/$name.tmp:/tmp"
			--network host)
	else
		opts+=(--network none --tmpfs /tmp)
	fi
	[ -n "${CTR_USER:-}" ] && opts+=(--user "$CTR_USER")
	[ "$rt" = podman-crun ] && runtime=$CRUN
	podman run --name "$name" --runtime "$runtime" --ulimit nofile=20000:20000 \
		--ulimit nproc=4096:4096 --hooks-dir "${PODMAN_HOOKS:-$T/podman-hooks.d}" \
		"${opts[@]}" --rootfs "$root" "$@" </dev/null >"$T/last.out" 2>&1
}

# The names a profile allows, one a line.
allowed_names() {
	jq -r '.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]' "$1" | sort -u
}

# The argument conditions a profile allows under, one "NAME [conditions]" a line.
allowed_conditions() {
	jq -r '.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and .args) | .names[] as $n |
		"\($n) \(.args | tojson)"' "$1" | sort -u
}

# has_all PROFILE NAME...: prints the names missing from the profile's allows.
missing_names() {
	local p=$1 n; shift
	for n in "$@"; do
		allowed_names "$p" | grep -qx "$n" || printf '%s ' "$n"
	done
}

# seen ID NAME...: the running recording of container ID (`report`) has every NAME.
seen() {
	local id=$1; shift
	"$HOOK" --run-dir "$RUNDIR" report "$id" > "$T/seen.json" 2>/dev/null &&
		[ -z "$(missing_names "$T/seen.json" "$@")" ]
}

# wait_until SECONDS CMD...: poll CMD every 50 ms until it succeeds (0) or time runs out (1).
wait_until() {
	local deadline=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

# record_field ID KEY: a field of the tracer record of a container.
record_field() {
	sed -n "s/^$2=//p" "$RUNDIR/$1.state" 2>/dev/null
}
