# shellcheck shell=bash
# Sourced by run once the daemons are up (the helpers of run; coord, two
# workers at $C, has admin_listen $P.41.1:9090; p1 has $P.40.1:9090):
# the admin listener (docs/mpicd.md, docs/metrics.md).
#
# - plain HTTP, no client certificate, while p1's API port still wants one;
# - promtool check metrics is clean on real scrapes;
# - 40 requests spread over the coordinator's two workers are exactly 40
#   more in one scrape, and no series has a pid label;
# - every name of docs/metrics.md is in a coordinator's scrape, and the
#   ones a perspective has in p1's;
# - the histograms reach past the configured deadlines;
# - /readyz: 503 once fewer perspectives than the quorum of 6 (4) answer
#   (p4, p5, p6 stopped with SIGSTOP), 200 again once they do;
# - the old pages on the API port still answer, with Deprecation: true.

CA="http://$P.41.1:9090"
PA="http://$P.40.1:9090"
adm=$run/admin
mkdir -p "$adm"

# scrape URL FILE: the status
scrape() { curl -s -o "$2" -w '%{http_code}' --max-time 10 "$1"; }

s=$(scrape "$CA/healthz" "$adm/h.json")
[ "$s" = 200 ] && jq -e '.role == "coordinator"' "$adm/h.json" >/dev/null &&
	ok "admin: /healthz on plain HTTP, no client certificate, no API key" ||
	bad "admin healthz" "status $s $(head -c 300 "$adm/h.json")"
s=$(scrape "$PA/metrics" "$adm/p.prom")
s2=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$pki/ca.pem" "https://$P.40.1:8443/healthz")
[ "$s" = 200 ] && [ "$s2" = 000 ] &&
	ok "admin: a perspective's admin listener needs no client certificate; its API port still does" ||
	bad "admin perspective" "admin $s, API without a certificate $s2"

# mpic_requests_total{endpoint="mpic"} summed over its rows
req_sum() { awk '/^mpic_requests_total\{endpoint="mpic"/ {n += $NF} END {print n + 0}' "$1"; }
scrape "$CA/metrics" "$adm/before.prom" >/dev/null
for i in $(seq 1 40); do
	post "$C/mpic" "$run/caa.json" "$adm/r.json" "${K[@]}" >/dev/null
done
scrape "$CA/metrics" "$adm/after.prom" >/dev/null
# which workers answered: the API port's old per-worker page, one per pid
for i in $(seq 1 20); do
	curl -s --max-time 5 --cacert "$pki/ca.pem" "$C/metrics"
done | grep -oE '^mpicd_requests_total\{pid="[0-9]+"' | sort -u > "$adm/pids"
b=$(req_sum "$adm/before.prom")
a=$(req_sum "$adm/after.prom")
[ $((a - b)) = 40 ] && [ "$(wc -l < "$adm/pids")" -ge 2 ] &&
	ok "admin: 40 requests over 2 workers are exactly 40 in one scrape ($b -> $a)" ||
	bad "admin sum" "$b -> $a, workers seen: $(tr '\n' ' ' < "$adm/pids")"
if grep -E '^[a-z_]+\{[^}]*pid=' "$adm/after.prom" "$adm/p.prom" >/dev/null; then
	bad "admin: no pid label" "$(grep -m1 -E 'pid=' "$adm/after.prom")"
else
	ok "admin: no series carries a pid label"
fi
for f in after p; do
	if promtool check metrics < "$adm/$f.prom" > "$adm/$f.promtool" 2>&1; then
		ok "admin: promtool check metrics clean ($f)"
	else
		bad "admin promtool ($f)" "$(head -5 "$adm/$f.promtool" | tr '\n' ' ')"
	fi
done

# every name of the catalogue (its table's first column)
names=$(grep -oE '^\| `[a-z_]+`' "$top/docs/metrics.md" | tr -d '|` ')
missing=
for n in $names; do
	grep -q "^# TYPE $n " "$adm/after.prom" || missing="$missing $n"
done
[ -z "$missing" ] && ok "admin: every name of docs/metrics.md in a coordinator's scrape" ||
	bad "admin catalogue (coordinator)" "missing:$missing"
missing=
for n in mpic_build_info mpic_requests_total mpic_dns_lookups_total \
    mpic_http_fetches_total mpic_tls_alpn_handshakes_total \
    mpic_tls_handshakes_total mpic_connections_open \
    mpic_tls_certificate_expiry_timestamp_seconds process_cpu_seconds_total \
    process_resident_memory_bytes process_open_fds process_start_time_seconds; do
	grep -q "^# TYPE $n " "$adm/p.prom" || missing="$missing $n"
done
[ -z "$missing" ] && ok "admin: a perspective's names in its scrape" ||
	bad "admin catalogue (perspective)" "missing:$missing"
grep -q '^mpic_decision_duration_seconds_bucket{check_type="caa",le="7200"}' "$adm/after.prom" &&
	grep -q '^mpic_perspective_call_duration_seconds_bucket{perspective="us-east-1",rir="ARIN",le="7200"}' "$adm/after.prom" &&
	ok "admin: histogram buckets reach past request_timeout_ms and remote_timeout_ms" ||
	bad "admin buckets" "$(grep -m2 '_bucket' "$adm/after.prom")"
