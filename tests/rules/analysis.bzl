"""A small analysis-test framework (bazel-skylib's analysistest is not reachable offline).

A test implementation is a top-level function (Bazel 4.2.3 has no nested functions):

    def _my_test_impl(ctx):
        env = analysis.begin(ctx)
        asserts.equals(env, 1, len(asserts.actions(env.target, "JaxHlo")), "actions")
        return analysis.end(env)

    my_test = analysis.make(_my_test_impl)

`analysis_failure_test(name, target_under_test, expected_fragments)` checks that a target fails
analysis with a message containing every fragment. Bazel turns the AnalysisTestResultInfo that
`end` returns into the test's result.
"""

_ActionsInfo = provider(
    doc = "The actions a target registered.",
    fields = {"actions": "list of Action: every action of the target."},
)

def _actions_aspect_impl(target, ctx):
    _ignore = ctx  # @unused
    return [_ActionsInfo(actions = target.actions)]

_actions_aspect = aspect(implementation = _actions_aspect_impl)

_allow_failures = analysis_test_transition(settings = {
    "//command_line_option:allow_analysis_failures": "True",
})

def _begin(ctx):
    target = ctx.attr.target_under_test
    if type(target) == "list":
        target = target[0]
    return struct(ctx = ctx, target = target, failures = [])

def _end(env):
    return [AnalysisTestResultInfo(success = not env.failures, message = "\n".join(env.failures))]

def _make(implementation, expect_failure = False, attrs = {}, cfg = None):
    """An analysis test rule; `cfg` (an analysis_test_transition) replaces the default one."""
    all_attrs = dict(attrs)
    target_attr = {"aspects": [_actions_aspect], "mandatory": True}
    if cfg:
        target_attr["cfg"] = cfg
    elif expect_failure:
        target_attr["cfg"] = _allow_failures
    all_attrs["target_under_test"] = attr.label(**target_attr)
    return rule(implementation = implementation, analysis_test = True, attrs = all_attrs)

analysis = struct(begin = _begin, end = _end, make = _make)

def _fail(env, message):
    env.failures.append(message)

def _equals(env, expected, actual, what):
    if expected != actual:
        _fail(env, "%s: expected %r, got %r" % (what, expected, actual))

def _contains(env, haystack, needle, what):
    if needle not in haystack:
        _fail(env, "%s: expected %r in %r" % (what, needle, haystack))

def _actions(target, mnemonic):
    return [a for a in target[_ActionsInfo].actions if a.mnemonic == mnemonic]

asserts = struct(actions = _actions, contains = _contains, equals = _equals, fail = _fail)

def _analysis_failure_test_impl(ctx):
    env = _begin(ctx)
    if AnalysisFailureInfo not in env.target:
        _fail(env, "expected %s to fail analysis, but it succeeded" % env.target.label)
        return _end(env)
    messages = "\n".join([c.message for c in env.target[AnalysisFailureInfo].causes.to_list()])
    for fragment in ctx.attr.expected_fragments:
        _contains(env, messages, fragment, "failure message")
    return _end(env)

_FAILURE_ATTRS = {"expected_fragments": attr.string_list(mandatory = True)}

analysis_failure_test = _make(
    _analysis_failure_test_impl,
    expect_failure = True,
    attrs = _FAILURE_ATTRS,
)

def make_failure_test(cfg):
    """An analysis_failure_test rule whose target is analysed under `cfg`.

    Args:
      cfg: an analysis_test_transition that also sets --allow_analysis_failures (e.g. to
        analyse the target for another platform).

    Returns:
      The test rule.
    """
    return _make(_analysis_failure_test_impl, attrs = _FAILURE_ATTRS, cfg = cfg)
