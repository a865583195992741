#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deploy/: the Debian package (make deb) installed into a throw-away root with
# dpkg, what it installs (binary, man pages, completion, systemd unit), make
# install, the stripped static binary of the container image, the DaemonSet
# and the Grafana dashboard; and the privileges the unit and the DaemonSet
# grant, by running their command lines with exactly those capabilities.
#
# The package is built from the build directory of NT_BIN (OUT=$(dirname
# NT_BIN), default build/: make deb reuses its objects) into OUT/deb, the
# static binary in OUT/static (build/static: the static suite's).  Everything
# else happens in the suite's temporary directory: nothing is installed on the
# host.  Another build directory: NT_BIN=build-x/nettrace tests/run.sh deploy
. "$(dirname "$0")/lib.sh"
nt_suite_init

DEPLOY=$NT_ROOT/deploy
OUT=$(cd "$(dirname "$NT_BIN")" && pwd)
BIN=$OUT/$(basename "$NT_BIN")		# NT_BIN, absolute
PORT_BASE=$(( 19000 + $$ % 300 ))

# ---- the package ------------------------------------------------------------

t=deploy/deb/build
DEB=
if nt_need "$t" cmd:make cmd:dpkg-deb cmd:dpkg-shlibdeps cmd:gzip; then
	if [ ! -d "$OUT/obj" ]; then
		fail "$t" "$OUT is not a build directory of this tree (NT_BIN=$NT_BIN)"
	elif ! make -s -C "$NT_ROOT" OUT="$OUT" deb >"$NT_TMP/deb.log" 2>&1; then
		detail_file "make deb" "$NT_TMP/deb.log"
		fail "$t" "make deb failed"
	else
		debs=("$OUT"/deb/nettrace_*.deb)
		if [ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ]; then
			DEB=${debs[0]}
			pass "$t"
		else
			detail "in $OUT/deb: ${debs[*]}"
			fail "$t" "make deb did not leave exactly one nettrace_*.deb"
		fi
	fi
fi

t=deploy/deb/control
if [ -z "$DEB" ]; then
	skip "$t" "no package (deploy/deb/build)"
else
	ok=1
	ctl=$(dpkg-deb -f "$DEB")
	field() { sed -n "s/^$1: //p" <<< "$ctl"; }
	[ "$(field Package)" = nettrace ] || { detail "Package: $(field Package)"; ok=0; }
	if ! dpkg --validate-version "$(field Version)" 2>"$NT_TMP/ver.err"; then
		detail "Version '$(field Version)': $(cat "$NT_TMP/ver.err")"; ok=0
	fi
	[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] ||
		{ detail "Architecture: $(field Architecture)"; ok=0; }
	[[ $(field Installed-Size) =~ ^[0-9]+$ ]] || { detail "Installed-Size: $(field Installed-Size)"; ok=0; }
	[ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] ||
		{ detail "Maintainer or Description missing"; ok=0; }
	# a dynamic binary depends on its libraries, a static one on nothing
	if ldd "$OUT/nettrace" >/dev/null 2>&1; then
		grep -q 'libbpf' <<< "$(field Depends)" ||
			{ detail "dynamic binary, but Depends: '$(field Depends)'"; ok=0; }
	else
		[ -z "$(field Depends)" ] || { detail "static binary, but Depends: $(field Depends)"; ok=0; }
	fi
	# every file belongs to root
	bad=$(dpkg-deb -c "$DEB" | awk '$2 != "root/root"')
	[ -z "$bad" ] || { detail "not owned by root:" "$bad"; ok=0; }
	if [ $ok = 1 ]; then
		pass "$t"
	else
		detail "control:" "$ctl"
		fail "$t" "the package's control data is wrong"
	fi
fi

# A throw-away root whose dpkg database is a copy of the host's: the
# package's Depends are checked against what is really installed here.
ROOTDIR=$NT_TMP/root
t=deploy/deb/install
INSTALLED=0
if [ -z "$DEB" ]; then
	skip "$t" "no package (deploy/deb/build)"
elif ! nt_need "$t" cmd:dpkg; then
	:
