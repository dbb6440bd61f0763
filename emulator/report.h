/* report: the lines Lambda writes around an invocation, and its log tail.
 *
 * Pure formatting, no I/O: START / END / REPORT in Lambda's exact shape
 * (tab-separated fields with a trailing tab on REPORT, "Init Duration" last
 * on cold starts), the billed-duration rule, and the 4 KB tail that
 * X-Amz-Log-Type: Tail returns base64-encoded in X-Amz-Log-Result.
 *
 * Ownership: every function writes into a buffer the caller owns; nothing
 * here allocates except report_base64, whose result the caller frees.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_TAIL_MAX 4096 /* Lambda returns the last 4 KB of the log */
#define REPORT_LINE_MAX 512  /* fits the longest REPORT line we write */

/* The figures of one invocation, all measured by the emulator. */
typedef struct report_figures {
    const char *request_id;
    uint64_t duration_ns;    /* runtime got the event -> result posted */
    uint64_t init_ns;        /* spawn -> first /next; 0 on a warm start */
    int cold;                /* print Init Duration */
    int bill_init;           /* provided.* runtimes: init is billed too */
    unsigned memory_size_mb; /* configured MemorySize */
    unsigned max_memory_mb;  /* environment's peak */
    const char *status;      /* NULL on success, else "timeout" / "error" */
    const char *error_type;  /* with status "error": e.g. Runtime.ExitError */
} report_figures_t;

/* Billed Duration in ms: the duration rounded up to the next millisecond
 * (Lambda's 1 ms granularity), plus the init time where it is billed. */
uint64_t report_billed_ms(uint64_t duration_ns, uint64_t init_ns, int bill_init);

/* Bytes -> MB as Lambda prints Max Memory Used (rounded up, at least 1). */
unsigned report_bytes_to_mb(uint64_t bytes);

/* "START RequestId: <id> Version: $LATEST\n". Returns the length written
 * (always < cap; truncated output is NUL-terminated). */
size_t report_start_line(char *buf, size_t cap, const char *request_id, const char *version);
/* "END RequestId: <id>\n" */
size_t report_end_line(char *buf, size_t cap, const char *request_id);
/* A failed init phase, as Lambda logs it before the invocation's lines:
 * "INIT_REPORT Init Duration: 10000.12 ms\tPhase: init\tStatus: timeout\n"
 * (with "\tError Type: <type>" after "error"). */
size_t report_init_line(char *buf, size_t cap, uint64_t init_ns, const char *status,
                        const char *error_type);
/* "REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\t..."
 * ending in "\t\n". */
size_t report_report_line(char *buf, size_t cap, const report_figures_t *fig);

/* The last REPORT_TAIL_MAX bytes written to a log, kept in a ring. */
typedef struct report_tail {
    char buf[REPORT_TAIL_MAX];
    size_t start; /* index of the oldest byte */
    size_t len;   /* bytes held, <= REPORT_TAIL_MAX */
} report_tail_t;

void report_tail_reset(report_tail_t *t);
void report_tail_append(report_tail_t *t, const char *data, size_t n);
/* Copies the held bytes, oldest first, into out (cap >= t->len). Returns len. */
size_t report_tail_copy(const report_tail_t *t, char *out);

/* Standard base64 (with padding) of data; NUL-terminated, malloc'd. NULL
 * only when out of memory. */
char *report_base64(const char *data, size_t n);

#endif
