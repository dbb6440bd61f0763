/* lambda_api: see lambda_api.h. */
#include "lambda_api.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sigv4.h"

struct lapi_client {
    CURL *curl;
    char *endpoint, *host, *region, *akid, *secret, *token;
    long timeout_ms;
    char detail[CURL_ERROR_SIZE];
};

const char *lapi_strerror(lapi_err_t err)
{
    switch (err) {
    case LAPI_OK: return "ok";
    case LAPI_ERR_ARG: return "bad argument";
    case LAPI_ERR_NOMEM: return "out of memory";
    case LAPI_ERR_INIT: return "libcurl could not be set up";
    case LAPI_ERR_SIGN: return "SigV4 signing failed";
    case LAPI_ERR_TRANSFER: return "the request failed in transfer";
    case LAPI_ERR_TOOBIG: return "the answer is too large";
    case LAPI_ERR_STATUS: return "the Lambda API answered with an error";
    }
    return "unknown error";
}

void lapi_answer_reset(lapi_answer_t *a)
{
    if (!a) return;
    free(a->body);
    free(a->log_result);
    memset(a, 0, sizeof *a);
}

lapi_err_t lapi_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? LAPI_OK : LAPI_ERR_INIT;
}

void lapi_global_cleanup(void) { curl_global_cleanup(); }

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

void lapi_client_free(lapi_client_t *c)
{
    if (!c) return;
    if (c->curl) curl_easy_cleanup(c->curl);
    free(c->endpoint);
    free(c->host);
    free(c->region);
    free(c->akid);
    free(c->secret);
    free(c->token);
    free(c);
}

lapi_err_t lapi_client_new(const lapi_config_t *cfg, lapi_client_t **out)
{
    lapi_err_t err = LAPI_ERR_ARG;
    lapi_client_t *c = NULL;
    if (!cfg->endpoint || !cfg->region) goto fail;
    if (cfg->access_key_id && !cfg->secret_access_key) goto fail;
    const char *scheme_end = strstr(cfg->endpoint, "://");
    if (!scheme_end) goto fail;
    err = LAPI_ERR_NOMEM;
    if (!(c = calloc(1, sizeof *c))) goto fail;
    size_t elen = strlen(cfg->endpoint);
    while (elen > 0 && cfg->endpoint[elen - 1] == '/') elen--;
    if (!(c->endpoint = strndup(cfg->endpoint, elen))) goto fail;
    const char *h = scheme_end + 3;
    if (!(c->host = strndup(h, strcspn(h, "/")))) goto fail;
    if (!(c->region = strdup(cfg->region))) goto fail;
    c->akid = dup_or_null(cfg->access_key_id);
    c->secret = dup_or_null(cfg->secret_access_key);
    c->token = dup_or_null(cfg->session_token);
    if ((cfg->access_key_id && !c->akid) || (cfg->secret_access_key && !c->secret)) goto fail;
    c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 300000;
    err = LAPI_ERR_INIT;
    if (!(c->curl = curl_easy_init())) goto fail;
    *out = c;
    return LAPI_OK;
fail:
    lapi_client_free(c);
    return err;
}

const char *lapi_detail(const lapi_client_t *c) { return c->detail; }

int lapi_signed(const lapi_client_t *c) { return c->akid != NULL; }

int lapi_function_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return 0;
    }
    return 1;
}

typedef struct sink {
    lapi_answer_t *a;
    size_t cap_hit;
} sink_t;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    sink_t *s = userp;
    size_t n = size * nmemb;
    if (s->a->body_len + n > LAPI_BODY_CAP) {
        s->cap_hit = 1;
        return 0;
    }
    char *b = realloc(s->a->body, s->a->body_len + n + 1);
    if (!b) return 0;
    memcpy(b + s->a->body_len, data, n);
    s->a->body = b;
    s->a->body_len += n;
    b[s->a->body_len] = '\0';
    return n;
}

/* Copies the value of header line `line` named `name` into a fresh string. */
static char *header_value(const char *line, size_t n, const char *name)
{
    size_t nl = strlen(name);
    if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':') return NULL;
    const char *v = line + nl + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    return strndup(v, (size_t)(end - v));
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    sink_t *s = userp;
    size_t n = size * nmemb;
    if (n > LAPI_HEADER_CAP) {
        s->cap_hit = 1;
        return 0;
    }
    char *v;
    if ((v = header_value(data, n, "X-Amz-Log-Result"))) {
        free(s->a->log_result);
        s->a->log_result = v;
    } else if ((v = header_value(data, n, "X-Amz-Function-Error"))) {
        snprintf(s->a->function_error, sizeof s->a->function_error, "%s", v);
        free(v);
    } else if ((v = header_value(data, n, "x-amzn-ErrorType"))) {
        snprintf(s->a->error_type, sizeof s->a->error_type, "%s", v);
        free(v);
    }
    return n;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static lapi_err_t add_header(struct curl_slist **list, const char *name, const char *value)
{
    char line[4096];
    if ((size_t)snprintf(line, sizeof line, "%s: %s", name, value) >= sizeof line)
        return LAPI_ERR_ARG;
    struct curl_slist *l = curl_slist_append(*list, line);
    if (!l) return LAPI_ERR_NOMEM;
    *list = l;
    return LAPI_OK;
}

