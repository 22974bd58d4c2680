# shellcheck shell=bash
# Sourced by tests/integration/daemon/run (its helpers, $run, $pki, $P, $C,
# K, expect, ok, bad): every error answer is JSON, those evhttp makes by
# itself too (src/mpicd/refusal.c).  Requests evhttp refuses before mpicd
# sees them -- a 50 MB body, a header block over limits.max_header_bytes, an
# unknown method, a malformed request line, a bad Content-Length, an
# Expect other than 100-continue -- sent to the coordinator (TLS, two
# workers), the all-in-one (plain HTTP) and a perspective (mutual TLS):
# each answer has its status, Content-Type application/json, the Open MPIC
# error body of mpicd's own 413 ({"error": "request-validation-failed",
# "validation_issues": [{"issue_type", "message"}]}) and Connection:
# close, and the server does close the connection after it.

# rf_raw WHERE: standard input, sent as it is to WHERE (coord, aio or
# persp); its answers, one JSON object per line, in $run/rf.json
rf_raw() {
	local py=(/usr/bin/python3 "$here/rawhttp.py")
	case $1 in
	coord) "${py[@]}" --cacert "$pki/ca.pem" "$P.41.1" 8443 ;;
	aio) "${py[@]}" "$P.43.1" 8080 ;;
	persp) "${py[@]}" --cacert "$pki/ca.pem" --cert "$pki/coord.pem" \
	    --key "$pki/coord.key" "$P.40.1" 8443 ;;
	esac > "$run/rf.json" 2>"$run/rf.err"
}
# rf_curl URL [curl args]: the answer to curl in $run/rf.json, in
# rawhttp.py's form (closed: null, curl does not say)
rf_curl() {
	local url=$1
	shift
	curl -s -o "$run/rf.body" -w '%{json}\n%{header_json}\n' --max-time 60 \
	    --cacert "$pki/ca.pem" "$@" "$url" > "$run/rf.w" 2>/dev/null
	jq -n -c --slurpfile w "$run/rf.w" --rawfile t "$run/rf.body" \
	    '{status: $w[0].http_code, headers: ($w[1] // {} | with_entries(.value |= .[0])),
	      text: $t, body: ($t | try fromjson catch null), closed: null}' > "$run/rf.json"
}
# rf_expect NAME STATUS ISSUE_TYPE: the last answer in $run/rf.json is a
# refusal in the Open MPIC error body
rf_expect() {
	jq -s '.[-1]' "$run/rf.json" > "$run/rf1.json" 2>/dev/null || echo null > "$run/rf1.json"
	expect "$1" "$run/rf1.json" ".status == $2" \
	    '.headers["content-type"] == "application/json"' \
	    '.body.error == "request-validation-failed"' \
	    '.body.validation_issues | length == 1' \
	    ".body.validation_issues[0].issue_type == \"$3\"" \
	    '.body.validation_issues[0].message | type == "string" and length > 0' \
	    '.headers.connection == "close"' '.closed != false'
}
rf_post() { # PATH LENGTH: a POST head with that Content-Length, no body
	printf 'POST %s HTTP/1.1\r\nHost: mpic.lab\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n' "$1" "$2"
}

# 50 MB: curl sends Content-Length and Expect: 100-continue, and evhttp
# answers before the body (MPICD_BODY_HARD_MAX is 256 KiB)
head -c 52428800 /dev/zero > "$run/rf-50m"
rf_curl "$C/mpic" "${K[@]}" -H 'Content-Type: application/json' --data-binary @"$run/rf-50m"
rf_expect "refusals: 50 MB body to the coordinator (TLS): 413 in JSON" 413 body-too-large
cp "$run/rf1.json" "$run/rf-50m.json"
rf_curl "http://$P.43.1:8080/mpic" -H 'Content-Type: application/json' --data-binary @"$run/rf-50m"
rf_expect "refusals: 50 MB body to the all-in-one (plain HTTP): 413 in JSON" 413 body-too-large
rm -f "$run/rf-50m"
# without Expect: refused on the Content-Length alone, the body unsent
rf_post /mpic 52428800 | rf_raw aio
rf_expect "refusals: Content-Length 50 MB without Expect, all-in-one: 413 in JSON, connection closed" 413 body-too-large
rf_post /caa 52428800 | rf_raw persp
rf_expect "refusals: Content-Length 50 MB to a perspective (mutual TLS): 413 in JSON, connection closed" 413 body-too-large
# 200 KB is read and refused by mpicd itself: the same body either way
head -c 200000 /dev/zero > "$run/rf-200k"
rf_curl "$C/mpic" "${K[@]}" -H 'Content-Type: application/json' --data-binary @"$run/rf-200k"
shape='[.status, .headers["content-type"], .body.error, (.body | keys),
	(.body.validation_issues | map(keys)), .body.validation_issues[0].issue_type]'
