#include "tindex.h"

#include "attr.h"
#include "keycodec.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tindex_clear(tindex_t *ix)
{
    if (!ix) return;
    free(ix->name);
    free(ix->hash);
    free(ix->range);
    for (int i = 0; i < ix->ninclude; i++) free(ix->include[i]);
    free(ix->include);
    memset(ix, 0, sizeof *ix);
}

const char *tindex_attribute_type(const cJSON *defs, const char *name)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, defs)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "AttributeType");
        if (cJSON_IsString(n) && cJSON_IsString(t) && strcmp(n->valuestring, name) == 0)
            return t->valuestring;
    }
    return NULL;
}

static ddb_code_t nomem(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
}

ddb_code_t tindex_check_list(const cJSON *list, int global, const tindex_t *have, int nhave,
                             ddb_error_t *err)
{
    int n = cJSON_GetArraySize(list);
    if (n == 0)
        return ddb_fail(err, DDB_E_VALIDATION, "%s list is empty/invalid", global ? "GSI" : "LSI");
    if (global && n > TINDEX_MAX_GLOBAL)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "GlobalSecondaryIndex count exceeds the per-table limit");
    if (!global && n > TINDEX_MAX_LOCAL)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Cannot have more than 5 local secondary indexes per table");
    const cJSON *a, *b;
    cJSON_ArrayForEach(a, list)
    {
        const cJSON *na = cJSON_GetObjectItemCaseSensitive(a, "IndexName");
        if (!cJSON_IsString(na)) continue;
        for (b = list->child; b != a; b = b->next) {
            const cJSON *nb = cJSON_GetObjectItemCaseSensitive(b, "IndexName");
            if (cJSON_IsString(nb) && strcmp(na->valuestring, nb->valuestring) == 0) goto dup;
        }
        for (int i = 0; i < nhave; i++)
            if (strcmp(have[i].name, na->valuestring) == 0) goto dup;
        continue;
    dup:
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Duplicate index name: %.255s",
                        na->valuestring);
    }
    return DDB_OK;
}

