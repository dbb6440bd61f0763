/* samples: see samples.h. */
#include "samples.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *samples_strerror(samples_err_t err)
{
    switch (err) {
    case SAMPLES_OK: return "ok";
    case SAMPLES_ERR_NOMEM: return "out of memory";
    case SAMPLES_ERR_EMPTY: return "no samples";
    }
    return "unknown error";
}

samples_err_t samples_add(samples_t *s, double value)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        double *v = realloc(s->v, cap * sizeof *v);
        if (!v) return SAMPLES_ERR_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = value;
    return SAMPLES_OK;
}

void samples_free(samples_t *s)
{
    if (!s) return;
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double samples_percentile(const double *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

samples_err_t samples_summarize(const samples_t *s, samples_summary_t *out)
{
    if (s->n == 0) return SAMPLES_ERR_EMPTY;
    double *sorted = malloc(s->n * sizeof *sorted);
    if (!sorted) return SAMPLES_ERR_NOMEM;
    memcpy(sorted, s->v, s->n * sizeof *sorted);
    qsort(sorted, s->n, sizeof *sorted, cmp_double);
    samples_summary_t r;
    double sum = 0;
    for (size_t i = 0; i < s->n; i++) sum += sorted[i];
    r.count = s->n;
    r.min = sorted[0];
    r.max = sorted[s->n - 1];
    r.mean = sum / (double)s->n;
    r.p50 = samples_percentile(sorted, s->n, 50);
    r.p90 = samples_percentile(sorted, s->n, 90);
    r.p99 = samples_percentile(sorted, s->n, 99);
    free(sorted);
    *out = r;
    return SAMPLES_OK;
}
