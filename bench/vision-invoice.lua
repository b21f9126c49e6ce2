-- POST /vision/invoice as staff (Authentik's headers from a trusted proxy, loopback) with one
-- photographed invoice (BENCH_VISION_BODY, multipart with BENCH_VISION_BOUNDARY), no idempotency
-- key: every request is checked (JPEG decoded), read by the fake Gemini, checked and recorded with its
-- vision.invoice.extracted event.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local body
local headers = {}

function init(args)
  local f = assert(io.open(os.getenv("BENCH_VISION_BODY"), "rb"))
  body = f:read("*a")
  f:close()
  headers["Content-Type"] = "multipart/form-data; boundary=" .. os.getenv("BENCH_VISION_BOUNDARY")
  headers["X-authentik-username"] = "bench"
  headers["X-authentik-groups"] = "accounting"
end

function request()
  return wrk.format("POST", "/vision/invoice", headers, body)
end
