# SPDX-License-Identifier: GPL-2.0-only
# Builds the guest's initramfs: busybox-static, tests/kernels/init, the
# modules that reach the host's root over virtio-9p (with what they depend
# on, in load order) and the run's settings. Sourced by tests/kernels/run.
# shellcheck shell=bash

# What the guest loads; a module the kernel has built in is left out.
GUEST_MODULES=(virtio_pci 9pnet_virtio 9p)

# module_path MODDIR NAME: the module's file, '-' and '_' alike.
module_path() {
	find "$1/kernel" -name "$2.ko*" -o -name "$(tr _ - <<<"$2").ko*" -o \
		-name "$(tr - _ <<<"$2").ko*" | head -n 1
}

# module_deps FILE: the modules FILE names in its modinfo 'depends='.
module_deps() {
	local f=$1
	case $f in
	*.xz) xz -dc "$f" ;;
	*.zst) zstd -dcq "$f" ;;
	*) cat "$f" ;;
	esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n 1 | tr , ' '
}

# add_module MODDIR NAME: NAME after what it depends on, once, into ORDER.
add_module() {
	local moddir=$1 name=$2 f d
	case " ${ORDER[*]} " in *" $name "*) return 0 ;; esac
	f=$(module_path "$moddir" "$name")
	if [ -z "$f" ]; then
		grep -qE "/($name|$(tr _ - <<<"$name"))\.ko$" "$moddir/modules.builtin" && return 0
		echo "module '$name' is neither in '$moddir' nor built in"
		return 1
	fi
	for d in $(module_deps "$f"); do
		add_module "$moddir" "$d" || return 1
	done
	ORDER+=("$name")
	FILES+=("$f")
}

# build_initramfs KROOT OUT ENVFILE HOSTPROFILE: the initramfs for the kernel
# unpacked in KROOT, with ENVFILE as /osr.env and the host's profile of `ls /`
# as /host-ls.json (its exact scope as /host-ls.exact.json); prints why and returns 1 if it cannot.
build_initramfs() {
	local kroot=$1 out=$2 envfile=$3 hostprofile=$4 moddir i dir
	moddir=$(find "$kroot/lib/modules" "$kroot/usr/lib/modules" -mindepth 1 -maxdepth 1 \
		-type d 2>/dev/null | head -n 1)
	[ -n "$moddir" ] || { echo "no modules in '$kroot'"; return 1; }
	ORDER=() FILES=()
	for i in "${GUEST_MODULES[@]}"; do add_module "$moddir" "$i" || return 1; done
	dir=$out.d
	rm -rf "$dir" && mkdir -p "$dir"/{bin,dev,proc,sys,mnt,modules}
	cp /bin/busybox "$dir/bin/busybox"
	ln -s busybox "$dir/bin/sh"
	cp "$(dirname "${BASH_SOURCE[0]}")/init" "$dir/init"
	cp "$envfile" "$dir/osr.env"
	cp "$hostprofile" "$dir/host-ls.json"
	cp "${hostprofile%.json}.exact.json" "$dir/host-ls.exact.json"
	for i in "${!ORDER[@]}"; do
		case ${FILES[$i]} in
		*.xz) xz -dc "${FILES[$i]}" > "$dir/modules/${ORDER[$i]}.ko" ;;
		*.zst) zstd -dcq "${FILES[$i]}" > "$dir/modules/${ORDER[$i]}.ko" ;;
		*) cp "${FILES[$i]}" "$dir/modules/${ORDER[$i]}.ko" ;;
		esac || { echo "cannot copy module '${FILES[$i]}'"; return 1; }
		echo "${ORDER[$i]}" >> "$dir/modules/order"
	done
	(cd "$dir" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$out" ||
		{ echo "cannot write '$out'"; return 1; }
	rm -rf "$dir"
}
