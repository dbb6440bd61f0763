/* bench-ddb: measures one DynamoDB-compatible server with one keep-alive
 * client, or prints several servers' results side by side.
 *
 *   bench-ddb [options] --url URL [--pid PID]       a server already running
 *   bench-ddb [options] [--port N] -- ARGV...       start ARGV ("{port}" is
 *                                                   replaced), time its start-up
 *   bench-ddb --report SUBJECT FILE...              the side-by-side table
 *   bench-ddb --name NAME --skip REASON --out FILE  a column for a server
 *                                                   that could not be run
 *
 * The run: CreateTable (waiting for ACTIVE), seed 25 items of 1 KB and a
 * partition of 100 numbered ones, then per operation (GET / first, as the
 * floor: the round trip without DynamoDB work; then PutItem, GetItem, Query,
 * BatchWriteItem, a conditional UpdateItem, a filtered Query and a
 * TransactWriteItems of 10 actions) a warm-up and a bounded measured loop (a
 * number of requests or a number of seconds, whichever ends first), then a
 * load of 15,000 items with BatchWriteItem and the server's VmRSS / VmHWM.
 * Every answer is checked and only answers that pass count; a failed check
 * marks the operation FAIL. Conditional operations are first sent once with
 * a condition that fails, and must be refused as DynamoDB refuses them. An
 * operation the server answers with UnknownOperationException is marked
 * unsupported (dynalite has no transactions) without failing the run.
 * Exit status: 0 all good, 1 a check or step failed, 2 usage or setup error.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "procmem.h"
#include "report.h"
#include "result.h"
#include "server.h"
#include "stats.h"
#include "wire.h"
#include "workload.h"

#define SEED_PK "bench"
#define SEED_ITEMS 25
#define FILTER_PK "bench-filter" /* WORK_FILTER_ITEMS numbered items */
#define PUT_KEYS 100             /* PutItem cycles over this many keys, overwriting */
#define WARMUP_SECONDS 1
#define REQUEST_TIMEOUT_MS 10000 /* a hung server fails the run instead of stalling it */

typedef struct options {
    const char *url, *name, *out, *log, *skip;
    long pid;
    unsigned port;
    unsigned long iterations, warmup, load_items;
    double seconds, load_seconds, startup_timeout;
    int quiet;
    char **server_argv;
} options_t;

static volatile pid_t child_pid;

/* Ctrl-C or a kill of the benchmark stops the server it started first. */
static void on_signal(int sig)
{
    if (child_pid > 0) kill(child_pid, SIGTERM);
    _exit(128 + sig);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench-ddb [options] --url URL [--pid PID]\n"
               "       bench-ddb [options] [--port N] -- SERVER-ARGV...   ({port} is replaced)\n"
               "       bench-ddb --report SUBJECT RESULT-FILE...\n"
               "       bench-ddb --name NAME --skip REASON --out FILE\n"
               "options:\n"
               "  --name NAME            column heading for this server (one word)\n"
               "  --out FILE             write the result file there\n"
               "  --iterations N         measured requests per operation (default 5000)\n"
               "  --seconds T            time cap per operation (default 3)\n"
               "  --warmup N             unmeasured requests per operation first, at most 1 s\n"
               "                         (default 1000)\n"
               "  --load-items N         items loaded before memory is read (default 15000)\n"
               "  --load-seconds T       time cap on that load (default 60)\n"
               "  --startup-timeout T    seconds to wait for the first answer (default 30)\n"
               "  --log FILE             the started server's stdout and stderr\n"
               "  --quiet                no progress lines on stderr\n");
}

/* A free loopback port, found by binding port 0. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Sets the result's note (the first failure wins) and marks it failed. */
static void fail(result_t *r, const char *what, const char *why)
{
    r->failed = 1;
    if (!r->note[0]) snprintf(r->note, sizeof r->note, "%s: %s", what, why);
}

/* Sends and checks one unmeasured request; 0 when it passed. */
typedef work_err_t (*check_fn)(long status, const char *body, const void *arg, char *why,
                               size_t why_len);

