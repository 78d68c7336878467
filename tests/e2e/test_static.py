"""The static binary (ci/static; RELAPI_STATIC_BIN names it) has no dynamic
dependency and releases from a root that holds nothing else but a CA bundle:
what the FROM scratch image holds. Its TLS is verified against that bundle,
the path it is built to read. ci/test builds it and runs this test; without
RELAPI_STATIC_BIN (or without root, which chroot needs) it is skipped."""

import os
import shutil
import subprocess
import tempfile
import unittest

from release_env import start_forge

STATIC = os.environ.get("RELAPI_STATIC_BIN")


def chroot_tool():
    return shutil.which("chroot") or shutil.which("chroot", path="/usr/sbin:/sbin")


@unittest.skipUnless(STATIC and os.path.exists(STATIC or ""),
                     "RELAPI_STATIC_BIN is not set (ci/test builds it with ci/static)")
class StaticBinaryTest(unittest.TestCase):
    def test_no_dynamic_dependencies(self):
        out = subprocess.run(["readelf", "-l", "-d", STATIC], capture_output=True,
                             text=True, check=True).stdout
        self.assertNotIn("INTERP", out)
        self.assertNotIn("(NEEDED)", out)
        v = subprocess.run([STATIC, "--version"], capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertTrue(v.stdout.startswith("relapi "), v.stdout)

    def scratch(self, ca):
        """A root with the binary and `ca` as the system CA bundle, nothing else."""
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        os.makedirs(os.path.join(d.name, "etc", "ssl", "certs"))
        shutil.copy(STATIC, os.path.join(d.name, "relapi"))
        shutil.copy(ca, os.path.join(d.name, "etc", "ssl", "certs", "ca-certificates.crt"))
        return d.name

    def run_in(self, root, forge, *args):
        env = {"CI": "true", "RELAPI_GITLAB_URL": forge.url,
               "RELAPI_GITHUB_URL": forge.github_url,
               "GITLAB_TOKEN": forge.token("gitlab_write"),
               "GITHUB_TOKEN": forge.token("github_write")}
        return subprocess.run([chroot_tool(), root, "/relapi"] + list(args), env=env,
                              capture_output=True, text=True, timeout=120)

    @unittest.skipUnless(os.geteuid() == 0 and chroot_tool() and shutil.which("openssl"),
                         "chroot needs root, and the test needs openssl")
    def test_release_from_an_empty_root_over_verified_tls(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
            other = os.path.join(d, "other.pem")
            for c, k in ((cert, key), (other, os.path.join(d, "o.pem"))):
                subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", k,
                                "-out", c], check=True, capture_output=True)
            forge = start_forge(self, "--tls-cert", cert, "--tls-key", key)
            self.assertTrue(forge.url.startswith("https://"), forge.url)
            r = self.run_in(self.scratch(other), forge, "preflight", "8.0.6")
            self.assertEqual(r.returncode, 3, r.stderr)
            self.assertIn("the server's certificate is not trusted", r.stderr)
            root = self.scratch(cert)
            r = self.run_in(root, forge, "tag-all", "8.0.6")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("tag-all 8.0.6: complete", r.stdout + r.stderr)
            r = self.run_in(root, forge, "status", "8.0.6", "--tags-only", "-q")
            self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
