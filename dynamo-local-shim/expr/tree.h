/* tree: the parsed form of condition and update expressions, and the arena
 * that owns it. Internal to expr/. */
#ifndef EXPR_TREE_H
#define EXPR_TREE_H

#include "expr.h"

#include <stddef.h>

typedef enum node_kind {
    N_PATH,          /* path */
    N_VALUE,         /* value */
    N_SIZE,          /* size(path) */
    N_CMP,           /* a op b */
    N_BETWEEN,       /* a BETWEEN b AND c */
    N_IN,            /* a IN (list) */
    N_AND,           /* a AND b */
    N_OR,            /* a OR b */
    N_NOT,           /* NOT a */
    N_EXISTS,        /* attribute_exists(path) */
    N_NOT_EXISTS,    /* attribute_not_exists(path) */
    N_TYPE,          /* attribute_type(path, b) */
    N_BEGINS,        /* begins_with(a, b) */
    N_CONTAINS,      /* contains(a, b) */
    N_PLUS,          /* a + b (update) */
    N_MINUS,         /* a - b (update) */
    N_IF_NOT_EXISTS, /* if_not_exists(path, b) (update) */
    N_LIST_APPEND    /* list_append(a, b) (update) */
} node_kind_t;

typedef enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } cmp_op_t;

typedef struct node {
    node_kind_t kind;
    cmp_op_t op;
    expr_path_t *path;
    const cJSON *value;
    struct node *a, *b, *c;
    struct node **list;
    int nlist;
} node_t;

typedef enum clause { CL_SET, CL_REMOVE, CL_ADD, CL_DELETE } clause_t;

typedef struct action {
    clause_t clause;
    expr_path_t *path;
    node_t *value; /* NULL for REMOVE */
} action_t;

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block_t;

struct expr {
    arena_block_t *blocks;
    char *text;        /* the caller's text; bare names are terminated in it */
    node_t *root;      /* conditions */
    action_t *actions; /* updates */
    int nactions, cap_actions;
};

void *tree_alloc(expr_t *e, size_t size);

#endif
