/* value: AttributeValue operations for the evaluator. */
#include "value.h"

#include "../attr.h"
#include "base64.h"

#include <stdlib.h>
#include <string.h>

const char *value_type(const cJSON *av)
{
    return cJSON_IsObject(av) && av->child ? av->child->string : NULL;
}

const cJSON *value_inner(const cJSON *av) { return av ? av->child : NULL; }

int value_is(const cJSON *av, const char *type)
{
    const char *t = value_type(av);
    return t && strcmp(t, type) == 0;
}

int value_get_number(const cJSON *av, num_t *out)
{
    const cJSON *v = value_inner(av);
    return cJSON_IsString(v) && num_parse(v->valuestring, strlen(v->valuestring), out) == NUM_OK;
}

cJSON *value_number(const num_t *n)
{
    char text[NUM_MAX_TEXT + 1];
    num_format(n, text);
    cJSON *av = cJSON_CreateObject();
    if (av && !cJSON_AddStringToObject(av, "N", text)) {
        cJSON_Delete(av);
        return NULL;
    }
    return av;
}

/* Decoded bytes of a B value (or a BS member given as its string). */
static unsigned char *binary_bytes(const char *b64, size_t *len)
{
    size_t n = strlen(b64);
    unsigned char *out = malloc(n / 4 * 3 + 1);
    if (!out) return NULL;
    long got = base64_decode_strict(b64, n, out);
    if (got < 0) {
        free(out);
        return NULL;
    }
    *len = (size_t)got;
    return out;
}

static int bytes_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

/* Strings compare by their real bytes: a held NUL (C0 80) is a 0 byte. */
static int text_cmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (;;) {
        int cx = *x, cy = *y;
        if (cx == 0xC0 && x[1] == 0x80)
            cx = 0, x++;
        else if (!cx)
            cx = -1;
        if (cy == 0xC0 && y[1] == 0x80)
            cy = 0, y++;
        else if (!cy)
            cy = -1;
        if (cx != cy) return cx < cy ? -1 : 1;
        if (cx < 0) return 0;
        x++;
        y++;
    }
}

/* Compares two scalar members of type t ('S', 'N' or 'B') given as strings. */
static int scalar_cmp(char t, const char *a, const char *b)
{
    if (t == 'S') return text_cmp(a, b);
    if (t == 'N') {
        num_t x, y;
        if (num_parse(a, strlen(a), &x) || num_parse(b, strlen(b), &y)) return strcmp(a, b);
        return num_cmp(&x, &y);
    }
    size_t an = 0, bn = 0;
    unsigned char *x = binary_bytes(a, &an), *y = binary_bytes(b, &bn);
    int c = x && y ? bytes_cmp(x, an, y, bn) : strcmp(a, b);
    free(x);
    free(y);
    return c;
}

static int set_has(const cJSON *set, char t, const char *member)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, set)
    {
        if (cJSON_IsString(e) && scalar_cmp(t, e->valuestring, member) == 0) return 1;
    }
    return 0;
}

int value_equal(const cJSON *a, const cJSON *b)
{
    const char *ta = value_type(a), *tb = value_type(b);
    if (!ta || !tb || strcmp(ta, tb) != 0) return 0;
    const cJSON *x = value_inner(a), *y = value_inner(b);
    if (!strcmp(ta, "S") || !strcmp(ta, "N") || !strcmp(ta, "B"))
        return scalar_cmp(ta[0], x->valuestring, y->valuestring) == 0;
    if (!strcmp(ta, "BOOL") || !strcmp(ta, "NULL")) return cJSON_IsTrue(x) == cJSON_IsTrue(y);
    if (!strcmp(ta, "SS") || !strcmp(ta, "NS") || !strcmp(ta, "BS")) {
        if (cJSON_GetArraySize(x) != cJSON_GetArraySize(y)) return 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, x)
        {
            if (!set_has(y, ta[0], e->valuestring)) return 0;
        }
        return 1;
    }
    if (!strcmp(ta, "L")) {
        if (cJSON_GetArraySize(x) != cJSON_GetArraySize(y)) return 0;
        for (const cJSON *p = x->child, *q = y->child; p && q; p = p->next, q = q->next)
            if (!value_equal(p, q)) return 0;
        return 1;
    }
    /* M */
    if (cJSON_GetArraySize(x) != cJSON_GetArraySize(y)) return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, x)
    {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(y, e->string);
        if (!o || !value_equal(e, o)) return 0;
    }
    return 1;
}

