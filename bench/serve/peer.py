#!/usr/bin/python3
"""The peer for bench/serve: the inventory served the way a typical script
would, with the Python standard library and PyYAML (Debian python3-yaml).

    peer.py WORKSPACE [--listen ADDR:PORT] [--port-file FILE]

On every request to /api/v1/systems it checks the bearer token against the
workspace's store (the token's SHA-256, as aigov keeps it, compared in
constant time, not expired, not revoked), reads every system's descriptor
(YAML, from the same SQLite store aigov reads) and its latest assessment,
and answers the same JSON as `aigov serve`:
[{id, name: {en, zh-TW}, stage, business_line, use_case, owner_unit,
  assessment: {revision, assessed_at, tier, overridden, next_due} | null}].
/healthz answers {"status":"ok"} without a token.  Nothing is cached
between requests, as in aigov, so a change is seen at the next request.

Kept fair and simple, not slow on purpose: ThreadingHTTPServer with
HTTP/1.1 keep-alive (wrk reuses its connections, as with aigov) and
TCP_NODELAY (else each response waits 40 ms for a delayed ACK), one SQLite
connection per thread (read-only), the latest assessments in one query,
libyaml's CSafeLoader when PyYAML has it (else the pure-Python loader).
"""
import argparse, datetime, hashlib, hmac, json, os, re, sqlite3, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TOKEN = re.compile(r"^agt_([0-9a-f]{12})_[0-9a-f]{64}$")
LATEST = """
SELECT a.system_id, a.revision, a.assessed_at, a.tier, a.justification IS NOT NULL, a.next_due
FROM assessment a
JOIN (SELECT system_id, MAX(revision) AS revision FROM assessment GROUP BY system_id) m
  ON a.system_id = m.system_id AND a.revision = m.revision
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as aigov serve
    # Headers and body are two writes: without TCP_NODELAY the body waits
    # for the client's delayed ACK (40 ms a response on Linux).
    disable_nagle_algorithm = True
    server_version = "peer"

    def log_message(self, fmt, *args):  # no per-request log line (aigov logs none either)
        pass

    def db(self):
        local = self.server.local
        if not hasattr(local, "db"):
            local.db = sqlite3.connect("file:%s?mode=ro" % self.server.store, uri=True)
        return local.db

    def send(self, status, obj, ctype="application/json"):
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="aigov"')
        self.end_headers()
        self.wfile.write(body)

    def problem(self, status, title):
        self.send(status, {"type": "about:blank", "title": title, "status": status},
                  "application/problem+json")

    def user(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        token = auth[7:].strip()
        m = TOKEN.match(token)
        if not m:
            return None
        row = self.db().execute(
            "SELECT user_name, sha256, expires_at, revoked_at FROM api_token WHERE id = ?",
            (m.group(1),)).fetchone()
        if not row or row[3] is not None:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        if not hmac.compare_digest(digest, row[1]):
            return None
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return row[0] if row[2] > now else None

    def systems(self):
        db = self.db()
        latest = {r[0]: {"revision": r[1], "assessed_at": r[2], "tier": r[3],
                         "overridden": bool(r[4]), "next_due": r[5]}
                  for r in db.execute(LATEST)}
        out = []
        for (text,) in db.execute("SELECT descriptor FROM ai_system ORDER BY id"):
            d = yaml.load(text, Loader=LOADER)
            out.append({"id": d["id"],
                        "name": {"en": d["name"]["en"], "zh-TW": d["name"]["zh-TW"]},
                        "stage": d["stage"], "business_line": d["business_line"],
                        "use_case": d["use_case"], "owner_unit": d["owner_unit"],
                        "assessment": latest.get(d["id"])})
        return out

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            return self.send(200, {"status": "ok"})
        if not path.startswith("/api/v1/"):
            return self.problem(404, "Not Found")
        if self.user() is None:
            return self.problem(401, "Unauthorized")
        if path == "/api/v1/systems":
            return self.send(200, self.systems())
        return self.problem(404, "Not Found")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workspace")
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--port-file")
    a = ap.parse_args()
    store = os.path.join(a.workspace, ".aigov", "aigov.db")
    if not os.path.exists(store):
        sys.exit("peer.py: no store at %s" % store)
    host, port = a.listen.rsplit(":", 1)
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    srv.daemon_threads = True
    srv.store = store
    srv.local = threading.local()
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
