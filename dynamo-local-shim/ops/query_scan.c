/* Query and Scan: range scans over the key bytes, pages of at most 1 MB. */
#include "ops.h"

#include "../attr.h"
#include "../keycodec.h"
#include "../valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PAGE_LIMIT (1024 * 1024)
#define FILTER_NAMES_MAX 16

typedef struct read_opts {
    long long limit; /* 0: none */
    int count_only;
    int consistent;
    expr_projection_t *proj;
    expr_t *filter;
    int query; /* set by Query before read_common */
    const char *index_name;
    const char *select;
    const tindex_t *ix; /* the index read, once the table is known */
} read_opts_t;

/* Limit, Select, ConsistentRead, IndexName and the filters not evaluated yet. */
static ddb_code_t read_common(const cJSON *req, read_opts_t *o, valid_list_t *vl, ddb_error_t *err)
{
    static const char *const query_legacy[] = {"AttributesToGet", "KeyConditions", "QueryFilter",
                                               "ConditionalOperator", NULL};
    static const char *const query_exprs[] = {"ProjectionExpression", "FilterExpression",
                                              "KeyConditionExpression", NULL};
    static const char *const scan_legacy[] = {"AttributesToGet", "ScanFilter",
                                              "ConditionalOperator", NULL};
    static const char *const scan_exprs[] = {"ProjectionExpression", "FilterExpression", NULL};
    const char *select, *index;
    int has_limit;
    ddb_code_t rc;
    int query = o->query;
    memset(o, 0, sizeof *o);
    o->query = query;
    if ((rc = valid_int(req, "Limit", &o->limit, &has_limit, err)) ||
        (rc = valid_string(req, "Select", &select, err)) ||
        (rc = valid_string(req, "IndexName", &index, err)) ||
        (rc = valid_bool(req, "ConsistentRead", &o->consistent, 0, err)))
        return rc;
    char num[32];
    snprintf(num, sizeof num, "%lld", o->limit);
    if (has_limit && o->limit < 1)
        valid_add(vl, num, "limit", "Member must have value greater than or equal to 1");
    if (!has_limit) o->limit = 0;
    if (select && strcmp(select, "ALL_ATTRIBUTES") && strcmp(select, "ALL_PROJECTED_ATTRIBUTES") &&
        strcmp(select, "SPECIFIC_ATTRIBUTES") && strcmp(select, "COUNT"))
        valid_add(vl, select, "select",
                  "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, "
                  "ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
    if ((rc = valid_result(vl, err))) return rc;
    o->count_only = select && strcmp(select, "COUNT") == 0;
    o->select = select;
    o->index_name = index;
    int is_query = cJSON_GetObjectItemCaseSensitive(req, "KeyConditionExpression") ||
                   cJSON_GetObjectItemCaseSensitive(req, "KeyConditions") || o->query;
    if ((rc = ops_check_mixed(req, is_query ? query_legacy : scan_legacy,
                              is_query ? query_exprs : scan_exprs, err)))
        return rc;
    return DDB_OK;
}

/* IndexName, once the table is known, with what DynamoDB refuses of it. */
static ddb_code_t resolve_index(const table_t *t, read_opts_t *o, ddb_error_t *err)
{
    if (!o->index_name) return DDB_OK;
    const tindex_t *ix = table_index(t, o->index_name);
    if (!ix)
        return ddb_fail(err, DDB_E_VALIDATION, "The table does not have the specified index: %s",
                        o->index_name);
    if (ix->global && o->consistent)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Consistent reads are not supported on global secondary indexes");
    if (ix->global && ix->proj != TINDEX_ALL && o->select &&
        strcmp(o->select, "ALL_ATTRIBUTES") == 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                        "not supported for global secondary index %s because its projection type "
                        "is not ALL",
                        ix->name);
    if (ix->global && o->proj) {
        char missing[512];
        size_t k = 0;
        for (int i = 0; i < o->proj->npaths; i++) {
            const char *name = o->proj->paths[i].steps[0].name;
            if (tindex_projects(ix, table_key_names(t), name)) continue;
            int w = snprintf(missing + k, sizeof missing - k, "%s%s", k ? ", " : "", name);
            if (w > 0 && (size_t)w < sizeof missing - k) k += (size_t)w;
        }
        if (k)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Global secondary index %s "
                            "does not project [%s]",
                            ix->name, missing);
    }
    o->ix = ix;
    return DDB_OK;
}

