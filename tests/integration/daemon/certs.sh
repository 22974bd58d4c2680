#!/usr/bin/env bash
# Test PKI for the daemon tests: certs.sh DIR PREFIX [MPIC]
# With MPIC (the mpic tool: tests/integration/daemon/run passes it), the
# CA and the certificates of the daemons (pN, rp, coord, h) are made by
# `mpic setup` from an inventory of those daemons, as a deployment's
# are; the special cases below (rogue, RSA, wildcard, intermediate, the
# -next pairs) are signed with openssl by that CA (lab/net passes it
# too).  Without it everything is made with openssl.
# DIR/ca.pem            the mpic test CA (signs every daemon certificate)
# DIR/pN.{pem,key}      perspective N (1-9): SAN DNS:pN.mpic.lab, IP:PREFIX.40.N
# DIR/p9-next.{pem,key} another pair for perspective 9 (a SIGHUP rotation)
# DIR/rp.{pem,key}      the session resumption perspective: SAN
#                       DNS:rp.mpic.lab, IP:PREFIX.40.12
# DIR/coord.{pem,key}   the coordinators: SAN DNS:coordinator.mpic.lab,
#                       IP:PREFIX.41.1, IP:PREFIX.41.2, IP:PREFIX.41.5,
#                       IP:PREFIX.41.7 (the RSA coordinator, rotated to it)
# DIR/rogue-ca.pem, DIR/rogue.{pem,key}   another CA and a client it signed
#                       (with the coordinator's names)
# DIR/rsa-coord.{pem,key}  a coordinator with an RSA 2048 key: SAN
#                       DNS:coordinator.mpic.lab, IP:PREFIX.41.7
# DIR/rsa-small.{pem,key}  the same with an RSA 1024 key (refused)
# DIR/h.{pem,key}       the daemons of hardening.sh: SAN DNS:h.mpic.lab,
#                       IP:PREFIX.46.1-9
# DIR/h-next.{pem,key}  another pair with the same names (rotations)
# DIR/wild.{pem,key}    a client certificate of the CA for DNS:*.mpic.lab
# DIR/int-ca.pem        an intermediate CA under the CA
# DIR/ic.{pem,key}      a client it signed: SAN DNS:coordinator.mpic.lab;
#                       DIR/ic-chain.pem is ic.pem then int-ca.pem
set -euo pipefail
dir=$1
prefix=$2
MPIC=${3:-}
# an absolute name: the work below happens in DIR
case $MPIC in "" | /*) ;; *) MPIC=$(pwd)/$MPIC ;; esac
cd "$dir"
days=30
keytype=ec
ec() {
	case $keytype in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
	rsa*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${keytype#rsa}" -out "$1" 2>/dev/null ;;
	esac
}
mkca() { # name subject
	ec "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days $days \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem" 2>/dev/null
}
mkint() { # name ca subject: an intermediate CA
	ec "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr" 2>/dev/null
	printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
	    -days $days -extfile "$1.ext" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}
mkcert() { # name ca cn san
	ec "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr" 2>/dev/null
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' "$4" > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
	    -days $days -extfile "$1.ext" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}
# inventory of the daemons whose certificates mpic setup makes; their
# configurations are the tests' own.  --now 2025-10-01: a day before the
# 500 km and 2-RIR rules, whose locations here mean nothing.
setup_pki() {
	local i
	{
		echo "coordinator:"
		echo "  name: coordinator.mpic.lab"
		echo "  addresses: [$prefix.41.1, $prefix.41.2, $prefix.41.5, $prefix.41.7]"
		echo "perspectives:"
		for i in 1 2 3 4 5 6 7 8 9; do
			echo "  - {code: p$i, rir: ARIN, location: {lat: $i, lon: $i}, url: \"https://$prefix.40.$i:8443\", names: [p$i.mpic.lab]}"
		done
		echo "  - {code: rp, rir: ARIN, location: {lat: 10, lon: 10}, url: \"https://$prefix.40.12:8443\", names: [rp.mpic.lab]}"
		printf '  - {code: h, rir: ARIN, location: {lat: 11, lon: 11}, url: "https://%s.46.1:8443", names: [h.mpic.lab' "$prefix"
		for i in 2 3 4 5 6 7 8 9; do printf ', %s.46.%s' "$prefix" "$i"; done
		echo "]}"
	} > inventory.yaml
	rm -rf setup    # a lab brought up again in the same directory
	"$MPIC" --now 2025-10-01 setup inventory.yaml -o setup --days $days
	cp setup/ca/ca.pem ca.pem
	cp setup/ca/ca.key ca.key
	for i in p1 p2 p3 p4 p5 p6 p7 p8 p9 rp h; do
		cp "setup/$i/cert.pem" "$i.pem"
		cp "setup/$i/key.pem" "$i.key"
	done
	cp setup/coordinator/cert.pem coord.pem
	cp setup/coordinator/key.pem coord.key
}
if [ -n "$MPIC" ]; then
	setup_pki
else
	mkca ca "mpic test CA"
	for i in 1 2 3 4 5 6 7 8 9; do
		mkcert "p$i" ca "p$i.mpic.lab" "DNS:p$i.mpic.lab,IP:$prefix.40.$i"
	done
fi
mkca rogue-ca "rogue CA"
mkcert p9-next ca p9.mpic.lab "DNS:p9.mpic.lab,IP:$prefix.40.9"
if [ -z "$MPIC" ]; then
	mkcert rp ca rp.mpic.lab "DNS:rp.mpic.lab,IP:$prefix.40.12"
	mkcert coord ca coordinator.mpic.lab \
	    "DNS:coordinator.mpic.lab,IP:$prefix.41.1,IP:$prefix.41.2,IP:$prefix.41.5,IP:$prefix.41.7"
fi
mkcert rogue rogue-ca coordinator.mpic.lab "DNS:coordinator.mpic.lab"
keytype=rsa2048 mkcert rsa-coord ca coordinator.mpic.lab \
    "DNS:coordinator.mpic.lab,IP:$prefix.41.7"
keytype=rsa1024 mkcert rsa-small ca coordinator.mpic.lab \
    "DNS:coordinator.mpic.lab,IP:$prefix.41.7"
hsan="DNS:h.mpic.lab"
for i in 1 2 3 4 5 6 7 8 9; do hsan="$hsan,IP:$prefix.46.$i"; done
[ -n "$MPIC" ] || mkcert h ca h.mpic.lab "$hsan"
mkcert h-next ca h.mpic.lab "$hsan"
mkcert wild ca wild.mpic.lab "DNS:*.mpic.lab"
mkint int-ca ca "mpic test intermediate CA"
mkcert ic int-ca coordinator.mpic.lab "DNS:coordinator.mpic.lab"
cat ic.pem int-ca.pem > ic-chain.pem
chmod 600 ./*.key
