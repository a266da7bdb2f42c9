#include "harness.h"

#include <stdlib.h>

#define MAX_TESTS 256

static struct {
  const char *name;
  harness_fn fn;
} tests[MAX_TESTS];
static int test_count;
static int current_failed;

void harness_register(const char *name, harness_fn fn) {
  if (test_count == MAX_TESTS) {
    fprintf(stderr, "too many tests; raise MAX_TESTS\n");
    exit(2);
  }
  tests[test_count].name = name;
  tests[test_count].fn = fn;
  test_count++;
}

void harness_fail(const char *file, int line, const char *expr) {
  fprintf(stderr, "  %s:%d: CHECK failed: %s\n", file, line, expr);
  current_failed = 1;
}

int main(int argc, char **argv) {
  int passed = 0;
  int failed = 0;
  const char *only = argc > 1 ? argv[1] : NULL;
  for (int i = 0; i < test_count; i++) {
    if (only != NULL && strstr(tests[i].name, only) == NULL) {
      continue;
    }
    current_failed = 0;
    tests[i].fn();
    if (current_failed) {
      fprintf(stderr, "FAIL %s\n", tests[i].name);
      failed++;
    } else {
      passed++;
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
