-- GET /anomalies/{id} for ids picked at random from IDS (default ids.txt: `Fraud.LoadTest ids`),
-- each connection pausing PAUSE_MS (default 2) between requests to hold a fixed rate:
--   PAUSE_MS=2 wrk -t1 -c6 -d30s --latency -s bench/wrk/by-id.lua http://127.0.0.1:8090
local ids = {}
for line in io.lines(os.getenv("IDS") or "ids.txt") do
  ids[#ids + 1] = line
end
assert(#ids > 0, "no ids: run Fraud.LoadTest ids --url URL --out ids.txt first")
local pause = tonumber(os.getenv("PAUSE_MS") or "2")
math.randomseed(7)

request = function()
  return wrk.format("GET", "/anomalies/" .. ids[math.random(#ids)])
end

delay = function() return pause end