static ddb_code_t read_filter(const cJSON *req, expr_refs_t *refs, read_opts_t *o, ddb_error_t *err)
{
    const char *text;
    ddb_code_t rc = valid_string(req, "FilterExpression", &text, err);
    if (rc) return rc;
    if (text) return expr_condition_parse(text, "FilterExpression", refs, &o->filter, err);
    return ops_legacy_condition(req, o->query ? "QueryFilter" : "ScanFilter", &o->filter, err);
}

static ddb_code_t check_select(const cJSON *req, const read_opts_t *o, ddb_error_t *err)
{
    const char *select = NULL;
    valid_string(req, "Select", &select, err);
    if (o->proj && select && strcmp(select, "COUNT") == 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Cannot specify the ProjectionExpression when choosing to get only the "
                        "Count");
    if (o->proj && select && strcmp(select, "SPECIFIC_ATTRIBUTES") != 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Cannot specify the ProjectionExpression when choosing to get %s", select);
    if (!o->proj && select && strcmp(select, "SPECIFIC_ATTRIBUTES") == 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Must specify the AttributesToGet or ProjectionExpression when choosing "
                        "to get SPECIFIC_ATTRIBUTES");
    if (!o->index_name && select && strcmp(select, "ALL_PROJECTED_ATTRIBUTES") == 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
                        "IndexName");
    return DDB_OK;
}

/* The partition segment of a key: up to and including the first 00 01. */
static size_t partition_len(const char *k, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (k[i] == 0 && k[i + 1] == 1) return i + 2;
    return n;
}

typedef struct scan_page {
    const char *lo;
    size_t lon;
    const char *hi; /* NULL: no upper bound */
    size_t hin;
    int descending;
    long long segment, total; /* total 0: no segments */
} scan_page_t;

/* LastEvaluatedKey: the table key, and on an index its key attributes too. */
static strbuf_err_t last_key_json(const table_t *t, const tindex_t *ix, const cJSON *item,
                                  strbuf_t *out)
{
    const char *names[4] = {t->hash, t->range, ix ? ix->hash : NULL, ix ? ix->range : NULL};
    strbuf_err_t e = strbuf_addc(out, '{');
    int n = 0;
    for (int i = 0; i < 4 && !e; i++) {
        if (!names[i]) continue;
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= names[j] && strcmp(names[j], names[i]) == 0;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, names[i]);
        if (dup || !v) continue;
        char *text = cJSON_PrintUnformatted(v);
        if (!text) return STRBUF_ERR_NOMEM;
        if (n++) e = strbuf_addc(out, ',');
        if (!e) e = strbuf_add_json_str(out, names[i], strlen(names[i]));
        if (!e) e = strbuf_addc(out, ':');
        if (!e) e = strbuf_adds(out, text);
        free(text);
    }
    return e ? e : strbuf_addc(out, '}');
}

