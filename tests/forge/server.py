"""The fake forge's HTTP server: routing to the GitLab and GitHub handlers,
the admin endpoints under /_forge/, strict replay of recorded exchanges,
and main().

Standard library only.
"""

import argparse
import base64
import difflib
import email.parser
import email.utils
import hashlib
import http.client
import http.server
import json
import os
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import urllib.parse
from http import HTTPStatus

from api import ApiError, Req, redact_query
from faults import (DEFAULT_FAULT_KINDS, FAULT_KINDS, MUTATING, check_content_limits,
                    fault_response, server_error_body, update_switches)
from github import (GITHUB_PREFIX, GITHUB_ROUTES, UA_REFUSAL, gh_authenticate, gh_error,
                    gh_installation_scope, gh_not_found)
from gitlab import GITLAB_PREFIX, GITLAB_ROUTES, gl_authenticate, gl_error
from model import World


# --------------------------------------------------------------------------
# Request bodies: JSON and form encoding (with a[b] and a[][k] keys)
# --------------------------------------------------------------------------

def parse_form(text):
    out = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        m = re.fullmatch(r"([^\[]+)\[\]\[([^\]]+)\]", key)
        if m:
            lst = out.setdefault(m.group(1), [])
            if not lst or m.group(2) in lst[-1]:
                lst.append({})
            lst[-1][m.group(2)] = value
            continue
        m = re.fullmatch(r"([^\[]+)\[([^\]]+)\]", key)
        if m:
            out.setdefault(m.group(1), {})[m.group(2)] = value
            continue
        out[key] = value
    return out


def parse_body(headers, raw, forge):
    """Request parameters from the body; ApiError on malformed input."""
    if not raw:
        return {}
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        return parse_form(raw.decode("utf-8", "replace"))
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        if forge == "github":
            raise gh_error(400, "Problems parsing JSON")
        raise ApiError(400, {"error": "body is not valid JSON"})
    if not isinstance(value, dict):
        if forge == "github":
            raise gh_error(400, "Body should be a JSON object")
        raise ApiError(400, {"error": "body must be a JSON object"})
    return value


# --------------------------------------------------------------------------
# Dispatch: routing, authentication, rate-limit headers
# --------------------------------------------------------------------------

COMPILED = {
    "gitlab": [(m, re.compile(p + r"/?\Z"), h, f) for m, p, h, f in GITLAB_ROUTES],
    "github": [(m, re.compile(p + r"/?\Z"), h, f) for m, p, h, f in GITHUB_ROUTES],
}


# forge -> method -> [(pattern, handler, flags)], in COMPILED's order
BY_METHOD = {forge: {m: [(rx, h, f) for mm, rx, h, f in routes if mm == m]
                     for m in {r[0] for r in routes}}
             for forge, routes in COMPILED.items()}


def find_route(forge, method, path):
    """(handler, flags, args) for a path, or raises the forge's 404/405: the
    first route of the method whose pattern matches; 405 (GitLab) when only
    another method's does."""
    for rx, handler, flags in BY_METHOD[forge].get(method, ()):
        hit = rx.match(path)
        if hit:
            return handler, flags, {k: v for k, v in hit.groupdict().items() if v is not None}
    wrong_method = any(rx.match(path) for _, rx, _, _ in COMPILED[forge])
    if forge == "gitlab":
        if wrong_method:
            raise ApiError(405, {"message": "405 Method Not Allowed"})
        raise ApiError(404, {"error": "404 Not Found"})
    raise gh_not_found()


def rate_headers(world, forge, tok):
    key = tok["token"] if tok else "anonymous"
    used = world.rate_used[key] = world.rate_used.get(key, 0) + 1
    reset = str(int(world.epoch_start + 3600))
    if forge == "github":
        return {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": str(max(0, 5000 - used)),
                "X-RateLimit-Used": str(used), "X-RateLimit-Reset": reset,
                "X-RateLimit-Resource": "core", "X-GitHub-Media-Type": "github.v3; format=json",
                "X-GitHub-Request-Id": "%08X" % world.seq}
    return {"RateLimit-Name": "throttle_authenticated_api", "RateLimit-Limit": "2000",
            "RateLimit-Observed": str(used), "RateLimit-Remaining": str(max(0, 2000 - used)),
            "RateLimit-Reset": reset}


