/* Fuzz target: the expression language alone. The first byte picks the
 * parser (condition, filter, update, projection, key condition); the rest is
 * the expression. Names and values are fixed; whatever parses is evaluated
 * on a fixed item, and updates are applied to a copy of it. */
#include "expr/expr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char names_json[] =
    "{\"#a\":\"a\",\"#b\":\"b\",\"#l\":\"l\",\"#m\":\"m\",\"#pk\":\"pk\"}";
static const char values_json[] =
    "{\":s\":{\"S\":\"x\"},\":n\":{\"N\":\"1.5\"},\":b\":{\"B\":\"AQID\"},\":l\":{\"L\":[{\"N\":"
    "\"1\"}]},\":ss\":{\"SS\":[\"x\",\"y\"]},\":ns\":{\"NS\":[\"1\",\"2\"]},\":t\":{\"S\":\"N\"},"
    "\":bool\":{\"BOOL\":true},\":m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}";
static const char item_json[] =
    "{\"pk\":{\"S\":\"p\"},\"a\":{\"N\":\"3\"},\"b\":{\"S\":\"xyz\"},\"l\":{\"L\":[{\"N\":\"1\"},"
    "{\"M\":{\"c\":{\"SS\":[\"x\"]}}}]},\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"n\":{\"NS\":[\"1\"]}}},"
    "\"s\":{\"SS\":[\"x\",\"z\"]},\"bin\":{\"B\":\"AQID\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cJSON *names, *values, *item;
    if (!names) {
        names = cJSON_Parse(names_json);
        values = cJSON_Parse(values_json);
        item = cJSON_Parse(item_json);
    }
    if (size < 1 || size > 8192) return 0;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    expr_refs_t refs = {.names = names, .values = values};
    ddb_error_t err = {0};
    expr_t *e = NULL;
    switch (data[0] % 5) {
    case 0:
    case 1:
        if (expr_condition_parse(text, data[0] % 5 ? "FilterExpression" : "ConditionExpression",
                                 &refs, &e, &err) == DDB_OK) {
            expr_condition_eval(e, item);
            expr_condition_eval(e, NULL);
            expr_condition_uses(e, "pk", "a");
        }
        break;
    case 2:
        if (expr_update_parse(text, &refs, &e, &err) == DDB_OK) {
            cJSON *copy = cJSON_Duplicate(item, 1);
            expr_update_apply(e, copy, &err);
            cJSON_Delete(copy);
        }
        break;
    case 3: {
        expr_projection_t *p = NULL;
        if (expr_projection_parse(text, &refs, &p, &err) == DDB_OK) {
            cJSON_Delete(expr_projection_apply(p, item));
            expr_projection_free(p);
        }
        break;
    }
    default: {
        expr_keycond_t *k = NULL;
        if (expr_keycond_parse(text, "pk", "a", &refs, &k, &err) == DDB_OK) expr_keycond_free(k);
    }
    }
    expr_refs_check_unused(&refs, &err);
    expr_free(e);
    free(text);
    return 0;
}
