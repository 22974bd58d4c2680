# shellcheck shell=bash
# Sourced by corroboration.sh (the fake perspectives are up; the helpers
# of run): the audit log's disk stops answering, for real.
#
# The coordinator's audit log lives on an ext4 file system on a loop
# device (the "disk"), whose backing file lives on a second ext4 file
# system on another loop device (the "shelf").  fsfreeze -f on the shelf
# makes every write the disk's loop device sends to its backing file wait
# in the kernel: the coordinator's write(2) still lands in the page cache,
# but its fdatasync blocks until the shelf is thawed, as on a dying disk
# or a hung iSCSI or NFS volume.  (device-mapper's "dmsetup suspend" does
# the same; these machines' kernels have no device-mapper, and this needs
# only loop devices and fsfreeze.)  Nothing in mpicd is told: no test hook.
#
# With audit.sync_timeout_ms 1000: a request whose records cannot be made
# durable is answered 500 after about a second, naming the cause; while
# stalled, /healthz says so (503) and new requests get a 503 at once; the
# metrics count both and the log says when the stall starts and ends.
# Thawed, the log recovers by itself: answers are 200 again, and the
# records of the request answered 500 are in the log, in order, the chain
# intact.  Without loop devices, mount or fsfreeze the test is skipped,
# loudly.

stall_dir=$run/stall
stall_frozen=
stall_mounts=()

