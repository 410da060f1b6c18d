#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Kubernetes material in deploy/kubernetes, checked offline (there is no
# cluster, CRI-O or registry here): the manifests parse and agree with the
# Makefile's defaults, the README and each other; the hooks.d files the
# DaemonSet installs are what `make install CONFINED=1` makes; install.sh and
# uninstall.sh, run against a fake host root, install and remove exactly the
# hook's files. Needs python3 (PyYAML for the manifest checks), jq and make;
# no root, no BTF, no built hook.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS=(deploy_yaml_parses deploy_paths_match_makefile deploy_hooks_json_match_make_install
	deploy_daemonset_spec deploy_example_pods deploy_crio_dropin deploy_containerfile
	deploy_scripts_syntax deploy_install_fake_root deploy_install_idempotent
	deploy_install_refuses_other_hook_path deploy_uninstall_fake_root deploy_install_waits_until_stopped)
PREREQS=(python3 jq make cmp pgrep)

# Not skip_all_if_missing: nothing here needs root, BTF or the built hook.
deploy_missing() {
	local c
	for c in "${PREREQS[@]}"; do
		command -v "$c" >/dev/null 2>&1 || { echo "'$c' is not installed (make deps)"; return; }
	done
}
why=$(deploy_missing)
if [ -n "$why" ]; then
	for t in "${TESTS[@]}"; do skip "$t" "$why"; done
	exit 0
fi
# The manifest checks need PyYAML; the script and Containerfile checks do not.
NOYAML=
python3 -c 'import yaml' 2>/dev/null ||
	NOYAML="python3 has no yaml module (python3-yaml is not installed: make deps)"
needs_yaml() { [ -z "$NOYAML" ] || { skip "$1" "$NOYAML"; return 1; }; }

D=$TOP/deploy/kubernetes
DS=$D/daemonset.yaml
CRIO_HOOKSDIR=/usr/share/containers/oci/hooks.d # CRI-O's default hooks_dir
BGPID=
trap '[ -z "$BGPID" ] || kill "$BGPID" 2>/dev/null; cleanup_all' EXIT

# The Makefile's defaults, whatever the environment says.
clean_make() {
	env -u PREFIX -u DESTDIR -u LIBEXECDIR -u HOOKSDIR -u RECORD_DIR -u BASE_DIR -u MANDIR \
		make -s --no-print-directory -C "$TOP" "$@"
}
mkvar() { clean_make --eval 'osr-print-%: ; @echo $($*)' "osr-print-$1" CONFINED=1; }
LIBEXECDIR=$(mkvar LIBEXECDIR)
MK_HOOKSDIR=$(mkvar HOOKSDIR)
RECORD_DIR=$(mkvar RECORD_DIR)
BASE_DIR=$(mkvar BASE_DIR)

# `make install CONFINED=1` into $T/inst: the real recipe, with a stub for the
# binary so nothing is built (and nothing in OUTPUT is touched).
STUB=$T/stub-hook
printf '#!/bin/sh\necho stub hook\n' > "$STUB"
chmod 0755 "$STUB"
INST=$T/inst
clean_make -o "$STUB" install CONFINED=1 DESTDIR="$INST" OUTPUT="$T/out" BIN="$STUB" \
	>"$T/make-install.log" 2>&1 || echo "make install CONFINED=1 failed: $(tail -3 "$T/make-install.log")" >&2

# The checks on the YAML, TOML and Containerfile; each prints "ok" or why not.
cat > "$T/check.py" <<'PY'
import glob, json, os, posixpath, re, sys

def docs(path):
    import yaml
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

def one(path, kind):
    found = [d for d in docs(path) if isinstance(d, dict) and d.get("kind") == kind]
    if len(found) != 1:
        raise SystemExit(f"{os.path.basename(path)}: {len(found)} {kind} documents, want 1")
    return found[0]

