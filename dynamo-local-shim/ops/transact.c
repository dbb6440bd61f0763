/* TransactWriteItems and TransactGetItems: every action checked first, then
 * every condition against the current items, then all writes in one SQLite
 * transaction, or none. */
#include "ops.h"

#include "../attr.h"
#include "../valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define TX_MAX_ACTIONS 100
#define TX_TOKEN_MAX 36
#define TX_TOKEN_SECONDS 600

typedef enum tx_kind { TX_CHECK, TX_PUT, TX_DELETE, TX_UPDATE, TX_GET } tx_kind_t;

static const char *const kind_members[] = {"ConditionCheck", "Put", "Delete", "Update", "Get"};
static const char *const kind_paths[] = {"conditionCheck", "put", "delete", "update", "get"};

typedef struct tx_action {
    tx_kind_t kind;
    const cJSON *spec;
    table_t *t;
    strbuf_t key;
    expr_refs_t refs;
    expr_t *cond, *upd;
    expr_projection_t *proj;
    strbuf_t old; /* the current item */
    int had_old;
    strbuf_t next; /* the item to write (Put, Update) */
    size_t size;
} tx_action_t;

static void action_init(tx_action_t *a)
{
    memset(a, 0, sizeof *a);
    strbuf_init(&a->key, 8192);
    strbuf_init(&a->old, SIZE_MAX / 2);
    strbuf_init(&a->next, ATTR_MAX_CANON);
}

static void action_free(tx_action_t *a)
{
    strbuf_free(&a->key);
    strbuf_free(&a->old);
    strbuf_free(&a->next);
    expr_free(a->cond);
    expr_free(a->upd);
    expr_projection_free(a->proj);
}

/* The TransactItems list, with its length limits. */
static ddb_code_t read_items(const cJSON *req, const cJSON **items, ddb_error_t *err)
{
    ddb_code_t rc = valid_array(req, "TransactItems", items, err);
    if (rc) return rc;
    if (!*items)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Value null at 'transactItems' failed to satisfy constraint: Member must "
                        "not be null");
    int n = cJSON_GetArraySize(*items);
    if (n == 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "1 validation error detected: Value '[]' at 'transactItems' failed to "
                        "satisfy constraint: Member must have length greater than or equal to 1");
    if (n > TX_MAX_ACTIONS) {
        /* Coral quotes the list as Java prints it; the items are named only. */
        char text[1024];
        size_t k = 0;
        text[k++] = '[';
        for (int i = 0; i < n && k + 32 < sizeof text; i++)
            k += (size_t)snprintf(text + k, sizeof text - k, "%sTransactItem", i ? ", " : "");
        snprintf(text + k, sizeof text - k, "]");
        return ddb_fail(err, DDB_E_VALIDATION,
                        "1 validation error detected: Value '%s' at 'transactItems' failed to "
                        "satisfy constraint: Member must have length less than or equal to 100",
                        text);
    }
    return DDB_OK;
}

/* Reads one action: which operation, and everything that can be checked
 * before touching an item. */
