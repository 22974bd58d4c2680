# shellcheck shell=bash
# Sourced by tests/integration/daemon/run (its helpers, $run, $pki, $P,
# pid[], start, stop, wait_up, alive, ok, bad, dns_section): daemons of
# their own on PREFIX.46.N:8443 (certificate h.pem) for what the other
# tests do not reach:
#
#   - tls.cert holding the private key too: no worker, nor the main
#     process, ever receives a byte of it from the key process (strace of
#     their reads on its sockets), and TLS works;
#   - reloads whose tls.client_ca no longer loads (root's, 0600, the
#     workers run as nobody): each keeps the old CA and takes the new
#     certificate, and handshakes go on working after two of them, with
#     the same key and with a new key each time;
#   - SIGHUPs while the daemon starts (one process waiting for its key
#     process) and while a worker starts (a restart after a reload): no
#     process dies of them, the daemon serves;
#   - clients that reset their connection in the middle of a reply: the
#     drain after SIGTERM does not wait for those replies;
#   - limits.read_deadline_ms: a connection that never sends a byte, and
#     one that trickles its request a byte at a time, are closed at the
#     deadline (io_timeout_ms, which every byte renews, is 30 s); an idle
#     kept-alive connection is not;
#   - tls.allowed_peers and wildcards: a client certificate of the CA for
#     *.mpic.lab is refused by a perspective that allows
#     coordinator.mpic.lab, the certificate of that very name is not;
#   - a client whose chain has an intermediate CA resumes its TLS session
#     (no certificates sent), keeps the connection across a SIGHUP, and
#     its next request is still served (its chain is checked again from
#     what the session ticket kept of it).

