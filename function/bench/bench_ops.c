/* bench_ops: see bench_ops.h. */
#include "bench_ops.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* {"S": s} or {"N": n} added under name; NULL on failure. */
static cJSON *add_attr(cJSON *obj, const char *name, const char *type, const char *value)
{
    cJSON *a = cJSON_AddObjectToObject(obj, name);
    if (!a || !cJSON_AddStringToObject(a, type, value)) return NULL;
    return a;
}

static int add_key(cJSON *obj, const char *name, int n)
{
    char sk[32];
    snprintf(sk, sizeof sk, "item-%d", n);
    cJSON *k = cJSON_AddObjectToObject(obj, name);
    return k && add_attr(k, "pk", "S", "bench") && add_attr(k, "sk", "S", sk);
}

static int add_item(cJSON *obj, const char *name, int n, const char *data, const char *ts)
{
    char sk[32];
    snprintf(sk, sizeof sk, "item-%d", n);
    cJSON *it = cJSON_AddObjectToObject(obj, name);
    return it && add_attr(it, "pk", "S", "bench") && add_attr(it, "sk", "S", sk) &&
           add_attr(it, "data", "S", data) && add_attr(it, "timestamp", "N", ts);
}

ddb_err_t bench_ops_request(const char *table, bench_op_t op, long long now_seconds, char **out,
                            const char **operation)
{
    static char data[BENCH_DATA_LEN + 1];
    if (!data[0]) memset(data, 'x', BENCH_DATA_LEN);
    char ts[32];
    snprintf(ts, sizeof ts, "%lld", now_seconds);
    const char *name = NULL;
    int ok = 0;
    cJSON *req = cJSON_CreateObject();
    if (!req) return DDB_ERR_NOMEM;
    switch (op) {
    case BENCH_OP_PUT:
        name = "PutItem";
        ok = cJSON_AddStringToObject(req, "TableName", table) && add_item(req, "Item", 0, data, ts);
        break;
    case BENCH_OP_GET:
        name = "GetItem";
        ok = cJSON_AddStringToObject(req, "TableName", table) && add_key(req, "Key", 0);
        break;
    case BENCH_OP_DELETE:
        name = "DeleteItem";
        ok = cJSON_AddStringToObject(req, "TableName", table) && add_key(req, "Key", 0);
        break;
    case BENCH_OP_QUERY: {
        name = "Query";
        cJSON *vals;
        ok = cJSON_AddStringToObject(req, "TableName", table) &&
             cJSON_AddStringToObject(req, "KeyConditionExpression", "pk = :pk") &&
             (vals = cJSON_AddObjectToObject(req, "ExpressionAttributeValues")) &&
             add_attr(vals, ":pk", "S", "bench");
        break;
    }
    case BENCH_OP_UPDATE: {
        /* "timestamp" is a DynamoDB reserved word: it needs a name placeholder. */
        name = "UpdateItem";
        cJSON *names, *vals;
        ok = cJSON_AddStringToObject(req, "TableName", table) && add_key(req, "Key", 0) &&
             cJSON_AddStringToObject(req, "UpdateExpression", "SET #ts = :ts") &&
             (names = cJSON_AddObjectToObject(req, "ExpressionAttributeNames")) &&
             cJSON_AddStringToObject(names, "#ts", "timestamp") &&
             (vals = cJSON_AddObjectToObject(req, "ExpressionAttributeValues")) &&
             add_attr(vals, ":ts", "N", ts);
        break;
    }
    case BENCH_OP_BATCH_WRITE: {
        name = "BatchWriteItem";
        cJSON *items = cJSON_AddObjectToObject(req, "RequestItems");
        cJSON *list = items ? cJSON_AddArrayToObject(items, table) : NULL;
        ok = list != NULL;
        for (int i = 0; ok && i < BENCH_BATCH_ITEMS; i++) {
            cJSON *wr = cJSON_CreateObject();
            cJSON *put = wr ? cJSON_AddObjectToObject(wr, "PutRequest") : NULL;
            ok = put && add_item(put, "Item", i, data, ts) && cJSON_AddItemToArray(list, wr);
            if (!ok) cJSON_Delete(wr);
        }
        break;
    }
    case BENCH_OP_UNKNOWN: break;
    }
    char *text = ok ? cJSON_PrintUnformatted(req) : NULL;
    cJSON_Delete(req);
    if (!name) return DDB_ERR_CONFIG;
    if (!text) return DDB_ERR_NOMEM;
    *out = text;
    *operation = name;
    return DDB_OK;
}

/* items_count from the answer of op. */
static int count_items(bench_op_t op, const cJSON *doc)
{
    switch (op) {
    case BENCH_OP_GET: return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "Item"));
    case BENCH_OP_QUERY: {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "Count");
        return cJSON_IsNumber(c) ? c->valueint : 0;
    }
    case BENCH_OP_BATCH_WRITE: {
        int unprocessed = 0;
        const cJSON *tables = cJSON_GetObjectItemCaseSensitive(doc, "UnprocessedItems"), *t;
        cJSON_ArrayForEach(t, tables) unprocessed += cJSON_GetArraySize(t);
        return BENCH_BATCH_ITEMS - unprocessed;
    }
    default: return 1;
    }
}

ddb_err_t bench_ops_run(ddb_client_t *client, const char *table, bench_op_t op,
                        long long now_seconds, bench_result_t *out, ddb_response_t *resp)
{
    char *body = NULL;
    const char *operation = NULL;
    cJSON *doc = NULL;
    double t0 = now_ms();
    ddb_err_t err = bench_ops_request(table, op, now_seconds, &body, &operation);
    if (err) goto out;
    double t1 = now_ms();
    err = ddb_call(client, operation, body, strlen(body), resp);
    double t2 = now_ms();
    if (err) goto out;
    doc = cJSON_ParseWithLength(resp->body ? resp->body : "", resp->body_len);
    if (!cJSON_IsObject(doc)) {
        err = DDB_ERR_PROTOCOL;
        snprintf(resp->error_type, sizeof resp->error_type, "SerializationException");
        snprintf(resp->error_message, sizeof resp->error_message,
                 "%s answered with a body that is not a JSON object", operation);
        goto out;
    }
    int count = count_items(op, doc);
    double t3 = now_ms();
    out->items_count = count;
    out->serialize_ms = t1 - t0;
    out->http_ms = t2 - t1;
    out->parse_ms = t3 - t2;
    out->sdk_call_ms = t3 - t0;
    out->attempts = resp->attempts;
    out->connect_ms = resp->new_connections ? (double)resp->connect_us / 1e3 : 0;
out:
    cJSON_Delete(doc);
    cJSON_free(body);
    return err;
}