def dispatch_api(world, req, forge, fault):
    """(status, body, headers) of an API request; never raises."""
    prefix = GITLAB_PREFIX if forge == "gitlab" else GITHUB_PREFIX
    req.path = req.path[len(prefix):] or "/"
    headers = {}
    try:
        if forge == "github" and not req.headers.get("User-Agent"):
            return 403, UA_REFUSAL.encode(), {"Content-Type": "text/plain; charset=utf-8"}
        handler, flags, args = find_route(forge, req.method, req.path)
        req.args = args
        req.params = parse_body(req.headers, req.body, forge)
        if "t" not in flags:
            (gl_authenticate if forge == "gitlab" else gh_authenticate)(req, flags)
        if forge == "github" and req.method in MUTATING:
            check_content_limits(world, req.token["token"] if req.token else None, world.now())
        if "n" not in flags:
            req.repo = locate_repo(world, req, forge)
            if forge == "github":
                gh_installation_scope(req, flags)
        if fault == "exception":
            raise RuntimeError("injected handler failure")
        out = handler(req)
        status, body = out[0], out[1]
        headers.update(out[2] if len(out) > 2 else {})
    except ApiError as e:
        status, body = e.status, e.body
        headers.update(e.headers)
    except Exception:  # any handler failure: the forge's 500, traceback on stderr
        sys.stderr.write("forge: %s %s failed\n%s" % (req.method, redact_query(req.raw_path),
                                                      traceback.format_exc()))
        status, body = 500, server_error_body(forge)
    headers.update(rate_headers(world, forge, req.token))
    return status, body, headers


def locate_repo(world, req, forge):
    if forge == "gitlab":
        repo = world.repo_by_gitlab_id(req.args["id"])
        if repo is None:
            raise gl_error(404, "404 Project Not Found")
        return repo
    path = "%s/%s" % (req.args["owner"], req.args["name"])
    repo = world.repos.get(path)
    if repo is None or repo.forge != "github":
        raise gh_not_found()
    return repo


# --------------------------------------------------------------------------
# Admin endpoints under /_forge/ (no authentication)
# --------------------------------------------------------------------------

def admin_state(world, req):
    out = {}
    for path, repo in world.repos.items():
        files, modes = {}, {}
        for b, head in repo.branches.items():
            c = repo.commits[head]
            files[b] = {p: hashlib.sha256(repo.blobs[s]).hexdigest()
                        for p, (_, s) in sorted(c.tree.items())}
            modes[b] = {p: m for p, (m, _) in sorted(c.tree.items())}
        out[path] = {
            "forge": repo.forge, "id": repo.id, "default_branch": repo.default_branch,
            "web_url": repo.web_url, "commit_count": len(repo.commits),
            "branches": dict(repo.branches),
            "tags": {n: {"target": t.target, "commit": t.commit, "annotated": t.sha is not None,
                         "message": t.message} for n, t in sorted(repo.tags.items())},
            "files": files,
            "modes": modes,
            "releases": {n: {"name": r["name"], "description": r.get("description",
                                                                      r.get("body"))}
                         for n, r in repo.releases.items()},
            "pipelines": [{"id": p.id, "ref": p.ref, "sha": p.sha, "source": p.source,
                           "status": p.status(), "variables": p.variables,
                           "jobs": [j["name"] for j in p.jobs]} for p in repo.pipelines],
            "runs": [{"id": r.id, "workflow": r.workflow["name"], "ref": r.ref,
                      "inputs": r.inputs, "status": r.status()[0],
                      "conclusion": r.status()[1]} for r in repo.runs]}
    return 200, {"repos": out, "switches": dict(world.switches),
                 "request_count": len(world.requests)}


def admin_repo(world, name):
    """The repository named `name`, else the admin 404."""
    repo = world.repos.get(name)
    if repo is None:
        raise ApiError(404, {"message": "no repository '%s'" % name})
    return repo


def admin_ref(world, req):
    """(repository, commit id) of the query's repo and ref (default: the
    default branch), else the admin 404."""
    repo = admin_repo(world, req.query.get("repo"))
    cid = repo.resolve(req.query.get("ref") or repo.default_branch)
    if cid is None:
        raise ApiError(404, {"message": "no ref '%s'" % req.query.get("ref")})
    return repo, cid