# hp_config N WORKERS: a perspective on PREFIX.46.N, running as nobody
hp_config() {
	cat <<EOT
role: perspective
listen: $P.46.$1:8443
workers: $2
user: nobody
tls:
  cert: $pki/h.pem
  key: $pki/h.key
  client_ca: $pki/ca.pem
  allowed_peers: [coordinator.mpic.lab]
identity: {code: h$1, rir: ARIN, location: {lat: 38.9, lon: -77.4}}
$(dns_section)
EOT
}
# hcurl N PATH [curl args]: the status of a GET to PREFIX.46.N with the
# coordinator's certificate
hcurl() {
	local n=$1 path=$2
	shift 2
	curl -s -o "$run/h.out" -w '%{http_code}' --max-time 10 --cacert "$pki/ca.pem" \
	    --cert "$pki/coord.pem" --key "$pki/coord.key" "$@" "https://$P.46.$n:8443$path"
}
hfp() { # N: the fingerprint of the certificate PREFIX.46.N serves
	openssl s_client -connect "$P.46.$1:8443" -CAfile "$pki/ca.pem" -cert "$pki/coord.pem" \
	    -key "$pki/coord.key" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

# traced_stop NAME: stops a daemon started under strace (pid[NAME] is
# strace's, which would detach and leave mpicd running): SIGTERM to mpicd,
# then strace ends with it
traced_stop() {
	local m
	m=$(jq -r -s 'map(select(.msg == "key process ready")) | .[0].pid' "$run/$1.log" 2>/dev/null)
	[ -n "$m" ] && [ "$m" != null ] && kill -TERM "$m" 2>/dev/null
	for _ in $(seq 1 100); do alive "${pid[$1]}" || break; sleep 0.1; done
	stop "$1"
}

# ---------------------------------------------------- tls.cert with the key
# One file for the certificate and the key (root's, 0600), two workers as
# nobody; strace records what every process reads from its sockets: the
# main process's KP_CERT at start and, after a SIGHUP, each worker's.
cat "$pki/h.pem" "$pki/h.key" > "$run/h-both.pem"
chmod 600 "$run/h-both.pem"
hp_config 1 2 | sed -e "s|$pki/h.pem|$run/h-both.pem|" -e "s|$pki/h.key|$run/h-both.pem|" > "$run/h1.yaml"
ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 strace -f -qq -s 70000 -e trace=recvfrom,recvmsg \
	-o "$run/h1.strace" "$mpicd" -c "$run/h1.yaml" 2>"$run/h1.log" &
pid[h1]=$!
if wait_up h1 "https://$P.46.1:8443"; then
	kill -HUP "$(jq -r -s 'map(select(.msg == "key process ready")) | .[0].pid' "$run/h1.log")"
	for _ in $(seq 1 50); do
		[ "$(grep -c '"reload: certificates and keys loaded"' "$run/h1.log")" -ge 2 ] && break
		sleep 0.1
	done
	s=$(hcurl 1 /healthz)
	fp=$(hfp 1)
	traced_stop h1
	certs=$(grep -c 'BEGIN CERTIFICATE' "$run/h1.strace")
	[ "$s" = 200 ] && [ "$fp" = "$(openssl x509 -noout -fingerprint -sha256 -in "$pki/h.pem")" ] &&
		[ "$certs" -ge 3 ] && ! grep -q 'PRIVATE KEY' "$run/h1.strace" &&
		ok "tls.cert holding the key too: TLS works, and the chains the main process and the workers receive ($certs) carry no PRIVATE KEY block" ||
		bad "tls.cert with the key" "status $s, served $fp, chains received $certs, key blocks received $(grep -c 'PRIVATE KEY' "$run/h1.strace")"
else
	bad "tls.cert with the key" "did not start"
	traced_stop h1
fi

# ---------------------------------------------------- failed reloads
# hup_wait NAME MSG COUNT: SIGHUP, then wait (5 s at most) until the log
# has COUNT lines with MSG
hup_wait() {
	kill -HUP "${pid[$1]}"
	for _ in $(seq 1 50); do
		[ "$(grep -c "\"$2\"" "$run/$1.log")" -ge "$3" ] && break
		sleep 0.1
	done
}
# served N: 6 handshakes and requests (both workers); "ok" when all were
# 200 with the certificate whose fingerprint is $2
served() {
	local i s f res=ok
	for i in 1 2 3 4 5 6; do
		s=$(hcurl "$1" /healthz)
		f=$(hfp "$1")
		[ "$s" = 200 ] && [ "$f" = "$2" ] || res="$res [$s $f]"
	done
	[ "$res" = ok ] && echo ok || echo "$res"
}
fp_h=$(openssl x509 -noout -fingerprint -sha256 -in "$pki/h.pem")
fp_hn=$(openssl x509 -noout -fingerprint -sha256 -in "$pki/h-next.pem")
# h2: the same key at each reload; h3: a new key at each
for n in 2 3; do
	cp "$pki/ca.pem" "$run/h$n-ca.pem"
	cp "$pki/h.pem" "$run/h$n.pem"
	cp "$pki/h.key" "$run/h$n.key"
	hp_config $n 2 | sed -e "s|$pki/ca.pem|$run/h$n-ca.pem|" -e "s|$pki/h\.|$run/h$n.|g" > "$run/h$n.yaml"
	start "h$n" "$run/h$n.yaml"
done
wait_up h2 "https://$P.46.2:8443" && wait_up h3 "https://$P.46.3:8443" || bad "h2, h3" "did not start"
chmod 600 "$run/h2-ca.pem" "$run/h3-ca.pem"
msg="reload: keeping the old tls.client_ca"
hup_wait h2 "$msg" 2
hup_wait h2 "$msg" 4
r=$(served 2 "$fp_h")
[ "$r" = ok ] && [ "$(grep -c "\"$msg\"" "$run/h2.log")" = 4 ] &&
	ok "two SIGHUPs with tls.client_ca unreadable by the workers (the same key): the old CA is kept, logged, and handshakes still work" ||
	bad "failed reloads, same key" "$r; $(grep -c "\"$msg\"" "$run/h2.log") lines; $(grep -E 'error' "$run/h2.log" | tail -2)"
cp "$pki/h-next.pem" "$run/h3.pem"; cp "$pki/h-next.key" "$run/h3.key"
hup_wait h3 "$msg" 2
r1=$(served 3 "$fp_hn")
cp "$pki/h.pem" "$run/h3.pem"; cp "$pki/h.key" "$run/h3.key"
hup_wait h3 "$msg" 4
r2=$(served 3 "$fp_h")
[ "$r1" = ok ] && [ "$r2" = ok ] &&
	ok "two SIGHUPs with tls.client_ca unreadable by the workers, a new key each time: the new certificate is served after each, handshakes work" ||
	bad "failed reloads, new keys" "after the first: $r1; after the second: $r2; $(grep -E 'error' "$run/h3.log" | tail -2)"
stop h2
stop h3

