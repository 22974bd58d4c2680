# shellcheck shell=bash
# Sourced by run (the helpers of run; rp, a perspective at $RP, is up):
# the audit log rotates, and the chain goes on across its files.
#
# A coordinator (at rc's address: its certificate names it) with two
# workers and audit.rotate_bytes 2000 (a decision
# and its two perspective records pass that): each worker's file is
# renamed PATH.wN.<seq of its first record> once past the size, and again
# on SIGUSR1 (sent to the main process, which passes it on; the key
# process ignores it).  `mpic audit verify PATH` follows each worker's
# chain across its files, in seq order; a rotated file removed from the
# middle, or altered, is named; the oldest files removed (retention) leave
# a chain that verifies from where it now starts, and says so.

rot_dir=$run/rot
mkdir -p "$rot_dir"
cat > "$run/rot.yaml" <<EOT
role: coordinator
listen: $P.41.5:8443
workers: 2
tls: {cert: $pki/coord.pem, key: $pki/coord.key, client_ca: $pki/ca.pem}
api_keys_file: $run/api-keys
perspectives:
  - {code: eu-west-1, rir: RIPE NCC, location: {lat: 53.3, lon: -6.3}, url: "https://$RP"}
  - {code: ap-northeast-1, rir: APNIC, location: {lat: 35.7, lon: 139.7}, url: "https://$RP"}
orchestration: {br_minimums: lab, default_perspective_count: 2}
audit: {path: $rot_dir/audit.jsonl, rotate_bytes: 2000}
caa: {issuer_domains: [ca.example]}
$(dns_section)
EOT
start rot "$run/rot.yaml"
# docs/audit.md's shipping recipe, for real: an rsyslogd reading the
# workers' files with imfile forwards each line over TCP to a second one
# (the "central" server), which writes the messages to a file
rs_pids=()
rs_dir=$run/rsyslog
mkdir -p "$rs_dir/s" "$rs_dir/r"
cat > "$rs_dir/recv.conf" <<EOT
global(workDirectory="$rs_dir/r" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="$P.41.9" port="10514" ruleset="in")
template(name="line" type="string" string="%msg%\n")
ruleset(name="in") { action(type="omfile" file="$rs_dir/received.log" template="line") }
EOT
cat > "$rs_dir/send.conf" <<EOT
global(workDirectory="$rs_dir/s" maxMessageSize="64k")
module(load="imfile")
input(type="imfile" File="$rot_dir/audit.jsonl.w?" Tag="mpic-audit"
      Facility="local6" Severity="info" ruleset="out")
ruleset(name="out") { action(type="omfwd" Target="$P.41.9" Port="10514"
      Protocol="tcp" template="RSYSLOG_SyslogProtocol23Format") }
EOT
if command -v rsyslogd >/dev/null 2>&1; then
	rsyslogd -n -f "$rs_dir/recv.conf" -i "$rs_dir/recv.pid" >"$rs_dir/recv.log" 2>&1 &
	rs_pids+=($!)
	sleep 0.3
	rsyslogd -n -f "$rs_dir/send.conf" -i "$rs_dir/send.pid" >"$rs_dir/send.log" 2>&1 &
	rs_pids+=($!)
