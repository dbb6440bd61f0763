/* Unit tests of the benchmark function's event handling and request bodies. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_event.h"
#include "bench_ops.h"
#include "test.h"

static bench_event_err_t op_of(const char *event, bench_op_t *op, char *name, size_t cap)
{
    return bench_event_op(event, strlen(event), op, name, cap);
}

static void test_event_api_gateway(void)
{
    bench_op_t op = BENCH_OP_UNKNOWN;
    const char *ev = "{\"requestContext\":{\"http\":{\"method\":\"GET\"}},"
                     "\"queryStringParameters\":{\"op\":\"batch_write\"},\"rawPath\":\"/\","
                     "\"headers\":{}}";
    CHECK(op_of(ev, &op, NULL, 0) == BENCH_EVENT_OK);
    CHECK(op == BENCH_OP_BATCH_WRITE);
}

static void test_event_plain(void)
{
    static const struct {
        const char *event;
        bench_op_t op;
    } cases[] = {
        {"{\"op\":\"put\"}", BENCH_OP_PUT},
        {"{\"op\":\"get\"}", BENCH_OP_GET},
        {"{\"op\":\"query\"}", BENCH_OP_QUERY},
        {"{\"op\":\"delete\"}", BENCH_OP_DELETE},
        {"{\"op\":\"update\"}", BENCH_OP_UPDATE},
        {"{}", BENCH_OP_GET}, /* the article's default */
        {"{\"queryStringParameters\":null,\"op\":\"put\"}", BENCH_OP_PUT}, /* no query string */
        {"{\"queryStringParameters\":{\"x\":\"1\"}}", BENCH_OP_GET},
        {"{\"queryStringParameters\":{\"op\":\"query\"},\"op\":\"put\"}", BENCH_OP_QUERY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bench_op_t op = BENCH_OP_UNKNOWN;
        CHECK(op_of(cases[i].event, &op, NULL, 0) == BENCH_EVENT_OK);
        CHECK(op == cases[i].op);
    }
}

static void test_event_bad(void)
{
    bench_op_t op = BENCH_OP_PUT;
    char name[16];
    CHECK(op_of("{\"queryStringParameters\":{\"op\":\"scan\"}}", &op, name, sizeof name) ==
          BENCH_EVENT_BAD_OP);
    CHECK_STR(name, "scan");
    CHECK(op == BENCH_OP_PUT); /* untouched on failure */
    CHECK(op_of("{\"op\":\"a-very-long-operation-name\"}", &op, name, sizeof name) ==
          BENCH_EVENT_BAD_OP);
    CHECK(strlen(name) == sizeof name - 1);
    CHECK(op_of("{\"op\":3}", &op, name, sizeof name) == BENCH_EVENT_BAD_OP);
    CHECK(op_of("{\"op\":\"GET\"}", &op, name, sizeof name) == BENCH_EVENT_BAD_OP);
    CHECK(op_of("not json", &op, name, sizeof name) == BENCH_EVENT_NOT_JSON);
    CHECK(op_of("[\"get\"]", &op, name, sizeof name) == BENCH_EVENT_NOT_JSON);
    CHECK(op_of("", &op, name, sizeof name) == BENCH_EVENT_NOT_JSON);
}

static void test_proxy_responses(void)
{
    char *text = NULL;
    CHECK(bench_event_proxy_response(200, "{\"a\":1}", &text) == BENCH_EVENT_OK);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    int ok = doc && cJSON_GetObjectItem(doc, "statusCode")->valueint == 200 &&
             strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "body")), "{\"a\":1}") == 0 &&
             strcmp(cJSON_GetStringValue(
                        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "headers"), "content-type")),
                    "application/json") == 0;
    cJSON_Delete(doc);
    CHECK(ok);

    CHECK(bench_event_bad_request("unknown op \"scan\"", &text) == BENCH_EVENT_OK);
    doc = cJSON_Parse(text);
    free(text);
    cJSON *body = doc ? cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "body"))) : NULL;
    ok = doc && body && cJSON_GetObjectItem(doc, "statusCode")->valueint == 400 &&
         strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(body, "error")), "unknown op \"scan\"") ==
             0 &&
         cJSON_GetArraySize(cJSON_GetObjectItem(body, "valid_ops")) == 6;
    cJSON_Delete(body);
    cJSON_Delete(doc);
    CHECK(ok);
}

static cJSON *request_of(bench_op_t op, const char **operation)
{
    char *text = NULL;
    if (bench_ops_request("tbl", op, 1764000000LL, &text, operation) != DDB_OK) return NULL;
    cJSON *doc = cJSON_Parse(text);
    cJSON_free(text);
    return doc;
}

