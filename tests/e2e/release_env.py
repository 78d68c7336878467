"""Shared pieces of the release engine's end-to-end tests.

The real relapi binary (RELAPI_BIN) runs against the fake forge started by
tests/forge/harness.py. `Interposer` is a small forwarding proxy between
relapi and the forge that lets a test act at an exact point of a run (push a
concurrent commit just before relapi's commit arrives, or hold a request
until relapi is killed), so no test depends on timing.

Standard library only.
"""

import http.client
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("RELAPI_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..")))
sys.path.insert(0, os.path.join(SOURCE, "tests", "forge"))

from harness import Forge  # noqa: E402

BIN = os.environ.get("RELAPI_BIN", os.path.join(SOURCE, "build", "src", "relapi"))
EXPECTED = os.path.join(SOURCE, "fixtures", "expected")
WRITES = ("POST", "PUT", "PATCH", "DELETE")

# repository -> (branch, edited files) of the embedded Waldur configuration
EDITED = {
    "waldur/waldur-helm": ("master", ["waldur/Chart.yaml", "waldur/values.yaml"]),
    "waldur/waldur-docker-compose": ("develop", [".env.example"]),
    "waldur/py-client": ("main", ["pyproject.toml"]),
    "waldur/js-client": ("main", ["package.json", "package-lock.json"]),
}
TAG_ONLY = ["waldur/waldur-mastermind", "waldur/waldur-homeport",
            "waldur/waldur-prometheus-exporter", "waldur/go-client"]
GITLAB_COMPONENTS = ["waldur/waldur-mastermind", "waldur/waldur-homeport",
                     "waldur/waldur-prometheus-exporter", "waldur/waldur-helm",
                     "waldur/waldur-docker-compose"]
SDKS = ["waldur/py-client", "waldur/js-client", "waldur/go-client"]


def start_forge(test, *args):
    """A forge (started with `args`) for one test, stopped when the test ends."""
    forge = Forge(args=args)
    forge.start()
    test.addCleanup(forge.stop)
    return forge


FORGE_URLS = {"gitlab": "https://gitlab.com", "github": "https://api.github.com"}


def config_text(repositories):
    """A configuration with forges `gitlab` and `github` (URLs from
    RELAPI_*_URL, tokens from GITLAB_TOKEN and GITHUB_TOKEN) and the YAML list
    `repositories`."""
    forges = "".join("  %s:\n    kind: %s\n    url: %s\n    url_env: [RELAPI_%s_URL]\n"
                     "    token_env: [%s_TOKEN]\n" % (k, k, u, k.upper(), k.upper())
                     for k, u in FORGE_URLS.items())
    return "forges:\n" + forges + "repositories:\n" + repositories


# a GitHub deployment test: js-client's publish.yml has run-name "Publish ${{ inputs.version }}"
GITHUB_TEST = """forges:
  github:
    kind: github
    url: https://api.github.com
    url_env: [RELAPI_GITHUB_URL]
    token_env: [GITHUB_TOKEN]
repositories:
  - {name: js-client, forge: github, path: waldur/js-client, branch: main}
release:
  test_pipelines:
    - repository: js-client
      workflow: publish.yml
      variables: {version: "{version}"}
"""


def embedded_config(test, lines):
    """The embedded Waldur configuration with `lines` ({repository name: YAML
    line}) added to those repositories, as relapi.yml in a folder removed
    when the test ends; its path."""
    with open(os.path.join(SOURCE, "src", "embed", "waldur.yml"), encoding="utf-8") as f:
        text = f.read()
    for name, line in lines.items():
        head = "  - name: %s\n" % name
        test.assertIn(head, text)
        text = text.replace(head, head + "    %s\n" % line)
    return write_config(test, text)


def write_config(test, text):
    """`text` as relapi.yml in a folder removed when the test ends; its path."""
    tmp = tempfile.TemporaryDirectory()
    test.addCleanup(tmp.cleanup)
    path = os.path.join(tmp.name, "relapi.yml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def __repr__(self):
        return "<exit %d>\nstdout:\n%s\nstderr:\n%s" % (self.code, self.out, self.err)


# The note every command prints when it runs on the embedded configuration
# (no ./relapi.yml, no -c): tests of the embedded Waldur ecosystem read the
# rest of stderr (test_qa_cli checks the note itself).
EMBEDDED_NOTE = ("no ./relapi.yml: using the embedded Waldur configuration "
                 "('relapi config' prints it; -c FILE for another)")


def without_note(err, cmd):
    """stderr without the embedded-configuration note of `relapi CMD`."""
    return err.replace("relapi %s: %s\n" % (cmd, EMBEDDED_NOTE), "", 1)


def run(forge, *args, gitlab_url=None, github_url=None, tokens=("gitlab_write", "github_write"),
        env=None, timeout=120, binary=None):
    """Runs relapi (or `binary`) against forge with the write tokens (CI mode: plain lines)."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("GITLAB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "CI_JOB_TOKEN",
                      "CI_SERVER_URL", "GITHUB_API_URL")}
    e.update({"CI": "true", "RELAPI_GITLAB_URL": gitlab_url or forge.url,
              "RELAPI_GITHUB_URL": github_url or forge.github_url})
    names = {"gitlab_write": "GITLAB_TOKEN", "github_write": "GITHUB_TOKEN"}
    for t in tokens:
        e[names[t]] = forge.token(t)
    e.update(env or {})
    p = subprocess.run([binary or BIN] + list(args), env=e, capture_output=True,
                       timeout=timeout)
    err = p.stderr.decode("utf-8", "replace")
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                  without_note(err, args[0]) if args else err)


def start(forge, *args, gitlab_url=None, github_url=None):
    """Starts relapi in the background (for kill tests); returns the Popen."""
    e = dict(os.environ, CI="true", RELAPI_GITLAB_URL=gitlab_url or forge.url,
             RELAPI_GITHUB_URL=github_url or forge.github_url,
             GITLAB_TOKEN=forge.token("gitlab_write"), GITHUB_TOKEN=forge.token("github_write"))
    return subprocess.Popen([BIN] + list(args), env=e, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def writes(forge, since=0):
    """The mutating requests in the forge's log since seq `since`."""
    return [r for r in forge.requests(since) if r["method"] in WRITES]


def last_seq(forge):
    """The greatest seq logged: entries are logged as requests end, so with
    latency the last one logged need not be the last one numbered."""
    return max((r["seq"] for r in forge.requests()), default=0)


def all_tokens(forge):
    return [t["token"] for t in forge.manifest.get("tokens", [])]


class Interposer:
    """A forwarding proxy to the forge; `hook(method, path)` runs before forwarding.

    A hook may act on the forge (push a commit) or block (wait on an event).
    """

    def __init__(self, forge, hook):
        self.forge = forge
        self.hook = hook
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no delayed-ACK stall per answer

            def log_message(self, *a):
                pass

            def handle_one(self):
                try:
                    self.forward()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                outer.hook(self.command, self.path)
                conn = http.client.HTTPConnection(outer.forge.host, outer.forge.port, timeout=30)
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in ("host", "connection", "content-length")}
                conn.request(self.command, self.path, body=body, headers=hdrs)
                r = conn.getresponse()
                data = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_one

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def once(pattern, method, action):
    """A hook calling action() the first time `method path` matches pattern."""
    state = {"done": False}
    lock = threading.Lock()

    def hook(m, path):
        with lock:
            if state["done"] or m != method or not re.search(pattern, path):
                return
            state["done"] = True
        action()
    return hook