def admin_file(world, req):
    repo, cid = admin_ref(world, req)
    data = repo.file_bytes(repo.commits[cid], req.query.get("path", ""))
    if data is None:
        raise ApiError(404, {"message": "no file '%s'" % req.query.get("path")})
    return 200, data, {"Content-Type": "application/octet-stream"}


def admin_history(world, req):
    """GET /_forge/history?repo=&ref=: every commit reachable from ref, newest
    first, with parents and message (for soak and recovery checks)."""
    repo, cid = admin_ref(world, req)
    out, todo, seen = [], [cid], set()
    while todo:
        c = repo.commits[todo.pop()]
        if c.id in seen:
            continue
        seen.add(c.id)
        out.append({"id": c.id, "parents": c.parents, "message": c.message, "seq": c.seq})
        todo.extend(c.parents)
    return 200, sorted(out, key=lambda c: -c["seq"])


def admin_push(world, req):
    """A commit on a branch as another user would make it (for race tests)."""
    p = parse_body(req.headers, req.body, "admin")
    repo = admin_repo(world, p.get("repo"))
    branch = p.get("branch") or repo.default_branch
    start = repo.branches.get(branch) or repo.resolve(p.get("start") or repo.default_branch)
    tree = dict(repo.commits[start].tree)
    for path, text in p.get("files", {}).items():
        tree[path] = (tree.get(path, ("100644",))[0], repo.store_blob(text.encode()))
    for path, b64 in p.get("files_base64", {}).items():
        tree[path] = (tree.get(path, ("100644",))[0], repo.store_blob(base64.b64decode(b64)))
    for path in p.get("delete", []):
        tree.pop(path, None)
    for path, mode in p.get("modes", {}).items():  # e.g. "100755", "120000"
        tree[path] = (mode, tree[path][1])
    author = (p.get("author_name", "Other Developer"),
              p.get("author_email", "other@waldur.example"))
    c = repo.make_commit(tree, [start], p.get("message", "chore: concurrent change"), author)
    repo.branches[branch] = c.id
    return 201, {"id": c.id, "branch": branch}


def admin_requests(world, req):
    if req.method == "DELETE":
        world.requests = []
        return 204, None
    since = int(req.query.get("since", 0))
    return 200, [r for r in world.requests if r["seq"] > since]


def admin_protect(world, req):
    """Protects tags matching `pattern` in `repo` (GitLab: a protected tag;
    GitHub: a tag ruleset named `ruleset`, with `enforcement` and `bypass`)."""
    p = parse_body(req.headers, req.body, "admin")
    repo = admin_repo(world, p.get("repo"))
    rule = {"name": p["pattern"]}
    rule.update({k: p[k] for k in ("ruleset", "enforcement", "bypass", "include",
                                   "exclude", "rules", "create_access_level") if k in p})
    repo.protected_tags = list(repo.protected_tags or []) + [rule]
    return 201, rule


def admin_reset(world, req):
    world.load()
    return 200, {"reset": True}


def admin_faults(world, req):
    if req.method == "POST":
        world.faults.configure(parse_body(req.headers, req.body, "admin"), world.opts)
    body = world.faults.to_json()
    body["pipeline_ms"] = world.opts.pipeline_ms
    return 200, body


def admin_switches(world, req):
    if req.method == "POST":
        update_switches(world.switches, parse_body(req.headers, req.body, "admin"))
    return 200, dict(world.switches)


def admin_connections(world, req):
    """GET /_forge/connections: how many TCP connections the forge accepted
    since it started, this request's own included (ids in the request log's
    `conn` run from 1 to that number; /_forge/reset does not restart them)."""
    return 200, {"accepted": world.server.connections}


def admin_replay(world, req):
    if world.replay is None:
        raise ApiError(404, {"message": "not in replay mode"})
    return 200, world.replay.status()


# path -> (methods, handler)
ADMIN_ROUTES = {
    "/_forge/state": (("GET",), admin_state),
    "/_forge/file": (("GET",), admin_file),
    "/_forge/history": (("GET",), admin_history),
    "/_forge/push": (("POST",), admin_push),
    "/_forge/requests": (("GET", "DELETE"), admin_requests),
    "/_forge/reset": (("POST",), admin_reset),
    "/_forge/protect": (("POST",), admin_protect),
    "/_forge/faults": (("GET", "POST"), admin_faults),
    "/_forge/switches": (("GET", "POST"), admin_switches),
    "/_forge/replay": (("GET",), admin_replay),
    "/_forge/connections": (("GET",), admin_connections),
}


