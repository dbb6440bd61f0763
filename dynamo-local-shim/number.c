#include "number.h"

#include <string.h>

#define EXP_MAX 126  /* 9.99..E+125 = 0.999.. x 10^126 */
#define EXP_MIN -129 /* 1E-130 = 0.1 x 10^-129 */

const char *num_strerror(num_err_t err)
{
    switch (err) {
    case NUM_OK: return "ok";
    case NUM_ERR_SYNTAX: return "A value provided cannot be converted into a number";
    case NUM_ERR_PRECISION:
        return "Attempting to store more than 38 significant digits in a Number";
    case NUM_ERR_OVERFLOW:
        return "Number overflow. Attempting to store a number with magnitude larger than "
               "supported range";
    case NUM_ERR_UNDERFLOW:
        return "Number underflow. Attempting to store a number with magnitude smaller than "
               "supported range";
    }
    return "unknown error";
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

num_err_t num_parse(const char *s, size_t n, num_t *out)
{
    size_t i = 0;
    num_t r;
    memset(&r, 0, sizeof r);
    if (i < n && (s[i] == '-' || s[i] == '+')) r.neg = s[i++] == '-';

    /* Mantissa: keep the significant digits and note where the first one
     * stands relative to the point: value = 0.d1 d2 ... x 10^(intlen - first). */
    int seen_point = 0, nsig = 0, overflow_digits = 0;
    long ndig = 0, intlen = 0, first = -1;
    unsigned char digits[NUM_MAX_DIGITS];
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (seen_point) return NUM_ERR_SYNTAX;
            seen_point = 1;
            continue;
        }
        if (!is_digit(c)) break;
        if (!seen_point) intlen++;
        ndig++;
        if (first < 0) {
            if (c == '0') continue;
            first = ndig - 1;
        }
        if (nsig < NUM_MAX_DIGITS)
            digits[nsig] = (unsigned char)(c - '0');
        else if (c != '0')
            overflow_digits = 1;
        nsig++;
    }
    if (ndig == 0) return NUM_ERR_SYNTAX;

    long exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
        if (i >= n || !is_digit(s[i])) return NUM_ERR_SYNTAX;
        for (; i < n && is_digit(s[i]); i++)
            if (exp10 < 100000000) exp10 = exp10 * 10 + (s[i] - '0');
        if (eneg) exp10 = -exp10;
    }
    if (i != n) return NUM_ERR_SYNTAX;

    if (nsig == 0) { /* zero, whatever its sign or exponent */
        memset(out, 0, sizeof *out);
        return NUM_OK;
    }
    if (overflow_digits) return NUM_ERR_PRECISION;
    /* Digits past the 38th were all zeros: they only move the exponent. */
    int kept = nsig > NUM_MAX_DIGITS ? NUM_MAX_DIGITS : nsig;
    while (kept > 0 && digits[kept - 1] == 0) kept--;

    long e = intlen - first + exp10;
    if (e > EXP_MAX) return NUM_ERR_OVERFLOW;
    if (e < EXP_MIN) return NUM_ERR_UNDERFLOW;
    r.ndigits = kept;
    r.exp = (int)e;
    memcpy(r.d, digits, (size_t)kept);
    *out = r;
    return NUM_OK;
}

int num_cmp(const num_t *a, const num_t *b)
{
    int sa = a->ndigits == 0 ? 0 : (a->neg ? -1 : 1);
    int sb = b->ndigits == 0 ? 0 : (b->neg ? -1 : 1);
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    int mag; /* magnitude comparison */
    if (a->exp != b->exp) {
        mag = a->exp < b->exp ? -1 : 1;
    } else {
        int n = a->ndigits < b->ndigits ? a->ndigits : b->ndigits;
        mag = 0;
        for (int i = 0; i < n && !mag; i++)
            if (a->d[i] != b->d[i]) mag = a->d[i] < b->d[i] ? -1 : 1;
        if (!mag && a->ndigits != b->ndigits) mag = a->ndigits < b->ndigits ? -1 : 1;
    }
    return sa < 0 ? -mag : mag;
}

size_t num_format(const num_t *n, char *buf)
{
    char *p = buf;
    if (n->ndigits == 0) {
        memcpy(buf, "0", 2);
        return 1;
    }
    if (n->neg) *p++ = '-';
    if (n->exp <= 0) {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -n->exp; i++) *p++ = '0';
        for (int i = 0; i < n->ndigits; i++) *p++ = (char)('0' + n->d[i]);
    } else if (n->exp < n->ndigits) {
        for (int i = 0; i < n->ndigits; i++) {
            if (i == n->exp) *p++ = '.';
            *p++ = (char)('0' + n->d[i]);
        }
    } else {
        for (int i = 0; i < n->ndigits; i++) *p++ = (char)('0' + n->d[i]);
        for (int i = n->ndigits; i < n->exp; i++) *p++ = '0';
    }
    *p = '\0';
    return (size_t)(p - buf);
}

