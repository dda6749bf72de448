"""Meta-test: every registered op and dtype has a differential test.

Meta-test: every registered op has a differential test (a `COVERED` entry in some test
module), every op the issue lists is registered, and every registered dtype is covered.
"""

import importlib

from absl.testing import absltest

from tools.hlo_wasm import registry

_TEST_MODULES = (
    "elementwise_test",
    "shape_test",
    "reduce_test",
    "dot_conv_test",
    "indexing_sort_test",
    "control_test",
    "math_test",
    "rng_test",
)

# The coverage list of issue 3 (HLO opcode spellings).
ISSUE_OPS = [
    "parameter",
    "constant",
    "iota",
    "broadcast",
    "reshape",
    "bitcast",
    "transpose",
    "convert",
    "bitcast-convert",
    "slice",
    "dynamic-slice",
    "dynamic-update-slice",
    "concatenate",
    "pad",
    "reverse",
    "select",
    "clamp",
    "compare",
    "add",
    "subtract",
    "multiply",
    "divide",
    "remainder",
    "maximum",
    "minimum",
    "power",
    "negate",
    "abs",
    "sign",
    "floor",
    "ceil",
    "round-nearest-afz",
    "round-nearest-even",
    "sqrt",
    "rsqrt",
    "cbrt",
    "exponential",
    "exponential-minus-one",
    "log",
    "log-plus-one",
    "logistic",
    "tanh",
    "sine",
    "cosine",
    "tan",
    "atan2",
    "erf",
    "is-finite",
    "not",
    "and",
    "or",
    "xor",
    "shift-left",
    "shift-right-logical",
    "shift-right-arithmetic",
    "popcnt",
    "count-leading-zeros",
    "reduce",
    "reduce-window",
    "select-and-scatter",
    "dot",
    "convolution",
    "gather",
    "scatter",
    "sort",
    "while",
    "conditional",
    "call",
    "tuple",
    "get-tuple-element",
]


def covered() -> dict:
    out: dict = {}
    for name in _TEST_MODULES:
        mod = importlib.import_module(f"tests.hlo_wasm.{name}")
        for op, dts in mod.COVERED.items():
            out.setdefault(op, set()).update(dts)
    return out


class RegistryMetaTest(absltest.TestCase):
    def test_every_registered_op_has_a_test(self):
        cov = covered()
        missing = sorted(set(registry.all_ops()) - set(cov))
        self.assertEmpty(missing, f"registered ops without a differential test: {missing}")

    def test_issue_ops_are_registered(self):
        missing = sorted(set(ISSUE_OPS) - set(registry.all_ops()))
        self.assertEmpty(missing, f"ops from the coverage list with no registry entry: {missing}")

    def test_registered_dtypes_are_tested(self):
        cov = covered()
        gaps = {}
        for name, op in registry.all_ops().items():
            untested = set(op.dtypes) - cov.get(name, set())
            if untested and name in cov:
                gaps[name] = sorted(untested)
        self.assertEmpty(gaps, f"dtypes an op claims but no test covers: {gaps}")


if __name__ == "__main__":
    absltest.main()
