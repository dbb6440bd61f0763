#include "attr.h"

#include "base64.h"
#include "number.h"
#include "valid.h"

#include <stdio.h>
#include <string.h>

static const char *const type_names[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};

size_t attr_text_size(const char *s)
{
    size_t n = strlen(s);
    const char *end = s + n, *p = s;
    size_t size = n;
    while ((p = memchr(p, 0xC0, (size_t)(end - p))) != NULL) {
        if (p + 1 < end && (unsigned char)p[1] == 0x80) {
            size--; /* C0 80 stands for one NUL byte */
            p += 2;
        } else {
            p++;
        }
    }
    return size;
}

size_t attr_text_bytes(const char *s, unsigned char *out)
{
    size_t k = 0;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)p[0] == 0xC0 && (unsigned char)p[1] == 0x80) {
            out[k++] = 0;
            p++;
        } else {
            out[k++] = (unsigned char)*p;
        }
    }
    return k;
}

const char *attr_type(const cJSON *av)
{
    if (!cJSON_IsObject(av) || !av->child) return NULL;
    return av->child->string;
}

static ddb_code_t oom(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
}

/* A member of an AttributeValue with the wrong JSON type. */
static ddb_code_t wrong_json(const cJSON *v, const char *want, ddb_error_t *err)
{
    return valid_wrong_type(v, want, err);
}

static ddb_code_t check_number(const cJSON *v, num_t *num, ddb_error_t *err)
{
    if (!cJSON_IsString(v)) return wrong_json(v, "String", err);
    num_err_t ne = num_parse(v->valuestring, strlen(v->valuestring), num);
    if (ne) return ddb_fail(err, DDB_E_VALIDATION, "%s", num_strerror(ne));
    return DDB_OK;
}

static ddb_code_t check_binary(const cJSON *v, size_t *len, ddb_error_t *err)
{
    if (!cJSON_IsString(v)) return wrong_json(v, "Blob", err);
    size_t n = strlen(v->valuestring);
    /* Decode in small chunks: only the length and validity matter here. */
    size_t total = 0;
    unsigned char buf[3 * 256];
    if (n % 4)
        return ddb_fail(err, DDB_E_SERIALIZATION,
                        "'%.1000s' can not be converted to a Blob: Base64 encoded length is "
                        "expected a multiple of 4 bytes but found: %zu",
                        v->valuestring, n);
    for (size_t off = 0; off < n; off += 1024) {
        size_t chunk = n - off < 1024 ? n - off : 1024;
        long got = base64_decode_strict(v->valuestring + off, chunk, buf);
        if (got < 0 || (got < (long)(chunk / 4 * 3) && off + chunk != n))
            return ddb_fail(err, DDB_E_SERIALIZATION,
                            "'%.1000s' can not be converted to a Blob: Invalid Base64 character "
                            "found",
                            v->valuestring);
        total += (size_t)got;
    }
    *len = total;
    return DDB_OK;
}

/* Java's List.toString, which DynamoDB's duplicate message quotes. */
static void list_text(const cJSON *arr, char *buf, size_t cap)
{
    size_t k = 0;
    buf[k++] = '[';
    for (const cJSON *e = arr->child; e && k + 4 < cap; e = e->next) {
        const char *s = cJSON_IsString(e) ? e->valuestring : "";
        int w = snprintf(buf + k, cap - k, "%s%s", e == arr->child ? "" : ", ", s);
        if (w < 0) break;
        k += (size_t)w;
        if (k >= cap) k = cap - 2;
    }
    buf[k++] = ']';
    buf[k] = '\0';
}

static ddb_code_t canon_set(const char *type, const cJSON *v, strbuf_t *out, size_t *size,
                            ddb_error_t *err)
{
    char kind = type[0];
    if (!cJSON_IsArray(v)) return wrong_json(v, "List", err);
    int count = cJSON_GetArraySize(v);
    if (count == 0)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: An %s set  may not be empty",
                        kind == 'S'   ? "string"
                        : kind == 'N' ? "number"
                                      : "binary");
    if (strbuf_addc(out, '[')) return oom(err);
    for (const cJSON *e = v->child; e; e = e->next) {
        if (e != v->child && strbuf_addc(out, ',')) return oom(err);
        ddb_code_t rc;
        if (kind == 'N') {
            num_t num;
            if ((rc = check_number(e, &num, err))) return rc;
            char text[NUM_MAX_TEXT + 1];
            size_t n = num_format(&num, text);
            if (strbuf_add_json_str(out, text, n)) return oom(err);
            *size += num_size(&num);
            /* Duplicates compare by value: "1" and "1.0" are one number. */
            for (const cJSON *p = v->child; p != e; p = p->next) {
                num_t other;
                if (num_parse(p->valuestring, strlen(p->valuestring), &other) == NUM_OK &&
                    num_cmp(&other, &num) == 0)
                    goto duplicate;
            }
        } else {
            size_t len = 0;
            if (kind == 'B') {
                if ((rc = check_binary(e, &len, err))) return rc;
            } else if (!cJSON_IsString(e)) {
                return wrong_json(e, "String", err);
            } else {
                len = attr_text_size(e->valuestring);
            }
            if (strbuf_add_json_str(out, e->valuestring, strlen(e->valuestring))) return oom(err);
            *size += len;
            for (const cJSON *p = v->child; p != e; p = p->next)
                if (strcmp(p->valuestring, e->valuestring) == 0) goto duplicate;
        }
    }
    if (strbuf_addc(out, ']')) return oom(err);
    return DDB_OK;
