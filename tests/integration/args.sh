#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Argument-level rules: a container's profile allows the socket families,
# namespace flags and personas it used, and refuses the same syscalls with
# others; ioctl requests and prctl options are allowed by name unless
# args=all asks for their values too; clone3 gets ENOSYS where clone is
# restricted and threads still start; past the bound a syscall is allowed
# with any value and the profile says so; args=none writes names only.
#
# The oracle for "refused by the filter": the replay's profile returns errno
# 133 (EHWPOISON, which none of these calls returns of itself) for what it
# does not allow, so a refusal is told from the kernel's own errors.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(args_recorded_rules args_refused_runc args_refused_podman args_clone3_threads
	args_ioctl_by_name args_ioctl_all_refused args_bound_full args_none args_bad_value
	args_check_prints args_merge_unions args_yaml args_base_kept)
PREREQS=(runc podman jq)
skip_all_if_missing
shared_rootfs
trap podman_cleanup EXIT

W=osr-workload
# What the container does while recorded (in the replay's shell form, each
# call's output taken by $(...)): an IPv4 stream and a unix datagram socket
# (the latter with SOCK_CLOEXEC: flags are not part of the type), a netlink
# route socket, the persona query, unshare with no namespace, one prctl
# option, a thread.
RECORDED=("socket 2 1 0" "socket 1 0x80002 0" "socket 16 3 0" "personality 0xffffffff"
	"unshare 0" "prctl 3")
script_of() {
	local p s=""
	for p in "$@"; do s="$s echo \"$p: \$($W sys $p)\";"; done
	echo "$s $W thread"
}
RECORD_ARGS=(sh -c "$(script_of "${RECORDED[@]}")")
OUT=$T/rec.json
run_on runc false "of:$OUT" "" "${RECORD_ARGS[@]}"
wait_until 10 test -s "$OUT"

# cond NAME: the conditions of NAME's rules, one "index:mask:value ..." line a rule.
cond() {
	jq -r --arg n "$1" '.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and (.names | index($n)) and .args) |
		[.args[] | "\(.index):\(.value):\(.valueTwo)"] | join(" ")' "$OUT" | sort
}

name=args_recorded_rules
want_socket=$(printf '%s\n' "0:4294967295:1 1:4294440959:2" "0:4294967295:16 1:4294440959:3 2:4294967295:0" \
	"0:4294967295:2 1:4294440959:1" | sort)
if [ ! -s "$OUT" ]; then
	fail "$name" "no profile: $(tail -2 "$T/last.out")"
elif [ "$(cond socket)" != "$want_socket" ]; then
	fail "$name" "socket's conditions: $(cond socket | tr '\n' ';')"
elif [ "$(cond personality)" != "0:4294967295:4294967295" ]; then
	fail "$name" "personality's conditions: $(cond personality | tr '\n' ';')"
elif [ "$(cond unshare)" != "0:2114060416:0" ]; then
	fail "$name" "unshare's conditions: $(cond unshare | tr '\n' ';')"
elif [ -n "$(cond prctl)" ] || ! allowed_names "$OUT" | grep -qx prctl; then
	fail "$name" "prctl is not allowed by name (opt-in): $(cond prctl | tr '\n' ';')"
elif allowed_names "$OUT" | grep -qx socket && [ -n "$(jq -r '.syscalls[] | select(.args == null and .action == "SCMP_ACT_ALLOW") | .names[] | select(. == "socket" or . == "unshare" or . == "personality")' "$OUT")" ]; then
	fail "$name" "a restricted name is also allowed outright"
elif [ "$(jq -r '.syscalls[] | select(.names == ["clone3"]) | "\(.action) \(.errnoRet)"' "$OUT")" != "SCMP_ACT_ERRNO 38" ]; then
	fail "$name" "no clone3 ENOSYS rule"
elif ! "$HOOK" check "$OUT" >/dev/null 2>&1; then
	fail "$name" "check refuses it: $("$HOOK" check "$OUT" 2>&1 | tail -1)"
else
	pass "$name"
fi

