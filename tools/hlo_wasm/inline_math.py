"""Inlines leaf f32x4 mathlib calls into fused loops (placeholder)."""


def inline(fb, expr: str) -> str:
    return expr
