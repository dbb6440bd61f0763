#include "table.h"

#include "attr.h"
#include "keycodec.h"
#include "number.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* Where the TTL attribute is kept in the stored description; DescribeTable
 * does not show it. */
#define TTL_MEMBER "_TimeToLiveAttribute"

void table_free(table_t *t)
{
    if (!t) return;
    free(t->name);
    free(t->hash);
    free(t->range);
    for (int i = 0; i < t->nindexes; i++) tindex_clear(&t->indexes[i]);
    free(t->indexes);
    free(t->ttl_attr);
    cJSON_Delete(t->desc);
    free(t);
}

/* Fills the key fields from a KeySchema / AttributeDefinitions pair already
 * checked. */
static int fill_keys(table_t *t, const cJSON *ks, const cJSON *defs)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, ks)
    {
        const char *name = cJSON_GetObjectItemCaseSensitive(e, "AttributeName")->valuestring;
        const char *kt = cJSON_GetObjectItemCaseSensitive(e, "KeyType")->valuestring;
        const char *ty = tindex_attribute_type(defs, name);
        if (!ty) return -1;
        if (strcmp(kt, "HASH") == 0) {
            t->hash = strdup(name);
            t->htype = ty[0];
        } else {
            t->range = strdup(name);
            t->rtype = ty[0];
        }
    }
    return t->hash && (!t->rtype || t->range) ? 0 : -1;
}

static void list_names(const cJSON *arr, const char *member, char *buf, size_t cap)
{
    size_t k = 0;
    buf[k++] = '[';
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, member);
        int w = snprintf(buf + k, cap - k, "%s%s", e == arr->child ? "" : ", ",
                         cJSON_IsString(n) ? n->valuestring : "null");
        if (w < 0 || (size_t)w >= cap - k - 2) break;
        k += (size_t)w;
    }
    buf[k++] = ']';
    buf[k] = '\0';
}

/* The distinct attributes of the table's and its indexes' key schemas. */
static int count_key_attributes(const table_t *t)
{
    const char *names[2 + 2 * (TINDEX_MAX_GLOBAL + TINDEX_MAX_LOCAL)];
    int n = 0;
    const char *all[2 + 2 * (TINDEX_MAX_GLOBAL + TINDEX_MAX_LOCAL)];
    int m = 0;
    all[m++] = t->hash;
    if (t->range) all[m++] = t->range;
    for (int i = 0; i < t->nindexes; i++) {
        all[m++] = t->indexes[i].hash;
        if (t->indexes[i].range) all[m++] = t->indexes[i].range;
    }
    for (int i = 0; i < m; i++) {
        int seen = 0;
        for (int j = 0; j < n; j++) seen |= strcmp(names[j], all[i]) == 0;
        if (!seen) names[n++] = all[i];
    }
    return n;
}

/* GlobalSecondaryIndexes and LocalSecondaryIndexes of a CreateTable. */
static ddb_code_t read_indexes(const cJSON *req, const cJSON *defs, table_t *t, int provisioned,
                               ddb_error_t *err)
{
    tindex_table_key_t tk = {t->hash, t->range};
    ddb_code_t rc;
    for (int g = 1; g >= 0; g--) {
        const cJSON *list;
        if ((rc = valid_array(req, g ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes", &list,
                              err)))
            return rc;
        if (!list) continue;
        if ((rc = tindex_check_list(list, g, t->indexes, t->nindexes, err))) return rc;
        int pos = 0;
        const cJSON *spec;
        cJSON_ArrayForEach(spec, list)
        {
            tindex_t ix;
            if ((rc = tindex_parse(spec, g, ++pos, defs, tk, provisioned, &ix, err))) return rc;
            if (table_add_index(t, &ix, NULL)) {
                tindex_clear(&ix);
                return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
            }
        }
    }
    return DDB_OK;
}

