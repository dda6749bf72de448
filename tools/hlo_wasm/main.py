r"""Compiles HLO text into a WebAssembly module and its JavaScript glue.

Usage:
  python -m tools.hlo_wasm.main --hlo=NAME.hlo.txt --signature=NAME.signature.json \\
      --name=NAME --out_wasm=NAME.wasm --out_wat=NAME.wat --out_mjs=NAME.mjs \\
      --out_dts=NAME.d.ts --out_manifest=NAME.manifest.json [--relaxed_simd]

Flags (also readable from a param file with --flagfile):
  --hlo           HLO text as `jax_hlo` writes it (before or after XLA optimisation).
  --signature     NAME.signature.json (rules_jax.signature/1); gives argument order and names.
                  Optional: without it inputs are named in0.. and outputs out_0..
  --name          Export name: the WebAssembly function, the JS function and file stems.
  --label         Optional source label named in the generated banners (a Bazel label).
  --relaxed_simd  Let the module use relaxed-SIMD instructions (`f32x4.relaxed_madd`: one FMA
                  where the host has it). Default false: the module then runs in every engine
                  with SIMD. The manifest records the choice (`"relaxed_simd": true/false`).
  --out_*         Where to write each artefact; any of them may be omitted.

Exit status 1 with a message naming the op, its HLO line and the backend when the HLO uses
something this compiler does not support; it never writes a silently wrong module.
"""

import json
import sys

from absl import app, flags

from tools.hlo_wasm import compile as compiler
from tools.hlo_wasm import ir

_HLO = flags.DEFINE_string("hlo", None, "HLO text file.", required=True)
_SIGNATURE = flags.DEFINE_string("signature", None, "NAME.signature.json.")
_NAME = flags.DEFINE_string("name", None, "Export name (a C identifier).", required=True)
_LABEL = flags.DEFINE_string("label", "", "Source label for the banners.")
_RELAXED_SIMD = flags.DEFINE_bool(
    "relaxed_simd", False, "Use relaxed-SIMD instructions (f32x4.relaxed_madd); the engine must enable them."
)
_OUT_WASM = flags.DEFINE_string("out_wasm", None, "Output .wasm.")
_OUT_WAT = flags.DEFINE_string("out_wat", None, "Output .wat.")
_OUT_MJS = flags.DEFINE_string("out_mjs", None, "Output .mjs (ES module loader).")
_OUT_DTS = flags.DEFINE_string("out_dts", None, "Output .d.ts.")
_OUT_MANIFEST = flags.DEFINE_string("out_manifest", None, "Output manifest JSON.")


def main(argv):
    """Compiles; returns the exit code."""
    del argv
    with open(_HLO.value, encoding="utf-8") as f:
        text = f.read()
    sig = None
    if _SIGNATURE.value:
        with open(_SIGNATURE.value, encoding="utf-8") as f:
            sig = json.load(f)
    try:
        art = compiler.compile_hlo(text, _NAME.value, sig, _LABEL.value, relaxed_simd=_RELAXED_SIMD.value)
    except ir.CompileError as e:
        print(f"hlo_wasm: error: {e}", file=sys.stderr)
        return 1
    outputs = [
        (_OUT_WASM.value, art.wasm),
        (_OUT_WAT.value, art.wat),
        (_OUT_MJS.value, art.mjs),
        (_OUT_DTS.value, art.dts),
        (_OUT_MANIFEST.value, art.manifest),
    ]
    for path, data in outputs:
        if path:
            mode = "wb" if isinstance(data, bytes) else "w"
            with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
                f.write(data)
    return 0


if __name__ == "__main__":
    app.run(main)
