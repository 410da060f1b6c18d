#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A container's life as its users meet it: one that never starts gets no
# profile and leaves nothing behind; `report` finds a recording by a unique
# start of its id, as runc and podman users type ids, and says so clearly
# when none or several match.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(lifecycle_missing_binary_no_profile lifecycle_rlimit_no_profile
	lifecycle_podman_no_ulimit_no_profile lifecycle_started_gets_profile
	lifecycle_report_short_id lifecycle_report_unknown lifecycle_report_ambiguous
	lifecycle_report_bad_id)
PREREQS=(runc jq)
skip_all_if_missing
shared_rootfs

# Live tracers (an exited one is a zombie until init reaps it).
tracers() { ps -eo stat=,comm= | awk '$2 == "osr-tracer" && $1 !~ /^Z/' | wc -l; }
base_tracers=$(tracers)
no_tracer_left() { [ "$(tracers)" -le "$base_tracers" ]; }

HEX_IDS=()
PODMAN_NAMES=()
lifecycle_cleanup() {
	local id
	for id in "${HEX_IDS[@]}"; do runc delete -f "$id" >/dev/null 2>&1; done
	for id in "${PODMAN_NAMES[@]}"; do podman rm -f "$id" >/dev/null 2>&1; done
	cleanup_all
}
trap lifecycle_cleanup EXIT

# never_started NAME ID OUT WANT_OLD: the runtime failed (in $T/last.out), and
# poststop said why: no profile (OUT holds "old" still if WANT_OLD), no record,
# no tracer.
never_started() {
	local name=$1 id=$2 out=$3 want_old=$4 why=""
	grep -q "no profile written to '$out': the workload of container '$id' never ran" \
		"$T/last.out" || why="no message from poststop naming '$id';"
	if [ "$want_old" = yes ]; then
		[ "$(cat "$out" 2>/dev/null)" = old ] || why="$why the existing profile was replaced;"
	else
		[ ! -e "$out" ] || why="$why a profile was written;"
	fi
	[ ! -e "$RUNDIR/$id.state" ] || why="$why its record is left in '$RUNDIR';"
	wait_until 20 no_tracer_left || why="$why a tracer is left;"
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why $(tail -2 "$T/last.out")"; fi
}

# --- the entrypoint does not exist: the runtime fails before its exec ---------------
out=$T/missing.json
echo old > "$out"
if run_traced "$out" -- /bin/no-such-binary; then
	fail lifecycle_missing_binary_no_profile "runc ran a container whose entrypoint does not exist"
else
	never_started lifecycle_missing_binary_no_profile "$ID_PREFIX-$CTR_SEQ" "$out" yes
fi

# --- a limit the runtime may not set (what podman's --ulimit defaults hit here) ------
out=$T/rlimit.json
CTR_SEQ=$((CTR_SEQ + 1))
bundle "$T/b$CTR_SEQ" "of:$out" true
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then
	skip lifecycle_rlimit_no_profile "the hard limit on open files is unlimited: none is above it"
else
	jq --argjson n $((hard + 1)) '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": $n, "soft": $n}]' \
		"$T/b$CTR_SEQ/config.json" > "$T/c.json" && mv "$T/c.json" "$T/b$CTR_SEQ/config.json"
	if rt_run "$T/b$CTR_SEQ" "$ID_PREFIX-$CTR_SEQ" >"$T/last.out" 2>&1; then
		skip lifecycle_rlimit_no_profile "runc may raise the hard limit on open files here (CAP_SYS_RESOURCE)"
	else
		never_started lifecycle_rlimit_no_profile "$ID_PREFIX-$CTR_SEQ" "$out" no
	fi
fi

# --- podman without --ulimit: it runs no poststop for a container it failed to create -
if ! command -v podman >/dev/null 2>&1; then
	skip lifecycle_podman_no_ulimit_no_profile "'podman' is not installed (make deps)"
