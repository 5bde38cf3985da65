-- wrk script: GET /v1/daily/2000-01-01 as N users (the day the entries run filled).
dofile("infra/bench/common.lua")

local counter = 0

function request()
  counter = counter + 1
  local user = (counter + id) % #tokens + 1
  return wrk.format("GET", "/v1/daily/2000-01-01", { ["Authorization"] = "Bearer " .. tokens[user] })
end
