-- wrk script: GET /v1/daily/2000-01-01 as N users (the day the entries run filled).
dofile("infra/bench/common.lua")

request = get_as_users("/v1/daily/2000-01-01")
