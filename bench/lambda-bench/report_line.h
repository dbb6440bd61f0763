/* report_line: the figures of a Lambda REPORT line, read from the log tail
 * an Invoke with X-Amz-Log-Type: Tail returns (base64 in X-Amz-Log-Result).
 *
 * Lambda's line is tab-separated:
 *   REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\t
 *   Memory Size: 128 MB\tMax Memory Used: 20 MB\tInit Duration: 15.10 ms
 * with Init Duration only on a cold start (and XRAY / Status fields that are
 * skipped). The tail is the last 4 KB of the log, so the REPORT line read is
 * the last one in it. This module is pure: no I/O, no allocation beyond the
 * decoded tail the caller frees.
 */
#ifndef LAMBDA_BENCH_REPORT_LINE_H
#define LAMBDA_BENCH_REPORT_LINE_H

#include <stddef.h>

typedef enum rline_err {
    RLINE_OK = 0,
    RLINE_ERR_BASE64,   /* the tail is not base64 */
    RLINE_ERR_NOMEM,    /* allocation failed */
    RLINE_ERR_NOREPORT, /* no REPORT line in the tail */
    RLINE_ERR_FIELD,    /* a REPORT line without Duration, Billed Duration,
                           Memory Size or Max Memory Used */
    RLINE_ERR_TOOBIG    /* the encoded tail is longer than RLINE_TAIL_CAP */
} rline_err_t;

const char *rline_strerror(rline_err_t err);

/* Lambda returns at most 4 KB of log; anything much larger is not a tail. */
#define RLINE_TAIL_CAP (64 * 1024)

typedef struct rline_report {
    char request_id[64];
    double duration_ms;
    double billed_ms;
    double memory_size_mb;
    double max_memory_mb;
    double init_ms; /* valid only when has_init */
    int has_init;
} rline_report_t;

/* Decodes a base64 log tail into a malloc'd NUL-terminated string the caller
 * frees. *out is set only on success. */
rline_err_t rline_decode_tail(const char *b64, char **out);

/* Finds the last REPORT line of a decoded tail and reads its figures. *out is
 * set only on success. */
rline_err_t rline_parse(const char *tail, rline_report_t *out);

#endif
