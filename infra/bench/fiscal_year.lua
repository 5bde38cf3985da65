-- wrk script: GET /v1/reports/fiscal-year/2025-2026 as N users, each with the generated
-- 1 652-entry year load.sh uploaded for them.
dofile("infra/bench/common.lua")

local counter = 0

function request()
  counter = counter + 1
  local user = (counter + id) % #tokens + 1
  return wrk.format("GET", "/v1/reports/fiscal-year/2025-2026", { ["Authorization"] = "Bearer " .. tokens[user] })
end
