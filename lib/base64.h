/* base64: standard base64 (RFC 4648, with padding), both ways.
 *
 * Used for X-Amz-Log-Result, X-Amz-Client-Context, Code.ZipFile and
 * DynamoDB's B values. base64_encode and base64_decode return malloc'd,
 * NUL-terminated results the caller frees; NULL means out of memory (encode)
 * or not base64 (decode). base64_decode_strict writes into the caller's
 * buffer. No state, no I/O.
 */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

char *base64_encode(const void *data, size_t n);
/* Lenient: skips ASCII whitespace; padding optional. *out_len excludes the NUL. */
char *base64_decode(const char *in, size_t n, size_t *out_len);
/* Strict, as DynamoDB reads B values: a multiple of 4 characters, padding
 * only at the end, no whitespace. Returns the decoded length, or -1 when s is
 * not base64 so written. out holds n / 4 * 3 bytes. */
long base64_decode_strict(const char *s, size_t n, unsigned char *out);

#endif
