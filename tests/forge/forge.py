#!/usr/bin/env python3
"""A strict, stateful fake GitLab + GitHub REST API server on loopback.

One process serves both forges on one port: GitLab REST v4 under /api/v4 and
GitHub REST (Enterprise layout) under /api/v3. Repositories hold real commit
history in memory, seeded from an ecosystem folder (manifest.json plus one
folder of files per repository). Refusals use the real status codes and
messages (see ../shared/reference/api/). Admin endpoints live under /_forge/.

    python3 tests/forge/forge.py --ecosystem fixtures/ecosystem/waldur [--port 0]
    python3 tests/forge/forge.py --replay fixtures/api/gitlab

Standard library only.
"""

import argparse
import base64
import datetime
import difflib
import fnmatch
import hashlib
import http.server
import json
import os
import posixpath
import random
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import urllib.parse

GITLAB_PREFIX = "/api/v4"
GITHUB_PREFIX = "/api/v3"
GH_DOCS = "https://docs.github.com/rest"
MB = 1024 * 1024
FAULT_KINDS = ("500", "502", "503", "429", "secondary", "reset", "cut-body",
               "applied-then-dropped", "applied-cut-body", "exception")
DEFAULT_FAULT_KINDS = ("500", "502", "503", "429", "reset", "cut-body")
MUTATING = ("POST", "PUT", "PATCH", "DELETE")
REDACT_KEYS = ("token", "job_token", "private_token", "access_token")
GL_ROLE_LEVEL = {"guest": 10, "reporter": 20, "developer": 30, "maintainer": 40, "owner": 50}
UA_REFUSAL = (
    "Request forbidden by administrative rules. Please make sure your request has a "
    "User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api"
    "#user-agent-required). Check https://developer.github.com for other possible causes.\n")


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def sha1_hex(data):
    return hashlib.sha1(data).hexdigest()


def git_blob_sha(data):
    """git's blob id: SHA-1 of 'blob <len>\\0<bytes>'."""
    return sha1_hex(b"blob %d\0" % len(data) + data)


def ts_gitlab(t):
    d = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+00:00" % (d.microsecond // 1000)


