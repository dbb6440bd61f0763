/* lambda_runtime: see lambda_runtime.h. Paths and headers are the Lambda
 * Runtime API's (2018-06-01). */
#include "lambda_runtime.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#define API_PREFIX "/2018-06-01/runtime"
#define POST_TIMEOUT_MS 30000L

struct lambda_runtime {
    CURL *curl;
    int global_init; /* curl_global_init done for this runtime */
    char base[300];  /* "http://host:port/2018-06-01/runtime" */
    char errbuf[CURL_ERROR_SIZE];
    /* the current invocation */
    char *payload;
    size_t payload_len, payload_cap;
    int too_big;
    long status;
    char request_id[128];
    char deadline[32];
    char function_arn[512];
    char trace_id[512];
    char client_context[8192];
    char cognito_identity[8192];
    int has_trace, has_client_context, has_cognito;
};

const char *lambda_strerror(lambda_err_t err)
{
    switch (err) {
    case LAMBDA_OK: return "ok";
    case LAMBDA_ERR_CONFIG: return "AWS_LAMBDA_RUNTIME_API is missing or malformed";
    case LAMBDA_ERR_NOMEM: return "out of memory";
    case LAMBDA_ERR_TRANSPORT: return "the Runtime API could not be reached";
    case LAMBDA_ERR_PROTOCOL: return "unexpected answer from the Runtime API";
    case LAMBDA_ERR_TOOBIG: return "payload too large";
    }
    return "unknown lambda runtime error";
}

long long lambda_remaining_ms(const lambda_invocation_t *inv)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long now = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    return inv->deadline_ms - now;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    lambda_runtime_t *rt = ud;
    size_t n = size * nmemb;
    if (rt->payload_len + n > LAMBDA_MAX_EVENT) {
        rt->too_big = 1;
        return 0;
    }
    if (rt->payload_len + n + 1 > rt->payload_cap) {
        size_t cap = rt->payload_cap ? rt->payload_cap : 16384;
        while (cap < rt->payload_len + n + 1) cap *= 2;
        char *p = realloc(rt->payload, cap);
        if (!p) return 0;
        rt->payload = p;
        rt->payload_cap = cap;
    }
    memcpy(rt->payload + rt->payload_len, data, n);
    rt->payload_len += n;
    rt->payload[rt->payload_len] = '\0';
    return n;
}

/* Copies the value of header `name` into dst; 1 when it matched. */
static int take_header(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t nl = strlen(name);
    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0) return 0;
    const char *v = line + nl + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    size_t l = (size_t)(end - v);
    if (l >= cap) l = cap - 1; /* capped: longer values are cut, never overflow */
    memcpy(dst, v, l);
    dst[l] = '\0';
    return 1;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    lambda_runtime_t *rt = ud;
    size_t n = size * nmemb;
    take_header(data, n, "Lambda-Runtime-Aws-Request-Id", rt->request_id, sizeof rt->request_id);
    take_header(data, n, "Lambda-Runtime-Deadline-Ms", rt->deadline, sizeof rt->deadline);
    take_header(data, n, "Lambda-Runtime-Invoked-Function-Arn", rt->function_arn,
                sizeof rt->function_arn);
    if (take_header(data, n, "Lambda-Runtime-Trace-Id", rt->trace_id, sizeof rt->trace_id))
        rt->has_trace = 1;
    if (take_header(data, n, "Lambda-Runtime-Client-Context", rt->client_context,
                    sizeof rt->client_context))
        rt->has_client_context = 1;
    if (take_header(data, n, "Lambda-Runtime-Cognito-Identity", rt->cognito_identity,
                    sizeof rt->cognito_identity))
        rt->has_cognito = 1;
    return n;
}

lambda_err_t lambda_runtime_new(const char *api, lambda_runtime_t **out)
{
    lambda_err_t err = LAMBDA_OK;
    lambda_runtime_t *rt = NULL;
    if (!api) api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api || strpbrk(api, "/?# \r\n") || !out) return LAMBDA_ERR_CONFIG;
    rt = calloc(1, sizeof *rt);
    if (!rt) return LAMBDA_ERR_NOMEM;
    /* Reference-counted by libcurl; undone in lambda_runtime_free. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        err = LAMBDA_ERR_NOMEM;
        goto fail;
    }
    rt->global_init = 1;
    if (!(rt->curl = curl_easy_init())) {
        err = LAMBDA_ERR_NOMEM;
        goto fail;
    }
    if ((size_t)snprintf(rt->base, sizeof rt->base, "http://%s" API_PREFIX, api) >=
        sizeof rt->base) {
        err = LAMBDA_ERR_CONFIG;
        goto fail;
    }
    CURL *h = rt->curl;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, rt->errbuf);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    *out = rt;
    return LAMBDA_OK;
fail:
    lambda_runtime_free(rt);
    return err;
}

void lambda_runtime_free(lambda_runtime_t *rt)
{
    if (!rt) return;
    if (rt->curl) curl_easy_cleanup(rt->curl);
    if (rt->global_init) curl_global_cleanup();
    free(rt->payload);
    free(rt);
}

static void reset_invocation(lambda_runtime_t *rt)
{
    rt->payload_len = 0;
    if (rt->payload) rt->payload[0] = '\0';
    rt->too_big = 0;
    rt->status = 0;
    rt->request_id[0] = rt->deadline[0] = rt->function_arn[0] = '\0';
    rt->trace_id[0] = rt->client_context[0] = rt->cognito_identity[0] = '\0';
    rt->has_trace = rt->has_client_context = rt->has_cognito = 0;
}

/* One request to the Runtime API, retried on transport failures only (an
 * HTTP answer, whatever its status, is final). body NULL means GET. */
