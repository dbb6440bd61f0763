#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    S_GET,
    S_PUT,
    S_DEL,
    S_RANGE_ASC,
    S_RANGE_DESC,
    S_RANGE_ASC_OPEN,
    S_RANGE_DESC_OPEN,
    S_IX_PUT,
    S_IX_REMOVE,
    S_IX_RANGE_ASC,
    S_IX_RANGE_DESC,
    S_IX_RANGE_ASC_OPEN,
    S_IX_RANGE_DESC_OPEN,
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_COUNT
};

static const char *const sql_text[S_COUNT] = {
    [S_GET] = "SELECT item FROM items WHERE t=?1 AND k=?2",
    [S_PUT] = "INSERT OR REPLACE INTO items(t,k,size,item) VALUES(?1,?2,?3,?4)",
    [S_DEL] = "DELETE FROM items WHERE t=?1 AND k=?2",
    [S_RANGE_ASC] = "SELECT k,item,size FROM items WHERE t=?1 AND k>=?2 AND k<?3 ORDER BY k",
    [S_RANGE_DESC] = "SELECT k,item,size FROM items WHERE t=?1 AND k>=?2 AND k<?3 ORDER BY k DESC",
    [S_RANGE_ASC_OPEN] = "SELECT k,item,size FROM items WHERE t=?1 AND k>=?2 ORDER BY k",
    [S_RANGE_DESC_OPEN] = "SELECT k,item,size FROM items WHERE t=?1 AND k>=?2 ORDER BY k DESC",
    [S_IX_PUT] = "INSERT OR REPLACE INTO idx(t,ix,k,pk,size) VALUES(?1,?2,?3,?4,?5)",
    [S_IX_REMOVE] = "DELETE FROM idx WHERE t=?1 AND pk=?2",
    [S_IX_RANGE_ASC] =
        "SELECT k,pk,size FROM idx WHERE t=?1 AND ix=?4 AND k>=?2 AND k<?3 ORDER BY k",
    [S_IX_RANGE_DESC] =
        "SELECT k,pk,size FROM idx WHERE t=?1 AND ix=?4 AND k>=?2 AND k<?3 ORDER BY k DESC",
    [S_IX_RANGE_ASC_OPEN] = "SELECT k,pk,size FROM idx WHERE t=?1 AND ix=?4 AND k>=?2 ORDER BY k",
    [S_IX_RANGE_DESC_OPEN] =
        "SELECT k,pk,size FROM idx WHERE t=?1 AND ix=?4 AND k>=?2 ORDER BY k DESC",
    [S_BEGIN] = "BEGIN",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
    sqlite3_stmt *range; /* the open range, or NULL */
};

const char *store_strerror(store_err_t err)
{
    switch (err) {
    case STORE_OK: return "ok";
    case STORE_ERR_OPEN: return "cannot open the database";
    case STORE_ERR_SQL: return "database error";
    case STORE_ERR_NOMEM: return "out of memory";
    case STORE_ERR_BUSY: return "a range is already open";
    }
    return "unknown error";
}

const char *store_last_sqlite(const store_t *st) { return sqlite3_errmsg(st->db); }

static store_err_t exec(store_t *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? STORE_OK : STORE_ERR_SQL;
}

store_err_t store_open(const char *path, store_t **out)
{
    store_t *st = calloc(1, sizeof *st);
    if (!st) return STORE_ERR_NOMEM;
    store_err_t err = STORE_ERR_OPEN;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path ? path : ":memory:", &st->db, flags, NULL) != SQLITE_OK) goto fail;
    err = STORE_ERR_SQL;
    /* Items live in a WITHOUT ROWID b-tree, whose rows stay inline only up to
     * about a quarter of a page: 16 KB pages keep 1 KB items off overflow
     * pages (4 KB pages would put each one on a page of its own). Only takes
     * effect for a new database. */
    if (exec(st, "PRAGMA page_size=16384;")) goto fail;
    if (path) {
        /* WAL with NORMAL sync: a killed process loses no committed write. */
        if (exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")) goto fail;
    }
    if (exec(st, "CREATE TABLE IF NOT EXISTS tables(id INTEGER PRIMARY KEY, name TEXT UNIQUE "
                 "NOT NULL, descr TEXT NOT NULL);"
                 "CREATE TABLE IF NOT EXISTS items(t INTEGER NOT NULL, k BLOB NOT NULL, size "
                 "INTEGER NOT NULL, item TEXT NOT NULL, PRIMARY KEY(t,k)) WITHOUT ROWID;"
                 "CREATE TABLE IF NOT EXISTS idx(t INTEGER NOT NULL, ix TEXT NOT NULL, k BLOB NOT "
                 "NULL, pk BLOB NOT NULL, size INTEGER NOT NULL, PRIMARY KEY(t,ix,k)) WITHOUT "
                 "ROWID;"
                 "CREATE INDEX IF NOT EXISTS idx_pk ON idx(t,pk);"))
        goto fail;
    for (int i = 0; i < S_COUNT; i++)
        if (sqlite3_prepare_v3(st->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
                               NULL) != SQLITE_OK)
            goto fail;
    *out = st;
    return STORE_OK;
fail:
    store_close(st);
    return err;
}

