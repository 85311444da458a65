-- wrk script for bench/http_bench.py: counts responses by HTTP status in every wrk thread, then prints one line
-- "BENCHJSON {...}" with the totals, latency percentiles (microseconds), socket errors and the share of responses
-- that took at most 2 s. The same script runs for every endpoint, the static baseline included.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

-- Percent of recorded latencies at or below `limit` microseconds, by bisection over latency:percentile().
local function share_within(latency, limit)
  if latency.max <= limit then
    return 100.0
  end
  local low, high = 0.0, 100.0
  for _ = 1, 40 do
    local middle = (low + high) / 2
    if latency:percentile(middle) <= limit then
      low = middle
    else
      high = middle
    end
  end
  return low
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for status, n in pairs(counts) do
      merged[status] = (merged[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "within_2s_pct": %.2f, "errors": {"connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d}, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, share_within(latency, 2000000), e.connect, e.read, e.write,
    e.status, e.timeout, table.concat(parts, ", ")
  ))
end
