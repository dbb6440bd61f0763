/* ddb_retry: the retry policy of the AWS SDKs' "standard" mode, as pure
 * functions so it can be tested without a network.
 *
 * Retried: throttling error codes (ThrottlingException,
 * ProvisionedThroughputExceededException, ...), transient codes
 * (RequestTimeout, RequestTimeoutException, PriorRequestNotComplete), HTTP
 * 500/502/503/504, connection failures, and a DynamoDB response whose
 * x-amz-crc32 does not match its body. Nothing else is retried.
 *
 * Delay before retry i (i = 1 after the first attempt):
 *     rand(0,1) * min(scale * 2^(i-1), 20 s)
 * with scale 1 s for throttling and 25 ms for other errors (botocore's
 * DynamoDB values). A retry quota (500 tokens; a retry costs 5, one after a
 * timeout 10; a success gives back what its retries took, or 1) stops retry
 * storms when the service is down. The quota is not thread-safe: one per
 * client.
 */
#ifndef DDB_RETRY_H
#define DDB_RETRY_H

#include "ddb_err.h"

typedef enum ddb_retry_kind {
    DDB_RETRY_NONE = 0, /* not retryable */
    DDB_RETRY_TRANSIENT,
    DDB_RETRY_THROTTLING
} ddb_retry_kind_t;

/* err is the outcome of one attempt; status the HTTP status (0 if none);
 * error_type the short AWS error code (NULL if none). */
ddb_retry_kind_t ddb_retry_classify(ddb_err_t err, long status, const char *error_type);

/* 1 when error_type is one of the throttling codes. */
int ddb_retry_is_throttling(const char *error_type);

/* Delay in microseconds before retry number `retry` (1-based); rand01 is a
 * uniform number in [0, 1). */
long long ddb_retry_delay_us(ddb_retry_kind_t kind, int retry, double rand01);

#define DDB_RETRY_QUOTA_MAX 500
#define DDB_RETRY_COST 5
#define DDB_RETRY_TIMEOUT_COST 10

typedef struct ddb_retry_quota {
    int available;
} ddb_retry_quota_t;

void ddb_retry_quota_init(ddb_retry_quota_t *q);
/* Takes the cost of one retry; returns the tokens taken, or 0 when the quota
 * is exhausted (then do not retry). */
int ddb_retry_quota_acquire(ddb_retry_quota_t *q, int after_timeout);
/* After a successful call: `taken` is the sum of what its retries acquired. */
void ddb_retry_quota_release(ddb_retry_quota_t *q, int taken);

#endif
