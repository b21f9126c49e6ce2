#!/usr/bin/env python3
"""Timing report for POST /portal/request-link: matching vs non-matching identifiers.

The answer must not reveal whether an identifier names a customer, in content or in time.
Sends N requests of each kind, interleaved in ABBA order (so drift hits both alike), one at a time over one
keep-alive connection, and compares the median latencies.

Usage: timing.py HOST PORT [N]   (prints `TIMING ...` lines; exit 0 even on a miss: bench.sh judges)
"""
import http.client
import json
import statistics
import sys
import time

FIXTURES = [
    "marie.tremblay@example.ca", "famille.gagnon@example.ca", "luc.cote@example.ca",
    "isabelle.bouchard@example.ca", "patrick.obrien@example.com", "emily.smith@example.com",
    "minh.nguyen@example.ca", "chantal.levesque@example.ca", "mathieu.roy@example.ca",
    "nathalie.gauthier@example.ca", "514 555-0147",
]


def post(conn, identifier):
    body = json.dumps({"identifier": identifier})
    started = time.perf_counter()
    conn.request("POST", "/portal/request-link", body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    elapsed = time.perf_counter() - started
    if resp.status != 200:
        raise SystemExit(f"request-link answered {resp.status}")
    return elapsed


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    conn = http.client.HTTPConnection(host, port, timeout=10)
    # Warm up the connection and the server's caches.
    for i in range(20):
        post(conn, f"warmup-{i}@example.org")
    matching, other = [], []
    for i in range(n):
        # Alternate which kind goes first, so each kind follows the other equally often
        # (background work started by one request cannot bias the other kind).
        first_matching = i % 2 == 0
        for kind in ((True, False) if first_matching else (False, True)):
            if kind:
                matching.append(post(conn, FIXTURES[i % len(FIXTURES)]))
            else:
                other.append(post(conn, f"nobody-timing-{i}@example.org"))
    m, o = statistics.median(matching), statistics.median(other)
    ratio = m / o
    print(f"TIMING matching_median_ms={m * 1000:.3f} nonmatching_median_ms={o * 1000:.3f} "
          f"ratio={ratio:.3f} n={n}")


if __name__ == "__main__":
    main()
