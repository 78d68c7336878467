#!/usr/bin/python3
"""The Python peer of ci/bench: the work of `relapi tag-all` written the way
a release script would be with python-gitlab and PyGithub (Debian's
python3-gitlab and python3-github), one repository after another.

    /usr/bin/python3 tests/bench/peers/peer_python.py BENCH_JSON

BENCH_JSON is written by tests/bench/gen_ecosystem.py. The forges are
RELAPI_GITLAB_URL (the GitLab server) with GITLAB_TOKEN and
RELAPI_GITHUB_URL (the GitHub API) with GITHUB_TOKEN, as for relapi.

First every repository is checked for the tag (it must exist nowhere), then
each one in turn: its version files read at the branch head, the values set
with the pattern of each edit, one commit of all edited files (GitLab: the
commits API with one action per file; GitHub: the contents API for one
file, blobs-tree-commit-ref of the git data API for more), and the annotated
tag "Release VERSION" on exactly that commit (on the branch head when there
is nothing to edit). Exit 0 when all are released, 3 when a tag exists
already, 1 on any other failure. Tokens are never printed.
"""

import json
import os
import re
import sys

import github
import gitlab
from github import InputGitTreeElement


# --------------------------------------------------------------------------
# Edits
# --------------------------------------------------------------------------

def set_value(text, pattern, value):
    """text with the one match of pattern's group replaced by value."""
    hits = list(re.finditer(pattern, text, re.M))
    if len(hits) != 1:
        raise ValueError("pattern %r matches %d times" % (pattern, len(hits)))
    m = hits[0]
    return text[:m.start(1)] + value + text[m.end(1):]


def edited(texts, edits, version):
    """{path: new text} of the files the edits change."""
    out = dict(texts)
    for e in edits:
        out[e["file"]] = set_value(out[e["file"]], e["pattern"], version)
    return {p: t for p, t in out.items() if t != texts[p]}


def edited_files(edits):
    return list(dict.fromkeys(e["file"] for e in edits))


# --------------------------------------------------------------------------
# GitLab (python-gitlab)
# --------------------------------------------------------------------------

def gitlab_tag_exists(project, tag):
    try:
        project.tags.get(tag)
        return True
    except gitlab.exceptions.GitlabGetError as e:
        if e.response_code == 404:
            return False
        raise


def gitlab_release(project, repo, version, tag_message):
    files = edited_files(repo["edits"])
    if not files:
        head = project.branches.get(repo["branch"]).commit["id"]
    else:
        got = {p: project.files.get(file_path=p, ref=repo["branch"]) for p in files}
        new = edited({p: f.decode().decode("utf-8") for p, f in got.items()},
                     repo["edits"], version)
        actions = [{"action": "update", "file_path": p, "content": t,
                    "last_commit_id": got[p].last_commit_id} for p, t in new.items()]
        commit = project.commits.create({"branch": repo["branch"], "actions": actions,
                                         "commit_message": repo["message"]})
        head = commit.id
    project.tags.create({"tag_name": version, "ref": head, "message": tag_message})


# --------------------------------------------------------------------------
# GitHub (PyGithub)
# --------------------------------------------------------------------------

def github_tag_exists(gh_repo, tag):
    try:
        gh_repo.get_git_ref("tags/" + tag)
        return True
    except github.UnknownObjectException:
        return False


def github_commit_one(gh_repo, repo, path, version):
    f = gh_repo.get_contents(path, ref=repo["branch"])
    new = edited({path: f.decoded_content.decode("utf-8")}, repo["edits"], version)
    out = gh_repo.update_file(path, repo["message"], new[path], f.sha, branch=repo["branch"])
    return out["commit"].sha


def github_commit_many(gh_repo, repo, files, version):
    ref = gh_repo.get_git_ref("heads/" + repo["branch"])
    head = gh_repo.get_git_commit(ref.object.sha)
    texts = {p: gh_repo.get_contents(p, ref=head.sha).decoded_content.decode("utf-8")
             for p in files}
    new = edited(texts, repo["edits"], version)
    elements = [InputGitTreeElement(p, "100644", "blob", content=t) for p, t in new.items()]
    tree = gh_repo.create_git_tree(elements, head.tree)
    commit = gh_repo.create_git_commit(repo["message"], tree, [head])
    ref.edit(commit.sha)
    return commit.sha


def github_release(gh_repo, repo, version, tag_message):
    files = edited_files(repo["edits"])
    if not files:
        sha = gh_repo.get_branch(repo["branch"]).commit.sha
    elif len(files) == 1:
        sha = github_commit_one(gh_repo, repo, files[0], version)
    else:
        sha = github_commit_many(gh_repo, repo, files, version)
    tag = gh_repo.create_git_tag(version, tag_message, sha, "commit")
    gh_repo.create_git_ref("refs/tags/" + version, tag.sha)


# --------------------------------------------------------------------------
# The release
# --------------------------------------------------------------------------

FORGES = {"gitlab": (gitlab_tag_exists, gitlab_release),
          "github": (github_tag_exists, github_release)}


def clients():
    gl = gitlab.Gitlab(os.environ["RELAPI_GITLAB_URL"], private_token=os.environ["GITLAB_TOKEN"])
    gh = github.Github(os.environ["GITHUB_TOKEN"], base_url=os.environ["RELAPI_GITHUB_URL"])
    return {"gitlab": gl.projects.get, "github": gh.get_repo}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        bench = json.load(f)
    version, message = bench["version"], bench["tag_message"]
    get = clients()
    handles = [(r, get[r["forge"]](r["path"])) for r in bench["repos"]]
    existing = [r["path"] for r, h in handles if FORGES[r["forge"]][0](h, version)]
    if existing:
        sys.stderr.write("peer_python: tag %s exists in %s\n" % (version, ", ".join(existing)))
        return 3
    for r, h in handles:
        FORGES[r["forge"]][1](h, r, version, message)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (gitlab.exceptions.GitlabError, github.GithubException, ValueError, KeyError) as e:
        sys.stderr.write("peer_python: %s: %s\n" % (type(e).__name__, e))
        sys.exit(1)
