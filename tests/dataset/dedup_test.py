"""Tests of exact and near-duplicate removal (tools/dataset/dedup.py)."""

from absl.testing import absltest

from tools.dataset import dedup

_HLO = """HloModule jit_f, entry_computation_layout={(f32[3]{0})->f32[3]{0}}

ENTRY main.2 {
  x.1 = f32[3]{0} parameter(0)
  ROOT sin.1 = f32[3]{0} sine(x.1)
}
"""


def _record(source, shape=(3,), hlo=_HLO, index=0):
    return {
        "id": "0-%d" % index,
        "source": source,
        "inputs": [{"dtype": "f32", "shape": list(shape)}],
        "transform": {"kind": "none"},
        "hlo": hlo,
    }


_SRC = 'def f(x):\n    """Doc."""\n    a = jnp.sin(x) * 2.0\n    return a\n'


class DedupTest(absltest.TestCase):
    def test_exact_duplicate(self):
        d = dedup.Deduplicator()
        self.assertTrue(d.accept(_record(_SRC)))
        self.assertFalse(d.accept(_record(_SRC, index=1)))
        self.assertEqual(d.counts, {"total": 2, "kept": 1, "exact": 1, "near_source": 0, "near_hlo": 0})

    def test_renamed_variables_and_constants_are_near_duplicates(self):
        other = 'def f(y):\n    """Other doc."""\n    b = jnp.sin(y) * 3.0\n    return b\n'
        d = dedup.Deduplicator()
        d.accept(_record(_SRC))
        self.assertFalse(d.accept(_record(other, shape=(5,), hlo=_HLO.replace("f32[3]", "f32[5]"))))
        self.assertEqual(d.counts["near_source"], 1)

    def test_different_function_is_kept(self):
        other = 'def f(x):\n    """Doc."""\n    a = jnp.cos(x) * 2.0\n    return a\n'
        d = dedup.Deduplicator()
        d.accept(_record(_SRC))
        self.assertTrue(d.accept(_record(other, hlo=_HLO.replace("sine", "cosine"))))
        self.assertEqual(d.counts["kept"], 2)

    def test_same_hlo_up_to_names_is_a_near_duplicate(self):
        renamed = _HLO.replace("x.1", "arg.7").replace("sin.1", "out.3").replace("main.2", "main.9")
        spelled = 'def f(x):\n    """Doc."""\n    return jnp.sin(x)\n'
        d = dedup.Deduplicator()
        d.accept(_record(_SRC))
        self.assertFalse(d.accept(_record(spelled, hlo=renamed)))
        self.assertEqual(d.counts["near_hlo"], 1)

    def test_normalise_source_keeps_attribute_names(self):
        self.assertEqual(dedup.normalise_source("a = jnp.sum(b, axis=1)\n"), "v0 = jnp . sum ( v1 , v2 = 0 ) \n")

    def test_filter_keeps_order(self):
        records = [
            _record(_SRC, index=0),
            _record(_SRC, index=1),
            _record(_SRC.replace("sin", "tan"), hlo=_HLO.replace("sine", "tan"), index=2),
        ]
        kept = list(dedup.Deduplicator().filter(records))
        self.assertEqual([r["id"] for r in kept], ["0-0", "0-2"])


if __name__ == "__main__":
    absltest.main()
