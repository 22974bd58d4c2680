# shellcheck shell=bash
# Sourced by tests/integration/daemon/run after corroboration.sh (its
# fcodes, frirs, flocs, dns_section; the run's $run, $pki, $P, pid[],
# start, stop, wait_up, ok, bad, expect): SIGHUP reloads the whole
# configuration (issue 16 point 6).  A coordinator with two workers over
# fake perspectives of its own (fake_persp.py on PREFIX.40.N:9447):
#
#   - a request in flight across the SIGHUP (a slow perspective) finishes
#     with the old perspectives and the old request timeout;
#   - after it, a perspective removed and one added: the answers show the
#     new set and the new default count (quorum_result, codes), the new
#     request timeout cuts a slow perspective short;
#   - an API key added works, one removed is refused;
#   - the log names the keys that changed;
#   - a broken configuration (YAML error, the BR floor violated, the file
#     missing) is refused with one error line naming the file, and the old
#     one keeps serving;
#   - a change of listen or audit.path, api_keys_file removed: logged as
#     needing a restart, their values in force kept, the rest applies;
#   - a worker killed after the reloads comes back with the new
#     configuration, but the API keys and audit file in force;
#   - each worker's audit log verifies across the reloads.

rdir=$run/reload
mkdir -p "$rdir"
RURL="https://$P.41.1:9448"
rkey1=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
rkey2=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

# rconf "INDICES" DEFAULT REQ_MS [LISTEN [BR]]: the coordinator's file
# (perspectives: fcodes' indices 1..9, on PREFIX.40.i:9447)
rconf() {
	local i
	cat <<EOT
role: coordinator
listen: ${4:-$P.41.1:9448}
workers: 2
tls:
  cert: $pki/coord.pem
  key: $pki/coord.key
  client_ca: $pki/ca.pem
api_keys_file: $rdir/api-keys
perspectives:
EOT
	for i in $1; do
		echo "  - {code: ${fcodes[$((i - 1))]}, rir: ${frirs[$((i - 1))]}, location: {lat: ${flocs[$((i - 1))]}}, url: \"https://$P.40.$i:9447\"}"
	done
	cat <<EOT
$(dns_section)
orchestration:
  default_perspective_count: $2
  hash_secret_file: $run/secret
  br_minimums: ${5:-lab}
  request_timeout_ms: $3
  remote_timeout_ms: 5000
audit:
  path: $rdir/audit.jsonl
EOT
}

# rreq KEY JSON OUT: POST /mpic; prints "STATUS SECONDS"
rreq() {
	printf '%s' "$2" > "$3.req"
	curl -s -o "$3" -w '%{http_code} %{time_total}' --max-time 30 \
	    --cacert "$pki/ca.pem" -H 'Content-Type: application/json' \
	    -H "x-api-key: $1" --data-binary @"$3.req" "$RURL/mpic"
}
# rbody TARGET TRACE [COUNT]
rbody() {
	jq -cn --arg t "$1" --arg tr "$2" --arg n "${3:-}" \
	    '{check_type:"caa",domain_or_ip_target:$t,trace_identifier:$tr} +
	     (if $n == "" then {} else {orchestration_parameters:{perspective_count:($n | tonumber)}} end)'
}
# rhup: SIGHUP, then wait (at most 5 s) for both workers' answer in the
# log: N more lines matching "reload: configuration loaded" or "keeping"
rhup() {
	local before after i
	before=$(grep -c '"reload: configuration loaded"\|"reload: keeping the old configuration"' "$run/coord-r.log")
	kill -HUP "${pid[coord-r]}"
	for i in $(seq 1 50); do
		after=$(grep -c '"reload: configuration loaded"\|"reload: keeping the old configuration"' "$run/coord-r.log")
		[ "$after" -ge $((before + 2)) ] && return 0
		sleep 0.1
	done
	return 1
}
# codes OUT: the answer's perspective codes, sorted, space-separated
rcodes() { jq -r '[.perspectives[].perspective_code] | sort | join(" ")' "$1" 2>/dev/null; }

rspecs=()
for i in 1 6 7 8; do
	rspecs+=("$P.40.$i:9447,$pki/p$i.pem,$pki/p$i.key,${fcodes[$((i - 1))]},${frirs[$((i - 1))]}")
done
python3 "$here/fake_persp.py" --ca "$pki/ca.pem" --lifetime 120 "${rspecs[@]}" >"$rdir/fake.out" 2>"$rdir/fake.log" &
pid[rfake]=$!
for _ in $(seq 1 100); do
	grep -q ready "$rdir/fake.out" 2>/dev/null && break
	alive "${pid[rfake]}" || break
	sleep 0.1
done
rup=0
printf '# reload test keys\n%s\n' "$rkey1" > "$rdir/api-keys"
chmod 600 "$rdir/api-keys"
# A: us-east-1 (1), eu-west-1 (6), ap-northeast-1 (7); 3 by default
rconf "1 6 7" 3 4000 > "$rdir/coord.yaml"
if grep -q ready "$rdir/fake.out" 2>/dev/null; then
	start coord-r "$rdir/coord.yaml"
	wait_up coord-r "$RURL" && rup=1
