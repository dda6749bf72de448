"""wasm_test: runs hlo_wasm_binary modules on their reference inputs in wasmtime, Node or Chromium."""

load("//rules:providers.bzl", "WasmModuleInfo")

RUNTIMES = ["wasmtime", "node", "chromium"]

def _module_flags(modules, first_file):
    flags = []
    for info in modules:
        flags.append("--module=%s,%s,%s" % (first_file(info).short_path, info.manifest.short_path, info.reference.short_path))
    return flags

def _wasm_of(info):
    return info.wasm

def _mjs_of(info):
    return info.mjs

def _command(ctx, modules):
    if ctx.attr.runtime == "wasmtime":
        tool = ctx.executable._wasmtime_check
        return " ".join([tool.short_path] + _module_flags(modules, _wasm_of))
    if ctx.attr.runtime == "chromium":
        tool = ctx.executable._chromium_check
        return " ".join([tool.short_path] + _module_flags(modules, _mjs_of))
    entries = [
        {"manifest": m.manifest.short_path, "mjs": m.mjs.short_path, "reference": m.reference.short_path}
        for m in modules
    ]

    # Node 20 runs relaxed-SIMD modules only behind a V8 flag; `node --test` passes it on to
    # the test process (NODE_OPTIONS does not accept it).
    relaxed = [m for m in modules if m.relaxed_simd]
    node = "node --experimental-wasm-relaxed-simd" if relaxed else "node"
    return "WASM_TEST_MODULES='%s' exec %s --test %s" % (json.encode(entries), node, ctx.file._node_check.short_path)

def _wasm_test_impl(ctx):
    if ctx.attr.runtime not in RUNTIMES:
        fail("%s: attribute `runtime`: unknown runtime %r (known: %s)" % (ctx.label, ctx.attr.runtime, ", ".join(RUNTIMES)))
    modules = [m[WasmModuleInfo] for m in ctx.attr.modules]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._template,
        output = script,
        substitutions = {"%COMMAND%": _command(ctx, modules)},
        is_executable = True,
    )
    files = []
    for m in modules:
        files.extend([m.wasm, m.mjs, m.manifest, m.reference])
    runfiles = ctx.runfiles(files = files + ctx.files._js)
    for tool in [ctx.attr._wasmtime_check, ctx.attr._chromium_check]:
        runfiles = runfiles.merge(tool[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

wasm_test = rule(
    implementation = _wasm_test_impl,
    test = True,
    doc = """Runs `hlo_wasm_binary` modules on their `jax_hlo` reference inputs and compares the outputs
with JAX's, within the per-dtype tolerance of tools/wasm_test/tolerances.json.

`runtime = "wasmtime"` uses the pinned wasmtime Python package; `"node"` imports each module's
`.mjs` glue under `node --test`; `"chromium"` loads the glue in one headless Chromium page for
all `modules` (Debian's chromium package). Modules built with `relaxed_simd = True` run too:
the Node runtime is started with `--experimental-wasm-relaxed-simd` (Node 20 needs it).
""",
    attrs = {
        "modules": attr.label_list(
            mandatory = True,
            providers = [WasmModuleInfo],
            doc = "hlo_wasm_binary targets to check.",
        ),
        "runtime": attr.string(
            default = "wasmtime",
            doc = "Where to run them: `wasmtime`, `node` or `chromium`.",
        ),
        "_template": attr.label(default = Label("//rules/private:wasm_test.sh.tpl"), allow_single_file = True),
        "_wasmtime_check": attr.label(default = Label("//tools/wasm_test:wasmtime_check"), executable = True, cfg = "target"),
        "_chromium_check": attr.label(default = Label("//tools/wasm_test:chromium_check"), executable = True, cfg = "target"),
        "_node_check": attr.label(default = Label("//tools/wasm_test:node_check.test.mjs"), allow_single_file = True),
        "_js": attr.label(default = Label("//tools/wasm_test:js")),
    },
)
