"""Providers of rules_jax. Every field doc starts with its type."""

JaxHloInfo = provider(
    doc = "The IR files and metadata `jax_hlo` exports for one JAX function.",
    fields = {
        "name": "string: base name of the files, the jax_hlo target's name.",
        "hlo": "File: HLO text before optimisation (NAME.hlo.txt).",
        "stablehlo": "File: StableHLO MLIR text (NAME.stablehlo.mlir).",
        "jaxpr": "File: the jaxpr (NAME.jaxpr.txt).",
        "signature": "File: flattened inputs and outputs in order (NAME.signature.json); see docs/contracts.md.",
        "reference": "File: seeded inputs and JAX's outputs (NAME.reference.npz); see docs/contracts.md.",
        "optimized_hlo": "File or None: HLO text after XLA:CPU's optimisation (NAME.optimized.hlo.txt), when requested.",
    },
)

JaxIreeInfo = provider(
    doc = "An IREE module that `jax_iree_module` compiled from a jax_hlo target.",
    fields = {
        "vmfb": "File: the IREE VM flatbuffer (NAME.vmfb).",
        "backend": "string: the IREE HAL target backend it was compiled for (`llvm-cpu` or `vmvx`).",
        "hlo": "JaxHloInfo: the jax_hlo target it came from (its signature and reference).",
    },
)

GoldenInfo = provider(
    doc = "Pairs of generated files and their checked-in goldens, for the update targets.",
    fields = {
        "pairs": "list of (File, string) tuples: a generated file and the workspace-relative path of its golden.",
    },
)

WasmModuleInfo = provider(
    doc = "A WebAssembly module compiled by hlo_wasm_binary, with its glue and its reference data.",
    fields = {
        "name": "string: the export name (the wasm function and the JS function).",
        "wasm": "File: the module (NAME.wasm).",
        "wat": "File: its readable text form (NAME.wat).",
        "mjs": "File: ES module glue: `await load()`, then call with typed arrays (NAME.mjs).",
        "dts": "File: TypeScript declarations of the glue (NAME.d.ts).",
        "manifest": "File: exports, memory layout and sizes (NAME.manifest.json).",
        "signature": "File: the jax_hlo signature the module follows.",
        "reference": "File: the jax_hlo reference inputs and outputs to check the module against.",
        "relaxed_simd": "bool: the module uses relaxed-SIMD instructions (runtimes need them enabled).",
    },
)

HloCcInfo = provider(
    doc = "The C library hlo_cc_library generated for one jax_hlo target.",
    fields = {
        "prefix": "string: C prefix of the public symbols.",
        "header": "File: the public header (NAME.h).",
        "header_include": "string: how to include the header (its path from the repository root).",
        "source": "File: the generated driver (NAME.c), for reading; it is compiled into `object`.",
        "object": "File: relocatable object with driver and kernels (NAME.o).",
        "target": "string: the tool's target (x86_64, cortex-m4f or wasm32).",
        "kernels": "string: ir or host.",
        "signature": "File: the jax_hlo signature the header follows.",
        "reference": "File: the jax_hlo reference inputs and outputs.",
    },
)
