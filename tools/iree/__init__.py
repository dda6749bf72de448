"""IREE tools of rules_jax: StableHLO -> .vmfb compiler, reference checker and runner."""
