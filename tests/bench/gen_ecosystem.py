#!/usr/bin/env python3
"""Writes an ecosystem for ci/bench: the repositories the fake forge serves,
the relapi configuration that releases them, and bench.json, the same work
described for the peers (tests/bench/peers/).

    tests/bench/gen_ecosystem.py N OUTDIR [--version 1.5.0]
    tests/bench/gen_ecosystem.py --waldur OUTDIR

N OUTDIR: N synthetic repositories, every fourth of them alike:
  chart-NNN    GitLab, chart/Chart.yaml: `version` and `appVersion` edited
  tagonly-NNN  GitLab, only tagged
  chart-NNN    (as the first)
  gh-NNN       GitHub, pyproject.toml's project.version (odd GitHub ones) or
               package.json and package-lock.json (even GitHub ones)
Each has a short history with releases 1.3.0 and 1.4.0 (annotated tags) and
a commit after the last, so VERSION (default 1.5.0) is the next release.
OUTDIR gets manifest.json and one folder per repository (forge.py
--ecosystem OUTDIR), relapi.yml (relapi -c OUTDIR/relapi.yml) and bench.json.

--waldur OUTDIR: only bench.json, for the Waldur ecosystem
(fixtures/ecosystem/waldur) and relapi's embedded configuration, version 8.0.6.

bench.json: {"version", "tag_message", "ecosystem", "config" (null: the
embedded one), "repos": [{"name", "forge", "path", "branch", "message",
"edits": [{"file", "key", "pattern"}]}]}. A pattern is a regular expression
(the subset Python's re and JavaScript's RegExp read alike, applied with the
multiline flag) that matches the file exactly once, its one group around the
value to set: a peer, like a release script, sets the value with it.

Standard library only.
"""

import argparse
import json
import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
WALDUR = os.path.join(SOURCE, "fixtures", "ecosystem", "waldur")
PREVIOUS = "1.4.0"


# --------------------------------------------------------------------------
# Patterns: one group around the value of a key
# --------------------------------------------------------------------------

def yaml_top(key):
    """A top-level YAML scalar (plain or quoted)."""
    return "^%s:[ \\t]*[\"']?([^\"'\\s#]+)" % key


def yaml_child(parent, key):
    """A key two spaces into a top-level YAML mapping (its first such key)."""
    return "^%s:.*\\n(?:(?:  .*|[ \\t]*)\\n)*?  %s:[ \\t]*[\"']?([^\"'\\s#]+)" % (parent, key)


def toml_key(table, key):
    """A string key of a TOML table (before the next table header)."""
    return '^\\[%s\\][^\\[]*?^%s[ \\t]*=[ \\t]*"([^"]*)"' % (table.replace(".", "\\."), key)


def json_top(key):
    """A top-level key of a JSON file indented by two spaces."""
    return '^  "%s": "([^"]*)"' % key


JSON_LOCK_ROOT = '"packages": \\{\\s*"": \\{[^{}]*?"version": "([^"]*)"'


def dotenv_key(key):
    return r"^%s=([^\s#]*)" % key


def edit(path, key, pattern):
    return {"file": path, "key": key, "pattern": pattern}


def set_value(text, pattern, value):
    """text with the one match of pattern's group replaced by value: what the
    peers do with each edit, and how ci/bench computes the bytes it expects."""
    hits = list(re.finditer(pattern, text, re.M))
    if len(hits) != 1:
        raise ValueError("pattern %r matches %d times" % (pattern, len(hits)))
    m = hits[0]
    return text[:m.start(1)] + value + text[m.end(1):]


# --------------------------------------------------------------------------
# Synthetic repositories: (kind, files, edits)
# --------------------------------------------------------------------------

CHART_YAML = """apiVersion: v2
name: {name}
description: Service {name} of the benchmark ecosystem
type: application
# The chart's own version and the version of the application it deploys.
version: {v}
appVersion: "{v}"
dependencies:
  - name: postgresql
    version: 15.5.38
    repository: https://charts.bitnami.com/bitnami
"""

VALUES_YAML = """replicaCount: 2
image:
  repository: registry.example.com/bench/{name}
  pullPolicy: IfNotPresent
"""