static ddb_code_t prepare(shim_t *s, const cJSON *entry, int index, int get, tx_action_t *a,
                          ddb_error_t *err)
{
    ddb_code_t rc;
    int found = 0;
    for (int k = get ? TX_GET : TX_CHECK; k <= (get ? TX_GET : TX_UPDATE); k++) {
        const cJSON *m;
        if ((rc = valid_object(entry, kind_members[k], &m, err))) return rc;
        if (!m) continue;
        if (found++)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "TransactItems can only contain one of Check, Put, Update or Delete");
        a->kind = (tx_kind_t)k;
        a->spec = m;
    }
    if (!found) {
        if (get)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "Value null at 'transactItems.%d.member.get' failed to satisfy "
                            "constraint: Member must not be null",
                            index + 1);
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Invalid Request: TransactWriteRequest should contain Delete or Put or "
                        "Update request");
    }
    const cJSON *spec = a->spec;
    const char *cond_text = NULL, *upd_text = NULL;
    if ((rc = ops_refs(spec, &a->refs, err)) ||
        (rc = valid_string(spec, "ConditionExpression", &cond_text, err)) ||
        (rc = valid_string(spec, "UpdateExpression", &upd_text, err)))
        return rc;
    if (a->kind == TX_CHECK && !cond_text)
        return ddb_fail(
            err, DDB_E_VALIDATION,
            "Value null at 'transactItems.%d.member.conditionCheck.conditionExpression' "
            "failed to satisfy constraint: Member must not be null",
            index + 1);
    if (a->kind == TX_UPDATE && !upd_text)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Value null at 'transactItems.%d.member.update.updateExpression' failed to "
                        "satisfy constraint: Member must not be null",
                        index + 1);
    if (upd_text && (rc = expr_update_parse(upd_text, &a->refs, &a->upd, err))) return rc;
    if (cond_text && a->kind != TX_GET &&
        (rc = expr_condition_parse(cond_text, "ConditionExpression", &a->refs, &a->cond, err)))
        return rc;
    if (a->kind == TX_GET) {
        if ((rc = ops_projection(spec, &a->refs, &a->proj, err))) return rc;
        a->refs.values = NULL; /* a Get reads no values */
    }
    if ((rc = expr_refs_check_unused(&a->refs, err))) return rc;

    const char *name;
    const cJSON *obj;
    int is_put = a->kind == TX_PUT;
    if ((rc = valid_string(spec, "TableName", &name, err)) ||
        (rc = valid_object(spec, is_put ? "Item" : "Key", &obj, err)))
        return rc;
    valid_list_t vl = {0};
    char path[128];
    snprintf(path, sizeof path, "transactItems.%d.member.%s.tableName", index + 1,
             kind_paths[a->kind]);
    valid_table_name(&vl, name, path);
    snprintf(path, sizeof path, "transactItems.%d.member.%s.%s", index + 1, kind_paths[a->kind],
             is_put ? "item" : "key");
    if (!obj) valid_add(&vl, NULL, path, "Member must not be null");
    if ((rc = valid_result(&vl, err))) return rc;
    if ((rc = attr_canon_item(obj, &a->next, &a->size, err))) return rc;
    if (!(a->t = shim_table(s, name)))
        return ddb_fail(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
    if ((rc = table_key(a->t, obj, is_put ? TABLE_KEY_ITEM : TABLE_KEY_KEY, &a->key, err)))
        return rc;
    if (is_put && a->size > ATTR_MAX_ITEM_SIZE)
        return ddb_fail(err, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
    if (is_put && (rc = ops_check_indexes(a->t, obj, err))) return rc;
    for (int i = 0; a->upd && i < expr_update_npaths(a->upd); i++) {
        const char *attr = expr_update_path(a->upd, i)->steps[0].name;
        if (!strcmp(attr, a->t->hash) || (a->t->range && !strcmp(attr, a->t->range)))
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Cannot update attribute "
                            "%s. This attribute is part of the key",
                            attr);
    }
    return DDB_OK;
}

static ddb_code_t prepare_all(shim_t *s, const cJSON *items, int get, tx_action_t *acts, int *n,
                              ddb_error_t *err)
{
    const cJSON *entry;
    ddb_code_t rc;
    cJSON_ArrayForEach(entry, items)
    {
        tx_action_t *a = &acts[*n];
        action_init(a);
        (*n)++;
        if (!cJSON_IsObject(entry)) return valid_wrong_type(entry, "Map", err);
        if ((rc = prepare(s, entry, *n - 1, get, a, err))) return rc;
        for (int j = 0; j < *n - 1; j++)
            if (acts[j].t == a->t && acts[j].key.len == a->key.len &&
                memcmp(acts[j].key.data, a->key.data, a->key.len) == 0)
                return ddb_fail(err, DDB_E_VALIDATION,
                                "Transaction request cannot include multiple operations on one "
                                "item");
    }
    return DDB_OK;
}

/* Appends ,"ConsumedCapacity":[...] per table when asked. Transactions cost
 * twice the units of the same reads and writes. */
static ddb_code_t consumed(const cJSON *req, tx_action_t *acts, int n, int get, strbuf_t *out,
                           ddb_error_t *err)
{
    const char *mode = NULL;
    ddb_code_t rc = valid_string(req, "ReturnConsumedCapacity", &mode, err);
    if (rc || !mode || strcmp(mode, "NONE") == 0) return rc;
    if (strbuf_adds(out, get ? ",\"ConsumedCapacity\":[" : "\"ConsumedCapacity\":["))
        return ops_nomem(err);
    int first = 1;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++) seen |= acts[j].t == acts[i].t;
        if (seen) continue;
        double units = 0;
        for (int j = i; j < n; j++) {
            if (acts[j].t != acts[i].t) continue;
            size_t size =
                acts[j].kind == TX_GET || acts[j].kind == TX_CHECK ? acts[j].old.len : acts[j].size;
            units +=
                2 * (acts[j].kind == TX_GET || acts[j].kind == TX_CHECK ? ops_read_units(size, 1)
                                                                        : ops_write_units(size));
        }
        if ((rc = ops_consumed(req, acts[i].t, units, out, first ? "" : ",", err))) return rc;
        first = 0;
    }
    return strbuf_addc(out, ']') ? ops_nomem(err) : DDB_OK;
}