def ts_github(t):
    return datetime.datetime.fromtimestamp(int(t), tz=datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def parse_ts(s):
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", s):
        s += "T00:00:00Z"
    s = s.replace("Z", "+00:00")
    d = datetime.datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def b64_lines(data):
    """GitHub wraps base64 content at 60 characters with newlines."""
    enc = base64.b64encode(data).decode()
    return "".join(enc[i:i + 60] + "\n" for i in range(0, len(enc), 60))


def redact_query(raw_path):
    """The path with token-like query values replaced, for logs."""
    path, _, query = raw_path.partition("?")
    if not query:
        return path
    parts = []
    for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
        parts.append((k, "[REDACTED]" if k in REDACT_KEYS else v))
    return path + "?" + urllib.parse.urlencode(parts, safe="[]")


def wildcard_match(pattern, value):
    return fnmatch.fnmatchcase(str(value), pattern)


# What GitHub says of each rule it refuses a ref change by, one line of its
# "Repository rule violations found" answer per rule.
RULE_WORDS = {"creation": "Cannot create ref due to creations being restricted.",
              "update": "Cannot update this protected ref.",
              "deletion": "Cannot delete this protected ref.",
              "non_fast_forward": "Cannot force-push to this branch",
              "required_signatures": "Commits must have verified signatures.",
              "tag_name_pattern": "Tag name must match a given pattern"}
# current_user_can_bypass values that lift a ruleset from the caller
# (https://docs.github.com/en/rest/repos/rules#get-a-repository-ruleset).
GH_BYPASSING = ("always", "exempt")


def _gh_class_take(p, i, ch):
    """Ruby's bracket() from p[i] (after '['): the index after ']' when the
    class takes ch, else None. '!' complements; GitHub: '^' does not, nor
    does '\\' quote; an unclosed class takes nothing."""
    neg = p[i:i + 1] == "!"
    i += neg
    ok = False
    while True:
        if i >= len(p):
            return None
        if p[i] == "]":
            return i + 1 if ok != neg else None
        lo = hi = p[i]
        i += 1
        if p[i:i + 1] == "-" and i + 1 < len(p) and p[i + 1] != "]":
            hi = p[i + 1]
            i += 2
        ok = ok or ch in (lo, hi) or lo <= ch <= hi


def _gh_part_take(p, i, s, j):
    """Ruby's fnmatch_helper(): the pattern part at p[i] against the ref part
    at s[j] (each up to '/' or the end); the pattern index at the end of its
    part when they match, else None."""
    def end(x, k):
        return k >= len(x) or x[k] == "/"
    if not end(s, j) and s[j] == "." and p[i:i + 1] != ".":
        return None
    star = None
    while True:
        if p[i:i + 1] == "*":
            while p[i:i + 1] == "*":
                i += 1
            if end(p, i):
                return i
            star = (i, j)
            continue
        if end(s, j):
            return i if end(p, i) else None
        nxt = None
        if p[i:i + 1] == "?":
            nxt = i + 1
        elif p[i:i + 1] == "[":
            nxt = _gh_class_take(p, i + 1, s[j])
        elif not end(p, i) and p[i] == s[j]:
            nxt = i + 1
        if nxt is not None:
            i, j = nxt, j + 1
            continue
        if star is None:
            return None
        star = (star[0], star[1] + 1)
        i, j = star


def gh_ref_match(pattern, ref):
    """GitHub's ruleset fnmatch: Ruby's File.fnmatch with FNM_PATHNAME
    (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax):
    '*' and '?' stay within a '/' part, a part '**' followed by '/' takes any
    number of whole parts ('**' elsewhere is '*'), [...] classes with '!'
    (GitHub: '^' is no complement, '\\' no quote)."""
    p, s, i, j, deep = pattern, ref, 0, 0, None
    while True:
        if p.startswith("**/", i):
            while p.startswith("**/", i):
                i += 3
            deep = (i, j)
        pe = _gh_part_take(p, i, s, j)
        if pe is not None:
            se = s.find("/", j)
            se = len(s) if se < 0 else se
            if pe < len(p) and se < len(s):
                i, j = pe + 1, se + 1
                continue
            if pe >= len(p) and se >= len(s):
                return True
        if deep is None or s[deep[1]:deep[1] + 1] == ".":
            return False
        nxt = s.find("/", deep[1])
        if nxt < 0:
            return False
        deep = (deep[0], nxt + 1)
        i, j = deep


def name_pattern_passes(p, name):
    """A tag_name_pattern rule (operator starts_with, ends_with, contains, regex; negate)."""
    op, pat = p.get("operator"), p.get("pattern", "")
    hit = {"starts_with": name.startswith(pat), "ends_with": name.endswith(pat),
           "contains": pat in name}.get(op)
    if op == "regex":
        hit = re.search(pat, name) is not None
    return hit is None or hit != bool(p.get("negate"))


class ApiError(Exception):
    """An HTTP error response: status, body (dict/list/str/bytes), headers."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def gl_error(status, message):
    return ApiError(status, {"message": message})


def gl_missing(name):
    return ApiError(400, {"error": "%s is missing" % name})


def gh_error(status, message, doc=GH_DOCS, **extra):
    body = {"message": message, "documentation_url": doc, "status": str(status)}
    body.update(extra)
    return ApiError(status, body)


def gh_validation(resource, field, code):
    return gh_error(422, "Validation Failed",
                    errors=[{"resource": resource, "code": code, "field": field}])


# --------------------------------------------------------------------------
# Request bodies: JSON and form encoding (with a[b] and a[][k] keys)
# --------------------------------------------------------------------------

def parse_form(text):
    out = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        m = re.fullmatch(r"([^\[]+)\[\]\[([^\]]+)\]", key)
        if m:
            lst = out.setdefault(m.group(1), [])
            if not lst or m.group(2) in lst[-1]:
                lst.append({})
            lst[-1][m.group(2)] = value
            continue
        m = re.fullmatch(r"([^\[]+)\[([^\]]+)\]", key)
        if m:
            out.setdefault(m.group(1), {})[m.group(2)] = value
            continue
        out[key] = value
    return out


def parse_body(headers, raw, forge):
    """Request parameters from the body; ApiError on malformed input."""
    if not raw:
        return {}
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        return parse_form(raw.decode("utf-8", "replace"))
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        if forge == "github":
            raise gh_error(400, "Problems parsing JSON")
        raise ApiError(400, {"error": "body is not valid JSON"})
    if not isinstance(value, dict):
        if forge == "github":
            raise gh_error(400, "Body should be a JSON object")
        raise ApiError(400, {"error": "body must be a JSON object"})
    return value


# --------------------------------------------------------------------------
# Repository model: commits, trees, blobs, tags
# --------------------------------------------------------------------------

class Commit:
    def __init__(self, cid, seq, parents, tree, tree_sha, message, author, committer, date):
        self.id = cid
        self.seq = seq
        self.parents = parents
        self.tree = tree          # path -> (mode, blob sha)
        self.tree_sha = tree_sha
        self.message = message
        self.author = author      # (name, email)
        self.committer = committer
        self.date = date


class Tag:
    def __init__(self, name, commit, sha, message, tagger, date):
        self.name = name
        self.commit = commit      # peeled commit id
        self.sha = sha            # tag object id when annotated, else None
        self.message = message
        self.tagger = tagger
        self.date = date

    @property
    def target(self):
        return self.sha or self.commit


class Repo:
    def __init__(self, world, spec):
        self.world = world
        self.forge = spec["forge"]
        self.path = spec["path"]
        self.id = int(spec["id"])
        self.default_branch = spec.get("default_branch", "main")
        self.version_files = spec.get("version_files", [])
        self.release_message = spec.get("release_message", "Set target version to {version}")
        self.workflows = spec.get("workflows", [])
        self.protected_tags = spec.get("protected_tags")
        self.visibility = spec.get("visibility", "private")
        self.commits = {}
        self.blobs = {}
        self.trees = {}
        self.branches = {}
        self.tags = {}
        self.tag_objects = {}
        self.releases = {}        # tag name -> release dict
        self.pipelines = []
        self.runs = []
        self.created = world.epoch

    # -- web addresses
    @property
    def web_url(self):
        base = self.world.opts.gitlab_web_url if self.forge == "gitlab" else \
            self.world.opts.github_web_url
        return base.rstrip("/") + "/" + self.path

    @property
    def name(self):
        return self.path.rsplit("/", 1)[-1]

    # -- objects
    def store_blob(self, data):
        sha = git_blob_sha(data)
        self.blobs[sha] = data
        return sha

    def store_tree(self, tree):
        lines = "".join("%s %s %s\n" % (tree[p][0], p, tree[p][1]) for p in sorted(tree))
        sha = sha1_hex(b"tree %d\0" % len(lines) + lines.encode())
        self.trees[sha] = dict(tree)
        return sha

    def make_commit(self, tree, parents, message, author, date=None, committer=None):
        world = self.world
        world.commit_counter += 1
        date = world.now() if date is None else date
        tree_sha = self.store_tree(tree)
        text = "tree %s\n%s\nauthor %s <%s> %d\n\n%s\n%d" % (
            tree_sha, "".join("parent %s\n" % p for p in parents), author[0], author[1],
            int(date), message, world.commit_counter)
        cid = sha1_hex(b"commit %d\0" % len(text) + text.encode())
        c = Commit(cid, world.commit_counter, list(parents), dict(tree), tree_sha, message,
                   author, committer or author, date)
        self.commits[cid] = c
        return c

    def make_tag_object(self, name, commit, message, tagger, date=None):
        date = self.world.now() if date is None else date
        self.world.commit_counter += 1
        text = "object %s\ntype commit\ntag %s\ntagger %s <%s> %d\n\n%s\n%d" % (
            commit, name, tagger[0], tagger[1], int(date), message, self.world.commit_counter)
        sha = sha1_hex(b"tag %d\0" % len(text) + text.encode())
        tag = Tag(name, commit, sha, message, tagger, date)
        self.tag_objects[sha] = tag
        return tag

    def file_bytes(self, commit, path):
        entry = commit.tree.get(path)
        return None if entry is None else self.blobs[entry[1]]

    # -- refs
    def resolve(self, ref):
        """Commit id for a branch, tag, full or abbreviated commit id; or None."""
        if ref is None:
            return None
        if ref == "HEAD":
            ref = self.default_branch
        for prefix in ("refs/heads/", "heads/"):
            if ref.startswith(prefix) and ref[len(prefix):] in self.branches:
                return self.branches[ref[len(prefix):]]
        for prefix in ("refs/tags/", "tags/"):
            if ref.startswith(prefix) and ref[len(prefix):] in self.tags:
                return self.tags[ref[len(prefix):]].commit
        if ref in self.branches:
            return self.branches[ref]
        if ref in self.tags:
            return self.tags[ref].commit
        if re.fullmatch(r"[0-9a-f]{7,40}", ref):
            hits = [c for c in self.commits if c.startswith(ref)]
            if len(hits) == 1:
                return hits[0]
        return None

    def ancestors(self, cid):
        seen = set()
        stack = [cid]
        while stack:
            c = stack.pop()
            if c in seen or c not in self.commits:
                continue
            seen.add(c)
            stack.extend(self.commits[c].parents)
        return seen

    def is_ancestor(self, a, b):
        return a in self.ancestors(b)

    def range_commits(self, base, head):
        """Commits reachable from head but not from base, oldest first."""
        ids = self.ancestors(head) - self.ancestors(base)
        return sorted((self.commits[c] for c in ids), key=lambda c: c.seq)

    def merge_base(self, a, b):
        common = self.ancestors(a) & self.ancestors(b)
        if not common:
            return None
        return max((self.commits[c] for c in common), key=lambda c: c.seq).id

    def last_commit_for(self, head, path):
        c = self.commits[head]
        while True:
            parent = self.commits.get(c.parents[0]) if c.parents else None
            if parent is None or parent.tree.get(path) != c.tree.get(path):
                return c
            c = parent

    def tag_protected(self, name):
        """The protection rule matching a tag name, or None (GitHub: active rulesets)."""
        for rule in self.protected_tags or []:
            pattern = rule["name"] if isinstance(rule, dict) else rule
            active = not isinstance(rule, dict) or rule.get("enforcement", "active") == "active"
            if active and wildcard_match(pattern, name):
                return rule
        return None

    def rulesets(self):
        """The protected tags as GitHub tag rulesets (ids stable per repository).
        A rule may give its own `include`/`exclude` patterns and `rules`, and
        `bypass` None leaves current_user_can_bypass out."""
        out = []
        for i, rule in enumerate(self.protected_tags or []):
            rule = rule if isinstance(rule, dict) else {"name": rule}
            pattern = rule["name"]
            rs = {
                "id": self.id * 1000 + i + 1, "name": rule.get("ruleset", "tags " + pattern),
                "target": "tag", "source_type": "Repository", "source": self.path,
                "enforcement": rule.get("enforcement", "active"),
                "conditions": {"ref_name": {
                    "include": rule.get("include") or
                    ["~ALL" if pattern == "*" else "refs/tags/" + pattern],
                    "exclude": rule.get("exclude") or []}},
                "rules": rule.get("rules") or
                [{"type": "creation"}, {"type": "update"}, {"type": "deletion"}]}
            if rule.get("bypass", "never") is not None:
                rs["current_user_can_bypass"] = rule.get("bypass", "never")
            out.append(rs)
        return out

    def ruleset_violations(self, name, action, commit=None):
        """GitHub: what every rule of the active tag rulesets taking in tag
        `name` says against `action` (creation, update, force_update, deletion)
        of a tag on `commit`, in ruleset order; [] when none refuses. Ref
        names are matched in GitHub's fnmatch, exclude winning over include;
        a bypass of always or exempt lifts the ruleset, pull_requests_only
        does not (a tag is no pull request)."""
        ref = "refs/tags/" + name
        out = []
        for rs in self.rulesets():
            cond = rs["conditions"]["ref_name"]
            taken = any(p == "~ALL" or gh_ref_match(p, ref) for p in cond["include"]) and \
                not any(p == "~ALL" or gh_ref_match(p, ref) for p in cond["exclude"])
            if rs["enforcement"] != "active" or not taken or \
                    rs.get("current_user_can_bypass") in GH_BYPASSING:
                continue
            for rule in rs["rules"]:
                words = RULE_WORDS.get(rule["type"])
                if words not in out and self.rule_refuses(rule, name, action, commit):
                    out.append(words)
        return out

    def rule_refuses(self, rule, name, action, commit):
        """One ruleset rule against a tag change. Creation, update and deletion
        rules refuse their action; non_fast_forward a forced update;
        tag_name_pattern a name failing it on creation; required_signatures,
        on creation, only a commit no branch reaches (rulesets "check only the
        commits that aren't accessible from other branches":
        https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets#require-signed-commits)."""
        kind = rule["type"]
        if kind in ("creation", "deletion"):
            return action == kind
        if kind == "update":
            return action in ("update", "force_update")
        if kind == "non_fast_forward":
            return action == "force_update"
        if kind == "tag_name_pattern":
            return action == "creation" and \
                not name_pattern_passes(rule.get("parameters", {}), name)
        if kind == "required_signatures":
            return action == "creation" and commit is not None and \
                not any(self.is_ancestor(commit, h) for h in self.branches.values())
        return False


# --------------------------------------------------------------------------
# Pipelines (GitLab) and workflow runs (GitHub), computed lazily from time
# --------------------------------------------------------------------------

class Pipeline:
    def __init__(self, world, repo, pid, ref, sha, tag, source, variables, rule, outcome, user):
        self.world = world
        self.repo = repo
        self.id = pid
        self.iid = len(repo.pipelines) + 1
        self.ref = ref
        self.sha = sha
        self.tag = tag
        self.source = source
        self.variables = variables
        self.rule = rule
        self.outcome = outcome
        self.user = user
        self.created = world.now()
        self.duration = world.opts.pipeline_ms / 1000.0
        self.canceled = None
        self.jobs = []
        self.bridges = []         # (job dict, downstream Pipeline)

    def own_status(self, now):
        if self.canceled is not None:
            return "canceled"
        el = now - self.created
        if el < 0.15 * self.duration:
            return "created"
        if el < 0.35 * self.duration:
            return "pending"
        if el < self.duration or self.outcome == "hang":
            return "running"
        return self.outcome

    def status(self, now=None):
        now = self.world.now() if now is None else now
        own = self.own_status(now)
        if own not in ("success", "failed") or not self.bridges:
            return own
        down = [p.status(now) for _, p in self.bridges]
        if any(s in ("failed", "canceled") for s in down):
            return "failed"
        if all(s == "success" for s in down):
            return own
        return "running"

    def job_status(self, index, now=None):
        st = self.own_status(self.world.now() if now is None else now)
        if st == "failed":
            return "failed" if index == len(self.jobs) - 1 else "success"
        return st

    def times(self):
        st = self.status()
        started = self.created + 0.35 * self.duration
        finished = self.created + self.duration
        final = st in ("success", "failed", "canceled")
        if self.canceled is not None:
            finished = self.canceled
        return (started if st not in ("created", "pending") else None,
                finished if final else None)


class Run:
    def __init__(self, world, repo, rid, workflow, ref, sha, event, inputs, outcome):
        self.world = world
        self.repo = repo
        self.id = rid
        self.workflow = workflow
        self.ref = ref
        self.sha = sha
        self.event = event
        self.inputs = inputs
        self.outcome = outcome
        self.created = world.now()
        self.duration = world.opts.pipeline_ms / 1000.0
        self.canceled = None
        self.number = 1 + sum(1 for r in repo.runs if r.workflow["id"] == workflow["id"])

    def status(self):
        if self.canceled is not None:
            return "completed", "cancelled"
        el = self.world.now() - self.created
        if el < 0.3 * self.duration:
            return "queued", None
        if el < self.duration or self.outcome == "hang":
            return "in_progress", None
        return "completed", "success" if self.outcome == "success" else "failure"


# --------------------------------------------------------------------------
# Faults: deterministic per request number, plus targeted one-shot faults
# --------------------------------------------------------------------------

class Faults:
    def __init__(self, opts):
        self.rate = opts.fail_rate
        self.seed = opts.fail_seed
        self.kinds = list(opts.fail_kinds)
        self.latency_ms = opts.latency_ms
        self.jitter_ms = opts.jitter_ms
        self.targets = []
        # "seq": by request number; "request": by method, path and how many
        # times that request came since the seed was set (the same faults
        # whatever order concurrent clients' requests arrive in)
        self.by = "seq"
        self.counts = {}

    def to_json(self):
        return {"rate": self.rate, "seed": self.seed, "kinds": self.kinds, "by": self.by,
                "latency_ms": self.latency_ms, "jitter_ms": self.jitter_ms,
                "targets": [dict(t) for t in self.targets]}

    def configure(self, body, opts):
        if body.get("by", self.by) not in ("seq", "request"):
            raise ApiError(400, {"message": "unknown fault choice '%s'" % body["by"]})
        for key in ("rate", "seed", "by", "latency_ms", "jitter_ms"):
            if key in body:
                setattr(self, key, body[key])
        if "seed" in body or "by" in body:
            self.counts = {}
        if "kinds" in body:
            bad = [k for k in body["kinds"] if k not in FAULT_KINDS]
            if bad:
                raise ApiError(400, {"message": "unknown fault kind '%s'" % bad[0]})
            self.kinds = list(body["kinds"])
        if "pipeline_ms" in body:
            opts.pipeline_ms = int(body["pipeline_ms"])
        for t in body.get("targets", []):
            if t.get("kind") not in FAULT_KINDS:
                raise ApiError(400, {"message": "unknown fault kind '%s'" % t.get("kind")})
            re.compile(t.get("path", ""))
            self.targets.append({"method": t.get("method", "*").upper(),
                                 "path": t.get("path", ""), "kind": t["kind"],
                                 "count": int(t.get("count", 1))})
        if body.get("clear_targets"):
            self.targets = []

    def pick(self, seq, method, raw_path):
        """The fault kind for request number seq, or None."""
        for t in self.targets:
            if t["count"] > 0 and t["method"] in ("*", method) and \
                    re.search(t["path"], raw_path):
                t["count"] -= 1
                return t["kind"]
        if self.rate and self.kinds:
            if self.by == "request":
                key = (method, raw_path)
                self.counts[key] = self.counts.get(key, 0) + 1
                rng = random.Random("%s:%s %s:%d" % (self.seed, method, raw_path,
                                                     self.counts[key]))
            else:
                rng = random.Random("%s:%d" % (self.seed, seq))
            if rng.random() < self.rate:
                return rng.choice(self.kinds)
        return None

    def delay(self, seq):
        if not self.latency_ms and not self.jitter_ms:
            return 0.0
        rng = random.Random("latency:%s:%d" % (self.seed, seq))
        return (self.latency_ms + rng.random() * self.jitter_ms) / 1000.0


# --------------------------------------------------------------------------
# The world: all repositories, tokens, switches, the request log
# --------------------------------------------------------------------------

class World:
    def __init__(self, opts):
        self.opts = opts
        self.lock = threading.RLock()
        self.log_file = open(opts.log, "a", encoding="utf-8") if opts.log else None
        self.start_opts = (opts.pipeline_ms,)
        self.load()

    def now(self):
        return time.time()

    # -- loading
    def load(self):
        self.faults = Faults(self.opts)
        self.opts.pipeline_ms = self.start_opts[0]
        self.requests = []
        self.seq = 0
        self.commit_counter = 0
        self.next_ids = {"pipeline": 1000, "job": 5000, "run": 70000, "release": 300, "bridge": 9000}
        self.repos = {}
        self.tokens = {}
        self.rate_used = {}
        self.job_tokens = {}
        self.manifest = {}
        self.switches = {}
        self.users = {}
        self.epoch = time.time()
        if self.opts.ecosystem:
            self.load_ecosystem(self.opts.ecosystem)

    def next_id(self, kind):
        self.next_ids[kind] += 1
        return self.next_ids[kind]

    def load_ecosystem(self, folder):
        path = os.path.join(folder, "manifest.json")
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        self.manifest = m
        self.epoch = parse_ts(m.get("epoch", "2026-01-01T00:00:00Z"))
        self.switches = dict(m.get("switches", {}))
        self.users = m.get("users", {})
        for t in m.get("tokens", []):
            self.tokens[t["token"]] = t
        for spec in m.get("repos", []):
            spec = dict(spec)
            if spec.get("protected_tags") is None:
                key = "gitlab_protected_tags" if spec["forge"] == "gitlab" else \
                    "github_protected_tags"
                spec["protected_tags"] = m.get(key, [])
            repo = Repo(self, spec)
            self.build_repo(repo, spec, os.path.join(folder, spec.get("dir", repo.name)))
            self.repos[repo.path] = repo

    def user(self, name):
        u = self.users.get(name, {})
        return (u.get("name", name), u.get("email", "%s@example.com" % name))

    def read_folder(self, base):
        files = {}
        for root, dirs, names in os.walk(base):
            dirs.sort()
            for n in sorted(names):
                full = os.path.join(root, n)
                rel = os.path.relpath(full, base).replace(os.sep, "/")
                with open(full, "rb") as f:
                    mode = "100755" if os.access(full, os.X_OK) and n.endswith(".sh") else "100644"
                    files[rel] = (mode, f.read())
        return files

    def expand_history(self, entries):
        out = []
        for e in entries:
            if "use" in e:
                out.extend(self.manifest["templates"][e["use"]])
            else:
                out.append(e)
        return out

    @staticmethod
    def with_modes(tree, modes):
        """`tree` with the manifest's `modes` ({path: "100755"}) applied to the
        paths it holds: a file marked executable stays so in every commit."""
        return {p: (modes.get(p, mode), sha) for p, (mode, sha) in tree.items()}

    def build_repo(self, repo, spec, folder):
        base = self.read_folder(folder) if os.path.isdir(folder) else {}
        modes = spec.get("modes", {})
        version = self.manifest.get("version", "")
        author = self.user("release-bot")
        tree = {}
        head = None
        day = [0]

        def commit(message, new_tree):
            nonlocal head, tree
            day[0] += 1
            c = repo.make_commit(self.with_modes(new_tree, modes), [head] if head else [],
                                 message, author, date=self.epoch + day[0] * 86400)
            head, tree = c.id, c.tree

        def versioned(v):
            t = dict(tree)
            for p, (mode, data) in base.items():
                if p in repo.version_files or p not in t:
                    if p in repo.version_files and version:
                        data = data.replace(version.encode(), v.encode())
                    t[p] = (mode, repo.store_blob(data))
            return t

        for e in self.expand_history(spec.get("history", [{"release": version, "initial": True}])):
            if "release" in e:
                v = e["release"]
                if e.get("initial"):
                    commit("chore: initial import", versioned(v))
                elif repo.version_files:
                    commit(repo.release_message.format(version=v), versioned(v))
                tag = repo.make_tag_object(v, head, "Release %s" % v, author,
                                           date=self.epoch + day[0] * 86400)
                repo.tags[v] = tag
            elif "commit" in e:
                t = dict(tree)
                for p, text in e.get("files", {}).items():
                    t[p] = ("100644", repo.store_blob(text.encode()))
                for p in e.get("delete", []):
                    t.pop(p, None)
                commit(e["commit"], t)
            elif "tag" in e:
                if e.get("message"):
                    repo.tags[e["tag"]] = repo.make_tag_object(e["tag"], head, e["message"], author)
                else:
                    repo.tags[e["tag"]] = Tag(e["tag"], head, None, None, None,
                                              self.epoch + day[0] * 86400)
        if head is None:
            commit("chore: initial import", versioned(version))
        repo.branches[repo.default_branch] = head

    # -- lookup
    def repo_by_gitlab_id(self, raw):
        ident = urllib.parse.unquote(raw)
        for r in self.repos.values():
            if r.forge == "gitlab" and (str(r.id) == ident or r.path == ident):
                return r
        return None

    # -- request log
    def log_request(self, entry):
        self.requests.append(entry)
        if self.log_file:
            self.log_file.write(json.dumps(entry) + "\n")
            self.log_file.flush()

    # -- pipelines
    def outcome_for(self, variables, inputs, rule):
        for o in self.manifest.get("pipeline_outcomes", []):
            if "variables" in o and self.vars_match(o["variables"], variables):
                return o["result"]
            if "inputs" in o and self.vars_match(o["inputs"], inputs):
                return o["result"]
        if rule and rule.get("fail_if_switch") and self.switches.get(rule["fail_if_switch"]):
            return "failed"
        return "success"

    @staticmethod
    def vars_match(patterns, values):
        if not patterns or values is None:
            return False
        return all(k in values and wildcard_match(p, values[k]) for k, p in patterns.items())

    def pipeline_rule(self, repo, event, variables):
        for rule in self.manifest.get("pipelines", []):
            if rule.get("repo") not in ("*", repo.path) or event not in rule.get("on", []):
                continue
            if rule.get("variables") and not self.vars_match(rule["variables"], variables):
                continue
            return rule
        return None

    def start_pipeline(self, repo, ref, sha, tag, source, variables, user, event=None):
        rule = self.pipeline_rule(repo, event or source, variables)
        if rule is None and event == "tag":
            return None
        rule = rule or {"name": "default", "jobs": [{"name": "test", "stage": "test"}]}
        p = Pipeline(self, repo, self.next_id("pipeline"), ref, sha, tag, source, variables,
                     rule, self.outcome_for(variables, None, rule), user)
        for j in rule.get("jobs", []):
            arts = {k.replace("{ref}", ref): v.replace("{ref}", ref)
                    for k, v in j.get("artifacts", {}).items()}
            p.jobs.append({"id": self.next_id("job"), "name": j["name"],
                           "stage": j.get("stage", "test"), "artifacts": arts})
        for b in rule.get("bridges", []):
            down = self.repos[b["project"]]
            child = self.start_pipeline(down, down.default_branch,
                                        down.branches[down.default_branch], False, "pipeline",
                                        dict(variables), user, event="trigger")
            p.bridges.append(({"id": self.next_id("job"), "name": b["name"],
                               "stage": b.get("stage", "test")}, child))
        repo.pipelines.append(p)
        return p


# --------------------------------------------------------------------------
# Request context and pagination
# --------------------------------------------------------------------------

class Req:
    def __init__(self, world, method, raw_path, headers, body, base_url):
        self.world = world
        self.method = method
        self.raw_path = raw_path
        path, _, query = raw_path.partition("?")
        self.path = path
        self.full_path = path
        self.query = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        self.headers = headers
        self.body = body
        self.base_url = base_url
        self.params = {}
        self.args = {}
        self.repo = None
        self.token = None

    def param(self, name, default=None):
        if name in self.params:
            return self.params[name]
        return self.query.get(name, default)

    def int_param(self, name, default, error):
        value = self.param(name, default)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise error


def page_window(req, default_per, error):
    per = req.int_param("per_page", default_per, error)
    page = req.int_param("page", 1, error)
    return max(1, min(per, 100)), max(1, page)


def page_links(req, page, pages, per, nxt=None):
    def url(n):
        q = dict(req.query)
        q["page"] = str(n)
        q["per_page"] = str(per)
        for k in REDACT_KEYS:
            q.pop(k, None)
        return "<%s%s?%s>" % (req.base_url, req.full_path, urllib.parse.urlencode(q))
    links = []
    if nxt is None and page < pages:
        nxt = page + 1
    if nxt:
        links.append('%s; rel="next"' % url(nxt))
    if page > 1:
        links.append('%s; rel="prev"' % url(page - 1))
    links.append('%s; rel="first"' % url(1))
    links.append('%s; rel="last"' % url(pages))
    return ", ".join(links)


def broken_pagination(req, page, per):
    """Switch `pagination_fault`: "self_link" makes every page name itself as
    next (Link and X-Next-Page), "endless" names one more page for ever (its
    items repeat the last page's, as a server stuck on a bad cursor would)."""
    fault = req.world.switches.get("pagination_fault")
    if fault == "self_link":
        return page
    if fault == "endless":
        return page + 1
    return None


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
# GitLab: JSON shapes
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
# GitLab: handlers (each returns (status, body[, headers]) or raises ApiError)
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
    name = urllib.parse.unquote(req.args["branch"])
    if name not in req.repo.branches:
        raise gl_error(404, "404 Branch Not Found")
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
    name = urllib.parse.unquote(req.args["tag"])
    if name not in req.repo.tags:
        raise gl_error(404, "404 Tag Not Found")
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
    name = urllib.parse.unquote(req.args["tag"])
    if name not in repo.tags:
        raise gl_error(404, "404 Tag Not Found")
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
    for d in gl_diffs(repo, base, head):
        lines += d["diff"].count("\n")
        size += len(d["diff"].encode())
        if len(out) >= GL_DIFF_MAX_FILES or lines >= GL_DIFF_MAX_LINES or \
                size >= GL_DIFF_MAX_FILES * 5 * 1024:
            return out, True
        out.append(d)
    return out, False


def gl_diffs(repo, base, head):
    a = repo.commits[base].tree if base else {}
    b = repo.commits[head].tree
    out = []
    for path in sorted(set(a) | set(b)):
        if a.get(path) == b.get(path):
            continue
        old = repo.blobs[a[path][1]].decode("utf-8", "replace") if path in a else ""
        new = repo.blobs[b[path][1]].decode("utf-8", "replace") if path in b else ""
        diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True)))
        out.append({"old_path": path, "new_path": path, "a_mode": a.get(path, ("0",))[0],
                    "b_mode": b.get(path, ("0",))[0], "diff": diff,
                    "new_file": path not in a, "renamed_file": False,
                    "deleted_file": path not in b, "generated_file": False})
    return out


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
    rel = req.repo.releases.get(urllib.parse.unquote(req.args["tag"]))
    if rel is None:
        raise gl_error(404, "404 Not Found")
    return 200, gl_release(req.repo, rel)


