# shellcheck shell=bash
# Sourced by tests/integration/daemon/run (its helpers, $run, $pki, $P,
# pid[], start, stop, ok, bad, expect): corroboration end to end with real
# coordinators and programmable perspectives (fake_persp.py, mutual TLS
# with the suite's certificates).
#
#   - every row of the BR quorum table (N = 2..8), exactly the quorum and
#     one fewer, on a coordinator with br_minimums: lab so that the rows
#     below the day's floor keep their meaning whatever the date;
#   - the 2-RIR rule: quorum count met by one RIR only, then met properly;
#   - perspectives closer than 500 km: never in one cohort, a request that
#     needs both refused, a configuration that needs them refused;
#   - lying, slow and broken perspectives (garbage, truncated JSON, HTTP
#     500, connection closed mid-answer, wrong code, wrong RIR, too slow,
#     a clock far off) and the details of those that observed nothing;
#   - early decision: answered before a straggler, whose late record still
#     reaches the audit log; an outcome that stays uncertain waits for the
#     deadline, and the perspective that hung says so;
#   - a failed audit write (EFBIG), and a stalled one: the audit log's
#     disk frozen under it (audit_stall.sh);
#   - kill -9 of a 2-worker coordinator under concurrent load (KILL_ROUNDS
#     times, 2 by default): every 200 the clients received whole has an
#     audit_id whose records are in the log, and the logs verify;
#   - kill -9 of the supervisor alone: the workers drain and exit.
#
# The fakes decide per request from the trace identifier
# ("t:CODE=MODE,..."), see fake_persp.py.

fcodes=(us-east-1 us-west-2 us-central-1 ca-central-1 us-south-1 eu-west-1 ap-northeast-1 sa-east-1 eu-west-2)
frirs=(ARIN ARIN ARIN ARIN ARIN "RIPE NCC" APNIC LACNIC "RIPE NCC")
flocs=("38.9, lon: -77.4" "45.8, lon: -119.7" "41.3, lon: -95.9" "45.5, lon: -73.6" "32.8, lon: -96.8"
	"53.3, lon: -6.3" "35.7, lon: 139.7" "-23.5, lon: -46.6" "51.5, lon: -0.1")
# fake i (1-8) listens on PREFIX.40.i:9443 with p_i's certificate; the 9th
# (eu-west-2, London: 464 km from Dublin's eu-west-1) on PREFIX.40.8:9444
furl() { if [ "$1" -le 8 ]; then echo "https://$P.40.$1:9443"; else echo "https://$P.40.8:9444"; fi; }

# fcoord ADDR:PORT WORKERS BR EARLY REQ_MS REMOTE_MS AUDIT DEFAULT "INDICES"
fcoord() {
	local i
	cat <<EOT
role: coordinator
listen: $1
workers: $2
tls:
  cert: $pki/coord.pem
  key: $pki/coord.key
  client_ca: $pki/ca.pem
api_keys_file: $run/api-keys
perspectives:
EOT
	for i in $9; do
		echo "  - {code: ${fcodes[$((i - 1))]}, rir: ${frirs[$((i - 1))]}, location: {lat: ${flocs[$((i - 1))]}}, url: \"$(furl "$i")\"}"
	done
	cat <<EOT
$(dns_section)
caa:
  issuer_domains: [ca.example]
orchestration:
  default_perspective_count: $8
  hash_secret_file: $run/secret
  br_minimums: $3
  early_decision: $4
  request_timeout_ms: $5
  remote_timeout_ms: $6
audit:
  path: $7
EOT
}

# freq URL JSON OUT: POST /mpic with the API key; prints "STATUS SECONDS"
# (a 200 or 400 answer kept for the schema check)
freq() {
	local st
	printf '%s' "$2" > "$3.req"
	st=$(curl -s -o "$3" -w '%{http_code} %{time_total}' --max-time 30 --cacert "$pki/ca.pem" \
	    -H 'Content-Type: application/json' -H "x-api-key: $apikey" \
	    --data-binary @"$3.req" "$1/mpic")
	schema_keep /mpic "${st%% *}" "$3" "$(schema_where) POST $1/mpic $(head -c 160 "$3.req")"
	echo "$st"
}
# body TARGET TRACE N: a CAA request for the first cohort of N
body() {
	jq -cn --arg t "$1" --arg tr "$2" --argjson n "$3" \
	    '{check_type:"caa",domain_or_ip_target:$t,trace_identifier:$tr,orchestration_parameters:{perspective_count:$n,cohort_for_single_attempt:1}}'
}
# trace MODE CODE...: "t:CODE=MODE,..."
trace() {
	local mode=$1 out=t: c
	shift
	for c in "$@"; do out="$out$c=$mode,"; done
	echo "$out"
}

# --------------------------------------------------------------- the fakes
specs=()
for i in 1 2 3 4 5 6 7 8; do
	specs+=("$P.40.$i:9443,$pki/p$i.pem,$pki/p$i.key,${fcodes[$((i - 1))]},${frirs[$((i - 1))]}")
done
specs+=("$P.40.8:9444,$pki/p8.pem,$pki/p8.key,${fcodes[8]},${frirs[8]}")
python3 "$here/fake_persp.py" --ca "$pki/ca.pem" --lifetime $((160 + 15 * ${KILL_ROUNDS:-2})) "${specs[@]}" >"$run/fake.out" 2>"$run/fake.log" &
pid[fake]=$!
for _ in $(seq 1 100); do
	grep -q ready "$run/fake.out" 2>/dev/null && break
	alive "${pid[fake]}" || break
	sleep 0.1
