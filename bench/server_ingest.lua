-- bench/server_ingest.lua - wrk script for bench/server.sh: each request
-- posts LINES Falco JSON alerts (one a line) to /api/v1/nodes/NODE/alert
-- with an X-Comb-Record-Id no other request of the run uses, as an agent
-- would. env: TOKEN (an operator token), RUN (unique per run), NODE, LINES.
local threads = 0
function setup(thread)
  thread:set("id", threads) -- a global of that thread's interpreter
  threads = threads + 1
end

local alert = '{"output":"12:00:00.000000000: Notice A shell was spawned in a container with an attached terminal'
  .. ' (user=root container_id=4f2e1a9b7c3d container_name=web shell=bash parent=runc cmdline=bash terminal=34816)",'
  .. '"priority":"Notice","rule":"Terminal shell in container","source":"syscall",'
  .. '"tags":["container","shell","mitre_execution"],"time":"2026-11-28T12:00:00.000000000Z",'
  .. '"output_fields":{"container.id":"4f2e1a9b7c3d","container.name":"web","proc.cmdline":"bash",'
  .. '"proc.name":"bash","user.name":"root"}}\n'
local body = string.rep(alert, tonumber(os.getenv("LINES") or "1"))
local path = "/api/v1/nodes/" .. (os.getenv("NODE") or "node-bench") .. "/alert"
local auth = "Bearer " .. os.getenv("TOKEN")
local run = os.getenv("RUN") or "run"
local counter = 0

function request()
  counter = counter + 1
  local headers = { ["Authorization"] = auth, ["Content-Type"] = "application/x-ndjson",
                    ["X-Comb-Record-Id"] = string.format("%s-%d-%d", run, id, counter) }
  return wrk.format("POST", path, headers, body)
end
