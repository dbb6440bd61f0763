/* bench_report: a finished run as tables (terminal and markdown), as JSON
 * and as an SVG chart.
 *
 * The tables have the seed article's shape: cold starts (median and range
 * of the N forced cold starts) with a Python / C ratio column; the first
 * call after a cold start with and without BENCH_WARM_CONNECTION=1; warm
 * figures per operation (sdk_call_ms p50/p90/p99, REPORT Duration, the SDK's
 * serialization time) with the ratio. The JSON shape is documented in
 * bench/README.md ("lambda-bench/1").
 *
 * Ownership: the input is borrowed. report_tables returns tables the caller
 * frees with report_tables_free. Writers create or truncate the named file.
 */
#ifndef LAMBDA_BENCH_REPORT_H
#define LAMBDA_BENCH_REPORT_H

#include <stddef.h>

#include "bench_run.h"
#include "machine.h"
#include "table.h"

typedef enum report_err {
    REPORT_OK = 0,
    REPORT_ERR_NOMEM,
    REPORT_ERR_IO, /* a file could not be written (errno says why) */
} report_err_t;

const char *report_strerror(report_err_t err);

typedef struct report_input {
    const run_function_t *c;      /* may be NULL */
    const run_function_t *python; /* may be NULL */
    const char *endpoint, *region;
    int signed_requests;
    size_t cold_starts, warm_invokes;
    long pause_ms; /* idle time before each warm invocation */
    const char *cold_op;
    const char *const *ops;
    size_t n_ops;
    const char *const *labels; /* "key=value" */
    size_t n_labels;
    const char *started_at; /* ISO 8601 UTC */
    double elapsed_s;
    machine_t machine;
} report_input_t;

#define REPORT_MAX_TABLES 3

/* Builds the cold-start, warm-connection (when measured) and warm tables. */
report_err_t report_tables(const report_input_t *in, table_t *out[REPORT_MAX_TABLES], size_t *n);
void report_tables_free(table_t *t[REPORT_MAX_TABLES], size_t n);

/* One line naming the machine and the setup, for the terminal and the
 * markdown report. */
void report_setup_line(const report_input_t *in, char *out, size_t n);

report_err_t report_write_json(const report_input_t *in, const char *path);
report_err_t report_write_markdown(const report_input_t *in, table_t *const *tables, size_t n,
                                   const char *svg_name, const char *path);
report_err_t report_write_svg(const report_input_t *in, const char *path);

#endif
