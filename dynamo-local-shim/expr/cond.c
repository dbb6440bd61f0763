/* cond: ConditionExpression / FilterExpression parsing and evaluation, and
 * the operand grammar shared with UpdateExpression. */
#include "cond.h"

#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPERATORS 300
#define MAX_DEPTH 256
#define MAX_IN 100

void *tree_alloc(expr_t *e, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    arena_block_t *b = e->blocks;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > 4096 ? size : 4096;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = e->blocks;
        e->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void expr_free(expr_t *e)
{
    if (!e) return;
    while (e->blocks) {
        arena_block_t *next = e->blocks->next;
        free(e->blocks);
        e->blocks = next;
    }
    free(e->actions);
    free(e->text);
    free(e);
}

expr_t *cond_new(const char *text)
{
    expr_t *e = calloc(1, sizeof *e);
    if (e && !(e->text = strdup(text))) {
        free(e);
        return NULL;
    }
    return e;
}

ddb_code_t cond_nomem(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
}

node_t *cond_node(parser_t *ps, node_kind_t kind)
{
    node_t *n = tree_alloc(ps->e, sizeof *n);
    if (n) n->kind = kind;
    return n;
}

ddb_code_t cond_count_operator(parser_t *ps, ddb_error_t *err)
{
    (void)err;
    if (++ps->operators == MAX_OPERATORS + 1)
        /* The count reported is the first one over the limit. */
        return lex_semantic(&ps->lx,
                            "Invalid %s: The expression contains too many operators; operator "
                            "count: %d",
                            ps->lx.what, ps->operators);
    return DDB_OK;
}

static const char *value_type_name(const cJSON *v)
{
    const char *t = value_type(v);
    return t ? t : "";
}

ddb_code_t cond_operand_type_error(parser_t *ps, const char *op, const cJSON *v, ddb_error_t *err)
{
    (void)err;
    return lex_semantic(&ps->lx,
                        "Invalid %s: Incorrect operand type for operator or function; operator or "
                        "function: %s, operand type: %s",
                        ps->lx.what, op, value_type_name(v));
}

static ddb_code_t needs_path(parser_t *ps, const char *fn)
{
    return lex_semantic(&ps->lx,
                        "Invalid %s: Operator or function requires a document path; operator or "
                        "function: %s",
                        ps->lx.what, fn);
}

ddb_code_t cond_parse_path_node(parser_t *ps, node_t **out, ddb_error_t *err)
{
    node_t *n = cond_node(ps, N_PATH);
    if (!n || !(n->path = tree_alloc(ps->e, sizeof *n->path))) return cond_nomem(err);
    ddb_code_t rc = lex_parse_path(&ps->lx, ps->refs, ps->e->text, n->path, err);
    if (rc) return rc;
    *out = n;
    return DDB_OK;
}

/* The functions of the language, and where each may stand. */
typedef enum fn_use { FN_CONDITION, FN_OPERAND, FN_UPDATE } fn_use_t;
static const struct {
    const char *name;
    node_kind_t kind;
    int nargs;
    fn_use_t use;
} functions[] = {
    {"attribute_exists", N_EXISTS, 1, FN_CONDITION},
    {"attribute_not_exists", N_NOT_EXISTS, 1, FN_CONDITION},
    {"attribute_type", N_TYPE, 2, FN_CONDITION},
    {"begins_with", N_BEGINS, 2, FN_CONDITION},
    {"contains", N_CONTAINS, 2, FN_CONDITION},
    {"size", N_SIZE, 1, FN_OPERAND},
    {"if_not_exists", N_IF_NOT_EXISTS, 2, FN_UPDATE},
    {"list_append", N_LIST_APPEND, 2, FN_UPDATE},
};

/* The function named by the current token when a '(' follows it: its index
 * in functions[], -2 for an unknown name, -1 when this is no call at all. */
int cond_function_at(lexer_t *lx)
{
    if (lx->cur.kind != T_NAME) return -1;
    lexer_t peek = *lx;
    lex_next(&peek);
    if (!lex_is_punct(&peek.cur, "(")) return -1;
    for (int i = 0; i < (int)(sizeof functions / sizeof *functions); i++)
        if (lx->cur.n == strlen(functions[i].name) &&
            memcmp(lx->cur.p, functions[i].name, lx->cur.n) == 0)
            return i;
    return -2;
}

int cond_function_is_update(int fi) { return functions[fi].use == FN_UPDATE; }
const char *cond_function_name(int fi) { return functions[fi].name; }

/* Two operands that are the same document path. */
static int same_path(const node_t *a, const node_t *b)
{
    if (!a || !b || a->kind != N_PATH || b->kind != N_PATH) return 0;
    if (a->path->nsteps != b->path->nsteps) return 0;
    for (int i = 0; i < a->path->nsteps; i++) {
        const expr_step_t *x = &a->path->steps[i], *y = &b->path->steps[i];
        if ((x->name == NULL) != (y->name == NULL)) return 0;
        if (x->name ? strcmp(x->name, y->name) != 0 : x->index != y->index) return 0;
    }
    return 1;
}

static ddb_code_t not_distinct(parser_t *ps, const char *op, const node_t *first)
{
    char text[512];
    expr_path_text(first->path, text, sizeof text);
    return lex_semantic(&ps->lx,
                        "Invalid %s: The first operand must be distinct from the remaining "
                        "operands for this operator or function; operator: %s, first operand: %s",
                        ps->lx.what, op, text);
}

static ddb_code_t expect_punct(lexer_t *lx, const char *p, ddb_error_t *err)
{
    if (!lex_is_punct(&lx->cur, p)) return lex_syntax_error(lx, err);
    lex_next(lx);
    return DDB_OK;
}

/* name '(' operand {',' operand} ')', then the function's own checks. In an
 * update, set operands (if_not_exists, list_append, arithmetic) nest; the
 * update parser passes its operand parser. */
ddb_code_t cond_parse_call(parser_t *ps, int fi, cond_operand_fn operand, node_t **out,
                           ddb_error_t *err)
{
    lexer_t *lx = &ps->lx;
    char unknown[256];
    snprintf(unknown, sizeof unknown, "%.*s", (int)(lx->cur.n < 255 ? lx->cur.n : 255), lx->cur.p);
    const char *name = fi >= 0 ? functions[fi].name : unknown;
    ddb_code_t rc = cond_count_operator(ps, err);
    if (rc) return rc;
    lex_next(lx);
    lex_next(lx);
    node_t *args[4] = {0};
    int nargs = 0;
    if (lex_is_punct(&lx->cur, ")")) return lex_syntax_error(lx, err);
    for (;;) {
        node_t *arg;
        if ((rc = operand(ps, &arg, err))) return rc;
        if (nargs < 4) args[nargs] = arg;
        nargs++;
        if (!lex_is_punct(&lx->cur, ",")) break;
        lex_next(lx);
    }
    if ((rc = expect_punct(lx, ")", err))) return rc;
    node_t *n = cond_node(ps, fi >= 0 ? functions[fi].kind : N_VALUE);
    if (!n) return cond_nomem(err);
    *out = n;
    if (fi < 0 || nargs != functions[fi].nargs) {
        n->kind = N_VALUE;
        n->value = &lex_placeholder_value;
        if (fi < 0)
            return lex_semantic(lx, "Invalid %s: Invalid function name; function: %s", lx->what,
                                name);
        return lex_semantic(lx,
                            "Invalid %s: Incorrect number of operands for operator or function; "
                            "operator or function: %s, number of operands: %d",
                            lx->what, name, nargs);
    }
    n->a = args[0];
    n->b = args[1];
    switch (n->kind) {
    case N_EXISTS:
    case N_NOT_EXISTS:
    case N_IF_NOT_EXISTS:
        if (n->a->kind != N_PATH) return needs_path(ps, name);
        break;
    case N_TYPE: {
        if (n->a->kind != N_PATH) return needs_path(ps, name);
        if (same_path(n->a, n->b)) return not_distinct(ps, name, n->a);
        if (n->b->kind != N_VALUE) break;
        if (!value_is(n->b->value, "S")) return cond_operand_type_error(ps, name, n->b->value, err);
        static const char *const types[] = {"S",  "SS",   "N",    "NS", "B",
                                            "BS", "BOOL", "NULL", "L",  "M"};
        const char *want = value_inner(n->b->value)->valuestring;
        size_t k;
        for (k = 0; k < sizeof types / sizeof *types; k++)
            if (strcmp(want, types[k]) == 0) break;
        if (k == sizeof types / sizeof *types)
            return lex_semantic(lx,
                                "Invalid %s: Invalid attribute type name found; type: %.64s, "
                                "valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}",
                                lx->what, want);
        break;
    }
    case N_BEGINS:
        for (int i = 0; i < 2; i++)
            if (args[i]->kind == N_VALUE && !value_is(args[i]->value, "S") &&
                !value_is(args[i]->value, "B"))
                return cond_operand_type_error(ps, name, args[i]->value, err);
        if (same_path(n->a, n->b)) return not_distinct(ps, name, n->a);
        break;
    case N_CONTAINS:
        if (same_path(n->a, n->b)) return not_distinct(ps, name, n->a);
        break;
    case N_LIST_APPEND:
        for (int i = 0; i < 2; i++)
            if (args[i]->kind == N_VALUE && !value_is(args[i]->value, "L"))
                return cond_operand_type_error(ps, name, args[i]->value, err);
        break;
    default: break;
    }
    return DDB_OK;
}

/* operand := path | :value | size(operand). Other calls standing here parse
 * all the same; what DynamoDB says of them is deferred. */
ddb_code_t cond_parse_operand(parser_t *ps, node_t **out, ddb_error_t *err)
{
    lexer_t *lx = &ps->lx;
    ddb_code_t rc;
    if (lx->cur.kind == T_VALUE) {
        node_t *n = cond_node(ps, N_VALUE);
        if (!n) return cond_nomem(err);
        tok_t t = lx->cur;
        lex_next(lx);
        if ((rc = lex_resolve_value(lx, ps->refs, &t, &n->value, err))) return rc;
        *out = n;
        return DDB_OK;
    }
    int fi = cond_function_at(lx);
    if (fi >= 0 && functions[fi].use == FN_UPDATE)
        lex_semantic(lx,
                     "Invalid %s: The function is not allowed in a condition expression; "
                     "function: %s",
                     lx->what, functions[fi].name);
    else if (fi >= 0 && functions[fi].use == FN_CONDITION)
        lex_semantic(lx,
                     "Invalid %s: The function is not allowed to be used this way in an "
                     "expression; function: %s",
                     lx->what, functions[fi].name);
    if (fi != -1) return cond_parse_call(ps, fi, cond_parse_operand, out, err);
    if (lx->cur.kind == T_NAME || lx->cur.kind == T_HNAME)
        return cond_parse_path_node(ps, out, err);
    return lex_syntax_error(lx, err);
}

static const char *const cmp_names[] = {"=", "<>", "<", "<=", ">", ">="};

/* Checks, with literal operands, what DynamoDB rejects before running. */
static ddb_code_t check_comparison(parser_t *ps, node_t *n, ddb_error_t *err)
{
    if (same_path(n->a, n->b)) return not_distinct(ps, cmp_names[n->op], n->a);
    if (n->op == CMP_EQ || n->op == CMP_NE) return DDB_OK;
    node_t *sides[2] = {n->a, n->b};
    for (int i = 0; i < 2; i++) {
        if (sides[i]->kind != N_VALUE) continue;
        const char *t = value_type(sides[i]->value);
        if (t && strcmp(t, "S") && strcmp(t, "N") && strcmp(t, "B"))
            return cond_operand_type_error(ps, cmp_names[n->op], sides[i]->value, err);
    }
    return DDB_OK;
}

static ddb_code_t parse_or(parser_t *ps, node_t **out, int depth, ddb_error_t *err);

static void between_bounds(parser_t *ps, const node_t *lo, const node_t *hi)
{
    if (lo->kind != N_VALUE || hi->kind != N_VALUE) return;
    const char *tl = value_type(lo->value), *th = value_type(hi->value);
    const cJSON *il = value_inner(lo->value), *ih = value_inner(hi->value);
    const char *vl = cJSON_IsString(il) ? il->valuestring : "";
    const char *vh = cJSON_IsString(ih) ? ih->valuestring : "";
    int c;
    if (strcmp(tl, th) != 0)
        lex_semantic(&ps->lx,
                     "Invalid %s: The BETWEEN operator requires same data type for lower and "
                     "upper bounds; lower bound operand: AttributeValue: {%s:%.1024s}, upper "
                     "bound operand: AttributeValue: {%s:%.1024s}",
                     ps->lx.what, tl, vl, th, vh);
    else if (value_compare(lo->value, hi->value, &c) && c > 0)
        lex_semantic(&ps->lx,
                     "Invalid %s: The BETWEEN operator requires upper bound to be greater than or "
                     "equal to lower bound; lower bound operand: AttributeValue: {%s:%.1024s}, "
                     "upper bound operand: AttributeValue: {%s:%.1024s}",
                     ps->lx.what, tl, vl, th, vh);
}

/* comparison := operand (comparator operand | BETWEEN operand AND operand
 *                        | IN '(' operand {',' operand} ')') */
static ddb_code_t parse_comparison(parser_t *ps, node_t **out, ddb_error_t *err)
{
    static const struct {
        const char *s;
        cmp_op_t op;
    } ops[] = {{"=", CMP_EQ},  {"<>", CMP_NE}, {"<=", CMP_LE},
               {">=", CMP_GE}, {"<", CMP_LT},  {">", CMP_GT}};
    lexer_t *lx = &ps->lx;
    node_t *lhs;
    ddb_code_t rc = cond_parse_operand(ps, &lhs, err);
    if (rc) return rc;
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (!lex_is_punct(&lx->cur, ops[i].s)) continue;
        if ((rc = cond_count_operator(ps, err))) return rc;
        lex_next(lx);
        node_t *n = cond_node(ps, N_CMP);
        if (!n) return cond_nomem(err);
        n->op = ops[i].op;
        n->a = lhs;
        if ((rc = cond_parse_operand(ps, &n->b, err))) return rc;
        if ((rc = check_comparison(ps, n, err))) return rc;
        *out = n;
        return DDB_OK;
    }
    if (lex_is_word(&lx->cur, "BETWEEN")) {
        if ((rc = cond_count_operator(ps, err))) return rc;
        lex_next(lx);
        node_t *n = cond_node(ps, N_BETWEEN);
        if (!n) return cond_nomem(err);
        n->a = lhs;
        if ((rc = cond_parse_operand(ps, &n->b, err))) return rc;
        if (!lex_is_word(&lx->cur, "AND")) return lex_syntax_error(lx, err);
        lex_next(lx);
        if ((rc = cond_parse_operand(ps, &n->c, err))) return rc;
        if (same_path(n->a, n->b) || same_path(n->a, n->c))
            return not_distinct(ps, "BETWEEN", n->a);
        between_bounds(ps, n->b, n->c);
        *out = n;
        return DDB_OK;
    }
    if (lex_is_word(&lx->cur, "IN")) {
        if ((rc = cond_count_operator(ps, err))) return rc;
        lex_next(lx);
        if ((rc = expect_punct(lx, "(", err))) return rc;
        node_t *n = cond_node(ps, N_IN);
        if (!n || !(n->list = tree_alloc(ps->e, sizeof *n->list * (MAX_IN + 1))))
            return cond_nomem(err);
        n->a = lhs;
        int count = 0;
        for (;;) {
            node_t *v;
            if ((rc = cond_parse_operand(ps, &v, err))) return rc;
            if (count < MAX_IN) n->list[n->nlist++] = v;
            count++;
            if (same_path(n->a, v)) not_distinct(ps, "IN", n->a);
            if (!lex_is_punct(&lx->cur, ",")) break;
            lex_next(lx);
        }
        if ((rc = expect_punct(lx, ")", err))) return rc;
        if (count > MAX_IN)
            lex_semantic(lx,
                         "Invalid %s: The IN operator is provided with too many operands; "
                         "number of operands: %d",
                         lx->what, count);
        *out = n;
        return DDB_OK;
    }
    return lex_syntax_error(lx, err);
}

