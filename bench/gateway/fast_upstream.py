#!/usr/bin/python3
"""A fast fake chat-completions upstream for bench/gateway: asyncio, raw
HTTP/1.1 with keep-alive, one fixed answer per POST (reads the body by
Content-Length).  Usage: fast_upstream.py PORT"""
import asyncio, json, sys

ANSWER = json.dumps({"id": "chatcmpl-b", "object": "chat.completion", "created": 0, "model": "m",
                     "choices": [{"index": 0, "message": {"role": "assistant",
                                  "content": "您好，這是測試回覆。Hello, this is a test answer."},
                                  "finish_reason": "stop"}]}).encode()
RESP = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        % len(ANSWER)) + ANSWER


class P(asyncio.Protocol):
    def connection_made(self, t):
        self.t, self.buf = t, b""

    def data_received(self, d):
        self.buf += d
        while True:
            h = self.buf.find(b"\r\n\r\n")
            if h < 0:
                return
            n = 0
            for line in self.buf[:h].split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    n = int(line[15:])
            if len(self.buf) < h + 4 + n:
                return
            self.buf = self.buf[h + 4 + n:]
            self.t.write(RESP)


async def main():
    srv = await asyncio.get_running_loop().create_server(P, "127.0.0.1", int(sys.argv[1]))
    await srv.serve_forever()

asyncio.run(main())
