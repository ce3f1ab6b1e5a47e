-- GET /anomalies/{id} for ids picked at random from IDS (default ids.txt: `Fraud.LoadTest ids`).
-- Each connection pauses between requests to hold a rate: PAUSE_MS (default 2) on average,
-- drawn uniformly from 0..2*PAUSE_MS so connections do not fall into step and arrive in bursts;
-- JITTER=0 pauses exactly PAUSE_MS (every connection in step: the burstiest load):
--   PAUSE_MS=2 wrk -t1 -c5 -d30s --latency -s bench/wrk/by-id.lua http://127.0.0.1:8090
local ids = {}
for line in io.lines(os.getenv("IDS") or "ids.txt") do
  ids[#ids + 1] = line
end
assert(#ids > 0, "no ids: run Fraud.LoadTest ids --url URL --out ids.txt first")
local pause = tonumber(os.getenv("PAUSE_MS") or "2")
local jitter = os.getenv("JITTER") ~= "0"
math.randomseed(7)

request = function()
  return wrk.format("GET", "/anomalies/" .. ids[math.random(#ids)])
end

delay = function()
  if jitter then return math.random(0, 2 * pause) end
  return pause
end
