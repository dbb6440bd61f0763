/* ddb_response: see ddb_response.h. */
#include "ddb_response.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void ddb_response_reset(ddb_response_t *r)
{
    if (!r) return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

int ddb_crc32_matches(const char *header, const void *body, size_t len)
{
    if (!header || !*header || strlen(header) > 10 ||
        strspn(header, "0123456789") != strlen(header))
        return 0;
    unsigned long want = strtoul(header, NULL, 10);
    if (want > 0xFFFFFFFFul) return 0;
    uLong crc = crc32(0L, Z_NULL, 0);
    const unsigned char *p = body;
    while (len) {
        uInt chunk = len > 1u << 30 ? 1u << 30 : (uInt)len;
        crc = crc32(crc, p, chunk);
        p += chunk;
        len -= chunk;
    }
    return (crc & 0xFFFFFFFFul) == want;
}

void ddb_response_parse_error(ddb_response_t *r)
{
    cJSON *doc = r->body ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
    const char *type =
        doc ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "__type")) : NULL;
    if (type) {
        const char *hash = strrchr(type, '#');
        snprintf(r->error_type, sizeof r->error_type, "%s", hash ? hash + 1 : type);
        /* DynamoDB says "message"; some errors (and some emulators) say "Message". */
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "message"));
        if (!msg) msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "Message"));
        snprintf(r->error_message, sizeof r->error_message, "%s", msg ? msg : "");
    } else {
        snprintf(r->error_type, sizeof r->error_type, "HttpStatus%ld", r->status);
        snprintf(r->error_message, sizeof r->error_message,
                 "HTTP %ld with no DynamoDB error document", r->status);
    }
    cJSON_Delete(doc);
}
