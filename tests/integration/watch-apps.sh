#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Watch mode on real servers, the breakages a recorded profile met under a
# second load: nginx answering a 3 MB POST sent with "Expect: 100-continue"
# (sendto; ioctl FIONREAD) and redis turning its append-only file on (mkdir,
# unlink). Each is recorded by the hook under a first load; the recorded
# profile, enforced, breaks the second load; watched in complain, the second
# load works and the calls are learned; switched to enforce while it runs,
# the same calls fail with the profile's errno and the container goes on; the
# learned file merged into the profile serves the second load with no listener.
#
# Which break by default: sendto, mkdir and unlink are names, missing whatever
# the argument setting; FIONREAD is an ioctl request, which the default
# setting leaves to the name (docs/ARGUMENTS.md), so it breaks only with
# `args: all`. Under runc an argument value a rule does not allow gets the
# errno in the kernel (runc refuses NOTIFY as the default), so the value case
# is watched under crun, where it reaches the listener.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(wapps_nginx_post wapps_nginx_post_values wapps_redis_aof)
PREREQS=(runc jq curl)
skip_all_if_missing
shared_rootfs

SOCK=$T/watch.sock
STATE=$T/state
CTL=$T/ctl
LPID=
RPID=
PORT=$((20000 + $$ % 20000))
mkdir -p "$CTL"

apps_cleanup() {
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null
	listener_stop
	cleanup_all
}
trap apps_cleanup EXIT

# --- one application under watch ------------------------------------------------
# An application is: APP_ARGS (its command), APP_CONF (a folder at /conf; empty:
# the busybox rootfs), APP_RT (runc or crun), APP_TTY (1: a terminal, through
# script(1)), APP_STOP (the signal that ends it cleanly), and the functions
# app_ready (it serves), app_load1 (the first load, recorded), app_load2 (the
# second: 0 when it was served) and app_refused (the output shows the second
# load's call refused with EPERM).

rt_cmd() { if [ "$APP_RT" = crun ]; then echo "$CRUN"; else echo runc; fi; }