/* One request. extra: up to 2 more headers as name, value pairs ending with
 * NULL (or NULL for none); they are sent and signed like the others. */
static lapi_err_t request(lapi_client_t *c, const char *method, const char *path, const char *body,
                          const char *const *extra, lapi_answer_t *a)
{
    lapi_err_t err;
    struct curl_slist *headers = NULL;
    char *url = NULL, *authz = NULL;
    size_t body_len = body ? strlen(body) : 0;
    sink_t sink = {a, 0};
    lapi_answer_reset(a);

    sigv4_header_t sh[8];
    size_t nsh = 0;
    char amz_date[17];
    sigv4_format_date((long long)time(NULL), amz_date);
    sh[nsh++] = (sigv4_header_t){"host", c->host};
    sh[nsh++] = (sigv4_header_t){"x-amz-date", amz_date};
    if (body) sh[nsh++] = (sigv4_header_t){"content-type", "application/json"};
    if (c->token) sh[nsh++] = (sigv4_header_t){"x-amz-security-token", c->token};
    for (size_t i = 0; extra && extra[i] && nsh < 8; i += 2)
        sh[nsh++] = (sigv4_header_t){extra[i], extra[i + 1]};

    /* Host is added by libcurl from the URL; the rest are ours. */
    for (size_t i = 1; i < nsh; i++)
        if ((err = add_header(&headers, sh[i].name, sh[i].value)) != LAPI_OK) goto out;
    if (c->akid) {
        sigv4_request_t req = {method, path, NULL, sh, nsh, NULL, body, body_len};
        sigv4_scope_t scope = {amz_date, c->region, "lambda"};
        err = LAPI_ERR_SIGN;
        if (sigv4_sign(&req, &scope, c->akid, c->secret, &authz) != SIGV4_OK) goto out;
        if ((err = add_header(&headers, "Authorization", authz)) != LAPI_OK) goto out;
    }
    if ((err = add_header(&headers, "Expect", "")) != LAPI_OK) goto out;

    err = LAPI_ERR_NOMEM;
    size_t ulen = strlen(c->endpoint) + strlen(path) + 1;
    if (!(url = malloc(ulen))) goto out;
    snprintf(url, ulen, "%s%s", c->endpoint, path);

    CURL *h = c->curl;
    curl_easy_reset(h);
    c->detail[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->detail);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);

    double t0 = now_ms();
    CURLcode rc = curl_easy_perform(h);
    a->elapsed_ms = now_ms() - t0;
    if (rc != CURLE_OK) {
        err = sink.cap_hit ? LAPI_ERR_TOOBIG : LAPI_ERR_TRANSFER;
        if (!c->detail[0]) snprintf(c->detail, sizeof c->detail, "%s", curl_easy_strerror(rc));
        goto out;
    }
    if (!a->body && !(a->body = calloc(1, 1))) goto out;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    err = a->status >= 200 && a->status < 300 ? LAPI_OK : LAPI_ERR_STATUS;
out:
    curl_slist_free_all(headers);
    free(url);
    free(authz);
    return err;
}

static lapi_err_t function_path(const char *function, const char *suffix, char *path, size_t n)
{
    if (!lapi_function_name_ok(function)) return LAPI_ERR_ARG;
    snprintf(path, n, "/2015-03-31/functions/%s/%s", function, suffix);
    return LAPI_OK;
}

lapi_err_t lapi_invoke(lapi_client_t *c, const char *function, const char *payload,
                       lapi_answer_t *a)
{
    char path[160];
    lapi_err_t err = function_path(function, "invocations", path, sizeof path);
    if (err != LAPI_OK) return err;
    const char *extra[] = {"x-amz-log-type", "Tail", "x-amz-invocation-type", "RequestResponse",
                           NULL};
    return request(c, "POST", path, payload, extra, a);
}

lapi_err_t lapi_get_configuration(lapi_client_t *c, const char *function, lapi_answer_t *a)
{
    char path[160];
    lapi_err_t err = function_path(function, "configuration", path, sizeof path);
    if (err != LAPI_OK) return err;
    return request(c, "GET", path, NULL, NULL, a);
}

lapi_err_t lapi_update_configuration(lapi_client_t *c, const char *function, const char *json,
                                     lapi_answer_t *a)
{
    char path[160];
    lapi_err_t err = function_path(function, "configuration", path, sizeof path);
    if (err != LAPI_OK) return err;
    return request(c, "PUT", path, json, NULL, a);
}