# ---------------------------------------------------- signals at start
# Each window held open on purpose, so that the signals land in it:
# - workers: 1: tls.cert is a FIFO, so the main process waits for its key
#   process (which waits for the certificate) with nothing of its event
#   loop in place yet; SIGHUPs then, and the certificate after them;
# - two workers: a worker restarted after a reload asks the key process
#   for the certificate before its event loop exists; the key process is
#   stopped (SIGSTOP), so the worker waits there; SIGHUPs to it then (as
#   a SIGHUP to the whole process group would send them).
hp_config 4 1 | sed "s|$pki/h.pem|$run/h4-cert|" > "$run/h4.yaml"
rm -f "$run/h4-cert"; mkfifo "$run/h4-cert"
start h4 "$run/h4.yaml"
kp=""
for _ in $(seq 1 500); do kp=$(pgrep -P "${pid[h4]}"); [ -n "$kp" ] && break; sleep 0.01; done
for _ in 1 2 3 4 5; do kill -HUP "${pid[h4]}" 2>/dev/null; sleep 0.02; done
# the key process is blocked opening the FIFO: open its other end (read
# and write: never blocks, whoever is left), put a plain file in its
# place (for the reloads), then write the certificate
exec 3<>"$run/h4-cert"
rm -f "$run/h4-cert"; cp "$pki/h.pem" "$run/h4-cert"
cat "$pki/h.pem" >&3
exec 3>&-
up=0; [ -n "$kp" ] && wait_up h4 "https://$P.46.4:8443" && up=1
s=$(hcurl 4 /healthz)
alive "${pid[h4]}" && [ $up = 1 ] && [ "$s" = 200 ] &&
	grep -q '"reload: certificates and keys loaded"' "$run/h4.log" &&
	ok "workers: 1, SIGHUPs while it waits for its key process: taken as a reload once it serves, not the end of the daemon" ||
	bad "SIGHUPs at start, workers: 1" "key process '$kp', alive $(alive "${pid[h4]}" && echo yes || echo no), status $s: $(tail -2 "$run/h4.log")"
stop h4
hp_config 5 2 > "$run/h5.yaml"
start h5 "$run/h5.yaml"
if wait_up h5 "https://$P.46.5:8443"; then
	hup_wait h5 "reload: certificates and keys loaded" 2
	k5=$(jq -r -s 'map(select(.msg == "key process ready")) | .[0].key_pid' "$run/h5.log")
	w5=$(jq -r -s 'map(select(.msg == "worker ready") | .pid) | .[0]' "$run/h5.log")
	kill -STOP "$k5"
	before=$(pgrep -P "${pid[h5]}" | tr '\n' ' ')
	kill -KILL "$w5"
	nw=""
	for _ in $(seq 1 300); do
		for c in $(pgrep -P "${pid[h5]}"); do
			case " $before " in *" $c "*) ;; *) nw=$c ;; esac
		done
		[ -n "$nw" ] && break
		sleep 0.01
	done
	for _ in 1 2 3 4 5; do [ -n "$nw" ] && kill -HUP "$nw" 2>/dev/null; sleep 0.02; done
	kill -CONT "$k5"
	for _ in $(seq 1 100); do
		[ "$(grep -c '"worker ready"' "$run/h5.log")" -ge 3 ] && break
		sleep 0.1
	done
	sleep 0.5
	s=$(hcurl 5 /healthz)
	[ -n "$nw" ] && alive "$nw" && [ "$s" = 200 ] && ! grep -q '"how":"signal 1"' "$run/h5.log" &&
		ok "a worker restarted after a reload, SIGHUPs while it starts: it lives (the reload is taken once its loop runs), the daemon serves" ||
		bad "SIGHUPs at a worker's start" "new worker '$nw' alive $([ -n "$nw" ] && alive "$nw" && echo yes || echo no), status $s: $(grep -m2 -E '"worker died"' "$run/h5.log")"
else
	bad "h5" "did not start"
fi
stop h5

# ---------------------------------------------------- replies never written
# A client asks for thousands of pages on one connection (pipelined),
# reads none, so that a reply is stuck in the middle of its write, then
# resets the connection (SO_LINGER 0): evhttp frees that reply without its
# completion callback.  Twice; then SIGTERM: the drain has nothing to wait
# for (drain_timeout_ms is 8 s).
hp_config 6 1 > "$run/h6.yaml"
printf 'limits: {drain_timeout_ms: 8000}\n' >> "$run/h6.yaml"
start h6 "$run/h6.yaml"
if wait_up h6 "https://$P.46.6:8443"; then
	python3 - "$P.46.6" "$pki" > "$run/h6.py.out" 2>&1 <<'EOT'
