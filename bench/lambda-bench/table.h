/* table: a small grid of text cells with a title, printed aligned for a
 * terminal or as a GitHub markdown table.
 *
 * The table owns copies of every string put in it; table_free accepts NULL.
 * The first row is the header. Columns after the first are right-aligned in
 * the terminal form. Never reads anything but its arguments.
 */
#ifndef LAMBDA_BENCH_TABLE_H
#define LAMBDA_BENCH_TABLE_H

#include <stdio.h>

typedef enum table_err {
    TABLE_OK = 0,
    TABLE_ERR_NOMEM,
    TABLE_ERR_SHAPE, /* a row with another number of cells than the header */
} table_err_t;

const char *table_strerror(table_err_t err);

typedef struct table table_t;

/* *out is set only on success. */
table_err_t table_new(const char *title, size_t ncols, table_t **out);
void table_free(table_t *t);

/* Appends a row of ncols cells (NULL cells print as ""). */
table_err_t table_add_row(table_t *t, const char *const *cells);

void table_print_text(const table_t *t, FILE *f);
void table_print_markdown(const table_t *t, FILE *f);

size_t table_rows(const table_t *t);
const char *table_cell(const table_t *t, size_t row, size_t col);

#endif
