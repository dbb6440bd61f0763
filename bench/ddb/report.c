/* report: one column per server, one row per figure, and the subject's
 * comparison with its best peer. */
#include "report.h"

#include <string.h>

#define LABEL_W 30
#define CELL_W 12
#define RATIO_W 28

/* The goals for the subject on the 2-core reference machine: p50 per
 * operation in microseconds (0: none), the speed-up over the fastest peer for
 * every DynamoDB operation, and memory after the 15,000-item load. */
static const double goal_p50_us[RESULT_NOPS] = {0, 80, 60, 200, 400, 0, 0, 0};
#define GOAL_SPEEDUP 10.0
#define GOAL_RSS_MB 30.0

static const char *const op_labels[RESULT_NOPS] = {"GET / (HTTP floor)",
                                                   "PutItem 1 KB",
                                                   "GetItem",
                                                   "Query 25 x 1 KB",
                                                   "BatchWriteItem 25 x 1 KB",
                                                   "UpdateItem, condition",
                                                   "Query, filter 100 -> 10",
                                                   "TransactWriteItems x 10"};

static int op_valid(const result_t *r, result_op_t op)
{
    return !r->skipped && r->ops[op].measured && !r->ops[op].failed && r->ops[op].count > 0;
}

double report_speedup(const result_t *rs, size_t n, size_t subject, result_op_t op, size_t *peer)
{
    if (subject >= n || !op_valid(&rs[subject], op) || rs[subject].ops[op].p50_us <= 0) return 0;
    size_t best = n;
    for (size_t i = 0; i < n; i++) {
        if (i == subject || !op_valid(&rs[i], op)) continue;
        if (best == n || rs[i].ops[op].p50_us < rs[best].ops[op].p50_us) best = i;
    }
    if (best == n) return 0;
    *peer = best;
    return rs[best].ops[op].p50_us / rs[subject].ops[op].p50_us;
}

static void print_header(FILE *out, const char *title, const result_t *rs, size_t n,
                         int with_subject)
{
    fprintf(out, "%-*s", LABEL_W, title);
    for (size_t i = 0; i < n; i++) fprintf(out, "%*.*s", CELL_W, CELL_W - 1, rs[i].server);
    if (with_subject) fprintf(out, "   %-*s %s", RATIO_W, "subject vs best peer", "goals");
    fputc('\n', out);
}

/* A figure cell: the number, FAIL, n/a (the server lacks the operation) or "-". */
static void print_cell(FILE *out, int state, double v, int decimals)
{
    if (state == -2)
        fprintf(out, "%*s", CELL_W, "n/a");
    else if (state < 0)
        fprintf(out, "%*s", CELL_W, "-");
    else if (state == 0)
        fprintf(out, "%*s", CELL_W, "FAIL");
    else
        fprintf(out, "%*.*f", CELL_W, decimals, v);
}

static int op_state(const result_t *r, result_op_t op)
{
    if (r->skipped || !r->ops[op].measured) return -1;
    if (r->ops[op].unsupported) return -2;
    return op_valid(r, op) ? 1 : 0;
}

/* "3.1x faster (peer)" or "-"; padded to its column when more text follows. */
static void print_ratio(FILE *out, double ratio, const char *better, const char *worse,
                        const char *peer, int pad)
{
    char text[64];
    if (ratio <= 0)
        snprintf(text, sizeof text, "-");
    else if (ratio >= 1)
        snprintf(text, sizeof text, "%.1fx %s (%s)", ratio, better, peer);
    else
        snprintf(text, sizeof text, "%.1fx %s (%s)", 1 / ratio, worse, peer);
    fprintf(out, "   %-*s", pad ? RATIO_W : 0, text);
}

enum figure { FIG_P50, FIG_P99, FIG_OPS };

static double op_figure(const result_t *r, result_op_t op, enum figure fig)
{
    const result_op_figures_t *o = &r->ops[op];
    return fig == FIG_P50 ? o->p50_us : fig == FIG_P99 ? o->p99_us : o->ops_per_s;
}

/* The subject's ops/s over the best peer's ops/s; 0 without valid figures. */
static double throughput_ratio(const result_t *rs, size_t n, size_t subject, result_op_t op,
                               size_t *peer)
{
    if (!op_valid(&rs[subject], op)) return 0;
    size_t best = n;
    for (size_t i = 0; i < n; i++) {
        if (i == subject || !op_valid(&rs[i], op) || rs[i].ops[op].ops_per_s <= 0) continue;
        if (best == n || rs[i].ops[op].ops_per_s > rs[best].ops[op].ops_per_s) best = i;
    }
    if (best == n) return 0;
    *peer = best;
    return rs[subject].ops[op].ops_per_s / rs[best].ops[op].ops_per_s;
}

