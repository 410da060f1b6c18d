#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The commands for people, on profiles recorded from real containers under runc:
# `merge` (JSON and SeccompProfile YAML) and `check`.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(cli_record_two cli_merge_replays_both cli_merge_keeps_deny cli_merge_seccompprofile
	cli_merge_default_disagrees cli_merge_usage cli_merge_invalid_input cli_relative_paths cli_merge_keeps_input_mode
	cli_check_recorded cli_check_unknown_action
	cli_check_unknown_names cli_check_yaml cli_help)
PREREQS=(runc jq python3)
skip_all_if_missing
shared_rootfs

# osr ARGS...: run the binary; exit status in $rc, stdout in $T/out, stderr in $T/err.
osr() {
	"$HOOK" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# --- two containers of a "pod" ---------------------------------------------------
ls_p=$T/ls.json
mk_p=$T/mkdir.json
if run_traced "$ls_p" -- ls / && [ -s "$ls_p" ] &&
	run_traced "$mk_p" -- mkdir /tmp/d && [ -s "$mk_p" ] &&
	[ -z "$(missing_names "$mk_p" exit_group)" ]; then
	pass cli_record_two
else
	fail cli_record_two "recording ls / or mkdir /tmp/d failed: $(tail -3 "$T/last.out")"
fi

merged=$T/merged.json
if [ -s "$ls_p" ] && [ -s "$mk_p" ]; then
	osr merge -o "$merged" "$ls_p" "$mk_p"
	if [ "$rc" = 0 ] && [ -s "$merged" ] &&
		run_under "$merged" ls / && grep -qx proc "$T/last.out" &&
		run_under "$merged" mkdir /tmp/d &&
		[ -z "$(comm -3 <(allowed_names "$merged") <(sort -u <(allowed_names "$ls_p") <(allowed_names "$mk_p")))" ]; then
		pass cli_merge_replays_both
	else
		fail cli_merge_replays_both "rc $rc: $(head -c 300 "$T/err") / $(tail -3 "$T/last.out")"
	fi
else
	fail cli_merge_replays_both "no recorded profiles"
fi

# A deny in one input stays a deny, though the other input allows mkdir outright.
deny_p=$T/ls-deny.json
merged2=$T/merged-deny.json
if [ -s "$ls_p" ] && [ -s "$mk_p" ]; then
	jq '.syscalls += [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]' \
		"$ls_p" >"$deny_p"
	osr merge -o "$merged2" "$deny_p" "$mk_p"
	if [ "$rc" = 0 ] &&
		jq -e '([.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | index("mkdir") == null)
			and ([.syscalls[] | select(.action == "SCMP_ACT_ERRNO" and .errnoRet == 13)] | length == 1)' \
			"$merged2" >/dev/null &&
		grep -q "mkdir" "$T/err" &&
		! run_under "$merged2" mkdir /tmp/d && grep -q "Permission denied" "$T/last.out" &&
		run_under "$merged2" ls /; then
		pass cli_merge_keeps_deny
	else
		fail cli_merge_keeps_deny "rc $rc, mkdir allowed or replay wrong: $(head -c 300 "$T/err") / $(tail -3 "$T/last.out")"
	fi
else
	fail cli_merge_keeps_deny "no recorded profiles"
fi

# The SeccompProfile resource says what the JSON merge says.
yaml_out=$T/pod-profile.yaml
if ! python3 -c 'import yaml' 2>/dev/null; then
	skip cli_merge_seccompprofile "python3 has no yaml module (python3-yaml, make deps)"
elif [ -s "$merged2" ]; then
	osr merge --format seccompprofile -o "$yaml_out" "$deny_p" "$mk_p"
	if [ "$rc" = 0 ] && python3 - "$yaml_out" "$merged2" >"$T/py" 2>&1 <<'EOF'; then
import json, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
j = json.load(open(sys.argv[2]))
assert d["apiVersion"] == "security-profiles-operator.x-k8s.io/v1beta1", d["apiVersion"]
assert d["kind"] == "SeccompProfile", d["kind"]
assert d["metadata"]["name"] == "pod-profile", d["metadata"]
s = d["spec"]
assert s["defaultAction"] == j["defaultAction"]
assert s["architectures"] == j["architectures"]
names = lambda rules: sorted({n for r in rules for n in r["names"]})
assert names(s["syscalls"]) == names(j["syscalls"]), "syscall names differ"
assert s["syscalls"] == j["syscalls"], "rules differ"
EOF
		pass cli_merge_seccompprofile
	else
		fail cli_merge_seccompprofile "rc $rc: $(head -c 300 "$T/err") $(tail -3 "$T/py")"
	fi
else
	fail cli_merge_seccompprofile "no merged profile"
fi

# Profiles with different default actions are not merged; the message names both.
kill_p=$T/kill-default.json
if [ -s "$mk_p" ]; then
	jq '.defaultAction = "SCMP_ACT_KILL_PROCESS"' "$mk_p" >"$kill_p"
	osr merge -o "$T/never.json" "$ls_p" "$kill_p"
	if [ "$rc" = 1 ] && [ ! -e "$T/never.json" ] && grep -q "ls.json" "$T/err" &&
		grep -q "kill-default.json" "$T/err" && grep -q defaultAction "$T/err"; then
		pass cli_merge_default_disagrees
	else
		fail cli_merge_default_disagrees "rc $rc: $(head -c 300 "$T/err")"
	fi
else
	fail cli_merge_default_disagrees "no recorded profile"
fi

ok=1 why=
osr merge "$ls_p"
[ "$rc" = 2 ] && grep -q -- "-o" "$T/err" || { ok=0; why+="no -o: rc $rc; "; }
osr merge -o "$T/x.json"
[ "$rc" = 2 ] || { ok=0; why+="no input: rc $rc; "; }
osr merge --format xml -o "$T/x.json" "$ls_p"
[ "$rc" = 2 ] && grep -q "'xml'" "$T/err" || { ok=0; why+="bad format: rc $rc; "; }
osr merge --bogus -o "$T/x.json" "$ls_p"
[ "$rc" = 2 ] || { ok=0; why+="bad option: rc $rc; "; }
osr merge -o "$T/x.json" "$ls_p" "$T/missing.json"
[ "$rc" = 1 ] && grep -q "missing.json" "$T/err" || { ok=0; why+="missing input: rc $rc; "; }
[ ! -e "$T/x.json" ] || { ok=0; why+="wrote x.json; "; }
if [ $ok = 1 ]; then pass cli_merge_usage; else fail cli_merge_usage "$why"; fi

# A merge input is the user's own file, read as given: the message calls it a
# profile (not a base) and quotes what is wrong in it, as it is no hidden file.
printf '{"defaultAction":"SCMP_ACT_BOGUS","syscalls":[]}\n' >"$T/bad.json"
osr merge -o "$T/x.json" "$T/bad.json"
if [ "$rc" = 1 ] && grep -q "merge: profile '$T/bad.json' is invalid" "$T/err" &&
	grep -q "'SCMP_ACT_BOGUS'" "$T/err" && ! grep -q "base profile" "$T/err" &&
	[ ! -e "$T/x.json" ]; then
	pass cli_merge_invalid_input
else
	fail cli_merge_invalid_input "rc $rc: $(head -c 300 "$T/err")"
fi

# Paths as a user types them: relative to the working directory, output to stdout too.
if [ -s "$ls_p" ] && [ -s "$mk_p" ] &&
	(cd "$T" && "$HOOK" merge -o rel.json ls.json ./mkdir.json 2>"$T/err" &&
		"$HOOK" merge -o - ls.json mkdir.json >"$T/stdout.json" 2>>"$T/err" &&
		"$HOOK" check -q rel.json >"$T/out" 2>>"$T/err") &&
	cmp -s "$T/rel.json" "$merged" && cmp -s "$T/stdout.json" "$merged" && [ ! -s "$T/out" ] &&
	[ "$(stat -c %a "$T/rel.json")" = 644 ]; then
	pass cli_relative_paths
else
	fail cli_relative_paths "$(head -c 300 "$T/err")"
fi

# A merged profile holds every input: it is readable by no one who cannot read them all.
if [ -s "$ls_p" ] && [ -s "$mk_p" ]; then
	cp "$mk_p" "$T/private.json"
	chmod 0640 "$ls_p"
	chmod 0600 "$T/private.json"
	osr merge -o "$T/private-merged.json" "$ls_p" "$T/private.json"
	mode=$(stat -c %a "$T/private-merged.json" 2>/dev/null)
	chmod 0644 "$ls_p"
	if [ "$rc" = 0 ] && [ "$mode" = 600 ]; then
		pass cli_merge_keeps_input_mode
	else
		fail cli_merge_keeps_input_mode "rc $rc, mode '$mode' (want 600): $(head -c 300 "$T/err")"
	fi
else
	fail cli_merge_keeps_input_mode "no recorded profiles"
fi

# --- check -------------------------------------------------------------------------
if [ -s "$ls_p" ]; then
	n=$(allowed_names "$ls_p" | wc -l)
	osr check "$ls_p"
	if [ "$rc" = 0 ] && grep -q "ls.json: valid" "$T/out" &&
		grep -q "SCMP_ACT_ALLOW: $n names" "$T/out" &&
		grep -q "defaultAction: SCMP_ACT_ERRNO" "$T/out" && [ ! -s "$T/err" ]; then
		pass cli_check_recorded
	else
		fail cli_check_recorded "rc $rc, want $n allowed: $(head -c 300 "$T/out") $(head -c 200 "$T/err")"
	fi
else
	fail cli_check_recorded "no recorded profile"
fi

broken=$T/broken.json
jq '.syscalls[0].action = "SCMP_ACT_NOPE"' "$ls_p" >"$broken" 2>/dev/null
osr check "$broken"
if [ "$rc" = 1 ] && grep -q "broken.json" "$T/err" && grep -q "unknown action 'SCMP_ACT_NOPE'" "$T/err" &&
	grep -q "broken.json: invalid" "$T/out"; then
	pass cli_check_unknown_action
else
	fail cli_check_unknown_action "rc $rc: $(head -c 300 "$T/err")"
fi

two_unknown=$T/two-unknown.json
jq '.syscalls += [{"names": ["no_such_call", "read", "frobnicate_at"], "action": "SCMP_ACT_ALLOW"}]' \
	"$ls_p" >"$two_unknown" 2>/dev/null
osr check "$two_unknown"
if [ "$rc" = 1 ] && grep -q "two-unknown.json" "$T/err" &&
	grep "libseccomp does not know" "$T/err" | grep -q no_such_call &&
	grep "libseccomp does not know" "$T/err" | grep -q frobnicate_at &&
	grep "unknown to libseccomp" "$T/out" | grep -q "frobnicate_at no_such_call"; then
	pass cli_check_unknown_names
else
	fail cli_check_unknown_names "rc $rc: $(head -c 300 "$T/err") $(head -c 300 "$T/out")"
fi

# YAML is recognised and refused clearly; a valid file beside it is still checked.
if [ -s "$yaml_out" ]; then
	printf '# a comment\n\n' | cat - "$yaml_out" >"$T/commented.yaml"
	osr check "$T/commented.yaml" "$ls_p"
	if [ "$rc" = 1 ] && grep -q "commented.yaml' is YAML" "$T/err" && grep -q "JSON" "$T/err" &&
		grep -q "ls.json: valid" "$T/out"; then
		pass cli_check_yaml
	else
		fail cli_check_yaml "rc $rc: $(head -c 300 "$T/err")"
	fi
else
	skip cli_check_yaml "no SeccompProfile was written"
fi

ok=1 why=
for cmd in merge check; do
	osr "$cmd" --help
	[ "$rc" = 0 ] && grep -q "^Usage: oci-seccomp-recorder $cmd" "$T/out" && [ ! -s "$T/err" ] ||
		{ ok=0; why+="$cmd --help: rc $rc; "; }
done
osr check
[ "$rc" = 2 ] || { ok=0; why+="check without files: rc $rc; "; }
osr --help
grep -q "merge -o OUT" "$T/out" && grep -q "check \[--quiet\]" "$T/out" || { ok=0; why+="--help lacks the commands; "; }
if [ $ok = 1 ]; then pass cli_help; else fail cli_help "$why"; fi
exit 0
