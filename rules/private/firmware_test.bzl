"""firmware_test: builds a cc_binary for a Cortex-M platform and runs it under qemu-system-arm."""

load("//rules/private:common.bzl", "platform_transition")

def _firmware_test_impl(ctx):
    firmware = ctx.attr.firmware[0][DefaultInfo].files_to_run.executable
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._template,
        output = script,
        substitutions = {
            "%FIRMWARE%": firmware.short_path,
            "%MACHINE%": ctx.attr.machine,
            "%PASS_LINE%": ctx.attr.pass_line,
            "%TIMEOUT%": str(ctx.attr.timeout_seconds),
        },
        is_executable = True,
    )
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = [firmware]))]

firmware_test = rule(
    implementation = _firmware_test_impl,
    test = True,
    doc = """Builds `firmware` (a cc_binary) for `platform` and runs it under `qemu-system-arm -M machine`
with semihosting. The test passes when the firmware exits 0 and printed `pass_line`.

```starlark
firmware_test(
    name = "quadratic_firmware_test",
    firmware = ":quadratic_firmware",
)
```
""",
    attrs = {
        "firmware": attr.label(
            mandatory = True,
            executable = True,
            cfg = platform_transition,
            doc = "The cc_binary to run; it is built for `platform`.",
        ),
        "platform": attr.label(
            default = Label("//platforms:cortex_m4f"),
            doc = "Platform the firmware is built for.",
        ),
        "machine": attr.string(
            default = "mps2-an386",
            doc = "qemu-system-arm board (-M); mps2-an386 is a Cortex-M4 with FPU.",
        ),
        "pass_line": attr.string(
            default = "PASS",
            doc = "Text the firmware must print (semihosting) for the test to pass.",
        ),
        "timeout_seconds": attr.int(
            default = 60,
            doc = "Wall-clock limit of the emulator.",
        ),
        "_template": attr.label(
            default = Label("//rules/private:firmware_test.sh.tpl"),
            allow_single_file = True,
        ),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