# The replay: each call, with what it printed. Recorded calls must not be
# refused (their own errors are fine); the others must be.
jq '.defaultErrnoRet = 133' "$OUT" > "$T/replay.json"
PROBES=(
	"ok socket 2 1 0" "ok socket 2 0x80801 0" "ok socket 1 2 0" "ok socket 16 3 0"
	"ok personality 0xffffffff" "ok unshare 0" "ok prctl 3"
	"no socket 2 2 0" "no socket 10 1 0" "no socket 17 3 0x300" "no socket 16 3 9"
	"no socket 1 1 0" "no socketpair 1 1 0" "no unshare 0x10000000" "no unshare 0x20000"
	"no personality 0x0400000" "no personality 8"
	# prctl goes by name by default: options the recording never saw pass.
	"ok prctl 4 1" "ok prctl 22 0"
)
probes=()
for p in "${PROBES[@]}"; do probes+=("${p#* }"); done
script=$(script_of "${probes[@]}")
refusals() {
	local rt=$1 name=$2 bad="" p line
	if ! run_on "$rt" false "" "$T/replay.json" sh -c "$script"; then
		fail "$name" "the replay did not run: $(tail -2 "$T/last.out")"
		return
	fi
	for p in "${PROBES[@]}"; do
		line=$(grep -F "${p#* }: " "$T/last.out" | head -1)
		case $p:${line##*: } in
		ok*:"errno 133" | ok*: | no*:ok | no*: | no*:"errno "[!1]* | no*:"errno 1"[!3]*) bad="$bad [$p -> ${line##*: }]" ;;
		esac
	done
	if [ -z "$bad" ]; then
		pass "$name"
	else
		fail "$name" "wrong:$bad"
	fi
}
refusals runc args_refused_runc
refusals podman-runc args_refused_podman

# glibc's pthread_create tries clone3 first; under the profile clone3 says
# ENOSYS and it falls back to clone, which the profile allows without
# namespace flags.
name=args_clone3_threads
if run_on runc false "" "$T/replay.json" sh -c "$W thread && echo thread-ok; $W sys clone3 0 0" &&
	grep -qx thread-ok "$T/last.out" && grep -qx "errno 38" "$T/last.out"; then
	pass "$name"
else
	fail "$name" "$(tr '\n' ' ' < "$T/last.out" | head -c 300)"
fi

# A terminal's size read (busybox stty size: TCGETS, TIOCGWINSZ) on a pty
# of the container's own; replayed, the size is set (stty cols 100:
# TIOCSWINSZ), as the issue's busybox did. By default ioctl goes by name and
# the new request works; with args=all the profile holds the recorded
# requests only and refuses it. The helper's calls give the errno: EFAULT
# (14) from the kernel for a null pointer, 133 from the filter.
TTY_RECORDED="exec 0<>/dev/ptmx; stty size; echo \"get: \$($W sys ioctl 0 0x5413 0)\"; $W sys prctl 3 0 0"
# (One line each: a container's arguments are passed one a line.)
TTY_REPLAY="exec 0<>/dev/ptmx; stty cols 100 rows 30; stty size;"
TTY_REPLAY="$TTY_REPLAY echo \"get: \$($W sys ioctl 0 0x5413 0)\"; echo \"set: \$($W sys ioctl 0 0x5414 0)\";"
TTY_REPLAY="$TTY_REPLAY echo \"prctl: \$($W sys prctl 4 1 0)\""
# tty_profile NAME OUT ARGS: record TTY_RECORDED with annotation args=ARGS ("" for
# none) into OUT, and its replay profile into OUT.133; 1 (after failing NAME) if not.
tty_profile() {
	local ann='{}'
	[ -z "$3" ] || ann="{\"io.containers.trace-syscall.args\": \"$3\"}"
	if ! ANNOTATIONS_JSON=$ann run_on runc false "of:$2" "" sh -c "$TTY_RECORDED" ||
		! wait_until 10 test -s "$2"; then
		fail "$1" "recording failed: $(tail -2 "$T/last.out")"
		return 1
	fi
	jq '.defaultErrnoRet = 133' "$2" > "$2.133"
}
# ioctl_cond FILE: the requests FILE's ioctl rules allow, one a line.
ioctl_cond() {
	jq -r '.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and (.names | index("ioctl")) and .args) |
		.args[] | select(.index == 1) | .valueTwo' "$1" | sort -n | tr '\n' ' '
}