static ddb_code_t parse_primary(parser_t *ps, node_t **out, int depth, ddb_error_t *err)
{
    lexer_t *lx = &ps->lx;
    if (depth > MAX_DEPTH) return lex_syntax_error(lx, err);
    if (lex_is_punct(&lx->cur, "(")) {
        lex_next(lx);
        /* A group whose only content is another group is redundant. */
        if (lex_is_punct(&lx->cur, "(")) {
            lexer_t save = *lx;
            int level = 0;
            for (;;) {
                if (lex_is_punct(&lx->cur, "("))
                    level++;
                else if (lex_is_punct(&lx->cur, ")") && --level == 0)
                    break;
                else if (lx->cur.kind == T_EOF)
                    break;
                lex_next(lx);
            }
            int redundant = lx->cur.kind != T_EOF;
            if (redundant) {
                lex_next(lx);
                redundant = lex_is_punct(&lx->cur, ")");
            }
            *lx = save;
            if (redundant)
                lex_semantic(lx, "Invalid %s: The expression has redundant parentheses;", lx->what);
        }
        ddb_code_t rc = parse_or(ps, out, depth + 1, err);
        if (rc) return rc;
        return expect_punct(lx, ")", err);
    }
    int fi = cond_function_at(lx);
    if (fi >= 0 && functions[fi].use == FN_CONDITION)
        return cond_parse_call(ps, fi, cond_parse_operand, out, err);
    if (fi != -1) {
        /* Any other call is an operand: a comparison follows it, or it stands
         * alone, which DynamoDB parses and then refuses. */
        lexer_t save = *lx;
        int saved_ops = ps->operators;
        node_t *tmp;
        ddb_code_t rc = cond_parse_operand(ps, &tmp, err);
        if (rc) return rc;
        int compared =
            lx->cur.kind == T_PUNCT && !lex_is_punct(&lx->cur, ")") && !lex_is_punct(&lx->cur, ",");
        compared = compared || lex_is_word(&lx->cur, "BETWEEN") || lex_is_word(&lx->cur, "IN");
        if (!compared) {
            *out = tmp;
            if (fi >= 0 && functions[fi].use == FN_OPERAND)
                lex_semantic(lx,
                             "Invalid %s: The function is not allowed to be used this way in an "
                             "expression; function: %s",
                             lx->what, functions[fi].name);
            return DDB_OK;
        }
        *lx = save;
        ps->operators = saved_ops;
    }
    return parse_comparison(ps, out, err);
}

