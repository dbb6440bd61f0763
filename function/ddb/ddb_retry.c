/* ddb_retry: see ddb_retry.h. The code lists are the ones botocore's
 * retries/standard.py checks. */
#include "ddb_retry.h"

#include <string.h>

static const char *const throttling_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
};

static const char *const transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
};

static int in_list(const char *code, const char *const *list, size_t n)
{
    if (!code) return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(code, list[i]) == 0) return 1;
    return 0;
}

int ddb_retry_is_throttling(const char *error_type)
{
    return in_list(error_type, throttling_codes,
                   sizeof throttling_codes / sizeof *throttling_codes);
}

ddb_retry_kind_t ddb_retry_classify(ddb_err_t err, long status, const char *error_type)
{
    switch (err) {
    case DDB_OK: return DDB_RETRY_NONE;
    case DDB_ERR_TRANSPORT:
    case DDB_ERR_CRC32: return DDB_RETRY_TRANSIENT;
    case DDB_ERR_SERVICE:
        if (ddb_retry_is_throttling(error_type)) return DDB_RETRY_THROTTLING;
        if (in_list(error_type, transient_codes, sizeof transient_codes / sizeof *transient_codes))
            return DDB_RETRY_TRANSIENT;
        break;
    default: break;
    }
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return DDB_RETRY_TRANSIENT;
    return DDB_RETRY_NONE;
}

long long ddb_retry_delay_us(ddb_retry_kind_t kind, int retry, double rand01)
{
    const double max_us = 20e6;
    double scale = kind == DDB_RETRY_THROTTLING ? 1e6 : 25e3;
    if (retry < 1) retry = 1;
    double cap = scale;
    for (int i = 1; i < retry && cap < max_us; i++) cap *= 2;
    if (cap > max_us) cap = max_us;
    if (rand01 < 0) rand01 = 0;
    if (rand01 >= 1) rand01 = 0.999999;
    return (long long)(rand01 * cap);
}

void ddb_retry_quota_init(ddb_retry_quota_t *q) { q->available = DDB_RETRY_QUOTA_MAX; }

int ddb_retry_quota_acquire(ddb_retry_quota_t *q, int after_timeout)
{
    int cost = after_timeout ? DDB_RETRY_TIMEOUT_COST : DDB_RETRY_COST;
    if (q->available < cost) return 0;
    q->available -= cost;
    return cost;
}

void ddb_retry_quota_release(ddb_retry_quota_t *q, int taken)
{
    q->available += taken > 0 ? taken : 1;
    if (q->available > DDB_RETRY_QUOTA_MAX) q->available = DDB_RETRY_QUOTA_MAX;
}
