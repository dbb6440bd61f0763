/* table: see table.h. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

struct table {
    char *title;
    size_t ncols, nrows, cap;
    char **cells; /* nrows * ncols */
};

const char *table_strerror(table_err_t err)
{
    switch (err) {
    case TABLE_OK: return "ok";
    case TABLE_ERR_NOMEM: return "out of memory";
    case TABLE_ERR_SHAPE: return "row width differs from the header";
    }
    return "unknown error";
}

table_err_t table_new(const char *title, size_t ncols, table_t **out)
{
    table_t *t = calloc(1, sizeof *t);
    if (!t) return TABLE_ERR_NOMEM;
    t->ncols = ncols;
    if (!(t->title = strdup(title ? title : ""))) {
        free(t);
        return TABLE_ERR_NOMEM;
    }
    *out = t;
    return TABLE_OK;
}

void table_free(table_t *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    free(t->title);
    free(t);
}

table_err_t table_add_row(table_t *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        char **c = realloc(t->cells, cap * t->ncols * sizeof *c);
        if (!c) return TABLE_ERR_NOMEM;
        t->cells = c;
        t->cap = cap;
    }
    char **row = t->cells + t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!(row[i] = strdup(cells[i] ? cells[i] : ""))) {
            while (i > 0) free(row[--i]);
            return TABLE_ERR_NOMEM;
        }
    }
    t->nrows++;
    return TABLE_OK;
}

size_t table_rows(const table_t *t) { return t->nrows; }

const char *table_cell(const table_t *t, size_t row, size_t col)
{
    return row < t->nrows && col < t->ncols ? t->cells[row * t->ncols + col] : NULL;
}

/* Display width: counts UTF-8 code points, not bytes. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

void table_print_text(const table_t *t, FILE *f)
{
    size_t w[32] = {0};
    size_t nc = t->ncols < 32 ? t->ncols : 32;
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < nc; c++) {
            size_t x = width(table_cell(t, r, c));
            if (x > w[c]) w[c] = x;
        }
    if (t->title[0]) fprintf(f, "%s\n", t->title);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < nc; c++) {
            const char *s = table_cell(t, r, c);
            size_t pad = w[c] - width(s);
            if (c == 0)
                fprintf(f, "%s%*s", s, (int)pad, "");
            else
                fprintf(f, "  %*s%s", (int)pad, "", s);
        }
        fputc('\n', f);
        if (r == 0) {
            size_t total = 0;
            for (size_t c = 0; c < nc; c++) total += w[c] + (c ? 2 : 0);
            for (size_t i = 0; i < total; i++) fputc('-', f);
            fputc('\n', f);
        }
    }
}

void table_print_markdown(const table_t *t, FILE *f)
{
    if (t->title[0]) fprintf(f, "**%s**\n\n", t->title);
    for (size_t r = 0; r < t->nrows; r++) {
        fputc('|', f);
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = table_cell(t, r, c);
            fprintf(f, " %s |", s ? s : "");
        }
        fputc('\n', f);
        if (r == 0) {
            fputc('|', f);
            for (size_t c = 0; c < t->ncols; c++) fputs(c ? "---:|" : "---|", f);
            fputc('\n', f);
        }
    }
    fputc('\n', f);
}
