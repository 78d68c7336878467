"""GitLab REST v4 on the fake forge (/api/v4): JSON shapes, handlers, routes
and authentication.

Standard library only.
"""

import base64
import datetime
import functools
import hashlib
import re
import urllib.parse

from api import ApiError, page_links, page_window
from faults import broken_pagination
from model import Tag


GITLAB_PREFIX = "/api/v4"

GL_ROLE_LEVEL = {"guest": 10, "reporter": 20, "developer": 30, "maintainer": 40, "owner": 50}


# --------------------------------------------------------------------------
# Small helpers: timestamps, errors, pagination
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=16384)  # the same commit dates, formatted again and again
def ts_gitlab(t):
    d = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+00:00" % (d.microsecond // 1000)


def gl_error(status, message):
    return ApiError(status, {"message": message})


def gl_missing(name):
    return ApiError(400, {"error": "%s is missing" % name})


def gl_named(req, arg, items, missing):
    """The path argument `arg` (unquoted), a key of `items`, else GitLab's 404 `missing`."""
    name = urllib.parse.unquote(req.args[arg])
    if name not in items:
        raise gl_error(404, missing)
    return name


def gl_paginate(req, items):
    """A page of items with GitLab's offset pagination headers."""
    per, page = page_window(req, 20, ApiError(400, {"error": "per_page is invalid"}))
    total = len(items)
    pages = max(1, (total + per - 1) // per)
    broken = broken_pagination(req, page, per)
    chunk = items[(min(page, pages) - 1) * per: min(page, pages) * per]
    nxt = broken if broken else page + 1 if page < pages else None
    headers = {
        "X-Page": str(page), "X-Per-Page": str(per), "X-Total": str(total),
        "X-Total-Pages": str(pages), "X-Next-Page": str(nxt) if nxt else "",
        "X-Prev-Page": str(page - 1) if page > 1 else ""}
    if req.world.switches.get("gitlab_link_header", True):
        headers["Link"] = page_links(req, page, max(pages, nxt or 0), per, nxt)
    return chunk, headers


# --------------------------------------------------------------------------
# JSON shapes
# --------------------------------------------------------------------------

def gl_commit(repo, c):
    return {
        "id": c.id, "short_id": c.id[:8], "created_at": ts_gitlab(c.date),
        "parent_ids": list(c.parents), "title": c.message.split("\n", 1)[0],
        "message": c.message, "author_name": c.author[0], "author_email": c.author[1],
        "authored_date": ts_gitlab(c.date), "committer_name": c.committer[0],
        "committer_email": c.committer[1], "committed_date": ts_gitlab(c.date),
        "trailers": {}, "extended_trailers": {},
        "web_url": "%s/-/commit/%s" % (repo.web_url, c.id)}


def gl_project(repo):
    ns, _, name = repo.path.rpartition("/")
    return {
        "id": repo.id, "description": "", "name": name,
        "name_with_namespace": "%s / %s" % (ns, name), "path": name,
        "path_with_namespace": repo.path, "created_at": ts_gitlab(repo.created),
        "default_branch": repo.default_branch, "visibility": "private",
        "web_url": repo.web_url, "http_url_to_repo": repo.web_url + ".git",
        "ssh_url_to_repo": "git@%s:%s.git" % (urllib.parse.urlparse(repo.web_url).hostname,
                                              repo.path),
        "readme_url": "%s/-/blob/%s/README.md" % (repo.web_url, repo.default_branch),
        "namespace": {"id": 10, "name": ns, "path": ns, "kind": "group", "full_path": ns},
        "archived": False, "empty_repo": False}


def gl_tag(repo, tag):
    release = repo.releases.get(tag.name)
    return {
        "name": tag.name, "message": tag.message, "target": tag.target,
        "commit": gl_commit(repo, repo.commits[tag.commit]),
        "release": {"tag_name": tag.name, "description": release["description"]}
        if release else None,
        "protected": repo.tag_protected(tag.name) is not None,
        "created_at": ts_gitlab(tag.date) if tag.sha else None}


def gl_branch(repo, name):
    c = repo.commits[repo.branches[name]]
    default = name == repo.default_branch
    return {"name": name, "commit": gl_commit(repo, c), "merged": False, "protected": default,
            "developers_can_push": False, "developers_can_merge": False, "can_push": True,
            "default": default, "web_url": "%s/-/tree/%s" % (repo.web_url, name)}


def gl_user_json(world, tok):
    name = tok.get("user", "release-bot")
    u = world.users.get(name, {})
    return {"id": u.get("id", 1), "username": name, "name": u.get("name", name),
            "state": "active", "locked": False, "avatar_url": None,
            "web_url": world.opts.gitlab_web_url.rstrip("/") + "/" + name}


def gl_pipeline(repo, p):
    started, finished = p.times()
    st = p.status()
    return {
        "id": p.id, "iid": p.iid, "project_id": repo.id, "sha": p.sha, "ref": p.ref,
        "status": st, "source": p.source, "before_sha": "0" * 40, "tag": p.tag,
        "yaml_errors": None, "user": p.user, "created_at": ts_gitlab(p.created),
        "updated_at": ts_gitlab(finished or started or p.created),
        "started_at": ts_gitlab(started) if started else None,
        "finished_at": ts_gitlab(finished) if finished else None,
        "committed_at": None,
        "duration": int(finished - started) if finished and started else None,
        "queued_duration": None, "coverage": None,
        "web_url": "%s/-/pipelines/%d" % (repo.web_url, p.id),
        "detailed_status": {"icon": "status_" + st, "text": st, "label": st, "group": st,
                            "has_details": True,
                            "details_path": "/%s/-/pipelines/%d" % (repo.path, p.id)}}


def gl_job(repo, p, index):
    j = p.jobs[index]
    st = p.job_status(index)
    started, finished = p.times()
    arts = j["artifacts"] if st == "success" else {}
    job = {
        "id": j["id"], "name": j["name"], "stage": j["stage"], "status": st, "ref": p.ref,
        "tag": p.tag, "created_at": ts_gitlab(p.created),
        "started_at": ts_gitlab(started) if started else None,
        "finished_at": ts_gitlab(finished) if finished else None,
        "allow_failure": False, "user": p.user,
        "pipeline": {"id": p.id, "project_id": repo.id, "ref": p.ref, "sha": p.sha,
                     "status": p.status()},
        "artifacts": [{"file_type": "archive", "size": sum(len(v) for v in arts.values()),
                       "filename": "artifacts.zip", "file_format": "zip"}] if arts else [],
        "web_url": "%s/-/jobs/%d" % (repo.web_url, j["id"])}
    if arts:
        job["artifacts_file"] = {"filename": "artifacts.zip",
                                 "size": sum(len(v) for v in arts.values())}
    return job


def gl_release(repo, rel):
    tag = repo.tags.get(rel["tag_name"])
    return {
        "tag_name": rel["tag_name"], "name": rel["name"], "description": rel["description"],
        "created_at": ts_gitlab(rel["created"]), "released_at": ts_gitlab(rel["created"]),
        "upcoming_release": False, "author": rel["author"],
        "commit": gl_commit(repo, repo.commits[tag.commit]) if tag else None,
        "tag_path": "/%s/-/tags/%s" % (repo.path, rel["tag_name"]),
        "assets": {"count": 0, "sources": [], "links": []},
        "_links": {"self": "%s/-/releases/%s" % (repo.web_url, rel["tag_name"])}}


# --------------------------------------------------------------------------
# Handlers (each returns (status, body[, headers]) or raises ApiError)
# --------------------------------------------------------------------------

def gl_ref_commit(req, ref):
    cid = req.repo.resolve(ref)
    if cid is None:
        raise gl_error(404, "404 Commit Not Found")
    return req.repo.commits[cid]


def gl_file_lookup(req):
    if not req.param("ref"):
        raise gl_missing("ref")
    path = urllib.parse.unquote(req.args["file"])
    c = gl_ref_commit(req, req.param("ref"))
    data = req.repo.file_bytes(c, path)
    if data is None:
        raise gl_error(404, "404 File Not Found")
    last = req.repo.last_commit_for(c.id, path)
    meta = {"file_name": path.rsplit("/", 1)[-1], "file_path": path, "size": len(data),
            "encoding": "base64", "content_sha256": hashlib.sha256(data).hexdigest(),
            "ref": req.param("ref"), "blob_id": c.tree[path][1], "commit_id": c.id,
            "last_commit_id": last.id, "execute_filemode": c.tree[path][0] == "100755"}
    return meta, data


def gl_file_headers(meta):
    names = {"blob_id": "Blob-Id", "commit_id": "Commit-Id", "content_sha256": "Content-Sha256",
             "encoding": "Encoding", "file_name": "File-Name", "file_path": "File-Path",
             "last_commit_id": "Last-Commit-Id", "ref": "Ref", "size": "Size",
             "execute_filemode": "Execute-Filemode"}
    return {"X-Gitlab-" + v: str(meta[k]).lower() if isinstance(meta[k], bool) else str(meta[k])
            for k, v in names.items()}


def gl_get_file(req):
    meta, data = gl_file_lookup(req)
    if req.method == "HEAD":
        return 200, None, gl_file_headers(meta)
    body = dict(meta)
    body["content"] = base64.b64encode(data).decode()
    return 200, body, gl_file_headers(meta)


def gl_get_file_raw(req):
    if not req.param("ref"):
        req.params["ref"] = "HEAD"
    meta, data = gl_file_lookup(req)
    headers = gl_file_headers(meta)
    headers["Content-Type"] = "text/plain; charset=utf-8"
    return 200, data, headers


def gl_action_content(a):
    content = a.get("content", "")
    if content is None:
        content = ""
    if a.get("encoding", "text") == "base64":
        try:
            return base64.b64decode(content, validate=True)
        except ValueError:
            raise gl_error(400, "Invalid base64 content: %s" % a.get("file_path"))
    return content.encode()


def gl_apply_action(repo, head, tree, i, a):
    kind = a.get("action")
    path = a.get("file_path")
    if kind not in ("create", "update", "delete", "move", "chmod"):
        raise ApiError(400, {"error": "actions[%d][action] does not have a valid value" % i})
    if not path:
        raise ApiError(400, {"error": "actions[%d][file_path] is missing" % i})
    last = a.get("last_commit_id")
    if last and head and path in repo.commits[head].tree and kind != "create" and \
            repo.last_commit_for(head, path).id != last:
        raise gl_error(400, "The file has changed since you started editing it: %s" % path)
    if kind == "create":
        if path in tree:
            raise gl_error(400, "A file with this name already exists")
        tree[path] = ("100644", repo.store_blob(gl_action_content(a)))
    elif kind in ("update", "chmod"):
        if path not in tree:
            raise gl_error(400, "A file with this name doesn't exist")
        mode = tree[path][0]
        if kind == "chmod":
            mode = "100755" if a.get("execute_filemode") else "100644"
            tree[path] = (mode, tree[path][1])
        else:
            tree[path] = (mode, repo.store_blob(gl_action_content(a)))
    elif kind == "delete":
        if path not in tree:
            raise gl_error(400, "A file with this name doesn't exist")
        del tree[path]
    else:
        prev = a.get("previous_path")
        if not prev or prev not in tree:
            raise gl_error(400, "A file with this name doesn't exist")
        if path in tree:
            raise gl_error(400, "A file with this name already exists")
        entry = tree.pop(prev)
        tree[path] = entry if a.get("content") is None else \
            (entry[0], repo.store_blob(gl_action_content(a)))


def gl_post_commit(req):
    repo = req.repo
    for name in ("branch", "commit_message", "actions"):
        if req.param(name) in (None, ""):
            raise gl_missing(name)
    actions = req.param("actions")
    if not isinstance(actions, list) or not actions:
        raise ApiError(400, {"error": "actions is empty"})
    branch = req.param("branch")
    start = req.param("start_branch") or req.param("start_sha")
    if branch in repo.branches:
        if start and start != branch and not req.param("force"):
            raise gl_error(400, "A branch called '%s' already exists. Switch to that branch in "
                                "order to make changes" % branch)
        head = repo.branches[branch]
    elif start:
        head = repo.resolve(start)
        if head is None:
            raise gl_error(400, "Invalid start_sha" if req.param("start_sha") else
                           "You can only create or edit files when you are on a branch")
    else:
        raise gl_error(400, "You can only create or edit files when you are on a branch")
    tree = dict(repo.commits[head].tree)
    for i, a in enumerate(actions):
        if not isinstance(a, dict):
            raise ApiError(400, {"error": "actions[%d] is invalid" % i})
        gl_apply_action(repo, head, tree, i, a)
    user = req.world.user(req.token.get("user", "release-bot"))
    author = (req.param("author_name") or user[0], req.param("author_email") or user[1])
    c = repo.make_commit(tree, [head], req.param("commit_message"), author)
    repo.branches[branch] = c.id
    body = gl_commit(repo, c)
    body.update({"stats": {"additions": len(actions), "deletions": 0, "total": len(actions)},
                 "status": None, "project_id": repo.id, "last_pipeline": None})
    return 201, body


def gl_get_commit(req):
    c = gl_ref_commit(req, urllib.parse.unquote(req.args["sha"]))
    return 200, gl_commit(req.repo, c)


def gl_ref_search(items, term, name=lambda x: x):
    """GitLab's search of a branch or tag list (app/finders/git_refs_finder.rb):
    a case-insensitive substring; with '^', '$' or '*' in it, '^' anchors the
    start, '$' the end and '*' matches anything; without them the item named
    exactly the term (in any case) comes first."""
    if not term:
        return items
    operators = any(c in term for c in "^$*")
    pattern = re.escape(term.lower())
    if operators:
        pattern = pattern.replace(r"\^", "^", 1).replace(r"\*", ".*?").replace(r"\$", "$", 1)
    hits = [i for i in items if re.search(pattern, name(i).lower())]
    exact = [i for i in hits if name(i).lower() == term.lower()]
    if exact and not operators:
        hits.remove(exact[0])
        hits.insert(0, exact[0])
    return hits


def gl_list_branches(req):
    repo = req.repo
    names = gl_ref_search(sorted(repo.branches), req.param("search"))
    chunk, headers = gl_paginate(req, names)
    return 200, [gl_branch(repo, n) for n in chunk], headers


def gl_get_branch(req):
    name = gl_named(req, "branch", req.repo.branches, "404 Branch Not Found")
    return 200, gl_branch(req.repo, name)


TAG_ORDER = {
    "updated": lambda t: (t.date or 0, t.name),
    "name": lambda t: t.name,
    "version": lambda t: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", t.name)],
}


def gl_list_tags(req):
    repo = req.repo
    order = req.param("order_by", "updated")
    if order not in TAG_ORDER:
        raise ApiError(400, {"error": "order_by does not have a valid value"})
    sort = req.param("sort", "desc")
    if sort not in ("asc", "desc"):
        raise ApiError(400, {"error": "sort does not have a valid value"})
    tags = sorted(repo.tags.values(), key=TAG_ORDER[order], reverse=(sort == "desc"))
    tags = gl_ref_search(tags, req.param("search"), lambda t: t.name)
    chunk, headers = gl_paginate(req, tags)
    return 200, [gl_tag(repo, t) for t in chunk], headers


def gl_get_tag(req):
    name = gl_named(req, "tag", req.repo.tags, "404 Tag Not Found")
    return 200, gl_tag(req.repo, req.repo.tags[name])


def gl_check_tag_create(req, name):
    repo = req.repo
    if not re.fullmatch(r"[^\s~^:?*\[\\]+", name) or name.endswith((".", "/", ".lock")) \
            or ".." in name or name.startswith(("-", "/")):
        raise gl_error(400, "Tag name invalid")
    if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", name):
        raise gl_error(400, "You cannot create a tag with a SHA-1 or SHA-256 tag name.")
    if name == repo.default_branch:
        raise gl_error(400, "You cannot use default branch name to create a tag")
    if name in repo.tags:
        raise gl_error(400, "Tag %s already exists" % name)


def gl_tag_forbidden(req, name):
    rule = req.repo.tag_protected(name)
    if rule is None:
        return False
    level = rule.get("create_access_level", 40) if isinstance(rule, dict) else 40
    role = GL_ROLE_LEVEL.get(req.token.get("role", "maintainer"), 40)
    return level == 0 or role < level


def gl_create_tag(req, name, ref, message, release_api=False):
    """Creates a tag; shared by the tags API and the releases API."""
    repo = req.repo
    gl_check_tag_create(req, name)
    cid = repo.resolve(ref)
    if cid is None:
        raise gl_error(400, "Target %s is invalid" % ref)
    if gl_tag_forbidden(req, name):
        raise gl_error(403 if release_api else 400,
                       "You are not allowed to create this tag as it is protected.")
    user = req.world.user(req.token.get("user", "release-bot"))
    if message:
        tag = repo.make_tag_object(name, cid, message, user)
    else:
        tag = Tag(name, cid, None, None, None, req.world.now())
    repo.tags[name] = tag
    req.world.start_pipeline(repo, name, cid, True, "push", {}, gl_user_json(req.world, req.token),
                             event="tag")
    return tag


def gl_post_tag(req):
    for name in ("tag_name", "ref"):
        if not req.param(name):
            raise gl_missing(name)
    tag = gl_create_tag(req, req.param("tag_name"), req.param("ref"), req.param("message"))
    return 201, gl_tag(req.repo, tag)


def gl_delete_tag(req):
    repo = req.repo
    name = gl_named(req, "tag", repo.tags, "404 Tag Not Found")
    if repo.tag_protected(name) and \
            GL_ROLE_LEVEL.get(req.token.get("role", "maintainer"), 40) < 40:
        raise gl_error(403, "You are not allowed to delete protected tags from this project. "
                            "Only a project maintainer or owner can delete a protected tag.")
    del repo.tags[name]
    repo.releases.pop(name, None)
    return 204, None


# GitLab's diff limits (https://docs.gitlab.com/administration/instance_limits/#diff-limits):
# at most 1000 files and 50000 lines, and 5 KB a file on average
# (lib/gitlab/git/diff_collection.rb: max_bytes = max_files * 5 KB).
GL_DIFF_MAX_FILES, GL_DIFF_MAX_LINES = 1000, 50000


def gl_diffs_limited(repo, base, head):
    """The diffs GitLab lists and whether they overflowed its limits, as
    Gitlab::Git::DiffCollection stops at the diff that crosses one."""
    lines = size = 0
    out = []
    for d in repo.diffs(base, head):
        lines += d["diff"].count("\n")
        size += len(d["diff"].encode())
        if len(out) >= GL_DIFF_MAX_FILES or lines >= GL_DIFF_MAX_LINES or \
                size >= GL_DIFF_MAX_FILES * 5 * 1024:
            return out, True
        out.append(d)
    return out, False


def gl_compare(req):
    repo = req.repo
    for name in ("from", "to"):
        if not req.param(name):
            raise gl_missing(name)
    a, b = repo.resolve(req.param("from")), repo.resolve(req.param("to"))
    if a is None or b is None:
        raise gl_error(404, "404 Ref Not Found")
    straight = str(req.param("straight", "false")).lower() == "true"
    base = a if straight else (repo.merge_base(a, b) or a)
    commits = repo.range_commits(a, b)
    # Every commit of the range; compare_timeout tells that the diffs
    # overflowed GitLab's limits (lib/api/entities/compare.rb:
    # compare.diffs.diffs.overflow?), not that commits are missing.
    diffs, overflow = gl_diffs_limited(repo, base, b)
    return 200, {
        "commit": gl_commit(repo, commits[-1]) if commits else None,
        "commits": [gl_commit(repo, c) for c in commits],
        "diffs": diffs, "compare_timeout": overflow,
        "compare_same_ref": a == b,
        "web_url": "%s/-/compare/%s...%s" % (repo.web_url, a, b)}


def gl_variables_map(value):
    if value is None:
        return {}
    if not isinstance(value, dict) or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise gl_error(400, "variables needs to be a map of key-valued strings")
    return dict(value)


def gl_trigger(req):
    repo = req.repo
    token = req.param("token")
    if not token:
        raise gl_missing("token")
    tok = req.world.tokens.get(token)
    ok = tok is not None and tok.get("forge") == "gitlab" and (
        (tok.get("kind") == "trigger" and tok.get("project") == repo.path) or
        tok.get("kind") == "job")
    if not ok:
        raise gl_error(404, "404 Not Found")
    if req.args.get("ref"):
        req.params["ref"] = urllib.parse.unquote(req.args["ref"])
    if not req.param("ref"):
        raise gl_missing("ref")
    variables = gl_variables_map(req.param("variables"))
    ref = req.param("ref")
    cid = repo.resolve(ref)
    if cid is None:
        raise gl_error(400, {"base": ["Reference not found"]})
    req.token = tok
    source = "pipeline" if tok.get("kind") == "job" else "trigger"
    p = req.world.start_pipeline(repo, ref, cid, ref in repo.tags, source, variables,
                                 gl_user_json(req.world, tok), event="trigger")
    return 201, gl_pipeline(repo, p)


def gl_create_pipeline(req):
    repo = req.repo
    if not req.param("ref"):
        raise gl_missing("ref")
    raw = req.param("variables") or []
    if not isinstance(raw, list) or not all(isinstance(v, dict) and "key" in v for v in raw):
        raise ApiError(400, {"error": "variables is invalid"})
    variables = {v["key"]: str(v.get("value", "")) for v in raw}
    ref = req.param("ref")
    cid = repo.resolve(ref)
    if cid is None:
        raise gl_error(400, {"base": ["Reference not found"]})
    p = req.world.start_pipeline(repo, ref, cid, ref in repo.tags, "api", variables,
                                 gl_user_json(req.world, req.token), event="api")
    return 201, gl_pipeline(repo, p)


def gl_find_pipeline(req):
    pid = req.args["pipeline"]
    for p in req.repo.pipelines:
        if str(p.id) == pid:
            return p
    raise gl_error(404, "404 Not found")


def gl_list_pipelines(req):
    repo = req.repo
    items = list(reversed(repo.pipelines))
    for key in ("ref", "sha", "status", "source"):
        if req.param(key):
            items = [p for p in items if
                     (p.status() if key == "status" else getattr(p, key)) == req.param(key)]
    chunk, headers = gl_paginate(req, items)
    out = []
    for p in chunk:
        full = gl_pipeline(repo, p)
        out.append({k: full[k] for k in ("id", "iid", "project_id", "sha", "ref", "status",
                                         "source", "created_at", "updated_at", "web_url")})
    return 200, out, headers


def gl_get_pipeline(req):
    return 200, gl_pipeline(req.repo, gl_find_pipeline(req))


def gl_pipeline_jobs(req):
    p = gl_find_pipeline(req)
    jobs = [gl_job(req.repo, p, i) for i in range(len(p.jobs))]
    scope = req.query.get("scope") or req.query.get("scope[]")
    if scope:
        jobs = [j for j in jobs if j["status"] == scope]
    chunk, headers = gl_paginate(req, jobs)
    return 200, chunk, headers


def gl_pipeline_bridges(req):
    p = gl_find_pipeline(req)
    out = []
    for job, child in p.bridges:
        st = child.status()
        out.append({"id": job["id"], "name": job["name"], "stage": job["stage"], "status": st,
                    "ref": p.ref, "tag": p.tag, "created_at": ts_gitlab(p.created),
                    "pipeline": {"id": p.id, "project_id": req.repo.id, "ref": p.ref,
                                 "sha": p.sha, "status": p.status()},
                    "downstream_pipeline": {
                        "id": child.id, "project_id": child.repo.id, "sha": child.sha,
                        "ref": child.ref, "status": st,
                        "web_url": "%s/-/pipelines/%d" % (child.repo.web_url, child.id)}})
    chunk, headers = gl_paginate(req, out)
    return 200, chunk, headers


def gl_pipeline_variables(req):
    """GET /projects/:id/pipelines/:pid/variables: the variables it was started with
    (trigger and pipeline API alike), as [{key, variable_type, value, raw}]."""
    p = gl_find_pipeline(req)
    return 200, [{"key": k, "variable_type": "env_var", "value": v, "raw": False}
                 for k, v in (p.variables or {}).items()]


def gl_cancel_pipeline(req):
    p = gl_find_pipeline(req)
    if p.status() not in ("success", "failed", "canceled"):
        p.canceled = req.world.now()
        for _, child in p.bridges:
            if child.status() not in ("success", "failed", "canceled"):
                child.canceled = p.canceled
    return 200, gl_pipeline(req.repo, p)


def gl_artifact_response(repo, p, index, path):
    if p.job_status(index) != "success":
        raise gl_error(404, "404 Not found")
    data = p.jobs[index]["artifacts"].get(path)
    if data is None:
        raise gl_error(404, "404 Not found")
    return 200, data.encode(), {"Content-Type": "application/octet-stream",
                                "Content-Disposition": 'attachment; filename="%s"' %
                                path.rsplit("/", 1)[-1]}


def gl_job_artifact(req):
    for p in req.repo.pipelines:
        for i, j in enumerate(p.jobs):
            if str(j["id"]) == req.args["job"]:
                return gl_artifact_response(req.repo, p, i, urllib.parse.unquote(req.args["art"]))
    raise gl_error(404, "404 Job Not Found")


def gl_ref_artifact(req):
    """The job of that name in the newest pipeline of the ref that succeeded as a
    whole (GitLab's Project#latest_successful_build_for_ref): "404 Not found"
    while the ref's pipeline runs or after it failed, and when the newest
    successful pipeline has no such job, whatever older pipelines hold."""
    name = req.param("job")
    if not name:
        raise gl_missing("job")
    ref = urllib.parse.unquote(req.args["ref"])
    done = [p for p in req.repo.pipelines if p.ref == ref and p.status() == "success"]
    for i, j in enumerate(done[-1].jobs if done else []):
        if j["name"] == name:
            return gl_artifact_response(req.repo, done[-1], i,
                                        urllib.parse.unquote(req.args["art"]))
    raise gl_error(404, "404 Not found")


def gl_post_release(req):
    repo = req.repo
    name = req.param("tag_name")
    if not name:
        raise gl_missing("tag_name")
    if name in repo.releases:
        raise gl_error(409, "Release already exists")
    if name not in repo.tags:
        if not req.param("ref"):
            raise gl_error(422, "Ref is not specified")
        gl_create_tag(req, name, req.param("ref"), req.param("tag_message"), release_api=True)
    rel = {"tag_name": name, "name": req.param("name") or name,
           "description": req.param("description") or "", "created": req.world.now(),
           "author": gl_user_json(req.world, req.token)}
    repo.releases[name] = rel
    return 201, gl_release(repo, rel)


def gl_list_releases(req):
    rels = sorted(req.repo.releases.values(), key=lambda r: r["created"], reverse=True)
    chunk, headers = gl_paginate(req, rels)
    return 200, [gl_release(req.repo, r) for r in chunk], headers


def gl_get_release(req):
    name = gl_named(req, "tag", req.repo.releases, "404 Not Found")
    return 200, gl_release(req.repo, req.repo.releases[name])


def gl_delete_release(req):
    name = gl_named(req, "tag", req.repo.releases, "404 Not Found")
    body = gl_release(req.repo, req.repo.releases[name])
    del req.repo.releases[name]
    return 200, body


def gl_protected_tags(req):
    out = []
    for rule in req.repo.protected_tags or []:
        level = rule.get("create_access_level", 40) if isinstance(rule, dict) else 40
        out.append({"name": rule["name"] if isinstance(rule, dict) else rule,
                    "create_access_levels": [{"id": 1, "access_level": level,
                                              "access_level_description":
                                              "No one" if level == 0 else "Maintainers"}]})
    return 200, out


def gl_get_project(req):
    """The project, with the caller's access level in "permissions" (as GitLab adds for
    a signed-in user). A token whose access comes through a shared group or an
    administrator reads both levels null ("permissions": "null"), or no permissions at
    all ("permissions": "absent"), as GitLab answers then:
    https://docs.gitlab.com/api/projects/#get-a-single-project"""
    body = gl_project(req.repo)
    level = GL_ROLE_LEVEL.get(req.token.get("role", "maintainer"), 40)
    shown = req.token.get("permissions")
    if shown == "null":
        body["permissions"] = {"project_access": None, "group_access": None}
    elif shown != "absent":
        body["permissions"] = {"project_access": {"access_level": level,
                                                  "notification_level": 3},
                               "group_access": None}
    return 200, body


def gl_tree_items(tree, under, recursive):
    """The entries of a commit's tree {path: (mode, sha)} below `under`, as
    GitLab lists them: directories as type "tree", files as "blob",
    submodules as "commit"; sorted by path."""
    prefix = under.strip("/") + "/" if under.strip("/") else ""
    items = {}
    for path, (mode, sha) in tree.items():
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix):].split("/")
        for depth in range(1, len(parts)):
            d = prefix + "/".join(parts[:depth])
            if recursive or depth == 1:
                items.setdefault(d, {"id": hashlib.sha1(d.encode()).hexdigest(),
                                     "name": parts[depth - 1], "type": "tree",
                                     "path": d, "mode": "040000"})
        if recursive or len(parts) == 1:
            kind = "commit" if mode == "160000" else "blob"
            items[path] = {"id": sha, "name": parts[-1], "type": kind, "path": path,
                           "mode": mode}
    return [items[p] for p in sorted(items)]


