#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The help texts, the man page and the README against what the binary accepts:
# every option a command takes is listed by its --help, named in its synopsis
# (the top-level --help's too), and listed in the man page's part for it; the
# man page's synopsis is the --help's; the annotation's keys are the code's; the
# README's command lines use options that exist; shared figures agree. Needs
# neither root nor BPF: the binary is only asked for its help and fed options
# that it must refuse or that stop it before it does anything.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(docs_help_lists_options docs_synopsis_names_options docs_man_synopsis
	docs_man_lists_options docs_annotation_keys docs_readme_commands docs_shared_figures)
COMMANDS=(record report merge check serve watch-profile listen policy watch-report)
MAN=$TOP/man/oci-seccomp-recorder.1
README=$TOP/README.md

why=
[ -x "$HOOK" ] || why="$HOOK is not built (run make)"
[ -n "$why" ] || command -v groff >/dev/null || why="'groff' is not installed (make deps)"
if [ -n "$why" ]; then
	for t in "${TESTS[@]}"; do skip "$t" "$why"; done
	exit 0
fi
export LC_ALL=C

# The man page as man(1) shows it, one line per paragraph.
groff -man -Tascii -P-cbou -rLL=1000n "$MAN" 2>"$T/groff.err" >"$T/man.txt"

# help CMD: CMD's --help ("" for the top level) into $T/help.CMD; 1 if it fails.
help() {
	"$HOOK" $1 --help >"$T/help.${1:-top}" 2>/dev/null </dev/null
}

# forms FILE: the synopsis of a help text or the rendered man page, one form a
# line, blanks collapsed, from its first line that starts the program's name.
forms() {
	awk '/^(Usage: )? *oci-seccomp-recorder /{on=1} on && /^ *$/{exit}
	     on{sub(/^Usage: /,""); sub(/^ +/,""); if ($0 ~ /^oci-seccomp-recorder /) { if (f != "") print f; f=$0 } else f=f" "$0}
	     END{if (f != "") print f}' "$1" | tr -s ' '
}

# options FILE: the options a help text lists: "-x, --name ARG" or "--name ARG".
options() {
	sed -nE 's/^ {2,6}((-[A-Za-z0-9], )?--[a-z][a-z-]*( [A-Z][A-Za-z|.]*)?)( {2,}.*)?$/\1/p' "$1"
}

# accepted CMD: what CMD ("" for the top level) takes, -x and --name a line, found
# by asking the binary: getopt_long names an option it does not know. A probe
# that takes an argument swallows the --help after it and stops at a check.
accepted() {
	local c out
	for c in $(candidates); do
		out=$("$HOOK" $1 "--$c" --help 2>&1 </dev/null)
		grep -qE "unrecognized option|is ambiguous" <<<"$out" || printf '%s\n' "--$c"
	done | prefixes_out
	for c in {a..z} {A..Z}; do
		# oci-seccomp-bpf-hook's -s, -r, -o, -i: its own command line (peer.c).
		[ -z "$1" ] && [[ $c = [sroi] ]] && continue
		out=$("$HOOK" $1 "-$c" --help 2>&1 </dev/null)
		grep -q "invalid option" <<<"$out" || printf '%s\n' "-$c"
	done
}

# Words that may be options: any --word in the docs and help texts, any word
# the option parsers' sources quote.
candidates() {
	{
		cat "$T"/help.* "$T/man.txt" "$README" | grep -ohE -- '--[a-z][a-z0-9-]+' | cut -c3-
		grep -ohE '"[a-z][a-z0-9-]+"' "$TOP"/src/main.c "$TOP"/src/cmd_*.c "$TOP"/src/service.c |
			tr -d '"'
	} | sort -u
}

# getopt_long takes an unambiguous abbreviation: keep only the full names.
prefixes_out() {
	local all
	all=$(cat)
	for a in $all; do
		local longer=0
		for b in $all; do
			[ "$a" != "$b" ] && [[ $b == "$a"* ]] && longer=1
		done
		[ $longer = 1 ] || echo "$a"
	done
}

