"""The fake forge's state: repositories with real commit history (commits,
trees, blobs, tags, rulesets), GitLab pipelines and GitHub workflow runs,
and the World holding all of them with the tokens, users and switches of the
ecosystem it was loaded from.

Standard library only.
"""

import datetime
import difflib
import fnmatch
import hashlib
import json
import os
import re
import threading
import time
import urllib.parse

from faults import Faults


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def sha1_hex(data):
    return hashlib.sha1(data).hexdigest()


def git_blob_sha(data):
    """git's blob id: SHA-1 of 'blob <len>\\0<bytes>'."""
    return sha1_hex(b"blob %d\0" % len(data) + data)


def parse_ts(s):
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", s):
        s += "T00:00:00Z"
    s = s.replace("Z", "+00:00")
    d = datetime.datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def wildcard_match(pattern, value):
    return fnmatch.fnmatchcase(str(value), pattern)


# --------------------------------------------------------------------------
# GitHub ruleset matching
# --------------------------------------------------------------------------

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

    def diffs(self, base, head):
        """The files changed from commit base (None: none) to head, in GitLab's
        diff shape (GitHub's compare reads it too), path order."""
        a = self.commits[base].tree if base else {}
        b = self.commits[head].tree
        out = []
        for path in sorted(set(a) | set(b)):
            if a.get(path) == b.get(path):
                continue
            old = self.blobs[a[path][1]].decode("utf-8", "replace") if path in a else ""
            new = self.blobs[b[path][1]].decode("utf-8", "replace") if path in b else ""
            diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True)))
            out.append({"old_path": path, "new_path": path, "a_mode": a.get(path, ("0",))[0],
                        "b_mode": b.get(path, ("0",))[0], "diff": diff,
                        "new_file": path not in a, "renamed_file": False,
                        "deleted_file": path not in b, "generated_file": False})
        return out

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

class Execution:
    """What a pipeline and a workflow run share: created now, it runs for
    pipeline_ms (for ever when its outcome is "hang"), then ends with its
    outcome unless canceled first."""

    def __init__(self, world, repo, xid, ref, sha, outcome):
        self.world = world
        self.repo = repo
        self.id = xid
        self.ref = ref
        self.sha = sha
        self.outcome = outcome
        self.created = world.now()
        self.duration = world.opts.pipeline_ms / 1000.0
        self.canceled = None

    def stage(self, now, early):
        """Where it stands at `now`: "canceled"; else the first of `early`
        ((name, share of the duration it lasts to)) not yet over; else
        "running" until the duration is over; else "done"."""
        if self.canceled is not None:
            return "canceled"
        el = now - self.created
        for name, share in early:
            if el < share * self.duration:
                return name
        if el < self.duration or self.outcome == "hang":
            return "running"
        return "done"


class Pipeline(Execution):
    def __init__(self, world, repo, pid, ref, sha, tag, source, variables, rule, outcome, user):
        super().__init__(world, repo, pid, ref, sha, outcome)
        self.iid = len(repo.pipelines) + 1
        self.tag = tag
        self.source = source
        self.variables = variables
        self.rule = rule
        self.user = user
        self.jobs = []
        self.bridges = []         # (job dict, downstream Pipeline)

    def own_status(self, now):
        st = self.stage(now, (("created", 0.15), ("pending", 0.35)))
        return self.outcome if st == "done" else st

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


class Run(Execution):
    def __init__(self, world, repo, rid, workflow, ref, sha, event, inputs, outcome):
        super().__init__(world, repo, rid, ref, sha, outcome)
        self.workflow = workflow
        self.event = event
        self.inputs = inputs
        self.number = 1 + sum(1 for r in repo.runs if r.workflow["id"] == workflow["id"])

    def status(self):
        st = self.stage(self.world.now(), (("queued", 0.3),))
        if st == "canceled":
            return "completed", "cancelled"
        if st == "done":
            return "completed", "success" if self.outcome == "success" else "failure"
        return ("in_progress" if st == "running" else st), None


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
        self.gitlab_index = None  # (repos, their number, {id or path: repo})
        self.tokens = {}
        self.rate_used = {}
        self.content_requests = {}  # GitHub token -> times of its content-creating writes
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
        """The GitLab repository whose id or path is `raw` (URL-encoded), else None."""
        index = self.gitlab_index
        if index is None or index[0] is not self.repos or index[1] != len(self.repos):
            ids = {}
            for r in self.repos.values():  # the first repository of an id or path wins
                if r.forge == "gitlab":
                    ids.setdefault(str(r.id), r)
                    ids.setdefault(r.path, r)
            index = self.gitlab_index = (self.repos, len(self.repos), ids)
        return index[2].get(urllib.parse.unquote(raw))

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