/* Zero sorts between the negatives and the positives. Positives: larger
 * exponent, then larger digits, sort later; a shorter digit string that is a
 * prefix of a longer one is smaller (digits are stored as d+1, never 0, and the
 * segment ends right after them). Negatives: every byte is inverted and a 0xFF
 * end marker makes the shorter string the larger number. */
size_t num_encode(const num_t *n, unsigned char *out)
{
    size_t k = 0;
    if (n->ndigits == 0) {
        out[k++] = 0x80;
        return k;
    }
    unsigned e = (unsigned)(n->exp + 0x8000);
    if (n->neg) e = ~e & 0xFFFFu;
    out[k++] = n->neg ? 0x40 : 0xC0;
    out[k++] = (unsigned char)(e >> 8);
    out[k++] = (unsigned char)(e & 0xFF);
    for (int i = 0; i < n->ndigits; i++)
        out[k++] = n->neg ? (unsigned char)(10 - n->d[i]) : (unsigned char)(n->d[i] + 1);
    if (n->neg) out[k++] = 0xFF;
    return k;
}

size_t num_size(const num_t *n) { return (size_t)(n->ndigits + 1) / 2 + 1; }

/* Both operands are laid out as integers over a common last-digit exponent;
 * the longest such integer is 38 digits shifted by the widest exponent gap. */
#define ADD_WIDTH 400

num_err_t num_add(const num_t *a, const num_t *b, int subtract, num_t *out)
{
    num_t nb = *b;
    if (subtract && nb.ndigits) nb.neg = !nb.neg;
    if (a->ndigits == 0) {
        *out = nb;
        return NUM_OK;
    }
    if (nb.ndigits == 0) {
        *out = *a;
        return NUM_OK;
    }
    int ea = a->exp - a->ndigits, eb = nb.exp - nb.ndigits; /* exponent of the last digit */
    int base = ea < eb ? ea : eb;
    /* Digits stored least significant first. */
    unsigned char x[ADD_WIDTH] = {0}, y[ADD_WIDTH] = {0}, r[ADD_WIDTH + 1] = {0};
    for (int i = 0; i < a->ndigits; i++) x[(ea - base) + (a->ndigits - 1 - i)] = a->d[i];
    for (int i = 0; i < nb.ndigits; i++) y[(eb - base) + (nb.ndigits - 1 - i)] = nb.d[i];
    int len = ADD_WIDTH;
    int neg;
    if (a->neg == nb.neg) {
        int carry = 0;
        for (int i = 0; i < len; i++) {
            int s = x[i] + y[i] + carry;
            r[i] = (unsigned char)(s % 10);
            carry = s / 10;
        }
        r[len] = (unsigned char)carry;
        neg = a->neg;
    } else {
        /* Subtract the smaller magnitude from the larger. */
        int cmp = 0;
        for (int i = len - 1; i >= 0 && !cmp; i--)
            if (x[i] != y[i]) cmp = x[i] < y[i] ? -1 : 1;
        if (cmp == 0) {
            memset(out, 0, sizeof *out);
            return NUM_OK;
        }
        const unsigned char *big = cmp > 0 ? x : y, *small = cmp > 0 ? y : x;
        int borrow = 0;
        for (int i = 0; i < len; i++) {
            int s = big[i] - small[i] - borrow;
            borrow = s < 0;
            r[i] = (unsigned char)(s + (borrow ? 10 : 0));
        }
        neg = cmp > 0 ? a->neg : nb.neg;
    }
    int hi = len;
    while (hi > 0 && r[hi] == 0) hi--;
    int lo = 0;
    while (lo < hi && r[lo] == 0) lo++;
    int ndigits = hi - lo + 1;
    if (ndigits > NUM_MAX_DIGITS) return NUM_ERR_PRECISION;
    long exp = (long)base + hi + 1; /* value = 0.d... x 10^exp */
    if (exp > EXP_MAX) return NUM_ERR_OVERFLOW;
    if (exp < EXP_MIN) return NUM_ERR_UNDERFLOW;
    num_t res;
    memset(&res, 0, sizeof res);
    res.neg = neg;
    res.ndigits = ndigits;
    res.exp = (int)exp;
    for (int i = 0; i < ndigits; i++) res.d[i] = r[hi - i];
    *out = res;
    return NUM_OK;
}
