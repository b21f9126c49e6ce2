-- POST /portal/request-link with a distinct identifier per request: a per-thread counter,
-- plus a fixture customer's address every 50th request (per-identifier limits are raised for the run).
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local fixtures = { "marie.tremblay@example.ca", "luc.cote@example.ca", "emily.smith@example.com" }
local n = 0
local run = os.getenv("BENCH_RUN") or "0"

function request()
  n = n + 1
  local id
  if n % 50 == 0 then
    id = fixtures[(n / 50) % #fixtures + 1]
  else
    id = string.format("nobody-%s-%d-%d@example.org", run, tid, n)
  end
  return wrk.format("POST", "/portal/request-link", { ["Content-Type"] = "application/json" },
    '{"identifier":"' .. id .. '"}')
end
