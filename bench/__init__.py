"""rules_jax's WebAssembly speed benchmark (issue 7); see bench/main.py."""