ddb_code_t tindex_parse(const cJSON *spec, int global, int position, const cJSON *defs,
                        tindex_table_key_t tk, int provisioned, tindex_t *out, ddb_error_t *err)
{
    const char *list = global ? "globalSecondaryIndexes" : "localSecondaryIndexes";
    const char *name, *ptype;
    const cJSON *ks, *proj, *attrs, *pt;
    ddb_code_t rc;
    if (!cJSON_IsObject(spec)) return valid_wrong_type(spec, "Map", err);
    if ((rc = valid_string(spec, "IndexName", &name, err)) ||
        (rc = valid_array(spec, "KeySchema", &ks, err)) ||
        (rc = valid_object(spec, "Projection", &proj, err)) ||
        (rc = valid_object(spec, "ProvisionedThroughput", &pt, err)))
        return rc;
    ptype = NULL;
    attrs = NULL;
    if (proj && ((rc = valid_string(proj, "ProjectionType", &ptype, err)) ||
                 (rc = valid_array(proj, "NonKeyAttributes", &attrs, err))))
        return rc;
    valid_list_t vl = {0};
    char path[128];
    snprintf(path, sizeof path, "%s.%d.member.indexName", list, position);
    valid_table_name(&vl, name, path);
    snprintf(path, sizeof path, "%s.%d.member.keySchema", list, position);
    if (!ks) valid_add(&vl, NULL, path, "Member must not be null");
    snprintf(path, sizeof path, "%s.%d.member.projection", list, position);
    if (!proj) valid_add(&vl, NULL, path, "Member must not be null");
    snprintf(path, sizeof path, "%s.%d.member.projection.projectionType", list, position);
    if (ptype && strcmp(ptype, "ALL") && strcmp(ptype, "INCLUDE") && strcmp(ptype, "KEYS_ONLY"))
        valid_add(&vl, ptype, path,
                  "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]");
    if ((rc = valid_result(&vl, err))) return rc;

    memset(out, 0, sizeof *out);
    out->global = global;
    const cJSON *e;
    cJSON_ArrayForEach(e, ks)
    {
        const char *an, *kt;
        if ((rc = valid_string(e, "AttributeName", &an, err)) ||
            (rc = valid_string(e, "KeyType", &kt, err)))
            goto fail;
        if (!an || !kt) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "Invalid KeySchema: Some index key attribute have no definition");
            goto fail;
        }
        const char *type = tindex_attribute_type(defs, an);
        if (!type) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "Attribute %.255s is not defined in AttributeDefinitions", an);
            goto fail;
        }
        int is_hash = strcmp(kt, "HASH") == 0;
        if ((is_hash && out->hash) || (!is_hash && out->range)) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "Invalid KeySchema: The %s KeySchemaElement is not a %s key type",
                          is_hash ? "second" : "first", is_hash ? "RANGE" : "HASH");
            goto fail;
        }
        char **slot = is_hash ? &out->hash : &out->range;
        if (!(*slot = strdup(an))) goto oom;
        if (is_hash)
            out->htype = type[0];
        else
            out->rtype = type[0];
    }
    if (!out->hash) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
        goto fail;
    }
    if (!global) {
        if (!tk.range) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "One or more parameter values were invalid: Table KeySchema does not "
                          "have a range key, which is required when specifying a "
                          "LocalSecondaryIndex");
            goto fail;
        }
        if (strcmp(out->hash, tk.hash) != 0) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "Local Secondary indices must have the same hash key as the main table");
            goto fail;
        }
        if (!out->range) {
            rc = ddb_fail(err, DDB_E_VALIDATION, "Local secondary indices must have a range key");
            goto fail;
        }
    }
    out->proj = !ptype || !strcmp(ptype, "ALL") ? TINDEX_ALL
                : !strcmp(ptype, "KEYS_ONLY")   ? TINDEX_KEYS_ONLY
                                                : TINDEX_INCLUDE;
    if (out->proj == TINDEX_INCLUDE && cJSON_GetArraySize(attrs) == 0) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "If Projection type INCLUDE is specified, some non-key attributes to include "
                      "in the projection must be specified as well");
        goto fail;
    }
    if (out->proj != TINDEX_INCLUDE && attrs) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "No attributes should be specified to be projected unless projection type "
                      "is INCLUDE");
        goto fail;
    }
    if (global && provisioned && !pt) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "No provisioned throughput specified for the global secondary index");
        goto fail;
    }
    if (attrs) {
        out->include = calloc((size_t)cJSON_GetArraySize(attrs), sizeof *out->include);
        if (!out->include) goto oom;
        cJSON_ArrayForEach(e, attrs)
        {
            if (!cJSON_IsString(e)) {
                rc = valid_wrong_type(e, "String", err);
                goto fail;
            }
            if (!(out->include[out->ninclude++] = strdup(e->valuestring))) goto oom;
        }
    }
    if (!(out->name = strdup(name))) goto oom;
    return DDB_OK;
oom:
    rc = nomem(err);
fail:
    tindex_clear(out);
    return rc;
}

int tindex_from_desc(const cJSON *desc, int global, const cJSON *defs, tindex_t *out)
{
    ddb_error_t err;
    tindex_table_key_t any = {"", ""};
    /* A stored description was checked when it was made; only a local index
     * compares its hash key with the table's, which the caller knows. */
    if (!global) {
        const cJSON *ks = cJSON_GetObjectItemCaseSensitive(desc, "KeySchema");
        const cJSON *first = cJSON_GetArrayItem(ks, 0);
        const cJSON *an = cJSON_GetObjectItemCaseSensitive(first, "AttributeName");
        any.hash = cJSON_IsString(an) ? an->valuestring : "";
    }
    return tindex_parse(desc, global, 1, defs, any, 0, out, &err) == DDB_OK ? 0 : -1;
}

