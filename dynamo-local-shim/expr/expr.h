/* expr: the parts of DynamoDB's expression language the core API needs:
 * KeyConditionExpression and ProjectionExpression, over a shared lexer, with
 * the bookkeeping of ExpressionAttributeNames / Values (undefined ones are
 * errors when used, unused ones when the request is complete).
 *
 * Results point into the request's cJSON tree and the expression text's
 * copy held by the result; free them with the matching *_free (NULL ok).
 */
#ifndef EXPR_H
#define EXPR_H

#include "../error.h"

#include <cjson/cJSON.h>

#define EXPR_MAX_PATH 32

/* Names and values of one request, and which of them were used. */
typedef struct expr_refs {
    const cJSON *names;  /* ExpressionAttributeNames or NULL */
    const cJSON *values; /* ExpressionAttributeValues or NULL */
    const cJSON *used[512];
    int nused;
} expr_refs_t;

/* After every expression of the request is parsed: unused names or values. */
ddb_code_t expr_refs_check_unused(const expr_refs_t *refs, ddb_error_t *err);

/* One step of a document path: a name (attribute or map key) or a list index. */
typedef struct expr_step {
    const char *name; /* NULL for an index */
    long index;
} expr_step_t;

typedef struct expr_path {
    expr_step_t steps[EXPR_MAX_PATH];
    int nsteps;
} expr_path_t;

typedef struct expr_projection {
    expr_path_t *paths;
    int npaths;
    char *text; /* copy of the expression; names point into it */
} expr_projection_t;

ddb_code_t expr_projection_parse(const char *text, expr_refs_t *refs, expr_projection_t **out,
                                 ddb_error_t *err);
void expr_projection_free(expr_projection_t *p);
/* Builds the projected item (a new cJSON object) from a stored item. */
cJSON *expr_projection_apply(const expr_projection_t *p, const cJSON *item);

typedef enum expr_op {
    EXPR_EQ,
    EXPR_LT,
    EXPR_LE,
    EXPR_GT,
    EXPR_GE,
    EXPR_BETWEEN,
    EXPR_BEGINS_WITH
} expr_op_t;

typedef struct expr_keycond {
    const char *hash_name;
    const cJSON *hash_value; /* AttributeValue */
    const char *range_name;  /* NULL when the sort key is not constrained */
    expr_op_t range_op;
    const cJSON *range_value, *range_value2; /* value2 for BETWEEN */
    char *text;
} expr_keycond_t;

/* Parses a KeyConditionExpression; hash and range are the table's key
 * attribute names (range NULL for a simple key) and decide which side is which. */
ddb_code_t expr_keycond_parse(const char *text, const char *hash, const char *range,
                              expr_refs_t *refs, expr_keycond_t **out, ddb_error_t *err);
void expr_keycond_free(expr_keycond_t *k);

/* A parsed ConditionExpression, FilterExpression or UpdateExpression. It
 * points into the request's cJSON tree (values), which must outlive it. */
typedef struct expr expr_t;

/* Parses a condition; what names the parameter in messages
 * ("ConditionExpression", "FilterExpression"). *out is set only on success. */
ddb_code_t expr_condition_parse(const char *text, const char *what, expr_refs_t *refs, expr_t **out,
                                ddb_error_t *err);
/* Evaluates a condition against an item (a map; NULL when there is none). */
int expr_condition_eval(const expr_t *e, const cJSON *item);

/* The first of names a, b (b may be NULL) that a path of the condition
 * starts with, or NULL. */
const char *expr_condition_uses(const expr_t *e, const char *a, const char *b);
/* The distinct top-level attribute names the condition's paths start with,
 * into names[0..cap); their count, or -1 when there are more than cap. */
int expr_condition_names(const expr_t *e, const char **names, int cap);

/* Legacy conditions (a map of attribute to {ComparisonOperator,
 * AttributeValueList}; with expected set, also Expected's {Value} and
 * {Exists} forms), joined by AND or by OR when conditional_op is "OR". */
ddb_code_t expr_legacy_condition(const cJSON *conds, int expected, const char *conditional_op,
                                 expr_t **out, ddb_error_t *err);
/* Query's legacy KeyConditions. */
ddb_code_t expr_keycond_from_legacy(const cJSON *conds, const char *hash, const char *range,
                                    expr_keycond_t **out, ddb_error_t *err);

ddb_code_t expr_update_parse(const char *text, expr_refs_t *refs, expr_t **out, ddb_error_t *err);
/* Applies an update to item (a map, changed in place). All right-hand sides
 * read the item as it was before the update, as DynamoDB does. */
ddb_code_t expr_update_apply(const expr_t *e, cJSON *item, ddb_error_t *err);
/* The document paths an update writes, in order. */
int expr_update_npaths(const expr_t *e);
const expr_path_t *expr_update_path(const expr_t *e, int i);
void expr_free(expr_t *e); /* accepts NULL */

/* The value at path in item (a map), or NULL. */
const cJSON *expr_path_get(const cJSON *item, const expr_path_t *path);

/* A path as DynamoDB prints it in messages: [a, b, [2]]. */
void expr_path_text(const expr_path_t *p, char *buf, size_t cap);

/* Whether word[0..n) is one of DynamoDB's reserved words (any case). */
int expr_is_reserved(const char *word, size_t n);

#endif
