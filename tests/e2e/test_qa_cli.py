"""Command-line misuse: every refusal is one line naming the thing and the
cause, with exit 2, before any forge is contacted."""

import os
import subprocess
import tempfile
import unittest

from release_env import BIN, EMBEDDED_NOTE, without_note

# no forge runs: a request would fail to connect, so exit 2 proves none was made
ENV = dict(os.environ, CI="true", RELAPI_GITLAB_URL="http://127.0.0.1:9",
           RELAPI_GITHUB_URL="http://127.0.0.1:9/api/v3")


def relapi(*args, env=None):
    e = dict(ENV)
    e.update(env or {})
    p = subprocess.run([BIN] + list(args), env=e, capture_output=True, timeout=60)
    return p.returncode, without_note(p.stderr.decode("utf-8", "replace"), args[0])


class OptionErrorsTest(unittest.TestCase):
    def assertRefused(self, args, line, env=None):
        code, err = relapi(*args, env=env)
        self.assertEqual(code, 2, (args, err))
        # exactly one line, relapi's own (getopt prints nothing of its own), and
        # a pointer to the usage rather than the whole help
        self.assertEqual(err, "%s (see 'relapi %s --help')\n" % (line, args[0]), (args, err))

    def test_unknown_option(self):
        self.assertRefused(["plan", "8.0.6", "--bogus"],
                           "relapi plan: unknown option '--bogus'")
        self.assertRefused(["status", "-x", "8.0.6"], "relapi status: unknown option '-x'")
        self.assertRefused(["plan", "-1.0.0"], "relapi plan: unknown option '-1'")

    def test_option_without_its_value(self):
        self.assertRefused(["plan", "8.0.6", "--jobs"],
                           "relapi plan: option '--jobs' needs a value")
        self.assertRefused(["tag-all", "8.0.6", "--from"],
                           "relapi tag-all: option '--from' needs a value")

    def test_offline_commands_refuse_the_same_way(self):
        self.assertRefused(["config", "--bogus"], "relapi config: unknown option '--bogus'")
        self.assertRefused(["config", "-c"], "relapi config: option '-c' needs a value")
        self.assertRefused(["config", "x"], "relapi config: unexpected argument 'x'")
        self.assertRefused(["edit", "--bogus"], "relapi edit: unknown option '--bogus'")
        self.assertRefused(["edit", "--kind"], "relapi edit: option '--kind' needs a value")

    def test_bad_value_names_value_and_option(self):
        self.assertRefused(["plan", "8.0.6", "--jobs", "0"],
                           "relapi plan: bad value '0' for '--jobs'")
        self.assertRefused(["status", "8.0.6", "--timeout=-1"],
                           "relapi status: bad value '-1' for '--timeout'")
        self.assertRefused(["tag-all", "8.0.6", "--retries", "x"],
                           "relapi tag-all: bad value 'x' for '--retries'")

    def test_option_of_another_command(self):
        self.assertRefused(["status", "8.0.6", "--dry-run"],
                           "relapi status: unsupported option '--dry-run'")
        self.assertRefused(["status", "8.0.6", "--from", "8.0.6-rc.1", "--yes"],
                           "relapi status: unsupported option '--yes'")

    def test_version_with_a_leading_v(self):
        code, err = relapi("plan", "v8.0.6")
        self.assertEqual(code, 2, err)
        self.assertIn("invalid version 'v8.0.6': drop the leading 'v': 8.0.6", err)

    def test_bad_relapi_date(self):
        for bad in ("garbage!!!", "2026/11/29", "29-11-2026", "2026-13-01", "2026-11-29x"):
            self.assertRefused(["plan", "8.0.6"],
                               "relapi plan: invalid RELAPI_DATE '%s': expected YYYY-MM-DD"
                               % bad, env={"RELAPI_DATE": bad})

    def test_unusable_cacert_or_record_folder(self):
        code, err = relapi("status", "8.0.6", "--cacert", "/nonexistent/ca.pem")
        self.assertEqual(code, 2, err)
        self.assertEqual(err.strip(), "relapi status: cannot read CA file "
                         "'/nonexistent/ca.pem': No such file or directory")
        code, err = relapi("plan", "8.0.6", "--record", "/nonexistent/rec")
        self.assertEqual(code, 2, err)
        self.assertEqual(err.strip(), "relapi plan: cannot use '/nonexistent/rec' as the "
                         "record folder: No such file or directory")


