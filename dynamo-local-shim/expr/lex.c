/* lex: tokens, names and values, document paths. */
#include "lex.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lex_init(lexer_t *lx, const char *text, const char *what, ddb_error_t *store)
{
    memset(lx, 0, sizeof *lx);
    lx->src = lx->pos = text;
    lx->what = what;
    lx->deferred = store;
    lex_next(lx);
}

ddb_code_t lex_semantic(lexer_t *lx, const char *fmt, ...)
{
    if (lx->has_deferred) return DDB_OK;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lx->deferred->msg, sizeof lx->deferred->msg, fmt, ap);
    va_end(ap);
    lx->deferred->code = DDB_E_VALIDATION;
    lx->deferred->extra = NULL;
    lx->has_deferred = 1;
    return DDB_OK;
}

ddb_code_t lex_finish(lexer_t *lx, ddb_error_t *err)
{
    if (!lx->has_deferred) return DDB_OK;
    *err = *lx->deferred;
    return err->code;
}

/* {"NULL": true}, built by hand so it needs no allocation. */
static const cJSON placeholder_true = {.type = cJSON_True, .string = (char *)"NULL"};
const cJSON lex_placeholder_value = {.type = cJSON_Object, .child = (cJSON *)&placeholder_true};

/* ---- lexer ---- */

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

void lex_next(lexer_t *lx)
{
    const char *p = lx->pos;
    while (*p && isspace((unsigned char)*p)) p++;
    lx->prev = lx->cur;
    tok_t t = {T_EOF, p, 0};
    if (!*p) {
        t.kind = T_EOF;
    } else if (*p == '#' || *p == ':') {
        const char *q = p + 1;
        while (ident_char(*q)) q++;
        t.kind = q == p + 1 ? T_BAD : (*p == '#' ? T_HNAME : T_VALUE);
        t.n = (size_t)(q - p);
        if (t.kind == T_BAD) t.n = 1;
    } else if (isdigit((unsigned char)*p)) {
        const char *q = p;
        while (isdigit((unsigned char)*q)) q++;
        t.kind = T_INT;
        t.n = (size_t)(q - p);
    } else if (isalpha((unsigned char)*p) || *p == '_') {
        const char *q = p;
        while (ident_char(*q)) q++;
        t.kind = T_NAME;
        t.n = (size_t)(q - p);
    } else if ((p[0] == '<' && (p[1] == '=' || p[1] == '>')) || (p[0] == '>' && p[1] == '=')) {
        t.kind = T_PUNCT;
        t.n = 2;
    } else if (strchr("=<>()[],.+-", *p)) {
        t.kind = T_PUNCT;
        t.n = 1;
    } else {
        t.kind = T_BAD;
        t.n = 1;
    }
    lx->cur = t;
    lx->pos = p + t.n;
}

int lex_is_punct(const tok_t *t, const char *s)
{
    return t->kind == T_PUNCT && t->n == strlen(s) && memcmp(t->p, s, t->n) == 0;
}

int lex_is_word(const tok_t *t, const char *w)
{
    return t->kind == T_NAME && t->n == strlen(w) && strncasecmp(t->p, w, t->n) == 0;
}

/* DynamoDB quotes the offending token and the text around it: from the
 * token before it to the token after it. */
ddb_code_t lex_syntax_error(lexer_t *lx, ddb_error_t *err)
{
    const tok_t *t = &lx->cur;
    lexer_t peek = *lx;
    /* With no token before it, the text before the error is all blank. */
    const char *near_start = lx->prev.p && lx->prev.kind != T_EOF ? lx->prev.p : lx->src;
    const char *near_end = t->p + t->n;
    if (t->kind != T_EOF) {
        lex_next(&peek);
        near_end = peek.cur.p + peek.cur.n;
    }
    char tokbuf[128];
    if (t->kind == T_EOF)
        snprintf(tokbuf, sizeof tokbuf, "<EOF>");
    else
        snprintf(tokbuf, sizeof tokbuf, "%.*s", (int)(t->n < 100 ? t->n : 100), t->p);
    int near_n = (int)(near_end - near_start);
    return ddb_fail(err, DDB_E_VALIDATION,
                    "Invalid %s: Syntax error; token: \"%s\", near: \"%.*s\"", lx->what, tokbuf,
                    near_n < 200 ? near_n : 200, near_start);
}

/* ---- names and values ---- */

void expr_refs_mark(expr_refs_t *refs, const cJSON *m)
{
    for (int i = 0; i < refs->nused; i++)
        if (refs->used[i] == m) return;
    if (refs->nused < (int)(sizeof refs->used / sizeof *refs->used)) refs->used[refs->nused++] = m;
}

static int is_used(const expr_refs_t *refs, const cJSON *m)
{
    for (int i = 0; i < refs->nused; i++)
        if (refs->used[i] == m) return 1;
    return 0;
}

const cJSON *lex_lookup(const cJSON *map, const char *p, size_t n)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, map)
    {
        if (strlen(e->string) == n && memcmp(e->string, p, n) == 0) return e;
    }
    return NULL;
}

static ddb_code_t unused_list(const cJSON *map, const expr_refs_t *refs, const char *what,
                              ddb_error_t *err)
{
    char keys[512];
    size_t k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, map)
    {
        if (is_used(refs, e)) continue;
        int w = snprintf(keys + k, sizeof keys - k, "%s%s", k ? ", " : "", e->string);
        if (w > 0 && (size_t)w < sizeof keys - k) k += (size_t)w;
    }
    if (!k) return DDB_OK;
    return ddb_fail(err, DDB_E_VALIDATION, "Value provided in %s unused in expressions: keys: {%s}",
                    what, keys);
}

