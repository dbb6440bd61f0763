/* UpdateItem: read, check the condition, apply the update, write back. */
#include "ops.h"

#include "../attr.h"
#include "../expr/value.h"
#include "../valid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum rv { RV_NONE, RV_ALL_OLD, RV_UPDATED_OLD, RV_ALL_NEW, RV_UPDATED_NEW } rv_t;

static ddb_code_t read_return_values(const cJSON *req, rv_t *rv, ddb_error_t *err)
{
    static const char *const names[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
    const char *text;
    ddb_code_t rc = valid_string(req, "ReturnValues", &text, err);
    if (rc) return rc;
    *rv = RV_NONE;
    if (!text) return DDB_OK;
    for (int i = 0; i < 5; i++)
        if (strcmp(text, names[i]) == 0) {
            *rv = (rv_t)i;
            return DDB_OK;
        }
    return ddb_fail(err, DDB_E_VALIDATION, "Return values set to invalid value");
}

/* UPDATED_OLD / UPDATED_NEW: the item projected on the paths the update
 * wrote (REMOVEd paths are absent from the new item, so they only show in
 * UPDATED_OLD). */
static cJSON *updated_part(const expr_t *upd, const cJSON *legacy, const cJSON *item)
{
    int n = upd ? expr_update_npaths(upd) : cJSON_GetArraySize(legacy);
    expr_projection_t proj = {0};
    proj.paths = calloc((size_t)n + 1, sizeof *proj.paths);
    if (!proj.paths) return NULL;
    if (upd) {
        for (int i = 0; i < n; i++) proj.paths[proj.npaths++] = *expr_update_path(upd, i);
    } else {
        const cJSON *e;
        cJSON_ArrayForEach(e, legacy)
        {
            proj.paths[proj.npaths].nsteps = 1;
            proj.paths[proj.npaths++].steps[0].name = e->string;
        }
    }
    cJSON *out = expr_projection_apply(&proj, item);
    free(proj.paths);
    return out;
}

static ddb_code_t key_error(const char *name, ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Cannot update attribute %s. This "
                    "attribute is part of the key",
                    name);
}

static ddb_code_t check_key_untouched(const table_t *t, const expr_t *upd, const cJSON *legacy,
                                      ddb_error_t *err)
{
    for (int i = 0; upd && i < expr_update_npaths(upd); i++) {
        const char *name = expr_update_path(upd, i)->steps[0].name;
        if (strcmp(name, t->hash) == 0 || (t->range && strcmp(name, t->range) == 0))
            return key_error(name, err);
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, legacy)
    {
        if (strcmp(e->string, t->hash) == 0 || (t->range && strcmp(e->string, t->range) == 0))
            return key_error(e->string, err);
    }
    return DDB_OK;
}

/* AttributeUpdates, the legacy form: attribute -> {Action, Value}. */
static ddb_code_t check_attribute_updates(const cJSON *updates, ddb_error_t *err)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, updates)
    {
        const char *action;
        const cJSON *value;
        ddb_code_t rc;
        if (!cJSON_IsObject(e)) return valid_wrong_type(e, "Map", err);
        if ((rc = valid_string(e, "Action", &action, err)) ||
            (rc = valid_object(e, "Value", &value, err)))
            return rc;
        if (action && strcmp(action, "PUT") && strcmp(action, "ADD") && strcmp(action, "DELETE")) {
            valid_list_t vl = {0};
            valid_add(&vl, action, "attributeUpdates.action",
                      "Member must satisfy enum value set: [ADD, PUT, DELETE]");
            return valid_result(&vl, err);
        }
        if (value) {
            strbuf_t scratch;
            size_t size;
            strbuf_init(&scratch, ATTR_MAX_CANON);
            rc = attr_canon_value(value, &scratch, &size, err);
            strbuf_free(&scratch);
            if (rc) return rc;
        }
        int is_put = !action || strcmp(action, "PUT") == 0;
        if ((is_put || strcmp(action, "ADD") == 0) && !value)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Only DELETE action is "
                            "allowed when no attribute value is specified");
    }
    return DDB_OK;
}