ddb_code_t table_from_request(const cJSON *req, const char *region, table_t **out, ddb_error_t *err)
{
    const char *name, *billing;
    const cJSON *ks, *defs, *pt;
    ddb_code_t rc;
    if ((rc = valid_string(req, "TableName", &name, err)) ||
        (rc = valid_array(req, "KeySchema", &ks, err)) ||
        (rc = valid_array(req, "AttributeDefinitions", &defs, err)) ||
        (rc = valid_string(req, "BillingMode", &billing, err)) ||
        (rc = valid_object(req, "ProvisionedThroughput", &pt, err)))
        return rc;

    valid_list_t vl = {0};
    char path[96];
    int i = 0;
    const cJSON *e;
    if (defs) {
        cJSON_ArrayForEach(e, defs)
        {
            i++;
            const char *an, *at;
            if ((rc = valid_string(e, "AttributeName", &an, err)) ||
                (rc = valid_string(e, "AttributeType", &at, err)))
                return rc;
            snprintf(path, sizeof path, "attributeDefinitions.%d.member.attributeType", i);
            if (!at)
                valid_add(&vl, NULL, path, "Member must not be null");
            else if (strcmp(at, "S") && strcmp(at, "N") && strcmp(at, "B"))
                valid_add(&vl, at, path, "Member must satisfy enum value set: [B, N, S]");
            snprintf(path, sizeof path, "attributeDefinitions.%d.member.attributeName", i);
            if (!an)
                valid_add(&vl, NULL, path, "Member must not be null");
            else if (!*an)
                valid_add(&vl, an, path, "Member must have length greater than or equal to 1");
        }
    }
    if (!name) /* CreateTable words a missing name its own way */
        valid_add_raw(&vl, "The parameter 'TableName' is required but was not present in the "
                           "request");
    valid_table_name(&vl, name, "tableName");
    if (ks) {
        i = 0;
        cJSON_ArrayForEach(e, ks)
        {
            i++;
            const char *an, *kt;
            if ((rc = valid_string(e, "AttributeName", &an, err)) ||
                (rc = valid_string(e, "KeyType", &kt, err)))
                return rc;
            snprintf(path, sizeof path, "keySchema.%d.member.keyType", i);
            if (!kt)
                valid_add(&vl, NULL, path, "Member must not be null");
            else if (strcmp(kt, "HASH") && strcmp(kt, "RANGE"))
                valid_add(&vl, kt, path, "Member must satisfy enum value set: [HASH, RANGE]");
            snprintf(path, sizeof path, "keySchema.%d.member.attributeName", i);
            if (!an)
                valid_add(&vl, NULL, path, "Member must not be null");
            else if (!*an)
                valid_add(&vl, an, path, "Member must have length greater than or equal to 1");
        }
        int n = cJSON_GetArraySize(ks);
        if (n > 2) {
            /* Coral quotes the list as Java prints it. */
            char text[1024];
            size_t k = 0;
            text[k++] = '[';
            cJSON_ArrayForEach(e, ks)
            {
                const cJSON *an = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
                const cJSON *kt = cJSON_GetObjectItemCaseSensitive(e, "KeyType");
                int w = snprintf(text + k, sizeof text - k,
                                 "%sKeySchemaElement(attributeName=%.64s, keyType=%.16s)",
                                 e == ks->child ? "" : ", ",
                                 cJSON_IsString(an) ? an->valuestring : "null",
                                 cJSON_IsString(kt) ? kt->valuestring : "null");
                if (w < 0 || (size_t)w >= sizeof text - k - 2) break;
                k += (size_t)w;
            }
            text[k++] = ']';
            text[k] = '\0';
            valid_add(&vl, text, "keySchema", "Member must have length less than or equal to 2");
        }
        if (n < 1)
            valid_add(&vl, "[]", "keySchema", "Member must have length greater than or equal to 1");
    }
    if (!defs) valid_add(&vl, NULL, "attributeDefinitions", "Member must not be null");
    if (billing && strcmp(billing, "PROVISIONED") && strcmp(billing, "PAY_PER_REQUEST"))
        valid_add(&vl, billing, "billingMode",
                  "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
    long long rcu = 0, wcu = 0;
    int has_r = 0, has_w = 0;
    if (pt) {
        if ((rc = valid_int(pt, "ReadCapacityUnits", &rcu, &has_r, err)) ||
            (rc = valid_int(pt, "WriteCapacityUnits", &wcu, &has_w, err)))
            return rc;
        char num[32];
        if (!has_w)
            valid_add(&vl, NULL, "provisionedThroughput.writeCapacityUnits",
                      "Member must not be null");
        else if (wcu < 1) {
            snprintf(num, sizeof num, "%lld", wcu);
            valid_add(&vl, num, "provisionedThroughput.writeCapacityUnits",
                      "Member must have value greater than or equal to 1");
        }
        if (!has_r)
            valid_add(&vl, NULL, "provisionedThroughput.readCapacityUnits",
                      "Member must not be null");
        else if (rcu < 1) {
            snprintf(num, sizeof num, "%lld", rcu);
            valid_add(&vl, num, "provisionedThroughput.readCapacityUnits",
                      "Member must have value greater than or equal to 1");
        }
    }
    if ((rc = valid_result(&vl, err))) return rc;

    /* Semantic checks, in DynamoDB's order. */
    if (!ks)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "No defined key schema.  A key schema containing at least a hash key "
                        "must be defined for all tables");
    const cJSON *first = cJSON_GetArrayItem(ks, 0), *second = cJSON_GetArrayItem(ks, 1);
    if (strcmp(cJSON_GetObjectItemCaseSensitive(first, "KeyType")->valuestring, "HASH") != 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (second &&
        strcmp(cJSON_GetObjectItemCaseSensitive(second, "KeyType")->valuestring, "RANGE") != 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    if (second &&
        strcmp(cJSON_GetObjectItemCaseSensitive(first, "AttributeName")->valuestring,
               cJSON_GetObjectItemCaseSensitive(second, "AttributeName")->valuestring) == 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Invalid KeySchema: Some index key attribute have no definition");
    int is_ppr = billing && strcmp(billing, "PAY_PER_REQUEST") == 0;
    if (is_ppr && pt)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                        "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    if (!is_ppr && !pt)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: ReadCapacityUnits and "
                        "WriteCapacityUnits must both be specified when BillingMode is "
                        "PROVISIONED");
    cJSON_ArrayForEach(e, ks)
    {
        const char *an = cJSON_GetObjectItemCaseSensitive(e, "AttributeName")->valuestring;
        if (!tindex_attribute_type(defs, an)) {
            char keys[256], ads[256];
            list_names(ks, "AttributeName", keys, sizeof keys);
            list_names(defs, "AttributeName", ads, sizeof ads);
            return ddb_fail(
                err, DDB_E_VALIDATION,
                "One or more parameter values were invalid: Some index key attributes "
                "are not defined in AttributeDefinitions. Keys: %s, AttributeDefinitions: %s",
                keys, ads);
        }
    }
    table_t *t = calloc(1, sizeof *t);
    if (!t) goto nomem;
    t->name = strdup(name);
    if (!t->name || fill_keys(t, ks, defs)) goto nomem;
    if ((rc = read_indexes(req, defs, t, !is_ppr, err))) {
        table_free(t);
        return rc;
    }
    if (cJSON_GetArraySize(defs) != count_key_attributes(t)) {
        table_free(t);
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Number of attributes in "
                        "KeySchema does not exactly match number of attributes defined in "
                        "AttributeDefinitions");
    }

    struct timeval tv;
    gettimeofday(&tv, NULL);
    double now = (double)tv.tv_sec + (double)(tv.tv_usec / 1000) / 1000.0;
    char arn[512], tid[40];
    snprintf(arn, sizeof arn, "arn:aws:dynamodb:%s:000000000000:table/%s", region, name);
    unsigned r1 = (unsigned)random(), r2 = (unsigned)random(), r3 = (unsigned)random();
    snprintf(tid, sizeof tid, "%08x-%04x-4%03x-a%03x-%08x%04x", r1, r2 & 0xFFFF, r2 >> 20,
             r3 & 0xFFF, r3 ^ r1, r2 & 0xFFFF);

    cJSON *d = cJSON_CreateObject();
    t->desc = d;
    if (!d) goto nomem;
    cJSON_AddItemToObject(d, "AttributeDefinitions", cJSON_Duplicate(defs, 1));
    cJSON_AddStringToObject(d, "TableName", name);
    cJSON_AddItemToObject(d, "KeySchema", cJSON_Duplicate(ks, 1));
    cJSON_AddNumberToObject(d, "CreationDateTime", now);
    cJSON *ptd = cJSON_AddObjectToObject(d, "ProvisionedThroughput");
    cJSON_AddNumberToObject(ptd, "NumberOfDecreasesToday", 0);
    cJSON_AddNumberToObject(ptd, "ReadCapacityUnits", (double)rcu);
    cJSON_AddNumberToObject(ptd, "WriteCapacityUnits", (double)wcu);
    cJSON_AddStringToObject(d, "TableArn", arn);
    cJSON_AddStringToObject(d, "TableId", tid);
    if (is_ppr) {
        cJSON *bm = cJSON_AddObjectToObject(d, "BillingModeSummary");
        cJSON_AddStringToObject(bm, "BillingMode", "PAY_PER_REQUEST");
        cJSON_AddNumberToObject(bm, "LastUpdateToPayPerRequestDateTime", now);
    }
    cJSON_AddBoolToObject(d, "DeletionProtectionEnabled", 0);
    for (int g = 1; g >= 0; g--) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(req, g ? "GlobalSecondaryIndexes"
                                                                    : "LocalSecondaryIndexes");
        if (!list) continue;
        cJSON *arr =
            cJSON_AddArrayToObject(d, g ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
        const cJSON *spec;
        cJSON_ArrayForEach(spec, list)
        {
            if (arr) cJSON_AddItemToArray(arr, tindex_desc(spec, arn));
        }
    }
    *out = t;
    return DDB_OK;
nomem:
    table_free(t);
    return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
}

table_t *table_from_desc(long long id, const char *desc)
{
    table_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->id = id;
    t->desc = cJSON_Parse(desc);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(t->desc, "TableName");
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(t->desc, "AttributeDefinitions");
    if (!cJSON_IsString(name) || !(t->name = strdup(name->valuestring)) ||
        fill_keys(t, cJSON_GetObjectItemCaseSensitive(t->desc, "KeySchema"), defs))
        goto fail;
    for (int g = 1; g >= 0; g--) {
        const cJSON *spec;
        cJSON_ArrayForEach(spec,
                           cJSON_GetObjectItemCaseSensitive(t->desc, g ? "GlobalSecondaryIndexes"
                                                                       : "LocalSecondaryIndexes"))
        {
            tindex_t ix;
            if (tindex_from_desc(spec, g, defs, &ix)) goto fail;
            if (table_add_index(t, &ix, NULL)) {
                tindex_clear(&ix);
                goto fail;
            }
        }
    }
    const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(t->desc, TTL_MEMBER);
    if (cJSON_IsString(ttl) && !(t->ttl_attr = strdup(ttl->valuestring))) goto fail;
    return t;
fail:
    table_free(t);
    return NULL;
}

tindex_t *table_index(const table_t *t, const char *name)
{
    for (int i = 0; i < t->nindexes; i++)
        if (strcmp(t->indexes[i].name, name) == 0) return &t->indexes[i];
    return NULL;
}

tindex_table_key_t table_key_names(const table_t *t)
{
    tindex_table_key_t tk = {t->hash, t->range};
    return tk;
}

int table_add_index(table_t *t, tindex_t *ix, const cJSON *spec)
{
    tindex_t *p = realloc(t->indexes, sizeof *p * (size_t)(t->nindexes + 1));
    if (!p) return -1;
    t->indexes = p;
    if (spec) {
        const char *list = ix->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(t->desc, list);
        if (!arr) arr = cJSON_AddArrayToObject(t->desc, list);
        const cJSON *arn = cJSON_GetObjectItemCaseSensitive(t->desc, "TableArn");
        cJSON *d = arr ? tindex_desc(spec, cJSON_IsString(arn) ? arn->valuestring : "") : NULL;
        if (!d) return -1;
        cJSON_AddItemToArray(arr, d);
    }
    t->indexes[t->nindexes++] = *ix;
    memset(ix, 0, sizeof *ix);
    return 0;
}

void table_remove_index(table_t *t, const char *name)
{
    for (int i = 0; i < t->nindexes; i++) {
        if (strcmp(t->indexes[i].name, name) != 0) continue;
        const char *list =
            t->indexes[i].global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(t->desc, list);
        int k = 0;
        cJSON *e;
        cJSON_ArrayForEach(e, arr)
        {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "IndexName");
            if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0) break;
            k++;
        }
        if (e) cJSON_DeleteItemFromArray(arr, k);
        if (arr && !arr->child) cJSON_DeleteItemFromObjectCaseSensitive(t->desc, list);
        tindex_clear(&t->indexes[i]);
        memmove(&t->indexes[i], &t->indexes[i + 1],
                sizeof *t->indexes * (size_t)(t->nindexes - i - 1));
        t->nindexes--;
        return;
    }
}

