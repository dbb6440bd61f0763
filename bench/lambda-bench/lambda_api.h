/* lambda_api: the slice of the AWS Lambda API the bench needs, over one
 * kept-alive libcurl connection: Invoke (RequestResponse, log tail),
 * GetFunctionConfiguration and UpdateFunctionConfiguration.
 *
 * It talks to real Lambda (https://lambda.<region>.amazonaws.com) and to the
 * local emulator alike. When credentials are configured every request is
 * signed with SigV4 (service "lambda") by lib/sigv4; without them requests go
 * unsigned, which only a local endpoint accepts.
 *
 * Function names are plain names ([A-Za-z0-9_-], 1..64 characters, as
 * Lambda allows for names); ARNs are refused, so paths never need escaping.
 *
 * Ownership: lapi_client_new copies the configuration strings. Answers
 * (lapi_answer_t) own their body and tail; lapi_answer_reset frees them and
 * leaves an empty answer. Bodies are capped at LAPI_BODY_CAP, headers kept at
 * LAPI_HEADER_CAP. lapi never retries and never parses a function's payload.
 */
#ifndef LAMBDA_BENCH_LAMBDA_API_H
#define LAMBDA_BENCH_LAMBDA_API_H

#include <stddef.h>

#define LAPI_BODY_CAP (7u << 20) /* Lambda's 6 MB payload limit, with room */
#define LAPI_HEADER_CAP (64 * 1024)

typedef enum lapi_err {
    LAPI_OK = 0,
    LAPI_ERR_ARG, /* a bad function name or configuration */
    LAPI_ERR_NOMEM,
    LAPI_ERR_INIT,     /* libcurl could not be set up */
    LAPI_ERR_SIGN,     /* SigV4 signing failed */
    LAPI_ERR_TRANSFER, /* connect, send or receive failed (see lapi_detail) */
    LAPI_ERR_TOOBIG,   /* an answer over LAPI_BODY_CAP or a header over the cap */
    LAPI_ERR_STATUS,   /* the service answered with an error status */
} lapi_err_t;

const char *lapi_strerror(lapi_err_t err);

typedef struct lapi_config {
    const char *endpoint;          /* "http://127.0.0.1:9001", no trailing path */
    const char *region;            /* signing scope, "us-east-1" */
    const char *access_key_id;     /* NULL: requests are not signed */
    const char *secret_access_key; /* needed with access_key_id */
    const char *session_token;     /* may be NULL */
    long timeout_ms;               /* per request */
} lapi_config_t;

typedef struct lapi_answer {
    long status;
    char *body; /* NUL-terminated, malloc'd */
    size_t body_len;
    char *log_result;        /* X-Amz-Log-Result (base64), or NULL */
    char function_error[64]; /* X-Amz-Function-Error ("Unhandled"), or "" */
    char error_type[128];    /* x-amzn-ErrorType, or "" */
    double elapsed_ms;       /* client-side round trip */
} lapi_answer_t;

void lapi_answer_reset(lapi_answer_t *a);

typedef struct lapi_client lapi_client_t;

/* Call once per process before any client is made (curl_global_init). */
lapi_err_t lapi_global_init(void);
void lapi_global_cleanup(void);

/* *out is set only on success. */
lapi_err_t lapi_client_new(const lapi_config_t *cfg, lapi_client_t **out);
void lapi_client_free(lapi_client_t *c);

/* libcurl's words for the last transfer failure, or "". */
const char *lapi_detail(const lapi_client_t *c);

/* 1 when name is a plain function name this client accepts. */
int lapi_function_name_ok(const char *name);

/* 1 when requests are signed. */
int lapi_signed(const lapi_client_t *c);

/* POST .../functions/<name>/invocations with X-Amz-Log-Type: Tail. A 200 is
 * LAPI_OK even when the function failed (a->function_error says so); any
 * other status is LAPI_ERR_STATUS with the answer kept in *a. */
lapi_err_t lapi_invoke(lapi_client_t *c, const char *function, const char *payload,
                       lapi_answer_t *a);

/* GET .../functions/<name>/configuration. */
lapi_err_t lapi_get_configuration(lapi_client_t *c, const char *function, lapi_answer_t *a);

/* PUT .../functions/<name>/configuration with a JSON document. */
lapi_err_t lapi_update_configuration(lapi_client_t *c, const char *function, const char *json,
                                     lapi_answer_t *a);

#endif