name=args_ioctl_by_name
OUT6=$T/tty.json
if tty_profile "$name" "$OUT6" ""; then
	if [ -n "$(ioctl_cond "$OUT6")" ] || ! allowed_names "$OUT6" | grep -qx ioctl; then
		fail "$name" "ioctl is not allowed by name: $(ioctl_cond "$OUT6")"
	elif ! run_on runc false "" "$OUT6.133" sh -c "$TTY_REPLAY"; then
		fail "$name" "the replay failed: $(tail -3 "$T/last.out" | tr '\n' ' ')"
	elif grep -q "^stty: " "$T/last.out" || ! grep -qx "30 100" "$T/last.out" ||
		! grep -qx "set: errno 14" "$T/last.out" || ! grep -qx "prctl: ok" "$T/last.out"; then
		fail "$name" "stty cols 100 or a new request refused: $(tr '\n' ' ' < "$T/last.out" | head -c 300)"
	else
		pass "$name"
	fi
fi

name=args_ioctl_all_refused
OUT7=$T/ttyall.json
if tty_profile "$name" "$OUT7" all; then
	# TCGETS and TIOCGWINSZ, whatever else the shell asked.
	if ! grep -qw 21505 <<<"$(ioctl_cond "$OUT7")" || ! grep -qw 21523 <<<"$(ioctl_cond "$OUT7")" ||
		grep -qw 21524 <<<"$(ioctl_cond "$OUT7")" || [ -z "$(jq -r '.syscalls[] | select(.args and (.names | index("prctl"))) | .action' "$OUT7")" ]; then
		fail "$name" "ioctl's requests: $(ioctl_cond "$OUT7"), prctl conditioned: $(jq -c '[.syscalls[] | select(.args and (.names | index("prctl")))] | length' "$OUT7")"
	elif ! run_on runc false "" "$OUT7.133" sh -c "$TTY_REPLAY"; then
		fail "$name" "the replay did not run: $(tail -3 "$T/last.out" | tr '\n' ' ')"
	# busybox's stty says so but exits 0: the size it reads back tells.
	elif grep -qx "30 100" "$T/last.out" || ! grep -q "^stty: standard input: " "$T/last.out" ||
		! grep -qx "set: errno 133" "$T/last.out" || ! grep -qx "get: errno 14" "$T/last.out" ||
		! grep -qx "prctl: errno 133" "$T/last.out"; then
		fail "$name" "wrong refusals: $(tr '\n' ' ' < "$T/last.out" | head -c 300)"
	else
		pass "$name"
	fi
fi

# More prctl options than a set keeps (asked for with args=all): prctl is
# allowed with any, and the comment says so.
name=args_bound_full
OUT2=$T/full.json
many=""
for o in 1 3 5 7 9 11 13 15 16 19 21 23 25 27 29 31 33 35 37 39; do many="$many $W sys prctl $o 0 0 >/dev/null;"; done
if ! ANNOTATIONS_JSON='{"io.containers.trace-syscall.args": "all"}' run_on runc false "of:$OUT2" "" sh -c "$many" ||
	! wait_until 10 test -s "$OUT2"; then
	fail "$name" "recording failed: $(tail -2 "$T/last.out")"
elif [ -n "$(jq -r '.syscalls[] | select(.args and (.names | index("prctl"))) | .action' "$OUT2")" ]; then
	fail "$name" "prctl kept conditions past the bound"
elif ! jq -e '.syscalls[] | select(.args == null and .action == "SCMP_ACT_ALLOW") | .names | index("prctl")' "$OUT2" >/dev/null; then
	fail "$name" "prctl is not allowed"
elif ! jq -r '.syscalls[0].comment' "$OUT2" | grep -q "with any arguments.*prctl"; then
	fail "$name" "the comment does not say so: $(jq -r '.syscalls[0].comment' "$OUT2")"
else
	pass "$name"
fi

name=args_none
OUT3=$T/none.json
if ! ANNOTATIONS_JSON='{"io.containers.trace-syscall.args": "none"}' run_on runc false "of:$OUT3" "" "${RECORD_ARGS[@]}" ||
	! wait_until 10 test -s "$OUT3"; then
	fail "$name" "recording failed: $(tail -2 "$T/last.out")"
elif [ "$(jq '[.syscalls[] | select(.args)] | length' "$OUT3")" != 0 ] ||
	[ -n "$(missing_names "$OUT3" socket personality unshare prctl)" ]; then
	fail "$name" "$(jq -c '[.syscalls[] | select(.args) | .names]' "$OUT3"), missing: $(missing_names "$OUT3" socket personality unshare prctl)"
else
	pass "$name"
fi

# A value the setting does not know is refused by name, with the accepted ones:
# by the hook (the container does not start) and by record.
name=args_bad_value
accepted="'default', 'all' or 'none'"
if ANNOTATIONS_JSON='{"io.containers.trace-syscall.args": "ioctl"}' run_on runc false "of:$T/bad.json" "" true; then
	fail "$name" "the container started with args=ioctl"
