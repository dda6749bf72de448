"""bzl_markdown: runs //tools/docgen on .bzl files; its output group `markdown` feeds golden_test."""

def _bzl_markdown_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".md")
    args = ctx.actions.args()
    args.add(ctx.file.defs, format = "--defs=%s")
    args.add_all(ctx.files.srcs, format_each = "--bzl=%s")
    args.add(out, format = "--out=%s")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = ctx.files.srcs + [ctx.file.defs],
        outputs = [out],
        mnemonic = "BzlMarkdown",
        progress_message = "Generating %s from rule doc strings" % out.short_path,
        env = {"PYTHONHASHSEED": "0", "PYTHONSAFEPATH": "1"},
    )
    return [DefaultInfo(files = depset([out])), OutputGroupInfo(markdown = depset([out]))]

bzl_markdown = rule(
    implementation = _bzl_markdown_impl,
    doc = "Markdown reference of the public symbols of `defs`, read from the doc strings in `srcs`.",
    attrs = {
        "defs": attr.label(mandatory = True, allow_single_file = [".bzl"], doc = "The public defs.bzl."),
        "srcs": attr.label_list(allow_files = [".bzl"], doc = ".bzl files that implement the public symbols."),
        "_tool": attr.label(default = Label("//tools/docgen:main"), cfg = "exec", executable = True),
    },
)
