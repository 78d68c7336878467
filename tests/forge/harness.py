"""Starts and drives the fake forge (forge.py) for Python tests.

    sys.path.insert(0, '../forge')
    from harness import Forge

    with Forge() as f:                      # the Waldur ecosystem
        f.gitlab_url, f.github_url, f.token('gitlab_write')
        f.state(); f.file('waldur/waldur-helm', 'master', 'waldur/Chart.yaml')
        f.push('waldur/waldur-helm', 'master', {'README.md': 'x'}, 'chore: race')
        f.faults(targets=[{'method': 'POST', 'path': '/repository/tags', 'kind': 'applied-then-dropped'}])
        f.requests(); f.reset()

`ForgeTestCase` is a test case class with one forge for the class (started
with FORGE_ARGS), reset before each test.

Standard library only.
"""

import base64
import http.client
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
FORGE = os.path.join(HERE, "forge.py")
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
WALDUR = os.path.join(SOURCE, "fixtures", "ecosystem", "waldur")
USER_AGENT = "forge-harness"


class Response:
    """An HTTP response: status, headers (case-insensitive get), raw body, .json()."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


class Forge:
    """A forge.py process on a free loopback port, stopped on exit."""

    def __init__(self, ecosystem=WALDUR, args=(), replay=None, python=None, start_timeout=15):
        self.ecosystem = ecosystem
        self.args = list(args)
        self.replay = replay
        self.python = python or sys.executable
        self.start_timeout = start_timeout
        self.proc = None
        self.url = None
        self.manifest = {}
        self.tokens = {}
        if ecosystem and not replay:
            with open(os.path.join(ecosystem, "manifest.json"), encoding="utf-8") as f:
                self.manifest = json.load(f)
            self.tokens = {t["name"]: t["token"] for t in self.manifest.get("tokens", [])}

    # -- lifecycle
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        cmd = [self.python, FORGE, "--port", "0"]
        cmd += ["--replay", self.replay] if self.replay else ["--ecosystem", self.ecosystem]
        cmd += self.args
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr)
        ready, _, _ = select.select([self.proc.stdout], [], [], self.start_timeout)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("forge listening on "):
            self.stop()
            raise RuntimeError("forge did not start: %r %s" % (line, self.stderr_text()))
        self.url = line.split()[-1].strip()
        parsed = urllib.parse.urlparse(self.url)
        self.host, self.port = parsed.hostname, parsed.port
        self.https = parsed.scheme == "https"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.returncode = self.proc.returncode
        self.proc = None
        self.stderr_saved = self.stderr_text()
        self.stderr.close()

    def stderr_text(self):
        """What the forge wrote to stderr so far (tracebacks of handler failures)."""
        if self.stderr.closed:
            return self.stderr_saved
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    # -- addresses and tokens
    @property
    def gitlab_url(self):
        return self.url + "/api/v4"

    @property
    def github_url(self):
        return self.url + "/api/v3"

    def token(self, name):
        return self.tokens[name]

    # -- raw HTTP
    def request(self, method, path, body=None, headers=None, timeout=10):
        """One request on a fresh connection; body dict → JSON, str/bytes as is."""
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        kwargs = {}
        if self.https:
            import ssl
            kwargs["context"] = ssl._create_unverified_context()
        conn = cls(self.host, self.port, timeout=timeout, **kwargs)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return Response(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def gitlab(self, method, path, body=None, token="gitlab_write", headers=None, auth="private"):
        """A GitLab API call; path relative to /api/v4; token by manifest name or None."""
        h = dict(headers or {})
        if token:
            value = self.tokens.get(token, token)
            name = {"private": "PRIVATE-TOKEN", "job": "JOB-TOKEN"}.get(auth)
            if name:
                h[name] = value
            else:
                h["Authorization"] = "Bearer " + value
        return self.request(method, "/api/v4" + path, body, h)

    def github(self, method, path, body=None, token="github_write", headers=None, agent=True):
        """A GitHub API call; path relative to /api/v3; token by manifest name or None."""
        h = {"Accept": "application/vnd.github+json"}
        if agent:
            h["User-Agent"] = USER_AGENT
        if token:
            h["Authorization"] = "Bearer " + self.tokens.get(token, token)
        h.update(headers or {})
        return self.request(method, "/api/v3" + path, body, h)

    # -- admin endpoints
    def admin(self, method, path, body=None):
        r = self.request(method, "/_forge/" + path, body)
        if r.status >= 400:
            raise RuntimeError("forge admin %s %s: %d %s" % (method, path, r.status, r.body))
        return r.json() if r.body else None

    def state(self):
        return self.admin("GET", "state")

    def repo_state(self, repo):
        return self.state()["repos"][repo]

    def file(self, repo, ref, path):
        """A file's bytes at ref, or None when it does not exist."""
        q = urllib.parse.urlencode({"repo": repo, "ref": ref, "path": path})
        r = self.request("GET", "/_forge/file?" + q)
        return r.body if r.status == 200 else None

    def requests(self, since=0):
        return self.admin("GET", "requests?since=%d" % since)

    def connections(self):
        """How many TCP connections the forge accepted so far, the one asking
        included (each request opens its own)."""
        return self.admin("GET", "connections")["accepted"]

    def clear_requests(self):
        self.request("DELETE", "/_forge/requests")

    def push(self, repo, branch, files, message="chore: concurrent change", delete=(),
             binary=None, **extra):
        body = {"repo": repo, "branch": branch, "files": files, "message": message,
                "delete": list(delete)}
        if binary:
            body["files_base64"] = {p: base64.b64encode(d).decode() for p, d in binary.items()}
        body.update(extra)
        return self.admin("POST", "push", body)["id"]

    def faults(self, **options):
        """Sets fault options: rate, seed, kinds, targets, latency_ms, jitter_ms, pipeline_ms."""
        return self.admin("POST", "faults", options)

    def switches(self, **values):
        return self.admin("POST", "switches", values)

    def reset(self):
        return self.admin("POST", "reset")

    def protect(self, repo, pattern, **rule):
        """Protects tags matching pattern (GitHub: a ruleset; rule: ruleset, enforcement,
        bypass, create_access_level)."""
        return self.admin("POST", "protect", dict(rule, repo=repo, pattern=pattern))

    def replay_status(self):
        return self.admin("GET", "replay")


class ForgeTestCase(unittest.TestCase):
    """One forge for the class, started with FORGE_ARGS; reset before each test."""

    FORGE_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.forge = Forge(args=cls.FORGE_ARGS)
        cls.forge.start()

    @classmethod
    def tearDownClass(cls):
        cls.forge.stop()

    def setUp(self):
        self.forge.reset()

    def gl(self, *a, **kw):
        return self.forge.gitlab(*a, **kw)

    def gh(self, *a, **kw):
        return self.forge.github(*a, **kw)
