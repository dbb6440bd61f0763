/* workload: DynamoDB JSON request bodies and answer checks, with cJSON. */
#include "workload.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fixed timestamp keeps every run's bodies, and so their sizes, identical. */
#define WORK_TIMESTAMP "1767225600"

const char *work_strerror(work_err_t err)
{
    switch (err) {
    case WORK_OK: return "ok";
    case WORK_ENOMEM: return "out of memory";
    case WORK_ESTATUS: return "unexpected HTTP status";
    case WORK_EJSON: return "answer is not JSON";
    case WORK_ESHAPE: return "answer is not what DynamoDB returns";
    }
    return "unknown workload error";
}

static void say(char *why, size_t len, const char *fmt, ...)
{
    if (!why || len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

/* {"S": s} or {"N": s} added under name; NULL on allocation failure. */
static cJSON *add_value(cJSON *obj, const char *name, const char *type, const char *s)
{
    cJSON *v = cJSON_CreateObject();
    if (!v) return NULL;
    if (!cJSON_AddStringToObject(v, type, s)) goto fail;
    if (!cJSON_AddItemToObject(obj, name, v)) goto fail;
    return v;
fail:
    cJSON_Delete(v);
    return NULL;
}

static cJSON *new_key(const char *pk, const char *sk)
{
    cJSON *k = cJSON_CreateObject();
    if (!k) return NULL;
    if (!add_value(k, "pk", "S", pk) || !add_value(k, "sk", "S", sk)) {
        cJSON_Delete(k);
        return NULL;
    }
    return k;
}

/* The article's item; with seq >= 0 also seq: N (seq). */
static cJSON *new_item(const char *pk, const char *sk, long seq)
{
    static char data[WORK_DATA_BYTES + 1];
    if (!data[0]) memset(data, 'x', WORK_DATA_BYTES);
    cJSON *item = new_key(pk, sk);
    if (!item) return NULL;
    char num[24];
    snprintf(num, sizeof num, "%ld", seq);
    if (!add_value(item, "data", "S", data) || !add_value(item, "timestamp", "N", WORK_TIMESTAMP) ||
        (seq >= 0 && !add_value(item, "seq", "N", num))) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

/* Prints and deletes root (also on failure). */
static work_err_t finish(cJSON *root, char **out)
{
    char *s = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!s) return WORK_ENOMEM;
    *out = s;
    return WORK_OK;
}

static cJSON *new_request(void)
{
    cJSON *r = cJSON_CreateObject();
    if (r && !cJSON_AddStringToObject(r, "TableName", WORK_TABLE)) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

work_err_t work_create_table(char **out)
{
    cJSON *r = new_request();
    if (!r) return WORK_ENOMEM;
    cJSON *defs = cJSON_AddArrayToObject(r, "AttributeDefinitions");
    cJSON *schema = cJSON_AddArrayToObject(r, "KeySchema");
    if (!defs || !schema) goto fail;
    const char *names[] = {"pk", "sk"}, *kinds[] = {"HASH", "RANGE"};
    for (int i = 0; i < 2; i++) {
        cJSON *d = cJSON_CreateObject(), *k = cJSON_CreateObject();
        if (d) cJSON_AddItemToArray(defs, d);
        if (k) cJSON_AddItemToArray(schema, k);
        if (!d || !k || !cJSON_AddStringToObject(d, "AttributeName", names[i]) ||
            !cJSON_AddStringToObject(d, "AttributeType", "S") ||
            !cJSON_AddStringToObject(k, "AttributeName", names[i]) ||
            !cJSON_AddStringToObject(k, "KeyType", kinds[i]))
            goto fail;
    }
    if (!cJSON_AddStringToObject(r, "BillingMode", "PAY_PER_REQUEST")) goto fail;
    return finish(r, out);
fail:
    cJSON_Delete(r);
    return WORK_ENOMEM;
}

work_err_t work_describe_table(char **out)
{
    cJSON *r = new_request();
    return r ? finish(r, out) : WORK_ENOMEM;
}

work_err_t work_put_item(const char *pk, const char *sk, char **out)
{
    cJSON *r = new_request(), *item = NULL;
    if (!r) return WORK_ENOMEM;
    if (!(item = new_item(pk, sk, -1))) goto fail;
    if (!cJSON_AddItemToObject(r, "Item", item)) {
        cJSON_Delete(item);
        goto fail;
    }
    return finish(r, out);
fail:
    cJSON_Delete(r);
    return WORK_ENOMEM;
}

work_err_t work_get_item(const char *pk, const char *sk, char **out)
{
    cJSON *r = new_request(), *key = NULL;
    if (!r) return WORK_ENOMEM;
    if (!(key = new_key(pk, sk))) goto fail;
    if (!cJSON_AddItemToObject(r, "Key", key)) {
        cJSON_Delete(key);
        goto fail;
    }
    return finish(r, out);
fail:
    cJSON_Delete(r);
    return WORK_ENOMEM;
}

work_err_t work_query(const char *pk, char **out)
{
    cJSON *r = new_request(), *values = NULL;
    if (!r) return WORK_ENOMEM;
    if (!cJSON_AddStringToObject(r, "KeyConditionExpression", "pk = :pk")) goto fail;
    if (!(values = cJSON_AddObjectToObject(r, "ExpressionAttributeValues"))) goto fail;
    if (!add_value(values, ":pk", "S", pk)) goto fail;
    if (!cJSON_AddTrueToObject(r, "ConsistentRead")) goto fail;
    return finish(r, out);
fail:
    cJSON_Delete(r);
    return WORK_ENOMEM;
}

work_err_t work_query_filter(const char *pk, char **out)
{
    cJSON *r = new_request(), *names = NULL, *values = NULL;
    char below[16];
    snprintf(below, sizeof below, "%d", WORK_FILTER_BELOW);
    if (!r) return WORK_ENOMEM;
    if (!cJSON_AddStringToObject(r, "KeyConditionExpression", "pk = :pk") ||
        !cJSON_AddStringToObject(r, "FilterExpression", "#seq < :below"))
        goto fail;
    if (!(names = cJSON_AddObjectToObject(r, "ExpressionAttributeNames")) ||
        !cJSON_AddStringToObject(names, "#seq", "seq"))
        goto fail;
    if (!(values = cJSON_AddObjectToObject(r, "ExpressionAttributeValues")) ||
        !add_value(values, ":pk", "S", pk) || !add_value(values, ":below", "N", below))
        goto fail;
    if (!cJSON_AddTrueToObject(r, "ConsistentRead")) goto fail;
    return finish(r, out);
fail:
    cJSON_Delete(r);
    return WORK_ENOMEM;
}

/* Key, UpdateExpression, ConditionExpression and their names and values
 * for the conditional update of pk / sk, added to obj; 0 on success. */
static int add_update(cJSON *obj, const char *pk, const char *sk)
{
    cJSON *key = new_key(pk, sk), *names = NULL, *values = NULL;
    if (!key) return -1;
    if (!cJSON_AddItemToObject(obj, "Key", key)) {
        cJSON_Delete(key);
        return -1;
    }
    if (!cJSON_AddStringToObject(obj, "UpdateExpression",
                                 "SET #n = if_not_exists(#n, :zero) + :one, #ts = :ts") ||
        !cJSON_AddStringToObject(obj, "ConditionExpression", "attribute_exists(pk) AND #ts = :ts"))
        return -1;
    if (!(names = cJSON_AddObjectToObject(obj, "ExpressionAttributeNames")) ||
        !cJSON_AddStringToObject(names, "#n", "updates") ||
        !cJSON_AddStringToObject(names, "#ts", "timestamp"))
        return -1;
    if (!(values = cJSON_AddObjectToObject(obj, "ExpressionAttributeValues")) ||
        !add_value(values, ":zero", "N", "0") || !add_value(values, ":one", "N", "1") ||
        !add_value(values, ":ts", "N", WORK_TIMESTAMP))
        return -1;
    return 0;
}

work_err_t work_update_item(const char *pk, const char *sk, char **out)
{
    cJSON *r = new_request();
    if (!r) return WORK_ENOMEM;
    if (add_update(r, pk, sk) != 0) {
        cJSON_Delete(r);
        return WORK_ENOMEM;
    }
    return finish(r, out);
}

/* {"<kind>": {"TableName": ...}} appended to actions; the inner object. */
static cJSON *add_action(cJSON *actions, const char *kind)
{
    cJSON *a = cJSON_CreateObject(), *inner = NULL;
    if (!a) return NULL;
    cJSON_AddItemToArray(actions, a);
    if (!(inner = cJSON_AddObjectToObject(a, kind))) return NULL;
    if (!cJSON_AddStringToObject(inner, "TableName", WORK_TABLE)) return NULL;
    return inner;
}

work_err_t work_transact_write(const char *put_pk, const char *seed_pk, const char *update_sk,
                               const char *check_sk, char **out)
{
    cJSON *r = cJSON_CreateObject(), *actions = NULL, *a = NULL, *key = NULL;
    if (!r) return WORK_ENOMEM;
    if (!(actions = cJSON_AddArrayToObject(r, "TransactItems"))) goto fail;
    for (int i = 0; i < WORK_TRANSACT_ACTIONS - 2; i++) {
        char sk[64];
        work_sort_key("tx-", (unsigned)i, sk, sizeof sk);
        cJSON *item = NULL;
        if (!(a = add_action(actions, "Put")) || !(item = new_item(put_pk, sk, -1))) goto fail;
        if (!cJSON_AddItemToObject(a, "Item", item)) {
            cJSON_Delete(item);
            goto fail;
        }
    }
    if (!(a = add_action(actions, "Update")) || add_update(a, seed_pk, update_sk) != 0) goto fail;
    if (!(a = add_action(actions, "ConditionCheck")) || !(key = new_key(seed_pk, check_sk)))
        goto fail;
    if (!cJSON_AddItemToObject(a, "Key", key)) {
        cJSON_Delete(key);
        goto fail;
    }
    if (!cJSON_AddStringToObject(a, "ConditionExpression", "attribute_exists(pk)")) goto fail;
    return finish(r, out);
fail:
    cJSON_Delete(r);
    return WORK_ENOMEM;
}

void work_sort_key(const char *sk_prefix, unsigned i, char *buf, size_t len)
{
    snprintf(buf, len, "%s%06u", sk_prefix, i);
}

work_err_t work_batch_write(const char *pk, const char *sk_prefix, unsigned first, unsigned count,
                            int numbered, char **out)
{
    if (count == 0 || count > WORK_BATCH_MAX) return WORK_ESHAPE;
    cJSON *r = cJSON_CreateObject(), *items = NULL, *reqs = NULL;
    if (!r) return WORK_ENOMEM;
    if (!(items = cJSON_AddObjectToObject(r, "RequestItems"))) goto fail;
    if (!(reqs = cJSON_AddArrayToObject(items, WORK_TABLE))) goto fail;
    for (unsigned i = 0; i < count; i++) {
        char sk[64];
        work_sort_key(sk_prefix, first + i, sk, sizeof sk);
        cJSON *wr = cJSON_CreateObject(), *put = NULL, *item = NULL;
        if (!wr) goto fail;
        cJSON_AddItemToArray(reqs, wr);
        if (!(put = cJSON_AddObjectToObject(wr, "PutRequest"))) goto fail;
        if (!(item = new_item(pk, sk, numbered ? (long)(first + i) : -1))) goto fail;
        if (!cJSON_AddItemToObject(put, "Item", item)) {
            cJSON_Delete(item);
            goto fail;
        }
    }
    return finish(r, out);
fail:
    cJSON_Delete(r);
    return WORK_ENOMEM;
}

/* Parses an answer that must be 200 and a JSON object; on a non-200 answer
 * the reason quotes DynamoDB's error document. *out only on success. */
static work_err_t parse_ok(long status, const char *body, cJSON **out, char *why, size_t why_len)
{
    cJSON *root = cJSON_Parse(body);
    if (status != 200) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "__type");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "message");
        if (!msg) msg = cJSON_GetObjectItemCaseSensitive(root, "Message");
        say(why, why_len, "HTTP %ld: %s%s%s", status,
            cJSON_IsString(type) ? type->valuestring : "(no __type)",
            cJSON_IsString(msg) ? ": " : "", cJSON_IsString(msg) ? msg->valuestring : "");
        cJSON_Delete(root);
        return WORK_ESTATUS;
    }
    if (!cJSON_IsObject(root)) {
        say(why, why_len, "answer is not a JSON object: %.60s", body ? body : "");
        cJSON_Delete(root);
        return WORK_EJSON;
    }
    *out = root;
    return WORK_OK;
}