static ddb_code_t bad_operand(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Type mismatch for attribute to "
                    "update");
}

static int is_set_type(const char *t) { return t && strchr("SNB", t[0]) && t[1] == 'S' && !t[2]; }

static ddb_code_t apply_attribute_updates(const cJSON *updates, cJSON *item, ddb_error_t *err)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, updates)
    {
        const cJSON *av = cJSON_GetObjectItemCaseSensitive(e, "Action");
        const char *action = cJSON_IsString(av) ? av->valuestring : "PUT";
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(e, "Value");
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(item, e->string);
        cJSON *next = NULL;
        if (strcmp(action, "PUT") == 0) {
            next = cJSON_Duplicate(value, 1);
        } else if (strcmp(action, "DELETE") == 0) {
            if (!value || !cur) {
                cJSON_DeleteItemFromObjectCaseSensitive(item, e->string);
                continue;
            }
            if (!is_set_type(value_type(value)) || strcmp(value_type(cur), value_type(value)))
                return bad_operand(err);
            next = value_set_minus(cur, value);
            if (!next) {
                cJSON_DeleteItemFromObjectCaseSensitive(item, e->string);
                continue;
            }
        } else { /* ADD */
            const char *tv = value_type(value);
            if (!cur) {
                next = cJSON_Duplicate(value, 1);
            } else if (strcmp(value_type(cur), tv) != 0) {
                return bad_operand(err);
            } else if (strcmp(tv, "N") == 0) {
                num_t x, y, r;
                value_get_number(cur, &x);
                value_get_number(value, &y);
                num_err_t ne = num_add(&x, &y, 0, &r);
                if (ne) return ddb_fail(err, DDB_E_VALIDATION, "%s", num_strerror(ne));
                next = value_number(&r);
            } else if (strcmp(tv, "L") == 0) {
                next = cJSON_Duplicate(cur, 1);
                const cJSON *x;
                cJSON_ArrayForEach(x, value_inner(value))
                {
                    if (next) cJSON_AddItemToArray(next->child, cJSON_Duplicate(x, 1));
                }
            } else if (is_set_type(tv)) {
                next = value_set_union(cur, value);
            } else {
                return bad_operand(err);
            }
        }
        if (!next) return ops_nomem(err);
        if (cur)
            cJSON_ReplaceItemInObjectCaseSensitive(item, e->string, next);
        else
            cJSON_AddItemToObject(item, e->string, next);
    }
    return DDB_OK;
}

