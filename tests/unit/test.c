#include "test.h"

#include <stdio.h>

static int failed_current;

void test_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", file, line, what);
    failed_current = 1;
}

void test_fail_str(const char *file, int line, const char *expr, const char *got, const char *want)
{
    fprintf(stderr, "  %s:%d: %s\n    got:  %s\n    want: %s\n", file, line, expr,
            got ? got : "(null)", want ? want : "(null)");
    failed_current = 1;
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc < 2) return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

int test_main(const test_case_t *cases, size_t n, int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!selected(cases[i].name, argc, argv)) continue;
        failed_current = 0;
        cases[i].fn();
        if (failed_current) {
            fprintf(stderr, "FAIL %s\n", cases[i].name);
            failed++;
        } else {
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
