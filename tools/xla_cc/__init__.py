"""hlo_cc_library's tool: XLA:CPU's code for a JAX function as a C library."""