# The top level answers "COMMAND --version" for every command (main.c).
not_version() { grep -vxE -- '--version|-V'; }

for c in "" "${COMMANDS[@]}"; do
	help "$c" || { fail docs_help_lists_options "'${c:-oci-seccomp-recorder} --help' failed"; exit 0; }
done
for c in top "${COMMANDS[@]}"; do
	cmd=$c; [ "$c" = top ] && cmd=
	accepted "$cmd" | sort -u >"$T/accepted.$c"
	if [ "$c" != top ]; then
		not_version <"$T/accepted.$c" >"$T/a"
		mv "$T/a" "$T/accepted.$c"
	fi
	options "$T/help.$c" >"$T/listed.$c"
	tr ' ,' '\n\n' <"$T/listed.$c" | grep -E '^-' | sort -u >"$T/listed-names.$c"
done

# --- every option taken is listed by the command's --help, and nothing else;
# --- the help fits 80 columns ---
bad=
for c in top "${COMMANDS[@]}"; do
	d=$(comm -3 "$T/accepted.$c" "$T/listed-names.$c" | tr -d '\t' | tr '\n' ' ')
	[ -z "$d" ] || bad+="${c}: taken xor listed: $d; "
done
[ -s "$T/accepted.record" ] || bad+="record takes no option at all?; "
for c in top "${COMMANDS[@]}"; do
	long=$(awk 'length > 80' "$T/help.$c" | head -1)
	[ -z "$long" ] || bad+="${c}: a line over 80 columns: '$long'; "
done
if [ -z "$bad" ]; then pass docs_help_lists_options; else fail docs_help_lists_options "$bad"; fi

# --- every option is named in the command's synopsis, the top-level one's too ---
bad=
forms "$T/help.top" >"$T/forms.top"
for c in "${COMMANDS[@]}"; do
	forms "$T/help.$c" >"$T/forms.$c"
	grep -qxFf "$T/forms.$c" "$T/forms.top" && [ "$(grep -cxFf "$T/forms.$c" "$T/forms.top")" = \
		"$(wc -l <"$T/forms.$c")" ] || bad+="$c: its synopsis is not the top-level one's; "
	while read -r line; do
		found=0
		for name in $(tr ' ,' '\n\n' <<<"$line" | grep -E '^-'); do
			[ "$name" = --help ] && found=1
			grep -qE -- "(^| |\[|\|)$name( |\]|$)" "$T/forms.$c" && found=1
		done
		[ $found = 1 ] || bad+="$c: '$line' not in its synopsis; "
	done <"$T/listed.$c"
done
if [ -z "$bad" ]; then pass docs_synopsis_names_options; else fail docs_synopsis_names_options "$bad"; fi

# --- the man page's synopsis is the --help's ---
sed -n '/^SYNOPSIS$/,/^[A-Z]/p' "$T/man.txt" | forms /dev/stdin >"$T/forms.man"
d=$(diff "$T/forms.top" "$T/forms.man" | grep '^[<>]' | tr '\n' ' ')
if [ -s "$T/forms.man" ] && [ -z "$d" ]; then
	pass docs_man_synopsis
else
	fail docs_man_synopsis "--help (<) and man page (>) differ: ${d:-no synopsis in the man page}"
fi

# --- the man page lists each command's options as its --help does ---
# section NAME: the rendered man page's section or subsection NAME, to the next one.
section() {
	awk -v n="$1" '$0 ~ "^(   )?[A-Za-z]" { on = ($0 == n || $0 == "   " n) ; next } on' "$T/man.txt"
}
bad=
for c in top "${COMMANDS[@]}"; do
	s=$c; [ "$c" = top ] && s=OPTIONS
	section "$s" | sed -E 's/^ +//' >"$T/man.$c"
	[ -s "$T/man.$c" ] || { bad+="no man section '$s'; "; continue; }
	while read -r line; do
		grep -qxF -- "$line" "$T/man.$c" || bad+="$s: '$line'; "
	done < <(grep -vE -- '^-h, --help$' "$T/listed.$c")