/* NOT chains are read in a loop: 300 of them cost no stack. */
static ddb_code_t parse_not(parser_t *ps, node_t **out, int depth, ddb_error_t *err)
{
    lexer_t *lx = &ps->lx;
    node_t **hole = out;
    while (lex_is_word(&lx->cur, "NOT")) {
        ddb_code_t rc = cond_count_operator(ps, err);
        if (rc) return rc;
        lex_next(lx);
        node_t *n = cond_node(ps, N_NOT);
        if (!n) return cond_nomem(err);
        *hole = n;
        hole = &n->a;
    }
    return parse_primary(ps, hole, depth, err);
}

/* Binary AND / OR chains are built iteratively, so long chains cost no stack. */
static ddb_code_t parse_and(parser_t *ps, node_t **out, int depth, ddb_error_t *err)
{
    ddb_code_t rc = parse_not(ps, out, depth, err);
    while (!rc && lex_is_word(&ps->lx.cur, "AND")) {
        if ((rc = cond_count_operator(ps, err))) break;
        lex_next(&ps->lx);
        node_t *n = cond_node(ps, N_AND);
        if (!n) return cond_nomem(err);
        n->a = *out;
        if ((rc = parse_not(ps, &n->b, depth, err))) break;
        *out = n;
    }
    return rc;
}

