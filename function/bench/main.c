/* bench-function: the C benchmark function. The same binary runs as
 * `bootstrap` on AWS Lambda (provided.al2023) and on the local emulator; only
 * the environment differs (see function/README.md).
 *
 * Environment: TABLE_NAME (default lambda-rust-bench); the AWS_* variables of
 * ddb_config.h; BENCH_WARM_CONNECTION=1 makes one GetItem during init so the
 * first invocation finds the connection (DNS, TCP, TLS) already open;
 * BENCH_NO_CA_CACHE=1 turns libcurl's CA cache off, to measure what it saves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_function.h"
#include "bench_ops.h"
#include "ddb_client.h"
#include "lambda_runtime.h"

static int env_true(const char *name)
{
    const char *v = getenv(name);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

int main(void)
{
    int status = 1;
    lambda_runtime_t *rt = NULL;
    ddb_client_t *client = NULL;
    ddb_config_t *cfg = NULL;
    const char *why = NULL;
    lambda_err_t lerr = lambda_runtime_new(NULL, &rt);
    if (lerr) {
        fprintf(stderr, "bench-function: %s\n", lambda_strerror(lerr));
        goto out;
    }
    ddb_err_t err = ddb_config_resolve(NULL, NULL, &cfg, &why);
    ddb_client_options_t opts = {.no_ca_cache = env_true("BENCH_NO_CA_CACHE")};
    if (!err) err = ddb_client_new(cfg, &opts, &client);
    if (err) {
        fprintf(stderr, "bench-function: %s\n", why ? why : ddb_strerror(err));
        lambda_runtime_init_error(rt, "Runtime.ConfigurationError", why ? why : ddb_strerror(err));
        goto out;
    }
    const char *table = getenv("TABLE_NAME");
    if (!table || !*table) table = BENCH_DEFAULT_TABLE;

    if (env_true("BENCH_WARM_CONNECTION")) {
        bench_result_t res;
        ddb_response_t resp = {0};
        err = bench_ops_run(client, table, BENCH_OP_GET, 0, &res, &resp);
        fprintf(stderr, "bench-function: warm-up GetItem: %s%s%s\n", ddb_strerror(err),
                err ? ": " : "", err ? resp.error_message : "");
        ddb_response_reset(&resp);
    }

    bench_function_t fn = {.client = client, .table = table};
    lerr = lambda_runtime_run(rt, bench_function_handle, &fn);
    fprintf(stderr, "bench-function: %s\n", lambda_strerror(lerr));
out:
    ddb_client_free(client);
    lambda_runtime_free(rt);
    return status;
}