def gl_delete_release(req):
    name = urllib.parse.unquote(req.args["tag"])
    rel = req.repo.releases.get(name)
    if rel is None:
        raise gl_error(404, "404 Not Found")
    body = gl_release(req.repo, rel)
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


# --------------------------------------------------------------------------
# GitHub: JSON shapes
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
# GitHub: handlers
# --------------------------------------------------------------------------

def gh_not_found():
    return gh_error(404, "Not Found")


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
# GitHub: App installation tokens
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
    data = req.repo.blobs.get(req.args["sha"])
    if data is None:
        raise gh_not_found()
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
    c = req.repo.commits.get(req.args["sha"])
    if c is None:
        raise gh_not_found()
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
    tag = req.repo.tag_objects.get(req.args["sha"])
    if tag is None:
        raise gh_not_found()
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
             for d in gl_diffs(repo, mb, head)]
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


DISPATCH_DETAILS = ("return", "omit", "reject")


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


# --------------------------------------------------------------------------
# Dispatch: routing, authentication, rate-limit headers
# --------------------------------------------------------------------------

COMPILED = {
    "gitlab": [(m, re.compile(p + r"/?\Z"), h, f) for m, p, h, f in GITLAB_ROUTES],
    "github": [(m, re.compile(p + r"/?\Z"), h, f) for m, p, h, f in GITHUB_ROUTES],
}


