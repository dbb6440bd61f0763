/* lambda-bench: cold starts and warm per-op figures of the C and the Python
 * benchmark functions, through the Lambda Invoke API and control plane, on
 * the local emulator or on AWS. See bench/README.md. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_report.h"
#include "bench_run.h"
#include "lambda_api.h"

#define MAX_LABELS 32

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fputs(
        "usage: lambda-bench [options]\n"
        "\n"
        "Forces cold starts of the benchmark functions with UpdateFunctionConfiguration,\n"
        "invokes every op warm, reads the REPORT lines of the log tail, and prints the\n"
        "cold-start and per-op tables (C / Python ratio); writes JSON, markdown and SVG.\n"
        "\n"
        "  --endpoint URL     Lambda API (default $AWS_ENDPOINT_URL_LAMBDA, else\n"
        "                     https://lambda.REGION.amazonaws.com)\n"
        "  --region R         default $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1\n"
        "  --c NAME           the C function's name (bench-function)\n"
        "  --python NAME      the Python function's name\n"
        "  --cold N           forced cold starts per function (default 3; 0: none)\n"
        "  --warm M           warm invocations per op and function (default 20; 0: none)\n"
        "  --ops LIST         ops measured warm (default put,get,query,batch_write,update,delete)\n"
        "  --pause MS         idle time before each warm invocation (default 50: each starts\n"
        "                     with a fresh CPU budget, as invocations a client spaces out do;\n"
        "                     0: back to back, where a small function runs out of its share)\n"
        "  --cold-op OP       op of the cold-start invocations (default get)\n"
        "  --no-warm-connection  skip the C cold starts with BENCH_WARM_CONNECTION=1\n"
        "  --out DIR          where lambda-bench.{json,md,svg} go (default bench-results)\n"
        "  --label KEY=VALUE  recorded in the JSON and markdown (repeatable)\n"
        "  --timeout S        per request (default 300)\n"
        "  --no-sign          never sign (credentials in the environment are used otherwise:\n"
        "                     AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)\n"
        "  --quiet            no progress line\n",
        f);
}

typedef struct progress {
    const char *function;
    int quiet, tty;
    size_t step, steps; /* overall position */
    char last_phase[64];
} progress_t;

static void on_progress(void *ctx, const char *what, size_t done, size_t total)
{
    progress_t *p = ctx;
    p->step++;
    if (p->quiet) return;
    char phase[64];
    snprintf(phase, sizeof phase, "%s %s", p->function, what);
    if (p->tty) {
        fprintf(stderr, "\r\033[K[%3zu%%] %s %zu/%zu", p->steps ? 100 * p->step / p->steps : 0,
                phase, done + 1, total);
        fflush(stderr);
    } else if (strcmp(phase, p->last_phase) != 0) {
        fprintf(stderr, "[%3zu%%] %s (%zu)\n", p->steps ? 100 * p->step / p->steps : 0, phase,
                total);
    }
    snprintf(p->last_phase, sizeof p->last_phase, "%s", phase);
}

static int split_ops(char *list, const char **ops, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (n == max) return -1;
        ops[n++] = tok;
    }
    return (int)n;
}

