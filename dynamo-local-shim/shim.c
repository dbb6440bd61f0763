#include "shim.h"

#include "ops/ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *shim_strerror(shim_err_t err)
{
    switch (err) {
    case SHIM_OK: return "ok";
    case SHIM_ERR_STORE: return "cannot open the database";
    case SHIM_ERR_NOMEM: return "out of memory";
    }
    return "unknown error";
}

static void load_table(void *ctx, long long id, const char *name, const char *desc)
{
    (void)name;
    table_t *t = table_from_desc(id, desc);
    if (t && shim_table_add(ctx, t)) table_free(t);
}

shim_err_t shim_open(const char *db, const char *region, shim_t **out)
{
    shim_t *s = calloc(1, sizeof *s);
    if (!s) return SHIM_ERR_NOMEM;
    snprintf(s->region, sizeof s->region, "%s", region ? region : "us-east-1");
    if (store_open(db, &s->store) || store_tables_load(s->store, load_table, s)) {
        shim_close(s);
        return SHIM_ERR_STORE;
    }
    *out = s;
    return SHIM_OK;
}

void shim_close(shim_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->ntables; i++) table_free(s->tables[i]);
    free(s->tables);
    store_close(s->store);
    free(s);
}

table_t *shim_table(shim_t *s, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (strcmp(s->tables[i]->name, name) == 0) return s->tables[i];
    return NULL;
}

int shim_table_add(shim_t *s, table_t *t)
{
    if (s->ntables == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        table_t **p = realloc(s->tables, cap * sizeof *p);
        if (!p) return -1;
        s->tables = p;
        s->cap = cap;
    }
    s->tables[s->ntables++] = t;
    return 0;
}

void shim_table_remove(shim_t *s, table_t *t)
{
    for (size_t i = 0; i < s->ntables; i++) {
        if (s->tables[i] != t) continue;
        memmove(&s->tables[i], &s->tables[i + 1], (s->ntables - i - 1) * sizeof *s->tables);
        s->ntables--;
        table_free(t);
        return;
    }
}

static const struct {
    const char *name;
    op_fn fn;
} operations[] = {
    {"BatchGetItem", op_batch_get_item},
    {"BatchWriteItem", op_batch_write_item},
    {"CreateTable", op_create_table},
    {"DeleteItem", op_delete_item},
    {"DeleteTable", op_delete_table},
    {"DescribeTable", op_describe_table},
    {"GetItem", op_get_item},
    {"ListTables", op_list_tables},
    {"PutItem", op_put_item},
    {"Query", op_query},
    {"Scan", op_scan},
};

#define TARGET_PREFIX "DynamoDB_20120810."

static void error_body(const ddb_error_t *err, strbuf_t *out)
{
    strbuf_reset(out);
    strbuf_addf(out, "{\"__type\":\"%s#%s\"", ddb_code_namespace(err->code),
                ddb_code_name(err->code));
    if (err->msg[0]) {
        /* Coral's own exceptions spell it "Message"; DynamoDB's, "message". */
        int coral = strncmp(ddb_code_namespace(err->code), "com.amazon.coral", 16) == 0 &&
                    err->code != DDB_E_VALIDATION;
        strbuf_adds(out, coral ? ",\"Message\":" : ",\"message\":");
        strbuf_add_json_str(out, err->msg, strlen(err->msg));
    }
    strbuf_addc(out, '}');
}

unsigned shim_handle(shim_t *s, const char *target, const char *body, size_t len, strbuf_t *out)
{
    ddb_error_t err = {0};
    cJSON *req = NULL;
    op_fn fn = NULL;
    if (len > SHIM_MAX_REQUEST) {
        ddb_fail(&err, DDB_E_REQUEST_TOO_LARGE, "Request entity too large");
        goto fail;
    }
    req = cJSON_ParseWithLength(body, len);
    if (!req || !cJSON_IsObject(req)) {
        /* Coral gives no message for a body that is not JSON. */
        err.code = DDB_E_SERIALIZATION;
        if (cJSON_IsArray(req))
            ddb_fail(&err, DDB_E_SERIALIZATION, "Start of list found where not expected");
        goto fail;
    }
    if (target && strncmp(target, TARGET_PREFIX, strlen(TARGET_PREFIX)) == 0) {
        const char *op = target + strlen(TARGET_PREFIX);
        for (size_t i = 0; i < sizeof operations / sizeof *operations; i++)
            if (strcmp(op, operations[i].name) == 0) fn = operations[i].fn;
    }
    if (!fn) {
        err.code = DDB_E_UNKNOWN_OPERATION;
        goto fail;
    }
    strbuf_reset(out);
    if (fn(s, req, out, &err) != DDB_OK) goto fail;
    cJSON_Delete(req);
    return 200;
fail:
    cJSON_Delete(req);
    error_body(&err, out);
    return ddb_code_status(err.code);
}