/* The request without its token, summed, to tell a retry from a reuse. */
static void request_fingerprint(const cJSON *req, unsigned long *crc, size_t *len)
{
    cJSON *copy = cJSON_Duplicate(req, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "ClientRequestToken");
    char *text = copy ? cJSON_PrintUnformatted(copy) : NULL;
    *len = text ? strlen(text) : 0;
    *crc = text ? crc32(0L, (const Bytef *)text, (uInt)*len) : 0;
    free(text);
    cJSON_Delete(copy);
}

static long long now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

/* Evaluates every action against the current items. Returns DDB_OK when all
 * pass, else the TransactionCanceledException with one reason per action. */
static ddb_code_t evaluate(shim_t *s, const cJSON *req, tx_action_t *acts, int n, ddb_error_t *err)
{
    strbuf_t reasons, codes;
    strbuf_init(&reasons, SIZE_MAX / 2);
    strbuf_init(&codes, 1 << 16);
    int failed = 0;
    ddb_code_t rc = DDB_OK;
    strbuf_adds(&reasons, "\"CancellationReasons\":[");
    for (int i = 0; i < n; i++) {
        tx_action_t *a = &acts[i];
        if (store_item_get(s->store, a->t->id, a->key.data, a->key.len, &a->old, &a->had_old)) {
            rc = ops_store_error(s, err);
            goto done;
        }
        const char *code = "None";
        char message[1100] = "";
        const char *old = a->had_old ? a->old.data : NULL;
        ddb_error_t sub = {0};
        if (a->cond && ops_check_condition(a->spec, a->cond, old, a->old.len, &sub)) {
            code = "ConditionalCheckFailed";
            snprintf(message, sizeof message, "The conditional request failed");
        } else if (a->kind == TX_UPDATE) {
            cJSON *item =
                old ? cJSON_ParseWithLength(old, a->old.len)
                    : cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(a->spec, "Key"), 1);
            size_t size = 0;
            strbuf_reset(&a->next);
            if (!item) {
                rc = ops_nomem(err);
                goto done;
            }
            if (expr_update_apply(a->upd, item, &sub) ||
                attr_canon_item(item, &a->next, &size, &sub) ||
                ops_check_indexes(a->t, item, &sub)) {
                code = "ValidationError";
                snprintf(message, sizeof message, "%.1000s", sub.msg);
            } else if (size > ATTR_MAX_ITEM_SIZE) {
                code = "ValidationError";
                snprintf(message, sizeof message,
                         "Item size to update has exceeded the maximum allowed size");
            }
            a->size = size;
            cJSON_Delete(item);
        }
        failed |= strcmp(code, "None") != 0;
        if (i) strbuf_addc(&reasons, ',');
        strbuf_addc(&reasons, '{');
        if (sub.extra) {
            strbuf_adds(&reasons, sub.extra);
            strbuf_addc(&reasons, ',');
        }
        strbuf_addf(&reasons, "\"Code\":\"%s\"", code);
        if (message[0]) {
            strbuf_adds(&reasons, ",\"Message\":");
            strbuf_add_json_str(&reasons, message, strlen(message));
        }
        strbuf_addc(&reasons, '}');
        strbuf_addf(&codes, "%s%s", i ? ", " : "", code);
        free(sub.extra);
    }
    strbuf_addc(&reasons, ']');
    if (!reasons.data || !codes.data) {
        rc = ops_nomem(err);
        goto done;
    }
    if (failed) {
        ddb_fail(err, DDB_E_TRANSACTION_CANCELED,
                 "Transaction cancelled, please refer cancellation reasons for specific reasons "
                 "[%s]",
                 codes.data);
        err->extra = strbuf_take(&reasons, NULL);
        rc = DDB_E_TRANSACTION_CANCELED;
    }
done:
    strbuf_free(&reasons);
    strbuf_free(&codes);
    return rc;
}

static ddb_code_t apply(shim_t *s, tx_action_t *acts, int n, ddb_error_t *err)
{
    if (store_begin(s->store)) return ops_store_error(s, err);
    for (int i = 0; i < n; i++) {
        tx_action_t *a = &acts[i];
        ddb_code_t rc = DDB_OK;
        if (a->kind == TX_PUT || a->kind == TX_UPDATE)
            rc = ops_store_put(s, a->t, &a->key, a->next.data, a->next.len, a->size, NULL, err);
        else if (a->kind == TX_DELETE)
            rc = ops_store_delete(s, a->t, &a->key, NULL, NULL, err);
        if (rc) {
            store_rollback(s->store);
            return rc;
        }
    }
    if (store_commit(s->store)) {
        store_rollback(s->store);
        return ops_store_error(s, err);
    }
    return DDB_OK;
}

