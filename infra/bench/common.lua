-- Shared by the wrk scripts (loaded with dofile from the repository root, where
-- load.sh runs wrk): a per-thread id, the users' tokens, and a count of non-2xx
-- answers by status, printed at the end.
local thread_counter = 0
local all_threads = {}
function setup(thread)
  thread:set("id", thread_counter)
  thread_counter = thread_counter + 1
  all_threads[#all_threads + 1] = thread
end

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

tokens, threads = {}, 1
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  threads = tonumber(args[2])
end

-- A request() that GETs `path` as the users in turn.
local counter = 0
function get_as_users(path)
  return function()
    counter = counter + 1
    local user = (counter + id) % #tokens + 1
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[user] })
  end
end
