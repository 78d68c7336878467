"""action.yml, the GitHub composite action, is well formed as GitHub reads
one, builds with the CI scripts, keeps its inputs out of the scripts' text
(no ${{ }} in a run: an input's value is never run as shell code) and runs
relapi with the arguments it was given, as a job would."""

import os
import subprocess
import tempfile
import unittest

import yaml

from release_env import BIN, SOURCE


def action():
    with open(os.path.join(SOURCE, "action.yml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


class ActionTest(unittest.TestCase):
    def test_shape(self):
        a = action()
        for key in ("name", "description", "inputs", "runs"):
            self.assertIn(key, a)
        self.assertEqual(a["runs"]["using"], "composite")
        self.assertTrue(a["inputs"]["args"]["required"])
        for step in a["runs"]["steps"]:
            self.assertEqual(step["shell"], "bash", step)
            self.assertNotIn("${{", step["run"], step["name"])
        self.assertIn("steps.run.outputs.exit-code", a["outputs"]["exit-code"]["value"])

    def test_build_step_uses_the_ci_scripts(self):
        build = action()["runs"]["steps"][0]["run"]
        self.assertIn('ci/deps" --build', build)
        self.assertIn('ci/build" -DRELAPI_TESTS=OFF', build)

    def test_run_step_passes_args_and_config_and_the_exit_code(self):
        """The run step's script, run by bash as a job would, with the
        action's env: relapi gets the args and -c, GITHUB_OUTPUT the code."""
        run = action()["runs"]["steps"][1]["run"]
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "output")
            cfg = os.path.join(d, "relapi.yml")
            with open(cfg, "w") as f:
                subprocess.run([BIN, "config"], stdout=f, check=True,
                               stderr=subprocess.DEVNULL)
            env = dict(os.environ, RELAPI_BIN=BIN, RELAPI_ARGS="config",
                       RELAPI_CONFIG=cfg, GITHUB_OUTPUT=out)
            p = subprocess.run(["bash", "-c", run], env=env, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("# effective configuration: %s" % cfg, p.stdout)
            with open(out) as f:
                self.assertEqual(f.read(), "exit-code=0\n")
            env["RELAPI_ARGS"] = "plan v8.0.6"
            p = subprocess.run(["bash", "-c", run], env=env, capture_output=True, text=True)
            self.assertEqual(p.returncode, 2, p.stderr)
            with open(out) as f:
                self.assertTrue(f.read().endswith("exit-code=2\n"))


if __name__ == "__main__":
    unittest.main()