def dispatch_admin(world, req):
    methods, handler = ADMIN_ROUTES.get(req.path.rstrip("/"), ((), None))
    if req.method not in methods:
        handler = None
    try:
        if handler is None:
            raise ApiError(404, {"message": "unknown admin endpoint '%s %s'" %
                                 (req.method, req.path)})
        out = handler(world, req)
        return out[0], out[1], (out[2] if len(out) > 2 else {})
    except ApiError as e:
        return e.status, e.body, e.headers
    except Exception as e:  # malformed admin input
        return 400, {"message": "bad admin request: %s" % e}, {}


# --------------------------------------------------------------------------
# Strict replay of recorded exchanges (fixtures/api/FORMAT.md)
# --------------------------------------------------------------------------

def redacted_equal(expected, actual):
    """JSON equality where '[REDACTED]' in expected matches any value."""
    if expected == "[REDACTED]":
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and \
            all(redacted_equal(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and \
            all(redacted_equal(e, a) for e, a in zip(expected, actual))
    return expected == actual


def body_value(raw):
    """A body as FORMAT.md records it: JSON value, text, null or base64."""
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode()}
    try:
        return json.loads(text)
    except ValueError:
        return text


def body_bytes(value):
    if value is None:
        return b""
    if isinstance(value, dict) and list(value) == ["base64"]:
        return base64.b64decode(value["base64"])
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()


class Replay:
    def __init__(self, folder):
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
        self.exchanges = []
        for n in names:
            with open(os.path.join(folder, n), encoding="utf-8") as f:
                self.exchanges.append((n, json.load(f)))
        self.pos = 0
        self.failures = []

    def status(self):
        remaining = len(self.exchanges) - self.pos
        return {"done": remaining == 0, "failures": self.failures, "remaining": remaining,
                "served": self.pos, "total": len(self.exchanges)}

    @staticmethod
    def mismatch(expected, actual):
        """The first difference between an expected and an actual request, or None."""
        if expected["method"] != actual["method"]:
            return "method: expected %s, got %s" % (expected["method"], actual["method"])
        ep, _, eq = expected["path"].partition("?")
        ap, _, aq = actual["path"].partition("?")
        if ep != ap:
            return "path: expected %s, got %s" % (ep, ap)
        eqs = sorted(urllib.parse.parse_qsl(eq, keep_blank_values=True))
        aqs = sorted(urllib.parse.parse_qsl(aq, keep_blank_values=True))
        if len(eqs) != len(aqs) or not all(
                e[0] == a[0] and (e[1] == "[REDACTED]" or e[1] == a[1]) for e, a in
                zip(eqs, aqs)):
            return "query: expected %s, got %s" % (eq or "(none)", aq or "(none)")
        lower = {k.lower(): v for k, v in actual["headers"].items()}
        for name, value in (expected.get("headers") or {}).items():
            got = lower.get(name.lower())
            if got is None:
                return "header %s: missing" % name
            if value != "[REDACTED]" and got != value:
                return "header %s: expected %r, got %r" % (name, value, got)
        if not redacted_equal(expected.get("body"), actual["body"]):
            return "body differs"
        return None

    def answer(self, method, raw_path, headers, raw_body):
        actual = {"method": method, "path": raw_path, "headers": dict(headers),
                  "body": body_value(raw_body)}
        shown = dict(actual, headers={k: ("[REDACTED]" if k.lower() in (
            "authorization", "private-token", "job-token") else v)
            for k, v in actual["headers"].items()})
        if self.pos >= len(self.exchanges):
            return self.fail(None, None, shown, "unexpected request after the last exchange")
        name, ex = self.exchanges[self.pos]
        reason = self.mismatch(ex["request"], actual)
        if reason:
            return self.fail(name, ex["request"], shown, reason)
        self.pos += 1
        resp = ex["response"]
        headers = dict(resp.get("headers") or {})
        return resp["status"], body_bytes(resp.get("body")), headers

    def fail(self, name, expected, actual, reason):
        exp_text = json.dumps(expected, indent=2, sort_keys=True).splitlines(True) \
            if expected else []
        act_text = json.dumps(actual, indent=2, sort_keys=True).splitlines(True)
        diff = "".join(difflib.unified_diff(exp_text, act_text, "expected", "actual"))
        failure = {"exchange": name, "index": self.pos, "reason": reason, "diff": diff}
        self.failures.append(failure)
        body = {"message": "replay mismatch at %s: %s" % (name or "end", reason),
                "expected": expected, "actual": actual, "diff": diff}
        return 599, json.dumps(body, indent=2).encode(), {"Content-Type": "application/json"}


# --------------------------------------------------------------------------
# Response bodies
# --------------------------------------------------------------------------

def encode_body(body, headers):
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        return body.encode()
    headers.setdefault("Content-Type", "application/json")
    return json.dumps(body).encode()


# --------------------------------------------------------------------------
# Request headers without the email package
# --------------------------------------------------------------------------

MAX_LINE = 65536    # http.client's _MAXLINE
MAX_HEADERS = 100   # http.client's _MAXHEADERS (the blank line counts)


class Headers:
    """A request's headers, answering as the email.message.Message that
    http.server parses them into: get() and [] the first value of a name
    (case-insensitive, None when absent), items() every (name, value) in
    order. Parsed here because the email parser took a quarter of the
    forge's time per request."""

    __slots__ = ("pairs", "first")

    def __init__(self, pairs):
        self.pairs = pairs
        self.first = {}
        for name, value in pairs:
            self.first.setdefault(name.lower(), value)

    def get(self, name, default=None):
        return self.first.get(name.lower(), default)

    def __getitem__(self, name):
        return self.first.get(name.lower())

    def __contains__(self, name):
        return name.lower() in self.first

    def __len__(self):
        return len(self.pairs)

    def __iter__(self):
        return iter([k for k, _ in self.pairs])

    def keys(self):
        return [k for k, _ in self.pairs]

    def items(self):
        return list(self.pairs)

    def get_all(self, name, failobj=None):
        name = name.lower()
        found = [v for k, v in self.pairs if k.lower() == name]
        return found or failobj


def read_header_lines(rfile):
    """The header lines up to the blank one, as http.client reads them;
    http.client.LineTooLong or HTTPException on the same limits."""
    lines = []
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException("got more than %d headers" % MAX_HEADERS)
        if line in (b"\r\n", b"\n", b""):
            return lines


# a block of plain "Name: value" lines (the usual case), and one such line
PLAIN_BLOCK = re.compile(r"(?:[\041-\071\073-\176]+:[^\r\n]*\r?\n)*(?:\r?\n)?")
PLAIN_LINE = re.compile(r"([\041-\071\073-\176]+):[ \t]*([^\r\n]*)\r?\n")


def parse_header_lines(lines):
    """The headers of the lines as http.client.parse_headers makes them: a
    block of plain "Name: value" lines here (a value loses the blanks after
    the colon and its line end, as email.feedparser does), anything else
    (continuation lines, stray CRs, lines that are no header) by the email
    parser itself."""
    text = b"".join(lines).decode("iso-8859-1")
    if PLAIN_BLOCK.fullmatch(text):
        return Headers(PLAIN_LINE.findall(text))
    return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)


