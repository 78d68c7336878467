"""`cmake --install` puts what a user of a packaged tool expects in place:
the binary, a man page per command written from that command's --help (so
the two never drift), and bash, zsh and fish completions that read the
commands and options from the installed binary."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from release_env import BIN, SOURCE

BUILD = os.environ.get("RELAPI_BUILD_DIR", os.path.join(SOURCE, "build"))


def commands(relapi):
    top = subprocess.run([relapi, "--help"], capture_output=True, text=True, check=True)
    block = top.stdout.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines()]


def man_body(path):
    """The text between .nf and .fi, roff escapes undone."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    body = text.split(".nf\n", 1)[1].rsplit(".fi\n", 1)[0]
    body = re.sub(r"(^|\n)\\&", r"\1", body)
    return body.replace("\\e", "\\")


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = tempfile.mkdtemp(prefix="relapi-install-")
        subprocess.run(["cmake", "--install", BUILD, "--prefix", cls.prefix],
                       check=True, capture_output=True)
        cls.bin = os.path.join(cls.prefix, "bin", "relapi")
        cls.env = dict(os.environ, PATH=os.path.join(cls.prefix, "bin") + ":" +
                       os.environ.get("PATH", ""))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix, ignore_errors=True)

    def test_binary_runs(self):
        v = subprocess.run([self.bin, "--version"], capture_output=True, text=True)
        self.assertEqual(v.returncode, 0)
        self.assertTrue(v.stdout.startswith("relapi "), v.stdout)

    def test_a_man_page_per_command_is_its_help(self):
        man1 = os.path.join(self.prefix, "share", "man", "man1")
        cmds = commands(self.bin)
        self.assertIn("release", cmds)
        self.assertIn("tag-all", cmds)
        top = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
        self.assertEqual(man_body(os.path.join(man1, "relapi.1")), top)
        for cmd in cmds:
            page = os.path.join(man1, "relapi-%s.1" % cmd)
            self.assertTrue(os.path.exists(page), page)
            help_text = subprocess.run([BIN, cmd, "--help"], capture_output=True,
                                       text=True).stdout
            self.assertEqual(man_body(page), help_text, cmd)
            with open(page, encoding="utf-8") as f:
                head = f.read().split(".SH DESCRIPTION")[0]
            self.assertIn(".TH RELAPI-%s 1" % cmd.upper(), head)
            self.assertRegex(head, r"\.SH NAME\nrelapi-%s \\- \S" % re.escape(cmd))

    def test_man_pages_render(self):
        groff = shutil.which("groff")
        if not groff:
            self.skipTest("groff is not installed: the pages are checked as text above")
        page = os.path.join(self.prefix, "share", "man", "man1", "relapi-release.1")
        out = subprocess.run([groff, "-man", "-Tutf8", "-ww", page], capture_output=True,
                             text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")
        self.assertIn("--poll-interval", out.stdout.replace("\u2010", "-"))

    def complete(self, *words):
        """COMPREPLY of the installed bash completion for `relapi WORDS`."""
        script = os.path.join(self.prefix, "share", "bash-completion", "completions",
                              "relapi")
        line = "relapi " + " ".join(words)
        prog = ('source "$1"; COMP_WORDS=(%s); COMP_CWORD=%d; _relapi; '
                'printf "%%s\\n" "${COMPREPLY[@]}"' %
                (" ".join("'%s'" % w for w in line.split(" ")), len(words)))
        out = subprocess.run(["bash", "-c", prog, "bash", script], env=self.env,
                             capture_output=True, text=True, check=True)
        return sorted(out.stdout.split())

    def test_bash_completes_commands_and_each_commands_options(self):
        self.assertEqual(self.complete("ta"), ["tag-all"])
        self.assertEqual(self.complete("re"), ["release"])
        self.assertEqual(self.complete("release", "--poll-"),
                         ["--poll-interval", "--poll-timeout"])
        self.assertEqual(self.complete("tag-all", "8.0.6", "--dr"), ["--dry-run"])
        # an option of another command is not offered
        self.assertEqual(self.complete("status", "--dr"), [])
        self.assertEqual(self.complete("help", "roll"), ["rollback"])

    def test_zsh_and_fish_scripts_parse(self):
        checked = 0
        for shell, name in (("zsh", "share/zsh/site-functions/_relapi"),
                            ("fish", "share/fish/vendor_completions.d/relapi.fish")):
            path = os.path.join(self.prefix, name)
            self.assertTrue(os.path.exists(path), path)
            if shutil.which(shell):
                out = subprocess.run([shell, "-n", path], capture_output=True, text=True)
                self.assertEqual(out.returncode, 0, out.stderr)
                checked += 1
        if not checked:
            self.skipTest("neither zsh nor fish is installed: installed, not parsed")


if __name__ == "__main__":
    unittest.main()
