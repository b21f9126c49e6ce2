#!/usr/bin/env python3
"""Timing report for POST /portal/request-link (or, with `verify-code`, POST /portal/verify-code with a
wrong code): matching vs non-matching identifiers.

The answer must not reveal whether an identifier names a customer, in content or in time.
Sends N requests of each kind, interleaved in ABBA order (so drift hits both alike), one at a time over one
keep-alive connection, and compares the median latencies. Each non-matching identifier is the twin of a
matching one (same kind, same length, sent as often: `@example.` becomes `@exemple.`, the phone number's
last digit changes), so that the kinds differ in nothing but whether a customer has that identifier. With
unique 30-character addresses instead, non-matching requests were 2-4% slower on SQLite for reasons that
have nothing to do with matching (a new rate-limit row per request instead of an update, a longer string):
two halves of the matching set differed by as much (docs/benchmarks.md, 2026-11-28 session 12).

With `verify-code`, every request sends a wrong code. A matching identifier then has a live code (a new
link is requested for every fixture, untimed, before its code has taken 4 guesses), so its wrong code
counts an attempt and a failure in the database; the twin's has no code. Run it against a hub or
portal-auth whose limits are raised (LINK_LIMIT_PER_IDENTIFIER, LINK_LIMIT_PER_IP, CODE_FAILURES_PER_MINUTE).

Usage: timing.py HOST PORT [N] [verify-code]   (prints `TIMING ...` lines; exit 0 even on a miss: bench.sh judges)
"""
import http.client
import json
import os
import statistics
import sys
import time

FIXTURES = [
    "marie.tremblay@example.ca", "famille.gagnon@example.ca", "luc.cote@example.ca",
    "isabelle.bouchard@example.ca", "patrick.obrien@example.com", "emily.smith@example.com",
    "minh.nguyen@example.ca", "chantal.levesque@example.ca", "mathieu.roy@example.ca",
    "nathalie.gauthier@example.ca", "514 555-0147",
]
# No customer of the sandbox's fixtures has an `exemple.*` address or the number 514 555-0146.
NON_MATCHING = [f.replace("@example.", "@exemple.").replace("0147", "0146") for f in FIXTURES]


def post(conn, identifier, code=None):
    """One request, timed: a link request, or a code check when `code` is given."""
    path, expected, fields = "/portal/request-link", 200, {"identifier": identifier}
    if code is not None:
        path, expected, fields = "/portal/verify-code", 400, {"identifier": identifier, "code": code}
    body = json.dumps(fields)
    started = time.perf_counter()
    conn.request("POST", path, body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    elapsed = time.perf_counter() - started
    if resp.status != expected:
        raise SystemExit(f"{path} answered {resp.status}")
    return elapsed


def fresh_codes(conn):
    """A new link (and code) for every fixture, then a moment for the link worker to store them."""
    for f in FIXTURES:
        post(conn, f)
    time.sleep(0.5)


def national_digits(text):
    return "".join(c for c in text if c.isdigit())[-10:]


def check_none_matched():
    """Refuses to run if a twin names a fixture customer (the hub's sandbox is seeded from that file)."""
    path = os.path.join(os.path.dirname(__file__), "../crates/erp-sandbox/fixtures/customers.json")
    with open(path, encoding="utf-8") as f:
        values = [str(v).lower() for c in json.load(f) for v in c.values()]
    numbers = {national_digits(v) for v in values}
    for twin in NON_MATCHING:
        if twin in values or ("@" not in twin and national_digits(twin) in numbers):
            raise SystemExit(f"{twin} names a fixture customer: pick another non-matching twin")


def main():
    check_none_matched()
    host, port = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    code = "000000" if "verify-code" in sys.argv[4:] else None
    conn = http.client.HTTPConnection(host, port, timeout=10)
    # Warm up the connection and the server's caches.
    for i in range(20):
        post(conn, f"warmup-{i}@example.org")
    matching, other = [], []
    for i in range(n):
        # Each fixture is guessed once every len(FIXTURES) rounds: 4 guesses, then a fresh code.
        if code is not None and i % (4 * len(FIXTURES)) == 0:
            fresh_codes(conn)
        # Alternate which kind goes first, so each kind follows the other equally often
        # (background work started by one request cannot bias the other kind).
        first_matching = i % 2 == 0
        for kind in ((True, False) if first_matching else (False, True)):
            if kind:
                matching.append(post(conn, FIXTURES[i % len(FIXTURES)], code))
            else:
                other.append(post(conn, NON_MATCHING[i % len(NON_MATCHING)], code))
    m, o = statistics.median(matching), statistics.median(other)
    ratio = m / o
    what = "verify-code" if code is not None else "request-link"
    print(f"TIMING {what} matching_median_ms={m * 1000:.3f} nonmatching_median_ms={o * 1000:.3f} "
          f"ratio={ratio:.3f} n={n}")


if __name__ == "__main__":
    main()
