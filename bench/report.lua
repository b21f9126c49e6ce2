-- Shared by every wrk run of scripts/bench.sh: one machine-readable line at the end.
-- Latencies are in microseconds; `bad` counts non-2xx answers and socket errors.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local bad = e.status + e.connect + e.read + e.write + e.timeout
  io.write(string.format("BENCH rps=%.0f p50_us=%d p99_us=%d requests=%d bad=%d\n",
    summary.requests / secs, latency:percentile(50), latency:percentile(99), summary.requests, bad))
end
