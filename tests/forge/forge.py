#!/usr/bin/env python3
"""A strict, stateful fake GitLab + GitHub REST API server on loopback.

One process serves both forges on one port: GitLab REST v4 under /api/v4 and
GitHub REST (Enterprise layout) under /api/v3. Repositories hold real commit
history in memory, seeded from an ecosystem folder (manifest.json plus one
folder of files per repository). Refusals use the real status codes and
messages (see ../shared/reference/api/). Admin endpoints live under /_forge/.

    python3 tests/forge/forge.py --ecosystem fixtures/ecosystem/waldur [--port 0]
    python3 tests/forge/forge.py --replay fixtures/api/gitlab

This file is the entry point; the forge itself is in the modules beside it:
model (repositories, commits, trees, pipelines, runs, the world's state),
gitlab and github (each forge's API), faults (fault injection, switches,
latency), api (what both forges' handlers share) and server (the HTTP
server, the admin endpoints, replay and main). What importers use is
re-exported here.

Standard library only.
"""

import sys

from api import ApiError, Req  # noqa: F401
from faults import DEFAULT_FAULT_KINDS, FAULT_KINDS, Faults  # noqa: F401
from github import GITHUB_PREFIX, GITHUB_ROUTES  # noqa: F401
from gitlab import GITLAB_PREFIX, GITLAB_ROUTES  # noqa: F401
from model import Commit, Pipeline, Repo, Run, Tag, World  # noqa: F401
from server import Handler, Replay, Server, main, parse_args  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())
