/* expr: lexer, KeyConditionExpression and ProjectionExpression. */
#include "expr.h"
#include "lex.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ddb_code_t expr_projection_parse(const char *text, expr_refs_t *refs, expr_projection_t **out,
                                 ddb_error_t *err)
{
    lexer_t lx;
    ddb_error_t deferred;
    expr_projection_t *p = calloc(1, sizeof *p);
    ddb_code_t rc = DDB_E_INTERNAL_FAILURE;
    if (!p || !(p->text = strdup(text))) {
        rc = ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
        goto fail;
    }
    lex_init(&lx, text, "ProjectionExpression", &deferred);
    if ((rc = lex_check_text(&lx, 1, err))) goto fail;
    int cap = 0;
    for (;;) {
        if (p->npaths == cap) {
            cap = cap ? cap * 2 : 4;
            expr_path_t *np = realloc(p->paths, (size_t)cap * sizeof *np);
            if (!np) {
                rc = ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
                goto fail;
            }
            p->paths = np;
        }
        if ((rc = lex_parse_path(&lx, refs, p->text, &p->paths[p->npaths], err))) goto fail;
        p->npaths++;
        if (lx.cur.kind == T_EOF) break;
        if (!lex_is_punct(&lx.cur, ",")) {
            rc = lex_syntax_error(&lx, err);
            goto fail;
        }
        lex_next(&lx);
    }
    if ((rc = lex_finish(&lx, err))) goto fail;
    /* Two paths that are equal or where one contains the other overlap. */
    for (int i = 0; i < p->npaths; i++) {
        for (int j = 0; j < i; j++) {
            const expr_path_t *a = &p->paths[i], *b = &p->paths[j];
            int n = a->nsteps < b->nsteps ? a->nsteps : b->nsteps, same = 1;
            for (int k = 0; k < n && same; k++) {
                const expr_step_t *x = &a->steps[k], *y = &b->steps[k];
                same = (x->name && y->name) ? strcmp(x->name, y->name) == 0
                                            : (!x->name && !y->name && x->index == y->index);
            }
            if (same) {
                char one[512], two[512];
                expr_path_text(b, one, sizeof one);
                expr_path_text(a, two, sizeof two);
                rc = ddb_fail(err, DDB_E_VALIDATION,
                              "Invalid ProjectionExpression: Two document paths overlap with each "
                              "other; must remove or rewrite one of these paths; path one: %s, "
                              "path two: %s",
                              one, two);
                goto fail;
            }
        }
    }
    *out = p;
    return DDB_OK;
fail:
    expr_projection_free(p);
    return rc;
}

void expr_projection_free(expr_projection_t *p)
{
    if (!p) return;
    free(p->paths);
    free(p->text);
    free(p);
}

/* Projected list elements remember the index they came from (in valueint,
 * which cJSON leaves unused on objects), so that paths through the same
 * element meet in one output element. */
static cJSON *list_slot(cJSON *list, long index)
{
    cJSON *last = list->child ? list->child->prev : NULL; /* cJSON keeps head->prev = tail */
    return last && last->valueint == index + 1 ? last : NULL;
}

/* Copies the value at path (from step k on) out of src, an AttributeValue,
 * into dst, the AttributeValue being built for it. Containers are created
 * only once the value inside them is known to exist. */
static int project_into(const expr_path_t *path, int k, const cJSON *src, cJSON *dst)
{
    const expr_step_t *st = &path->steps[k];
    const char *kind = st->name ? "M" : "L";
    const cJSON *inner = cJSON_GetObjectItemCaseSensitive(src, kind);
    if (!inner) return 0;
    const cJSON *child = st->name ? cJSON_GetObjectItemCaseSensitive(inner, st->name)
                                  : cJSON_GetArrayItem(inner, (int)st->index);
    if (!child) return 0;
    cJSON *dinner = cJSON_GetObjectItemCaseSensitive(dst, kind);
    cJSON *dchild = NULL;
    if (dinner)
        dchild = st->name ? cJSON_GetObjectItemCaseSensitive(dinner, st->name)
                          : list_slot(dinner, st->index);
    if (dchild) { /* reached before: a whole value, or the start of a deeper path */
        return k + 1 == path->nsteps ? 1 : project_into(path, k + 1, child, dchild);
    }
    cJSON *fresh;
    if (k + 1 == path->nsteps) {
        fresh = cJSON_Duplicate(child, 1);
        if (!fresh) return 0;
    } else {
        fresh = cJSON_CreateObject();
        if (!fresh) return 0;
        if (!project_into(path, k + 1, child, fresh)) {
            cJSON_Delete(fresh);
            return 0;
        }
    }
    if (!dinner) {
        dinner = st->name ? cJSON_AddObjectToObject(dst, kind) : cJSON_AddArrayToObject(dst, kind);
        if (!dinner) {
            cJSON_Delete(fresh);
            return 0;
        }
    }
    if (st->name) {
        cJSON_AddItemToObject(dinner, st->name, fresh);
    } else {
        fresh->valueint = (int)st->index + 1;
        cJSON_AddItemToArray(dinner, fresh);
    }
    return 1;
}

