-- wrk script for homeport's benchmarks (bench/loadgen.py builds the command line).
--
-- wrk -s bench/wrk.lua URL -- MODE TOKEN TARGET LABEL EXPECT LIMIT
--   MODE    get:   GET one path per request, round-robin over the lines of the file TARGET
--           again: POST /subscribe/payments/again for customer_uid TARGET, a fresh merchant_uid
--                  per request ("bench-LABEL-<thread>-<n>"), so no request repeats an order
--   TOKEN   the Authorization header ("-" for none)
--   LABEL   makes merchant_uids unique across runs (warm-up and measurement differ)
--   EXPECT  a response counts as expected only with HTTP 200 and a body containing EXPECT
--   LIMIT   requests per thread; the thread stops after that many responses (bounded runs)
--
-- done() prints one line "WRK_JSON {...}" with the figures (latencies in microseconds) and,
-- if any response was unexpected, one line "WRK_UNEXPECTED <status> <start of body>".
-- The per-request work here is kept small (preformatted GET requests, one plain find on the
-- body) so wrk stays far cheaper per request than the server it measures.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  mode, token, target, label, expect = args[1], args[2], args[3], args[4], args[5]
  limit = tonumber(args[6])
  answered, unexpected, first_unexpected = 0, 0, nil
  sent = 0
  wrk.headers["Content-Type"] = "application/json"
  if token ~= "-" then
    wrk.headers["Authorization"] = token
  end
  if mode == "get" then
    prepared = {}
    for path in io.lines(target) do
      table.insert(prepared, wrk.format("GET", path))
    end
    if #prepared == 0 then
      error("no paths in " .. target)
    end
  elseif mode == "again" then
    body_format = '{"customer_uid":"' .. target .. '","merchant_uid":"bench-' .. label .. "-"
      .. thread_id .. '-%d","amount":1000,"name":"homeport bench"}'
  else
    error("unknown mode " .. tostring(mode))
  end
end

function request()
  sent = sent + 1
  if mode == "get" then
    return prepared[(sent - 1) % #prepared + 1]
  end
  return wrk.format("POST", "/subscribe/payments/again", nil, string.format(body_format, sent))
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or not string.find(body, expect, 1, true) then
    unexpected = unexpected + 1
    if first_unexpected == nil then
      first_unexpected = status .. " " .. string.sub(body, 1, 400):gsub("[\r\n]", " ")
    end
  end
  if answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local unexpected_total, first = 0, nil
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
    first = first or thread:get("first_unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,'
      .. '"write_errors":%d,"status_errors":%d,"timeouts":%d,"unexpected":%d,'
      .. '"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, unexpected_total, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
  if first ~= nil then
    io.write("WRK_UNEXPECTED ", first, "\n")
  end
end