PYPROJECT = """[project]
name = "bench-{name}"
version = "{v}"
description = "Client {name} of the benchmark ecosystem"
requires-python = ">=3.9"
dependencies = ["httpx>=0.23"]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""

PACKAGE_JSON = """{{
  "name": "@bench/{name}",
  "version": "{v}",
  "private": true,
  "type": "module",
  "scripts": {{
    "build": "tsc -p ."
  }},
  "devDependencies": {{
    "typescript": "^5.8.2"
  }}
}}
"""

PACKAGE_LOCK = """{{
  "name": "@bench/{name}",
  "version": "{v}",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {{
    "": {{
      "name": "@bench/{name}",
      "version": "{v}",
      "devDependencies": {{
        "typescript": "^5.8.2"
      }}
    }},
    "node_modules/typescript": {{
      "version": "5.8.3",
      "dev": true,
      "license": "Apache-2.0"
    }}
  }}
}}
"""


def chart_repo(name):
    files = {"chart/Chart.yaml": CHART_YAML, "chart/values.yaml": VALUES_YAML,
             "README.md": "# {name}\n\nDeployed with the chart in chart/.\n"}
    edits = [edit("chart/Chart.yaml", "version", yaml_top("version")),
             edit("chart/Chart.yaml", "appVersion", yaml_top("appVersion"))]
    return "gitlab", files, edits


def tagonly_repo(name):
    files = {"README.md": "# {name}\n\nReleased by its tag alone.\n",
             "src/main.txt": "{name}\n"}
    return "gitlab", files, []


def python_repo(name):
    files = {"pyproject.toml": PYPROJECT, "README.md": "# {name}\n",
             "src/bench/__init__.py": "\"\"\"{name}\"\"\"\n"}
    return "github", files, [edit("pyproject.toml", "project.version",
                                  toml_key("project", "version"))]


def node_repo(name):
    files = {"package.json": PACKAGE_JSON, "package-lock.json": PACKAGE_LOCK,
             "README.md": "# {name}\n", "src/index.ts": "export {{}};\n"}
    return "github", files, [edit("package.json", "version", json_top("version")),
                             edit("package-lock.json", "version", json_top("version")),
                             edit("package-lock.json", 'packages."".version', JSON_LOCK_ROOT)]


def synthetic_repos(n):
    """[(name, builder)] for n repositories in the mix of the docstring."""
    out, github = [], 0
    width = max(3, len(str(n - 1)))
    for i in range(n):
        slot = i % 4
        if slot in (0, 2):
            out.append(("chart-%0*d" % (width, i), chart_repo))
        elif slot == 1:
            out.append(("tagonly-%0*d" % (width, i), tagonly_repo))
        else:
            github += 1
            out.append(("gh-%0*d" % (width, i), python_repo if github % 2 else node_repo))
    return out


# --------------------------------------------------------------------------
# The manifest, relapi.yml and bench.json
# --------------------------------------------------------------------------

def base_manifest():
    """Waldur's users and tokens (the ones bound to no repository), protected
    tags and switches, so harness.Forge(...).token('gitlab_write') works."""
    with open(os.path.join(WALDUR, "manifest.json"), encoding="utf-8") as f:
        w = json.load(f)
    tokens = [t for t in w["tokens"] if "project" not in t and "repositories" not in t]
    return {
        "comment": "A synthetic ecosystem for ci/bench (tests/bench/gen_ecosystem.py).",
        "version": PREVIOUS, "epoch": w["epoch"], "users": w["users"], "tokens": tokens,
        "templates": {"standard": [
            {"release": "1.3.0", "initial": True},
            {"commit": "feat: first feature", "files": {"notes/feature.txt": "A feature.\n"}},
            {"release": PREVIOUS},
            {"commit": "fix: a fix after the release", "files": {"notes/fix.txt": "A fix.\n"}}]},
        "gitlab_protected_tags": w["gitlab_protected_tags"],
        "github_protected_tags": w["github_protected_tags"],
        "switches": w["switches"], "repos": []}


def write_repo(outdir, name, files):
    for rel, text in files.items():
        path = os.path.join(outdir, name, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.format(name=name, v=PREVIOUS))


def manifest_entry(i, name, forge, edits):
    files = sorted({e["file"] for e in edits})
    base = 1000 if forge == "gitlab" else 6000
    return {"forge": forge, "path": "bench/" + name, "id": base + i, "dir": name,
            "default_branch": "main", "version_files": files,
            "release_message": "Release {version}", "history": [{"use": "standard"}]}


def config_entry(name, forge, edits):
    line = "  - {name: %s, forge: %s, path: bench/%s, branch: main,\n" \
           "     message: \"Release {version}\"" % (name, forge, name)
    if not edits:
        return line + "}\n"
    items = ",\n             ".join("{file: %s, key: '%s'}" % (e["file"], e["key"]) for e in edits)
    return line + ",\n     edits: [%s]}\n" % items


CONFIG_HEAD = """# relapi configuration for the %d repositories of the benchmark ecosystem
# (tests/bench/gen_ecosystem.py). The URLs are the real forges'; ci/bench sets
# RELAPI_GITLAB_URL and RELAPI_GITHUB_URL to the fake forge.
forges:
  gitlab:
    kind: gitlab
    url: https://gitlab.example.com
    token_env: [GITLAB_TOKEN]
  github:
    kind: github
    url: https://api.github.com
    token_env: [GITHUB_TOKEN]
