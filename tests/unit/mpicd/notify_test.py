#!/usr/bin/python3
"""mpicd's sd_notify(3) states, as systemd's Type=notify unit sees them.

    notify_test.py MPICD

Runs an all-in-one on loopback (plain HTTP, no DNS needed) with
NOTIFY_SOCKET pointing at a unix datagram socket read here, with workers
2 (the supervisor speaks for them) and 1 (the worker is the main
process), and checks: READY=1 comes from the main process once every
worker has said "worker ready" and /healthz answers; SIGHUP gives
RELOADING=1 (with MONOTONIC_USEC) then READY=1; SIGTERM gives STOPPING=1
before the exit.  Ends with "N passed, N failed" (exit 1 on a failure).
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

mpicd = sys.argv[1]
passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok  ", what)
    else:
        failed += 1
        print("FAIL", what, detail)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def recv(sock, timeout):
    """One message and the pid that sent it (SCM_CREDENTIALS), or None."""
    sock.settimeout(timeout)
    try:
        data, anc, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(12))
    except socket.timeout:
        return None, None
    pid = None
    for level, kind, blob in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", blob[:12])[0]
    return data.decode(), pid


def wait_for(sock, key, timeout=30):
    """Messages until one has KEY=...; returns (messages, the one, pid)."""
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        msg, pid = recv(sock, end - time.monotonic())
        if msg is None:
            break
        seen.append(msg)
        if any(line.startswith(key + "=") for line in msg.split("\n")):
            return seen, msg, pid
    return seen, None, None


def healthz(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port,
                                    timeout=5) as r:
            return r.status
    except Exception as e:  # noqa: BLE001 - any failure is "no answer"
        return str(e)


def run(tmp, workers):
    port = free_port()
    conf = os.path.join(tmp, "w%d.yaml" % workers)
    with open(conf, "w") as f:
        f.write("""role: all-in-one
listen: 127.0.0.1:%d
workers: %d
perspectives:
  - {code: us-east-1, rir: ARIN, location: {lat: 38.9, lon: -77.4}}
  - {code: eu-west-1, rir: RIPE NCC, location: {lat: 53.3, lon: -6.3}}
caa:
  issuer_domains: [ca.example]
orchestration:
  br_minimums: lab
audit:
  path: %s/audit-w%d.jsonl
""" % (port, workers, tmp, workers))
    path = os.path.join(tmp, "notify-%d" % workers)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    log = open(os.path.join(tmp, "w%d.log" % workers), "w+")
    p = subprocess.Popen([mpicd, "-c", conf], env=env, stderr=log)
    w = "workers %d" % workers
    try:
        seen, ready, pid = wait_for(sock, "READY")
        log.flush()
        log.seek(0)
        up = log.read().count("worker ready")
        check(ready == "READY=1", w + ": READY=1 at start", repr(seen))
        check(pid == p.pid, w + ": sent by the main process",
              "pid %s, main %d" % (pid, p.pid))
        check(up == workers, w + ": after every worker is ready",
              "%d of %d" % (up, workers))
        st = healthz(port)
        check(st == 200, w + ": the listeners accept at READY=1", st)
        p.send_signal(signal.SIGHUP)
        seen, msg, pid = wait_for(sock, "RELOADING")
        check(msg is not None and "MONOTONIC_USEC=" in msg and
              pid == p.pid, w + ": RELOADING=1 with MONOTONIC_USEC on "
              "SIGHUP", repr(seen))
        seen, msg, pid = wait_for(sock, "READY")
        check(msg == "READY=1", w + ": READY=1 after the reload", repr(seen))
        p.send_signal(signal.SIGTERM)
        seen, msg, pid = wait_for(sock, "STOPPING")
        check(msg == "STOPPING=1" and pid == p.pid,
              w + ": STOPPING=1 on SIGTERM", repr(seen))
        rc = p.wait(timeout=30)
        check(rc == 0, w + ": exits 0", rc)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        sock.close()


with tempfile.TemporaryDirectory() as tmp:
    run(tmp, 2)
    run(tmp, 1)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
