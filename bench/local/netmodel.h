/* netmodel: the added network round trip of bench-netproxy, drawn from a
 * fixed value or a simple distribution.
 *
 *   fixed      every round trip is rtt_ms
 *   uniform    rtt_ms * (1 + spread * u), u uniform in [-1, 1]
 *   lognormal  rtt_ms * exp(spread * z), z standard normal: median rtt_ms,
 *              a long right tail as measured network latencies have
 *
 * The generator is a small xorshift seeded by the caller, one per thread,
 * so runs with the same seed draw the same delays. Pure: no I/O, no clock,
 * no allocation.
 */
#ifndef BENCH_LOCAL_NETMODEL_H
#define BENCH_LOCAL_NETMODEL_H

#include <stdint.h>

typedef enum netmodel_err {
    NETMODEL_OK = 0,
    NETMODEL_ERR_ARG, /* unknown distribution or a negative/absurd figure */
} netmodel_err_t;

const char *netmodel_strerror(netmodel_err_t err);

typedef enum netmodel_dist { NETMODEL_FIXED, NETMODEL_UNIFORM, NETMODEL_LOGNORMAL } netmodel_dist_t;

typedef struct netmodel {
    netmodel_dist_t dist;
    double rtt_ms; /* 0 .. 10000 */
    double spread; /* uniform: 0 .. 1; lognormal: sigma 0 .. 3 */
} netmodel_t;

/* Fills *out from a distribution name ("fixed", "uniform", "lognormal"),
 * a median and a spread; *out is set only on success. */
netmodel_err_t netmodel_init(const char *dist, double rtt_ms, double spread, netmodel_t *out);

/* One round trip in ms (>= 0); advances *state (never 0). */
double netmodel_sample(const netmodel_t *m, uint64_t *state);

#endif