ddb_code_t op_update_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    static const char *const unsupported[] = {"AttributeUpdates", "Expected", "ConditionalOperator",
                                              NULL};
    static const char *const exprs[] = {"UpdateExpression", "ConditionExpression", NULL};
    const cJSON *legacy_updates = NULL;
    const char *name, *text;
    const cJSON *key_json;
    rv_t rv;
    expr_refs_t refs;
    expr_t *upd = NULL, *cond = NULL;
    cJSON *item = NULL, *result = NULL;
    table_t *t;
    strbuf_t key, old, canon;
    strbuf_init(&key, 8192);
    strbuf_init(&old, SIZE_MAX / 2);
    strbuf_init(&canon, ATTR_MAX_CANON);
    int had_old = 0;
    size_t size;
    ddb_code_t rc;
    if ((rc = valid_string(req, "TableName", &name, err)) ||
        (rc = valid_object(req, "Key", &key_json, err)) ||
        (rc = valid_string(req, "UpdateExpression", &text, err)))
        goto done;
    valid_list_t vl = {0};
    valid_table_name(&vl, name, "tableName");
    if (!key_json)
        valid_add_raw(&vl, "Cannot have null key for GetItem, DeleteItem, or UpdateItem");
    if ((rc = valid_result(&vl, err)) || (rc = read_return_values(req, &rv, err)) ||
        (rc = ops_check_mixed(req, unsupported, exprs, err)) || (rc = ops_refs(req, &refs, err)) ||
        (rc = valid_object(req, "AttributeUpdates", &legacy_updates, err)))
        goto done;
    if (text && (rc = expr_update_parse(text, &refs, &upd, err))) goto done;
    if ((rc = ops_condition(req, &refs, &cond, err))) goto done;
    if (!upd && !cond &&
        (rc = ops_refs_need_expression(req, "UpdateExpression and ConditionExpression are null",
                                       err)))
        goto done;
    if ((rc = expr_refs_check_unused(&refs, err))) goto done;
    if (!cond && (rc = ops_legacy_condition(req, "Expected", &cond, err))) goto done;
    if (legacy_updates && (rc = check_attribute_updates(legacy_updates, err))) goto done;
    if (!cond && (rc = ops_legacy_condition(req, "Expected", &cond, err))) goto done;
    if (legacy_updates && (rc = check_attribute_updates(legacy_updates, err))) goto done;
    if ((rc = attr_canon_item(key_json, &canon, &size, err))) goto done;
    strbuf_reset(&canon);
    if ((rc = ops_table(s, req, &t, err)) ||
        (rc = table_key(t, key_json, TABLE_KEY_KEY, &key, err)) ||
        (rc = check_key_untouched(t, upd, legacy_updates, err)))
        goto done;

    if (store_item_get(s->store, t->id, key.data, key.len, &old, &had_old)) {
        rc = ops_store_error(s, err);
        goto done;
    }
    if ((rc = ops_check_condition(req, cond, had_old ? old.data : NULL, old.len, err))) goto done;
    /* The item as it stands, or a new one made of its key (an upsert). */
    item = had_old ? cJSON_ParseWithLength(old.data, old.len) : cJSON_Duplicate(key_json, 1);
    if (!item) goto nomem;
    if (upd && (rc = expr_update_apply(upd, item, err))) goto done;
    if (legacy_updates && (rc = apply_attribute_updates(legacy_updates, item, err))) goto done;
    if ((rc = attr_canon_item(item, &canon, &size, err))) goto done;
    if (size > ATTR_MAX_ITEM_SIZE) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "Item size to update has exceeded the maximum allowed size");
        goto done;
    }
    if ((rc = ops_check_indexes(t, item, err)) ||
        (rc = ops_store_put(s, t, &key, canon.data, canon.len, size, item, err)))
        goto done;

    if (strbuf_addc(out, '{')) goto nomem;
    int first = 1;
    if (rv != RV_NONE && !(rv == RV_ALL_OLD && !had_old)) {
        const char *text_out = NULL;
        char *owned = NULL;
        size_t text_len = 0;
        if (rv == RV_ALL_OLD) {
            text_out = old.data;
            text_len = old.len;
        } else if (rv == RV_ALL_NEW) {
            text_out = canon.data;
            text_len = canon.len;
        } else {
            cJSON *src = NULL;
            if (rv == RV_UPDATED_OLD)
                src = had_old ? cJSON_ParseWithLength(old.data, old.len) : NULL;
            else
                src = cJSON_ParseWithLength(canon.data, canon.len);
            result = src && (upd || legacy_updates) ? updated_part(upd, legacy_updates, src) : NULL;
            cJSON_Delete(src);
            if (result && result->child) {
                owned = cJSON_PrintUnformatted(result);
                if (!owned) goto nomem;
                text_out = owned;
                text_len = strlen(owned);
            }
        }
        if (text_out) {
            strbuf_err_t e = strbuf_adds(out, "\"Attributes\":");
            if (!e) e = strbuf_add(out, text_out, text_len);
            free(owned);
            if (e) goto nomem;
            first = 0;
        }
    }
    if ((rc = ops_consumed(req, t, ops_write_units(size), out,
                           first ? "\"ConsumedCapacity\":" : ",\"ConsumedCapacity\":", err)))
        goto done;
    if (strbuf_addc(out, '}')) goto nomem;
    rc = DDB_OK;
    goto done;
nomem:
    rc = ops_nomem(err);
done:
    expr_free(upd);
    expr_free(cond);
    cJSON_Delete(item);
    cJSON_Delete(result);
    strbuf_free(&key);
    strbuf_free(&old);
    strbuf_free(&canon);
    return rc;
}
