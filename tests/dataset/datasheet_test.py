"""The datasheet (docs/dataset.md) documents every record field and every category."""

import os
import re

from absl.testing import absltest

from tools.dataset import generator, record


def _datasheet() -> str:
    root = os.environ.get("TEST_SRCDIR")
    candidates = [os.path.join(root, os.environ.get("TEST_WORKSPACE", ""), "docs", "dataset.md")] if root else []
    candidates.append(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "dataset.md"))
    for path in candidates:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as stream:
                return stream.read()
    raise FileNotFoundError("docs/dataset.md")


class DatasheetTest(absltest.TestCase):
    def test_field_table_matches_the_schema(self):
        rows = re.findall(r"^\| `(\w+)` \| (.*) \|$", _datasheet(), re.M)
        fields = {name: text for name, text in rows if name not in generator.CATEGORIES}
        self.assertEqual(sorted(fields), sorted(record.FIELDS))
        for name, (_, meaning) in record.FIELDS.items():
            self.assertEqual(fields[name], meaning.replace("->", "→"), name)

    def test_every_category_is_described(self):
        rows = re.findall(r"^\s*\| `(\w+)` \|", _datasheet(), re.M)
        self.assertContainsSubset(generator.CATEGORIES, rows)


if __name__ == "__main__":
    absltest.main()