static const char *path_str(const cJSON *o, const char *a, const char *b, const char *c)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b) x = cJSON_GetObjectItemCaseSensitive(x, b);
    if (c) x = cJSON_GetObjectItemCaseSensitive(x, c);
    return cJSON_GetStringValue(x);
}

static void test_request_put(void)
{
    const char *operation = NULL;
    cJSON *d = request_of(BENCH_OP_PUT, &operation);
    CHECK(d);
    const char *data = path_str(d, "Item", "data", "S");
    int ok = strcmp(operation, "PutItem") == 0 &&
             strcmp(path_str(d, "TableName", 0, 0), "tbl") == 0 &&
             strcmp(path_str(d, "Item", "pk", "S"), "bench") == 0 &&
             strcmp(path_str(d, "Item", "sk", "S"), "item-0") == 0 && data &&
             strlen(data) == 1000 && strspn(data, "x") == 1000 &&
             strcmp(path_str(d, "Item", "timestamp", "N"), "1764000000") == 0;
    cJSON_Delete(d);
    CHECK(ok);
}

static void test_request_keys(void)
{
    static const struct {
        bench_op_t op;
        const char *name;
    } cases[] = {{BENCH_OP_GET, "GetItem"},
                 {BENCH_OP_DELETE, "DeleteItem"},
                 {BENCH_OP_UPDATE, "UpdateItem"}};
    for (size_t i = 0; i < 3; i++) {
        const char *operation = NULL;
        cJSON *d = request_of(cases[i].op, &operation);
        CHECK(d);
        int ok = strcmp(operation, cases[i].name) == 0 &&
                 strcmp(path_str(d, "Key", "pk", "S"), "bench") == 0 &&
                 strcmp(path_str(d, "Key", "sk", "S"), "item-0") == 0;
        if (cases[i].op == BENCH_OP_UPDATE)
            ok = ok && strcmp(path_str(d, "UpdateExpression", 0, 0), "SET #ts = :ts") == 0 &&
                 strcmp(path_str(d, "ExpressionAttributeNames", "#ts", 0), "timestamp") == 0 &&
                 strcmp(path_str(d, "ExpressionAttributeValues", ":ts", "N"), "1764000000") == 0;
        cJSON_Delete(d);
        CHECK(ok);
    }
}

static void test_request_query(void)
{
    const char *operation = NULL;
    cJSON *d = request_of(BENCH_OP_QUERY, &operation);
    CHECK(d);
    int ok = strcmp(operation, "Query") == 0 &&
             strcmp(path_str(d, "KeyConditionExpression", 0, 0), "pk = :pk") == 0 &&
             strcmp(path_str(d, "ExpressionAttributeValues", ":pk", "S"), "bench") == 0;
    cJSON_Delete(d);
    CHECK(ok);
}

static void test_request_batch_write(void)
{
    const char *operation = NULL;
    cJSON *d = request_of(BENCH_OP_BATCH_WRITE, &operation);
    CHECK(d);
    cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "RequestItems"), "tbl");
    int ok = strcmp(operation, "BatchWriteItem") == 0 && cJSON_GetArraySize(list) == 25;
    int i = 0;
    cJSON *wr;
    cJSON_ArrayForEach(wr, list)
    {
        char want[32];
        snprintf(want, sizeof want, "item-%d", i++);
        const char *sk = path_str(cJSON_GetObjectItem(wr, "PutRequest"), "Item", "sk", "S");
        const char *data = path_str(cJSON_GetObjectItem(wr, "PutRequest"), "Item", "data", "S");
        ok = ok && sk && strcmp(sk, want) == 0 && data && strlen(data) == 1000;
    }
    cJSON_Delete(d);
    CHECK(ok);
}

static void test_op_names(void)
{
    for (int op = BENCH_OP_PUT; op <= BENCH_OP_UPDATE; op++)
        CHECK(bench_op_parse(bench_op_name((bench_op_t)op)) == (bench_op_t)op);
    CHECK(bench_op_parse("scan") == BENCH_OP_UNKNOWN);
    CHECK(bench_op_parse(NULL) == BENCH_OP_UNKNOWN);
    CHECK_STR(bench_op_name(BENCH_OP_UNKNOWN), "unknown");
}

int main(int argc, char **argv)
{
    static const test_case_t cases[] = {
        TEST_CASE(test_event_api_gateway), TEST_CASE(test_event_plain),
        TEST_CASE(test_event_bad),         TEST_CASE(test_proxy_responses),
        TEST_CASE(test_request_put),       TEST_CASE(test_request_keys),
        TEST_CASE(test_request_query),     TEST_CASE(test_request_batch_write),
        TEST_CASE(test_op_names),
    };
    return test_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
