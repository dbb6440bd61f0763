#include "protocol.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

void protocol_request_id(char *buf)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static uint64_t state;
    if (!state) state = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull | 1;
    for (int i = 0; i < 52; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        buf[i] = alphabet[state % 36];
    }
    buf[52] = '\0';
}

void protocol_crc32(const char *body, size_t len, char *buf)
{
    snprintf(buf, 11, "%lu", crc32(0L, (const Bytef *)body, (uInt)len) & 0xFFFFFFFFul);
}

/* --auth strict: the request's signature, failures in DynamoDB's words. */
static ddb_code_t check_signature(const sigcheck_t *c, const httpd_req_t *req, const char *body,
                                  size_t len, ddb_error_t *err)
{
    static const ddb_code_t codes[] = {
        [SIGCHECK_VALID] = DDB_OK,
        [SIGCHECK_MISSING] = DDB_E_MISSING_AUTH,
        [SIGCHECK_INCOMPLETE] = DDB_E_INCOMPLETE_SIGNATURE,
        [SIGCHECK_INVALID] = DDB_E_INVALID_SIGNATURE,
        [SIGCHECK_UNRECOGNIZED] = DDB_E_UNRECOGNIZED_CLIENT,
        [SIGCHECK_OUT_OF_MEMORY] = DDB_E_INTERNAL_FAILURE,
    };
    sigcheck_result_t r = sigcheck_httpd(c, req, body, len, time(NULL), err->msg, sizeof err->msg);
    err->code = codes[r];
    if (r == SIGCHECK_MISSING) /* DynamoDB's own wording */
        snprintf(err->msg, sizeof err->msg, "Request is missing Authentication Token");
    return err->code;
}

void protocol_handle(void *ctx, httpd_req_t *req)
{
    protocol_t *p = ctx;
    shim_t *s = p->shim;
    char rid[53], crc[16];
    protocol_request_id(rid);
    strbuf_t out;
    strbuf_init(&out, (size_t)64 * 1024 * 1024);
    unsigned status;
    const char *ctype = "application/x-amz-json-1.0";
    if (strcmp(httpd_req_method(req), "GET") == 0) {
        status = 200;
        ctype = "text/plain";
        strbuf_addf(&out, "healthy: dynamodb.%s.amazonaws.com ", s->region);
    } else if (httpd_req_body_too_large(req)) {
        status = shim_handle(s, NULL, NULL, SHIM_MAX_REQUEST + 1, &out);
    } else {
        size_t len;
        const char *body = httpd_req_body(req, &len);
        ddb_error_t err = {0};
        if (p->auth && check_signature(p->auth, req, body, len, &err))
            status = shim_error(&err, &out);
        else
            status = shim_handle(s, httpd_req_header(req, "X-Amz-Target"), body, len, &out);
    }
    size_t len;
    char *body = strbuf_take(&out, &len);
    protocol_crc32(body ? body : "", len, crc);
    httpd_header_t headers[] = {
        {"Content-Type", ctype},
        {"x-amzn-RequestId", rid},
        {"x-amz-crc32", crc},
    };
    httpd_respond(req, status, headers, 3, body, body ? len : 0);
}
