"""Connections: each request log entry's `conn` names the TCP connection the
request came on; GET /_forge/connections counts the connections accepted."""

import http.client
import time
import unittest

from harness import ForgeTestCase

HELM = "/api/v4/projects/waldur%2Fwaldur-helm"


class ConnectionsTest(ForgeTestCase):
    def open(self):
        conn = http.client.HTTPConnection(self.forge.host, self.forge.port, timeout=10)
        self.addCleanup(conn.close)
        return conn

    def get(self, conn, path):
        """A GitLab GET on `conn`, left open (keep-alive)."""
        conn.request("GET", path, headers={"PRIVATE-TOKEN": self.forge.token("gitlab_write")})
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 200, path)
        self.assertFalse(resp.will_close, "the forge closed a keep-alive connection")

    def test_keep_alive_requests_share_an_id(self):
        self.forge.clear_requests()
        one, two = self.open(), self.open()
        self.get(one, HELM)
        self.get(two, HELM + "/repository/tags")
        self.get(one, HELM + "/repository/branches")
        self.forge.gitlab("GET", "/projects/104")  # a connection of its own
        log = self.forge.requests()
        self.assertEqual([r["path"] for r in log],
                         [HELM, HELM + "/repository/tags", HELM + "/repository/branches",
                          "/api/v4/projects/104"])
        conns = [r["conn"] for r in log]
        self.assertTrue(all(isinstance(c, int) for c in conns), conns)
        self.assertEqual(conns[0], conns[2])
        self.assertEqual(len({conns[0], conns[1], conns[3]}), 3, conns)

    def test_connections_counted(self):
        f = self.forge
        before = f.connections()
        conn = self.open()
        for _ in range(3):
            self.get(conn, HELM)
        f.gitlab("GET", "/projects/104")
        f.github("GET", "/repos/waldur/py-client")
        # one keep-alive connection, two of their own, and the asking one
        self.assertEqual(f.connections(), before + 4)
        ids = {r["conn"] for r in f.requests()}
        self.assertTrue(all(before < c <= before + 4 for c in ids), (before, ids))

    def test_ids_not_restarted_by_reset(self):
        f = self.forge
        f.gitlab("GET", "/projects/104")
        first = f.requests()[-1]["conn"]
        f.reset()
        f.gitlab("GET", "/projects/104")
        self.assertGreater(f.requests()[-1]["conn"], first)


class ConnectCostTest(ForgeTestCase):
    """--connect-ms: a new connection's first API answer waits that long (what
    the TCP and TLS handshakes cost on a real network); later ones on it do
    not, and the admin endpoints never do."""

    FORGE_ARGS = ("--connect-ms", "300")

    def timed_get(self, conn):
        t0 = time.monotonic()
        conn.request("GET", HELM, headers={"PRIVATE-TOKEN": self.forge.token("gitlab_write")})
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 200)
        return time.monotonic() - t0

    def test_admin_endpoints_pay_nothing(self):
        t0 = time.monotonic()
        self.forge.connections()
        self.assertLess(time.monotonic() - t0, 0.3)

    def test_first_answer_waits(self):
        conn = http.client.HTTPConnection(self.forge.host, self.forge.port, timeout=10)
        self.addCleanup(conn.close)
        self.assertGreaterEqual(self.timed_get(conn), 0.3)
        before = self.forge.connections()
        self.timed_get(conn)
        # the second request came on the same connection: no second handshake
        self.assertEqual(self.forge.connections(), before + 1)  # the asking one


if __name__ == "__main__":
    unittest.main()
