/* PutItem, GetItem, DeleteItem. */
#include "ops.h"

#include "../attr.h"
#include "../expr/expr.h"
#include "../valid.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ddb_code_t ops_reject_unsupported(const cJSON *req, const char *const *names, ddb_error_t *err)
{
    for (; *names; names++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, *names);
        if (v && !cJSON_IsNull(v))
            return ddb_fail(err, DDB_E_VALIDATION, "%s is not supported by dynamo-local-shim yet",
                            *names);
    }
    return DDB_OK;
}

static const char *const write_legacy[] = {"Expected", "ConditionalOperator", NULL};
static const char *const write_exprs[] = {"ConditionExpression", NULL};

/* The ConditionExpression of a Put or Delete with its names and values. */
static ddb_code_t write_condition(const cJSON *req, expr_refs_t *refs, expr_t **cond,
                                  ddb_error_t *err)
{
    ddb_code_t rc;
    *cond = NULL;
    if ((rc = ops_check_mixed(req, write_legacy, write_exprs, err)) ||
        (rc = ops_refs(req, refs, err)) || (rc = ops_condition(req, refs, cond, err)))
        return rc;
    if (*cond) {
        if ((rc = expr_refs_check_unused(refs, err))) {
            expr_free(*cond);
            *cond = NULL;
        }
        return rc;
    }
    if ((rc = ops_refs_need_expression(req, "ConditionExpression is null", err))) return rc;
    return ops_legacy_condition(req, "Expected", cond, err);
}

/* ReturnValues for Put and Delete: NONE or ALL_OLD. */
static ddb_code_t return_values(const cJSON *req, int *all_old, ddb_error_t *err)
{
    const char *rv;
    ddb_code_t rc = valid_string(req, "ReturnValues", &rv, err);
    if (rc) return rc;
    *all_old = 0;
    if (!rv || strcmp(rv, "NONE") == 0) return DDB_OK;
    if (strcmp(rv, "ALL_OLD") == 0) {
        *all_old = 1;
        return DDB_OK;
    }
    if (strcmp(rv, "UPDATED_OLD") && strcmp(rv, "ALL_NEW") && strcmp(rv, "UPDATED_NEW")) {
        valid_list_t vl = {0};
        valid_add(&vl, rv, "returnValues",
                  "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, "
                  "UPDATED_NEW]");
        return valid_result(&vl, err);
    }
    return ddb_fail(err, DDB_E_VALIDATION, "Return values set to invalid value");
}

/* Appends {"Attributes": old} (or {}) and the consumed capacity. */
static ddb_code_t write_response(const cJSON *req, const table_t *t, int all_old, int had_old,
                                 const strbuf_t *old, size_t size, strbuf_t *out, ddb_error_t *err)
{
    if (strbuf_addc(out, '{')) return ops_nomem(err);
    int first = 1;
    if (all_old && had_old) {
        if (strbuf_adds(out, "\"Attributes\":") || strbuf_add(out, old->data, old->len))
            return ops_nomem(err);
        first = 0;
    }
    ddb_code_t rc = ops_consumed(req, t, ops_write_units(size), out,
                                 first ? "\"ConsumedCapacity\":" : ",\"ConsumedCapacity\":", err);
    if (rc) return rc;
    return strbuf_addc(out, '}') ? ops_nomem(err) : DDB_OK;
}

ddb_code_t op_put_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    const cJSON *item;
    const char *name;
    int all_old;
    ddb_code_t rc;
    if ((rc = valid_string(req, "TableName", &name, err)) ||
        (rc = valid_object(req, "Item", &item, err)))
        return rc;
    valid_list_t vl = {0};
    valid_table_name(&vl, name, "tableName");
    if (!item) valid_add_raw(&vl, "Item to put in PutItem cannot be null");
    expr_refs_t refs;
    expr_t *cond = NULL;
    if ((rc = valid_result(&vl, err)) || (rc = return_values(req, &all_old, err)) ||
        (rc = write_condition(req, &refs, &cond, err)))
        return rc;

    strbuf_t canon, key, old;
    strbuf_init(&canon, ATTR_MAX_CANON);
    strbuf_init(&key, 8192);
    strbuf_init(&old, SIZE_MAX / 2);
    size_t size;
    table_t *t;
    int had_old = 0;
    if ((rc = attr_canon_item(item, &canon, &size, err))) goto done;
    if ((rc = ops_table(s, req, &t, err))) goto done;
    if ((rc = table_key(t, item, TABLE_KEY_ITEM, &key, err))) goto done;
    if (size > ATTR_MAX_ITEM_SIZE) {
        rc = ddb_fail(err, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
        goto done;
    }
    if ((rc = ops_check_indexes(t, item, err))) goto done;
    if (cond || all_old) {
        if (store_item_get(s->store, t->id, key.data, key.len, &old, &had_old)) {
            rc = ops_store_error(s, err);
            goto done;
        }
        if ((rc = ops_check_condition(req, cond, had_old ? old.data : NULL, old.len, err)))
            goto done;
    }
    if ((rc = ops_store_put(s, t, &key, canon.data, canon.len, size, item, err))) goto done;
    rc = write_response(req, t, all_old, had_old, &old, size, out, err);
done:
    expr_free(cond);
    strbuf_free(&canon);
    strbuf_free(&key);
    strbuf_free(&old);
    return rc;
}