/* Runs the range and writes Items / Count / ScannedCount / LastEvaluatedKey. */
static ddb_code_t run_page(shim_t *s, const cJSON *req, const table_t *t, const read_opts_t *o,
                           const scan_page_t *pg, strbuf_t *out, ddb_error_t *err)
{
    strbuf_t last, fetched, shown;
    strbuf_init(&last, SIZE_MAX / 2);
    strbuf_init(&fetched, SIZE_MAX / 2);
    strbuf_init(&shown, SIZE_MAX / 2);
    ddb_code_t rc = DDB_OK;
    long long count = 0, scanned = 0;
    size_t bytes = 0;
    int stopped = 0;
    const tindex_t *ix = o->ix;
    /* An index that does not carry every attribute shows items through its
     * projection, unless ALL_ATTRIBUTES asks for them whole (local indexes). */
    int through_index =
        ix && ix->proj != TINDEX_ALL && !(o->select && strcmp(o->select, "ALL_ATTRIBUTES") == 0);
    /* A filter reads only the attributes it names (all of them when it
     * names more than fit here). */
    const char *filter_names[FILTER_NAMES_MAX];
    int nfilter_names =
        o->filter ? expr_condition_names(o->filter, filter_names, FILTER_NAMES_MAX) : -1;
    if (ix ? store_index_range_open(s->store, t->id, ix->name, pg->lo, pg->lon, pg->hi, pg->hin,
                                    pg->descending)
           : store_range_open(s->store, t->id, pg->lo, pg->lon, pg->hi, pg->hin, pg->descending))
        return ops_store_error(s, err);
    if (strbuf_addc(out, '{') || (!o->count_only && strbuf_adds(out, "\"Items\":["))) goto nomem;
    for (;;) {
        const void *k;
        const char *item;
        size_t kn, ilen, size;
        int done;
        if (store_range_next(s->store, &k, &kn, &item, &ilen, &size, &done)) {
            rc = ops_store_error(s, err);
            goto out;
        }
        if (done) break;
        if (pg->total) {
            uLong h = crc32(0L, k, (uInt)partition_len(k, kn));
            if ((long long)(h % (uLong)pg->total) != pg->segment) continue;
        }
        if (ix) { /* an index entry: the item it points at */
            int found = 0;
            strbuf_reset(&fetched);
            if (store_item_get(s->store, t->id, item, ilen, &fetched, &found)) {
                rc = ops_store_error(s, err);
                goto out;
            }
            if (!found) continue;
            item = fetched.data;
            ilen = fetched.len;
            if (through_index) {
                cJSON *whole = cJSON_ParseWithLength(item, ilen);
                cJSON *part = whole ? tindex_project(ix, table_key_names(t), whole) : NULL;
                char *text = part ? cJSON_PrintUnformatted(part) : NULL;
                cJSON_Delete(whole);
                cJSON_Delete(part);
                strbuf_reset(&shown);
                strbuf_err_t e = text ? strbuf_adds(&shown, text) : STRBUF_ERR_NOMEM;
                free(text);
                if (e) goto nomem;
                item = shown.data;
                ilen = shown.len;
            }
        }
        /* Limit and the 1 MB page count items read, before the filter. */
        int keep = 1;
        if (o->filter) {
            cJSON *parsed = nfilter_names >= 0
                                ? attr_parse_some(item, ilen, filter_names, nfilter_names)
                                : cJSON_ParseWithLength(item, ilen);
            if (!parsed) goto nomem;
            keep = expr_condition_eval(o->filter, parsed);
            cJSON_Delete(parsed);
        }
        if (keep && !o->count_only) {
            if (count && strbuf_addc(out, ',')) goto nomem;
            if ((rc = ops_emit_item(o->proj, item, ilen, out, err))) goto out;
        }
        count += keep;
        scanned++;
        bytes += size;
        if ((o->limit && scanned >= o->limit) || bytes >= PAGE_LIMIT) {
            if (strbuf_add(&last, item, ilen)) goto nomem; /* for LastEvaluatedKey */
            stopped = 1;
            break;
        }
    }
    if (!o->count_only && strbuf_addc(out, ']')) goto nomem;
    if (strbuf_addf(out, "%s\"Count\":%lld,\"ScannedCount\":%lld", o->count_only ? "" : ",", count,
                    scanned))
        goto nomem;
    if (stopped) {
        cJSON *li = cJSON_ParseWithLength(last.data, last.len);
        strbuf_err_t e = li ? strbuf_adds(out, ",\"LastEvaluatedKey\":") : STRBUF_ERR_NOMEM;
        if (!e) e = last_key_json(t, ix, li, out);
        cJSON_Delete(li);
        if (e) goto nomem;
    }
    if ((rc = ops_consumed(req, t, ops_read_units(bytes, o->consistent), out,
                           ",\"ConsumedCapacity\":", err)))
        goto out;
    if (strbuf_addc(out, '}')) goto nomem;
    goto out;
nomem:
    rc = ops_nomem(err);
out:
    store_range_close(s->store);
    strbuf_free(&last);
    strbuf_free(&fetched);
    strbuf_free(&shown);
    return rc;
}

/* Reads ExclusiveStartKey into key bytes (empty when absent): the table
 * key, or on an index the index key segments followed by the table key. */
