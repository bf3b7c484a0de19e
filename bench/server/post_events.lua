-- wrk script: each request POSTs a batch of BATCH events (env WRK_BATCH, default 50) with ids
-- unique across threads and runs, for customers c1..cN (env WRK_CUSTOMERS, default 1000). Event
-- times advance by a second per event from 2024-12-01T10:00:00Z, so every event changes its
-- customer's last visit: no request repeats another's work.
local batch = tonumber(os.getenv("WRK_BATCH") or "50")
local customers = tonumber(os.getenv("WRK_CUSTOMERS") or "1000")
local run = os.getenv("WRK_RUN") or tostring(os.time())
local key = os.getenv("WINBACK_API_KEY") or ""
-- env WRK_DELAY_MS: each connection waits this long after an answer before its next request,
-- which bounds the offered rate (about connections x batch / (delay + latency)); 0: as fast as
-- the server answers (a closed loop at saturation).
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
local threads = {}
local counter = 0
local base_time = 1733047200  -- 2024-12-01T10:00:00Z
-- `thread_id` is a global that setup() gives each thread (thread:set); a local of that name
-- here would hide it, and both threads would send the same ids (each second request a replay).

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. key
end

function request()
  counter = counter + 1
  local parts = {}
  for i = 1, batch do
    local n = (counter * batch + i)
    local cid = "c" .. ((n * 7919 + thread_id) % customers + 1)
    local time = os.date("!%Y-%m-%dT%H:%M:%SZ", base_time + n)
    parts[i] = string.format(
      '{"id":"w%s-%d-%d-%d","customer_id":"%s","type":"visit","time":"%s"}',
      run, thread_id, counter, i, cid, time)
  end
  return wrk.format(nil, "/v1/events", nil, "[" .. table.concat(parts, ",") .. "]")
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("batch=%d requests=%d errors_status=%d duration_s=%.2f\n", batch,
    summary.requests, summary.errors.status, summary.duration / 1e6))
  io.write(string.format("events_per_s=%.0f\n", summary.requests * batch / (summary.duration / 1e6)))
  for _, p in pairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s_ms=%.2f\n", p, latency:percentile(p) / 1000))
  end
end
