/* CreateTable, DescribeTable, ListTables, DeleteTable. */
#include "ops.h"

#include "../valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ddb_code_t describe_into(shim_t *s, const table_t *t, const char *status, strbuf_t *out,
                                ddb_error_t *err)
{
    long long count = 0, bytes = 0;
    if (store_table_stats(s->store, t->id, &count, &bytes)) return ops_store_error(s, err);
    return table_describe(t, status, count, bytes, out) ? ops_nomem(err) : DDB_OK;
}

ddb_code_t op_create_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    table_t *t = NULL;
    ddb_code_t rc = table_from_request(req, s->region, &t, err);
    if (rc) return rc;
    if (shim_table(s, t->name)) {
        rc = ddb_fail(err, DDB_E_RESOURCE_IN_USE, "Table already exists: %s", t->name);
        goto fail;
    }
    char *desc = cJSON_PrintUnformatted(t->desc);
    if (!desc) {
        rc = ops_nomem(err);
        goto fail;
    }
    store_err_t se = store_table_create(s->store, t->name, desc, &t->id);
    free(desc);
    if (se) {
        rc = ops_store_error(s, err);
        goto fail;
    }
    if (shim_table_add(s, t)) {
        store_table_delete(s->store, t->id);
        rc = ops_nomem(err);
        goto fail;
    }
    /* DynamoDB answers CREATING; this table is usable at once and later
     * DescribeTable calls say ACTIVE. */
    if (strbuf_adds(out, "{\"TableDescription\":") || table_describe(t, "CREATING", 0, 0, out) ||
        strbuf_addc(out, '}'))
        return ops_nomem(err);
    return DDB_OK;
fail:
    table_free(t);
    return rc;
}

ddb_code_t op_describe_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    table_t *t;
    ddb_code_t rc = ops_table(s, req, &t, err);
    if (rc == DDB_E_RESOURCE_NOT_FOUND)
        return ddb_fail(err, rc, "Requested resource not found: Table: %s not found",
                        cJSON_GetObjectItemCaseSensitive(req, "TableName")->valuestring);
    if (rc) return rc;
    if (strbuf_adds(out, "{\"Table\":")) return ops_nomem(err);
    if ((rc = describe_into(s, t, "ACTIVE", out, err))) return rc;
    return strbuf_addc(out, '}') ? ops_nomem(err) : DDB_OK;
}

ddb_code_t op_delete_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    table_t *t;
    ddb_code_t rc = ops_table(s, req, &t, err);
    if (rc == DDB_E_RESOURCE_NOT_FOUND)
        return ddb_fail(err, rc, "Requested resource not found: Table: %s not found",
                        cJSON_GetObjectItemCaseSensitive(req, "TableName")->valuestring);
    if (rc) return rc;
    if (strbuf_adds(out, "{\"TableDescription\":")) return ops_nomem(err);
    if ((rc = describe_into(s, t, "DELETING", out, err))) return rc;
    if (strbuf_addc(out, '}')) return ops_nomem(err);
    if (store_table_delete(s->store, t->id)) return ops_store_error(s, err);
    shim_table_remove(s, t);
    return DDB_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(table_t *const *)a)->name, (*(table_t *const *)b)->name);
}

ddb_code_t op_list_tables(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    const char *start;
    long long limit = 100;
    int has_limit;
    ddb_code_t rc;
    if ((rc = valid_string(req, "ExclusiveStartTableName", &start, err)) ||
        (rc = valid_int(req, "Limit", &limit, &has_limit, err)))
        return rc;
    valid_list_t vl = {0};
    if (start) valid_table_name(&vl, start, "exclusiveStartTableName");
    char num[32];
    snprintf(num, sizeof num, "%lld", limit);
    if (has_limit && limit < 1)
        valid_add(&vl, num, "limit", "Member must have value greater than or equal to 1");
    if (has_limit && limit > 100)
        valid_add(&vl, num, "limit", "Member must have value less than or equal to 100");
    if ((rc = valid_result(&vl, err))) return rc;
    if (!has_limit) limit = 100;

    if (s->ntables) qsort(s->tables, s->ntables, sizeof *s->tables, by_name);
    if (strbuf_adds(out, "{\"TableNames\":[")) return ops_nomem(err);
    long long n = 0;
    const char *last = NULL;
    size_t i = 0;
    while (i < s->ntables && start && strcmp(s->tables[i]->name, start) <= 0) i++;
    for (; i < s->ntables && n < limit; i++, n++) {
        const char *name = s->tables[i]->name;
        if ((n && strbuf_addc(out, ',')) || strbuf_add_json_str(out, name, strlen(name)))
            return ops_nomem(err);
        last = name;
    }
    if (strbuf_addc(out, ']')) return ops_nomem(err);
    if (i < s->ntables && last) {
        if (strbuf_adds(out, ",\"LastEvaluatedTableName\":") ||
            strbuf_add_json_str(out, last, strlen(last)))
            return ops_nomem(err);
    }
    return strbuf_addc(out, '}') ? ops_nomem(err) : DDB_OK;
}
