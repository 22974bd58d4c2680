# shellcheck shell=bash
# Sourced by tests/integration/daemon/run (its helpers, $run, $pki, $P,
# pid[], start, stop, wait_up, alive, ok, bad, dns_section): daemons of
# their own on PREFIX.44.N:8443 (certificate h.pem) for what the other
# tests do not reach:
#
#   - tls.cert holding the private key too: no worker, nor the main
#     process, ever receives a byte of it from the key process (strace of
#     their reads on its sockets), and TLS works;

# hp_config N WORKERS: a perspective on PREFIX.44.N, running as nobody
hp_config() {
	cat <<EOT
role: perspective
listen: $P.44.$1:8443
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
# hcurl N PATH [curl args]: the status of a GET to PREFIX.44.N with the
# coordinator's certificate
hcurl() {
	local n=$1 path=$2
	shift 2
	curl -s -o "$run/h.out" -w '%{http_code}' --max-time 10 --cacert "$pki/ca.pem" \
	    --cert "$pki/coord.pem" --key "$pki/coord.key" "$@" "https://$P.44.$n:8443$path"
}
hfp() { # N: the fingerprint of the certificate PREFIX.44.N serves
	openssl s_client -connect "$P.44.$1:8443" -CAfile "$pki/ca.pem" -cert "$pki/coord.pem" \
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
if wait_up h1 "https://$P.44.1:8443"; then
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