static ddb_code_t parse_or(parser_t *ps, node_t **out, int depth, ddb_error_t *err)
{
    ddb_code_t rc = parse_and(ps, out, depth, err);
    while (!rc && lex_is_word(&ps->lx.cur, "OR")) {
        if ((rc = cond_count_operator(ps, err))) break;
        lex_next(&ps->lx);
        node_t *n = cond_node(ps, N_OR);
        if (!n) return cond_nomem(err);
        n->a = *out;
        if ((rc = parse_and(ps, &n->b, depth, err))) break;
        *out = n;
    }
    return rc;
}

ddb_code_t expr_condition_parse(const char *text, const char *what, expr_refs_t *refs, expr_t **out,
                                ddb_error_t *err)
{
    expr_t *e = cond_new(text);
    if (!e) return cond_nomem(err);
    parser_t ps = {.e = e, .refs = refs};
    ddb_error_t deferred;
    lex_init(&ps.lx, text, what, &deferred);
    ddb_code_t rc;
    if ((rc = lex_check_text(&ps.lx, 1, err))) goto fail;
    if ((rc = parse_or(&ps, &e->root, 0, err))) goto fail;
    if (ps.lx.cur.kind != T_EOF) {
        rc = lex_syntax_error(&ps.lx, err);
        goto fail;
    }
    if ((rc = lex_finish(&ps.lx, err))) goto fail;
    *out = e;
    return DDB_OK;
fail:
    expr_free(e);
    return rc;
}