done
fakes_up=1
grep -q ready "$run/fake.out" 2>/dev/null || { fakes_up=0; bad "fake perspectives" "$(tail -5 "$run/fake.log")"; }

CA="https://$P.41.1:9441"   # br_minimums: lab, 9 perspectives
CE="https://$P.41.1:9442"   # early_decision
CK="https://$P.41.1:9443"   # enforce, 2 workers, the kill -9 target
CD="https://$P.41.1:9446"   # early_decision, a request deadline (1.5 s) before the remote timeout (5 s)
fcoord "$P.41.1:9441" 1 lab false 4000 1500 "$run/audit-a.jsonl" 6 "$(seq 1 9)" > "$run/coord-a.yaml"
fcoord "$P.41.1:9442" 1 lab true 8000 6000 "$run/audit-e.jsonl" 8 "$(seq 1 8)" > "$run/coord-e.yaml"
fcoord "$P.41.1:9446" 1 lab true 1500 5000 "$run/audit-d.jsonl" 4 "$(seq 1 8)" > "$run/coord-d.yaml"
if [ $fakes_up = 1 ]; then
	start coord-a "$run/coord-a.yaml"
	start coord-e "$run/coord-e.yaml"
	start coord-d "$run/coord-d.yaml"
	wait_up coord-a "$CA" || fakes_up=0
	wait_up coord-e "$CE" || fakes_up=0
	wait_up coord-d "$CD" || fakes_up=0
fi

if [ $fakes_up = 1 ]; then
# --------------------------------------------------------------- quorum table
# BR 3.2.2.9: N = 2..5 allow 1 non-corroboration, N >= 6 allow 2; from
# 2026-03-15 the corroborating remotes must also span 2 RIRs, so for N = 2
# the quorum of 1 can never be met alone: 2/2 is needed.
declare -A quorum=([2]=1 [3]=2 [4]=3 [5]=4 [6]=4 [7]=5 [8]=6)
for n in 2 3 4 5 6 7 8; do
	q=${quorum[$n]}
	t="row$n.caa.lab"
	read -r s _ < <(freq "$CA" "$(body "$t" t: "$n")" "$run/q.json")
	if [ "$s" != 200 ] || ! jq -e ".is_valid == true and .quorum_result == \"$n/$n\" and .actual_orchestration_parameters.quorum_count == $q" "$run/q.json" >/dev/null; then
		bad "quorum row N=$n: all corroborate" "status $s: $(head -c 600 "$run/q.json")"
		continue
	fi
	# the cohort, non-ARIN first: any two first members span 2 RIRs
	mapfile -t co < <(jq -r '.perspectives | to_entries | sort_by((if .value.check_response.rir == "ARIN" then 1 else 0 end), .key) | .[].value.perspective_code' "$run/q.json")
	if [ $n -ge 3 ]; then
		read -r s _ < <(freq "$CA" "$(body "$t" "$(trace fail "${co[@]:$q}")" "$n")" "$run/q.json")
		expect "quorum row N=$n: exactly $q corroborate -> valid, $q/$n" "$run/q.json" \
			'.is_valid == true' ".quorum_result == \"$q/$n\"" 'has("rir_rule_failed") | not' \
			"[.perspectives[] | select(.check_response.check_passed)] | length == $q"
	else
		read -r s _ < <(freq "$CA" "$(body "$t" "$(trace fail "${co[@]:$q}")" "$n")" "$run/q.json")
		expect "quorum row N=2: 1 corroborates (the table's quorum of 1) -> not valid, 1/2, by the 2-RIR rule" "$run/q.json" \
			'.is_valid == false' '.quorum_result == "1/2"' '.rir_rule_failed | test("RIR")'
	fi
	m=$((q - 1))
	read -r s _ < <(freq "$CA" "$(body "$t" "$(trace fail "${co[@]:$m}")" "$n")" "$run/q.json")
	expect "quorum row N=$n: $m corroborate -> not valid, $m/$n" "$run/q.json" \
		'.is_valid == false' ".quorum_result == \"$m/$n\"" 'has("rir_rule_failed") | not'
done

# --------------------------------------------------------------- 2-RIR rule
# A cohort of 6 with at least 4 ARIN members (5 of the 9 are ARIN): the
# ARIN ones alone meet the quorum count of 4, but not the RIR rule.
found=0
for i in $(seq 1 40); do
	t="rir$i.caa.lab"
	read -r s _ < <(freq "$CA" "$(body "$t" t: 6)" "$run/q.json")
	[ "$s" = 200 ] || continue
	if jq -e '[.perspectives[] | select(.check_response.rir == "ARIN")] | length >= 4' "$run/q.json" >/dev/null; then
		found=1
		break
	fi
