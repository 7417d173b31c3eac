-- wrk: POST a chat-completions request with a 4 KB mixed zh-TW/English prompt.
-- WRK_DELAY_MS (environment): each connection waits a random 0..2x that many
-- milliseconds before each request, so that CONN connections offer about
-- CONN * 1000 / WRK_DELAY_MS requests per second (wrk 4 has no -R rate).
local s = ""
while #s < 4096 do
  s = s .. "客戶詢問信用卡帳單的繳款期限與分期方案，請協助說明。The customer asks about the due date. "
end
s = s:sub(1, 4096)
-- cut back to a whole UTF-8 character: drop continuation bytes, then the lead byte
while s:byte(#s) >= 0x80 and s:byte(#s) < 0xC0 do s = s:sub(1, #s - 1) end
if s:byte(#s) >= 0xC0 then s = s:sub(1, #s - 1) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"
wrk.body = '{"model":"m","messages":[{"role":"user","content":"' .. s .. '"}]}'

local d = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if d > 0 then
  math.randomseed(os.time())
  function delay() return math.random() * 2 * d end
end
