"""Schema and byte-level reproducibility of records (tools/dataset/record.py, sample.py)."""

import json

from absl.testing import absltest

from tools.dataset import record, sample


class RecordTest(absltest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.records = [sample.make(11, i, 3) for i in range(10)]

    def test_records_follow_the_schema(self):
        for rec in self.records:
            self.assertEqual(record.check(rec), [], rec["id"])
            self.assertEqual(set(rec), set(record.FIELDS))

    def test_same_seed_gives_the_same_bytes(self):
        again = [record.dumps(sample.make(11, i, 3)) for i in range(10)]
        self.assertEqual(again, [record.dumps(r) for r in self.records])

    def test_line_is_one_line_of_json_that_round_trips(self):
        line = record.dumps(self.records[0])
        self.assertEqual(line.count("\n"), 1)
        self.assertEqual(json.loads(line), self.records[0])

    def test_check_rejects_a_tampered_record(self):
        rec = dict(self.records[0], source=self.records[0]["source"] + "# edited\n")
        self.assertIn("content_hash does not match the content", record.check(rec))
        rec = dict(self.records[0])
        del rec["hlo"]
        self.assertIn("missing field 'hlo'", record.check(rec))

    def test_no_host_paths_in_records(self):
        for rec in self.records:
            self.assertNotIn("/work/", record.dumps(rec))
            self.assertNotIn("site-packages", record.dumps(rec))

    def test_hlo_ops_counts_every_instruction(self):
        hlo = "ENTRY main {\n  x = f32[2] parameter(0)\n  y = f32[2] sine(x)\n"
        hlo += "  ROOT t = (f32[2], f32[2]) tuple(x, y)\n}\n"
        self.assertEqual(record.hlo_ops(hlo), {"parameter": 1, "sine": 1, "tuple": 1})


if __name__ == "__main__":
    absltest.main()
