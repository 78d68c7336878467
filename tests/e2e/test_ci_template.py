"""ci/release.gitlab-ci.yml runs its release job on exactly the tags relapi
takes for a version: the rule's pattern and `relapi plan`'s version check
agree on every case, stable and prerelease, valid or not."""

import os
import re
import subprocess
import unittest

from release_env import BIN, SOURCE

CASES = ("8.0.6", "10.20.30", "0.0.0", "8.0.6-rc.1", "8.0.6-rc.10", "8.0.6-alpha.1",
         "8.0.6-beta.12", "v8.0.6", "8.0", "08.0.6", "8.0.06", "8.0.6-rc.0", "8.0.6-rc",
         "8.0.6-gamma.1", "8.0.6-RC.1", "8.0.6.1", "8.0.6-rc.1.2", "nightly-2026-01-08",
         "deployed-production", "8.0.6+build")


def rule_pattern():
    with open(os.path.join(SOURCE, "ci", "release.gitlab-ci.yml"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"\$CI_COMMIT_TAG =~ /(.*?)/ &&", text)
    return re.compile(m.group(1))


def relapi_takes(version):
    """1 when relapi accepts the version (exit 2 with 'invalid version' when not)."""
    env = dict(os.environ, CI="true", RELAPI_GITLAB_URL="http://127.0.0.1:9",
               RELAPI_GITHUB_URL="http://127.0.0.1:9/api/v3")
    p = subprocess.run([BIN, "plan", version, "--retries", "0"], env=env,
                       capture_output=True, text=True, timeout=60)
    return "invalid version" not in p.stderr


class TemplateRuleTest(unittest.TestCase):
    def test_rule_and_relapi_agree(self):
        pattern = rule_pattern()
        for v in CASES:
            self.assertEqual(bool(pattern.search(v)), relapi_takes(v), v)

    def test_the_image_variable_has_a_default(self):
        with open(os.path.join(SOURCE, "ci", "release.gitlab-ci.yml"),
                  encoding="utf-8") as f:
            text = f.read()
        self.assertRegex(text, r'\n  RELAPI_IMAGE: "[^"$]+"\n')
        self.assertIn("image: $RELAPI_IMAGE", text)


if __name__ == "__main__":
    unittest.main()