/* The string value of a {"S": ...} attribute, or NULL. */
static const char *string_attr(const cJSON *item, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, name);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, "S");
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* An item as the benchmark wrote it: data of the right length. */
static int item_intact(const cJSON *item)
{
    const char *data = string_attr(item, "data");
    return data && strlen(data) == WORK_DATA_BYTES && string_attr(item, "pk") &&
           string_attr(item, "sk");
}

work_err_t work_check_table(long status, const char *body, int *active, char *why, size_t why_len)
{
    cJSON *root = NULL;
    work_err_t err = parse_ok(status, body, &root, why, why_len);
    if (err) return err;
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "TableDescription");
    if (!desc) desc = cJSON_GetObjectItemCaseSensitive(root, "Table");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(desc, "TableStatus");
    if (!cJSON_IsString(st)) {
        say(why, why_len, "no TableStatus in the table description");
        err = WORK_ESHAPE;
    } else {
        *active = strcmp(st->valuestring, "ACTIVE") == 0;
    }
    cJSON_Delete(root);
    return err;
}

work_err_t work_check_write(long status, const char *body, char *why, size_t why_len)
{
    cJSON *root = NULL;
    work_err_t err = parse_ok(status, body, &root, why, why_len);
    if (err) return err;
    /* ReturnValues NONE: DynamoDB answers {} (no Attributes). */
    if (cJSON_GetObjectItemCaseSensitive(root, "Attributes")) {
        say(why, why_len, "Attributes returned although ReturnValues is NONE");
        err = WORK_ESHAPE;
    }
    cJSON_Delete(root);
    return err;
}