/* Reads a Key parameter: checked values, then the key bytes. */
static ddb_code_t read_key(shim_t *s, const cJSON *req, table_t **t, strbuf_t *key,
                           ddb_error_t *err)
{
    const cJSON *k;
    const char *name;
    ddb_code_t rc;
    if ((rc = valid_string(req, "TableName", &name, err)) ||
        (rc = valid_object(req, "Key", &k, err)))
        return rc;
    valid_list_t vl = {0};
    valid_table_name(&vl, name, "tableName");
    if (!k) valid_add_raw(&vl, "Cannot have null key for GetItem, DeleteItem, or UpdateItem");
    if ((rc = valid_result(&vl, err))) return rc;
    strbuf_t scratch;
    size_t size;
    strbuf_init(&scratch, ATTR_MAX_CANON);
    rc = attr_canon_item(k, &scratch, &size, err);
    strbuf_free(&scratch);
    if (rc) return rc;
    if ((rc = ops_table(s, req, t, err))) return rc;
    return table_key(*t, k, TABLE_KEY_KEY, key, err);
}

ddb_code_t ops_projection(const cJSON *req, expr_refs_t *refs, expr_projection_t **proj,
                          ddb_error_t *err)
{
    const char *pe;
    const cJSON *atg;
    ddb_code_t rc;
    *proj = NULL;
    if ((rc = valid_string(req, "ProjectionExpression", &pe, err)) ||
        (rc = valid_array(req, "AttributesToGet", &atg, err)))
        return rc;
    if (atg) {
        if (cJSON_GetArraySize(atg) == 0) {
            valid_list_t vl = {0};
            valid_add(&vl, "[]", "attributesToGet",
                      "Member must have length greater than or equal to 1");
            return valid_result(&vl, err);
        }
        expr_projection_t *p = calloc(1, sizeof *p);
        if (!p || !(p->paths = calloc((size_t)cJSON_GetArraySize(atg), sizeof *p->paths))) {
            free(p);
            return ops_nomem(err);
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, atg)
        {
            if (!cJSON_IsString(e)) {
                expr_projection_free(p);
                return ddb_fail(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
            }
            p->paths[p->npaths].nsteps = 1;
            p->paths[p->npaths].steps[0].name = e->valuestring;
            p->npaths++;
        }
        *proj = p;
        return DDB_OK;
    }
    if (!pe) return DDB_OK;
    return expr_projection_parse(pe, refs, proj, err);
}

/* A name or value key as the expression lexer reads it: the mark, then
 * letters, digits and underscores. */
static int ref_key_ok(const char *key, char mark)
{
    if (key[0] != mark || !key[1]) return 0;
    for (const char *p = key + 1; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') return 0;
    return 1;
}

ddb_code_t ops_refs(const cJSON *req, expr_refs_t *refs, ddb_error_t *err)
{
    memset(refs, 0, sizeof *refs);
    ddb_code_t rc;
    if ((rc = valid_object(req, "ExpressionAttributeNames", &refs->names, err)) ||
        (rc = valid_object(req, "ExpressionAttributeValues", &refs->values, err)))
        return rc;
    if (refs->names && !refs->names->child)
        return ddb_fail(err, DDB_E_VALIDATION, "ExpressionAttributeNames must not be empty");
    if (refs->values && !refs->values->child)
        return ddb_fail(err, DDB_E_VALIDATION, "ExpressionAttributeValues must not be empty");
    const cJSON *e;
    cJSON_ArrayForEach(e, refs->names)
    {
        if (!ref_key_ok(e->string, '#'))
            return ddb_fail(err, DDB_E_VALIDATION,
                            "ExpressionAttributeNames contains invalid key: Syntax error; key: "
                            "\"%.255s\"",
                            e->string);
        if (!cJSON_IsString(e)) return valid_wrong_type(e, "String", err);
        if (!e->valuestring[0])
            return ddb_fail(err, DDB_E_VALIDATION,
                            "ExpressionAttributeNames contains invalid value: Empty attribute name "
                            "for key %.255s",
                            e->string);
    }
    if (!refs->values) return DDB_OK;
    strbuf_t scratch;
    size_t size;
    strbuf_init(&scratch, ATTR_MAX_CANON);
    rc = DDB_OK;
    cJSON_ArrayForEach(e, refs->values)
    {
        if (!ref_key_ok(e->string, ':')) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "ExpressionAttributeValues contains invalid key: Syntax error; key: "
                          "\"%.255s\"",
                          e->string);
            break;
        }
        if ((rc = attr_canon_value(e, &scratch, &size, err))) {
            /* DynamoDB wraps a bad value's own message. */
            if (rc == DDB_E_VALIDATION) {
                char inner[1024];
                snprintf(inner, sizeof inner, "%.1000s", err->msg);
                ddb_fail(err, DDB_E_VALIDATION,
                         "ExpressionAttributeValues contains invalid value: %s for key %.255s",
                         inner, e->string);
            }
            break;
        }
        strbuf_reset(&scratch);
    }
    strbuf_free(&scratch);
    return rc;
}

