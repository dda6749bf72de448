"""hlo_wasm_binary: compiles a jax_hlo target's HLO to WebAssembly with our own compiler."""

load("//rules:providers.bzl", "JaxHloInfo", "WasmModuleInfo")

_EXTENSIONS = {
    "dts": ".d.ts",
    "manifest": ".manifest.json",
    "mjs": ".mjs",
    "wasm": ".wasm",
    "wat": ".wat",
}

def _hlo_wasm_binary_impl(ctx):
    hlo_info = ctx.attr.src[JaxHloInfo]
    if ctx.attr.optimized_hlo and not hlo_info.optimized_hlo:
        fail("%s: attribute `optimized_hlo`: %s was built without `optimized_hlo = True`" % (ctx.label, ctx.attr.src.label))
    hlo = hlo_info.optimized_hlo if ctx.attr.optimized_hlo else hlo_info.hlo
    name = ctx.label.name
    outputs = {kind: ctx.actions.declare_file(name + ext) for kind, ext in _EXTENSIONS.items()}

    args = ctx.actions.args()
    args.add(hlo, format = "--hlo=%s")
    args.add(hlo_info.signature, format = "--signature=%s")
    args.add(name, format = "--name=%s")
    if ctx.attr.relaxed_simd:
        args.add("--relaxed_simd")
    for kind in sorted(outputs.keys()):
        args.add(outputs[kind], format = "--out_" + kind + "=%s")
    ctx.actions.run(
        executable = ctx.executable._compiler,
        arguments = [args],
        inputs = [hlo, hlo_info.signature],
        outputs = outputs.values(),
        mnemonic = "HloWasm",
        progress_message = "Compiling %s to WebAssembly" % ctx.label,
        env = {"PYTHONHASHSEED": "0", "PYTHONSAFEPATH": "1"},
    )
    return [
        DefaultInfo(files = depset([outputs["wasm"], outputs["mjs"], outputs["dts"]])),
        OutputGroupInfo(**{kind: depset([f]) for kind, f in outputs.items()}),
        WasmModuleInfo(
            name = name,
            signature = hlo_info.signature,
            reference = hlo_info.reference,
            relaxed_simd = ctx.attr.relaxed_simd,
            **outputs
        ),
    ]

hlo_wasm_binary = rule(
    implementation = _hlo_wasm_binary_impl,
    doc = """Compiles the HLO of a `jax_hlo` target to a WebAssembly module with rules_jax's own compiler.

Writes `NAME.wasm` (imports nothing; exports `memory` and the function `NAME`), `NAME.wat`
(readable: one comment per HLO instruction), `NAME.mjs` (ES module for Node and browsers:
`const m = await load(); const [r1, r2] = m.NAME(a, b, c);` with typed arrays in signature
order), `NAME.d.ts` and `NAME.manifest.json` (exports, memory layout, byte sizes). An HLO op the
compiler does not support fails the build, naming the op and its line.

```starlark
hlo_wasm_binary(
    name = "quadratic_wasm",
    src = ":quadratic",
)
```
""",
    attrs = {
        "src": attr.label(
            mandatory = True,
            providers = [JaxHloInfo],
            doc = "The `jax_hlo` target to compile.",
        ),
        "optimized_hlo": attr.bool(
            default = False,
            doc = "Compile the HLO after XLA's optimisation (`src` needs `optimized_hlo = True`) instead of before.",
        ),
        "relaxed_simd": attr.bool(
            default = False,
            doc = """Let the module use relaxed-SIMD instructions (`f32x4.relaxed_madd`: fused
multiply-add where the engine has it) in its matrix products and convolutions. Faster; results
may differ from the standard-SIMD module in the last bits and stay within the `wasm_test`
tolerance. The manifest records `"relaxed_simd": true`. Runtimes need relaxed SIMD: wasmtime and
Chromium ≥ 114 have it on; Node 20 needs `--experimental-wasm-relaxed-simd` (Node ≥ 22 has it
on); `wasm_test` passes that flag itself.""",
        ),
        "_compiler": attr.label(
            default = Label("//tools/hlo_wasm:main"),
            cfg = "exec",
            executable = True,
        ),
    },
)
