-- wrk script: GET /v1/reports/fiscal-year/2025-2026 as N users, each with the generated
-- 1 652-entry year load.sh uploaded for them.
dofile("infra/bench/common.lua")

request = get_as_users("/v1/reports/fiscal-year/2025-2026")
