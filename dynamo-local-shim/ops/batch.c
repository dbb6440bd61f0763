/* BatchWriteItem and BatchGetItem. A batch of writes commits once. */
#include "ops.h"

#include "../attr.h"
#include "../valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_WRITE_MAX 25
#define BATCH_GET_MAX 100
#define BATCH_GET_RESPONSE_MAX (16 * 1024 * 1024)

typedef struct write_req {
    table_t *t;
    int is_put;
    strbuf_t key, item;
    size_t size;
} write_req_t;

static ddb_code_t duplicate_keys(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_VALIDATION, "Provided list of item keys contains duplicates");
}

static int same_key(const table_t *ta, const strbuf_t *a, const table_t *tb, const strbuf_t *b)
{
    return ta == tb && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static ddb_code_t request_items(const cJSON *req, const char *op, const cJSON **items,
                                ddb_error_t *err)
{
    ddb_code_t rc = valid_object(req, "RequestItems", items, err);
    if (rc) return rc;
    if (!*items || !(*items)->child)
        return ddb_fail(err, DDB_E_VALIDATION, "The requestItems parameter is required for %s", op);
    return DDB_OK;
}

ddb_code_t op_batch_write_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    const cJSON *items;
    ddb_code_t rc = request_items(req, "BatchWriteItem", &items, err);
    if (rc) return rc;
    write_req_t reqs[BATCH_WRITE_MAX];
    int n = 0;
    const cJSON *tbl;
    /* Shape and counts first, as DynamoDB validates the request as a whole. */
    valid_list_t vl = {0};
    cJSON_ArrayForEach(tbl, items)
    {
        if (!cJSON_IsArray(tbl))
            return ddb_fail(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
        int len = cJSON_GetArraySize(tbl);
        if (len > BATCH_WRITE_MAX || len < 1) {
            /* Coral quotes the map as Java prints it; the requests themselves
             * are printed by their type only. */
            char text[1024];
            size_t k = (size_t)snprintf(text, sizeof text, "{%.255s=[", tbl->string);
            for (int j = 0; j < len && k + 32 < sizeof text; j++)
                k += (size_t)snprintf(text + k, sizeof text - k, "%sWriteRequest", j ? ", " : "");
            snprintf(text + k, sizeof text - k, "]}");
            valid_add(&vl, text, "requestItems",
                      "Map value must satisfy constraint: [Member must have length less than or "
                      "equal to 25, Member must have length greater than or equal to 1]");
        }
        n += len;
    }
    if ((rc = valid_result(&vl, err))) return rc;
    if (n > BATCH_WRITE_MAX)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Too many items requested for the BatchWriteItem call");

    n = 0;
    cJSON_ArrayForEach(tbl, items)
    {
        table_t *t = shim_table(s, tbl->string);
        const cJSON *wr;
        cJSON_ArrayForEach(wr, tbl)
        {
            write_req_t *w = &reqs[n];
            strbuf_init(&w->key, 8192);
            strbuf_init(&w->item, ATTR_MAX_CANON);
            w->t = t;
            w->size = 0;
            n++;
            const cJSON *put, *del, *item = NULL, *key = NULL;
            if (!cJSON_IsObject(wr) || (rc = valid_object(wr, "PutRequest", &put, err)) ||
                (rc = valid_object(wr, "DeleteRequest", &del, err))) {
                if (!rc)
                    rc = ddb_fail(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
                goto done;
            }
            if ((put != NULL) == (del != NULL)) {
                rc = ddb_fail(err, DDB_E_VALIDATION,
                              "Supplied AttributeValue has more than one datatypes set, must "
                              "contain exactly one of the supported datatypes");
                if (!put)
                    rc = ddb_fail(err, DDB_E_VALIDATION,
                                  "1 validation error detected: Value null at "
                                  "'requestItems.%.255s.member.1.member' failed to satisfy "
                                  "constraint: Member must not be null",
                                  tbl->string);
                goto done;
            }
            w->is_put = put != NULL;
            if (put && (rc = valid_object(put, "Item", &item, err))) goto done;
            if (del && (rc = valid_object(del, "Key", &key, err))) goto done;
            const cJSON *obj = put ? item : key;
            if (!obj) {
                rc = ddb_fail(err, DDB_E_VALIDATION,
                              "1 validation error detected: Value null at '%s' failed to satisfy "
                              "constraint: Member must not be null",
                              put ? "requestItems.member.putRequest.item"
                                  : "requestItems.member.deleteRequest.key");
                goto done;
            }
            if ((rc = attr_canon_item(obj, &w->item, &w->size, err))) goto done;
            if (!t) {
                rc = ddb_fail(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
                goto done;
            }
            if ((rc = table_key(t, obj, put ? TABLE_KEY_BATCH_ITEM : TABLE_KEY_KEY, &w->key, err)))
                goto done;
            if (put && w->size > ATTR_MAX_ITEM_SIZE) {
                rc = ddb_fail(err, DDB_E_VALIDATION,
                              "Item size has exceeded the maximum allowed size");
                goto done;
            }
            if (put && (rc = ops_check_indexes(t, obj, err))) goto done;
            for (int j = 0; j < n - 1; j++)
                if (same_key(reqs[j].t, &reqs[j].key, t, &w->key)) {
                    rc = duplicate_keys(err);
                    goto done;
                }
        }
    }

    if (store_begin(s->store)) {
        rc = ops_store_error(s, err);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        write_req_t *w = &reqs[i];
        rc = w->is_put
                 ? ops_store_put(s, w->t, &w->key, w->item.data, w->item.len, w->size, NULL, err)
                 : ops_store_delete(s, w->t, &w->key, NULL, NULL, err);
        if (rc) {
            store_rollback(s->store);
            goto done;
        }
    }
    if (store_commit(s->store)) {
        rc = ops_store_error(s, err);
        store_rollback(s->store);
        goto done;
    }

    if (strbuf_adds(out, "{\"UnprocessedItems\":{}")) goto nomem;
    {
        const char *mode = NULL;
        valid_string(req, "ReturnConsumedCapacity", &mode, err);
        if (mode && strcmp(mode, "NONE") != 0) {
            if (strbuf_adds(out, ",\"ConsumedCapacity\":[")) goto nomem;
            int first = 1;
            cJSON_ArrayForEach(tbl, items)
            {
                double units = 0;
                for (int i = 0; i < n; i++)
                    if (strcmp(reqs[i].t->name, tbl->string) == 0)
                        units += ops_write_units(reqs[i].is_put ? reqs[i].size : 0);
                if ((rc = ops_consumed(req, shim_table(s, tbl->string), units, out,
                                       first ? "" : ",", err)))
                    goto done;
                first = 0;
            }
            if (strbuf_addc(out, ']')) goto nomem;
        }
    }
    if (strbuf_addc(out, '}')) goto nomem;
    rc = DDB_OK;
    goto done;
nomem:
    rc = ops_nomem(err);
done:
    for (int i = 0; i < n; i++) {
        strbuf_free(&reqs[i].key);
        strbuf_free(&reqs[i].item);
    }
    return rc;
}

typedef struct get_table {
    const cJSON *spec;
    table_t *t;
    expr_projection_t *proj;
    int consistent;
    int nkeys;
    strbuf_t *keys;
} get_table_t;

ddb_code_t op_batch_get_item(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    const cJSON *items;
    ddb_code_t rc = request_items(req, "BatchGetItem", &items, err);
    if (rc) return rc;
    int ntables = cJSON_GetArraySize(items), total = 0;
    const cJSON *spec;
    cJSON_ArrayForEach(spec, items)
    {
        const cJSON *keys;
        if (!cJSON_IsObject(spec))
            return ddb_fail(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
        if ((rc = valid_array(spec, "Keys", &keys, err))) return rc;
        if (!keys || cJSON_GetArraySize(keys) == 0)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "The list of keys in RequestItems for BatchGetItem is required: %.255s "
                            "has empty list",
                            spec->string);
        if (cJSON_GetArraySize(keys) > BATCH_GET_MAX)
            return ddb_fail(
                err, DDB_E_VALIDATION,
                "1 validation error detected: Value at 'RequestItems.%.255s.member.Keys' "
                "failed to satisfy constraint: Member must have length less than or "
                "equal to 100",
                spec->string);
        total += cJSON_GetArraySize(keys);
    }
    if (total > BATCH_GET_MAX)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Too many items requested for the BatchGetItem call");

    get_table_t *gt = calloc((size_t)ntables, sizeof *gt);
    if (!gt) return ops_nomem(err);
    int ti = 0;
    cJSON_ArrayForEach(spec, items)
    {
        get_table_t *g = &gt[ti++];
        expr_refs_t refs;
        const cJSON *keys = cJSON_GetObjectItemCaseSensitive(spec, "Keys"), *k;
        g->spec = spec;
        if ((rc = valid_bool(spec, "ConsistentRead", &g->consistent, 0, err)) ||
            (rc = ops_refs(spec, &refs, err)) ||
            (rc = ops_projection(spec, &refs, &g->proj, err)) ||
            (rc = expr_refs_check_unused(&refs, err)))
            goto done;
        g->t = shim_table(s, spec->string);
        if (!g->t) {
            rc = ddb_fail(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
            goto done;
        }
        g->keys = calloc((size_t)cJSON_GetArraySize(keys), sizeof *g->keys);
        if (!g->keys) goto nomem;
        cJSON_ArrayForEach(k, keys)
        {
            strbuf_t *kb = &g->keys[g->nkeys];
            strbuf_init(kb, 8192);
            g->nkeys++;
            strbuf_t scratch;
            size_t size;
            strbuf_init(&scratch, ATTR_MAX_CANON);
            rc = cJSON_IsObject(k)
                     ? attr_canon_item(k, &scratch, &size, err)
                     : ddb_fail(err, DDB_E_SERIALIZATION, "Unexpected value type in payload");
            strbuf_free(&scratch);
            if (rc || (rc = table_key(g->t, k, TABLE_KEY_KEY, kb, err))) goto done;
            for (int j = 0; j < g->nkeys - 1; j++)
                if (same_key(g->t, &g->keys[j], g->t, kb)) {
                    rc = duplicate_keys(err);
                    goto done;
                }
        }
    }

    /* Answers up to 16 MB; keys past that go back as UnprocessedKeys. */
    strbuf_t item, unprocessed;
    strbuf_init(&item, SIZE_MAX / 2);
    strbuf_init(&unprocessed, SIZE_MAX / 2);
    size_t answered = 0;
    double *units = calloc((size_t)ntables, sizeof *units);
    if (!units || strbuf_adds(out, "{\"Responses\":{") || strbuf_addc(&unprocessed, '{'))
        goto nomem_get;
    for (ti = 0; ti < ntables; ti++) {
        get_table_t *g = &gt[ti];
        if ((ti && strbuf_addc(out, ',')) ||
            strbuf_add_json_str(out, g->t->name, strlen(g->t->name)) || strbuf_adds(out, ":["))
            goto nomem_get;
        const cJSON *keys = cJSON_GetObjectItemCaseSensitive(g->spec, "Keys");
        int emitted = 0, deferred = 0;
        for (int i = 0; i < g->nkeys; i++) {
            if (answered >= BATCH_GET_RESPONSE_MAX) {
                char *text = cJSON_PrintUnformatted(cJSON_GetArrayItem(keys, i));
                if (!text) goto nomem_get;
                if (!deferred) {
                    if ((unprocessed.len > 1 && strbuf_addc(&unprocessed, ',')) ||
                        strbuf_add_json_str(&unprocessed, g->t->name, strlen(g->t->name)) ||
                        strbuf_adds(&unprocessed, ":{\"Keys\":[")) {
                        free(text);
                        goto nomem_get;
                    }
                }
                strbuf_err_t e = (deferred ? strbuf_addc(&unprocessed, ',') : STRBUF_OK);
                if (!e) e = strbuf_adds(&unprocessed, text);
                free(text);
                if (e) goto nomem_get;
                deferred++;
                continue;
            }
            int found = 0;
            strbuf_reset(&item);
            if (store_item_get(s->store, g->t->id, g->keys[i].data, g->keys[i].len, &item,
                               &found)) {
                rc = ops_store_error(s, err);
                goto done_get;
            }
            if (!found) continue;
            units[ti] += ops_read_units(item.len, g->consistent);
            if (emitted++ && strbuf_addc(out, ',')) goto nomem_get;
            if ((rc = ops_emit_item(g->proj, item.data, item.len, out, err))) goto done_get;
            answered += item.len;
        }
        if (deferred && strbuf_adds(&unprocessed, "]}")) goto nomem_get;
        if (strbuf_addc(out, ']')) goto nomem_get;
    }
    if (strbuf_adds(out, "},\"UnprocessedKeys\":") || strbuf_addc(&unprocessed, '}') ||
        strbuf_add(out, unprocessed.data, unprocessed.len))
        goto nomem_get;
    {
        const char *mode = NULL;
        valid_string(req, "ReturnConsumedCapacity", &mode, err);
        if (mode && strcmp(mode, "NONE") != 0) {
            if (strbuf_adds(out, ",\"ConsumedCapacity\":[")) goto nomem_get;
            for (ti = 0; ti < ntables; ti++)
                if ((rc = ops_consumed(req, gt[ti].t, units[ti], out, ti ? "," : "", err)))
                    goto done_get;
            if (strbuf_addc(out, ']')) goto nomem_get;
        }
    }
    rc = strbuf_addc(out, '}') ? ops_nomem(err) : DDB_OK;
    goto done_get;
nomem_get:
    rc = ops_nomem(err);
done_get:
    free(units);
    strbuf_free(&item);
    strbuf_free(&unprocessed);
    goto done;
nomem:
    rc = ops_nomem(err);
done:
    for (ti = 0; ti < ntables; ti++) {
        for (int i = 0; i < gt[ti].nkeys; i++) strbuf_free(&gt[ti].keys[i]);
        free(gt[ti].keys);
        expr_projection_free(gt[ti].proj);
    }
    free(gt);
    return rc;
}
