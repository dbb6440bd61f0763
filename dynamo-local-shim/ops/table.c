/* CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable,
 * UpdateTimeToLive, DescribeTimeToLive. */
#include "ops.h"

#include "../valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static ddb_code_t describe_into(shim_t *s, const table_t *t, const char *status, strbuf_t *out,
                                ddb_error_t *err)
{
    long long counts[TINDEX_MAX_GLOBAL + TINDEX_MAX_LOCAL + 1] = {0};
    long long sizes[TINDEX_MAX_GLOBAL + TINDEX_MAX_LOCAL + 1] = {0};
    table_stats_t st = {0, 0, counts, sizes};
    if (strcmp(status, "CREATING") != 0) {
        if (store_table_stats(s->store, t->id, &st.count, &st.bytes))
            return ops_store_error(s, err);
        for (int i = 0; i < t->nindexes; i++)
            if (store_index_stats(s->store, t->id, t->indexes[i].name, &counts[i], &sizes[i]))
                return ops_store_error(s, err);
    }
    return table_describe(t, status, &st, out) ? ops_nomem(err) : DDB_OK;
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
    if (strbuf_adds(out, "{\"TableDescription\":")) return ops_nomem(err);
    if ((rc = describe_into(s, t, "CREATING", out, err))) return rc;
    return strbuf_addc(out, '}') ? ops_nomem(err) : DDB_OK;
fail:
    table_free(t);
    return rc;
}

/* The table a DescribeTable or DeleteTable names; these two say which table
 * is missing. */
static ddb_code_t named_table(shim_t *s, const cJSON *req, table_t **t, ddb_error_t *err)
{
    ddb_code_t rc = ops_table(s, req, t, err);
    if (rc == DDB_E_RESOURCE_NOT_FOUND)
        return ddb_fail(err, rc, "Requested resource not found: Table: %s not found",
                        cJSON_GetObjectItemCaseSensitive(req, "TableName")->valuestring);
    return rc;
}

ddb_code_t op_describe_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    table_t *t;
    ddb_code_t rc = named_table(s, req, &t, err);
    if (rc) return rc;
    if (strbuf_adds(out, "{\"Table\":")) return ops_nomem(err);
    if ((rc = describe_into(s, t, "ACTIVE", out, err))) return rc;
    return strbuf_addc(out, '}') ? ops_nomem(err) : DDB_OK;
}

ddb_code_t op_delete_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    table_t *t;
    ddb_code_t rc = named_table(s, req, &t, err);
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

/* Writes the table's description back to the catalog. */
static ddb_code_t save_desc(shim_t *s, const table_t *t, ddb_error_t *err)
{
    char *desc = cJSON_PrintUnformatted(t->desc);
    if (!desc) return ops_nomem(err);
    store_err_t se = store_table_update(s->store, t->id, desc);
    free(desc);
    return se ? ops_store_error(s, err) : DDB_OK;
}

/* Merges UpdateTable's AttributeDefinitions into the table's. */
static ddb_code_t merge_definitions(table_t *t, const cJSON *defs, ddb_error_t *err)
{
    cJSON *have = cJSON_GetObjectItemCaseSensitive(t->desc, "AttributeDefinitions");
    const cJSON *d;
    cJSON_ArrayForEach(d, defs)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(d, "AttributeType");
        if (!cJSON_IsString(n) || !cJSON_IsString(ty))
            return ddb_fail(err, DDB_E_VALIDATION,
                            "1 validation error detected: Value null at "
                            "'attributeDefinitions.member.attributeName' failed to satisfy "
                            "constraint: Member must not be null");
        const cJSON *e;
        int found = 0;
        cJSON_ArrayForEach(e, have)
        {
            const cJSON *en = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
            found |= cJSON_IsString(en) && strcmp(en->valuestring, n->valuestring) == 0;
        }
        if (!found) cJSON_AddItemToArray(have, cJSON_Duplicate(d, 1));
    }
    return DDB_OK;
}

/* Indexes every item of the table in a new index. */
static ddb_code_t backfill(shim_t *s, table_t *t, const tindex_t *ix, ddb_error_t *err)
{
    strbuf_t key;
    strbuf_init(&key, 1 << 16);
    ddb_code_t rc = DDB_OK;
    if (store_range_open(s->store, t->id, "", 0, NULL, 0, 0)) return ops_store_error(s, err);
    for (;;) {
        const void *k;
        const char *item;
        size_t kn, ilen, size;
        int done;
        if (store_range_next(s->store, &k, &kn, &item, &ilen, &size, &done)) {
            rc = ops_store_error(s, err);
            break;
        }
        if (done) break;
        cJSON *parsed = cJSON_ParseWithLength(item, ilen);
        if (!parsed) {
            rc = ops_nomem(err);
            break;
        }
        strbuf_reset(&key);
        /* Items whose index key has another type are left out, as DynamoDB
         * leaves them out of a new index. */
        if (tindex_check_item(ix, parsed, NULL) == DDB_OK && tindex_key(ix, parsed, &key) &&
            strbuf_add(&key, k, kn) == STRBUF_OK &&
            store_index_put(s->store, t->id, ix->name, key.data, key.len, k, kn, size))
            rc = ops_store_error(s, err);
        cJSON_Delete(parsed);
        if (rc) break;
    }
    store_range_close(s->store);
    strbuf_free(&key);
    return rc;
}

