-- Shared by the benchmark's wrk scripts: stops each thread after its share
-- of WRK_REQUESTS answers, counts answers by status, and prints one JSON
-- line of figures when wrk is done.
--
-- wrk itself runs for its whole -d duration even when every thread has
-- stopped, so the last thread to finish interrupts it (SIGINT, which wrk
-- takes as "stop and report"); threads mark themselves done with a file in
-- WRK_DONE_DIR to find out which one is last.
local ffi = require("ffi")
ffi.cdef [[
  int kill(int pid, int sig);
  int getpid(void);
]]
local SIGINT = 2
local done_dir = os.getenv("WRK_DONE_DIR")
local threads = {}
thread_count = tonumber(os.getenv("WRK_THREADS") or "2")
local limit = math.ceil(tonumber(os.getenv("WRK_REQUESTS") or "1000") / thread_count)

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

statuses = {}
answered = 0

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  answered = answered + 1
  if answered == limit then
    wrk.thread:stop()
    finished()
  end
end

function finished()
  local mark = io.open(done_dir .. "/" .. tid, "w")
  mark:close()
  for i = 0, thread_count - 1 do
    local other = io.open(done_dir .. "/" .. i, "r")
    if not other then
      return
    end
    other:close()
  end
  ffi.C.kill(ffi.C.getpid(), SIGINT)
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"timeouts":%d,"socket_errors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.timeout, e.connect + e.read + e.write, table.concat(parts, ",")))
end
