-- wrk script of bench/drawings/run.sh: POST /api/drawings with the body
-- file given after "--" (a GeoJSON FeatureCollection). Prints one line
-- "WRKSTAT ..." for the caller.

local body

function init(args)
  local file = assert(io.open(args[1], "rb"))
  body = file:read("*a")
  file:close()
end

function request()
  return wrk.format("POST", "/api/drawings?title=Bench",
    { ["Content-Type"] = "application/geo+json" }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKSTAT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