const cJSON *expr_path_get(const cJSON *item, const expr_path_t *path)
{
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(item, path->steps[0].name);
    for (int i = 1; cur && i < path->nsteps; i++) {
        const expr_step_t *st = &path->steps[i];
        if (st->name) {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(cur, "M");
            cur = m ? cJSON_GetObjectItemCaseSensitive(m, st->name) : NULL;
        } else {
            const cJSON *l = cJSON_GetObjectItemCaseSensitive(cur, "L");
            cur = l && st->index < cJSON_GetArraySize(l) ? cJSON_GetArrayItem(l, (int)st->index)
                                                         : NULL;
        }
    }
    return cur;
}

const cJSON *cond_operand_value(const node_t *n, const cJSON *item, cJSON **scratch)
{
    if (n->kind == N_VALUE) return n->value;
    if (n->kind == N_PATH) return item ? expr_path_get(item, n->path) : NULL;
    if (n->kind == N_SIZE) {
        const cJSON *v = cond_operand_value(n->a, item, scratch);
        long size = v ? value_size(v) : -1;
        if (size < 0) return NULL;
        char text[32];
        snprintf(text, sizeof text, "%ld", size);
        num_t num;
        num_parse(text, strlen(text), &num);
        cJSON *av = value_number(&num);
        if (!av) return NULL;
        /* Chain temporaries so the caller frees them in one go. */
        av->next = *scratch;
        *scratch = av;
        return av;
    }
    return NULL;
}

