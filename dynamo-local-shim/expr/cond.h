/* cond: the condition grammar and its evaluator, with the operand parser
 * that update.c shares. Internal to expr/. */
#ifndef EXPR_COND_H
#define EXPR_COND_H

#include "lex.h"
#include "tree.h"

typedef struct parser {
    lexer_t lx;
    expr_t *e;
    expr_refs_t *refs;
    int operators;
    int depth; /* nesting of update operands */
} parser_t;

expr_t *cond_new(const char *text);
ddb_code_t cond_nomem(ddb_error_t *err);
node_t *cond_node(parser_t *ps, node_kind_t kind);
/* Counts one operator against DynamoDB's limit of 300 per expression. */
ddb_code_t cond_count_operator(parser_t *ps, ddb_error_t *err);
ddb_code_t cond_operand_type_error(parser_t *ps, const char *op, const cJSON *v, ddb_error_t *err);
ddb_code_t cond_parse_path_node(parser_t *ps, node_t **out, ddb_error_t *err);
typedef ddb_code_t (*cond_operand_fn)(parser_t *ps, node_t **out, ddb_error_t *err);
/* The function called at the current token: index for cond_parse_call, -2
 * for an unknown name, -1 when no call starts here. */
int cond_function_at(lexer_t *lx);
/* Whether functions[fi] belongs in an update's SET operands. */
int cond_function_is_update(int fi);
const char *cond_function_name(int fi);
ddb_code_t cond_parse_call(parser_t *ps, int fi, cond_operand_fn operand, node_t **out,
                           ddb_error_t *err);
ddb_code_t cond_parse_operand(parser_t *ps, node_t **out, ddb_error_t *err);
/* The value an operand has in item: a path's value, a literal, or size(),
 * whose new value is chained onto *scratch for the caller to free. NULL when
 * the operand has no value (a missing path). */
const cJSON *cond_operand_value(const node_t *n, const cJSON *item, cJSON **scratch);

#endif