def find_route(forge, method, path):
    """(handler, flags, args) for a path, or raises the forge's 404/405."""
    wrong_method = False
    for m, rx, handler, flags in COMPILED[forge]:
        hit = rx.match(path)
        if hit:
            if m == method:
                return handler, flags, {k: v for k, v in hit.groupdict().items() if v is not None}
            wrong_method = True
    if forge == "gitlab":
        if wrong_method:
            raise ApiError(405, {"message": "405 Method Not Allowed"})
        raise ApiError(404, {"error": "404 Not Found"})
    raise gh_not_found()


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


def rate_headers(world, forge, tok):
    key = tok["token"] if tok else "anonymous"
    used = world.rate_used[key] = world.rate_used.get(key, 0) + 1
    reset = str(int(world.epoch_start + 3600))
    if forge == "github":
        return {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": str(max(0, 5000 - used)),
                "X-RateLimit-Used": str(used), "X-RateLimit-Reset": reset,
                "X-RateLimit-Resource": "core", "X-GitHub-Media-Type": "github.v3; format=json",
                "X-GitHub-Request-Id": "%08X" % world.seq}
    return {"RateLimit-Name": "throttle_authenticated_api", "RateLimit-Limit": "2000",
            "RateLimit-Observed": str(used), "RateLimit-Remaining": str(max(0, 2000 - used)),
            "RateLimit-Reset": reset}


