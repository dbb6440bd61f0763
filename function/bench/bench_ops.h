/* bench_ops: the benchmark's DynamoDB operations, as in the seed article:
 * items {pk: "bench", sk: "item-N", data: 1,000 x's, timestamp: now}.
 *
 *   put          PutItem item-0                       items_count 1
 *   get          GetItem item-0                       1 if found, else 0
 *   query        Query pk = "bench"                   Count
 *   batch_write  BatchWriteItem item-0..item-24       25 minus unprocessed
 *   delete       DeleteItem item-0                    1
 *   update       UpdateItem item-0 SET timestamp      1
 *
 * Each run times its phases separately: serialize (building the request
 * JSON), http (the signed call with its retries), parse (reading the answer);
 * sdk_call is all three, the span the SDKs' figures cover.
 */
#ifndef BENCH_OPS_H
#define BENCH_OPS_H

#include "bench_event.h"
#include "ddb_client.h"

#define BENCH_BATCH_ITEMS 25
#define BENCH_DATA_LEN 1000
#define BENCH_DEFAULT_TABLE "lambda-rust-bench"

typedef struct bench_result {
    int items_count;
    double serialize_ms, http_ms, parse_ms, sdk_call_ms;
    int attempts;
    double connect_ms; /* TCP (+TLS) setup of a new connection; 0 when reused */
} bench_result_t;

/* Runs op against table. On DDB_ERR_SERVICE (and transport errors) resp
 * holds the error type and message. resp is the caller's (zeroed or reset);
 * the caller resets it afterwards. */
ddb_err_t bench_ops_run(ddb_client_t *client, const char *table, bench_op_t op,
                        long long now_seconds, bench_result_t *out, ddb_response_t *resp);

/* The request body of op, exposed for tests. *out is cJSON_free()'d by the
 * caller. */
ddb_err_t bench_ops_request(const char *table, bench_op_t op, long long now_seconds, char **out,
                            const char **operation);

#endif
