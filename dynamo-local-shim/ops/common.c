/* Helpers shared by the operations. */
#include "ops.h"

#include "../valid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ddb_code_t ops_nomem(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
}

ddb_code_t ops_store_error(shim_t *s, ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The request processing has failed: %s",
                    store_last_sqlite(s->store));
}

ddb_code_t ops_table(shim_t *s, const cJSON *req, table_t **t, ddb_error_t *err)
{
    const char *name;
    ddb_code_t rc = valid_string(req, "TableName", &name, err);
    if (rc) return rc;
    valid_list_t vl = {0};
    valid_table_name(&vl, name, "tableName");
    if ((rc = valid_result(&vl, err))) return rc;
    *t = shim_table(s, name);
    if (!*t) return ddb_fail(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
    return DDB_OK;
}

double ops_read_units(size_t size, int consistent)
{
    double units = ceil((double)(size ? size : 1) / 4096.0);
    return consistent ? units : units / 2;
}

double ops_write_units(size_t size) { return ceil((double)(size ? size : 1) / 1024.0); }

ddb_code_t ops_consumed(const cJSON *req, const table_t *t, double units, strbuf_t *out,
                        const char *lead, ddb_error_t *err)
{
    const char *mode;
    ddb_code_t rc = valid_string(req, "ReturnConsumedCapacity", &mode, err);
    if (rc) return rc;
    if (!mode || strcmp(mode, "NONE") == 0) return DDB_OK;
    if (strcmp(mode, "TOTAL") && strcmp(mode, "INDEXES")) {
        valid_list_t vl = {0};
        valid_add(&vl, mode, "returnConsumedCapacity",
                  "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]");
        return valid_result(&vl, err);
    }
    strbuf_err_t e = strbuf_adds(out, lead);
    if (!e) e = strbuf_addf(out, "{\"CapacityUnits\":%g,", units);
    if (!e && strcmp(mode, "INDEXES") == 0)
        e = strbuf_addf(out, "\"Table\":{\"CapacityUnits\":%g},", units);
    if (!e) e = strbuf_adds(out, "\"TableName\":");
    if (!e) e = strbuf_add_json_str(out, t->name, strlen(t->name));
    if (!e) e = strbuf_addc(out, '}');
    return e ? ops_nomem(err) : DDB_OK;
}

ddb_code_t ops_condition(const cJSON *req, expr_refs_t *refs, expr_t **cond, ddb_error_t *err)
{
    const char *text, *rv;
    ddb_code_t rc;
    *cond = NULL;
    if ((rc = valid_string(req, "ConditionExpression", &text, err)) ||
        (rc = valid_string(req, "ReturnValuesOnConditionCheckFailure", &rv, err)))
        return rc;
    if (rv && strcmp(rv, "NONE") && strcmp(rv, "ALL_OLD")) {
        valid_list_t vl = {0};
        valid_add(&vl, rv, "returnValuesOnConditionCheckFailure",
                  "Member must satisfy enum value set: [ALL_OLD, NONE]");
        return valid_result(&vl, err);
    }
    if (!text) return DDB_OK;
    return expr_condition_parse(text, "ConditionExpression", refs, cond, err);
}

ddb_code_t ops_refs_need_expression(const cJSON *req, const char *missing, ddb_error_t *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeNames");
    if (v && !cJSON_IsNull(v))
        return ddb_fail(err, DDB_E_VALIDATION,
                        "ExpressionAttributeNames can only be specified when using expressions");
    v = cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeValues");
    if (v && !cJSON_IsNull(v))
        return ddb_fail(err, DDB_E_VALIDATION,
                        "ExpressionAttributeValues can only be specified when using expressions: "
                        "%s",
                        missing);
    return DDB_OK;
}

ddb_code_t ops_check_condition(const cJSON *req, const expr_t *cond, const char *old, size_t len,
                               ddb_error_t *err)
{
    if (!cond) return DDB_OK;
    cJSON *item = old ? cJSON_ParseWithLength(old, len) : NULL;
    if (old && !item) return ops_nomem(err);
    int ok = expr_condition_eval(cond, item);
    cJSON_Delete(item);
    if (ok) return DDB_OK;
    ddb_fail(err, DDB_E_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    const char *rv = NULL;
    valid_string(req, "ReturnValuesOnConditionCheckFailure", &rv, err);
    if (old && rv && strcmp(rv, "ALL_OLD") == 0) {
        size_t n = strlen("\"Item\":") + len + 1;
        err->extra = malloc(n);
        if (err->extra) snprintf(err->extra, n, "\"Item\":%.*s", (int)len, old);
    }
    return DDB_E_CONDITIONAL_CHECK_FAILED;
}

/* Appends "{A, B}" of the members of names present in req; returns how many. */
static int present_list(const cJSON *req, const char *const *names, char *buf, size_t cap)
{
    size_t k = 0;
    int n = 0;
    buf[k++] = '{';
    for (; *names; names++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, *names);
        if (!v || cJSON_IsNull(v)) continue;
        int w = snprintf(buf + k, cap - k, "%s%s", n ? ", " : "", *names);
        if (w > 0 && (size_t)w < cap - k) k += (size_t)w;
        n++;
    }
    buf[k++] = '}';
    buf[k] = '\0';
    return n;
}

ddb_code_t ops_check_mixed(const cJSON *req, const char *const *legacy, const char *const *exprs,
                           ddb_error_t *err)
{
    char l[256], x[256];
    if (!present_list(req, legacy, l, sizeof l) || !present_list(req, exprs, x, sizeof x))
        return DDB_OK;
    return ddb_fail(err, DDB_E_VALIDATION,
                    "Can not use both expression and non-expression parameters in the same "
                    "request: Non-expression parameters: %s Expression parameters: %s",
                    l, x);
}

ddb_code_t ops_legacy_condition(const cJSON *req, const char *name, expr_t **cond, ddb_error_t *err)
{
    const cJSON *conds;
    const char *op;
    ddb_code_t rc;
    if ((rc = valid_object(req, name, &conds, err)) ||
        (rc = valid_string(req, "ConditionalOperator", &op, err)))
        return rc;
    if (op && strcmp(op, "AND") && strcmp(op, "OR")) {
        valid_list_t vl = {0};
        valid_add(&vl, op, "conditionalOperator", "Member must satisfy enum value set: [AND, OR]");
        return valid_result(&vl, err);
    }
    if (!conds) return DDB_OK;
    return expr_legacy_condition(conds, strcmp(name, "Expected") == 0, op, cond, err);
}

ddb_code_t ops_check_indexes(const table_t *t, const cJSON *item, ddb_error_t *err)
{
    /* DynamoDB names the first index, by name, that the attribute keys. */
    const tindex_t *order[TINDEX_MAX_GLOBAL + TINDEX_MAX_LOCAL];
    int n = 0;
    for (int i = 0; i < t->nindexes; i++) {
        int k = n++;
        while (k > 0 && strcmp(order[k - 1]->name, t->indexes[i].name) > 0) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = &t->indexes[i];
    }
    for (int i = 0; i < n; i++) {
        ddb_code_t rc = tindex_check_item(order[i], item, err);
        if (rc) return rc;
    }
    return DDB_OK;
}

/* Replaces an item's index entries with those of item (NULL: none). */
static ddb_code_t reindex(shim_t *s, const table_t *t, const strbuf_t *key, const cJSON *item,
                          size_t size, ddb_error_t *err)
{
    if (store_index_remove(s->store, t->id, key->data, key->len)) return ops_store_error(s, err);
    if (!item) return DDB_OK;
    strbuf_t ikey;
    strbuf_init(&ikey, 1 << 16);
    ddb_code_t rc = DDB_OK;
    for (int i = 0; i < t->nindexes && !rc; i++) {
        const tindex_t *ix = &t->indexes[i];
        strbuf_reset(&ikey);
        if (!tindex_key(ix, item, &ikey)) continue; /* sparse: not in this index */
        if (strbuf_add(&ikey, key->data, key->len))
            rc = ops_nomem(err);
        else if (store_index_put(s->store, t->id, ix->name, ikey.data, ikey.len, key->data,
                                 key->len, size))
            rc = ops_store_error(s, err);
    }
    strbuf_free(&ikey);
    return rc;
}

ddb_code_t ops_store_put(shim_t *s, const table_t *t, const strbuf_t *key, const char *canon,
                         size_t len, size_t size, const cJSON *item, ddb_error_t *err)
{
    if (!t->nindexes) {
        if (store_item_put(s->store, t->id, key->data, key->len, canon, len, size, NULL, NULL))
            return ops_store_error(s, err);
        return DDB_OK;
    }
    int own = !store_in_transaction(s->store);
    if (own && store_begin(s->store)) return ops_store_error(s, err);
    cJSON *parsed = item ? NULL : cJSON_ParseWithLength(canon, len);
    ddb_code_t rc = DDB_OK;
    if (!item && !parsed)
        rc = ops_nomem(err);
    else if (store_item_put(s->store, t->id, key->data, key->len, canon, len, size, NULL, NULL))
        rc = ops_store_error(s, err);
    else
        rc = reindex(s, t, key, item ? item : parsed, size, err);
    cJSON_Delete(parsed);
    if (own && !rc && store_commit(s->store)) rc = ops_store_error(s, err);
    if (own && rc) store_rollback(s->store);
    return rc;
}

ddb_code_t ops_store_delete(shim_t *s, const table_t *t, const strbuf_t *key, strbuf_t *old,
                            int *had_old, ddb_error_t *err)
{
    int own = t->nindexes && !store_in_transaction(s->store);
    if (own && store_begin(s->store)) return ops_store_error(s, err);
    ddb_code_t rc = DDB_OK;
    if (store_item_delete(s->store, t->id, key->data, key->len, old, had_old))
        rc = ops_store_error(s, err);
    else if (t->nindexes)
        rc = reindex(s, t, key, NULL, 0, err);
    if (own && !rc && store_commit(s->store)) rc = ops_store_error(s, err);
    if (own && rc) store_rollback(s->store);
    return rc;
}