static lambda_err_t exchange(lambda_runtime_t *rt, const char *path, const char *body, size_t len,
                             struct curl_slist *headers)
{
    char url[1024];
    if ((size_t)snprintf(url, sizeof url, "%s%s", rt->base, path) >= sizeof url)
        return LAMBDA_ERR_PROTOCOL;
    CURL *h = rt->curl;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, POST_TIMEOUT_MS);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        /* No timeout: the environment is frozen while it waits. */
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
    }
    lambda_err_t err = LAMBDA_ERR_TRANSPORT;
    for (int attempt = 1; attempt <= LAMBDA_RUNTIME_ATTEMPTS; attempt++) {
        if (!body) reset_invocation(rt);
        rt->status = 0;
        rt->errbuf[0] = '\0';
        CURLcode rc = curl_easy_perform(h);
        if (rc == CURLE_OK) {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rt->status);
            err = LAMBDA_OK;
            break;
        }
        if (rt->too_big) {
            err = LAMBDA_ERR_TOOBIG;
            break;
        }
        fprintf(stderr, "lambda_runtime: %s %s: %s (attempt %d of %d)\n", body ? "POST" : "GET",
                path, rt->errbuf[0] ? rt->errbuf : curl_easy_strerror(rc), attempt,
                LAMBDA_RUNTIME_ATTEMPTS);
        if (attempt < LAMBDA_RUNTIME_ATTEMPTS) {
            struct timespec ts = {0, 20000000L * attempt};
            nanosleep(&ts, NULL);
        }
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    return err;
}

