/* workload: the requests the DynamoDB benchmark sends, and the checks every
 * answer must pass.
 *
 * The data set is the seed article's: table "lambda-rust-bench" with pk (S,
 * HASH) and sk (S, RANGE); each item is {pk, sk, data: 1000 x's, timestamp:
 * N}, about 1 KB. Builders return a malloc'd JSON body that the caller frees.
 * Checks read an answer (HTTP status and body) and say whether it is what
 * DynamoDB would answer, so a server that answers fast but wrongly is caught:
 * GetItem must return the item asked for, Query every one of the items,
 * the filtered Query exactly the items that pass, BatchWriteItem an empty
 * UnprocessedItems, and a conditional write whose condition fails must be
 * refused. On failure they write a short
 * reason into why (always NUL-terminated, truncated to why_len). This module
 * does no I/O.
 */
#ifndef BENCH_DDB_WORKLOAD_H
#define BENCH_DDB_WORKLOAD_H

#include <stddef.h>

#define WORK_TABLE "lambda-rust-bench"
#define WORK_DATA_BYTES 1000  /* the "data" attribute: 1000 x's, as in the article */
#define WORK_BATCH_MAX 25     /* DynamoDB's BatchWriteItem limit */
#define WORK_FILTER_ITEMS 100 /* the partition the filtered Query reads */
#define WORK_FILTER_BELOW 10  /* ... of which the items with seq < this pass */
#define WORK_TRANSACT_ACTIONS 10

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
/* KeyConditionExpression "pk = :pk" and FilterExpression "#seq < :below"
 * (WORK_FILTER_BELOW), ConsistentRead: reads the partition, returns a tenth. */
work_err_t work_query_filter(const char *pk, char **out);
/* Put requests for count (1..25) items pk / "<sk_prefix><first + i>" (sort
 * keys zero-padded to 6 digits, so they sort as they are numbered); when
 * numbered, each item also holds seq: N (first + i). */
work_err_t work_batch_write(const char *pk, const char *sk_prefix, unsigned first, unsigned count,
                            int numbered, char **out);
/* UpdateItem of pk / sk: SET a counter (if_not_exists + 1) and the
 * timestamp, on the condition that the item exists and its timestamp is the
 * one the benchmark writes; ReturnValues NONE. On a missing item DynamoDB
 * answers 400 ConditionalCheckFailedException. */
work_err_t work_update_item(const char *pk, const char *sk, char **out);
/* TransactWriteItems of WORK_TRANSACT_ACTIONS actions: 8 Puts of 1 KB items
 * put_pk / "tx-00000i", an Update like work_update_item's of seed_pk /
 * update_sk, and a ConditionCheck (attribute_exists) of seed_pk / check_sk.
 * When check_sk is missing DynamoDB cancels the whole transaction (400
 * TransactionCanceledException). */
work_err_t work_transact_write(const char *put_pk, const char *seed_pk, const char *update_sk,
                               const char *check_sk, char **out);
/* The sort key work_batch_write gives item number i; buf holds >= 64 bytes. */
void work_sort_key(const char *sk_prefix, unsigned i, char *buf, size_t len);

/* Checks. For CreateTable / DescribeTable answers, *active is set (only on
 * success) to whether TableStatus is ACTIVE. */
work_err_t work_check_table(long status, const char *body, int *active, char *why, size_t why_len);
/* A write with ReturnValues NONE (PutItem, UpdateItem, TransactWriteItems):
 * 200 and an object without Attributes. */
work_err_t work_check_write(long status, const char *body, char *why, size_t why_len);
work_err_t work_check_get(long status, const char *body, const char *sk, char *why, size_t why_len);
work_err_t work_check_query(long status, const char *body, unsigned count, char *why,
                            size_t why_len);
/* The filtered Query: Count WORK_FILTER_BELOW, ScannedCount
 * WORK_FILTER_ITEMS, every item intact with seq below the bound. */
work_err_t work_check_query_filter(long status, const char *body, char *why, size_t why_len);
work_err_t work_check_batch(long status, const char *body, char *why, size_t why_len);
/* A refusal: HTTP 400 whose __type ends in "#<type>" or is type (e.g.
 * "ConditionalCheckFailedException"). */
work_err_t work_check_refused(long status, const char *body, const char *type, char *why,
                              size_t why_len);
/* Whether an answer says the server does not implement the operation (400
 * UnknownOperationException), as servers that lack transactions answer. */
int work_unknown_operation(long status, const char *body);

#endif
