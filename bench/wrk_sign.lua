-- wrk script for bench/serve.py: CSC signatures/signHash, every request with its own SAD.
-- Environment: BENCH_SADS (a file, one line per request: "SAD b64hash[,b64hash…]"),
-- BENCH_TOKEN (the bearer token), BENCH_CREDENTIAL, BENCH_THREADS (wrk's -t), BENCH_PATH
-- (the floor app's path instead of signHash). Each wrk thread takes every n-th line. A line
-- may end with " credentialID token": that request is that customer's (bench/nodes.py spreads
-- the load over several credentials).
-- done() prints one JSON line: requests, seconds, non-2xx, socket errors, p50/p99 (ms).

local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local tid = tonumber(wrk.thread:get("tid"))
  local n = tonumber(os.getenv("BENCH_THREADS") or "2")
  lines, next_line = {}, 1
  local i = 0
  for line in io.lines(os.getenv("BENCH_SADS")) do
    if i % n == tid then table.insert(lines, line) end
    i = i + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  credential = os.getenv("BENCH_CREDENTIAL")
  path = os.getenv("BENCH_PATH") or "/csc/v2/signatures/signHash"
end

function request()
  -- past the end: a SAD kyso never granted, refused and counted non-2xx (a spent one
  -- would be a repeated call, answered from the kept signatures without signing)
  local line = lines[next_line] or ("exhausted " .. lines[1]:match("^%S+ (.*)$"))
  next_line = next_line + 1
  local sad, hashes, rest = line:match("^(%S+) (%S+)(.*)$")
  local quoted = '"' .. hashes:gsub(",", '","') .. '"'
  local own, token = rest:match("^ (%S+) (%S+)$")
  local body = '{"credentialID":"' .. (own or credential) .. '","SAD":"' .. sad ..
    '","signAlgo":"1.2.840.113549.1.1.11","hashes":[' .. quoted .. ']}'
  local headers = nil
  if token then
    headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
  end
  return wrk.format(nil, path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%f,"non2xx":%d,"socket_errors":%d,"p50":%f,"p99":%f}\n',
    summary.requests, summary.duration / 1e6, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
