/* bench_event: what the benchmark function reads from its event and how it
 * answers, in API Gateway HTTP API (payload 2.0) terms.
 *
 * The operation comes from queryStringParameters.op (the seed article's
 * payload), else from a top-level "op" (a plain {"op": "get"} event), else it
 * is "get" as in the article. Answers are proxy responses:
 * {"statusCode": N, "headers": {"content-type": "application/json"},
 *  "body": "<JSON text>"}.
 *
 * Pure functions over cJSON; returned strings are malloc'd and belong to the
 * caller (free()).
 */
#ifndef BENCH_EVENT_H
#define BENCH_EVENT_H

#include <stddef.h>

typedef enum bench_op {
    BENCH_OP_UNKNOWN = 0,
    BENCH_OP_PUT,
    BENCH_OP_GET,
    BENCH_OP_QUERY,
    BENCH_OP_BATCH_WRITE,
    BENCH_OP_DELETE,
    BENCH_OP_UPDATE
} bench_op_t;

typedef enum bench_event_err {
    BENCH_EVENT_OK = 0,
    BENCH_EVENT_NOT_JSON, /* the payload is not a JSON object */
    BENCH_EVENT_BAD_OP,   /* op names no operation (or is not a string) */
    BENCH_EVENT_NOMEM
} bench_event_err_t;

const char *bench_event_strerror(bench_event_err_t err);

/* The op named by the event. On BENCH_EVENT_BAD_OP, name (cap bytes) holds
 * what was asked for, for the error message. */
bench_event_err_t bench_event_op(const char *payload, size_t len, bench_op_t *op, char *name,
                                 size_t cap);

const char *bench_op_name(bench_op_t op);
bench_op_t bench_op_parse(const char *name);

/* A proxy response with body as its (string) body. *out set on success. */
bench_event_err_t bench_event_proxy_response(int status, const char *body, char **out);

/* The 400 answer for a bad event: body {"error": "...", "valid_ops": [...]}. */
bench_event_err_t bench_event_bad_request(const char *message, char **out);

#endif