static void print_op_section(FILE *out, const char *title, enum figure fig, const result_t *rs,
                             size_t n, size_t subject)
{
    int with_subject = subject < n;
    print_header(out, title, rs, n, with_subject);
    for (int op = 0; op < RESULT_NOPS; op++) {
        fprintf(out, "  %-*s", LABEL_W - 2, op_labels[op]);
        for (size_t i = 0; i < n; i++)
            print_cell(out, op_state(&rs[i], op), op_figure(&rs[i], op, fig),
                       fig == FIG_OPS ? 0 : 1);
        if (with_subject && fig != FIG_P99) {
            size_t peer = 0;
            double s = fig == FIG_P50 ? report_speedup(rs, n, subject, op, &peer)
                                      : throughput_ratio(rs, n, subject, op, &peer);
            int goals = fig == FIG_P50 && op != RESULT_FLOOR;
            print_ratio(out, s, "faster", "slower", s > 0 ? rs[peer].server : "", goals);
            if (goals && goal_p50_us[op] > 0) {
                double p50 = rs[subject].ops[op].p50_us;
                fprintf(out, " p50 <= %.0f us: %s;", goal_p50_us[op],
                        !op_valid(&rs[subject], op) ? "-"
                        : p50 <= goal_p50_us[op]    ? "met"
                                                    : "missed");
            }
            if (goals)
                fprintf(out, " >= %.0fx: %s", GOAL_SPEEDUP,
                        s <= 0              ? "-"
                        : s >= GOAL_SPEEDUP ? "met"
                                            : "missed");
        }
        fputc('\n', out);
    }
}

/* Lowest positive value among the peers of subject; index in *peer. */
static int best_peer(const double *v, size_t n, size_t subject, size_t *peer)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == subject || v[i] <= 0) continue;
        if (!found || v[i] < v[*peer]) *peer = i;
        found = 1;
    }
    return found;
}

void report_print(FILE *out, const result_t *rs, size_t n, const char *subject_name)
{
    if (n > REPORT_MAX_SERVERS) n = REPORT_MAX_SERVERS;
    size_t subject = n;
    for (size_t i = 0; subject_name && i < n; i++)
        if (strcmp(rs[i].server, subject_name) == 0) subject = i;
    int with_subject = subject < n;

    print_op_section(out, "p50 latency (us)", FIG_P50, rs, n, subject);
    print_op_section(out, "p99 latency (us)", FIG_P99, rs, n, subject);
    print_op_section(out, "ops/s (one connection)", FIG_OPS, rs, n, subject);

    /* Memory after the load is comparable only between servers that took
     * the whole load; one that stopped early shows "-" (its note says why). */
    unsigned long items = 0;
    for (size_t i = 0; i < n; i++)
        if (!rs[i].skipped && rs[i].items > items) items = rs[i].items;
    double startup[REPORT_MAX_SERVERS] = {0}, idle[REPORT_MAX_SERVERS] = {0},
           rss[REPORT_MAX_SERVERS] = {0}, hwm[REPORT_MAX_SERVERS] = {0};
    for (size_t i = 0; i < n; i++) {
        if (rs[i].skipped) continue;
        startup[i] = rs[i].startup_ms;
        if (rs[i].idle_rss_kb > 0) idle[i] = (double)rs[i].idle_rss_kb / 1024.0;
        if (rs[i].items != items) continue;
        if (rs[i].rss_kb > 0) rss[i] = (double)rs[i].rss_kb / 1024.0;
        if (rs[i].hwm_kb > 0) hwm[i] = (double)rs[i].hwm_kb / 1024.0;
    }
    print_header(out, "process", rs, n, with_subject);

    const struct {
        const char *label;
        const double *v;
        const char *better, *worse;
        double goal; /* 0: none */
    } rows[] = {{"start-up to first answer (ms)", startup, "faster", "slower", 0},
                {"RSS at first answer (MB)", idle, "smaller", "larger", 0},
                {"RSS after the load (MB)", rss, "smaller", "larger", GOAL_RSS_MB},
                {"peak RSS, VmHWM (MB)", hwm, "smaller", "larger", 0}};
    for (size_t row = 0; row < sizeof rows / sizeof *rows; row++) {
        fprintf(out, "  %-*s", LABEL_W - 2, rows[row].label);
        for (size_t i = 0; i < n; i++)
            print_cell(out, rows[row].v[i] > 0 ? 1 : -1, rows[row].v[i], 1);
        size_t peer = 0;
        if (with_subject) {
            double mine = rows[row].v[subject], ratio = 0;
            if (mine > 0 && best_peer(rows[row].v, n, subject, &peer))
                ratio = rows[row].v[peer] / mine;
            print_ratio(out, ratio, rows[row].better, rows[row].worse, rs[peer].server,
                        rows[row].goal > 0);
            if (rows[row].goal > 0)
                fprintf(out, " <= %.0f MB: %s", rows[row].goal,
                        mine <= 0                ? "-"
                        : mine <= rows[row].goal ? "met"
                                                 : "missed");
        }
        fputc('\n', out);
    }
    fprintf(out, "  %-*s", LABEL_W - 2, "TCP connections opened");
    for (size_t i = 0; i < n; i++)
        print_cell(out, rs[i].skipped ? -1 : 1, (double)rs[i].connections, 0);
    fputc('\n', out);
    fprintf(out,
            "\nThe load: %lu items of 1 KB written with BatchWriteItem before memory was read.\n"
            "n/a: the server does not implement the operation (UnknownOperationException).\n",
            items);
    for (size_t i = 0; i < n; i++) {
        const result_t *r = &rs[i];
        const char *state = r->skipped ? "skipped" : r->failed ? "FAILED" : "ok";
        int proc = r->process[0] && !r->skipped;
        fprintf(out, "%s: %s%s%s", r->server, state, proc ? ", process " : "",
                proc ? r->process : "");
        /* Reconnecting costs a handshake per request: say so beside figures
         * that include it. */
        if (!r->skipped && r->connections > 1)
            fprintf(out, ", %ld TCP connections (does not keep connections alive)", r->connections);
        fprintf(out, "%s%s\n", r->note[0] ? "; " : "", r->note);
    }
}
