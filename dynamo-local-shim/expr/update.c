/* update: UpdateExpression parsing and application. */
#include "cond.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const clause_names[] = {"SET", "REMOVE", "ADD", "DELETE"};

static ddb_code_t add_action(parser_t *ps, clause_t clause, expr_path_t *path, node_t *value,
                             ddb_error_t *err)
{
    expr_t *e = ps->e;
    if (e->nactions == e->cap_actions) {
        int cap = e->cap_actions ? e->cap_actions * 2 : 8;
        action_t *a = realloc(e->actions, (size_t)cap * sizeof *a);
        if (!a) return cond_nomem(err);
        e->actions = a;
        e->cap_actions = cap;
    }
    e->actions[e->nactions++] = (action_t){clause, path, value};
    return DDB_OK;
}

static ddb_code_t parse_set_value(parser_t *ps, node_t **out, ddb_error_t *err);

/* set_operand := operand | '(' set_value ')' | if_not_exists(path, set_operand)
 *              | list_append(set_operand, set_operand) */
static ddb_code_t parse_set_operand(parser_t *ps, node_t **out, ddb_error_t *err)
{
    lexer_t *lx = &ps->lx;
    if (++ps->depth > 64) return lex_syntax_error(lx, err);
    ddb_code_t rc;
    if (lex_is_punct(&lx->cur, "(")) {
        lex_next(lx);
        if ((rc = parse_set_value(ps, out, err))) return rc;
        if (!lex_is_punct(&lx->cur, ")")) return lex_syntax_error(lx, err);
        lex_next(lx);
    } else {
        int fi = cond_function_at(lx);
        if (fi >= 0 && !cond_function_is_update(fi))
            lex_semantic(lx,
                         "Invalid UpdateExpression: The function is not allowed in an update "
                         "expression; function: %s",
                         cond_function_name(fi));
        if (fi != -1)
            rc = cond_parse_call(ps, fi, parse_set_operand, out, err);
        else
            rc = cond_parse_operand(ps, out, err);
        if (rc) return rc;
    }
    ps->depth--;
    return DDB_OK;
}

/* set_value := set_operand [('+' | '-') set_operand] */
static ddb_code_t parse_set_value(parser_t *ps, node_t **out, ddb_error_t *err)
{
    lexer_t *lx = &ps->lx;
    ddb_code_t rc = parse_set_operand(ps, out, err);
    if (rc) return rc;
    int plus = lex_is_punct(&lx->cur, "+"), minus = lex_is_punct(&lx->cur, "-");
    if (!plus && !minus) return DDB_OK;
    if ((rc = cond_count_operator(ps, err))) return rc;
    lex_next(lx);
    node_t *n = cond_node(ps, plus ? N_PLUS : N_MINUS);
    if (!n) return cond_nomem(err);
    n->a = *out;
    if ((rc = parse_set_operand(ps, &n->b, err))) return rc;
    for (node_t *arg = n->a; arg; arg = arg == n->a ? n->b : NULL)
        if (arg->kind == N_VALUE && !value_is(arg->value, "N"))
            return cond_operand_type_error(ps, plus ? "+" : "-", arg->value, err);
    *out = n;
    return DDB_OK;
}

/* DynamoDB names operand types in full in ADD and DELETE messages. */
static const char *long_type_name(const cJSON *v)
{
    static const char *const names[][2] = {
        {"S", "STRING"},      {"N", "NUMBER"},      {"B", "BINARY"}, {"BOOL", "BOOLEAN"},
        {"NULL", "NULL"},     {"L", "LIST"},        {"M", "MAP"},    {"SS", "STRING_SET"},
        {"NS", "NUMBER_SET"}, {"BS", "BINARY_SET"},
    };
    const char *t = value_type(v);
    for (size_t i = 0; t && i < sizeof names / sizeof *names; i++)
        if (strcmp(t, names[i][0]) == 0) return names[i][1];
    return "";
}

/* Two paths overlap when one is a prefix of the other; they conflict when
 * they part at a step where one takes a name and the other an index. */
