/*
 * A deliberately tiny test harness: each TEST registers itself, CHECK records a failure
 * with its location and carries on, and main prints "N passed, M failed".
 */
#pragma once

#include <stdio.h>
#include <string.h>

typedef void (*harness_fn)(void);

void harness_register(const char *name, harness_fn fn);
void harness_fail(const char *file, int line, const char *expr);

#define TEST(name)                                                              \
  static void name(void);                                                       \
  __attribute__((constructor)) static void register_##name(void) {             \
    harness_register(#name, name);                                              \
  }                                                                             \
  static void name(void)

#define CHECK(expr)                                                             \
  do {                                                                          \
    if (!(expr)) harness_fail(__FILE__, __LINE__, #expr);                       \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                      \
  do {                                                                          \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);             \
    if (check_a_ != check_b_) {                                                 \
      char check_msg_[256];                                                     \
      snprintf(check_msg_, sizeof check_msg_, "%s == %s (%lld vs %lld)", #a, #b, \
               check_a_, check_b_);                                             \
      harness_fail(__FILE__, __LINE__, check_msg_);                             \
    }                                                                           \
  } while (0)

#define CHECK_EQ_STR(a, b)                                                      \
  do {                                                                          \
    const char *check_a_ = (a), *check_b_ = (b);                                \
    if (check_a_ == NULL || check_b_ == NULL || strcmp(check_a_, check_b_) != 0) { \
      fprintf(stderr, "  got:      %s\n  expected: %s\n",                       \
              check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");  \
      harness_fail(__FILE__, __LINE__, #a " == " #b);                           \
    }                                                                           \
  } while (0)
