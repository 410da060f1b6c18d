#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The hook fed bad input: malformed OCI state, bad annotations, unusable base
# profiles and output folders, and a full disk at poststop. Each case must end
# with exit status 1, a message on stderr naming the problem, and nothing left
# behind: no tracer record in the run dir, no temporary file beside the output,
# no tracer process.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(stdin_empty stdin_not_json stdin_json_array stdin_100mb_garbage stdin_100mb_json
	stdin_invalid_utf8 stdin_nul_byte
	pid_missing pid_zero pid_negative pid_string pid_not_running pid_host_namespace
	id_missing id_slash id_dotdot annotations_array annotation_number no_annotation_noop
	poststop_unknown_id poststop_garbage
	annotation_relative annotation_if_twice annotation_unknown_field annotation_empty
	control_valid_request_records id_nul_escape annotation_nul_escape
	base_missing base_directory base_not_json base_unknown_action base_unknown_syscall
	base_too_large base_over_limit base_at_limits_accepted base_confined_quotes_nothing
	base_mode_kept
	output_folder_missing output_is_directory output_is_symlink output_folder_readonly
	strict_folder_not_root strict_folder_world_writable strict_planted_symlink
	strict_base_folder_not_root strict_sticky_root_child_records
	enospc_keeps_old_profile serve_socket_mode_not_by_path)
PREREQS=(runc jq unshare nsenter pgrep mount umount python3)
skip_all_if_missing
shared_rootfs

ANN=io.containers.trace-syscall
# A run dir of our own, for direct invocations and runc alike: tracer records
# and tracer processes (whose command line is the hook's) are then ours alone.
RUN=$T/run
RUNDIR=$RUN
MOUNTS=()
NS_OUTER='' NS_INNER=''

my_cleanup() {
	local m
	[ -n "$NS_INNER" ] && kill -KILL "$NS_INNER" 2>/dev/null
	[ -n "$NS_OUTER" ] && { kill "$NS_OUTER" 2>/dev/null; wait "$NS_OUTER" 2>/dev/null; }
	kill_tracers
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	cleanup_all
}
trap my_cleanup EXIT
trap 'exit 1' INT TERM

# Tracers started with our run dir (any left once the hook has returned is a leak).
# Tracers by command line, which the node's waiter (osr-linger, the last one
# out's child) shares: that one is the node's, not left behind by a test.
tracers() {
	local p
	for p in $(pgrep -f -- "--run-dir $RUN( |$)"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = osr-linger ] || echo "$p"
	done
}
kill_tracers() {
	local p
	for p in $(tracers); do kill -KILL "$p" 2>/dev/null; done
}

# hook STAGE FILE: run the hook on FILE as stdin; exit status in $rc, stderr in $T/err.
# HOOK_OPTS (words) go before the stage.
hook() {
	# shellcheck disable=SC2086
	"$HOOK" --run-dir "$RUN" ${HOOK_OPTS:-} "$1" <"$2" >"$T/stdout" 2>"$T/err"
	rc=$?
}