# Called by run's cleanup too: thaw first, or processes stay stuck.
stall_thaw() {
	if [ -n "$stall_frozen" ]; then
		fsfreeze -u "$stall_dir/shelf" 2>/dev/null
		stall_frozen=
	fi
}
stall_down() {
	local i
	stall_thaw
	for ((i = ${#stall_mounts[@]} - 1; i >= 0; i--)); do
		umount "${stall_mounts[$i]}" 2>/dev/null || umount -l "${stall_mounts[$i]}" 2>/dev/null
	done
	stall_mounts=()
}
stall_skip() {
	echo "######################################################################"
	echo "SKIPPED: the real audit-stall test (a frozen disk under the audit log)"
	echo "         $1"
	echo "######################################################################"
}
stall_up() {
	local t
	for t in mkfs.ext4 mount umount fsfreeze losetup truncate; do
		command -v $t >/dev/null || { echo "$t is missing"; return 1; }
	done
	[ -e /dev/loop-control ] || { echo "no /dev/loop-control (no loop devices)"; return 1; }
	mkdir -p "$stall_dir/shelf" "$stall_dir/disk" || return 1
	truncate -s 96M "$stall_dir/shelf.img" &&
		mkfs.ext4 -q -F "$stall_dir/shelf.img" >/dev/null 2>&1 || { echo "mkfs.ext4 failed"; return 1; }
	mount -o loop "$stall_dir/shelf.img" "$stall_dir/shelf" 2>&1 || return 1
	stall_mounts+=("$stall_dir/shelf")
	truncate -s 48M "$stall_dir/shelf/disk.img" &&
		mkfs.ext4 -q -F "$stall_dir/shelf/disk.img" >/dev/null 2>&1 || { echo "mkfs.ext4 failed"; return 1; }
	mount -o loop "$stall_dir/shelf/disk.img" "$stall_dir/disk" 2>&1 || return 1
	stall_mounts+=("$stall_dir/disk")
	# can the shelf be frozen at all?
	fsfreeze -f "$stall_dir/shelf" 2>&1 || return 1
	fsfreeze -u "$stall_dir/shelf" 2>&1 || return 1
}

stall_test() {
	local CS="https://$P.41.1:9445" s secs ms i v
	if ! stall_up > "$run/stall-up.log" 2>&1; then
		stall_down
		stall_skip "cannot build the stacked loop devices: $(tail -2 "$run/stall-up.log" | tr '\n' ' ')"
		return
	fi
	fcoord "$P.41.1:9445" 1 lab false 4000 1500 "$stall_dir/disk/audit.jsonl" 8 "$(seq 1 8)" > "$run/coord-s.yaml"
	echo "  sync_timeout_ms: 1000" >> "$run/coord-s.yaml"
	start coord-s "$run/coord-s.yaml"
	if ! wait_up coord-s "$CS"; then
		bad "audit stall" "the coordinator did not start"
		stall_down
		return
	fi
	read -r s _ < <(freq "$CS" '{"check_type":"caa","domain_or_ip_target":"stall1.caa.lab","trace_identifier":"stall-1"}' "$run/s1.json")
	[ "$s" = 200 ] || bad "audit stall: before the stall" "status $s: $(head -c 300 "$run/s1.json")"

	# The disk stops answering.
	fsfreeze -f "$stall_dir/shelf"
	stall_frozen=1
	read -r s secs < <(freq "$CS" '{"check_type":"caa","domain_or_ip_target":"stall2.caa.lab","trace_identifier":"stall-2"}' "$run/s2.json")
	ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
	[ "$s" = 500 ] && [ "$ms" -ge 950 ] && [ "$ms" -lt 5000 ] &&
		expect "audit stall: fdatasync blocked on a frozen disk -> 500 after the bound (${ms} ms), naming the cause, no outcome" "$run/s2.json" \
		'.error == "internal-error"' '.message | test("audit log was not durable within 1000 ms")' \
		'has("is_valid") | not' 'has("audit_id") | not' ||
		bad "audit stall: the answer" "status $s after ${ms} ms: $(head -c 300 "$run/s2.json")"
	s=$(curl -s -o "$run/s-health.json" -w '%{http_code}' --max-time 10 --cacert "$pki/ca.pem" "$CS/healthz")
	[ "$s" = 503 ] && expect "audit stall: /healthz 503, unhealthy, the audit log stalled" "$run/s-health.json" \
		'.status == "unhealthy"' '.audit.state == "stalled"' '.audit.waiting_ms > 1000' \
		'.audit.io_ms > 1000' '.audit.pending_records >= 9' '.audit.sync_timeout_ms == 1000' ||
		bad "audit stall: /healthz" "status $s: $(head -c 400 "$run/s-health.json")"
	read -r s secs < <(freq "$CS" '{"check_type":"caa","domain_or_ip_target":"stall3.caa.lab","trace_identifier":"stall-3"}' "$run/s3.json")
	ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
	[ "$s" = 503 ] && [ "$ms" -lt 900 ] &&
		expect "audit stall: a new request is refused at once (503 in ${ms} ms), naming the cause" "$run/s3.json" \
		'.error == "service-unavailable"' '.message | test("audit log is stalled")' ||
		bad "audit stall: a new request" "status $s after ${ms} ms: $(head -c 300 "$run/s3.json")"
	curl -s --max-time 10 --cacert "$pki/ca.pem" "$CS/metrics" > "$run/s-metrics.txt"
	grep -q '^mpicd_audit_stalled{pid="[0-9]*"} 1$' "$run/s-metrics.txt" &&
		grep -q '^mpicd_audit_refused_total{pid="[0-9]*",reason="timeout"} 1$' "$run/s-metrics.txt" &&
		grep -q '^mpicd_audit_refused_total{pid="[0-9]*",reason="stalled"} 1$' "$run/s-metrics.txt" &&
		grep -q '^mpicd_audit_failed{pid="[0-9]*"} 0$' "$run/s-metrics.txt" &&
		grep -Eq '^mpicd_audit_oldest_pending_seconds\{pid="[0-9]*"\} [1-9]' "$run/s-metrics.txt" &&
		ok "audit stall: /metrics: stalled 1, refused timeout 1 and stalled 1, the oldest record waiting over a second" ||
		bad "audit stall: /metrics" "$(grep '^mpicd_audit' "$run/s-metrics.txt" | tr '\n' ' ')"
	jq -e -s 'map(select(.msg // "" | test("^audit log stalled"))) | length == 1' "$run/coord-s.log" >/dev/null 2>&1 &&
		jq -e -s 'map(select(.path == "/mpic" and .status == 500 and (.error // "" | test("not durable within 1000 ms")))) | length == 1' "$run/coord-s.log" >/dev/null 2>&1 &&
		ok "audit stall: logged once as a stall, and the 500 with its reason" ||
		bad "audit stall: the log" "$(tail -4 "$run/coord-s.log")"
	alive "${pid[coord-s]}" || bad "audit stall" "the coordinator died"

	# The disk answers again: no restart, no operator.
	sleep 1
	stall_thaw
	s=000
	for i in $(seq 1 100); do
		s=$(curl -s -o "$run/s-health.json" -w '%{http_code}' --max-time 5 --cacert "$pki/ca.pem" "$CS/healthz")
		[ "$s" = 200 ] && break
		sleep 0.1
	done
	[ "$s" = 200 ] && expect "audit stall: thawed, /healthz is 200 again by itself" "$run/s-health.json" \
		'.audit.state == "ok"' '.audit.pending_records == 0' ||
		bad "audit stall: recovery" "status $s: $(head -c 300 "$run/s-health.json")"
	read -r s _ < <(freq "$CS" '{"check_type":"caa","domain_or_ip_target":"stall4.caa.lab","trace_identifier":"stall-4"}' "$run/s4.json")
	[ "$s" = 200 ] && expect "audit stall: after the stall, answers are 200 again (nothing was lost)" "$run/s4.json" \
		'.is_valid == true' '.audit_id | test("^[0-9a-f]{32}$")' ||
		bad "audit stall: after recovery" "status $s: $(head -c 300 "$run/s4.json")"
	jq -e -s 'map(select(.msg == "audit log durable again")) | length == 1' "$run/coord-s.log" >/dev/null 2>&1 &&
		ok "audit stall: the recovery is logged" || bad "audit stall: recovery log" "$(tail -3 "$run/coord-s.log")"
	stop coord-s
	[ "$st" = 0 ] || bad "audit stall: SIGTERM" "exit $st"
	v=$("$mpic" audit verify "$stall_dir/disk/audit.jsonl" 2>&1)
	# 8 perspective records and a decision per request answered or
	# withheld; none for the one refused at once
	echo "$v" | grep -q "^ok: 27 records" &&
		jq -e -s '[.[] | select(.type == "decision") | .trace_identifier] == ["stall-1", "stall-2", "stall-4"]' "$stall_dir/disk/audit.jsonl" >/dev/null 2>&1 &&
		jq -e -s '[.[] | select(.trace_identifier == "stall-2") | .type] | length == 9' "$stall_dir/disk/audit.jsonl" >/dev/null 2>&1 &&
		ok "audit stall: the log verifies ($v); the withheld request's 9 records were written, in order, before the next request's" ||
		bad "audit stall: the log" "$v; decisions $(jq -c -s '[.[] | select(.type == "decision") | .trace_identifier]' "$stall_dir/disk/audit.jsonl" 2>&1)"
	stall_down
}
stall_test
