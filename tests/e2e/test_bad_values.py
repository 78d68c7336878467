"""Values that would change what is sent are refused before anything is sent:
a token or URL with a line break or another control character (a CR/LF would
add header lines of its own), a URL variable set but empty (never a silent
fall back to the public service with the token). Exit 2, one line naming the
variable and never its value."""

import os
import shutil
import subprocess
import tempfile
import unittest

from release_env import all_tokens, run, start_forge


class BadValuesTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def assert_refused(self, r, *words):
        self.assertEqual(r.code, 2, r)
        self.assertEqual(len(r.err.strip().splitlines()), 1, r)
        for w in words:
            self.assertIn(w, r.err)
        self.assertEqual(self.forge.requests(), [], "nothing may be sent")
        self.assertNotIn("X-Injected", r.err + r.out)
        for tok in all_tokens(self.forge):
            self.assertNotIn(tok, r.out + r.err)

    def test_token_with_crlf_is_refused(self):
        bad = self.forge.token("gitlab_write") + "\r\nX-Injected: 1"
        for cmd in (("preflight", "8.0.6"), ("tag-all", "8.0.6"), ("status", "8.0.6")):
            r = run(self.forge, *cmd, env={"GITLAB_TOKEN": bad})
            self.assert_refused(r, "the token in GITLAB_TOKEN holds a control character")

    def test_token_with_trailing_newline_says_so(self):
        r = run(self.forge, "preflight", "8.0.6",
                env={"GITHUB_TOKEN": self.forge.token("github_write") + "\n"})
        self.assert_refused(r, "the token in GITHUB_TOKEN ends with a line break")

    def test_empty_url_variable_is_refused(self):
        r = run(self.forge, "preflight", "8.0.6", env={"RELAPI_GITLAB_URL": ""})
        self.assert_refused(r, "RELAPI_GITLAB_URL is set but empty")

    def test_empty_url_flag_is_refused(self):
        r = run(self.forge, "preflight", "8.0.6", "--github-url", "")
        self.assert_refused(r, "--github-url is empty")

    def test_config_command_names_the_variable(self):
        r = run(self.forge, "config", env={"GITLAB_TOKEN": "abc\r\ndef"})
        self.assertEqual(r.code, 2, r)
        self.assertIn("the token in GITLAB_TOKEN holds a control character", r.err)
        self.assertNotIn("abc", r.err)


if __name__ == "__main__":
    unittest.main()


class PermanentErrorsTest(unittest.TestCase):
    """Failures that running again cannot cure are not "run it again" (exit 1):
    a certificate that fails verification is a problem with its cause (exit
    3), a URL that is not http(s) or malformed is refused (exit 2 or 3)."""

    @unittest.skipUnless(shutil.which("openssl"), "openssl not installed")
    def test_untrusted_certificate(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key,
                            "-out", cert], check=True, capture_output=True)
            forge = start_forge(self, "--tls-cert", cert, "--tls-key", key)
            r = run(forge, "preflight", "8.0.6")
            self.assertEqual(r.code, 3, r)
            self.assertIn("the server's certificate is not trusted: give its CA with "
                          "--cacert, or check the URL", r.err)
            self.assertNotIn("run it again", r.err)
            ok = run(forge, "preflight", "8.0.6", "--cacert", cert)
            self.assertEqual(ok.code, 0, ok)

    def test_unsupported_scheme(self):
        forge = start_forge(self)
        r = run(forge, "preflight", "8.0.6", env={"RELAPI_GITLAB_URL": "gopher://127.0.0.1:1"})
        self.assertEqual(r.code, 2, r)
        self.assertIn("forge url 'gopher://127.0.0.1:1/api/v4' is not http(s)", r.err)
        self.assertNotIn("run it again", r.err)
        r = run(forge, "preflight", "8.0.6", env={"RELAPI_GITLAB_URL": "http://[::1"})
        self.assertIn(r.code, (2, 3), r)
        self.assertNotIn("run it again", r.err)


class OneLineErrorsTest(unittest.TestCase):
    """Values echoed in errors are escaped, so every error is one line; a
    repository's error goes to stderr, its progress to stdout."""

    def test_version_with_a_newline_is_escaped(self):
        forge = start_forge(self)
        r = run(forge, "preflight", "8.0.6\nX-Injected: 1")
        self.assertEqual(r.code, 2, r)
        self.assertEqual(r.err.count("\n"), 1, r)
        self.assertIn("invalid version '8.0.6\\nX-Injected: 1'", r.err)
        r = run(forge, "plan", "8.0.\x1b[31m6")
        self.assertIn("'8.0.\\x1b[31m6'", r.err)
        self.assertNotIn("\x1b", r.err)

    def test_repository_errors_go_to_stderr(self):
        forge = start_forge(self)
        forge.faults(targets=[{"method": "POST", "path": r"waldur-helm/repository/commits$",
                               "kind": "500", "count": 1}])
        r = run(forge, "tag-all", "8.0.6", "--retries", "0")
        self.assertEqual(r.code, 1, r)
        self.assertIn("waldur-helm: error: ", r.err)
        self.assertNotIn("error", r.out)
        self.assertIn("waldur-mastermind: tagged 8.0.6", r.out)
