/* stats: nearest-rank percentiles and throughput of latency samples. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

const char *stats_strerror(stats_err_t err)
{
    switch (err) {
    case STATS_OK: return "ok";
    case STATS_EEMPTY: return "no samples";
    }
    return "unknown stats error";
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

uint64_t stats_percentile(const uint64_t *sorted_ns, size_t n, double p)
{
    /* Rank ceil(p/100 * n), 1-based; the epsilon keeps 99% of 100 at rank 99
     * despite binary rounding. */
    double r = ceil(p / 100.0 * (double)n - 1e-9);
    size_t rank = r < 1.0 ? 1 : (size_t)r;
    if (rank > n) rank = n;
    return sorted_ns[rank - 1];
}

stats_err_t stats_summarize(uint64_t *samples_ns, size_t n, stats_summary_t *out)
{
    if (n == 0) return STATS_EEMPTY;
    qsort(samples_ns, n, sizeof *samples_ns, cmp_u64);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)samples_ns[i];

    stats_summary_t s = {0};
    s.count = n;
    s.min_us = (double)samples_ns[0] / 1e3;
    s.max_us = (double)samples_ns[n - 1] / 1e3;
    s.p50_us = (double)stats_percentile(samples_ns, n, 50) / 1e3;
    s.p99_us = (double)stats_percentile(samples_ns, n, 99) / 1e3;
    s.mean_us = sum / (double)n / 1e3;
    s.ops_per_s = sum > 0 ? (double)n / (sum / 1e9) : 0;
    *out = s;
    return STATS_OK;
}
