#!/usr/bin/python3
"""A fake OpenAI chat-completions upstream for the gateway tests (standard
library only).  Records every request (path, Authorization, body) as JSON
lines in RECORD; answers by the last user message:
  "say-id"      -> an answer containing the national ID A123456789
  "stream-split"-> (stream) the ID split across two SSE events: "A12345" + "6789"
  "stream-long" -> (stream) 24 parts of 100 bytes, far more than the tail
                   the gateway holds back
  "echo"        -> the last user message back (tokens included)
  "recommend"   -> a fund recommendation without a risk disclosure
  "tool-call"   -> a call of tool "lookup" with arguments {"id": the first
                   token of the message, "other": an ID the model wrote};
                   streamed as 4-byte argument fragments
  anything else -> "hello"
Usage: fake_openai_upstream.py PORTFILE RECORD"""
import json, re, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTFILE, RECORD = sys.argv[1], sys.argv[2]


def answer_for(text):
    if "say-id" in text:
        return ["Your ID is A123456789, thank you."]
    if "stream-split" in text:
        return ["Your ID is A12345", "6789 and that is all."]
    if "stream-long" in text:
        return ["part %02d " % i + "x" * 92 for i in range(24)]
    if "echo" in text:
        return [text]
    if "recommend" in text:
        return ["我建議您申購這檔高股息基金，預期報酬率 8%。"]
    return ["hel", "lo"]


def tool_call_arguments(text):
    tok = re.search(r"<[A-Z_]+#[^>]+>", text)
    return json.dumps({"id": tok.group(0) if tok else "none", "other": "B123456780"})


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def record(self, body):
        with open(RECORD, "a") as f:
            f.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                                "body": body}) + "\n")

    def send(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        self.record(None)
        self.send(200, {"object": "list", "data": [{"id": "fake-model", "object": "model",
                                                     "created": 0, "owned_by": "test"}]})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n))
        self.record(body)
        user = [m for m in body["messages"] if m["role"] == "user"][-1]["content"]
        user = user if isinstance(user, str) else json.dumps(user, ensure_ascii=False)
        parts = answer_for(user)
        base = {"id": "chatcmpl-1", "created": int(time.time()), "model": body.get("model", "m")}
        if "tool-call" in user:
            self.tool_call(body, base, tool_call_arguments(user))
            return
        if not body.get("stream"):
            self.send(200, dict(base, object="chat.completion", choices=[{
                "index": 0, "message": {"role": "assistant", "content": "".join(parts)},
                "finish_reason": "stop"}], usage={"prompt_tokens": 1, "completion_tokens": 1,
                                                  "total_tokens": 2}))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        chunks = [{"role": "assistant", "content": ""}] + [{"content": p} for p in parts]
        for d in chunks:
            ev = dict(base, object="chat.completion.chunk",
                      choices=[{"index": 0, "delta": d, "finish_reason": None}])
            self.wfile.write(b"data: " + json.dumps(ev).encode() + b"\n\n")
            self.wfile.flush()
            time.sleep(0.02)
        ev = dict(base, object="chat.completion.chunk",
                  choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])
        self.wfile.write(b"data: " + json.dumps(ev).encode() + b"\n\ndata: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


    def tool_call(self, body, base, args):
        call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": args}}
        if not body.get("stream"):
            self.send(200, dict(base, object="chat.completion", choices=[{
                "index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "tool_calls"}]))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        first = dict(call, index=0, function={"name": "lookup", "arguments": ""})
        deltas = [{"role": "assistant", "content": None, "tool_calls": [first]}] + [
            {"tool_calls": [{"index": 0, "function": {"arguments": args[i:i + 4]}}]}
            for i in range(0, len(args), 4)]
        for d in deltas:
            ev = dict(base, object="chat.completion.chunk",
                      choices=[{"index": 0, "delta": d, "finish_reason": None}])
            self.wfile.write(b"data: " + json.dumps(ev).encode() + b"\n\n")
            self.wfile.flush()
        ev = dict(base, object="chat.completion.chunk",
                  choices=[{"index": 0, "delta": {}, "finish_reason": "tool_calls"}])
        self.wfile.write(b"data: " + json.dumps(ev).encode() + b"\n\ndata: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
