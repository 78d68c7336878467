"""ci/release.gitlab-ci.yml runs its release job on exactly the tags relapi
takes for a version: the rule's pattern and `relapi plan`'s version check
agree on every case, stable and prerelease, valid or not."""

import os
import re
import shutil
import subprocess
import tempfile
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
        self.assertIn("    name: $RELAPI_IMAGE\n", text)


LINTER = os.environ.get("RELAPI_GITLAB_CI_LOCAL")


@unittest.skipUnless(LINTER or os.environ.get("RELAPI_REQUIRE_TOOLS"),
                     "RELAPI_GITLAB_CI_LOCAL is not set (ci/test sets it to "
                     "ci/gitlab-ci-local)")
class GitLabCiLocalTest(unittest.TestCase):
    """The template as a project includes it, read by gitlab-ci-local (an
    offline implementation of GitLab CI's rules and its JSON schema): which
    jobs a pipeline gets for each tag, for the docs deployment and for a
    branch push."""

    @classmethod
    def setUpClass(cls):
        if not LINTER:
            raise RuntimeError("RELAPI_REQUIRE_TOOLS is set but RELAPI_GITLAB_CI_LOCAL is not")
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        shutil.copy(os.path.join(SOURCE, "ci", "release.gitlab-ci.yml"),
                    os.path.join(d, "release.gitlab-ci.yml"))
        with open(os.path.join(d, ".gitlab-ci.yml"), "w", encoding="utf-8") as f:
            f.write("include:\n  - local: release.gitlab-ci.yml\n")
        git = ["git", "-C", d, "-c", "user.name=t", "-c", "user.email=t@example.org"]
        for args in (["init", "-q"], ["remote", "add", "origin",
                                      "https://gitlab.com/waldur/waldur-docs.git"],
                     ["add", "."], ["commit", "-qm", "docs"]):
            subprocess.run(git + args, check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def jobs(self, **variables):
        args = [LINTER, "--list"]
        for k, v in variables.items():
            args += ["--variable", "%s=%s" % (k, v)]
        p = subprocess.run(args, cwd=self.tmp.name, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("json schema validated", p.stdout + p.stderr)
        lines = p.stdout.splitlines()
        head = [i for i, line in enumerate(lines) if line.startswith("name ")]
        self.assertEqual(len(head), 1, p.stdout)
        return {line.split()[0] for line in lines[head[0] + 1:] if line.strip()}

    def test_tag_pipelines_run_the_release_for_versions_only(self):
        for v in CASES:
            want = {"relapi-release"} if relapi_takes(v) else set()
            self.assertEqual(self.jobs(CI_COMMIT_TAG=v), want, v)

    def test_docs_deployment_and_branch_pipelines(self):
        self.assertEqual(self.jobs(CI_COMMIT_TAG="8.0.6", DEPLOY_DOCS_VERSION="8.0.6"),
                         {"docs-deploy"})
        self.assertEqual(self.jobs(DEPLOY_DOCS_VERSION="8.0.6"), {"docs-deploy"})
        self.assertEqual(self.jobs(DELETE_DOCS_VERSION="8.0.6"), {"docs-remove"})
        self.assertEqual(self.jobs(CI_COMMIT_BRANCH="master"), set())


@unittest.skipUnless(LINTER or os.environ.get("RELAPI_REQUIRE_TOOLS"),
                     "RELAPI_GITLAB_CI_LOCAL is not set")
class ImagePipelineTest(unittest.TestCase):
    """relapi's own .gitlab-ci.yml publishes, on its release tags only, the
    images the template's default RELAPI_IMAGE names."""

    def test_release_tags_only(self):
        if not LINTER:
            self.fail("RELAPI_REQUIRE_TOOLS is set but RELAPI_GITLAB_CI_LOCAL is not")
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(os.path.join(SOURCE, ".gitlab-ci.yml"), d)
            git = ["git", "-C", d, "-c", "user.name=t", "-c", "user.email=t@example.org"]
            for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "ci"]):
                subprocess.run(git + args, check=True, capture_output=True)

            def listed(**variables):
                args = [LINTER, "--list"]
                for k, v in variables.items():
                    args += ["--variable", "%s=%s" % (k, v)]
                p = subprocess.run(args, cwd=d, capture_output=True, text=True, timeout=120)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                return "images " in p.stdout

            with open(os.path.join(SOURCE, "CMakeLists.txt"), encoding="utf-8") as f:
                version = re.search(r"project\(relapi VERSION (\S+)", f.read()).group(1)
            self.assertTrue(listed(CI_COMMIT_TAG="v" + version))
            for tag in (version, "v%s-rc.1" % version, "vnext"):
                self.assertFalse(listed(CI_COMMIT_TAG=tag), tag)
            self.assertFalse(listed(CI_COMMIT_BRANCH="main"))
        with open(os.path.join(SOURCE, ".gitlab-ci.yml"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn('"$CI_REGISTRY_IMAGE:$version-ci"', text)
        self.assertIn("--target ci", text)


if __name__ == "__main__":
    unittest.main()
