/* attr: DynamoDB AttributeValues, checked and rewritten in canonical form.
 *
 * Input is a cJSON tree as the client sent it. Output is JSON text appended
 * to a strbuf: numbers normalized (as DynamoDB returns them), everything else
 * as given. Every check DynamoDB makes on a value happens here: exactly one
 * type, sets non-empty and without duplicates, numbers in range, binary in
 * base64, NULL true, nesting at most 32 levels. The size computed is
 * DynamoDB's item size (names count). Nothing here allocates what outlives
 * the call.
 */
#ifndef ATTR_H
#define ATTR_H

#include "error.h"
#include "strbuf.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define ATTR_MAX_ITEM_SIZE (400 * 1024)
#define ATTR_MAX_DEPTH 32
/* Cap for canonical text built from a request: escapes grow a request's
 * bytes at most sixfold, and requests are capped at 16 MB. */
#define ATTR_MAX_CANON ((size_t)6 * 16 * 1024 * 1024 + 1024)

/* Checks one AttributeValue and appends its canonical JSON; adds its size
 * (without any name) to *size. */
ddb_code_t attr_canon_value(const cJSON *av, strbuf_t *out, size_t *size, ddb_error_t *err);
/* Checks an item (a map of name to AttributeValue) and appends it; sets
 * *size to its DynamoDB size. The 400 KB limit is the caller's to apply. */
ddb_code_t attr_canon_item(const cJSON *item, strbuf_t *out, size_t *size, ddb_error_t *err);
/* Inside the server, U+0000 in a string is held as the two bytes C0 80 (as
 * Java's modified UTF-8 does), since cJSON's strings end at a NUL. shim.c
 * turns escaped NULs into them on the way in and back on the way out; raw
 * request bytes can never hold C0 80 (an overlong form, refused as invalid
 * UTF-8). These give a held string's real size and bytes. */
#define ATTR_NUL "\xC0\x80"
size_t attr_text_size(const char *s);
/* Writes s's real bytes to out (room for strlen(s)); returns their count. */
size_t attr_text_bytes(const char *s, unsigned char *out);

/* The one type name of a checked AttributeValue ("S", "N", "M" ...), or NULL. */
const char *attr_type(const cJSON *av);

/* Parses the attributes named names[0..n) of an item held as JSON text (a
 * map of name to value), skipping the others unparsed: what a filter needs
 * of an item, at a fraction of parsing the whole. The result is an object
 * (the caller deletes it) that lacks the names the item lacks; NULL when
 * the text is not a JSON object or memory runs out. */
cJSON *attr_parse_some(const char *json, size_t len, const char *const *names, int n);

#endif
