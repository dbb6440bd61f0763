/* store: the SQLite side of the server.
 *
 * Tables are rows of a catalog (name, id, description JSON); items are rows
 * keyed by (table id, key bytes from keycodec) holding the item's canonical
 * JSON and its DynamoDB size. Statements are prepared once. In memory by
 * default; a file database runs in WAL mode so it survives restarts and
 * crashes of the process. One thread uses a store at a time.
 *
 * Item text handed out by a read (store_item_get's strbuf, a range's item
 * pointer) belongs to the caller's strbuf or, for ranges, to the store until
 * the next store_range_next or store_range_close.
 */
#ifndef STORE_H
#define STORE_H

#include "strbuf.h"

#include <stddef.h>

typedef struct store store_t;

typedef enum store_err {
    STORE_OK = 0,
    STORE_ERR_OPEN, /* the database could not be opened */
    STORE_ERR_SQL,  /* SQLite reported an error (see store_last_sqlite) */
    STORE_ERR_NOMEM,
    STORE_ERR_BUSY /* another range is open */
} store_err_t;

const char *store_strerror(store_err_t err);
const char *store_last_sqlite(const store_t *st);

/* path NULL: a private in-memory database. *out is set only on success. */
store_err_t store_open(const char *path, store_t **out);
void store_close(store_t *st); /* accepts NULL */

typedef void (*store_table_fn)(void *ctx, long long id, const char *name, const char *desc);
store_err_t store_tables_load(store_t *st, store_table_fn fn, void *ctx);
store_err_t store_table_create(store_t *st, const char *name, const char *desc, long long *id);
/* Replaces the table's stored description. */
store_err_t store_table_update(store_t *st, long long id, const char *desc);
/* Removes the table and every item in it. */
store_err_t store_table_delete(store_t *st, long long id);
store_err_t store_table_stats(store_t *st, long long id, long long *count, long long *bytes);

store_err_t store_begin(store_t *st);
store_err_t store_commit(store_t *st);
void store_rollback(store_t *st);

/* Appends the item's JSON to out when found; *found says whether it was. */
store_err_t store_item_get(store_t *st, long long t, const void *k, size_t kn, strbuf_t *out,
                           int *found);
/* Writes the item; when old is not NULL, appends the replaced item to it and
 * sets *had_old. */
store_err_t store_item_put(store_t *st, long long t, const void *k, size_t kn, const char *item,
                           size_t len, size_t size, strbuf_t *old, int *had_old);
store_err_t store_item_delete(store_t *st, long long t, const void *k, size_t kn, strbuf_t *old,
                              int *had_old);

/* Items with lo <= key < hi (hi NULL: no upper bound), ascending or
 * descending. One range may be open at a time. */
store_err_t store_range_open(store_t *st, long long t, const void *lo, size_t lon, const void *hi,
                             size_t hin, int descending);
/* *done is set when no item is left; otherwise the item's fields are set. */
store_err_t store_range_next(store_t *st, const void **k, size_t *kn, const char **item,
                             size_t *ilen, size_t *size, int *done);
void store_range_close(store_t *st);

/* Keys of up to max items of table t whose Number attribute attr holds a
 * time (epoch seconds) that has passed: before now, but not more than five
 * years before it. */
typedef void (*store_key_fn)(void *ctx, const void *k, size_t kn);
store_err_t store_expired(store_t *st, long long t, const char *attr, double now, size_t max,
                          store_key_fn fn, void *ctx);

/* Whether a transaction (store_begin) is open. */
int store_in_transaction(const store_t *st);

/* Secondary index entries: (table, index name, key bytes) -> the item's
 * primary key bytes. An item's entries in every index of its table are
 * removed at once by its primary key. */
store_err_t store_index_put(store_t *st, long long t, const char *ix, const void *k, size_t kn,
                            const void *pk, size_t pkn, size_t size);
store_err_t store_index_remove(store_t *st, long long t, const void *pk, size_t pkn);
store_err_t store_index_drop(store_t *st, long long t, const char *ix);
store_err_t store_index_stats(store_t *st, long long t, const char *ix, long long *count,
                              long long *bytes);
/* A range over one index (hi NULL: no upper bound); store_range_next then
 * hands out the entry's key as k and the item's primary key as item. */
store_err_t store_index_range_open(store_t *st, long long t, const char *ix, const void *lo,
                                   size_t lon, const void *hi, size_t hin, int descending);

#endif
