-- wrk script: POST /v1/entries as N users, each request a new non-overlapping slot of
-- its user (30-minute slots from 06:00, then the next day), so every write is a real
-- validated insert, not a conflict.
dofile("infra/bench/common.lua")

local counter = 0

function request()
  local s = counter * threads + id
  counter = counter + 1
  local user = s % #tokens + 1
  local k = math.floor(s / #tokens)
  local day, slot = math.floor(k / 30), k % 30
  local start = 360 + slot * 30
  local finish = start + 25
  local body = string.format(
    '{"date":"%s","startTime":"%02d:%02d","endTime":"%02d:%02d","task":"Load test entry","project":"Load","tags":["bench"]}',
    os.date("!%Y-%m-%d", 946684800 + day * 86400), math.floor(start / 60), start % 60, math.floor(finish / 60), finish % 60)
  return wrk.format("POST", "/v1/entries", { ["Authorization"] = "Bearer " .. tokens[user], ["Content-Type"] = "application/json" }, body)
end
