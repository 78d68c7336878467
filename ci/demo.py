#!/usr/bin/env python3
"""The demo behind ci/demo: a real relapi release against the fake forge.

Every relapi command here is the real binary talking HTTP to the fake forge
(tests/forge/forge.py) on loopback, exactly as it would talk to GitLab and
GitHub. The forge's admin endpoints are used only to show the result.
"""

import os
import socket
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "forge"))
from harness import Forge  # noqa: E402

RELAPI = os.path.join(ROOT, os.environ.get("BUILD_DIR", "build"), "src", "relapi")
POLL = ["--poll-interval", "0.2", "--poll-timeout", "60"]


def banner(text):
    print("\n\033[1m==== %s\033[0m" % text if sys.stdout.isatty() else "\n==== %s" % text,
          flush=True)


def relapi(env, *args, check=True):
    print("$ relapi " + " ".join(args), flush=True)
    r = subprocess.run([RELAPI] + list(args), env=env)
    if check and r.returncode != 0:
        sys.exit("demo: 'relapi %s' exited %d" % (" ".join(args), r.returncode))
    return r.returncode


def show_tags(forge, version):
    state = forge.state()
    repos = state.get("repos", state)
    print("%-34s %-12s %s" % ("repository", "tag", "commit"))
    for name in sorted(repos):
        tags = repos[name].get("tags", {})
        t = tags.get(version)
        target = (t.get("commit") or t.get("target") or "") if isinstance(t, dict) else (t or "")
        print("%-34s %-12s %s" % (name, version if t else "-", str(target)[:12] or "missing"))


def show_file(forge, repo, ref, path, lines=None):
    body = forge.file(repo, ref, path)
    text = body.decode() if isinstance(body, bytes) else body
    out = text.splitlines()
    if lines:
        out = [l for l in out if any(k in l for k in lines)]
    print("--- %s:%s @ %s" % (repo, path, ref))
    for l in out[:40]:
        print("    " + l)


def free_port():
    """A free loopback port, so that the forge's web links can name it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    port = free_port()
    web = "http://127.0.0.1:%d" % port
    with Forge(args=["--pipeline-ms", "600", "--port", str(port),
                     "--gitlab-web-url", web, "--github-web-url", web]) as forge:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
        env.update(CI="true", RELAPI_GITLAB_URL=forge.url, RELAPI_GITHUB_URL=forge.github_url,
                   GITLAB_TOKEN=forge.token("gitlab_write"),
                   GITHUB_TOKEN=forge.token("github_write"))
        print("fake forge at %s (GitLab /api/v4, GitHub /api/v3)" % forge.url)

        banner("the embedded Waldur configuration (relapi config)")
        relapi(env, "config")

        banner("preflight for 8.0.6: tokens, branches, files, keys, tags, version")
        relapi(env, "preflight", "8.0.6")

        banner("plan for the release candidate 8.0.6-rc.1 (changes nothing)")
        relapi(env, "plan", "8.0.6-rc.1")

        banner("the maintainer's path: relapi prepare drafts the changelog entry from the\n"
               "     forges' compare results, commits it to waldur-docs and tags it")
        relapi(env, "prepare", "8.0.6-rc.1", "--yes")

        banner("release 8.0.6-rc.1 (what the docs tag's CI job runs): deployment tests,\n"
               "     tags, changelog already there, docs tag already there")
        relapi(env, "release", "8.0.6-rc.1", *POLL)
        show_tags(forge, "8.0.6-rc.1")

        banner("running it again: everything is already done, nothing is written")
        writes_before = len([r for r in forge.requests() if r.get("method") != "GET"])
        relapi(env, "release", "8.0.6-rc.1", *POLL)
        writes_after = len([r for r in forge.requests() if r.get("method") != "GET"])
        print("write requests during the re-run: %d" % (writes_after - writes_before))

        banner("release 8.0.6, promoted from 8.0.6-rc.1")
        relapi(env, "release", "8.0.6", "--from", "8.0.6-rc.1", *POLL)

        banner("status of 8.0.6")
        relapi(env, "status", "8.0.6")
        show_tags(forge, "8.0.6")

        banner("what the release changed, as the forges now hold it")
        show_file(forge, "waldur/waldur-helm", "8.0.6", "waldur/Chart.yaml",
                  ["version", "appVersion"])
        show_file(forge, "waldur/waldur-helm", "8.0.6", "waldur/values.yaml", ["imageTag"])
        show_file(forge, "waldur/waldur-docker-compose", "8.0.6", ".env.example",
                  ["IMAGE_TAG"])
        show_file(forge, "waldur/py-client", "8.0.6", "pyproject.toml", ["version ="])
        show_file(forge, "waldur/js-client", "8.0.6", "package.json", ['"version"'])
        show_file(forge, "waldur/waldur-docs", "master", "publiccode.yml",
                  ["softwareVersion", "releaseDate"])
        changelog = forge.file("waldur/waldur-docs", "master", "docs/about/CHANGELOG.md")
        text = changelog.decode() if isinstance(changelog, bytes) else changelog
        print("--- waldur/waldur-docs:docs/about/CHANGELOG.md @ master (top)")
        for l in text.splitlines()[:30]:
            print("    " + l)
        print("\ndemo: done")


if __name__ == "__main__":
    main()
