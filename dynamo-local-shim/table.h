/* table: a table's schema and description, and the keys it defines.
 *
 * A table_t is what the server knows of a table: its name, catalog id, key
 * schema and the JSON of its TableDescription (without the live figures,
 * which the caller adds). The server owns every table_t; table_free accepts
 * NULL.
 */
#ifndef TABLE_H
#define TABLE_H

#include "error.h"
#include "strbuf.h"
#include "tindex.h"

#include <cjson/cJSON.h>

#define TABLE_MAX_HASH_KEY 2048
#define TABLE_MAX_RANGE_KEY 1024

typedef struct table {
    char *name;
    long long id;
    char *hash, *range; /* key attribute names; range NULL for a simple key */
    char htype, rtype;  /* 'S', 'N' or 'B'; rtype 0 without a range key */
    cJSON *desc;        /* TableDescription without ItemCount / TableSizeBytes */
    tindex_t *indexes;  /* global and local secondary indexes */
    int nindexes;
    char *ttl_attr; /* the Time to Live attribute; NULL while TTL is disabled */
} table_t;

/* The live figures of a table and of each of its indexes (in t->indexes
 * order) for a description. */
typedef struct table_stats {
    long long count, bytes;
    const long long *index_count, *index_bytes;
} table_stats_t;

/* Checks a CreateTable request (everything but whether the name is taken) and
 * builds the table, id 0. *out is set only on success. */
ddb_code_t table_from_request(const cJSON *req, const char *region, table_t **out,
                              ddb_error_t *err);
/* Rebuilds a table from its stored description. NULL if it is not one. */
table_t *table_from_desc(long long id, const char *desc);
void table_free(table_t *t);

/* Appends the TableDescription JSON with the given status and figures. */
strbuf_err_t table_describe(const table_t *t, const char *status, const table_stats_t *stats,
                            strbuf_t *out);
/* The index named name, or NULL. */
tindex_t *table_index(const table_t *t, const char *name);
tindex_table_key_t table_key_names(const table_t *t);
/* Adds a checked index (taking over its strings) and its description
 * member. Returns 0, or -1 when out of memory. */
int table_add_index(table_t *t, tindex_t *ix, const cJSON *spec);
void table_remove_index(table_t *t, const char *name);
/* Sets or clears (attr NULL) the TTL attribute, kept in the stored description. */
int table_set_ttl(table_t *t, const char *attr);

/* How table_key reads its input, which decides DynamoDB's messages. */
typedef enum table_key_mode {
    TABLE_KEY_ITEM,      /* a whole item: missing key attributes are named */
    TABLE_KEY_KEY,       /* a Key parameter: exactly the key attributes */
    TABLE_KEY_START,     /* an ExclusiveStartKey */
    TABLE_KEY_BATCH_ITEM /* an item in BatchWriteItem: "does not match the schema" */
} table_key_mode_t;

/* Builds the key bytes of obj (an item or a key map, already checked by
 * attr) into key. */
ddb_code_t table_key(const table_t *t, const cJSON *obj, table_key_mode_t mode, strbuf_t *key,
                     ddb_error_t *err);
/* Appends, to key, the partition segment only (for Query). value is the
 * AttributeValue given for the partition key. */
ddb_code_t table_key_part(const table_t *t, int range, const cJSON *value, strbuf_t *key,
                          int closed, ddb_error_t *err);
/* Appends to out the JSON map of the item's key attributes (LastEvaluatedKey). */
strbuf_err_t table_key_json(const table_t *t, const cJSON *item, strbuf_t *out);

#endif
