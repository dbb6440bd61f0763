/* number: DynamoDB's Number type as an exact decimal.
 *
 * DynamoDB numbers hold up to 38 significant digits, with magnitudes from
 * 1E-130 to 9.9999999999999999999999999999999999999E+125. They are parsed
 * into sign, digits and exponent, never into doubles, and from that form
 * compared, printed (plain notation, no trailing zeros, as DynamoDB returns
 * them) and encoded into bytes whose memcmp order is numeric order.
 */
#ifndef NUMBER_H
#define NUMBER_H

#include <stddef.h>

#define NUM_MAX_DIGITS 38
/* Longest plain rendering: sign, "0.", 129 zeros, 38 digits. */
#define NUM_MAX_TEXT 176
/* Longest order-preserving encoding: class, two exponent bytes, digits, end. */
#define NUM_MAX_KEY (1 + 2 + NUM_MAX_DIGITS + 1)

typedef struct num {
    int neg;     /* 1 when negative; never for zero */
    int ndigits; /* 0 means zero */
    int exp;     /* value = 0.d1 d2 ... dn x 10^exp */
    unsigned char d[NUM_MAX_DIGITS];
} num_t;

typedef enum num_err {
    NUM_OK = 0,
    NUM_ERR_SYNTAX,    /* not a number */
    NUM_ERR_PRECISION, /* more than 38 significant digits */
    NUM_ERR_OVERFLOW,  /* magnitude above the supported range */
    NUM_ERR_UNDERFLOW  /* magnitude below the supported range */
} num_err_t;

/* DynamoDB's message for each error (ValidationException text). */
const char *num_strerror(num_err_t err);

/* Parses s[0..n). *out is set only on success. */
num_err_t num_parse(const char *s, size_t n, num_t *out);
/* <0, 0, >0 as a is less than, equal to or greater than b. */
int num_cmp(const num_t *a, const num_t *b);
/* Writes the plain rendering and a NUL into buf (NUM_MAX_TEXT + 1 bytes);
 * returns its length. */
size_t num_format(const num_t *n, char *buf);
/* Writes the order-preserving encoding (at most NUM_MAX_KEY bytes). */
size_t num_encode(const num_t *n, unsigned char *out);
/* out = a + b (b negated first when subtract is set), exactly; fails when
 * the result needs more than 38 digits or leaves the range. */
num_err_t num_add(const num_t *a, const num_t *b, int subtract, num_t *out);
/* Bytes the number counts for in DynamoDB's item size. */
size_t num_size(const num_t *n);

#endif