else
	root=$T/podman-rootfs hooks=$T/podman-hooks.d
	make_rootfs "$root"
	mkdir -p "$hooks"
	for f in "$TOP"/hooks.d/*.json.in; do
		sed "s|@HOOK@|$HOOK|" "$f" > "$hooks/$(basename "$f" .in)"
	done
	out=$T/podman.json name=$ID_PREFIX-p1
	PODMAN_NAMES+=("$name")
	if podman run --name "$name" --runtime runc --hooks-dir "$hooks" --network none \
		--annotation "io.containers.trace-syscall=of:$out" --rootfs "$root" true \
		</dev/null >"$T/last.out" 2>&1; then
		skip lifecycle_podman_no_ulimit_no_profile "podman runs containers here without --ulimit"
	else
		id=$(podman inspect --format '{{.Id}}' "$name" 2>/dev/null)
		# No poststop comes: the tracer waits for one as long as a stage waits for it (10 s).
		gone() { [ ! -e "$RUNDIR/$id.state" ] && no_tracer_left; }
		if [ -z "$id" ]; then
			fail lifecycle_podman_no_ulimit_no_profile "podman has no container '$name': $(tail -2 "$T/last.out")"
		elif [ -e "$out" ]; then
			fail lifecycle_podman_no_ulimit_no_profile "a profile was written: $(tail -2 "$T/last.out")"
		elif ! wait_until 40 gone; then
			fail lifecycle_podman_no_ulimit_no_profile "record or tracer left: $(cat "$RUNDIR/$id.state" 2>/dev/null | grep -E '^(status|message)=')"
		elif [ -e "$out" ]; then
			fail lifecycle_podman_no_ulimit_no_profile "a profile was written later"
		else
			pass lifecycle_podman_no_ulimit_no_profile
		fi
	fi
fi

# --- and a container that starts still gets its profile ----------------------------
out=$T/started.json
if run_traced "$out" -- true && [ -z "$(missing_names "$out" execve exit_group)" ] &&
	[ ! -e "$RUNDIR/$ID_PREFIX-$CTR_SEQ.state" ] && ! grep -q "never ran" "$T/last.out"; then
	pass lifecycle_started_gets_profile
else
	fail lifecycle_started_gets_profile "no profile, or a record left: $(tail -2 "$T/last.out")"
fi

# --- report by a start of the id -----------------------------------------------------
# run_hex ID: a running, recorded container under a podman-like id of 64 hex digits.
run_hex() {
	local id=$1
	CTR_SEQ=$((CTR_SEQ + 1))
	HEX_IDS+=("$id")
	bundle "$T/b$CTR_SEQ" "of:$T/$id.json" sleep 120
	(cd "$T/b$CTR_SEQ" && exec runc run -d "$id" </dev/null >"$T/bg$CTR_SEQ.out" 2>&1)
}
hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
recording_of() { [ "$(record_field "$1" status)" = recording ]; }
report() { "$HOOK" --run-dir "$RUNDIR" report "$@"; }

# Two containers whose ids share their first 12 digits, and a third apart.
P=$(hex 6)
A=${P}a$(hex 25)f B=${P}b$(hex 25)f C=$(hex 32)
run_hex "$A"; run_hex "$B"; run_hex "$C"
if ! wait_until 20 recording_of "$A" || ! wait_until 20 recording_of "$B" ||
	! wait_until 20 recording_of "$C"; then
	for t in lifecycle_report_short_id lifecycle_report_ambiguous; do
		fail "$t" "the containers did not start recording: $(cat "$T"/bg*.out | tail -3)"
	done
else
	short=${C:0:12}
	if report "$short" > "$T/short.json" 2>"$T/err" && jq -e '.syscalls[0].names | length > 0' \
		"$T/short.json" >/dev/null && report --counts "$short" 2>&1 | grep -q "is recorded without counting"; then
		pass lifecycle_report_short_id
	else
		fail lifecycle_report_short_id "report '$short' of '$C': $(cat "$T/err")"
	fi
	report "$P" > /dev/null 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && grep -q "'$P' is the start of 2 recorded containers' ids: " "$T/err" &&
		grep -q "'$A'" "$T/err" && grep -q "'$B'" "$T/err" && report "${A:0:13}" >/dev/null 2>&1; then
		pass lifecycle_report_ambiguous
	else
		fail lifecycle_report_ambiguous "exit $rc: $(cat "$T/err")"
	fi
fi
for id in "$A" "$B" "$C"; do runc delete -f "$id" >/dev/null 2>&1; done

unknown=osr-no-such-$$
if ! report "$unknown" >/dev/null 2>"$T/err" &&
	grep -q "no recording of a container whose id starts with '$unknown'" "$T/err"; then
	pass lifecycle_report_unknown
else
	fail lifecycle_report_unknown "$(cat "$T/err")"
fi

# Ids that could name a path or carry a terminal's escapes: refused, never echoed raw.
bad=""
for id in "" . .. ../x a/b $'a\e[2Jb' $'a\nb'; do
	report "$id" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc != 2 ] || ! grep -qE "empty container id|is not a container id" "$T/err" ||
		LC_ALL=C grep -q $'[\x01-\x1f\x7f]' "$T/err"; then
		bad="$bad '$(printf %q "$id")': exit $rc, $(printf %q "$(cat "$T/err")");"
	fi
done
if [ -z "$bad" ]; then pass lifecycle_report_bad_id; else fail lifecycle_report_bad_id "$bad"; fi
exit 0