lambda_err_t lambda_runtime_next(lambda_runtime_t *rt, lambda_invocation_t *inv)
{
    if (!rt || !inv) return LAMBDA_ERR_CONFIG;
    curl_easy_setopt(rt->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(rt->curl, CURLOPT_WRITEDATA, rt);
    curl_easy_setopt(rt->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(rt->curl, CURLOPT_HEADERDATA, rt);
    lambda_err_t err = exchange(rt, "/invocation/next", NULL, 0, NULL);
    /* The id goes into URL paths: accept what Lambda's ids are made of. */
    int id_ok = rt->request_id[0] &&
                strspn(rt->request_id, "0123456789abcdefABCDEF-_.") == strlen(rt->request_id);
    if (err == LAMBDA_ERR_TOOBIG && id_ok) {
        /* The headers arrived; the caller can still fail this invocation. */
        memset(inv, 0, sizeof *inv);
        inv->request_id = rt->request_id;
        inv->deadline_ms = strtoll(rt->deadline, NULL, 10);
        inv->function_arn = rt->function_arn;
        return err;
    }
    if (err) return err;
    if (rt->status != 200 || !id_ok) {
        fprintf(stderr, "lambda_runtime: /next answered %ld%s\n", rt->status,
                id_ok ? "" : " without a usable request id");
        return LAMBDA_ERR_PROTOCOL;
    }
    if (!rt->payload) {
        if (on_body("", 1, 0, rt) != 0 || !rt->payload) return LAMBDA_ERR_NOMEM;
        rt->payload[0] = '\0';
    }
    if (rt->has_trace)
        setenv("_X_AMZN_TRACE_ID", rt->trace_id, 1);
    else
        unsetenv("_X_AMZN_TRACE_ID");
    memset(inv, 0, sizeof *inv);
    inv->request_id = rt->request_id;
    inv->deadline_ms = strtoll(rt->deadline, NULL, 10);
    inv->function_arn = rt->function_arn;
    inv->trace_id = rt->has_trace ? rt->trace_id : NULL;
    inv->client_context = rt->has_client_context ? rt->client_context : NULL;
    inv->cognito_identity = rt->has_cognito ? rt->cognito_identity : NULL;
    inv->payload = rt->payload;
    inv->payload_len = rt->payload_len;
    return LAMBDA_OK;
}

/* Answers to POSTs are small ({"status":"OK"}); they are read and dropped,
 * so the current invocation's strings stay as they were. */
static size_t drop(char *data, size_t size, size_t nmemb, void *ud)
{
    (void)data;
    (void)ud;
    return size * nmemb;
}

static lambda_err_t post(lambda_runtime_t *rt, const char *path, const char *body, size_t len,
                         struct curl_slist *headers)
{
    curl_easy_setopt(rt->curl, CURLOPT_WRITEFUNCTION, drop);
    curl_easy_setopt(rt->curl, CURLOPT_HEADERFUNCTION, drop);
    lambda_err_t err = exchange(rt, path, body, len, headers);
    long status = rt->status;
    if (err) return err;
    if (status == 413) return LAMBDA_ERR_TOOBIG;
    if (status != 202) {
        fprintf(stderr, "lambda_runtime: POST %s answered %ld\n", path, status);
        return LAMBDA_ERR_PROTOCOL;
    }
    return LAMBDA_OK;
}

lambda_err_t lambda_runtime_respond(lambda_runtime_t *rt, const lambda_invocation_t *inv,
                                    const char *body, size_t len)
{
    char path[256];
    if (!rt || !inv || !inv->request_id) return LAMBDA_ERR_CONFIG;
    snprintf(path, sizeof path, "/invocation/%s/response", inv->request_id);
    return post(rt, path, body ? body : "", body ? len : 0, NULL);
}

/* {"errorMessage": ..., "errorType": ..., "stackTrace": []}, as the managed
 * runtimes send it. */
static char *error_document(const char *type, const char *message)
{
    cJSON *doc = cJSON_CreateObject();
    char *text = NULL;
    if (doc && cJSON_AddStringToObject(doc, "errorMessage", message ? message : "") &&
        cJSON_AddStringToObject(doc, "errorType", type ? type : "Runtime.Unknown") &&
        cJSON_AddArrayToObject(doc, "stackTrace"))
        text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

static lambda_err_t post_error(lambda_runtime_t *rt, const char *path, const char *type,
                               const char *message)
{
    char hdr[256];
    lambda_err_t err = LAMBDA_ERR_NOMEM;
    struct curl_slist *headers = NULL, *l;
    char *doc = error_document(type, message);
    if (!doc) goto out;
    snprintf(hdr, sizeof hdr, "Lambda-Runtime-Function-Error-Type: %s",
             type ? type : "Runtime.Unknown");
    if (!(l = curl_slist_append(headers, hdr))) goto out;
    headers = l;
    if (!(l = curl_slist_append(headers, "Content-Type: application/json"))) goto out;
    headers = l;
    err = post(rt, path, doc, strlen(doc), headers);
out:
    curl_slist_free_all(headers);
    cJSON_free(doc);
    return err;
}

lambda_err_t lambda_runtime_fail(lambda_runtime_t *rt, const lambda_invocation_t *inv,
                                 const char *type, const char *message)
{
    char path[256];
    if (!rt || !inv || !inv->request_id) return LAMBDA_ERR_CONFIG;
    snprintf(path, sizeof path, "/invocation/%s/error", inv->request_id);
    return post_error(rt, path, type, message);
}

lambda_err_t lambda_runtime_init_error(lambda_runtime_t *rt, const char *type, const char *message)
{
    if (!rt) return LAMBDA_ERR_CONFIG;
    return post_error(rt, "/init/error", type, message);
}

lambda_err_t lambda_runtime_run(lambda_runtime_t *rt, lambda_handler_fn handler, void *ctx)
{
    for (;;) {
        lambda_invocation_t inv = {0};
        lambda_err_t err = lambda_runtime_next(rt, &inv);
        if (err == LAMBDA_ERR_TOOBIG) {
            if (inv.request_id)
                lambda_runtime_fail(rt, &inv, "Runtime.PayloadTooLarge",
                                    "the event is larger than LAMBDA_MAX_EVENT");
            continue;
        }
        if (err) return err;
        lambda_output_t out;
        memset(&out, 0, sizeof out);
        int failed = handler(ctx, &inv, &out);
        if (!failed) {
            err = lambda_runtime_respond(rt, &inv, out.body, out.body_len);
            if (err == LAMBDA_ERR_TOOBIG)
                err = lambda_runtime_fail(rt, &inv, "Function.ResponseSizeTooLarge",
                                          "response payload exceeds the Runtime API limit");
        } else {
            err = lambda_runtime_fail(rt, &inv, out.error_type[0] ? out.error_type : "Unhandled",
                                      out.error_message);
        }
        free(out.body);
        if (err == LAMBDA_ERR_TRANSPORT) return err;
    }
}