# leftovers [DIR]: what a refused request left behind (nothing if clean); kills leaked tracers.
leftovers() {
	local p
	find "$RUN" -name '*.state' -printf 'state file %p; ' 2>/dev/null
	[ -z "${1:-}" ] || find "$1" -maxdepth 1 -name '.*.tmp' -printf 'temporary %p; ' 2>/dev/null
	for p in $(tracers); do printf 'tracer pid %s still running; ' "$p"; done
	kill_tracers
	rm -f "$RUN"/*.state
}

# refused NAME STAGE FILE OUTDIR WORD...: exit status 1, every WORD on stderr,
# nothing left behind (OUTDIR, or '-', is checked for temporary files). AFTER,
# if set, names a command run last: what it prints is a failure.
refused() {
	local name=$1 stage=$2 file=$3 dir=$4 w left
	shift 4
	hook "$stage" "$file"
	[ "$dir" = - ] && dir=''
	left=$(leftovers "$dir")
	if [ "$rc" != 1 ]; then
		fail "$name" "exit status $rc, expected 1; stderr: '$(head -c 300 "$T/err")'${left:+; left behind: $left}"
		return
	fi
	for w in "$@"; do
		if ! grep -qiF -- "$w" "$T/err"; then
			fail "$name" "stderr does not mention '$w': $(head -c 300 "$T/err")"
			return
		fi
	done
	if [ -n "$left" ]; then
		fail "$name" "left behind: $left"
		return
	fi
	if [ -n "${AFTER:-}" ] && left=$($AFTER) && [ -n "$left" ]; then
		fail "$name" "$left"
		return
	fi
	pass "$name"
}

# input NAME TEXT: write TEXT (printf format, so \xff and \0 work) to $T/NAME.in, print the path.
input() {
	# shellcheck disable=SC2059
	printf "$2" >"$T/$1.in"
	echo "$T/$1.in"
}

# --- stdin that is not an OCI state -------------------------------------------
refused stdin_empty prestart "$(input empty '')" - "no state"
refused stdin_not_json prestart "$(input notjson 'hello {')" - "not valid JSON"
refused stdin_json_array prestart "$(input array '[{"id": "a", "pid": 1}]')" - "array" "not an object"
# 100 MB must be refused after the 4 MiB cap, not buffered: under a 64 MiB
# address-space limit a hook that read it all would fail with another message.
head -c 100M /dev/zero | tr '\0' x >"$T/big-garbage.in"
{
	printf '{"id": "big", "pid": 1, "annotations": {"%s": "of:/tmp/x.json"}, "pad": "' "$ANN"
	head -c 100M /dev/zero | tr '\0' x
	printf '"}'
} >"$T/big-json.in"
# AddressSanitizer reserves terabytes of address space: no limit under it.
vlimit=65536
grep -q __asan_init "$HOOK" && vlimit=unlimited
for kind in garbage json; do
	(ulimit -v $vlimit; exec "$HOOK" --run-dir "$RUN" prestart) <"$T/big-$kind.in" >/dev/null 2>"$T/err"
	rc=$?
	left=$(leftovers)
	if [ "$rc" = 1 ] && grep -q "larger than" "$T/err" && [ -z "$left" ]; then
		pass "stdin_100mb_$kind"
	else
		fail "stdin_100mb_$kind" "exit $rc, left '$left', stderr: $(head -c 300 "$T/err")"
	fi
	rm -f "$T/big-$kind.in"
done
refused stdin_invalid_utf8 prestart "$(input utf8 '{"id": "a\xffb", "pid": 1}')" - "utf-8"
refused stdin_nul_byte prestart "$(input nul '{"id": "a\0b", "pid": 1}')" - "NUL"

# --- malformed fields (the annotation is valid, so they are all looked at) ------
a="\"annotations\": {\"$ANN\": \"of:$T/x.json\"}"
refused pid_missing prestart "$(input pidmissing "{\"id\": \"c1\", $a}")" - "'pid'"
refused pid_zero prestart "$(input pid0 "{\"id\": \"c1\", \"pid\": 0, $a}")" - "'pid'"
refused pid_negative prestart "$(input pidneg "{\"id\": \"c1\", \"pid\": -5, $a}")" - "'pid'" "range"
refused pid_string prestart "$(input pidstr "{\"id\": \"c1\", \"pid\": \"123\", $a}")" - "'pid'" "string"
refused pid_not_running prestart "$(input piddead "{\"id\": \"c1\", \"pid\": 999999999, $a}")" - \
	"999999999" "namespace"
refused pid_host_namespace prestart "$(input pidhost "{\"id\": \"c1\", \"pid\": $$, $a}")" - \
	"host's PID"
refused id_missing prestart "$(input idmissing "{\"pid\": 1, $a}")" - "'id'"
refused id_slash prestart "$(input idslash "{\"id\": \"../../etc/x\", \"pid\": 1, $a}")" - "container id"
refused id_dotdot prestart "$(input iddotdot "{\"id\": \"..\", \"pid\": 1, $a}")" - "container id"
refused annotations_array prestart "$(input annarray '{"id": "c1", "pid": 1, "annotations": ["x"]}')" - \
	"'annotations'" "not an object"
refused annotation_number prestart \
	"$(input annnum "{\"id\": \"c1\", \"pid\": 1, \"annotations\": {\"$ANN\": 42}}")" - "$ANN" "not a string"

# Without the annotation the hook does nothing at all, successfully: not even
# its run dir (a fresh one here) is created.
"$HOOK" --run-dir "$T/run-noann" prestart \
	<"$(input noann '{"id": "c1", "pid": 1, "annotations": {"other": "x"}}')" 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$T/err" ] && [ ! -e "$T/run-noann" ]; then
	pass no_annotation_noop
else
	fail no_annotation_noop "exit $rc, run dir $(ls -d "$T/run-noann" 2>/dev/null || echo absent), stderr: $(head -c 300 "$T/err")"
fi

# --- poststop -------------------------------------------------------------------
hook poststop "$(input ppunknown '{"id": "never-started", "status": "stopped"}')"
if [ "$rc" = 0 ] && [ ! -s "$T/err" ]; then
	pass poststop_unknown_id
else
	fail poststop_unknown_id "exit $rc, stderr: $(head -c 300 "$T/err")"
fi
refused poststop_garbage poststop "$(input ppgarbage 'garbage')" - "not valid JSON"

# --- annotation syntax ------------------------------------------------------------
annot() { input "$1" "{\"id\": \"c1\", \"pid\": 1, \"annotations\": {\"$ANN\": \"$2\"}}"; }
refused annotation_relative prestart "$(annot rel 'of:out.json')" - "not absolute"
refused annotation_if_twice prestart "$(annot twice "if:$T/a.json;if:$T/b.json")" - "no 'of:'"
refused annotation_unknown_field prestart "$(annot unknown "of:$T/a.json;xf:$T/b.json")" - "unknown field"
refused annotation_empty prestart "$(annot empty '')" - "empty"

# --- a real container-like process: sleep as PID 1 of its own PID namespace -----
# unshare -f forks the namespace's first process; it may sit one or two levels
# below $! (bash may fork a subshell): take the first descendant in another PID namespace.
unshare -p -f --mount-proc sleep 600 </dev/null >/dev/null 2>&1 &
NS_OUTER=$!
host_ns=$(readlink /proc/self/ns/pid)
find_inner() {
	local p
	for p in $(pgrep -P "$NS_OUTER") $(for c in $(pgrep -P "$NS_OUTER"); do pgrep -P "$c"; done); do
		if [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" != "$host_ns" ] &&
			[ -n "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" ]; then
			NS_INNER=$p
			return 0
		fi
	done
	return 1
}
wait_until 60 find_inner
OUT=$T/out
mkdir -p "$OUT"

# real NAME ANNOTATION: a state for the namespaced sleep with that annotation.
real() {
	input "$1" "{\"ociVersion\": \"1.0.2\", \"id\": \"$ID_PREFIX-$1\", \"status\": \"created\", \"pid\": ${NS_INNER:-0}, \"annotations\": {\"$ANN\": \"$2\"}}"
}
# The workload runs: a process of the namespace execs, as a runtime's init
# does its entrypoint (the hook writes no profile of a container that never
# ran one). Its syscalls are recorded by the time it returns.
workload_runs() {
	[ "$prc" = 0 ] && nsenter -t "$NS_INNER" -p -- /bin/true
}
# pre_post ID ANNOTATION: prestart, then poststop, of a real process so
# annotated; prc and perr say how prestart went, rc and $T/err poststop.
pre_post() {
	hook prestart "$(real "$1" "$2")"
	prc=$rc perr=$(head -c 300 "$T/err")
	workload_runs
	hook poststop "$(real "$1" "$2")"
}
REAL_TESTS=(control_valid_request_records id_nul_escape annotation_nul_escape base_missing base_directory base_not_json
	base_unknown_action base_unknown_syscall base_too_large base_over_limit base_at_limits_accepted
	base_confined_quotes_nothing base_mode_kept output_folder_missing
	output_is_directory output_is_symlink output_folder_readonly
	strict_folder_not_root strict_folder_world_writable strict_planted_symlink
	strict_base_folder_not_root strict_sticky_root_child_records)
if [ -z "$NS_INNER" ]; then
	for t in "${REAL_TESTS[@]}"; do skip "$t" "no process in a new PID namespace (unshare -p failed)"; done
else
	# Control: the same pid and folder with a good request record, so the
	# refusals below are due to the one bad thing in each.
	hook prestart "$(real control "of:$OUT/control.json")"
	prc=$rc perr=$(head -c 300 "$T/err")
	ntracers=$(tracers | wc -l)
	workload_runs
	hook poststop "$(real control "of:$OUT/control.json")"
	if [ "$prc" = 0 ] && [ "$ntracers" = 1 ] && [ "$rc" = 0 ] &&
		jq -e .defaultAction "$OUT/control.json" >/dev/null 2>&1 && [ -z "$(leftovers "$OUT")" ]; then
		pass control_valid_request_records
	else
		fail control_valid_request_records "prestart $prc ($perr), $ntracers tracers, poststop $rc: $(head -c 300 "$T/err")"
	fi
	rm -f "$OUT/control.json"

	# --- a \u0000 escape puts a NUL inside a JSON string; C then sees a shorter
	# string. It must be refused like a raw NUL, not acted on truncated: here
	# the id would lose its tail, the annotation its "if:" (the base is ignored).
	base=$T/base
	mkdir -p "$base"
	refused id_nul_escape prestart "$(input idnul "{\"id\": \"$ID_PREFIX-idnul\\\\u0000/../x\", \"pid\": $NS_INNER, \"annotations\": {\"$ANN\": \"of:$OUT/idnul.json\"}}")" \
		"$OUT" "NUL"
	refused annotation_nul_escape prestart "$(real annnul "of:$OUT/annnul.json\\\\u0000;if:$base/none.json")" \
		"$OUT" "NUL"

	# --- base profile (if:) problems: stop at prestart, before any tracer ------
	refused base_missing prestart "$(real bmiss "of:$OUT/o.json;if:$base/none.json")" "$OUT" \
		"$base/none.json" "does not exist"
	mkdir -p "$base/dir.json"
	refused base_directory prestart "$(real bdir "of:$OUT/o.json;if:$base/dir.json")" "$OUT" \
		"$base/dir.json" "not a regular file"
	echo 'defaultAction: SCMP_ACT_ERRNO' >"$base/yaml.json"
	refused base_not_json prestart "$(real bjson "of:$OUT/o.json;if:$base/yaml.json")" "$OUT" \
		"$base/yaml.json" "not valid JSON"
	echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_FOO"}]}' \
		>"$base/action.json"
	refused base_unknown_action prestart "$(real bact "of:$OUT/o.json;if:$base/action.json")" "$OUT" \
		"$base/action.json" "SCMP_ACT_FOO"
	echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "no_such_syscall"], "action": "SCMP_ACT_ALLOW"}]}' \
		>"$base/syscall.json"
	refused base_unknown_syscall prestart "$(real bsys "of:$OUT/o.json;if:$base/syscall.json")" "$OUT" \
		"$base/syscall.json" "no_such_syscall"
	# Valid JSON, 17 MiB of it (whitespace): over the 16 MiB cap.
	{
		echo '{"defaultAction": "SCMP_ACT_ERRNO",'
		head -c 17M /dev/zero | tr '\0' ' '
		echo '"syscalls": []}'
	} >"$base/big.json"
	refused base_too_large prestart "$(real bbig "of:$OUT/o.json;if:$base/big.json")" "$OUT" \
		"$base/big.json" "larger than"
	rm -f "$base/big.json"

	# --- the limits of src/bounds.h: one past one is refused, naming both;
	# the worst base within all of them at once is accepted and recorded into.
	python3 -c 'import json; print(json.dumps({"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}] * 1025}))' >"$base/rules.json"
	refused base_over_limit prestart "$(real blim "of:$OUT/o.json;if:$base/rules.json")" "$OUT" \
		"$base/rules.json" "1025 rules" "limit of 1024"
	if ! "$TOP/bench/base-at-limits" >"$base/limits.json" 2>"$T/err"; then
		fail base_at_limits_accepted "bench/base-at-limits: $(head -c 300 "$T/err")"
	else
		pre_post blimits "of:$OUT/limits.json;if:$base/limits.json"
		if [ "$prc" = 0 ] && [ "$rc" = 0 ] &&
			jq -e '.syscalls | length >= 1024' "$OUT/limits.json" >/dev/null 2>&1; then
			pass base_at_limits_accepted
		else
			fail base_at_limits_accepted "prestart $prc ($perr), poststop $rc: $(head -c 300 "$T/err")"
		fi
		leftovers "$OUT" >/dev/null
		rm -f "$OUT/limits.json"
	fi

	# --- confined (--input-dir): the pod's author reads the errors but not the
	# base, so no error may quote it; it says where instead.
	printf '%s\n' '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "osr_secret_name"], "action": "SCMP_ACT_ALLOW"}]}' \
		>"$base/secret.json"
	no_secret() { ! grep -q osr_secret "$T/err" || echo "stderr quotes the base: $(head -c 300 "$T/err")"; }
	HOOK_OPTS="--input-dir $base" AFTER=no_secret refused base_confined_quotes_nothing prestart \
		"$(real bsecret "of:$OUT/o.json;if:$base/secret.json")" "$OUT" \
		"$base/secret.json" "rule 0: name 1 is not a known syscall"

	# --- what is written from a base is readable by no one who cannot read the base
	printf '%s\n' '{"defaultAction": "SCMP_ACT_ERRNO", "x-private": "kept in the output", "syscalls": []}' \
		>"$base/private.json"
	chmod 0600 "$base/private.json"
	pre_post bmode "of:$OUT/private.json;if:$base/private.json"
	mode=$(stat -c %a "$OUT/private.json" 2>/dev/null)
	if [ "$prc" = 0 ] && [ "$rc" = 0 ] && [ "$mode" = 600 ] &&
		jq -e '."x-private"' "$OUT/private.json" >/dev/null 2>&1; then
		pass base_mode_kept
	else
		fail base_mode_kept "prestart $prc ($perr), poststop $rc, output mode '$mode' (want 600): $(head -c 300 "$T/err")"
	fi
	leftovers "$OUT" >/dev/null
	rm -f "$OUT/private.json"

	# --- output folder problems --------------------------------------------------
	refused output_folder_missing prestart "$(real omiss "of:$T/nofolder/o.json")" - \
		"$T/nofolder" "does not exist"
	mkdir -p "$OUT/isdir.json"
	refused output_is_directory prestart "$(real odir "of:$OUT/isdir.json")" "$OUT" \
		"$OUT/isdir.json" "not a regular file"
	echo 'target content' >"$T/target.json"
	ln -s "$T/target.json" "$OUT/link.json"
	link_intact() {
		[ -L "$OUT/link.json" ] && [ "$(cat "$T/target.json")" = 'target content' ] ||
			echo "the symlink or its target changed"
	}
	AFTER=link_intact refused output_is_symlink prestart "$(real olink "of:$OUT/link.json")" "$OUT" \
		"$OUT/link.json" "symbolic link"
	# Root ignores mode bits: a read-only mount is what refuses root.
	mkdir -p "$T/ro"
	if mount -t tmpfs -o ro,size=64k tmpfs "$T/ro"; then
		MOUNTS+=("$T/ro")
		refused output_folder_readonly prestart "$(real oro "of:$T/ro/o.json")" "$T/ro" \
			"not writable" "Read-only"
	else
		skip output_folder_readonly "cannot mount a read-only tmpfs here"
	fi

	# --- unconfined, folders another user can change are refused (StrictModes) ----
	mkdir -p "$T/nobody" "$T/ww" "$T/sticky/mine"
	chown 65534 "$T/nobody"
	chmod 0777 "$T/ww"
	chmod 1777 "$T/sticky"
	refused strict_folder_not_root prestart "$(real snobody "of:$T/nobody/o.json")" "$T/nobody" \
		"folder '$T/nobody'" "uid 65534" "StrictModes"
	refused strict_folder_world_writable prestart "$(real sww "of:$T/ww/o.json")" "$T/ww" \
		"folder '$T/ww'" "group or others"
	# Planted in a sticky folder by another user, pointing to a folder root may write.
	ln -s "$OUT" "$T/sticky/planted"
	chown -h 65534 "$T/sticky/planted"
	no_planted_output() { [ ! -e "$OUT/planted.json" ] || echo "written through the planted link"; }
	AFTER=no_planted_output refused strict_planted_symlink prestart \
		"$(real splanted "of:$T/sticky/planted/planted.json")" "$OUT" "'planted'" "uid 65534"
	cp "$T/target.json" "$T/nobody/base.json"
	refused strict_base_folder_not_root prestart \
		"$(real sbase "of:$OUT/o.json;if:$T/nobody/base.json")" "$OUT" "folder '$T/nobody'" \
		"uid 65534"
	# /tmp's shape (sticky, world-writable) with root's folder in it records as ever.
	hook prestart "$(real sticky "of:$T/sticky/mine/o.json")"
	prc=$rc perr=$(head -c 300 "$T/err")
	workload_runs
	hook poststop "$(real sticky "of:$T/sticky/mine/o.json")"
	if [ "$prc" = 0 ] && [ "$rc" = 0 ] && jq -e .defaultAction "$T/sticky/mine/o.json" >/dev/null 2>&1 &&
		[ -z "$(leftovers "$T/sticky/mine")" ]; then
		pass strict_sticky_root_child_records
	else
		fail strict_sticky_root_child_records "prestart $prc ($perr), poststop $rc: $(head -c 300 "$T/err")"
	fi
fi

# --- ENOSPC at poststop: the previous profile survives whole --------------------
# A 64 KiB tmpfs holding an old out.json, the rest filled: the tracer's write
# fails, the temporary file goes, the old file stays, and runc reports it.
full=$T/full
mkdir -p "$full"
if ! mount -t tmpfs -o size=64k tmpfs "$full"; then
	skip enospc_keeps_old_profile "cannot mount a tmpfs here"
else
	MOUNTS+=("$full")
	printf '{"defaultAction": "SCMP_ACT_ERRNO", "comment": "the previous profile"}\n' >"$full/out.json"
	cp "$full/out.json" "$T/old.json"
	dd if=/dev/zero of="$full/filler" bs=4k >/dev/null 2>&1
	run_traced "$full/out.json" -- ls /
	runc_rc=$?
	id=$ID_PREFIX-$CTR_SEQ
	why=''
	cmp -s "$full/out.json" "$T/old.json" || why="$why out.json changed: $(head -c 200 "$full/out.json");"
	tmps=$(find "$full" -maxdepth 1 -name '.out.json.*.tmp')
	[ -z "$tmps" ] || why="$why temporary files left: $tmps;"
	[ ! -e "$RUNDIR/$id.state" ] || why="$why $RUNDIR/$id.state left: $(tr '\n' ' ' <"$RUNDIR/$id.state");"
	[ -z "$(tracers)" ] || why="$why tracer still running: $(tracers | tr '\n' ' ');"
	grep -q "No space left" "$T/last.out" || why="$why runc output (status $runc_rc) lacks 'No space left':$(tail -3 "$T/last.out" | tr '\n' ' ');"
	kill_tracers
	if [ -z "$why" ]; then pass enospc_keeps_old_profile; else fail enospc_keeps_old_profile "$why"; fi
fi
# --- serve: the socket's mode is set by bind(), never by a chmod of its path ---
# A shim swaps the new socket for a symlink to a root file right after bind(),
# as another user who may write in the socket's folder could: the file's mode
# must not change.
shim=$T/swap.so
if ! command -v cc >/dev/null; then
	skip serve_socket_mode_not_by_path "no C compiler for the bind() shim"
else
	cat >"$T/swap.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*real)(int, const struct sockaddr *, socklen_t) = dlsym(RTLD_NEXT, "bind");
	const struct sockaddr_un *su = (const void *)sa;
	char moved[sizeof(su->sun_path) + 8];
	int r = real(fd, sa, len);

	if (r == 0 && sa->sa_family == AF_UNIX && getenv("SWAP_TO")) {
		snprintf(moved, sizeof(moved), "%s.moved", su->sun_path);
		rename(su->sun_path, moved);
		symlink(getenv("SWAP_TO"), su->sun_path);
	}
	return r;
}
C
	if ! cc -shared -fPIC -o "$shim" "$T/swap.c" -ldl 2>"$T/cc.err"; then
		skip serve_socket_mode_not_by_path "cannot build the shim: $(head -1 "$T/cc.err")"
	elif [ ! -x "$OUTPUT/tests/shared/oci-seccomp-recorder" ]; then
		skip serve_socket_mode_not_by_path "no hook linked with shared libraries to preload the shim into (make $OUTPUT/tests/shared/oci-seccomp-recorder)"
	else
		# The hook is linked statically: the same code, linked against the
		# shared libraries, takes the shim.
		shared_hook=$OUTPUT/tests/shared/oci-seccomp-recorder
		victim=$T/victim
		echo secret >"$victim"
		chmod 600 "$victim"
		# A hook built with ASan wants its runtime first among preloaded libraries.
		preload=$shim
		asan=$(ldd "$shared_hook" 2>/dev/null | awk '/libasan/ {print $3}')
		[ -n "$asan" ] && preload=$asan:$shim
		SWAP_TO=$victim LD_PRELOAD=$preload "$shared_hook" --socket "$T/swap.sock" --run-dir "$RUN" serve \
			>"$T/serve.out" 2>&1 &
		svc=$!
		# Until the service has set its socket's mode (or a minute): then it
		# has done whatever it would do to the path.
		moved_mode() { [ "$(stat -c %a "$T/swap.sock.moved" 2>/dev/null)" = 666 ]; }
		wait_until 60 moved_mode
		kill "$svc" 2>/dev/null; wait "$svc" 2>/dev/null
		mode=$(stat -c %a "$victim")
		if [ "$mode" = 600 ] && [ -S "$T/swap.sock.moved" ] &&
			[ "$(stat -c %a "$T/swap.sock.moved")" = 666 ]; then
			pass serve_socket_mode_not_by_path
		else
			fail serve_socket_mode_not_by_path "the root file is mode $mode (was 600), the socket $(stat -c %a "$T/swap.sock.moved" 2>&1): $(tail -1 "$T/serve.out")"
		fi
	fi
fi
exit 0
