# SPDX-License-Identifier: GPL-2.0-only
# Fetches a Debian kernel package with `apt-get download`, through an apt
# configuration of its own (sources, lists, cache and status under $KCACHE/apt),
# so the system's apt is left as it is. Sourced by tests/kernels/run.
# shellcheck shell=bash

# The Debian release each kernel comes from: its newest linux-image-$KARCH.
kernel_suite() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo trixie ;;
	*) return 1 ;;
	esac
}

KMIRROR=${KERNELS_MIRROR:-http://deb.debian.org/debian}
# bookworm's debian-archive-keyring holds bullseye's and trixie's keys too.
KKEYRING=${KERNELS_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# The architectures apt works on: KARCH and, for arm64, its 32-bit armhf.
KARCH=${KARCH:-amd64}
karchs() { [ "$KARCH" = arm64 ] && echo arm64,armhf || echo "$KARCH"; }

# suite_apt SUITE CMD ARGS...: CMD (apt-get or apt-cache) on that suite alone.
suite_apt() {
	local suite=$1 cmd=$2 d=$KCACHE/apt/$1 a=() i; shift 2
	for i in $(karchs | tr , ' '); do a+=(-o "APT::Architectures::=$i"); done
	"$cmd" -q -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
		-o Dir::State::status="$d/status" -o APT::Architecture="$KARCH" \
		"${a[@]}" -o Acquire::Languages=none "$@"
}

# suite_update SUITE: the suite's package list, at most once a day.
suite_update() {
	local suite=$1 d=$KCACHE/apt/$1
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	[ -e "$d/status" ] || : > "$d/status"
	echo "deb [arch=$(karchs) signed-by=$KKEYRING] $KMIRROR $suite main" > "$d/sources.list"
	[ -n "$(find "$d/updated" -mmin -1440 2>/dev/null)" ] && return 0
	suite_apt "$suite" apt-get update >"$d/update.log" 2>&1 || {
		tail -n 3 "$d/update.log"
		return 1
	}
	touch "$d/updated"
}

# fetch_kernel VERSION: the kernel's package unpacked under $KCACHE/VERSION/root
# (vmlinuz and modules), downloaded once; on failure prints why and returns 1.
fetch_kernel() {
	local ver=$1 suite pkg deb dir=$KCACHE/$1
	suite=$(kernel_suite "$ver") || { echo "no Debian release is known for kernel '$ver'"; return 1; }
	if [ -e "$dir/root/.unpacked" ]; then
		return 0
	fi
	suite_update "$suite" || { echo "apt-get update of '$suite' failed"; return 1; }
	pkg=$(suite_apt "$suite" apt-cache show "linux-image-$KARCH" 2>/dev/null |
		sed -n "s/^Depends:.*\\(linux-image-[0-9][^ ,]*-$KARCH\\).*/\\1/p" | head -n 1)
	[ -n "$pkg" ] || { echo "no linux-image-$KARCH in '$suite'"; return 1; }
	case $pkg in linux-image-"$ver".*) ;; *)
		echo "'$suite' has '$pkg', not a $ver kernel"; return 1 ;;
	esac
	mkdir -p "$dir/deb"
	deb=$(find "$dir/deb" -name "${pkg}_*.deb" | head -n 1)
	if [ -z "$deb" ]; then
		(cd "$dir/deb" && suite_apt "$suite" apt-get download "$pkg" >download.log 2>&1) || {
			tail -n 3 "$dir/deb/download.log"
			echo "apt-get download '$pkg' failed"
			return 1
		}
		deb=$(find "$dir/deb" -name "${pkg}_*.deb" | head -n 1)
	fi
	rm -rf "$dir/root"
	dpkg-deb -x "$deb" "$dir/root" || { echo "cannot unpack '$deb'"; return 1; }
	touch "$dir/root/.unpacked"
}