elif ! grep -qF "is 'ioctl' (expected $accepted)" "$T/last.out"; then
	fail "$name" "the hook's message: $(tail -2 "$T/last.out" | tr '\n' ' ')"
elif "$HOOK" record --args strict -- true >"$T/rec.bad" 2>&1 || ! grep -qF "'strict' is not $accepted" "$T/rec.bad"; then
	fail "$name" "record: $(tail -2 "$T/rec.bad" | tr '\n' ' ')"
else
	pass "$name"
fi

name=args_check_prints
if "$HOOK" check "$OUT" > "$T/check.out" 2>&1 &&
	grep -qx "    socket (SCMP_ACT_ALLOW): arg0 & 0xffffffff == 2, arg1 & 0xfff7f7ff == 1" "$T/check.out" &&
	grep -qx "    clone unshare (SCMP_ACT_ALLOW): arg0 & 0x7e020080 == 0" "$T/check.out"; then
	pass "$name"
else
	fail "$name" "$(grep -A12 'argument conditions' "$T/check.out" | tr '\n' '|' | head -c 400)"
fi

# Another container of the pod used IPv6 datagrams: the merged profile allows both
# containers' sockets, and still not a third kind.
name=args_merge_unions
OUT4=$T/v6.json
if ! run_on runc false "of:$OUT4" "" sh -c "$(script_of "socket 10 2 0")" || ! wait_until 10 test -s "$OUT4"; then
	fail "$name" "recording failed: $(tail -2 "$T/last.out")"
elif ! "$HOOK" merge -o "$T/merged.json" "$OUT" "$OUT4" 2>"$T/merge.err"; then
	fail "$name" "merge failed: $(cat "$T/merge.err")"
else
	jq '.defaultErrnoRet = 133' "$T/merged.json" > "$T/merged133.json"
	run_on runc false "" "$T/merged133.json" sh -c "$(script_of "socket 2 1 0" "socket 10 2 0" "socket 17 3 0x300")"
	if grep -qx "socket 2 1 0: ok" "$T/last.out" && grep -qx "socket 10 2 0: ok" "$T/last.out" &&
		grep -qx "socket 17 3 0x300: errno 133" "$T/last.out"; then
		pass "$name"
	else
		fail "$name" "$(tr '\n' ' ' < "$T/last.out" | head -c 300)"
	fi
fi

name=args_yaml
if "$HOOK" merge -o "$T/rec.yaml" "$OUT" 2>"$T/yaml.err" &&
	python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))
rules = [r for r in d["spec"]["syscalls"] if "socket" in r["names"] and r.get("args")]
assert len(rules) == 3, rules
assert any(a["index"] == 0 and a["valueTwo"] == 2 and a["op"] == "SCMP_CMP_MASKED_EQ" for r in rules for a in r["args"])
c3 = [r for r in d["spec"]["syscalls"] if r["names"] == ["clone3"]]
assert c3 and c3[0]["action"] == "SCMP_ACT_ERRNO" and c3[0]["errnoRet"] == 38, c3' "$T/rec.yaml" 2>"$T/yaml.err"; then
	pass "$name"
else
	fail "$name" "$(tail -3 "$T/yaml.err")"
fi

# A base that says something of socket and of clone3 keeps its word: its
# socket rule stands (the recording adds none), and its clone3 allow is not
# turned into ENOSYS.
name=args_base_kept
BASE=$T/base.json
echo '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
	{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
	{"names": ["clone3"], "action": "SCMP_ACT_ALLOW"}]}' > "$BASE"
OUT5=$T/based.json
if ! run_on runc false "of:$OUT5;if:$BASE" "" "${RECORD_ARGS[@]}" || ! wait_until 10 test -s "$OUT5"; then
	fail "$name" "recording failed: $(tail -2 "$T/last.out")"
elif [ "$(jq '[.syscalls[] | select(.names | index("socket"))] | length' "$OUT5")" != 1 ] ||
	[ "$(jq -c '[.syscalls[] | select(.names == ["clone3"]) | .action]' "$OUT5")" != '["SCMP_ACT_ALLOW"]' ] ||
	[ -z "$(cond unshare)" ]; then
	fail "$name" "$(jq -c '[.syscalls[] | select(.names | index("socket") or index("clone3")) ]' "$OUT5" | head -c 400)"
else
	pass "$name"
fi
exit 0