fi
if wait_up rot "https://$P.41.5:8443"; then
	rot_post() { post "https://$P.41.5:8443/mpic" "$run/caa.json" "$run/rot-out.json" "${K[@]}"; }
	rs=""
	for i in 1 2 3 4 5 6 7 8; do rs="$rs$(rot_post) "; done
	# past the size: files rotated while the requests came
	n_size=$(find "$rot_dir" -name 'audit.jsonl.w*.????????????' | wc -l)
	kill -USR1 "${pid[rot]}"
	for i in $(seq 1 50); do
		[ "$(grep -c '"audit log: rotating"' "$run/rot.log")" -ge 2 ] && break
		sleep 0.1
	done
	sleep 0.5
	for i in 1 2 3 4; do rs="$rs$(rot_post) "; done
	n_all=$(find "$rot_dir" -name 'audit.jsonl.w*.????????????' | wc -l)
	v=$("$mpic" audit verify "$rot_dir/audit.jsonl" 2>&1); rc=$?
	if [ "$rs" = "200 200 200 200 200 200 200 200 200 200 200 200 " ] && [ "$rc" = 0 ] &&
	   [ "$n_size" -ge 2 ] && [ "$n_all" -gt "$n_size" ] &&
	   grep -q "^ok: $rot_dir/audit.jsonl.w0: [0-9]* records in [0-9]* files, last hash" <<<"$v" &&
	   grep -q "^ok: $rot_dir/audit.jsonl.w1: [0-9]* records in [0-9]* files, last hash" <<<"$v" &&
	   alive "${pid[rot]}" && [ "$(grep -c '"audit log: rotating"' "$run/rot.log")" -ge 2 ]; then
		ok "audit rotation: past audit.rotate_bytes ($n_size files) and on SIGUSR1 ($n_all in all), each worker's chain verifies across its files"
	else
		bad "audit rotation" "statuses $rs; rotated $n_size then $n_all; verify exit $rc: $v; $(grep -c rotating "$run/rot.log") rotating lines"
	fi
	# the new file's first record names the last hash of the file before
	w0=("$rot_dir"/audit.jsonl.w0.????????????)
	last=${w0[-1]}
	nextf=$rot_dir/audit.jsonl.w0
	if [ "${#w0[@]}" -ge 2 ]; then
		prevhash=$(tail -1 "${w0[-2]}" | jq -r .hash)
		firstprev=$(head -1 "$last" | jq -r .prev)
		lastseq=$(tail -1 "${w0[-2]}" | jq -r .seq)
		firstseq=$(head -1 "$last" | jq -r .seq)
		[ "$prevhash" = "$firstprev" ] && [ "$firstseq" = $((lastseq + 1)) ] &&
		    [ "$(basename "$last")" = "audit.jsonl.w0.$(printf '%012d' "$firstseq")" ] &&
			ok "a rotated file is named by its first record's seq, and that record chains to the file before (seq $lastseq -> $firstseq)" ||
			bad "rotation chain link" "prev $firstprev vs $prevhash, seq $lastseq -> $firstseq, $(basename "$last")"
	else
		bad "rotation chain link" "worker 0 has ${#w0[@]} rotated files"
	fi
	# a rotated file removed from the middle of the chain: named
	rm -rf "$run/rot-gap" && mkdir -p "$run/rot-gap"
	cp "$rot_dir"/audit.jsonl.w0* "$run/rot-gap/"
	g=("$run"/rot-gap/audit.jsonl.w0.????????????)
	if [ "${#g[@]}" -ge 3 ]; then
		rm -f "${g[1]}"
		v=$("$mpic" audit verify "$run/rot-gap/audit.jsonl.w0" 2>&1); rc=$?
		[ "$rc" = 1 ] && grep -q "^bad: ${g[2]}: line 1 (seq [0-9]*): seq [0-9]* where [0-9]* was expected" <<<"$v" &&
			ok "a rotated file missing from the middle of a chain is named (the next file's first line)" ||
			bad "rotation gap" "exit $rc: $v"
		# the oldest files removed (retention): verifies from where it starts
		rm -f "${g[0]}" "${g[2]}"
		v=$("$mpic" audit verify "$run/rot-gap/audit.jsonl.w0" 2>&1); rc=$?
		[ "$rc" = 0 ] && grep -q "^ok: .*(seq [0-9]* on: the files of the records before are not here" <<<"$v" &&
			ok "the oldest rotated files removed (retention): the rest verifies and says where the chain starts" ||
			bad "rotation retention" "exit $rc: $v"
	else
		bad "rotation gap" "worker 0 has ${#g[@]} rotated files (3 needed)"
	fi
	# an altered rotated file: named, file and line
	rm -rf "$run/rot-alt" && mkdir -p "$run/rot-alt"
	cp "$rot_dir"/audit.jsonl.w1* "$run/rot-alt/"
	a1=("$run"/rot-alt/audit.jsonl.w1.????????????)
	sed -i '1s/"time":"2/"time":"1/' "${a1[0]}"
	v=$("$mpic" audit verify "$run/rot-alt/audit.jsonl.w1" 2>&1); rc=$?
	[ "$rc" = 1 ] && grep -q "^bad: ${a1[0]}: line 1 (seq 1): hash mismatch" <<<"$v" &&
		ok "an altered rotated file fails verification, named by file and line" ||
		bad "rotation altered" "exit $rc: $v"
	# every line of every file (rotated or not) reached the central
	# rsyslogd once, byte for byte
	if [ "${#rs_pids[@]}" = 2 ]; then
		cat "$rot_dir"/audit.jsonl.w? "$rot_dir"/audit.jsonl.w?.* | sort > "$rs_dir/want"
		for i in $(seq 1 100); do
			[ -s "$rs_dir/received.log" ] && sort "$rs_dir/received.log" | cmp -s - "$rs_dir/want" && break
			sleep 0.1
		done
		if sort "$rs_dir/received.log" 2>/dev/null | cmp -s - "$rs_dir/want"; then
			ok "rsyslog (imfile, docs/audit.md's recipe) ships every audit line once across the rotations: $(wc -l < "$rs_dir/want") lines at the central rsyslogd"
		else
			bad "rsyslog shipping" "$(wc -l < "$rs_dir/want") lines written, $(wc -l < "$rs_dir/received.log" 2>/dev/null || echo 0) received; $(sort "$rs_dir/received.log" 2>/dev/null | diff - "$rs_dir/want" | head -3 | cut -c1-120); $(tail -3 "$rs_dir"/send.log)"
		fi
	else
		bad "rsyslog shipping" "rsyslogd is not installed (scripts/deps.txt: rsyslog)"
	fi
	stop rot
	[ "$st" = 0 ] || bad "rot stop" "exit $st"
else
	bad "rot" "did not start"
fi
if [ "${#rs_pids[@]}" -gt 0 ]; then
	kill -TERM "${rs_pids[@]}" 2>/dev/null
	wait "${rs_pids[@]}" 2>/dev/null
fi