# astart PROFILE ANNOTATIONS_JSON TRACE: the application in the background: CID, RPID, OUT, BDIR.
astart() {
	CTR_SEQ=$((CTR_SEQ + 1))
	CID=$ID_PREFIX-$CTR_SEQ
	BDIR=$T/b$CTR_SEQ
	OUT=$T/bg$CTR_SEQ.out
	rm -f "$CTL"/*
	HOST_ROOT=$APP_CONF SECCOMP=$1 bundle "$BDIR" "$3" "${APP_ARGS[@]}"
	jq --arg ctl "$CTL" --argjson a "$2" --argjson tty "${APP_TTY:-0}" '
		.mounts += [{"destination": "/ctl", "type": "bind", "source": $ctl, "options": ["rbind", "rw"]}] |
		.annotations = ((.annotations // {}) + $a) | .process.terminal = ($tty == 1)' \
		"$BDIR/config.json" > "$BDIR/c.new" && mv "$BDIR/c.new" "$BDIR/config.json"
	local run
	run="cd '$BDIR' && exec $(rt_cmd) run '$CID'"
	if [ "${APP_TTY:-0}" = 1 ]; then
		# script(1) ends when its input does: a pipe that stays open.
		(sleep 300 | script -qfec "$run" /dev/null >"$OUT" 2>&1) &
	else
		(eval "$run" </dev/null >"$OUT" 2>&1) &
	fi
	RPID=$!
	wait_until 90 app_ready
}

# astop: the application ended with APP_STOP (killed after 20 s), its runtime gone.
astop() {
	"$(rt_cmd)" kill "$CID" "$APP_STOP" >/dev/null 2>&1
	wait_until 20 eval '! "$(rt_cmd)" state "$CID" >/dev/null 2>&1' ||
		"$(rt_cmd)" delete -f "$CID" >/dev/null 2>&1
	pkill -P "$RPID" sleep 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
}

ctr_pid() { "$(rt_cmd)" state "$CID" 2>/dev/null | jq .pid; }

# watch_app NAME ARGS WANT LEARNED: the whole round for one application recorded
# with argument setting ARGS; WANT, an extended regex each line of which a
# line of the live report must match; LEARNED, a jq test the learned file passes.
watch_app() {
	WHY=
	watch_rounds "$@" 2>>"$T/rounds.err"
	[ -n "$RPID" ] && astop
	if [ "$WHY" = ok ]; then pass "$1"; else fail "$1" "$WHY"; fi
}

watch_rounds() {
	local name=$1 args=$2 want=$3 learned=$4 p=$T/$1 cpid w
	# Recorded under the first load, as users do: the hook and the annotation.
	astart "" "{\"io.containers.trace-syscall.args\": \"$args\"}" "of:$p.json" ||
		{ WHY="recording: it never served: $(tail -c 300 "$OUT")"; return 1; }
	app_load1 || { WHY="recording: the first load failed: $(tail -c 300 "$OUT")"; return 1; }
	astop
	[ -s "$p.json" ] || { WHY="recording: no profile: $(tail -c 300 "$OUT")"; return 1; }
	# The breakage: the recorded profile, enforced, refuses the second load.
	astart "$p.json" '{}' "" && app_load1 ||
		{ WHY="recorded profile: the first load failed: $(tail -c 300 "$OUT")"; return 1; }
	! app_load2 || { WHY="recorded profile: the second load did not break"; return 1; }
	astop
	# Watched, complain: the second load works and what it took is learned.
	"$HOOK" watch-profile --runtime "$APP_RT" --socket "$SOCK" -o "$p.watch.json" "$p.json" ||
		{ WHY="watch-profile failed"; return 1; }
	astart "$p.watch.json" "{\"io.containers.seccomp-watch.learned\": \"of:$p.learned.json\"}" "" ||
		{ WHY="complain: it never served: $(tail -c 300 "$OUT")"; return 1; }
	app_load2 || { WHY="complain: the second load failed: $(tail -c 300 "$OUT")"; return 1; }
	"$HOOK" watch-report --socket "$SOCK" "$CID" > "$p.report" 2>&1
	while read -r w; do
		grep -Eq "$w" "$p.report" || { WHY="complain: the report has no '$w': $(head -c 600 "$p.report")"; return 1; }
	done <<<"$want"
	# Enforce, at run time: the same calls refused with EPERM, the container the same.
	cpid=$(ctr_pid)
	"$HOOK" policy --socket "$SOCK" "$CID" enforce >/dev/null ||
		{ WHY="policy enforce failed"; return 1; }
	! app_load2 || { WHY="enforce: the second load was still served"; return 1; }
	app_refused || { WHY="enforce: no EPERM in the output: $(tail -c 300 "$OUT")"; return 1; }
	app_load1 && [ "$(ctr_pid)" = "$cpid" ] ||
		{ WHY="enforce: the container did not go on (pid $cpid, now $(ctr_pid))"; return 1; }
	astop
	wait_until 10 test -s "$p.learned.json" && jq -e "$learned" "$p.learned.json" >/dev/null ||
		{ WHY="learned file: $(head -c 400 "$p.learned.json" 2>&1)"; return 1; }
	# Folded back: the merged profile, enforced with no listener, serves both loads.
	"$HOOK" merge -o "$p.merged.json" "$p.json" "$p.learned.json" ||
		{ WHY="merge failed"; return 1; }
	astart "$p.merged.json" '{}' "" && app_load1 && app_load2 ||
		{ WHY="merged profile: a load failed: $(tail -c 300 "$OUT")"; return 1; }
	WHY=ok
}

# learned_has NAME [VALUE]: a jq test: the learned file allows NAME (with
# VALUE: under the condition that its restricted argument is VALUE).
learned_has() {
	if [ $# = 1 ]; then
		echo "([.syscalls[] | select(.action == \"SCMP_ACT_ALLOW\" and (.args // [] | length) == 0) | .names[]] | index(\"$1\") != null)"
	else
		echo "(any(.syscalls[]; .action == \"SCMP_ACT_ALLOW\" and .names == [\"$1\"] and any(.args[]; .valueTwo == $2)))"
	fi
}

listener_start || echo "# the listener did not start: $(cat "$T/listener.log")"

# --- nginx: a 3 MB POST sent with "Expect: 100-continue" --------------------------
# The first load: a page and a small POST without Expect. The second: 3 MB
# with it, so nginx answers "100 Continue" with send() (sendto) and reads the
# body with ioctl(FIONREAD). POST to a static file is a 405, turned into the
# page: nginx reads the body to discard it.
NGINX=$T/nginx
mkdir -p "$NGINX/www"
echo "served by nginx" > "$NGINX/www/index.html"
echo "upload here" > "$NGINX/www/up"
cat > "$NGINX/nginx.conf" <<CONF
daemon off; user root; worker_processes 1; pid /tmp/nginx.pid; error_log /tmp/error.log;
events {}
http {
	access_log /tmp/access.log;
	client_body_temp_path /tmp/cb; proxy_temp_path /tmp/p; fastcgi_temp_path /tmp/f;
	uwsgi_temp_path /tmp/u; scgi_temp_path /tmp/s;
	client_max_body_size 8m;
	server { listen 127.0.0.1:$PORT; root /conf/www; location = /up { error_page 405 =200 /index.html; } }
}
CONF
head -c 3000000 /dev/zero | tr '\0' x > "$T/body"
nginx_get() { curl -sf -m 10 "http://127.0.0.1:$PORT/" 2>/dev/null | grep -q "served by nginx"; }
app_ready() { nginx_get; }
app_load1() {
	nginx_get && curl -sf -m 10 -H 'Expect:' --data-binary 'a=1' "http://127.0.0.1:$PORT/up" |
		grep -q "served by nginx"
}
app_load2() {
	curl -sf -m 20 -H 'Expect: 100-continue' --data-binary "@$T/body" "http://127.0.0.1:$PORT/up" 2>/dev/null |
		grep -q "served by nginx"
}
app_refused() { grep -q "(1: Operation not permitted)" "$BDIR/tmp/error.log" 2>/dev/null; }
APP_ARGS=(nginx -c /conf/nginx.conf)
APP_CONF=$NGINX
APP_STOP=QUIT
if ! command -v nginx >/dev/null; then
	skip wapps_nginx_post "nginx is not installed (make deps installs nginx-light)"
	skip wapps_nginx_post_values "nginx is not installed (make deps installs nginx-light)"
else
	# By default the ioctl request is not restricted: only sendto is learned.
	APP_RT=runc watch_app wapps_nginx_post default '^sendto [0-9]+ first .* comm .nginx.' \
		"$(learned_has sendto) and ([.syscalls[].names[]] | index(\"ioctl\") == null)"
	if [ ! -x "$CRUN" ] || ! command -v crun >/dev/null; then
		skip wapps_nginx_post_values "crun is not installed"
	else
		# 0x541b: FIONREAD, learned as a value.
		APP_RT=crun watch_app wapps_nginx_post_values all \
			$'^sendto [0-9]+ \n^ioctl [0-9]+ .*\\(ioctl value 0x541b\\)' \
			"$(learned_has sendto) and $(learned_has ioctl 21531)"
	fi
fi

# --- redis: CONFIG SET appendonly yes ----------------------------------------------
# The first load: SET and GET. The second turns the append-only file on: redis
# makes its folder (mkdir) and, its rewrite done, removes the temporary files
# (unlink). Turned off and its folder removed, the second load takes the path again.
RPORT=$((PORT + 1))
rcli() { redis-cli -p "$RPORT" "$@" 2>/dev/null; }
app_ready() { [ "$(rcli ping)" = PONG ]; }
app_load1() { rcli set k v >/dev/null && [ "$(rcli get k)" = v ]; }
app_load2() {
	rcli config set appendonly no >/dev/null
	rm -rf "$BDIR/tmp/appendonlydir"
	[ "$(rcli config set appendonly yes)" = OK ] &&
		wait_until 20 eval 'rcli info persistence | grep -q "aof_rewrite_in_progress:0"' &&
		rcli info persistence | grep -q "aof_last_bgrewrite_status:ok" &&
		[ -d "$BDIR/tmp/appendonlydir" ]
}
app_refused() { grep -q "Operation not permitted" "$OUT"; }
APP_ARGS=(redis-server --port "$RPORT" --bind 127.0.0.1 --dir /tmp --save "" --daemonize no)
APP_CONF=$T
APP_STOP=TERM
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	skip wapps_redis_aof "redis-server is not installed (make deps installs redis-server)"
else
	APP_RT=runc watch_app wapps_redis_aof default $'^mkdir [0-9]+ \n^unlink [0-9]+ ' \
		"$(learned_has mkdir) and $(learned_has unlink)"
fi
