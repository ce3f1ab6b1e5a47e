-- GET /anomalies?limit=50, each connection pausing PAUSE_MS (default 2) between requests:
--   PAUSE_MS=2 wrk -t1 -c10 -d30s --latency -s bench/wrk/list.lua http://127.0.0.1:8090
local pause = tonumber(os.getenv("PAUSE_MS") or "2")

request = function()
  return wrk.format("GET", "/anomalies?limit=50")
end

delay = function() return pause end