repositories:
"""


def bench_repo(name, forge, path, branch, message, edits, version):
    return {"name": name, "forge": forge, "path": path, "branch": branch,
            "message": message.format(version=version), "edits": edits}


def write_json(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def generate(n, outdir, version):
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    manifest, config, repos = base_manifest(), [CONFIG_HEAD % n], []
    for i, (name, builder) in enumerate(synthetic_repos(n)):
        forge, files, edits = builder(name)
        write_repo(outdir, name, files)
        manifest["repos"].append(manifest_entry(i, name, forge, edits))
        config.append(config_entry(name, forge, edits))
        repos.append(bench_repo(name, forge, "bench/" + name, "main", "Release {version}",
                                edits, version))
    write_json(os.path.join(outdir, "manifest.json"), manifest)
    with open(os.path.join(outdir, "relapi.yml"), "w", encoding="utf-8") as f:
        f.write("".join(config))
    write_json(os.path.join(outdir, "bench.json"), {
        "version": version, "tag_message": "Release " + version,
        "ecosystem": os.path.abspath(outdir),
        "config": os.path.abspath(os.path.join(outdir, "relapi.yml")), "repos": repos})


# --------------------------------------------------------------------------
# The Waldur ecosystem under the embedded configuration
# --------------------------------------------------------------------------

# The repositories `relapi tag-all` changes under the embedded configuration
# (the docs repository is left to the docs stage); ci/bench checks this list
# against `relapi plan --json` before it runs anything.
WALDUR_REPOS = [
    ("waldur-mastermind", "gitlab", "develop", "Set target version to {version}", []),
    ("waldur-homeport", "gitlab", "develop", "Set target version to {version}", []),
    ("waldur-prometheus-exporter", "gitlab", "develop", "Set target version to {version}", []),
    ("waldur-helm", "gitlab", "master", "Set target version to {version}",
     [edit("waldur/Chart.yaml", "version", yaml_top("version")),
      edit("waldur/Chart.yaml", "appVersion", yaml_top("appVersion")),
      edit("waldur/values.yaml", "waldur.imageTag", yaml_child("waldur", "imageTag"))]),
    ("waldur-docker-compose", "gitlab", "develop", "Set target version to {version}",
     [edit(".env.example", "WALDUR_MASTERMIND_IMAGE_TAG",
           dotenv_key("WALDUR_MASTERMIND_IMAGE_TAG")),
      edit(".env.example", "WALDUR_HOMEPORT_IMAGE_TAG", dotenv_key("WALDUR_HOMEPORT_IMAGE_TAG"))]),
    ("py-client", "github", "main", "Release: bump version to {version}",
     [edit("pyproject.toml", "tool.poetry.version", toml_key("tool.poetry", "version"))]),
    ("js-client", "github", "main", "Release: bump version to {version}",
     [edit("package.json", "version", json_top("version")),
      edit("package-lock.json", "version", json_top("version")),
      edit("package-lock.json", 'packages."".version', JSON_LOCK_ROOT)]),
    ("go-client", "github", "main", "Set target version to {version}", []),
]


def generate_waldur(outdir, version="8.0.6"):
    os.makedirs(outdir, exist_ok=True)
    repos = [bench_repo(name, forge, "waldur/" + name, branch, message, edits, version)
             for name, forge, branch, message, edits in WALDUR_REPOS]
    write_json(os.path.join(outdir, "bench.json"), {
        "version": version, "tag_message": "Release " + version, "ecosystem": WALDUR,
        "config": None, "repos": repos})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, help="how many repositories")
    ap.add_argument("outdir")
    ap.add_argument("--version", default="1.5.0", help="the release to make (default 1.5.0)")
    ap.add_argument("--waldur", action="store_true",
                    help="bench.json for the Waldur ecosystem instead (version 8.0.6)")
    args = ap.parse_args()
    if args.waldur:
        generate_waldur(args.outdir)
    elif args.n is None or args.n < 1:
        ap.error("N must be a positive number (or --waldur)")
    else:
        generate(args.n, args.outdir, args.version)


if __name__ == "__main__":
    main()
