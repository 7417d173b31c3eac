-- wrk: POST a chat-completions request with a 4 KB mixed zh-TW/English prompt
local s = ""
while #s < 4096 do
  s = s .. "客戶詢問信用卡帳單的繳款期限與分期方案，請協助說明。The customer asks about the due date. "
end
s = s:sub(1, 4096)
while s:byte(#s) and s:byte(#s) >= 0x80 and s:byte(#s) < 0xC0 do s = s:sub(1, #s - 1) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench"
wrk.body = '{"model":"m","messages":[{"role":"user","content":"' .. s .. '"}]}'
