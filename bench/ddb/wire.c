/* wire: prebuilt DynamoDB requests over one libcurl easy handle. */
#include "wire.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wire_request {
    struct curl_slist *headers;
    char *body;
    size_t len;
};

struct wire_conn {
    CURL *curl;
    char *body; /* grows up to WIRE_BODY_CAP, reused across sends */
    size_t len, cap;
    int too_big;
    long connects;
    char detail[CURL_ERROR_SIZE];
};

const char *wire_strerror(wire_err_t err)
{
    switch (err) {
    case WIRE_OK: return "ok";
    case WIRE_ENOMEM: return "out of memory";
    case WIRE_EINIT: return "libcurl could not be initialized";
    case WIRE_ETRANSFER: return "HTTP transfer failed";
    case WIRE_ETOOBIG: return "answer body larger than the cap";
    }
    return "unknown wire error";
}

wire_err_t wire_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? WIRE_OK : WIRE_EINIT;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    wire_conn_t *c = userp;
    size_t n = size * nmemb;
    if (n > WIRE_BODY_CAP - c->len) {
        c->too_big = 1;
        return 0; /* aborts the transfer */
    }
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 64 * 1024;
        while (cap < c->len + n + 1) cap *= 2;
        if (cap > WIRE_BODY_CAP + 1) cap = WIRE_BODY_CAP + 1;
        char *p = realloc(c->body, cap);
        if (!p) return 0;
        c->body = p;
        c->cap = cap;
    }
    memcpy(c->body + c->len, data, n);
    c->len += n;
    c->body[c->len] = '\0';
    return n;
}

wire_err_t wire_open(const char *base_url, long timeout_ms, wire_conn_t **out)
{
    wire_err_t err = WIRE_ENOMEM;
    wire_conn_t *c = calloc(1, sizeof *c);
    if (!c) goto fail;
    c->body = malloc(64 * 1024);
    if (!c->body) goto fail;
    c->cap = 64 * 1024;
    c->body[0] = '\0';
    err = WIRE_EINIT;
    c->curl = curl_easy_init();
    if (!c->curl) goto fail;
    char url[512];
    int n = snprintf(url, sizeof url, "%s/", base_url);
    if (n < 0 || (size_t)n >= sizeof url) goto fail;
    if (curl_easy_setopt(c->curl, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
        curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c) != CURLE_OK ||
        curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->detail) != CURLE_OK ||
        curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
        curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(c->curl, CURLOPT_TCP_NODELAY, 1L) != CURLE_OK ||
        curl_easy_setopt(c->curl, CURLOPT_PROXY, "") != CURLE_OK)
        goto fail;
    *out = c;
    return WIRE_OK;
fail:
    wire_close(c);
    return err;
}

void wire_close(wire_conn_t *c)
{
    if (!c) return;
    if (c->curl) curl_easy_cleanup(c->curl);
    free(c->body);
    free(c);
}

wire_err_t wire_request_new(const char *operation, const char *body, wire_request_t **out)
{
    wire_request_t *r = calloc(1, sizeof *r);
    if (!r) return WIRE_ENOMEM;
    if (!operation) { /* GET /: no headers of our own, no body */
        *out = r;
        return WIRE_OK;
    }
    char target[128];
    snprintf(target, sizeof target, "X-Amz-Target: DynamoDB_20120810.%s", operation);
    const char *fixed[] = {
        "Content-Type: application/x-amz-json-1.0",
        "X-Amz-Date: 20260101T000000Z",
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCHDDB/20260101/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "Expect:", /* never wait for 100-continue */
        target,
    };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        struct curl_slist *h = curl_slist_append(r->headers, fixed[i]);
        if (!h) goto fail;
        r->headers = h;
    }
    r->len = strlen(body);
    r->body = malloc(r->len + 1);
    if (!r->body) goto fail;
    memcpy(r->body, body, r->len + 1);
    *out = r;
    return WIRE_OK;
fail:
    wire_request_free(r);
    return WIRE_ENOMEM;
}

void wire_request_free(wire_request_t *r)
{
    if (!r) return;
    curl_slist_free_all(r->headers);
    free(r->body);
    free(r);
}

wire_err_t wire_send(wire_conn_t *c, const wire_request_t *r, long *status)
{
    c->len = 0;
    c->body[0] = '\0';
    c->too_big = 0;
    c->detail[0] = '\0';
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, r->headers);
    if (r->body) {
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)r->len);
    } else {
        curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    }
    CURLcode rc = curl_easy_perform(c->curl);
    long opened = 0;
    if (curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK)
        c->connects += opened;
    if (c->too_big) return WIRE_ETOOBIG;
    if (rc != CURLE_OK) {
        if (!c->detail[0]) snprintf(c->detail, sizeof c->detail, "%s", curl_easy_strerror(rc));
        return rc == CURLE_OUT_OF_MEMORY ? WIRE_ENOMEM : WIRE_ETRANSFER;
    }
    long code = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
    *status = code;
    return WIRE_OK;
}

const char *wire_body(const wire_conn_t *c, size_t *len)
{
    if (len) *len = c->len;
    return c->body;
}

const char *wire_detail(const wire_conn_t *c) { return c->detail; }

long wire_connects(const wire_conn_t *c) { return c->connects; }

static size_t discard(char *data, size_t size, size_t nmemb, void *userp)
{
    (void)data;
    (void)userp;
    return size * nmemb;
}

wire_err_t wire_probe(const char *base_url, long timeout_ms)
{
    wire_err_t err = WIRE_EINIT;
    CURL *curl = curl_easy_init();
    if (!curl) return err;
    char url[512];
    int n = snprintf(url, sizeof url, "%s/", base_url);
    if (n < 0 || (size_t)n >= sizeof url) goto done;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    err = curl_easy_perform(curl) == CURLE_OK ? WIRE_OK : WIRE_ETRANSFER;
done:
    curl_easy_cleanup(curl);
    return err;
}
