/* lex: the lexer and the pieces every expression parser shares: document
 * paths, ExpressionAttributeNames / Values resolution, and DynamoDB's syntax
 * error message. Internal to expr/. */
#ifndef EXPR_LEX_H
#define EXPR_LEX_H

#include "expr.h"

#include <stddef.h>

typedef enum tok_kind {
    T_EOF,
    T_NAME,  /* bare attribute name or function name or keyword */
    T_HNAME, /* #name */
    T_VALUE, /* :value */
    T_INT,   /* list index */
    T_PUNCT, /* = <> < <= > >= ( ) [ ] , . */
    T_BAD
} tok_kind_t;

typedef struct tok {
    tok_kind_t kind;
    const char *p;
    size_t n;
} tok_t;

typedef struct lexer {
    const char *src;
    const char *pos;
    tok_t cur, prev;
    const char *what; /* "KeyConditionExpression" ... for messages */
    /* DynamoDB reports syntax errors before any other: other errors found
     * while parsing are kept here (the first one wins) and reported by
     * lex_finish once the whole text has parsed. */
    ddb_error_t *deferred;
    int has_deferred;
} lexer_t;

/* store: where deferred errors are kept while parsing. */
void lex_init(lexer_t *lx, const char *text, const char *what, ddb_error_t *store);
/* Defers a non-syntax error (formatted like ddb_fail); returns DDB_OK so the
 * parse goes on. */
ddb_code_t lex_semantic(lexer_t *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After a successful parse: the deferred error, if any, into err. */
ddb_code_t lex_finish(lexer_t *lx, ddb_error_t *err);
/* A stand-in value for an undefined :name, so parsing can go on. */
extern const cJSON lex_placeholder_value;
void lex_next(lexer_t *lx);
int lex_is_punct(const tok_t *t, const char *s);
/* Keywords compare without case. */
int lex_is_word(const tok_t *t, const char *w);
/* "Invalid <what>: Syntax error; token: ..., near: ..." for the current token. */
ddb_code_t lex_syntax_error(lexer_t *lx, ddb_error_t *err);
ddb_code_t lex_empty_error(lexer_t *lx, ddb_error_t *err);
/* The checks before any grammar: the text is not empty (nor blank) and not
 * over 4 KB. size_suffix: whether the size message names the size. */
ddb_code_t lex_check_text(lexer_t *lx, int size_suffix, ddb_error_t *err);
const cJSON *lex_lookup(const cJSON *map, const char *p, size_t n);
void expr_refs_mark(expr_refs_t *refs, const cJSON *m);
/* A name token to the name it stands for; bare names are terminated inside
 * copy_base, the caller's copy of the text (same offsets as lx->src). */
ddb_code_t lex_resolve_name(lexer_t *lx, expr_refs_t *refs, const tok_t *t, const char **out,
                            char *copy_base, ddb_error_t *err);
ddb_code_t lex_resolve_value(lexer_t *lx, expr_refs_t *refs, const tok_t *t, const cJSON **out,
                             ddb_error_t *err);
/* A document path starting at the current token. */
ddb_code_t lex_parse_path(lexer_t *lx, expr_refs_t *refs, char *copy, expr_path_t *path,
                          ddb_error_t *err);

#endif
