/* Smallest firmware: prints through semihosting and returns 0 (qemu's exit status). */
#include <math.h>
#include <stdio.h>

int main(void) {
  volatile float x = 2.0f;
  float root = sqrtf(x);
  printf("sqrt(2) = %d/1000000\n", (int)(root * 1000000.0f));
  return root > 1.4142f && root < 1.4143f ? 0 : 1;
}