static ddb_code_t check_paths(parser_t *ps, ddb_error_t *err)
{
    expr_t *e = ps->e;
    for (int i = 0; i < e->nactions; i++) {
        for (int j = 0; j < i; j++) {
            const expr_path_t *a = e->actions[j].path, *b = e->actions[i].path;
            int n = a->nsteps < b->nsteps ? a->nsteps : b->nsteps, k, conflict = 0;
            for (k = 0; k < n; k++) {
                const expr_step_t *x = &a->steps[k], *y = &b->steps[k];
                if (x->name && y->name) {
                    if (strcmp(x->name, y->name)) break;
                } else if (!x->name && !y->name) {
                    if (x->index != y->index) break;
                } else {
                    conflict = 1;
                    break;
                }
            }
            if (k < n && !conflict) continue;
            char one[512], two[512];
            expr_path_text(a, one, sizeof one);
            expr_path_text(b, two, sizeof two);
            return ddb_fail(err, DDB_E_VALIDATION,
                            "Invalid UpdateExpression: Two document paths %s with each other; must "
                            "remove or rewrite one of these paths; path one: %s, path two: %s",
                            conflict ? "conflict" : "overlap", one, two);
        }
    }
    return DDB_OK;
}

ddb_code_t expr_update_parse(const char *text, expr_refs_t *refs, expr_t **out, ddb_error_t *err)
{
    expr_t *e = cond_new(text);
    if (!e) return cond_nomem(err);
    parser_t ps = {.e = e, .refs = refs};
    lexer_t *lx = &ps.lx;
    ddb_error_t deferred;
    lex_init(lx, text, "UpdateExpression", &deferred);
    ddb_code_t rc;
    int seen[4] = {0};
    if ((rc = lex_check_text(lx, 0, err))) goto fail;
    while (lx->cur.kind != T_EOF) {
        int c;
        for (c = 0; c < 4; c++)
            if (lex_is_word(&lx->cur, clause_names[c])) break;
        if (c == 4) {
            rc = lex_syntax_error(lx, err);
            goto fail;
        }
        if (seen[c]++) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "Invalid UpdateExpression: The \"%s\" section can only be used once in "
                          "an update expression;",
                          clause_names[c]);
            goto fail;
        }
        lex_next(lx);
        for (;;) {
            node_t *p, *v = NULL;
            if ((rc = cond_parse_path_node(&ps, &p, err))) goto fail;
            if (c == CL_SET) {
                if (!lex_is_punct(&lx->cur, "=")) {
                    rc = lex_syntax_error(lx, err);
                    goto fail;
                }
                lex_next(lx);
                if ((rc = parse_set_value(&ps, &v, err))) goto fail;
            } else if (c == CL_ADD || c == CL_DELETE) {
                if ((rc = cond_parse_operand(&ps, &v, err))) goto fail;
                if (v->kind != N_VALUE) {
                    rc = lex_syntax_error(lx, err);
                    goto fail;
                }
                const char *t = value_type(v->value);
                int ok = c == CL_ADD ? (!strcmp(t, "N") || !strcmp(t, "SS") || !strcmp(t, "NS") ||
                                        !strcmp(t, "BS"))
                                     : (!strcmp(t, "SS") || !strcmp(t, "NS") || !strcmp(t, "BS"));
                if (!ok)
                    lex_semantic(lx,
                                 "Invalid UpdateExpression: Incorrect operand type for operator "
                                 "or function; operator: %s, operand type: %s, typeSet: "
                                 "ALLOWED_FOR_%s_OPERAND",
                                 clause_names[c], long_type_name(v->value), clause_names[c]);
            }
            if ((rc = add_action(&ps, (clause_t)c, p->path, v, err))) goto fail;
            if (!lex_is_punct(&lx->cur, ",")) break;
            lex_next(lx);
        }
    }
    if ((rc = lex_finish(lx, err)) || (rc = check_paths(&ps, err))) goto fail;
    *out = e;
    return DDB_OK;
fail:
    expr_free(e);
    return rc;
}

