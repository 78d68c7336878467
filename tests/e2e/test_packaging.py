"""The container image is built by the same scripts as CI and ships what
ci/build says relapi needs at run time, as a user that is not root; the
build it runs (-DRELAPI_TESTS=OFF) needs nothing of the tests."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from release_env import SOURCE


def read(*path):
    with open(os.path.join(SOURCE, *path), encoding="utf-8") as f:
        return f.read()


def stages(dockerfile):
    """The Dockerfile's stages: [(FROM line, [instructions])], continuations joined."""
    text = re.sub(r"\\\n\s*", " ", dockerfile)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            out.append((line, []))
        else:
            out[-1][1].append(line)
    return out


class DockerfileTest(unittest.TestCase):
    def setUp(self):
        self.stages = stages(read("Dockerfile"))

    def test_build_stage_runs_the_ci_scripts(self):
        base, steps = self.stages[0]
        self.assertIn(" AS build", base)
        run = " ".join(s for s in steps if s.startswith("RUN "))
        self.assertRegex(run, r"^RUN ci/static ")
        # ci/static is ci/deps and ci/build, with the static option
        static = read("ci", "static")
        self.assertIn("ci/deps --static", static)
        self.assertRegex(static, r"BUILD_DIR=\S+ ci/build \\\n\s+-DRELAPI_STATIC=ON")
        self.assertTrue(base.split()[1].startswith("debian:"))

    def test_final_image_is_the_static_binary_and_the_ca_bundle(self):
        base, steps = self.stages[-1]
        self.assertEqual(base, "FROM scratch")
        _, build = self.stages[0]
        run = " ".join(s for s in build if s.startswith("RUN "))
        # /out holds the binary ci/static checked and the CA bundle it is built to read
        self.assertIn("cp build-static/relapi /out/usr/local/bin/relapi", run)
        self.assertIn("/etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/", run)
        self.assertIn("--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt",
                      read("ci", "static"))
        self.assertEqual([s for s in steps if s.startswith("COPY")],
                         ["COPY --from=build /out/ /"])
        users = [s for s in steps if s.startswith("USER ")]
        self.assertEqual(len(users), 1)
        self.assertNotIn(users[0].split()[1], ("root", "0"))
        self.assertIn('ENTRYPOINT ["/usr/local/bin/relapi"]', steps)

    def test_ci_image_has_a_shell_and_the_same_binary(self):
        """A CI runner runs a job's script with a shell: the image the GitLab
        template uses by default is the `ci` stage, tagged X.Y.Z-ci."""
        ci = [st for st in self.stages if st[0].endswith(" AS ci")]
        self.assertEqual(len(ci), 1)
        base, steps = ci[0]
        self.assertTrue(base.split()[1].startswith("debian:"), base)
        self.assertIn("COPY --from=build /out/ /", steps)
        self.assertNotIn("USER root", steps)
        version = re.search(r"project\(relapi VERSION (\S+)", read("CMakeLists.txt")).group(1)
        template = read("ci", "release.gitlab-ci.yml")
        self.assertIn('RELAPI_IMAGE: "registry.gitlab.com/waldur/relapi:%s-ci"' % version,
                      template)
        self.assertIn("ref: v%s" % version, template)

    def test_image_builds_and_runs(self):
        docker = shutil.which("docker")
        if not docker or subprocess.run([docker, "info"], capture_output=True).returncode:
            self.skipTest("no docker daemon here: the Dockerfile is checked as text above")
        tag = "relapi-test:%d" % os.getpid()
        subprocess.run([docker, "build", "-t", tag, SOURCE], check=True,
                       capture_output=True)
        v = subprocess.run([docker, "run", "--rm", tag, "--version"], capture_output=True,
                           text=True)
        subprocess.run([docker, "rmi", tag], capture_output=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertTrue(v.stdout.startswith("relapi "), v.stdout)


class BuildWithoutTestsTest(unittest.TestCase):
    def test_no_test_target_without_tests(self):
        """-DRELAPI_TESTS=OFF configures no test: cmocka and Python are not
        needed to build the binary (the image's build stage has neither)."""
        with tempfile.TemporaryDirectory() as d:
            c = subprocess.run(["cmake", "-S", SOURCE, "-B", d, "-DRELAPI_TESTS=OFF"],
                               capture_output=True, text=True)
            self.assertEqual(c.returncode, 0, c.stderr)
            self.assertNotIn("cmocka", c.stdout + c.stderr)
            targets = subprocess.run(["cmake", "--build", d, "--target", "help"],
                                     capture_output=True, text=True).stdout
            self.assertIn("relapi", targets)
            self.assertNotIn("test_version", targets)
            self.assertNotIn("relapi_testsupport", targets)


if __name__ == "__main__":
    unittest.main()
