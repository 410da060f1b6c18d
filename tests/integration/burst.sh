#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A burst of starts: BURST recordings (default 1,000) entering at once, and
# one annotated runc container started among them. It must start, and be
# recorded right; how long its prestart took is printed as a '#' line (speed
# is `make bench`'s, not a pass condition here). The recordings are `record`
# runs, as tenants.sh's capacity test: what they share with containers (the
# node's lock, the program, its maps) is the same, at a fraction of the cost.
# They wait idle (tests/lib.sh burst_record), as most of a node's containers
# do, so the load is the starts', not a thousand polling loops'.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(burst_container_starts burst_recordings_all_finish)
PREREQS=(runc jq)
skip_all_if_missing
shared_rootfs

BURST=${BURST:-1000}
burst_cleanup() {
	burst_release "$BURST"
	local p
	for p in "${cpids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	burst_close
	cleanup_all
}
trap burst_cleanup EXIT

# The container's hooks through a wrapper that notes when its prestart began
# and ended. It gives them 300 s, as a node expecting such bursts would: the
# start's time is what is measured (and printed), not our default deadline
# (30 s less the margin), which a 2-CPU machine under 1,000 starts can reach.
cat > "$T/timed-hook" <<HOOK
#!/usr/bin/env bash
t0=\$EPOCHREALTIME
"$HOOK" --debug --timeout 300000 "\$@" 2>>"$T/hook.err"
rc=\$?
[ "\${!#}" != prestart ] || echo "\$t0 \$EPOCHREALTIME" > "$T/prestart.time"
exit \$rc
HOOK
chmod +x "$T/timed-hook"
HOOK=$T/timed-hook bundle "$T/ctr" "of:$T/ctr.json" osr-workload call getcpu

cpids=()
start=$SECONDS
for n in $(seq "$BURST"); do
	burst_record "$T/burst.json" "$T/rec$n.err"
	cpids+=($!)
	# Halfway: the container starts while the rest are launched and entering.
	if [ "$n" = $((BURST / 2)) ]; then
		(cd "$T/ctr" && runc run "$ID_PREFIX-ctr" </dev/null >"$T/ctr.out" 2>&1; echo $? > "$T/ctr.rc") &
		ctr_pid=$!
	fi
	progress "burst: launched $n of $BURST recordings in $((SECONDS - start)) s"
done
wait "$ctr_pid"
rc=$(cat "$T/ctr.rc" 2>/dev/null || echo '?')
if [ -s "$T/prestart.time" ]; then
	read -r t0 t1 < "$T/prestart.time"
	echo "# prestart among $BURST starting recordings: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }') ms ($(sed -n 's/.*the tracer attached: //p' "$T/hook.err" | head -1))"
fi
if [ "$rc" = 0 ] && [ -z "$(missing_names "$T/ctr.json" getcpu)" ]; then
	pass burst_container_starts
else
	fail burst_container_starts "rc=$rc: $(tail -3 "$T/ctr.out") $(grep -v debug "$T/hook.err" | tail -2)"
fi

burst_release "$BURST"
failed=0 n=0 start=$SECONDS
for p in "${cpids[@]}"; do
	wait "$p" || failed=$((failed + 1))
	n=$((n + 1))
	progress "burst: $n of $BURST recordings ended in $((SECONDS - start)) s, $failed failed"
done
cpids=()
burst_close
why=""
[ $failed = 0 ] || why="$failed of $BURST recordings failed: $(cat "$T"/rec*.err | sort | uniq -c | sort -rn | head -3)"
[ -z "$why" ] && [ -n "$(missing_names "$T/burst.json" read)" ] &&
	why="the recordings' profile lacks their read: $(allowed_names "$T/burst.json" | tr '\n' ' ')"
[ -z "$why" ] && ! wait_until 30 program_idle && why="the program stays attached at '$PIN' with no recording"
if [ -z "$why" ]; then pass burst_recordings_all_finish; else fail burst_recordings_all_finish "$why"; fi
