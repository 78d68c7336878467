"""relapi config: the effective configuration, file errors with line numbers,
URL/token resolution shown without the tokens."""

import os
import subprocess
import tempfile
import unittest

from release_env import BIN


def relapi(*args, env=None, cwd=None):
    e = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN") and
         k not in ("CI_SERVER_URL", "GITHUB_API_URL", "RELAPI_GITLAB_URL", "RELAPI_GITHUB_URL")}
    e.update(env or {})
    p = subprocess.run([BIN] + list(args), env=e, capture_output=True, cwd=cwd)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class ConfigCommandTest(unittest.TestCase):
    def test_default_is_waldur_and_round_trips(self):
        code, out, err = relapi("config", env={"GITLAB_TOKEN": "test-gitlab-secret-value",
                                               "CI_SERVER_URL": "https://ci.example"})
        self.assertEqual(code, 0, err)
        self.assertTrue(out.startswith("# effective configuration: embedded default\n"), out)
        self.assertIn('path: "waldur/waldur-helm"', out)
        self.assertIn("# gitlab: url https://ci.example (from CI_SERVER_URL), token GITLAB_TOKEN: set", out)
        self.assertIn("# github: url https://api.github.com (from config), token GITHUB_TOKEN: missing", out)
        self.assertNotIn("test-gitlab-secret-value", out + err)
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
            fh.write(out)
        self.addCleanup(os.unlink, fh.name)
        code2, out2, err2 = relapi("config", "-c", fh.name,
                                   env={"GITLAB_TOKEN": "test-gitlab-secret-value",
                                        "CI_SERVER_URL": "https://ci.example"})
        self.assertEqual(code2, 0, err2)
        self.assertEqual(out2.split("\n", 1)[1], out.split("\n", 1)[1])

    def test_local_relapi_yml_replaces_default(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "relapi.yml"), "w") as fh:
                fh.write("forges:\n  gl: {kind: gitlab, url: http://gl, token_env: [T]}\n"
                         "repositories:\n  - {name: one, forge: gl, path: g/one, branch: main}\n")
            code, out, err = relapi("config", cwd=d)
            self.assertEqual(code, 0, err)
            self.assertTrue(out.startswith("# effective configuration: relapi.yml\n"), out)
            self.assertIn('name: "one"', out)

    def test_errors_name_file_and_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
            fh.write("forges:\n  gl:\n    kind: gitlab\n    url: http://gl\n    token_env: T\n"
                     "repositories:\n  - name: one\n    forge: gl\n    path: g/one\n"
                     "    branch: main\n    mesage: \"x {version}\"\n")
        self.addCleanup(os.unlink, fh.name)
        code, out, err = relapi("config", "-c", fh.name)
        self.assertEqual(code, 2)
        self.assertEqual(err.strip(),
                         "relapi config: %s:11: unknown key 'mesage' in repository" % fh.name)
        code, out, err = relapi("tag-all", "8.0.6", "-c", fh.name)
        self.assertEqual(code, 2)
        self.assertIn(":11: unknown key 'mesage'", err)

    def write_config(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
            fh.write(text)
        self.addCleanup(os.unlink, fh.name)
        return fh.name

    def test_second_document_is_an_error(self):
        path = self.write_config(
            "forges:\n  gl:\n    kind: gitlab\n    url: http://gl\n    token_env: T\n"
            "repositories:\n  - name: one\n    forge: gl\n    path: g/one\n"
            "    branch: main\n---\nrepositories:\n  - name: two\n")
        code, out, err = relapi("config", "-c", path)
        self.assertEqual(code, 2)
        self.assertEqual(out, "")
        self.assertEqual(err.strip(), "relapi config: %s:11: a second YAML document; "
                                      "the configuration is one document" % path)

    def test_no_repositories_is_an_error(self):
        path = self.write_config("forges:\n  gl:\n    kind: gitlab\n    url: http://gl\n"
                                 "    token_env: T\nrepositories: []\n")
        code, out, err = relapi("config", "-c", path)
        self.assertEqual(code, 2)
        self.assertEqual(err.strip(), "relapi config: %s:6: no repositories: "
                                      "'repositories' is empty" % path)


if __name__ == "__main__":
    unittest.main()
