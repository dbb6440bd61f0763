/* UpdateItem: read, check the condition, apply the update, write back. */
#include "ops.h"

#include "../attr.h"
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
static cJSON *updated_part(const expr_t *upd, const cJSON *item)
{
    int n = expr_update_npaths(upd);
    expr_projection_t proj = {0};
    proj.paths = calloc((size_t)n + 1, sizeof *proj.paths);
    if (!proj.paths) return NULL;
    for (int i = 0; i < n; i++) proj.paths[proj.npaths++] = *expr_update_path(upd, i);
    cJSON *out = expr_projection_apply(&proj, item);
    free(proj.paths);
    return out;
}

static ddb_code_t check_key_untouched(const table_t *t, const expr_t *upd, ddb_error_t *err)
{
    for (int i = 0; upd && i < expr_update_npaths(upd); i++) {
        const char *name = expr_update_path(upd, i)->steps[0].name;
        if (strcmp(name, t->hash) == 0 || (t->range && strcmp(name, t->range) == 0))
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Cannot update attribute "
                            "%s. This attribute is part of the key",
                            name);
    }
    return DDB_OK;
}

ddb_code_t op_update_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    static const char *const unsupported[] = {"AttributeUpdates", "Expected", "ConditionalOperator",
                                              NULL};
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
        (rc = ops_reject_unsupported(req, unsupported, err)) || (rc = ops_refs(req, &refs, err)))
        goto done;
    if (text && (rc = expr_update_parse(text, &refs, &upd, err))) goto done;
    if ((rc = ops_condition(req, &refs, &cond, err))) goto done;
    if (!upd && !cond &&
        (rc = ops_refs_need_expression(req, "UpdateExpression and ConditionExpression are null",
                                       err)))
        goto done;
    if ((rc = expr_refs_check_unused(&refs, err))) goto done;
    if ((rc = attr_canon_item(key_json, &canon, &size, err))) goto done;
    strbuf_reset(&canon);
    if ((rc = ops_table(s, req, &t, err)) ||
        (rc = table_key(t, key_json, TABLE_KEY_KEY, &key, err)) ||
        (rc = check_key_untouched(t, upd, err)))
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
    if ((rc = attr_canon_item(item, &canon, &size, err))) goto done;
    if (size > ATTR_MAX_ITEM_SIZE) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "Item size to update has exceeded the maximum allowed size");
        goto done;
    }
    if (store_item_put(s->store, t->id, key.data, key.len, canon.data, canon.len, size, NULL,
                       NULL)) {
        rc = ops_store_error(s, err);
        goto done;
    }

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
            result = src && upd ? updated_part(upd, src) : NULL;
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