ddb_code_t op_update_table(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    const cJSON *defs, *updates, *pt;
    const char *billing;
    table_t *t;
    ddb_code_t rc;
    if ((rc = valid_array(req, "AttributeDefinitions", &defs, err)) ||
        (rc = valid_array(req, "GlobalSecondaryIndexUpdates", &updates, err)) ||
        (rc = valid_string(req, "BillingMode", &billing, err)) ||
        (rc = valid_object(req, "ProvisionedThroughput", &pt, err)) ||
        (rc = ops_table(s, req, &t, err)))
        return rc;
    if (billing && strcmp(billing, "PROVISIONED") && strcmp(billing, "PAY_PER_REQUEST")) {
        valid_list_t vl = {0};
        valid_add(&vl, billing, "billingMode",
                  "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
        return valid_result(&vl, err);
    }
    /* Check every change before making any. */
    const cJSON *u;
    cJSON *all_defs =
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t->desc, "AttributeDefinitions"), 1);
    if (!all_defs) return ops_nomem(err);
    cJSON_ArrayForEach(u, defs)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(u, "AttributeName");
        int found = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, all_defs)
        {
            const cJSON *en = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
            found |=
                cJSON_IsString(n) && cJSON_IsString(en) && !strcmp(en->valuestring, n->valuestring);
        }
        if (!found) cJSON_AddItemToArray(all_defs, cJSON_Duplicate(u, 1));
    }
    int provisioned = !cJSON_GetObjectItemCaseSensitive(t->desc, "BillingModeSummary");
    tindex_t created[TINDEX_MAX_GLOBAL];
    int ncreated = 0, pos = 0;
    cJSON_ArrayForEach(u, updates)
    {
        const cJSON *create = cJSON_GetObjectItemCaseSensitive(u, "Create");
        const cJSON *del = cJSON_GetObjectItemCaseSensitive(u, "Delete");
        pos++;
        if (create) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(create, "IndexName");
            if (cJSON_IsString(name) && table_index(t, name->valuestring)) {
                rc = ddb_fail(err, DDB_E_VALIDATION,
                              "Attempting to create an index which already exists");
                goto fail;
            }
            if (ncreated + t->nindexes >= TINDEX_MAX_GLOBAL + TINDEX_MAX_LOCAL) {
                rc = ddb_fail(err, DDB_E_LIMIT_EXCEEDED,
                              "Subscriber limit exceeded: Only 20 global secondary indexes can be "
                              "created per table");
                goto fail;
            }
            rc = tindex_parse(create, 1, pos, all_defs, table_key_names(t), provisioned,
                              &created[ncreated], err);
            if (rc == DDB_E_VALIDATION &&
                strstr(err->msg, "is not defined in AttributeDefinitions"))
                ddb_fail(err, DDB_E_VALIDATION, "No Attribute Schema Defined");
            if (rc) goto fail;
            ncreated++;
        } else if (del) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(del, "IndexName");
            tindex_t *ix = cJSON_IsString(name) ? table_index(t, name->valuestring) : NULL;
            if (!ix || !ix->global) {
                rc = ddb_fail(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
                goto fail;
            }
        }
    }

    /* Apply: definitions, billing, new indexes (filled from the items now),
     * then the answer, then deleted indexes go. */
    if ((rc = merge_definitions(t, defs, err))) goto fail;
    if (billing && !strcmp(billing, "PAY_PER_REQUEST") &&
        !cJSON_GetObjectItemCaseSensitive(t->desc, "BillingModeSummary")) {
        cJSON *bm = cJSON_AddObjectToObject(t->desc, "BillingModeSummary");
        cJSON_AddStringToObject(bm, "BillingMode", "PAY_PER_REQUEST");
        cJSON_AddNumberToObject(bm, "LastUpdateToPayPerRequestDateTime", (double)time(NULL));
    } else if (billing && !strcmp(billing, "PROVISIONED")) {
        cJSON_DeleteItemFromObjectCaseSensitive(t->desc, "BillingModeSummary");
    }
    cJSON *tpt = cJSON_GetObjectItemCaseSensitive(t->desc, "ProvisionedThroughput");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(pt, "ReadCapacityUnits");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(pt, "WriteCapacityUnits");
    if (tpt && cJSON_IsNumber(r))
        cJSON_ReplaceItemInObject(tpt, "ReadCapacityUnits", cJSON_CreateNumber(r->valuedouble));
    if (tpt && cJSON_IsNumber(w))
        cJSON_ReplaceItemInObject(tpt, "WriteCapacityUnits", cJSON_CreateNumber(w->valuedouble));
    int c = 0;
    cJSON_ArrayForEach(u, updates)
    {
        const cJSON *create = cJSON_GetObjectItemCaseSensitive(u, "Create");
        if (!create) continue;
        tindex_t *ix = &created[c++];
        ix->creating = 1;
        if (table_add_index(t, ix, create)) {
            rc = ops_nomem(err);
            goto fail_applied;
        }
        if ((rc = backfill(s, t, &t->indexes[t->nindexes - 1], err))) goto fail_applied;
    }
    ncreated = 0;
    cJSON_ArrayForEach(u, updates)
    {
        const cJSON *del = cJSON_GetObjectItemCaseSensitive(u, "Delete");
        if (!del) continue;
        table_index(t, cJSON_GetObjectItemCaseSensitive(del, "IndexName")->valuestring)->deleting =
            1;
    }
    if (strbuf_adds(out, "{\"TableDescription\":")) goto nomem;
    if ((rc = describe_into(s, t, "UPDATING", out, err))) goto fail_applied;
    if (strbuf_addc(out, '}')) goto nomem;
    for (int i = 0; i < t->nindexes; i++) t->indexes[i].creating = 0;
    cJSON_ArrayForEach(u, updates)
    {
        const cJSON *del = cJSON_GetObjectItemCaseSensitive(u, "Delete");
        if (!del) continue;
        const char *name = cJSON_GetObjectItemCaseSensitive(del, "IndexName")->valuestring;
        if (store_index_drop(s->store, t->id, name)) {
            rc = ops_store_error(s, err);
            goto fail_applied;
        }
        table_remove_index(t, name);
    }
    rc = save_desc(s, t, err);
    cJSON_Delete(all_defs);
    return rc;
