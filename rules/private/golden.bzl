"""golden_test: diffs generated text files against checked-in goldens, with update targets."""

load("//rules:providers.bzl", "GoldenInfo")

def _runfiles_path(file):
    # short_path of a file in another repository starts with "../"; runfiles hold it there.
    return file.short_path

def _pairs_text(pairs):
    return "\n".join(["%s %s" % (_runfiles_path(generated), golden) for generated, golden in pairs])

def _collect_pairs(ctx):
    pairs = []
    for golden_target, group in ctx.attr.goldens.items():
        goldens = golden_target.files.to_list()
        if len(goldens) != 1:
            fail("%s: attribute `goldens`: %s must be exactly one file" % (ctx.label, golden_target.label))
        golden = goldens[0]
        if not golden.is_source:
            fail("%s: attribute `goldens`: %s must be a checked-in source file" % (ctx.label, golden.short_path))
        groups = ctx.attr.src[OutputGroupInfo]
        if not hasattr(groups, group):
            fail("%s: attribute `goldens`: %s has no output group %r" % (ctx.label, ctx.attr.src.label, group))
        generated = getattr(groups, group).to_list()
        if len(generated) != 1:
            fail("%s: attribute `goldens`: output group %r of %s has %d files, not one" % (
                ctx.label,
                group,
                ctx.attr.src.label,
                len(generated),
            ))
        pairs.append((generated[0], golden))
    return pairs

def _golden_test_impl(ctx):
    pairs = _collect_pairs(ctx)
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._template,
        output = script,
        substitutions = {
            "%PAIRS%": _pairs_text([(g, golden.short_path) for g, golden in pairs]),
            "%UPDATE_TARGET%": "//%s:%s_update" % (ctx.label.package, ctx.label.name),
        },
        is_executable = True,
    )
    files = [f for pair in pairs for f in pair]
    return [
        DefaultInfo(executable = script, runfiles = ctx.runfiles(files = files)),
        GoldenInfo(pairs = [(generated, golden.short_path) for generated, golden in pairs]),
    ]

golden_test = rule(
    implementation = _golden_test_impl,
    test = True,
    doc = "Fails with a unified diff when a generated file differs from its checked-in golden.",
    attrs = {
        "src": attr.label(
            mandatory = True,
            doc = "The target whose output groups are compared, e.g. a `jax_hlo` target.",
        ),
        "goldens": attr.label_keyed_string_dict(
            mandatory = True,
            allow_files = True,
            doc = "Golden file -> output group of `src` it must equal, e.g. " +
                  "`{\"goldens/quadratic.hlo.txt\": \"hlo\"}`.",
        ),
        "_template": attr.label(
            default = Label("//rules/private:golden_test.sh.tpl"),
            allow_single_file = True,
        ),
    },
)

def _golden_update_impl(ctx):
    pairs = []
    for test in ctx.attr.tests:
        pairs.extend(test[GoldenInfo].pairs)
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._template,
        output = script,
        substitutions = {"%PAIRS%": _pairs_text(pairs)},
        is_executable = True,
    )
    return [
        DefaultInfo(executable = script, runfiles = ctx.runfiles(files = [g for g, _ in pairs])),
        GoldenInfo(pairs = pairs),
    ]

_golden_update = rule(
    implementation = _golden_update_impl,
    executable = True,
    doc = "`bazel run` target that copies the generated files of golden tests over their goldens.",
    attrs = {
        "tests": attr.label_list(
            mandatory = True,
            providers = [GoldenInfo],
            doc = "golden_test (or other golden_update) targets whose goldens this target rewrites.",
        ),
        "_template": attr.label(
            default = Label("//rules/private:golden_update.sh.tpl"),
            allow_single_file = True,
        ),
    },
)

def golden_test_with_update(name, src, goldens, **kwargs):
    """A golden_test `name` plus `name_update`, which accepts the new output.

    Args:
      name: name of the test; the update target is `name + "_update"`.
      src: target whose output groups are compared.
      goldens: golden file -> output group of `src`.
      **kwargs: further arguments of the test, e.g. tags or size.
    """
    golden_test(name = name, src = src, goldens = goldens, **kwargs)
    golden_update(
        name = name + "_update",
        tests = [":" + name],
        tags = ["manual"],
        visibility = kwargs.get("visibility"),
    )

def golden_update(name, tests, **kwargs):
    """`bazel run` target `name` that rewrites the goldens of `tests` from the current outputs.

    Args:
      name: name of the runnable target.
      tests: golden_test or golden_update targets.
      **kwargs: further arguments, e.g. visibility.
    """

    # Golden tests are testonly, so whatever reads their providers must be too.
    _golden_update(name = name, tests = tests, testonly = True, **kwargs)
