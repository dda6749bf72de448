"""node_test: runs one `node --test` file with its data in the runfiles."""

def _node_test_impl(ctx):
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    exports = ["export %s=%s" % (name, target.files.to_list()[0].short_path) for target, name in ctx.attr.env_files.items()]
    ctx.actions.write(
        output = script,
        content = "\n".join([
            "#!/usr/bin/env bash",
            "set -euo pipefail",
            "cd \"${TEST_SRCDIR}/${TEST_WORKSPACE}\"",
        ] + exports + ["exec node --test %s" % ctx.file.src.short_path, ""]),
        is_executable = True,
    )
    files = [ctx.file.src] + ctx.files.data
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = files))]

node_test = rule(
    implementation = _node_test_impl,
    test = True,
    doc = "Runs `node --test src` from the runfiles root.",
    attrs = {
        "src": attr.label(mandatory = True, allow_single_file = [".mjs"], doc = "The test file."),
        "data": attr.label_list(allow_files = True, doc = "Files the test reads."),
        "env_files": attr.label_keyed_string_dict(allow_files = True, doc = "Single-file target -> environment variable holding its path."),
    },
)