int expr_update_npaths(const expr_t *e) { return e->nactions; }
const expr_path_t *expr_update_path(const expr_t *e, int i) { return e->actions[i].path; }

static ddb_code_t bad_type(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_VALIDATION,
                    "An operand in the update expression has an incorrect data type");
}

static ddb_code_t bad_path(ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_VALIDATION,
                    "The document path provided in the update expression is invalid for update");
}

/* A sum that does not fit: DynamoDB's words for rounding differ from those
 * for a number given with too many digits. */
static ddb_code_t arithmetic_error(num_err_t ne, ddb_error_t *err)
{
    if (ne == NUM_ERR_PRECISION)
        return ddb_fail(err, DDB_E_VALIDATION, "DynamoDB only supports precision up to 38 digits");
    return ddb_fail(err, DDB_E_VALIDATION, "%s", num_strerror(ne));
}

/* Computes a SET right-hand side against the original item into a new value. */
static ddb_code_t set_value(const node_t *n, const cJSON *item, cJSON **out, ddb_error_t *err)
{
    cJSON *scratch = NULL;
    ddb_code_t rc = DDB_OK;
    *out = NULL;
    if (n->kind == N_PATH || n->kind == N_VALUE) {
        const cJSON *v = cond_operand_value(n, item, &scratch);
        if (!v)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "The provided expression refers to an attribute that does not exist "
                            "in the item");
        *out = cJSON_Duplicate(v, 1);
        return *out ? DDB_OK : cond_nomem(err);
    }
    if (n->kind == N_IF_NOT_EXISTS) {
        const cJSON *v = expr_path_get(item, n->a->path);
        if (v) {
            *out = cJSON_Duplicate(v, 1);
            return *out ? DDB_OK : cond_nomem(err);
        }
        return set_value(n->b, item, out, err);
    }
    cJSON *a = NULL, *b = NULL;
    if ((rc = set_value(n->a, item, &a, err)) || (rc = set_value(n->b, item, &b, err))) goto done;
    if (n->kind == N_LIST_APPEND) {
        if (!value_is(a, "L") || !value_is(b, "L")) {
            rc = bad_type(err);
            goto done;
        }
        cJSON *la = a->child;
        while (b->child->child) {
            cJSON *e = cJSON_DetachItemViaPointer(b->child, b->child->child);
            cJSON_AddItemToArray(la, e);
        }
        *out = a;
        a = NULL;
        goto done;
    }
    num_t x, y, r;
    if (!value_is(a, "N") || !value_is(b, "N") || !value_get_number(a, &x) ||
        !value_get_number(b, &y)) {
        rc = bad_type(err);
        goto done;
    }
    num_err_t ne = num_add(&x, &y, n->kind == N_MINUS, &r);
    if (ne) {
        rc = arithmetic_error(ne, err);
        goto done;
    }
    if (!(*out = value_number(&r))) rc = cond_nomem(err);
done:
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc;
}

/* The container (a map or an array) that holds the last step of path, or
 * NULL when a step before it is missing or of the wrong type. */
static cJSON *parent_of(cJSON *item, const expr_path_t *path)
{
    cJSON *cur = item; /* a map */
    for (int i = 0; i < path->nsteps - 1; i++) {
        const expr_step_t *st = &path->steps[i];
        cJSON *av = st->name ? cJSON_GetObjectItemCaseSensitive(cur, st->name)
                             : cJSON_GetArrayItem(cur, (int)st->index);
        if (!av) return NULL;
        const expr_step_t *next = &path->steps[i + 1];
        cur = cJSON_GetObjectItemCaseSensitive(av, next->name ? "M" : "L");
        if (!cur) return NULL;
    }
    return cur;
}