def dispatch_api(world, req, forge, fault):
    """(status, body, headers) of an API request; never raises."""
    prefix = GITLAB_PREFIX if forge == "gitlab" else GITHUB_PREFIX
    req.path = req.path[len(prefix):] or "/"
    headers = {}
    try:
        if forge == "github" and not req.headers.get("User-Agent"):
            return 403, UA_REFUSAL.encode(), {"Content-Type": "text/plain; charset=utf-8"}
        handler, flags, args = find_route(forge, req.method, req.path)
        req.args = args
        req.params = parse_body(req.headers, req.body, forge)
        if "t" not in flags:
            (gl_authenticate if forge == "gitlab" else gh_authenticate)(req, flags)
        if "n" not in flags:
            req.repo = locate_repo(world, req, forge)
            if forge == "github":
                gh_installation_scope(req, flags)
        if fault == "exception":
            raise RuntimeError("injected handler failure")
        out = handler(req)
        status, body = out[0], out[1]
        headers.update(out[2] if len(out) > 2 else {})
    except ApiError as e:
        status, body = e.status, e.body
        headers.update(e.headers)
    except Exception:  # any handler failure: the forge's 500, traceback on stderr
        sys.stderr.write("forge: %s %s failed\n%s" % (req.method, redact_query(req.raw_path),
                                                      traceback.format_exc()))
        status = 500
        body = {"message": "500 Internal Server Error"} if forge == "gitlab" else \
            {"message": "Server Error", "documentation_url": GH_DOCS, "status": "500"}
    headers.update(rate_headers(world, forge, req.token))
    return status, body, headers


