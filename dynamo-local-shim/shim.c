#include "shim.h"

#include "attr.h"
#include "ops/ops.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *shim_strerror(shim_err_t err)
{
    switch (err) {
    case SHIM_OK: return "ok";
    case SHIM_ERR_STORE: return "cannot open the database";
    case SHIM_ERR_NOMEM: return "out of memory";
    }
    return "unknown error";
}

static void load_table(void *ctx, long long id, const char *name, const char *desc)
{
    (void)name;
    table_t *t = table_from_desc(id, desc);
    if (t && shim_table_add(ctx, t)) table_free(t);
}

shim_err_t shim_open(const char *db, const char *region, shim_t **out)
{
    shim_t *s = calloc(1, sizeof *s);
    if (!s) return SHIM_ERR_NOMEM;
    snprintf(s->region, sizeof s->region, "%s", region ? region : "us-east-1");
    pthread_mutex_init(&s->lock, NULL);
    if (store_open(db, &s->store) || store_tables_load(s->store, load_table, s)) {
        shim_close(s);
        return SHIM_ERR_STORE;
    }
    *out = s;
    return SHIM_OK;
}

void shim_close(shim_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->ntables; i++) table_free(s->tables[i]);
    for (int i = 0; i < SHIM_TOKENS; i++) free(s->tokens[i].response);
    free(s->tables);
    store_close(s->store);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

table_t *shim_table(shim_t *s, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (strcmp(s->tables[i]->name, name) == 0) return s->tables[i];
    return NULL;
}

int shim_table_add(shim_t *s, table_t *t)
{
    if (s->ntables == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        table_t **p = realloc(s->tables, cap * sizeof *p);
        if (!p) return -1;
        s->tables = p;
        s->cap = cap;
    }
    s->tables[s->ntables++] = t;
    return 0;
}

void shim_table_remove(shim_t *s, table_t *t)
{
    for (size_t i = 0; i < s->ntables; i++) {
        if (s->tables[i] != t) continue;
        memmove(&s->tables[i], &s->tables[i + 1], (s->ntables - i - 1) * sizeof *s->tables);
        s->ntables--;
        table_free(t);
        return;
    }
}

static const struct {
    const char *name;
    op_fn fn;
} operations[] = {
    {"BatchGetItem", op_batch_get_item},
    {"BatchWriteItem", op_batch_write_item},
    {"CreateTable", op_create_table},
    {"DeleteItem", op_delete_item},
    {"DeleteTable", op_delete_table},
    {"DescribeTable", op_describe_table},
    {"GetItem", op_get_item},
    {"ListTables", op_list_tables},
    {"PutItem", op_put_item},
    {"Query", op_query},
    {"Scan", op_scan},
    {"TransactGetItems", op_transact_get_items},
    {"TransactWriteItems", op_transact_write_items},
    {"UpdateTable", op_update_table},
    {"UpdateTimeToLive", op_update_time_to_live},
    {"DescribeTimeToLive", op_describe_time_to_live},
    {"UpdateItem", op_update_item},
};

#define TARGET_PREFIX "DynamoDB_20120810."

static void error_body(const ddb_error_t *err, strbuf_t *out)
{
    strbuf_reset(out);
    strbuf_addf(out, "{\"__type\":\"%s#%s\"", ddb_code_namespace(err->code),
                ddb_code_name(err->code));
    if (err->msg[0]) {
        strbuf_addf(out, ",\"%s\":", ddb_code_message_member(err->code));
        strbuf_add_json_str(out, err->msg, strlen(err->msg));
    }
    if (err->extra) {
        strbuf_addc(out, ',');
        strbuf_adds(out, err->extra);
    }
    strbuf_addc(out, '}');
}

/* Whether p[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
static int utf8_valid(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned long cp;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return 0;
        if (n - i < len) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += len;
    }
    return 1;
}

/* Escaped NULs (\u0000) are held as C0 80 inside the server (see attr.h). */
static int has_escaped_nul(const char *body, size_t len)
{
    for (const char *p = body; (p = memchr(p, '\\', len - (size_t)(p - body))); p += 2) {
        if ((size_t)(body + len - p) >= 6 && memcmp(p, "\\u0000", 6) == 0) return 1;
        if (p + 1 >= body + len) break;
    }
    return 0;
}

/* A copy of body with each escaped NUL replaced by C0 80; NULL when out of
 * memory. *len is updated. */
static char *hold_nuls(const char *body, size_t *len)
{
    char *copy = malloc(*len + 1);
    if (!copy) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < *len; i++) {
        if (body[i] == '\\' && i + 1 < *len) {
            if (*len - i >= 6 && memcmp(body + i, "\\u0000", 6) == 0) {
                memcpy(copy + k, ATTR_NUL, 2);
                k += 2;
                i += 5;
            } else {
                copy[k++] = body[i++];
                copy[k++] = body[i];
            }
            continue;
        }
        copy[k++] = body[i];
    }
    copy[k] = '\0';
    *len = k;
    return copy;
}

