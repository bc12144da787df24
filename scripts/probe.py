#!/usr/bin/env python3
"""Hostile traffic against a running Threshold server (started by scripts/probe).

Bounded in count and time. Measures and checks:
  1. a flood of concurrent unauthenticated sign-ins with random usernames from many source
     addresses: the server's peak resident memory, and a signed-in caseworker's dashboard
     latency (p50/p95) before and during the flood;
  2. 40 and 100 parallel wrong passwords for one username: at most 5 verified, the rest 429;
  3. the lockout attempt: wrong passwords for `admin` from another address, then the real
     user signs in from theirs.
Prints a Markdown summary (for BENCHMARKS.md) and exits non-zero when a goal is missed.
Usage: probe.py BASE_URL SERVER_PID [FLOOD_CONCURRENCY] [FLOOD_SECONDS] [many|one]
"""

import http.client
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse

BASE = sys.argv[1].rstrip("/")
PID = int(sys.argv[2])
FLOOD_CONCURRENCY = int(sys.argv[3]) if len(sys.argv) > 3 else 300
FLOOD_SECONDS = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0
# "many": every flooding thread has an address of its own (the per-address limits do not stop
# it, the hash slots must); "one": the whole flood from one address (the measurement).
FLOOD_SOURCES = sys.argv[5] if len(sys.argv) > 5 else "many"
PASSWORD = "threshold-demo-2026"
HOST, PORT = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port


