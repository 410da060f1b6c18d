#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench/seccomp-log, which gives `make bench` the syscalls seccomp SCMP_ACT_LOG
# saw: it counts the benchmarked container's records only, never those the
# kernel log already held or another container logs meanwhile, and it says
# when the kernel dropped records instead of reporting a smaller set.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(kmsg_earlier_record_ignored kmsg_other_container_ignored kmsg_suppressed_reported)
PREREQS=(runc jq python3 scmp_sys_resolver)
skip_all_if_missing
shared_rootfs
SECLOG=$TOP/bench/seccomp-log

echo '{"defaultAction": "SCMP_ACT_LOG"}' > "$T/log.json"

# log_run DIR ARGS...: ARGS in a container under the LOG profile, through
# seccomp-log into DIR; its status in $rc, its stderr in DIR.err.
log_run() {
	local dir=$1; shift
	CTR_SEQ=$((CTR_SEQ + 1))
	local id=$ID_PREFIX-$CTR_SEQ
	SECCOMP=$T/log.json bundle "$T/b$CTR_SEQ" "" "$@"
	(cd "$T/b$CTR_SEQ" && "$SECLOG" "$dir" -- runc run "$id") 2>"$dir.err"
	rc=$?
}
has_name() { grep -qx "$2" "$1/names" 2>/dev/null; }

# A record shaped like the kernel's, of reboot (169), which `ls` never makes,
# left in the kernel log before the run, as other containers' records are.
echo "audit: type=1326 audit($(date +%s).000:1): auid=4294967295 uid=0 gid=0 ses=4294967295" \
	"pid=1 comm=\"planted\" exe=\"/bin/planted\" sig=0 arch=c000003e syscall=169 compat=0" \
	"ip=0x4011d0 code=0x7ffc0000" > /dev/kmsg
# Another container under a LOG profile, calling sync (162) all along the run.
CTR_SEQ=$((CTR_SEQ + 1))
other=$ID_PREFIX-$CTR_SEQ
SECCOMP=$T/log.json bundle "$T/b$CTR_SEQ" "" sh -c 'while :; do sync; sleep 0.1; done'
(cd "$T/b$CTR_SEQ" && runc run -d "$other" </dev/null >/dev/null 2>&1)
wait_until 10 sh -c "runc state '$other' 2>/dev/null | grep -q '\"running\"'"
sleep 0.3

log_run "$T/ls" sh -c 'ls /; sleep 1; ls /'
runc delete -f "$other" >/dev/null 2>&1
if [ "$rc" = 77 ]; then
	for t in "${TESTS[@]}"; do skip "$t" "$(tail -1 "$T/ls.err")"; done
	exit 0
fi
# The run's own records must be there, or leaving out the others proves nothing.
ok=no
[ "$rc" = 0 ] && has_name "$T/ls" getdents64 && ok=yes
if [ "$ok" != yes ]; then
	fail kmsg_earlier_record_ignored "status $rc, no getdents64 among $(tr '\n' ' ' < "$T/ls/names" 2>/dev/null): $(tail -2 "$T/ls.err")"
elif has_name "$T/ls" reboot; then
	fail kmsg_earlier_record_ignored "a record planted before the run counted: reboot in the LOG set"
else
	pass kmsg_earlier_record_ignored
fi
if [ "$ok" != yes ]; then
	fail kmsg_other_container_ignored "no records of the run itself"
elif has_name "$T/ls" sync; then
	fail kmsg_other_container_ignored "another container's records counted: sync in the LOG set"
else
	pass kmsg_other_container_ignored
fi

# printk's rate limit left at 1 s for the run (burst 10): the first ls loses
# records, the second prints the kernel's "N callbacks suppressed".
OSR_SECCOMP_LOG_RATELIMIT=1 log_run "$T/rl" sh -c 'ls /; sleep 1.5; ls /'
if [ "$rc" = 0 ] && jq -e '.dropped.suppressed > 0 and (.incomplete | test("suppressed"))' \
	"$T/rl/summary.json" >/dev/null 2>&1; then
	pass kmsg_suppressed_reported
else
	fail kmsg_suppressed_reported "status $rc, suppressed records not reported: $(cat "$T/rl/summary.json" 2>/dev/null) $(tail -2 "$T/rl.err")"
fi