else
	mkdir -p "$ROOTDIR/var/lib/dpkg/info" "$ROOTDIR/var/lib/dpkg/updates" \
		"$ROOTDIR/var/lib/dpkg/triggers" "$ROOTDIR/var/log"
	cp /var/lib/dpkg/status "$ROOTDIR/var/lib/dpkg/status"
	: > "$ROOTDIR/var/lib/dpkg/available"
	if dpkg --root="$ROOTDIR" --log="$NT_TMP/dpkg.log" -i "$DEB" >"$NT_TMP/dpkgi.out" 2>&1 &&
	   dpkg --root="$ROOTDIR" -s nettrace 2>/dev/null | grep -q '^Status: install ok installed'; then
		INSTALLED=1
		pass "$t"
	else
		detail_file "dpkg -i" "$NT_TMP/dpkgi.out"
		fail "$t" "dpkg --root -i failed"
	fi
fi

FILES="usr/sbin/nettrace usr/share/man/man8/nettrace.8.gz usr/share/man/man8/dropreason.8.gz
usr/share/bash-completion/completions/nettrace lib/systemd/system/nettrace-monitor.service
usr/share/doc/nettrace/copyright"

t=deploy/deb/files
if [ $INSTALLED = 0 ]; then
	skip "$t" "package not installed (deploy/deb/install)"
else
	ok=1
	listed=$(dpkg --root="$ROOTDIR" -L nettrace)
	for f in $FILES; do
		[ -f "$ROOTDIR/$f" ] || { detail "missing: /$f"; ok=0; }
		grep -qx "/$f" <<< "$listed" || { detail "not in dpkg -L: /$f"; ok=0; }
	done
	[ "$(stat -c %a "$ROOTDIR/usr/sbin/nettrace" 2>/dev/null)" = 755 ] ||
		{ detail "/usr/sbin/nettrace mode $(stat -c %a "$ROOTDIR/usr/sbin/nettrace" 2>/dev/null)"; ok=0; }
	# Debian installs binaries without symbols
	if command -v readelf >/dev/null 2>&1 &&
	   readelf -S "$ROOTDIR/usr/sbin/nettrace" 2>/dev/null | grep -q '\.symtab'; then
		detail "/usr/sbin/nettrace is not stripped"; ok=0
	fi
	[ $ok = 1 ] && pass "$t" || fail "$t" "the package does not install what it should"
fi

t=deploy/deb/binary-runs
if [ $INSTALLED = 0 ]; then
	skip "$t" "package not installed (deploy/deb/install)"
else
	want=$("$NT_BIN" --version 2>&1)
	got=$("$ROOTDIR/usr/sbin/nettrace" --version 2>&1)
	if [[ $got == "nettrace "* ]] && [ "$got" = "$want" ]; then
		pass "$t"
	else
		detail "installed: $got" "build: $want"
		fail "$t" "the installed binary does not report the build's version"
	fi
fi

for page in nettrace dropreason; do
	t=deploy/deb/man-$page
	if [ $INSTALLED = 0 ]; then
		skip "$t" "package not installed (deploy/deb/install)"
		continue
	fi
	nt_need "$t" cmd:man || continue
	f=$ROOTDIR/usr/share/man/man8/$page.8.gz
	case $page in
	nettrace) want='--monitor' ;;
	dropreason) want='NO_SOCKET' ;;
	esac
	if MANWIDTH=100 man -l "$f" >"$NT_TMP/man.out" 2>"$NT_TMP/man.err" &&
	   grep -q '^NAME' "$NT_TMP/man.out" && grep -qe "$want" "$NT_TMP/man.out" &&
	   ! grep -q 'warning' "$NT_TMP/man.err"; then
		pass "$t"
	else
		detail_file "man -l" "$NT_TMP/man.out"
		detail_file "stderr" "$NT_TMP/man.err"
		fail "$t" "man -l $page.8.gz does not render a page with NAME and $want"
	fi
done

# ---- bash completion ---------------------------------------------------------

COMPL=$DEPLOY/nettrace.bash-completion
[ $INSTALLED = 1 ] && COMPL=$ROOTDIR/usr/share/bash-completion/completions/nettrace
t=deploy/completion/loads
out=$(bash -c 'source "$1" && complete -p nettrace' sh "$COMPL" 2>&1)
if [ "$out" = "complete -F _nettrace nettrace" ]; then
	pass "$t"