done
if [ $found = 1 ]; then
	mapfile -t arin < <(jq -r '.perspectives[] | select(.check_response.rir == "ARIN") | .perspective_code' "$run/q.json")
	mapfile -t other < <(jq -r '.perspectives[] | select(.check_response.rir != "ARIN") | .perspective_code' "$run/q.json")
	k=${#arin[@]}
	read -r s _ < <(freq "$CA" "$(body "$t" "$(trace fail "${other[@]}")" 6)" "$run/q.json")
	expect "2-RIR rule: $k/6 corroborate, quorum count 4 met, all ARIN -> not valid, with the reason" "$run/q.json" \
		'.is_valid == false' ".quorum_result == \"$k/6\"" '.rir_rule_failed | test("2 RIRs")' \
		'[.perspectives[] | select(.check_response.check_passed) | .check_response.rir] | unique == ["ARIN"]'
	id=$(jq -r .audit_id "$run/q.json")
	if jq -e -s --arg id "$id" 'map(select(.audit_id == $id and .type == "decision")) | length == 1 and .[0].rir_rule_failed == true and .[0].is_valid == false' "$run/audit-a.jsonl" >/dev/null 2>&1; then
		ok "2-RIR rule: the decision record says rir_rule_failed"
	else
		bad "2-RIR rule audit" "no decision record with rir_rule_failed for $id"
	fi
	read -r s _ < <(freq "$CA" "$(body "$t" "$(trace fail "${arin[@]:3}" "${other[@]:1}")" 6)" "$run/q.json")
	expect "2-RIR rule: 3 ARIN + 1 other corroborate -> valid, 4/6" "$run/q.json" \
		'.is_valid == true' '.quorum_result == "4/6"' 'has("rir_rule_failed") | not' \
		'[.perspectives[] | select(.check_response.check_passed) | .check_response.rir] | unique | length == 2'
else
	bad "2-RIR rule" "no target among 40 gave a cohort of 6 with 4 ARIN members"
fi

# --------------------------------------------------------------- too close
# eu-west-1 (Dublin) and eu-west-2 (London) are 464 km apart: never in
# the same cohort; a count that needs both is refused.
both=0
for i in $(seq 1 30); do
	read -r s _ < <(freq "$CA" "$(jq -cn --arg t "close$i.caa.lab" '{check_type:"caa",domain_or_ip_target:$t,orchestration_parameters:{perspective_count:8}}')" "$run/q.json")
	if [ "$s" != 200 ] || jq -e '[.perspectives[].perspective_code] | index("eu-west-1") != null and index("eu-west-2") != null' "$run/q.json" >/dev/null; then
		both=$((both + 1))
	fi
done
[ $both = 0 ] && ok "30 targets, cohorts of 8 of 9: Dublin and London (464 km) never together" ||
	bad "too close in a cohort" "$both of 30 had both (or failed)"
read -r s _ < <(freq "$CA" '{"check_type":"caa","domain_or_ip_target":"close.caa.lab","orchestration_parameters":{"perspective_count":9}}' "$run/q.json")
[ "$s" = 400 ] && expect "perspective_count 9 needs Dublin and London together: 400" "$run/q.json" \
	'.validation_issues[0].issue_type == "invalid-perspective-count"' '.validation_issues[0].message | test("500 km")' ||
	bad "too close, count 9" "status $s: $(head -c 400 "$run/q.json")"
# A configuration whose default count can only be met with a close pair:
# us-east-1, ca-central-1 (ARIN, 800 km apart), eu-west-1, eu-west-2
# (RIPE NCC, 464 km apart), ap-northeast-1; 5 of 5 wanted.
fcoord "$P.41.1:9449" 1 enforce false 4000 1500 "$run/audit-x.jsonl" 5 "1 4 6 9 7" > "$run/close.yaml"
"$mpicd" -n -c "$run/close.yaml" 2>"$run/n.err"; rc=$?
[ "$rc" = 78 ] && grep -q "500 km" "$run/n.err" &&
	ok "mpicd -n: 5 perspectives, two 464 km apart, default count 5: refused (78) with the reason" ||
	bad "mpicd -n too close" "exit $rc: $(cat "$run/n.err"); $(grep -c code: "$run/close.yaml") perspectives"
timeout 20 "$mpicd" -c "$run/close.yaml" 2>"$run/close.log"; rc=$?
[ "$rc" = 78 ] && grep -q "500 km" "$run/close.log" &&
	ok "mpicd start on that configuration: exits 78 with the reason, serves nothing" ||
	bad "mpicd start too close" "exit $rc: $(tail -3 "$run/close.log")"
sed 's/br_minimums: enforce/br_minimums: lab/' "$run/close.yaml" > "$run/close-lab.yaml"
"$mpicd" -n -c "$run/close-lab.yaml" 2>"$run/n.err"; rc=$?
[ "$rc" = 0 ] && grep -q "NOT enforced" "$run/n.err" && grep -q "500 km" "$run/n.err" &&
	ok "mpicd -n, the same with br_minimums: lab: accepted with the loud warning naming the 500 km rule" ||
	bad "mpicd -n too close, lab" "exit $rc: $(cat "$run/n.err")"

# --------------------------------------------------------------- liars
# Cohort of 8 of 9 (quorum 6, 2 non-corroborations allowed): two broken
# perspectives per request, each with its own error.  The ARIN-only
# codes are always in a cohort of 8 (the one left out is Dublin or London).
lie() { # NAME MODE1 MODE2 RE1 RE2
	local tr="t:us-east-1=$2,us-west-2=$3"
	read -r s secs < <(freq "$CA" "$(body "lie-$2.caa.lab" "$tr" 8)" "$run/q.json")
	expect "$1" "$run/q.json" '.is_valid == true' '.quorum_result == "6/8"' \
		"[.perspectives[] | select(.perspective_code == \"us-east-1\") | .check_response] | .[0].check_passed == false and .[0].errors[0].error_type == \"mpic_error:coordinator:remote_check\" and (.[0].errors[0].error_message | test(\"us-east-1\") and test(\"$4\"))" \
		"[.perspectives[] | select(.perspective_code == \"us-west-2\") | .check_response] | .[0].check_passed == false and .[0].errors[0].error_type == \"mpic_error:coordinator:remote_check\" and (.[0].errors[0].error_message | test(\"us-west-2\") and test(\"$5\"))"
}
lie "garbage JSON and truncated JSON: non-corroborations naming the parse failure, 6/8 valid" \
	garbage trunc "not a JSON object" "not a JSON object"
# Open MPIC's schema: details have the check's keys, also for a
# perspective whose answer was unusable (nothing observed: null, []).
expect "garbage answer: its CAA details carry the schema's keys, nothing observed" "$run/q.json" \
	'[.perspectives[] | select(.perspective_code == "us-east-1") | .check_response.details] == [{"caa_record_present":false,"found_at":null,"records_seen":[]}]'
read -r s _ < <(freq "$CA" "$(jq -cn '{check_type:"dcv",domain_or_ip_target:"lie-dcv.caa.lab",trace_identifier:"t:us-east-1=garbage,us-west-2=http500",orchestration_parameters:{perspective_count:8,cohort_for_single_attempt:1},dcv_check_parameters:{validation_method:"dns-change",challenge_value:"mpic-lab-challenge-value-0123456789",dns_record_type:"TXT"}}')" "$run/q.json")
expect "garbage answer, HTTP 500 (DCV dns-change): their details are the DNS shape with validation_method; a remote's partial details get the required keys" "$run/q.json" \
	'.quorum_result == "6/8"' \
	'[.perspectives[] | select(.perspective_code == "us-east-1" or .perspective_code == "us-west-2") | .check_response.details] == [range(2) | {"validation_method":"dns-change","records_seen":[],"response_code":null,"ad_flag":null,"found_at":null,"cname_chain":[]}]' \
	'[.perspectives[].check_response.details | .validation_method == "dns-change" and has("records_seen") and has("response_code") and has("ad_flag") and has("found_at")] | all'
id=$(jq -r .audit_id "$run/q.json")
jq -e -s --arg id "$id" 'map(select(.audit_id == $id and .type == "perspective" and .perspective_code == "us-east-1")) | length == 1 and .[0].details.validation_method == "dns-change" and .[0].details_sha256 != "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"' "$run/audit-a.jsonl" >/dev/null 2>&1 &&
	ok "garbage answer (DCV): its audit record has the same details, not {}" ||
	bad "garbage answer audit details" "$(jq -c -s --arg id "$id" 'map(select(.audit_id == $id and .perspective_code == "us-east-1")) | map({details, details_sha256})' "$run/audit-a.jsonl" 2>&1 | head -c 600)"
lie "HTTP 500 and a connection closed mid-answer: non-corroborations, 6/8 valid" \
	http500 close "HTTP status 500" "[Pp]artial|closed|outstanding"
lie "wrong perspective_code and wrong rir: non-corroborations naming them, 6/8 valid" \
	wrongcode wrongrir "xx-impostor-1" "AFRINIC"
lie "too slow (2.5 s and 3 s, remote_timeout_ms 1500): timeouts, 6/8 valid" \
	slow2500 slow3000 "[Tt]imeout|timed out" "[Tt]imeout|timed out"
ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
[ "$ms" -ge 1400 ] && [ "$ms" -lt 3800 ] &&
	ok "the slow perspective's request answered after its remote timeout, within the 4 s request deadline (${ms} ms)" ||
	bad "slow timing" "${ms} ms"
# A remote's clock is believed only within its call's window (5 s of
# skew): a timestamp_ns of 1 (1970) is replaced by the coordinator's time
# of receipt, in the response and the audit record, which keeps the
# remote's value aside.
t0=$(date +%s%N)
read -r s _ < <(freq "$CA" "$(body ts.caa.lab "t:us-east-1=ts1" 8)" "$run/q.json")
t1=$(date +%s%N)
expect "a remote's timestamp_ns 1 (1970): its check_response has the coordinator's time of receipt" "$run/q.json" \
	'.is_valid == true' \
	"[.perspectives[] | select(.perspective_code == \"us-east-1\") | .check_response.timestamp_ns] | .[0] >= $t0 and .[0] <= $t1"
id=$(jq -r .audit_id "$run/q.json")
jq -e -s --arg id "$id" --arg y "$(date -u +%Y)" 'map(select(.audit_id == $id and .type == "perspective")) | (map(select(.perspective_code == "us-east-1")) | length == 1 and (.[0].checked_at | startswith($y)) and .[0].remote_timestamp_ns == 1) and (map(select(.perspective_code != "us-east-1") | has("remote_timestamp_ns")) | any | not)' "$run/audit-a.jsonl" >/dev/null 2>&1 &&
	ok "a remote's timestamp_ns 1: its audit record's checked_at is the time of receipt, remote_timestamp_ns 1 beside it (the others have none)" ||
	bad "remote timestamp audit" "$(jq -c -s --arg id "$id" 'map(select(.audit_id == $id and .type == "perspective")) | map({perspective_code, checked_at, remote_timestamp_ns})' "$run/audit-a.jsonl" 2>&1 | head -c 800)"
read -r s _ < <(freq "$CA" "$(body lie3.caa.lab "t:us-east-1=garbage,us-west-2=wrongrir,us-central-1=close" 8)" "$run/q.json")
expect "three broken perspectives of 8: 5/8, not valid" "$run/q.json" '.is_valid == false' '.quorum_result == "5/8"'

# --------------------------------------------------------------- early decision
read -r s secs < <(freq "$CE" "$(jq -cn '{check_type:"caa",domain_or_ip_target:"early.caa.lab",trace_identifier:"t:sa-east-1=slow3000"}')" "$run/q.json")
ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
expect "early decision: 6/8 or 7/8 answered at once, the straggler not awaited" "$run/q.json" \
	'.is_valid == true' '.quorum_result == "7/8" or .quorum_result == "6/8"' \
	'[.perspectives[] | select(.perspective_code == "sa-east-1") | .check_response.errors[0].error_message] | .[0] | test("not awaited")'
[ "$ms" -lt 2500 ] && ok "early decision: answered in ${ms} ms, before the straggler's 3 s" ||
	bad "early decision timing" "${ms} ms"
id=$(jq -r .audit_id "$run/q.json")
late=0
for _ in $(seq 1 60); do
	if jq -e -s --arg id "$id" 'map(select(.audit_id == $id and .type == "perspective" and .perspective_code == "sa-east-1" and .late == true and .result == "pass")) | length == 1' "$run/audit-e.jsonl" >/dev/null 2>&1; then
		late=1
		break
	fi
	sleep 0.1
done
[ $late = 1 ] && ok "early decision: the straggler's late record (pass) reaches the audit log afterwards" ||
	bad "early decision late record" "none for $id"
jq -e -s --arg id "$id" '[.[] | select(.audit_id == $id) | .type] as $t | ($t | index("decision")) < ($t | rindex("perspective"))' "$run/audit-e.jsonl" >/dev/null 2>&1 &&
	ok "early decision: the late record follows the decision record" || bad "late after decision" "order"

# --------------------------------------------------------------- early decision, uncertain
# Early decision on, a cohort of 4 with quorum 3: two pass, one fails, one
# hangs past the request deadline (1.5 s; its remote timeout is 5 s).  The
# outcome is never certain early (2 passed, 1 pending, 3 needed), so the
# attempt is decided by its deadline, and the hung perspective must say so,
# in the response and in its audit record: not "outcome already certain".
read -r s _ < <(freq "$CD" "$(body uncertain.caa.lab t: 4)" "$run/d0.json")
mapfile -t co < <(jq -r '.perspectives[].perspective_code' "$run/d0.json" 2>/dev/null)
if [ "$s" = 200 ] && [ ${#co[@]} = 4 ]; then
	hung=${co[3]}
	read -r s secs < <(freq "$CD" "$(body uncertain.caa.lab "t:${co[2]}=fail,$hung=slow3000" 4)" "$run/q.json")
	ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
	expect "early decision, outcome uncertain (2 pass, 1 fails, 1 hangs; quorum 3 of 4): decided at the deadline, the hung one \"did not answer before the deadline\"" "$run/q.json" \
		'.is_valid == false' '.quorum_result == "2/4"' '.actual_orchestration_parameters.quorum_count == 3' \
		"[.perspectives[] | select(.perspective_code == \"$hung\") | .check_response.errors[0]] | .[0].error_type == \"mpic_error:timeout\" and (.[0].error_message | test(\"before the deadline\")) and (.[0].error_message | test(\"not awaited\") | not)"
	expect "a perspective that did not answer in time: its CAA details carry the schema's keys, nothing observed" "$run/q.json" \
		"[.perspectives[] | select(.perspective_code == \"$hung\") | .check_response.details] == [{\"caa_record_present\":false,\"found_at\":null,\"records_seen\":[]}]"
	[ "$ms" -ge 1400 ] && [ "$ms" -lt 2900 ] && ok "early decision, outcome uncertain: answered at the 1.5 s deadline (${ms} ms), not before" ||
		bad "early decision, uncertain: timing" "${ms} ms"
	id=$(jq -r .audit_id "$run/q.json")
	jq -e -s --arg id "$id" --arg c "$hung" 'map(select(.audit_id == $id and .type == "perspective" and .perspective_code == $c and (.late | not))) | length == 1 and (.[0].errors[0].error_message | test("before the deadline")) and (.[0].errors[0].error_message | test("not awaited") | not)' "$run/audit-d.jsonl" >/dev/null 2>&1 &&
		ok "early decision, outcome uncertain: the hung perspective's audit record says \"did not answer before the deadline\"" ||
		bad "early decision, uncertain: audit record" "$(jq -c -s --arg id "$id" --arg c "$hung" 'map(select(.audit_id == $id and .perspective_code == $c)) | map({late, errors})' "$run/audit-d.jsonl" 2>&1 | head -c 600)"
else
	bad "early decision, uncertain" "the cohort of 4: status $s: $(head -c 400 "$run/d0.json")"
fi

# --------------------------------------------------------------- reload, busy
# A reload retires the connections made with the old client certificate:
# idle ones at once, busy ones when their call ends (mpic__curl_loop_retire).
# Three requests for the same cohort: P0 (connections made), A (every call
# slow, 1 s; the SIGHUP lands while its six calls are on the wire), B after
# A's answer.  Each fake answers with the serial of the connection the call
# came on (per listener): B's six must all be newer than P0's and A's, i.e.
# no connection busy at the reload was used again.
conns() { jq -r '.perspectives[] | "\(.perspective_code) \(.check_response.details.connection)"' "$1" | sort; }
read -r s0 _ < <(freq "$CA" "$(body busy.caa.lab t: 6)" "$run/b0.json")
freq "$CA" "$(body busy.caa.lab "$(trace slow1000 "${fcodes[@]}")" 6)" "$run/ba.json" > "$run/ba.st" &
bpid=$!
sleep 0.4
kill -HUP "${pid[coord-a]}"
wait "$bpid" || true
read -r sa _ < "$run/ba.st"
read -r sb _ < <(freq "$CA" "$(body busy.caa.lab t: 6)" "$run/bb.json")
old=$(cat <(conns "$run/b0.json") <(conns "$run/ba.json") | awk '$2 > m[$1] {m[$1] = $2} END {for (c in m) print c, m[c]}' | sort)
reused=$(join <(echo "$old") <(conns "$run/bb.json") | awk '$3 <= $2' | wc -l)
nb=$(conns "$run/bb.json" | awk '$2 ~ /^[0-9]+$/' | wc -l)
[ "$s0" = 200 ] && [ "$sa" = 200 ] && [ "$sb" = 200 ] && [ "$nb" = 6 ] && [ "$reused" = 0 ] &&
	jq -e '.quorum_result == "6/6"' "$run/ba.json" >/dev/null &&
	grep -q 'reload: certificates and keys loaded' "$run/coord-a.log" &&
	ok "reload during a call: the call completes (6/6), and the next calls go out on new connections, busy ones included ($(conns "$run/ba.json" | tr '\n' ' ')-> $(conns "$run/bb.json" | tr '\n' ' '))" ||
	bad "reload while busy" "status $s0 $sa $sb, $nb answers with a connection, $reused reused; A: $(jq -c .quorum_result "$run/ba.json" 2>/dev/null); old: $(echo "$old" | tr '\n' ' '); B: $(conns "$run/bb.json" | tr '\n' ' ')"

stop coord-a
stop coord-e
stop coord-d

# --------------------------------------------------------------- a torn last line
# What kill -9 during a write leaves (docs/audit.md): verify names it as
# torn with the intact records before it; mpicd refuses to extend it.
head -c -30 "$run/audit-a.jsonl" > "$run/torn-audit.jsonl"
v=$("$mpic" audit verify "$run/torn-audit.jsonl" 2>&1); rc=$?
n=$(wc -l < "$run/torn-audit.jsonl")
[ $rc = 1 ] && echo "$v" | grep -q "^torn: $n intact records" &&
	ok "audit verify on a torn last line: exit 1, torn, $n intact records before it" || bad "torn verify" "exit $rc: $v"
sed "s|path: $run/audit-a.jsonl|path: $run/torn-audit.jsonl|" "$run/coord-a.yaml" > "$run/coord-t.yaml"
timeout 20 "$mpicd" -c "$run/coord-t.yaml" 2>"$run/coord-t.log"; rc=$?
[ $rc != 0 ] && [ $rc != 124 ] && grep -q "incomplete" "$run/coord-t.log" &&
	ok "mpicd refuses to extend a log with a torn last line (exit $rc, says why)" || bad "torn start" "exit $rc: $(tail -2 "$run/coord-t.log")"

# --------------------------------------------------------------- audit write fails
# The coordinator may write 48 KiB per file (ulimit -f, SIGXFSZ ignored so
# that writes fail with EFBIG): once its audit log cannot grow, no outcome
# may be given.  Every 200 must have its records in the log, every later
# answer is a 500, and the log is cut back to its last whole record.
fcoord "$P.41.1:9444" 1 lab false 4000 1500 "$run/audit-f.jsonl" 8 "$(seq 1 8)" > "$run/coord-f.yaml"
(trap '' XFSZ; ulimit -f 48; exec "$mpicd" -c "$run/coord-f.yaml") 2>"$run/coord-f.log" &
pid[coord-f]=$!
if wait_up coord-f "https://$P.41.1:9444"; then
	n200=0 n500=0 order=ok lost=0
	for i in $(seq 1 20); do
		read -r s _ < <(freq "https://$P.41.1:9444" "$(jq -cn --arg t "full$i.caa.lab" '{check_type:"caa",domain_or_ip_target:$t}')" "$run/q.json")
		if [ "$s" = 200 ]; then
			[ $n500 -gt 0 ] && order=bad
			n200=$((n200 + 1))
			id=$(jq -r '.audit_id // empty' "$run/q.json")
			jq -e -s --arg id "$id" '(map(select(.audit_id == $id and .type == "perspective")) | length == 8) and (map(select(.audit_id == $id and .type == "decision")) | length == 1)' "$run/audit-f.jsonl" >/dev/null 2>&1 || lost=$((lost + 1))
		elif [ "$s" = 500 ] && jq -e '.message | test("audit log could not record")' "$run/q.json" >/dev/null; then
			n500=$((n500 + 1))
		else
			order="status $s: $(head -c 200 "$run/q.json")"
		fi
	done
	v=$("$mpic" audit verify "$run/audit-f.jsonl" 2>&1)
	[ $n200 -ge 1 ] && [ $n500 -ge 1 ] && [ "$order" = ok ] && [ $lost = 0 ] &&
		ok "audit log cannot grow (EFBIG): $n200 answers with their records, then $n500 times 500 \"the audit log could not record the outcome\"" ||
		bad "audit write failure" "$n200 x 200 ($lost without records), $n500 x 500, $order"
	echo "$v" | grep -q "^ok:" && ok "after the failed write, the log is cut back to whole records: $v" ||
		bad "audit log after EFBIG" "$v"
	stop coord-f
fi

# --------------------------------------------------------------- audit stall
# shellcheck source=tests/integration/daemon/audit_stall.sh
. "$here/audit_stall.sh"

# --------------------------------------------------------------- kill -9
# Four clients post in a loop to a 2-worker coordinator; the coordinator
# and its workers get SIGKILL mid-run.  A response counts as received only
# when curl read all of it (exit 0): a status line followed by a cut body
# (curl exit 18/56 with %{http_code} 200) was never a whole answer.
# mpicd writes the status line and headers in one TLS record and the body
# in the next ones, so a kill between the two writes leaves the client a
# "200" with no body: that happens now and then, and is reported.  Even
# rounds ask for answers of ~180 KB (30 KB of padding from each of the 6
# perspectives: many TLS records, large audit records).
kill_round() { # ROUND
	local r=$1 dir="$run/kill$1" j ppid kids k answered partial missing rc v lines lost cut pad=
	[ $((r % 2)) = 0 ] && pad="*=pad30000"
	mkdir -p "$dir"
	fcoord "$P.41.1:9443" 2 enforce false 8000 6000 "$dir/audit.jsonl" 6 "$(seq 1 8)" > "$dir/coord.yaml"
	start "coord-k$r" "$dir/coord.yaml"
	wait_up "coord-k$r" "$CK" || { bad "kill -9 round $r" "the coordinator did not start"; return; }
	for j in 1 2 3 4; do
		(
			fails=0
			for i in $(seq 1 400); do
				jq -cn --arg t "k$j-$i.caa.lab" --arg tr "kill-$r-$j-$i:$pad" \
				    '{check_type:"caa",domain_or_ip_target:$t,trace_identifier:$tr}' > "$dir/c$j.req"
				code=$(curl -s -o "$dir/c$j.$i.body" -w '%{http_code}' --max-time 10 --cacert "$pki/ca.pem" \
				    -H 'Content-Type: application/json' -H "x-api-key: $apikey" \
				    --data-binary @"$dir/c$j.req" "$CK/mpic")
				echo "$i $? $code" >> "$dir/c$j.log"
				if [ "$code" = 000 ]; then
					fails=$((fails + 1))
					[ $fails -ge 3 ] && break
					sleep 0.1
				fi
			done
		) &
		pid[client$j]=$!
	done
	sleep "$(awk -v r="$r" 'BEGIN { printf "%.2f", 1.5 + (r % 4) * 0.37 }')"
	ppid=${pid[coord-k$r]}
	kids=$(cat /proc/"$ppid"/task/*/children 2>/dev/null)
	# shellcheck disable=SC2086
	kill -KILL "$ppid" $kids 2>/dev/null
	wait "$ppid" 2>/dev/null
	unset "pid[coord-k$r]"
	for k in $kids; do
		for _ in $(seq 1 50); do alive "$k" || break; sleep 0.1; done
	done
	for j in 1 2 3 4; do
		for _ in $(seq 1 300); do alive "${pid[client$j]}" || break; sleep 0.1; done
		kill -KILL "${pid[client$j]}" 2>/dev/null
		wait "${pid[client$j]}" 2>/dev/null
		unset "pid[client$j]"
	done
	answered=0 partial=0 missing=0
	: > "$dir/ids"
	for j in 1 2 3 4; do
		while read -r i rc code; do
			if [ "$code" = 200 ] && [ "$rc" = 0 ]; then
				answered=$((answered + 1))
				schema_keep /mpic 200 "$dir/c$j.$i.body" "kill -9 round $r client $j request $i"
				v=$(jq -r '.audit_id // empty' "$dir/c$j.$i.body" 2>/dev/null)
				if [ -n "$v" ]; then echo "$v" >> "$dir/ids"; else
					missing=$((missing + 1))
					echo "     round $r client $j request $i: 200 without audit_id: $(head -c 300 "$dir/c$j.$i.body")"
				fi
			elif [ "$code" = 200 ]; then
				partial=$((partial + 1))
				echo "kill-$r-$j-$i:$pad" >> "$dir/cut-traces"
				echo "     round $r client $j request $i: status 200 but curl exit $rc after $(cat "$dir/c$j.$i.body" 2>/dev/null | wc -c) bytes (cut by the kill; not an answer)"
			fi
		done < "$dir/c$j.log"
	done
	# the logs: verify each; a torn last line (a group never synced,
	# so never acknowledged) is what docs/audit.md reports, not an error
	: > "$dir/records"
	for l in "$dir"/audit.jsonl.w*; do
		[ -e "$l" ] || continue
		v=$("$mpic" audit verify "$l" 2>&1); rc=$?
		lines=$(wc -l < "$l")
		if [ $rc = 0 ]; then
			cat "$l" >> "$dir/records"
		elif [ $rc = 1 ] && echo "$v" | grep -q "^torn: $lines intact records"; then
			echo "     round $r: $(basename "$l"): torn last line after kill -9 (reported by verify; $lines intact records)"
			head -n "$lines" "$l" >> "$dir/records"
		else
			bad "kill -9 round $r: $(basename "$l") verifies" "$v"
			head -n "$lines" "$l" >> "$dir/records"
		fi
	done
	jq -c 'select(.type == "decision" or .type == "perspective") | {a: .audit_id, t: .type, late: (.late // false), n: .perspective_count}' "$dir/records" > "$dir/kinds" 2>/dev/null
	lost=$(jq -r -n --rawfile ids "$dir/ids" --slurpfile k "$dir/kinds" '
		($k | map(select(.t == "decision")) | map({key: .a, value: .n}) | from_entries) as $dec
		| ($k | map(select(.t == "perspective" and (.late | not))) | group_by(.a) | map({key: .[0].a, value: length}) | from_entries) as $per
		| [$ids | split("\n")[] | select(length > 0) | select(($dec[.] // 0) == 0 or ($per[.] // 0) < $dec[.])] | length')
	cut=""
	if [ "$partial" -gt 0 ]; then
		# even a cut 200 went out after its records were durable:
		# its decision is in the log, found by its trace identifier
		k=$(jq -r -n --rawfile tr "$dir/cut-traces" --slurpfile rec "$dir/records" '
			($rec | map(select(.type == "decision") | .trace_identifier)) as $d
			| [$tr | split("\n")[] | select(length > 0) | select(. as $t | $d | index($t) | not)] | length')
		cut="; $partial more had a 200 status line but a body cut by the kill ($((partial - k)) of them with their decision in the log)"
		lost=$((lost + k))
	fi
	if [ "$missing" = 0 ] && [ "$lost" = 0 ] && [ "$answered" -gt 0 ]; then
		ok "kill -9 round $r: $answered answers received (200, whole), each with an audit_id whose perspective and decision records are in the log$cut"
	else
		bad "kill -9 round $r" "$answered answered, $missing without audit_id, $lost without their records, $partial cut"
	fi
	grep -q '"worker ready"' "$run/coord-k$r.log" || bad "kill -9 round $r" "no worker log"
}
for r in $(seq 1 "${KILL_ROUNDS:-2}"); do kill_round "$r"; done

# --------------------------------------------------------------- orphaned workers
# kill -9 of the supervisor alone: its workers get SIGTERM (parent-death
# signal), answer what they were doing, exit, and free the port and the
# audit logs for the mpicd started in its place.
dir="$run/orphan"
mkdir -p "$dir"
fcoord "$P.41.1:9443" 2 enforce false 8000 6000 "$dir/audit.jsonl" 6 "$(seq 1 8)" > "$dir/coord.yaml"
start coord-o "$dir/coord.yaml"
if wait_up coord-o "$CK"; then
	ppid=${pid[coord-o]}
	kids=$(cat /proc/"$ppid"/task/*/children 2>/dev/null)
	( freq "$CK" '{"check_type":"caa","domain_or_ip_target":"orphan.caa.lab","trace_identifier":"t:*=slow2000"}' "$dir/q.json" > "$dir/q.status" ) &
	pid[orphan-client]=$!
	sleep 0.7
	kill -KILL "$ppid"
	wait "$ppid" 2>/dev/null
	unset "pid[coord-o]"
	gone=1
	for k in $kids; do
		for _ in $(seq 1 150); do alive "$k" || break; sleep 0.1; done
		alive "$k" && { gone=0; kill -KILL "$k"; }
	done
	[ -n "$kids" ] && [ $gone = 1 ] && [ "$(grep -c '"worker stopped"' "$run/coord-o.log")" = 2 ] &&
		ok "kill -9 of the supervisor alone: both workers drain and exit" ||
		bad "orphaned workers" "workers [$kids] gone=$gone; $(grep -c '"worker stopped"' "$run/coord-o.log") stopped"
	wait "${pid[orphan-client]}"
	unset "pid[orphan-client]"
	read -r s _ < "$dir/q.status"
	id=$(jq -r '.audit_id // empty' "$dir/q.json" 2>/dev/null)
	[ "$s" = 200 ] && [ -n "$id" ] && cat "$dir"/audit.jsonl.w* | jq -e -s --arg id "$id" 'map(select(.audit_id == $id and .type == "decision")) | length == 1' >/dev/null 2>&1 &&
		ok "the request in flight when the supervisor died: answered 200, its decision in the log" ||
		bad "orphaned workers: the request in flight" "status $s: $(head -c 300 "$dir/q.json")"
	start coord-o2 "$dir/coord.yaml"
	if wait_up coord-o2 "$CK"; then
		read -r s _ < <(freq "$CK" '{"check_type":"caa","domain_or_ip_target":"orphan2.caa.lab"}' "$dir/q.json")
		[ "$s" = 200 ] && ok "a new mpicd on the same port and audit logs serves at once" || bad "restart after orphaning" "status $s"
		stop coord-o2
		for l in "$dir"/audit.jsonl.w*; do
			v=$("$mpic" audit verify "$l" 2>&1) && ok "after the restart $(basename "$l") verifies: ${v#ok: }" || bad "orphan audit $(basename "$l")" "$v"
		done
	else
		bad "restart after orphaning" "$(grep -m2 -i "audit\|in use" "$run/coord-o2.log")"
	fi
fi
fi
[ -n "${pid[fake]:-}" ] && { kill -TERM "${pid[fake]}" 2>/dev/null; wait "${pid[fake]}" 2>/dev/null; unset "pid[fake]"; }