ddb_code_t expr_refs_check_unused(const expr_refs_t *refs, ddb_error_t *err)
{
    ddb_code_t rc = unused_list(refs->names, refs, "ExpressionAttributeNames", err);
    if (!rc) rc = unused_list(refs->values, refs, "ExpressionAttributeValues", err);
    return rc;
}

/* Resolves a name token to the attribute name it stands for. */
ddb_code_t lex_resolve_name(lexer_t *lx, expr_refs_t *refs, const tok_t *t, const char **out,
                            char *copy_base, ddb_error_t *err)
{
    if (t->kind == T_HNAME) {
        const cJSON *m = lex_lookup(refs->names, t->p, t->n);
        if (!m || !cJSON_IsString(m)) {
            *out = "";
            return lex_semantic(lx,
                                "Invalid %s: An expression attribute name used in the document "
                                "path is not defined; attribute name: %.*s",
                                lx->what, (int)(t->n < 255 ? t->n : 255), t->p);
        }
        expr_refs_mark(refs, m);
        *out = m->valuestring;
        return DDB_OK;
    }
    if (expr_is_reserved(t->p, t->n))
        lex_semantic(lx, "Invalid %s: Attribute name is a reserved keyword; reserved keyword: %.*s",
                     lx->what, (int)t->n, t->p);
    /* Bare names live in the result's copy of the text: terminate them there. */
    char *p = copy_base + (t->p - lx->src);
    p[t->n] = '\0';
    *out = p;
    return DDB_OK;
}

ddb_code_t lex_resolve_value(lexer_t *lx, expr_refs_t *refs, const tok_t *t, const cJSON **out,
                             ddb_error_t *err)
{
    const cJSON *m = lex_lookup(refs->values, t->p, t->n);
    if (!m) {
        *out = &lex_placeholder_value;
        return lex_semantic(lx,
                            "Invalid %s: An expression attribute value used in expression is not "
                            "defined; attribute value: %.*s",
                            lx->what, (int)(t->n < 255 ? t->n : 255), t->p);
    }
    expr_refs_mark(refs, m);
    *out = m;
    return DDB_OK;
}

ddb_code_t lex_empty_error(lexer_t *lx, ddb_error_t *err)
{
    return ddb_fail(err, DDB_E_VALIDATION, "Invalid %s: The expression can not be empty;",
                    lx->what);
}

/* ---- ProjectionExpression ---- */

/* Parses one document path. The text is scanned in lx->src, while bare names
 * are terminated in the parallel copy (copy), so the scan never sees the NULs. */
ddb_code_t lex_parse_path(lexer_t *lx, expr_refs_t *refs, char *copy, expr_path_t *path,
                          ddb_error_t *err)
{
    path->nsteps = 0;
    if (lx->cur.kind != T_NAME && lx->cur.kind != T_HNAME) return lex_syntax_error(lx, err);
    for (;;) {
        if (path->nsteps == EXPR_MAX_PATH)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "Invalid %s: The document path has too many nesting levels; "
                            "nesting levels: %d",
                            lx->what, EXPR_MAX_PATH + 1);
        expr_step_t *st = &path->steps[path->nsteps];
        if (lx->cur.kind == T_NAME || lx->cur.kind == T_HNAME) {
            tok_t t = lx->cur;
            lex_next(lx);
            ddb_code_t rc = lex_resolve_name(lx, refs, &t, &st->name, copy, err);
            if (rc) return rc;
            path->nsteps++;
        } else {
            return lex_syntax_error(lx, err);
        }
        while (lex_is_punct(&lx->cur, "[")) {
            lex_next(lx);
            if (lx->cur.kind != T_INT) return lex_syntax_error(lx, err);
            if (path->nsteps == EXPR_MAX_PATH) return lex_syntax_error(lx, err);
            path->steps[path->nsteps].name = NULL;
            path->steps[path->nsteps].index = strtol(lx->cur.p, NULL, 10);
            path->nsteps++;
            lex_next(lx);
            if (!lex_is_punct(&lx->cur, "]")) return lex_syntax_error(lx, err);
            lex_next(lx);
        }
        if (!lex_is_punct(&lx->cur, ".")) return DDB_OK;
        lex_next(lx);
    }
}

/* A path as DynamoDB prints it in messages: [a, b, [2]]. */
void expr_path_text(const expr_path_t *p, char *buf, size_t cap)
{
    size_t k = 0;
    buf[k++] = '[';
    for (int i = 0; i < p->nsteps && k + 8 < cap; i++) {
        const expr_step_t *s = &p->steps[i];
        int w = s->name ? snprintf(buf + k, cap - k - 2, "%s%.100s", i ? ", " : "", s->name)
                        : snprintf(buf + k, cap - k - 2, "%s[%ld]", i ? ", " : "", s->index);
        if (w < 0 || (size_t)w >= cap - k - 2) break;
        k += (size_t)w;
    }
    buf[k++] = ']';
    buf[k] = '\0';
}

#define EXPR_MAX_TEXT 4096

ddb_code_t lex_check_text(lexer_t *lx, int size_suffix, ddb_error_t *err)
{
    size_t n = strlen(lx->src);
    if (n == 0) return lex_empty_error(lx, err);
    if (n > EXPR_MAX_TEXT) {
        if (size_suffix)
            return ddb_fail(err, DDB_E_VALIDATION,
                            "Invalid %s: Expression size has exceeded the maximum allowed size; "
                            "expression size: %zu",
                            lx->what, n);
        return ddb_fail(err, DDB_E_VALIDATION,
                        "Invalid %s: Expression size has exceeded the maximum allowed size;",
                        lx->what);
    }
    if (lx->cur.kind == T_EOF) return lex_syntax_error(lx, err);
    return DDB_OK;
}
