#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --monitor: drops counted by reason, location, protocol and namespace, served
# to Prometheus (--metrics) and printed as JSON lines (--interval), on both
# backends; checked against a real Prometheus server scraping two monitors in
# two namespaces ("two hosts"), and against abusive HTTP clients.
#
# Drops are caused with exact counts: UDP datagrams to a port that an
# iptables rule drops in the receiving namespace (NETFILTER_DROP, no answer)
# and TCP connection attempts to a closed port (NO_SOCKET).  Monitors filter
# IPv4 (-p ip: no IPv6 neighbour discovery noise) and, on bpf, the namespace.
. "$(dirname "$0")/lib.sh"
nt_suite_init

PORT_BASE=$(( 19400 + $$ % 500 ))

# metrics_get URL [NS]: the body of URL (from NS), at most 3 s.
metrics_get()
{
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" curl -s -m 3 "$1"
	else
		curl -s -m 3 "$1"
	fi
}

# series_value FILE LABELS...: the value of the nettrace_drops_total series
# whose labels include every LABELS (k="v"), summed over the matching series.
series_value()
{
	local file=$1 l
	shift
	local pat='^nettrace_drops_total\{'
	awk -v n="$#" -v labels="$*" '
		BEGIN { split(labels, want, " ") }
		/^nettrace_drops_total\{/ {
			ok = 1
			for (i = 1; i <= n; i++) if (index($0, want[i]) == 0) ok = 0
			if (ok) sum += $NF
		}
		END { print sum + 0 }' "$file"
}

# wait_value URL WANT LABELS...: polls (up to 6 s) until the series sum is WANT.
wait_value()
{
	local url=$1 want=$2 i
	shift 2
	for (( i = 0; i < 30; i++ )); do
		metrics_get "$url" "${NT_MNS:-}" > "$NT_TMP/metrics" 2>/dev/null
		[ "$(series_value "$NT_TMP/metrics" "$@")" = "$want" ] && return 0
		sleep 0.2
	done
	detail "expected $want drops with $* at $url, got $(series_value "$NT_TMP/metrics" "$@")"
	detail_file "metrics" "$NT_TMP/metrics"
	return 1
}

# udp_burst NS ADDR PORT N: N datagrams, at most 5 s.
udp_burst()
{
	local i
	for (( i = 0; i < $4; i++ )); do
		echo "x$i" | ip netns exec "$1" timeout 2 nc -u -w 0 "$2" "$3" >/dev/null 2>&1
	done
	return 0
}

# drop_udp NS PORT: the namespace's INPUT drops UDP to PORT.
drop_udp()
{
	ip netns exec "$1" iptables -w -A INPUT -p udp --dport "$2" -j DROP
}

# Counts in one monitor, exact: 3 NETFILTER_DROP (udp) and 2 NO_SOCKET (tcp)
# in namespace B, none of A's.
test_counts()
{
	local be=$1 name=monitor/$be/counts port=$(( PORT_BASE + 1 )) ino how
	nt_backend_need "$name" "$be" || return
	nt_need "$name" cmd:curl || return
	ino=$(ip netns exec "$NT_B" stat -Lc %i /proc/self/ns/net)
	local filt=(--netns "$ino")
	how=bpf-map
	if [ "$be" = tracefs ]; then
		# tracepoints do not carry the namespace: every drop of the host counts
		filt=()
		# in the kernel where it has histogram triggers
		how=user-space
		[ -e "$NT_TRACEFS/events/skb/kfree_skb/hist" ] && how=tracefs-hist
	fi
	if ! nt_start --monitor --metrics "127.0.0.1:$port" -p ip "${filt[@]}" --backend="$be" -v; then
		fail "$name" "monitor did not start"
		return
	fi
	udp_burst "$NT_A" "$NT_B4" 7777 3
	nt_tcp_syn "$NT_A" "$NT_B4" 9
	nt_tcp_syn "$NT_A" "$NT_B4" 9
	local url=http://127.0.0.1:$port/metrics ok=1
	if [ "$be" = bpf ]; then
		wait_value "$url" 3 'reason="NETFILTER_DROP"' 'proto="udp"' "netns=\"$ino\"" || ok=0
		wait_value "$url" 2 'reason="NO_SOCKET"' 'proto="tcp"' "netns=\"$ino\"" || ok=0
		wait_value "$url" 5 "netns=\"$ino\"" || ok=0
		grep -q 'location="nft_do_chain' "$NT_TMP/metrics" ||
			{ detail "no location=nft_do_chain* series"; ok=0; }
		grep -q 'severity="ERROR"' "$NT_TMP/metrics" ||
			{ detail "NETFILTER_DROP has no ERROR severity"; ok=0; }
	else
		# at least ours (the host may drop IPv4 packets of its own meanwhile)
		for (( i = 0; i < 30; i++ )); do
			metrics_get "$url" > "$NT_TMP/metrics"
			# (a histogram trigger has the L3 protocol only: no proto check)
			[ "$(series_value "$NT_TMP/metrics" 'reason="NETFILTER_DROP"')" -ge 3 ] &&
			[ "$(series_value "$NT_TMP/metrics" 'reason="NO_SOCKET"')" -ge 2 ] && break
			sleep 0.2
		done
		[ "$i" -lt 30 ] || { detail "fewer than 3 NETFILTER_DROP / 2 NO_SOCKET counted";
				     detail_file metrics "$NT_TMP/metrics"; ok=0; }
	fi
	grep -q "^nettrace_info{.*backend=\"$be\",counting=\"$how\"} 1" "$NT_TMP/metrics" ||
		{ detail "no nettrace_info for backend $be"; detail_file metrics "$NT_TMP/metrics"; ok=0; }
	for m in '# TYPE nettrace_drops_total counter' 'nettrace_drop_series_limit 1000' \
		 '# TYPE nettrace_events_lost_total counter' 'process_start_time_seconds '; do
		grep -qF "$m" "$NT_TMP/metrics" || { detail "missing: $m"; ok=0; }
	done
	nt_stop || ok=0
	[ "$NT_RC" = 0 ] || { detail "exit status $NT_RC"; ok=0; }
	[ $ok = 1 ] && pass "$name" || { detail_run; fail "$name" "counts at /metrics are not what was caused"; }
}

# --interval: a JSON line per interval with the counts; exit gives the last.
test_interval()
{
	local be=$1 name=monitor/$be/interval-json ino
	nt_backend_need "$name" "$be" || return
	ino=$(ip netns exec "$NT_B" stat -Lc %i /proc/self/ns/net)
	local filt=(--netns "$ino")
	[ "$be" = tracefs ] && filt=()
	if ! nt_start --monitor --interval 1 -p ip "${filt[@]}" --backend="$be"; then
		fail "$name" "monitor did not start"
		return
	fi
	udp_burst "$NT_A" "$NT_B4" 7777 2
	wait_line '"type":"metrics".*"NETFILTER_DROP"' 5
	nt_stop
	local ok=1
	expect_line '^\{"type":"metrics","time":"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+","drops":[0-9]+' || ok=0
	if [ "$be" = bpf ]; then
		expect_line "\"reason\":\"NETFILTER_DROP\",\"location\":\"nft_do_chain[a-z0-9_]*\",\"proto\":\"udp\",\"netns\":\"$ino\",\"severity\":\"ERROR\",\"count\":2" || ok=0
	else
		# in the kernel where it has histogram triggers (no L4, no namespace)
		# (L4 only from kprobe events' headers; a histogram has the L3 protocol)
		local how=user-space proto=ipv4
		[ -e "$NT_TRACEFS/kprobe_events" ] && proto=udp
		[ -e "$NT_TRACEFS/events/skb/kfree_skb/hist" ] && { how=tracefs-hist; proto=ipv4; }
		expect_line "\"backend\":\"tracefs\",\"counting\":\"$how\"" || ok=0
		expect_line "\"reason\":\"NETFILTER_DROP\",\"location\":\"nft_do_chain[a-z0-9_]*\",\"proto\":\"$proto\"" || ok=0
	fi
	# every line of the stream is JSON
	if command -v jq >/dev/null && ! jq -e . "$NT_OUT" >/dev/null 2>&1; then
		detail "stdout is not a stream of JSON objects"; detail_run; ok=0
	fi
	[ $ok = 1 ] && pass "$name" || fail "$name" "no JSON summary with the drops"
}

# A port already in use (by another monitor): a one-line error, non-zero
# exit, nothing attached.
test_port_in_use()
{
	local name=monitor/port-in-use port=$(( PORT_BASE + 2 )) first
	nt_backend_need "$name" bpf || return
	if ! nt_start --monitor --metrics "127.0.0.1:$port" --backend=bpf; then
		fail "$name" "the first monitor did not start"
		return
	fi
	first=$NT_PID
	local ok=1
	nt_run_fg 10 --monitor --metrics "127.0.0.1:$port" --backend=bpf
	[ "$NT_RC" = 2 ] || { detail "exit status $NT_RC, want 2"; ok=0; }
	grep -q "127.0.0.1:$port" "$NT_ERR" || { detail "the error does not name the address"; ok=0; }
	[ "$(wc -l < "$NT_ERR")" -eq 1 ] || { detail "not a one-line error"; ok=0; }
	grep -q 'begin trace' "$NT_OUT" && { detail "it began tracing"; ok=0; }
	[ $ok = 1 ] || detail_run
	NT_PID=$first
	nt_stop || ok=0
	nt_no_leftovers || ok=0
	[ $ok = 1 ] && pass "$name" || fail "$name" "port in use not refused cleanly"
}

# Bad requests cannot stall the tracing: slow, huge, garbage and many
# connections get errors while drops go on being counted and /metrics
# answers right after.
test_abuse()
{
	local be=bpf name=monitor/bad-requests port=$(( PORT_BASE + 3 )) ino
	nt_backend_need "$name" "$be" || return
	nt_need "$name" helper:http_abuse cmd:curl || return
	ino=$(ip netns exec "$NT_B" stat -Lc %i /proc/self/ns/net)
	if ! nt_start --monitor --metrics "127.0.0.1:$port" -p ip --netns "$ino" --backend=$be; then
		fail "$name" "monitor did not start"
		return
	fi
	local ok=1 mode url=http://127.0.0.1:$port/metrics
	for mode in huge garbage; do
		"$NT_HELPERS/http_abuse" 127.0.0.1 "$port" "$mode" > "$NT_TMP/abuse.$mode" 2>&1 ||
			{ detail "http_abuse $mode: $(cat "$NT_TMP/abuse.$mode")"; ok=0; }
	done
	"$NT_HELPERS/http_abuse" 127.0.0.1 "$port" slow > "$NT_TMP/abuse.slow" 2>&1 &
	local slow=$!
	"$NT_HELPERS/http_abuse" 127.0.0.1 "$port" many > "$NT_TMP/abuse.many" 2>&1 &
	local many=$!
	sleep 1
	# meanwhile: drops are counted and a well-behaved scrape is answered
	udp_burst "$NT_A" "$NT_B4" 7777 4
	wait_value "$url" 4 'reason="NETFILTER_DROP"' || ok=0
	[ "$(curl -s -o /dev/null -w '%{http_code}' -m 3 "http://127.0.0.1:$port/nope")" = 404 ] ||
		{ detail "unknown path did not get 404"; ok=0; }
	[ "$(curl -s -o /dev/null -w '%{http_code}' -m 3 -X POST "$url")" = 405 ] ||
		{ detail "POST did not get 405"; ok=0; }
	wait "$slow" || { detail "http_abuse slow: $(cat "$NT_TMP/abuse.slow")"; ok=0; }
	wait "$many" || { detail "http_abuse many: $(cat "$NT_TMP/abuse.many")"; ok=0; }
	metrics_get "$url" > "$NT_TMP/metrics" && grep -q '^nettrace_drops_total' "$NT_TMP/metrics" ||
		{ detail "/metrics does not answer after the abuse"; ok=0; }
	nt_alive "$NT_PID" || { detail "nettrace died"; ok=0; }
	nt_stop || ok=0
	[ $ok = 1 ] && pass "$name" || { detail_run; fail "$name" "abusive clients disturbed the monitor"; }
}

# A real Prometheus scrapes a monitor in each of two namespaces (each counts
# its own namespace's drops); its query API must give exactly what was caused
# per instance and per reason, and every query of the Grafana dashboard must
# return data.
test_prometheus()
{
	local name=monitor/bpf/prometheus-two-hosts
	nt_backend_need "$name" bpf || return
	nt_need "$name" cmd:prometheus cmd:jq cmd:curl || return
	local pa=$(( PORT_BASE + 4 )) prom=$(( PORT_BASE + 5 )) ok=1 q
	mkdir -p "$NT_TMP/prom"
	cat > "$NT_TMP/prom.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	scrape_configs:
	  - job_name: nettrace
	    static_configs:
	      - targets: ['$NT_A4:$pa', '$NT_B4:$pa']
	EOF
	# the monitors, each in its namespace, counting that namespace
	local pids=() ns addr
	for ns in A B; do
		local n=NT_$ns a=NT_${ns}4
		env --default-signal=INT ip netns exec "${!n}" "$NT_BIN" --monitor \
			--metrics "${!a}:$pa" --netns-current -p ip --backend=bpf \
			</dev/null >"$NT_TMP/mon$ns.out" 2>"$NT_TMP/mon$ns.err" &
		pids+=($!)
		NT_RUN_PIDS+=($!)
	done
	ip netns exec "$NT_A" prometheus --config.file="$NT_TMP/prom.yml" \
		--storage.tsdb.path="$NT_TMP/prom" --web.listen-address="127.0.0.1:$prom" \
		</dev/null >"$NT_TMP/prom.log" 2>&1 &
	NT_BG_PIDS+=($!)
	# both monitors up (begin trace) and Prometheus ready
	for (( i = 0; i < 100; i++ )); do
		grep -q 'begin trace' "$NT_TMP/monA.out" && grep -q 'begin trace' "$NT_TMP/monB.out" &&
			ip netns exec "$NT_A" curl -sf -m 1 "http://127.0.0.1:$prom/-/ready" >/dev/null && break
		sleep 0.2
	done
	[ "$i" -lt 100 ] || { detail "monitors or prometheus did not start";
			      detail_file monA "$NT_TMP/monA.err"; detail_file monB "$NT_TMP/monB.err";
			      detail_file prometheus "$NT_TMP/prom.log"; ok=0; }
	drop_udp "$NT_A" 7778
	udp_burst "$NT_A" "$NT_B4" 7777 3	# B: 3 NETFILTER_DROP
	udp_burst "$NT_B" "$NT_A4" 7778 2	# A: 2 NETFILTER_DROP
	nt_tcp_syn "$NT_B" "$NT_A4" 9		# A: 2 NO_SOCKET
	nt_tcp_syn "$NT_B" "$NT_A4" 9
	local api="http://127.0.0.1:$prom/api/v1/query"
	# promq QUERY: the result vector as "labels value" lines, sorted
	promq()
	{
		ip netns exec "$NT_A" curl -s -m 3 --get --data-urlencode "query=$1" "$api" |
			jq -r '.data.result[] | ((.metric | to_entries | map(.value) | join(",")) + " " + .value[1])' |
			sort
	}
	# The reasons caused here.  A namespace's own TCP teardowns (the scrapes)
	# may free skbs with other reasons (QUEUE_PURGE): real drops, not ours.
	local ours='{reason=~"NETFILTER_DROP|NO_SOCKET"}'
	local want_reason=$'NETFILTER_DROP 5\nNO_SOCKET 2' want_inst
	want_inst=$(printf '%s 4\n%s 3' "$NT_A4:$pa" "$NT_B4:$pa" | sort)
	for (( i = 0; i < 50; i++ )); do
		[ "$(promq "sum by (reason) (nettrace_drops_total$ours)")" = "$want_reason" ] &&
			[ "$(promq "sum by (instance) (nettrace_drops_total$ours)")" = "$want_inst" ] && break
		sleep 0.2
	done
	if [ "$i" = 50 ]; then
		detail "sum by (reason): $(promq "sum by (reason) (nettrace_drops_total$ours)" | tr '\n' ';') want ${want_reason//$'\n'/;}"
		detail "sum by (instance): $(promq "sum by (instance) (nettrace_drops_total$ours)" | tr '\n' ';') want ${want_inst//$'\n'/;}"
		detail "every reason: $(promq 'sum by (reason, instance) (nettrace_drops_total)' | tr '\n' ';')"
		ok=0
	fi
	# the dashboard's queries, each with data (rates need two scrapes)
	local dash=$NT_ROOT/deploy/grafana-dashboard.json
	if [ -f "$dash" ]; then
		sleep 3
		while IFS= read -r q; do
			[ -n "$q" ] || continue
			q=${q//\$__rate_interval/1m}
			q=${q//\$__interval/1m}
			q=${q//\$__range/5m}
			q=$(printf '%s' "$q" | sed -E 's/=~?"\$[a-z_]+"/=~".*"/g; s/\$[a-z_]+/.*/g')
			[ -n "$(promq "$q")" ] || { detail "dashboard query without data: $q"; ok=0; }
		done < <(jq -r '.. | objects | select(has("expr")) | .expr' "$dash")
	else
		detail "no deploy/grafana-dashboard.json"; ok=0
	fi
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do nt_wait_gone "$p" 5 || { detail "monitor $p did not stop"; ok=0; }; done
	[ $ok = 1 ] && pass "$name" || fail "$name" "Prometheus does not see what was caused"
}

if ! nt_netns_pair; then
	fail monitor/setup "cannot create the namespaces"
	exit 1
fi
drop_udp "$NT_B" 7777
for be in bpf tracefs; do
	test_counts "$be"
	test_interval "$be"
done
test_port_in_use
test_abuse
test_prometheus
exit 0
