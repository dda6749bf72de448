"""Python -> IR dataset generator for rules_jax, validated by execution (issue 6)."""