nomem:
    rc = ops_nomem(err);
fail_applied:
    save_desc(s, t, err);
fail:
    for (int i = 0; i < ncreated; i++) tindex_clear(&created[i]);
    cJSON_Delete(all_defs);
    return rc;
}

ddb_code_t op_update_time_to_live(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    const cJSON *spec;
    table_t *t;
    ddb_code_t rc;
    if ((rc = valid_object(req, "TimeToLiveSpecification", &spec, err))) return rc;
    if (!spec) return ddb_fail(err, DDB_E_VALIDATION, "TimeToLiveSpecification cannot be null");
    const char *attr;
    int enabled;
    if ((rc = valid_string(spec, "AttributeName", &attr, err)) ||
        (rc = valid_bool(spec, "Enabled", &enabled, 0, err)))
        return rc;
    if (!attr || !attr[0] || strlen(attr) > 255)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Names of key attributes and attributes projected into an index must be "
                        "between 1 and 255 characters, inclusive");
    if ((rc = ops_table(s, req, &t, err))) return rc;
    if (enabled && t->ttl_attr)
        return ddb_fail(err, DDB_E_VALIDATION,
                        strcmp(t->ttl_attr, attr) ? "TimeToLive is active on a different "
                                                    "AttributeName"
                                                  : "TimeToLive is already enabled");
    if (!enabled && !t->ttl_attr)
        return ddb_fail(err, DDB_E_VALIDATION, "TimeToLive is already disabled");
    if (table_set_ttl(t, enabled ? attr : NULL)) return ops_nomem(err);
    if ((rc = save_desc(s, t, err))) return rc;
    if (strbuf_adds(out, "{\"TimeToLiveSpecification\":{\"Enabled\":") ||
        strbuf_adds(out, enabled ? "true" : "false") || strbuf_adds(out, ",\"AttributeName\":") ||
        strbuf_add_json_str(out, attr, strlen(attr)) || strbuf_adds(out, "}}"))
        return ops_nomem(err);
    return DDB_OK;
}

ddb_code_t op_describe_time_to_live(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    table_t *t;
    ddb_code_t rc = ops_table(s, req, &t, err);
    if (rc) return rc;
    strbuf_err_t e;
    if (t->ttl_attr) {
        e = strbuf_adds(out, "{\"TimeToLiveDescription\":{\"TimeToLiveStatus\":\"ENABLED\","
                             "\"AttributeName\":");
        if (!e) e = strbuf_add_json_str(out, t->ttl_attr, strlen(t->ttl_attr));
        if (!e) e = strbuf_adds(out, "}}");
    } else {
        e = strbuf_adds(out, "{\"TimeToLiveDescription\":{\"TimeToLiveStatus\":\"DISABLED\"}}");
    }
    return e ? ops_nomem(err) : DDB_OK;
}
