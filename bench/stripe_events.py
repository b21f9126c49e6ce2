#!/usr/bin/env python3
"""Writes N Stripe events signed as Stripe signs them (t=now, v1 = HMAC-SHA256 of "t.body" keyed by
the whole whsec_ secret), one "signature<TAB>body" line each, for bench/stripe-webhook.lua.

Usage: stripe_events.py SECRET N OUT"""
import hashlib
import hmac
import json
import sys
import time

secret, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = str(int(time.time()))
with open(out, "w") as f:
    for i in range(n):
        body = json.dumps({
            "id": f"evt_bench_{t}_{i:07d}", "object": "event", "type": "payment_intent.succeeded",
            "created": int(t), "livemode": False, "api_version": "2024-06-20",
            "data": {"object": {"id": f"pi_bench_{i:07d}", "object": "payment_intent",
                                "amount": 11498, "currency": "cad", "status": "succeeded",
                                "metadata": {"customer": "CUST-2024-00001"}}},
        }, separators=(",", ":"))
        v1 = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
        f.write(f"t={t},v1={v1}\t{body}\n")
