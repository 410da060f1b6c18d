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

# Suppression forced, not hoped for: printk's rate limit at 1 s for the run
# (seccomp-log sets it) and its burst at 1 (set here, put back on exit), so of
# two records within a second the second is dropped. The kernel says so ("N
# callbacks suppressed") only with the first record after the interval: the
# container makes records until such a line is printed (at most 60 s), then
# is told to stop.
BURST=/proc/sys/kernel/printk_ratelimit_burst
saved_burst=$(cat "$BURST")
trap 'echo "$saved_burst" > "$BURST"; cleanup_all' EXIT
# suppressed_line SECONDS: wait for the kernel's next "callbacks suppressed"
# line (0) or the end of time (1).
suppressed_line() {
	python3 - "$1" <<'PY'
import os, re, select, sys, time
fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
os.lseek(fd, 0, os.SEEK_END)
end = time.monotonic() + float(sys.argv[1])
poller = select.poll()
poller.register(fd, select.POLLIN)
while time.monotonic() < end:
    poller.poll(200)
    while True:
        try:
            rec = os.read(fd, 8192)
        except BlockingIOError:
            break
        except BrokenPipeError:
            continue
        head, _, text = rec.partition(b";")
        # Facility 0: the kernel's own line, not one written to /dev/kmsg.
        if int(head.split(b",")[0]) >> 3 == 0 and \
                re.search(rb": \d+ callbacks suppressed$", text.split(b"\n")[0]):
            sys.exit(0)
sys.exit(1)
PY
}
CTR_SEQ=$((CTR_SEQ + 1))
rl=$ID_PREFIX-$CTR_SEQ
SECCOMP=$T/log.json bundle "$T/b$CTR_SEQ" "" sh -c 'trap "exit 0" TERM; ls /; while :; do sleep 0.2; done'
echo 1 > "$BURST"
(cd "$T/b$CTR_SEQ" && OSR_SECCOMP_LOG_RATELIMIT=1 exec "$SECLOG" "$T/rl" -- runc run "$rl") 2>"$T/rl.err" &
logger=$!
# Watched from when the container runs: seccomp-log reads the log by then.
running() { runc state "$rl" 2>/dev/null | grep -q '"running"'; }
line=1
wait_until 60 running && suppressed_line 60 && line=0
runc kill "$rl" TERM 2>/dev/null
stopped() { ! running; }
wait_until 20 stopped || runc kill "$rl" KILL 2>/dev/null
wait "$logger"
rc=$?
echo "$saved_burst" > "$BURST"
if [ $line != 0 ]; then
	fail kmsg_suppressed_reported "the kernel printed no 'callbacks suppressed' line in 60 s with burst 1 (status $rc)"
elif [ "$rc" = 0 ] && jq -e '.dropped.suppressed > 0 and (.incomplete | test("suppressed"))' \
	"$T/rl/summary.json" >/dev/null 2>&1; then
	pass kmsg_suppressed_reported
else
	fail kmsg_suppressed_reported "status $rc, suppressed records not reported: $(jq -c . "$T/rl/summary.json" 2>/dev/null) $(tail -2 "$T/rl.err")"
fi
