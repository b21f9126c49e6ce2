-- POST /webhook/stripe with events signed beforehand (bench/stripe_events.py writes them, one
-- "signature<TAB>body" line each, to BENCH_WEBHOOKS): each thread takes every other line and cycles,
-- so the first pass records new events and later passes are Stripe's redeliveries (answered 200, not
-- recorded twice).
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local requests = {}
local n = 0

function init(args)
  local i = 0
  for line in io.lines(os.getenv("BENCH_WEBHOOKS")) do
    if i % 2 == tid then
      local signature, body = line:match("^([^\t]+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/webhook/stripe",
        { ["Content-Type"] = "application/json", ["Stripe-Signature"] = signature }, body)
    end
    i = i + 1
  end
end

function request()
  n = n % #requests + 1
  return requests[n]
end