static int send_checked(wire_conn_t *c, const wire_request_t *req, check_fn check, const void *arg,
                        long *status, char *why, size_t why_len)
{
    *status = 0;
    wire_err_t we = wire_send(c, req, status);
    if (we != WIRE_OK) {
        snprintf(why, why_len, "%s (%s)", wire_strerror(we), wire_detail(c));
        return -1;
    }
    return check(*status, wire_body(c, NULL), arg, why, why_len) == WORK_OK ? 0 : -1;
}

/* send_checked when the status does not matter. */
static int send_ok(wire_conn_t *c, const wire_request_t *req, check_fn check, const void *arg,
                   char *why, size_t why_len)
{
    long status;
    return send_checked(c, req, check, arg, &status, why, why_len);
}

/* GET /: any answer short of a server error; DynamoDB Local, for one,
 * answers 400 MissingAuthenticationToken to an unsigned GET. */
static work_err_t check_floor(long st, const char *body, const void *arg, char *why, size_t n)
{
    (void)body;
    (void)arg;
    if (st >= 200 && st < 500) return WORK_OK;
    snprintf(why, n, "HTTP %ld to GET /", st);
    return WORK_ESTATUS;
}
static work_err_t check_table(long st, const char *body, const void *arg, char *why, size_t n)
{
    return work_check_table(st, body, (int *)arg, why, n);
}
static work_err_t check_write(long st, const char *body, const void *arg, char *why, size_t n)
{
    (void)arg;
    return work_check_write(st, body, why, n);
}
static work_err_t check_get(long st, const char *body, const void *arg, char *why, size_t n)
{
    return work_check_get(st, body, arg, why, n);
}
static work_err_t check_query(long st, const char *body, const void *arg, char *why, size_t n)
{
    (void)arg;
    return work_check_query(st, body, SEED_ITEMS, why, n);
}
static work_err_t check_filter(long st, const char *body, const void *arg, char *why, size_t n)
{
    (void)arg;
    return work_check_query_filter(st, body, why, n);
}
static work_err_t check_batch(long st, const char *body, const void *arg, char *why, size_t n)
{
    (void)arg;
    return work_check_batch(st, body, why, n);
}
/* arg: the error type DynamoDB refuses with. */
static work_err_t check_refused(long st, const char *body, const void *arg, char *why, size_t n)
{
    return work_check_refused(st, body, arg, why, n);
}

/* One benchmarked operation: nreq prebuilt requests sent in turn, each
 * answer checked against args[i]; refused, when set, is sent once first and
 * must be refused with the error refused_type. */
typedef struct op_plan {
    result_op_t op;
    wire_request_t **reqs;
    const void **args;
    size_t nreq;
    check_fn check;
    wire_request_t *refused;
    const char *refused_type;
} op_plan_t;

static void measure(wire_conn_t *c, const op_plan_t *plan, const options_t *o, uint64_t *samples,
                    result_t *r)
{
    result_op_figures_t *fig = &r->ops[plan->op];
    const char *name = result_op_name(plan->op);
    char why[200] = "";
    long status = 0;
    fig->measured = 1;
    if (plan->refused && send_checked(c, plan->refused, check_refused, plan->refused_type, &status,
                                      why, sizeof why) != 0)
        goto failed;
    /* Warm-up: lets JITs and caches settle (DynamoDB Local's JVM needs it);
     * at most WARMUP_SECONDS, so slow servers do not stretch the run. */
    uint64_t warm_start = now_ns();
    for (unsigned long i = 0;
         i < o->warmup && now_ns() - warm_start < WARMUP_SECONDS * 1000000000ull; i++) {
        size_t k = i % plan->nreq;
        if (send_checked(c, plan->reqs[k], plan->check, plan->args[k], &status, why, sizeof why) !=
            0)
            goto failed;
    }
    size_t n = 0;
    uint64_t start = now_ns(), cap_ns = (uint64_t)(o->seconds * 1e9);
    while (n < o->iterations && now_ns() - start < cap_ns) {
        size_t k = n % plan->nreq;
        uint64_t t0 = now_ns();
        wire_err_t we = wire_send(c, plan->reqs[k], &status);
        uint64_t t1 = now_ns();
        if (we != WIRE_OK) {
            snprintf(why, sizeof why, "%s (%s)", wire_strerror(we), wire_detail(c));
            goto failed;
        }
        /* Checked outside the timed span: the client's JSON parsing is not
         * the server's latency. */
        if (plan->check(status, wire_body(c, NULL), plan->args[k], why, sizeof why) != WORK_OK)
            goto failed;
        samples[n++] = t1 - t0;
    }
    stats_summary_t s;
    if (stats_summarize(samples, n, &s) != STATS_OK) {
        snprintf(why, sizeof why, "no request completed");
        goto failed;
    }
    fig->count = s.count;
    fig->p50_us = s.p50_us;
    fig->p99_us = s.p99_us;
    fig->ops_per_s = s.ops_per_s;
    if (!o->quiet)
        fprintf(stderr, "bench-ddb: %s %-15s p50 %9.1f us  p99 %9.1f us  %8.0f ops/s  (n=%zu)\n",
                r->server, name, s.p50_us, s.p99_us, s.ops_per_s, s.count);
    return;
failed:
    if (work_unknown_operation(status, wire_body(c, NULL))) {
        fig->unsupported = 1;
        if (!o->quiet) fprintf(stderr, "bench-ddb: %s does not implement %s\n", r->server, name);
        return;
    }
    fig->failed = 1;
    fail(r, name, why);
    if (!o->quiet) fprintf(stderr, "bench-ddb: %s %s FAILED: %s\n", r->server, name, why);
}

