/* b64: standard base64 (RFC 4648, with padding), both ways.
 *
 * Used for X-Amz-Log-Result, X-Amz-Client-Context and Code.ZipFile. Results
 * are malloc'd and NUL-terminated; the caller frees them. NULL means out of
 * memory (encode) or not base64 (decode). No state, no I/O.
 */
#ifndef B64_H
#define B64_H

#include <stddef.h>

char *b64_encode(const void *data, size_t n);
/* Skips ASCII whitespace; padding optional. *out_len excludes the NUL. */
char *b64_decode(const char *in, size_t n, size_t *out_len);

#endif
