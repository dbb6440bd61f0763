/* tindex: a table's secondary indexes (global and local): their definitions
 * as CreateTable and UpdateTable give them, checked as DynamoDB checks them,
 * and what an item looks like through one (its index key, its projection).
 *
 * A tindex_t owns its strings; tindex_clear releases them. Index entries are
 * stored by store.c under (table id, index name, key bytes): the index key
 * segments followed by the table key bytes, so entries order by index key
 * and stay unique.
 */
#ifndef TINDEX_H
#define TINDEX_H

#include "error.h"
#include "strbuf.h"

#include <cjson/cJSON.h>

#define TINDEX_MAX_GLOBAL 20
#define TINDEX_MAX_LOCAL 5

typedef enum tindex_proj { TINDEX_ALL, TINDEX_KEYS_ONLY, TINDEX_INCLUDE } tindex_proj_t;

typedef struct tindex {
    char *name;
    int global;
    char *hash, *range; /* range NULL without a sort key */
    char htype, rtype;
    tindex_proj_t proj;
    char **include; /* NonKeyAttributes of an INCLUDE projection */
    int ninclude;
    int creating; /* added by UpdateTable and not yet described as ACTIVE */
    int deleting; /* being removed by the UpdateTable that describes it */
} tindex_t;

/* The table's key, which every index also carries. */
typedef struct tindex_table_key {
    const char *hash, *range;
} tindex_table_key_t;

/* The AttributeType given for name in AttributeDefinitions, or NULL. */
const char *tindex_attribute_type(const cJSON *defs, const char *name);

/* Checks one GlobalSecondaryIndexes / LocalSecondaryIndexes member (position
 * counts from 1, for messages) against the attribute definitions and the
 * table key, and fills *out. provisioned: the table bills by provisioned
 * throughput, so a GSI must give its own. */
ddb_code_t tindex_parse(const cJSON *spec, int global, int position, const cJSON *defs,
                        tindex_table_key_t tk, int provisioned, tindex_t *out, ddb_error_t *err);
/* Checks a whole list: length, duplicate names (also across lists: pass the
 * indexes already accepted in have / nhave). */
ddb_code_t tindex_check_list(const cJSON *list, int global, const tindex_t *have, int nhave,
                             ddb_error_t *err);
/* Rebuilds an index from its description member. Returns 0 on success. */
int tindex_from_desc(const cJSON *desc, int global, const cJSON *defs, tindex_t *out);
void tindex_clear(tindex_t *ix);

/* The description member DynamoDB shows for the index (without the live
 * figures): IndexName, KeySchema, Projection, IndexArn. */
cJSON *tindex_desc(const cJSON *spec, const char *table_arn);

/* Whether an item's attributes of the index key are usable: absent is fine
 * (the item is not in the index), a wrong type or an empty value is an error
 * worded as DynamoDB words it. */
ddb_code_t tindex_check_item(const tindex_t *ix, const cJSON *item, ddb_error_t *err);
/* Appends the index key segments of item; returns 0 when the item lacks an
 * index key attribute (a sparse index leaves it out), 1 otherwise. */
int tindex_key(const tindex_t *ix, const cJSON *item, strbuf_t *key);
/* Whether the index carries attribute name for an item. */
int tindex_projects(const tindex_t *ix, tindex_table_key_t tk, const char *name);
/* A new item holding only what the index projects. */
cJSON *tindex_project(const tindex_t *ix, tindex_table_key_t tk, const cJSON *item);

#endif