def gl_list_tree(req):
    """GET /repository/tree: the tree at ref (default: the default branch),
    recursive or not, with offset pagination (per_page up to 100):
    https://docs.gitlab.com/api/repositories/#list-repository-tree. An
    unknown ref or path answers 404 Tree Not Found."""
    repo = req.repo
    cid = repo.resolve(req.param("ref") or repo.default_branch)
    if cid is None:
        raise ApiError(404, {"message": "404 Tree Not Found"})
    recursive = req.param("recursive") in ("true", "1")
    items = gl_tree_items(repo.commits[cid].tree, req.param("path") or "", recursive)
    if req.param("path") and not items:
        raise ApiError(404, {"message": "404 Tree Not Found"})
    chunk, headers = gl_paginate(req, items)
    return 200, chunk, headers


def gl_get_user(req):
    return 200, gl_user_json(req.world, req.token)


def gl_get_job(req):
    """GET /job: the running job a job token belongs to (401 for any other token)."""
    tok = req.token
    if tok.get("kind") != "job":
        raise gl_error(401, "401 Unauthorized")
    world = req.world
    repo = world.repos.get(tok.get("project", ""))
    if repo is None:
        raise gl_error(404, "404 Project Not Found")
    job = world.job_tokens.get(tok["token"])
    if job is None:
        job = world.job_tokens[tok["token"]] = {
            "id": world.next_id("job"), "pipeline": world.next_id("pipeline"),
            "created": world.now()}
    sha = repo.branches[repo.default_branch]
    user = gl_user_json(world, tok)
    return 200, {
        "id": job["id"], "name": "release", "stage": "release", "status": "running",
        "ref": repo.default_branch, "tag": False, "allow_failure": False,
        "created_at": ts_gitlab(job["created"]), "started_at": ts_gitlab(job["created"]),
        "finished_at": None, "user": user,
        "commit": gl_commit(repo, repo.commits[sha]),
        "pipeline": {"id": job["pipeline"], "project_id": repo.id, "ref": repo.default_branch,
                     "sha": sha, "status": "running"},
        "web_url": "%s/-/jobs/%d" % (repo.web_url, job["id"])}