def request(method, path, body=None, cookie=None, source="127.0.0.1", timeout=30):
    """One request on a new connection from `source`; returns (status, headers, body, seconds)."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout, source_address=(source, 0))
    headers = {"Origin": BASE}
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    started = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), data, time.monotonic() - started
    finally:
        conn.close()


def sign_in(username, password, source="127.0.0.1"):
    return request("POST", "/api/sign_in", {"username": username, "password": password}, source=source)


def session_cookie(headers):
    raw = headers.get("set-cookie") or headers.get("Set-Cookie") or ""
    return raw.split(";")[0]


def rss_kib(field="VmRSS"):
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


failures = []
lines = []


def check(ok, what):
    lines.append(f"- {'ok' if ok else 'MISSED'}: {what}")
    if not ok:
        failures.append(what)


# A signed-in caseworker (HMIS User · Northside Housing Partners, applied at sign-in).
status, headers, _, _ = sign_in("caseworker", PASSWORD)
assert status == 200, f"caseworker sign-in: {status}"
cookie = session_cookie(headers)


def dashboard_latencies(seconds, stop=None):
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (stop and stop.is_set()):
        status, _, _, took = request("GET", "/", cookie=cookie)
        if status == 200:
            samples.append(took * 1000)
        else:
            samples.append(float("inf"))
        time.sleep(0.05)
    return samples


before = dashboard_latencies(3)
rss_before = rss_kib()

# 1. The flood: FLOOD_CONCURRENCY threads signing in with random usernames, each on a kept-alive
# connection from its own loopback address (so the per-address limits alone do not stop it:
# hashing must be bounded). The flood runs in a process of its own at a lower CPU priority: on
# this 2-core machine the load generator would otherwise take the cores from the server and from
# the caseworker's measurements (a real attacker's CPU is not the server's), and its threads
# would hold the GIL the latency measurements need.
def flood(concurrency, seconds, sources, results):
    os.nice(10)
    stop_at = time.monotonic() + seconds
    counts = {}
    lock = threading.Lock()

    def flooder(index):
        source = f"127.{10 + index // 250}.{index % 250}.{1 + index % 7}" if sources == "many" else "127.9.0.1"
        conn = None
        while time.monotonic() < stop_at:
            username = "flood-%08x" % random.getrandbits(32)
            body = urllib.parse.urlencode({"username": username, "password": "not-the-password"})
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, PORT, timeout=30, source_address=(source, 0))
                conn.request("POST", "/api/sign_in", body=body, headers={
                    "Origin": BASE, "Content-Type": "application/x-www-form-urlencoded"})
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception:  # a refused or reset connection is an answer too
                status = "error"
                if conn is not None:
                    conn.close()
                conn = None
            with lock:
                counts[status] = counts.get(status, 0) + 1

    threads = [threading.Thread(target=flooder, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 35)
    results.update(counts)


manager = multiprocessing.Manager()
flood_statuses = manager.dict()
flooding = multiprocessing.Process(
    target=flood, args=(FLOOD_CONCURRENCY, FLOOD_SECONDS, FLOOD_SOURCES, flood_statuses))
peak_rss = [rss_before]
stop = threading.Event()


def sampler():
    while not stop.is_set():
        peak_rss[0] = max(peak_rss[0], rss_kib())
        time.sleep(0.05)


sampling = threading.Thread(target=sampler, daemon=True)
sampling.start()
flooding.start()
time.sleep(1)  # let the flood build up
during = dashboard_latencies(FLOOD_SECONDS - 1)
flooding.join(timeout=FLOOD_SECONDS + 60)
stop.set()
sampling.join()
flood_statuses = dict(flood_statuses)
time.sleep(1)
rss_after = rss_kib()
hwm = rss_kib("VmHWM")

p95_during = percentile(during, 95)
lines.append(
    f"Flood: {FLOOD_CONCURRENCY} concurrent unauthenticated sign-ins for {FLOOD_SECONDS:.0f} s "
    f"from {FLOOD_CONCURRENCY if FLOOD_SOURCES == 'many' else 1} address(es); answers {dict(sorted(flood_statuses.items(), key=str))}"
)
lines.append(
    f"Resident memory: {rss_before / 1024:.0f} MiB before, peak {max(peak_rss[0], hwm) / 1024:.0f} MiB, "
    f"{rss_after / 1024:.0f} MiB after"
)
lines.append(
    f"Caseworker dashboard (GET /): before p50 {percentile(before, 50):.1f} ms, p95 {percentile(before, 95):.1f} ms; "
    f"during p50 {percentile(during, 50):.1f} ms, p95 {p95_during:.1f} ms ({len(during)} pages)"
)
check(max(peak_rss[0], hwm) <= 300 * 1024, "peak resident memory ≤ 300 MB during the flood")
check(p95_during <= 100, "caseworker dashboard p95 ≤ 100 ms during the flood")
check(flood_statuses.get(500, 0) == 0 and flood_statuses.get("error", 0) == 0, "no 500 and no dropped connection in the flood")


# 2. Parallel wrong passwords for one username, from one fresh address.
def burst(username, n, source):
    results = [None] * n
    barrier = threading.Barrier(n)

    def guess(i):
        barrier.wait()
        status, headers, _, _ = sign_in(username, f"wrong-{i}", source=source)
        results[i] = (status, headers.get("retry-after") or headers.get("Retry-After"))

    workers = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    verified = sum(1 for s, _ in results if s == 401)
    throttled = sum(1 for s, r in results if s == 429 and r)
    lines.append(f"{n} parallel wrong passwords for `{username}`: {verified} verified (401), {throttled} × 429 with Retry-After")
    check(verified <= 5 and verified + throttled == n, f"{n} parallel guesses: ≤ 5 verifications, the rest 429")


burst("shelter", 40, "127.2.0.1")
burst("eastgate", 100, "127.2.0.2")

# 3. Lockout attempt: wrong passwords for admin from another address, then the real user.
attacker = [sign_in("admin", f"guess-{i}", source="127.3.0.1")[0] for i in range(12)]
real, _, _, _ = sign_in("admin", PASSWORD, source="127.0.0.1")
lines.append(f"Lockout attempt: 12 wrong passwords for `admin` from 127.3.0.1 → {attacker.count(401)} × 401, {attacker.count(429)} × 429; the real user from 127.0.0.1 → {real}")
check(real == 200, "the real user still signs in from their address")

print("\n".join(lines))
if failures:
    print(f"\n{len(failures)} goal(s) missed", file=sys.stderr)
    sys.exit(1)
