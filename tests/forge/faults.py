"""Fault injection for the fake forge: random and targeted faults by request,
latency, the answers of injected failures, and the switches that make the
forges answer in older or broken ways.

Standard library only.
"""

import math
import random
import re

from api import ApiError, GH_DOCS


FAULT_KINDS = ("500", "502", "503", "429", "secondary", "reset", "cut-body",
               "applied-then-dropped", "applied-cut-body", "exception")

DEFAULT_FAULT_KINDS = ("500", "502", "503", "429", "reset", "cut-body")

MUTATING = ("POST", "PUT", "PATCH", "DELETE")


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
        if not self.jitter_ms:  # no draw to make (a generator costs ~7 us to seed)
            return self.latency_ms / 1000.0 if self.latency_ms else 0.0
        rng = random.Random("latency:%s:%d" % (self.seed, seq))
        return (self.latency_ms + rng.random() * self.jitter_ms) / 1000.0


# --------------------------------------------------------------------------
# The answers of injected failures
# --------------------------------------------------------------------------

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
        return 403, gh_secondary_body(), {"X-RateLimit-Remaining": "4990",
                                          "X-RateLimit-Limit": "5000"}
    if kind == "secondary":  # GitLab has no secondary limits: its plain 429
        return 429, "Retry later\n", {"Retry-After": "1", "Content-Type": "text/plain"}
    if kind in ("502", "503"):
        text = {"502": "502 Bad Gateway", "503": "503 Service Unavailable"}[kind]
        return int(kind), "<html><body><h1>%s</h1></body></html>\n" % text, \
            {"Content-Type": "text/html"}
    return 500, server_error_body(forge), {}


def gh_secondary_body():
    """The body of GitHub's 403 for a secondary rate limit."""
    return {"message": "You have exceeded a secondary rate limit. Please wait a few "
                       "minutes before you try again. If you reach out to GitHub "
                       "Support for help, please include the request ID.",
            "documentation_url": GH_DOCS + "/overview/rate-limits-for-the-rest-api",
            "status": "403"}


def server_error_body(forge):
    """The body of the forge's own 500."""
    return {"message": "500 Internal Server Error"} if forge == "gitlab" else \
        {"message": "Server Error", "documentation_url": GH_DOCS, "status": "500"}


# --------------------------------------------------------------------------
# Switches
# --------------------------------------------------------------------------

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


DISPATCH_DETAILS = ("return", "omit", "reject")


def update_switches(switches, body):
    """Sets the switches `body` names; ApiError for a value a switch does not take."""
    details = body.get("github_dispatch_run_details", "return")
    if details not in DISPATCH_DETAILS:
        raise ApiError(400, {"message": "github_dispatch_run_details must be one of %s"
                             % ", ".join(DISPATCH_DETAILS)})
    content_limits(body.get("github_content_limits"))
    switches.update(body)


# --------------------------------------------------------------------------
# GitHub's secondary rate limit on content-creating requests
# --------------------------------------------------------------------------

# https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits:
# "no more than 80 content-generating requests per minute and no more than
# 500 content-generating requests per hour"
CONTENT_LIMITS = {"per_minute": 80, "per_hour": 500}
CONTENT_WINDOWS = (("per_minute", 60), ("per_hour", 3600))


def content_limits(value):
    """The limits of switch `github_content_limits`: None when off (false,
    null, absent), the documented ones for true, or those of an object
    {"per_minute": N, "per_hour": N} (a key left out keeps its documented
    number); ApiError for any other value."""
    if value is None or value is False:
        return None
    limits = dict(CONTENT_LIMITS)
    if isinstance(value, dict):
        bad = sorted(set(value) - set(limits))
        if bad:
            raise ApiError(400, {"message": "github_content_limits takes no '%s'" % bad[0]})
        limits.update(value)
    elif value is not True:
        raise ApiError(400, {"message": "github_content_limits must be true, false or "
                                        "{\"per_minute\": N, \"per_hour\": N}"})
    for key, n in limits.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ApiError(400, {"message": "github_content_limits: %s must be a whole "
                                            "number of at least 1" % key})
    return limits


def content_wait(times, limits, now):
    """Seconds from `now` until one more request fits every window, 0 when
    it fits now; `times`: the counted requests' times, oldest first."""
    wait = 0.0
    for key, span in CONTENT_WINDOWS:
        inside = [t for t in times if t > now - span]
        over = len(inside) - limits[key] + 1
        if over > 0:  # the over-th oldest must leave the window first
            wait = max(wait, inside[over - 1] + span - now)
    return wait


def check_content_limits(world, token, now):
    """Switch `github_content_limits`: counts a content-creating request
    (POST, PATCH, PUT, DELETE) of `token` in sliding windows of a minute and
    an hour; once one is full, GitHub's secondary-limit 403 with Retry-After
    (whole seconds until the window takes one more) instead, not counted."""
    limits = content_limits(world.switches.get("github_content_limits"))
    if limits is None:
        return
    times = world.content_requests.setdefault(token, [])
    while times and times[0] <= now - CONTENT_WINDOWS[-1][1]:
        times.pop(0)
    wait = content_wait(times, limits, now)
    if wait > 0:
        raise ApiError(403, gh_secondary_body(),
                       {"Retry-After": str(max(1, math.ceil(wait)))})
    times.append(now)
