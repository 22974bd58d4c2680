#!/usr/bin/python3
"""A dishonest remote perspective for tests/integration/daemon/evidence
(test code only).

    evidence_persp.py --ca CA.pem --cert CERT --key KEY --listen ADDR:PORT
        --lifetime SECONDS --mode replay --answer FILE
    evidence_persp.py ... --mode otherreq --signing-key ED25519.pem
        --code CODE --rir RIR

Serves POST /caa and /dcv over mutual TLS 1.3, one request per
connection.  replay: answers every call with FILE, an answer a real
perspective gave to an earlier call (its signed statement holds that
call's nonce).  otherreq: a perspective holding the right key that
answers a pass signed for this call's nonce but for another request
(another target).  The encoding is docs/evidence.md's, written again here
from the document (scripts/evidence-vectors checks the same reading
against the C code).  Prints "ready" once bound; exits after --lifetime.
"""
import argparse
import hashlib
import json
import socket
import ssl
import struct
import threading
import time

from cryptography.hazmat.primitives import serialization


def canon(obj):
    return json.dumps(obj, sort_keys=True, separators=(',', ':'),
                      ensure_ascii=False).encode('utf-8')


def statement(key, check_type, body, nonce, code, rir, ts, details):
    o = {'check_type': check_type}
    for k in ('domain_or_ip_target', check_type + '_check_parameters'):
        if k in body:
            o[k] = body[k]
    rd = hashlib.sha256(canon(o)).digest()
    dd = hashlib.sha256(canon(details)).digest()
    msg = (b'mpic-statement-v1\0' + rd + nonce + bytes([len(code)]) +
           code.encode() + bytes([len(rir)]) + rir.encode() +
           struct.pack('>Q', ts) + bytes([2]) + dd)
    pub = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return {'version': 1, 'request_digest': rd.hex(), 'nonce': nonce.hex(),
            'perspective_code': code, 'rir': rir, 'timestamp_ns': ts,
            'verdict': 'passed', 'details_digest': dd.hex(),
            'key_fingerprint': hashlib.sha256(pub).hexdigest(),
            'signature': key.sign(msg).hex()}


def read_request(conn):
    buf = b''
    while b'\r\n\r\n' not in buf:
        d = conn.recv(65536)
        if not d:
            return None, None, None
        buf += d
    head, rest = buf.split(b'\r\n\r\n', 1)
    lines = head.decode('latin-1').split('\r\n')
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(':')
        hdrs[k.strip().lower()] = v.strip()
    n = int(hdrs.get('content-length', '0'))
    while len(rest) < n:
        d = conn.recv(65536)
        if not d:
            break
        rest += d
    return lines[0], hdrs, rest[:n]


def serve(ctx, raw, a):
    try:
        conn = ctx.wrap_socket(raw, server_side=True)
        line, hdrs, body = read_request(conn)
        if line is None:
            return
        check_type = 'caa' if ' /caa ' in line else 'dcv'
        if a.mode == 'replay':
            out = open(a.answer, 'rb').read()
        else:
            req = json.loads(body)
            req['domain_or_ip_target'] = 'another.' + \
                req.get('domain_or_ip_target', 'x')
            nonce = bytes.fromhex(hdrs.get('mpic-nonce', '00' * 16))
            ts = time.time_ns()
            details = {'caa_record_present': False, 'found_at': None,
                       'records_seen': []}
            ans = {'check_type': check_type, 'check_completed': True,
                   'check_passed': True, 'errors': None,
                   'timestamp_ns': ts, 'details': details,
                   'perspective_code': a.code, 'rir': a.rir}
            ans['signed_statement'] = statement(
                a.key_obj, check_type, req, nonce, a.code, a.rir, ts,
                details)
            out = json.dumps(ans).encode()
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json'
                     b'\r\nConnection: close\r\nContent-Length: ' +
                     str(len(out)).encode() + b'\r\n\r\n' + out)
        conn.close()
    except (OSError, ssl.SSLError, ValueError):
        pass


def main():
    p = argparse.ArgumentParser()
    for k in ('--ca', '--cert', '--key', '--listen', '--mode', '--answer',
              '--signing-key', '--code', '--rir'):
        p.add_argument(k)
    p.add_argument('--lifetime', type=int, default=120)
    a = p.parse_args()
    if a.mode == 'otherreq':
        a.key_obj = serialization.load_pem_private_key(
            open(a.signing_key, 'rb').read(), None)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(a.ca)
    ctx.load_cert_chain(a.cert, a.key)
    host, port = a.listen.rsplit(':', 1)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen(16)
    print('ready', flush=True)
    end = time.time() + a.lifetime
    s.settimeout(1)
    while time.time() < end:
        try:
            raw, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(ctx, raw, a),
                         daemon=True).start()


main()