/* A request from a body a workload builder just made (built is its answer,
 * *body the body it set); frees the body. NULL on failure. Taking body by
 * address lets one call both build and wrap, whatever the order in which C
 * evaluates the arguments. */
static wire_request_t *build(const char *operation, work_err_t built, char **body)
{
    wire_request_t *req = NULL;
    if (built == WORK_OK && wire_request_new(operation, *body, &req) != WIRE_OK) req = NULL;
    if (built == WORK_OK) free(*body);
    *body = NULL;
    return req;
}

/* CreateTable, then DescribeTable until ACTIVE (dynalite, for one, keeps a
 * new table CREATING for a while). */
static int create_table(wire_conn_t *c, result_t *r)
{
    char *body = NULL, why[200] = "";
    int active = 0, rc = -1;
    wire_request_t *create = build("CreateTable", work_create_table(&body), &body);
    wire_request_t *describe = build("DescribeTable", work_describe_table(&body), &body);
    if (!create || !describe) {
        fail(r, "CreateTable", "out of memory");
        goto done;
    }
    if (send_ok(c, create, check_table, &active, why, sizeof why) != 0) {
        fail(r, "CreateTable", why);
        goto done;
    }
    uint64_t start = now_ns();
    while (!active) {
        if (now_ns() - start > 30 * 1000000000ull) {
            fail(r, "DescribeTable", "table not ACTIVE after 30 s");
            goto done;
        }
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
        if (send_ok(c, describe, check_table, &active, why, sizeof why) != 0) {
            fail(r, "DescribeTable", why);
            goto done;
        }
    }
    rc = 0;
done:
    wire_request_free(create);
    wire_request_free(describe);
    return rc;
}

/* One BatchWriteItem of count items, built now (not a measured request). */
static int batch_once(wire_conn_t *c, const char *pk, const char *prefix, unsigned first,
                      unsigned count, int numbered, char *why, size_t why_len)
{
    char *body = NULL;
    wire_request_t *req =
        build("BatchWriteItem", work_batch_write(pk, prefix, first, count, numbered, &body), &body);
    if (!req) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    int rc = send_ok(c, req, check_batch, NULL, why, why_len);
    wire_request_free(req);
    return rc;
}

/* Loads o->load_items items of 1 KB, 25 per batch, 100 per partition, then
 * reads the server's memory. */
