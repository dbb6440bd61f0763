/* A small unit-test harness: a test is a void function; CHECK records a
 * failure and returns from it. Each test binary lists its tests in one array
 * and calls test_main, which runs them (or those named on the command line)
 * and prints "N passed, N failed". */
#ifndef TEST_H
#define TEST_H

#include <stddef.h>
#include <string.h>

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case_t;

#define TEST_CASE(fn)                                                                              \
    {                                                                                              \
#fn, fn                                                                                    \
    }

void test_fail(const char *file, int line, const char *what);
int test_main(const test_case_t *cases, size_t n, int argc, char **argv);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            test_fail(__FILE__, __LINE__, #cond);                                                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                   \
            test_fail_str(__FILE__, __LINE__, #a, a_, b_);                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)

void test_fail_str(const char *file, int line, const char *expr, const char *got, const char *want);

#endif