ddb_code_t op_transact_write_items(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    const cJSON *items;
    const char *token;
    tx_action_t *acts = NULL;
    int n = 0;
    ddb_code_t rc;
    if ((rc = read_items(req, &items, err)) ||
        (rc = valid_string(req, "ClientRequestToken", &token, err)))
        return rc;
    if (token && (strlen(token) > TX_TOKEN_MAX || !token[0]))
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Value %.255s at 'clientRequestToken' failed to satisfy constraint: "
                        "Member must have length %s",
                        token,
                        token[0] ? "less than or equal to 36" : "greater than or equal to 1");

    /* A retry within 10 minutes answers as the first call did, applying
     * nothing; the same token on another request is refused. */
    shim_token_t *slot = NULL;
    unsigned long crc = 0;
    size_t len = 0;
    if (token) {
        long long now = now_seconds();
        request_fingerprint(req, &crc, &len);
        shim_token_t *oldest = &s->tokens[0];
        for (int i = 0; i < SHIM_TOKENS; i++) {
            shim_token_t *t = &s->tokens[i];
            if (t->response && now - t->at > TX_TOKEN_SECONDS) {
                free(t->response);
                t->response = NULL;
            }
            if (t->response && strcmp(t->token, token) == 0) {
                if (t->request_crc != crc || t->request_len != len)
                    return ddb_fail(err, DDB_E_IDEMPOTENT_MISMATCH,
                                    "Request parameters for the transaction do not match the "
                                    "earlier request with the same ClientRequestToken");
                return strbuf_adds(out, t->response) ? ops_nomem(err) : DDB_OK;
            }
            if (!t->response)
                oldest = t;
            else if (oldest->response && t->at < oldest->at)
                oldest = t;
        }
        slot = oldest;
    }

    /* Actions hold names and values tables of their own: on the heap. */
    if (!(acts = calloc(TX_MAX_ACTIONS, sizeof *acts))) return ops_nomem(err);
    if ((rc = prepare_all(s, items, 0, acts, &n, err)) || (rc = evaluate(s, req, acts, n, err)) ||
        (rc = apply(s, acts, n, err)))
        goto done;
    if (strbuf_addc(out, '{') || (rc = consumed(req, acts, n, 0, out, err)) ||
        strbuf_addc(out, '}')) {
        if (!rc) rc = ops_nomem(err);
        goto done;
    }
    if (slot) {
        free(slot->response);
        slot->response = strdup(out->data);
        snprintf(slot->token, sizeof slot->token, "%s", token);
        slot->request_crc = crc;
        slot->request_len = len;
        slot->at = now_seconds();
    }
done:
    for (int i = 0; i < n; i++) action_free(&acts[i]);
    free(acts);
    return rc;
}

ddb_code_t op_transact_get_items(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    const cJSON *items;
    tx_action_t *acts = calloc(TX_MAX_ACTIONS, sizeof *acts);
    int n = 0;
    ddb_code_t rc;
    if (!acts) return ops_nomem(err);
    if ((rc = read_items(req, &items, err)) || (rc = prepare_all(s, items, 1, acts, &n, err)))
        goto done;
    if (strbuf_adds(out, "{\"Responses\":[")) goto nomem;
    for (int i = 0; i < n; i++) {
        tx_action_t *a = &acts[i];
        if (store_item_get(s->store, a->t->id, a->key.data, a->key.len, &a->old, &a->had_old)) {
            rc = ops_store_error(s, err);
            goto done;
        }
        if ((i && strbuf_addc(out, ',')) || strbuf_addc(out, '{')) goto nomem;
        if (a->had_old) {
            if (strbuf_adds(out, "\"Item\":")) goto nomem;
            if ((rc = ops_emit_item(a->proj, a->old.data, a->old.len, out, err))) goto done;
        }
        if (strbuf_addc(out, '}')) goto nomem;
    }
    if (strbuf_addc(out, ']') || (rc = consumed(req, acts, n, 1, out, err)) ||
        strbuf_addc(out, '}')) {
        if (!rc) rc = ops_nomem(err);
        goto done;
    }
    rc = DDB_OK;
    goto done;
nomem:
    rc = ops_nomem(err);
done:
    for (int i = 0; i < n; i++) action_free(&acts[i]);
    free(acts);
    return rc;
}