static int make_dir(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *endpoint = getenv("AWS_ENDPOINT_URL_LAMBDA"), *region = NULL;
    const char *c_name = NULL, *py_name = NULL, *out_dir = "bench-results", *cold_op = "get";
    long cold = 3, warm = 20, timeout_s = 300, pause_ms = 50;
    int warm_conn = 1, sign = 1, quiet = 0;
    char ops_buf[256] = "put,get,query,batch_write,update,delete";
    const char *labels[MAX_LABELS];
    size_t n_labels = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (TAKE("--endpoint"))
            endpoint = v;
        else if (TAKE("--region"))
            region = v;
        else if (TAKE("--c"))
            c_name = v;
        else if (TAKE("--python"))
            py_name = v;
        else if (TAKE("--cold"))
            cold = strtol(v, NULL, 10);
        else if (TAKE("--warm"))
            warm = strtol(v, NULL, 10);
        else if (TAKE("--pause"))
            pause_ms = strtol(v, NULL, 10);
        else if (TAKE("--ops"))
            snprintf(ops_buf, sizeof ops_buf, "%s", v);
        else if (TAKE("--cold-op"))
            cold_op = v;
        else if (TAKE("--out"))
            out_dir = v;
        else if (TAKE("--timeout"))
            timeout_s = strtol(v, NULL, 10);
        else if (TAKE("--label")) {
            if (n_labels == MAX_LABELS || !strchr(v, '=')) {
                fprintf(stderr, "lambda-bench: --label wants KEY=VALUE (at most %d)\n", MAX_LABELS);
                return 2;
            }
            labels[n_labels++] = v;
        } else if (strcmp(a, "--no-warm-connection") == 0)
            warm_conn = 0;
        else if (strcmp(a, "--no-sign") == 0)
            sign = 0;
        else if (strcmp(a, "--quiet") == 0)
            quiet = 1;
        else {
            fprintf(stderr, "lambda-bench: unknown or incomplete option %s\n", a);
            usage(stderr);
            return 2;
        }
#undef TAKE
    }
    if (!c_name && !py_name) {
        fprintf(stderr, "lambda-bench: name at least one function (--c, --python)\n");
        return 2;
    }
    if ((c_name && !lapi_function_name_ok(c_name)) ||
        (py_name && !lapi_function_name_ok(py_name))) {
        fprintf(stderr, "lambda-bench: function names are plain names ([A-Za-z0-9_-], at most "
                        "64 characters), not ARNs\n");
        return 2;
    }
    if (cold < 0 || cold > 1000 || warm < 0 || warm > 100000 || timeout_s <= 0 || pause_ms < 0 ||
        pause_ms > 60000) {
        fprintf(stderr, "lambda-bench: --cold 0..1000, --warm 0..100000, --pause 0..60000, "
                        "--timeout > 0\n");
        return 2;
    }
    const char *ops[RUN_MAX_OPS];
    int n_ops = warm > 0 ? split_ops(ops_buf, ops, RUN_MAX_OPS) : 0;
    if (n_ops < 0) {
        fprintf(stderr, "lambda-bench: at most %d ops\n", RUN_MAX_OPS);
        return 2;
    }
    if (!region) region = getenv("AWS_REGION");
    if (!region || !*region) region = getenv("AWS_DEFAULT_REGION");
    if (!region || !*region) region = "us-east-1";
    char default_endpoint[256];
    if (!endpoint || !*endpoint) {
        snprintf(default_endpoint, sizeof default_endpoint, "https://lambda.%s.amazonaws.com%s",
                 region, strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
        endpoint = default_endpoint;
    }

    int rc = 1;
    lapi_client_t *api = NULL;
    run_function_t fc, fp;
    memset(&fc, 0, sizeof fc);
    memset(&fp, 0, sizeof fp);
    run_function_t *fns[2] = {c_name ? &fc : NULL, py_name ? &fp : NULL};
    int prepared[2] = {0, 0};
    table_t *tables[REPORT_MAX_TABLES];
    size_t n_tables = 0;
    run_err_t err = RUN_OK;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (lapi_global_init() != LAPI_OK) {
        fprintf(stderr, "lambda-bench: libcurl init failed\n");
        return 1;
    }
    lapi_config_t cfg = {endpoint, region, NULL, NULL, NULL, timeout_s * 1000};
    if (sign) {
        cfg.access_key_id = getenv("AWS_ACCESS_KEY_ID");
        cfg.secret_access_key = getenv("AWS_SECRET_ACCESS_KEY");
        cfg.session_token = getenv("AWS_SESSION_TOKEN");
        if (!cfg.access_key_id || !*cfg.access_key_id || !cfg.secret_access_key ||
            !*cfg.secret_access_key)
            cfg.access_key_id = cfg.secret_access_key = cfg.session_token = NULL;
    }
    lapi_err_t le = lapi_client_new(&cfg, &api);
    if (le != LAPI_OK) {
        fprintf(stderr, "lambda-bench: %s (endpoint %s)\n", lapi_strerror(le), endpoint);
        goto out;
    }
    if (make_dir(out_dir) != 0) {
        fprintf(stderr, "lambda-bench: cannot create %s: %s\n", out_dir, strerror(errno));
        goto out;
    }

    progress_t prog = {.quiet = quiet, .tty = isatty(2)};
    run_ctx_t ctx = {.api = api,
                     .stop = &stop_requested,
                     .progress = on_progress,
                     .progress_ctx = &prog,
                     .update_wait_s = 120,
                     .pause_s = (double)pause_ms / 1000};
    size_t nf = (c_name ? 1 : 0) + (py_name ? 1 : 0);
    prog.steps = nf * ((size_t)cold + (size_t)warm * (size_t)n_ops) +
                 (c_name && warm_conn ? (size_t)cold : 0);

    time_t started = time(NULL);
    char started_at[32];
    strftime(started_at, sizeof started_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&started));
    double t0 = now_s();

    snprintf(fc.label, sizeof fc.label, "c");
    snprintf(fp.label, sizeof fp.label, "python");
    if (c_name) snprintf(fc.name, sizeof fc.name, "%s", c_name);
    if (py_name) snprintf(fp.name, sizeof fp.name, "%s", py_name);
    for (int k = 0; k < 2; k++) {
        if (!fns[k]) continue;
        if ((err = run_prepare(&ctx, fns[k])) != RUN_OK) goto failed;
        prepared[k] = 1;
    }
    /* Cold starts: C as deployed, C with the connection warmed in init, Python. */
    for (int k = 0; k < 2 && cold > 0; k++) {
        if (!fns[k]) continue;
        prog.function = k == 0 ? "C" : "Python";
        if ((err = run_cold_starts(&ctx, fns[k], cold_op, (size_t)cold, 0)) != RUN_OK) goto failed;
        if (k == 0 && warm_conn &&
            (err = run_cold_starts(&ctx, fns[k], cold_op, (size_t)cold, 1)) != RUN_OK)
            goto failed;
        if ((err = run_restore(&ctx, fns[k])) != RUN_OK) goto failed;
    }
    /* Warm: one batch_write first (cold after the restore; it seeds the 25
     * items query reads), then every op M times, the functions alternating
     * per op so both see the same table. */
    for (int k = 0; k < 2 && n_ops > 0; k++) {
        run_invocation_t seed;
        if (fns[k] && (err = run_invoke_once(&ctx, fns[k], "batch_write", &seed)) != RUN_OK)
            goto failed;
    }
    for (int o = 0; o < n_ops; o++)
        for (int k = 0; k < 2; k++) {
            if (!fns[k]) continue;
            prog.function = k == 0 ? "C" : "Python";
            if ((err = run_warm(&ctx, fns[k], ops[o], (size_t)warm)) != RUN_OK) goto failed;
        }
    if (prog.tty && !quiet) fputs("\r\033[K", stderr);

    report_input_t in = {
        .c = c_name ? &fc : NULL,
        .python = py_name ? &fp : NULL,
        .endpoint = endpoint,
        .region = region,
        .signed_requests = lapi_signed(api),
        .cold_starts = (size_t)cold,
        .warm_invokes = (size_t)warm,
        .pause_ms = pause_ms,
        .cold_op = cold_op,
        .ops = ops,
        .n_ops = (size_t)n_ops,
        .labels = labels,
        .n_labels = n_labels,
        .started_at = started_at,
        .elapsed_s = now_s() - t0,
    };
    machine_describe(&in.machine);
    if (report_tables(&in, tables, &n_tables) != REPORT_OK) {
        fprintf(stderr, "lambda-bench: out of memory\n");
        goto out;
    }
    char setup[1024];
    report_setup_line(&in, setup, sizeof setup);
    printf("%s\n", setup);
    for (size_t i = 0; i < in.n_labels; i++) printf("  %s\n", in.labels[i]);
    for (size_t i = 0; i < n_tables; i++) {
        putchar('\n');
        table_print_text(tables[i], stdout);
    }
    char path_json[4200], path_md[4200], path_svg[4200];
    snprintf(path_json, sizeof path_json, "%s/lambda-bench.json", out_dir);
    snprintf(path_md, sizeof path_md, "%s/lambda-bench.md", out_dir);
    snprintf(path_svg, sizeof path_svg, "%s/lambda-bench.svg", out_dir);
    report_err_t re;
    if ((re = report_write_json(&in, path_json)) != REPORT_OK ||
        (re = report_write_svg(&in, path_svg)) != REPORT_OK ||
        (re = report_write_markdown(&in, tables, n_tables, n_ops ? "lambda-bench.svg" : NULL,
                                    path_md)) != REPORT_OK) {
        fprintf(stderr, "lambda-bench: writing %s: %s (%s)\n", out_dir, report_strerror(re),
                strerror(errno));
        goto out;
    }
    printf("\nWrote %s, %s, %s (%.1f s)\n", path_json, path_md, path_svg, in.elapsed_s);
    rc = 0;
    goto out;

failed:
    if (prog.tty && !quiet) fputs("\r\033[K", stderr);
    if (err == RUN_ERR_STOPPED)
        fprintf(stderr, "lambda-bench: interrupted\n");
    else
        fprintf(stderr, "lambda-bench: %s: %s\n", run_strerror(err), ctx.why);
    rc = err == RUN_ERR_STOPPED ? 130 : 1;
    /* Leave the functions as they were deployed. */
    stop_requested = 0;
    for (int k = 0; k < 2; k++)
        if (fns[k] && prepared[k] && run_restore(&ctx, fns[k]) != RUN_OK)
            fprintf(stderr, "lambda-bench: could not restore %s's environment: %s\n", fns[k]->name,
                    ctx.why);
out:
    report_tables_free(tables, n_tables);
    run_function_free(&fc);
    run_function_free(&fp);
    lapi_client_free(api);
    lapi_global_cleanup();
    return rc;
}
