-- wrk script for bench/otp_peer.py: one OTP check a request, every code fresh and used once.
-- Environment: BENCH_CODES (a file, one line per request: "<bearer token or -> <body>"),
-- BENCH_PATH, BENCH_CONTENT_TYPE, BENCH_THREADS (wrk's -t). Each wrk thread takes every n-th
-- line. A check passed is a 204 (kyso) or a 200 whose JSON says "value": true
-- (privacyIDEA's /validate/check answers 200 to a wrong code too); anything else counts as
-- rejected. done() prints one JSON line: requests, seconds, rejected, socket errors, p50/p99.

local counter, threads = 0, {}

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local tid = tonumber(wrk.thread:get("tid"))
  local n = tonumber(os.getenv("BENCH_THREADS") or "2")
  lines, next_line, rejected = {}, 1, 0
  local i = 0
  for line in io.lines(os.getenv("BENCH_CODES")) do
    if i % n == tid then table.insert(lines, line) end
    i = i + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
  path = os.getenv("BENCH_PATH")
end

function request()
  local line = lines[next_line] or lines[1]  -- past the end: a spent code, counted rejected
  next_line = next_line + 1
  local bearer, body = line:match("^(%S+) (.*)$")
  local headers = nil
  if bearer ~= "-" then
    headers = {["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE"),
               ["Authorization"] = "Bearer " .. bearer}
  end
  return wrk.format(nil, path, headers, body)
end

function response(status, headers, body)
  if not (status == 204 or (status == 200 and body:find('"value":%s*true'))) then
    rejected = rejected + 1
  end
end

function done(summary, latency, requests)
  local r = 0
  for _, thread in ipairs(threads) do r = r + (thread:get("rejected") or 0) end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%f,"rejected":%d,"socket_errors":%d,"p50":%f,"p99":%f}\n',
    summary.requests, summary.duration / 1e6, r, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
