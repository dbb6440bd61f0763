/* report: START/END/REPORT lines, billed duration and the log tail. */
#include "report.h"

#include "base64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t report_billed_ms(uint64_t duration_ns, uint64_t init_ns, int bill_init)
{
    uint64_t ns = duration_ns + (bill_init ? init_ns : 0);
    uint64_t ms = (ns + 999999) / 1000000;
    return ms ? ms : 1;
}

unsigned report_bytes_to_mb(uint64_t bytes)
{
    uint64_t mb = (bytes + (1024 * 1024 - 1)) / (1024 * 1024);
    return mb ? (unsigned)mb : 1;
}

static size_t clamp(int n, size_t cap)
{
    if (n < 0) return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t report_start_line(char *buf, size_t cap, const char *request_id, const char *version)
{
    return clamp(snprintf(buf, cap, "START RequestId: %s Version: %s\n", request_id, version), cap);
}

size_t report_end_line(char *buf, size_t cap, const char *request_id)
{
    return clamp(snprintf(buf, cap, "END RequestId: %s\n", request_id), cap);
}

/* Lambda prints durations with two decimals, truncated to 10 µs. */
static void fmt_ms(char *out, size_t cap, uint64_t ns)
{
    uint64_t centi = ns / 10000;
    snprintf(out, cap, "%llu.%02llu", (unsigned long long)(centi / 100),
             (unsigned long long)(centi % 100));
}

size_t report_init_line(char *buf, size_t cap, uint64_t init_ns, const char *status,
                        const char *error_type)
{
    char init[32];
    fmt_ms(init, sizeof init, init_ns);
    if (error_type)
        return clamp(snprintf(buf, cap,
                              "INIT_REPORT Init Duration: %s ms\tPhase: init\tStatus: %s\t"
                              "Error Type: %s\n",
                              init, status, error_type),
                     cap);
    return clamp(snprintf(buf, cap, "INIT_REPORT Init Duration: %s ms\tPhase: init\tStatus: %s\n",
                          init, status),
                 cap);
}

size_t report_report_line(char *buf, size_t cap, const report_figures_t *fig)
{
    char dur[32], init[32], status[96] = "";
    fmt_ms(dur, sizeof dur, fig->duration_ns);
    fmt_ms(init, sizeof init, fig->init_ns);
    if (fig->status && fig->error_type)
        snprintf(status, sizeof status, "Status: %s\tError Type: %s\t", fig->status,
                 fig->error_type);
    else if (fig->status)
        snprintf(status, sizeof status, "Status: %s\t", fig->status);
    int n = snprintf(buf, cap,
                     "REPORT RequestId: %s\tDuration: %s ms\tBilled Duration: %llu ms\t"
                     "Memory Size: %u MB\tMax Memory Used: %u MB\t%s",
                     fig->request_id, dur,
                     (unsigned long long)report_billed_ms(fig->duration_ns, fig->init_ns,
                                                          fig->cold && fig->bill_init),
                     fig->memory_size_mb, fig->max_memory_mb, status);
    size_t len = clamp(n, cap);
    if (fig->cold && len < cap)
        len += clamp(snprintf(buf + len, cap - len, "Init Duration: %s ms\t", init), cap - len);
    if (len + 1 < cap) {
        buf[len++] = '\n';
        buf[len] = '\0';
    }
    return len;
}

void report_tail_reset(report_tail_t *t) { t->start = t->len = 0; }

void report_tail_append(report_tail_t *t, const char *data, size_t n)
{
    if (n >= REPORT_TAIL_MAX) {
        memcpy(t->buf, data + n - REPORT_TAIL_MAX, REPORT_TAIL_MAX);
        t->start = 0;
        t->len = REPORT_TAIL_MAX;
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t end = (t->start + t->len) % REPORT_TAIL_MAX;
        size_t room = REPORT_TAIL_MAX - end;
        size_t chunk = n - i < room ? n - i : room;
        memcpy(t->buf + end, data + i, chunk);
        i += chunk;
        t->len += chunk;
        if (t->len > REPORT_TAIL_MAX) {
            t->start = (t->start + t->len - REPORT_TAIL_MAX) % REPORT_TAIL_MAX;
            t->len = REPORT_TAIL_MAX;
        }
    }
}

size_t report_tail_copy(const report_tail_t *t, char *out)
{
    size_t first = REPORT_TAIL_MAX - t->start;
    if (first > t->len) first = t->len;
    memcpy(out, t->buf + t->start, first);
    memcpy(out + first, t->buf, t->len - first);
    return t->len;
}

char *report_base64(const char *data, size_t n) { return base64_encode(data, n); }