a=$(jq -c "$shape" "$run/rf.json" 2>/dev/null)
b=$(jq -c "$shape" "$run/rf-50m.json" 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ] && jq -e '.body.validation_issues[0].message | test("200000 octets")' "$run/rf.json" >/dev/null &&
	ok "refusals: 200 KB (mpicd's 413) and 50 MB (evhttp's) answers have the same form: $a" ||
	bad "refusals: 200 KB and 50 MB answers differ" "$a / $b"

# a header block over limits.max_header_bytes (8 KiB): 400 (libevent 2.1
# has no 431)
big="x-big: $(head -c 20000 /dev/zero | tr '\0' b)"
rf_curl "$C/healthz" -H "$big"
rf_expect "refusals: 20 KB header to the coordinator: 400 in JSON" 400 malformed-request
printf 'GET /healthz HTTP/1.1\r\nHost: mpic.lab\r\n%s\r\n\r\n' "$big" | rf_raw aio
rf_expect "refusals: 20 KB header to the all-in-one: 400 in JSON, connection closed" 400 malformed-request

# methods: those evhttp knows get mpicd's own 405 (with Allow); one it
# does not know, its 501
fails=""
for m in PUT DELETE PATCH; do
	rf_curl "$C/mpic" "${K[@]}" -X "$m" -H 'Content-Type: application/json' --data-binary '{}'
	jq -e '.status == 405 and .headers["content-type"] == "application/json" and
	    .headers.allow == "POST" and .body.error == "method-not-allowed"' "$run/rf.json" >/dev/null ||
		fails+=" $m: $(jq -c '[.status, .headers["content-type"], .text]' "$run/rf.json")"
done
[ -z "$fails" ] && ok "refusals: PUT, DELETE, PATCH /mpic: 405 in JSON with Allow: POST" ||
	bad "refusals: methods" "$fails"
printf 'FOO /mpic HTTP/1.1\r\nHost: mpic.lab\r\n\r\n' | rf_raw coord
rf_expect "refusals: an unknown method (FOO) to the coordinator: 501 in JSON, connection closed" 501 method-not-implemented
printf 'BREW /healthz HTTP/1.1\r\nHost: mpic.lab\r\n\r\n' | rf_raw aio
rf_expect "refusals: an unknown method (BREW) to the all-in-one: 501 in JSON, connection closed" 501 method-not-implemented

# malformed request lines, bad Content-Length, Expect
printf 'garbage\r\n\r\n' | rf_raw coord
rf_expect "refusals: a malformed request line to the coordinator: 400 in JSON, connection closed" 400 malformed-request
printf 'GET /healthz HTTP/9.9\r\nHost: mpic.lab\r\n\r\n' | rf_raw aio
rf_expect "refusals: HTTP/9.9 to the all-in-one: 400 in JSON, connection closed" 400 malformed-request
rf_post /mpic abc | rf_raw coord
rf_expect "refusals: Content-Length: abc to the coordinator: 400 in JSON, connection closed" 400 malformed-request
rf_post /mpic -1 | rf_raw aio
rf_expect "refusals: Content-Length: -1 to the all-in-one: 400 in JSON, connection closed" 400 malformed-request
printf 'POST /mpic HTTP/1.1\r\nHost: mpic.lab\r\nExpect: tea\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' | rf_raw aio
rf_expect "refusals: Expect: tea to the all-in-one: 417 in JSON, connection closed" 417 expectation-failed

# after an answer of mpicd's own on a kept-alive connection (a socket
# bufferevent: its output's front frozen once written), evhttp's refusal
# of the next request is JSON too
printf 'GET /healthz HTTP/1.1\r\nHost: mpic.lab\r\n\r\nGET /healthz HTTP/9.9\r\n\r\n' | rf_raw aio
jq -e -s 'length == 2 and .[0].status == 200 and .[0].closed == false' "$run/rf.json" >/dev/null &&
	rf_expect "refusals: all-in-one, a 200 then a bad request on one connection: 200, then 400 in JSON" 400 malformed-request ||
	bad "refusals: kept-alive connection" "$(head -c 600 "$run/rf.json")"
printf 'GET /healthz HTTP/1.1\r\nHost: mpic.lab\r\n\r\nGET /healthz HTTP/1.1\r\nHost: mpic.lab\r\nContent-Length: x\r\n\r\n' | rf_raw coord
jq -e -s 'length == 2 and .[0].status == 200' "$run/rf.json" >/dev/null &&
	rf_expect "refusals: coordinator, a 200 then a bad Content-Length on one connection: 200, then 400 in JSON" 400 malformed-request ||
	bad "refusals: kept-alive TLS connection" "$(head -c 600 "$run/rf.json")"
# and both still serve
s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$P.43.1:8080/healthz")
s2=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$pki/ca.pem" "$C/healthz")
[ "$s $s2" = "200 200" ] && ok "refusals: the all-in-one and the coordinator serve on" ||
	bad "refusals: serving after the refusals" "all-in-one $s, coordinator $s2"
