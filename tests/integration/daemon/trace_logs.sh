# shellcheck shell=bash
# Sourced by run (its helpers; the coordinator at $C over p1..p6 is up,
# K holds the API key header): W3C trace context end to end, and the
# logs (issue 16 points 3 and 4; docs/mpicd.md "Logs").
#
# A traceparent from the CA is honoured: the answer's traceparent header,
# the coordinator's request line, each of the six perspectives' request
# lines and every audit record of the request carry its trace id.  Without
# one (or with an invalid one) the trace id is the answer's audit_id.
# Then daemons of their own (PREFIX.43.2-5, plain HTTP): log.level
# warning, error and debug filter as documented; JOURNAL_STREAM naming
# standard error gives "<N>" journald prefixes, naming another stream none.

# json_lines FILE: the file's JSON lines (a "<N>" prefix taken off), one
# array
json_lines() { sed -E 's/^<[0-9]>//' "$1" | jq -R 'fromjson? // empty' | jq -s '.'; }
# tp_post URL BODY OUT HEADERS [curl args]: POST with the API key, the
# response headers in HEADERS; prints the status
tp_post() {
	local url=$1 body=$2 out=$3 hdr=$4
	shift 4
	curl -s -o "$out" -D "$hdr" -w '%{http_code}' --max-time 30 --cacert "$pki/ca.pem" \
	    -H 'Content-Type: application/json' --data-binary @"$body" "$@" "$url"
}
hdr_tp() { tr -d '\r' < "$1" | awk 'tolower($1) == "traceparent:" {print $2}'; }
# trace_joined NAME TRACE AUDIT_ID: the coordinator's request line, the
# six perspectives' lines and the request's audit records join by TRACE
trace_joined() {
	local name=$1 tr=$2 aid=$3 n_p=0 i spans
	json_lines "$run/coord.log" > "$run/tl-coord.json"
	: > "$run/tl-spans"
	for i in 1 2 3 4 5 6; do
		json_lines "$run/p$i.log" > "$run/tl-p.json"
		if jq -e --arg t "$tr" 'map(select(.trace_id == $t and .path == "/caa" and .level == "info" and .outcome == "valid" and (.parent_id | test("^[0-9a-f]{16}$")))) | length == 1' \
		    "$run/tl-p.json" >/dev/null; then
			n_p=$((n_p + 1))
			jq -r --arg t "$tr" 'map(select(.trace_id == $t))[0].parent_id' "$run/tl-p.json" >> "$run/tl-spans"
		fi
	done
	# each call its own span id (the perspective's parent_id), not the
	# CA's (00f067aa0ba902b7)
	spans=$(grep -v -c '^00f067aa0ba902b7$' "$run/tl-spans" | head -1)
	[ "$(sort -u "$run/tl-spans" | grep -v -c '^00f067aa0ba902b7$')" = 6 ] && [ "$spans" = 6 ] || n_p="$n_p (span ids: $(tr '\n' ' ' < "$run/tl-spans"))"
	cat "$run/audit-$P.41.1.jsonl".w* 2>/dev/null | jq -s --arg a "$aid" 'map(select(.audit_id == $a))' > "$run/tl-audit.json"
	if jq -e --arg t "$tr" --arg a "$aid" 'map(select(.trace_id == $t)) | length == 1 and
	    (.[0] | .path == "/mpic" and .audit_id == $a and .outcome == "valid" and
	     .quorum == "6/6" and .level == "info" and (.duration_ms | type) == "number")' \
	    "$run/tl-coord.json" >/dev/null &&
	   [ "$n_p" = 6 ] &&
	   jq -e --arg t "$tr" 'length == 7 and all(.trace_id == $t) and
	    (map(.type) | sort) == (["decision"] + [range(6) | "perspective"])' \
	    "$run/tl-audit.json" >/dev/null; then
		ok "$name: trace id $tr joins the coordinator's request line (audit_id, outcome valid, quorum 6/6, duration), the 6 perspectives' request lines (6 distinct caller span ids) and the 7 audit records"
	else
		bad "$name" "perspective lines $n_p/6; coordinator: $(jq -c --arg a "$aid" 'map(select(.audit_id == $a))' "$run/tl-coord.json" | head -c 600); audit: $(jq -c 'map([.type, .trace_id])' "$run/tl-audit.json" | head -c 600)"
	fi
}

