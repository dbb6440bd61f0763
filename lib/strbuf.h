/* strbuf: a growable, NUL-terminated byte buffer with a size cap.
 *
 * Every buffer has a cap set at creation; an append that would pass it fails
 * with STRBUF_ERR_TOOBIG and leaves the buffer as it was. The buffer owns its
 * memory; strbuf_take() hands it to the caller and resets the buffer.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;   /* allocated bytes */
    size_t limit; /* most bytes it may hold, terminator excluded */
} strbuf_t;

typedef enum strbuf_err { STRBUF_OK = 0, STRBUF_ERR_NOMEM, STRBUF_ERR_TOOBIG } strbuf_err_t;

const char *strbuf_strerror(strbuf_err_t err);

void strbuf_init(strbuf_t *sb, size_t limit);
void strbuf_free(strbuf_t *sb);  /* accepts NULL */
void strbuf_reset(strbuf_t *sb); /* keeps the memory */
strbuf_err_t strbuf_reserve(strbuf_t *sb, size_t more);
strbuf_err_t strbuf_add(strbuf_t *sb, const void *p, size_t n);
strbuf_err_t strbuf_adds(strbuf_t *sb, const char *s);
strbuf_err_t strbuf_addc(strbuf_t *sb, char c);
strbuf_err_t strbuf_addf(strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
strbuf_err_t strbuf_add_json_str(strbuf_t *sb, const char *s, size_t n);
/* Returns the data (never NULL: "" when empty) and resets the buffer; the
 * caller frees it. Returns NULL only when out of memory. */
char *strbuf_take(strbuf_t *sb, size_t *len);

#endif