cJSON *tindex_desc(const cJSON *spec, const char *table_arn)
{
    cJSON *d = cJSON_CreateObject();
    if (!d) return NULL;
    const char *name = cJSON_GetObjectItemCaseSensitive(spec, "IndexName")->valuestring;
    cJSON_AddStringToObject(d, "IndexName", name);
    cJSON_AddItemToObject(d, "KeySchema",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(spec, "KeySchema"), 1));
    const cJSON *proj = cJSON_GetObjectItemCaseSensitive(spec, "Projection");
    cJSON *p = cJSON_Duplicate(proj, 1);
    if (p && !cJSON_GetObjectItemCaseSensitive(p, "ProjectionType"))
        cJSON_AddStringToObject(p, "ProjectionType", "ALL");
    cJSON_AddItemToObject(d, "Projection", p);
    char arn[1024];
    snprintf(arn, sizeof arn, "%s/index/%s", table_arn, name);
    cJSON_AddStringToObject(d, "IndexArn", arn);
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(spec, "ProvisionedThroughput");
    if (pt) {
        cJSON *t = cJSON_AddObjectToObject(d, "ProvisionedThroughput");
        cJSON_AddNumberToObject(t, "NumberOfDecreasesToday", 0);
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(pt, "ReadCapacityUnits");
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(pt, "WriteCapacityUnits");
        cJSON_AddNumberToObject(t, "ReadCapacityUnits", cJSON_IsNumber(r) ? r->valuedouble : 0);
        cJSON_AddNumberToObject(t, "WriteCapacityUnits", cJSON_IsNumber(w) ? w->valuedouble : 0);
    }
    return d;
}

/* One index key attribute of an item: 0 absent, 1 usable, -1 wrong. */
static int key_part(const tindex_t *ix, const char *name, char want, const cJSON *item,
                    ddb_error_t *err)
{
    const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, name);
    if (!av) return 0;
    const char *type = attr_type(av);
    char want_s[2] = {want, 0};
    if (!type || strcmp(type, want_s) != 0) {
        if (err)
            ddb_fail(err, DDB_E_VALIDATION,
                     "One or more parameter values were invalid: Type mismatch for Index Key %s "
                     "Expected: %s Actual: %s IndexName: %s",
                     name, want_s, type ? type : "", ix->name);
        return -1;
    }
    if (!av->child->valuestring[0]) {
        if (err)
            ddb_fail(err, DDB_E_VALIDATION,
                     "One or more parameter values are not valid. A value specified for a "
                     "secondary index key is not supported. The AttributeValue for a key "
                     "attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                     want == 'B' ? "binary" : "string", ix->name, name);
        return -1;
    }
    return 1;
}

ddb_code_t tindex_check_item(const tindex_t *ix, const cJSON *item, ddb_error_t *err)
{
    if (key_part(ix, ix->hash, ix->htype, item, err) < 0) return DDB_E_VALIDATION;
    if (ix->range && key_part(ix, ix->range, ix->rtype, item, err) < 0) return DDB_E_VALIDATION;
    return DDB_OK;
}

static int add_segment(strbuf_t *key, char type, const cJSON *av)
{
    const char *text = av->child->valuestring;
    unsigned char *raw = malloc(strlen(text) + 64);
    size_t n;
    ddb_error_t err;
    int ok = raw && keycodec_raw(type, text, raw, &n, &err) == DDB_OK &&
             keycodec_segment(key, raw, n) == STRBUF_OK;
    free(raw);
    return ok;
}

int tindex_key(const tindex_t *ix, const cJSON *item, strbuf_t *key)
{
    if (key_part(ix, ix->hash, ix->htype, item, NULL) != 1) return 0;
    if (ix->range && key_part(ix, ix->range, ix->rtype, item, NULL) != 1) return 0;
    if (!add_segment(key, ix->htype, cJSON_GetObjectItemCaseSensitive(item, ix->hash))) return 0;
    if (ix->range &&
        !add_segment(key, ix->rtype, cJSON_GetObjectItemCaseSensitive(item, ix->range)))
        return 0;
    return 1;
}

int tindex_projects(const tindex_t *ix, tindex_table_key_t tk, const char *name)
{
    if (ix->proj == TINDEX_ALL) return 1;
    if (!strcmp(name, tk.hash) || (tk.range && !strcmp(name, tk.range)) ||
        !strcmp(name, ix->hash) || (ix->range && !strcmp(name, ix->range)))
        return 1;
    for (int i = 0; i < ix->ninclude; i++)
        if (!strcmp(name, ix->include[i])) return 1;
    return 0;
}

cJSON *tindex_project(const tindex_t *ix, tindex_table_key_t tk, const cJSON *item)
{
    if (ix->proj == TINDEX_ALL) return cJSON_Duplicate(item, 1);
    cJSON *out = cJSON_CreateObject();
    const cJSON *e;
    cJSON_ArrayForEach(e, item)
    {
        if (out && tindex_projects(ix, tk, e->string))
            cJSON_AddItemToObject(out, e->string, cJSON_Duplicate(e, 1));
    }
    return out;
}
