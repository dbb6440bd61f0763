/* keycodec: primary keys as bytes whose memcmp order is DynamoDB's order.
 *
 * A key is its partition key segment followed, for composite keys, by its
 * sort key segment. Each segment is the value's order bytes (S: UTF-8 bytes,
 * B: the decoded bytes, N: number.h's encoding) with 0x00 escaped as 00 FF and
 * closed by 00 01, so segments are prefix-free and a shorter value sorts
 * first. Query and Scan become range scans over these bytes.
 */
#ifndef KEYCODEC_H
#define KEYCODEC_H

#include "error.h"
#include "strbuf.h"

#include <stddef.h>

/* Appends one escaped, closed segment. */
strbuf_err_t keycodec_segment(strbuf_t *key, const unsigned char *raw, size_t n);
/* Appends the escaped bytes without the closing mark: every key whose
 * segment starts with raw starts with these bytes (begins_with). */
strbuf_err_t keycodec_prefix(strbuf_t *key, const unsigned char *raw, size_t n);
/* The order bytes of a key value of type 'S', 'N' or 'B' given as its JSON
 * string; *raw_len is the value's size as DynamoDB counts it for key limits.
 * out holds at least the text's length + NUM_MAX_KEY bytes. */
ddb_code_t keycodec_raw(char type, const char *text, unsigned char *out, size_t *out_len,
                        ddb_error_t *err);
/* Makes key the smallest byte string greater than every string it prefixes:
 * drops trailing 0xFF bytes and increments the last. Returns 0 when no such
 * string exists (all 0xFF), leaving key empty. */
int keycodec_successor(strbuf_t *key);

#endif
