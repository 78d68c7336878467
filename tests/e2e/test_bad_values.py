"""Values that would change what is sent are refused before anything is sent:
a token or URL with a line break or another control character (a CR/LF would
add header lines of its own), a URL variable set but empty (never a silent
fall back to the public service with the token). Exit 2, one line naming the
variable and never its value."""

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