import socket, ssl, struct, sys, time
host, pki = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=pki + "/ca.pem")
ctx.load_cert_chain(pki + "/coord.pem", pki + "/coord.key")
ctx.check_hostname = False
for _ in range(2):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect((host, 8443))
    t = ctx.wrap_socket(s, server_hostname="h.mpic.lab")
    try:
        t.sendall(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n" * 6000)
    except OSError:
        pass
    time.sleep(1.5)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    t.close()
print("reset 2")
EOT
	sleep 0.5
	t0=$(date +%s%N)
	stop h6
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$st" = 0 ] && [ "$ms" -lt 4000 ] && grep -q '^reset 2' "$run/h6.py.out" &&
		! grep -q '"drain timeout: abandoning requests in flight"' "$run/h6.log" &&
		ok "clients that reset in the middle of a reply: SIGTERM drains at once ($ms ms, drain_timeout_ms 8000)" ||
		bad "replies never written" "exit $st after $ms ms: $(grep -E 'drain|abandon' "$run/h6.log" | tail -1) $(tail -1 "$run/h6.py.out")"
else
	bad "h6" "did not start"
	stop h6
fi

# ---------------------------------------------------- the read deadline
hp_config 7 1 > "$run/h7.yaml"
printf 'limits: {read_deadline_ms: 1500, io_timeout_ms: 30000}\n' >> "$run/h7.yaml"
start h7 "$run/h7.yaml"
if wait_up h7 "https://$P.46.7:8443"; then
	python3 - "$P.46.7" "$pki" > "$run/h7.py.out" 2>&1 <<'EOT'
import socket, ssl, sys, time
host, pki = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=pki + "/ca.pem")
ctx.load_cert_chain(pki + "/coord.pem", pki + "/coord.key")
ctx.check_hostname = False

def closed(sock):
    try:
        return sock.recv(4096) == b""
    except socket.timeout:
        return False
    except (OSError, ssl.SSLError):
        return True

# silent: connected, nothing sent (no TLS handshake)
s = socket.create_connection((host, 8443))
s.settimeout(8)
t0 = time.monotonic()
try:
    s.recv(1)
except OSError:
    pass
print("silent closed after %.1f" % (time.monotonic() - t0))
s.close()
# trickling: a byte every 0.25 s (each renews io_timeout_ms)
t0 = time.monotonic()
t = ctx.wrap_socket(socket.create_connection((host, 8443)), server_hostname="h.mpic.lab")
t.settimeout(0.25)
req = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 100
end = None
for i in range(len(req)):
    try:
        t.send(req[i:i + 1])
    except OSError:
        end = time.monotonic() - t0
        break
    if closed(t):
        end = time.monotonic() - t0
        break
    if time.monotonic() - t0 > 8:
        break
print("trickle closed after %s" % ("%.1f" % end if end is not None else "never"))
t.close()
# kept alive: a request, 3 s idle (twice the deadline), another request
t = ctx.wrap_socket(socket.create_connection((host, 8443)), server_hostname="h.mpic.lab")
t.settimeout(5)
ans = []
for wait in (0, 3):
    time.sleep(wait)
    try:
        t.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        ans.append(t.recv(4096).split(b" ")[1].decode())
    except (OSError, IndexError):
        ans.append("closed")
print("kept alive: %s" % " ".join(ans))
EOT
	sil=$(awk '/^silent closed after/ {print $4}' "$run/h7.py.out")
	tri=$(awk '/^trickle closed after/ {print $4}' "$run/h7.py.out")
	in_window() { awk -v x="$1" 'BEGIN {exit !(x != "" && x != "never" && x >= 1.0 && x <= 4.0)}'; }
	in_window "$sil" && in_window "$tri" && grep -q '^kept alive: 200 200' "$run/h7.py.out" &&
		grep -q '"closing a connection: no whole request within limits.read_deadline_ms"' "$run/h7.log" &&
		ok "read_deadline_ms 1500: a silent connection closed after ${sil} s, a trickling request after ${tri} s (io_timeout_ms 30000); an idle kept-alive connection stays" ||
		bad "read deadline" "$(tr '\n' ';' < "$run/h7.py.out")"
	curl -s --max-time 5 --cacert "$pki/ca.pem" --cert "$pki/coord.pem" --key "$pki/coord.key" \
		"https://$P.46.7:8443/configz" > "$run/h7.configz"
	expect "/configz shows limits.read_deadline_ms" "$run/h7.configz" '.limits.read_deadline_ms == 1500'
else
	bad "h7" "did not start"
fi
stop h7

# ---------------------------------------------------- wildcard client names
hp_config 8 1 > "$run/h8.yaml"
start h8 "$run/h8.yaml"
if wait_up h8 "https://$P.46.8:8443"; then
	sw=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$pki/ca.pem" \
		--cert "$pki/wild.pem" --key "$pki/wild.key" "https://$P.46.8:8443/healthz")
	sc=$(hcurl 8 /healthz)
	[ "$sw" = 000 ] && [ "$sc" = 200 ] &&
		ok "allowed_peers [coordinator.mpic.lab]: a client certificate for *.mpic.lab is refused, coordinator.mpic.lab's is served" ||
		bad "wildcard client certificate" "wildcard $sw, exact $sc"
