-- Sliding-window counter (the previous fixed window's count, weighted by how much of it the sliding window still
-- covers, plus the current one's), atomic in one call. One key per counter (a hash: w = window index, c = its
-- count, p = the previous window's), so it is safe on Redis Cluster; Redis's clock, so every gateway agrees.
-- KEYS[1] counter; ARGV limit, window ms, cost. Returns {allowed 1|0, remaining, ms to window end, retry ms}.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idx = math.floor(now / window)
local v = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local w = tonumber(v[1])
local c = tonumber(v[2]) or 0
local p = tonumber(v[3]) or 0
if w == nil then
  c = 0; p = 0
elseif w == idx - 1 then
  p = c; c = 0
elseif w ~= idx then
  c = 0; p = 0
end
local elapsed = now - idx * window
local used = math.floor(p * (window - elapsed) / window) + c
if used + cost > limit then
  local retry = window - elapsed
  if c + cost <= limit and p > 0 then
    retry = math.ceil(window - elapsed - (limit - c - cost) * window / p)
  end
  if retry < 1 then retry = 1 end
  return {0, math.max(0, limit - used), window - elapsed, retry}
end
c = c + cost
redis.call('HSET', KEYS[1], 'w', idx, 'c', c, 'p', p)
redis.call('PEXPIRE', KEYS[1], window * 2)
return {1, limit - used - cost, window - elapsed, 0}
