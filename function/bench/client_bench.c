/* bench-ddb-client: the DynamoDB client alone, in a loop, against the
 * endpoint of the environment (ddb_config.h): for each op, N calls, and the
 * p50 / p99 of the whole call (sdk_call) and of its client-side parts (JSON
 * build + parse, and SigV4 signing). Prints figures; asserts nothing.
 * Usage: bench-ddb-client [N] (default 2000); TABLE_NAME as the function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_ops.h"
#include "ddb_client.h"
#include "ddb_request.h"
#include "sigv4.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    int k = (int)(p / 100.0 * (n - 1) + 0.5);
    return v[k];
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n < 1) n = 1;
    const char *table = getenv("TABLE_NAME");
    if (!table || !*table) table = BENCH_DEFAULT_TABLE;
    ddb_config_t *cfg = NULL;
    ddb_client_t *client = NULL;
    const char *why = NULL;
    int status = 1;
    double *sdk = malloc(sizeof(double) * (size_t)n), *local = malloc(sizeof(double) * (size_t)n);
    double *sign = malloc(sizeof(double) * (size_t)n);
    if (!sdk || !local || !sign) goto out;
    if (ddb_config_resolve(NULL, NULL, &cfg, &why)) {
        fprintf(stderr, "bench-ddb-client: %s\n", why);
        goto out;
    }
    /* Signing alone, with the cached key, on the biggest body (BatchWrite). */
    char *body = NULL;
    const char *operation = NULL;
    if (bench_ops_request(table, BENCH_OP_BATCH_WRITE, 1764000000LL, &body, &operation)) goto out;
    ddb_signing_cache_t cache = {0};
    for (int i = 0; i < n; i++) {
        ddb_request_t req = {0};
        double t0 = now_us();
        ddb_request_build(cfg, "20260127T120000Z", operation, body, strlen(body), &cache, &req);
        sign[i] = now_us() - t0;
        ddb_request_free(&req);
    }
    size_t body_len = strlen(body);
    free(body);
    if (ddb_client_new(cfg, NULL, &client)) goto out;
    cfg = NULL;
    printf("bench-ddb-client: %d calls per op against %s\n", n,
           ddb_client_config(client)->endpoint);
    printf("signing a %zu-byte BatchWriteItem: p50 %.1f us\n", body_len, pct(sign, n, 50));
    printf("%-12s %10s %10s %14s\n", "op", "p50 ms", "p99 ms", "build+parse us");
    static const bench_op_t ops[] = {BENCH_OP_BATCH_WRITE, BENCH_OP_PUT,    BENCH_OP_GET,
                                     BENCH_OP_QUERY,       BENCH_OP_UPDATE, BENCH_OP_DELETE};
    for (size_t o = 0; o < sizeof ops / sizeof *ops; o++) {
        int done = 0;
        for (int i = 0; i < n; i++) {
            bench_result_t r;
            ddb_response_t resp = {0};
            ddb_err_t err = bench_ops_run(client, table, ops[o], (long long)time(NULL), &r, &resp);
            if (err) {
                fprintf(stderr, "%s: %s %s\n", bench_op_name(ops[o]), resp.error_type,
                        resp.error_message);
                ddb_response_reset(&resp);
                break;
            }
            ddb_response_reset(&resp);
            sdk[done] = r.sdk_call_ms;
            local[done] = (r.serialize_ms + r.parse_ms) * 1e3;
            done++;
        }
        if (done)
            printf("%-12s %10.3f %10.3f %14.1f\n", bench_op_name(ops[o]), pct(sdk, done, 50),
                   pct(sdk, done, 99), pct(local, done, 50));
    }
    status = 0;
out:
    ddb_client_free(client);
    ddb_config_free(cfg);
    free(sdk);
    free(local);
    free(sign);
    return status;
}