static int eval(const node_t *n, const cJSON *item, cJSON **scratch)
{
    const cJSON *a, *b, *c;
    int cmp;
    switch (n->kind) {
    case N_AND: return eval(n->a, item, scratch) && eval(n->b, item, scratch);
    case N_OR: return eval(n->a, item, scratch) || eval(n->b, item, scratch);
    case N_NOT: return !eval(n->a, item, scratch);
    case N_EXISTS: return item && expr_path_get(item, n->a->path) != NULL;
    case N_NOT_EXISTS: return !item || expr_path_get(item, n->a->path) == NULL;
    case N_TYPE: /* the type name may come from a value or from the item */
        a = cond_operand_value(n->a, item, scratch);
        b = cond_operand_value(n->b, item, scratch);
        return a && b && value_is(b, "S") && value_is(a, value_inner(b)->valuestring);
    case N_BEGINS:
        a = cond_operand_value(n->a, item, scratch);
        b = cond_operand_value(n->b, item, scratch);
        return a && b && value_begins_with(a, b);
    case N_CONTAINS:
        a = cond_operand_value(n->a, item, scratch);
        b = cond_operand_value(n->b, item, scratch);
        return a && b && value_contains(a, b);
    case N_CMP:
        a = cond_operand_value(n->a, item, scratch);
        b = cond_operand_value(n->b, item, scratch);
        if (n->op == CMP_EQ) return a && b && value_equal(a, b);
        if (n->op == CMP_NE) return !(a && b && value_equal(a, b));
        if (!a || !b || !value_compare(a, b, &cmp)) return 0;
        switch (n->op) {
        case CMP_LT: return cmp < 0;
        case CMP_LE: return cmp <= 0;
        case CMP_GT: return cmp > 0;
        default: return cmp >= 0;
        }
    case N_BETWEEN: {
        a = cond_operand_value(n->a, item, scratch);
        b = cond_operand_value(n->b, item, scratch);
        c = cond_operand_value(n->c, item, scratch);
        int lo, hi;
        return a && b && c && value_compare(a, b, &lo) && value_compare(a, c, &hi) && lo >= 0 &&
               hi <= 0;
    }
    case N_IN:
        a = cond_operand_value(n->a, item, scratch);
        if (!a) return 0;
        for (int i = 0; i < n->nlist; i++) {
            b = cond_operand_value(n->list[i], item, scratch);
            if (b && value_equal(a, b)) return 1;
        }
        return 0;
    default: return 0;
    }
}

