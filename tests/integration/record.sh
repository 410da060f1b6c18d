#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# record (a command on this machine) and report (a running recording), and the
# SeccompProfile output of the hook itself.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(record_thread record_grandchild record_compat_loader record_k510_loader record_variant_unknown record_exit_status record_yaml_matches_json
	record_refuses_bad_output record_relative_paths record_signalled_keeps_recording report_while_running report_after_exit hook_writes_seccompprofile
	help_and_version_everywhere)
PREREQS=(runc jq python3)
skip_all_if_missing
python3 -c 'import yaml' 2>/dev/null || { for t in "${TESTS[@]}"; do skip "$t" "python3-yaml is not installed (make deps)"; done; exit 0; }
shared_rootfs
REC=("$HOOK" --run-dir "$RUNDIR" record)

# record runs a real program: what its second thread and its grandchild do is in.
if "${REC[@]}" -o "$T/thread.json" -- "$HELPERS/osr-workload" thread 2>"$T/err" &&
	[ -z "$(missing_names "$T/thread.json" sysinfo execve)" ]; then
	pass record_thread
else
	fail record_thread "$(cat "$T/err")"
fi
if "${REC[@]}" -o "$T/gc.json" -- "$HELPERS/osr-workload" grandchild 2>"$T/err" &&
	[ -z "$(missing_names "$T/gc.json" times)" ]; then
	pass record_grandchild
else
	fail record_grandchild "$(cat "$T/err")"
fi

# The other builds, loaded by libbpf: the compatibility one (kernels before
# 6.2 get it when the light skeleton cannot load) and the Linux 5.10 one
# (kernels without task storage): the same profile as the build loaded by default.
# The compatibility build needs Linux 5.12 (atomic fetch, global functions
# taking pointers).
# Each loads its build afresh: --linger 0, after unloading what an earlier test left.
"$HOOK" --run-dir "$RUNDIR" --linger 0 record -o "$T/unload.json" -- true 2>/dev/null
for v in compat:"compatibility build" k510:"Linux 5.10 build"; do
	if [ "${v%%:*}" = compat ] &&
		[ "$(printf '5.12\n%s\n' "$(uname -r)" | sort -V | head -1)" != 5.12 ]; then
		skip record_compat_loader "Linux $(uname -r) cannot load the compatibility build (5.12 and later)"
		continue
	fi
	if OSR_BPF_VARIANT=${v%%:*} "$HOOK" --debug --run-dir "$RUNDIR" --linger 0 record -o "$T/${v%%:*}.json" -- \
		"$HELPERS/osr-workload" grandchild 2>"$T/err" && grep -q "by libbpf (${v#*:})" "$T/err" &&
		[ "$(allowed_names "$T/${v%%:*}.json")" = "$(allowed_names "$T/gc.json")" ]; then
		pass "record_${v%%:*}_loader"
	else
		fail "record_${v%%:*}_loader" "$(allowed_names "$T/${v%%:*}.json" | diff - <(allowed_names "$T/gc.json")) $(cat "$T/err")"
	fi
done
if ! OSR_BPF_VARIANT=k5 "${REC[@]}" -o "$T/none.json" -- true 2>"$T/err" && [ ! -e "$T/none.json" ] &&
	grep -q "OSR_BPF_VARIANT 'k5' names no build" "$T/err"; then
	pass record_variant_unknown
else
	fail record_variant_unknown "$(cat "$T/err")"
fi

"${REC[@]}" -o "$T/exit.json" -- /bin/busybox sh -c 'exit 3' 2>/dev/null
rc=$?
if [ $rc = 3 ] && [ -s "$T/exit.json" ]; then
	pass record_exit_status
else
	fail record_exit_status "exit $rc, expected the command's 3"
fi

# The same recording as a SeccompProfile carries the same syscalls.
"${REC[@]}" -o "$T/ls.json" -- /bin/busybox ls / >/dev/null 2>&1
"${REC[@]}" -o "$T/ls-profile.yaml" -- /bin/busybox ls / >/dev/null 2>&1
if python3 - "$T/ls-profile.yaml" "$T/ls.json" <<'PY'
import json, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc["kind"] == "SeccompProfile", doc.get("kind")
assert doc["apiVersion"].startswith("security-profiles-operator.x-k8s.io/"), doc["apiVersion"]
assert doc["metadata"]["name"] == "ls-profile", doc["metadata"]
names = {n for r in doc["spec"]["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" for n in r["names"]}
ref = {n for r in json.load(open(sys.argv[2]))["syscalls"] for n in r["names"]}
assert {"getdents64", "execve"} <= names, names
# ls on this machine makes the same syscalls each time.
assert names == ref, (sorted(names ^ ref))
PY
then
	pass record_yaml_matches_json
else
	fail record_yaml_matches_json "the YAML does not parse or differs from the JSON"
fi

"${REC[@]}" -o /nonexistent-dir/x.json -- true 2>"$T/err"
rc=$?
if [ $rc = 125 ] && grep -q "nonexistent-dir" "$T/err"; then
	pass record_refuses_bad_output
else
	fail record_refuses_bad_output "exit $rc: $(cat "$T/err")"
fi

# -o and --base relative to the working directory, as people type them.
echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["getcpu"],"action":"SCMP_ACT_ALLOW"}]}' > "$T/rel-base.json"
if (cd "$T" && "${REC[@]}" -o rel.json --base rel-base.json -- "$HELPERS/osr-workload" call times 2>"$T/err") &&
	[ -z "$(missing_names "$T/rel.json" getcpu times)" ]; then
	pass record_relative_paths
