/* protocol: HTTP to shim and back. Adds the headers every DynamoDB response
 * carries (x-amzn-RequestId, x-amz-crc32 of the body, the JSON content type)
 * and answers GET / with DynamoDB's health line. */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include "httpd.h"
#include "shim.h"
#include "sigcheck.h"

typedef struct protocol {
    shim_t *shim;
    sigcheck_t *auth; /* NULL: signatures are not checked */
} protocol_t;

/* The httpd handler; ctx is a protocol_t. */
void protocol_handle(void *ctx, httpd_req_t *req);
/* The x-amz-crc32 header value of a body: zlib's crc32, in decimal, into
 * buf (11 bytes). */
void protocol_crc32(const char *body, size_t len, char *buf);
/* A 52-character request id like DynamoDB's, into buf (53 bytes). */
void protocol_request_id(char *buf);

#endif