static ddb_code_t start_key(const cJSON *req, const table_t *t, const tindex_t *ix, strbuf_t *key,
                            ddb_error_t *err)
{
    const cJSON *esk;
    ddb_code_t rc = valid_object(req, "ExclusiveStartKey", &esk, err);
    if (rc || !esk) return rc;
    strbuf_t scratch;
    size_t size;
    strbuf_init(&scratch, ATTR_MAX_CANON);
    rc = attr_canon_item(esk, &scratch, &size, err);
    strbuf_free(&scratch);
    if (rc) return rc;
    const char *names[4] = {t->hash, t->range, ix ? ix->hash : NULL, ix ? ix->range : NULL};
    int want = 0;
    for (int i = 0; i < 4; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= names[i] && names[j] && !strcmp(names[i], names[j]);
        want += names[i] && !dup;
    }
    if (cJSON_GetArraySize(esk) != want)
        return ddb_fail(err, DDB_E_VALIDATION, "The provided starting key is invalid");
    if (!ix) return table_key(t, esk, TABLE_KEY_START, key, err);
    if (tindex_check_item(ix, esk, NULL) || !tindex_key(ix, esk, key))
        return ddb_fail(err, DDB_E_VALIDATION,
                        "The provided starting key is invalid: The provided key element does not "
                        "match the schema");
    cJSON *table_part = cJSON_CreateObject();
    if (!table_part) return ops_nomem(err);
    for (int i = 0; i < 2; i++) {
        const cJSON *v = names[i] ? cJSON_GetObjectItemCaseSensitive(esk, names[i]) : NULL;
        if (v) cJSON_AddItemReferenceToObject(table_part, names[i], (cJSON *)v);
    }
    rc = table_key(t, table_part, TABLE_KEY_START, key, err);
    cJSON_Delete(table_part);
    return rc;
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an < bn ? -1 : an > bn);
}

static ddb_code_t type_mismatch(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_VALIDATION,
                    "One or more parameter values were invalid: Condition parameter type does not "
                    "match schema type");
}

/* One key-condition value as a segment (closed) or prefix (begins_with). */
static ddb_code_t cond_bytes(const table_t *t, int range, const cJSON *v, strbuf_t *out, int closed,
                             ddb_error_t *err)
{
    char want[2] = {range ? t->rtype : t->htype, 0};
    const char *type = attr_type(v);
    if (!type || strcmp(type, want) != 0) return type_mismatch(err);
    return table_key_part(t, range, v, out, closed, err);
}