def container(ds):
    cs = ds["spec"]["template"]["spec"].get("containers") or []
    if len(cs) != 1:
        raise SystemExit(f"DaemonSet has {len(cs)} containers, want 1")
    return cs[0]

def env(c):
    return {e["name"]: e.get("value") for e in c.get("env") or []}

def yaml_parses(d):
    files = sorted(glob.glob(os.path.join(d, "**", "*.yaml"), recursive=True) +
                   glob.glob(os.path.join(d, "**", "*.yml"), recursive=True))
    if not files:
        return "no YAML files"
    n = 0
    for p in files:
        rel = os.path.relpath(p, d)
        try:
            ds = docs(p)
        except __import__("yaml").YAMLError as e:
            return f"{rel}: {str(e).splitlines()[0]}"
        if not ds:
            return f"{rel}: no document"
        for i, x in enumerate(ds):
            if not isinstance(x, dict):
                return f"{rel} document {i}: not a mapping"
            for k in ("apiVersion", "kind"):
                if not isinstance(x.get(k), str) or not x[k]:
                    return f"{rel} document {i}: no {k}"
            name = (x.get("metadata") or {}).get("name")
            if not isinstance(name, str) or not name:
                return f"{rel} document {i} ({x['kind']}): no metadata.name"
            n += 1
    return f"ok {len(files)} files, {n} documents"

def paths(ds_path, libexecdir, record_dir, base_dir, crio_hooksdir, dropin):
    ds = one(ds_path, "DaemonSet")
    spec = ds["spec"]["template"]["spec"]
    hp = {v["name"]: v["hostPath"] for v in spec.get("volumes") or [] if "hostPath" in v}
    want = {libexecdir, crio_hooksdir, record_dir}
    got = sorted(h["path"] for h in hp.values())
    if len(got) != 3 or set(got) != want:
        return f"hostPath folders {got}, want exactly {sorted(want)}"
    for n, h in hp.items():
        if h.get("type") not in ("DirectoryOrCreate", "Directory"):
            return f"hostPath {n}: type {h.get('type')!r}, want a directory type"
    c = container(ds)
    root = env(c).get("HOST_ROOT")
    if not root or not root.startswith("/"):
        return f"container env HOST_ROOT is {root!r}"
    mounts = {m["name"]: m for m in c.get("volumeMounts") or []}
    for n, h in hp.items():
        m = mounts.get(n)
        if m is None:
            return f"hostPath volume {n} is not mounted"
        if posixpath.normpath(m["mountPath"]) != posixpath.normpath(root + h["path"]):
            return f"{h['path']} mounted at {m['mountPath']}, install.sh writes {root + h['path']}"
        if m.get("readOnly"):
            return f"{h['path']} is mounted read-only"
    hooks_env = env(c).get("HOOKSDIR")
    if hooks_env not in (None, crio_hooksdir):
        return f"container env HOOKSDIR {hooks_env!r} is not the hooks hostPath {crio_hooksdir}"
    cm = one(ds_path, "ConfigMap")
    for k, v in (cm.get("data") or {}).items():
        h = json.loads(v)
        if h["hook"]["path"] != libexecdir + "/oci-seccomp-recorder":
            return f"{k}: hook path {h['hook']['path']}, the binary goes to {libexecdir}/oci-seccomp-recorder"
        a = h["hook"]["args"]
        for opt, val in (("--output-dir", record_dir), ("--input-dir", base_dir)):
            if opt not in a or a.index(opt) + 1 >= len(a) or a[a.index(opt) + 1] != val:
                return f"{k}: {opt} is not {val}: {a}"
    if base_dir != "/var/lib/kubelet/seccomp" or not record_dir.startswith(base_dir + "/"):
        return f"RECORD_DIR {record_dir} is not inside the kubelet's seccomp folder (BASE_DIR {base_dir})"
    try:
        hooks_dir = dropin_hooks_dir(dropin)
    except ImportError:  # no tomllib before Python 3.11: deploy_crio_dropin checks by text
        hooks_dir = [crio_hooksdir]
    if crio_hooksdir not in hooks_dir:
        return f"the CRI-O drop-in's hooks_dir {hooks_dir} lacks {crio_hooksdir}"
    return "ok"