else
	bad "h8" "did not start"
fi
stop h8

# ---------------------------------------------------- resumed, intermediate
# ic.pem is signed by int-ca, which the client sends along; client_ca
# holds the root only.
cp "$pki/ca.pem" "$run/h9-ca.pem"
hp_config 9 2 | sed "s|$pki/ca.pem|$run/h9-ca.pem|" > "$run/h9.yaml"
start h9 "$run/h9.yaml"
if wait_up h9 "https://$P.46.9:8443"; then
	icargs=(-CAfile "$pki/ca.pem" -cert "$pki/ic.pem" -key "$pki/ic.key" -cert_chain "$pki/int-ca.pem")
	rm -f "$run/s-ic"
	printf 'GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' |
		timeout 10 openssl s_client -connect "$P.46.9:8443" "${icargs[@]}" -ign_eof \
		-sess_out "$run/s-ic" > "$run/ic1.out" 2>&1
	rm -f "$run/go"; mkfifo "$run/go"
	keepreq='GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n'
	{ printf "$keepreq"; read -r _ < "$run/go"; printf "$keepreq"; sleep 2; } |
		timeout 20 openssl s_client -connect "$P.46.9:8443" "${icargs[@]}" -ign_eof \
		-sess_in "$run/s-ic" > "$run/ic2.out" 2>&1 &
	keeper=$!
	for _ in $(seq 1 50); do grep -q '^HTTP/1.1 200' "$run/ic2.out" && break; sleep 0.1; done
	hup_wait h9 "reload: certificates and keys loaded" 2
	echo go > "$run/go"
	wait "$keeper"
	first=$(grep -m1 -oE '^(New|Reused)' "$run/ic1.out") second=$(grep -m1 -oE '^(New|Reused)' "$run/ic2.out")
	codes=$(grep -oE 'HTTP/1.1 [0-9]+' "$run/ic2.out" | tr '\n' ' ')
	[ "$first" = New ] && [ "$second" = Reused ] && [ "$codes" = "HTTP/1.1 200 HTTP/1.1 200 " ] &&
		ok "a client with an intermediate CA resumes its session, keeps the connection across a SIGHUP: its next request is served" ||
		bad "resumed session with an intermediate, across a SIGHUP" "$first then $second: $codes $(grep -m1 -o 'no longer[^"]*' "$run/ic2.out")"
	# and the check is still made: a new session (the SIGHUP changed the
	# ticket keys), resumed, then tls.client_ca replaced by another CA
	# and a SIGHUP: that connection's next request gets the 403
	rm -f "$run/s-ic"
	printf 'GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' |
		timeout 10 openssl s_client -connect "$P.46.9:8443" "${icargs[@]}" -ign_eof \
		-sess_out "$run/s-ic" > "$run/ic3.out" 2>&1
	rm -f "$run/go"; mkfifo "$run/go"
	{ printf "$keepreq"; read -r _ < "$run/go"; printf "$keepreq"; sleep 2; } |
		timeout 20 openssl s_client -connect "$P.46.9:8443" "${icargs[@]}" -ign_eof \
		-sess_in "$run/s-ic" > "$run/ic4.out" 2>&1 &
	keeper=$!
	for _ in $(seq 1 50); do grep -q '^HTTP/1.1 200' "$run/ic4.out" && break; sleep 0.1; done
	cp "$pki/rogue-ca.pem" "$run/h9-ca.pem"
	hup_wait h9 "reload: certificates and keys loaded" 4
	echo go > "$run/go"
	wait "$keeper"
	second=$(grep -m1 -oE '^(New|Reused)' "$run/ic4.out")
	codes=$(grep -oE 'HTTP/1.1 [0-9]+' "$run/ic4.out" | tr '\n' ' ')
	[ "$second" = Reused ] && [ "$codes" = "HTTP/1.1 200 HTTP/1.1 403 " ] &&
		grep -q 'no longer verifies against tls.client_ca' "$run/ic4.out" &&
		ok "that resumed connection, after tls.client_ca was replaced by another CA and a SIGHUP: 403, its chain no longer verifies" ||
		bad "resumed session with an intermediate, CA replaced" "$second: $codes"
else
	bad "h9" "did not start"
fi
stop h9