# --- a traceparent from the CA
tp_ca_tr=4bf92f3577b34da6a3ce929d0e0e4736
tp_ca="00-$tp_ca_tr-00f067aa0ba902b7-01"
s=$(tp_post "$C/mpic" "$run/caa.json" "$run/tl-out.json" "$run/tl-hdr" "${K[@]}" -H "traceparent: $tp_ca")
got=$(hdr_tp "$run/tl-hdr")
aid=$(jq -r '.audit_id // empty' "$run/tl-out.json" 2>/dev/null)
if [ "$s" = 200 ] && [[ $got =~ ^00-${tp_ca_tr}-[0-9a-f]{16}-01$ ]] && [ "${got:36:16}" != 00f067aa0ba902b7 ] &&
   [ "${got:36:16}" != 0000000000000000 ] && [ -n "$aid" ] && [ "$aid" != "$tp_ca_tr" ] &&
   jq -e '.trace_identifier == "daemon-test-1"' "$run/tl-out.json" >/dev/null; then
	ok "traceparent from the CA: the answer's traceparent has its trace id and a span of the coordinator's ($got); trace_identifier unchanged"
else
	bad "traceparent from the CA: response" "status $s, traceparent '$got', audit_id '$aid'"
fi
trace_joined "traceparent from the CA" "$tp_ca_tr" "$aid"
jq -e --arg t "$tp_ca_tr" --arg s "${got:36:16}" 'map(select(.trace_id == $t))[0] | .parent_id == "00f067aa0ba902b7" and .span_id == $s' \
    "$run/tl-coord.json" >/dev/null &&
	ok "the coordinator's request line names the CA's span (parent_id) and its own (span_id, the one answered)" ||
	bad "coordinator span ids" "$(jq -c --arg t "$tp_ca_tr" 'map(select(.trace_id == $t))' "$run/tl-coord.json" | head -c 400)"

# --- none: the trace id is the audit_id
s=$(tp_post "$C/mpic" "$run/caa.json" "$run/tl-out.json" "$run/tl-hdr" "${K[@]}")
got=$(hdr_tp "$run/tl-hdr")
aid=$(jq -r '.audit_id // empty' "$run/tl-out.json" 2>/dev/null)
if [ "$s" = 200 ] && [[ $aid =~ ^[0-9a-f]{32}$ ]] && [[ $got =~ ^00-${aid}-[0-9a-f]{16}-01$ ]]; then
	ok "no traceparent: one is made, its trace id the audit_id ($got)"
else
	bad "no traceparent: response" "status $s, traceparent '$got', audit_id '$aid'"
fi
trace_joined "no traceparent (made by mpicd)" "$aid" "$aid"

# --- invalid ones are ignored (all-zero trace id, uppercase, version ff,
# version 00 with a fifth field): the trace id is the audit_id again
for bad_tp in "00-00000000000000000000000000000000-00f067aa0ba902b7-01" \
    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01" \
    "ff-$tp_ca_tr-00f067aa0ba902b7-01" "00-$tp_ca_tr-00f067aa0ba902b7-01-00" \
    "00-$tp_ca_tr-0000000000000000-01"; do
	s=$(tp_post "$C/mpic" "$run/caa.json" "$run/tl-out.json" "$run/tl-hdr" "${K[@]}" -H "traceparent: $bad_tp")
	got=$(hdr_tp "$run/tl-hdr")
	aid=$(jq -r '.audit_id // empty' "$run/tl-out.json" 2>/dev/null)
	[ "$s" = 200 ] && [ -n "$aid" ] && [[ $got =~ ^00-${aid}-[0-9a-f]{16}-01$ ]] &&
		ok "invalid traceparent $bad_tp: ignored, the trace id is the audit_id" ||
		bad "invalid traceparent $bad_tp" "status $s, traceparent '$got', audit_id '$aid'"