work_err_t work_check_get(long status, const char *body, const char *sk, char *why, size_t why_len)
{
    cJSON *root = NULL;
    work_err_t err = parse_ok(status, body, &root, why, why_len);
    if (err) return err;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "Item");
    const char *got = string_attr(item, "sk");
    if (!cJSON_IsObject(item)) {
        say(why, why_len, "no Item in the answer");
        err = WORK_ESHAPE;
    } else if (!got || strcmp(got, sk) != 0) {
        say(why, why_len, "Item has sk %s, asked for %s", got ? got : "(none)", sk);
        err = WORK_ESHAPE;
    } else if (!item_intact(item)) {
        say(why, why_len, "Item is not the %d-byte item written", WORK_DATA_BYTES);
        err = WORK_ESHAPE;
    }
    cJSON_Delete(root);
    return err;
}

/* A whole-partition Query's answer: Count count, ScannedCount scanned, no
 * LastEvaluatedKey, every item intact and, when below >= 0, with seq under
 * below. */
static work_err_t check_page(long status, const char *body, unsigned count, unsigned scanned,
                             int below, char *why, size_t why_len)
{
    cJSON *root = NULL;
    work_err_t err = parse_ok(status, body, &root, why, why_len);
    if (err) return err;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "Count");
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(root, "ScannedCount");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "Items");
    err = WORK_ESHAPE;
    if (!cJSON_IsNumber(n) || n->valuedouble != (double)count) {
        say(why, why_len, "Count is %g, expected %u", cJSON_IsNumber(n) ? n->valuedouble : -1.0,
            count);
    } else if (!cJSON_IsNumber(sc) || sc->valuedouble != (double)scanned) {
        say(why, why_len, "ScannedCount is %g, expected %u",
            cJSON_IsNumber(sc) ? sc->valuedouble : -1.0, scanned);
    } else if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) != (int)count) {
        say(why, why_len, "Items holds %d items, expected %u",
            cJSON_IsArray(items) ? cJSON_GetArraySize(items) : -1, count);
    } else if (cJSON_GetObjectItemCaseSensitive(root, "LastEvaluatedKey")) {
        say(why, why_len, "LastEvaluatedKey returned for a %u-item partition", scanned);
    } else {
        err = WORK_OK;
        const cJSON *item;
        cJSON_ArrayForEach(item, items)
        {
            const cJSON *seq = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(item, "seq"), "N");
            if (!item_intact(item)) {
                say(why, why_len, "an item in Items is not the %d-byte item written",
                    WORK_DATA_BYTES);
                err = WORK_ESHAPE;
            } else if (below >= 0 && (!cJSON_IsString(seq) || atoi(seq->valuestring) >= below)) {
                say(why, why_len, "an item in Items does not pass the filter");
                err = WORK_ESHAPE;
            }
            if (err) break;
        }
    }
    cJSON_Delete(root);
    return err;
}

