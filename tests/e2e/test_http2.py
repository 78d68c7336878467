"""HTTP/2: GitLab.com and GitHub answer over HTTP/2 (ALPN h2). Against a forge
that does (nghttpx with TLS in front of the fake forge), relapi multiplexes
all its requests to a host on one connection (libcurl CURLPIPE_MULTIPLEX),
writes included: a stream the server refuses is one it never applied, so a
write sent again on a new stream is not sent twice."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from release_env import GITLAB_COMPONENTS, SDKS, run, start_forge

NGHTTPX = shutil.which("nghttpx") or ("/usr/sbin/nghttpx" if os.path.exists(
    "/usr/sbin/nghttpx") else None)
REQUIRED = bool(os.environ.get("RELAPI_REQUIRE_TOOLS"))
STATIC = os.environ.get("RELAPI_STATIC_BIN")  # ci/static's binary, its nghttp2 built in


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("nghttpx exited: %s" % proc.stderr.read().decode())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nghttpx did not listen on %d" % port)


@unittest.skipUnless(NGHTTPX or REQUIRED, "nghttpx (Debian nghttp2-proxy) not installed")
class Http2Test(unittest.TestCase):
    def setUp(self):
        if not NGHTTPX:
            self.fail("RELAPI_REQUIRE_TOOLS is set but nghttpx is not installed")
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.cert = os.path.join(self.dir.name, "c.pem")
        key = os.path.join(self.dir.name, "k.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                        "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key,
                        "-out", self.cert], check=True, capture_output=True)
        self.forge = start_forge(self)
        self.port = free_port()
        proxy = subprocess.Popen(
            [NGHTTPX, "--frontend=127.0.0.1,%d" % self.port,
             "--backend=127.0.0.1,%d" % self.forge.port, "--workers=1", "--no-ocsp",
             "--backend-connections-per-host=64", "--accesslog-file=/dev/null",
             "--errorlog-file=/dev/null", key, self.cert],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(lambda: (proxy.terminate(), proxy.wait(), proxy.stderr.close()))
        wait_listening(self.port, proxy)

    def check_one_connection_per_host(self, binary=None):
        # GitLab as 127.0.0.1 and GitHub as localhost: two hosts
        r = run(self.forge, "tag-all", "8.0.6", "-v", "--cacert", self.cert,
                gitlab_url="https://127.0.0.1:%d" % self.port,
                github_url="https://localhost:%d/api/v3" % self.port, binary=binary)
        self.assertEqual(r.code, 0, r)
        self.assertIn("tag-all 8.0.6: complete; 4 commits and 8 tags made", r.out)
        self.assertRegex(r.err, r"requests: 60, attempts: 60, connections opened: 2, "
                                r"retries: 0\n")
        state = self.forge.state()["repos"]
        for repo in GITLAB_COMPONENTS + SDKS:
            self.assertIn("8.0.6", state[repo]["tags"], repo)

    def test_one_connection_per_host(self):
        self.check_one_connection_per_host()

    @unittest.skipUnless(STATIC and os.path.exists(STATIC or ""),
                         "RELAPI_STATIC_BIN is not set (ci/test builds it with ci/static)")
    def test_static_binary_too(self):
        self.check_one_connection_per_host(STATIC)


if __name__ == "__main__":
    unittest.main()