void store_close(store_t *st)
{
    if (!st) return;
    for (int i = 0; i < S_COUNT; i++) sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st);
}

store_err_t store_tables_load(store_t *st, store_table_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT id,name,descr FROM tables ORDER BY name", -1, &s,
                           NULL) != SQLITE_OK)
        return STORE_ERR_SQL;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
           (const char *)sqlite3_column_text(s, 2));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERR_SQL;
}

store_err_t store_table_create(store_t *st, const char *name, const char *desc, long long *id)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO tables(name,descr) VALUES(?1,?2)", -1, &s, NULL) !=
        SQLITE_OK)
        return STORE_ERR_SQL;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, desc, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return STORE_ERR_SQL;
    *id = sqlite3_last_insert_rowid(st->db);
    return STORE_OK;
}

store_err_t store_table_delete(store_t *st, long long id)
{
    sqlite3_stmt *s = NULL;
    store_err_t err = STORE_ERR_SQL;
    if (store_begin(st)) return STORE_ERR_SQL;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM items WHERE t=?1", -1, &s, NULL) != SQLITE_OK)
        goto done;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE) goto done;
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM idx WHERE t=?1", -1, &s, NULL) != SQLITE_OK)
        goto done;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE) goto done;
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM tables WHERE id=?1", -1, &s, NULL) != SQLITE_OK)
        goto done;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE) goto done;
    err = store_commit(st);
done:
    sqlite3_finalize(s);
    if (err) store_rollback(st);
    return err;
}

store_err_t store_table_stats(store_t *st, long long id, long long *count, long long *bytes)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*), coalesce(sum(size),0) FROM items WHERE t=?1",
                           -1, &s, NULL) != SQLITE_OK)
        return STORE_ERR_SQL;
    sqlite3_bind_int64(s, 1, id);
    store_err_t err = STORE_ERR_SQL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *count = sqlite3_column_int64(s, 0);
        *bytes = sqlite3_column_int64(s, 1);
        err = STORE_OK;
    }
    sqlite3_finalize(s);
    return err;
}

static store_err_t step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERR_SQL;
}

store_err_t store_begin(store_t *st) { return step_done(st->stmt[S_BEGIN]); }
store_err_t store_commit(store_t *st) { return step_done(st->stmt[S_COMMIT]); }
void store_rollback(store_t *st) { (void)step_done(st->stmt[S_ROLLBACK]); }

store_err_t store_item_get(store_t *st, long long t, const void *k, size_t kn, strbuf_t *out,
                           int *found)
{
    sqlite3_stmt *s = st->stmt[S_GET];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_blob(s, 2, k, (int)kn, SQLITE_STATIC);
    store_err_t err = STORE_OK;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *found = 1;
        if (strbuf_add(out, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0)))
            err = STORE_ERR_NOMEM;
    } else if (rc == SQLITE_DONE) {
        *found = 0;
    } else {
        err = STORE_ERR_SQL;
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return err;
}

store_err_t store_item_put(store_t *st, long long t, const void *k, size_t kn, const char *item,
                           size_t len, size_t size, strbuf_t *old, int *had_old)
{
    if (old) {
        store_err_t err = store_item_get(st, t, k, kn, old, had_old);
        if (err) return err;
    }
    sqlite3_stmt *s = st->stmt[S_PUT];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_blob(s, 2, k, (int)kn, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)size);
    sqlite3_bind_text(s, 4, item, (int)len, SQLITE_STATIC);
    store_err_t err = step_done(s);
    sqlite3_clear_bindings(s);
    return err;
}

store_err_t store_item_delete(store_t *st, long long t, const void *k, size_t kn, strbuf_t *old,
                              int *had_old)
{
    if (old) {
        store_err_t err = store_item_get(st, t, k, kn, old, had_old);
        if (err) return err;
    }
    sqlite3_stmt *s = st->stmt[S_DEL];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_blob(s, 2, k, (int)kn, SQLITE_STATIC);
    store_err_t err = step_done(s);
    sqlite3_clear_bindings(s);
    return err;
}

store_err_t store_range_open(store_t *st, long long t, const void *lo, size_t lon, const void *hi,
                             size_t hin, int descending)
{
    if (st->range) return STORE_ERR_BUSY;
    int which = hi ? (descending ? S_RANGE_DESC : S_RANGE_ASC)
                   : (descending ? S_RANGE_DESC_OPEN : S_RANGE_ASC_OPEN);
    sqlite3_stmt *s = st->stmt[which];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_blob(s, 2, lo ? lo : "", (int)lon, SQLITE_STATIC);
    if (hi) sqlite3_bind_blob(s, 3, hi, (int)hin, SQLITE_STATIC);
    st->range = s;
    return STORE_OK;
}