class CommandNamesTest(unittest.TestCase):
    def test_help_command_and_short_version(self):
        out = subprocess.run([BIN, "help", "status"], capture_output=True, text=True)
        direct = subprocess.run([BIN, "status", "--help"], capture_output=True, text=True)
        self.assertEqual((out.returncode, out.stdout), (direct.returncode, direct.stdout))
        self.assertTrue(out.stdout.startswith("usage: relapi status"), out.stdout)
        v = subprocess.run([BIN, "-V"], capture_output=True, text=True)
        self.assertEqual(v.returncode, 0)
        self.assertTrue(v.stdout.startswith("relapi "), v.stdout)

    def test_unknown_command_suggests_the_nearest(self):
        for typo, near in (("tagall", "tag-all"), ("relase", "release"), ("stauts", "status")):
            code, err = relapi(typo)
            self.assertEqual(code, 2)
            self.assertIn("unknown command '%s'; did you mean '%s'?" % (typo, near), err)
        code, err = relapi("frobnicate")
        self.assertEqual(code, 2)
        self.assertNotIn("did you mean", err)


class EmbeddedConfigurationTest(unittest.TestCase):
    """Without ./relapi.yml and -c, every command says on stderr which
    configuration it runs on; with one it says nothing of the kind."""

    def test_note_without_a_configuration_file(self):
        with tempfile.TemporaryDirectory() as d:
            for cmd in (["config"], ["plan", "8.0.6", "--retries", "0"]):
                p = subprocess.run([BIN] + cmd, env=ENV, cwd=d, capture_output=True,
                                   text=True, timeout=60)
                self.assertIn("relapi %s: %s\n" % (cmd[0], EMBEDDED_NOTE), p.stderr)
            cfg = os.path.join(d, "relapi.yml")
            out = subprocess.run([BIN, "config"], env=ENV, cwd=d, capture_output=True,
                                 text=True).stdout
            with open(cfg, "w") as f:
                f.write(out)
            for cmd in (["config"], ["config", "-c", cfg], ["plan", "8.0.6", "--retries", "0"]):
                p = subprocess.run([BIN] + cmd, env=ENV, cwd=d, capture_output=True,
                                   text=True, timeout=60)
                self.assertNotIn("embedded", p.stderr, cmd)


class UnreachableForgeStatusTest(unittest.TestCase):
    def test_status_that_cannot_read_is_not_incomplete(self):
        """status tells 'could not read' (1) from 'not released yet' (5)."""
        code, err = relapi("status", "8.0.6", "--retries", "0",
                           env={"GITLAB_TOKEN": "t1", "GITHUB_TOKEN": "t2"})
        self.assertEqual(code, 1, err)


class UnreachableForgeTest(unittest.TestCase):
    def test_network_failure_is_not_a_refused_token(self):
        code, err = relapi("preflight", "8.0.6", "--retries", "0",
                           env={"GITLAB_TOKEN": "t1", "GITHUB_TOKEN": "t2"})
        # nothing was judged: failed, run it again (not "problems found")
        self.assertEqual(code, 1, err)
        self.assertRegex(err, r"forge 'gitlab': cannot check the token in GITLAB_TOKEN: "
                              r"gitlab: check token: Failed to connect")
        self.assertNotIn("not accepted", err)
        # the first contact names the URL it used and where it came from
        self.assertIn("(the gitlab URL 'http://127.0.0.1:9', from RELAPI_GITLAB_URL: "
                      "is it right?)", err)
        self.assertNotIn("t1", err.replace("GITLAB_TOKEN", ""))


if __name__ == "__main__":
    unittest.main()