def locate_repo(world, req, forge):
    if forge == "gitlab":
        repo = world.repo_by_gitlab_id(req.args["id"])
        if repo is None:
            raise gl_error(404, "404 Project Not Found")
        return repo
    path = "%s/%s" % (req.args["owner"], req.args["name"])
    repo = world.repos.get(path)
    if repo is None or repo.forge != "github":
        raise gh_not_found()
    return repo


# --------------------------------------------------------------------------
# Admin endpoints under /_forge/ (no authentication)
# --------------------------------------------------------------------------

def admin_state(world, req):
    out = {}
    for path, repo in world.repos.items():
        files, modes = {}, {}
        for b, head in repo.branches.items():
            c = repo.commits[head]
            files[b] = {p: hashlib.sha256(repo.blobs[s]).hexdigest()
                        for p, (_, s) in sorted(c.tree.items())}
            modes[b] = {p: m for p, (m, _) in sorted(c.tree.items())}
        out[path] = {
            "forge": repo.forge, "id": repo.id, "default_branch": repo.default_branch,
            "web_url": repo.web_url, "commit_count": len(repo.commits),
            "branches": dict(repo.branches),
            "tags": {n: {"target": t.target, "commit": t.commit, "annotated": t.sha is not None,
                         "message": t.message} for n, t in sorted(repo.tags.items())},
            "files": files,
            "modes": modes,
            "releases": {n: {"name": r["name"], "description": r.get("description",
                                                                      r.get("body"))}
                         for n, r in repo.releases.items()},
            "pipelines": [{"id": p.id, "ref": p.ref, "sha": p.sha, "source": p.source,
                           "status": p.status(), "variables": p.variables,
                           "jobs": [j["name"] for j in p.jobs]} for p in repo.pipelines],
            "runs": [{"id": r.id, "workflow": r.workflow["name"], "ref": r.ref,
                      "inputs": r.inputs, "status": r.status()[0],
                      "conclusion": r.status()[1]} for r in repo.runs]}
    return 200, {"repos": out, "switches": dict(world.switches),
                 "request_count": len(world.requests)}


def admin_file(world, req):
    repo = world.repos.get(req.query.get("repo", ""))
    if repo is None:
        raise ApiError(404, {"message": "no repository '%s'" % req.query.get("repo")})
    cid = repo.resolve(req.query.get("ref") or repo.default_branch)
    if cid is None:
        raise ApiError(404, {"message": "no ref '%s'" % req.query.get("ref")})
    data = repo.file_bytes(repo.commits[cid], req.query.get("path", ""))
    if data is None:
        raise ApiError(404, {"message": "no file '%s'" % req.query.get("path")})
    return 200, data, {"Content-Type": "application/octet-stream"}


def admin_history(world, req):
    """GET /_forge/history?repo=&ref=: every commit reachable from ref, newest
    first, with parents and message (for soak and recovery checks)."""
    repo = world.repos.get(req.query.get("repo", ""))
    if repo is None:
        raise ApiError(404, {"message": "no repository '%s'" % req.query.get("repo")})
    cid = repo.resolve(req.query.get("ref") or repo.default_branch)
    if cid is None:
        raise ApiError(404, {"message": "no ref '%s'" % req.query.get("ref")})
    out, todo, seen = [], [cid], set()
    while todo:
        c = repo.commits[todo.pop()]
        if c.id in seen:
            continue
        seen.add(c.id)
        out.append({"id": c.id, "parents": c.parents, "message": c.message, "seq": c.seq})
        todo.extend(c.parents)
    return 200, sorted(out, key=lambda c: -c["seq"])


def admin_push(world, req):
    """A commit on a branch as another user would make it (for race tests)."""
    p = parse_body(req.headers, req.body, "admin")
    repo = world.repos.get(p.get("repo", ""))
    if repo is None:
        raise ApiError(404, {"message": "no repository '%s'" % p.get("repo")})
    branch = p.get("branch") or repo.default_branch
    start = repo.branches.get(branch) or repo.resolve(p.get("start") or repo.default_branch)
    tree = dict(repo.commits[start].tree)
    for path, text in p.get("files", {}).items():
        tree[path] = (tree.get(path, ("100644",))[0], repo.store_blob(text.encode()))
    for path, b64 in p.get("files_base64", {}).items():
        tree[path] = (tree.get(path, ("100644",))[0], repo.store_blob(base64.b64decode(b64)))
    for path in p.get("delete", []):
        tree.pop(path, None)
    for path, mode in p.get("modes", {}).items():  # e.g. "100755", "120000"
        tree[path] = (mode, tree[path][1])
    author = (p.get("author_name", "Other Developer"),
              p.get("author_email", "other@waldur.example"))
    c = repo.make_commit(tree, [start], p.get("message", "chore: concurrent change"), author)
    repo.branches[branch] = c.id
    return 201, {"id": c.id, "branch": branch}


