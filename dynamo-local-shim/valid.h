/* valid: reading request members with DynamoDB's checks.
 *
 * JSON members of the wrong JSON type are SerializationExceptions (the
 * request cannot be read at all); constraint failures on readable members
 * are collected, Coral style, into one ValidationException:
 * "2 validation errors detected: Value ... at 'tableName' failed to satisfy
 * constraint: ...; Value ...".
 */
#ifndef VALID_H
#define VALID_H

#include "error.h"

#include <cjson/cJSON.h>

typedef struct valid_list {
    int count;
    size_t len;
    char text[3072];
    const char *raw; /* a whole message that stands alone, ahead of the list */
} valid_list_t;

/* Records "Value <value> at '<path>' failed to satisfy constraint: <what>";
 * value NULL prints null, otherwise it is quoted. */
void valid_add(valid_list_t *vl, const char *value, const char *path, const char *what);
/* Records a check whose message stands alone (DynamoDB answers it instead
 * of the list, e.g. a missing TableName). message must be static. */
void valid_add_raw(valid_list_t *vl, const char *message);
/* A member of the wrong JSON type, worded as Coral words it; want is the
 * Java type expected ("String", "Integer", "Boolean", "Map", "List"). */
ddb_code_t valid_wrong_type(const cJSON *v, const char *want, ddb_error_t *err);
/* DDB_OK when nothing was recorded; otherwise the ValidationException. */
ddb_code_t valid_result(const valid_list_t *vl, ddb_error_t *err);

/* Member lookups: *out is NULL when the member is absent or JSON null. A
 * present member of another JSON type is a SerializationException. */
ddb_code_t valid_string(const cJSON *obj, const char *name, const char **out, ddb_error_t *err);
ddb_code_t valid_object(const cJSON *obj, const char *name, const cJSON **out, ddb_error_t *err);
ddb_code_t valid_array(const cJSON *obj, const char *name, const cJSON **out, ddb_error_t *err);
ddb_code_t valid_bool(const cJSON *obj, const char *name, int *out, int dflt, ddb_error_t *err);
/* An integer member; *present says whether it was there. */
ddb_code_t valid_int(const cJSON *obj, const char *name, long long *out, int *present,
                     ddb_error_t *err);

/* Checks a table name as DynamoDB does (3..255 of [a-zA-Z0-9_.-]) into vl. */
void valid_table_name(valid_list_t *vl, const char *name, const char *path);

#endif