int value_compare(const cJSON *a, const cJSON *b, int *cmp)
{
    const char *ta = value_type(a), *tb = value_type(b);
    if (!ta || !tb || strcmp(ta, tb) != 0) return 0;
    if (strcmp(ta, "S") && strcmp(ta, "N") && strcmp(ta, "B")) return 0;
    *cmp = scalar_cmp(ta[0], value_inner(a)->valuestring, value_inner(b)->valuestring);
    return 1;
}

long value_size(const cJSON *av)
{
    const char *t = value_type(av);
    const cJSON *v = value_inner(av);
    if (!t) return -1;
    if (!strcmp(t, "S")) return (long)attr_text_size(v->valuestring);
    if (!strcmp(t, "B")) {
        size_t n = 0;
        unsigned char *b = binary_bytes(v->valuestring, &n);
        free(b);
        return (long)n;
    }
    if (!strcmp(t, "SS") || !strcmp(t, "NS") || !strcmp(t, "BS") || !strcmp(t, "L") ||
        !strcmp(t, "M"))
        return cJSON_GetArraySize(v);
    return -1;
}

int value_contains(const cJSON *a, const cJSON *b)
{
    const char *ta = value_type(a), *tb = value_type(b);
    if (!ta || !tb) return 0;
    const cJSON *x = value_inner(a), *y = value_inner(b);
    if (!strcmp(ta, "S")) return !strcmp(tb, "S") && strstr(x->valuestring, y->valuestring) != NULL;
    if (!strcmp(ta, "SS") || !strcmp(ta, "NS") || !strcmp(ta, "BS"))
        return tb[0] == ta[0] && tb[1] == '\0' && set_has(x, ta[0], y->valuestring);
    if (!strcmp(ta, "L")) {
        const cJSON *e;
        cJSON_ArrayForEach(e, x)
        {
            if (value_equal(e, b)) return 1;
        }
    }
    return 0;
}

int value_begins_with(const cJSON *a, const cJSON *b)
{
    const char *ta = value_type(a), *tb = value_type(b);
    if (!ta || !tb || strcmp(ta, tb) != 0) return 0;
    const cJSON *x = value_inner(a), *y = value_inner(b);
    if (!strcmp(ta, "S"))
        return strncmp(x->valuestring, y->valuestring, strlen(y->valuestring)) == 0;
    if (strcmp(ta, "B")) return 0;
    size_t xn = 0, yn = 0;
    unsigned char *xb = binary_bytes(x->valuestring, &xn), *yb = binary_bytes(y->valuestring, &yn);
    int r = xb && yb && yn <= xn && memcmp(xb, yb, yn) == 0;
    free(xb);
    free(yb);
    return r;
}

cJSON *value_set_union(const cJSON *a, const cJSON *b)
{
    cJSON *out = cJSON_Duplicate(a, 1);
    if (!out) return NULL;
    const char *t = value_type(a);
    cJSON *arr = out->child;
    const cJSON *e;
    cJSON_ArrayForEach(e, value_inner(b))
    {
        if (!set_has(arr, t[0], e->valuestring))
            cJSON_AddItemToArray(arr, cJSON_CreateString(e->valuestring));
    }
    return out;
}

cJSON *value_set_minus(const cJSON *a, const cJSON *b)
{
    const char *t = value_type(a);
    cJSON *out = cJSON_CreateObject();
    cJSON *arr = out ? cJSON_AddArrayToObject(out, t) : NULL;
    if (!arr) {
        cJSON_Delete(out);
        return NULL;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, value_inner(a))
    {
        if (!set_has(value_inner(b), t[0], e->valuestring))
            cJSON_AddItemToArray(arr, cJSON_CreateString(e->valuestring));
    }
    if (!arr->child) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}