static void load_and_measure_memory(wire_conn_t *c, const options_t *o, pid_t pid, result_t *r)
{
    char why[200] = "";
    uint64_t start = now_ns(), cap_ns = (uint64_t)(o->load_seconds * 1e9);
    unsigned long done = 0;
    while (done < o->load_items) {
        if (now_ns() - start > cap_ns) {
            snprintf(why, sizeof why, "load stopped at %lu items after %.0f s", done,
                     o->load_seconds);
            fail(r, "load", why);
            break;
        }
        unsigned count = o->load_items - done < WORK_BATCH_MAX ? (unsigned)(o->load_items - done)
                                                               : WORK_BATCH_MAX;
        char pk[32];
        snprintf(pk, sizeof pk, "load-%04lu", done / 100);
        if (batch_once(c, pk, "item-", (unsigned)done, count, 0, why, sizeof why) != 0) {
            fail(r, "load (BatchWriteItem)", why);
            break;
        }
        done += count;
    }
    r->items = done;
    if (!o->quiet)
        fprintf(stderr, "bench-ddb: %s loaded %lu items in %.1f s\n", r->server, done,
                (double)(now_ns() - start) / 1e9);
    if (pid <= 0) return;
    procmem_t m;
    procmem_err_t pe = procmem_read(pid, &m);
    if (pe != PROCMEM_OK) {
        fail(r, "memory", procmem_strerror(pe));
        return;
    }
    r->rss_kb = m.rss_kb;
    r->hwm_kb = m.hwm_kb;
    snprintf(r->process, sizeof r->process, "%s", m.name);
    if (!o->quiet)
        fprintf(stderr, "bench-ddb: %s (%s) VmRSS %.1f MB, VmHWM %.1f MB\n", r->server, m.name,
                (double)m.rss_kb / 1024, (double)m.hwm_kb / 1024);
}

/* The whole measurement against a server that answers at url. */
static void run(const char *url, pid_t pid, const options_t *o, result_t *r)
{
    wire_conn_t *c = NULL;
    uint64_t *samples = NULL;
    char why[200] = "";
    wire_request_t *puts[PUT_KEYS] = {0}, *gets[SEED_ITEMS] = {0}, *updates[SEED_ITEMS] = {0},
                   *query = NULL, *batch = NULL, *floor = NULL, *filter = NULL, *transact = NULL,
                   *update_refused = NULL, *transact_refused = NULL;
    const void *put_args[PUT_KEYS] = {0}, *get_args[SEED_ITEMS] = {0}, *none[SEED_ITEMS] = {0};
    char get_keys[SEED_ITEMS][64];

    if (wire_open(url, REQUEST_TIMEOUT_MS, &c) != WIRE_OK) {
        fail(r, "setup", "cannot set up libcurl");
        goto done;
    }
    samples = calloc(o->iterations ? o->iterations : 1, sizeof *samples);
    if (!samples) {
        fail(r, "setup", "out of memory");
        goto done;
    }
    if (create_table(c, r) != 0) goto done;
    if (batch_once(c, SEED_PK, "item-", 0, SEED_ITEMS, 0, why, sizeof why) != 0) {
        fail(r, "seed (BatchWriteItem)", why);
        goto done;
    }
    for (unsigned i = 0; i < WORK_FILTER_ITEMS; i += WORK_BATCH_MAX) {
        if (batch_once(c, FILTER_PK, "item-", i, WORK_BATCH_MAX, 1, why, sizeof why) != 0) {
            fail(r, "seed (BatchWriteItem)", why);
            goto done;
        }
    }

    char *body = NULL;
    for (unsigned i = 0; i < PUT_KEYS; i++) {
        char sk[64];
        work_sort_key("put-", i, sk, sizeof sk);
        if (!(puts[i] = build("PutItem", work_put_item("bench-put", sk, &body), &body))) goto oom;
    }
    for (unsigned i = 0; i < SEED_ITEMS; i++) {
        work_sort_key("item-", i, get_keys[i], sizeof get_keys[i]);
        get_args[i] = get_keys[i];
        if (!(gets[i] = build("GetItem", work_get_item(SEED_PK, get_keys[i], &body), &body)))
            goto oom;
        if (!(updates[i] =
                  build("UpdateItem", work_update_item(SEED_PK, get_keys[i], &body), &body)))
            goto oom;
    }
    /* The transaction updates the first seed item and checks the second. */
    if (!(transact = build(
              "TransactWriteItems",
              work_transact_write("bench-tx", SEED_PK, get_keys[0], get_keys[1], &body), &body)) ||
        !(transact_refused = build(
              "TransactWriteItems",
              work_transact_write("bench-tx", SEED_PK, get_keys[0], "missing", &body), &body)) ||
        !(update_refused =
              build("UpdateItem", work_update_item(SEED_PK, "missing", &body), &body)) ||
        !(filter = build("Query", work_query_filter(FILTER_PK, &body), &body)))
        goto oom;
    if (!(query = build("Query", work_query(SEED_PK, &body), &body))) goto oom;
    if (wire_request_new(NULL, "", &floor) != WIRE_OK) goto oom;
    if (!(batch =
              build("BatchWriteItem",
                    work_batch_write("bench-batch", "batch-", 0, WORK_BATCH_MAX, 0, &body), &body)))
        goto oom;

    const op_plan_t plans[RESULT_NOPS] = {
        {RESULT_FLOOR, &floor, none, 1, check_floor, NULL, NULL},
        {RESULT_PUT, puts, put_args, PUT_KEYS, check_write, NULL, NULL},
        {RESULT_GET, gets, get_args, SEED_ITEMS, check_get, NULL, NULL},
        {RESULT_QUERY, &query, none, 1, check_query, NULL, NULL},
        {RESULT_BATCH, &batch, none, 1, check_batch, NULL, NULL},
        {RESULT_UPDATE, updates, none, SEED_ITEMS, check_write, update_refused,
         "ConditionalCheckFailedException"},
        {RESULT_FILTER, &filter, none, 1, check_filter, NULL, NULL},
        {RESULT_TRANSACT, &transact, none, 1, check_write, transact_refused,
         "TransactionCanceledException"},
    };
    for (int i = 0; i < RESULT_NOPS; i++) measure(c, &plans[i], o, samples, r);
    load_and_measure_memory(c, o, pid, r);
    goto done;
oom:
    fail(r, "setup", "out of memory building requests");
done:
    if (c) r->connections = wire_connects(c);
    for (unsigned i = 0; i < PUT_KEYS; i++) wire_request_free(puts[i]);
    for (unsigned i = 0; i < SEED_ITEMS; i++) {
        wire_request_free(gets[i]);
        wire_request_free(updates[i]);
    }
    wire_request_free(filter);
    wire_request_free(transact);
    wire_request_free(transact_refused);
    wire_request_free(update_refused);
    wire_request_free(query);
    wire_request_free(floor);
    wire_request_free(batch);
    free(samples);
    wire_close(c);
}

