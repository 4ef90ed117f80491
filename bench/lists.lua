-- wrk script: the agent-side list views on a large database, mixed evenly:
-- my tickets, a team's queue by status and priority, a customer's history.
-- KEFU_TOKEN is a staff session token; AGENTS, TEAMS, CUSTOMERS are the id ranges.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEFU_TOKEN")
local agents = tonumber(os.getenv("AGENTS") or "50")
local teams = tonumber(os.getenv("TEAMS") or "8")
local customers = tonumber(os.getenv("CUSTOMERS") or "200000")
local statuses = {"queued", "assigned", "pending_customer", "escalated"}
local n = 0
request = function()
  n = n + 1
  local kind = n % 3
  local path
  if kind == 0 then
    path = "/api/v1/tickets?assignee=" .. math.random(1, agents) .. "&status=assigned,pending_customer&limit=50"
  elseif kind == 1 then
    path = "/api/v1/tickets?team=" .. math.random(1, teams) .. "&status=" .. statuses[math.random(1, #statuses)] .. "&sort=urgent&limit=50"
  else
    path = "/api/v1/tickets?customer_id=" .. math.random(1, customers) .. "&limit=50"
  end
  return wrk.format("GET", path)
end
local errors = 0
response = function(status)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non200=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, errors))
end
