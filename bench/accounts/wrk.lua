-- wrk script of bench/accounts/run.sh, in one of two modes:
--   -- login ORIGIN PSEUDONYM PASSWORD
--        POST /konto/anmelden with the form (a successful login is 303)
--   -- get FILE [COOKIE]
--        GET the paths in FILE (one per line) in turn, each thread from its
--        own offset, with `Cookie: COOKIE` when given
-- Prints one line "WRKSTAT ..." for the caller.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

local mode
local body
local headers = {}
local paths = {}
local idx = 0

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

function init(args)
  mode = args[1]
  if mode == "login" then
    headers["Origin"] = args[2]
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = "pseudonym=" .. encode(args[3]) .. "&password=" .. encode(args[4])
  elseif mode == "get" then
    for line in io.lines(args[2]) do
      if #line > 0 then
        paths[#paths + 1] = line
      end
    end
    if #paths == 0 then
      error("no paths in " .. tostring(args[2]))
    end
    if args[3] and #args[3] > 0 then
      headers["Cookie"] = args[3]
    end
    idx = (tid - 1) * 31 % #paths
  else
    error("mode must be login or get, not " .. tostring(mode))
  end
end

function request()
  if mode == "login" then
    return wrk.format("POST", "/konto/anmelden", headers, body)
  end
  idx = idx % #paths + 1
  return wrk.format("GET", paths[idx], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKSTAT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
