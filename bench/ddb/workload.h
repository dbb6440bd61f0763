/* workload: the requests the DynamoDB benchmark sends, and the checks every
 * answer must pass.
 *
 * The data set is the seed article's: table "lambda-rust-bench" with pk (S,
 * HASH) and sk (S, RANGE); each item is {pk, sk, data: 1000 x's, timestamp:
 * N}, about 1 KB. Builders return a malloc'd JSON body that the caller frees.
 * Checks read an answer (HTTP status and body) and say whether it is what
 * DynamoDB would answer, so a server that answers fast but wrongly is caught:
 * GetItem must return the item asked for, Query every one of the items,
 * BatchWriteItem an empty UnprocessedItems. On failure they write a short
 * reason into why (always NUL-terminated, truncated to why_len). This module
 * does no I/O.
 */
#ifndef BENCH_DDB_WORKLOAD_H
#define BENCH_DDB_WORKLOAD_H

#include <stddef.h>

#define WORK_TABLE "lambda-rust-bench"
#define WORK_DATA_BYTES 1000 /* the "data" attribute: 1000 x's, as in the article */
#define WORK_BATCH_MAX 25    /* DynamoDB's BatchWriteItem limit */

typedef enum work_err {
    WORK_OK = 0,
    WORK_ENOMEM,
    WORK_ESTATUS, /* HTTP status other than 200 */
    WORK_EJSON,   /* the body is not JSON */
    WORK_ESHAPE,  /* JSON, but not the answer DynamoDB gives */
} work_err_t;

const char *work_strerror(work_err_t err);

/* Request bodies. *out is set only on success. */
work_err_t work_create_table(char **out);
work_err_t work_describe_table(char **out);
work_err_t work_put_item(const char *pk, const char *sk, char **out);
work_err_t work_get_item(const char *pk, const char *sk, char **out);
/* KeyConditionExpression "pk = :pk", ConsistentRead: the whole partition. */
work_err_t work_query(const char *pk, char **out);
/* Put requests for count (1..25) items pk / "<sk_prefix><first + i>" (sort
 * keys zero-padded to 6 digits, so they sort as they are numbered). */
work_err_t work_batch_write(const char *pk, const char *sk_prefix, unsigned first, unsigned count,
                            char **out);
/* The sort key work_batch_write gives item number i; buf holds >= 64 bytes. */
void work_sort_key(const char *sk_prefix, unsigned i, char *buf, size_t len);

/* Checks. For CreateTable / DescribeTable answers, *active is set (only on
 * success) to whether TableStatus is ACTIVE. */
work_err_t work_check_table(long status, const char *body, int *active, char *why, size_t why_len);
work_err_t work_check_put(long status, const char *body, char *why, size_t why_len);
work_err_t work_check_get(long status, const char *body, const char *sk, char *why, size_t why_len);
work_err_t work_check_query(long status, const char *body, unsigned count, char *why,
                            size_t why_len);
work_err_t work_check_batch(long status, const char *body, char *why, size_t why_len);

#endif
