/* Fuzz target: whole DynamoDB requests through shim_handle, as the server
 * receives them. The first byte picks the operation (or a bad target), the
 * rest is the body. The server keeps its tables between inputs, so writes
 * meet data, and is remade every few thousand inputs to bound its size. */
#include "shim.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const targets[] = {
    "DynamoDB_20120810.PutItem",
    "DynamoDB_20120810.GetItem",
    "DynamoDB_20120810.UpdateItem",
    "DynamoDB_20120810.DeleteItem",
    "DynamoDB_20120810.Query",
    "DynamoDB_20120810.Scan",
    "DynamoDB_20120810.BatchWriteItem",
    "DynamoDB_20120810.BatchGetItem",
    "DynamoDB_20120810.TransactWriteItems",
    "DynamoDB_20120810.TransactGetItems",
    "DynamoDB_20120810.CreateTable",
    "DynamoDB_20120810.DeleteTable",
    "DynamoDB_20120810.DescribeTable",
    "DynamoDB_20120810.ListTables",
    "DynamoDB_20120810.UpdateTable",
    "DynamoDB_20120810.UpdateTimeToLive",
    "DynamoDB_20120810.Nope",
    NULL,
};

static const char *const setup[] = {
    "{\"TableName\":\"t\",\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":"
    "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\","
    "\"AttributeType\":\"N\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeySchema\":"
    "[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":"
    "\"RANGE\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gi\",\"KeySchema\":"
    "[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":"
    "\"KEYS_ONLY\"}}]}",
    "{\"TableName\":\"h\",\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":"
    "[{\"AttributeName\":\"id\",\"AttributeType\":\"B\"}],\"KeySchema\":[{\"AttributeName\":"
    "\"id\",\"KeyType\":\"HASH\"}]}",
};

static shim_t *server(void)
{
    static shim_t *s;
    static unsigned uses;
    if (s && ++uses % 4096 == 0) {
        shim_close(s);
        s = NULL;
    }
    if (!s) {
        if (shim_open(NULL, "us-east-1", &s)) return NULL;
        strbuf_t out;
        strbuf_init(&out, 1 << 20);
        for (size_t i = 0; i < sizeof setup / sizeof *setup; i++)
            shim_handle(s, "DynamoDB_20120810.CreateTable", setup[i], strlen(setup[i]), &out);
        strbuf_free(&out);
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    shim_t *s = server();
    if (!s) return 0;
    const char *target = targets[data[0] % (sizeof targets / sizeof *targets)];
    strbuf_t out;
    strbuf_init(&out, (size_t)64 << 20);
    unsigned status = shim_handle(s, target, (const char *)data + 1, size - 1, &out);
    /* Every answer is a JSON document with a known status. */
    if (status != 200 && status != 400 && status != 413) __builtin_trap();
    if (!out.data || out.data[0] != '{') __builtin_trap();
    strbuf_free(&out);
    return 0;
}
