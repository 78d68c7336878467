"""README's 'Your own repositories' configuration, taken from the README
itself, releases a small ecosystem that is not Waldur
(fixtures/ecosystem/example): a VERSION file and a values.yaml on GitLab, a
repository that is only tagged, package.json and its lockfile on GitHub."""

import os
import re
import subprocess
import unittest

from release_env import BIN, SOURCE, run, write_config

EXAMPLE = os.path.join(SOURCE, "fixtures", "ecosystem", "example")


def readme_config():
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- example-config -->\n```yaml\n(.*?)```\n<!-- /example-config -->",
                  text, re.S)
    return m.group(1)


class OwnRepositoriesTest(unittest.TestCase):
    def setUp(self):
        from harness import Forge
        self.forge = Forge(ecosystem=EXAMPLE)
        self.forge.start()
        self.addCleanup(self.forge.stop)
        self.cfg = write_config(self, readme_config())

    def relapi(self, *args):
        return run(self.forge, *args, "-c", self.cfg, "--gitlab-url", self.forge.url,
                   "--github-url", self.forge.github_url)

    def test_forges_take_their_kinds_url_variables(self):
        """The README's forges name no url_env: as kind gitlab and github they
        take RELAPI_GITLAB_URL and RELAPI_GITHUB_URL (set by run) whatever
        their names; GITLAB_HOST and GH_HOST are read as glab and gh do."""
        r = run(self.forge, "plan", "1.5.0", "-c", self.cfg)
        self.assertEqual(r.code, 0, r)
        self.assertIn("acme/web", r.out)
        env = {"RELAPI_GITLAB_URL": "", "RELAPI_GITHUB_URL": "",
               "GITLAB_HOST": "gl.example.com", "GH_HOST": "ghe.example.com"}
        e = {k: v for k, v in os.environ.items() if k not in env}
        e.update({k: v for k, v in env.items() if v})
        out = subprocess.run([BIN, "config", "-c", self.cfg], env=e, capture_output=True,
                             text=True).stdout
        self.assertIn("# gitlab: url https://gl.example.com (from GITLAB_HOST)", out)
        self.assertIn("# github: url https://ghe.example.com/api/v3 (from GH_HOST)", out)

    def test_a_url_that_is_not_the_server_root_is_named(self):
        wrong = self.forge.url + "/gitlab"
        r = run(self.forge, "preflight", "1.5.0", "-c", self.cfg, "--gitlab-url", wrong)
        self.assertEqual(r.code, 3, r)
        self.assertIn("forge 'gitlab': cannot check the token in GITLAB_TOKEN: gitlab: "
                      "check token: Not Found (is '%s', from --gitlab-url, the root of a "
                      "gitlab server?)" % wrong, r.err)

    def test_readme_init_command_writes_the_readme_configuration(self):
        """The README's `relapi init` line, run against the example forge,
        writes a configuration that loads as the README's own (the forge
        URLs aside: init writes the ones it read from), and releases."""
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            block = re.search(r"<!-- init-command -->\n```sh\n(.*?)```", f.read(), re.S)
        line = [x for x in block.group(1).splitlines() if x.startswith("relapi init ")][0]
        out = os.path.join(os.path.dirname(self.cfg), "init.yml")
        r = run(self.forge, *line.split()[1:], "-o", out)
        self.assertEqual(r.code, 0, r)
        self.assertIn("wrote %s: 3 repositories, 5 edits, the version now 1.4.2" % out, r.err)

        def loaded(path):
            shown = run(self.forge, "config", "-c", path)
            self.assertEqual(shown.code, 0, shown)
            return [x for x in shown.out.splitlines()
                    if not x.lstrip().startswith(("url:", "# effective configuration:"))]

        self.maxDiff = None
        self.assertEqual(loaded(out), loaded(self.cfg))
        r = run(self.forge, "tag-all", "1.5.0", "-c", out)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(self.forge.file("acme/server", "1.5.0", "VERSION"), b"1.5.0\n")

    def test_readme_example_is_about_twenty_lines(self):
        self.assertLessEqual(len(readme_config().splitlines()), 22)

    def test_release_with_the_readme_configuration(self):
        before = self.relapi("status", "1.5.0")
        self.assertEqual(before.code, 5, before)  # not released yet: read, incomplete
        self.assertIn("missing", before.out)
        r = self.relapi("tag-all", "1.5.0")
        self.assertEqual(r.code, 0, r)
        f = self.forge
        self.assertEqual(f.file("acme/server", "1.5.0", "VERSION"), b"1.5.0\n")
        values = f.file("acme/server", "1.5.0", "deploy/values.yaml").decode()
        self.assertIn('  tag: "1.5.0"  # set by the release\n', values)
        self.assertIn("# Deployment values of the Acme server.\n", values)
        for name in ("package.json", "package-lock.json"):
            self.assertIn('"version": "1.5.0"', f.file("acme/web", "1.5.0", name).decode())
        lock = f.file("acme/web", "1.5.0", "package-lock.json").decode()
        self.assertNotIn("1.4.2", lock)
        state = f.state()["repos"]
        chart = state["acme/chart"]
        # only tagged: the tag is on the branch head, no commit was made
        self.assertEqual(chart["tags"]["1.5.0"]["commit"], chart["branches"]["main"])
        for path in ("acme/server", "acme/web"):
            self.assertEqual(state[path]["tags"]["1.5.0"]["commit"],
                             state[path]["branches"]["main"], path)
        again = self.relapi("tag-all", "1.5.0")
        self.assertEqual(again.code, 0, again)
        self.assertEqual(f.state()["repos"], state, "a second run writes nothing")
        status = self.relapi("status", "1.5.0")
        self.assertEqual(status.code, 0, status)


if __name__ == "__main__":
    unittest.main()
