/* bench_event: see bench_event.h. */
#include "bench_event.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char *const op_names[] = {
    [BENCH_OP_UNKNOWN] = NULL,
    [BENCH_OP_PUT] = "put",
    [BENCH_OP_GET] = "get",
    [BENCH_OP_QUERY] = "query",
    [BENCH_OP_BATCH_WRITE] = "batch_write",
    [BENCH_OP_DELETE] = "delete",
    [BENCH_OP_UPDATE] = "update",
};
#define N_OPS (sizeof op_names / sizeof *op_names)

const char *bench_event_strerror(bench_event_err_t err)
{
    switch (err) {
    case BENCH_EVENT_OK: return "ok";
    case BENCH_EVENT_NOT_JSON: return "event is not a JSON object";
    case BENCH_EVENT_BAD_OP: return "unknown op";
    case BENCH_EVENT_NOMEM: return "out of memory";
    }
    return "unknown bench_event error";
}

const char *bench_op_name(bench_op_t op)
{
    return (size_t)op < N_OPS && op_names[op] ? op_names[op] : "unknown";
}

bench_op_t bench_op_parse(const char *name)
{
    if (!name) return BENCH_OP_UNKNOWN;
    for (size_t i = 1; i < N_OPS; i++)
        if (strcmp(name, op_names[i]) == 0) return (bench_op_t)i;
    return BENCH_OP_UNKNOWN;
}

bench_event_err_t bench_event_op(const char *payload, size_t len, bench_op_t *op, char *name,
                                 size_t cap)
{
    bench_event_err_t err = BENCH_EVENT_OK;
    cJSON *ev = cJSON_ParseWithLength(payload, len);
    if (!cJSON_IsObject(ev)) {
        err = BENCH_EVENT_NOT_JSON;
        goto out;
    }
    const cJSON *v = NULL;
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(ev, "queryStringParameters");
    if (cJSON_IsObject(qs)) v = cJSON_GetObjectItemCaseSensitive(qs, "op");
    if (!v) v = cJSON_GetObjectItemCaseSensitive(ev, "op");
    bench_op_t found = BENCH_OP_GET; /* the article's default */
    if (v) {
        const char *s = cJSON_GetStringValue(v);
        found = bench_op_parse(s);
        if (found == BENCH_OP_UNKNOWN) {
            if (name && cap) snprintf(name, cap, "%s", s ? s : "(not a string)");
            err = BENCH_EVENT_BAD_OP;
            goto out;
        }
    }
    *op = found;
out:
    cJSON_Delete(ev);
    return err;
}

static bench_event_err_t print_to(cJSON *doc, char **out)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    if (!text) return BENCH_EVENT_NOMEM;
    *out = text;
    return BENCH_EVENT_OK;
}

bench_event_err_t bench_event_proxy_response(int status, const char *body, char **out)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *headers = doc ? cJSON_AddObjectToObject(doc, "headers") : NULL;
    if (!doc || !cJSON_AddNumberToObject(doc, "statusCode", status) || !headers ||
        !cJSON_AddStringToObject(headers, "content-type", "application/json") ||
        !cJSON_AddStringToObject(doc, "body", body ? body : "")) {
        cJSON_Delete(doc);
        return BENCH_EVENT_NOMEM;
    }
    return print_to(doc, out);
}

bench_event_err_t bench_event_bad_request(const char *message, char **out)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *ops = doc ? cJSON_AddArrayToObject(doc, "valid_ops") : NULL;
    char *body = NULL;
    bench_event_err_t err = BENCH_EVENT_NOMEM;
    if (!doc || !ops || !cJSON_AddStringToObject(doc, "error", message)) goto out;
    for (size_t i = 1; i < N_OPS; i++) {
        cJSON *s = cJSON_CreateString(op_names[i]);
        if (!s || !cJSON_AddItemToArray(ops, s)) {
            cJSON_Delete(s);
            goto out;
        }
    }
    if ((err = print_to(doc, &body)) != BENCH_EVENT_OK) return err;
    err = bench_event_proxy_response(400, body, out);
    cJSON_free(body);
    return err;
out:
    cJSON_Delete(doc);
    return err;
}
