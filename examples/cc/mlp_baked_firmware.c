/* The seed's dream: a neural network as plain firmware. mlp_baked_cc is the example MLP with
 * its weights baked in as constants (they live in flash); the only RAM is the batch, the
 * outputs and the library's static scratch. Prints the class of each row over semihosting. */
#include <stdio.h>

#include "examples/cc/mlp_baked_cc.h"

static float x[MLP_BAKED_CC_ARG0_COUNT] __attribute__((aligned(64)));
static float logits[MLP_BAKED_CC_RESULT0_COUNT] __attribute__((aligned(64)));

int main(void) {
  enum { rows = 8, classes = MLP_BAKED_CC_RESULT0_COUNT / rows };
  for (int i = 0; i < MLP_BAKED_CC_ARG0_COUNT; ++i) x[i] = (float)((i * 7) % 11 - 5) / 5.0f;
  int status = mlp_baked_cc(x, logits);
  if (status) {
    printf("mlp_baked_cc: %s\n", mlp_baked_cc_status_string(status));
    return 1;
  }
  for (int r = 0; r < rows; ++r) {
    int best = 0;
    for (int k = 1; k < classes; ++k)
      if (logits[r * classes + k] > logits[r * classes + best]) best = k;
    printf("row %d: class %d\n", r, best);
  }
  printf("PASS\n");
  return 0;
}
