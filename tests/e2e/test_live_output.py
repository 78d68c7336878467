"""Progress output: one live line per repository, redrawn in place, on a
terminal; plain lines when CI=true or when stdout is not a terminal. The
terminal is a pseudo-terminal opened by the test."""

import fcntl
import os
import re
import pty
import struct
import subprocess
import termios
import unittest

from release_env import BIN, start_forge

REDRAW = ("\x1b[", "\r\x1b[K")  # cursor up N lines; erase the line


def relapi_env(forge, ci):
    e = {k: v for k, v in os.environ.items()
         if k not in ("CI", "GITLAB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "CI_JOB_TOKEN")}
    e.update(RELAPI_GITLAB_URL=forge.url, RELAPI_GITHUB_URL=forge.github_url,
             GITLAB_TOKEN=forge.token("gitlab_write"), GITHUB_TOKEN=forge.token("github_write"),
             TERM="xterm")
    if ci is not None:
        e["CI"] = ci
    return e


def run_on_tty(args, env, columns=120):
    """Runs relapi with stdout on a pseudo-terminal; returns (exit code, output)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    p = subprocess.Popen([BIN] + args, stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    p.stderr.read()
    p.stderr.close()
    return p.wait(60), b"".join(chunks).decode("utf-8", "replace")


class LiveOutputTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def test_terminal_gets_live_lines_redrawn_in_place(self):
        code, out = run_on_tty(["tag-all", "8.0.6"], relapi_env(self.forge, None))
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"\x1b\[\d+A")  # back up over the block
        self.assertIn("\r\x1b[K", out)
        # one line per repository, never "name: text" plain lines
        self.assertRegex(out, r"\r\x1b\[Kwaldur-helm +tagged 8\.0\.6 on [0-9a-f]{12}")
        self.assertRegex(out, r"\r\x1b\[Kgo-client +tagged 8\.0\.6 on [0-9a-f]{12}")
        self.assertNotIn("waldur-helm: ", out)
        self.assertIn("tag-all 8.0.6: complete", out)

    def test_live_lines_fit_a_narrow_terminal(self):
        # a line wider than the terminal would wrap and the redraw would drift
        code, out = run_on_tty(["tag-all", "8.0.6"], relapi_env(self.forge, None), columns=50)
        self.assertEqual(code, 0, out)
        # what the terminal shows: colour sequences take no columns
        lines = [re.sub(r"\x1b\[\d*m", "", ln.split("\r\x1b[K")[-1])
                 for ln in out.split("\r\n") if "\x1b[K" in ln]
        self.assertTrue(lines)
        self.assertLessEqual(max(len(ln) for ln in lines), 49, lines)
        self.assertIn("waldur-prometheus-exporter   tagged 8.0.6 on", out)

    def test_ci_on_a_terminal_gets_plain_lines(self):
        code, out = run_on_tty(["tag-all", "8.0.6"], relapi_env(self.forge, "true"))
        self.assertEqual(code, 0, out)
        for seq in REDRAW:
            self.assertNotIn(seq, out)
        self.assertRegex(out, r"waldur-helm: tagged 8\.0\.6 on [0-9a-f]{12}")

    def test_no_terminal_gets_plain_lines(self):
        p = subprocess.run([BIN, "tag-all", "8.0.6"], env=relapi_env(self.forge, None),
                           capture_output=True, timeout=60)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertNotIn("\x1b", out)
        self.assertRegex(out, r"js-client: tagged 8\.0\.6 on [0-9a-f]{12}")

    def test_quiet_on_a_terminal_draws_nothing(self):
        code, out = run_on_tty(["tag-all", "8.0.6", "-q"], relapi_env(self.forge, None))
        self.assertEqual(code, 0, out)
        self.assertNotIn("\x1b", out)
        self.assertNotIn("waldur-helm", out)


if __name__ == "__main__":
    unittest.main()
