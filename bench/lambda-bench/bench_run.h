/* bench_run: the measurements. A bench_run holds, for each function under
 * test (the C one and the Python one), its forced cold starts and its warm
 * invocations per operation, every figure taken either from the REPORT line
 * of the log tail (Duration, Billed Duration, Init Duration, Max Memory Used)
 * or from the function's own answer (sdk_call_ms, serialize_ms, connect_ms),
 * never mixed.
 *
 * A cold start is forced as on AWS: UpdateFunctionConfiguration with a new
 * value of the environment variable BENCH_COLD_START, then
 * GetFunctionConfiguration until LastUpdateStatus is Successful; the next
 * invoke must carry an Init Duration or the cold start counts as failed.
 * The function's original environment is put back by run_restore.
 *
 * Ownership: run_function_t owns its records and samples; run_function_free
 * releases them (and accepts NULL). The client is borrowed, never freed.
 * Cancellation: run_* functions check *stop between invocations and return
 * RUN_ERR_STOPPED when it is set.
 */
#ifndef LAMBDA_BENCH_RUN_H
#define LAMBDA_BENCH_RUN_H

#include <signal.h>
#include <stddef.h>

#include "lambda_api.h"
#include "samples.h"

typedef enum run_err {
    RUN_OK = 0,
    RUN_ERR_NOMEM,
    RUN_ERR_API,      /* the Lambda API failed (see run_ctx.why) */
    RUN_ERR_FUNCTION, /* the function failed or answered something else */
    RUN_ERR_REPORT,   /* no usable REPORT line, or no Init Duration after a
                         forced cold start */
    RUN_ERR_UPDATE,   /* LastUpdateStatus Failed, or not Successful in time */
    RUN_ERR_STOPPED,  /* interrupted */
} run_err_t;

const char *run_strerror(run_err_t err);

#define RUN_MAX_OPS 8
#define RUN_WHY_MAX 512

typedef void (*run_progress_fn)(void *ctx, const char *what, size_t done, size_t total);

typedef struct run_ctx {
    lapi_client_t *api;
    volatile sig_atomic_t *stop;
    run_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    double update_wait_s;  /* how long to wait for LastUpdateStatus */
    double pause_s;        /* idle time before each warm invocation */
    char why[RUN_WHY_MAX]; /* details of the last failure */
} run_ctx_t;

/* One invocation: the REPORT line's figures and the answer's. A figure the
 * answer lacks is -1 (connect_ms and parse_ms from Python). */
typedef struct run_invocation {
    char request_id[64];
    double duration_ms, billed_ms, max_memory_mb, init_ms; /* init_ms -1: warm */
    double sdk_call_ms, serialize_ms, connect_ms;
    double client_ms; /* the bench's own round trip of the Invoke call */
    long items_count;
} run_invocation_t;

typedef struct run_cold {
    run_invocation_t first, second;
} run_cold_t;

typedef struct run_cold_set {
    run_cold_t *runs;
    size_t n;
} run_cold_set_t;

typedef struct run_op {
    char name[32];
    run_invocation_t *inv;
    size_t n;
} run_op_t;

typedef struct run_function {
    char label[16]; /* "c" or "python" */
    char name[65];  /* the Lambda function's name */
    char *env_json; /* the original Environment.Variables (cJSON text) */
    double memory_size_mb;
    run_cold_set_t cold;           /* environment as deployed */
    run_cold_set_t cold_warm_conn; /* with BENCH_WARM_CONNECTION=1 */
    run_op_t ops[RUN_MAX_OPS];
    size_t n_ops;
} run_function_t;

/* Reads the function's configuration (MemorySize, Environment) into f; label
 * and name must be set. */
run_err_t run_prepare(run_ctx_t *ctx, run_function_t *f);

/* n forced cold starts, each followed by a second (warm) invocation of op;
 * with warm_connection the environment also gets BENCH_WARM_CONNECTION=1. */
run_err_t run_cold_starts(run_ctx_t *ctx, run_function_t *f, const char *op, size_t n,
                          int warm_connection);

/* One invocation of op that is not recorded (e.g. batch_write to seed). */
run_err_t run_invoke_once(run_ctx_t *ctx, run_function_t *f, const char *op, run_invocation_t *out);

/* m warm invocations of op, appended to f's records of op. */
run_err_t run_warm(run_ctx_t *ctx, run_function_t *f, const char *op, size_t m);

/* Puts the original environment back (one UpdateFunctionConfiguration). */
run_err_t run_restore(run_ctx_t *ctx, run_function_t *f);

void run_function_free(run_function_t *f);

/* The op record named name, or NULL. */
const run_op_t *run_find_op(const run_function_t *f, const char *name);

/* Collects one field of invocations into samples (skipping -1). */
typedef enum run_field {
    RUN_F_DURATION,
    RUN_F_BILLED,
    RUN_F_MAX_MEMORY,
    RUN_F_INIT,
    RUN_F_SDK_CALL,
    RUN_F_SERIALIZE,
    RUN_F_CONNECT,
    RUN_F_CLIENT,
} run_field_t;

double run_field_value(const run_invocation_t *inv, run_field_t field);

#endif
