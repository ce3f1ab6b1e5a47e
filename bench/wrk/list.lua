-- GET /anomalies?limit=50. Each connection pauses between requests to hold a rate: PAUSE_MS
-- (default 2) on average, drawn uniformly from 0..2*PAUSE_MS so connections do not fall into
-- step; JITTER=0 pauses exactly PAUSE_MS:
--   PAUSE_MS=2 wrk -t1 -c10 -d30s --latency -s bench/wrk/list.lua http://127.0.0.1:8090
local pause = tonumber(os.getenv("PAUSE_MS") or "2")
local jitter = os.getenv("JITTER") ~= "0"
math.randomseed(7)

request = function()
  return wrk.format("GET", "/anomalies?limit=50")
end

delay = function()
  if jitter then return math.random(0, 2 * pause) end
  return pause
end