def admin_requests(world, req):
    if req.method == "DELETE":
        world.requests = []
        return 204, None
    since = int(req.query.get("since", 0))
    return 200, [r for r in world.requests if r["seq"] > since]


def admin_protect(world, req):
    """Protects tags matching `pattern` in `repo` (GitLab: a protected tag;
    GitHub: a tag ruleset named `ruleset`, with `enforcement` and `bypass`)."""
    p = parse_body(req.headers, req.body, "admin")
    repo = world.repos.get(p.get("repo", ""))
    if repo is None:
        raise ApiError(404, {"message": "no repository '%s'" % p.get("repo")})
    rule = {"name": p["pattern"]}
    rule.update({k: p[k] for k in ("ruleset", "enforcement", "bypass", "include",
                                   "exclude", "rules", "create_access_level") if k in p})
    repo.protected_tags = list(repo.protected_tags or []) + [rule]
    return 201, rule


def admin_reset(world, req):
    world.load()
    return 200, {"reset": True}


def admin_faults(world, req):
    if req.method == "POST":
        world.faults.configure(parse_body(req.headers, req.body, "admin"), world.opts)
    body = world.faults.to_json()
    body["pipeline_ms"] = world.opts.pipeline_ms
    return 200, body


def admin_switches(world, req):
    if req.method == "POST":
        body = parse_body(req.headers, req.body, "admin")
        details = body.get("github_dispatch_run_details", "return")
        if details not in DISPATCH_DETAILS:
            raise ApiError(400, {"message": "github_dispatch_run_details must be one of %s"
                                 % ", ".join(DISPATCH_DETAILS)})
        world.switches.update(body)
    return 200, dict(world.switches)


def admin_replay(world, req):
    if world.replay is None:
        raise ApiError(404, {"message": "not in replay mode"})
    return 200, world.replay.status()


ADMIN_ROUTES = {
    ("GET", "/_forge/state"): admin_state,
    ("GET", "/_forge/file"): admin_file,
    ("GET", "/_forge/history"): admin_history,
    ("POST", "/_forge/push"): admin_push,
    ("GET", "/_forge/requests"): admin_requests,
    ("DELETE", "/_forge/requests"): admin_requests,
    ("POST", "/_forge/reset"): admin_reset,
    ("POST", "/_forge/protect"): admin_protect,
    ("GET", "/_forge/faults"): admin_faults,
    ("POST", "/_forge/faults"): admin_faults,
    ("GET", "/_forge/switches"): admin_switches,
    ("POST", "/_forge/switches"): admin_switches,
    ("GET", "/_forge/replay"): admin_replay,
}


def dispatch_admin(world, req):
    handler = ADMIN_ROUTES.get((req.method, req.path.rstrip("/")))
    try:
        if handler is None:
            raise ApiError(404, {"message": "unknown admin endpoint '%s %s'" %
                                 (req.method, req.path)})
        out = handler(world, req)
        return out[0], out[1], (out[2] if len(out) > 2 else {})
    except ApiError as e:
        return e.status, e.body, e.headers
    except Exception as e:  # malformed admin input
        return 400, {"message": "bad admin request: %s" % e}, {}


# --------------------------------------------------------------------------
# Strict replay of recorded exchanges (fixtures/api/FORMAT.md)
# --------------------------------------------------------------------------