else
	bad "reload: fake perspectives" "$(tail -5 "$rdir/fake.log")"
fi

if [ $rup = 1 ]; then
read -r s _ < <(rreq "$rkey1" "$(rbody rl0.caa.lab t:)" "$rdir/a.json")
[ "$s" = 200 ] && [ "$(jq -r .quorum_result "$rdir/a.json")" = 3/3 ] &&
	[ "$(rcodes "$rdir/a.json")" = "ap-northeast-1 eu-west-1 us-east-1" ] &&
	ok "reload: before, the coordinator answers with its 3 perspectives" ||
	bad "reload: before" "status $s: $(head -c 300 "$rdir/a.json")"

# in flight across the SIGHUP: eu-west-1 answers after 2.5 s (within the
# old request timeout of 4 s, beyond the new one of 1 s)
rreq "$rkey1" "$(rbody rl1.caa.lab "t:eu-west-1=slow2500")" "$rdir/inflight.json" > "$rdir/inflight.status" &
pid[rclient]=$!
sleep 0.7
# B: eu-west-1 removed, sa-east-1 (8) added; 2 by default; 1 s timeout;
# the API key rkey1 replaced by rkey2
rconf "1 7 8" 2 1000 > "$rdir/coord.yaml"
printf '# reload test keys\n%s\n' "$rkey2" > "$rdir/api-keys"
rhup || bad "reload: SIGHUP" "the workers did not log a reload"
wait "${pid[rclient]}"
unset "pid[rclient]"
read -r s t < "$rdir/inflight.status"
[ "$s" = 200 ] && [ "$(jq -r .quorum_result "$rdir/inflight.json")" = 3/3 ] &&
	[ "$(rcodes "$rdir/inflight.json")" = "ap-northeast-1 eu-west-1 us-east-1" ] &&
	ok "reload: the request in flight across the SIGHUP finishes with the old perspectives and timeout (3/3 with eu-west-1, ${t}s)" ||
	bad "reload: in flight" "status $s in ${t}s: $(head -c 400 "$rdir/inflight.json")"

read -r s _ < <(rreq "$rkey2" "$(rbody rl2.caa.lab t:)" "$rdir/b.json")
c=$(rcodes "$rdir/b.json")
[ "$s" = 200 ] && [ "$(jq -r .quorum_result "$rdir/b.json")" = 2/2 ] &&
	[ "$(jq -r .actual_orchestration_parameters.perspective_count "$rdir/b.json")" = 2 ] &&
	! grep -q eu-west-1 <<<"$c" &&
	ok "reload: the new default perspective count (2) and set apply: 2/2 of [$c]" ||
	bad "reload: new default count" "status $s: $(head -c 400 "$rdir/b.json")"
read -r s _ < <(rreq "$rkey2" "$(rbody rl3.caa.lab t: 3)" "$rdir/b3.json")
[ "$s" = 200 ] && [ "$(jq -r .quorum_result "$rdir/b3.json")" = 3/3 ] &&
	[ "$(rcodes "$rdir/b3.json")" = "ap-northeast-1 sa-east-1 us-east-1" ] &&
	ok "reload: a perspective added (sa-east-1) and one removed (eu-west-1): 3/3 of the new set" ||
	bad "reload: new set" "status $s: $(head -c 400 "$rdir/b3.json")"
read -r s t < <(rreq "$rkey2" "$(rbody rl4.caa.lab "t:sa-east-1=slow2500" 3)" "$rdir/b4.json")
[ "$s" = 200 ] && [ "$(jq -r .quorum_result "$rdir/b4.json")" = 2/3 ] &&
	awk -v t="$t" 'BEGIN { exit !(t < 2.2) }' &&
	ok "reload: the new request timeout (1 s) cuts a 2.5 s perspective short: 2/3 in ${t}s" ||
	bad "reload: new request timeout" "status $s in ${t}s: $(head -c 400 "$rdir/b4.json")"
read -r s _ < <(rreq "$rkey1" "$(rbody rl5.caa.lab t:)" "$rdir/k1.json")
read -r s2 _ < <(rreq "$rkey2" "$(rbody rl5.caa.lab t:)" "$rdir/k2.json")
[ "$s" = 403 ] || [ "$s" = 401 ] && [ "$s2" = 200 ] &&
	ok "reload: the API key removed is refused ($s), the one added works" ||
	bad "reload: API keys" "removed key: $s, added key: $s2"
l=$(grep -m1 '"reload: configuration loaded"' "$run/coord-r.log")
grep -q '"changed":"perspectives.eu-west-1, perspectives.sa-east-1, orchestration.default_perspective_count, orchestration.request_timeout_ms"' <<<"$l" &&
	ok "reload: the log names the keys that changed" ||
	bad "reload: changed keys" "$l"