duplicate:
    if (kind == 'N') return ddb_fail(err, DDB_E_VALIDATION, "Input collection contains duplicates");
    if (kind == 'B')
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Input collection of type BS "
                        "contains duplicates.");
    {
        char text[2048];
        list_text(v, text, sizeof text);
        return ddb_fail(err, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Input collection %s contains "
                        "duplicates.",
                        text);
    }
}

static ddb_code_t canon_value(const cJSON *av, strbuf_t *out, size_t *size, int depth,
                              ddb_error_t *err);

static ddb_code_t canon_map(const cJSON *m, strbuf_t *out, size_t *size, int depth,
                            ddb_error_t *err)
{
    if (!cJSON_IsObject(m)) return wrong_json(m, "Map", err);
    if (strbuf_addc(out, '{')) return oom(err);
    for (const cJSON *e = m->child; e; e = e->next) {
        if (depth == 0 && !e->string[0])
            return ddb_fail(err, DDB_E_VALIDATION, "Empty attribute name");
        if (cJSON_IsNull(e))
            return ddb_fail(err, DDB_E_VALIDATION,
                            "The supplied Item contains a null AttributeValue: %.255s is null",
                            e->string);
        if (e != m->child && strbuf_addc(out, ',')) return oom(err);
        if (strbuf_add_json_str(out, e->string, strlen(e->string)) || strbuf_addc(out, ':'))
            return oom(err);
        *size += attr_text_size(e->string);
        ddb_code_t rc = canon_value(e, out, size, depth + 1, err);
        if (rc) return rc;
    }
    if (strbuf_addc(out, '}')) return oom(err);
    return DDB_OK;
}

static ddb_code_t canon_value(const cJSON *av, strbuf_t *out, size_t *size, int depth,
                              ddb_error_t *err)
{
    if (depth > ATTR_MAX_DEPTH)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Nesting Levels have exceeded supported limits: Attributes in the item "
                        "have nested levels beyond supported limit");
    if (!cJSON_IsObject(av)) return wrong_json(av, "Map", err);
    const cJSON *v = NULL;
    const char *type = NULL;
    for (const cJSON *e = av->child; e; e = e->next) {
        for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++) {
            if (strcmp(e->string, type_names[i]) != 0) continue;
            if (cJSON_IsNull(e)) break; /* an explicit null is an absent member */
            if (v)
                return ddb_fail(err, DDB_E_VALIDATION,
                                "Supplied AttributeValue has more than one datatypes set, must "
                                "contain exactly one of the supported datatypes");
            v = e;
            type = type_names[i];
        }
    }
    if (!v)
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Supplied AttributeValue is empty, must contain exactly one of the "
                        "supported datatypes");

    if (strbuf_addc(out, '{') || strbuf_add_json_str(out, type, strlen(type)) ||
        strbuf_addc(out, ':'))
        return oom(err);
    ddb_code_t rc = DDB_OK;
    if (strcmp(type, "S") == 0) {
        if (!cJSON_IsString(v)) return wrong_json(v, "String", err);
        if (strbuf_add_json_str(out, v->valuestring, strlen(v->valuestring))) return oom(err);
        *size += attr_text_size(v->valuestring);
    } else if (strcmp(type, "N") == 0) {
        num_t num;
        if ((rc = check_number(v, &num, err))) return rc;
        char text[NUM_MAX_TEXT + 1];
        size_t n = num_format(&num, text);
        if (strbuf_add_json_str(out, text, n)) return oom(err);
        *size += num_size(&num);
    } else if (strcmp(type, "B") == 0) {
        size_t len;
        if ((rc = check_binary(v, &len, err))) return rc;
        if (strbuf_add_json_str(out, v->valuestring, strlen(v->valuestring))) return oom(err);
        *size += len;
    } else if (strcmp(type, "BOOL") == 0) {
        if (!cJSON_IsBool(v)) return wrong_json(v, "Boolean", err);
        if (strbuf_adds(out, cJSON_IsTrue(v) ? "true" : "false")) return oom(err);
        *size += 1;
    } else if (strcmp(type, "NULL") == 0) {
        /* DynamoDB now takes {"NULL": false} and stores NULL true. */
        if (!cJSON_IsBool(v)) return wrong_json(v, "Boolean", err);
        if (strbuf_adds(out, "true")) return oom(err);
        *size += 1;
    } else if (strcmp(type, "M") == 0) {
        *size += 3;
        rc = canon_map(v, out, size, depth, err);
        *size += (size_t)cJSON_GetArraySize(v);
    } else if (strcmp(type, "L") == 0) {
        if (!cJSON_IsArray(v)) return wrong_json(v, "List", err);
        *size += 3;
        if (strbuf_addc(out, '[')) return oom(err);
        for (const cJSON *e = v->child; e && !rc; e = e->next) {
            if (e != v->child && strbuf_addc(out, ',')) return oom(err);
            rc = canon_value(e, out, size, depth + 1, err);
            *size += 1;
        }
        if (!rc && strbuf_addc(out, ']')) return oom(err);
    } else { /* SS, NS, BS */
        rc = canon_set(type, v, out, size, err);
    }
    if (rc) return rc;
    if (strbuf_addc(out, '}')) return oom(err);
    return DDB_OK;
}

