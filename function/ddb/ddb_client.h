/* ddb_client: a small DynamoDB client over libcurl: one call is one
 * JSON-protocol operation (POST, X-Amz-Target DynamoDB_20120810.<Op>),
 * signed with SigV4, checked against x-amz-crc32 and retried the way the
 * SDKs' standard mode retries (see ddb_retry.h).
 *
 * One client holds one curl handle for its whole life, so the connection
 * (TCP + TLS) is kept alive and reused across calls, and so is libcurl's CA
 * cache: the CA directory is switched off because libcurl does not cache a
 * store built from one, and parsing the whole bundle on each new connection
 * costs tens of milliseconds. AWS_CA_BUNDLE replaces the bundle file.
 *
 * The client never builds or reads DynamoDB's JSON beyond error documents:
 * callers pass the request body and get the response body back, so they can
 * time serialization on their own.
 *
 * Not thread-safe: one client per thread. Ownership: ddb_client_new takes the
 * config (also on failure); ddb_client_free accepts NULL.
 */
#ifndef DDB_CLIENT_H
#define DDB_CLIENT_H

#include <stddef.h>

#include "ddb_config.h"
#include "ddb_err.h"
#include "ddb_response.h"

typedef struct ddb_client ddb_client_t;

typedef struct ddb_client_options {
    long connect_timeout_ms; /* 0: 3000 */
    long timeout_ms;         /* per attempt; 0: 10000 */
    int no_ca_cache;         /* 1: parse the CA bundle on every new connection
                                (libcurl's behaviour with a CA directory); for
                                measuring what the cache saves */
} ddb_client_options_t;

/* opts may be NULL. */
ddb_err_t ddb_client_new(ddb_config_t *cfg, const ddb_client_options_t *opts, ddb_client_t **out);
void ddb_client_free(ddb_client_t *c);

const ddb_config_t *ddb_client_config(const ddb_client_t *c);

/* Attempts and retry pauses end before deadline_ms (Unix epoch ms, less
 * DDB_DEADLINE_MARGIN_MS to report the failure), so a function gets a clear
 * RequestTimeout error instead of being killed by Lambda. 0 removes it. A
 * function sets it from each invocation's Lambda-Runtime-Deadline-Ms. */
#define DDB_DEADLINE_MARGIN_MS 100
void ddb_client_set_deadline(ddb_client_t *c, long long deadline_ms);

/* Runs one operation ("GetItem") with a JSON body. resp is reset first and
 * always describes the last attempt: status, body, error_type/message (for
 * DDB_ERR_SERVICE, and a transport message for DDB_ERR_TRANSPORT), attempts.
 * Returns DDB_OK only for a 2xx answer whose checksum matches. */
ddb_err_t ddb_call(ddb_client_t *c, const char *operation, const char *body, size_t body_len,
                   ddb_response_t *resp);

#endif
