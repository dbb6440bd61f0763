#include "keycodec.h"

#include "attr.h"
#include "base64.h"
#include "number.h"

#include <string.h>

strbuf_err_t keycodec_prefix(strbuf_t *key, const unsigned char *raw, size_t n)
{
    strbuf_err_t e = strbuf_reserve(key, n + 2);
    if (e) return e;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (raw[i] != 0) continue;
        if ((e = strbuf_add(key, raw + run, i + 1 - run))) return e;
        if ((e = strbuf_addc(key, (char)0xFF))) return e;
        run = i + 1;
    }
    return strbuf_add(key, raw + run, n - run);
}

strbuf_err_t keycodec_segment(strbuf_t *key, const unsigned char *raw, size_t n)
{
    strbuf_err_t e = keycodec_prefix(key, raw, n);
    if (e) return e;
    return strbuf_add(key, "\x00\x01", 2);
}

ddb_code_t keycodec_raw(char type, const char *text, unsigned char *out, size_t *out_len,
                        ddb_error_t *err)
{
    size_t n = strlen(text);
    if (type == 'S') {
        *out_len = attr_text_bytes(text, out);
        return DDB_OK;
    }
    if (type == 'B') {
        long got = base64_decode_strict(text, n, out);
        if (got < 0)
            return ddb_fail(err, DDB_E_SERIALIZATION,
                            "'%.1000s' can not be converted to a Blob: Invalid Base64 character "
                            "found",
                            text);
        *out_len = (size_t)got;
        return DDB_OK;
    }
    num_t num;
    num_err_t ne = num_parse(text, n, &num);
    if (ne) return ddb_fail(err, DDB_E_VALIDATION, "%s", num_strerror(ne));
    *out_len = num_encode(&num, out);
    return DDB_OK;
}

int keycodec_successor(strbuf_t *key)
{
    while (key->len > 0 && (unsigned char)key->data[key->len - 1] == 0xFF) key->len--;
    if (key->len == 0) return 0;
    key->data[key->len - 1] = (char)((unsigned char)key->data[key->len - 1] + 1);
    key->data[key->len] = '\0';
    return 1;
}
