# diagnose.sh - POST /diagnose and the diagnosis page (sourced by run,
# after the API section: uses its coordinator $C, perspectives, pki,
# apikey, ok/bad/expect).  Through the coordinator (fan-out to the six
# perspectives' own POST /diagnose) with `mpic --server ... diagnose`; at
# a perspective; credentials, the per-key limit, nothing in the audit
# log, a line in the request log; then the page in headless Chromium on
# an all-in-one of its own (PREFIX.47.1:8080, six in-process
# perspectives): a failing and an honest name, asserted on the rendered
# DOM, screenshots kept in $DIAG_OUT (default: BUILD/test-output/diagnose-page,
# printed).

dg_diag() { # URL NAME OUT: mpic --server URL diagnose NAME --json; exit status
	local rc
	MPIC_API_KEY=$apikey timeout 120 "$mpic" --server "$1" --cacert "$pki/ca.pem" \
	    --json diagnose "$2" >"$3" 2>"$3.err"
	rc=$?
	echo $rc
}

audit_before=$(cat "$run"/audit-"$P".41.1.jsonl* 2>/dev/null | wc -l)
rc=$(dg_diag "$C" permit.caa.lab "$run/dg.json")
[ "$rc" = 0 ] && ok "mpic --server diagnose permit.caa.lab: ready (exit 0)" ||
	bad "diagnose honest through the coordinator" "exit $rc: $(head -c 600 "$run/dg.json.err")"
expect "diagnose through the coordinator: all six perspectives answered their own POST /diagnose" "$run/dg.json" \
	'.ready == true' '.verdict == "ready for MPIC"' 'all(.findings[]; .severity != "error")' \
	'[.perspectives[].perspective_code] | sort == ["ap-northeast-1","ap-southeast-2","eu-central-1","eu-west-1","us-east-1","us-west-2"]' \
	'.perspectives | all(.caa.passed == true and .ns.answered == true and (has("error") | not))'
rc=$(dg_diag "$C" deny.caa.lab "$run/dg.json")
[ "$rc" = 1 ] && ok "mpic --server diagnose deny.caa.lab: not ready (exit 1)" ||
	bad "diagnose deny through the coordinator" "exit $rc"
expect "diagnose deny.caa.lab: caa_forbids names the six, the verdict says why" "$run/dg.json" \
	'[.findings[] | select(.severity == "error") | .code] == ["caa_forbids"]' \
	'any(.findings[]; .code == "caa_forbids" and (.perspectives | length) == 6)' \
	'.verdict | startswith("not ready: caa_forbids")'
MPIC_API_KEY=$apikey timeout 120 "$mpic" --server "$C" --cacert "$pki/ca.pem" \
    diagnose deny.caa.lab >"$run/dg.txt" 2>&1
if grep -q '^us-east-1 .* FORBIDS' "$run/dg.txt" && grep -q '^  caa_forbids \[error\]' "$run/dg.txt" &&
    grep -q '^not ready: caa_forbids' "$run/dg.txt"; then
	ok "mpic diagnose prints the table, the findings and the verdict"
else
	bad "mpic diagnose text" "$(head -c 1500 "$run/dg.txt")"
fi
echo '{"name":"permit.caa.lab","caa_domains":["ca.example"]}' > "$run/dg-body.json"
s=$(curl -s -o "$run/dg-out.json" -w '%{http_code}' --max-time 30 --cacert "$pki/ca.pem" \
    -H 'Content-Type: application/json' --data-binary @"$run/dg-body.json" "$C/diagnose")
[ "$s" = 401 ] && ok "POST /diagnose without x-api-key: 401 (the credentials of /mpic)" ||
	bad "diagnose without key" "status $s"
s=$(curl -s -o "$run/dg-out.json" -w '%{http_code}' --max-time 30 --cacert "$pki/ca.pem" \
    --cert "$pki/coord.pem" --key "$pki/coord.key" \
    -H 'Content-Type: application/json' --data-binary @"$run/dg-body.json" "https://$P.40.3:8443/diagnose")
[ "$s" = 200 ] && expect "POST /diagnose at a perspective: its own observations, named" "$run/dg-out.json" \
	'.perspective_code == "eu-west-1"' '.rir == "RIPE NCC"' '.caa.passed == true' \
	'has("findings") | not' || bad "diagnose at a perspective" "status $s"
s=$(curl -s -o "$run/dg-out.json" -w '%{http_code}' --max-time 30 --cacert "$pki/ca.pem" \
    -H "x-api-key: $apikey" -H 'Content-Type: application/json' \
    --data-binary '{"name":"permit.caa.lab","bogus":1}' "$C/diagnose")
[ "$s" = 400 ] && ok "POST /diagnose with an unknown key: 400" || bad "diagnose unknown key" "status $s"
audit_after=$(cat "$run"/audit-"$P".41.1.jsonl* 2>/dev/null | wc -l)
[ "$audit_before" = "$audit_after" ] && ok "diagnoses leave the audit log as it was ($audit_after lines)" ||
	bad "diagnose and the audit log" "$audit_before lines before, $audit_after after"
grep -q '"path":"/diagnose"' "$run/coord.log" && ok "diagnoses are in the request log" ||
	bad "diagnose request log" "no /diagnose line in coord.log"

