#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# How many syscalls a profile allows: everything from prestart on (scope all,
# the old superset), what runs under the filter with this runtime (scope
# exact) and the default, which adds what any runtime makes after loading the
# filter (portable), for a few workloads under runc, with and without
# noNewPrivileges.
set -eu
cd "$(dirname "$0")/.."
. tests/lib.sh
why=$(missing_prereq runc jq)
[ -z "$why" ] || { echo "bench: $why" >&2; exit 1; }
shared_rootfs

count() { jq '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique | length' "$1"; }
printf '%-34s %-5s %9s %9s %9s\n' workload nnp superset exact portable
while IFS='|' read -r label cmd; do
	for nnp in true false; do
		# shellcheck disable=SC2086
		NNP=$nnp ANNOTATIONS_JSON='{"io.containers.trace-syscall.scope": "all"}' \
			run_traced "$T/all.json" -- $cmd
		# shellcheck disable=SC2086
		NNP=$nnp ANNOTATIONS_JSON='{"io.containers.trace-syscall.scope": "exact"}' \
			run_traced "$T/exact.json" -- $cmd
		# shellcheck disable=SC2086
		NNP=$nnp run_traced "$T/portable.json" -- $cmd
		printf '%-34s %-5s %9s %9s %9s\n' "$label" "$nnp" "$(count "$T/all.json")" \
			"$(count "$T/exact.json")" "$(count "$T/portable.json")"
	done
done <<'LIST'
ls /|ls /
sh -c 'true;ls;true' (fork, exec)|sh -c true;ls;true
tar + gzip of /bin|tar czf /tmp/b.tgz /bin
two threads (osr-workload)|osr-workload thread
LIST