store_err_t store_range_next(store_t *st, const void **k, size_t *kn, const char **item,
                             size_t *ilen, size_t *size, int *done)
{
    int rc = sqlite3_step(st->range);
    if (rc == SQLITE_DONE) {
        *done = 1;
        return STORE_OK;
    }
    if (rc != SQLITE_ROW) return STORE_ERR_SQL;
    *done = 0;
    *k = sqlite3_column_blob(st->range, 0);
    *kn = (size_t)sqlite3_column_bytes(st->range, 0);
    *item = (const char *)sqlite3_column_blob(st->range, 1);
    *ilen = (size_t)sqlite3_column_bytes(st->range, 1);
    *size = (size_t)sqlite3_column_int64(st->range, 2);
    return STORE_OK;
}

void store_range_close(store_t *st)
{
    if (!st->range) return;
    sqlite3_reset(st->range);
    sqlite3_clear_bindings(st->range);
    st->range = NULL;
}

int store_in_transaction(const store_t *st) { return !sqlite3_get_autocommit(st->db); }

store_err_t store_index_put(store_t *st, long long t, const char *ix, const void *k, size_t kn,
                            const void *pk, size_t pkn, size_t size)
{
    sqlite3_stmt *s = st->stmt[S_IX_PUT];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_text(s, 2, ix, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, k, (int)kn, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, pk, (int)pkn, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)size);
    store_err_t err = step_done(s);
    sqlite3_clear_bindings(s);
    return err;
}

store_err_t store_index_remove(store_t *st, long long t, const void *pk, size_t pkn)
{
    sqlite3_stmt *s = st->stmt[S_IX_REMOVE];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_blob(s, 2, pk, (int)pkn, SQLITE_STATIC);
    store_err_t err = step_done(s);
    sqlite3_clear_bindings(s);
    return err;
}

store_err_t store_index_drop(store_t *st, long long t, const char *ix)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM idx WHERE t=?1 AND ix=?2", -1, &s, NULL) !=
        SQLITE_OK)
        return STORE_ERR_SQL;
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_text(s, 2, ix, -1, SQLITE_STATIC);
    store_err_t err = sqlite3_step(s) == SQLITE_DONE ? STORE_OK : STORE_ERR_SQL;
    sqlite3_finalize(s);
    return err;
}

store_err_t store_index_stats(store_t *st, long long t, const char *ix, long long *count,
                              long long *bytes)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT count(*), coalesce(sum(size),0) FROM idx WHERE t=?1 AND ix=?2",
                           -1, &s, NULL) != SQLITE_OK)
        return STORE_ERR_SQL;
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_text(s, 2, ix, -1, SQLITE_STATIC);
    store_err_t err = STORE_ERR_SQL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *count = sqlite3_column_int64(s, 0);
        *bytes = sqlite3_column_int64(s, 1);
        err = STORE_OK;
    }
    sqlite3_finalize(s);
    return err;
}

store_err_t store_index_range_open(store_t *st, long long t, const char *ix, const void *lo,
                                   size_t lon, const void *hi, size_t hin, int descending)
{
    if (st->range) return STORE_ERR_BUSY;
    int which = hi ? (descending ? S_IX_RANGE_DESC : S_IX_RANGE_ASC)
                   : (descending ? S_IX_RANGE_DESC_OPEN : S_IX_RANGE_ASC_OPEN);
    sqlite3_stmt *s = st->stmt[which];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_blob(s, 2, lo ? lo : "", (int)lon, SQLITE_STATIC);
    if (hi) sqlite3_bind_blob(s, 3, hi, (int)hin, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, ix, -1, SQLITE_STATIC);
    st->range = s;
    return STORE_OK;
}

store_err_t store_table_update(store_t *st, long long id, const char *desc)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "UPDATE tables SET descr=?2 WHERE id=?1", -1, &s, NULL) !=
        SQLITE_OK)
        return STORE_ERR_SQL;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, desc, -1, SQLITE_STATIC);
    store_err_t err = sqlite3_step(s) == SQLITE_DONE ? STORE_OK : STORE_ERR_SQL;
    sqlite3_finalize(s);
    return err;
}

store_err_t store_expired(store_t *st, long long t, const char *attr, double now, size_t max,
                          store_key_fn fn, void *ctx)
{
    /* Five years: DynamoDB leaves alone items whose expiry is further back. */
    const double oldest = now - 5 * 365.25 * 86400;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT k FROM items WHERE t=?1 AND "
                           "CAST(json_extract(item, ?2) AS REAL) BETWEEN ?3 AND ?4 "
                           "AND json_type(item, ?2) = 'text' LIMIT ?5",
                           -1, &s, NULL) != SQLITE_OK)
        return STORE_ERR_SQL;
    char path[600];
    snprintf(path, sizeof path, "$.\"%s\".N", attr);
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_text(s, 2, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 3, oldest);
    sqlite3_bind_double(s, 4, now);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERR_SQL;
}
