-- wrk script for bench/serve.
--   AIGOV_BENCH_TOKEN  when set, every request carries "Authorization: Bearer TOKEN"
--                      (read from the environment so it is not on a command line)
--   AIGOV_BENCH_PATHS  when set, a comma-separated list of paths requested in
--                      turn (the soak's mixed load; "!" before a path sends it
--                      without the token); else wrk's URL path only
-- At the end it prints one line "BENCHJSON {...}" with the counts and the
-- latency percentiles in microseconds, which bench/serve/run reads.
local token = os.getenv("AIGOV_BENCH_TOKEN")
if token == "" then token = nil end
if token then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local paths = {}
local spec = os.getenv("AIGOV_BENCH_PATHS")
if spec and spec ~= "" then
  for p in string.gmatch(spec, "[^,]+") do
    paths[#paths + 1] = p
  end
end

local plain = {}
for k, v in pairs(wrk.headers) do
  if k ~= "Authorization" then plain[k] = v end
end

local n = 0
function setup(thread)
  n = n + 1
  thread:set("offset", n * 7)
end

local i = 0
if #paths > 0 then
  function request()
    i = i + 1
    local p = paths[((i + (offset or 0)) % #paths) + 1]
    if string.sub(p, 1, 1) == "!" then
      return wrk.format(nil, string.sub(p, 2), plain)
    end
    return wrk.format(nil, p)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