work_err_t work_check_query(long status, const char *body, unsigned count, char *why,
                            size_t why_len)
{
    return check_page(status, body, count, count, -1, why, why_len);
}

work_err_t work_check_query_filter(long status, const char *body, char *why, size_t why_len)
{
    return check_page(status, body, WORK_FILTER_BELOW, WORK_FILTER_ITEMS, WORK_FILTER_BELOW, why,
                      why_len);
}

/* The error document's __type, or NULL. */
static const char *error_type(const cJSON *root)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "__type");
    return cJSON_IsString(type) ? type->valuestring : NULL;
}

/* Whether an __type names type: equal, or ending in "#<type>". */
static int type_is(const char *got, const char *type)
{
    if (!got) return 0;
    size_t g = strlen(got), t = strlen(type);
    return strcmp(got, type) == 0 || (g > t && got[g - t - 1] == '#' && !strcmp(got + g - t, type));
}

work_err_t work_check_refused(long status, const char *body, const char *type, char *why,
                              size_t why_len)
{
    cJSON *root = cJSON_Parse(body);
    const char *got = error_type(root);
    work_err_t err = WORK_OK;
    if (status != 400) {
        say(why, why_len, "HTTP %ld where DynamoDB refuses with 400 %s", status, type);
        err = WORK_ESTATUS;
    } else if (!type_is(got, type)) {
        say(why, why_len, "refused with %s, expected %s", got ? got : "(no __type)", type);
        err = WORK_ESHAPE;
    }
    cJSON_Delete(root);
    return err;
}

int work_unknown_operation(long status, const char *body)
{
    if (status != 400) return 0;
    cJSON *root = cJSON_Parse(body);
    int unknown = type_is(error_type(root), "UnknownOperationException");
    cJSON_Delete(root);
    return unknown;
}

work_err_t work_check_batch(long status, const char *body, char *why, size_t why_len)
{
    cJSON *root = NULL;
    work_err_t err = parse_ok(status, body, &root, why, why_len);
    if (err) return err;
    const cJSON *un = cJSON_GetObjectItemCaseSensitive(root, "UnprocessedItems");
    if (!cJSON_IsObject(un)) {
        say(why, why_len, "no UnprocessedItems object in the answer");
        err = WORK_ESHAPE;
    } else if (un->child) {
        say(why, why_len, "UnprocessedItems is not empty");
        err = WORK_ESHAPE;
    }
    cJSON_Delete(root);
    return err;
}
