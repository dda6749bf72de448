// Prints both roots of a*x^2 + b*x + c for a few quadratics, computed by the quadratic_cc
// library: XLA:CPU's code for examples/quadratic.py:roots, called from C++ with no Python,
// no XLA runtime and no allocation.
#include <cstdio>

#include "examples/cc/quadratic_cc.h"

int main() {
  // The library's shapes are fixed at export time: f32[16] per argument.
  constexpr int n = QUADRATIC_CC_ARG0_COUNT;
  alignas(64) static float a[n], b[n], c[n], larger[n], smaller[n];
  for (int i = 0; i < n; ++i) {
    a[i] = 1.0f;
    b[i] = 5.0f + static_cast<float>(i);
    c[i] = static_cast<float>(i % 4) - 1.0f;
  }
  int status = quadratic_cc(a, b, c, larger, smaller);
  if (status != 0) {
    std::fprintf(stderr, "quadratic_cc: %s\n", quadratic_cc_status_string(status));
    return 1;
  }
  for (int i = 0; i < n; ++i) {
    std::printf("%g x^2 + %g x + %g = 0: x = %g or x = %g\n", a[i], b[i], c[i], larger[i],
                smaller[i]);
  }
  return 0;
}
