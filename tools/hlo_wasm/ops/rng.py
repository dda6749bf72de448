"""RNG: JAX's threefry lowers to plain u32 ops (add, xor, shifts, or, convert) that the
elementwise and bitwise families already cover; `rng-bit-generator` is not supported yet."""
