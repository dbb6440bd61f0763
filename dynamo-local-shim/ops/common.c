/* Helpers shared by the operations. */
#include "ops.h"

#include "../valid.h"

#include <math.h>
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
