-- GET the URL given to wrk, WRK_REQUESTS times in all.
package.path = os.getenv("WRK_SCRIPTS") .. "/?.lua;" .. package.path
require("report")