else
	detail "complete -p nettrace: $out"
	fail "$t" "the completion file does not register _nettrace"
fi

# complete LIB LINE: the completions of LINE (ending where the cursor is),
# split the way readline splits it; LIB=1 loads the bash-completion package.
complete_line()
{
	bash -c '
		[ "$1" = 1 ] && . /usr/share/bash-completion/bash_completion
		. "$2"
		read -r -a COMP_WORDS <<< "$(printf "%s" "$3" | sed -E "s/([=:])/ \\1 /g")"
		[[ $3 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )) COMP_LINE=$3 COMP_POINT=${#3}
		_nettrace
		printf "%s\n" "${COMPREPLY[@]}"' sh "$1" "$COMPL" "$2" 2>&1
}

libs="0"
[ -r /usr/share/bash-completion/bash_completion ] && libs="0 1"
for lib in $libs; do
	t=deploy/completion/options$([ "$lib" = 1 ] && echo -with-bash-completion)
	ok=1
	opts=$(complete_line "$lib" "$NT_BIN -" | sort -u)
	for o in $("$NT_BIN" -h 2>&1 | sed -nE 's/^ +(-[a-zA-Z]), (--[-a-z0-9]+).*/\1 \2/p
			s/^ +(--[-a-z0-9]+) .*/\1/p; s/^ +(-[a-zA-Z]) .*/\1/p'); do
		grep -qx -e "$o" <<< "$opts" || { detail "nettrace -h has $o, the completion does not offer it"; ok=0; }
	done
	[ "$(complete_line "$lib" "$NT_BIN --backend=t" | tr '\n' ' ')" = "tracefs " ] ||
		{ detail "--backend=t: $(complete_line "$lib" "$NT_BIN --backend=t" | tr '\n' ' ')"; ok=0; }
	[ "$(complete_line "$lib" "$NT_BIN -p ud" | tr '\n' ' ')" = "udp " ] ||
		{ detail "-p ud: $(complete_line "$lib" "$NT_BIN -p ud" | tr '\n' ' ')"; ok=0; }
	# hook groups come from this host's table (nettrace -t list)
	g=$(nt_hook_table | awk '/^hooks \(-t/ { t = 1; next } t && NF >= 2 && $1 != "group" { print $1; exit }')
	if [ -n "$g" ] && ! complete_line "$lib" "$NT_BIN -t ${g:0:3}" | grep -qx -e "$g"; then
		detail "-t ${g:0:3}: no $g in: $(complete_line "$lib" "$NT_BIN -t ${g:0:3}" | tr '\n' ' ')"; ok=0
	fi
	[ $ok = 1 ] && pass "$t" || fail "$t" "the completion does not match nettrace -h"
done

# ---- make install -------------------------------------------------------------

t=deploy/make-install
if nt_need "$t" cmd:make; then
	dest=$NT_TMP/destdir
	if make -s -C "$NT_ROOT" OUT="$OUT" DESTDIR="$dest" PREFIX=/usr/local install \
		>"$NT_TMP/install.log" 2>&1; then
		ok=1
		for f in sbin/nettrace share/man/man8/nettrace.8 share/bash-completion/completions/nettrace \
			 lib/systemd/system/nettrace-monitor.service; do
			[ -f "$dest/usr/local/$f" ] || { detail "missing /usr/local/$f"; ok=0; }
		done
		grep -q '^ExecStart=/usr/local/sbin/nettrace ' "$dest/usr/local/lib/systemd/system/nettrace-monitor.service" 2>/dev/null ||
			{ detail "the installed unit does not start /usr/local/sbin/nettrace"; ok=0; }
		[ $ok = 1 ] && pass "$t" || fail "$t" "make install does not install what it should"
	else
		detail_file "make install" "$NT_TMP/install.log"
		fail "$t" "make install failed"
	fi
fi

# ---- systemd unit ---------------------------------------------------------------

UNIT=$DEPLOY/nettrace-monitor.service
[ $INSTALLED = 1 ] && UNIT=$ROOTDIR/lib/systemd/system/nettrace-monitor.service
t=deploy/unit/verify
if nt_need "$t" cmd:systemd-analyze; then
	# verify needs the ExecStart binary: the one just installed (or built)
	bin=$BIN
	[ $INSTALLED = 1 ] && bin=$ROOTDIR/usr/sbin/nettrace
	mkdir -p "$NT_TMP/unit"
	sed "s|^ExecStart=/usr/sbin/nettrace|ExecStart=$bin|" "$UNIT" > "$NT_TMP/unit/nettrace-monitor.service"
	# (it prints unknown keys and bad values but still exits 0: any output fails)
	if systemd-analyze verify --man=no "$NT_TMP/unit/nettrace-monitor.service" >"$NT_TMP/verify.out" 2>&1 &&
	   [ ! -s "$NT_TMP/verify.out" ]; then
		pass "$t"
	else
		detail_file "systemd-analyze verify" "$NT_TMP/verify.out"
		fail "$t" "the unit does not verify"
	fi
fi

# unit_value KEY: the first value of KEY= in the unit
unit_value()
{
	sed -n "s/^$1=//p" "$UNIT" | head -n 1
}

# metrics_up URL NS REGEX: /metrics (fetched in network namespace NS, "" for
# this one) has a line matching REGEX within 5 s; the body in $NT_TMP/metrics
metrics_up()
{
	local i
	for (( i = 0; i < 25; i++ )); do
		if [ -n "$2" ]; then
			ip netns exec "$2" curl -s -m 2 "$1" > "$NT_TMP/metrics" 2>/dev/null
		else
			curl -s -m 2 "$1" > "$NT_TMP/metrics" 2>/dev/null
		fi
		grep -Eq -- "$3" "$NT_TMP/metrics" && return 0
		nt_alive "$NT_PID" || return 1
		sleep 0.2
	done
	return 1
}

# run_limited CAPS NS CMD...: nettrace as uid 0 with only CAPS (comma-separated
# names without CAP_) and no_new_privs, like the unit and the DaemonSet, in
# network namespace NS ("" for this one); in the background, as nt_start does.
run_limited()
{
	local caps=$1 ns=$2 c set="" pre=()
	shift 2
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	for c in ${caps//,/ }; do
		set+=",+${c,,}"
	done
	NT_SEQ=$(( NT_SEQ + 1 ))
	NT_OUT=$NT_TMP/run$NT_SEQ.out
	NT_ERR=$NT_TMP/run$NT_SEQ.err
	NT_ARGS="$*"
	env --default-signal=INT "${pre[@]}" setpriv --bounding-set="-all$set" --inh-caps=-all \
		--no-new-privs -- "$@" </dev/null >"$NT_OUT" 2>"$NT_ERR" &
	NT_PID=$!
	NT_RUN_PIDS+=("$NT_PID")
}

# The unit's command line, with the unit's capabilities: both backends.
UNIT_CAPS=$(unit_value CapabilityBoundingSet | sed 's/CAP_//g; s/ /,/g')
metrics_default=$(sed -n 's/^Environment=NETTRACE_METRICS=//p' "$UNIT" | head -n 1)
n=0
for be in bpf tracefs; do
	t=deploy/unit/least-privilege-$be
	n=$(( n + 1 ))
	nt_backend_need "$t" "$be" || continue
	nt_need "$t" cmd:setpriv cmd:curl || continue
	if [ "$metrics_default" != 127.0.0.1:9464 ]; then
		fail "$t" "the unit's default address is '$metrics_default', not 127.0.0.1:9464"
		continue
	fi
	bin=$BIN
	[ $INSTALLED = 1 ] && bin=$ROOTDIR/usr/sbin/nettrace
	port=$(( PORT_BASE + n ))
	# ExecStart= as systemd expands it: ${NETTRACE_METRICS} one word,
	# $NETTRACE_OPTS split at spaces
	read -r -a cmd <<< "$(unit_value ExecStart | sed -e "s|^/usr/sbin/nettrace|$bin|" \
		-e "s|\${NETTRACE_METRICS}|127.0.0.1:$port|" -e "s|\$NETTRACE_OPTS|--backend=$be|")"
	run_limited "$UNIT_CAPS" "" "${cmd[@]}"
	if metrics_up "http://127.0.0.1:$port/metrics" "" "^nettrace_info\{.*backend=\"$be\""; then
		nt_stop && pass "$t" || fail "$t" "did not stop on SIGINT"
	else
		detail "capabilities: $UNIT_CAPS; command: ${cmd[*]}"
		detail_file "metrics" "$NT_TMP/metrics"
		nt_stop
		detail_run
		fail "$t" "the unit's command does not serve metrics with the unit's capabilities"
	fi
done

# ---- DaemonSet -------------------------------------------------------------------

t=deploy/daemonset/parse
DS_CAPS="" DS_ARGS=""
# (python3 in PATH may be another installation than Debian's python3-yaml's)
PY=python3
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
if ! nt_need "$t" python3; then
	:
elif ! "$PY" -c 'import yaml' 2>/dev/null; then
	skip "$t" "python3-yaml not installed (no YAML parser for python3)"
else
	if "$PY" - "$DEPLOY/daemonset.yaml" >"$NT_TMP/ds.out" 2>&1 <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
err = []
kinds = [d.get("kind") for d in docs]
if kinds != ["Namespace", "ServiceAccount", "DaemonSet"]:
    err.append("kinds %s, want Namespace, ServiceAccount, DaemonSet" % kinds)
ds = docs[-1]
spec = ds["spec"]
tmpl = spec["template"]
pod = tmpl["spec"]
labels = tmpl["metadata"].get("labels", {})
for k, v in spec["selector"]["matchLabels"].items():
    if labels.get(k) != v:
        err.append("selector %s=%s does not match the pod's labels" % (k, v))
if pod.get("serviceAccountName") != docs[1]["metadata"]["name"]:
    err.append("the pod does not use the ServiceAccount")
if pod.get("hostNetwork") or pod.get("hostPID"):
    err.append("hostNetwork/hostPID set")
c = pod["containers"][0]
sc = c.get("securityContext", {})
if sc.get("privileged"):
    err.append("privileged: true")
if sc.get("readOnlyRootFilesystem") is not True:
    err.append("readOnlyRootFilesystem is not true")
if sc.get("allowPrivilegeEscalation") is not False:
    err.append("allowPrivilegeEscalation is not false")
caps = sc.get("capabilities", {})
if caps.get("drop") != ["ALL"]:
    err.append("capabilities.drop is not [ALL]")
add = caps.get("add", [])
if not set(add) <= {"BPF", "PERFMON", "SYSLOG"}:
    err.append("capabilities.add %s beyond BPF, PERFMON, SYSLOG" % add)
if not c.get("resources", {}).get("limits"):
    err.append("no resource limits")
ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
for probe in ("readinessProbe", "livenessProbe"):
    g = c.get(probe, {}).get("httpGet", {})
    if g.get("path") != "/metrics" or g.get("port") not in ports:
        err.append("%s is not an httpGet of /metrics on a container port" % probe)
ann = tmpl["metadata"].get("annotations", {})
args = c.get("args", [])
metrics = args[args.index("--metrics") + 1] if "--metrics" in args else ""
if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/path") != "/metrics":
    err.append("no prometheus.io scrape annotations")
if not (str(ports.get("metrics")) == ann.get("prometheus.io/port") == metrics.rsplit(":", 1)[-1]):
    err.append("port: containerPort %s, annotation %s, --metrics %s" %
               (ports.get("metrics"), ann.get("prometheus.io/port"), metrics))
vols = {v["name"]: v for v in pod.get("volumes", [])}
for m in c.get("volumeMounts", []):
    v = vols.get(m["name"])
    if not v:
        err.append("volumeMount %s has no volume" % m["name"])
    elif m["mountPath"] == "/sys/kernel/btf" and not m.get("readOnly"):
        err.append("/sys/kernel/btf is not read-only")
mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
for p in ("/sys/kernel/btf", "/sys/kernel/tracing"):
    if p not in mounts:
        err.append("%s not mounted" % p)
for e in err:
    print(e)
if err:
    sys.exit(1)
print("CAPS=" + ",".join(add))
print("ARGS=" + " ".join(args))
EOF
	then
		DS_CAPS=$(sed -n 's/^CAPS=//p' "$NT_TMP/ds.out")
		DS_ARGS=$(sed -n 's/^ARGS=//p' "$NT_TMP/ds.out")
		pass "$t"
	else
		detail_file "checks" "$NT_TMP/ds.out"
		fail "$t" "deploy/daemonset.yaml is not a sound DaemonSet"
	fi
fi

# The container's command line with its capabilities, uid 0 and its own
# network namespace (as a pod): it serves metrics there and counts a drop
# caused in another namespace, located in a kernel function.
t=deploy/daemonset/least-privilege
if [ -z "$DS_ARGS" ]; then
	skip "$t" "no DaemonSet (deploy/daemonset/parse)"
elif nt_backend_need "$t" bpf && nt_need "$t" cmd:setpriv cmd:curl cmd:ip cmd:nc; then
	port=$(( PORT_BASE + 10 ))
	if ! nt_netns_new POD pod || ! nt_netns_new OTHER other; then
		fail "$t" "cannot create the namespaces"
	else
		read -r -a args <<< "${DS_ARGS//0.0.0.0:9464/0.0.0.0:$port}"
		run_limited "$DS_CAPS" "$POD" "$NT_BIN" "${args[@]}"
		ok=0
		if metrics_up "http://127.0.0.1:$port/metrics" "$POD" '^nettrace_info\{.*backend="bpf"'; then
			for i in 1 2 3 4 5; do
				nt_tcp_syn "$OTHER" 127.0.0.1 9
				ip netns exec "$POD" curl -s -m 2 "http://127.0.0.1:$port/metrics" > "$NT_TMP/metrics"
				# a kernel function, not an address: CAP_SYSLOG reads kallsyms
				grep -Eq '^nettrace_drops_total\{reason="NO_SOCKET",location="[a-z_][a-z0-9_.]*(\+0x[0-9a-f]+)?"' \
					"$NT_TMP/metrics" && { ok=1; break; }
				sleep 0.3
			done
			[ $ok = 1 ] || detail "no NO_SOCKET drop with a function as location after 5 connection attempts"
		else
			detail "no metrics at 0.0.0.0:$port in the pod's namespace"
		fi
		nt_stop || ok=0
		if [ $ok = 1 ]; then
			pass "$t"
		else
			detail "capabilities: $DS_CAPS; args: ${args[*]}"
			detail_file "metrics" "$NT_TMP/metrics"
			detail_run
			fail "$t" "the DaemonSet's command does not work with the DaemonSet's capabilities"
		fi
	fi
fi

# ---- Grafana dashboard ---------------------------------------------------------------

DASH=$DEPLOY/grafana-dashboard.json
t=deploy/dashboard/parse
EXPRS=
if nt_need "$t" python3; then
	if python3 - "$DASH" "$NT_TMP/dash.exprs" >"$NT_TMP/dash.out" 2>&1 <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
err = []
if not 36 <= d.get("schemaVersion", 0) <= 41:
    err.append("schemaVersion %s" % d.get("schemaVersion"))
if not any(i.get("name") == "DS_PROMETHEUS" and i.get("pluginId") == "prometheus"
           for i in d.get("__inputs", [])):
    err.append("no DS_PROMETHEUS datasource input")
known = {"nettrace_drops_total", "nettrace_drop_series", "nettrace_drop_series_limit",
         "nettrace_drop_series_overflow_total", "nettrace_events_lost_total", "nettrace_info",
         "process_start_time_seconds"}
funcs = {"sum", "rate", "increase", "topk", "max", "count", "sort_desc", "time", "vector", "and", "or"}
ids = set()
exprs = []
for p in d["panels"]:
    if p["id"] in ids:
        err.append("panel id %s twice" % p["id"])
    ids.add(p["id"])
    if "gridPos" not in p:
        err.append("panel %r has no gridPos" % p.get("title"))
    if p.get("type") == "row":
        continue
    if p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
        err.append("panel %r does not use ${DS_PROMETHEUS}" % p.get("title"))
    if not p.get("targets"):
        err.append("panel %r has no query" % p.get("title"))
    for tg in p.get("targets", []):
        e = tg["expr"]
        exprs.append(e)
        # identifiers outside strings and label sets: metric names or functions
        bare = re.sub(r'"[^"]*"|\{[^}]*\}|\[[^]]*\]', " ", e)
        bare = re.sub(r'\b(by|without|on|ignoring|group_left|group_right) *\([^)]*\)', " ", bare)
        for name in re.findall(r"[a-zA-Z_][a-zA-Z0-9_]*", bare):
            if name not in known and name not in funcs:
                err.append("panel %r: %s is not a nettrace metric" % (p["title"], name))
titles = " ".join(p.get("title", "").lower() for p in d["panels"])
for want in ("reason", "location", "severity", "instance", "error", "lost", "limit"):
    if want not in titles:
        err.append("no panel about %s" % want)
for e in err:
    print(e)
open(sys.argv[2], "w").write("".join(e + "\n" for e in exprs))
sys.exit(1 if err else 0)
EOF
	then
		pass "$t"
	else
		detail_file "checks" "$NT_TMP/dash.out"
		fail "$t" "deploy/grafana-dashboard.json is not a sound dashboard"
	fi
	EXPRS=$(cat "$NT_TMP/dash.exprs" 2>/dev/null)
fi

# Every query parses as PromQL (promtool), with the Grafana variables
# replaced as the monitor suite does before it runs them on a real Prometheus.
t=deploy/dashboard/promql
if [ -z "$EXPRS" ]; then
	skip "$t" "no queries (deploy/dashboard/parse)"
elif nt_need "$t" cmd:promtool; then
	{
		echo "groups:"
		echo "  - name: dashboard"
		echo "    rules:"
		i=0
		while IFS= read -r q; do
			i=$(( i + 1 ))
			q=${q//\$__rate_interval/1m}
			q=${q//\$__range/5m}
			q=$(printf '%s' "$q" | sed -E 's/=~?"\$[a-z_]+"/=~".*"/g; s/\$[a-z_]+/.*/g')
			echo "      - record: dashboard:query$i"
			echo "        expr: '${q//\'/\'\'}'"
		done <<< "$EXPRS"
	} > "$NT_TMP/dash-rules.yml"
	if promtool check rules "$NT_TMP/dash-rules.yml" >"$NT_TMP/promtool.out" 2>&1; then
		pass "$t"
	else
		detail_file "promtool check rules" "$NT_TMP/promtool.out"
		fail "$t" "a dashboard query is not valid PromQL"
	fi
fi

# ---- the container image's binary ----------------------------------------------------

# make STATIC=1 writes nettrace.stripped next to nettrace (deploy/Containerfile
# copies it).
t=deploy/static-stripped
STATIC_OUT=$OUT/static
if nt_need "$t" cmd:make cmd:ldd; then
	if ! make -s -C "$NT_ROOT" STATIC=1 OUT="$STATIC_OUT" -j"$(nproc)" >"$NT_TMP/static.log" 2>&1; then
		detail_file "make STATIC=1" "$NT_TMP/static.log"
		fail "$t" "make STATIC=1 failed"
	else
		ok=1
		s=$STATIC_OUT/nettrace.stripped
		[ -x "$s" ] || { detail "no $s"; ok=0; }
		ldd "$s" 2>&1 | grep -q "not a dynamic executable" || { detail "$s is dynamic"; ok=0; }
		if command -v readelf >/dev/null 2>&1 && readelf -S "$s" 2>/dev/null | grep -q '\.symtab'; then
			detail "$s has a symbol table"; ok=0
		fi
		a=$(stat -c %s "$STATIC_OUT/nettrace" 2>/dev/null) b=$(stat -c %s "$s" 2>/dev/null)
		[ -n "$a" ] && [ -n "$b" ] && [ "$b" -lt "$a" ] || { detail "sizes: $a unstripped, $b stripped"; ok=0; }
		[ "$("$s" --version 2>&1)" = "$("$STATIC_OUT/nettrace" --version 2>&1)" ] ||
			{ detail "$s --version: $("$s" --version 2>&1)"; ok=0; }
		# what the Containerfile copies is what make STATIC=1 writes
		grep -q 'make STATIC=1 OUT=/out' "$DEPLOY/Containerfile" &&
			grep -q 'COPY --from=build /out/nettrace.stripped ' "$DEPLOY/Containerfile" ||
			{ detail "deploy/Containerfile does not copy make STATIC=1's nettrace.stripped"; ok=0; }
		if [ $ok = 1 ]; then
			pass "$t"
		else
			fail "$t" "make STATIC=1 does not give a stripped static binary"
		fi
	fi
fi