ddb_code_t ops_emit_item(const expr_projection_t *proj, const char *item, size_t len, strbuf_t *out,
                         ddb_error_t *err)
{
    if (!proj) return strbuf_add(out, item, len) ? ops_nomem(err) : DDB_OK;
    cJSON *full = cJSON_ParseWithLength(item, len);
    cJSON *p = full ? expr_projection_apply(proj, full) : NULL;
    char *text = p ? cJSON_PrintUnformatted(p) : NULL;
    cJSON_Delete(full);
    cJSON_Delete(p);
    if (!text) return ops_nomem(err);
    strbuf_err_t e = strbuf_adds(out, text);
    free(text);
    return e ? ops_nomem(err) : DDB_OK;
}

ddb_code_t op_get_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    int consistent;
    expr_refs_t refs;
    expr_projection_t *proj = NULL;
    table_t *t;
    strbuf_t key, item;
    strbuf_init(&key, 8192);
    strbuf_init(&item, SIZE_MAX / 2);
    ddb_code_t rc;
    static const char *const legacy[] = {"AttributesToGet", NULL};
    static const char *const exprs[] = {"ProjectionExpression", NULL};
    if ((rc = valid_bool(req, "ConsistentRead", &consistent, 0, err)) ||
        (rc = ops_check_mixed(req, legacy, exprs, err)) || (rc = ops_refs(req, &refs, err)) ||
        (rc = ops_projection(req, &refs, &proj, err)))
        goto done;
    if (refs.names && !cJSON_GetObjectItemCaseSensitive(req, "ProjectionExpression")) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "ExpressionAttributeNames can only be specified when using expressions");
        goto done;
    }
    refs.values = NULL; /* GetItem has no expression that reads values: DynamoDB ignores them */
    if ((rc = expr_refs_check_unused(&refs, err)) || (rc = read_key(s, req, &t, &key, err)))
        goto done;
    int found = 0;
    if (store_item_get(s->store, t->id, key.data, key.len, &item, &found)) {
        rc = ops_store_error(s, err);
        goto done;
    }
    if (strbuf_addc(out, '{')) goto nomem;
    if (found) {
        if (strbuf_adds(out, "\"Item\":")) goto nomem;
        if ((rc = ops_emit_item(proj, item.data, item.len, out, err))) goto done;
    }
    if ((rc = ops_consumed(req, t, ops_read_units(found ? item.len : 0, consistent), out,
                           found ? ",\"ConsumedCapacity\":" : "\"ConsumedCapacity\":", err)))
        goto done;
    if (strbuf_addc(out, '}')) goto nomem;
    rc = DDB_OK;
    goto done;
nomem:
    rc = ops_nomem(err);
done:
    expr_projection_free(proj);
    strbuf_free(&key);
    strbuf_free(&item);
    return rc;
}

ddb_code_t op_delete_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    int all_old, had_old = 0;
    table_t *t;
    strbuf_t key, old;
    strbuf_init(&key, 8192);
    strbuf_init(&old, SIZE_MAX / 2);
    ddb_code_t rc;
    expr_refs_t refs;
    expr_t *cond = NULL;
    if ((rc = return_values(req, &all_old, err)) ||
        (rc = write_condition(req, &refs, &cond, err)) || (rc = read_key(s, req, &t, &key, err)))
        goto done;
    if (cond) {
        if (store_item_get(s->store, t->id, key.data, key.len, &old, &had_old)) {
            rc = ops_store_error(s, err);
            goto done;
        }
        if ((rc = ops_check_condition(req, cond, had_old ? old.data : NULL, old.len, err)))
            goto done;
    }
    if ((rc = ops_store_delete(s, t, &key, all_old && !cond ? &old : NULL, &had_old, err)))
        goto done;
    rc = write_response(req, t, all_old, had_old, &old, old.len, out, err);
done:
    expr_free(cond);
    strbuf_free(&key);
    strbuf_free(&old);
    return rc;
}
