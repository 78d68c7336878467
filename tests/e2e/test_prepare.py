"""`relapi prepare`: commit data, generated and built-in drafts, the review
through a pseudo-terminal, the docs commit and tag, re-runs."""
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import urllib.parse

from release_env import BIN, last_seq, run, start_forge, writes

DOCS = "waldur/waldur-docs"
CHANGELOG = "docs/about/CHANGELOG.md"
DATE = "2026-02-01"
ENV = {"RELAPI_DATE": DATE}
COMPONENTS = ["waldur/waldur-mastermind", "waldur/waldur-homeport",
              "waldur/waldur-prometheus-exporter", "waldur/waldur-helm",
              "waldur/waldur-docker-compose", "waldur/py-client", "waldur/js-client",
              "waldur/go-client"]
SCHEMA = "- [OpenAPI Schema](../API/waldur-openapi-schema-%s.yaml)"

# A generator: saves its stdin and environment, prints an entry built from
# the commit data (the ```json block after the prompt).
GENERATOR = textwrap.dedent("""\
    import json, os, sys
    out = sys.argv[1]
    text = sys.stdin.read()
    with open(out + ".stdin", "w") as f:
        f.write(text)
    with open(out + ".env", "w") as f:
        json.dump(dict(os.environ), f)
    n = 0
    if os.path.exists(out + ".count"):
        n = int(open(out + ".count").read())
    n += 1
    open(out + ".count", "w").write(str(n))
    data = json.loads(text.split("```json\\n", 1)[1].rsplit("```", 1)[0])
    print("Sure! Here is the entry:")
    print()
    print("```markdown")
    print("## %s - %s" % (data["version"], data["date"]))
    print()
    print("### Highlights")
    print()
    print("Draft %d from %d repositories." % (n, len(data["repositories"])))
    print()
    print("### Core Component Activity")
    print()
    for r in data["repositories"]:
        print("- **%s**: [%d commits](%s)" % (r["title"], r["count"], r["compare_url"]))
    print("```")
""")

# An editor: replaces the Highlights paragraph of the file it is given.
EDITOR = textwrap.dedent("""\
    import sys
    path = sys.argv[-1]
    text = open(path).read()
    lines = [l for l in text.split("\\n") if not l.startswith("Draft ")]
    text = "\\n".join(lines).replace("### Highlights\\n", "### Highlights\\n\\nEdited by hand.\\n", 1)
    open(path, "w").write(text)
""")


def q(s):
    return urllib.parse.quote(s, safe="")


class PrepareTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)
        self.tmp = tempfile.mkdtemp(prefix="relapi-prepare-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.gen_out = os.path.join(self.tmp, "gen")
        self.gen = self.script("gen.py", GENERATOR) + " " + self.gen_out
        self.start = self.forge.state()["repos"]

    # -- helpers
    def script(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return "%s %s" % (sys.executable, path)

    def prepare(self, *args, code=0, env=None):
        r = run(self.forge, "prepare", *args, env=dict(ENV, **(env or {})))
        self.assertEqual(r.code, code, r)
        return r

    def changelog(self, ref="master"):
        return self.forge.file(DOCS, ref, CHANGELOG).decode()

    def head_message(self, ref):
        r = self.forge.gitlab("GET", "/projects/%s/repository/commits/%s" % (q(DOCS), q(ref)))
        return r.json()["message"]

    def top_entry(self, version):
        text = self.changelog()
        start = min(i for i in (text.find("## %s " % version), text.find("## %s\n" % version))
                    if i >= 0)
        return text[start:text.index("\n---\n", start) + 5]

    def compare(self, repo, a, b):
        """(count, [(short_id, subject)], web url) straight from the forge's API."""
        if repo.startswith("waldur/py-") or repo.startswith("waldur/js-") or \
                repo.startswith("waldur/go-"):
            d = self.forge.github("GET", "/repos/%s/compare/%s...%s" % (repo, a, b)).json()
            return (d["total_commits"],
                    [(c["sha"][:7], c["commit"]["message"].split("\n")[0]) for c in d["commits"]],
                    d["html_url"])
        d = self.forge.gitlab("GET", "/projects/%s/repository/compare?from=%s&to=%s"
                              % (q(repo), q(a), q(b))).json()
        return (len(d["commits"]), [(c["short_id"], c["title"]) for c in d["commits"]],
                d["web_url"])

    def assert_published(self, version, commits=1):
        docs = self.forge.repo_state(DOCS)
        self.assertEqual(docs["commit_count"], self.start[DOCS]["commit_count"] + commits)
        tag = docs["tags"][version]
        self.assertEqual(tag["commit"], docs["branches"]["master"])
        self.assertTrue(tag["annotated"])
        self.assertEqual(tag["message"], "Release %s" % version)
        msg = self.head_message("master")
        self.assertEqual(msg.split("\n")[0], "Update changelog for %s" % version)
        self.assertNotIn("[skip ci]", msg)
        for repo in COMPONENTS:
            self.assertNotIn(version, self.forge.repo_state(repo)["tags"], repo)

    # -- commit data
    def test_data_matches_the_forge_compare_results(self):
        seq = last_seq(self.forge)
        r = self.prepare("8.0.6", "--data")
        self.assertEqual(writes(self.forge, seq), [])
        doc = json.loads(r.out)
        self.assertEqual((doc["format"], doc["version"], doc["previous"], doc["date"],
                          doc["stable"]), (1, "8.0.6", "8.0.5", DATE, True))
        self.assertEqual([x["path"] for x in doc["repositories"]], COMPONENTS)
        for x in doc["repositories"]:
            self.assertEqual(x["from"], "8.0.5")
            count, commits, url = self.compare(x["path"], "8.0.5", x["to"])
            self.assertGreater(count, 0, x["path"])
            self.assertEqual(x["count"], count, x["path"])
            # the link is the forge's web compare page of the same range
            self.assertTrue(url.endswith("/%s/%s" % (x["path"], url.split("/", 5)[-1])))
            self.assertTrue(x["compare_url"].endswith(
                "/%s%s/compare/8.0.5...%s" % (x["path"], "/-" if "/-/" in url else "",
                                              x["to"])), x["compare_url"])
            self.assertEqual([(c["short_id"][:7], c["subject"]) for c in x["commits"]],
                             [(s[:7], t) for s, t in commits])
            for c in x["commits"]:
                self.assertEqual(set(c), {"id", "short_id", "subject", "body", "author",
                                          "date"})
                self.assertTrue(c["id"].startswith(c["short_id"]))
        self.assertEqual(r.err, "")

    def test_data_of_an_rc_skips_stable_only_repositories(self):
        doc = json.loads(self.prepare("8.0.6-rc.1", "--data").out)
        self.assertFalse(doc["stable"])
        self.assertEqual([x["path"] for x in doc["repositories"]], COMPONENTS[:5])

    # -- generators
    def test_generator_reads_prompt_and_data_and_its_entry_is_published(self):
        prompt = os.path.join(self.tmp, "prompt.md")
        with open(prompt, "w") as f:
            f.write("PROMPT MARKER for {version} on {date}\n")
        data = json.loads(self.prepare("8.0.6", "--data").out)
        r = self.prepare("8.0.6", "--generator", self.gen, "--prompt", prompt)
        stdin = open(self.gen_out + ".stdin").read()
        self.assertTrue(stdin.startswith("PROMPT MARKER for 8.0.6 on %s\n" % DATE), stdin[:200])
        sent = json.loads(stdin.split("```json\n", 1)[1].rsplit("```", 1)[0])
        self.assertEqual(sent, data)
        env = json.load(open(self.gen_out + ".env"))
        for var in ("GITLAB_TOKEN", "GITHUB_TOKEN"):
            self.assertNotIn(var, env)
        entry = self.top_entry("8.0.6")
        self.assertTrue(entry.startswith("## 8.0.6 - %s\n\n### Highlights\n\nDraft 1 from 8 "
                                         "repositories.\n" % DATE), entry)
        self.assertNotIn("```", entry)
        self.assertNotIn("Sure!", self.changelog())
        self.assertTrue(entry.endswith("\n\n### Resources\n\n%s\n\n---\n" % (SCHEMA % "8.0.6")),
                        entry)
        self.assertIn("draft from the generator", r.out)
        self.assert_published("8.0.6")

    def test_builtin_prompt_is_used_without_prompt_file(self):
        self.prepare("8.0.6", "--generator", self.gen, "--dry-run")
        stdin = open(self.gen_out + ".stdin").read()
        self.assertIn("changelog entry of release 8.0.6", stdin)
        self.assertIn("## 8.0.6 - %s" % DATE, stdin)

    def test_generator_from_the_configuration(self):
        cfg = os.path.join(self.tmp, "relapi.yml")
        out = run(self.forge, "config").out
        self.assertIn("\nrelease:\n", out)
        with open(cfg, "w") as f:
            f.write(out.replace("\nrelease:\n", "\nrelease:\n  changelog_generator: \"%s\"\n"
                                % self.gen, 1))
        self.prepare("8.0.6", "-c", cfg, "--yes")
        self.assertIn("Draft 1 from", self.top_entry("8.0.6"))

    def assert_builtin_fallback(self, r, why):
        self.assertIn(why, r.err)
        self.assertIn("using the built-in draft", r.err)
        entry = self.top_entry("8.0.6")
        self.assertIn("### Core Component Activity", entry)
        self.assertIn("[5 commits]", entry)
        self.assertNotIn("Draft", entry)
        self.assert_published("8.0.6")

    def test_failing_generator_falls_back_to_the_builtin_draft(self):
        r = self.prepare("8.0.6", "--generator", "echo oops >&2; exit 3")
        self.assert_builtin_fallback(r, "the generator 'echo oops >&2; exit 3' exited with "
                                        "status 3")
        self.assertIn("oops", r.err)  # its stderr passes through

    def test_generator_without_heading_falls_back(self):
        r = self.prepare("8.0.6", "--generator", "cat >/dev/null; echo '## 8.0.7'; echo hi")
        self.assert_builtin_fallback(r, "has no '## 8.0.6' heading")

    def test_hanging_generator_is_killed_with_its_children(self):
        pidfile = os.path.join(self.tmp, "child.pid")
        cmd = "sleep 300 & echo $! > %s; sleep 300" % pidfile
        t0 = time.monotonic()
        r = self.prepare("8.0.6", "--generator", cmd, "--generator-timeout", "1")
        self.assertLess(time.monotonic() - t0, 60)
        self.assert_builtin_fallback(r, "did not finish within 1 s")
        pid = int(open(pidfile).read())
        # the background child was in the generator's process group: killed
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            with open("/proc/%d/stat" % pid) as f:
                if f.read().split()[2] == "Z":
                    break
            select.select([], [], [], 0.05)
        else:
            self.fail("the generator's child %d is still running" % pid)

    def test_generator_that_never_reads_stdin_cannot_block(self):
        # the prompt is bigger than a pipe buffer; the generator ignores stdin
        prompt = os.path.join(self.tmp, "big.md")
        with open(prompt, "w") as f:
            f.write("x" * (1 << 20) + "\n")
        cmd = "exec 0<&-; printf '## 8.0.6\\n\\nBig prompt ignored.\\n'"
        self.prepare("8.0.6", "--generator", cmd, "--prompt", prompt)
        self.assertIn("Big prompt ignored.", self.top_entry("8.0.6"))

    # -- publish and re-runs
    def test_publish_then_rerun_changes_nothing(self):
        r = self.prepare("8.0.6")
        self.assertIn("review skipped (CI)", r.out)
        self.assert_published("8.0.6")
        text = self.changelog()
        self.assertTrue(text.startswith("# Changelog\n\n## 8.0.6 - %s\n" % DATE))
        self.assertIn("\n---\n\n## 8.0.5 - ", text)
        # the links name the tag the release will create, not the branch that was
        # counted, so that they never drift
        self.assertRegex(text, r"\*\*Waldur Mastermind\*\*: \[\d+ commits?\]\("
                               r"\S+/waldur/waldur-mastermind/-/compare/8\.0\.5\.\.\.8\.0\.6\)")
        self.assertNotIn("...develop)", text)
        head = self.forge.repo_state(DOCS)["branches"]["master"]
        changed = self.forge.gitlab("GET", "/projects/%s/repository/compare?from=%s&to=%s"
                                    % (q(DOCS), self.start[DOCS]["branches"]["master"],
                                       head)).json()["diffs"]
        self.assertEqual([d["new_path"] for d in changed], [CHANGELOG])
        seq = last_seq(self.forge)
        again = self.prepare("8.0.6")
        self.assertIn("nothing to do", again.out)
        self.assertEqual(writes(self.forge, seq), [])

    def test_no_terminal_skips_the_review_with_a_notice(self):
        r = self.prepare("8.0.6", env={"CI": ""})
        self.assertIn("review skipped (not a terminal)", r.out)
        self.assert_published("8.0.6")

    def test_entry_there_without_tag_only_tags(self):
        self.prepare("8.0.6", "--yes")
        tagged = self.forge.repo_state(DOCS)["tags"]["8.0.6"]["commit"]
        self.forge.gitlab("DELETE", "/projects/%s/repository/tags/8.0.6" % q(DOCS))
        seq = last_seq(self.forge)
        r = self.prepare("8.0.6")
        self.assertIn("no commit", r.out)
        self.assertEqual([w["method"] for w in writes(self.forge, seq)], ["POST"])
        self.assertEqual(self.forge.repo_state(DOCS)["tags"]["8.0.6"]["commit"], tagged)

    def test_tag_elsewhere_is_a_conflict(self):
        head = self.forge.repo_state(DOCS)["branches"]["master"]
        self.forge.gitlab("POST", "/projects/%s/repository/tags" % q(DOCS),
                          {"tag_name": "8.0.6", "ref": head, "message": "by hand"})
        seq = last_seq(self.forge)
        r = self.prepare("8.0.6", code=4)
        self.assertIn("tag 8.0.6 exists on %s" % head, r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_concurrent_push_is_read_again(self):
        # the changelog changes between the read and the commit
        from release_env import Interposer, once
        edited = self.changelog().replace("## 8.0.5 - 2026-01-14\n",
                                          "## 8.0.5 - 2026-01-14\n\nA late note.\n", 1)
        self.assertIn("A late note.", edited)
        hook = once(r"waldur-docs/repository/commits$", "POST", lambda: self.forge.push(
            DOCS, "master", {CHANGELOG: edited}, "docs: concurrent"))
        with Interposer(self.forge, hook) as proxy:
            r = self.prepare("8.0.6", env={"RELAPI_GITLAB_URL": proxy.url})
        self.assertIn("the branch moved; reading again", r.out)
        self.assert_published("8.0.6", commits=2)
        text = self.changelog()
        self.assertTrue(text.startswith("# Changelog\n\n## 8.0.6 - "), text[:100])
        self.assertIn("\n---\n\n## 8.0.5 - 2026-01-14\n\nA late note.\n", text)

    def test_rc_then_stable_removes_rc_entries(self):
        gen = "cat >/dev/null; printf '## %s\\n\\n### Resources\\n\\n" \
              "- [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6-rc.1.yaml)\\n\\n---\\n'"
        self.prepare("8.0.6-rc.1", "--generator", gen % "8.0.6-rc.1")
        rc_entry = self.top_entry("8.0.6-rc.1")
        self.assertEqual(rc_entry, "## 8.0.6-rc.1\n\n---\n")  # no schema for an RC
        self.assert_published("8.0.6-rc.1")
        self.prepare("8.0.6")
        text = self.changelog()
        self.assertNotIn("## 8.0.6-rc.1", text)
        self.assertTrue(text.startswith("# Changelog\n\n## 8.0.6 - %s\n" % DATE))
        self.assertIn(SCHEMA % "8.0.6", text)
        docs = self.forge.repo_state(DOCS)
        self.assertEqual(docs["tags"]["8.0.6"]["commit"], docs["branches"]["master"])
        self.assertEqual(docs["commit_count"], self.start[DOCS]["commit_count"] + 2)

    def test_dry_run_prints_entry_and_diff_and_writes_nothing(self):
        seq = last_seq(self.forge)
        r = self.prepare("8.0.6", "--dry-run")
        self.assertEqual(writes(self.forge, seq), [])
        self.assertIn("## 8.0.6 - %s\n" % DATE, r.out)
        self.assertIn("--- a/%s\n+++ b/%s\n" % (CHANGELOG, CHANGELOG), r.out)
        self.assertIn("\n+## 8.0.6 - %s\n" % DATE, r.out)
        self.assertIn("would commit", r.out)

    # -- preflight and usage
    def test_preflight_problems_stop_before_anything(self):
        seq = last_seq(self.forge)
        r = run(self.forge, "prepare", "8.0.6", tokens=("github_write",), env=ENV)
        self.assertEqual(r.code, 3, r)
        self.assertIn("preflight found", r.err)
        self.assertIn("GITLAB_TOKEN", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_version_not_newer_is_a_preflight_problem(self):
        r = self.prepare("8.0.4-rc.9", code=3)
        self.assertIn("waldur-helm: version 8.0.4-rc.9 is not greater than its tag '8.0.5'",
                      r.err)

    def test_bad_flags(self):
        for args in (["--generator-timeout", "0"], ["--generator-timeout", "x"],
                     ["--generator"], ["--prompt", ""]):
            r = run(self.forge, "prepare", "8.0.6", *args)
            self.assertEqual(r.code, 2, (args, r))
            self.assertRegex(r.err, "(bad value '[^']*' for|option) '%s'" % args[0])
        r = run(self.forge, "prepare", "8.0.6", "--prompt", "/nonexistent/p.md")
        self.assertEqual(r.code, 2, r)
        self.assertIn("cannot read prompt file '/nonexistent/p.md'", r.err)


class ReviewTest(unittest.TestCase):
    """The review, driven through a pseudo-terminal."""

    def setUp(self):
        self.forge = start_forge(self)
        self.tmp = tempfile.mkdtemp(prefix="relapi-review-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.gen_out = os.path.join(self.tmp, "gen")
        gen = os.path.join(self.tmp, "gen.py")
        with open(gen, "w") as f:
            f.write(GENERATOR)
        self.gen = "%s %s %s" % (sys.executable, gen, self.gen_out)
        ed = os.path.join(self.tmp, "editor.py")
        with open(ed, "w") as f:
            f.write(EDITOR)
        self.editor = "%s %s" % (sys.executable, ed)  # an editor with arguments
        self.commits = self.forge.repo_state(DOCS)["commit_count"]

    def spawn(self, *args):
        env = {k: v for k, v in os.environ.items()
               if k not in ("CI", "GITLAB_CI", "VISUAL", "EDITOR")}
        env.update(RELAPI_DATE=DATE, RELAPI_GITLAB_URL=self.forge.url,
                   RELAPI_GITHUB_URL=self.forge.github_url, EDITOR=self.editor,
                   GITLAB_TOKEN=self.forge.token("gitlab_write"),
                   GITHUB_TOKEN=self.forge.token("github_write"))
        master, slave = pty.openpty()
        self.proc = subprocess.Popen([BIN, "prepare", "8.0.6", *args], stdin=slave,
                                     stdout=slave, stderr=subprocess.PIPE, env=env)
        os.close(slave)
        self.master = master
        self.seen = b""
        self.addCleanup(self.close)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stderr.close()
        os.close(self.master)

    def expect(self, text, timeout=60):
        """Reads the terminal until `text` appears after what was seen; returns the new output."""
        want = text.encode()
        start = len(self.seen)
        deadline = time.monotonic() + timeout
        while want not in self.seen[start:]:
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail("no %r in %r" % (text, self.seen[start:].decode("utf-8", "replace")))
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    self.fail("terminal closed before %r: %r" % (text, self.seen[start:]))
                self.seen += chunk
        return self.seen[start:].decode("utf-8", "replace").replace("\r\n", "\n")

    def answer(self, s):
        os.write(self.master, s.encode() + b"\n")

    def finish(self, code):
        """Reads the terminal until relapi closes it, then checks the exit code."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], deadline - time.monotonic())
            try:
                chunk = os.read(self.master, 65536) if ready else b""
            except OSError:
                chunk = b""
            if not chunk:
                break
            self.seen += chunk
        self.assertEqual(self.proc.wait(60), code, self.proc.stderr.read())

    PROMPT = "[a]ccept, [e]dit, [r]egenerate, [q]uit: "

    def entry(self):
        text = self.forge.file(DOCS, "master", CHANGELOG).decode()
        start = text.index("## 8.0.6 ")
        return text[start:text.index("\n---\n", start) + 5]

    def test_accept_publishes_the_shown_entry(self):
        self.spawn("--generator", self.gen)
        shown = self.expect(self.PROMPT)
        self.assertIn("## 8.0.6 - %s" % DATE, shown)
        self.answer("a")
        self.expect("tag 8.0.6 created")
        self.finish(0)
        self.assertIn("Draft 1 from 8 repositories.", self.entry())

    def test_edit_then_accept(self):
        self.spawn("--generator", self.gen)
        self.expect(self.PROMPT)
        self.answer("e")
        shown = self.expect(self.PROMPT)
        self.assertIn("Edited by hand.", shown)
        self.assertNotIn("Draft 1", shown)
        self.answer("accept")
        self.finish(0)
        entry = self.entry()
        self.assertIn("### Highlights\n\nEdited by hand.\n", entry)
        self.assertTrue(entry.endswith(SCHEMA % "8.0.6" + "\n\n---\n"), entry)

    def test_regenerate_runs_the_generator_again(self):
        self.spawn("--generator", self.gen)
        self.assertIn("Draft 1 from", self.expect(self.PROMPT))
        self.answer("r")
        self.assertIn("Draft 2 from", self.expect(self.PROMPT))
        self.answer("what")  # not an answer: asked again
        self.expect(self.PROMPT)
        self.answer("a")
        self.finish(0)
        self.assertIn("Draft 2 from", self.entry())

    def test_quit_writes_nothing(self):
        seq = last_seq(self.forge)
        self.spawn()
        self.assertIn("### Core Component Activity", self.expect(self.PROMPT))
        self.answer("q")
        self.finish(1)
        self.assertEqual(writes(self.forge, seq), [])
        self.assertNotIn("8.0.6", self.forge.repo_state(DOCS)["tags"])

    def test_yes_skips_the_review(self):
        self.spawn("--yes")
        out = self.expect("tag 8.0.6 created")
        self.assertNotIn(self.PROMPT, out)
        self.finish(0)
        self.assertEqual(self.forge.repo_state(DOCS)["commit_count"], self.commits + 1)


if __name__ == "__main__":
    unittest.main()
