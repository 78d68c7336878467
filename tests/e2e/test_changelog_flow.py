"""`relapi changelog`: the entry from the forges' compare results, inserted
with the changelog rules and committed to the docs with publiccode.yml."""
import os
import re
import tempfile
import unittest
import urllib.parse

from release_env import run, start_forge, writes

DOCS = "waldur/waldur-docs"
CHANGELOG = "docs/about/CHANGELOG.md"
DATE = "2026-02-01"
ENV = {"RELAPI_DATE": DATE}
# repository -> branch, for the compare the entry makes before the tags exist
STABLE_REPOS = {
    "waldur/waldur-mastermind": "develop", "waldur/waldur-homeport": "develop",
    "waldur/waldur-prometheus-exporter": "develop", "waldur/waldur-helm": "master",
    "waldur/waldur-docker-compose": "develop", "waldur/py-client": "main",
    "waldur/js-client": "main", "waldur/go-client": "main",
}
TITLES = {
    "waldur/waldur-mastermind": "Waldur Mastermind", "waldur/waldur-homeport": "Waldur Homeport",
    "waldur/waldur-prometheus-exporter": "Waldur Prometheus Exporter",
    "waldur/waldur-helm": "Waldur Helm", "waldur/waldur-docker-compose": "Waldur Docker Compose",
    "waldur/py-client": "Py Client", "waldur/js-client": "Js Client",
    "waldur/go-client": "Go Client",
}


def q(s):
    return urllib.parse.quote(s, safe="")


def entry(version):
    return "## %s - 2026-01-01\n\n- notes of %s\n\n---\n" % (version, version)


