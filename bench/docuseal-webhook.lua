-- POST /accept/docuseal-webhook with DocuSeal's secret header (BENCH_SECRET): every request a new
-- form.viewed (its submitter id numbered per thread and run), for an envelope of no quote, so each is
-- checked, recorded and answered 200, then processed off the request path as an unknown envelope.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n = 0
local base = 0
local headers = {}

function init(args)
  base = (tonumber(os.getenv("BENCH_RUN") or "0") * 16 + tid) * 100000000
  headers["Content-Type"] = "application/json"
  headers["User-Agent"] = "DocuSeal.com Webhook"
  headers["X-Docuseal-Secret"] = os.getenv("BENCH_SECRET")
end

function request()
  n = n + 1
  local id = base + n
  local body = string.format(
    '{"event_type":"form.viewed","timestamp":"2026-12-07T12:00:00.000Z","data":{"id":%d,"submission_id":%d,"email":"bench@example.ca","status":"opened"}}',
    id, id)
  return wrk.format("POST", "/accept/docuseal-webhook", headers, body)
end