# ----------------------------------------------- an all-in-one and its page
dgkey2=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
# the browser's own key: its four page loads are within the limit
dgkey3=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n%s\n%s\n' "$apikey" "$dgkey2" "$dgkey3" > "$run/dg-keys"
chmod 600 "$run/dg-keys"
{
	echo "role: all-in-one"
	echo "listen: $P.47.1:8080"
	echo "workers: 1"
	echo "api_keys_file: $run/dg-keys"
	echo "perspectives:"
	for i in 0 1 2 3 4 5; do
		echo "  - {code: ${codes[$i]}, rir: ${rirs[$i]}, location: {lat: ${locs[$i]}}}"
	done
	echo "caa: {issuer_domains: [ca.example]}"
	echo "orchestration: {hash_secret_file: $run/secret, default_perspective_count: 6}"
	echo "limits: {diagnose_per_minute: 4}"
	echo "audit: {path: $run/dg-audit.jsonl}"
	dns_section
} > "$run/dg-aio.yaml"
start dgaio "$run/dg-aio.yaml"
DG="http://$P.47.1:8080"
if wait_up dgaio "$DG"; then
	# the limit is per API key: the second key's budget runs out
	codes_seen=""
	for i in 1 2 3 4 5; do
		codes_seen+="$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "x-api-key: $dgkey2" \
		    -H 'Content-Type: application/json' --data-binary '{}' "$DG/diagnose") "
	done
	[ "$codes_seen" = "400 400 400 400 429 " ] &&
		ok "limits.diagnose_per_minute 4: the fifth diagnosis of a key is refused (429)" ||
		bad "diagnose limit" "statuses $codes_seen"
	s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "x-api-key: $apikey" \
	    -H 'Content-Type: application/json' --data-binary '{}' "$DG/diagnose")
	[ "$s" = 400 ] && ok "another key keeps its own budget" || bad "diagnose limit per key" "status $s"
	curl -s -D "$run/dg-page.h" -o "$run/dg-page.html" --max-time 10 "$DG/diagnose"
	if grep -qi '^content-type: text/html' "$run/dg-page.h" &&
	    grep -qi "^content-security-policy: default-src 'none'" "$run/dg-page.h" &&
	    ! grep -Eq '(src|href)="?https?:' "$run/dg-page.html" &&
	    grep -q '"code":"ap-southeast-2"' "$run/dg-page.html"; then
		ok "GET /diagnose: one HTML page, no external asset, a CSP, the configured perspectives"
	else
		bad "diagnose page" "$(head -c 400 "$run/dg-page.h")"
	fi
	if command -v chromium >/dev/null; then
		dgout=${DIAG_OUT:-$top/$build/test-output/diagnose-page}
		mkdir -p "$dgout"
		# browse NAME TAG: the page runs a diagnosis of NAME (the key in
		# the fragment); DOM in $dgout/TAG.html, screenshot TAG.png
		browse() {
			local url="$DG/diagnose#name=$1&key=$dgkey3"
			timeout 120 chromium --headless --no-sandbox --disable-gpu \
			    --user-data-dir="$(mktemp -d "$run/chromium.XXXXXX")" \
			    --virtual-time-budget=30000 --dump-dom "$url" \
			    >"$dgout/$2.html" 2>"$dgout/$2.err"
			timeout 120 chromium --headless --no-sandbox --disable-gpu \
			    --user-data-dir="$(mktemp -d "$run/chromium.XXXXXX")" \
			    --virtual-time-budget=30000 --window-size=1200,1400 \
			    --screenshot="$dgout/$2.png" "$url" >/dev/null 2>&1
		}
		browse www.expired.lab bogus
		if grep -q 'data-state="done"' "$dgout/bogus.html" &&
		    grep -q 'id="verdict" class="notready">www.expired.lab: not ready: dnssec_broken' "$dgout/bogus.html" &&
		    grep -q '<li data-code="dnssec_broken" class="sev-error">' "$dgout/bogus.html" &&
		    [ "$(grep -o '<tr data-code="[a-z0-9-]*" class="fail">' "$dgout/bogus.html" | wc -l)" = 6 ] &&
		    [ "$(grep -o '<circle [^>]*class="fail"' "$dgout/bogus.html" | wc -l)" = 6 ] &&
		    [ -s "$dgout/bogus.png" ]; then
			ok "the page in Chromium: www.expired.lab not ready, dnssec_broken, six red rows and dots ($dgout/bogus.png)"
		else
			bad "page in Chromium (bogus)" "$(grep -o '<p id="verdict"[^<]*' "$dgout/bogus.html"; tail -3 "$dgout/bogus.err")"
		fi
		browse permit.caa.lab honest
		if grep -q 'id="verdict" class="ready">permit.caa.lab: ready for MPIC' "$dgout/honest.html" &&
		    [ "$(grep -Eo '<tr data-code="[a-z0-9-]*" class="(ok|warn)">' "$dgout/honest.html" | wc -l)" = 6 ] &&
		    [ "$(grep -Eo '<circle [^>]*class="(ok|warn)"' "$dgout/honest.html" | wc -l)" = 6 ] &&
		    [ -s "$dgout/honest.png" ]; then
			ok "the page in Chromium: permit.caa.lab ready for MPIC, six rows and dots green (or amber: a warning), none red ($dgout/honest.png)"
		else
			bad "page in Chromium (honest)" "$(grep -o '<p id="verdict"[^<]*' "$dgout/honest.html"; tail -3 "$dgout/honest.err")"
		fi
		echo "daemon: the diagnosis page's DOM and screenshots are in $dgout"
	else
		bad "the diagnosis page in a browser" "chromium is missing (scripts/deps.txt)"
	fi
fi
stop dgaio
