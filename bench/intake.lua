-- wrk script: ticket intake (ticket + first message + events, validated, authenticated,
-- durable before the 201). KEFU_KEY is a channel API key.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEFU_KEY")

-- IDEMPOTENCY=1: every request carries its own Idempotency-Key, as mobile clients send.
local idempotent = os.getenv("IDEMPOTENCY") == "1"
local thread_tag = tostring(math.random(1, 2^31)) .. tostring(os.clock())
local n = 0
request = function()
  n = n + 1
  if idempotent then
    wrk.headers["Idempotency-Key"] = "bench-" .. thread_tag .. "-" .. n
  end
  local body = '{"customer":{"external_id":"bench-' .. (n % 20000) ..
    '","name":"压测用户"},"subject":"账号登录不了","body":"我的账号登录不了，验证码一直收不到，换了手机号也不行，请帮忙看看。",' ..
    '"category":"account","priority":"normal","context":{"app_version":"30.1.0","os":"android"}}'
  return wrk.format(nil, nil, nil, body)
end

local errors = 0
response = function(status)
  if status ~= 201 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f non201=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
