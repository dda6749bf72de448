"""rules_jax's own HLO text -> WAT -> WASM compiler (pure Python + NumPy)."""
