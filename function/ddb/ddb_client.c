/* ddb_client: see ddb_client.h. */
#include "ddb_client.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ddb_request.h"
#include "ddb_retry.h"
#include "sigv4.h"

struct ddb_client {
    ddb_config_t *cfg;
    CURL *curl;
    ddb_signing_cache_t signing;
    ddb_retry_quota_t quota;
    uint64_t rng;
    int global_init;       /* curl_global_init done for this client */
    long timeout_ms;       /* per attempt */
    long long deadline_ms; /* epoch ms no attempt may outlive; 0: none */
    char errbuf[CURL_ERROR_SIZE];
    /* the answer being received */
    ddb_response_t *resp;
    size_t body_cap;
    int too_big;
};

static double rand01(ddb_client_t *c)
{
    /* xorshift64*: jitter needs spread, not secrecy */
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return (double)((c->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    ddb_client_t *c = ud;
    ddb_response_t *r = c->resp;
    size_t n = size * nmemb;
    if (r->body_len + n > DDB_MAX_RESPONSE) {
        c->too_big = 1;
        return 0;
    }
    if (r->body_len + n + 1 > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap : 4096;
        while (cap < r->body_len + n + 1) cap *= 2;
        char *p = realloc(r->body, cap);
        if (!p) return 0;
        r->body = p;
        c->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

/* Copies a header's value (trimmed) into dst when its name matches. */
static void header_value(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t nl = strlen(name);
    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0) return;
    const char *v = line + nl + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    size_t l = (size_t)(end - v);
    if (l >= cap) l = cap - 1;
    memcpy(dst, v, l);
    dst[l] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    ddb_client_t *c = ud;
    size_t n = size * nmemb;
    header_value(data, n, "x-amz-crc32", c->resp->crc32, sizeof c->resp->crc32);
    header_value(data, n, "x-amzn-RequestId", c->resp->request_id, sizeof c->resp->request_id);
    return n;
}

ddb_err_t ddb_client_new(ddb_config_t *cfg, const ddb_client_options_t *opts, ddb_client_t **out)
{
    ddb_err_t err = DDB_OK;
    ddb_client_t *c = NULL;
    if (!cfg || !out) {
        err = DDB_ERR_CONFIG;
        goto fail;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        err = DDB_ERR_NOMEM;
        goto fail;
    }
    /* Reference-counted by libcurl; undone in ddb_client_free. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        err = DDB_ERR_NOMEM;
        goto fail;
    }
    c->global_init = 1;
    if (!(c->curl = curl_easy_init())) {
        err = DDB_ERR_NOMEM;
        goto fail;
    }
    c->cfg = cfg;
    cfg = NULL;
    ddb_retry_quota_init(&c->quota);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
             0x9E3779B97F4A7C15ull;
    long connect_ms = opts && opts->connect_timeout_ms ? opts->connect_timeout_ms : 3000;
    long timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms : 10000;
    c->timeout_ms = timeout_ms;

    CURL *h = c->curl;
    CURLcode rc = CURLE_OK;
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_URL, c->cfg->endpoint);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_POST, 1L);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_USERAGENT, "lambda-ddb-bench-c/1.0");
    if (!rc) rc = curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!rc && c->cfg->tls) {
        /* A CA directory turns libcurl's CA cache off: use the bundle only. */
        rc = curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
        if (!rc && c->cfg->ca_bundle) rc = curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg->ca_bundle);
        long cache_s = opts && opts->no_ca_cache ? 0L : 86400L;
        if (!rc) rc = curl_easy_setopt(h, CURLOPT_CA_CACHE_TIMEOUT, cache_s);
    }
    if (rc) {
        err = DDB_ERR_CONFIG;
        goto fail;
    }
    *out = c;
    return DDB_OK;
fail:
    ddb_config_free(cfg);
    ddb_client_free(c);
    return err;
}

void ddb_client_free(ddb_client_t *c)
{
    if (!c) return;
    if (c->curl) curl_easy_cleanup(c->curl);
    if (c->global_init) curl_global_cleanup();
    ddb_config_free(c->cfg);
    free(c);
}

const ddb_config_t *ddb_client_config(const ddb_client_t *c) { return c->cfg; }

void ddb_client_set_deadline(ddb_client_t *c, long long deadline_ms)
{
    if (c) c->deadline_ms = deadline_ms;
}

static long long epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What is left before the deadline, less a margin to report the failure;
 * LLONG_MAX-ish without a deadline. */
static long long time_left_ms(const ddb_client_t *c)
{
    if (!c->deadline_ms) return 1LL << 40;
    return c->deadline_ms - DDB_DEADLINE_MARGIN_MS - epoch_ms();
}

/* One HTTP exchange. Fills resp; returns what it means. */
static ddb_err_t attempt(ddb_client_t *c, const char *operation, const char *body, size_t len,
                         ddb_response_t *resp, int *timed_out)
{
    ddb_err_t err;
    ddb_request_t req = {0};
    struct curl_slist *list = NULL;
    char amz_date[17];
    int attempts = resp->attempts;
    ddb_response_reset(resp);
    resp->attempts = attempts;
    c->resp = resp;
    c->body_cap = 0;
    c->too_big = 0;
    c->errbuf[0] = '\0';
    *timed_out = 0;

    sigv4_format_date((long long)time(NULL), amz_date);
    err = ddb_request_build(c->cfg, amz_date, operation, body, len, &c->signing, &req);
    if (err) goto out;
    for (size_t i = 0; i < req.n_lines; i++) {
        struct curl_slist *l = curl_slist_append(list, req.lines[i]);
        if (!l) {
            err = DDB_ERR_NOMEM;
            goto out;
        }
        list = l;
    }
    /* Unsigned headers libcurl would add: no 100-continue round trip, no Accept. */
    static const char *const drop[] = {"Expect:", "Accept:"};
    for (size_t i = 0; i < 2; i++) {
        struct curl_slist *l = curl_slist_append(list, drop[i]);
        if (!l) {
            err = DDB_ERR_NOMEM;
            goto out;
        }
        list = l;
    }
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    long long left = time_left_ms(c);
    long timeout = left < c->timeout_ms ? (long)(left > 1 ? left : 1) : c->timeout_ms;
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout);
    CURLcode rc = curl_easy_perform(c->curl);
    curl_off_t connect_us = 0;
    curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &resp->new_connections);
    if (resp->new_connections) {
        curl_easy_getinfo(c->curl,
                          c->cfg->tls ? CURLINFO_APPCONNECT_TIME_T : CURLINFO_CONNECT_TIME_T,
                          &connect_us);
        resp->connect_us = (long long)connect_us;
    }
    if (rc != CURLE_OK) {
        if (c->too_big) {
            err = DDB_ERR_TOOBIG;
            snprintf(resp->error_message, sizeof resp->error_message,
                     "response larger than %d bytes", DDB_MAX_RESPONSE);
        } else {
            err = rc == CURLE_OUT_OF_MEMORY ? DDB_ERR_NOMEM : DDB_ERR_TRANSPORT;
            *timed_out = rc == CURLE_OPERATION_TIMEDOUT;
            snprintf(resp->error_type, sizeof resp->error_type, "%s",
                     *timed_out ? "RequestTimeout" : "ConnectionError");
            if (*timed_out && timeout < c->timeout_ms)
                snprintf(resp->error_message, sizeof resp->error_message,
                         "DynamoDB at %s did not answer before the invocation's deadline (%ld ms "
                         "left for this attempt)",
                         c->cfg->endpoint, timeout);
            else
                snprintf(resp->error_message, sizeof resp->error_message,
                         "could not reach DynamoDB at %s: %s", c->cfg->endpoint,
                         c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
        }
        goto out;
    }
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    /* DynamoDB signs every answer with x-amz-crc32; compatible servers may
     * not, so only a present checksum is checked. */
    if (resp->crc32[0] &&
        !ddb_crc32_matches(resp->crc32, resp->body ? resp->body : "", resp->body_len)) {
        err = DDB_ERR_CRC32;
        snprintf(resp->error_type, sizeof resp->error_type, "CRC32CheckFailed");
        snprintf(resp->error_message, sizeof resp->error_message,
                 "x-amz-crc32 %s does not match the %zu-byte body", resp->crc32, resp->body_len);
        goto out;
    }
    if (resp->status < 200 || resp->status > 299) {
        ddb_response_parse_error(resp);
        err = DDB_ERR_SERVICE;
        goto out;
    }
    err = DDB_OK;
out:
    /* The handle keeps no pointer to the list or the signed request. */
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(list);
    ddb_request_free(&req);
    c->resp = NULL;
    return err;
}

ddb_err_t ddb_call(ddb_client_t *c, const char *operation, const char *body, size_t body_len,
                   ddb_response_t *resp)
{
    if (!c || !operation || !resp) return DDB_ERR_CONFIG;
    ddb_response_reset(resp);
    ddb_err_t err = DDB_OK;
    int taken = 0;
    for (int n = 1;; n++) {
        int timed_out = 0;
        resp->attempts = n;
        err = attempt(c, operation, body, body_len, resp, &timed_out);
        if (err == DDB_OK) {
            ddb_retry_quota_release(&c->quota, taken);
            break;
        }
        ddb_retry_kind_t kind = ddb_retry_classify(err, resp->status, resp->error_type);
        if (kind == DDB_RETRY_NONE || n >= c->cfg->max_attempts) break;
        int cost = ddb_retry_quota_acquire(&c->quota, timed_out);
        if (!cost) break;
        taken += cost;
        long long us = ddb_retry_delay_us(kind, n, rand01(c));
        if (us / 1000 >= time_left_ms(c)) break; /* no time for another attempt */
        struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
        while (nanosleep(&ts, &ts) != 0) {
        }
    }
    return err;
}
