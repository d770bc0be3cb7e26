-- A claim rush through POST /api/coupons/issue: USERS shoppers from
-- FIRST_USER on (named by X-USER-ID; the server trusts it for the
-- benchmark) each claim campaign CAMPAIGN once. Thread `tid` takes users
-- FIRST_USER+tid, +WRK_THREADS, … in turn, so WRK_REQUESTS (USERS) must be
-- a multiple of WRK_THREADS.
package.path = os.getenv("WRK_SCRIPTS") .. "/?.lua;" .. package.path
require("report")

local first = tonumber(os.getenv("FIRST_USER"))
local users = tonumber(os.getenv("USERS"))
local campaign = tonumber(os.getenv("CAMPAIGN"))
local reserved = 0
local sent = 0

-- How many shoppers this thread sends.
local function share()
  return math.floor((users - tid - 1) / thread_count) + 1
end

function init(args)
  assert(users % thread_count == 0,
    "claim.lua: " .. users .. " users for " .. thread_count .. " threads")
end

-- As in cancel.lua: a connection goes on while a shopper of this thread's
-- share is left (taken here), and otherwise waits; the thread stops when
-- its whole share is answered, so no shopper claims twice. A waiting
-- connection asks for campaign 0 after 10 s (refused, not 201).
function delay()
  if reserved < share() then
    reserved = reserved + 1
    return 0
  end
  return 10000
end

local function claim(id, user)
  return wrk.format("POST", "/api/coupons/issue", {
    ["Content-Type"] = "application/json",
    ["X-USER-ID"] = tostring(user),
  }, string.format('{"campaign_id":%d}', id))
end

function request()
  -- wrk builds one request of the first thread before anything runs, to
  -- check it, and never sends it: that one takes no shopper.
  if reserved == 0 then
    return claim(0, first)
  end
  sent = sent + 1
  if sent > share() then
    return claim(0, first)
  end
  return claim(campaign, first + (sent - 1) * thread_count + tid)
end