def redacted_equal(expected, actual):
    """JSON equality where '[REDACTED]' in expected matches any value."""
    if expected == "[REDACTED]":
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and \
            all(redacted_equal(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and \
            all(redacted_equal(e, a) for e, a in zip(expected, actual))
    return expected == actual


def body_value(raw):
    """A body as FORMAT.md records it: JSON value, text, null or base64."""
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode()}
    try:
        return json.loads(text)
    except ValueError:
        return text


def body_bytes(value):
    if value is None:
        return b""
    if isinstance(value, dict) and list(value) == ["base64"]:
        return base64.b64decode(value["base64"])
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()


class Replay:
    def __init__(self, folder):
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
        self.exchanges = []
        for n in names:
            with open(os.path.join(folder, n), encoding="utf-8") as f:
                self.exchanges.append((n, json.load(f)))
        self.pos = 0
        self.failures = []

    def status(self):
        remaining = len(self.exchanges) - self.pos
        return {"done": remaining == 0, "failures": self.failures, "remaining": remaining,
                "served": self.pos, "total": len(self.exchanges)}

    @staticmethod
    def mismatch(expected, actual):
        """The first difference between an expected and an actual request, or None."""
        if expected["method"] != actual["method"]:
            return "method: expected %s, got %s" % (expected["method"], actual["method"])
        ep, _, eq = expected["path"].partition("?")
        ap, _, aq = actual["path"].partition("?")
        if ep != ap:
            return "path: expected %s, got %s" % (ep, ap)
        eqs = sorted(urllib.parse.parse_qsl(eq, keep_blank_values=True))
        aqs = sorted(urllib.parse.parse_qsl(aq, keep_blank_values=True))
        if len(eqs) != len(aqs) or not all(
                e[0] == a[0] and (e[1] == "[REDACTED]" or e[1] == a[1]) for e, a in
                zip(eqs, aqs)):
            return "query: expected %s, got %s" % (eq or "(none)", aq or "(none)")
        lower = {k.lower(): v for k, v in actual["headers"].items()}
        for name, value in (expected.get("headers") or {}).items():
            got = lower.get(name.lower())
            if got is None:
                return "header %s: missing" % name
            if value != "[REDACTED]" and got != value:
                return "header %s: expected %r, got %r" % (name, value, got)
        if not redacted_equal(expected.get("body"), actual["body"]):
            return "body differs"
        return None

    def answer(self, method, raw_path, headers, raw_body):
        actual = {"method": method, "path": raw_path, "headers": dict(headers),
                  "body": body_value(raw_body)}
        shown = dict(actual, headers={k: ("[REDACTED]" if k.lower() in (
            "authorization", "private-token", "job-token") else v)
            for k, v in actual["headers"].items()})
        if self.pos >= len(self.exchanges):
            return self.fail(None, None, shown, "unexpected request after the last exchange")
        name, ex = self.exchanges[self.pos]
        reason = self.mismatch(ex["request"], actual)
        if reason:
            return self.fail(name, ex["request"], shown, reason)
        self.pos += 1
        resp = ex["response"]
        headers = dict(resp.get("headers") or {})
        return resp["status"], body_bytes(resp.get("body")), headers

    def fail(self, name, expected, actual, reason):
        exp_text = json.dumps(expected, indent=2, sort_keys=True).splitlines(True) \
            if expected else []
        act_text = json.dumps(actual, indent=2, sort_keys=True).splitlines(True)
        diff = "".join(difflib.unified_diff(exp_text, act_text, "expected", "actual"))
        failure = {"exchange": name, "index": self.pos, "reason": reason, "diff": diff}
        self.failures.append(failure)
        body = {"message": "replay mismatch at %s: %s" % (name or "end", reason),
                "expected": expected, "actual": actual, "diff": diff}
        return 599, json.dumps(body, indent=2).encode(), {"Content-Type": "application/json"}


# --------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------

def encode_body(body, headers):
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        return body.encode()
    headers.setdefault("Content-Type", "application/json")
    return json.dumps(body).encode()


def fault_response(kind, forge, switches=None):
    """(status, body, headers) of an injected failure that applied nothing."""
    if kind == "secondary" and forge == "github" and (switches or {}).get(
            "secondary_retry_after"):
        # GitHub sometimes names the wait: then the client needs not guess
        status, body, headers = fault_response(kind, forge)
        return status, body, dict(headers, **{"Retry-After": str(
            switches["secondary_retry_after"])})
    if kind == "429":
        if forge == "github":
            body = {"message": "You have exceeded a secondary rate limit. Please wait a few "
                               "minutes before you try again.",
                    "documentation_url": GH_DOCS, "status": "429"}
            return 429, body, {"Retry-After": "1"}
        return 429, "Retry later\n", {"Retry-After": "1", "Content-Type": "text/plain"}
    if kind == "secondary" and forge == "github":
        # https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits:
        # 403 with a message, x-ratelimit-remaining not 0, no Retry-After
        body = {"message": "You have exceeded a secondary rate limit. Please wait a few "
                           "minutes before you try again. If you reach out to GitHub "
                           "Support for help, please include the request ID.",
                "documentation_url": GH_DOCS + "/overview/rate-limits-for-the-rest-api",
                "status": "403"}
        return 403, body, {"X-RateLimit-Remaining": "4990", "X-RateLimit-Limit": "5000"}
    if kind == "secondary":  # GitLab has no secondary limits: its plain 429
        return 429, "Retry later\n", {"Retry-After": "1", "Content-Type": "text/plain"}
    if kind in ("502", "503"):
        text = {"502": "502 Bad Gateway", "503": "503 Service Unavailable"}[kind]
        return int(kind), "<html><body><h1>%s</h1></body></html>\n" % text, \
            {"Content-Type": "text/html"}
    body = {"message": "500 Internal Server Error"} if forge == "gitlab" else \
        {"message": "Server Error", "documentation_url": GH_DOCS, "status": "500"}
    return 500, body, {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answers are written in several pieces; with Nagle's algorithm each would
    # wait for the client's delayed ACK (~40 ms), a stall real forges don't have.
    disable_nagle_algorithm = True
    server_version = "forge/1.0"

    def setup(self):
        ctx = getattr(self.server, "ssl_context", None)
        if ctx is not None:
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        if self.server.world.opts.verbose:
            sys.stderr.write("forge: " + (fmt % args) + "\n")

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (OSError, ValueError):
            self.close_connection = True

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def base_url(self):
        scheme = "https" if getattr(self.server, "ssl_context", None) else "http"
        return "%s://%s" % (scheme, self.headers.get("Host") or "127.0.0.1:%d" %
                            self.server.server_address[1])

    def handle_any(self):
        world = self.server.world
        body = self.read_body()
        req = Req(world, self.command, self.path, self.headers, body, self.base_url())
        if req.path.startswith("/_forge/"):
            with world.lock:
                status, rbody, headers = dispatch_admin(world, req)
            return self.send(status, rbody, headers)
        if world.replay is not None:
            with world.lock:
                status, rbody, headers = world.replay.answer(
                    self.command, self.path, self.headers.items(), body)
            return self.send(status, rbody, headers)
        self.serve_api(world, req)

    def serve_api(self, world, req):
        forge = "gitlab" if req.path.startswith(GITLAB_PREFIX + "/") else \
            "github" if req.path.startswith(GITHUB_PREFIX + "/") or \
            req.path == GITHUB_PREFIX else None
        with world.lock:
            world.seq += 1
            seq = world.seq
            fault = world.faults.pick(seq, self.command, self.path)
            delay = world.faults.delay(seq)
        if delay:
            time.sleep(delay)
        if forge is None:
            status, rbody, headers = 404, {"message": "Not Found"}, {}
        elif fault in ("500", "502", "503", "429", "secondary", "reset") or \
                (fault == "cut-body" and self.command in MUTATING):
            status, rbody, headers = fault_response(fault, forge, world.switches)
        else:
            with world.lock:
                status, rbody, headers = dispatch_api(world, req, forge, fault)
        auth = any(self.headers.get(h) for h in ("Authorization", "PRIVATE-TOKEN", "JOB-TOKEN")) \
            or any(k in req.query for k in ("private_token", "job_token", "access_token"))
        with world.lock:
            world.log_request({"seq": seq, "method": self.command,
                               "path": redact_query(self.path), "status": status,
                               "auth": bool(auth), "fault": fault, "forge": forge,
                               "time": round(world.now(), 3)})
        if fault in ("reset", "applied-then-dropped"):
            return self.drop()
        self.send(status, rbody, headers, cut=fault in ("cut-body", "applied-cut-body"))

    def drop(self):
        """Closes the connection with a TCP reset, without a response."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def send(self, status, body, headers, cut=False):
        headers = dict(headers)
        data = encode_body(body, headers)
        if self.command == "HEAD":
            data = b""
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if cut:
            self.wfile.write(data[:max(1, len(data) // 2)])
            self.wfile.flush()
            return self.drop()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog: clients open many connections at once

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, OSError)):
            return
        super().handle_error(request, client_address)


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Fake GitLab + GitHub REST API server.")
    ap.add_argument("--ecosystem", help="folder with manifest.json and one folder per repo")
    ap.add_argument("--replay", help="folder of recorded exchanges to replay strictly")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--jitter-ms", type=float, default=0)
    ap.add_argument("--fail-rate", type=float, default=0.0)
    ap.add_argument("--fail-seed", default="0")
    ap.add_argument("--fail-kinds", default=",".join(DEFAULT_FAULT_KINDS),
                    help="comma-separated: " + ",".join(FAULT_KINDS))
    ap.add_argument("--pipeline-ms", type=int, default=300)
    ap.add_argument("--log", help="append the request log as JSON lines to this file")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--gitlab-web-url", default="https://gitlab.com")
    ap.add_argument("--github-web-url", default="https://github.com")
    ap.add_argument("--github-raw-url", default="https://raw.githubusercontent.com")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args(argv)
    opts.fail_kinds = [k for k in opts.fail_kinds.split(",") if k]
    bad = [k for k in opts.fail_kinds if k not in FAULT_KINDS]
    if bad:
        ap.error("unknown fault kind '%s'" % bad[0])
    if not opts.ecosystem and not opts.replay:
        ap.error("one of --ecosystem or --replay is required")
    if bool(opts.tls_cert) != bool(opts.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    return opts


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        world = World(opts)
        world.epoch_start = time.time()
        world.replay = Replay(opts.replay) if opts.replay else None
    except (OSError, ValueError, KeyError) as e:
        sys.stderr.write("forge: cannot load: %s\n" % e)
        return 2
    server = Server((opts.host, opts.port), Handler)
    server.world = world
    server.ssl_context = None
    if opts.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
        server.ssl_context = ctx

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheme = "https" if opts.tls_cert else "http"
    print("forge listening on %s://%s:%d" % (scheme, opts.host, server.server_address[1]),
          flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        if world.log_file:
            world.log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
