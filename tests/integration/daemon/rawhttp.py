#!/usr/bin/python3
"""rawhttp.py [--cacert CA [--cert PEM --key KEY]] HOST PORT < REQUESTS

Sends standard input as it is (requests curl would not send: a bad
request line, a bad Content-Length, an unknown method; or several on one
connection) over TCP, or TLS with --cacert, and prints each answer as one
JSON object per line: status, reason, headers (names in lower case), text
(the body), body (the body parsed as JSON, or null) and closed (the
server closed the connection after it, within 2 s).  Nothing at all
within 10 s prints {"status": 0}.  Used by refusals.sh.
"""
import json
import socket
import ssl
import sys
import time


def answer(head, body):
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    a = {"status": int(parts[1]), "reason": parts[2] if len(parts) > 2 else "",
         "headers": {}, "text": body.decode("utf-8", "replace"), "body": None,
         "closed": False}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        a["headers"][k.strip().lower()] = v.strip()
    try:
        a["body"] = json.loads(body)
    except ValueError:
        pass
    return a


def main():
    args = sys.argv[1:]
    opts = {}
    while args and args[0].startswith("--"):
        opts[args[0]], args = args[1], args[2:]
    host, port = args[0], int(args[1])
    request = sys.stdin.buffer.read()
    sock = socket.create_connection((host, port), timeout=10)
    if "--cacert" in opts:
        ctx = ssl.create_default_context(cafile=opts["--cacert"])
        ctx.check_hostname = False
        if "--cert" in opts:
            ctx.load_cert_chain(opts["--cert"], opts["--key"])
        sock = ctx.wrap_socket(sock)
    try:
        sock.sendall(request)
    except OSError:
        pass                    # refused early: its answer may be there
    data = b""
    answers = []
    closed = False
    deadline = time.monotonic() + 10
    while not closed and time.monotonic() < deadline:
        # every whole answer received so far
        while b"\r\n\r\n" in data:
            head, rest = data.split(b"\r\n\r\n", 1)
            n = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    n = int(v)
            if len(rest) < n:
                break
            answers.append(answer(head, rest[:n]))
            data = rest[n:]
            deadline = time.monotonic() + 2     # then: closed, or more?
        try:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            b = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:         # a reset, or a TLS alert: closed too
            b = b""
        if not b:
            closed = True
        data += b
    if not answers:
        print(json.dumps({"status": 0, "text": data.decode("latin-1")}))
        return
    answers[-1]["closed"] = closed and not data
    for a in answers:
        print(json.dumps(a))


main()
