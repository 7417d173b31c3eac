-- wrk script: every request carries the bench user's API token.
-- The token is read from the environment (AIGOV_BENCH_TOKEN), so it never
-- appears on a command line (ps) or in this file.
local token = os.getenv("AIGOV_BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