grep -qE '^mpic_perspective_calls_total\{perspective="us-east-1",rir="ARIN",result="corroborated"\} [1-9]' "$adm/after.prom" &&
	grep -qE '^mpic_decisions_total\{check_type="caa",result="corroborated"\} [1-9]' "$adm/after.prom" &&
	ok "admin: perspective calls and decisions counted" ||
	bad "admin counts" "$(grep -m3 -E 'perspective_calls_total|decisions_total\{' "$adm/after.prom")"

# readyz: wait_ready URL STATUS: at most 40 s
wait_ready() {
	local i s
	for i in $(seq 1 80); do
		s=$(scrape "$1/readyz" "$adm/ready.json")
		[ "$s" = "$2" ] && return 0
		sleep 0.5
	done
	return 1
}
wait_ready "$CA" 200 && jq -e '.perspectives_reachable == 6 and .quorum_required == 4' "$adm/ready.json" >/dev/null &&
	ok "admin: /readyz 200 with 6 perspectives reachable" ||
	bad "admin readyz" "$(cat "$adm/ready.json")"
kill -STOP "${pid[p4]}" "${pid[p5]}"
sleep 12
s=$(scrape "$CA/readyz" "$adm/ready.json")
[ "$s" = 200 ] && jq -e '.perspectives_reachable == 4' "$adm/ready.json" >/dev/null &&
	ok "admin: two perspectives stopped, 4 left: still ready" ||
	bad "admin readyz 4" "status $s $(cat "$adm/ready.json")"
kill -STOP "${pid[p6]}"
wait_ready "$CA" 503 && jq -e '.perspectives_reachable == 3 and .status == "not ready"' "$adm/ready.json" >/dev/null &&
	ok "admin: a third stopped (3 < quorum 4): /readyz 503 with the reason" ||
	bad "admin readyz 503" "$(cat "$adm/ready.json")"
scrape "$CA/metrics" "$adm/down.prom" >/dev/null
grep -q '^mpic_perspective_up{perspective="ap-southeast-2",rir="APNIC"} 0' "$adm/down.prom" &&
	ok "admin: mpic_perspective_up 0 for a stopped perspective, without traffic" ||
	bad "admin up" "$(grep '^mpic_perspective_up' "$adm/down.prom" | tr '\n' ' ')"
kill -CONT "${pid[p4]}" "${pid[p5]}" "${pid[p6]}"
wait_ready "$CA" 200 && ok "admin: perspectives back: /readyz 200 again" ||
	bad "admin readyz back" "$(cat "$adm/ready.json")"

# the coordinator's own handshakes to its perspectives: full ones at
# first, resumed ones since (the probes' connections resume)
scrape "$CA/metrics" "$adm/hs.prom" >/dev/null
grep -qE '^mpic_tls_handshakes_total\{direction="out",resumed="false"\} [1-9]' "$adm/hs.prom" &&
	grep -qE '^mpic_tls_handshakes_total\{direction="out",resumed="true"\} [1-9]' "$adm/hs.prom" &&
	grep -qE '^mpic_tls_handshakes_total\{direction="in",resumed="false"\} [1-9]' "$adm/hs.prom" &&
	ok "admin: TLS handshakes in and out, full and resumed, counted" ||
	bad "admin handshakes" "$(grep '^mpic_tls_handshakes_total' "$adm/hs.prom" | tr '\n' ' ')"
grep -qE '^mpic_dns_lookups_total\{rcode="NOERROR",dnssec="(secure|insecure)"\} [1-9]' "$adm/p.prom" &&
	grep -qE '^mpic_audit_write_duration_seconds_count [1-9]' "$adm/after.prom" &&
	grep -qE '^mpic_audit_records_total [1-9]' "$adm/after.prom" &&
	ok "admin: a perspective's DNS lookups and the coordinator's audit writes counted" ||
	bad "admin dns/audit" "$(grep -E '^mpic_dns_lookups_total|^mpic_audit_write_duration_seconds_count' "$adm/p.prom" "$adm/after.prom" | tr '\n' ' ')"

# the old pages on the API port: still there, deprecated
curl -s -D "$adm/hdr" -o "$adm/old.prom" --max-time 10 --cacert "$pki/ca.pem" "$C/metrics"
grep -qi '^Deprecation: true' "$adm/hdr" && grep -q '^mpicd_requests_total' "$adm/old.prom" &&
	ok "admin: /metrics on the API port still answers, with Deprecation: true" ||
	bad "admin deprecation" "$(head -5 "$adm/hdr" | tr '\r\n' '  ')"
s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "$CA/metrics")
s2=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$CA/mpic")
[ "$s" = 405 ] && [ "$s2" = 404 ] && ok "admin: GET only, and no API on the admin listener" ||
	bad "admin methods" "POST $s, /mpic $s2"