int expr_condition_eval(const expr_t *e, const cJSON *item)
{
    if (!e->root) return 1; /* an empty legacy condition map */
    cJSON *scratch = NULL;
    int r = eval(e->root, item, &scratch);
    while (scratch) {
        cJSON *next = scratch->next;
        scratch->next = NULL;
        cJSON_Delete(scratch);
        scratch = next;
    }
    return r;
}

static const char *uses(const node_t *n, const char *a, const char *b)
{
    if (!n) return NULL;
    if (n->kind == N_PATH) {
        const char *first = n->path->steps[0].name;
        if (strcmp(first, a) == 0) return a;
        if (b && strcmp(first, b) == 0) return b;
        return NULL;
    }
    const char *r = uses(n->a, a, b);
    if (!r) r = uses(n->b, a, b);
    if (!r) r = uses(n->c, a, b);
    for (int i = 0; !r && i < n->nlist; i++) r = uses(n->list[i], a, b);
    return r;
}

const char *expr_condition_uses(const expr_t *e, const char *a, const char *b)
{
    return uses(e->root, a, b);
}

/* Adds the first names of n's paths to names[*count..cap); -1 when full. */
static int collect_names(const node_t *n, const char **names, int *count, int cap)
{
    if (!n) return 0;
    if (n->kind == N_PATH) {
        const char *first = n->path->steps[0].name;
        for (int i = 0; i < *count; i++)
            if (strcmp(names[i], first) == 0) return 0;
        if (*count == cap) return -1;
        names[(*count)++] = first;
        return 0;
    }
    if (collect_names(n->a, names, count, cap) || collect_names(n->b, names, count, cap) ||
        collect_names(n->c, names, count, cap))
        return -1;
    for (int i = 0; i < n->nlist; i++)
        if (collect_names(n->list[i], names, count, cap)) return -1;
    return 0;
}

int expr_condition_names(const expr_t *e, const char **names, int cap)
{
    int count = 0;
    return collect_names(e->root, names, &count, cap) ? -1 : count;
}