/* Paths in document order: names by name, list indexes by number, so list
 * elements come out in their original order, as DynamoDB returns them. */
static int path_order(const void *pa, const void *pb)
{
    const expr_path_t *a = pa, *b = pb;
    for (int i = 0; i < a->nsteps && i < b->nsteps; i++) {
        const expr_step_t *x = &a->steps[i], *y = &b->steps[i];
        if (x->name && y->name) {
            int c = strcmp(x->name, y->name);
            if (c) return c;
        } else if (!x->name && !y->name) {
            if (x->index != y->index) return x->index < y->index ? -1 : 1;
        } else {
            return x->name ? -1 : 1;
        }
    }
    return a->nsteps - b->nsteps;
}

static void clear_marks(cJSON *v)
{
    for (cJSON *c = v ? v->child : NULL; c; c = c->next) {
        if (cJSON_IsObject(c)) c->valueint = 0;
        clear_marks(c);
    }
}

cJSON *expr_projection_apply(const expr_projection_t *p, const cJSON *item)
{
    cJSON *out = cJSON_CreateObject();
    expr_path_t *paths = malloc(sizeof *paths * (size_t)(p->npaths ? p->npaths : 1));
    if (!out || !paths) {
        cJSON_Delete(out);
        free(paths);
        return NULL;
    }
    memcpy(paths, p->paths, sizeof *paths * (size_t)p->npaths);
    qsort(paths, (size_t)p->npaths, sizeof *paths, path_order);
    for (int i = 0; i < p->npaths; i++) {
        const expr_path_t *path = &paths[i];
        const char *name = path->steps[0].name;
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(item, name);
        if (!src) continue;
        cJSON *dst = cJSON_GetObjectItemCaseSensitive(out, name);
        if (path->nsteps == 1) {
            if (!dst) cJSON_AddItemToObject(out, name, cJSON_Duplicate(src, 1));
        } else if (dst) {
            project_into(path, 1, src, dst);
        } else {
            cJSON *fresh = cJSON_CreateObject();
            if (fresh && project_into(path, 1, src, fresh))
                cJSON_AddItemToObject(out, name, fresh);
            else
                cJSON_Delete(fresh);
        }
    }
    clear_marks(out);
    free(paths);
    return out;
}

/* ---- KeyConditionExpression ---- */

typedef struct cond {
    const char *name;
    expr_op_t op;
    const cJSON *v1, *v2;
} cond_t;

static ddb_code_t parse_operand_name(lexer_t *lx, expr_refs_t *refs, char *copy, const char **name,
                                     ddb_error_t *err)
{
    if (lx->cur.kind != T_NAME && lx->cur.kind != T_HNAME) return lex_syntax_error(lx, err);
    tok_t t = lx->cur;
    lex_next(lx);
    if (lex_is_punct(&lx->cur, ".") || lex_is_punct(&lx->cur, "["))
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Invalid %s: Key condition must not contain nested attributes", lx->what);
    return lex_resolve_name(lx, refs, &t, name, copy, err);
}

static ddb_code_t parse_value(lexer_t *lx, expr_refs_t *refs, const cJSON **v, ddb_error_t *err)
{
    if (lx->cur.kind != T_VALUE) return lex_syntax_error(lx, err);
    tok_t t = lx->cur;
    lex_next(lx);
    return lex_resolve_value(lx, refs, &t, v, err);
}

static ddb_code_t parse_cond(lexer_t *lx, expr_refs_t *refs, char *copy, cond_t *c, int depth,
                             ddb_error_t *err);

static ddb_code_t parse_simple(lexer_t *lx, expr_refs_t *refs, char *copy, cond_t *c,
                               ddb_error_t *err)
{
    ddb_code_t rc;
    if (lex_is_word(&lx->cur, "begins_with")) {
        lex_next(lx);
        if (!lex_is_punct(&lx->cur, "(")) return lex_syntax_error(lx, err);
        lex_next(lx);
        if ((rc = parse_operand_name(lx, refs, copy, &c->name, err))) return rc;
        if (!lex_is_punct(&lx->cur, ",")) return lex_syntax_error(lx, err);
        lex_next(lx);
        if ((rc = parse_value(lx, refs, &c->v1, err))) return rc;
        if (!lex_is_punct(&lx->cur, ")")) return lex_syntax_error(lx, err);
        lex_next(lx);
        c->op = EXPR_BEGINS_WITH;
        return DDB_OK;
    }
    int value_first = lx->cur.kind == T_VALUE;
    const cJSON *lhs_value = NULL;
    if (value_first) {
        if ((rc = parse_value(lx, refs, &lhs_value, err))) return rc;
    } else if ((rc = parse_operand_name(lx, refs, copy, &c->name, err))) {
        return rc;
    }
    static const struct {
        const char *s;
        expr_op_t op, flipped;
    } ops[] = {{"=", EXPR_EQ, EXPR_EQ},
               {"<=", EXPR_LE, EXPR_GE},
               {">=", EXPR_GE, EXPR_LE},
               {"<", EXPR_LT, EXPR_GT},
               {">", EXPR_GT, EXPR_LT}};
    if (!value_first && lex_is_word(&lx->cur, "BETWEEN")) {
        lex_next(lx);
        if ((rc = parse_value(lx, refs, &c->v1, err))) return rc;
        if (!lex_is_word(&lx->cur, "AND")) return lex_syntax_error(lx, err);
        lex_next(lx);
        if ((rc = parse_value(lx, refs, &c->v2, err))) return rc;
        c->op = EXPR_BETWEEN;
        return DDB_OK;
    }
    if (lex_is_punct(&lx->cur, "<>"))
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Invalid %s: Invalid operator used in KeyConditionExpression: <>",
                        lx->what);
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (!lex_is_punct(&lx->cur, ops[i].s)) continue;
        lex_next(lx);
        if (value_first) {
            if ((rc = parse_operand_name(lx, refs, copy, &c->name, err))) return rc;
            c->v1 = lhs_value;
            c->op = ops[i].flipped;
        } else {
            if ((rc = parse_value(lx, refs, &c->v1, err))) return rc;
            c->op = ops[i].op;
        }
        return DDB_OK;
    }
    return lex_syntax_error(lx, err);
}