# refused: the old configuration (B) keeps serving, one line says why
rrefused() { # NAME WHAT-IN-REASON
	local n
	n=$(grep -c '"reload: keeping the old configuration"' "$run/coord-r.log")
	rhup
	read -r s _ < <(rreq "$rkey2" "$(rbody "rl-refused$n.caa.lab" t:)" "$rdir/r.json")
	l=$(grep '"reload: keeping the old configuration"' "$run/coord-r.log" | tail -1)
	[ "$(grep -c '"reload: keeping the old configuration"' "$run/coord-r.log")" = $((n + 2)) ] &&
		grep -q "\"level\":\"error\"" <<<"$l" && grep -q "$2" <<<"$l" &&
		[ "$s" = 200 ] && [ "$(jq -r .quorum_result "$rdir/r.json")" = 2/2 ] &&
		! grep -q eu-west-1 <<<"$(rcodes "$rdir/r.json")" &&
		ok "reload: $1 refused, logged ($2), the old configuration serves" ||
		bad "reload: $1" "status $s; $l"
}
cp "$rdir/coord.yaml" "$rdir/coord-b.yaml"
printf 'role: coordinator\nperspectives: [\n' > "$rdir/coord.yaml"
rrefused "a YAML error" "coord.yaml:3: YAML"
rconf "1 7 8" 2 1000 "" enforce > "$rdir/coord.yaml"
rrefused "the BR floor violated (2 perspectives by default under enforce)" "coord.yaml: .*Baseline Requirements floor"
rm -f "$rdir/coord.yaml"
rrefused "a missing file" "coord.yaml: No such file"

# listen, audit.path changed, api_keys_file removed: each needs a
# restart, the values in force stay (the API key is still asked for);
# the rest (3 by default) applies
rconf "1 7 8" 3 1000 "$P.41.1:9449" | sed "s|$rdir/audit.jsonl|$rdir/audit-new.jsonl|; /^api_keys_file:/d" > "$rdir/coord.yaml"
rhup
read -r s _ < <(rreq "$rkey2" "$(rbody rl6.caa.lab t:)" "$rdir/c.json")
read -r s0 _ < <(rreq "" "$(rbody rl6.caa.lab t:)" "$rdir/c0.json")
grep -q '"level":"warning".*"reload: needs a restart: listen, api_keys_file, audit.path"' "$run/coord-r.log" &&
	[ "$s" = 200 ] && [ "$s0" = 401 ] && [ "$(jq -r .quorum_result "$rdir/c.json")" = 3/3 ] &&
	ok "reload: listen, api_keys_file and audit.path changed are logged as needing a restart and kept; the rest applies (3/3)" ||
	bad "reload: listen" "status $s, without a key $s0: $(grep -m1 'needs a restart' "$run/coord-r.log")"

# a worker killed now comes back with the configuration in force
w=$(jq -r 'select(.msg == "worker ready") | .pid' "$run/coord-r.log" 2>/dev/null | head -1)
n=$(grep -c '"worker ready"' "$run/coord-r.log")
[ -n "$w" ] && kill -KILL "$w"
for _ in $(seq 1 50); do
	[ "$(grep -c '"worker ready"' "$run/coord-r.log")" -gt "$n" ] && break
	sleep 0.1
done
fine=0
open=0
for i in 1 2 3 4 5 6 7 8; do
	read -r s _ < <(rreq "$rkey2" "$(rbody "rl7-$i.caa.lab" t:)" "$rdir/d.json")
	[ "$s" = 200 ] && [ "$(rcodes "$rdir/d.json")" = "ap-northeast-1 sa-east-1 us-east-1" ] && fine=$((fine + 1))
	read -r s _ < <(rreq "" "$(rbody "rl7-$i.caa.lab" t:)" "$rdir/d0.json")
	[ "$s" = 401 ] || open=$((open + 1))
done
[ -n "$w" ] && [ $fine = 8 ] && [ $open = 0 ] && ! ls "$rdir"/audit-new.jsonl* >/dev/null 2>&1 &&
	ok "reload: a worker restarted after the reloads serves the new configuration (8/8 answers of the new set), keeps the API keys and the audit file in force" ||
	bad "reload: restarted worker" "worker [$w]; $fine of 8 answers had the new set, $open without a key not refused, new audit files: $(ls "$rdir"/audit-new.jsonl* 2>/dev/null)"
stop coord-r
[ "$st" = 0 ] && ok "reload: the coordinator stops cleanly after the reloads" || bad "reload: stop" "exit $st"
v=$("$mpic" audit verify "$rdir/audit.jsonl" 2>&1) && grep -q "2 intact" <<<"$v" &&
	ok "reload: each worker's audit log chain is intact across the reloads" ||
	bad "reload: audit chains" "$v"
fi
[ -n "${pid[coord-r]:-}" ] && stop coord-r
[ -n "${pid[rfake]:-}" ] && { kill -TERM "${pid[rfake]}" 2>/dev/null; wait "${pid[rfake]}" 2>/dev/null; unset "pid[rfake]"; }
