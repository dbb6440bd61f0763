#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *strbuf_strerror(strbuf_err_t err)
{
    switch (err) {
    case STRBUF_OK: return "ok";
    case STRBUF_ERR_NOMEM: return "out of memory";
    case STRBUF_ERR_TOOBIG: return "buffer size limit reached";
    }
    return "unknown error";
}

void strbuf_init(strbuf_t *sb, size_t limit)
{
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->limit = limit;
}

void strbuf_free(strbuf_t *sb)
{
    if (!sb) return;
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

void strbuf_reset(strbuf_t *sb)
{
    sb->len = 0;
    if (sb->data) sb->data[0] = '\0';
}

strbuf_err_t strbuf_reserve(strbuf_t *sb, size_t more)
{
    if (more > sb->limit - sb->len) return STRBUF_ERR_TOOBIG;
    size_t need = sb->len + more + 1;
    if (need <= sb->cap) return STRBUF_OK;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < need) cap *= 2;
    char *p = realloc(sb->data, cap);
    if (!p) return STRBUF_ERR_NOMEM;
    sb->data = p;
    sb->cap = cap;
    return STRBUF_OK;
}

strbuf_err_t strbuf_add(strbuf_t *sb, const void *p, size_t n)
{
    strbuf_err_t err = strbuf_reserve(sb, n);
    if (err) return err;
    if (n) memcpy(sb->data + sb->len, p, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
    return STRBUF_OK;
}

strbuf_err_t strbuf_adds(strbuf_t *sb, const char *s) { return strbuf_add(sb, s, strlen(s)); }
strbuf_err_t strbuf_addc(strbuf_t *sb, char c) { return strbuf_add(sb, &c, 1); }

strbuf_err_t strbuf_addf(strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return STRBUF_ERR_NOMEM;
    strbuf_err_t err = strbuf_reserve(sb, (size_t)n);
    if (err) return err;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return STRBUF_OK;
}

/* Index of the first byte of s[i..n) that JSON must escape (below 0x20,
 * '"' or '\\'), or n. Eight bytes at a time: a byte b is flagged when b < 0x20
 * (b - 0x20 borrows into its top bit while b's own top bit is clear) or
 * when b ^ '"' or b ^ '\\' is zero; bytes from 0x80 up pass. */
static size_t next_escape(const char *s, size_t i, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        uint64_t hit = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b);
        if (hit & high) break;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\') return i;
    }
    return n;
}

strbuf_err_t strbuf_add_json_str(strbuf_t *sb, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    strbuf_err_t err = strbuf_reserve(sb, n + 2);
    if (err) return err;
    sb->data[sb->len++] = '"';
    size_t run = 0; /* start of the pending run of plain bytes */
    for (size_t i = next_escape(s, 0, n); i < n; i = next_escape(s, i + 1, n)) {
        unsigned char c = (unsigned char)s[i];
        if ((err = strbuf_add(sb, s + run, i - run))) return err;
        run = i + 1;
        char esc[7] = {'\\', 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if ((err = strbuf_add(sb, esc, elen))) return err;
    }
    if ((err = strbuf_add(sb, s + run, n - run))) return err;
    return strbuf_addc(sb, '"');
}

char *strbuf_take(strbuf_t *sb, size_t *len)
{
    char *p = sb->data;
    if (!p) {
        p = calloc(1, 1);
        if (!p) return NULL;
    }
    if (len) *len = sb->len;
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return p;
}
