-- wrk script of bench/drawings/run.sh, in one of two modes:
--   -- create FILE   POST /api/drawings with FILE (a GeoJSON FeatureCollection)
--   -- read FILE     GET /api/drawings/{id}, cycling through the ids in FILE
--                    (one per line), each thread from its own offset
-- Prints one line "WRKSTAT ..." for the caller.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

local mode
local body
local ids = {}
local idx = 0

function init(args)
  mode = args[1]
  if mode == "create" then
    local file = assert(io.open(args[2], "rb"))
    body = file:read("*a")
    file:close()
  elseif mode == "read" then
    for line in io.lines(args[2]) do
      if #line > 0 then
        ids[#ids + 1] = line
      end
    end
    if #ids == 0 then
      error("no ids in " .. tostring(args[2]))
    end
    idx = (tid - 1) * 97 % #ids
  else
    error("mode must be create or read, not " .. tostring(mode))
  end
end

function request()
  if mode == "create" then
    return wrk.format("POST", "/api/drawings?title=Bench",
      { ["Content-Type"] = "application/geo+json" }, body)
  end
  idx = idx % #ids + 1
  return wrk.format("GET", "/api/drawings/" .. ids[idx])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKSTAT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