done
# a later version is read by its first four fields; flags other than
# sampled are not passed on
s=$(tp_post "$C/mpic" "$run/caa.json" "$run/tl-out.json" "$run/tl-hdr" "${K[@]}" -H "traceparent: cc-$tp_ca_tr-00f067aa0ba902b7-02-what-the-future-has")
got=$(hdr_tp "$run/tl-hdr")
[ "$s" = 200 ] && [[ $got =~ ^00-${tp_ca_tr}-[0-9a-f]{16}-00$ ]] &&
	ok "a later traceparent version: its trace id kept, answered as version 00, unknown flags dropped ($got)" ||
	bad "later traceparent version" "status $s, traceparent '$got'"
# a refused request has a trace too: its line says refused
s=$(tp_post "$C/mpic" "$run/bad.json" "$run/tl-out.json" "$run/tl-hdr" "${K[@]}" -H "traceparent: 00-$tp_ca_tr-1111111111111111-01")
json_lines "$run/coord.log" > "$run/tl-coord.json"
[ "$s" = 400 ] && [[ $(hdr_tp "$run/tl-hdr") =~ ^00-${tp_ca_tr}- ]] &&
	jq -e --arg t "$tp_ca_tr" 'map(select(.trace_id == $t and .status == 400)) | length == 1 and (.[0].outcome == "refused") and (.[0] | has("quorum") | not)' \
	    "$run/tl-coord.json" >/dev/null &&
	ok "a 400: the traceparent answered, its request line with outcome refused" ||
	bad "400 trace" "status $s: $(jq -c --arg t "$tp_ca_tr" 'map(select(.trace_id == $t and .status == 400))' "$run/tl-coord.json" | head -c 400)"
# a CAA deny: outcome invalid, quorum 0/6
s=$(tp_post "$C/mpic" "$run/caa-deny.json" "$run/tl-out.json" "$run/tl-hdr" "${K[@]}")
aid=$(jq -r '.audit_id // empty' "$run/tl-out.json" 2>/dev/null)
json_lines "$run/coord.log" > "$run/tl-coord.json"
[ "$s" = 200 ] && jq -e --arg a "$aid" 'map(select(.audit_id == $a)) | length == 1 and .[0].outcome == "invalid" and .[0].quorum == "0/6" and .[0].trace_id == $a' \
    "$run/tl-coord.json" >/dev/null &&
	ok "a denied CAA check: its request line says outcome invalid, quorum 0/6" ||
	bad "invalid outcome line" "status $s: $(jq -c --arg a "$aid" 'map(select(.audit_id == $a))' "$run/tl-coord.json" | head -c 400)"

# --- log.level and journald (all-in-ones of their own, plain HTTP)
tl_aio() { # N LEVEL
	cat <<EOT
role: all-in-one
listen: $P.43.$1:8080
workers: 1
perspectives: [{code: a, rir: ARIN, location: {lat: 1, lon: 1}}, {code: b, rir: RIPE NCC, location: {lat: 50, lon: 8}}]
orchestration: {br_minimums: lab, default_perspective_count: 2}
caa: {issuer_domains: [ca.example]}
log: {level: $2}
audit: {path: $run/tl-audit-$1.jsonl}
$(dns_section)
EOT
}
# tl_run NAME N LEVEL [JOURNAL_STREAM]: start it, a /mpic request (valid),
# a /healthz and a /metrics, stop it; its log in $run/NAME.log
tl_run() {
	local name=$1 n=$2 level=$3 js=${4:-} s
	tl_aio "$n" "$level" > "$run/$name.yaml"
	: > "$run/$name.log"
	[ "$js" = self ] && js=$(stat -c '%d:%i' "$run/$name.log")
	if [ -n "$js" ]; then
		JOURNAL_STREAM=$js "$mpicd" -c "$run/$name.yaml" 2>>"$run/$name.log" &
	else
		"$mpicd" -c "$run/$name.yaml" 2>>"$run/$name.log" &
	fi
	pid[$name]=$!
	wait_up "$name" "http://$P.43.$n:8080" || return 1
	s=$(curl -s -o "$run/$name.out" -w '%{http_code}' --max-time 30 -H 'Content-Type: application/json' \
	    --data-binary @"$run/caa.json" "http://$P.43.$n:8080/mpic")
	[ "$s" = 200 ] || echo "daemon: $name: /mpic $s: $(head -c 300 "$run/$name.out")"
	curl -s -o /dev/null --max-time 5 "http://$P.43.$n:8080/metrics"
	stop "$name"
	[ "$s" = 200 ] && [ "$st" = 0 ]
}
if tl_run tl-warn 2 warning; then
	json_lines "$run/tl-warn.log" > "$run/tl.json"
	jq -e 'length >= 1 and all(.level == "warning" or .level == "error") and any(.msg == "running as root: set user: in the configuration")' \
	    "$run/tl.json" >/dev/null &&
		ok "log.level warning: no info line (no request line), the warnings written" ||
		bad "log.level warning" "$(jq -c 'map([.level, .msg // .path])' "$run/tl.json" | head -c 500)"