static ddb_code_t parse_cond(lexer_t *lx, expr_refs_t *refs, char *copy, cond_t *c, int depth,
                             ddb_error_t *err)
{
    if (depth > 8) return lex_syntax_error(lx, err);
    if (lex_is_word(&lx->cur, "NOT"))
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Invalid operator used in KeyConditionExpression: NOT");
    if (lex_is_punct(&lx->cur, "(")) {
        lex_next(lx);
        ddb_code_t rc = parse_cond(lx, refs, copy, c, depth + 1, err);
        if (rc) return rc;
        if (!lex_is_punct(&lx->cur, ")")) return lex_syntax_error(lx, err);
        lex_next(lx);
        return DDB_OK;
    }
    return parse_simple(lx, refs, copy, c, err);
}

ddb_code_t expr_keycond_parse(const char *text, const char *hash, const char *range,
                              expr_refs_t *refs, expr_keycond_t **out, ddb_error_t *err)
{
    lexer_t lx;
    ddb_error_t deferred;
    expr_keycond_t *k = calloc(1, sizeof *k);
    ddb_code_t rc;
    cond_t c[8];
    int n = 0;
    memset(c, 0, sizeof c);
    if (!k || !(k->text = strdup(text))) {
        rc = ddb_fail(err, DDB_E_INTERNAL_FAILURE, "The server ran out of memory");
        goto fail;
    }
    lex_init(&lx, text, "KeyConditionExpression", &deferred);
    if ((rc = lex_check_text(&lx, 1, err))) goto fail;
    for (;;) {
        if (n == (int)(sizeof c / sizeof *c)) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "KeyConditionExpressions must only contain one condition per key");
            goto fail;
        }
        if ((rc = parse_cond(&lx, refs, k->text, &c[n], 0, err))) goto fail;
        n++;
        if (lx.cur.kind == T_EOF) break;
        if (lex_is_word(&lx.cur, "AND")) {
            lex_next(&lx);
            continue;
        }
        if (lex_is_word(&lx.cur, "OR")) {
            rc = ddb_fail(err, DDB_E_VALIDATION,
                          "Invalid operator used in KeyConditionExpression: OR");
            goto fail;
        }
        rc = lex_syntax_error(&lx, err);
        goto fail;
    }
    if ((rc = lex_finish(&lx, err))) goto fail;
    int unknown = 0, on_hash = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(c[i].name, hash) == 0) {
            on_hash = 1;
            if (k->hash_name) goto per_key;
            k->hash_name = hash;
            k->hash_value = c[i].v1;
            if (c[i].op != EXPR_EQ) {
                rc = ddb_fail(err, DDB_E_VALIDATION, "Query key condition not supported");
                goto fail;
            }
        } else if (range && strcmp(c[i].name, range) == 0) {
            if (k->range_name) goto per_key;
            k->range_name = range;
            k->range_op = c[i].op;
            k->range_value = c[i].v1;
            k->range_value2 = c[i].v2;
        } else {
            unknown = 1;
        }
    }
    if (unknown && !range) {
        rc = ddb_fail(err, DDB_E_VALIDATION, "Query key condition not supported");
        goto fail;
    }
    if (unknown || !on_hash) {
        rc = ddb_fail(err, DDB_E_VALIDATION, "Query condition missed key schema element: %s",
                      on_hash ? range : hash);
        goto fail;
    }
    *out = k;
    return DDB_OK;
per_key:
    rc = ddb_fail(err, DDB_E_VALIDATION,
                  "KeyConditionExpressions must only contain one condition per key");
fail:
    expr_keycond_free(k);
    return rc;
}

void expr_keycond_free(expr_keycond_t *k)
{
    if (!k) return;
    free(k->text);
    free(k);
}
