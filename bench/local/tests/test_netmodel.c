/* Unit tests of the network model's distributions. */
#include <math.h>
#include <stdlib.h>

#include "netmodel.h"
#include "test.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fixed_is_fixed(void)
{
    netmodel_t m;
    uint64_t s = 1;
    CHECK(netmodel_init("fixed", 2.5, 0, &m) == NETMODEL_OK);
    for (int i = 0; i < 100; i++) CHECK(netmodel_sample(&m, &s) == 2.5);
}

static void uniform_bounds(void)
{
    netmodel_t m;
    uint64_t s = 7;
    CHECK(netmodel_init("uniform", 10, 0.2, &m) == NETMODEL_OK);
    double lo = 1e9, hi = 0;
    for (int i = 0; i < 10000; i++) {
        double v = netmodel_sample(&m, &s);
        CHECK(v >= 8 && v <= 12);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    CHECK(lo < 8.1 && hi > 11.9); /* the whole range is used */
}

static void lognormal_median_and_tail(void)
{
    netmodel_t m;
    uint64_t s = 42;
    CHECK(netmodel_init("lognormal", 4, 0.5, &m) == NETMODEL_OK);
    enum { N = 20001 };
    double *v = malloc(N * sizeof *v);
    CHECK(v != NULL);
    for (int i = 0; i < N; i++) v[i] = netmodel_sample(&m, &s);
    qsort(v, N, sizeof *v, cmp);
    double median = v[N / 2], p99 = v[N * 99 / 100], min = v[0];
    free(v);
    CHECK(fabs(median - 4) < 0.1);
    /* exp(0.5 * 2.326) = 3.2: p99 near 12.8 ms */
    CHECK(p99 > 11.5 && p99 < 14.2);
    CHECK(min > 0);
}

static void bad_arguments(void)
{
    netmodel_t m;
    CHECK(netmodel_init("normal", 1, 0.1, &m) == NETMODEL_ERR_ARG);
    CHECK(netmodel_init("fixed", -1, 0, &m) == NETMODEL_ERR_ARG);
    CHECK(netmodel_init("uniform", 1, 1.5, &m) == NETMODEL_ERR_ARG);
    CHECK(netmodel_init("lognormal", 1, NAN, &m) == NETMODEL_ERR_ARG);
}

int main(int argc, char **argv)
{
    static const test_case_t cases[] = {
        TEST_CASE(fixed_is_fixed),
        TEST_CASE(uniform_bounds),
        TEST_CASE(lognormal_median_and_tail),
        TEST_CASE(bad_arguments),
    };
    return test_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
