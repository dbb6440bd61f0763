/* stats: latency figures for one benchmarked operation.
 *
 * The caller owns the sample array; stats_summarize sorts it in place and
 * reads nothing else. Percentiles are nearest-rank (the smallest sample with
 * at least p% of the samples at or below it), so every figure printed is a
 * latency that was actually measured, never an interpolation. Throughput is
 * taken from the samples themselves (count / sum of latencies): the rate one
 * connection sustains, without the client's own checking time between
 * requests. This module never allocates and never prints.
 */
#ifndef BENCH_DDB_STATS_H
#define BENCH_DDB_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef enum stats_err {
    STATS_OK = 0,
    STATS_EEMPTY, /* no samples */
} stats_err_t;

const char *stats_strerror(stats_err_t err);

typedef struct stats_summary {
    size_t count;
    double min_us, p50_us, p99_us, max_us, mean_us;
    double ops_per_s;
} stats_summary_t;

/* Sorts samples_ns[0..n) ascending and summarizes them. *out is set only on
 * success. */
stats_err_t stats_summarize(uint64_t *samples_ns, size_t n, stats_summary_t *out);

/* Nearest-rank percentile (0 < p <= 100) of an ascending array, n > 0. */
uint64_t stats_percentile(const uint64_t *sorted_ns, size_t n, double p);

#endif