else
	bad "log.level warning daemon" "$(tail -3 "$run/tl-warn.log")"
fi
if tl_run tl-err 3 error; then
	[ ! -s "$run/tl-err.log" ] || json_lines "$run/tl-err.log" | jq -e 'all(.level == "error")' >/dev/null &&
		ok "log.level error: neither warnings nor info lines" ||
		bad "log.level error" "$(head -c 400 "$run/tl-err.log")"
else
	bad "log.level error daemon" "$(tail -3 "$run/tl-err.log")"
fi
# debug, with a JOURNAL_STREAM that is not its standard error: no prefix
if tl_run tl-debug 4 debug 1:1; then
	json_lines "$run/tl-debug.log" > "$run/tl.json"
	! grep -q '^<' "$run/tl-debug.log" &&
	jq -e 'any(.path == "/healthz" and .level == "debug") and any(.path == "/metrics" and .level == "debug") and
	    any(.path == "/mpic" and .level == "info" and .outcome == "valid" and .quorum == "2/2" and (.trace_id | test("^[0-9a-f]{32}$")) and .trace_id == .audit_id)' \
	    "$run/tl.json" >/dev/null &&
		ok "log.level debug: the probes' lines (GET /healthz, /metrics) at debug; JOURNAL_STREAM of another stream: no prefixes" ||
		bad "log.level debug" "$(head -c 600 "$run/tl-debug.log")"
else
	bad "log.level debug daemon" "$(tail -3 "$run/tl-debug.log")"
fi
# under journald: every line "<N>{...}", N the level's syslog priority;
# info (its level) has the request line, not the probes'
if tl_run tl-journal 5 info self; then
	json_lines "$run/tl-journal.log" > "$run/tl.json"
	jq -e 'any(.path == "/mpic" and .level == "info") and all(.path != "/healthz" and .path != "/metrics") and all(.level != "debug")' \
	    "$run/tl.json" >/dev/null &&
		ok "log.level info: the request line, none for the probes (GET /healthz, /metrics)" ||
		bad "log.level info" "$(jq -c 'map(.path // .msg)' "$run/tl.json" | head -c 500)"
	if awk '!/^<[3467]>\{/ {bad = 1} END {exit bad}' "$run/tl-journal.log" &&
	   grep -q '^<6>{.*"path":"/mpic"' "$run/tl-journal.log" &&
	   grep -q '^<4>{.*"level":"warning"' "$run/tl-journal.log" &&
	   sed -nE 's/^<([0-9])>(.*)$/\1 \2/p' "$run/tl-journal.log" |
	   while read -r n line; do
		l=$(jq -r .level <<<"$line")
		case "$n:$l" in 3:error|4:warning|6:info|7:debug) ;; *) exit 1 ;; esac
	   done; then
		ok "JOURNAL_STREAM naming standard error: every line <N>{...} with its level's priority (<6> info, <4> warning)"
	else
		bad "journald prefixes" "$(head -c 500 "$run/tl-journal.log")"
	fi
else
	bad "journald daemon" "$(tail -3 "$run/tl-journal.log")"
fi
