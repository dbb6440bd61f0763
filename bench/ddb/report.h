/* report: the side-by-side table of several servers' results.
 *
 * One column per server, in the order given; one row per figure (p50, p99
 * and ops/s per operation, start-up time, memory after the load). The last
 * columns compare the subject (the server being developed) with the best of
 * the others -- the fastest, or the smallest -- and state the subject's goals.
 * Figures that failed their checks print as FAIL and never count as best;
 * figures not measured (a server not run, no pid to read memory from) print
 * as "-". Reads only its arguments; writes only to out.
 */
#ifndef BENCH_DDB_REPORT_H
#define BENCH_DDB_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "result.h"

#define REPORT_MAX_SERVERS 16 /* columns beyond this are not printed */

/* subject names the server compared with its peers; NULL or absent from
 * results: no comparison column. */
void report_print(FILE *out, const result_t *results, size_t n, const char *subject);

/* The subject's speed-up over the fastest peer for op (peer p50 / subject
 * p50); 0 when either side has no valid figure. *peer is set to the peer's
 * index when the answer is non-zero. */
double report_speedup(const result_t *results, size_t n, size_t subject, result_op_t op,
                      size_t *peer);

#endif