ddb_code_t op_query(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    read_opts_t o = {.query = 1};
    expr_refs_t refs;
    expr_keycond_t *kc = NULL;
    table_t *t;
    const char *kce;
    int forward;
    valid_list_t vl = {0};
    strbuf_t lo, hi, v2, esk;
    strbuf_init(&lo, 16384);
    strbuf_init(&hi, 16384);
    strbuf_init(&v2, 16384);
    strbuf_init(&esk, 16384);
    ddb_code_t rc;
    const char *name;
    if ((rc = valid_string(req, "TableName", &name, err))) goto done;
    valid_table_name(&vl, name, "tableName");
    if ((rc = read_common(req, &o, &vl, err)) ||
        (rc = valid_bool(req, "ScanIndexForward", &forward, 1, err)) ||
        (rc = valid_string(req, "KeyConditionExpression", &kce, err)) ||
        (rc = ops_refs(req, &refs, err)))
        goto done;
    const cJSON *legacy_keys;
    if ((rc = valid_object(req, "KeyConditions", &legacy_keys, err))) goto done;
    if (!kce && !legacy_keys) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "Either the KeyConditions or KeyConditionExpression parameter must be "
                      "specified in the request.");
        goto done;
    }
    if ((rc = ops_table(s, req, &t, err)) || (rc = resolve_index(t, &o, err))) goto done;
    /* The key queried: the table's, or the index's (a view of the table
     * with the index's key names and types). */
    table_t view = *t;
    if (o.ix) {
        view.hash = o.ix->hash;
        view.htype = o.ix->htype;
        view.range = o.ix->range;
        view.rtype = o.ix->rtype;
    }
    const table_t *kt = &view;
    if ((rc = kce ? expr_keycond_parse(kce, kt->hash, kt->range, &refs, &kc, err)
                  : expr_keycond_from_legacy(legacy_keys, kt->hash, kt->range, &kc, err)) ||
        (rc = ops_projection(req, &refs, &o.proj, err)) ||
        (rc = read_filter(req, &refs, &o, err)) || (rc = expr_refs_check_unused(&refs, err)) ||
        (rc = check_select(req, &o, err)) || (rc = resolve_index(t, &o, err)))
        goto done;
    const char *key_attr = o.filter ? expr_condition_uses(o.filter, kt->hash, kt->range) : NULL;
    if (key_attr) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "Filter Expression can only contain non-primary key attributes: Primary key "
                      "attribute: %s",
                      key_attr);
        goto done;
    }

    /* Bounds: the partition, narrowed by the sort-key condition. */
    if ((rc = cond_bytes(kt, 0, kc->hash_value, &lo, 1, err))) goto done;
    if (strbuf_add(&hi, lo.data, lo.len)) goto nomem;
    keycodec_successor(&hi);
    if (kc->range_name) {
        size_t plen = lo.len;
        int closed = kc->range_op != EXPR_BEGINS_WITH;
        if (kc->range_op == EXPR_BEGINS_WITH && kt->rtype == 'N') {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "Invalid KeyConditionExpression: Incorrect operand type for operator or "
                          "function; operator or function: begins_with, operand type: N");
            goto done;
        }
        strbuf_t v;
        strbuf_init(&v, 16384);
        if (strbuf_add(&v, lo.data, plen)) goto nomem;
        if ((rc = cond_bytes(kt, 1, kc->range_value, &v, closed, err))) {
            strbuf_free(&v);
            goto done;
        }
        switch (kc->range_op) {
        case EXPR_EQ:
            strbuf_reset(&lo);
            strbuf_reset(&hi);
            if (strbuf_add(&lo, v.data, v.len) || strbuf_add(&hi, v.data, v.len) ||
                !keycodec_successor(&hi))
                goto nomem_v;
            break;
        case EXPR_LT:
            strbuf_reset(&hi);
            if (strbuf_add(&hi, v.data, v.len)) goto nomem_v;
            break;
        case EXPR_LE:
            strbuf_reset(&hi);
            if (strbuf_add(&hi, v.data, v.len) || !keycodec_successor(&hi)) goto nomem_v;
            break;
        case EXPR_GT:
            strbuf_reset(&lo);
            if (strbuf_add(&lo, v.data, v.len) || !keycodec_successor(&lo)) goto nomem_v;
            break;
        case EXPR_GE:
            strbuf_reset(&lo);
            if (strbuf_add(&lo, v.data, v.len)) goto nomem_v;
            break;
        case EXPR_BEGINS_WITH:
            strbuf_reset(&lo);
            if (strbuf_add(&lo, v.data, v.len)) goto nomem_v;
            if (keycodec_successor(&v) && v.len >= plen) {
                strbuf_reset(&hi);
                if (strbuf_add(&hi, v.data, v.len)) goto nomem_v;
            }
            break;
        case EXPR_BETWEEN:
            if (strbuf_add(&v2, lo.data, plen) ||
                (rc = cond_bytes(kt, 1, kc->range_value2, &v2, 1, err))) {
                strbuf_free(&v);
                if (!rc) goto nomem;
                goto done;
            }
            if (bytes_cmp(v.data, v.len, v2.data, v2.len) > 0) {
                rc =
                    ddb_fail(err, DDB_E_VALIDATION,
                             "Invalid KeyConditionExpression: The BETWEEN operator requires upper "
                             "bound to be greater than or equal to lower bound; lower bound "
                             "operand: AttributeValue: {%s:%.1024s}, upper bound operand: "
                             "AttributeValue: {%s:%.1024s}",
                             kc->range_value->child->string, kc->range_value->child->valuestring,
                             kc->range_value2->child->string, kc->range_value2->child->valuestring);
                strbuf_free(&v);
                goto done;
            }
            strbuf_reset(&lo);
            strbuf_reset(&hi);
            if (strbuf_add(&lo, v.data, v.len) || strbuf_add(&hi, v2.data, v2.len) ||
                !keycodec_successor(&hi))
                goto nomem_v;
            break;
        }
        strbuf_free(&v);
        goto bounds_done;
    nomem_v:
        strbuf_free(&v);
        goto nomem;
    }
