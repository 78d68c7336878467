#!/usr/bin/env python3
"""A scriptable HTTP/1.1 test server for the HTTP engine's tests.

Prints "test server listening on http://127.0.0.1:PORT" once it accepts
connections (https:// with --tls-cert and --tls-key). Behaviour is chosen by the request path:

  /status/CODE?times=K&key=X   answer CODE K times per key (default: the path),
                               then 200; without times, always CODE
  /retry-after/S?times=K&date=1  429 with Retry-After: S (seconds, or an HTTP
                               date S seconds ahead with date=1), K times (1)
  /ratelimit/github?times=K&reset=S&status=N  N (403) with
                               x-ratelimit-remaining: 0 and x-ratelimit-reset
                               now+S (S default 1), K times (1), then 200
  /ratelimit/gitlab?times=K&reset=S  429 with RateLimit-Remaining: 0 and
                               RateLimit-Reset now+S (no Retry-After)
  /delay/MS                    wait MS milliseconds, then 200
  /reset?times=K&close=1       reset the connection (close=1: close it) without
                               answering, K times per key (default always), then 200
  /big/BYTES                   a body of BYTES bytes
  /redirect?to=URL&code=N      N (302) with Location: URL
  /echo                        the request's method, path, headers and body as JSON
  /_stats                      {"connections": n, "requests": {path: n},
                                "max_inflight": n, "inflight": n}
  /_reset-stats                zero all counters (and per-key counts)

A connection is counted when it carries its first request whose path does
not start with "/_", so stats requests do not disturb the counts.
"""
import argparse
import email.utils
import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.connections = 0
        self.requests = {}
        self.keys = {}
        self.inflight = 0
        self.max_inflight = 0

    def hit(self, key):
        """Returns how many times `key` was seen before this hit."""
        with self.lock:
            n = self.keys.get(key, 0)
            self.keys[key] = n + 1
            return n


STATE = State()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "relapi-test-server"

    def log_message(self, fmt, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.counted = False

    # ---- plumbing ---------------------------------------------------------

    def send(self, status, body=b"", headers=None, ctype="text/plain"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            ctype = "application/json"
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def times_left(self, q, key, default=None):
        """True while the scripted behaviour should still apply for key."""
        times = q.get("times", [default])[0]
        seen = STATE.hit(key)
        return times is None or seen < int(times)

    def count(self, path):
        with STATE.lock:
            if not path.startswith("/_"):
                if not self.counted:
                    self.counted = True
                    STATE.connections += 1
                STATE.requests[path] = STATE.requests.get(path, 0) + 1
                STATE.inflight += 1
                STATE.max_inflight = max(STATE.max_inflight, STATE.inflight)
                return True
        return False

    def handle_any(self):
        url = urlsplit(self.path)
        body = self.read_body()
        counted = self.count(url.path)
        try:
            self.route(url, parse_qs(url.query), body)
        finally:
            if counted:
                with STATE.lock:
                    STATE.inflight -= 1

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

    # ---- routes -----------------------------------------------------------

    def route(self, url, q, body):
        parts = url.path.strip("/").split("/")
        head = parts[0]
        arg = parts[1] if len(parts) > 1 else ""
        key = q.get("key", [url.path])[0]
        routes = {
            "status": self.r_status,
            "retry-after": self.r_retry_after,
            "ratelimit": self.r_ratelimit,
            "secondary": self.r_secondary,
            "delay": self.r_delay,
            "reset": self.r_reset,
            "big": self.r_big,
            "redirect": self.r_redirect,
            "echo": self.r_echo,
            "_stats": self.r_stats,
            "_reset-stats": self.r_reset_stats,
        }
        fn = routes.get(head)
        if fn is None:
            self.send(404, {"message": "404 Not Found"})
            return
        fn(arg, q, key, url, body)

    def r_status(self, arg, q, key, url, body):
        if self.times_left(q, key):
            self.send(int(arg), {"message": "scripted %s" % arg})
        else:
            self.send(200, {"ok": True, "attempts": STATE.keys[key]})

    def r_retry_after(self, arg, q, key, url, body):
        if self.times_left(q, key, "1"):
            secs = int(arg)
            value = str(secs)
            if q.get("date", ["0"])[0] == "1":
                value = email.utils.formatdate(time.time() + secs, usegmt=True)
            self.send(429, "Retry later", {"Retry-After": value})
        else:
            self.send(200, {"ok": True})

    def r_ratelimit(self, arg, q, key, url, body):
        if not self.times_left(q, key, "1"):
            self.send(200, {"ok": True})
            return
        reset = str(int(time.time()) + int(q.get("reset", ["1"])[0]))
        if arg == "github":
            status = int(q.get("status", ["403"])[0])
            self.send(status, {"message": "API rate limit exceeded"},
                      {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset})
        else:
            self.send(429, "Retry later",
                      {"RateLimit-Remaining": "0", "RateLimit-Reset": reset})

    def r_secondary(self, arg, q, key, url, body):
        """GitHub's secondary rate limit: 403 (or 429) with a message and
        no x-ratelimit-remaining: 0; Retry-After only when asked for."""
        if not self.times_left(q, key, "1"):
            self.send(200, {"ok": True})
            return
        headers = {"x-ratelimit-remaining": "4990"}
        if "retry" in q:
            headers["Retry-After"] = q["retry"][0]
        msg = ("You have triggered an abuse detection mechanism. Please wait a few "
               "minutes before you try again." if arg == "abuse" else
               "You have exceeded a secondary rate limit. Please wait a few minutes "
               "before you try again.")
        self.send(int(q.get("status", ["403"])[0]),
                  {"message": msg, "documentation_url": "https://docs.github.com/rest"},
                  headers)

    def r_delay(self, arg, q, key, url, body):
        time.sleep(int(arg) / 1000.0)
        self.send(200, {"delayed_ms": int(arg)})

    def r_reset(self, arg, q, key, url, body):
        if not self.times_left(q, key):
            self.send(200, {"ok": True})
            return
        if q.get("close", ["0"])[0] != "1":
            # RST instead of FIN: linger on with a zero timeout.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def r_big(self, arg, q, key, url, body):
        self.send(200, b"x" * int(arg), ctype="application/octet-stream")

    def r_redirect(self, arg, q, key, url, body):
        code = int(q.get("code", ["302"])[0])
        self.send(code, "", {"Location": q["to"][0]})

    def r_echo(self, arg, q, key, url, body):
        headers = {}
        for k, v in self.headers.items():
            headers[k] = v
        self.send(200, {"method": self.command, "path": self.path,
                        "headers": headers,
                        "body": body.decode("utf-8", "replace")})

    def r_stats(self, arg, q, key, url, body):
        with STATE.lock:
            out = {"connections": STATE.connections,
                   "requests": dict(STATE.requests),
                   "inflight": STATE.inflight,
                   "max_inflight": STATE.max_inflight}
        self.send(200, out)

    def r_reset_stats(self, arg, q, key, url, body):
        with STATE.lock:
            STATE.reset()
        self.send(200, {"ok": True})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # clients closing or resetting connections are part of the tests
        if not isinstance(sys.exc_info()[1], OSError):  # resets, TLS alerts
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate")
    ap.add_argument("--tls-key", help="the certificate's PEM private key")
    args = ap.parse_args()
    srv = Server((args.host, args.port), Handler)
    scheme = "http"
    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
        scheme = "https"
    print("test server listening on %s://%s:%d" % (scheme, args.host, srv.server_address[1]),
          flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    main()