class ChangelogFlow(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def compare(self, repo, frm, to, link_to=None):
        """(count as the forge's compare API reports it for frm...to, the web
        compare URL of frm...link_to: an entry links the previous release with
        the new version's tag even before that tag exists)."""
        link_to = link_to or to
        if repo.split("/")[1] in ("py-client", "js-client", "go-client"):
            c = self.forge.github("GET", "/repos/%s/compare/%s...%s" % (repo, frm, to)).json()
            self.assertIn("/compare/", c["html_url"])
            return c["total_commits"], "%s/%s/compare/%s...%s" % (self.forge.url, repo, frm,
                                                                  link_to)
        c = self.forge.gitlab("GET", "/projects/%s/repository/compare?from=%s&to=%s"
                              % (q(repo), frm, to)).json()
        self.assertIn("/-/compare/", c["web_url"])
        return len(c["commits"]), "%s/%s/-/compare/%s...%s" % (self.forge.url, repo, frm,
                                                                 link_to)

    def test_links_and_counts_match_compare(self):
        r = run(self.forge, "changelog", "8.0.6", "--stdout", env=ENV)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(writes(self.forge), [])
        lines = re.findall(r"^- \*\*(.+?)\*\*: \[(\d+) commits?\]\((\S+)\)$", r.out, re.M)
        self.assertEqual(len(lines), len(STABLE_REPOS), r.out)
        got = {title: (int(n), url) for title, n, url in lines}
        for repo, branch in STABLE_REPOS.items():
            count, url = self.compare(repo, "8.0.5", branch, link_to="8.0.6")
            self.assertGreater(count, 0)
            self.assertEqual(got[TITLES[repo]], (count, url), repo)
        self.assertIn("### Resources\n\n- [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6.yaml)",
                      r.out)

    def config_with_links(self, links):
        """The embedded configuration with compare_url set on some repositories."""
        with open(os.path.join(os.environ.get("RELAPI_SOURCE_DIR", "."),
                               "src", "embed", "waldur.yml"), encoding="utf-8") as f:
            text = f.read()
        for name, link in links.items():
            head = "  - name: %s\n" % name
            self.assertIn(head, text)
            text = text.replace(head, head + "    compare_url: \"%s\"\n" % link)
        path = os.path.join(self.tmp.name, "relapi.yml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_compare_url_links_a_mirror(self):
        mirror = "https://github.com/waldur/{name}/compare/{from}...{to}"
        cfg = self.config_with_links({"waldur-mastermind": mirror,
                                      "waldur-helm": "https://example.org/{path}/c/{from}..{to}"})
        r = run(self.forge, "changelog", "8.0.6", "--stdout", "-c", cfg, env=ENV)
        self.assertEqual(r.code, 0, r)
        lines = re.findall(r"^- \*\*(.+?)\*\*: \[(\d+) commits?\]\((\S+)\)$", r.out, re.M)
        got = {title: (int(n), url) for title, n, url in lines}
        count, _ = self.compare("waldur/waldur-mastermind", "8.0.5", "develop")
        self.assertEqual(got["Waldur Mastermind"],
                         (count, "https://github.com/waldur/waldur-mastermind/compare/8.0.5...8.0.6"))
        count, _ = self.compare("waldur/waldur-helm", "8.0.5", "master")
        self.assertEqual(got["Waldur Helm"],
                         (count, "https://example.org/waldur/waldur-helm/c/8.0.5..8.0.6"))
        # the others keep the forge's own compare page
        self.assertEqual(got["Waldur Homeport"],
                         self.compare("waldur/waldur-homeport", "8.0.5", "develop",
                                      link_to="8.0.6"))
        # relapi config shows the key; a placeholder it does not know is refused
        r = run(self.forge, "config", "-c", cfg)
        self.assertEqual(r.code, 0, r)
        self.assertIn('compare_url: "%s"' % mirror, r.out)
        bad = self.config_with_links({"waldur-helm": "https://x/{version}"})
        r = run(self.forge, "changelog", "8.0.6", "--stdout", "-c", bad, env=ENV)
        self.assertEqual(r.code, 2, r)
        self.assertRegex(r.err, r"relapi\.yml:\d+: 'compare_url': bad link 'https://x/\{version\}'")
        self.assertEqual(r.out, "")

    def embedded_with(self, old, new):
        """The embedded configuration with `old` replaced by `new`, as a file."""
        with open(os.path.join(os.environ.get("RELAPI_SOURCE_DIR", "."),
                               "src", "embed", "waldur.yml"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text)
        path = os.path.join(self.tmp.name, "relapi.yml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new))
        return path

    def test_schema_link_follows_the_openapi_target(self):
        """The Resources link is openapi.target seen from the changelog's
        folder, and there is none without an openapi stage."""
        target = '    target: "docs/API/waldur-openapi-schema-{version}.yaml"\n'
        cfg = self.embedded_with(target, '    target: "schemas/api-{version}.json"\n')
        r = run(self.forge, "changelog", "8.0.6", "--stdout", "-c", cfg, env=ENV)
        self.assertEqual(r.code, 0, r)
        self.assertIn("### Resources\n\n- [OpenAPI Schema](../../schemas/api-8.0.6.json)",
                      r.out)
        block = ('  openapi:\n    repository: waldur-mastermind\n'
                 '    job: Generate OpenAPI schema\n'
                 '    artifact: "waldur-openapi-schema-{version}.yaml"\n' + target)
        cfg = self.embedded_with(block, "")
        r = run(self.forge, "changelog", "8.0.6", "--stdout", "-c", cfg, env=ENV)
        self.assertEqual(r.code, 0, r)
        self.assertIn("## 8.0.6 - %s" % DATE, r.out)
        self.assertNotIn("Resources", r.out)
        self.assertNotIn("openapi", r.out.lower())

    def test_links_follow_the_tag_format(self):
        """With tag: "v{version}" the entry compares and links the formatted
        tags of the previous and the new release."""
        with open(os.path.join(os.environ.get("RELAPI_SOURCE_DIR", "."),
                               "src", "embed", "waldur.yml"), encoding="utf-8") as f:
            text = re.sub(r"^(  - name: .*\n)", r'\1    tag: "v{version}"\n', f.read(),
                          flags=re.M)
        cfg = os.path.join(self.tmp.name, "relapi.yml")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(text)
        state = self.forge.state()["repos"]
        for repo in list(STABLE_REPOS) + [DOCS]:
            sha = state[repo]["tags"]["8.0.5"]["commit"]
            if repo.split("/")[1] in ("py-client", "js-client", "go-client"):
                r = self.forge.github("POST", "/repos/%s/git/refs" % repo,
                                      {"ref": "refs/tags/v8.0.5", "sha": sha})
            else:
                r = self.forge.gitlab("POST", "/projects/%s/repository/tags" % q(repo),
                                      {"tag_name": "v8.0.5", "ref": sha})
            self.assertEqual(r.status, 201, r.body)
        r = run(self.forge, "changelog", "v8.0.6", "--stdout", "-c", cfg, env=ENV)
        self.assertEqual(r.code, 0, r)
        lines = re.findall(r"^- \*\*(.+?)\*\*: \[(\d+) commits?\]\((\S+)\)$", r.out, re.M)
        got = {title: (int(n), url) for title, n, url in lines}
        self.assertEqual(len(got), len(STABLE_REPOS), r.out)
        for repo, branch in STABLE_REPOS.items():
            self.assertEqual(got[TITLES[repo]],
                             self.compare(repo, "v8.0.5", branch, link_to="v8.0.6"), repo)

    def test_rc_entry_covers_rc_repositories_only(self):
        r = run(self.forge, "changelog", "8.0.6-rc.1", "--stdout", env=ENV)
        self.assertEqual(r.code, 0, r)
        self.assertNotIn("Py Client", r.out)
        self.assertNotIn("Resources", r.out)
        self.assertIn("**Waldur Helm**: [", r.out)

    def test_rotation_and_rc_removal_with_22_entries(self):
        versions = ["8.0.6-rc.2", "8.0.6-rc.1", "8.0.5", "8.0.4", "8.0.3", "8.0.2", "8.0.1",
                    "8.0.0"] + ["7.0.%d" % k for k in range(13, -1, -1)]
        self.assertEqual(len(versions), 22)
        text = "# Changelog\n\n" + "\n".join(entry(v) for v in versions)
        self.forge.push(DOCS, "master", {CHANGELOG: text}, "docs: 22 entries")
        before = self.forge.repo_state(DOCS)["commit_count"]
        r = run(self.forge, "changelog", "8.0.6", env=ENV)
        self.assertEqual(r.code, 0, r)
        self.assertIn("2 rc entries removed, 1 rotated out", r.out)
        out = self.forge.file(DOCS, "master", CHANGELOG).decode()
        heads = re.findall(r"^## (\S+)", out, re.M)
        self.assertEqual(len(heads), 20, heads)
        self.assertEqual(heads[0], "8.0.6")
        self.assertEqual(heads[1:], versions[2:-1])
        self.assertNotIn("\n\n\n", out)
        self.assertTrue(out.startswith("# Changelog\n\n## 8.0.6 - %s\n" % DATE))
        # one commit with the changelog and publiccode.yml, the docs tag on it
        state = self.forge.repo_state(DOCS)
        self.assertEqual(state["commit_count"], before + 1)
        self.assertIn("softwareVersion: 8.0.6\n",
                      self.forge.file(DOCS, "master", "publiccode.yml").decode())
        self.assertEqual(state["tags"]["8.0.6"]["commit"], state["branches"]["master"])
        # again: nothing
        seq = self.forge.requests()[-1]["seq"]
        r = run(self.forge, "changelog", "8.0.6", env=ENV)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(writes(self.forge, seq), [])
        self.assertIn("already done", r.out)

    def test_entry_file(self):
        path = os.path.join(self.tmp.name, "entry.md")
        with open(path, "w") as f:
            f.write("## 8.0.6-rc.1 - %s\n\nHand-written.\n\n---" % DATE)
        r = run(self.forge, "changelog", "8.0.6-rc.1", "--entry", path, env=ENV)
        self.assertEqual(r.code, 0, r)
        out = self.forge.file(DOCS, "master", CHANGELOG).decode()
        self.assertTrue(out.startswith("# Changelog\n\n## 8.0.6-rc.1 - %s\n\nHand-written.\n\n---\n"
                                       % DATE), out[:200])

    def test_bad_entry_file_writes_nothing(self):
        path = os.path.join(self.tmp.name, "entry.md")
        with open(path, "w") as f:
            f.write("## 8.0.6-rc.10 - %s\n\nwrong version\n" % DATE)
        r = run(self.forge, "changelog", "8.0.6-rc.1", "--entry", path, env=ENV)
        self.assertEqual(r.code, 1, r)
        self.assertIn("does not start with a '## 8.0.6-rc.1' heading", r.err)
        r2 = run(self.forge, "changelog", "8.0.6-rc.1", "--entry",
                 os.path.join(self.tmp.name, "missing.md"), env=ENV)
        self.assertEqual(r2.code, 1, r2)
        self.assertIn("cannot read entry file", r2.err)
        self.assertEqual(writes(self.forge), [])

    def test_previous_is_never_higher(self):
        r = self.forge.gitlab("POST", "/projects/%s/repository/tags" % q(DOCS),
                              {"tag_name": "8.1.0", "ref": "master"})
        self.assertEqual(r.status, 201, r)
        r = run(self.forge, "changelog", "8.0.6-rc.1", "--stdout", env=ENV)
        self.assertEqual(r.code, 0, r)
        self.assertIn("/compare/8.0.5...", r.out)
        self.assertNotIn("8.1.0", r.out)


if __name__ == "__main__":
    unittest.main()
