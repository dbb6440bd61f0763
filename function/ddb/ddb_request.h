/* ddb_request: the HTTP headers of one DynamoDB JSON-protocol call, signed
 * with SigV4 exactly as botocore signs them (content-type, host, x-amz-date,
 * x-amz-security-token when there is one, x-amz-target).
 *
 * Pure: no clock (the caller passes amz_date), no I/O, so the result can be
 * compared with botocore's signer byte for byte. A ddb_signing_cache_t keeps
 * the day's signing key so a warm client does one HMAC per request instead
 * of five. ddb_request_t owns its header strings; ddb_request_free() frees
 * them (and accepts a zeroed struct).
 */
#ifndef DDB_REQUEST_H
#define DDB_REQUEST_H

#include <stddef.h>

#include "ddb_config.h"
#include "ddb_err.h"

#define DDB_REQUEST_MAX_HEADERS 8

typedef struct ddb_request {
    char *lines[DDB_REQUEST_MAX_HEADERS]; /* "Name: value", ready for libcurl */
    size_t n_lines;
    char *authorization; /* the Authorization value alone, for tests */
} ddb_request_t;

typedef struct ddb_signing_cache {
    char date[9]; /* YYYYMMDD the key is for, "" when empty */
    char region[64];
    unsigned char key[32];
} ddb_signing_cache_t;

/* operation is the bare name ("GetItem"); amz_date "20260127T120000Z".
 * cache may be NULL. *out is filled only on success. */
ddb_err_t ddb_request_build(const ddb_config_t *cfg, const char *amz_date, const char *operation,
                            const char *body, size_t body_len, ddb_signing_cache_t *cache,
                            ddb_request_t *out);

void ddb_request_free(ddb_request_t *req);

#endif