bounds_done:
    if ((rc = start_key(req, t, o.ix, &esk, err))) goto done;
    if (esk.len) {
        if (forward) {
            if (strbuf_addc(&esk, 0)) goto nomem;
            if (bytes_cmp(esk.data, esk.len, lo.data, lo.len) > 0) {
                strbuf_reset(&lo);
                if (strbuf_add(&lo, esk.data, esk.len)) goto nomem;
            }
        } else if (bytes_cmp(esk.data, esk.len, hi.data, hi.len) < 0) {
            strbuf_reset(&hi);
            if (strbuf_add(&hi, esk.data, esk.len)) goto nomem;
        }
    }
    scan_page_t pg = {lo.data, lo.len, hi.data ? hi.data : "", hi.len, !forward, 0, 0};
    rc = run_page(s, req, t, &o, &pg, out, err);
    goto done;
nomem:
    rc = ops_nomem(err);
done:
    expr_keycond_free(kc);
    expr_projection_free(o.proj);
    expr_free(o.filter);
    strbuf_free(&lo);
    strbuf_free(&hi);
    strbuf_free(&v2);
    strbuf_free(&esk);
    return rc;
}

ddb_code_t op_scan(shim_t *s, const cJSON *req, strbuf_t *out, ddb_error_t *err)
{
    read_opts_t o = {0};
    expr_refs_t refs;
    table_t *t;
    long long segment = 0, total = 0;
    int has_segment, has_total;
    valid_list_t vl = {0};
    strbuf_t esk;
    strbuf_init(&esk, 16384);
    const char *name;
    ddb_code_t rc;
    if ((rc = valid_string(req, "TableName", &name, err))) goto done;
    valid_table_name(&vl, name, "tableName");
    if ((rc = valid_int(req, "Segment", &segment, &has_segment, err)) ||
        (rc = valid_int(req, "TotalSegments", &total, &has_total, err)))
        goto done;
    char num[32];
    if (has_segment && segment < 0) {
        snprintf(num, sizeof num, "%lld", segment);
        valid_add(&vl, num, "segment", "Member must have value greater than or equal to 0");
    }
    if (has_segment && segment > 999999) {
        snprintf(num, sizeof num, "%lld", segment);
        valid_add(&vl, num, "segment", "Member must have value less than or equal to 999999");
    }
    if (has_total && total < 1) {
        snprintf(num, sizeof num, "%lld", total);
        valid_add(&vl, num, "totalSegments", "Member must have value greater than or equal to 1");
    }
    if (has_total && total > 1000000) {
        snprintf(num, sizeof num, "%lld", total);
        valid_add(&vl, num, "totalSegments",
                  "Member must have value less than or equal to 1000000");
    }
    if ((rc = read_common(req, &o, &vl, err)) || (rc = ops_refs(req, &refs, err))) goto done;
    if (has_segment && !has_total) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "The TotalSegments parameter is required but was not present in the request "
                      "when Segment parameter is present");
        goto done;
    }
    if (has_total && !has_segment) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "The Segment parameter is required but was not present in the request when "
                      "parameter TotalSegments is present");
        goto done;
    }
    if (has_total && segment >= total) {
        rc = ddb_fail(err, DDB_E_VALIDATION,
                      "The Segment parameter is zero-based and must be less than parameter "
                      "TotalSegments: Segment: %lld is not less than TotalSegments: %lld",
                      segment, total);
        goto done;
    }
    if ((rc = ops_projection(req, &refs, &o.proj, err)) || (rc = read_filter(req, &refs, &o, err)))
        goto done;
    if (!o.filter) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeValues");
        if (v && !cJSON_IsNull(v)) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "ExpressionAttributeValues can only be specified when using "
                          "expressions: FilterExpression is null");
            goto done;
        }
        if (!cJSON_GetObjectItemCaseSensitive(req, "ProjectionExpression") &&
            (rc = ops_refs_need_expression(req, "FilterExpression is null", err)))
            goto done;
    }
    if ((rc = expr_refs_check_unused(&refs, err)) || (rc = check_select(req, &o, err)) ||
        (rc = ops_table(s, req, &t, err)) || (rc = resolve_index(t, &o, err)) ||
        (rc = start_key(req, t, o.ix, &esk, err)))
        goto done;
    if (esk.len && strbuf_addc(&esk, 0)) {
        rc = ops_nomem(err);
        goto done;
    }
    scan_page_t pg = {esk.data, esk.len, NULL, 0, 0, segment, has_total ? total : 0};
    rc = run_page(s, req, t, &o, &pg, out, err);
done:
    expr_projection_free(o.proj);
    expr_free(o.filter);
    strbuf_free(&esk);
    return rc;
}
