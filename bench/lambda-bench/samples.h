/* samples: a growable list of measured values (milliseconds) and the
 * figures the reports print from it.
 *
 * Percentiles are nearest-rank, so every figure printed is a value that was
 * measured, never an interpolation. The list owns its array; samples_free
 * accepts NULL-initialized lists. Never prints.
 */
#ifndef LAMBDA_BENCH_SAMPLES_H
#define LAMBDA_BENCH_SAMPLES_H

#include <stddef.h>

typedef enum samples_err {
    SAMPLES_OK = 0,
    SAMPLES_ERR_NOMEM,
    SAMPLES_ERR_EMPTY,
} samples_err_t;

const char *samples_strerror(samples_err_t err);

typedef struct samples {
    double *v;
    size_t n, cap;
} samples_t;

/* Zero-initialize a samples_t before use (samples_t s = {0}). */
samples_err_t samples_add(samples_t *s, double value);
void samples_free(samples_t *s);

typedef struct samples_summary {
    size_t count;
    double min, p50, p90, p99, max, mean;
} samples_summary_t;

/* Summarizes without reordering s. *out is set only on success. */
samples_err_t samples_summarize(const samples_t *s, samples_summary_t *out);

/* Nearest-rank percentile (0 < p <= 100) of an ascending array, n > 0. */
double samples_percentile(const double *sorted, size_t n, double p);

#endif