else
	fail record_relative_paths "$(cat "$T/err")"
fi

# record sent SIGTERM (timeout(1), a supervisor): the command gets it, what was
# recorded is written, and the recording's slot is given back.
W=$HELPERS/osr-workload
"${REC[@]}" -o "$T/term.json" -- /bin/busybox sh -c "trap '$W call sysinfo; exit 7' TERM
	$W call times; touch $T/started; while :; do /bin/busybox sleep 0.1; done" 2>"$T/err" &
rpid=$!
wait_until 60 test -e "$T/started"
kill -TERM $rpid
wait $rpid
rc=$?
why=""
[ $rc = 7 ] || why="exit $rc (want the command's 7): $(cat "$T/err")"
miss=$(missing_names "$T/term.json" times sysinfo)
[ -z "$why" ] && [ -n "$miss" ] && why="the profile lacks: $miss"
# The slot given back: the program is unloaded, unless another recording holds it.
[ -z "$why" ] && ! wait_until 30 program_idle && why="the program stays pinned at '$PIN' with no recording"
if [ -z "$why" ]; then
	pass record_signalled_keeps_recording
else
	fail record_signalled_keeps_recording "$why"
fi

# report: what a long-running container has done so far, without stopping it.
out=$T/running.json
CTR_SEQ=$((CTR_SEQ + 1))
CID=$ID_PREFIX-$CTR_SEQ
# The container calls sysinfo only once told to (by /tmp/go, or after 2 minutes
# so it ends whatever happens here): however slow the machine, report runs in
# between. (One line: bundle takes an argument a line.)
bundle "$T/b$CTR_SEQ" "of:$out" sh -c 'osr-workload call times; i=0; while [ ! -e /tmp/go ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done; osr-workload call sysinfo'
(cd "$T/b$CTR_SEQ" && exec runc run "$CID" </dev/null >/dev/null 2>&1) &
rpid=$!
rc=""
if wait_until 60 seen "$CID" times; then
	"$HOOK" --run-dir "$RUNDIR" report "$CID" > "$T/report.json" 2>"$T/err"
	rc=$?
fi
written_early=$(ls "$out" 2>/dev/null)
runc exec "$CID" touch /tmp/go >/dev/null 2>&1
if [ -z "$rc" ]; then
	fail report_while_running "times not seen in a report within 60 s: $("$HOOK" --run-dir "$RUNDIR" report "$CID" 2>&1 | tail -1)"
elif [ $rc = 0 ] && [ -z "$(missing_names "$T/report.json" times)" ] &&
	! allowed_names "$T/report.json" | grep -qx sysinfo && [ -z "$written_early" ]; then
	pass report_while_running
else
	fail report_while_running "exit $rc: $(cat "$T/err") $(jq -c '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW")]' "$T/report.json" 2>/dev/null), profile written early: ${written_early:-no}"
fi
wait $rpid
if [ -z "$(missing_names "$out" times sysinfo)" ] &&
	! "$HOOK" --run-dir "$RUNDIR" report "$CID" >/dev/null 2>"$T/err" &&
	grep -q "no recording of a container whose id starts with '$CID'" "$T/err"; then
	pass report_after_exit
else
	fail report_after_exit "final profile incomplete or report did not refuse: $(cat "$T/err")"
fi

# The hook writes a SeccompProfile when of: names a .yaml file.
if run_traced "$T/hooked.yaml" -- ls / && python3 - "$T/hooked.yaml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc["kind"] == "SeccompProfile"
names = {n for r in doc["spec"]["syscalls"] for n in r["names"]}
assert {"getdents64", "execve"} <= names and "mount" not in names, names
PY
then
	pass hook_writes_seccompprofile
else
	fail hook_writes_seccompprofile "$(tail -2 "$T/last.out")"
fi
# Every command answers --help (usage on stdout, exit 0) and --version.
bad=""
for c in "" prestart poststop record report merge check; do
	# shellcheck disable=SC2086
	"$HOOK" $c --help 2>/dev/null | grep -q "Usage:" || bad="$bad $c:--help"
	# shellcheck disable=SC2086
	[ "$("$HOOK" $c --version 2>/dev/null)" = "oci-seccomp-recorder 0.1.0" ] || bad="$bad $c:--version"
done
if [ -z "$bad" ]; then pass help_and_version_everywhere; else fail help_and_version_everywhere "$bad"; fi
exit 0
