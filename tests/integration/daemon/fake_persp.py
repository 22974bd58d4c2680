#!/usr/bin/env python3
"""A programmable remote perspective for the daemon tests (test code only).

    fake_persp.py --ca CA.pem --lifetime SECONDS \
        ADDR:PORT,CERT,KEY,CODE,RIR [...]

Serves the perspective API (POST /caa, POST /dcv) over mutual TLS 1.3 on
each listener, as the perspective CODE of RIR, with HTTP/1.1 keep-alive.
What it answers is chosen by the caller's trace_identifier, so concurrent
requests each get their own behaviour without shared state: the trace is
a list "CODE=MODE,CODE=MODE" (anything before a ':' is ignored; the
code "*" names every perspective not named otherwise); a perspective not
named passes.  Modes:

    pass        a corroboration
    fail        a completed check that did not pass (a CAA denial)
    garbage     200 with a body that is not JSON
    trunc       200 with a JSON body cut in half (Content-Length matches)
    http500     status 500
    close       200, Content-Length of the whole body, half of it sent,
                then the connection is closed
    slowMS      waits MS milliseconds, then passes
    wrongcode   passes, but answers as perspective_code "xx-impostor-1"
    wrongrir    passes, but answers with rir "AFRINIC"
    padN        passes, with N bytes of padding in its details
    tsN         passes, with timestamp_ns N (its clock far off)

Every answer's details carry "connection": the serial number of the TLS
connection it came on (per listener, from 1), so that a test can tell
which of its calls went out on new connections.

The process exits by itself after --lifetime seconds (tests are bounded
even if their cleanup fails).  It prints "ready" once every listener is
bound.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time


def modes_of(trace):
    out = {}
    if not isinstance(trace, str):
        return out
    if ":" in trace:
        trace = trace.split(":", 1)[1]
    for item in trace.split(","):
        if "=" in item:
            code, mode = item.split("=", 1)
            out[code.strip()] = mode.strip()
    return out


def answer(code, rir, check_type, mode, conn_no):
    passed = mode != "fail"
    body = {
        "check_type": check_type,
        "check_completed": True,
        "check_passed": passed,
        "errors": None,
        "timestamp_ns": int(mode[2:]) if mode.startswith("ts") else
        time.time_ns(),
        "duration_ms": 1,
        "details": {"caa_record_present": False, "found_at": None,
                    "connection": conn_no},
        "padding": None,
        "perspective_code": "xx-impostor-1" if mode == "wrongcode" else code,
        "rir": "AFRINIC" if mode == "wrongrir" else rir,
    }
    if mode.startswith("pad"):
        body["details"]["padding"] = "p" * int(mode[3:] or "1000")
    del body["padding"]
    return json.dumps(body).encode()


def send(conn, status, body, length=None, keep=True):
    reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}
    head = ("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\nConnection: %s\r\n\r\n" %
            (status, reason.get(status, "X"),
             len(body) if length is None else length,
             "keep-alive" if keep else "close"))
    conn.sendall(head.encode() + body)


def read_request(conn, buf):
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None, None, b""
        buf += chunk
        if len(buf) > 1 << 20:
            return None, None, b""
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
    while len(buf) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None, None, b""
        buf += chunk
    return (parts[0], parts[1] if len(parts) > 1 else "/"), \
        buf[:length], buf[length:]


def serve_conn(ctx, raw, code, rir, conn_no):
    try:
        conn = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()
        return
    buf = b""
    try:
        while True:
            req, body, buf = read_request(conn, buf)
            if req is None:
                break
            method, path = req
            if method != "POST" or path not in ("/caa", "/dcv"):
                send(conn, 200 if method == "GET" else 404, b"{}")
                continue
            try:
                trace = json.loads(body).get("trace_identifier")
            except (ValueError, AttributeError):
                trace = None
            modes = modes_of(trace)
            mode = modes.get(code, modes.get("*", "pass"))
            full = answer(code, rir, path[1:], mode, conn_no)
            if mode.startswith("slow"):
                time.sleep(int(mode[4:] or "1000") / 1000.0)
            if mode == "garbage":
                send(conn, 200, b"<html>this is not JSON</html>")
            elif mode == "trunc":
                send(conn, 200, full[:len(full) // 2])
            elif mode == "http500":
                send(conn, 500, b'{"error":"internal"}')
            elif mode == "close":
                send(conn, 200, full[:len(full) // 2], length=len(full))
                break
            else:
                send(conn, 200, full)
    except (OSError, ssl.SSLError, ValueError):
        pass
    try:
        conn.close()
    except OSError:
        pass


def listen(spec, ca):
    addr, cert, key, code, rir = spec.split(",", 4)
    host, port = addr.rsplit(":", 1)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen(128)
    return s, ctx, code, rir


def accept_loop(s, ctx, code, rir):
    conn_no = 0
    while True:
        raw, _ = s.accept()
        conn_no += 1
        threading.Thread(target=serve_conn,
                         args=(ctx, raw, code, rir, conn_no),
                         daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("listeners", nargs="+")
    a = ap.parse_args()
    timer = threading.Timer(a.lifetime, os._exit, (0,))
    timer.daemon = True
    timer.start()
    socks = [listen(sp, a.ca) for sp in a.listeners]
    for s, ctx, code, rir in socks:
        threading.Thread(target=accept_loop, args=(s, ctx, code, rir),
                         daemon=True).start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
