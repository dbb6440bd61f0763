#include "valid.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void valid_add(valid_list_t *vl, const char *value, const char *path, const char *what)
{
    int n;
    size_t room = sizeof vl->text - vl->len;
    const char *sep = vl->count ? "; " : "";
    if (value)
        n = snprintf(vl->text + vl->len, room,
                     "%sValue '%.1500s' at '%s' failed to satisfy "
                     "constraint: %s",
                     sep, value, path, what);
    else
        n = snprintf(vl->text + vl->len, room,
                     "%sValue null at '%s' failed to satisfy constraint: %s", sep, path, what);
    vl->count++;
    if (n > 0) vl->len += (size_t)n < room ? (size_t)n : room - 1;
}

void valid_add_raw(valid_list_t *vl, const char *message)
{
    if (!vl->raw) vl->raw = message;
}

ddb_code_t valid_result(const valid_list_t *vl, ddb_error_t *err)
{
    if (vl->raw) return ddb_fail(err, DDB_E_VALIDATION, "%s", vl->raw);
    if (!vl->count) return DDB_OK;
    return ddb_fail(err, DDB_E_VALIDATION, "%d validation error%s detected: %s", vl->count,
                    vl->count == 1 ? "" : "s", vl->text);
}

/* Coral's words for a JSON value of the wrong type: the token it read and
 * the type it wanted ("NUMBER_VALUE can not be converted to a String"). */
static const char *json_token(const cJSON *v)
{
    if (cJSON_IsString(v)) return "STRING_VALUE";
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v) ? "TRUE_VALUE" : "FALSE_VALUE";
    return "NUMBER_VALUE";
}

ddb_code_t valid_wrong_type(const cJSON *v, const char *want, ddb_error_t *err)
{
    if (cJSON_IsObject(v) && strcmp(want, "Map") != 0)
        return ddb_fail(err, DDB_E_SERIALIZATION,
                        "Start of structure or map found where not expected.");
    if (cJSON_IsArray(v) && strcmp(want, "List") != 0)
        return ddb_fail(err, DDB_E_SERIALIZATION, "Start of list found where not expected");
    int vowel = strchr("AEIOU", want[0]) != NULL;
    return ddb_fail(err, DDB_E_SERIALIZATION, "%s can not be converted to a%s %s", json_token(v),
                    vowel ? "n" : "", want);
}

static ddb_code_t wrong_type(const cJSON *v, const char *want, ddb_error_t *err)
{
    return valid_wrong_type(v, want, err);
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNull(v) ? NULL : v;
}

ddb_code_t valid_string(const cJSON *obj, const char *name, const char **out, ddb_error_t *err)
{
    const cJSON *v = member(obj, name);
    *out = NULL;
    if (!v) return DDB_OK;
    if (!cJSON_IsString(v)) return wrong_type(v, "String", err);
    *out = v->valuestring;
    return DDB_OK;
}

ddb_code_t valid_object(const cJSON *obj, const char *name, const cJSON **out, ddb_error_t *err)
{
    const cJSON *v = member(obj, name);
    *out = NULL;
    if (!v) return DDB_OK;
    if (!cJSON_IsObject(v)) return wrong_type(v, "Map", err);
    *out = v;
    return DDB_OK;
}

ddb_code_t valid_array(const cJSON *obj, const char *name, const cJSON **out, ddb_error_t *err)
{
    const cJSON *v = member(obj, name);
    *out = NULL;
    if (!v) return DDB_OK;
    if (!cJSON_IsArray(v)) return wrong_type(v, "List", err);
    *out = v;
    return DDB_OK;
}

ddb_code_t valid_bool(const cJSON *obj, const char *name, int *out, int dflt, ddb_error_t *err)
{
    const cJSON *v = member(obj, name);
    *out = dflt;
    if (!v) return DDB_OK;
    if (!cJSON_IsBool(v)) return wrong_type(v, "Boolean", err);
    *out = cJSON_IsTrue(v);
    return DDB_OK;
}

ddb_code_t valid_int(const cJSON *obj, const char *name, long long *out, int *present,
                     ddb_error_t *err)
{
    const cJSON *v = member(obj, name);
    *present = 0;
    if (!v) return DDB_OK;
    if (!cJSON_IsNumber(v)) return wrong_type(v, "Integer", err);
    double d = v->valuedouble;
    if (d != floor(d) || d > 9.2e18 || d < -9.2e18) return wrong_type(v, "Integer", err);
    *out = (long long)d;
    *present = 1;
    return DDB_OK;
}

void valid_table_name(valid_list_t *vl, const char *name, const char *path)
{
    if (!name) {
        valid_add(vl, NULL, path, "Member must not be null");
        return;
    }
    size_t n = strlen(name);
    if (n < 3) valid_add(vl, name, path, "Member must have length greater than or equal to 3");
    if (n > 255) valid_add(vl, name, path, "Member must have length less than or equal to 255");
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.')) {
            valid_add(vl, name, path,
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
            break;
        }
    }
}
