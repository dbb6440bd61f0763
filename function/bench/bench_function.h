/* bench_function: the benchmark function's handler, between the Lambda
 * runtime client and the DynamoDB operations.
 *
 * A good event answers 200 with body {"operation", "runtime": "c",
 * "duration_ms", "sdk_call_ms", "items_count", "serialize_ms", "http_ms",
 * "parse_ms", "attempts", "connect_ms"} (connect_ms: setting up a new
 * connection during this call, TCP and TLS; 0 when one was reused); an unknown op (or a payload
 * that is not a JSON object) answers 400 with a message naming the valid ops; a DynamoDB error is a
 * function error whose type is the AWS error code
 * ("ResourceNotFoundException") and whose message is DynamoDB's, and a
 * DynamoDB endpoint that cannot be reached is a function error of type
 * "ConnectionError" naming the endpoint.
 *
 * The function borrows the client and the table name; it owns nothing.
 */
#ifndef BENCH_FUNCTION_H
#define BENCH_FUNCTION_H

#include "ddb_client.h"
#include "lambda_runtime.h"

typedef struct bench_function {
    ddb_client_t *client;
    const char *table;
} bench_function_t;

/* A lambda_handler_fn; ctx is a bench_function_t. */
int bench_function_handle(void *ctx, const lambda_invocation_t *inv, lambda_output_t *out);

#endif
