/* ddb_response: what came back from one DynamoDB call, and the checks on it
 * that need no network: the x-amz-crc32 body checksum DynamoDB sends with
 * every response, and the error document ({"__type": "...#Code",
 * "message": "..."}).
 *
 * A ddb_response_t owns its body (NUL-terminated, at most DDB_MAX_RESPONSE
 * bytes). Start from a zeroed struct; ddb_response_reset() frees the body and
 * zeroes it again, and accepts a zeroed struct.
 */
#ifndef DDB_RESPONSE_H
#define DDB_RESPONSE_H

#include <stddef.h>

/* DynamoDB answers are at most 16 MB (BatchGetItem); a little headroom. */
#define DDB_MAX_RESPONSE (17 * 1024 * 1024)

typedef struct ddb_response {
    long status; /* HTTP status of the last attempt, 0 if none */
    char *body;  /* owned; NULL when empty */
    size_t body_len;
    char error_type[128]; /* "ResourceNotFoundException", namespace removed */
    char error_message[1024];
    char request_id[128]; /* x-amzn-RequestId */
    char crc32[16];       /* x-amz-crc32 as received, "" if absent */
    int attempts;         /* attempts made, 1 when no retry */
    long new_connections; /* connections opened by the last attempt (0: reused) */
    long long connect_us; /* last attempt: until TCP (and TLS) was up, 0 if reused */
} ddb_response_t;

void ddb_response_reset(ddb_response_t *r);

/* 1 when header (decimal, as DynamoDB sends it) equals the CRC-32 of the
 * body; 0 when it differs or is not a number. */
int ddb_crc32_matches(const char *header, const void *body, size_t len);

/* Fills error_type and error_message from an error body. When the body is not
 * an error document, error_type becomes "HttpStatus<N>" and the message says
 * so. */
void ddb_response_parse_error(ddb_response_t *r);

#endif