def dump_configmap(ds_path, out):
    ds = one(ds_path, "DaemonSet")
    c = container(ds)
    cm = one(ds_path, "ConfigMap")
    vols = {v["name"]: v for v in ds["spec"]["template"]["spec"].get("volumes") or []}
    mount = [m for m in c.get("volumeMounts") or []
             if (vols.get(m["name"]) or {}).get("configMap", {}).get("name") == cm["metadata"]["name"]]
    if len(mount) != 1:
        return f"the ConfigMap {cm['metadata']['name']} is not mounted in the container"
    if env(c).get("HOOKS_SRC") != mount[0]["mountPath"]:
        return f"HOOKS_SRC {env(c).get('HOOKS_SRC')!r} is not the ConfigMap's mountPath {mount[0]['mountPath']}"
    if cm["metadata"].get("namespace") != ds["metadata"].get("namespace"):
        return "the ConfigMap is not in the DaemonSet's namespace"
    os.makedirs(out, exist_ok=True)
    for k, v in (cm.get("data") or {}).items():
        with open(os.path.join(out, k), "w") as f:
            f.write(v)
    return "ok"

def daemonset_spec(ds_path, image, install, uninstall):
    ns = one(ds_path, "Namespace")
    ds = one(ds_path, "DaemonSet")
    if ds["metadata"].get("namespace") != ns["metadata"]["name"]:
        return f"DaemonSet namespace {ds['metadata'].get('namespace')!r} is not the Namespace {ns['metadata']['name']}"
    spec = ds["spec"]["template"]["spec"]
    c = container(ds)
    if c.get("image") != image:
        return f"image {c.get('image')!r}, want the placeholder {image}"
    for k in ("hostPID", "hostNetwork", "hostIPC"):
        if spec.get(k):
            return f"{k} is set"
    if spec.get("automountServiceAccountToken") is not False:
        return "the service account token is mounted"
    psc, sc = spec.get("securityContext") or {}, c.get("securityContext") or {}
    uid = sc.get("runAsUser", psc.get("runAsUser"))
    if uid != 0:
        return f"runAsUser {uid!r}, want 0"
    if sc.get("privileged") or psc.get("privileged"):
        return "privileged"
    if sc.get("allowPrivilegeEscalation") is not False:
        return "allowPrivilegeEscalation is not false"
    if sc.get("readOnlyRootFilesystem") is not True:
        return "readOnlyRootFilesystem is not true"
    caps = sc.get("capabilities") or {}
    if caps.get("add"):
        return f"capabilities added: {caps['add']}"
    if "ALL" not in (caps.get("drop") or []):
        return "capabilities are not all dropped"
    if not any(t.get("operator") == "Exists" and not t.get("key") and not t.get("effect")
               for t in spec.get("tolerations") or []):
        return "no toleration of every taint (operator: Exists without key/effect)"
    ru = (ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
    if str(ru.get("maxSurge")) not in ("0", "0%"):
        return f"maxSurge {ru.get('maxSurge')!r}: an old pod's preStop would remove the new pod's files"
    cmd = (c.get("command") or []) + (c.get("args") or [])
    if cmd != [install]:
        return f"command {cmd}, want [{install}]"
    pre = (((c.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command")
    if pre != [uninstall]:
        return f"preStop {pre}, want [{uninstall}]"
    probe = ((c.get("readinessProbe") or {}).get("exec") or {}).get("command")
    if probe != [install, "--check"]:
        return f"readinessProbe {probe}, want [{install}, --check]"
    return "ok"

TRACE = "io.containers.trace-syscall"
KEY_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/"
                    r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")

def inside(p, folder):
    return p.startswith("/") and posixpath.normpath(p) == p and p.startswith(folder + "/")

def example_pods(rec_path, loc_path, record_dir, base_dir):
    rec, loc = one(rec_path, "Pod"), one(loc_path, "Pod")
    ann = rec["metadata"].get("annotations") or {}
    keys = [k for k in ann if k.startswith(TRACE)]
    if len(keys) != 1 or not keys[0].startswith(TRACE + "/"):
        return f"recording pod trace annotations {keys}, want one {TRACE}/<container-name>"
    key = keys[0]
    if not KEY_RE.match(key) or len(key.split("/", 1)[1]) > 63:
        return f"{key} is not a valid annotation key"
    name = key.split("/", 1)[1]
    ctrs = {c["name"]: c for c in rec["spec"].get("containers") or []}
    if name not in ctrs:
        return f"{key} names no container of the pod ({sorted(ctrs)})"
    parts = dict(p.split(":", 1) for p in str(ann[key]).split(";") if ":" in p)
    if sorted(parts) not in (["of"], ["if", "of"]) or len(str(ann[key]).split(";")) != len(parts):
        return f"annotation value {ann[key]!r} is not of:PATH[;if:PATH]"
    out = parts["of"]
    if not inside(out, record_dir) or not out.endswith(".json"):
        return f"of:{out} is not a .json file inside RECORD_DIR {record_dir}"
    if "if" in parts and not inside(parts["if"], base_dir):
        return f"if:{parts['if']} is not inside BASE_DIR {base_dir}"
    if any(k.startswith(TRACE) for k in (loc["metadata"].get("annotations") or {})):
        return "the Localhost pod is still recorded"
    lctrs = {c["name"]: c for c in loc["spec"].get("containers") or []}
    if name not in lctrs:
        return f"the Localhost pod has no container {name}"
    if lctrs[name].get("image") != ctrs[name].get("image"):
        return f"the pods run different images: {ctrs[name].get('image')} / {lctrs[name].get('image')}"
    sp = ((lctrs[name].get("securityContext") or {}).get("seccompProfile")
          or (loc["spec"].get("securityContext") or {}).get("seccompProfile") or {})
    if sp.get("type") != "Localhost":
        return f"container {name}'s seccompProfile type {sp.get('type')!r}, want Localhost"
    lp = sp.get("localhostProfile") or ""
    if not lp or lp.startswith("/") or posixpath.normpath(lp) != lp or lp.startswith(".."):
        return f"localhostProfile {lp!r} is not a plain relative path"
    # The confined hook writes a namespace's recordings in a folder of its own.
    ns = rec["metadata"].get("namespace") or "default"
    landed = record_dir + "/" + ns + out[len(record_dir):]
    if base_dir + "/" + lp != landed:
        return f"localhostProfile {lp} is {base_dir}/{lp}, the recording writes {landed}"
    return "ok"

def dropin_hooks_dir(path):
    return dropin(path)["crio"]["runtime"].get("hooks_dir") or []

def dropin(path):
    import tomllib
    with open(path, "rb") as f:
        return tomllib.load(f)

def crio_dropin(path, hooks_hostpath):
    t = dropin(path)
    rt = t.get("crio", {}).get("runtime", {})
    if hooks_hostpath not in (rt.get("hooks_dir") or []):
        return f"hooks_dir {rt.get('hooks_dir')} lacks {hooks_hostpath}"
    runc = rt.get("runtimes", {}).get("runc")
    if runc is None:
        return "no [crio.runtime.runtimes.runc] table"
    if TRACE not in (runc.get("allowed_annotations") or []):
        return f"runc allowed_annotations {runc.get('allowed_annotations')} lacks {TRACE}"
    if runc.get("runtime_type", "oci") != "oci":
        return f"runc runtime_type {runc.get('runtime_type')!r}"
    text = open(path).read()
    if TRACE + "/<container-name>" not in text:
        return "no note on the per-container key io.containers.trace-syscall/<container-name>"
    return "ok"

def containerfile(path, inst, src_dir, *scripts):
    lines, cur = [], ""
    for raw in open(path):
        s = raw.rstrip("\n")
        if not cur and (not s.strip() or s.lstrip().startswith("#")):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        lines.append((cur + s).strip())
        cur = ""
    froms = [l.split() for l in lines if l.upper().startswith("FROM ")]
    if len(froms) != 2 or not all("debian:12" in f[1] for f in froms):
        return f"FROM lines {[' '.join(f) for f in froms]}, want two Debian 12 stages"
    inst_runs = [l for l in lines if l.startswith("RUN ") and "make install" in l]
    if len(inst_runs) != 1:
        return f"{len(inst_runs)} RUN make install lines, want 1"
    r = inst_runs[0]
    if "CONFINED=1" not in r.split() or "DESTDIR=/out" not in r.split():
        return "make install without CONFINED=1 DESTDIR=/out"
    for v in ("PREFIX", "LIBEXECDIR", "HOOKSDIR", "RECORD_DIR", "BASE_DIR"):
        if re.search(r"\b" + v + "=", r):
            return f"make install overrides {v}: the image would not ship the Makefile's defaults"
    copies = [l.split() for l in lines if l.startswith("COPY ")]
    dests = {}
    for c in copies:
        args = [a for a in c[1:] if not a.startswith("--")]
        if "--from=build" in c:
            for s in args[:-1]:
                if not s.startswith("/out/") or not os.path.exists(inst + s[len("/out"):]):
                    return f"COPY {s}: make install CONFINED=1 makes no {s[len('/out'):]}"
                dests[os.path.basename(s.rstrip("/"))] = args[-1]
        else:
            for s in args[:-1]:
                dests[os.path.basename(s)] = args[-1]
    want = {"oci-seccomp-recorder": src_dir + "/oci-seccomp-recorder",
            "hooks.d": src_dir + "/hooks.d/"}
    for s in scripts:
        want[s] = src_dir + "/"
    for k, v in want.items():
        if dests.get(k) != v:
            return f"{k} is copied to {dests.get(k)!r}, install.sh expects {v}"
    return "ok"

cmd, args = sys.argv[1], sys.argv[2:]
try:
    print(globals()[cmd](*args))
except SystemExit as e:
    print(e)
except Exception as e:  # a missing key is a failed check, not a crash
    print(f"{type(e).__name__}: {e}")
PY
check() { python3 "$T/check.py" "$@" 2>&1; }
# report NAME RESULT: pass when the checker said ok.
report() {
	case $2 in ok*) pass "$1" ;; *) fail "$1" "$2" ;; esac
}

# --- the manifests ----------------------------------------------------------------
needs_yaml deploy_yaml_parses && report deploy_yaml_parses "$(check yaml_parses "$D")"

# Paths: Makefile defaults, DaemonSet, ConfigMap, CRI-O drop-in, scripts, README.
paths_agree() {
	local r s kv
	r=$(check paths "$DS" "$LIBEXECDIR" "$RECORD_DIR" "$BASE_DIR" "$CRIO_HOOKSDIR" "$D/crio-recording.conf")
	if [ "$r" = ok ]; then
		for s in install.sh uninstall.sh; do
			for kv in "LIBEXECDIR=$LIBEXECDIR" "RECORD_DIR=$RECORD_DIR" "HOOKSDIR=\${HOOKSDIR:-$CRIO_HOOKSDIR}"; do
				grep -qxF "$kv" "$D/$s" || { r="$s does not set $kv"; break 2; }
			done
		done
	fi
	if [ "$r" = ok ]; then
		for kv in "RECORD_DIR=$RECORD_DIR" "BASE_DIR=$BASE_DIR"; do
			grep -qF "$kv" "$TOP/README.md" || { r="README.md's confined install does not say $kv"; break; }
		done
	fi
	echo "$r"
}
needs_yaml deploy_paths_match_makefile && report deploy_paths_match_makefile "$(paths_agree)"

# The hooks.d files the DaemonSet installs are make install's, compared as JSON.
hooks_json_agree() {
	local r made shipped f a
	r=$(check dump_configmap "$DS" "$T/cm")
	[ "$r" = ok ] || { echo "$r"; return; }
	made=$(cd "$INST$MK_HOOKSDIR" 2>/dev/null && ls -- *.json 2>/dev/null | sort | tr '\n' ' ')
	shipped=$(cd "$T/cm" && ls | sort | tr '\n' ' ')
	if [ -z "$made" ]; then
		echo "make install CONFINED=1 made no hooks.d files in $INST$MK_HOOKSDIR"
		return
	elif [ "$made" != "$shipped" ]; then
		echo "ConfigMap has [$shipped], make install makes [$made]"
		return
	fi
	for f in $made; do
		if ! a=$(jq -S . "$T/cm/$f" 2>&1); then
			echo "ConfigMap $f is not JSON: $a"
			return
		fi
		if [ "$a" != "$(jq -S . "$INST$MK_HOOKSDIR/$f")" ]; then
			echo "ConfigMap $f differs from make install's: $(diff <(echo "$a") <(jq -S . "$INST$MK_HOOKSDIR/$f") | head -4 | tr '\n' ' ')"
			return
		fi
	done
	echo ok
}
needs_yaml deploy_hooks_json_match_make_install && report deploy_hooks_json_match_make_install "$(hooks_json_agree)"

SRC_DIR_IMG=$(sed -n 's/^SRC_DIR=\${SRC_DIR:-\(.*\)}$/\1/p' "$D/install.sh")
needs_yaml deploy_daemonset_spec && report deploy_daemonset_spec "$(check daemonset_spec "$DS" oci-seccomp-recorder:0.1.0 \
	"$SRC_DIR_IMG/install.sh" "$SRC_DIR_IMG/uninstall.sh")"

needs_yaml deploy_example_pods && report deploy_example_pods "$(check example_pods "$D/example-pod.yaml" "$D/example-pod-localhost.yaml" \
	"$RECORD_DIR" "$BASE_DIR")"

if python3 -c 'import tomllib' 2>/dev/null; then
	report deploy_crio_dropin "$(check crio_dropin "$D/crio-recording.conf" "$CRIO_HOOKSDIR")"
else
	# Before Python 3.11: the keys by text.
	if grep -q '^\[crio\.runtime\.runtimes\.runc\]' "$D/crio-recording.conf" &&
		grep -q '^hooks_dir' "$D/crio-recording.conf" &&
		grep -qF "\"$CRIO_HOOKSDIR\"" "$D/crio-recording.conf" &&
		grep -q '^allowed_annotations' "$D/crio-recording.conf" &&
		grep -qF '"io.containers.trace-syscall"' "$D/crio-recording.conf"; then
		pass deploy_crio_dropin
	else
		fail deploy_crio_dropin "hooks_dir, the runc table or its allowed_annotations is missing"
	fi
fi

report deploy_containerfile "$(check containerfile "$D/Containerfile" "$INST" "$SRC_DIR_IMG" install.sh uninstall.sh)"

# --- the scripts ------------------------------------------------------------------
r=ok
for s in install.sh uninstall.sh; do
	if ! out=$(sh -n "$D/$s" 2>&1); then r="$s: $out"; break; fi
	if command -v shellcheck >/dev/null 2>&1 && ! out=$(shellcheck -s sh "$D/$s" 2>&1); then
		r="$s: $(echo "$out" | head -5 | tr '\n' ' ')"
		break
	fi
done
report deploy_scripts_syntax "$r"

# A fake node: the image's files in $SRC (the hooks.d files from make install),
# the host under $H with files of others the scripts must not touch.
SRC=$T/src
mkdir -p "$SRC/hooks.d"
cp "$STUB" "$SRC/oci-seccomp-recorder"
cp "$INST$MK_HOOKSDIR"/*.json "$SRC/hooks.d/" 2>/dev/null
new_host() {
	mkdir -p "$1$LIBEXECDIR" "$1$CRIO_HOOKSDIR" "$1$BASE_DIR"
	echo other > "$1$LIBEXECDIR/other-hook"
	echo '{}' > "$1$CRIO_HOOKSDIR/other-hook.json"
	echo '{}' > "$1$BASE_DIR/other-profile.json"
}
# Every file under the host root with its mode, one a line.
snapshot() { (cd "$1" && find . -type f -printf '%p %m\n' | sort); }
run_script() { # HOST SCRIPT ARGS...
	local h=$1 s=$2; shift 2
	HOST_ROOT=$h SRC_DIR=$SRC BTF=$STUB sh "$D/$s" "$@" >"$T/script.log" 2>&1
}
EXPECTED=$(printf '%s\n' ".$LIBEXECDIR/oci-seccomp-recorder 755" \
	".$CRIO_HOOKSDIR/oci-seccomp-recorder-poststop.json 644" \
	".$CRIO_HOOKSDIR/oci-seccomp-recorder-prestart.json 644" | sort)

H=$T/host
new_host "$H"
before=$(snapshot "$H")
r=ok
if ! run_script "$H" install.sh --once; then
	r="install.sh --once failed: $(tail -2 "$T/script.log")"
else
	after=$(snapshot "$H")
	added=$(comm -13 <(echo "$before") <(echo "$after"))
	removed=$(comm -23 <(echo "$before") <(echo "$after"))
	if [ "$added" != "$EXPECTED" ] || [ -n "$removed" ]; then
		r="added [$(echo "$added" | tr '\n' ' ')] removed [$(echo "$removed" | tr '\n' ' ')]"
	elif ! cmp -s "$SRC/oci-seccomp-recorder" "$H$LIBEXECDIR/oci-seccomp-recorder" ||
		! cmp -s "$SRC/hooks.d/oci-seccomp-recorder-prestart.json" "$H$CRIO_HOOKSDIR/oci-seccomp-recorder-prestart.json" ||
		! cmp -s "$SRC/hooks.d/oci-seccomp-recorder-poststop.json" "$H$CRIO_HOOKSDIR/oci-seccomp-recorder-poststop.json"; then
		r="installed files differ from the image's"
	elif [ ! -d "$H$RECORD_DIR" ]; then
		r="$RECORD_DIR was not created"
	elif [ -n "$(find "$H" -name '*.tmp.*')" ]; then
		r="temporary files left: $(find "$H" -name '*.tmp.*')"
	elif ! run_script "$H" install.sh --check; then
		r="install.sh --check fails right after an install"
	fi
fi
report deploy_install_fake_root "$r"

# Twice changes nothing (same inodes); a damaged file is noticed and repaired.
r=ok
ino() { stat -c %i "$H$LIBEXECDIR/oci-seccomp-recorder" "$H$CRIO_HOOKSDIR"/oci-seccomp-recorder-*.json | tr '\n' ' '; }
if [ "$(snapshot "$H" | grep -c oci-seccomp-recorder)" != 3 ]; then
	r="nothing installed to start from"
else
	snap=$(snapshot "$H") inodes=$(ino)
	if ! run_script "$H" install.sh --once; then
		r="second install failed: $(tail -2 "$T/script.log")"
	elif [ "$(snapshot "$H")" != "$snap" ] || [ "$(ino)" != "$inodes" ]; then
		r="a second install rewrote files"
	else
		echo garbage >> "$H$CRIO_HOOKSDIR/oci-seccomp-recorder-prestart.json"
		if run_script "$H" install.sh --check; then
			r="install.sh --check passes with a damaged hooks.d file"
		elif ! run_script "$H" install.sh --once || ! run_script "$H" install.sh --check ||
			[ "$(snapshot "$H")" != "$snap" ]; then
			r="a damaged hooks.d file was not repaired: $(tail -2 "$T/script.log")"
		fi
	fi
fi
report deploy_install_idempotent "$r"

# hooks.d files naming another binary path are refused before anything is copied.
r=ok
BAD=$T/bad-src
mkdir -p "$BAD/hooks.d"
cp "$SRC/oci-seccomp-recorder" "$BAD/"
for f in "$SRC"/hooks.d/*.json; do
	sed "s|$LIBEXECDIR/|/opt/elsewhere/|" "$f" > "$BAD/hooks.d/$(basename "$f")"
done
H2=$T/host2
new_host "$H2"
before2=$(snapshot "$H2")
if HOST_ROOT=$H2 SRC_DIR=$BAD sh "$D/install.sh" --once >"$T/script.log" 2>&1; then
	r="install.sh accepted hooks.d files that name /opt/elsewhere"
elif [ "$(snapshot "$H2")" != "$before2" ]; then
	r="files were installed before the refusal"
elif ! grep -q "does not name" "$T/script.log"; then
	r="unclear message: $(tail -1 "$T/script.log")"
fi
report deploy_install_refuses_other_hook_path "$r"

# Uninstall removes exactly the three files; others' files and recorded profiles stay.
r=ok
if [ "$(snapshot "$H" | grep -c oci-seccomp-recorder)" != 3 ]; then
	r="nothing installed to remove"
else
	echo '{"defaultAction":"SCMP_ACT_ERRNO"}' > "$H$RECORD_DIR/nginx.json"
	want=$( (echo "$before"; echo ".$RECORD_DIR/nginx.json 644") | sort)
	if ! run_script "$H" uninstall.sh; then
		r="uninstall.sh failed: $(tail -2 "$T/script.log")"
	elif [ "$(snapshot "$H")" != "$want" ]; then
		r="left [$(comm -13 <(echo "$want") <(snapshot "$H") | tr '\n' ' ')] removed [$(comm -23 <(echo "$want") <(snapshot "$H") | tr '\n' ' ')]"
	elif ! run_script "$H" uninstall.sh || [ "$(snapshot "$H")" != "$want" ]; then
		r="a second uninstall failed or changed something: $(tail -2 "$T/script.log")"
	elif run_script "$H" install.sh --check; then
		r="install.sh --check passes after an uninstall"
	fi
fi
report deploy_uninstall_fake_root "$r"

# The DaemonSet's mode: install, wait, and stop at once on SIGTERM, leaving no sleep behind.
r=ok
H3=$T/host3
new_host "$H3"
HOST_ROOT=$H3 SRC_DIR=$SRC BTF=$STUB sh "$D/install.sh" >"$T/wait.log" 2>&1 &
BGPID=$!
# Gone, or a zombie no one has reaped yet.
pid_gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
installed() { HOST_ROOT=$H3 SRC_DIR=$SRC sh "$D/install.sh" --check >/dev/null 2>&1; }
child() { pgrep -P "$BGPID" sleep; }
if ! wait_until 10 installed; then
	r="not installed within 10 s: $(tail -2 "$T/wait.log")"
elif ! wait_until 5 child >/dev/null; then
	r="no sleep while waiting"
else
	sleeper=$(child | head -1)
	kill -TERM "$BGPID"
	if ! wait_until 5 pid_gone "$BGPID"; then
		r="still running 5 s after SIGTERM"
	else
		wait "$BGPID"
		rc=$?
		BGPID=
		if [ "$rc" != 0 ]; then
			r="exit status $rc after SIGTERM"
		elif ! wait_until 2 pid_gone "$sleeper"; then
			kill "$sleeper"
			r="its sleep $sleeper outlived it"
		fi
	fi
fi
report deploy_install_waits_until_stopped "$r"
exit 0
