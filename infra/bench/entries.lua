-- wrk script: POST /v1/entries as N users, each request a new non-overlapping slot of
-- its user (30-minute slots from 06:00, then the next day), so every write is a real
-- validated insert, not a conflict.
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

local tokens, threads, counter = {}, 1, 0

function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  threads = tonumber(args[2])
end

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
