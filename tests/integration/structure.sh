#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The source's layering: the modules of src/ (X.h with X.c) include one another
# without a cycle, so each can be read, tested and changed from the bottom up.
# A module depends on every header of src/ that its .h or .c includes; tsort
# finds a loop if there is one. And a function a header declares is defined in
# the .c file of the same name, where a reader looks for it; commands.h, the
# table of commands, is the one header whose functions live in many files.
# Needs neither root nor BPF.
set -u
cd "$(dirname "$0")/../.." || exit 2

# "module header" pairs, one per #include "x.h" of a file of src/ naming a header of src/.
edges() {
	local f mod inc
	for f in src/*.c src/*.h; do
		mod=$(basename "${f%.*}")
		sed -n 's/^#include "\([^"]*\)\.h".*/\1/p' "$f" | while read -r inc; do
			[ -f "src/$inc.h" ] && [ "$inc" != "$mod" ] && echo "$mod $inc"
		done
	done
}

# "header: function -> where it is defined" for each function declared away from its definition.
misplaced() {
	local h m f decl where
	for h in src/*.h; do
		m=$(basename "$h" .h)
		[ "$m" = commands ] && continue
		sed -n 's/^[a-z][a-z_0-9 ]*[ *]\**\([a-z_][a-z_0-9]*\)(.*/\1/p' "$h" | while read -r f; do
			decl=$(grep -m1 -E "[ *]$f\(" "$h")
			case $decl in static* | typedef* | extern*) continue ;; esac
			where=$(grep -lE "^[a-z][^;]*[ *]$f\([^;]*\$" src/*.c | tr '\n' ' ')
			[ "$where" = "src/$m.c " ] || echo "$h: $f -> ${where:-nowhere}"
		done
	done
}

out=$(misplaced)
if [ -z "$out" ]; then
	echo "PASS: structure_declared_beside_definition"
else
	echo "FAIL: structure_declared_beside_definition: $(echo "$out" | tr '\n' ';')"
fi

if ! command -v tsort >/dev/null; then
	echo "SKIP: structure_no_include_cycle: 'tsort' (coreutils) is not installed"
elif out=$(edges | tsort 2>&1 >/dev/null) && [ -z "$out" ]; then
	echo "PASS: structure_no_include_cycle"
else
	echo "FAIL: structure_no_include_cycle: the modules of src/ include one another in a loop: $(echo "$out" | grep -v 'input contains a loop' | sed 's/^tsort: //' | tr '\n' ' ')"
fi

# The layout: every C file as .clang-format lays it out (`make format` applies it).
if ! command -v clang-format >/dev/null; then
	echo "SKIP: structure_format_clean: 'clang-format' is not installed (make deps installs it)"
elif ! files=$(git ls-files '*.c' '*.h' 2>/dev/null) || [ -z "$files" ]; then
	echo "SKIP: structure_format_clean: not a git checkout, so no list of the sources"
else
	bad=$(for f in $files; do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"
	done)
	if [ -z "$bad" ]; then
		echo "PASS: structure_format_clean"
	else
		echo "FAIL: structure_format_clean: not as .clang-format lays them out (run make format): $(echo "$bad" | tr '\n' ' ')"
	fi
fi