static int report_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    size_t n = (size_t)argc - 1;
    result_t *rs = calloc(n, sizeof *rs);
    if (!rs) return 2;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(argv[i + 1], "r");
        result_err_t re = f ? result_read(f, &rs[i]) : RESULT_EIO;
        if (f) fclose(f);
        if (re != RESULT_OK) {
            fprintf(stderr, "bench-ddb: %s: %s\n", argv[i + 1], result_strerror(re));
            rc = 2;
            goto done;
        }
    }
    report_print(stdout, rs, n, argv[0]);
done:
    free(rs);
    return rc;
}

static int parse_number(const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end || v < 0) return -1;
    *out = v;
    return 0;
}

static int parse_options(int argc, char **argv, options_t *o)
{
    static const struct option longs[] = {{"url", required_argument, 0, 'u'},
                                          {"pid", required_argument, 0, 'p'},
                                          {"port", required_argument, 0, 'P'},
                                          {"name", required_argument, 0, 'n'},
                                          {"out", required_argument, 0, 'o'},
                                          {"iterations", required_argument, 0, 'i'},
                                          {"seconds", required_argument, 0, 's'},
                                          {"warmup", required_argument, 0, 'w'},
                                          {"load-items", required_argument, 0, 'l'},
                                          {"load-seconds", required_argument, 0, 'L'},
                                          {"startup-timeout", required_argument, 0, 't'},
                                          {"log", required_argument, 0, 'g'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"skip", required_argument, 0, 'k'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    *o = (options_t){.iterations = 5000,
                     .warmup = 1000,
                     .load_items = 15000,
                     .seconds = 3,
                     .load_seconds = 60,
                     .startup_timeout = 30};
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
        switch (c) {
        case 'u': o->url = optarg; break;
        case 'n': o->name = optarg; break;
        case 'o': o->out = optarg; break;
        case 'g': o->log = optarg; break;
        case 'k': o->skip = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); exit(0);
        case 'p':
        case 'P':
        case 'i':
        case 'w':
        case 'l':
            if (parse_number(optarg, &v) != 0 || v != (double)(unsigned long)v) return -1;
            if (c == 'p') o->pid = (long)v;
            if (c == 'P') o->port = (unsigned)v;
            if (c == 'i') o->iterations = (unsigned long)v;
            if (c == 'w') o->warmup = (unsigned long)v;
            if (c == 'l') o->load_items = (unsigned long)v;
            break;
        case 's':
        case 'L':
        case 't':
            if (parse_number(optarg, &v) != 0) return -1;
            if (c == 's') o->seconds = v;
            if (c == 'L') o->load_seconds = v;
            if (c == 't') o->startup_timeout = v;
            break;
        default: return -1;
        }
    }
    if (optind < argc) o->server_argv = argv + optind;
    if (o->skip) return o->name && o->out && !o->url && !o->server_argv ? 0 : -1;
    if (!o->url == !o->server_argv) return -1; /* exactly one of the two */
    if (o->port > 65535 || o->iterations == 0) return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--report") == 0) return report_main(argc - 2, argv + 2);
    options_t o;
    if (parse_options(argc, argv, &o) != 0) {
        usage(stderr);
        return 2;
    }
    if (wire_global_init() != WIRE_OK) {
        fprintf(stderr, "bench-ddb: %s\n", wire_strerror(WIRE_EINIT));
        return 2;
    }
    const char *name = o.name;
    if (!name) {
        name = o.server_argv ? strrchr(o.server_argv[0], '/') : NULL;
        name = name ? name + 1 : o.server_argv ? o.server_argv[0] : "server";
    }
    result_t r;
    result_init(&r, name);
    if (o.skip) {
        r.skipped = 1;
        snprintf(r.note, sizeof r.note, "%s", o.skip);
    }

    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    server_t *srv = NULL;
    char url[128] = "";
    pid_t pid = (pid_t)o.pid;
    if (o.server_argv) {
        unsigned port = o.port ? o.port : free_port();
        snprintf(url, sizeof url, "http://127.0.0.1:%u", port);
        server_err_t se = server_start(o.server_argv, port, o.log, &srv);
        if (se == SERVER_OK) {
            child_pid = server_pid(srv);
            pid = child_pid;
            se = server_wait_ready(srv, url, o.startup_timeout, &r.startup_ms);
        }
        procmem_t idle;
        if (se == SERVER_OK && procmem_read(pid, &idle) == PROCMEM_OK) r.idle_rss_kb = idle.rss_kb;
        if (se != SERVER_OK) {
            char why[200];
            snprintf(why, sizeof why, "%s%s%s", server_strerror(se), srv ? " " : "",
                     srv ? server_detail(srv) : "");
            fail(&r, "start", why);
        } else if (!o.quiet) {
            fprintf(stderr, "bench-ddb: %s answered %.1f ms after start (pid %ld)\n", name,
                    r.startup_ms, (long)pid);
        }
    } else if (o.url) {
        snprintf(url, sizeof url, "%s", o.url);
        procmem_t idle;
        if (pid > 0 && procmem_read(pid, &idle) == PROCMEM_OK) r.idle_rss_kb = idle.rss_kb;
    }
    if (!r.failed && !r.skipped) run(url, pid, &o, &r);
    server_stop(srv);
    child_pid = 0;

    int rc = r.failed ? 1 : 0;
    if (o.out) {
        FILE *f = fopen(o.out, "w");
        result_err_t re = f ? result_write(f, &r) : RESULT_EIO;
        if (f && fclose(f) != 0) re = RESULT_EIO;
        if (re != RESULT_OK) {
            fprintf(stderr, "bench-ddb: %s: %s\n", o.out, result_strerror(re));
            rc = 2;
        }
    } else {
        report_print(stdout, &r, 1, NULL);
    }
    if (r.failed) fprintf(stderr, "bench-ddb: %s: %s\n", name, r.note);
    return rc;
}