int table_set_ttl(table_t *t, const char *attr)
{
    char *copy = attr ? strdup(attr) : NULL;
    if (attr && !copy) return -1;
    free(t->ttl_attr);
    t->ttl_attr = copy;
    cJSON_DeleteItemFromObjectCaseSensitive(t->desc, TTL_MEMBER);
    if (attr && !cJSON_AddStringToObject(t->desc, TTL_MEMBER, attr)) return -1;
    return 0;
}

strbuf_err_t table_describe(const table_t *t, const char *status, const table_stats_t *stats,
                            strbuf_t *out)
{
    cJSON *d = cJSON_Duplicate(t->desc, 1);
    if (!d) return STRBUF_ERR_NOMEM;
    cJSON_DeleteItemFromObjectCaseSensitive(d, TTL_MEMBER);
    cJSON_AddNumberToObject(d, "ItemCount", (double)stats->count);
    cJSON_AddNumberToObject(d, "TableSizeBytes", (double)stats->bytes);
    cJSON_AddStringToObject(d, "TableStatus", status);
    int creating = strcmp(status, "CREATING") == 0, deleting = strcmp(status, "DELETING") == 0;
    for (int i = 0; i < t->nindexes; i++) {
        const tindex_t *ix = &t->indexes[i];
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(d, ix->global ? "GlobalSecondaryIndexes"
                                                                    : "LocalSecondaryIndexes");
        cJSON *e;
        cJSON_ArrayForEach(e, arr)
        {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "IndexName");
            if (!cJSON_IsString(n) || strcmp(n->valuestring, ix->name) != 0) continue;
            if (!ix->creating) { /* DynamoDB shows no figures while it builds an index */
                cJSON_AddNumberToObject(e, "IndexSizeBytes", (double)stats->index_bytes[i]);
                cJSON_AddNumberToObject(e, "ItemCount", (double)stats->index_count[i]);
            } else {
                cJSON_AddBoolToObject(e, "Backfilling", 0);
            }
            if (ix->global)
                cJSON_AddStringToObject(e, "IndexStatus",
                                        creating || ix->creating   ? "CREATING"
                                        : deleting || ix->deleting ? "DELETING"
                                                                   : "ACTIVE");
        }
    }
    char *text = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    if (!text) return STRBUF_ERR_NOMEM;
    strbuf_err_t e = strbuf_adds(out, text);
    free(text);
    return e;
}