def gl_token_self(req):
    tok = req.token
    return 200, {"id": 1000 + list(req.world.tokens).index(tok["token"]),
                 "name": tok.get("name", "token"), "revoked": False,
                 "created_at": ts_gitlab(req.world.epoch), "scopes": tok.get("scopes", []),
                 "user_id": gl_user_json(req.world, tok)["id"], "last_used_at": None,
                 "active": True, "expires_at": None}


# --------------------------------------------------------------------------
# Routes and authentication
# --------------------------------------------------------------------------

P = r"/projects/(?P<id>[^/]+)"


# (method, pattern, handler, flags): w = needs write scope, j = job token allowed,
# t = authenticates with its own token parameter, n = no project in the path
GITLAB_ROUTES = [
    ("GET", r"/user", gl_get_user, "n"),
    ("GET", r"/personal_access_tokens/self", gl_token_self, "n"),
    ("GET", r"/job", gl_get_job, "nj"),
    ("GET", P, gl_get_project, ""),
    ("GET", P + r"/repository/files/(?P<file>[^/]+)", gl_get_file, ""),
    ("HEAD", P + r"/repository/files/(?P<file>[^/]+)", gl_get_file, ""),
    ("GET", P + r"/repository/files/(?P<file>[^/]+)/raw", gl_get_file_raw, "j"),
    ("POST", P + r"/repository/commits", gl_post_commit, "w"),
    ("GET", P + r"/repository/commits/(?P<sha>[^/]+)", gl_get_commit, "j"),
    ("GET", P + r"/repository/branches", gl_list_branches, "j"),
    ("GET", P + r"/repository/branches/(?P<branch>[^/]+)", gl_get_branch, ""),
    ("GET", P + r"/repository/tags", gl_list_tags, "j"),
    ("POST", P + r"/repository/tags", gl_post_tag, "w"),
    ("GET", P + r"/repository/tags/(?P<tag>[^/]+)", gl_get_tag, ""),
    ("DELETE", P + r"/repository/tags/(?P<tag>[^/]+)", gl_delete_tag, "w"),
    ("GET", P + r"/repository/compare", gl_compare, ""),
    ("GET", P + r"/repository/tree", gl_list_tree, ""),
    ("GET", P + r"/protected_tags", gl_protected_tags, ""),
    ("POST", P + r"/trigger/pipeline", gl_trigger, "t"),
    ("POST", P + r"/ref/(?P<ref>[^/]+)/trigger/pipeline", gl_trigger, "t"),
    ("POST", P + r"/pipeline", gl_create_pipeline, "w"),
    ("GET", P + r"/pipelines", gl_list_pipelines, ""),
    ("GET", P + r"/pipelines/(?P<pipeline>\d+)", gl_get_pipeline, ""),
    ("GET", P + r"/pipelines/(?P<pipeline>\d+)/jobs", gl_pipeline_jobs, ""),
    ("GET", P + r"/pipelines/(?P<pipeline>\d+)/bridges", gl_pipeline_bridges, ""),
    ("GET", P + r"/pipelines/(?P<pipeline>\d+)/variables", gl_pipeline_variables, ""),
    ("POST", P + r"/pipelines/(?P<pipeline>\d+)/cancel", gl_cancel_pipeline, "w"),
    ("GET", P + r"/jobs/(?P<job>\d+)/artifacts/(?P<art>.+)", gl_job_artifact, "j"),
    ("GET", P + r"/jobs/artifacts/(?P<ref>[^/]+)/raw/(?P<art>.+)", gl_ref_artifact, "j"),
    ("POST", P + r"/releases", gl_post_release, "wj"),
    ("GET", P + r"/releases", gl_list_releases, "j"),
    ("GET", P + r"/releases/(?P<tag>[^/]+)", gl_get_release, "j"),
    ("DELETE", P + r"/releases/(?P<tag>[^/]+)", gl_delete_release, "wj"),
]


