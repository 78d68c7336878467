"""GitHub REST on the fake forge (Enterprise layout, /api/v3): JSON shapes,
handlers, App installation tokens, routes and authentication.

Standard library only.
"""

import base64
import datetime
import json
import posixpath
import re
import urllib.parse

from api import ApiError, GH_DOCS, page_links, page_window
from faults import broken_pagination
from model import Run, Tag, parse_ts, sha1_hex


GITHUB_PREFIX = "/api/v3"

MB = 1024 * 1024

UA_REFUSAL = (
    "Request forbidden by administrative rules. Please make sure your request has a "
    "User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api"
    "#user-agent-required). Check https://developer.github.com for other possible causes.\n")


# --------------------------------------------------------------------------
# Small helpers: timestamps, content, errors, pagination
# --------------------------------------------------------------------------

def ts_github(t):
    return datetime.datetime.fromtimestamp(int(t), tz=datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def b64_lines(data):
    """GitHub wraps base64 content at 60 characters with newlines."""
    enc = base64.b64encode(data).decode()
    return "".join(enc[i:i + 60] + "\n" for i in range(0, len(enc), 60))


def gh_error(status, message, doc=GH_DOCS, **extra):
    body = {"message": message, "documentation_url": doc, "status": str(status)}
    body.update(extra)
    return ApiError(status, body)


def gh_validation(resource, field, code):
    return gh_error(422, "Validation Failed",
                    errors=[{"resource": resource, "code": code, "field": field}])


def gh_paginate(req, items):
    """A page of items with GitHub's Link header."""
    per, page = page_window(req, 30, gh_error(400, "Invalid per_page"))
    pages = max(1, (len(items) + per - 1) // per)
    broken = broken_pagination(req, page, per)
    chunk = items[(min(page, pages) - 1) * per: min(page, pages) * per]
    headers = {}
    if broken:
        headers["Link"] = page_links(req, page, max(pages, broken), per, broken)
    elif pages > 1:
        links = page_links(req, page, pages, per).split(", ")
        headers["Link"] = ", ".join(
            link for link in links
            if not (page == 1 and ('"first"' in link or '"prev"' in link))
            and not (page == pages and ('"last"' in link or '"next"' in link)))
    return chunk, headers


# --------------------------------------------------------------------------
# JSON shapes
# --------------------------------------------------------------------------

def gh_api(req, repo, rest=""):
    return "%s/api/v3/repos/%s%s" % (req.base_url, repo.path, rest)


def gh_person(name_email, t):
    return {"name": name_email[0], "email": name_email[1], "date": ts_github(t)}


def gh_user_json(req, tok):
    name = tok.get("user", "octo-bot")
    u = req.world.users.get(name, {})
    return {"login": name, "id": u.get("id", 1), "node_id": "U_%d" % u.get("id", 1),
            "type": "User", "site_admin": False, "name": u.get("name", name),
            "email": u.get("email"),
            "html_url": req.world.opts.github_web_url.rstrip("/") + "/" + name,
            "url": "%s/api/v3/users/%s" % (req.base_url, name)}


def gh_git_commit(req, repo, c):
    return {
        "sha": c.id, "node_id": "C_" + c.id[:20], "url": gh_api(req, repo, "/git/commits/" + c.id),
        "html_url": "%s/commit/%s" % (repo.web_url, c.id),
        "author": gh_person(c.author, c.date), "committer": gh_person(c.committer, c.date),
        "message": c.message,
        "tree": {"sha": c.tree_sha, "url": gh_api(req, repo, "/git/trees/" + c.tree_sha)},
        "parents": [{"sha": p, "url": gh_api(req, repo, "/git/commits/" + p),
                     "html_url": "%s/commit/%s" % (repo.web_url, p)} for p in c.parents],
        "verification": {"verified": False, "reason": "unsigned", "signature": None,
                         "payload": None, "verified_at": None}}


def gh_commit(req, repo, c):
    g = gh_git_commit(req, repo, c)
    return {
        "sha": c.id, "node_id": g["node_id"], "url": gh_api(req, repo, "/commits/" + c.id),
        "html_url": g["html_url"],
        "commit": {"author": g["author"], "committer": g["committer"], "message": c.message,
                   "tree": g["tree"], "url": g["url"], "comment_count": 0,
                   "verification": g["verification"]},
        "author": None, "committer": None, "parents": g["parents"]}


def gh_ref(req, repo, name):
    """A ref object for 'refs/heads/x' or 'refs/tags/x'."""
    if name.startswith("refs/heads/"):
        sha, kind = repo.branches[name[11:]], "commit"
    else:
        tag = repo.tags[name[10:]]
        sha, kind = tag.target, "tag" if tag.sha else "commit"
    return {"ref": name, "node_id": "REF_" + sha1_hex(name.encode())[:16],
            "url": gh_api(req, repo, "/git/" + name),
            "object": {"type": kind, "sha": sha,
                       "url": gh_api(req, repo, "/git/%ss/%s" % (kind, sha))}}


def gh_all_refs(repo):
    return sorted(["refs/heads/" + b for b in repo.branches] +
                  ["refs/tags/" + t for t in repo.tags])


def gh_tag_object(req, repo, tag):
    return {"node_id": "TAG_" + tag.sha[:16], "tag": tag.name, "sha": tag.sha,
            "url": gh_api(req, repo, "/git/tags/" + tag.sha), "message": tag.message,
            "tagger": gh_person(tag.tagger, tag.date),
            "object": {"sha": tag.commit, "type": "commit",
                       "url": gh_api(req, repo, "/git/commits/" + tag.commit)},
            "verification": {"verified": False, "reason": "unsigned", "signature": None,
                             "payload": None, "verified_at": None}}


def gh_release(req, repo, rel):
    rid = rel["id"]
    return {
        "url": gh_api(req, repo, "/releases/%d" % rid),
        "html_url": "%s/releases/tag/%s" % (repo.web_url, rel["tag_name"]),
        "assets_url": gh_api(req, repo, "/releases/%d/assets" % rid),
        "upload_url": "%s/api/uploads/repos/%s/releases/%d/assets{?name,label}" % (
            req.base_url, repo.path, rid),
        "tarball_url": gh_api(req, repo, "/tarball/" + rel["tag_name"]),
        "zipball_url": gh_api(req, repo, "/zipball/" + rel["tag_name"]),
        "id": rid, "node_id": "RE_%d" % rid, "tag_name": rel["tag_name"],
        "target_commitish": rel["target_commitish"], "name": rel["name"], "body": rel["body"],
        "draft": rel["draft"], "prerelease": rel["prerelease"], "immutable": False,
        "created_at": ts_github(rel["created"]), "published_at": ts_github(rel["created"]),
        "author": rel["author"], "assets": []}


RUN_NAME_INPUT = re.compile(r"\$\{\{\s*inputs\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")


def run_title(run):
    """display_title: the workflow's run-name ("run_name" in the manifest, with
    ${{ inputs.NAME }} expanded from the dispatch) or, without one, its name."""
    tmpl = run.workflow.get("run_name")
    if not tmpl:
        return run.workflow["name"]
    return RUN_NAME_INPUT.sub(lambda m: (run.inputs or {}).get(m.group(1), ""), tmpl)


def gh_run(req, repo, run):
    status, conclusion = run.status()
    out = {
        "id": run.id, "name": run.workflow["name"], "node_id": "WFR_%d" % run.id,
        "head_branch": run.ref, "head_sha": run.sha, "path": run.workflow["path"],
        "display_title": run_title(run), "run_number": run.number, "run_attempt": 1,
        "event": run.event, "status": status, "conclusion": conclusion,
        "workflow_id": run.workflow["id"], "url": gh_api(req, repo, "/actions/runs/%d" % run.id),
        "html_url": "%s/actions/runs/%d" % (repo.web_url, run.id),
        "jobs_url": gh_api(req, repo, "/actions/runs/%d/jobs" % run.id),
        "created_at": ts_github(run.created), "updated_at": ts_github(run.world.now()),
        "run_started_at": ts_github(run.created),
        "repository": {"id": repo.id, "name": repo.name, "full_name": repo.path}}
    # switch github_runs_omit: fields older GitHub Enterprise Server versions
    # lack (display_title came with GHES 3.8; path is absent there too)
    for field in req.world.switches.get("github_runs_omit") or ():
        out.pop(field, None)
    return out


def gh_content(req, repo, path, mode, sha, size, ref):
    return {"type": "file", "size": size, "name": path.rsplit("/", 1)[-1], "path": path,
            "sha": sha, "url": gh_api(req, repo, "/contents/%s?ref=%s" % (path, ref)),
            "git_url": gh_api(req, repo, "/git/blobs/" + sha),
            "html_url": "%s/blob/%s/%s" % (repo.web_url, ref, path),
            "download_url": "%s/%s/%s/%s" % (req.world.opts.github_raw_url.rstrip("/"),
                                             repo.path, ref, path),
            "_links": {"self": gh_api(req, repo, "/contents/" + path),
                       "git": gh_api(req, repo, "/git/blobs/" + sha),
                       "html": "%s/blob/%s/%s" % (repo.web_url, ref, path)}}


# --------------------------------------------------------------------------
# Handlers
# --------------------------------------------------------------------------

def gh_not_found():
    return gh_error(404, "Not Found")


def gh_found(value):
    """value, or GitHub's 404 when it is None."""
    if value is None:
        raise gh_not_found()
    return value


def gh_given_person(req, *keys):
    """(name, email) and date (None when absent) of the first of params[keys]
    given (author, committer, tagger), the token's user filling what it lacks."""
    user = req.world.user(req.token.get("user"))
    p = next((req.params[k] for k in keys if req.params.get(k)), {})
    date = parse_ts(p["date"]) if p.get("date") else None
    return (p.get("name", user[0]), p.get("email", user[1])), date


def gh_get_user(req):
    """GET /user. An installation token (a GitHub App's, GITHUB_TOKEN in Actions) may
    not read it: https://docs.github.com/en/rest/users/users#get-the-authenticated-user
    answers 403 "Resource not accessible by integration" for it."""
    if req.token.get("kind") == "installation":
        raise gh_error(403, "Resource not accessible by integration",
                       doc=GH_DOCS + "/users/users#get-the-authenticated-user")
    headers = {"X-Accepted-OAuth-Scopes": ""}
    if req.token.get("kind") != "fine-grained":  # only classic tokens have scopes
        headers["X-OAuth-Scopes"] = ", ".join(req.token.get("scopes", []))
    return 200, gh_user_json(req, req.token), headers


def gh_repo_json(req, repo):
    """A repository as GET /repos/:owner/:repo answers it to the caller."""
    owner, name = repo.path.split("/")
    out = {
        "id": repo.id, "node_id": "R_%d" % repo.id, "name": name, "full_name": repo.path,
        "private": repo.visibility != "public", "owner": {"login": owner, "type": "Organization"},
        "html_url": repo.web_url, "url": gh_api(req, repo), "default_branch": repo.default_branch,
        "visibility": repo.visibility, "archived": False, "disabled": False}
    permissions = gh_installation_permissions(req)
    if permissions is not None:
        out["permissions"] = permissions
    return out


# --------------------------------------------------------------------------
# App installation tokens
# --------------------------------------------------------------------------

def gh_installation_repos(req, tok):
    """The repositories an installation token reaches, in path order: those
    its manifest entry names ("repositories"), else every GitHub repository."""
    names = tok.get("repositories")
    return sorted((r for r in req.world.repos.values() if r.forge == "github" and
                   (names is None or r.path in names)), key=lambda r: r.path)


def gh_list_installation_repos(req):
    """GET /installation/repositories: only an installation token may call it
    (https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation);
    any other token gets 403 with GitHub's words."""
    tok = req.token
    if tok.get("kind") != "installation":
        raise gh_error(403, "You must authenticate with an installation access token in order "
                            "to list repositories for an installation.",
                       doc=GH_DOCS + "/apps/installations"
                                     "#list-repositories-accessible-to-the-app-installation")
    repos = gh_installation_repos(req, tok)
    chunk, headers = gh_paginate(req, repos)
    return 200, {"total_count": len(repos),
                 "repository_selection": "selected" if "repositories" in tok else "all",
                 "repositories": [gh_repo_json(req, r) for r in chunk]}, headers


def gh_installation_permissions(req):
    """The `permissions` of a repository answer, None to leave it out. An
    installation token reads push: false even where it may push
    (semantic-release/github lib/verify.js: "If authenticated as GitHub App
    installation, `push` will always be false"); switch
    github_app_permissions "absent" leaves them out, as older answers to
    GITHUB_TOKEN did (semantic-release/github#182)."""
    tok = req.token
    write = tok.get("role") in ("write", "admin")
    if tok.get("kind") == "installation":
        if req.world.switches.get("github_app_permissions") == "absent":
            return None
        write = False
    return {"admin": tok.get("role") == "admin", "maintain": False,
            "push": write, "triage": write, "pull": True}


def gh_route_permission(req):
    """What X-Accepted-GitHub-Permissions names for a write route
    (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps)."""
    return "actions=write" if "/actions/" in req.path else "contents=write"


def gh_installation_scope(req, flags):
    """An installation token outside its repositories: a private repository
    is not found, a public one may be read but not written (GitHub answers
    the integration's refusal with the permission the route needs)."""
    tok = req.token
    if tok.get("kind") != "installation" or req.repo in gh_installation_repos(req, tok):
        return
    if req.repo.visibility != "public":
        raise gh_not_found()
    if "w" in flags:
        err = gh_error(403, "Resource not accessible by integration",
                       doc="https://docs.github.com/rest")
        err.headers["X-Accepted-GitHub-Permissions"] = gh_route_permission(req)
        raise err


def gh_get_repo(req):
    return 200, gh_repo_json(req, req.repo)


def gh_link_target(c, path, data):
    """The in-repository path a symbolic link at `path` (its blob: `data`)
    names, or None when it leaves the repository."""
    target = data.decode("utf-8", "replace")
    if target.startswith("/"):
        return None
    full = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    return None if full.startswith("../") or full == ".." else full


def gh_odd_content(req, repo, c, path, ref):
    """A symbolic link or a submodule as the contents API answers it
    (https://docs.github.com/en/rest/repos/contents#get-repository-content):
    a link to a regular file answers that file (its own path and content), any
    other link {"type": "symlink", "target"}, a submodule {"type": "submodule"}.
    (path, None) to answer the file at path; (None, body) otherwise."""
    mode, sha = c.tree[path]
    data = repo.blobs.get(sha, b"")
    body = gh_content(req, repo, path, mode, sha, len(data), ref)
    if mode == "160000":
        body.update({"type": "submodule", "size": 0, "download_url": None,
                     "submodule_git_url": "https://github.com/%s.git" % path})
        return None, body
    target = gh_link_target(c, path, data)
    if target in c.tree and c.tree[target][0] in ("100644", "100755"):
        return target, None
    body.update({"type": "symlink", "target": data.decode("utf-8", "replace")})
    return None, body


GH_CONTENTS_TOO_LARGE = ("This API returns blobs up to 1 MB in size. The requested blob is too "
                         "large to fetch via the API, but you can use the Git Data API to "
                         "request blobs up to 100 MB in size.")


def gh_file_content(req, repo, path, mode, sha, ref):
    """A regular file. Over 1 MB the JSON answer has "content": "" and
    "encoding": "none" (https://docs.github.com/en/rest/repos/contents#get-repository-content:
    1-100 MB only through the raw or object media types, the object one without
    content; api.github.com answers so to the default media type too:
    https://github.com/gr2m/octokit-plugin-create-pull-request/issues/139).
    Switch github_contents_1mb_limit answers 403 too_large instead, as before
    the 100 MB limit (https://github.blog/changelog/2022-05-03-increased-file-size-limit-when-retrieving-file-contents-via-rest-api)."""
    data = repo.blobs[sha]
    if "raw" in req.headers.get("Accept", ""):
        return 200, data, {"Content-Type": "application/vnd.github.raw; charset=utf-8"}
    body = gh_content(req, repo, path, mode, sha, len(data), ref)
    if len(data) > MB and req.world.switches.get("github_contents_1mb_limit"):
        raise gh_error(403, GH_CONTENTS_TOO_LARGE,
                       doc="https://docs.github.com/rest/repos/contents#get-repository-content",
                       errors=[{"resource": "Blob", "field": "data", "code": "too_large"}])
    if len(data) > MB:
        body.update({"content": "", "encoding": "none"})
    else:
        body.update({"content": b64_lines(data), "encoding": "base64"})
    return 200, body


def gh_get_contents(req):
    repo = req.repo
    path = urllib.parse.unquote(req.args.get("path", "")).strip("/")
    ref = req.query.get("ref") or repo.default_branch
    cid = repo.resolve(ref)
    if cid is None:
        raise gh_error(404, "No commit found for the ref %s" % ref)
    c = repo.commits[cid]
    if path not in c.tree:
        entries = sorted(p for p in c.tree if p.startswith(path + "/") or not path)
        if not entries:
            raise gh_not_found()
        return 200, gh_dir_listing(req, repo, c, path, entries, ref)
    if c.tree[path][0] in ("120000", "160000"):
        path, body = gh_odd_content(req, repo, c, path, ref)
        if body is not None:
            return 200, body
    mode, sha = c.tree[path]
    return gh_file_content(req, repo, path, mode, sha, ref)


GH_DIR_LIMIT = 1000


def gh_dir_listing(req, repo, c, path, entries, ref):
    """A folder's entries, the first 1,000 only: "This API has an upper limit
    of 1,000 files for a directory" (https://docs.github.com/en/rest/repos/contents#get-repository-content)."""
    seen = {}
    for p in entries:
        rest = p[len(path) + 1:] if path else p
        head = rest.split("/", 1)[0]
        full = (path + "/" if path else "") + head
        if "/" in rest:
            seen.setdefault(full, {"type": "dir", "name": head, "path": full, "sha": None,
                                   "size": 0})
        else:
            mode, sha = c.tree[full]
            seen[full] = gh_content(req, repo, full, mode, sha, len(repo.blobs[sha]), ref)
    return [seen[k] for k in sorted(seen)][:GH_DIR_LIMIT]


def gh_require(req, *names):
    for n in names:
        if req.params.get(n) in (None, ""):
            raise gh_error(422, "Invalid request.\n\n\"%s\" wasn't supplied." % n)


def gh_put_contents(req):
    repo = req.repo
    path = urllib.parse.unquote(req.args["path"]).strip("/")
    gh_require(req, "message", "content")
    branch = req.params.get("branch") or repo.default_branch
    if branch not in repo.branches:
        raise gh_error(404, "Branch %s not found" % branch)
    try:
        data = base64.b64decode(req.params["content"], validate=True)
    except (ValueError, TypeError):
        raise gh_error(422, "content is not valid Base64")
    head = repo.commits[repo.branches[branch]]
    current = head.tree.get(path)
    given = req.params.get("sha")
    if current and not given:
        raise gh_error(422, "Invalid request.\n\n\"sha\" wasn't supplied.")
    if current and given != current[1]:
        raise gh_error(409, "%s is at %s but expected %s" % (path, current[1], given))
    tree = dict(head.tree)
    tree[path] = (current[0] if current else "100644", repo.store_blob(data))
    who, _ = gh_given_person(req, "author", "committer")
    c = repo.make_commit(tree, [head.id], req.params["message"], who)
    repo.branches[branch] = c.id
    content = gh_content(req, repo, path, tree[path][0], tree[path][1], len(data), branch)
    return (200 if current else 201), {"content": content, "commit": gh_git_commit(req, repo, c)}


def gh_get_ref(req):
    ref = urllib.parse.unquote(req.args["ref"])
    name = "refs/" + ref
    if name not in gh_all_refs(req.repo):
        raise gh_not_found()
    return 200, gh_ref(req, req.repo, name)


def gh_matching_refs(req):
    prefix = "refs/" + urllib.parse.unquote(req.args.get("ref", ""))
    return 200, [gh_ref(req, req.repo, n) for n in gh_all_refs(req.repo) if n.startswith(prefix)]


def gh_get_refs_legacy(req):
    ref = urllib.parse.unquote(req.args["ref"])
    name = "refs/" + ref
    refs = gh_all_refs(req.repo)
    if name in refs:
        return 200, gh_ref(req, req.repo, name)
    hits = [gh_ref(req, req.repo, n) for n in refs if n.startswith(name)]
    if not hits:
        raise gh_not_found()
    return 200, hits


def gh_rulesets_readable(req):
    """Switch github_rulesets_forbidden: a token without admin read gets 403."""
    if req.world.switches.get("github_rulesets_forbidden"):
        raise gh_error(403, "Resource not accessible by personal access token",
                       doc="https://docs.github.com/rest/repos/rules#get-all-repository-rulesets")


def gh_ruleset_summary(req, rs):
    keys = ("id", "name", "target", "source_type", "source", "enforcement")
    out = {k: rs[k] for k in keys}
    out["node_id"] = "RRS_%d" % rs["id"]
    out["_links"] = {"self": {"href": gh_api(req, req.repo, "/rulesets/%d" % rs["id"])}}
    return out


def gh_list_rulesets(req):
    gh_rulesets_readable(req)
    targets = req.query.get("targets", "").split(",") if req.query.get("targets") else None
    items = [gh_ruleset_summary(req, rs) for rs in req.repo.rulesets()
             if targets is None or rs["target"] in targets]
    chunk, headers = gh_paginate(req, items)
    return 200, chunk, headers


def gh_get_ruleset(req):
    gh_rulesets_readable(req)
    for rs in req.repo.rulesets():
        if rs["id"] == int(req.args["rsid"]):
            out = dict(rs)
            out["node_id"] = "RRS_%d" % rs["id"]
            return 200, out
    raise gh_not_found()


def gh_rule_violation(words, doc="https://docs.github.com/rest/git/refs#create-a-reference"):
    """GitHub's 422 for a ref change its rulesets refuse: "Repository rule
    violations found", then each refusing rule's words, blank-line separated."""
    return gh_error(422, "Repository rule violations found\n\n" +
                    "".join(w + "\n\n" for w in words), doc=doc)


def gh_release_rule_violation(words):
    """A release whose new tag the rulesets refuse: GitHub answers "Validation
    Failed" with a pre_receive error carrying the violations (as reported by
    release tools, e.g. googleapis/release-please users:
    'pre_receive Repository rule violations found\\n\\nCannot create ref due to
    creations being restricted.')."""
    return gh_error(422, "Validation Failed", doc="https://docs.github.com/rest/releases/"
                    "releases#create-a-release",
                    errors=[{"resource": "Release", "code": "custom", "field": "pre_receive",
                             "message": "pre_receive Repository rule violations found\n\n" +
                             "".join(w + "\n\n" for w in words)}])


def gh_object_exists(repo, sha, tags_ok):
    return sha in repo.commits or (tags_ok and sha in repo.tag_objects)


# A workflow's "on" in the manifest -> the event its runs show.
GH_WORKFLOW_EVENTS = {"tag": "push", "release": "release"}


def gh_start_event_runs(req, repo, on, tag, sha):
    """Starts a run of every workflow of `repo` whose "on" holds `on` ("tag":
    a tag pushed, "release": a release published), on the tag, as GitHub
    does for `on: push: tags` and `on: release`
    (https://docs.github.com/en/actions/reference/events-that-trigger-workflows):
    head_branch is the tag's name. It fails while the switch
    sdk_publish_fails is set."""
    for wf in repo.workflows:
        if on not in wf.get("on", []):
            continue
        rule = {"fail_if_switch": "sdk_publish_fails"}
        repo.runs.append(Run(req.world, repo, req.world.next_id("run"), wf, tag, sha,
                             GH_WORKFLOW_EVENTS[on], None,
                             req.world.outcome_for(None, None, rule)))


def gh_create_ref(req):
    repo = req.repo
    ref, sha = req.params.get("ref"), req.params.get("sha")
    if not ref or not sha:
        raise gh_error(422, "Invalid request.\n\n\"%s\" wasn't supplied." %
                       ("ref" if not ref else "sha"))
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise gh_error(422, "Reference name is not valid",
                       doc="https://docs.github.com/rest/git/refs#create-a-reference")
    if ref in gh_all_refs(repo):
        raise gh_error(422, "Reference already exists",
                       doc="https://docs.github.com/rest/git/refs#create-a-reference")
    if not gh_object_exists(repo, sha, ref.startswith("refs/tags/")):
        raise gh_error(422, "Object does not exist",
                       doc="https://docs.github.com/rest/git/refs#create-a-reference")
    if ref.startswith("refs/tags/"):
        name = ref[10:]
        obj = repo.tag_objects.get(sha)
        refusal = repo.ruleset_violations(name, "creation", obj.commit if obj else sha)
        if refusal:
            raise gh_rule_violation(refusal)
        repo.tags[name] = obj if obj and obj.name == name else \
            Tag(name, obj.commit if obj else sha, obj.sha if obj else None,
                obj.message if obj else None, obj.tagger if obj else None, req.world.now())
        gh_start_event_runs(req, repo, "tag", name, repo.tags[name].commit)
    elif ref.startswith("refs/heads/"):
        if sha not in repo.commits:
            raise gh_error(422, "Object does not exist")
        repo.branches[ref[11:]] = sha
    else:
        raise gh_error(422, "Reference name is not valid")
    return 201, gh_ref(req, repo, ref)


def gh_update_ref(req):
    repo = req.repo
    name = "refs/" + urllib.parse.unquote(req.args["ref"])
    sha = req.params.get("sha")
    if not sha:
        raise gh_error(422, "Invalid request.\n\n\"sha\" wasn't supplied.")
    if name not in gh_all_refs(repo):
        raise gh_error(422, "Reference does not exist",
                       doc="https://docs.github.com/rest/git/refs#update-a-reference")
    if sha not in repo.commits:
        raise gh_error(422, "Object does not exist",
                       doc="https://docs.github.com/rest/git/refs#update-a-reference")
    force = req.params.get("force", False) is True
    if name.startswith("refs/heads/"):
        current = repo.branches[name[11:]]
        if not force and not repo.is_ancestor(current, sha):
            raise gh_error(422, "Update is not a fast forward",
                           doc="https://docs.github.com/rest/git/refs#update-a-reference")
        repo.branches[name[11:]] = sha
    else:
        tag = name[10:]
        refusal = repo.ruleset_violations(tag, "force_update" if force else "update", sha)
        if refusal:
            raise gh_rule_violation(refusal, "https://docs.github.com/rest/git/refs#"
                                    "update-a-reference")
        if not force:
            raise gh_error(422, "Update is not a fast forward",
                           doc="https://docs.github.com/rest/git/refs#update-a-reference")
        repo.tags[tag] = Tag(tag, sha, None, None, None, req.world.now())
    return 200, gh_ref(req, repo, name)


def gh_delete_ref(req):
    repo = req.repo
    name = "refs/" + urllib.parse.unquote(req.args["ref"])
    if name not in gh_all_refs(repo):
        raise gh_error(422, "Reference does not exist",
                       doc="https://docs.github.com/rest/git/refs#delete-a-reference")
    if name.startswith("refs/heads/"):
        if name[11:] == repo.default_branch:
            raise gh_error(422, "Cannot delete the default branch")
        del repo.branches[name[11:]]
    else:
        refusal = repo.ruleset_violations(name[10:], "deletion")
        if refusal:
            raise gh_rule_violation(refusal, "https://docs.github.com/rest/git/refs#"
                                    "delete-a-reference")
        del repo.tags[name[10:]]
    return 204, None


def gh_post_blob(req):
    content = req.params.get("content")
    if content is None:
        raise gh_error(422, "Invalid request.\n\n\"content\" wasn't supplied.")
    enc = req.params.get("encoding", "utf-8")
    if enc == "base64":
        try:
            data = base64.b64decode(content, validate=True)
        except (ValueError, TypeError):
            raise gh_error(422, "Invalid request.\n\ncontent is not valid Base64.")
    elif enc in ("utf-8", "utf8"):
        data = content.encode()
    else:
        raise gh_error(422, "Invalid request.\n\nencoding must be utf-8 or base64.")
    sha = req.repo.store_blob(data)
    return 201, {"sha": sha, "url": gh_api(req, req.repo, "/git/blobs/" + sha)}


def gh_get_blob(req):
    data = gh_found(req.repo.blobs.get(req.args["sha"]))
    sha = req.args["sha"]
    if "raw" in req.headers.get("Accept", ""):
        return 200, data, {"Content-Type": "application/vnd.github.raw; charset=utf-8"}
    return 200, {"sha": sha, "node_id": "B_" + sha[:16], "size": len(data),
                 "url": gh_api(req, req.repo, "/git/blobs/" + sha),
                 "content": b64_lines(data), "encoding": "base64"}


def gh_tree_entry(req, repo, path, mode, sha):
    """One tree entry: a submodule (160000) is of type "commit", with neither
    size nor url (https://docs.github.com/en/rest/git/trees#get-a-tree)."""
    if mode == "160000":
        return {"path": path, "mode": mode, "type": "commit", "sha": sha}
    return {"path": path, "mode": mode, "type": "blob", "sha": sha,
            "size": len(repo.blobs[sha]), "url": gh_api(req, repo, "/git/blobs/" + sha)}


def gh_tree_entries(req, repo, tree):
    return [gh_tree_entry(req, repo, p, tree[p][0], tree[p][1]) for p in sorted(tree)]


def gh_apply_tree_entry(repo, tree, e):
    path = e.get("path")
    if not path or path.startswith("/") or "//" in path or path.endswith("/"):
        raise gh_error(422, "tree.path contains a malformed path component")
    if e.get("mode") not in ("100644", "100755", "040000", "160000", "120000"):
        raise gh_error(422, "Must supply a valid tree.mode")
    if e.get("type", "blob") != "blob":
        raise gh_error(422, "tree.type must be blob for file entries")
    if "sha" in e and "content" in e:
        raise gh_error(422, "Must supply either tree.sha or tree.content. Request will be "
                            "rejected if both are present.")
    if "content" in e:
        tree[path] = (e["mode"], repo.store_blob(str(e["content"]).encode()))
    elif "sha" in e and e["sha"] is None:
        if path not in tree:
            raise gh_error(422, "GitRPC::BadObjectState")
        del tree[path]
    elif "sha" in e:
        if e["sha"] not in repo.blobs:
            raise gh_error(422, "tree.sha %s is not a valid blob" % e["sha"])
        tree[path] = (e["mode"], e["sha"])
    else:
        raise gh_error(422, "Must supply either tree.sha or tree.content.")


def gh_post_tree(req):
    repo = req.repo
    entries = req.params.get("tree")
    if not isinstance(entries, list):
        raise gh_error(422, "Invalid request.\n\n\"tree\" wasn't supplied.")
    base = req.params.get("base_tree")
    if base:
        if base in repo.commits:
            base = repo.commits[base].tree_sha
        if base not in repo.trees:
            raise gh_error(422, "base_tree is not a valid tree oid")
    tree = dict(repo.trees[base]) if base else {}
    for e in entries:
        if not isinstance(e, dict):
            raise gh_error(422, "Invalid tree info")
        gh_apply_tree_entry(repo, tree, e)
    sha = repo.store_tree(tree)
    return 201, {"sha": sha, "url": gh_api(req, repo, "/git/trees/" + sha),
                 "tree": gh_tree_entries(req, repo, tree), "truncated": False}


def gh_tree_of(repo, spec):
    """The tree named by a tree sha, a commit sha or a ref, optionally with
    ":path" for a folder below it (GitHub takes any of these:
    https://github.com/github/docs/issues/25084); (sha, {path: (mode, sha)})."""
    name, _, sub = urllib.parse.unquote(spec).partition(":")
    sha = name if name in repo.trees else None
    if sha is None:
        cid = name if name in repo.commits else repo.resolve(name)
        sha = repo.commits[cid].tree_sha if cid else None
    tree = repo.trees.get(sha) if sha else None
    if tree is None or not sub.strip("/"):
        return sha, tree
    prefix = sub.strip("/") + "/"
    sub_tree = {p[len(prefix):]: v for p, v in tree.items() if p.startswith(prefix)}
    if not sub_tree:
        return None, None
    return repo.store_tree(sub_tree), sub_tree


def gh_get_tree(req):
    """Recursive answers stop at the switch github_tree_limit entries with
    truncated: true (GitHub's limit is 100,000 entries or 7 MB:
    https://docs.github.com/en/rest/git/trees#get-a-tree)."""
    repo = req.repo
    sha, tree = gh_tree_of(repo, req.args["sha"])
    if tree is None:
        raise gh_not_found()
    truncated = False
    if req.query.get("recursive") not in (None, "", "0", "false"):
        entries = gh_tree_entries(req, repo, tree)
        limit = req.world.switches.get("github_tree_limit") or 100000
        truncated = len(entries) > limit
        entries = entries[:limit]
    else:
        entries = [e for e in gh_tree_entries(req, repo, tree) if "/" not in e["path"]]
        dirs = sorted({p.split("/", 1)[0] for p in tree if "/" in p})
        for d in dirs:
            sub = {p[len(d) + 1:]: v for p, v in tree.items() if p.startswith(d + "/")}
            ssha = repo.store_tree(sub)
            entries.append({"path": d, "mode": "040000", "type": "tree", "sha": ssha,
                            "url": gh_api(req, repo, "/git/trees/" + ssha)})
        entries.sort(key=lambda e: e["path"])
    return 200, {"sha": sha, "url": gh_api(req, repo, "/git/trees/" + sha), "tree": entries,
                 "truncated": truncated}


def gh_post_commit(req):
    repo = req.repo
    gh_require(req, "message", "tree")
    tree = repo.trees.get(req.params["tree"])
    if tree is None:
        raise gh_error(422, "Tree SHA does not exist",
                       doc="https://docs.github.com/rest/git/commits#create-a-commit")
    parents = req.params.get("parents", [])
    if not isinstance(parents, list) or any(p not in repo.commits for p in parents):
        raise gh_error(422, "Parent SHA does not exist or is not a commit object",
                       doc="https://docs.github.com/rest/git/commits#create-a-commit")
    author, date = gh_given_person(req, "author")
    c = repo.make_commit(tree, parents, req.params["message"], author, date=date)
    return 201, gh_git_commit(req, repo, c)


def gh_get_git_commit(req):
    c = gh_found(req.repo.commits.get(req.args["sha"]))
    return 200, gh_git_commit(req, req.repo, c)


def gh_get_commit(req):
    cid = req.repo.resolve(urllib.parse.unquote(req.args["ref"]))
    if cid is None:
        raise gh_error(422, "No commit found for SHA: %s" % req.args["ref"])
    return 200, gh_commit(req, req.repo, req.repo.commits[cid])


def gh_post_tag_object(req):
    repo = req.repo
    gh_require(req, "tag", "message", "object", "type")
    if req.params["type"] != "commit" or req.params["object"] not in repo.commits:
        raise gh_error(422, "Object does not exist",
                       doc="https://docs.github.com/rest/git/tags#create-a-tag-object")
    tagger, date = gh_given_person(req, "tagger")
    tag = repo.make_tag_object(req.params["tag"], req.params["object"], req.params["message"],
                               tagger, date=date)
    return 201, gh_tag_object(req, repo, tag)


def gh_get_tag_object(req):
    tag = gh_found(req.repo.tag_objects.get(req.args["sha"]))
    return 200, gh_tag_object(req, req.repo, tag)


def gh_list_tags(req):
    repo = req.repo
    tags = sorted(repo.tags.values(), key=lambda t: t.name, reverse=True)
    chunk, headers = gh_paginate(req, tags)
    return 200, [{"name": t.name, "zipball_url": gh_api(req, repo, "/zipball/refs/tags/" + t.name),
                  "tarball_url": gh_api(req, repo, "/tarball/refs/tags/" + t.name),
                  "commit": {"sha": t.commit, "url": gh_api(req, repo, "/commits/" + t.commit)},
                  "node_id": "TAG_" + sha1_hex(t.name.encode())[:16]} for t in chunk], headers


def gh_get_branch(req):
    repo = req.repo
    name = urllib.parse.unquote(req.args["branch"])
    if name not in repo.branches:
        raise gh_error(404, "Branch not found")
    c = repo.commits[repo.branches[name]]
    return 200, {"name": name, "commit": gh_commit(req, repo, c),
                 "protected": name == repo.default_branch,
                 "_links": {"self": gh_api(req, repo, "/branches/" + name),
                            "html": "%s/tree/%s" % (repo.web_url, name)}}


def gh_compare(req):
    repo = req.repo
    basehead = urllib.parse.unquote(req.args["basehead"])
    if "..." not in basehead:
        raise gh_not_found()
    base_ref, head_ref = basehead.split("...", 1)
    base, head = repo.resolve(base_ref), repo.resolve(head_ref)
    if base is None or head is None:
        raise gh_not_found()
    ahead = repo.range_commits(base, head)
    behind = repo.range_commits(head, base)
    status = "identical" if not ahead and not behind else "ahead" if not behind else \
        "behind" if not ahead else "diverged"
    mb = repo.merge_base(base, head) or base
    files = [{"filename": d["new_path"], "status": "added" if d["new_file"] else
              "removed" if d["deleted_file"] else "modified", "patch": d["diff"]}
             for d in repo.diffs(mb, head)]
    # https://docs.github.com/en/rest/commits/commits#compare-two-commits:
    # "without any paging parameter (per_page or page), the returned list is
    # limited to 250 commits, and the last commit in the list is the most
    # recent of the entire comparison"; with them, pages of at most 100 from
    # the earliest, a Link header, and the changed files (up to 300) on the
    # first page only.
    headers = {}
    files = files[:300]
    if "per_page" in req.query or "page" in req.query:
        shown, headers = gh_paginate(req, ahead)
        if int(req.query.get("page") or 1) > 1:
            files = []
    else:
        shown = ahead[-250:]
    return 200, {
        "url": gh_api(req, repo, "/compare/" + basehead),
        "html_url": "%s/compare/%s" % (repo.web_url, basehead),
        "permalink_url": "%s/compare/%s...%s" % (repo.web_url, base, head),
        "diff_url": "%s/compare/%s.diff" % (repo.web_url, basehead),
        "patch_url": "%s/compare/%s.patch" % (repo.web_url, basehead),
        "base_commit": gh_commit(req, repo, repo.commits[base]),
        "merge_base_commit": gh_commit(req, repo, repo.commits[mb]),
        "status": status, "ahead_by": len(ahead), "behind_by": len(behind),
        "total_commits": len(ahead), "commits": [gh_commit(req, repo, c) for c in shown],
        "files": files}, headers


def gh_find_workflow(repo, ident):
    ident = urllib.parse.unquote(ident)
    for w in repo.workflows:
        if str(w["id"]) == ident or w["path"].rsplit("/", 1)[-1] == ident:
            return w
    raise gh_not_found()


def gh_dispatch(req):
    """workflow_dispatch. Switch github_dispatch_run_details: "return" (default: 200 with
    the run when asked by return_run_details), "omit" (always 204, no run id), "reject"
    (400 for the return_run_details field, as GitHub Enterprise Server 3.20 and older)."""
    repo = req.repo
    details = req.world.switches.get("github_dispatch_run_details", "return")
    if details == "reject" and "return_run_details" in req.params:
        raise gh_error(400, "Invalid request.\n\n\"return_run_details\" is not a "
                            "permitted key.")
    wf = gh_find_workflow(repo, req.args["workflow"])
    ref = req.params.get("ref")
    if not ref:
        raise gh_error(422, "Invalid request.\n\n\"ref\" wasn't supplied.")
    cid = repo.resolve(ref)
    if cid is None:
        raise gh_error(422, "No ref found for: %s" % ref)
    inputs = req.params.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise gh_error(422, "Invalid request.\n\nFor 'properties/inputs', is not an object.")
    declared = wf.get("inputs", {})
    unexpected = sorted(k for k in inputs if k not in declared)
    if unexpected:
        raise gh_error(422, "Unexpected inputs provided: %s" % json.dumps(unexpected))
    for k, spec in declared.items():
        if spec.get("required") and k not in inputs:
            raise gh_error(422, "Required input '%s' not provided" % k)
    branch = ref[11:] if ref.startswith("refs/heads/") else ref
    inputs = {k: str(v) for k, v in inputs.items()}
    run = Run(req.world, repo, req.world.next_id("run"), wf, branch, cid, "workflow_dispatch",
              inputs, req.world.outcome_for(None, inputs, None))
    repo.runs.append(run)
    if req.params.get("return_run_details") is True and details == "return":
        return 200, {"workflow_run_id": run.id,
                     "run_url": gh_api(req, repo, "/actions/runs/%d" % run.id),
                     "html_url": "%s/actions/runs/%d" % (repo.web_url, run.id)}
    return 204, None


def gh_created_filter(expr):
    expr = expr.strip()
    if ".." in expr:
        lo, hi = expr.split("..", 1)
        lo_t = parse_ts(lo) if lo not in ("", "*") else float("-inf")
        hi_t = parse_ts(hi) + (86399 if len(hi) == 10 else 0) if hi not in ("", "*") \
            else float("inf")
        return lambda t: lo_t <= t <= hi_t
    for op, fn in ((">=", lambda a, b: a >= b), ("<=", lambda a, b: a <= b),
                   (">", lambda a, b: a > b), ("<", lambda a, b: a < b)):
        if expr.startswith(op):
            ref = parse_ts(expr[len(op):])
            return lambda t, fn=fn, ref=ref: fn(int(t), ref)
    day = parse_ts(expr)
    return lambda t: day <= t < day + 86400


def gh_list_runs(req):
    repo = req.repo
    runs = list(reversed(repo.runs))
    if req.args.get("workflow"):
        wf = gh_find_workflow(repo, req.args["workflow"])
        runs = [r for r in runs if r.workflow["id"] == wf["id"]]
    q = req.query
    if q.get("event"):
        runs = [r for r in runs if r.event == q["event"]]
    if q.get("branch"):
        runs = [r for r in runs if r.ref == q["branch"]]
    if q.get("head_sha"):
        runs = [r for r in runs if r.sha == q["head_sha"]]
    if q.get("status"):
        runs = [r for r in runs if q["status"] in r.status()]
    if q.get("created"):
        try:
            keep = gh_created_filter(q["created"])
        except ValueError:
            raise gh_error(422, "Invalid created filter")
        runs = [r for r in runs if keep(r.created)]
    chunk, headers = gh_paginate(req, runs)
    return 200, {"total_count": len(runs), "workflow_runs": [gh_run(req, repo, r) for r in chunk]}, \
        headers


def gh_find_run(req):
    for r in req.repo.runs:
        if str(r.id) == req.args["run"]:
            return r
    raise gh_not_found()


def gh_get_run(req):
    return 200, gh_run(req, req.repo, gh_find_run(req))


def gh_cancel_run(req):
    run = gh_find_run(req)
    if run.status()[0] == "completed":
        raise gh_error(409, "Cannot cancel a workflow run that is completed.")
    run.canceled = req.world.now()
    return 202, {}


def gh_post_release(req):
    repo = req.repo
    name = req.params.get("tag_name")
    if not name:
        raise gh_validation("Release", "tag_name", "missing_field")
    if any(r["tag_name"] == name for r in repo.releases.values()):
        raise gh_validation("Release", "tag_name", "already_exists")
    target = req.params.get("target_commitish") or repo.default_branch
    if name not in repo.tags:
        cid = repo.resolve(target)
        if cid is None:
            raise gh_validation("Release", "target_commitish", "invalid")
        refusal = repo.ruleset_violations(name, "creation", cid)
        if refusal:
            raise gh_release_rule_violation(refusal)
        repo.tags[name] = Tag(name, cid, None, None, None, req.world.now())
    rel = {"id": req.world.next_id("release"), "tag_name": name, "target_commitish": target,
           "name": req.params.get("name") or name, "body": req.params.get("body") or "",
           "draft": bool(req.params.get("draft")),
           "prerelease": bool(req.params.get("prerelease")), "created": req.world.now(),
           "author": gh_user_json(req, req.token)}
    repo.releases[name] = rel
    if not rel["draft"]:
        gh_start_event_runs(req, repo, "release", name, repo.tags[name].commit)
    return 201, gh_release(req, repo, rel)


def gh_find_release(req):
    for rel in req.repo.releases.values():
        if str(rel["id"]) == req.args.get("rid") or rel["tag_name"] == \
                urllib.parse.unquote(req.args.get("tag", "\0")):
            return rel
    raise gh_not_found()


def gh_get_release(req):
    return 200, gh_release(req, req.repo, gh_find_release(req))


def gh_list_releases(req):
    rels = sorted(req.repo.releases.values(), key=lambda r: r["id"], reverse=True)
    chunk, headers = gh_paginate(req, rels)
    return 200, [gh_release(req, req.repo, r) for r in chunk], headers


def gh_delete_release(req):
    rel = gh_find_release(req)
    del req.repo.releases[rel["tag_name"]]
    return 204, None


def gh_rate_limit(req):
    used = req.world.rate_used.get(req.token["token"], 0)
    core = {"limit": 5000, "used": used, "remaining": 5000 - used,
            "reset": int(req.world.epoch_start + 3600)}
    return 200, {"resources": {"core": core}, "rate": core}


# --------------------------------------------------------------------------
# Routes and authentication
# --------------------------------------------------------------------------

R = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"


# (method, pattern, handler, flags): w = needs write access, n = no repository in the path
GITHUB_ROUTES = [
    ("GET", r"/user", gh_get_user, "n"),
    ("GET", r"/rate_limit", gh_rate_limit, "n"),
    ("GET", r"/installation/repositories", gh_list_installation_repos, "n"),
    ("GET", R, gh_get_repo, ""),
    ("GET", R + r"/contents(?:/(?P<path>.*))?", gh_get_contents, ""),
    ("PUT", R + r"/contents/(?P<path>.+)", gh_put_contents, "w"),
    ("GET", R + r"/git/ref/(?P<ref>.+)", gh_get_ref, ""),
    ("GET", R + r"/git/matching-refs/(?P<ref>.*)", gh_matching_refs, ""),
    ("GET", R + r"/git/refs/(?P<ref>.+)", gh_get_refs_legacy, ""),
    ("POST", R + r"/git/refs", gh_create_ref, "w"),
    ("PATCH", R + r"/git/refs/(?P<ref>.+)", gh_update_ref, "w"),
    ("DELETE", R + r"/git/refs/(?P<ref>.+)", gh_delete_ref, "w"),
    ("POST", R + r"/git/blobs", gh_post_blob, "w"),
    ("GET", R + r"/git/blobs/(?P<sha>[0-9a-f]{40})", gh_get_blob, ""),
    ("POST", R + r"/git/trees", gh_post_tree, "w"),
    ("GET", R + r"/git/trees/(?P<sha>[^?]+)", gh_get_tree, ""),
    ("POST", R + r"/git/commits", gh_post_commit, "w"),
    ("GET", R + r"/git/commits/(?P<sha>[0-9a-f]{40})", gh_get_git_commit, ""),
    ("POST", R + r"/git/tags", gh_post_tag_object, "w"),
    ("GET", R + r"/git/tags/(?P<sha>[0-9a-f]{40})", gh_get_tag_object, ""),
    ("GET", R + r"/commits/(?P<ref>[^/]+)", gh_get_commit, ""),
    ("GET", R + r"/tags", gh_list_tags, ""),
    ("GET", R + r"/rulesets", gh_list_rulesets, ""),
    ("GET", R + r"/rulesets/(?P<rsid>\d+)", gh_get_ruleset, ""),
    ("GET", R + r"/branches/(?P<branch>.+)", gh_get_branch, ""),
    ("GET", R + r"/compare/(?P<basehead>.+)", gh_compare, ""),
    ("POST", R + r"/actions/workflows/(?P<workflow>[^/]+)/dispatches", gh_dispatch, "w"),
    ("GET", R + r"/actions/workflows/(?P<workflow>[^/]+)/runs", gh_list_runs, ""),
    ("GET", R + r"/actions/runs", gh_list_runs, ""),
    ("GET", R + r"/actions/runs/(?P<run>\d+)", gh_get_run, ""),
    ("POST", R + r"/actions/runs/(?P<run>\d+)/cancel", gh_cancel_run, "w"),
    ("POST", R + r"/releases", gh_post_release, "w"),
    ("GET", R + r"/releases", gh_list_releases, ""),
    ("GET", R + r"/releases/tags/(?P<tag>.+)", gh_get_release, ""),
    ("GET", R + r"/releases/(?P<rid>\d+)", gh_get_release, ""),
    ("DELETE", R + r"/releases/(?P<rid>\d+)", gh_delete_release, "w"),
]


def gh_authenticate(req, flags):
    auth = req.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if not auth:
        raise gh_error(401, "Requires authentication")
    tok = req.world.tokens.get(token.strip()) if scheme.lower() in ("bearer", "token") else None
    if tok is None or tok.get("forge") != "github":
        raise gh_error(401, "Bad credentials")
    req.token = tok
    if "w" in flags and tok.get("role") not in ("write", "admin"):
        # fine-grained actors (Apps, fine-grained tokens) learn the permission the
        # route needs: https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#insufficient-permission-errors
        who = "integration" if tok.get("kind") == "installation" else "personal access token"
        headers = {}
        if tok.get("kind") in ("installation", "fine-grained"):
            headers["X-Accepted-GitHub-Permissions"] = gh_route_permission(req)
        err = gh_error(403, "Resource not accessible by " + who,
                       doc="https://docs.github.com/rest")
        err.headers.update(headers)
        raise err
