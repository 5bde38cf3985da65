-- wrk script: GET /v1/daily/2000-01-01 as N users (the day the entries run filled).
local thread_counter = 0
local all_threads = {}
function setup(thread)
  thread:set("id", thread_counter)
  thread_counter = thread_counter + 1
  all_threads[#all_threads + 1] = thread
end

-- Counts answers that are not 2xx by status, printed at the end.
failures = {}
function response(status)
  if status >= 300 then failures[status] = (failures[status] or 0) + 1 end
end

function done()
  for _, thread in ipairs(all_threads) do
    local f = thread:get("failures")
    for status, n in pairs(f) do io.write(string.format("status %d: %d responses\n", status, n)) end
  end
end

local tokens, counter = {}, 0

function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
end

function request()
  counter = counter + 1
  local user = (counter + id) % #tokens + 1
  return wrk.format("GET", "/v1/daily/2000-01-01", { ["Authorization"] = "Bearer " .. tokens[user] })
end