ddb_code_t attr_canon_value(const cJSON *av, strbuf_t *out, size_t *size, ddb_error_t *err)
{
    return canon_value(av, out, size, 1, err);
}

ddb_code_t attr_canon_item(const cJSON *item, strbuf_t *out, size_t *size, ddb_error_t *err)
{
    *size = 0;
    return canon_map(item, out, size, 0, err);
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Past the JSON string that opens at p; NULL when it does not end. A quote
 * ends the string when an even number of backslashes precede it. */
static const char *skip_string(const char *p, const char *end)
{
    const char *from = p + 1;
    for (;;) {
        const char *q = memchr(from, '"', (size_t)(end - from));
        if (!q) return NULL;
        const char *b = q;
        while (b > from && b[-1] == '\\') b--;
        if (((q - b) & 1) == 0) return q + 1;
        from = q + 1;
    }
}

/* Past the JSON value that starts at p (no checks beyond balanced
 * brackets); NULL when it does not end or nests too deep. */
static const char *skip_value(const char *p, const char *end)
{
    char open[2 * ATTR_MAX_DEPTH + 8]; /* a value level is two JSON levels */
    int depth = 0;
    const char *start = p;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            if (!(p = skip_string(p, end))) return NULL;
            if (depth == 0) return p;
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth == (int)sizeof open) return NULL;
            open[depth++] = c == '{' ? '}' : ']';
        } else if (c == '}' || c == ']') {
            if (depth == 0) return p > start ? p : NULL; /* the end of a bare scalar */
            if (open[--depth] != c) return NULL;
            if (depth == 0) return p + 1;
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r')) {
            return p; /* the end of a number, true, false or null */
        }
        p++;
    }
    return depth == 0 ? p : NULL;
}

cJSON *attr_parse_some(const char *json, size_t len, const char *const *names, int n)
{
    const char *p = json, *end = json + len;
    p = skip_space(p, end);
    if (p == end || *p != '{') return NULL;
    cJSON *out = cJSON_CreateObject();
    if (!out) return NULL;
    p = skip_space(p + 1, end);
    if (p < end && *p == '}') return out;
    while (p < end && *p == '"') {
        const char *key = p, *key_end = skip_string(p, end);
        if (!key_end) goto bad;
        const char *colon = skip_space(key_end, end);
        if (colon == end || *colon != ':') goto bad;
        const char *value = skip_space(colon + 1, end), *value_end = skip_value(value, end);
        if (!value_end) goto bad;
        /* The name: raw bytes unless it holds escapes, then decoded. */
        cJSON *decoded = NULL;
        const char *name = NULL;
        size_t name_len = (size_t)(key_end - key) - 2;
        if (memchr(key + 1, '\\', name_len)) {
            decoded = cJSON_ParseWithLength(key, (size_t)(key_end - key));
            if (!cJSON_IsString(decoded)) {
                cJSON_Delete(decoded);
                goto bad;
            }
            name = decoded->valuestring;
            name_len = strlen(name);
        } else {
            name = key + 1;
        }
        int wanted = -1;
        for (int i = 0; i < n && wanted < 0; i++)
            if (strlen(names[i]) == name_len && memcmp(names[i], name, name_len) == 0) wanted = i;
        cJSON_Delete(decoded);
        if (wanted >= 0) {
            cJSON *v = cJSON_ParseWithLength(value, (size_t)(value_end - value));
            if (!v || !cJSON_AddItemToObject(out, names[wanted], v)) {
                cJSON_Delete(v);
                goto bad;
            }
        }
        p = skip_space(value_end, end);
        if (p < end && *p == ',') {
            p = skip_space(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') return out;
        goto bad;
    }
bad:
    cJSON_Delete(out);
    return NULL;
}