def gl_authenticate(req, flags):
    h = req.headers
    token, kind = None, None
    auth = h.get("Authorization", "")
    if h.get("PRIVATE-TOKEN"):
        token, kind = h["PRIVATE-TOKEN"], "personal"
    elif auth.startswith("Bearer "):
        token, kind = auth[7:].strip(), "personal"
    elif h.get("JOB-TOKEN"):
        token, kind = h["JOB-TOKEN"], "job"
    elif req.query.get("private_token"):
        token, kind = req.query["private_token"], "personal"
    elif req.query.get("job_token"):
        token, kind = req.query["job_token"], "job"
    tok = req.world.tokens.get(token) if token else None
    if tok is None or tok.get("forge") != "gitlab" or tok.get("kind") == "trigger" or \
            (kind == "job") != (tok.get("kind") == "job"):
        raise gl_error(401, "401 Unauthorized")
    if tok.get("kind") == "job" and "j" not in flags:
        # an endpoint that takes no job token ignores it: the request is
        # anonymous, so a private project is not found and anything else is
        # unauthorized (https://docs.gitlab.com/ci/jobs/ci_job_token/ lists
        # the endpoints; python-gitlab#1393 shows the 404)
        if req.path.startswith("/projects/"):
            raise gl_error(404, "404 Project Not Found")
        raise gl_error(401, "401 Unauthorized")
    if "w" in flags and "api" not in tok.get("scopes", ["api"]):
        raise ApiError(403, {"error": "insufficient_scope",
                             "error_description": "The request requires higher privileges "
                                                  "than provided by the access token.",
                             "scope": "api"})
    req.token = tok
