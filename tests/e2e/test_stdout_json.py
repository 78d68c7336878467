"""`--stdout --json`: the changelog entry as one JSON document
{"version", "entry"}, the same entry --stdout prints as text, nothing written."""
import json
import unittest

from release_env import last_seq, run, start_forge, writes

ENV = {"RELAPI_DATE": "2026-02-01"}


class StdoutJson(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def entry_json(self, *args):
        r = run(self.forge, *args, env=ENV)
        self.assertEqual(r.code, 0, r)
        doc = json.loads(r.out)  # one document, nothing else on stdout
        self.assertEqual(sorted(doc), ["entry", "version"], r.out)
        return doc

    def test_new_entry(self):
        text = run(self.forge, "changelog", "8.0.6", "--stdout", env=ENV)
        self.assertEqual(text.code, 0, text)
        doc = self.entry_json("changelog", "8.0.6", "--stdout", "--json")
        self.assertEqual(doc["version"], "8.0.6")
        self.assertEqual(doc["entry"], text.out)
        self.assertTrue(doc["entry"].startswith("## 8.0.6 - 2026-02-01\n"), doc)
        doc = self.entry_json("release", "8.0.6", "--only", "changelog", "--stdout",
                              "--json")
        self.assertEqual(doc["entry"], text.out)
        self.assertEqual(writes(self.forge), [])

    def test_existing_entry(self):
        r = run(self.forge, "changelog", "8.0.6-rc.1", env=ENV)
        self.assertEqual(r.code, 0, r)
        seq = last_seq(self.forge)
        doc = self.entry_json("changelog", "8.0.6-rc.1", "--stdout", "--json")
        self.assertEqual(doc["version"], "8.0.6-rc.1")
        self.assertTrue(doc["entry"].startswith("## 8.0.6-rc.1 - 2026-02-01\n"), doc)
        self.assertIn(doc["entry"], self.forge.file("waldur/waldur-docs", "master",
                                                    "docs/about/CHANGELOG.md").decode())
        self.assertEqual(writes(self.forge, seq), [])


if __name__ == "__main__":
    unittest.main()
