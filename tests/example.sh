#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The built-in example: record `ls /` in a busybox container under runc with
# the hook, print the profile, then run the container again under it.
set -eu
cd "$(dirname "$0")/.."
OUTPUT=${OUTPUT:-build}
HOOK=$(pwd)/$OUTPUT/oci-seccomp-recorder
EX=$(pwd)/$OUTPUT/example
[ "$(id -u)" = 0 ] || { echo "example: needs root (BPF and runc)" >&2; exit 1; }

rm -rf "$EX" && mkdir -p "$EX/rootfs"/{bin,proc,dev,sys,tmp,etc} "$EX/bundle"
cp /bin/busybox "$EX/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$EX/rootfs/bin/$a"; done

cd "$EX/bundle"
runc spec
jq --arg hook "$HOOK" --arg root "$EX/rootfs" --arg out "$EX/ls.json" '
	.process.terminal = false | .process.args = ["ls", "/"] | .root.path = $root |
	.annotations = {"io.containers.trace-syscall": ("of:" + $out)} |
	.hooks = {
		"prestart": [{"path": $hook, "args": ["oci-seccomp-recorder", "prestart"]}],
		"poststop": [{"path": $hook, "args": ["oci-seccomp-recorder", "poststop"]}]
	}' config.json > config.json.new && mv config.json.new config.json

id=osr-example-$$
echo "\$ runc run $id    # ls / with the hook, annotation of:$EX/ls.json"
runc run "$id" </dev/null
echo
echo "Profile written to $EX/ls.json:"
cat "$EX/ls.json"

echo
echo "\$ runc run $id-replay    # the same container under that profile"
jq --slurpfile p "$EX/ls.json" 'del(.hooks, .annotations) | .linux.seccomp = $p[0]' \
	config.json > config.json.new && mv config.json.new config.json
runc run "$id-replay" </dev/null
echo "(ran under the recorded profile: $(jq '.syscalls[0].names | length' "$EX/ls.json") syscalls allowed, everything else EPERM)"