# --------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An answer is one write (head and body); with Nagle's algorithm a write
    # in pieces would wait for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    server_version = "forge/1.0"

    def setup(self):
        self.conn_id = self.server.accept_connection()
        self.handshake_due = True  # --connect-ms, before the first API answer
        ctx = getattr(self.server, "ssl_context", None)
        if ctx is not None:
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        if self.server.world.opts.verbose:
            sys.stderr.write("forge: " + (fmt % args) + "\n")

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (OSError, ValueError):
            self.close_connection = True

    def parse_request(self):
        """http.server's parse_request, the headers parsed by parse_header_lines."""
        self.command = None  # set in case of error on the first line
        self.request_version = version = self.default_request_version
        self.close_connection = True
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if not words:
            return False
        if len(words) >= 3:  # enough to determine the protocol version
            version = words[-1]
            try:
                if not version.startswith("HTTP/"):
                    raise ValueError
                base_version_number = version.split("/", 1)[1]
                number = base_version_number.split(".")
                if len(number) != 2 or any(not c.isdigit() or len(c) > 10 for c in number):
                    raise ValueError
                number = int(number[0]), int(number[1])
            except (ValueError, IndexError):
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad request version (%r)" % version)
                return False
            if number >= (1, 1) and self.protocol_version >= "HTTP/1.1":
                self.close_connection = False
            if number >= (2, 0):
                self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                                "Invalid HTTP version (%s)" % base_version_number)
                return False
            self.request_version = version
        if not 2 <= len(words) <= 3:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request syntax (%r)" % requestline)
            return False
        command, path = words[:2]
        if len(words) == 2:
            self.close_connection = True
            if command != "GET":
                self.send_error(HTTPStatus.BAD_REQUEST,
                                "Bad HTTP/0.9 request type (%r)" % command)
                return False
        self.command, self.path = command, path
        if self.path.startswith("//"):  # gh-87389, as http.server does
            self.path = "/" + self.path.lstrip("/")
        try:
            self.headers = parse_header_lines(read_header_lines(self.rfile))
        except http.client.LineTooLong as err:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long",
                            str(err))
            return False
        except http.client.HTTPException as err:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers",
                            str(err))
            return False
        conntype = self.headers.get("Connection", "").lower()
        if conntype == "close":
            self.close_connection = True
        elif conntype == "keep-alive" and self.protocol_version >= "HTTP/1.1":
            self.close_connection = False
        expect = self.headers.get("Expect", "")
        if expect.lower() == "100-continue" and self.protocol_version >= "HTTP/1.1" and \
                self.request_version >= "HTTP/1.1":
            if not self.handle_expect_100():
                return False
        return True

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def base_url(self):
        scheme = "https" if getattr(self.server, "ssl_context", None) else "http"
        return "%s://%s" % (scheme, self.headers.get("Host") or "127.0.0.1:%d" %
                            self.server.server_address[1])

    def handle_any(self):
        world = self.server.world
        body = self.read_body()
        req = Req(world, self.command, self.path, self.headers, body, self.base_url())
        if req.path.startswith("/_forge/"):
            with world.lock:
                status, rbody, headers = dispatch_admin(world, req)
            return self.send(status, rbody, headers)
        if world.replay is not None:
            with world.lock:
                status, rbody, headers = world.replay.answer(
                    self.command, self.path, self.headers.items(), body)
            return self.send(status, rbody, headers)
        self.serve_api(world, req)

    def serve_api(self, world, req):
        forge = "gitlab" if req.path.startswith(GITLAB_PREFIX + "/") else \
            "github" if req.path.startswith(GITHUB_PREFIX + "/") or \
            req.path == GITHUB_PREFIX else None
        with world.lock:
            world.seq += 1
            seq = world.seq
            fault = world.faults.pick(seq, self.command, self.path)
            delay = world.faults.delay(seq)
        # --connect-ms: what opening a connection costs on a real network (the
        # TCP and TLS handshakes), paid by its first API request (not by the
        # admin endpoints a test reads the forge through)
        if self.handshake_due:
            self.handshake_due = False
            delay += getattr(world.opts, "connect_ms", 0) / 1000.0
        if delay:
            time.sleep(delay)  # holding no lock: the other requests go on meanwhile
        if forge is None:
            status, rbody, headers = 404, {"message": "Not Found"}, {}
        elif fault in ("500", "502", "503", "429", "secondary", "reset") or \
                (fault == "cut-body" and self.command in MUTATING):
            status, rbody, headers = fault_response(fault, forge, world.switches)
        else:
            with world.lock:
                status, rbody, headers = dispatch_api(world, req, forge, fault)
        h = self.headers
        auth = bool(h.get("Authorization") or h.get("PRIVATE-TOKEN") or h.get("JOB-TOKEN")) \
            or any(k in req.query for k in ("private_token", "job_token", "access_token"))
        entry = {"seq": seq, "method": self.command, "path": redact_query(self.path),
                 "status": status, "auth": auth, "fault": fault, "forge": forge,
                 "time": round(world.now(), 3), "conn": self.conn_id}
        with world.lock:
            world.log_request(entry)
        if fault in ("reset", "applied-then-dropped"):
            return self.drop()
        self.send(status, rbody, headers, cut=fault in ("cut-body", "applied-cut-body"))

    def drop(self):
        """Closes the connection with a TCP reset, without a response."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def date_time_string(self, timestamp=None):
        """http.server's Date value, formatted once a second."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        global date_cache
        now = int(time.time())
        cached = date_cache
        if cached[0] != now:
            cached = date_cache = (now, email.utils.formatdate(now, usegmt=True))
        return cached[1]

    def send(self, status, body, headers, cut=False):
        """The answer in one write: the status line, Server and Date as
        send_response makes them, the headers, Content-Length, the body."""
        headers = dict(headers)
        data = encode_body(body, headers)
        if self.command == "HEAD":
            data = b""
        if self.server.world.opts.verbose:
            self.log_request(status)
        head = b""
        if self.request_version != "HTTP/0.9":
            reason = self.responses[status][0] if status in self.responses else ""
            lines = ["%s %d %s\r\n" % (self.protocol_version, status, reason),
                     "Server: %s\r\n" % self.version_string(),
                     "Date: %s\r\n" % self.date_time_string()]
            lines += ["%s: %s\r\n" % (k, v) for k, v in headers.items()
                      if k.lower() not in ("content-length", "transfer-encoding", "connection")]
            lines.append("Content-Length: %d\r\n\r\n" % len(data))
            head = "".join(lines).encode("latin-1", "strict")
        if cut:
            self.wfile.write(head + data[:max(1, len(data) // 2)])
            return self.drop()
        self.wfile.write(head + data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


date_cache = (None, None)  # (second, Date value), replaced whole


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the listen backlog: clients open many connections at once

    def __init__(self, *args, **kwargs):
        self.connections_lock = threading.Lock()
        self.connections = 0  # TCP connections accepted since the start (never reset)
        super().__init__(*args, **kwargs)

    def accept_connection(self):
        """The id of a newly accepted connection: 1, 2, ... in accepting order."""
        with self.connections_lock:
            self.connections += 1
            return self.connections

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, OSError)):
            return
        super().handle_error(request, client_address)


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Fake GitLab + GitHub REST API server.")
    ap.add_argument("--ecosystem", help="folder with manifest.json and one folder per repo")
    ap.add_argument("--replay", help="folder of recorded exchanges to replay strictly")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--connect-ms", type=float, default=0,
                    help="delay before a new connection's first answer (handshakes)")
    ap.add_argument("--jitter-ms", type=float, default=0)
    ap.add_argument("--fail-rate", type=float, default=0.0)
    ap.add_argument("--fail-seed", default="0")
    ap.add_argument("--fail-kinds", default=",".join(DEFAULT_FAULT_KINDS),
                    help="comma-separated: " + ",".join(FAULT_KINDS))
    ap.add_argument("--pipeline-ms", type=int, default=300)
    ap.add_argument("--log", help="append the request log as JSON lines to this file")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--gitlab-web-url", default="https://gitlab.com")
    ap.add_argument("--github-web-url", default="https://github.com")
    ap.add_argument("--github-raw-url", default="https://raw.githubusercontent.com")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args(argv)
    opts.fail_kinds = [k for k in opts.fail_kinds.split(",") if k]
    bad = [k for k in opts.fail_kinds if k not in FAULT_KINDS]
    if bad:
        ap.error("unknown fault kind '%s'" % bad[0])
    if not opts.ecosystem and not opts.replay:
        ap.error("one of --ecosystem or --replay is required")
    if bool(opts.tls_cert) != bool(opts.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    return opts


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        world = World(opts)
        world.epoch_start = time.time()
        world.replay = Replay(opts.replay) if opts.replay else None
    except (OSError, ValueError, KeyError) as e:
        sys.stderr.write("forge: cannot load: %s\n" % e)
        return 2
    server = Server((opts.host, opts.port), Handler)
    server.world = world
    world.server = server
    server.ssl_context = None
    if opts.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
        server.ssl_context = ctx

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheme = "https" if opts.tls_cert else "http"
    print("forge listening on %s://%s:%d" % (scheme, opts.host, server.server_address[1]),
          flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        if world.log_file:
            world.log_file.close()
    return 0
