-- wrk script: GET /health, the ceiling of the HTTP stack (no token, no store).
dofile("infra/bench/common.lua")

function request()
  return wrk.format("GET", "/health")
end