static ddb_code_t put_at(cJSON *item, const expr_path_t *path, cJSON *v, ddb_error_t *err)
{
    cJSON *parent = parent_of(item, path);
    const expr_step_t *last = &path->steps[path->nsteps - 1];
    if (!parent) {
        cJSON_Delete(v);
        return bad_path(err);
    }
    if (last->name) {
        if (cJSON_GetObjectItemCaseSensitive(parent, last->name))
            cJSON_ReplaceItemInObjectCaseSensitive(parent, last->name, v);
        else
            cJSON_AddItemToObject(parent, last->name, v);
    } else if (last->index < cJSON_GetArraySize(parent)) {
        cJSON_ReplaceItemInArray(parent, (int)last->index, v);
    } else {
        cJSON_AddItemToArray(parent, v); /* past the end: appended, as DynamoDB does */
    }
    return DDB_OK;
}

static void remove_at(cJSON *item, const expr_path_t *path)
{
    cJSON *parent = parent_of(item, path);
    const expr_step_t *last = &path->steps[path->nsteps - 1];
    if (!parent) return;
    if (last->name)
        cJSON_DeleteItemFromObjectCaseSensitive(parent, last->name);
    else if (last->index < cJSON_GetArraySize(parent))
        cJSON_DeleteItemFromArray(parent, (int)last->index);
}

/* REMOVEs of list elements run highest index first, so each index means
 * what it meant in the original list. */
static int remove_order(const void *pa, const void *pb)
{
    const action_t *a = *(const action_t *const *)pa, *b = *(const action_t *const *)pb;
    const expr_step_t *x = &a->path->steps[a->path->nsteps - 1];
    const expr_step_t *y = &b->path->steps[b->path->nsteps - 1];
    if (x->name || y->name) return 0;
    return x->index < y->index ? 1 : x->index > y->index ? -1 : 0;
}

ddb_code_t expr_update_apply(const expr_t *e, cJSON *item, ddb_error_t *err)
{
    ddb_code_t rc = DDB_OK;
    cJSON **values = calloc((size_t)e->nactions + 1, sizeof *values);
    const action_t **removes = calloc((size_t)e->nactions + 1, sizeof *removes);
    int nremoves = 0;
    if (!values || !removes) {
        rc = cond_nomem(err);
        goto done;
    }
    /* Right-hand sides and ADD / DELETE operands against the original item. */
    for (int i = 0; i < e->nactions; i++) {
        const action_t *a = &e->actions[i];
        if (a->clause == CL_SET) {
            if ((rc = set_value(a->value, item, &values[i], err))) goto done;
        } else if (a->clause == CL_ADD || a->clause == CL_DELETE) {
            const cJSON *cur = expr_path_get(item, a->path);
            const cJSON *operand = a->value->value;
            if (!cur) {
                values[i] = a->clause == CL_ADD ? cJSON_Duplicate(operand, 1) : NULL;
                continue;
            }
            if (strcmp(value_type(cur), value_type(operand)) != 0) {
                rc = bad_type(err);
                goto done;
            }
            if (value_is(cur, "N")) {
                num_t x, y, r;
                value_get_number(cur, &x);
                value_get_number(operand, &y);
                num_err_t ne = num_add(&x, &y, 0, &r);
                if (ne) {
                    rc = arithmetic_error(ne, err);
                    goto done;
                }
                values[i] = value_number(&r);
            } else {
                values[i] = a->clause == CL_ADD ? value_set_union(cur, operand)
                                                : value_set_minus(cur, operand);
            }
        }
    }
    for (int i = 0; i < e->nactions; i++) {
        const action_t *a = &e->actions[i];
        if (a->clause == CL_REMOVE) {
            removes[nremoves++] = a;
        } else if (a->clause == CL_DELETE && !values[i]) {
            if (expr_path_get(item, a->path)) remove_at(item, a->path); /* emptied set */
        } else if (values[i]) {
            rc = put_at(item, a->path, values[i], err);
            values[i] = NULL;
            if (rc) goto done;
        }
    }
    qsort(removes, (size_t)nremoves, sizeof *removes, remove_order);
    for (int i = 0; i < nremoves; i++) remove_at(item, removes[i]->path);
done:
    if (values)
        for (int i = 0; i < e->nactions; i++) cJSON_Delete(values[i]);
    free(values);
    free(removes);
    return rc;
}
