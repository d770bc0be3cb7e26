-- Buyers placing one-line orders through POST /api/orders/place, named by
-- X-USER-ID (the server trusts it for the benchmark). Buyers take turns:
-- BUYER_FIRST .. BUYER_FIRST+BUYER_COUNT-1; each order is for a product in
-- PRODUCT_FIRST .. +PRODUCT_COUNT-1, QUANTITY_MAX at most, with a key of
-- its own, sent to the buyer's address (whose id is the buyer's).
package.path = os.getenv("WRK_SCRIPTS") .. "/?.lua;" .. package.path
require("report")

local buyer_first = tonumber(os.getenv("BUYER_FIRST"))
local buyer_count = tonumber(os.getenv("BUYER_COUNT"))
local product_first = tonumber(os.getenv("PRODUCT_FIRST"))
local product_count = tonumber(os.getenv("PRODUCT_COUNT"))
local quantity_max = tonumber(os.getenv("QUANTITY_MAX") or "1")
local run = os.getenv("RUN_ID") or "run"
local sent = 0

function init(args)
  math.randomseed(1000 + tid)
end

function request()
  sent = sent + 1
  local n = sent * thread_count + tid
  local buyer = buyer_first + (n % buyer_count)
  local product = product_first + math.random(0, product_count - 1)
  local quantity = math.random(1, quantity_max)
  local body = string.format(
    '{"idempotency_key":"%s-%d-%d","address_id":%d,"items":[{"product_id":%d,"quantity":%d}]}',
    run, tid, sent, buyer, product, quantity)
  return wrk.format("POST", "/api/orders/place", {
    ["Content-Type"] = "application/json",
    ["X-USER-ID"] = tostring(buyer),
  }, body)
end
