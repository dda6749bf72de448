"""The example functions the IREE tests compile and check (issue 5's list plus erf)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax


def quadratic(a: jax.Array, b: jax.Array, c: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Both roots of a*x^2 + b*x + c (NaN where the discriminant is negative)."""
    d = jnp.sqrt(b * b - 4.0 * a * c)
    return (-b + d) / (2.0 * a), (-b - d) / (2.0 * a)


def _roots_loss(a: jax.Array, b: jax.Array, c: jax.Array) -> jax.Array:
    r1, r2 = quadratic(a, b, c)
    return jnp.sum(r1 * r2 + r1)


def quadratic_grad(a: jax.Array, b: jax.Array, c: jax.Array) -> tuple[jax.Array, ...]:
    """Gradient of sum(r1 * r2 + r1) over the roots with respect to a, b and c."""
    return jax.grad(_roots_loss, argnums=(0, 1, 2))(a, b, c)


def mlp(params: dict[str, jax.Array], x: jax.Array) -> jax.Array:
    """tanh(x @ w1 + b1) @ w2 + b2."""
    return jnp.tanh(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


def mlp_loss_grad(params: dict[str, jax.Array], x: jax.Array, y: jax.Array) -> Any:
    """Gradient of the mean squared error of `mlp` with respect to the parameters."""
    return jax.grad(lambda p: jnp.mean((mlp(p, x) - y) ** 2))(params)


def control_flow(x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """fori_loop around a cond, then a scan; returns the total, the partial sums and an argmax."""

    def body(i: jax.Array, c: jax.Array) -> jax.Array:
        return lax.cond(i % 2 == 0, lambda c: c * 0.5 + y, jnp.sin, c)

    x = lax.fori_loop(0, 5, body, x)
    total, partial = lax.scan(lambda s, v: (s + v, s * 2.0), jnp.float32(0), x)
    return total, partial, jnp.argmax(partial).astype(jnp.int32)


def erf(x: jax.Array) -> jax.Array:
    """chlo.erf: failed in older IREE releases, compiles in 3.13."""
    return lax.erf(x) * jax.scipy.special.erf(x * 0.5)


def _softplus(x: jax.Array) -> jax.Array:
    return jnp.logaddexp(x, 0.0)


def composite(x: jax.Array) -> jax.Array:
    """stablehlo.composite (a named op with its decomposition): compiles in IREE 3.13."""
    return lax.composite(_softplus, name="rules_jax.softplus")(x) * 2.0


def mixed_dtypes(x: jax.Array, y: jax.Array, n: jax.Array, m: jax.Array) -> Any:
    """bf16 arithmetic, a pred result, integer and mask inputs (llvm-cpu only: vmvx rejects bf16)."""
    return x * y + 1, x > y, jnp.sum(jnp.where(m, n, 0)), (n * 3).astype(jnp.int8)


@dataclasses.dataclass(frozen=True)
class Example:
    """A function, its argument specs and input domains."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    domains: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    check_flags: tuple[str, ...] = ()
    backends: tuple[str, ...] = ("llvm-cpu", "vmvx")


def _f32(*shape: int) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct(shape, jnp.float32)


def _bf16(*shape: int) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct(shape, jnp.bfloat16)


_PARAMS = {"w1": _f32(16, 32), "b1": _f32(32), "w2": _f32(32, 4), "b2": _f32(4)}
# -b + sqrt(b*b - 4*a*c) cancels: XLA (targeting this host) contracts b*b - 4*a*c into an FMA,
# IREE's portable `generic` x86-64 target has no FMA, and the 1-ulp difference grows to ~3e-5
# absolute (compiled with --target_cpu=x86-64-v3 both agree bit for bit). Hence a wider atol.
_CANCELS = ("--atol=1e-4",)
_ROOTS = {
    "a": (1.0, 2.0),
    "b": (4.0, 6.0),
    "c": (-1.0, 1.0),
}  # real roots: gradients finite

EXAMPLES = {
    "quadratic": Example(quadratic, (_f32(1024), _f32(1024), _f32(1024)), check_flags=_CANCELS),
    "quadratic_grad": Example(quadratic_grad, (_f32(256), _f32(256), _f32(256)), _ROOTS, _CANCELS),
    "mlp": Example(mlp, (_PARAMS, _f32(8, 16))),
    "mlp_loss_grad": Example(mlp_loss_grad, (_PARAMS, _f32(8, 16), _f32(8, 4))),
    "control_flow": Example(control_flow, (_f32(64), _f32(64))),
    "erf": Example(erf, (_f32(128),)),
    "composite": Example(composite, (_f32(128),)),
    "mixed_dtypes": Example(
        mixed_dtypes,
        (
            _bf16(64),
            _bf16(64),
            jax.ShapeDtypeStruct((64,), jnp.int32),
            jax.ShapeDtypeStruct((64,), jnp.bool_),
        ),
        backends=("llvm-cpu",),
    ),
}
