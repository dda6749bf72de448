"""Structure and control flow: parameter, constant, tuple, get-tuple-element, call, while,
conditional.

`while` keeps its state in buffers planned for the whole loop (`passes/memory.py`): the
initial value is copied in, the condition and body are emitted inline, and the body's results
are copied back (through temporaries when the body permutes state elements). `conditional`
emits each branch inline under an if-chain on the branch index (out-of-range indices run the
last branch, as HLO specifies) and copies the branch's result into the result buffers.
"""

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import load
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.passes.memory import leaves

_FAMILY = "control"


def _ok(inst, shapes):
    return None


def _reg(name, reference, kernel=None, check=_ok, alias=False):
    registry.register(
        registry.OpDef(name, _FAMILY, check, reference, kernel=kernel, alias=alias,
                       dtypes=c.ALL)
    )


def _param_ref(inst, args, env):
    return env.params[inst.attr("number")]


_reg("parameter", _param_ref, alias=True)
_reg("constant", lambda inst, args, env: inst.literal, alias=True)
_reg("tuple", lambda inst, args, env: tuple(args), alias=True)


def _gte_check(inst, shapes):
    c.require(shapes[0].is_tuple, "get-tuple-element of a non-tuple")
    c.require(shapes[0].tuple_shapes[inst.attr("index")] == inst.shape, "get-tuple-element shape")


_reg("get-tuple-element", lambda inst, args, env: args[0][inst.attr("index")], check=_gte_check,
     alias=True)
_reg("call", lambda inst, args, env: env.call(inst.called[0], args))


def _while_ref(inst, args, env):
    state = args[0]
    cond, body = inst.attr("condition")[0], inst.attr("body")[0]
    while bool(env.call(cond, [state])):
        state = env.call(body, [state])
    return state


def _copy_leaves(k, dsts, srcs):
    for d, s in zip(dsts, srcs):
        k.copy(d, s)


def _while_kernel(k, inst):
    state = leaves(k.out)
    _copy_leaves(k, state, leaves(k.ins[0]))
    cond, body = inst.attr("condition")[0], inst.attr("body")[0]
    lbl = k.fb.label("while")
    k.emit(f"(block {lbl}_end (loop {lbl}_top")
    k.fb.depth += 1
    p = k.emit_computation(f"{k.scope}/{inst.name}:cond", cond)
    k.emit(f"(br_if {lbl}_end (i32.eqz {load(leaves(p)[0], '(i32.const 0)')}))")
    root = leaves(k.emit_computation(f"{k.scope}/{inst.name}:body", body))
    temps = k.plan.temps.get((k.scope, inst.name))
    if temps:
        _copy_leaves(k, temps, root)
        root = temps
    _copy_leaves(k, state, root)
    k.emit(f"(br {lbl}_top)))")
    k.fb.depth -= 1


_reg("while", _while_ref, _while_kernel)


def _branches(inst):
    if inst.attr("true_computation"):
        return inst.attr("true_computation") + inst.attr("false_computation")
    return inst.attr("branch_computations")


def _cond_ref(inst, args, env):
    pred = args[0]
    brs = _branches(inst)
    if pred.dtype == np.bool_:
        k = 0 if pred else 1
    else:
        k = int(pred)
        k = k if 0 <= k < len(brs) else len(brs) - 1
    return env.call(brs[k], [args[k + 1]])


def _cond_kernel(k, inst):
    brs = _branches(inst)
    sel = load(leaves(k.ins[0])[0], "(i32.const 0)")
    if k.ins[0].shape.dtype == "pred":
        sel = f"(i32.eqz {sel})"  # true -> branch 0
    idx = k.set("i32", sel, "branch")
    out = leaves(k.out)

    def emit_branch(b):
        root = k.emit_computation(f"{k.scope}/{inst.name}:branch{b}", brs[b])
        _copy_leaves(k, out, leaves(root))

    for b in range(len(brs) - 1):
        k.emit(f"(if (i32.eq {idx} (i32.const {b})) (then")
        k.fb.depth += 1
        emit_branch(b)
        k.fb.depth -= 1
        k.emit(") (else")
        k.fb.depth += 1
    emit_branch(len(brs) - 1)
    for _ in range(len(brs) - 1):
        k.fb.depth -= 1
        k.emit("))")


_reg("conditional", _cond_ref, _cond_kernel)