done
if [ -z "$bad" ]; then pass docs_man_lists_options; else fail docs_man_lists_options "missing in the man page: $bad"; fi

# --- the annotation's keys: the code's, in the man page and the help texts ---
# Its syntax, where a text gives it in full (of: and the optional fields), names
# every field the parser takes; the suffixes named anywhere are the code's.
code_fields=$(grep -oE 'strncmp\(f, "[a-z]+:"' "$TOP/src/annotation.c" | grep -oE '[a-z]+:' | sort -u)
code_suffixes=$(grep -ohE '"io\.containers\.trace-syscall\.[a-z]+"' "$TOP"/src/*.h | tr -d '"' | sort -u)
bad=
[ -n "$code_fields" ] && [ -n "$code_suffixes" ] || bad+="no keys found in src/annotation.c, src/*.h; "
for f in "$T/man.txt" "$T/help.top" "$README"; do
	n=0
	while read -r syntax; do
		n=$((n + 1))
		got=$(grep -oE '[a-z]+:' <<<"$syntax" | sort -u)
		[ "$got" = "$code_fields" ] ||
			bad+="$(basename "$f"): '$syntax' has $(echo $got), the code $(echo $code_fields); "
	done < <(grep -oE 'io\.containers\.trace-syscall=of:[^ `]*\[;[^ `]*' "$f")
	[ $n -gt 0 ] || bad+="$(basename "$f") gives no syntax of the annotation; "
done
for f in "$T/man.txt" "$README"; do
	got=$(grep -ohE 'io\.containers\.trace-syscall\.[a-z]+' "$f" | sort -u)
	[ "$got" = "$code_suffixes" ] || bad+="$(basename "$f") suffixes: '$(echo $got)' not '$(echo $code_suffixes)'; "
done
if [ -z "$bad" ]; then pass docs_annotation_keys; else fail docs_annotation_keys "$bad"; fi

# --- the README's command lines use options their command takes ---
bad=
while read -r line; do
	rest=${line#*oci-seccomp-recorder }
	cmd=top
	for w in $rest; do
		case $w in
		--) break ;;
		-*) grep -qxF -- "${w%%=*}" "$T/accepted.$cmd" || bad+="'$w' ($cmd) in: $line; " ;;
		prestart | poststop) break ;;
		*) [ "$cmd" = top ] && [ -f "$T/accepted.$w" ] && cmd=$w ;;
		esac
	done
done < <(grep -E '^(# )?(\$ )?oci-seccomp-recorder (-|record|report|merge|check|serve)' "$README" | sed 's/ #.*//')
n=$(grep -cE '^(# )?(\$ )?oci-seccomp-recorder (record|report|merge|check)' "$README")
[ "$n" -ge 4 ] || bad+="only $n command lines found in the README; "
if [ -z "$bad" ]; then pass docs_readme_commands; else fail docs_readme_commands "$bad"; fi

# --- figures the README and the man page both give, as docs/PERFORMANCE.md measured them ---
FIGURES=("+2.5%" "+2.8%" "+2.6%" "1 or 512" "12 to 15 ms" "5 to 9 ms" "1.7 MiB" "36 and 1,922 KiB"
	"1,024 containers" "64 recordings" "144 KiB")
bad=
tr -s ' \n' ' ' <"$T/man.txt" >"$T/man.flat"
tr -s ' \n' ' ' <"$README" >"$T/readme.flat"
for fig in "${FIGURES[@]}"; do
	grep -qF -- "$fig" "$T/readme.flat" || bad+="README lacks '$fig'; "
	grep -qF -- "$fig" "$T/man.flat" || bad+="man page lacks '$fig'; "
done
for fig in "+2.5%" "+2.8%" "+2.6%" "1,922 KiB" "+14.45 / +13.85 ms"; do
	grep -qF -- "$fig" "$TOP/docs/PERFORMANCE.md" || bad+="docs/PERFORMANCE.md lacks '$fig'; "
done
if [ -z "$bad" ]; then pass docs_shared_figures; else fail docs_shared_figures "$bad"; fi
exit 0