/* The size DynamoDB counts for a key value, for the key size limits. */
static size_t key_value_size(char type, const char *text, size_t raw_len)
{
    if (type == 'N') {
        num_t n;
        return num_parse(text, strlen(text), &n) == NUM_OK ? num_size(&n) : 0;
    }
    return raw_len;
}

static ddb_code_t key_segment(const table_t *t, int range, const cJSON *av, strbuf_t *key,
                              int closed, table_key_mode_t mode, ddb_error_t *err)
{
    const char *name = range ? t->range : t->hash;
    char want = range ? t->rtype : t->htype;
    const char *type = attr_type(av);
    const cJSON *v = av->child;
    char want_s[2] = {want, 0};
    if (!type || strcmp(type, want_s) != 0) {
        if (mode == TABLE_KEY_ITEM)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Type mismatch for key %s "
                            "expected: %s actual: %s",
                            name, want_s, type ? type : "");
        if (mode == TABLE_KEY_START)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "The provided starting key is invalid: The provided key element does "
                            "not match the schema");
        return ddb_fail(err, DDB_E_VALIDATION,
                        "The provided key element does not match the schema");
    }
    size_t n = strlen(v->valuestring);
    if (n == 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values are not valid. The AttributeValue for a key "
                        "attribute cannot contain an empty %s value. Key: %s",
                        want == 'B' ? "binary" : "string", name);
    size_t limit = range ? TABLE_MAX_RANGE_KEY : TABLE_MAX_HASH_KEY;
    if (want != 'N' && (want == 'S' ? n : n / 4 * 3) > limit + 3) goto too_big;
    unsigned char buf[TABLE_MAX_HASH_KEY + 64];
    size_t raw_len;
    ddb_code_t rc = keycodec_raw(want, v->valuestring, buf, &raw_len, err);
    if (rc) return rc;
    if (key_value_size(want, v->valuestring, raw_len) > limit) goto too_big;
    if (raw_len == 0 && want == 'B')
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values are not valid. The AttributeValue for a key "
                        "attribute cannot contain an empty binary value. Key: %s",
                        name);
    if ((closed ? keycodec_segment(key, buf, raw_len) : keycodec_prefix(key, buf, raw_len)))
        return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
    return DDB_OK;
