/* ops: one function per DynamoDB operation. Each reads a parsed request,
 * appends its JSON response to out, or returns an error recorded in err.
 * Families: table.c (CreateTable, DescribeTable, ListTables, DeleteTable),
 * item.c (PutItem, GetItem, DeleteItem), query_scan.c, batch.c. */
#ifndef OPS_H
#define OPS_H

#include "../expr/expr.h"
#include "../shim.h"

typedef ddb_code_t (*op_fn)(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);

ddb_code_t op_create_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_describe_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_list_tables(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_delete_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_update_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_update_time_to_live(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_describe_time_to_live(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_put_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_get_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_delete_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_update_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_transact_write_items(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_transact_get_items(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_query(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_scan(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_batch_write_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);
ddb_code_t op_batch_get_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err);

/* Shared by the operations. */
ddb_code_t ops_nomem(ddb_error_t *err);
ddb_code_t ops_store_error(shim_t *s, ddb_error_t *err);
/* Reads TableName and finds the table: validation, then existence. */
ddb_code_t ops_table(shim_t *s, const cJSON *req, table_t **t, ddb_error_t *err);
/* ReturnConsumedCapacity: when asked, appends lead then the
 * ConsumedCapacity object (lead is ",\"ConsumedCapacity\":" in a response). */
ddb_code_t ops_consumed(const cJSON *req, const table_t *t, double units, strbuf_t *out,
                        const char *lead, ddb_error_t *err);
/* ExpressionAttributeNames / Values of a request, the values checked. */
ddb_code_t ops_refs(const cJSON *req, expr_refs_t *refs, ddb_error_t *err);
/* ProjectionExpression (or AttributesToGet) of a read; *proj NULL for none. */
ddb_code_t ops_projection(const cJSON *req, expr_refs_t *refs, expr_projection_t **proj,
                          ddb_error_t *err);
/* Appends an item given as stored JSON text, projected when proj is set. */
ddb_code_t ops_emit_item(const expr_projection_t *proj, const char *item, size_t len, strbuf_t *out,
                         ddb_error_t *err);
/* ConditionExpression of a write, parsed (NULL when absent). */
ddb_code_t ops_condition(const cJSON *req, expr_refs_t *refs, expr_t **cond, ddb_error_t *err);
/* Names or values given to a request that has none of its expressions:
 * DynamoDB's error, which names the missing expressions (e.g.
 * "ConditionExpression is null"). */
ddb_code_t ops_refs_need_expression(const cJSON *req, const char *missing, ddb_error_t *err);
/* Evaluates a write's condition on the current item (JSON text, NULL when
 * there is none). On failure: ConditionalCheckFailedException, with the
 * item when ReturnValuesOnConditionCheckFailure is ALL_OLD. */
ddb_code_t ops_check_condition(const cJSON *req, const expr_t *cond, const char *old, size_t len,
                               ddb_error_t *err);
/* DynamoDB refuses requests that mix legacy parameters (Expected,
 * AttributesToGet ...) with expression ones; both lists NULL-terminated, in
 * the order DynamoDB names them. */
ddb_code_t ops_check_mixed(const cJSON *req, const char *const *legacy, const char *const *exprs,
                           ddb_error_t *err);
/* The legacy condition member `name` (Expected, QueryFilter, ScanFilter)
 * as a condition; *cond stays NULL when it is absent. */
ddb_code_t ops_legacy_condition(const cJSON *req, const char *name, expr_t **cond,
                                ddb_error_t *err);
/* Writes go through these, which keep the table's secondary indexes in
 * step (in one SQLite transaction with the item). item: the item as cJSON
 * when the caller has it (otherwise canon is parsed). */
ddb_code_t ops_check_indexes(const table_t *t, const cJSON *item, ddb_error_t *err);
ddb_code_t ops_store_put(shim_t *s, const table_t *t, const strbuf_t *key, const char *canon,
                         size_t len, size_t size, const cJSON *item, ddb_error_t *err);
ddb_code_t ops_store_delete(shim_t *s, const table_t *t, const strbuf_t *key, strbuf_t *old,
                            int *had_old, ddb_error_t *err);
/* Rejects, with a plain message, parameters this server does not evaluate
 * yet (names is NULL-terminated). */
ddb_code_t ops_reject_unsupported(const cJSON *req, const char *const *names, ddb_error_t *err);
/* Capacity units of reading or writing an item of size bytes. */
double ops_read_units(size_t size, int consistent);
double ops_write_units(size_t size);

#endif
