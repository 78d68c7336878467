"""On a terminal, tag-all draws one line per repository and redraws it in
place, coloured by state; NO_COLOR (https://no-color.org) drops the colour,
TERM=dumb (a terminal that cannot move its cursor) and CI get plain lines."""

import os
import pty
import re
import select
import subprocess
import unittest

from release_env import BIN, start_forge

CURSOR_UP = b"\x1b["  # any CSI: cursor movement, erase line, colour
GREEN = b"\x1b[32m"


class TerminalTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def tag_all_on_a_terminal(self, **env):
        """tag-all 8.0.6 with its stdout on a pseudo-terminal; what it wrote."""
        return self.on_a_terminal(["tag-all", "8.0.6"], **env)

    def on_a_terminal(self, args, **env):
        """relapi ARGS with its stdout on a pseudo-terminal; what it wrote."""
        e = {k: v for k, v in os.environ.items()
             if k not in ("CI", "NO_COLOR", "TERM", "GITLAB_CI")}
        e.update({"RELAPI_GITLAB_URL": self.forge.url,
                  "RELAPI_GITHUB_URL": self.forge.github_url,
                  "GITLAB_TOKEN": self.forge.token("gitlab_write"),
                  "GITHUB_TOKEN": self.forge.token("github_write"), "TERM": "xterm"})
        e.update(env)
        master, slave = pty.openpty()
        p = subprocess.Popen([BIN] + args, stdout=slave, stderr=subprocess.PIPE, env=e)
        os.close(slave)
        out = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        self.assertEqual(p.wait(timeout=60), 0, p.stderr.read())
        p.stderr.close()
        return out

    def test_live_table_in_colour(self):
        out = self.tag_all_on_a_terminal()
        self.assertIn(b"\x1b[K", out)  # lines redrawn in place
        self.assertIn(GREEN, out)     # a repository done, in green
        self.assertIn(b"\x1b[0m", out)

    def test_one_table_for_reads_and_writes(self):
        """The writes redraw the lines the reads drew: every draw of the table
        but the first moves the cursor back up over it."""
        out = self.tag_all_on_a_terminal()
        draws = out.count(b"\r\x1b[Kwaldur-mastermind ")
        ups = len(re.findall(rb"\x1b\[\d+A", out))
        self.assertGreater(draws, 2)
        self.assertEqual(ups, draws - 1, out[:400])

    def test_heartbeat_while_pipelines_run(self):
        """A wait shows one line, rewritten in place, with the time it has
        taken; the line of a change of state replaces it."""
        self.forge.faults(pipeline_ms=400)
        out = self.on_a_terminal(["test", "8.0.6", "--poll-interval", "0.05",
                                  "--poll-timeout", "30"]).decode()
        beats = re.findall(r"\r\x1b\[Ktest: (\S+): pipeline \d+ (\w+) \((\d+)m(\d\d)s\)",
                           out)
        self.assertTrue(beats, out[-600:])
        self.assertTrue(all(state in ("created", "pending", "running") for _, state, _, _
                            in beats), beats)
        self.assertRegex(out, r"\r\x1b\[Ktest: \S+: pipeline \d+ success")
        # the plain log of CI has no heartbeat
        self.forge.reset()
        self.forge.faults(pipeline_ms=400)
        plain = self.on_a_terminal(["test", "8.0.6", "--poll-interval", "0.05",
                                    "--poll-timeout", "30"], CI="true").decode()
        self.assertNotIn("(0m0", plain)

    def test_no_color(self):
        out = self.tag_all_on_a_terminal(NO_COLOR="1")
        self.assertIn(b"\x1b[K", out)  # still the live table
        self.assertNotIn(GREEN, out)

    def test_dumb_terminal_and_ci_get_plain_lines(self):
        for env in ({"TERM": "dumb"}, {"CI": "true"}):
            self.forge.reset()
            out = self.tag_all_on_a_terminal(**env)
            self.assertNotIn(CURSOR_UP, out, env)
            self.assertIn(b"waldur-helm: ", out, env)


if __name__ == "__main__":
    unittest.main()
