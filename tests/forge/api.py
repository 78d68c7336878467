"""What the API handlers of both forges share: the ApiError they raise, the
request context, and the page links of paginated answers.

Standard library only.
"""

import functools
import urllib.parse


# --------------------------------------------------------------------------
# Errors and request context
# --------------------------------------------------------------------------

GH_DOCS = "https://docs.github.com/rest"

REDACT_KEYS = ("token", "job_token", "private_token", "access_token")


@functools.lru_cache(maxsize=4096)  # clients ask the same paths again and again
def redact_query(raw_path):
    """The path with token-like query values replaced, for logs."""
    path, _, query = raw_path.partition("?")
    if not query:
        return path
    parts = []
    for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
        parts.append((k, "[REDACTED]" if k in REDACT_KEYS else v))
    return path + "?" + urllib.parse.urlencode(parts, safe="[]")


class ApiError(Exception):
    """An HTTP error response: status, body (dict/list/str/bytes), headers."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


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


# --------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------

def page_window(req, default_per, error):
    per = req.int_param("per_page", default_per, error)
    page = req.int_param("page", 1, error)
    return max(1, min(per, 100)), max(1, page)


def page_links(req, page, pages, per, nxt=None):
    return link_header(req.base_url, req.full_path, tuple(req.query.items()), page, pages,
                       per, nxt)


@functools.lru_cache(maxsize=4096)  # a list read again and again: the same links
def link_header(base_url, full_path, query, page, pages, per, nxt):
    def url(n):
        q = dict(query)
        q["page"] = str(n)
        q["per_page"] = str(per)
        for k in REDACT_KEYS:
            q.pop(k, None)
        return "<%s%s?%s>" % (base_url, full_path, urllib.parse.urlencode(q))
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