/* Turns held NULs (C0 80) in a response back into \u0000 escapes. 0xC0
 * never occurs in valid UTF-8, so the quick memchr rarely finds anything
 * else; the loop converts the pairs only. */
static void release_nuls(strbuf_t *out)
{
    if (!out->data || !memchr(out->data, 0xC0, out->len)) return;
    strbuf_t copy;
    strbuf_init(&copy, out->limit);
    for (size_t i = 0; i < out->len; i++) {
        if ((unsigned char)out->data[i] == 0xC0 && i + 1 < out->len &&
            (unsigned char)out->data[i + 1] == 0x80) {
            strbuf_add(&copy, "\\u0000", 6);
            i++;
        } else {
            strbuf_addc(&copy, out->data[i]);
        }
    }
    strbuf_free(out);
    *out = copy;
}

static unsigned handle(shim_t *s, const char *target, const char *body, size_t len, strbuf_t *out);

unsigned shim_handle(shim_t *s, const char *target, const char *body, size_t len, strbuf_t *out)
{
    pthread_mutex_lock(&s->lock);
    unsigned status = handle(s, target, body, len, out);
    pthread_mutex_unlock(&s->lock);
    return status;
}

typedef struct expired {
    strbuf_t keys; /* length-prefixed keys */
} expired_t;

static void collect_key(void *ctx, const void *k, size_t kn)
{
    expired_t *x = ctx;
    uint32_t n = (uint32_t)kn;
    strbuf_add(&x->keys, &n, sizeof n);
    strbuf_add(&x->keys, k, kn);
}

int shim_expire(shim_t *s)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int deleted = 0;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->ntables; i++) {
        table_t *t = s->tables[i];
        /* A name with a quote cannot be put in a JSON path: such tables
         * keep their items. */
        if (!t->ttl_attr || strchr(t->ttl_attr, '"')) continue;
        expired_t x;
        strbuf_init(&x.keys, 1 << 24);
        if (store_expired(s->store, t->id, t->ttl_attr, (double)now.tv_sec, 1000, collect_key,
                          &x) == STORE_OK) {
            strbuf_t key;
            strbuf_init(&key, 1 << 16);
            for (size_t off = 0; off + sizeof(uint32_t) <= x.keys.len;) {
                uint32_t n;
                memcpy(&n, x.keys.data + off, sizeof n);
                off += sizeof n;
                strbuf_reset(&key);
                strbuf_add(&key, x.keys.data + off, n);
                off += n;
                ddb_error_t err;
                if (ops_store_delete(s, t, &key, NULL, NULL, &err) == DDB_OK) deleted++;
            }
            strbuf_free(&key);
        }
        strbuf_free(&x.keys);
    }
    pthread_mutex_unlock(&s->lock);
    return deleted;
}

unsigned shim_error(const ddb_error_t *err, strbuf_t *out)
{
    error_body(err, out);
    release_nuls(out);
    return ddb_code_status(err->code);
}

static unsigned handle(shim_t *s, const char *target, const char *body, size_t len, strbuf_t *out)
{
    ddb_error_t err = {0};
    cJSON *req = NULL;
    op_fn fn = NULL;
    if (len > SHIM_MAX_REQUEST) {
        ddb_fail(&err, DDB_E_REQUEST_TOO_LARGE, "Request entity too large");
        goto fail;
    }
    if (!utf8_valid((const unsigned char *)body, len)) {
        err.code = DDB_E_SERIALIZATION;
        goto fail;
    }
    char *held = NULL;
    if (has_escaped_nul(body, len)) {
        if (!(held = hold_nuls(body, &len))) {
            ddb_fail(&err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
            goto fail;
        }
        body = held;
    }
    req = cJSON_ParseWithLength(body, len);
    free(held);
    if (!req || !cJSON_IsObject(req)) {
        /* Coral gives no message for a body that is not JSON. */
        err.code = DDB_E_SERIALIZATION;
        if (cJSON_IsArray(req))
            ddb_fail(&err, DDB_E_SERIALIZATION, "Start of list found where not expected");
        goto fail;
    }
    if (target && strncmp(target, TARGET_PREFIX, strlen(TARGET_PREFIX)) == 0) {
        const char *op = target + strlen(TARGET_PREFIX);
        for (size_t i = 0; i < sizeof operations / sizeof *operations; i++)
            if (strcmp(op, operations[i].name) == 0) fn = operations[i].fn;
    }
    if (!fn) {
        err.code = DDB_E_UNKNOWN_OPERATION;
        goto fail;
    }
    strbuf_reset(out);
    if (fn(s, req, out, &err) != DDB_OK) goto fail;
    cJSON_Delete(req);
    release_nuls(out);
    return 200;
fail:
    cJSON_Delete(req);
    error_body(&err, out);
    release_nuls(out);
    free(err.extra);
    return ddb_code_status(err.code);
}
