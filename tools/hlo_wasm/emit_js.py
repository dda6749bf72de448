"""JavaScript-side artefacts of a compiled module.

JavaScript-side artefacts: the ES module loader (`NAME.mjs`), its TypeScript declarations
(`NAME.d.ts`) and the manifest (exports, memory layout, byte sizes).
"""

import json

from tools.hlo_wasm import dtypes
from tools.hlo_wasm.passes import memory

TYPED_ARRAY = {
    "f32": "Float32Array",
    "f64": "Float64Array",
    "s8": "Int8Array",
    "s16": "Int16Array",
    "s32": "Int32Array",
    "s64": "BigInt64Array",
    "u8": "Uint8Array",
    "u16": "Uint16Array",
    "u32": "Uint32Array",
    "u64": "BigUint64Array",
    "pred": "Uint8Array",
    "f16": "Uint16Array",
    "bf16": "Uint16Array",
}


def signature_line(sig: dict) -> str:
    """`f32[8], f32[8] -> f32[8]`: the logical signature for banners."""

    def one(e):
        return f"{e['dtype']}[{','.join(str(d) for d in e['shape'])}] {e['name']}"

    return ", ".join(one(e) for e in sig["inputs"]) + " -> " + ", ".join(one(e) for e in sig["outputs"])


def _entries(specs, leaves):
    out = []
    for s, leaf in zip(specs, leaves, strict=False):
        n = 1
        for d in s["shape"]:
            n *= d
        out.append(
            {
                "name": s["name"],
                "dtype": s["dtype"],
                "shape": list(s["shape"]),
                "offset": leaf.offset,
                "length": n,
                "bytes": n * dtypes.get(s["dtype"]).size,
            }
        )
    return out


def manifest(name: str, sig: dict, plan: memory.Plan, wasm_bytes: int, banner: str, relaxed_simd: bool = False) -> dict:
    """The manifest: exports, where inputs/outputs live, memory and module sizes.

    `relaxed_simd` records whether the module uses relaxed-SIMD instructions (the engine must
    enable the proposal to instantiate it).
    """
    return {
        "generator": banner.splitlines()[0],
        "format": "rules_jax.hlo_wasm.manifest/1",
        "name": name,
        "exports": {"memory": "memory", "function": name},
        "inputs": _entries(sig["inputs"], plan.inputs),
        "outputs": _entries(sig["outputs"], plan.outputs),
        "memory": {
            "bytes": plan.size,
            "pages": max(1, -(-plan.size // 65536)),
            "constants_bytes": sum(lit.nbytes for _, lit in plan.constants),
        },
        "wasm_bytes": wasm_bytes,
        "relaxed_simd": relaxed_simd,
    }


_MJS = """{banner}
// Usage:
//   import {{ load }} from "./{name}.mjs";
//   const m = await load();
//   const result = m.{name}({args});  // {ret}
// Works in Node (reads {name}.wasm next to this file) and in browsers (fetches it).

const INPUTS = {inputs};
const OUTPUTS = {outputs};
const RELAXED_SIMD = {relaxed_simd};

async function wasmBytes() {{
  const url = new URL("{name}.wasm", import.meta.url);
  if (url.protocol === "file:" && typeof process !== "undefined" && process.versions?.node) {{
    const {{ readFile }} = await import("node:fs/promises");
    return readFile(url);
  }}
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${{url}}: ${{response.status}}`);
  return response.arrayBuffer();
}}

async function instantiate() {{
  try {{
    return await WebAssembly.instantiate(await wasmBytes(), {{}});
  }} catch (e) {{
    if (RELAXED_SIMD && e instanceof WebAssembly.CompileError) {{
      throw new WebAssembly.CompileError(
        "{name}.wasm uses relaxed-SIMD instructions (built with relaxed_simd = True) and this " +
        "engine does not enable them; Node 20 needs --experimental-wasm-relaxed-simd: " + e.message);
    }}
    throw e;
  }}
}}

/** Instantiates the module; resolves to {{ {name}, memory, instance }}. */
export async function load() {{
  const {{ instance }} = await instantiate();
  const memory = instance.exports.memory;
  const run = instance.exports["{name}"];
  function {name}(...args) {{
    if (args.length !== INPUTS.length) {{
      throw new TypeError(`{name} takes ${{INPUTS.length}} arguments, got ${{args.length}}`);
    }}
    INPUTS.forEach((spec, i) => {{
      const a = args[i];
      if (!a || a.length !== spec.length) {{
        throw new TypeError(`argument ${{spec.name}} must have ${{spec.length}} elements`);
      }}
      new globalThis[spec.type](memory.buffer, spec.offset, spec.length).set(a);
    }});
    run();
    const outs = OUTPUTS.map(
      (spec) => new globalThis[spec.type](memory.buffer, spec.offset, spec.length).slice());
    return outs.length === 1 ? outs[0] : outs;
  }}
  return {{ {name}, memory, instance }};
}}
"""


def _js_specs(entries, sig_entries):
    return json.dumps(
        [
            {
                "name": e["name"],
                "type": TYPED_ARRAY[e["dtype"]],
                "offset": e["offset"],
                "length": e["length"],
            }
            for e in entries
        ]
    )


def mjs(name: str, sig: dict, plan: memory.Plan, banner: str, relaxed_simd: bool = False) -> str:
    """The ES module loader; a relaxed-SIMD module's loader says which flag a failing engine lacks."""
    ins = _entries(sig["inputs"], plan.inputs)
    outs = _entries(sig["outputs"], plan.outputs)
    ret = (
        "[" + ", ".join(TYPED_ARRAY[o["dtype"]] for o in outs) + "]" if len(outs) > 1 else TYPED_ARRAY[outs[0]["dtype"]]
    )
    return _MJS.format(
        banner="\n".join(f"// {line}" for line in banner.splitlines()),
        name=name,
        args=", ".join(e["name"] for e in ins),
        ret=ret,
        inputs=_js_specs(ins, sig["inputs"]),
        outputs=_js_specs(outs, sig["outputs"]),
        relaxed_simd="true" if relaxed_simd else "false",
    )


def dts(name: str, sig: dict, banner: str) -> str:
    """TypeScript declarations for the ES module."""
    args = ", ".join(
        f"{e['name']}: {TYPED_ARRAY[e['dtype']]} | ArrayLike<number>"
        if TYPED_ARRAY[e["dtype"]][:3] != "Big"
        else f"{e['name']}: {TYPED_ARRAY[e['dtype']]}"
        for e in sig["inputs"]
    )
    outs = [TYPED_ARRAY[e["dtype"]] for e in sig["outputs"]]
    ret = outs[0] if len(outs) == 1 else "[" + ", ".join(outs) + "]"
    lines = [f"// {line}" for line in banner.splitlines()]
    lines += [
        f"export interface {name}Module {{",
        f"  /** {signature_line(sig)} */",
        f"  {name}({args}): {ret};",
        "  memory: WebAssembly.Memory;",
        "  instance: WebAssembly.Instance;",
        "}",
        f"export function load(): Promise<{name}Module>;",
        "",
    ]
    return "\n".join(lines)