too_big:
    if (range)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Aggregated size of all range "
                        "keys has exceeded the size limit of 1024 bytes");
    return ddb_fail(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Size of hashkey has exceeded the "
                    "maximum size limit of2048 bytes");
}

ddb_code_t table_key_part(const table_t *t, int range, const cJSON *value, strbuf_t *key,
                          int closed, ddb_error_t *err)
{
    return key_segment(t, range, value, key, closed, TABLE_KEY_KEY, err);
}

ddb_code_t table_key(const table_t *t, const cJSON *obj, table_key_mode_t mode, strbuf_t *key,
                     ddb_error_t *err)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(obj, t->hash);
    const cJSON *r = t->range ? cJSON_GetObjectItemCaseSensitive(obj, t->range) : NULL;
    if (mode == TABLE_KEY_BATCH_ITEM) {
        if (!h || (t->range && !r))
            return ddb_fail(err, DDB_E_VALIDATION,
                            "The provided key element does not match the schema");
    } else if (mode == TABLE_KEY_ITEM) {
        if (!h)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Missing the key %s in the "
                            "item",
                            t->hash);
        if (t->range && !r)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Missing the key %s in the "
                            "item",
                            t->range);
    } else {
        int want = t->range ? 2 : 1;
        if (!h || (t->range && !r) || cJSON_GetArraySize(obj) != want) {
            if (mode == TABLE_KEY_START)
                return ddb_fail(err, DDB_E_VALIDATION,
                                "The provided starting key is invalid: The provided key element "
                                "does not match the schema");
            return ddb_fail(err, DDB_E_VALIDATION,
                            "The provided key element does not match the schema");
        }
    }
    ddb_code_t rc = key_segment(t, 0, h, key, 1, mode, err);
    if (!rc && r) rc = key_segment(t, 1, r, key, 1, mode, err);
    return rc;
}

strbuf_err_t table_key_json(const table_t *t, const cJSON *item, strbuf_t *out)
{
    const char *names[2] = {t->hash, t->range};
    strbuf_err_t e = strbuf_addc(out, '{');
    for (int i = 0; i < 2 && !e && names[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, names[i]);
        char *text = v ? cJSON_PrintUnformatted(v) : NULL;
        if (!text) return STRBUF_ERR_NOMEM;
        if (i) e = strbuf_addc(out, ',');
        if (!e) e = strbuf_add_json_str(out, names[i], strlen(names[i]));
        if (!e) e = strbuf_addc(out, ':');
        if (!e) e = strbuf_adds(out, text);
        free(text);
    }
    return e ? e : strbuf_addc(out, '}');
}
