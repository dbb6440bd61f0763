/* lambda_runtime: a client of the AWS Lambda Runtime API for functions
 * written in C (a custom runtime: provided.al2023, or any emulator that
 * speaks the same API).
 *
 * The loop is: GET /runtime/invocation/next (no timeout: the environment may
 * be frozen between invocations) -> the handler -> POST .../response or
 * .../error. lambda_runtime_run() does it forever; the single steps are
 * public too. Failures before the loop are reported with
 * lambda_runtime_init_error(). One curl handle is reused for every call, so
 * the connection to the Runtime API stays open; a call that fails at the
 * transport level is retried a few times (LAMBDA_RUNTIME_ATTEMPTS) with a short
 * backoff, then given up.
 *
 * Ownership: an invocation's strings and payload belong to the runtime and
 * stay valid until the next lambda_runtime_next() (or _free). A handler's
 * response body is malloc'd by the handler and freed by the runtime. Every
 * *_free accepts NULL. Not thread-safe: one runtime per process.
 */
#ifndef LAMBDA_RUNTIME_H
#define LAMBDA_RUNTIME_H

#include <stddef.h>

typedef enum lambda_err {
    LAMBDA_OK = 0,
    LAMBDA_ERR_CONFIG,    /* AWS_LAMBDA_RUNTIME_API missing or malformed */
    LAMBDA_ERR_NOMEM,     /* allocation failed */
    LAMBDA_ERR_TRANSPORT, /* the Runtime API could not be reached, after retries */
    LAMBDA_ERR_PROTOCOL,  /* an answer the Runtime API should not give */
    LAMBDA_ERR_TOOBIG     /* event above LAMBDA_MAX_EVENT, or response refused (413) */
} lambda_err_t;

const char *lambda_strerror(lambda_err_t err);

/* Synchronous invocation payloads are capped at 6 MB by Lambda. */
#define LAMBDA_MAX_EVENT (6 * 1024 * 1024 + 1024)
#define LAMBDA_RUNTIME_ATTEMPTS 3

/* One invocation, as the Lambda-Runtime-* headers of /next describe it. */
typedef struct lambda_invocation {
    const char *request_id;       /* Lambda-Runtime-Aws-Request-Id */
    long long deadline_ms;        /* Lambda-Runtime-Deadline-Ms, Unix epoch ms */
    const char *function_arn;     /* Lambda-Runtime-Invoked-Function-Arn */
    const char *trace_id;         /* Lambda-Runtime-Trace-Id, NULL if absent */
    const char *client_context;   /* Lambda-Runtime-Client-Context, NULL if absent */
    const char *cognito_identity; /* Lambda-Runtime-Cognito-Identity, NULL if absent */
    const char *payload;          /* the event, NUL-terminated */
    size_t payload_len;
} lambda_invocation_t;

/* Milliseconds left before the deadline (negative when past it). */
long long lambda_remaining_ms(const lambda_invocation_t *inv);

/* What a handler produces. On success set body (malloc'd JSON; the runtime
 * frees it) and return 0. On failure return nonzero and fill error_type and
 * error_message; a body set anyway is freed and not sent. */
typedef struct lambda_output {
    char *body;
    size_t body_len;
    char error_type[128];     /* e.g. "ResourceNotFoundException" */
    char error_message[1024]; /* what went wrong, for the caller */
} lambda_output_t;

typedef int (*lambda_handler_fn)(void *ctx, const lambda_invocation_t *inv, lambda_output_t *out);

typedef struct lambda_runtime lambda_runtime_t;

/* api is "host:port"; NULL reads AWS_LAMBDA_RUNTIME_API. */
lambda_err_t lambda_runtime_new(const char *api, lambda_runtime_t **out);
void lambda_runtime_free(lambda_runtime_t *rt);

/* POST /runtime/init/error: call when initialization failed, then exit. */
lambda_err_t lambda_runtime_init_error(lambda_runtime_t *rt, const char *type, const char *message);

/* Waits for the next invocation (no timeout). Sets _X_AMZN_TRACE_ID. On
 * LAMBDA_ERR_TOOBIG, inv holds the request id, deadline and ARN (no payload)
 * when they arrived, so the invocation can be failed; run() does that. */
lambda_err_t lambda_runtime_next(lambda_runtime_t *rt, lambda_invocation_t *inv);

lambda_err_t lambda_runtime_respond(lambda_runtime_t *rt, const lambda_invocation_t *inv,
                                    const char *body, size_t len);

/* POST .../error with {"errorMessage", "errorType", "stackTrace": []} and
 * Lambda-Runtime-Function-Error-Type. */
lambda_err_t lambda_runtime_fail(lambda_runtime_t *rt, const lambda_invocation_t *inv,
                                 const char *type, const char *message);

/* next -> handler -> respond/fail, until the Runtime API cannot be reached;
 * returns that error. */
lambda_err_t lambda_runtime_run(lambda_runtime_t *rt, lambda_handler_fn handler, void *ctx);

#endif
