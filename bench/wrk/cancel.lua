-- Shoppers cancelling their own orders through POST /api/orders/cancel,
-- each order once, named by X-USER-ID (the server trusts it for the
-- benchmark), each request with a key of its own. ORDERS_FILE lists the
-- orders, one "order_id user_id" a line; thread `tid` takes lines tid+1,
-- tid+1+WRK_THREADS, … in turn, so WRK_REQUESTS (the number of lines) must
-- be a multiple of WRK_THREADS.
package.path = os.getenv("WRK_SCRIPTS") .. "/?.lua;" .. package.path
require("report")

local orders = {}
for line in io.lines(os.getenv("ORDERS_FILE")) do
  local order, user = line:match("^(%d+) (%d+)$")
  if order then
    table.insert(orders, { tonumber(order), tonumber(user) })
  end
end
local run = os.getenv("RUN_ID") or "cancel"
local reserved = 0
local sent = 0

-- How many orders this thread cancels.
local function share()
  return math.floor((#orders - tid - 1) / thread_count) + 1
end

function init(args)
  assert(#orders % thread_count == 0,
    "cancel.lua: " .. #orders .. " orders for " .. thread_count .. " threads")
end

-- wrk asks before every request of a connection: it goes on at once while
-- an order of this thread's share is left (taken here, so two connections
-- never both count on the last one), and otherwise waits; the thread stops
-- when its whole share is answered, so no order is asked for twice. Only a
-- request lost to a socket error leaves a thread short: after 10 s a
-- waiting connection asks for order 0 instead, which is refused (not 200),
-- and the run still ends.
function delay()
  if reserved < share() then
    reserved = reserved + 1
    return 0
  end
  return 10000
end

local function cancel(id, user)
  local body = string.format(
    '{"order_id":%d,"idempotency_key":"%s-%d-%d","reason":"bench"}',
    id, run, tid, sent)
  return wrk.format("POST", "/api/orders/cancel", {
    ["Content-Type"] = "application/json",
    ["X-USER-ID"] = tostring(user),
  }, body)
end

function request()
  -- wrk builds one request of the first thread before anything runs, to
  -- check it, and never sends it: that one takes no order.
  if reserved == 0 then
    return cancel(0, orders[1][2])
  end
  sent = sent + 1
  if sent > share() then
    return cancel(0, orders[1][2])
  end
  local order = orders[(sent - 1) * thread_count + tid + 1]
  return cancel(order[1], order[2])
end
